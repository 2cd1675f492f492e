// What a round sends. A recorded workload gives a rare endpoint one or two requests per pass, too
// few to average out anything, so each endpoint's requests are repeated in whole passes until it
// has at least `minRequests` measured requests, grouped into blocks of whole passes and at least
// MIN_BLOCK requests. The analysis takes the median of the block means per round (a median of
// means: a window that caught a GC pause or a timer moves one block, not the round). Whole passes
// keep a slow path tied to one request in every block, and every request's share within its
// endpoint as the workload has it; blocks of fewer than ~8 requests would make the median blind
// to a path taken by 1 request in 8 (benchmarks/robust.ts). The endpoints' traffic weights come
// from the workload, not from these counts.

import { createRandom } from '../random.js';
import type { PreparedRequest } from './meter.js';

/** Fewest blocks per endpoint per round. */
export const MIN_BLOCKS = 5;
/** Fewest requests per block (whole passes of the endpoint's requests). */
export const MIN_BLOCK = 8;
/** Requests per warm-up block, at least (a whole pass when the endpoint has more). */
const WARM_BLOCK = 10;
/** Requests per warm-up block, at most (endpoints with many distinct requests rotate through them). */
const WARM_BLOCK_MAX = 50;

export interface Scheduled {
  req: PreparedRequest;
  /** 0-based block within the round. */
  block: number;
}

/** The workload's requests per endpoint, endpoints in first-seen order. */
export function byEndpoint(requests: readonly PreparedRequest[]): Map<string, PreparedRequest[]> {
  const groups = new Map<string, PreparedRequest[]>();
  for (const r of requests) {
    let group = groups.get(r.endpoint);
    if (!group) groups.set(r.endpoint, (group = []));
    group.push(r);
  }
  return groups;
}

/** How an endpoint with `distinct` requests is measured in a round: blocks of whole passes. */
export function blocking(
  distinct: number,
  minRequests: number,
): { passes: number; blocks: number } {
  const passes = Math.ceil(MIN_BLOCK / distinct);
  const size = passes * distinct;
  // An endpoint whose one pass is already long needs fewer blocks (3 still give a median).
  const fewest = size <= 2 * MIN_BLOCK ? MIN_BLOCKS : 3;
  return { passes, blocks: Math.max(fewest, Math.ceil(minRequests / size)) };
}

/** One round's measured requests, every endpoint's blocks mixed in a seeded order. */
export function roundSchedule(
  groups: ReadonlyMap<string, readonly PreparedRequest[]>,
  minRequests: number,
  seed: number,
): Scheduled[] {
  const items: Scheduled[] = [];
  for (const reqs of groups.values()) {
    const { passes, blocks } = blocking(reqs.length, minRequests);
    for (let block = 0; block < blocks; block++) {
      for (let p = 0; p < passes; p++) for (const req of reqs) items.push({ req, block });
    }
  }
  const random = createRandom(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Measured requests per round for each endpoint (what roundSchedule sends). */
export function requestsPerRound(
  groups: ReadonlyMap<string, readonly PreparedRequest[]>,
  minRequests: number,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [endpoint, reqs] of groups) {
    const { passes, blocks } = blocking(reqs.length, minRequests);
    out.set(endpoint, blocks * passes * reqs.length);
  }
  return out;
}

/** Warm-up block size for an endpoint with `distinct` requests: whole passes, 10 to 50 requests. */
export function warmBlockSize(distinct: number): number {
  if (distinct >= WARM_BLOCK_MAX) return WARM_BLOCK_MAX;
  return distinct * Math.ceil(WARM_BLOCK / distinct);
}

/** Blocks per endpoint per round when the counter is read per block (the simulated counter). */
export const READ_BLOCKS = 3;

export interface ReadBlock {
  endpoint: string;
  /** 0-based block of the endpoint within the round. */
  block: number;
  reqs: PreparedRequest[];
}

/**
 * One round as contiguous blocks, for a counter read only between blocks: each endpoint gets
 * READ_BLOCKS blocks of whole passes (at least MIN_BLOCK requests), `minRequests` in all, and the
 * blocks of all endpoints are sent in a seeded order.
 */
export function roundBlocks(
  groups: ReadonlyMap<string, readonly PreparedRequest[]>,
  minRequests: number,
  seed: number,
): ReadBlock[] {
  const out: ReadBlock[] = [];
  for (const [endpoint, reqs] of groups) {
    const perBlock = Math.max(MIN_BLOCK, Math.ceil(minRequests / READ_BLOCKS));
    const passes = Math.ceil(perBlock / reqs.length);
    for (let block = 0; block < READ_BLOCKS; block++) {
      const list: PreparedRequest[] = [];
      for (let p = 0; p < passes; p++) list.push(...reqs);
      out.push({ endpoint, block, reqs: list });
    }
  }
  const random = createRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
