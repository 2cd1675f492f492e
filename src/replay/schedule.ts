// What a round sends. A recorded workload gives a rare endpoint one or two requests per pass, too
// few to average out anything, so each endpoint's requests are repeated in whole passes until it
// has at least `minRequests` measured requests, and the passes are split into BLOCKS blocks. The
// analysis takes the median of the block means per round (a median of means: a single window
// that caught a GC pause or a timer moves one block, not the round). Whole passes keep every
// request's share within its endpoint as the workload has it; the endpoints' traffic weights
// come from the workload, not from these counts.

import { createRandom } from '../random.js';
import type { PreparedRequest } from './meter.js';

/** Blocks per endpoint per round: odd, so the median is one block. */
export const BLOCKS = 5;
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

/** Passes over an endpoint's `distinct` requests per block so that BLOCKS blocks hold ≥ min. */
export function passesPerBlock(distinct: number, minRequests: number): number {
  return Math.max(1, Math.ceil(minRequests / (BLOCKS * distinct)));
}

/** One round's measured requests, every endpoint's blocks mixed in a seeded order. */
export function roundSchedule(
  groups: ReadonlyMap<string, readonly PreparedRequest[]>,
  minRequests: number,
  seed: number,
): Scheduled[] {
  const items: Scheduled[] = [];
  for (const reqs of groups.values()) {
    const passes = passesPerBlock(reqs.length, minRequests);
    for (let block = 0; block < BLOCKS; block++) {
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
    out.set(endpoint, BLOCKS * passesPerBlock(reqs.length, minRequests) * reqs.length);
  }
  return out;
}

/** Warm-up block size for an endpoint with `distinct` requests: whole passes, 10 to 50 requests. */
export function warmBlockSize(distinct: number): number {
  if (distinct >= WARM_BLOCK_MAX) return WARM_BLOCK_MAX;
  return distinct * Math.ceil(WARM_BLOCK / distinct);
}
