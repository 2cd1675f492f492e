// The drift detector: change points in each endpoint's series of absolute cost per request,
// grouped into changes (a step, or a run of same-direction steps that is a slow ramp), each with
// its commit range and its size with an interval. Pure: history in, report data out.

import { tQuantile } from '../analysis/distributions.js';
import type { Change as Interval, Verdict } from '../analysis/types.js';
import { hashSeed } from '../random.js';
import { eDivisive } from './edivisive.js';
import { byDate } from './store.js';
import { seriesId, type HistoryRun, type SeriesKey } from './types.js';

export interface DriftOptions {
  /** Significance of each change point (permutation test). */
  alpha: number;
  permutations: number;
  /** Fewest runs on either side of a change point. */
  minSize: number;
  seed: number;
  /** Changes smaller than this fraction are noise, not drift (0.01 = 1 %). */
  minChange: number;
  /**
   * A level held for fewer runs than this between two changes in the same direction is part of
   * one gradual change (a ramp), not a level of its own.
   */
  settle: number;
  /** Changes whose last run falls within this many milliseconds before `now` are reported. */
  windowMs: number;
  /** End of the window; default the newest run's date. */
  now?: string;
  /** Report the endpoints that together carry this share of the traffic-weighted cost. */
  costShare: number;
  /** A reported increase whose whole interval lies above this fraction is a drift (exit 1). */
  threshold: number;
  /** Two-sided confidence of the size intervals. */
  confidence: number;
}

export const DRIFT_DEFAULTS: DriftOptions = {
  alpha: 0.01,
  permutations: 199,
  minSize: 3,
  seed: 1,
  minChange: 0.01,
  settle: 8,
  windowMs: 7 * 24 * 3600 * 1000,
  costShare: 0.8,
  threshold: 0.02,
  confidence: 0.95,
};

export interface Point {
  commit: string;
  date: string;
  mean: number;
  low: number;
  high: number;
  /** The gate's verdict on that run's own change (regression marks on the dashboard). */
  verdict: Verdict | null;
}

export interface RunRef {
  /** Position in the series' points. */
  index: number;
  commit: string;
  date: string;
}

export interface DriftChange {
  kind: 'step' | 'gradual';
  /** Last run at the old level and first run at the new one: the change is in from..to. */
  from: RunRef;
  to: RunRef;
  /** Mean cost per request of the levels before and after. */
  before: number;
  after: number;
  /** after/before − 1 with its interval. */
  size: Interval;
  /** Largest permutation p-value among its change points. */
  p: number;
  recent: boolean;
  /** An increase whose whole interval is above the threshold. */
  beyondThreshold: boolean;
}

export interface SeriesDrift {
  /** An endpoint's name, or TOTAL for the traffic-weighted total. */
  name: string;
  /** Share of the traffic-weighted cost in the newest run (1 for the total). */
  share: number;
  points: Point[];
  changes: DriftChange[];
  /** Among the endpoints that carry `costShare` of the cost (or the total). */
  reported: boolean;
}

export interface DriftReport {
  series: SeriesKey;
  seriesName: string;
  repository: string | null;
  runs: number;
  /** Runs left out because they were measured with another counter or CPU. */
  otherSeriesRuns: number;
  first: string | null;
  last: string | null;
  now: string | null;
  options: DriftOptions;
  /** The total first, then endpoints by share of cost, heaviest first. */
  endpoints: SeriesDrift[];
  drift: boolean;
}

export const TOTAL = 'traffic-weighted total';

function seriesKeyId(key: SeriesKey): string {
  return JSON.stringify([key.counter, key.unit, key.kernel, key.fallback, key.cpuModel]);
}

/** The runs of the newest run's series (counter and CPU), oldest first, and how many others. */
export function currentSeries(runs: readonly HistoryRun[]): {
  runs: HistoryRun[];
  others: number;
} {
  const sorted = byDate(runs);
  const newest = sorted.at(-1);
  if (!newest) return { runs: [], others: 0 };
  const id = seriesKeyId(newest.series);
  const same = sorted.filter((r) => seriesKeyId(r.series) === id);
  return { runs: same, others: sorted.length - same.length };
}

interface Stats {
  n: number;
  mean: number;
  variance: number;
}

function stats(values: readonly number[]): Stats {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { n, mean, variance };
}

/** after/before − 1 with a Welch interval on the log of the ratio of the level means. */
export function levelChange(
  before: readonly number[],
  after: readonly number[],
  confidence: number,
): Interval {
  const a = stats(before);
  const b = stats(after);
  const estimate = b.mean / a.mean - 1;
  const va = a.variance / (a.n * a.mean * a.mean);
  const vb = b.variance / (b.n * b.mean * b.mean);
  const se = Math.sqrt(va + vb);
  if (!(se > 0)) return { estimate, low: estimate, high: estimate };
  const df =
    (va + vb) ** 2 /
    ((a.n > 1 ? (va * va) / (a.n - 1) : 0) + (b.n > 1 ? (vb * vb) / (b.n - 1) : 0));
  const t = -tQuantile((1 - confidence) / 2, Number.isFinite(df) && df > 0 ? df : 1);
  const log = Math.log(b.mean / a.mean);
  return { estimate, low: Math.exp(log - t * se) - 1, high: Math.exp(log + t * se) - 1 };
}

interface Group {
  cps: number[];
  p: number;
}

