// samples → result.json: per-endpoint change with its interval, Holm across endpoints, verdicts,
// the overall gate decision and a one-line summary. Pure and deterministic: the same sample set
// and options give a byte-identical JSON result.

import type { CounterChoice } from '../counters/choice.js';
import type { SampleSet, SamplesEvent, Build } from '../samples/types.js';
import {
  arrange,
  byName,
  collect,
  endOf,
  type Collected,
  type EndpointSamples,
  type PairedRounds,
} from './collect.js';
import { signedRankHodgesLehmann, twoSampleHodgesLehmann } from './hodges-lehmann.js';
import { holm } from './multiplicity.js';
import { median } from './robust.js';
import {
  changeEstimate,
  interval,
  lowerBound,
  pairedRatio,
  pRegression,
  sum,
  unpairedRatio,
  type RatioEstimate,
} from './ratio.js';
import { checkSequential, lookAlpha, moreRoundsNeeded } from './sequential.js';
import { countVerdicts, plural, summarize } from './summary.js';
import { thresholdResolver, type ThresholdChoice } from './thresholds.js';
import type {
  AnalysisOptions,
  Change,
  EndpointResult,
  OverallVerdict,
  RunResult,
  Verdict,
  WarmupSummary,
} from './types.js';
import { decideVerdict } from './verdict.js';
import { warning, type RunWarning } from './warnings.js';

/** Paired analysis needs this many rounds in which both builds served the same requests. */
const MIN_PAIRED_ROUNDS = 3;

/** Counter reported for minimal sample sets (no header) when the caller names none. */
const UNKNOWN_COUNTER: CounterChoice = {
  name: 'value',
  unit: 'count',
  fallback: false,
  all: ['value'],
  kernel: false,
};

/** What one endpoint's data supports, before the run-wide multiplicity step. */
interface Draft {
  endpoint: string;
  choice: ThresholdChoice;
  estimate: RatioEstimate | null;
  /** The plain mean's estimate, when `estimate` is the median of block means. */
  meanEstimate: RatioEstimate | null;
  typical: Change | null;
  before: number | null;
  after: number | null;
  n: { before: number; after: number; rounds: number };
  /** Reasons the endpoint is an error; empty when it can be judged. */
  errors: string[];
  warnings: string[];
  /** Round totals when the paired analysis was used, for the run total. */
  paired: PairedRounds | null;
  unpaired: Record<Build, number[]> | null;
}

function toChange(e: RatioEstimate, confidence: number): Change {
  const { low, high } = interval(e, confidence);
  return { estimate: changeEstimate(e), low, high };
}

function typicalChange(
  paired: boolean,
  pairs: PairedRounds,
  values: Record<Build, number[]>,
  confidence: number,
): Change | null {
  const hl = paired
    ? signedRankHodgesLehmann(
        pairs.before.map((a, r) => Math.log(pairs.after[r]! / a)),
        confidence,
      )
    : twoSampleHodgesLehmann(values.before.map(Math.log), values.after.map(Math.log), confidence);
  return { estimate: Math.expm1(hl.estimate), low: Math.expm1(hl.low), high: Math.expm1(hl.high) };
}

function measureEndpoint(
  data: EndpointSamples,
  choice: ThresholdChoice,
  options: AnalysisOptions,
  minRounds: number,
): Draft {
  const draft: Draft = {
    endpoint: data.endpoint,
    choice,
    estimate: null,
    meanEstimate: null,
    typical: null,
    before: null,
    after: null,
    n: { before: 0, after: 0, rounds: 0 },
    errors: [],
    warnings: [],
    paired: null,
    unpaired: null,
  };
  checkSamples(data, draft);
  if (data.samples.before === 0 || data.samples.after === 0) return draft;

  const layout = arrange(data);
  if (layout.droppedRounds > 0) {
    draft.warnings.push(
      `dropped ${plural(layout.droppedRounds, 'round')} measured in only one build`,
    );
  }
  if (layout.completeRounds < minRounds) {
    draft.errors.push(
      `too few samples: ${plural(layout.completeRounds, 'complete round')} (need at least ${minRounds})`,
    );
    return draft;
  }
  const usePaired = layout.paired.rounds.length >= MIN_PAIRED_ROUNDS;
  if (usePaired) estimatePaired(layout, draft);
  else if (!estimateUnpaired(layout, draft)) return draft;
  draft.typical = typicalChange(usePaired, layout.paired, layout.unpaired, options.confidence);
  shapeWarnings(draft, options.confidence);
  return draft;
}

