// Adjusted p-values across the endpoints of one run, as R's p.adjust computes them.
// Holm controls the family-wise error rate under any dependence between endpoints (the gate's
// default); BH and BY control the false discovery rate (report tier, drift detection).

export type Adjustment = 'holm' | 'bonferroni' | 'bh' | 'by';

/** Indices of `p` sorted by value; ties keep input order so results are deterministic. */
function order(p: readonly number[], descending: boolean): number[] {
  return p.map((_, i) => i).sort((i, j) => (descending ? p[j]! - p[i]! : p[i]! - p[j]!) || i - j);
}

/** Bonferroni: min(1, K·p). */
export function bonferroni(p: readonly number[]): number[] {
  return p.map((v) => Math.min(1, v * p.length));
}

/** Holm step-down: p_(j) → max over i ≤ j of min(1, (K − i + 1)·p_(i)). */
export function holm(p: readonly number[]): number[] {
  const k = p.length;
  const adjusted = new Array<number>(k);
  let running = 0;
  order(p, false).forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (k - rank) * p[index]!));
    adjusted[index] = running;
  });
  return adjusted;
}

function stepUp(p: readonly number[], factor: number): number[] {
  const k = p.length;
  const adjusted = new Array<number>(k);
  let running = 1;
  order(p, true).forEach((index, position) => {
    const rank = k - position; // rank of p[index] in ascending order, 1-based
    running = Math.min(running, (factor * k * p[index]!) / rank);
    adjusted[index] = Math.min(1, running);
  });
  return adjusted;
}

/** Benjamini–Hochberg step-up (FDR under independence or positive dependence). */
export function benjaminiHochberg(p: readonly number[]): number[] {
  return stepUp(p, 1);
}

/** Benjamini–Yekutieli (FDR under arbitrary dependence). */
export function benjaminiYekutieli(p: readonly number[]): number[] {
  let harmonic = 0;
  for (let i = 1; i <= p.length; i++) harmonic += 1 / i;
  return stepUp(p, harmonic);
}

export function adjust(p: readonly number[], method: Adjustment): number[] {
  switch (method) {
    case 'holm':
      return holm(p);
    case 'bonferroni':
      return bonferroni(p);
    case 'bh':
      return benjaminiHochberg(p);
    case 'by':
      return benjaminiYekutieli(p);
  }
}