/** Same-direction change points with a short level between them become one gradual change. */
function groupChangePoints(
  values: readonly number[],
  cps: readonly { index: number; p: number }[],
  settle: number,
): Group[] {
  const edges = [0, ...cps.map((c) => c.index), values.length];
  const means = edges.slice(0, -1).map((start, k) => stats(values.slice(start, edges[k + 1])).mean);
  const groups: Group[] = [];
  for (let k = 0; k < cps.length; k++) {
    const direction = Math.sign(means[k + 1]! - means[k]!);
    const last = groups.at(-1);
    const previous = k > 0 ? Math.sign(means[k]! - means[k - 1]!) : 0;
    const held = edges[k + 1]! - edges[k]!;
    if (last && previous === direction && held < settle) {
      last.cps.push(cps[k]!.index);
      last.p = Math.max(last.p, cps[k]!.p);
    } else {
      groups.push({ cps: [cps[k]!.index], p: cps[k]!.p });
    }
  }
  return groups;
}

function changesOf(
  points: readonly Point[],
  options: DriftOptions,
  seed: number,
  nowMs: number,
): DriftChange[] {
  const values = points.map((p) => p.mean);
  let cps = eDivisive(values, {
    alpha: options.alpha,
    permutations: options.permutations,
    minSize: options.minSize,
    seed,
  }).map((c) => ({ index: c.index, p: c.p }));
  for (;;) {
    const groups = groupChangePoints(values, cps, options.settle);
    const edges = [0, ...cps.map((c) => c.index), values.length];
    const changes = groups.map((g) => {
      const first = edges.indexOf(g.cps[0]!);
      const last = edges.indexOf(g.cps.at(-1)!);
      const before = values.slice(edges[first - 1], edges[first]);
      const after = values.slice(edges[last], edges[last + 1]);
      return { group: g, size: levelChange(before, after, options.confidence), before, after };
    });
    // Drop the smallest change under the floor and look again: its neighbours' levels widen.
    let weakest = -1;
    for (let i = 0; i < changes.length; i++) {
      const size = Math.abs(changes[i]!.size.estimate);
      if (
        size < options.minChange &&
        (weakest < 0 || size < Math.abs(changes[weakest]!.size.estimate))
      )
        weakest = i;
    }
    if (weakest >= 0) {
      const drop = new Set(changes[weakest]!.group.cps);
      cps = cps.filter((c) => !drop.has(c.index));
      continue;
    }
    return changes.map(({ group, size, before, after }) => {
      const fromIndex = group.cps[0]! - 1;
      const toIndex = group.cps.at(-1)!;
      const ref = (index: number): RunRef => ({
        index,
        commit: points[index]!.commit,
        date: points[index]!.date,
      });
      return {
        kind: group.cps.length > 1 ? 'gradual' : 'step',
        from: ref(fromIndex),
        to: ref(toIndex),
        before: stats(before).mean,
        after: stats(after).mean,
        size,
        p: group.p,
        recent: Date.parse(points[toIndex]!.date) >= nowMs - options.windowMs,
        beyondThreshold: size.low > options.threshold,
      };
    });
  }
}

function endpointPoints(runs: readonly HistoryRun[]): Map<string, Point[]> {
  const series = new Map<string, Point[]>();
  series.set(TOTAL, []);
  for (const run of runs) {
    if (run.total)
      series.get(TOTAL)!.push({ commit: run.commit, date: run.date, ...run.total, verdict: null });
    for (const e of run.endpoints) {
      let points = series.get(e.endpoint);
      if (!points) series.set(e.endpoint, (points = []));
      points.push({
        commit: run.commit,
        date: run.date,
        mean: e.mean,
        low: e.low,
        high: e.high,
        verdict: e.verdict,
      });
    }
  }
  return series;
}

/** Each endpoint's share of the traffic-weighted cost in the newest run. */
function costShares(run: HistoryRun | undefined): Map<string, number> {
  const shares = new Map<string, number>();
  if (!run) return shares;
  const total = run.endpoints.reduce((s, e) => s + e.weight * e.mean, 0);
  for (const e of run.endpoints)
    shares.set(e.endpoint, total > 0 ? (e.weight * e.mean) / total : 0);
  return shares;
}

export function detectDrift(
  history: readonly HistoryRun[],
  overrides: Partial<DriftOptions> = {},
): DriftReport {
  const options = { ...DRIFT_DEFAULTS, ...overrides };
  const { runs, others } = currentSeries(history);
  const newest = runs.at(-1);
  const now = options.now ?? newest?.date ?? null;
  const nowMs = now ? Date.parse(now) : 0;
  const shares = costShares(newest);
  const ranked = [...shares.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const heavy = new Set<string>();
  let covered = 0;
  for (const [name, share] of ranked) {
    if (covered >= options.costShare) break;
    heavy.add(name);
    covered += share;
  }
  const endpoints: SeriesDrift[] = [];
  for (const [name, points] of endpointPoints(runs)) {
    const seed = (hashSeed(name) ^ options.seed) >>> 0;
    endpoints.push({
      name,
      share: name === TOTAL ? 1 : (shares.get(name) ?? 0),
      points,
      changes: points.length >= 2 * options.minSize ? changesOf(points, options, seed, nowMs) : [],
      reported: name === TOTAL || heavy.has(name),
    });
  }
  endpoints.sort((a, b) => b.share - a.share || (a.name < b.name ? -1 : 1));
  const series = newest?.series ?? {
    counter: 'none',
    unit: '',
    kernel: false,
    fallback: false,
    cpuModel: '',
  };
  return {
    series,
    seriesName: newest ? seriesId(series) : 'empty history',
    repository: newest?.repository ?? null,
    runs: runs.length,
    otherSeriesRuns: others,
    first: runs[0]?.date ?? null,
    last: newest?.date ?? null,
    now,
    options,
    endpoints,
    drift: endpoints.some(
      (e) => e.reported && e.changes.some((c) => c.recent && c.beyondThreshold),
    ),
  };
}
