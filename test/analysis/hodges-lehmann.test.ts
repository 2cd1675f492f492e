import { describe, expect, it } from 'vitest';
import {
  psignrank,
  mannWhitneyGreater,
  pwilcox,
  qsignrank,
  qwilcox,
  signedRankHodgesLehmann,
  twoSampleHodgesLehmann,
} from '../../src/analysis/hodges-lehmann.js';
import { createRandom, normalDeviate } from '../../src/random.js';
import {
  AFTER_SMALL,
  BEFORE_SMALL,
  BIG_AFTER,
  BIG_BEFORE,
  GOLDEN_AFTER,
  GOLDEN_BEFORE,
  rel,
  rowSums,
} from './fixtures.js';

// R 4.2.2 (pre-4.6 wilcox.test conventions).

describe('exact null distributions', () => {
  it('match R qsignrank/psignrank', () => {
    expect(qsignrank(0.025, 10)).toBe(9);
    expect(qsignrank(0.025, 11)).toBe(11);
    expect(qsignrank(0.025, 30)).toBe(138);
    expect(qsignrank(0.025, 49)).toBe(416);
    expect(psignrank(8, 10)).toBe(0.0244140625);
    expect(rel(psignrank(137, 30), 0.024855060502886776)).toBeLessThan(1e-12);
  });

  it('match R qwilcox/pwilcox', () => {
    expect(qwilcox(0.05, 10, 12)).toBe(35);
    expect(qwilcox(0.025, 49, 40)).toBe(743);
    expect(qwilcox(0.005, 3, 4)).toBe(0);
    expect(rel(pwilcox(30, 10, 12), 0.025162144357190799)).toBeLessThan(1e-12);
    expect(rel(pwilcox(700, 49, 40), 0.010312939555202407)).toBeLessThan(1e-10);
  });
});

describe('signed-rank Hodges–Lehmann (paired)', () => {
  it('matches wilcox.test(d, conf.int = TRUE)', () => {
    const d = [
      0.027861, 0.006337, 0.036188, 0.033169, 0.045477, 0.025848, 0.03419, 0.047182, 0.023045,
      0.012497, -0.001764,
    ];
    const ci95 = signedRankHodgesLehmann(d, 0.95);
    expect(ci95.method).toBe('exact');
    expect(rel(ci95.estimate, 0.02735775)).toBeLessThan(1e-12);
    expect(rel(ci95.low, 0.0157025)).toBeLessThan(1e-12);
    expect(rel(ci95.high, 0.036669)).toBeLessThan(1e-12);
    const ci80 = signedRankHodgesLehmann(d, 0.8);
    expect(rel(ci80.low, 0.019753)).toBeLessThan(1e-12);
    expect(rel(ci80.high, 0.034261)).toBeLessThan(1e-12);
  });

  it('matches R on the golden rounds: wilcox.test(log(B/A), conf.int = TRUE)', () => {
    const A = rowSums(GOLDEN_BEFORE);
    const B = rowSums(GOLDEN_AFTER);
    const hl = signedRankHodgesLehmann(
      A.map((a, r) => Math.log(B[r]! / a)),
      0.95,
    );
    expect(rel(hl.estimate, 0.036878118300687837)).toBeLessThan(1e-9);
    expect(rel(hl.low, 0.021146192517768773)).toBeLessThan(1e-9);
    expect(rel(hl.high, 0.12147522405738193)).toBeLessThan(1e-9);
  });
});

