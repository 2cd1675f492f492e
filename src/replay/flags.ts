// The flag matrix inside a round: how a request carries a header or query flag, the order the
// round's processes take turns in, and how many flag configurations the budget affords.

import { withQuery } from '../flags/matrix.js';
import type { PreparedRequest } from './meter.js';

/** A request as a flag configuration sends it (memoised: the hot path allocates nothing new). */
export function adaptRequest(
  headers: Readonly<Record<string, string>>,
  query: Readonly<Record<string, string>>,
): (req: PreparedRequest) => PreparedRequest {
  if (Object.keys(headers).length === 0 && Object.keys(query).length === 0) return (r) => r;
  const cache = new Map<PreparedRequest, PreparedRequest>();
  return (req) => {
    let out = cache.get(req);
    if (!out) {
      out = { ...req, path: withQuery(req.path, query), headers: { ...req.headers, ...headers } };
      cache.set(req, out);
    }
    return out;
  };
}

/**
 * The order the processes serve the k-th request in: rotated by one each request, reversed every
 * other cycle, so each process takes each position equally often and follows each other one.
 */
export function measureOrder<T>(items: readonly T[], k: number): T[] {
  const n = items.length;
  const start = k % n;
  const rotated = [...items.slice(start), ...items.slice(0, start)];
  return Math.floor(k / n) % 2 === 1 ? rotated.reverse() : rotated;
}

/**
 * How many flag configurations the rest of the first look can afford, judged by the first round:
 * a round's time is shared about evenly by its processes (each warms and serves every request).
 */
export function affordableFlags(f: {
  flags: number;
  roundMs: number;
  roundsLeft: number;
  budgetLeftMs: number;
}): number {
  if (f.roundsLeft <= 0) return f.flags;
  const perProcess = f.roundMs / (2 + f.flags);
  const processes = Math.floor(f.budgetLeftMs / f.roundsLeft / perProcess);
  return Math.max(0, Math.min(f.flags, processes - 2));
}