/** What the samples alone say: target errors, differing answers, dropped or multiplexed ones. */
function checkSamples(data: EndpointSamples, draft: Draft): void {
  const { errors, warnings } = draft;
  for (const message of data.errors) errors.push(`target error: ${message}`);
  if (data.mismatched.size > 0) {
    errors.push(
      `responses differ between builds for ${plural(data.mismatched.size, 'request')} ` +
        `(${data.mismatchExample}): a change in cost may come from a different answer`,
    );
  }
  if (data.invalid > 0) {
    warnings.push(
      `dropped ${plural(data.invalid, 'sample')} with a non-positive or non-finite value`,
    );
  }
  if (data.multiplexed > 0) {
    warnings.push(
      `${plural(data.multiplexed, 'sample')} measured while the counters were multiplexed`,
    );
  }
  for (const build of ['before', 'after'] as const) {
    if (data.samples[build] === 0) errors.push(`no samples from the ${build} build`);
  }
}

function estimatePaired(layout: ReturnType<typeof arrange>, draft: Draft): void {
  const pairs = layout.paired;
  if (layout.unmatched > 0) {
    draft.warnings.push(
      `left ${plural(layout.unmatched, 'request')} measured in only one build of a round out of the pairing`,
    );
  }
  // With blocks, the round's value is the median of its block means; the plain mean is kept
  // as a second test so that a rare slow path cannot hide behind the median.
  const chosen = pairs.blocked ? { ...pairs, ...pairs.blocked } : pairs;
  draft.estimate = pairedRatio(chosen.before, chosen.after);
  if (pairs.blocked) draft.meanEstimate = pairedRatio(pairs.before, pairs.after);
  const requests = sum(pairs.requests);
  draft.before = sum(chosen.before) / requests;
  draft.after = sum(chosen.after) / requests;
  draft.n = { ...pairs.samples, rounds: pairs.rounds.length };
  draft.paired = chosen;
}

/** The unpaired estimate; false (and an error) when a build has fewer than two requests. */
function estimateUnpaired(layout: ReturnType<typeof arrange>, draft: Draft): boolean {
  const { before, after } = layout.unpaired;
  if (before.length < 2 || after.length < 2) {
    draft.errors.push('too few samples: fewer than 2 requests measured in a build');
    return false;
  }
  draft.warnings.push(
    `unpaired analysis (less powerful): fewer than ${MIN_PAIRED_ROUNDS} rounds in which both builds served the same requests`,
  );
  draft.estimate = unpairedRatio(before, after);
  draft.before = sum(before) / before.length;
  draft.after = sum(after) / after.length;
  draft.n = { before: before.length, after: after.length, rounds: layout.completeRounds };
  draft.unpaired = layout.unpaired;
  return true;
}

/** Estimates that disagree say something about where the change is. */
function shapeWarnings(draft: Draft, confidence: number): void {
  const { warnings } = draft;
  if (draft.estimate!.method === 'exact') {
    warnings.push(
      'every round gave exactly the same ratio (no spread): decided on the estimate alone',
    );
  }
  const change = toChange(draft.estimate!, confidence);
  if (draft.meanEstimate) {
    const mean = toChange(draft.meanEstimate, confidence);
    if (mean.low > change.high || mean.high < change.low) {
      warnings.push(
        'the mean and the median of block means differ: a few costly requests (a slow path, or work outside the request) carry part of the change',
      );
    }
  }
  if (draft.typical && (draft.typical.high < change.low || draft.typical.low > change.high)) {
    warnings.push(
      'the mean and the typical request moved differently: a change in the tail or in the mix of paths',
    );
  }
}

/**
 * One-sided p for a regression beyond θ. With two estimates (median of means and the mean) both
 * are tested and Bonferroni joins them: p = min(1, 2·min(p₁, p₂)), so the family-wise error
 * stays at α while either can find a regression.
 */
