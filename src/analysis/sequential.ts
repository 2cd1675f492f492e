// Adaptive rounds without optional stopping (stats.md §6.1, Option A): looks are planned before
// the run, and each look may declare a regression only at the alpha it newly spends under the
// Lan–DeMets O'Brien–Fleming-type function α*(t) = 2 − 2Φ(z_{1−α/2}/√t). The increments sum to
// α, so the chance of any false regression over all looks stays ≤ α (a Bonferroni bound over
// looks: conservative, never anti-conservative). Declaring "unchanged" or "improvement" early is
// a non-binding futility stop and does not spend alpha.

import { normalCdf, normalQuantile } from './distributions.js';
import { criticalValue, type RatioEstimate } from './ratio.js';

export interface SequentialOptions {
  /** Cumulative rounds at each planned look, ascending; the last is the most the run may do. */
  plan: number[];
  /** Which look this analysis is: a 0-based index into `plan`. */
  look: number;
}

/**
 * The planned looks for a run that starts with `rounds` and may grow to `maxRounds`: doubling
 * from `rounds` and ending exactly at `maxRounds` (10, 40 → [10, 20, 40]; 10, 30 → [10, 20, 30]).
 */
export function planLooks(rounds: number, maxRounds: number): number[] {
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new RangeError(`rounds must be a positive integer, got ${rounds}`);
  if (!Number.isInteger(maxRounds) || maxRounds < 1)
    throw new RangeError(`maxRounds must be a positive integer, got ${maxRounds}`);
  if (maxRounds <= rounds) return [maxRounds];
  const looks: number[] = [];
  for (let r = rounds; r < maxRounds; r *= 2) looks.push(r);
  looks.push(maxRounds);
  return looks;
}

/** α*(t): the O'Brien–Fleming-type alpha spent by information fraction t ∈ [0, 1]. */
export function obrienFlemingSpent(t: number, alpha: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  // 2 − 2Φ(c/√t) = 2·Φ(−c/√t), computed on the lower tail to keep digits.
  return 2 * normalCdf(-(-normalQuantile(alpha / 2)) / Math.sqrt(t));
}

/** Validates a plan and look; throws RangeError naming what is wrong. */
export function checkSequential(options: SequentialOptions): void {
  const { plan, look } = options;
  if (plan.length === 0) throw new RangeError('sequential plan is empty');
  plan.forEach((r, i) => {
    if (!Number.isInteger(r) || r < 1 || (i > 0 && r <= plan[i - 1]!)) {
      throw new RangeError(
        `sequential plan must be ascending positive integers, got [${plan.join(', ')}]`,
      );
    }
  });
  if (!Number.isInteger(look) || look < 0 || look >= plan.length) {
    throw new RangeError(
      `sequential look ${look} is outside the plan [${plan.join(', ')}] (0-based)`,
    );
  }
}

/** The family-wise alpha this look may spend on regressions: α*(t_k) − α*(t_{k−1}). */
export function lookAlpha(options: SequentialOptions, alpha: number): number {
  checkSequential(options);
  const { plan, look } = options;
  const max = plan[plan.length - 1]!;
  const now = obrienFlemingSpent(plan[look]! / max, alpha);
  const before = look === 0 ? 0 : obrienFlemingSpent(plan[look - 1]! / max, alpha);
  return now - before;
}

/**
 * About how many more rounds would settle an inconclusive endpoint (stats.md §6.2), treating the
 * current estimate as the truth (conditional power, so it is a guide, not a promise):
 * R_needed = R·((t_{ν,1−γ} + z_{1−β})·SE/g)², g = |d̂ − ln(1+θ)|. `gamma` is the tail level of the
 * side closer to resolving. Null when not estimable (no spread, or the estimate sits on θ).
 */
export function moreRoundsNeeded(
  estimate: RatioEstimate,
  threshold: number,
  rounds: number,
  gamma: number,
  power = 0.8,
): number | null {
  const gap = Math.abs(estimate.logRatio - Math.log1p(threshold));
  if (!(estimate.se > 0) || !(gap > 0) || !(estimate.df > 0) || rounds < 1) return null;
  const factor =
    ((criticalValue(estimate.df, gamma) - normalQuantile(1 - power)) * estimate.se) / gap;
  const needed = rounds * factor * factor;
  if (!Number.isFinite(needed)) return null;
  return Math.max(1, Math.ceil(needed - rounds));
}

/** True when some endpoint is inconclusive, i.e. more rounds could change the outcome. */
export function needsMoreRounds(result: { endpoints: { verdict: string }[] }): boolean {
  return result.endpoints.some((e) => e.verdict === 'inconclusive');
}
