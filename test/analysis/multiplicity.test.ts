import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  benjaminiYekutieli,
  bonferroni,
  holm,
} from '../../src/analysis/multiplicity.js';

// R: p.adjust(c(1e-4, .004, .012, .019, .03, .2, .5, .9), method)
const P = [1e-4, 0.004, 0.012, 0.019, 0.03, 0.2, 0.5, 0.9];

function expectClose(got: number[], want: number[]) {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(1e-12));
}

describe('p-value adjustment (R p.adjust)', () => {
  it('holm', () => expectClose(holm(P), [0.0008, 0.028, 0.072, 0.095, 0.12, 0.6, 1, 1]));
  it('bonferroni', () => expectClose(bonferroni(P), [0.0008, 0.032, 0.096, 0.152, 0.24, 1, 1, 1]));
  it('BH', () =>
    expectClose(
      benjaminiHochberg(P),
      [0.0008, 0.016, 0.032, 0.038, 0.048, 0.26666666666666666, 0.5714285714285714, 0.9],
    ));
  it('BY', () =>
    expectClose(
      benjaminiYekutieli(P),
      [
        0.0021742857142857145, 0.043485714285714287, 0.086971428571428575, 0.10327857142857143,
        0.13045714285714285, 0.72476190476190483, 1, 1,
      ],
    ));

  it('keeps input order and handles ties like R', () => {
    // p.adjust(c(0.03, 0.01, 0.03, 0.2, 0.01), "holm" / "BH")
    const p = [0.03, 0.01, 0.03, 0.2, 0.01];
    expectClose(holm(p), [0.09, 0.05, 0.09, 0.2, 0.05]);
    expectClose(benjaminiHochberg(p), [0.0375, 0.025, 0.0375, 0.2, 0.025]);
  });

  it('Holm rejects whatever Bonferroni rejects, with the same "any rejection"', () => {
    const h = holm(P);
    const b = bonferroni(P);
    b.forEach((v, i) => expect(h[i]!).toBeLessThanOrEqual(v));
    expect(h.some((v) => v <= 0.05)).toBe(b.some((v) => v <= 0.05));
    expect(holm([])).toEqual([]);
  });
});
