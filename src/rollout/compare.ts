// Two windows of recorded production samples → a result.json like the gate's, so every report
// surface renders it. Production windows cannot be paired by round, so each endpoint (or slice)
// gets the unpaired ratio of mean cost with Welch degrees of freedom, the two-sample
// Hodges–Lehmann "typical request" change, one-sided tests against its threshold, Holm across
// everything compared, and the gate's verdict rules.
//
// Each endpoint is tested twice, each at α/2 (Bonferroni within the endpoint, as the gate does
// with its robust and plain estimates): the mean, which a change in the mix of slow and fast
// requests moves, and the typical request (Mann–Whitney on logs), which one GC pause or a
// neighbour's burst in a window does not. Recorded windows are heavy-tailed: a shift of every
// request by +20 % once read as a mean change of [−4 %, +42 %].

import { mannWhitneyGreater, twoSampleHodgesLehmann } from '../analysis/hodges-lehmann.js';
import { holm } from '../analysis/multiplicity.js';
import {
  changeEstimate,
  interval,
  lowerBound,
  pRegression,
  sum,
  unpairedRatio,
  type RatioEstimate,
} from '../analysis/ratio.js';
import { countVerdicts, plural } from '../analysis/summary.js';
import { thresholdResolver } from '../analysis/thresholds.js';
import type {
  AnalysisOptions,
  Change,
  EndpointResult,
  OverallVerdict,
  RunResult,
} from '../analysis/types.js';
import { resultOf } from '../analysis/analyze.js';
import { decideVerdict } from '../analysis/verdict.js';
import type { CounterChoice } from '../counters/choice.js';
import { warning, type RunWarning } from '../analysis/warnings.js';
import type { RecordedSample } from './read.js';

/** What to slice by: a meta field, or one flag. */
export type Slice = { kind: 'status' | 'host' | 'commit' } | { kind: 'flag'; name: string };

export interface RolloutOptions extends AnalysisOptions {
  by?: Slice;
  /** Fewer samples than this in a window leaves a group out of the comparison (default 30). */
  minSamples?: number;
  windows?: { before: string; after: string };
}

const TYPICAL_CAP = 4000;

export function sliceLabel(slice: Slice): string {
  return slice.kind === 'flag' ? `flag:${slice.name}` : slice.kind;
}

export function sliceValue(sample: RecordedSample, slice: Slice): string {
  switch (slice.kind) {
    case 'status':
      return sample.status === null ? '(none)' : String(sample.status);
    case 'host':
      return sample.host ?? '(none)';
    case 'commit':
      return sample.commit ?? '(none)';
    case 'flag':
      return sample.flags[slice.name] ?? '(unset)';
  }
}

interface Group {
  name: string;
  endpoint: string;
  before: number[];
  after: number[];
  /** The baseline is the whole endpoint's before window: this slice has too few samples there. */
  wholeBaseline: boolean;
}

function groups(before: RecordedSample[], after: RecordedSample[], options: RolloutOptions) {
  const min = options.minSamples ?? 30;
  const byEndpoint = (samples: RecordedSample[]) => {
    const map = new Map<string, RecordedSample[]>();
    for (const s of samples) {
      const list = map.get(s.endpoint);
      if (list) list.push(s);
      else map.set(s.endpoint, [s]);
    }
    return map;
  };
  const b = byEndpoint(before);
  const a = byEndpoint(after);
  const names = [...new Set([...b.keys(), ...a.keys()])].sort();
  const out: Group[] = [];
  const left: string[] = [];
  for (const endpoint of names) {
    const bs = b.get(endpoint) ?? [];
    const as = a.get(endpoint) ?? [];
    if (!options.by) {
      const g = {
        name: endpoint,
        endpoint,
        before: values(bs),
        after: values(as),
        wholeBaseline: false,
      };
      if (g.before.length >= min && g.after.length >= min) out.push(g);
      else left.push(`${endpoint} (${g.before.length}/${g.after.length})`);
      continue;
    }
    const slice = options.by;
    const split = (samples: RecordedSample[]) => {
      const map = new Map<string, number[]>();
      for (const s of samples) {
        const v = sliceValue(s, slice);
        const list = map.get(v);
        if (list) list.push(s.value);
        else map.set(v, [s.value]);
      }
      return map;
    };
    const sb = split(bs);
    const sa = split(as);
    for (const value of [...new Set([...sb.keys(), ...sa.keys()])].sort()) {
      const name = `${endpoint} [${sliceLabel(slice)}=${value}]`;
      const own = sb.get(value) ?? [];
      const after = sa.get(value) ?? [];
      // A slice the before window never had (a flag turned on by the rollout) is compared with
      // everything that endpoint did before: that is what the slice changed.
      const wholeBaseline = own.length < min;
      const baseline = wholeBaseline ? values(bs) : own;
      if (after.length >= min && baseline.length >= min) {
        out.push({ name, endpoint, before: baseline, after, wholeBaseline });
      } else left.push(`${name} (${baseline.length}/${after.length})`);
    }
  }
  return { groups: out, left, min };
}

