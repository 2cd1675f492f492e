// One target process: a fresh server of one build, started under the counters with a free PORT,
// made ready, and stopped as a whole process group.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCounted, type Placement } from '../counters/spawn-counted.js';
import type { CounterSet } from '../counters/counter-set.js';
import {
  SimulatedCounter,
  deterministicEnv,
  valgrindArgv,
  type SimulatedGc,
  type SimulatedThreads,
} from '../counters/simulated.js';
import { spawnBlocked } from '../proc/spawn.js';
import { TargetError, interruption } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProcessGroup } from '../proc/spawn.js';
import type { Build } from '../samples/types.js';
import { freePort } from './port.js';
import { waitReady, type Readiness, type ReadyOutcome } from './ready.js';
import { shellArgv } from './shell.js';

export interface TargetSpec {
  build: Build;
  /** How messages name this target when it is not plainly its build ('after (flag x=on)'). */
  label?: string;
  /** Folder the start command runs in. */
  cwd: string;
  start: string;
  /** Full environment (perfgate adds PORT). */
  env: NodeJS.ProcessEnv;
  readiness: Readiness;
  events: readonly string[];
  kernel: boolean;
  noAslr: boolean;
  /** CPUs the server runs on and the PMU that counts it (hybrid CPUs). */
  placement?: Placement;
  stopGraceMs?: number;
  /** Count simulated instructions: the tree runs under Callgrind instead of perf counters. */
  simulated?: { threads: SimulatedThreads; nodeFlags: string; gc?: SimulatedGc };
}

export interface RunningTarget {
  build: Build;
  /** The build, or the spec's label. */
  label: string;
  port: number;
  group: ProcessGroup;
  /** perf_event counters, read per request; absent under the simulated counter. */
  counters?: CounterSet;
  /** Callgrind's counts, read per block of requests. */
  simulated?: SimulatedCounter;
  readyMs: number;
  /** A TargetError describing how the process ended, if it has. */
  crashed(): TargetError | undefined;
  /**
   * After a failed request: how the process ended, waiting up to `ms` for its exit to be seen
   * (a dropped connection often arrives before the exit status does).
   */
  crashedWithin(ms: number): Promise<TargetError | undefined>;
  /** Aborted when the run is stopped (Ctrl-C): a request in flight is cancelled at once. */
  signal: AbortSignal;
  stop(): Promise<void>;
}

function describeExit(code: number | null, signal: string | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

export async function startTarget(
  spec: TargetSpec,
  signal: AbortSignal,
  logger: Logger,
): Promise<RunningTarget> {
  const port = await freePort();
  const label = spec.label ?? spec.build;
  const { group, counters, simulated, outDir } = await spawnTarget(spec, port, label, logger);
  let exit: { code: number | null; signal: string | null } | undefined;
  void group.exited.then((e) => {
    exit = e;
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    counters?.close();
    simulated?.close();
    await group.stop(spec.stopGraceMs ?? 5000);
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  };
  const outcome = await waitReady(port, spec.readiness, () => group.running, signal);
  if (!outcome.ready) {
    const tail = group.tail();
    await stop();
    if (outcome.reason === 'aborted') throw interruption(signal);
    throw notReady(spec, label, port, outcome, await group.exited, tail);
  }
  const crashed = () => {
    if (group.running || stopped) return undefined;
    const e = exit ?? { code: null, signal: null };
    return new TargetError(
      label,
      `server ${describeExit(e.code, e.signal)} while being measured`,
      group.tail(),
    );
  };
  return {
    build: spec.build,
    label,
    port,
    group,
    ...(counters ? { counters } : {}),
    ...(simulated ? { simulated } : {}),
    readyMs: outcome.ms,
    crashed,
    async crashedWithin(ms: number) {
      if (group.running && !stopped) {
        const exited = group.exited.then((e) => {
          exit = e;
        });
        await Promise.race([exited, new Promise((r) => setTimeout(r, ms))]);
      }
      return crashed();
    },
    signal,
    stop,
  };
}

interface Spawned {
  group: ProcessGroup;
  /** perf_event counters, or Callgrind's counts (in its out folder) under the simulated counter. */
  counters?: CounterSet;
  simulated?: SimulatedCounter;
  outDir?: string;
}

/** The start command's process group, counted from its first instruction. */
async function spawnTarget(
  spec: TargetSpec,
  port: number,
  label: string,
  logger: Logger,
): Promise<Spawned> {
  const spawnOptions = {
    argv: shellArgv(spec.start),
    cwd: spec.cwd,
    env: { ...spec.env, PORT: String(port) },
    label,
    noAslr: spec.noAslr,
    tailLines: 30,
    onLine: (l: string) => logger.debug(`${label}| ${l}`),
  };
  if (!spec.simulated) {
    return spawnCounted(spawnOptions, spec.events, spec.kernel, spec.placement);
  }
  // Not named after the build: both builds' environments (PATH holds this folder) are the same size.
  const outDir = mkdtempSync(join(tmpdir(), 'perfgate-callgrind-'));
  const { gc = 'off', nodeFlags, threads } = spec.simulated;
  const { env } = deterministicEnv(spawnOptions.env, nodeFlags, outDir, gc);
  const group = spawnBlocked({
    ...spawnOptions,
    env,
    argv: valgrindArgv(spawnOptions.argv, outDir),
  });
  group.release();
  const simulated = new SimulatedCounter(group.pid, outDir, threads, gc);
  return { group, simulated, outDir };
}

/** Why a server never became ready: it exited, or it never answered. */
function notReady(
  spec: TargetSpec,
  label: string,
  port: number,
  outcome: Extract<ReadyOutcome, { ready: false }>,
  ex: { code: number | null; signal: string | null },
  tail: string[],
): TargetError {
  if (outcome.reason === 'exited') {
    return new TargetError(
      label,
      `server ${describeExit(ex.code, ex.signal)} before it was ready (start: ${spec.start})`,
      tail,
      'the start command must keep a server running that listens on 127.0.0.1:$PORT',
    );
  }
  const what = spec.readiness.kind === 'http' ? `GET ${spec.readiness.path}` : `TCP port ${port}`;
  return new TargetError(
    label,
    `server was not ready after ${Math.round(spec.readiness.timeoutMs / 1000)}s: ${what} never answered (last: ${outcome.last})`,
    tail,
    "check that the server listens on $PORT (perfgate sets it), or raise 'ready.timeout'",
  );
}
