import { join, resolve } from 'node:path';
import { parsePositiveDuration } from '../config/index.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { runGate, type GateOverrides } from '../pipeline.js';
import { parseShard, readBalance } from '../workload/index.js';
import { cleanupLeftovers, describeCleanup } from '../targets/index.js';
import { renderText } from '../report/index.js';
import type { Command } from './command.js';
import { parseCommandArgs, write } from './command.js';

/** Where a run records its live targets and worktrees, for `perfgate cleanup` and the next run. */
export function runPidFile(outDir: string): string {
  return join(outDir, 'targets.pids');
}

const help = `Usage: perfgate run [--config perfgate.yml] [--out DIR] [options]

Replays the workload against the before and the after build in interleaved rounds under the CPU
counters, writes DIR/samples.jsonl as it goes, then analyses it: DIR/result.json, DIR/report.md,
and a table on stdout. Progress goes to stderr. Ctrl-C stops cleanly: the targets are killed and
the samples measured so far are kept. DIR/targets.pids lists the live targets while it runs; if
perfgate itself is killed (SIGKILL), the next run in DIR, or 'perfgate cleanup', stops them.

Options:
  -c, --config FILE      the config (default: perfgate.yml)
  -o, --out DIR          where samples.jsonl, result.json and report.md go (default: .perfgate/run)
      --workload FILE    replay this workload instead of the config's
      --before-ref REF   build the before side from this git ref (the after recipe at REF)
      --max-duration D   time budget for the measuring, e.g. 20m (default: the config's)
      --annotate         report regressions but exit 0 (on-regression: annotate)
      --seed N           seed for the request order (default: random; recorded in the samples)
      --shard I/N        measure only shard I of N (one runner of a matrix), both builds on
                         this machine; 'perfgate merge' then decides over every shard's samples
      --balance FILE     with --shard: split by each endpoint's cost in this result.json of an
                         earlier run (default: by request count); give every shard the same file
  -h, --help             show this help

Exit status: 0 pass, 1 a regression (fail), 2 error or bad usage, 130 interrupted.`;

export const runCommand: Command = {
  name: 'run',
  summary: 'replay the workload against before and after, measure, and decide',
  help,
  async run(argv, ctx) {
    const args = parseCommandArgs(
      'run',
      argv,
      {
        config: { type: 'string', short: 'c' },
        out: { type: 'string', short: 'o' },
        workload: { type: 'string' },
        'before-ref': { type: 'string' },
        'max-duration': { type: 'string' },
        annotate: { type: 'boolean' },
        seed: { type: 'string' },
        shard: { type: 'string' },
        balance: { type: 'string' },
      },
      false,
    );
    if (args.help) {
      write(ctx.stdout, help);
      return 0;
    }
    const overrides: GateOverrides = {};
    if (args.values.workload) overrides.workload = resolve(ctx.cwd, args.values.workload);
    if (args.values['before-ref']) overrides.beforeRef = args.values['before-ref'];
    if (args.values.annotate) overrides.onRegression = 'annotate';
    if (args.values['max-duration'] !== undefined) {
      const parsed = parsePositiveDuration(args.values['max-duration']);
      if (!parsed.ok) throw new UsageError(`--max-duration: ${parsed.message}`, parsed.hint);
      overrides.maxDurationMs = parsed.value;
    }
    if (args.values.balance !== undefined && args.values.shard === undefined)
      throw new UsageError('--balance: only with --shard I/N');
    if (args.values.shard !== undefined) {
      const shard = parseShard(args.values.shard);
      if (!shard.ok) throw new UsageError(`--shard: ${shard.message}`);
      overrides.shard = {
        ...shard.value,
        ...(args.values.balance
          ? { balance: readBalance(resolve(ctx.cwd, args.values.balance)) }
          : {}),
      };
    }
    let seed: number | undefined;
    if (args.values.seed !== undefined) {
      seed = Number(args.values.seed);
      if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
        throw new UsageError(
          `--seed: expected an integer from 0 to 4294967295, got '${args.values.seed}'`,
        );
    }
    const outDir = resolve(ctx.cwd, args.values.out ?? '.perfgate/run');
    // A run killed with SIGKILL could not stop its targets: this run does, from its pid file.
    const pidFile = runPidFile(outDir);
    await claimOutDir(pidFile, outDir, ctx.logger, 'wait for it, or give this run its own --out');
    const outcome = await runGate({
      pidFile,
      configPath: resolve(ctx.cwd, args.values.config ?? 'perfgate.yml'),
      outDir,
      overrides,
      logger: ctx.logger,
      signal: ctx.signal,
      env: ctx.env,
      ...(seed !== undefined ? { seed } : {}),
    });
    ctx.logger.progress('');
    write(ctx.stdout, renderText(outcome.result));
    if (outcome.error) ctx.logger.error(outcome.error);
    ctx.logger.info(
      `samples: ${outcome.samplesPath}\nresult:  ${outcome.resultPath}\nreport:  ${outcome.reportPath}`,
    );
    return outcome.exitCode;
  },
};

/**
 * Leftovers of an earlier run in the folder are stopped (a run killed with SIGKILL could not stop
 * its targets); a run still alive there refuses this one.
 */
export async function claimOutDir(
  pidFile: string,
  outDir: string,
  logger: Logger,
  hint?: string,
): Promise<void> {
  const cleaned = await cleanupLeftovers(pidFile);
  if (cleaned.busy !== undefined)
    throw new UsageError(`another perfgate run (pid ${cleaned.busy}) is using ${outDir}`, hint);
  const said = describeCleanup(cleaned);
  if (said) logger.warn(said);
}