function values(samples: RecordedSample[]): number[] {
  return samples.map((s) => s.value);
}

/** Every k-th value, sorted first, so the typical change stays cheap on large windows. */
function thin(xs: number[]): number[] {
  if (xs.length <= TYPICAL_CAP) return xs;
  const sorted = [...xs].sort((p, q) => p - q);
  const step = sorted.length / TYPICAL_CAP;
  return Array.from({ length: TYPICAL_CAP }, (_, i) => sorted[Math.floor(i * step + step / 2)]!);
}

function toChange(e: RatioEstimate, confidence: number): Change {
  return { estimate: changeEstimate(e), ...interval(e, confidence) };
}

export function compareWindows(
  before: RecordedSample[],
  after: RecordedSample[],
  options: RolloutOptions,
): RunResult {
  const counters = new Set([...before, ...after].map((s) => `${s.counter} (${s.unit})`));
  if (counters.size > 1) {
    throw new RangeError(
      `the windows were measured with different counters: ${[...counters].join(', ')}; costs in different units cannot be compared`,
    );
  }
  const first = before[0] ?? after[0];
  const grouped = groups(before, after, options);
  const list = grouped.groups;
  const endpoints = judgeGroups(list, after.length, grouped.min, options);
  const counts = countVerdicts(endpoints);
  const warnings = windowWarnings(first?.counter ?? 'unknown', grouped, endpoints);
  const total =
    !options.by && list.length > 0
      ? toChange(
          unpairedRatio(
            list.flatMap((g) => g.before),
            list.flatMap((g) => g.after),
          ),
          options.confidence,
        )
      : null;
  let verdict: OverallVerdict = 'pass';
  if (endpoints.length === 0) verdict = 'error';
  else if (counts.regression > 0 || (options.onInconclusive === 'fail' && counts.inconclusive > 0))
    verdict = 'fail';
  return resultOf({
    verdict,
    counter: recordedCounter(first),
    options,
    endpoints,
    total,
    counts,
    run: windowRun(before, after, options),
    warnings,
  });
}

/**
 * Per group: the mean's change (unpaired ratio) and the typical request's (Hodges–Lehmann on
 * logs), each tested one-sided against θ, Bonferroni between the two, Holm across the groups.
 */
function judgeGroups(
  list: Group[],
  afterTotal: number,
  min: number,
  options: RolloutOptions,
): EndpointResult[] {
  const { alpha, confidence } = options;
  const resolve = thresholdResolver(options.thresholds);
  const estimates = list.map((g) => unpairedRatio(g.before, g.after));
  const choices = list.map((g) => resolve(g.endpoint));
  const logs = list.map((g) => ({
    before: thin(g.before).map(Math.log),
    after: thin(g.after).map(Math.log),
  }));
  const pTypical = logs.map((l, i) =>
    mannWhitneyGreater(l.before, l.after, Math.log1p(choices[i]!.threshold)),
  );
  const pMean = estimates.map((e, i) => pRegression(e, choices[i]!.threshold));
  const raw = pMean.map((p, i) => Math.min(1, 2 * Math.min(p, pTypical[i]!)));
  const adjusted = holm(raw);
  const family = list.length;
  return list.map((g, i) => {
    const e = estimates[i]!;
    const change = toChange(e, confidence);
    const verdict = decideVerdict({
      pAdjusted: adjusted[i]!,
      alpha,
      high: change.high,
      threshold: choices[i]!.threshold,
    });
    const hl = twoSampleHodgesLehmann(logs[i]!.before, logs[i]!.after, confidence);
    // One-sided at α/(2·family): the looser of the two tests' lower bounds.
    const gamma = alpha / family;
    const hlGate = twoSampleHodgesLehmann(logs[i]!.before, logs[i]!.after, 1 - gamma);
    const flaggedByTypical = verdict === 'regression' && pTypical[i]! < pMean[i]!;
    return {
      endpoint: g.name,
      verdict,
      threshold: choices[i]!.threshold,
      thresholdSource: choices[i]!.source,
      confidence,
      change,
      gateLow: Math.max(lowerBound(e, gamma / 2), Math.expm1(hlGate.low)),
      p: raw[i]!,
      pAdjusted: adjusted[i]!,
      typical: {
        estimate: Math.expm1(hl.estimate),
        low: Math.expm1(hl.low),
        high: Math.expm1(hl.high),
      },
      method: e.method,
      before: sum(g.before) / g.before.length,
      after: sum(g.after) / g.after.length,
      n: { before: g.before.length, after: g.after.length, rounds: 0 },
      weight: afterTotal > 0 ? g.after.length / afterTotal : 0,
      moreRounds: null,
      warnings: groupWarnings(g, min, e, flaggedByTypical ? pMean[i]! : undefined),
    };
  });
}

