// The gate's estimate: the ratio of mean cost per request, after/before, with a closed-form
// interval on its logarithm (stats.md §4.2–4.3). Deterministic: no resampling.

import { tQuantile, tSf } from './distributions.js';

/**
 * A log-ratio estimate d̂ = ln(after/before) with its standard error and degrees of freedom.
 * `method` 'exact' means SE = 0 (every round gave the same ratio): bounds collapse onto d̂.
 */
export interface RatioEstimate {
  method: 'paired-rounds' | 'unpaired' | 'exact';
  /** d̂ = ln R̂, where R̂ = after/before. */
  logRatio: number;
  /** Standard error of d̂. */
  se: number;
  /** Degrees of freedom of the t reference distribution. */
  df: number;
}

/** Interval bounds as relative changes (after/before − 1). */
export interface Bounds {
  low: number;
  high: number;
}

/** A standard error of ln R̂ below this is floating-point rounding: the ratio is exact. */
const EXACT_SE = 1e-12;

/** Compensated (Neumaier) sum. */
export function sum(values: readonly number[]): number {
  // Neumaier summation: per-round totals of ~10⁹ instructions must not lose the small terms.
  let total = 0;
  let compensation = 0;
  for (const v of values) {
    const t = total + v;
    compensation += Math.abs(total) >= Math.abs(v) ? total - t + v : v - t + total;
    total = t;
  }
  return total + compensation;
}

/**
 * Round-paired ratio of totals. `before[r]` and `after[r]` are round r's summed cost over the
 * same requests in both builds. R̂ = ΣB/ΣA; z_r = B_r − R̂·A_r; SE(ln R̂) = √(R/(R−1)·Σz²)/ΣB;
 * ν = R − 1. Drift shared by both builds within a round cancels. Needs R ≥ 2.
 */
export function pairedRatio(before: readonly number[], after: readonly number[]): RatioEstimate {
  const rounds = before.length;
  if (rounds !== after.length)
    throw new RangeError('pairedRatio: before and after differ in length');
  if (rounds < 2) throw new RangeError('pairedRatio: needs at least 2 rounds');
  const totalA = sum(before);
  const totalB = sum(after);
  const ratio = totalB / totalA;
  const squares = before.map((a, r) => {
    const z = after[r]! - ratio * a;
    return z * z;
  });
  const se = Math.sqrt((rounds / (rounds - 1)) * sum(squares)) / totalB;
  return estimate('paired-rounds', Math.log(ratio), se, rounds - 1);
}

function meanAndVariance(values: readonly number[]): { mean: number; variance: number } {
  const mean = sum(values) / values.length;
  const squares = values.map((v) => (v - mean) * (v - mean));
  return { mean, variance: sum(squares) / (values.length - 1) };
}

/**
 * Unpaired fallback: delta method on ln(ȳ/x̄) with Welch–Satterthwaite degrees of freedom.
 * v_x = s_x²/(n·x̄²), v_y = s_y²/(m·ȳ²), SE = √(v_x + v_y). Needs n, m ≥ 2.
 */
export function unpairedRatio(before: readonly number[], after: readonly number[]): RatioEstimate {
  const n = before.length;
  const m = after.length;
  if (n < 2 || m < 2) throw new RangeError('unpairedRatio: needs at least 2 values per build');
  const x = meanAndVariance(before);
  const y = meanAndVariance(after);
  const vx = x.variance / (n * x.mean * x.mean);
  const vy = y.variance / (m * y.mean * y.mean);
  const v = vx + vy;
  const df = (v * v) / ((vx * vx) / (n - 1) + (vy * vy) / (m - 1));
  return estimate('unpaired', Math.log(y.mean / x.mean), Math.sqrt(v), df);
}

function estimate(
  method: 'paired-rounds' | 'unpaired',
  logRatio: number,
  se: number,
  df: number,
): RatioEstimate {
  // SE ≈ 0 happens when every round (or every value) gave the same ratio; say so rather than
  // divide by it. Below 1e-12 (a relative error on a log ratio) it is rounding, not spread.
  if (!(se > EXACT_SE))
    return { method: 'exact', logRatio, se: 0, df: Number.isFinite(df) ? df : 0 };
  return { method, logRatio, se, df };
}

/** t_{ν,1−γ}: the one-sided critical value at tail probability γ. */
export function criticalValue(df: number, gamma: number): number {
  return -tQuantile(gamma, df);
}

/** Lower bound L(γ) = exp(d̂ − t_{ν,1−γ}·SE) − 1 (one-sided, tail probability γ). */
export function lowerBound(e: RatioEstimate, gamma: number): number {
  if (e.se === 0) return Math.expm1(e.logRatio);
  return Math.expm1(e.logRatio - criticalValue(e.df, gamma) * e.se);
}

/** Upper bound U(γ) = exp(d̂ + t_{ν,1−γ}·SE) − 1. */
export function upperBound(e: RatioEstimate, gamma: number): number {
  if (e.se === 0) return Math.expm1(e.logRatio);
  return Math.expm1(e.logRatio + criticalValue(e.df, gamma) * e.se);
}

/** Two-sided interval at `confidence` (e.g. 0.95 → each tail 2.5 %). */
export function interval(e: RatioEstimate, confidence: number): Bounds {
  const gamma = (1 - confidence) / 2;
  return { low: lowerBound(e, gamma), high: upperBound(e, gamma) };
}

/** Point estimate of the change, R̂ − 1. */
export function changeEstimate(e: RatioEstimate): number {
  return Math.expm1(e.logRatio);
}

/**
 * One-sided p-value for H0: change ≤ θ (evidence of a regression beyond θ):
 * p = 1 − F_t((d̂ − ln(1+θ))/SE; ν). With SE = 0 the answer is certain: 0 if d̂ > ln(1+θ), else 1.
 */
export function pRegression(e: RatioEstimate, threshold: number): number {
  const lambda = Math.log1p(threshold);
  if (e.se === 0) return e.logRatio > lambda ? 0 : 1;
  return tSf((e.logRatio - lambda) / e.se, e.df);
}
