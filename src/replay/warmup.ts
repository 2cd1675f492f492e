// Warming one process: every endpoint's requests in blocks, endpoints taking turns so the
// process sees a mix of traffic as in production, until each endpoint's cost per block has
// stopped drifting (steady.ts), reached its request cap, or the process's time cap passed.
// Endpoints that settled keep getting their turn while others warm, so shared code is not
// deoptimised by a change of traffic once measuring begins.

import type { WarmupConfig } from '../config/types.js';
import type { Meter, PreparedRequest } from './meter.js';
import { warmBlockSize } from './schedule.js';
import { addBlock, newWarmState, type WarmState } from './steady.js';

export interface WarmupReport {
  wallMs: number;
  endpoints: Record<string, { requests: number; settled: boolean | null }>;
  timedOut: boolean;
}

const now = () => performance.now();

/** The next `size` requests of an endpoint, rotating through them. */
function nextBlock(reqs: readonly PreparedRequest[], cursor: number, size: number) {
  const out: PreparedRequest[] = [];
  for (let i = 0; i < size; i++) out.push(reqs[(cursor + i) % reqs.length]!);
  return out;
}

export async function warmUp(
  meter: Meter,
  groups: ReadonlyMap<string, readonly PreparedRequest[]>,
  policy: WarmupConfig,
  deadline: number,
  checkAbort: () => void,
  onBlock: (requests: number) => void = () => {},
): Promise<WarmupReport> {
  const started = now();
  const fixed = policy.mode === 'fixed';
  const min = fixed ? policy.requests : policy.min;
  const max = fixed ? policy.requests : policy.max;
  const until = fixed ? deadline : Math.min(deadline, started + policy.maxTimeMs);
  const states = new Map<string, WarmState>();
  const cursors = new Map<string, number>();
  for (const endpoint of groups.keys()) {
    states.set(endpoint, newWarmState());
    cursors.set(endpoint, 0);
  }
  const done = (s: WarmState) => (fixed ? s.requests >= max : s.settled || s.requests >= max);
  let timedOut = false;
  while (max > 0 && [...states.values()].some((s) => !done(s))) {
    if (now() > until) {
      timedOut = true;
      break;
    }
    for (const [endpoint, reqs] of groups) {
      checkAbort();
      const state = states.get(endpoint)!;
      // A fixed warm-up stops each endpoint at its count; auto keeps the mix going.
      if (fixed && done(state)) continue;
      const size = Math.min(warmBlockSize(reqs.length), fixed ? max - state.requests : Infinity);
      const block = nextBlock(reqs, cursors.get(endpoint)!, size);
      cursors.set(endpoint, (cursors.get(endpoint)! + size) % reqs.length);
      const cost = await meter.warmBlock(block);
      if (fixed) state.requests += size;
      else addBlock(state, size, cost, min);
      onBlock(size);
    }
  }
  const endpoints: WarmupReport['endpoints'] = {};
  for (const [endpoint, s] of states) {
    endpoints[endpoint] = { requests: s.requests, settled: fixed ? null : s.settled };
  }
  return { wallMs: Math.round(now() - started), endpoints, timedOut };
}
