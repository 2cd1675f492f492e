// `perfgate drift`: change points in a history's per-endpoint series; exit 1 on a drift.

import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { DRIFT_DEFAULTS, detectDrift, type DriftOptions } from '../history/drift.js';
import { readHistory } from '../history/file.js';
import { renderDriftJson, renderDriftMarkdown, renderDriftText } from '../history/render.js';
import type { Command } from './command.js';
import { parseCommandArgs, write } from './command.js';
import { parseFormat } from './formats.js';

const help = `Usage: perfgate drift --history PATH [options]

Finds change points in each endpoint's series of absolute cost per request (and in the
traffic-weighted total) with E-divisive means and a seeded permutation test, groups
same-direction steps close together into one gradual change, and reports the changes in the
last day or week for the endpoints that carry most of the traffic-weighted cost: the commit
range of each change and its size with an interval. Only runs measured with the newest run's
counter and CPU model are used. The same history and options always give the same answer.

Options:
  --history PATH       the history file written by 'perfgate history add'
  -f, --format F       text (default), markdown or json
  --window W           day, week (default), or a duration such as 3d or 36h
  --now ISO-DATE       end of the window (default: the newest run's date)
  --threshold PCT      a drift is an increase whose whole interval is above this (default 2%)
  --min-change PCT     smaller changes are noise, not reported (default 1%)
  --cost-share PCT     report the endpoints carrying this share of the cost (default 80%)
  --alpha P            significance of each change point (default 0.01)
  --permutations N     permutations per test (default 199)
  --min-runs N         fewest runs on either side of a change point (default 3)
  --seed N             permutation seed (default 1)
  -h, --help           show this help

Exit status: 0 no drift, 1 a drift beyond the threshold, 2 error.`;

export function parsePercent(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const match = /^\s*([0-9]*\.?[0-9]+)\s*(%?)\s*$/.exec(value);
  if (!match)
    throw new UsageError(`${flag} must be a percentage such as 2% or 0.5%, got '${value}'`);
  const number = Number(match[1]);
  return match[2] ? number / 100 : number >= 1 ? number / 100 : number;
}

function parseNumber(
  value: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  integer: boolean,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `${flag} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got '${value}'`,
    );
  }
  return n;
}

export function parseWindow(value: string | undefined): number {
  if (value === undefined || value === 'week') return 7 * 86_400_000;
  if (value === 'day') return 86_400_000;
  const match = /^(\d+(?:\.\d+)?)(h|d|w)$/.exec(value.trim());
  if (!match)
    throw new UsageError(
      `--window must be day, week or a duration such as 3d or 36h, got '${value}'`,
    );
  const unit = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[match[2] as 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}

export const DRIFT_FLAGS = {
  history: { type: 'string' },
  window: { type: 'string' },
  now: { type: 'string' },
  threshold: { type: 'string' },
  'min-change': { type: 'string' },
  'cost-share': { type: 'string' },
  alpha: { type: 'string' },
  permutations: { type: 'string' },
  'min-runs': { type: 'string' },
  seed: { type: 'string' },
} as const;

export function driftOptions(
  values: Partial<Record<keyof typeof DRIFT_FLAGS, string>>,
): Partial<DriftOptions> {
  const d = DRIFT_DEFAULTS;
  const now = values.now;
  if (now !== undefined && !Number.isFinite(Date.parse(now))) {
    throw new UsageError(`--now must be an ISO 8601 date, got '${now}'`);
  }
  const alpha = parseNumber(values.alpha, '--alpha', d.alpha, 0, false);
  if (alpha >= 1) throw new UsageError(`--alpha must be below 1, got '${values.alpha}'`);
  return {
    windowMs: parseWindow(values.window),
    ...(now !== undefined ? { now: new Date(Date.parse(now)).toISOString() } : {}),
    threshold: parsePercent(values.threshold, '--threshold', d.threshold),
    minChange: parsePercent(values['min-change'], '--min-change', d.minChange),
    costShare: Math.min(1, parsePercent(values['cost-share'], '--cost-share', d.costShare)),
    alpha,
    permutations: parseNumber(values.permutations, '--permutations', d.permutations, 19, true),
    minSize: parseNumber(values['min-runs'], '--min-runs', d.minSize, 2, true),
    seed: parseNumber(values.seed, '--seed', d.seed, 0, true),
  };
}

export const driftCommand: Command = {
  name: 'drift',
  summary: 'find slow drifts (change points) in a history of default-branch runs',
  help,
  async run(argv, ctx) {
    const args = parseCommandArgs(
      'drift',
      argv,
      { ...DRIFT_FLAGS, format: { type: 'string', short: 'f' } },
      false,
    );
    if (args.help) {
      write(ctx.stdout, help);
      return 0;
    }
    if (!args.values.history) {
      throw new UsageError(
        'perfgate drift: --history PATH is required',
        "run 'perfgate drift --help' for usage",
      );
    }
    const format = parseFormat(args.values.format, 'text');
    const options = driftOptions(args.values);
    const runs = await readHistory(resolve(ctx.cwd, args.values.history));
    const report = detectDrift(runs, options);
    write(
      ctx.stdout,
      format === 'json'
        ? renderDriftJson(report)
        : format === 'markdown'
          ? renderDriftMarkdown(report)
          : renderDriftText(report),
    );
    return report.drift ? 1 : 0;
  },
};
