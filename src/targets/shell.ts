// Build and start commands run through the shell, like a workflow's `run:` step.

import { TargetError, interruption } from '../errors.js';
import type { Logger } from '../log.js';
import { spawnBlocked } from '../proc/spawn.js';

export function shellArgv(command: string): string[] {
  return ['/bin/sh', '-c', command];
}

/** Runs a shell command to completion in its own process group; a non-zero exit is a TargetError. */
export async function runShell(
  build: string,
  what: string,
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  logger.info(`${build}: ${what}: ${command}`);
  const group = spawnBlocked({
    argv: shellArgv(command),
    cwd,
    env,
    label: `${build} ${what}`,
    tailLines: 30,
    onLine: (l) => logger.debug(`${build} ${what}| ${l}`),
  });
  const abort = () => void group.stop(2000);
  signal.addEventListener('abort', abort, { once: true });
  group.release();
  try {
    const exit = await group.exited;
    if (signal.aborted) throw interruption(signal);
    if (exit.code !== 0) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      throw new TargetError(build, `${what} command ${how}: ${command}`, group.tail());
    }
  } finally {
    signal.removeEventListener('abort', abort);
    await group.stop(1000);
  }
}