describe('two-sample Hodges–Lehmann on logs (unpaired)', () => {
  it('matches wilcox.test(log(y), log(x), conf.int = TRUE) exactly for small samples', () => {
    const x = BEFORE_SMALL.map(Math.log);
    const y = AFTER_SMALL.map(Math.log);
    const ci90 = twoSampleHodgesLehmann(x, y, 0.9);
    expect(ci90.method).toBe('exact');
    expect(rel(ci90.estimate, 0.01603844373331853)).toBeLessThan(1e-9);
    expect(rel(ci90.low, -0.0018564364883868478)).toBeLessThan(1e-9);
    expect(rel(ci90.high, 0.037828185116708823)).toBeLessThan(1e-9);
    const ci95 = twoSampleHodgesLehmann(x, y, 0.95);
    expect(rel(ci95.low, -0.0034401926133362792)).toBeLessThan(1e-9);
    expect(rel(ci95.high, 0.0427263267603184)).toBeLessThan(1e-9);
  });

  it('selects the same order statistics as sorting all n·m differences (n ≥ 50)', () => {
    // Log-scale samples of 60 and 70 values; checked against a brute-force sort of all 4200.
    const random = createRandom(7);
    const x = Array.from({ length: 60 }, () => 13.8 + 0.05 * normalDeviate(random));
    const y = Array.from({ length: 70 }, () => 13.82 + 0.05 * normalDeviate(random));
    const hl = twoSampleHodgesLehmann(x, y, 0.95);
    expect(hl.method).toBe('normal');
    // Brute force: the median and order statistics of all 4200 differences.
    const diffs = y.flatMap((b) => x.map((a) => b - a)).sort((p, q) => p - q);
    const median = (diffs[2099]! + diffs[2100]!) / 2;
    expect(hl.estimate).toBe(median);
    expect(diffs).toContain(hl.low);
    expect(diffs).toContain(hl.high);
    // Normal-approximation rank: 4200/2 − 1.96·√(60·70·131/12) − 0.5, rounded up.
    const k = Math.ceil(2100 - 1.959963984540054 * Math.sqrt((60 * 70 * 131) / 12) - 0.5);
    expect(hl.low).toBe(diffs[k - 1]);
    expect(hl.high).toBe(diffs[4200 - k]);
  });

  it('matches R wilcox.test(exact = FALSE) to ~1e-3 of the interval for n ≥ 50', () => {
    const x = BIG_BEFORE.map(Math.log);
    const y = BIG_AFTER.map(Math.log);
    const hl = twoSampleHodgesLehmann(x, y, 0.95);
    expect(hl.method).toBe('normal');
    // median(outer(log(bigy), log(bigx), "-")): our estimate is exactly R's exact-mode estimate.
    expect(rel(hl.estimate, 0.015951416402993246)).toBeLessThan(1e-12);
    // wilcox.test(log(bigy), log(bigx), conf.int = TRUE): estimate and bounds by uniroot.
    const width = 0.032697364121292677 - -0.00053031165200891116;
    expect(Math.abs(hl.estimate - 0.015938397973265489)).toBeLessThan(1e-3 * width);
    expect(Math.abs(hl.low - -0.00053031165200891116)).toBeLessThan(2e-3 * width);
    expect(Math.abs(hl.high - 0.032697364121292677)).toBeLessThan(2e-3 * width);
  });

  it('matches R signed-rank asymptotics for n ≥ 50 paired values', () => {
    // dl <- log(bigy[1:60]/bigx); wilcox.test(dl, conf.int = TRUE)
    const d = BIG_BEFORE.map((a, i) => Math.log(BIG_AFTER[i]! / a));
    const hl = signedRankHodgesLehmann(d, 0.95);
    expect(hl.method).toBe('normal');
    // median of the Walsh averages
    expect(rel(hl.estimate, 0.015547498199345025)).toBeLessThan(1e-12);
    const width = 0.033215080982895759 - -0.003715285470233985;
    expect(Math.abs(hl.low - -0.003715285470233985)).toBeLessThan(3e-3 * width);
    expect(Math.abs(hl.high - 0.033215080982895759)).toBeLessThan(3e-3 * width);
  });

  it('stays cheap for large samples (never forms n·m differences)', () => {
    const random = createRandom(3);
    const x = Array.from({ length: 20000 }, () => normalDeviate(random));
    const y = Array.from({ length: 20000 }, () => 0.1 + normalDeviate(random));
    const hl = twoSampleHodgesLehmann(x, y, 0.95);
    // 4·10⁸ differences would need 3.2 GB; the shift estimate must still be near 0.1.
    expect(Math.abs(hl.estimate - 0.1)).toBeLessThan(0.05);
    expect(hl.low).toBeLessThan(hl.estimate);
  });
});

describe('one-sided Mann–Whitney against a shift', () => {
  // Brute force over every way of splitting the pooled values: P(W ≥ w) under H0.
  function bruteForce(x: number[], y: number[], shift: number): number {
    const ys = y.map((v) => v - shift);
    const pooled = [...x, ...ys];
    const w = (a: number[], b: number[]) =>
      b.reduce((s, bj) => s + a.filter((ai) => bj > ai).length, 0);
    const observed = w(x, ys);
    let hits = 0;
    let total = 0;
    const pick = (start: number, chosen: number[]) => {
      if (chosen.length === ys.length) {
        const b = chosen.map((i) => pooled[i]!);
        const a = pooled.filter((_, i) => !chosen.includes(i));
        total++;
        if (w(a, b) >= observed) hits++;
        return;
      }
      for (let i = start; i < pooled.length; i++) pick(i + 1, [...chosen, i]);
    };
    pick(0, []);
    return hits / total;
  }

  it('matches the exact permutation distribution on small samples', () => {
    const x = [1.1, 2.3, 0.4, 3.9, 2.8];
    const y = [3.2, 4.5, 2.9, 5.1];
    for (const shift of [0, 0.5, 1, 3]) {
      expect(mannWhitneyGreater(x, y, shift)).toBeCloseTo(bruteForce(x, y, shift), 12);
    }
  });

  it('rejects a clear shift beyond the threshold and not one within it (normal approximation)', () => {
    const random = createRandom(7);
    const x = Array.from({ length: 200 }, () => normalDeviate(random) * 0.1);
    const y = Array.from({ length: 200 }, () => 0.2 + normalDeviate(random) * 0.1);
    expect(mannWhitneyGreater(x, y, 0.05)).toBeLessThan(1e-6);
    expect(mannWhitneyGreater(x, y, 0.35)).toBeGreaterThan(0.99);
    // At the true shift the p-value is not extreme.
    const atTruth = mannWhitneyGreater(x, y, 0.2);
    expect(atTruth).toBeGreaterThan(0.01);
    expect(atTruth).toBeLessThan(0.99);
  });
});
