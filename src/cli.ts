#!/usr/bin/env node
// perfgate's command line: the same stages as the action, wired for a terminal.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InterruptedError, isUserFacing, PerfgateError, errorMessage } from './errors.js';
import { killAllNow } from './proc/registry.js';
import type { Command, CommandContext } from './cli/command.js';
import { write } from './cli/command.js';
import { terminalLogger } from './cli/logger.js';
import { probeCommand } from './cli/probe.js';
import { measureCommand } from './cli/measure.js';
import { runCommand } from './cli/run.js';
import { mergeCommand } from './cli/merge.js';
import { importCommand } from './cli/import.js';
import { compareCommand } from './cli/compare.js';
import { reportCommand } from './cli/report.js';
import { explainCommand } from './cli/explain.js';
import { calibrateCommand } from './cli/calibrate.js';
import { cleanupCommand } from './cli/cleanup.js';
import { historyCommand } from './cli/history.js';
import { driftCommand } from './cli/drift.js';
import { dashboardCommand } from './cli/dashboard.js';
import { rolloutCommand } from './cli/rollout.js';
import { VERSION } from './version.js';

const COMMANDS: Command[] = [
  runCommand,
  mergeCommand,
  compareCommand,
  reportCommand,
  explainCommand,
  calibrateCommand,
  importCommand,
  rolloutCommand,
  probeCommand,
  measureCommand,
  cleanupCommand,
  historyCommand,
  driftCommand,
  dashboardCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `perfgate ${VERSION}: stop CPU regressions in web services before they merge

Usage: perfgate <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'perfgate <command> --help' for a command's options.

Exit status: 0 pass, 1 fail (a regression), 2 error or bad usage.`;
}

export async function main(argv: string[], base: Partial<CommandContext> = {}): Promise<number> {
  const stdout = base.stdout ?? process.stdout;
  const stderr = base.stderr ?? process.stderr;
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    write(name === undefined ? stderr : stdout, usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    write(stdout, VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    write(stderr, `perfgate: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const ctx: CommandContext = {
    stdout,
    stderr,
    cwd: base.cwd ?? process.cwd(),
    env: base.env ?? process.env,
    logger: base.logger ?? terminalLogger(stderr, process.env.PERFGATE_DEBUG === '1'),
    signal: base.signal ?? new AbortController().signal,
  };
  try {
    return await command.run(rest, ctx);
  } catch (error) {
    if (isUserFacing(error)) {
      write(stderr, `perfgate ${command.name}: ${error.message}`);
      if (error.hint) write(stderr, `hint: ${error.hint}`);
      return error.kind === 'interrupted' ? 130 : 2;
    }
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && !(error instanceof PerfgateError)) {
      // A system call refused (perf_event_open, spawn, a file): the message names it.
      write(stderr, `perfgate ${command.name}: ${errorMessage(error)}`);
      return 2;
    }
    write(
      stderr,
      `perfgate ${command.name}: internal error (this is a perfgate bug; please report it)`,
    );
    write(stderr, error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 2;
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`\nperfgate: ${signal} received, stopping (again to force)\n`);
      // The same reason the action's signal watch gives: every stage reports it as it is.
      controller.abort(new InterruptedError(signal));
      return;
    }
    killAllNow();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  main(process.argv.slice(2), { signal: controller.signal }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`perfgate: ${errorMessage(error)}\n`);
      process.exitCode = 2;
    },
  );
}
