// E-divisive means (Matteson & James 2014, arXiv:1306.4933) with a seeded permutation test:
// hierarchical splitting of a series where the energy distance between the two sides peaks.
// Nonparametric (no normality, no equal variances), the same estimator MongoDB runs on its
// performance history; seeding makes every run of `perfgate drift` give the same answer.
// Pure; O(n²) per best-split search thanks to running sums over the distance matrix.

import { createRandom, type Random } from '../random.js';

export interface EDivisiveOptions {
  /** Significance of each new change point (permutation p-value). */
  alpha: number;
  /** Permutations per test; the p-value's resolution is 1/(permutations + 1). */
  permutations: number;
  /** Fewest points on either side of a change point. */
  minSize: number;
  seed: number;
}

export interface ChangePoint {
  /** Index of the first point after the change. */
  index: number;
  /** Permutation p-value of the test that accepted it. */
  p: number;
  /** The energy statistic at the split. */
  q: number;
}

interface Split {
  tau: number;
  q: number;
}

/**
 * Best split of the points idx[0..m) (indices into the distance matrix d of size n):
 * q(τ) = τ(m−τ)/m · (2·mean|x−y| − mean|x−x′| − mean|y−y′|), exponent 1.
 */
function bestSplit(d: Float64Array, n: number, idx: ArrayLike<number>, minSize: number): Split {
  const m = idx.length;
  let best: Split = { tau: -1, q: -Infinity };
  if (m < 2 * minSize) return best;
  let within = 0; // sum over pairs inside the right part, which starts as everything
  for (let s = 0; s < m; s++) {
    const row = idx[s]! * n;
    for (let t = s + 1; t < m; t++) within += d[row + idx[t]!]!;
  }
  let left = 0;
  let cross = 0;
  for (let t = 0; t < m - minSize; t++) {
    const row = idx[t]! * n;
    let toLeft = 0;
    let toRight = 0;
    for (let s = 0; s < t; s++) toLeft += d[row + idx[s]!]!;
    for (let s = t + 1; s < m; s++) toRight += d[row + idx[s]!]!;
    left += toLeft;
    within -= toRight;
    cross += toRight - toLeft;
    const tau = t + 1;
    const r = m - tau;
    if (tau < minSize) continue;
    const meanCross = cross / (tau * r);
    const meanLeft = tau > 1 ? left / ((tau * (tau - 1)) / 2) : 0;
    const meanRight = r > 1 ? within / ((r * (r - 1)) / 2) : 0;
    const q = ((tau * r) / m) * (2 * meanCross - meanLeft - meanRight);
    if (q > best.q) best = { tau, q };
  }
  return best;
}

function shuffle(array: Int32Array, random: Random): void {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = array[i]!;
    array[i] = array[j]!;
    array[j] = t;
  }
}

function range(start: number, end: number): Int32Array {
  const out = new Int32Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}

/** Change points of a series, in index order. */
export function eDivisive(series: readonly number[], options: EDivisiveOptions): ChangePoint[] {
  const n = series.length;
  const { alpha, permutations, minSize } = options;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) d[i * n + j] = Math.abs(series[i]! - series[j]!);
  }
  const random = createRandom(options.seed);
  const bounds = [0, n]; // segment edges, sorted
  const memo = new Map<number, Split>(); // segment start → its best split (absolute τ)
  const found: ChangePoint[] = [];
  // Stop as soon as the permutation count makes significance impossible: exact for the decision.
  const allowed = Math.floor(alpha * (permutations + 1) + 1e-9) - 1;
  for (;;) {
    let best: { start: number; split: Split } | null = null;
    for (let k = 0; k + 1 < bounds.length; k++) {
      const start = bounds[k]!;
      let split = memo.get(start);
      if (!split) {
        const local = bestSplit(d, n, range(start, bounds[k + 1]!), minSize);
        split = { tau: local.tau < 0 ? -1 : start + local.tau, q: local.q };
        memo.set(start, split);
      }
      if (split.tau >= 0 && (!best || split.q > best.split.q)) best = { start, split };
    }
    if (!best) break;
    let exceed = 0;
    const segments = bounds.slice(0, -1).map((start, k) => range(start, bounds[k + 1]!));
    let done = 0;
    for (; done < permutations && exceed <= allowed; done++) {
      let qMax = -Infinity;
      for (const segment of segments) {
        shuffle(segment, random);
        const q = bestSplit(d, n, segment, minSize).q;
        if (q > qMax) qMax = q;
      }
      if (qMax >= best.split.q) exceed++;
    }
    const p = (exceed + 1) / (permutations + 1);
    if (exceed > allowed || p > alpha) break;
    found.push({ index: best.split.tau, p, q: best.split.q });
    memo.delete(best.start);
    bounds.push(best.split.tau);
    bounds.sort((a, b) => a - b);
  }
  return found.sort((a, b) => a.index - b.index);
}
