// Deterministic randomness: the catalogue, reviews and promotions must be byte-identical in
// every process, every round and both builds, so nothing here may read Math.random or the clock.

/** mulberry32: tiny, fast, good enough for test data. Returns floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 32-bit: derives a stable seed from a string key. */
export function hashString(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function pick(rand, list) {
  return list[Math.floor(rand() * list.length)];
}

export function intBetween(rand, lo, hi) {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** k distinct items from list, in list order (stable output for the same draw). */
export function sample(rand, list, k) {
  const chosen = new Set();
  while (chosen.size < Math.min(k, list.length)) chosen.add(Math.floor(rand() * list.length));
  return [...chosen].sort((x, y) => x - y).map((i) => list[i]);
}
