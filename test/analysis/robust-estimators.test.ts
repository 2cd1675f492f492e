import { describe, expect, it } from 'vitest';
import { blockMeans, median, medianOfMeans, winsorizedMean } from '../../src/analysis/robust.js';

describe('blockMeans', () => {
  it('splits consecutive values into equal blocks', () => {
    expect(blockMeans([1, 2, 3, 4, 5, 6], 3)).toEqual([1.5, 3.5, 5.5]);
  });

  it('gives the first n mod k blocks one extra value', () => {
    // 7 values, 3 blocks: sizes 3, 2, 2.
    expect(blockMeans([1, 2, 3, 10, 20, 100, 200], 3)).toEqual([2, 15, 150]);
  });

  it('makes each value its own block when there are fewer values than blocks', () => {
    expect(blockMeans([4, 1, 7], 5)).toEqual([4, 1, 7]);
  });

  it('rejects no values and a block count that is not a positive integer', () => {
    expect(() => blockMeans([], 5)).toThrow(RangeError);
    expect(() => blockMeans([1, 2], 0)).toThrow(RangeError);
    expect(() => blockMeans([1, 2], 2.5)).toThrow(RangeError);
  });
});

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('leaves its input unsorted', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('medianOfMeans', () => {
  it('is the median of the block means with an odd block count', () => {
    // Block means 2, 5, 100 (the block that caught a 290 outlier): median 5.
    expect(medianOfMeans([1, 3, 4, 6, 10, 290], 3)).toBe(5);
  });

  it('averages the middle two block means with an even block count', () => {
    // Block means 1, 2, 10, 1000: median (2 + 10) / 2.
    expect(medianOfMeans([1, 1, 2, 2, 10, 10, 1000, 1000], 4)).toBe(6);
  });

  it('is the median of the values when there are fewer values than blocks', () => {
    expect(medianOfMeans([9, 1, 5, 3], 5)).toBe(4);
  });

  it('is the mean with one block', () => {
    expect(medianOfMeans([1, 2, 3, 10], 1)).toBe(4);
  });
});

describe('winsorizedMean', () => {
  it('clamps the lowest and highest ⌊fraction·n⌋ values to the nearest kept ones', () => {
    // n = 10, 10 %: 0 → 1 and 100 → 8; mean of 1,1,2,…,8,8 = 45/10.
    expect(winsorizedMean([0, 1, 2, 3, 4, 5, 6, 7, 8, 100], 0.1)).toBeCloseTo(4.5, 12);
  });

  it('is the mean when the fraction keeps every value', () => {
    expect(winsorizedMean([1, 2, 3, 100], 0.1)).toBe(26.5);
    expect(winsorizedMean([1, 2, 3, 100], 0)).toBe(26.5);
  });

  it('rejects fractions outside [0, 0.5) and no values', () => {
    expect(() => winsorizedMean([1, 2], 0.5)).toThrow(RangeError);
    expect(() => winsorizedMean([1, 2], -0.1)).toThrow(RangeError);
    expect(() => winsorizedMean([], 0.1)).toThrow(RangeError);
  });
});
