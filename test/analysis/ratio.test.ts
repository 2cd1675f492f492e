import { describe, expect, it } from 'vitest';
import {
  interval,
  lowerBound,
  pairedRatio,
  pRegression,
  unpairedRatio,
  upperBound,
} from '../../src/analysis/ratio.js';
import {
  AFTER_SMALL,
  BEFORE_SMALL,
  GOLDEN_AFTER,
  GOLDEN_BEFORE,
  rel,
  rowSums,
} from './fixtures.js';

describe('unpaired delta-method log ratio', () => {
  // R: d <- log(mean(y)/mean(x)); vx <- var(x)/(n*mean(x)^2); vy <- var(y)/(m*mean(y)^2);
  //    se <- sqrt(vx+vy); nu <- (vx+vy)^2/(vx^2/(n-1)+vy^2/(m-1))
  const e = unpairedRatio(BEFORE_SMALL, AFTER_SMALL);

  it('matches R for d, SE and Welch ν', () => {
    expect(e.method).toBe('unpaired');
    expect(rel(e.logRatio, 0.026029343861058329)).toBeLessThan(1e-9);
    expect(rel(e.se, 0.01487731259713833)).toBeLessThan(1e-9);
    expect(rel(e.df, 12.530033319684465)).toBeLessThan(1e-9);
  });

  it('matches R for bounds and the one-sided p-value', () => {
    // exp(d + c(-1,1)*qt(0.95,nu)*se) - 1
    const ci90 = interval(e, 0.9);
    expect(rel(ci90.low, -0.00039308364312951038)).toBeLessThan(1e-9);
    expect(rel(ci90.high, 0.053851816461638835)).toBeLessThan(1e-9);
    // exp(d + c(-1,1)*qt(0.975,nu)*se) - 1
    const ci95 = interval(e, 0.95);
    expect(rel(ci95.low, -0.0062147180852505368)).toBeLessThan(1e-9);
    expect(rel(ci95.high, 0.060025323096577043)).toBeLessThan(1e-9);
    // pt((d - log(1.02))/se, nu, lower.tail = FALSE)
    expect(rel(pRegression(e, 0.02), 0.34131936475505609)).toBeLessThan(1e-9);
  });
});

describe('round-paired ratio of totals', () => {
  const A = rowSums(GOLDEN_BEFORE);
  const B = rowSums(GOLDEN_AFTER);
  const e = pairedRatio(A, B);

  it('matches R on the golden example (10 rounds × 3 requests)', () => {
    // R: Rh <- sum(B)/sum(A); z <- B - Rh*A; se <- sqrt(R/(R-1)*sum(z^2))/sum(B)
    expect(e.method).toBe('paired-rounds');
    expect(rel(Math.expm1(e.logRatio), 0.054420455614149654)).toBeLessThan(1e-9);
    expect(rel(e.se, 0.021966075034041691)).toBeLessThan(1e-9);
    expect(e.df).toBe(9);
    const ci90 = interval(e, 0.9);
    expect(rel(ci90.low, 0.012806295773343024)).toBeLessThan(1e-9);
    expect(rel(ci90.high, 0.097744457017437725)).toBeLessThan(1e-9);
    const ci95 = interval(e, 0.95);
    expect(rel(ci95.low, 0.0033060237236393064)).toBeLessThan(1e-9);
    expect(rel(ci95.high, 0.10813896351508112)).toBeLessThan(1e-9);
    expect(rel(pRegression(e, 0.02), 0.082548761494824915)).toBeLessThan(1e-9);
  });

  it('is far narrower than the unpaired analysis of the same numbers', () => {
    // R (unpaired on the 30 + 30 values): 90 % interval [-0.20989479305878289, 0.40715753731296167]
    const unpaired = unpairedRatio(GOLDEN_BEFORE.flat(), GOLDEN_AFTER.flat());
    const ci = interval(unpaired, 0.9);
    expect(rel(ci.low, -0.20989479305878289)).toBeLessThan(1e-9);
    expect(rel(ci.high, 0.40715753731296167)).toBeLessThan(1e-9);
    const paired = interval(e, 0.9);
    expect(paired.high - paired.low).toBeLessThan((ci.high - ci.low) / 5);
  });

  it('gives reciprocal bounds when the builds are swapped', () => {
    const swapped = pairedRatio(B, A);
    for (const gamma of [0.025, 0.05, 0.001]) {
      expect(1 + lowerBound(swapped, gamma)).toBeCloseTo(1 / (1 + upperBound(e, gamma)), 12);
      expect(1 + upperBound(swapped, gamma)).toBeCloseTo(1 / (1 + lowerBound(e, gamma)), 12);
    }
  });

  it('is unchanged by scaling both builds or reordering rounds', () => {
    const scaled = pairedRatio(
      A.map((v) => v * 3),
      B.map((v) => v * 3),
    );
    expect(scaled.logRatio).toBeCloseTo(e.logRatio, 14);
    expect(scaled.se).toBeCloseTo(e.se, 14);
    const order = [3, 1, 4, 0, 9, 2, 6, 5, 8, 7];
    const shuffled = pairedRatio(
      order.map((i) => A[i]!),
      order.map((i) => B[i]!),
    );
    expect(shuffled.se).toBeCloseTo(e.se, 14);
  });

  it('reports SE = 0 as exact and decides on the estimate', () => {
    const exact = pairedRatio([100, 200, 300], [110, 220, 330]);
    expect(exact.method).toBe('exact');
    expect(Math.expm1(exact.logRatio)).toBeCloseTo(0.1, 12);
    expect(lowerBound(exact, 0.01)).toBeCloseTo(0.1, 12);
    expect(pRegression(exact, 0.05)).toBe(0);
    expect(pRegression(exact, 0.2)).toBe(1);
  });

  it('refuses fewer than 2 rounds', () => {
    expect(() => pairedRatio([1], [1])).toThrow(RangeError);
    expect(() => unpairedRatio([1], [1, 2])).toThrow(RangeError);
  });
});
