import { describe, expect, it } from 'vitest';
import {
  lookAlpha,
  moreRoundsNeeded,
  needsMoreRounds,
  obrienFlemingSpent,
  planLooks,
} from '../../src/analysis/sequential.js';
import { pairedRatio } from '../../src/analysis/ratio.js';
import { GOLDEN_AFTER, GOLDEN_BEFORE, rel, rowSums } from './fixtures.js';

describe('planned looks', () => {
  it('doubles from the first look and ends at the maximum', () => {
    expect(planLooks(10, 10)).toEqual([10]);
    expect(planLooks(10, 40)).toEqual([10, 20, 40]);
    expect(planLooks(10, 30)).toEqual([10, 20, 30]);
    expect(planLooks(10, 160)).toEqual([10, 20, 40, 80, 160]);
    expect(planLooks(20, 10)).toEqual([10]);
    expect(() => planLooks(0, 10)).toThrow(RangeError);
  });
});

describe("O'Brien–Fleming-type alpha spending", () => {
  it('matches stats.md §6.1 and R: 2 - 2*pnorm(qnorm(1 - 0.05/2)/sqrt(t))', () => {
    expect(rel(obrienFlemingSpent(0.25, 0.05), 8.8575438321303324e-5)).toBeLessThan(1e-9);
    expect(rel(obrienFlemingSpent(0.5, 0.05), 0.0055745966807845271)).toBeLessThan(1e-9);
    expect(rel(obrienFlemingSpent(0.75, 0.05), 0.023625121317601305)).toBeLessThan(1e-9);
    expect(obrienFlemingSpent(1, 0.05)).toBe(0.05);
    expect(obrienFlemingSpent(0, 0.05)).toBe(0);
  });

  it('spends increments that add up to alpha', () => {
    const plan = [10, 20, 40];
    const increments = plan.map((_, look) => lookAlpha({ plan, look }, 0.05));
    // α*(1/4), α*(1/2) − α*(1/4), 0.05 − α*(1/2)
    expect(rel(increments[0]!, 8.8575438321303324e-5)).toBeLessThan(1e-9);
    expect(rel(increments[1]!, 0.0055745966807845271 - 8.8575438321303324e-5)).toBeLessThan(1e-9);
    expect(rel(increments[2]!, 0.05 - 0.0055745966807845271)).toBeLessThan(1e-9);
    expect(increments.reduce((s, v) => s + v, 0)).toBeCloseTo(0.05, 15);
    expect(lookAlpha({ plan: [10], look: 0 }, 0.05)).toBe(0.05);
    expect(() => lookAlpha({ plan, look: 3 }, 0.05)).toThrow(RangeError);
    expect(() => lookAlpha({ plan: [20, 10], look: 0 }, 0.05)).toThrow(RangeError);
  });
});

describe('more rounds advice', () => {
  it('matches R on the golden example: R*((qt(0.95,9)+qnorm(0.8))*se/g)^2 = 31.339 → 22 more', () => {
    const e = pairedRatio(rowSums(GOLDEN_BEFORE), rowSums(GOLDEN_AFTER));
    expect(moreRoundsNeeded(e, 0.02, 10, 0.05)).toBe(22);
  });

  it('is null when not estimable', () => {
    const e = pairedRatio(rowSums(GOLDEN_BEFORE), rowSums(GOLDEN_AFTER));
    expect(moreRoundsNeeded(e, Math.expm1(e.logRatio), 10, 0.05)).toBeNull();
    expect(moreRoundsNeeded({ ...e, se: 0, method: 'exact' }, 0.02, 10, 0.05)).toBeNull();
  });

  it('needsMoreRounds is true only when an endpoint is inconclusive', () => {
    expect(needsMoreRounds({ endpoints: [{ verdict: 'unchanged' }, { verdict: 'error' }] })).toBe(
      false,
    );
    expect(needsMoreRounds({ endpoints: [{ verdict: 'inconclusive' }] })).toBe(true);
  });
});
