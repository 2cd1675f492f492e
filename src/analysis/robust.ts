// Per-round estimators that resist one window catching background work (a GC pause, a timer)
// while still estimating the mean cost per request (measurement.md §2, stats.md §3.3).
// Pure: values in, a number out.

import { sum } from './ratio.js';

/**
 * Means of `blocks` consecutive blocks of `values`, in order. Sizes differ by at most one (the
 * first n mod k blocks get the extra value). With fewer values than blocks, each value is its
 * own block. Blocks are consecutive, not interleaved, so whole replay passes stay together.
 */
export function blockMeans(values: readonly number[], blocks: number): number[] {
  if (!Number.isInteger(blocks) || blocks < 1)
    throw new RangeError(`blockMeans: blocks must be a positive integer, got ${blocks}`);
  if (values.length === 0) throw new RangeError('blockMeans: needs at least one value');
  const k = Math.min(blocks, values.length);
  const base = Math.floor(values.length / k);
  const extra = values.length % k;
  const means: number[] = [];
  let start = 0;
  for (let b = 0; b < k; b++) {
    const size = base + (b < extra ? 1 : 0);
    means.push(sum(values.slice(start, start + size)) / size);
    start += size;
  }
  return means;
}

/** Median of a non-empty list; the mean of the middle two when its length is even. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: needs at least one value');
  const sorted = Float64Array.from(values).sort(); // numeric order, no comparator calls
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Median-of-means: the median of `blocks` consecutive block means. One block that caught a
 * background event moves it little; a slow path must show in most blocks to move it, so it is
 * blind to a slow path rarer than about one request per block. Choose `blocks` so that each block
 * holds whole replay passes: a slow path tied to one request then falls equally in every block.
 */
export function medianOfMeans(values: readonly number[], blocks: number): number {
  return median(blockMeans(values, blocks));
}

/**
 * Winsorised mean: the lowest and highest ⌊fraction·n⌋ values are set to the nearest kept value,
 * then averaged. Not a mean estimator on skewed data: a fixed fraction clips real slow paths.
 */
export function winsorizedMean(values: readonly number[], fraction: number): number {
  if (!(fraction >= 0 && fraction < 0.5))
    throw new RangeError(`winsorizedMean: fraction must be in [0, 0.5), got ${fraction}`);
  if (values.length === 0) throw new RangeError('winsorizedMean: needs at least one value');
  const sorted = Float64Array.from(values).sort();
  const g = Math.floor(fraction * sorted.length);
  const low = sorted[g]!;
  const high = sorted[sorted.length - 1 - g]!;
  return sum(Array.from(sorted, (v) => Math.min(high, Math.max(low, v)))) / sorted.length;
}
