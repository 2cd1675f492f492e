// result.json: what analysis decides. Pure data; report and publish render it.

import type { CounterChoice } from '../counters/choice.js';
import type { RunWarning } from './warnings.js';
import type { Explanation } from './explanation.js';

export type Verdict = 'regression' | 'improvement' | 'unchanged' | 'inconclusive' | 'error';
export type OverallVerdict = 'pass' | 'fail' | 'error';

/** A relative change as fractions: 0.05 = +5 %. */
export interface Change {
  estimate: number;
  low: number;
  high: number;
}

export type Method = 'paired-rounds' | 'unpaired' | 'exact';

export interface EndpointResult {
  endpoint: string;
  verdict: Verdict;
  /** Threshold θ as a fraction (0.03 = 3 %) and the glob that chose it ('default' if none). */
  threshold: number;
  thresholdSource: string;
  /** Confidence level of `change` (two-sided), e.g. 0.95. */
  confidence: number;
  /** Change in mean cost per request, after/before − 1, with its interval; null when not computable. */
  change: Change | null;
  /** Simultaneous (family-wise) lower bound used by the gate. */
  gateLow: number | null;
  /** One-sided p-value for H0: change ≤ θ, raw and Holm-adjusted over the run's endpoints. */
  p: number | null;
  pAdjusted: number | null;
  /** Robust "typical request" change (Hodges–Lehmann); for the report, never for the gate. */
  typical: Change | null;
  /**
   * How `change` was estimated per round: 'median-of-means' (median of the round's block means,
   * robust to one window that caught unrelated work) or 'mean' (all requests of the round).
   */
  estimator?: 'median-of-means' | 'mean';
  /**
   * With the median of means: the plain mean's change and interval. The gate tests both (each at
   * half the alpha), so a rare slow path that the blocks' median hides still fails the gate.
   */
  mean?: Change;
  method: Method;
  /** Mean primary-counter cost per request, per build. */
  before: number | null;
  after: number | null;
  n: { before: number; after: number; rounds: number };
  /** Share of the workload's requests this endpoint makes up (0..1). */
  weight: number;
  /** About how many more rounds would settle an inconclusive endpoint; null if not estimable. */
  moreRounds: number | null;
  warnings: string[];
}

export interface RunResult {
  version: 1;
  verdict: OverallVerdict;
  /** One line for a commit status: "2 regressions: GET /api/search +12.1 % (θ 3 %) ..." */
  summary: string;
  counter: CounterChoice;
  alpha: number;
  confidence: number;
  onInconclusive: 'pass' | 'fail';
  endpoints: EndpointResult[];
  /** Traffic-weighted change of total cost over all measured endpoints. */
  total: Change | null;
  counts: Record<Verdict, number>;
  run: {
    seed: number | null;
    rounds: number;
    plannedRounds: number | null;
    looks: number;
    startedAt: string | null;
    durationMs: number | null;
    complete: boolean;
    builds: Record<'before' | 'after', { ref?: string; commit?: string }>;
    mode: 'a-b' | 'a-a';
    platform?: { os: string; arch: string; kernel: string; cpus: number; cpuModel: string };
    /** Where the targets ran (measure.cpus) and, on hybrid CPUs, which PMU counted them. */
    placement?: { cpus: string | null; pmu: string | null };
    /** Warm-up per build: requests per process (median over rounds), processes that never settled. */
    warmup?: WarmupSummary;
  };
  /** Run-wide warnings, each with its code (warnings.ts). */
  warnings: RunWarning[];
  /** The flag matrix, when the run had one. */
  flags?: FlagsSection;
  /** The function-level cost diff of the explained endpoints (the profiling pass), when it ran. */
  explain?: Explanation;
}

/** One flag of the matrix: the after build with it flipped against the after build at defaults. */
export interface FlagResult {
  flag: string;
  delivery: 'env' | 'header' | 'query' | 'file';
  /** Value at defaults, and the flipped value measured. */
  from: string;
  to: string;
  /** Declared in perfgate.yml (`config`) or found in the service's flag file (`file`). */
  source: 'config' | 'file';
  /** `not-afforded`: the time budget could not cover this configuration. */
  status: 'measured' | 'not-afforded';
  reason?: string;
  /** Per endpoint: `before` is the after build at defaults, `after` the build with the flag. */
  endpoints: EndpointResult[];
  counts: Record<Verdict, number>;
  rounds: number;
  warnings: RunWarning[];
}

export interface FlagsSection {
  /** What a flag's regression does to the gate. */
  onFlagRegression: 'fail' | 'annotate';
  flags: FlagResult[];
  /** Flags found in the flag file but not measured (no obvious flipped value, flags.skip). */
  skipped: { flag: string; reason: string }[];
  /** Comparisons in the run's Holm family: the before/after endpoints and every (flag, endpoint). */
  family: number;
}

/** Per-endpoint thresholds as fractions (0.03 = 3 %). */
export interface Thresholds {
  default: number;
  /**
   * Endpoint name or glob → threshold. An exact name wins; otherwise the first matching glob in
   * insertion (file) order. Globs are picomatch patterns over the whole name ("GET /api/*"):
   * `*` stops at `/`, `**` crosses it; spaces are literal.
   */
  endpoints: Record<string, number>;
}

export interface AnalysisOptions {
  thresholds: Thresholds;
  /** Family-wise, one-sided error rate for declaring regressions (0.05). */
  alpha: number;
  /** Two-sided confidence level of the interval shown and of "unchanged"/"improvement" (0.95). */
  confidence: number;
  /** Whether an inconclusive endpoint passes or fails the gate. */
  onInconclusive: 'pass' | 'fail';
  /** Planned looks of an adaptive run and which look (0-based) this analysis is. */
  sequential?: { plan: number[]; look: number };
  /** Fewer complete rounds than this (never below 2) makes an endpoint an error. */
  minRounds?: number;
  /** Counter to report when the samples have no header (minimal form). */
  counter?: CounterChoice;
  /**
   * Raw one-sided p-values of the other comparisons in the same family (the flag matrix's):
   * Holm runs over them and this analysis's endpoints together.
   */
  jointP?: number[];
  /**
   * Endpoints of the same family measured elsewhere (a shard's siblings): they join Holm as
   * p = 1, so a shard decides, and adds rounds, at least as strictly as the merge will.
   */
  elsewhere?: number;
}

/** How the processes warmed up, summarised over the rounds. */
export interface WarmupSummary {
  mode: 'auto' | 'fixed';
  /** Per endpoint and build: median warm-up requests per process, and how many never settled. */
  endpoints: Record<
    string,
    Record<'before' | 'after', { requests: number; unsettled: number; processes: number }>
  >;
  /** Median warm-up wall time per process, ms. */
  wallMs: number;
  /** Processes whose warm-up hit the time cap. */
  timedOut: number;
}