function regressionP(d: Draft): number {
  const p = pRegression(d.estimate!, d.choice.threshold);
  if (!d.meanEstimate) return p;
  return Math.min(1, 2 * Math.min(p, pRegression(d.meanEstimate, d.choice.threshold)));
}

/** The gate's simultaneous lower bound: the higher of the two tests' bounds at half the level. */
function gateLowerBound(d: Draft, gamma: number): number {
  if (!d.meanEstimate) return lowerBound(d.estimate!, gamma);
  return Math.max(lowerBound(d.estimate!, gamma / 2), lowerBound(d.meanEstimate, gamma / 2));
}

/** Share of traffic per endpoint: the workload's weights when recorded, else sample counts. */
function trafficWeights(
  set: SampleSet,
  collected: Collected,
  names: string[],
): Map<string, number> {
  const recorded = set.header?.workload.weights;
  const weights = new Map<string, number>();
  for (const name of names) {
    const data = collected.endpoints.get(name)!;
    const share = recorded
      ? (recorded[name] ?? 0)
      : collected.total > 0
        ? (data.samples.before + data.samples.after) / collected.total
        : 0;
    weights.set(name, share);
  }
  return weights;
}

/**
 * Traffic-weighted change of total cost over the endpoints that could be judged: the paired
 * ratio of per-round totals Σ_e w_e·(mean cost of e in round r) over the rounds every such
 * endpoint shares; pooled per-request values (unpaired) when pairing is not possible.
 */
function totalChange(
  drafts: Draft[],
  weights: Map<string, number>,
  confidence: number,
  warnings: RunWarning[],
): Change | null {
  const usable = drafts.filter((d) => d.errors.length === 0 && d.estimate);
  if (usable.length === 0) return null;
  const weightSum = sum(usable.map((d) => weights.get(d.endpoint) ?? 0));
  const weightOf = (d: Draft) => (weightSum > 0 ? (weights.get(d.endpoint) ?? 0) : 1);
  if (usable.every((d) => d.paired)) {
    let shared = new Set(usable[0]!.paired!.rounds);
    for (const d of usable) {
      const own = new Set(d.paired!.rounds);
      shared = new Set([...shared].filter((r) => own.has(r)));
    }
    const rounds = [...shared].sort((a, b) => a - b);
    if (rounds.length >= MIN_PAIRED_ROUNDS) {
      const before = rounds.map(() => 0);
      const after = rounds.map(() => 0);
      for (const d of usable) {
        const p = d.paired!;
        const w = weightOf(d);
        const at = new Map(p.rounds.map((r, i) => [r, i]));
        rounds.forEach((round, k) => {
          const i = at.get(round)!;
          before[k]! += (w * p.before[i]!) / p.requests[i]!;
          after[k]! += (w * p.after[i]!) / p.requests[i]!;
        });
      }
      return toChange(pairedRatio(before, after), confidence);
    }
  }
  const before: number[] = [];
  const after: number[] = [];
  for (const d of usable) {
    if (d.unpaired) {
      before.push(...d.unpaired.before);
      after.push(...d.unpaired.after);
    } else {
      const p = d.paired!;
      p.before.forEach((a, i) => before.push(a / p.requests[i]!));
      p.after.forEach((b, i) => after.push(b / p.requests[i]!));
    }
  }
  if (before.length < 2 || after.length < 2) return null;
  warnings.push(
    warning(
      'unpaired-total',
      'the total is unpaired (endpoints share too few paired rounds): its interval is wide',
    ),
  );
  return toChange(unpairedRatio(before, after), confidence);
}

