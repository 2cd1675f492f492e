import { resolve } from 'node:path';
import { analyzeWithFlags, exitCodeFor, guardErrorAnswers } from '../analysis/index.js';
import { UsageError } from '../errors.js';
import { readSamples } from '../samples/index.js';
import type { Command } from './command.js';
import { parseCommandArgs, write } from './command.js';
import { analysisSettings, parseFormat, render, saveReport } from './formats.js';

const help = `Usage: perfgate compare SAMPLES.jsonl [--config perfgate.yml] [--threshold 2%] [--out DIR]

Re-analyses saved samples: per-endpoint change with its confidence interval, verdicts against
the thresholds, Holm across endpoints. Accepts what 'perfgate run' writes, or minimal records
{"endpoint", "build": "before"|"after", "round", "request", "value"} from any other tool.

Options:
  -c, --config FILE     thresholds, alpha, confidence, on-* from this config (only those are
                        needed; without it: default threshold 3%, alpha 0.05, confidence 0.95)
      --threshold P     default threshold, e.g. 2% (overrides the config's)
  -o, --out DIR         also write DIR/result.json and DIR/report.md
  -f, --format F        what to print: text (default), markdown or json
      --annotate        report regressions but exit 0
  -h, --help            show this help

Exit status: 0 pass, 1 a regression (fail), 2 error or bad usage.`;

export const compareCommand: Command = {
  name: 'compare',
  summary: 're-analyse saved samples (from perfgate run or any tool)',
  help,
  async run(argv, ctx) {
    const args = parseCommandArgs('compare', argv, {
      config: { type: 'string', short: 'c' },
      threshold: { type: 'string' },
      out: { type: 'string', short: 'o' },
      format: { type: 'string', short: 'f' },
      annotate: { type: 'boolean' },
    });
    if (args.help) {
      write(ctx.stdout, help);
      return 0;
    }
    if (args.positionals.length !== 1) {
      throw new UsageError(
        'perfgate compare: expected one SAMPLES.jsonl file',
        "run 'perfgate compare --help' for usage",
      );
    }
    const format = parseFormat(args.values.format);
    const { config, options } = await analysisSettings(
      ctx.cwd,
      args.values.config,
      args.values.threshold,
    );
    const set = await readSamples(resolve(ctx.cwd, args.positionals[0]!));
    // A run with a flag matrix re-analyses its flags too, under the config's on-flag-regression.
    const onFlagRegression = args.values.annotate ? 'annotate' : config.onFlagRegression;
    const result = guardErrorAnswers(
      analyzeWithFlags(set, { ...options, onFlagRegression }),
      set.samples.filter((s) => s.flag === undefined),
      config.allowErrors,
    );
    if (args.values.out) saveReport(resolve(ctx.cwd, args.values.out), result);
    write(ctx.stdout, render(result, format));
    const onRegression = args.values.annotate ? 'annotate' : config.onRegression;
    return exitCodeFor(result, onRegression);
  },
};
