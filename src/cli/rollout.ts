// `perfgate rollout`: did a deploy make production requests more expensive? Compares two windows
// of recordings from perfgate's recorder per endpoint, optionally sliced, and exits 1 to alert.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { exitCodeFor } from '../analysis/index.js';
import { ConfigError, UsageError } from '../errors.js';
import {
  compareWindows,
  readRecordings,
  splitWindows,
  type ReadResult,
  type Slice,
  type Split,
} from '../rollout/index.js';
import type { Command, CommandContext } from './command.js';
import { parseCommandArgs, write } from './command.js';
import { expandInputs } from './files.js';
import { analysisSettings, parseFormat, render, saveReport } from './formats.js';

const help = `Usage: perfgate rollout RECORDINGS... [--before-commit A --after-commit B | --at TIME] [options]
       perfgate rollout --before FILES... --after FILES... [options]

Compares two windows of production recordings written by perfgate's recorder (perfgate/recorder
for Node, perfgate_recorder for Python): per endpoint, the change in mean CPU cost per request
with its confidence interval, tested against the endpoint's threshold, Holm across everything
compared. Production windows cannot be paired, so the comparison is unpaired (Welch).

Windows:
      --before-commit A, --after-commit B   split by the records' meta.commit
      --at TIME                             split by time (ISO 8601 or Unix ms): before < TIME ≤ after
      --before FILE, --after FILE           whole files (repeatable; quoted globs allowed)
  With none of these, recordings that hold exactly two commits are split by commit, the
  earlier one first.

Options:
      --by KEY           slice every endpoint by status, host, commit or flag:NAME. A slice the
                         before window lacks (a flag the rollout turned on) is compared with all
                         of that endpoint's requests before the rollout.
      --min-samples N    leave out endpoints/slices with fewer samples in a window (default 30)
  -c, --config FILE      thresholds, alpha, confidence, on-* from this perfgate.yml
      --threshold P      default threshold, e.g. 5%
  -o, --out DIR          also write DIR/result.json and DIR/report.md
  -f, --format F         text (default), markdown or json
      --annotate         report regressions but exit 0
  -h, --help             show this help

Exit status: 0 no regression, 1 a regression (alert), 2 error or bad usage.

Examples:
  perfgate rollout 'recordings/*.jsonl' --by flag:new-search
  perfgate rollout --before 'monday/*.jsonl' --after 'tuesday/*.jsonl' --threshold 5%`;

const OPTIONS = {
  'before-commit': { type: 'string' },
  'after-commit': { type: 'string' },
  at: { type: 'string' },
  before: { type: 'string', multiple: true },
  after: { type: 'string', multiple: true },
  by: { type: 'string' },
  'min-samples': { type: 'string' },
  config: { type: 'string', short: 'c' },
  threshold: { type: 'string' },
  out: { type: 'string', short: 'o' },
  format: { type: 'string', short: 'f' },
  annotate: { type: 'boolean' },
} as const;

export const rolloutCommand: Command = {
  name: 'rollout',
  summary: 'compare production recordings before and after a deploy',
  help,
  async run(argv, ctx) {
    const args = parseCommandArgs('rollout', argv, OPTIONS);
    if (args.help) {
      write(ctx.stdout, help);
      return 0;
    }
    const v = args.values;
    const usage = "run 'perfgate rollout --help' for usage";
    const format = parseFormat(v.format);
    const by = v.by !== undefined ? parseSlice(v.by) : undefined;
    const minSamples = v['min-samples'] !== undefined ? Number(v['min-samples']) : 30;
    if (!Number.isInteger(minSamples) || minSamples < 2) {
      throw new UsageError(`--min-samples must be an integer ≥ 2, got '${v['min-samples']}'`);
    }
    const { config, options } = await analysisSettings(ctx.cwd, v.config, v.threshold);

    let windows;
    let notes: ReadResult[];
    if (v.before || v.after) {
      if (!v.before || !v.after) throw new UsageError('--before and --after go together', usage);
      if (args.positionals.length > 0 || v.at || v['before-commit'] || v['after-commit']) {
        throw new UsageError(
          'with --before/--after files, give no other recordings or split',
          usage,
        );
      }
      const b = await readAll(ctx, v.before);
      const a = await readAll(ctx, v.after);
      notes = [b, a];
      windows = {
        before: b.samples,
        after: a.samples,
        labels: { before: 'before', after: 'after' },
      };
    } else {
      if (args.positionals.length === 0)
        throw new UsageError('which recordings? give files or globs', usage);
      const read = await readAll(ctx, args.positionals);
      notes = [read];
      const split = parseSplit(v);
      const w = splitWindows(read.samples, split);
      if (typeof w === 'string') throw new UsageError(w, usage);
      windows = w;
    }
    for (const n of notes) {
      for (const [reason, count] of n.skipped)
        write(ctx.stderr, `note: left out ${count} record(s): ${reason}`);
      for (const file of n.truncated)
        write(
          ctx.stderr,
          `note: ${file}: the last line was cut short (a write in progress?); left out`,
        );
    }
    write(
      ctx.stderr,
      `comparing ${windows.before.length} samples (${windows.labels.before}) with ${windows.after.length} (${windows.labels.after})`,
    );
    if (windows.before.length === 0 || windows.after.length === 0) {
      throw new ConfigError(
        `the ${windows.before.length === 0 ? 'before' : 'after'} window has no samples`,
        {},
        'check the split: commits with meta.commit, times with meta.time',
      );
    }
    let result;
    try {
      result = compareWindows(windows.before, windows.after, {
        ...options,
        ...(by ? { by } : {}),
        minSamples,
        windows: windows.labels,
      });
    } catch (error) {
      if (error instanceof RangeError) throw new ConfigError(error.message);
      throw error;
    }
    if (v.out) saveReport(resolve(ctx.cwd, v.out), result);
    write(ctx.stdout, render(result, format));
    return exitCodeFor(result, v.annotate ? 'annotate' : config.onRegression);
  },
};

function parseSlice(value: string): Slice {
  if (value === 'status' || value === 'host' || value === 'commit') return { kind: value };
  const flag = /^flag:(.+)$/.exec(value);
  if (flag) return { kind: 'flag', name: flag[1]! };
  throw new UsageError(`--by must be status, host, commit or flag:NAME, got '${value}'`);
}

function parseSplit(v: { at?: string; 'before-commit'?: string; 'after-commit'?: string }): Split {
  const b = v['before-commit'];
  const a = v['after-commit'];
  if (v.at !== undefined) {
    if (b || a) throw new UsageError('split by --at or by commits, not both');
    const at = /^\d+$/.test(v.at) ? Number(v.at) : Date.parse(v.at);
    if (!Number.isFinite(at))
      throw new UsageError(`--at: not a time: '${v.at}' (ISO 8601 or Unix ms)`);
    return { kind: 'time', at };
  }
  if (b || a) {
    if (!b || !a) throw new UsageError('--before-commit and --after-commit go together');
    return { kind: 'commit', before: b, after: a };
  }
  return { kind: 'auto' };
}

async function readAll(ctx: CommandContext, inputs: readonly string[]): Promise<ReadResult> {
  const files = await expandInputs(ctx.cwd, inputs);
  if (files.length === 0) throw new ConfigError('no recordings match', { file: inputs.join(' ') });
  const out: ReadResult = { samples: [], skipped: new Map(), truncated: [] };
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(resolve(ctx.cwd, file), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(code === 'ENOENT' ? 'file not found' : `cannot read: ${code}`, {
        file,
      });
    }
    readRecordings(text, file, out);
  }
  return out;
}