/** Warm-up events summarised per endpoint and build; undefined for runs that recorded none. */
function warmupSummary(set: SampleSet): WarmupSummary | undefined {
  const events = set.events.filter(
    (e): e is Extract<SamplesEvent, { kind: 'warmup' }> => e.kind === 'warmup',
  );
  if (events.length === 0) return undefined;
  const cells = new Map<string, Record<Build, { requests: number[]; unsettled: number }>>();
  for (const e of events) {
    for (const [endpoint, w] of Object.entries(e.endpoints)) {
      let cell = cells.get(endpoint);
      if (!cell) {
        cell = { before: { requests: [], unsettled: 0 }, after: { requests: [], unsettled: 0 } };
        cells.set(endpoint, cell);
      }
      cell[e.build].requests.push(w.requests);
      if (w.settled === false) cell[e.build].unsettled++;
    }
  }
  const endpoints: WarmupSummary['endpoints'] = {};
  for (const name of [...cells.keys()].sort(byName)) {
    const cell = cells.get(name)!;
    const side = (b: Build) => ({
      requests: median(cell[b].requests),
      unsettled: cell[b].unsettled,
      processes: cell[b].requests.length,
    });
    endpoints[name] = { before: side('before'), after: side('after') };
  }
  const fixed = events.every((e) => Object.values(e.endpoints).every((w) => w.settled === null));
  return {
    mode: fixed ? 'fixed' : 'auto',
    endpoints,
    wallMs: median(events.map((e) => e.wallMs)),
    timedOut: events.filter((e) => e.timedOut).length,
  };
}

function warmupWarnings(w: WarmupSummary | undefined): RunWarning[] {
  if (!w || w.mode === 'fixed') return [];
  const out: RunWarning[] = [];
  for (const [endpoint, sides] of Object.entries(w.endpoints)) {
    for (const build of ['before', 'after'] as const) {
      const { unsettled, processes, requests } = sides[build];
      if (unsettled === 0) continue;
      out.push(
        warning(
          'warmup',
          `${endpoint}: its cost was still drifting at the end of warm-up in ${unsettled} of ${processes} ${build} processes (${requests} warm-up requests): code that does not reach a steady state, or a warm-up cap too low for it`,
        ),
      );
    }
  }
  if (w.timedOut > 0) {
    out.push(
      warning(
        'warmup',
        `${plural(w.timedOut, 'process', 'processes')} hit the warm-up time cap (measure.warmup.max-time)`,
      ),
    );
  }
  return out;
}

function runWarnings(set: SampleSet, collected: Collected, counter: CounterChoice): RunWarning[] {
  const warnings: RunWarning[] = [];
  if (counter.fallback) {
    warnings.push(
      warning(
        'counter-fallback',
        `measured with ${counter.name}, not instructions${counter.reason ? `: ${counter.reason}` : ''}; CPU time is noisier, so intervals are wider`,
      ),
    );
  }
  if (counter.name === 'simulated-instructions') {
    warnings.push(
      warning(
        'simulated-counter',
        'simulated instructions (Valgrind): counts do not depend on machine or load, but code under Callgrind can be compiled and tiered differently from native, and the counter is read per block of requests, so per-request figures are block means',
      ),
    );
  }
  if (collected.multiplexed > 0) {
    warnings.push(
      warning(
        'multiplexed',
        `${plural(collected.multiplexed, 'sample')} measured while the counter group was multiplexed (time_running < time_enabled): values were not scaled; use fewer counters`,
      ),
    );
  }
  for (const message of collected.runErrors)
    warnings.push(warning('target-error', `target error: ${message}`));
  const end = endOf(set);
  if (end && !end.complete) {
    warnings.push(
      warning('incomplete', `the run stopped early${end.reason ? `: ${end.reason}` : ''}`),
    );
  } else if (!end && set.header) {
    warnings.push(
      warning('incomplete', 'the samples end without an end marker: the run was cut short'),
    );
  }
  return warnings;
}

function isComplete(set: SampleSet): boolean {
  const end = endOf(set);
  if (end) return end.complete;
  // A headerless (minimal) set is a user-made comparison with no completion protocol.
  return set.header === undefined && set.events.length === 0;
}

function checkOptions(options: AnalysisOptions): void {
  if (!(options.alpha > 0 && options.alpha < 1)) {
    throw new RangeError(`alpha must be between 0 and 1, got ${options.alpha}`);
  }
  if (!(options.confidence > 0 && options.confidence < 1)) {
    throw new RangeError(`confidence must be between 0 and 1, got ${options.confidence}`);
  }
  if (options.sequential) checkSequential(options.sequential);
}

/** The before/after comparison's own samples: flag-matrix configurations are analysed apart. */
function atDefaults(set: SampleSet): SampleSet {
  if (!set.header?.flags?.length && !set.samples.some((s) => s.flag !== undefined)) return set;
  return {
    header: set.header,
    samples: set.samples.filter((s) => s.flag === undefined),
    events: set.events.filter((e) => !('flag' in e && e.flag !== undefined)),
  };
}

