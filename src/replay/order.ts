// Request order and build order per round. The same shuffled order goes to both builds of a
// round, so their per-round totals cover the same requests (pairing by round).

import { createRandom } from '../random.js';
import type { Build } from '../samples/types.js';

/** A per-round seed derived from the run's seed (recorded in the samples header). */
export function roundSeed(seed: number, round: number): number {
  let h = (seed ^ Math.imul(round + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Fisher–Yates over indices 0..n-1 with a seeded generator. */
export function shuffledIndices(n: number, seed: number): number[] {
  const random = createRandom(seed);
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** ABBA: rounds alternate which build goes first, so slow drift hits both builds alike. */
export function buildOrder(round: number): Build[] {
  return round % 2 === 1 ? ['before', 'after'] : ['after', 'before'];
}
