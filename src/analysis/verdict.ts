// The per-endpoint verdict rules, kept apart from the data plumbing so they can be read at once.
//
//   regression    Holm-adjusted p (H0: change ≤ θ) ≤ this look's alpha
//   improvement   the whole interval lies below −θ
//   unchanged     the interval's upper bound is below +θ (a regression beyond θ is ruled out)
//                 and it is not an improvement
//   inconclusive  otherwise: the interval reaches +θ and the family-wise test did not reject
//   error         decided before any of this (missing data, target errors, differing responses)
//
// "unchanged" deliberately includes an interval that straddles −θ but stays below +θ: the gate's
// question is whether cost rose by more than θ, and that interval answers "no". Calling it
// inconclusive would spend rounds (or fail an on-inconclusive: fail gate) over a possible
// improvement. Strict inequalities throughout: a bound exactly on θ is not decisive.

import type { Verdict } from './types.js';

export interface VerdictInput {
  /** Holm-adjusted one-sided p-value, H0: change ≤ θ. */
  pAdjusted: number;
  /** Alpha spendable on regressions at this look (family-wise). */
  alpha: number;
  /** Upper bound of the interval at the configured confidence, as a relative change. */
  high: number;
  threshold: number;
}

export function decideVerdict(input: VerdictInput): Exclude<Verdict, 'error'> {
  const { pAdjusted, alpha, high, threshold } = input;
  if (pAdjusted <= alpha) return 'regression';
  if (high < -threshold) return 'improvement';
  if (high < threshold) return 'unchanged';
  return 'inconclusive';
}