export function analyze(full: SampleSet, options: AnalysisOptions): RunResult {
  checkOptions(options);
  const set = atDefaults(full);
  const minRounds = Math.max(2, Math.ceil(options.minRounds ?? 2));
  const counter = set.header?.counter ?? options.counter ?? UNKNOWN_COUNTER;
  const collected = collect(set);
  const resolve = thresholdResolver(options.thresholds);
  const names = [...collected.endpoints.keys()].sort(byName);
  const weights = trafficWeights(set, collected, names);
  const drafts = names.map((name) =>
    measureEndpoint(collected.endpoints.get(name)!, resolve(name), options, minRounds),
  );
  const levelAlpha = options.sequential
    ? lookAlpha(options.sequential, options.alpha)
    : options.alpha;
  const endpoints = judgeEndpoints(drafts, weights, options, levelAlpha);
  const counts = countVerdicts(endpoints);
  const warmup = warmupSummary(set);
  const warnings = [
    ...runWarnings(set, collected, counter),
    ...warmupWarnings(warmup),
    ...setWarnings(set, endpoints, options, levelAlpha),
  ];
  const total = totalChange(drafts, weights, options.confidence, warnings);
  const complete = isComplete(set);
  // The gate fails closed: anything that could not be measured properly is an error, never a pass.
  let verdict: OverallVerdict = 'pass';
  if (counts.error > 0 || !complete || collected.runErrors.length > 0 || endpoints.length === 0) {
    verdict = 'error';
  } else if (
    counts.regression > 0 ||
    (options.onInconclusive === 'fail' && counts.inconclusive > 0)
  ) {
    verdict = 'fail';
  }
  return resultOf({
    verdict,
    counter,
    options,
    endpoints,
    total,
    counts,
    run: runInfo(set, options, pairedRounds(collected), complete, warmup),
    warnings,
  });
}

/**
 * Regressions: one-sided tests against each endpoint's θ, Holm across the endpoints that can be
 * judged (and the flag matrix's comparisons, which join the family), at the alpha this look may
 * spend.
 */
function judgeEndpoints(
  drafts: Draft[],
  weights: Map<string, number>,
  options: AnalysisOptions,
  levelAlpha: number,
): EndpointResult[] {
  const { alpha, confidence } = options;
  const judged = drafts.filter((d) => d.errors.length === 0 && d.estimate);
  const joint = [...(options.jointP ?? []), ...new Array<number>(options.elsewhere ?? 0).fill(1)];
  const family = judged.length + joint.length;
  const raw = judged.map((d) => regressionP(d));
  const adjusted = holm([...raw, ...joint]).slice(0, raw.length);
  const tests = new Map(judged.map((d, i) => [d, { p: raw[i]!, pAdjusted: adjusted[i]! }]));
  return drafts.map((d) => {
    const test = tests.get(d);
    const change = d.estimate ? toChange(d.estimate, confidence) : null;
    let verdict: Verdict = 'error';
    let moreRounds: number | null = null;
    if (test && change) {
      verdict = decideVerdict({
        pAdjusted: test.pAdjusted,
        alpha: levelAlpha,
        high: change.high,
        threshold: d.choice.threshold,
      });
      if (verdict === 'inconclusive') {
        // The side nearer to resolving: a regression at α/K, or "unchanged" at the interval's tail.
        const towardsRegression = d.estimate!.logRatio > Math.log1p(d.choice.threshold);
        const gamma = towardsRegression ? alpha / family : (1 - confidence) / 2;
        moreRounds = moreRoundsNeeded(d.estimate!, d.choice.threshold, d.n.rounds, gamma);
      }
    }
    return {
      endpoint: d.endpoint,
      verdict,
      threshold: d.choice.threshold,
      thresholdSource: d.choice.source,
      confidence,
      change,
      gateLow: test ? gateLowerBound(d, levelAlpha / family) : null,
      p: test ? test.p : null,
      pAdjusted: test ? test.pAdjusted : null,
      typical: d.typical,
      ...(d.estimate ? { estimator: d.meanEstimate ? 'median-of-means' : 'mean' } : {}),
      ...(d.meanEstimate ? { mean: toChange(d.meanEstimate, confidence) } : {}),
      method: d.estimate?.method ?? (d.unpaired ? 'unpaired' : 'paired-rounds'),
      before: d.before,
      after: d.after,
      n: d.n,
      weight: weights.get(d.endpoint) ?? 0,
      moreRounds,
      warnings: [...d.errors, ...d.warnings],
    };
  });
}