function groupWarnings(
  g: Group,
  min: number,
  e: RatioEstimate,
  /** The mean's own p, when only the typical request's test flagged the regression. */
  meanP: number | undefined,
): string[] {
  const warnings: string[] = [];
  if (g.wholeBaseline) {
    warnings.push(
      `fewer than ${min} samples of this slice before the rollout: compared with all of ${g.endpoint} before it`,
    );
  }
  if (meanP !== undefined) {
    warnings.push(
      `flagged by the typical request's test (Mann–Whitney on logs); the mean's own p was ${meanP.toPrecision(2)}: a few slow outliers in a window widen the mean`,
    );
  }
  if (e.method === 'exact')
    warnings.push('no spread in the samples: decided on the estimate alone');
  return warnings;
}

function windowWarnings(
  counter: string,
  grouped: { left: string[]; min: number },
  endpoints: EndpointResult[],
): RunWarning[] {
  const { left, min } = grouped;
  const warnings: RunWarning[] = [];
  if (counter !== 'instructions') {
    warnings.push(
      warning(
        'recorded-counter',
        `recorded with ${counter}, not instructions: CPU time varies with load and machine, so compare windows from the same fleet`,
      ),
    );
  }
  warnings.push(
    warning(
      'production-windows',
      'production windows: unpaired comparison; traffic mix, load and data may differ between windows as well as the code',
    ),
  );
  if (left.length > 0) {
    warnings.push(
      warning(
        'few-samples',
        `left out ${plural(left.length, 'group')} with fewer than ${min} samples in a window (before/after): ${left.slice(0, 8).join(', ')}${left.length > 8 ? ', …' : ''}`,
      ),
    );
  }
  if (endpoints.length === 0) warnings.push(warning('no-endpoints', 'no endpoints were measured'));
  return warnings;
}

function recordedCounter(first: RecordedSample | undefined): CounterChoice {
  const counter = first?.counter ?? 'unknown';
  return {
    name: counter,
    unit:
      first?.unit === 'count' && counter === 'instructions'
        ? 'instructions'
        : (first?.unit ?? 'count'),
    fallback: counter !== 'instructions',
    ...(counter !== 'instructions' ? { reason: 'as recorded by the service' } : {}),
    all: [counter],
    kernel: false,
  };
}

/** The windows as a run: no rounds or seed, the span of the recordings, the labels as refs. */
function windowRun(
  before: RecordedSample[],
  after: RecordedSample[],
  options: RolloutOptions,
): RunResult['run'] {
  const times = (xs: RecordedSample[]) => xs.map((s) => s.time).filter(Number.isFinite);
  const startMs = Math.min(...times(before), ...times(after));
  const endMs = Math.max(...times(before), ...times(after));
  return {
    seed: null,
    rounds: 0,
    plannedRounds: null,
    looks: 1,
    startedAt: Number.isFinite(startMs) ? new Date(startMs).toISOString() : null,
    durationMs: Number.isFinite(endMs - startMs) ? endMs - startMs : null,
    complete: true,
    builds: {
      before: options.windows ? { ref: options.windows.before } : {},
      after: options.windows ? { ref: options.windows.after } : {},
    },
    mode: 'a-b',
  };
}
