import { resolve } from 'node:path';
import { runMerge } from '../merge/index.js';
import { renderText } from '../report/index.js';
import { UsageError } from '../errors.js';
import type { Command } from './command.js';
import { parseCommandArgs, write } from './command.js';

const help = `Usage: perfgate merge SAMPLES... [--config perfgate.yml] [--out DIR] [--annotate]

Merges the samples of every shard of one run ('perfgate run --shard i/n' on each runner of a
workflow matrix) and analyses them as one run: one Holm family over all endpoints, one
traffic-weighted total. Writes DIR/samples.jsonl (merged), DIR/result.json and DIR/report.md,
and a table on stdout. SAMPLES are samples.jsonl files or folders searched for them (a folder
holding every shard's downloaded artifact, say).

Fails closed: a missing or repeated shard, or shards that measured another workload, another
build or with another counter, is an error (exit 2). Shards on different CPU models are named.

Options:
  -c, --config FILE     thresholds, alpha, confidence, on-* from this config (default: its
                        defaults, as 'perfgate compare')
  -o, --out DIR         where the merged files go (default: .perfgate/merge)
      --annotate        report regressions but exit 0 (on-regression: annotate)
  -h, --help            show this help

Exit status: 0 pass, 1 a regression (fail), 2 error or bad usage.`;

export const mergeCommand: Command = {
  name: 'merge',
  summary: "merge the shards' samples of a sharded run into one verdict",
  help,
  async run(argv, ctx) {
    const args = parseCommandArgs('merge', argv, {
      config: { type: 'string', short: 'c' },
      out: { type: 'string', short: 'o' },
      annotate: { type: 'boolean' },
    });
    if (args.help) {
      write(ctx.stdout, help);
      return 0;
    }
    if (args.positionals.length === 0) {
      throw new UsageError(
        'perfgate merge: expected the samples of every shard (files or folders)',
        "run 'perfgate merge --help' for usage",
      );
    }
    const outcome = await runMerge({
      inputs: args.positionals.map((p) => resolve(ctx.cwd, p)),
      outDir: resolve(ctx.cwd, args.values.out ?? '.perfgate/merge'),
      ...(args.values.config ? { configPath: resolve(ctx.cwd, args.values.config) } : {}),
      ...(args.values.annotate ? { onRegression: 'annotate' as const } : {}),
      logger: ctx.logger,
      cwd: ctx.cwd,
    });
    write(ctx.stdout, renderText(outcome.result));
    ctx.logger.info(
      `samples: ${outcome.samplesPath}\nresult:  ${outcome.resultPath}\nreport:  ${outcome.reportPath}`,
    );
    return outcome.exitCode;
  },
};