/** What the sample set as a whole lacks, and the sequential look it is analysed at. */
function setWarnings(
  set: SampleSet,
  endpoints: EndpointResult[],
  options: AnalysisOptions,
  levelAlpha: number,
): RunWarning[] {
  const warnings: RunWarning[] = [];
  if (set.header === undefined) {
    warnings.push(warning('no-header', 'no samples header: counter, seed and builds are unknown'));
  }
  if (endpoints.length === 0) warnings.push(warning('no-endpoints', 'no endpoints were measured'));
  // A single planned look spends the whole alpha at once: nothing worth a note.
  if (options.sequential && options.sequential.plan.length > 1) {
    const { plan, look } = options.sequential;
    warnings.push(
      warning(
        'sequential-look',
        `look ${look + 1} of ${plan.length} (${plan[look]} of ${plan[plan.length - 1]} planned rounds): regressions tested at α = ${levelAlpha.toPrecision(3)} spent at this look`,
      ),
    );
  }
  return warnings;
}

/** Rounds in which both builds measured some endpoint. */
function pairedRounds(collected: Collected): number {
  const rounds = new Set<number>();
  for (const data of collected.endpoints.values()) {
    for (const [round, table] of data.rounds) {
      if (table.before.size > 0 && table.after.size > 0) rounds.add(round);
    }
  }
  return rounds.size;
}

/** result.json's `run`: what the header and the end marker say about the run as a whole. */
export function runInfo(
  set: SampleSet,
  options: Pick<AnalysisOptions, 'sequential'>,
  rounds: number,
  complete: boolean,
  warmup?: WarmupSummary,
): RunResult['run'] {
  const header = set.header;
  const end = endOf(set);
  const buildInfo = (build: Build) => {
    const info = header?.builds[build];
    return {
      ...(info?.ref !== undefined ? { ref: info.ref } : {}),
      ...(info?.commit !== undefined ? { commit: info.commit } : {}),
    };
  };
  const { sequential } = options;
  return {
    seed: header?.seed ?? null,
    rounds,
    plannedRounds: sequential
      ? sequential.plan[sequential.plan.length - 1]!
      : (header?.rounds ?? null),
    looks: sequential ? sequential.look + 1 : 1,
    startedAt: header?.startedAt ?? null,
    durationMs: end ? end.wallMs : null,
    complete,
    builds: { before: buildInfo('before'), after: buildInfo('after') },
    mode: header?.mode ?? 'a-b',
    ...(header?.platform ? { platform: header.platform } : {}),
    ...(header?.placement ? { placement: header.placement } : {}),
    ...(warmup ? { warmup } : {}),
  };
}

export interface ResultParts {
  verdict: OverallVerdict;
  counter: CounterChoice;
  options: Pick<AnalysisOptions, 'alpha' | 'confidence' | 'onInconclusive'>;
  endpoints: EndpointResult[];
  total: Change | null;
  counts: RunResult['counts'];
  run: RunResult['run'];
  warnings: RunResult['warnings'];
  /** The one-line summary; summarised from the rest when absent. */
  summary?: string;
}

/** result.json in its fixed key order (equal results give byte-identical files). */
export function resultOf(p: ResultParts): RunResult {
  const result: RunResult = {
    version: 1,
    verdict: p.verdict,
    summary: p.summary ?? '',
    counter: p.counter,
    alpha: p.options.alpha,
    confidence: p.options.confidence,
    onInconclusive: p.options.onInconclusive,
    endpoints: p.endpoints,
    total: p.total,
    counts: p.counts,
    run: p.run,
    warnings: p.warnings,
  };
  if (p.summary === undefined) result.summary = summarize(result);
  return result;
}
