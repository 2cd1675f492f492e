// Warming a round's processes: every endpoint's requests in blocks, endpoints taking turns so a
// process sees a mix of traffic as in production, until each endpoint's cost per block has
// stopped drifting in every process (steady.ts), reached its request cap, or the time cap passed.
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

/**
 * Warms processes together: every block goes to each of them (at once), and an endpoint stops
 * only when it is done in every one, so the builds of a round get the same requests in the same
 * order. A stateful server (a cache, a store) and V8's tiering then start measuring from the same
 * history on both sides, not from warm-ups that stopped at different counts.
 */
export async function warmUp(
  meters: readonly Meter[],
  groups: ReadonlyMap<string, readonly PreparedRequest[]>,
  policy: WarmupConfig,
  deadline: number,
  checkAbort: () => void,
  onBlock: (requests: number) => void = () => {},
): Promise<WarmupReport[]> {
  const started = now();
  const fixed = policy.mode === 'fixed';
  const min = fixed ? policy.requests : policy.min;
  const max = fixed ? policy.requests : policy.max;
  const until = fixed ? deadline : Math.min(deadline, started + policy.maxTimeMs);
  // states[i] holds meter i's state per endpoint.
  const states = meters.map(() => new Map<string, WarmState>());
  const cursors = new Map<string, number>();
  for (const endpoint of groups.keys()) {
    for (const own of states) own.set(endpoint, newWarmState());
    cursors.set(endpoint, 0);
  }
  const done = (s: WarmState) => (fixed ? s.requests >= max : s.settled || s.requests >= max);
  const doneEverywhere = (endpoint: string) => states.every((own) => done(own.get(endpoint)!));
  let timedOut = false;
  while (max > 0 && [...groups.keys()].some((e) => !doneEverywhere(e))) {
    if (now() > until) {
      timedOut = true;
      break;
    }
    for (const [endpoint, reqs] of groups) {
      checkAbort();
      const requests = states[0]!.get(endpoint)!.requests;
      // A fixed warm-up stops each endpoint at its count; auto keeps the mix going.
      if (fixed && doneEverywhere(endpoint)) continue;
      const size = Math.min(warmBlockSize(reqs.length), fixed ? max - requests : Infinity);
      const block = nextBlock(reqs, cursors.get(endpoint)!, size);
      cursors.set(endpoint, (cursors.get(endpoint)! + size) % reqs.length);
      // Once an endpoint has settled everywhere its blocks keep the mix going, uncounted.
      const counted = !fixed && !states.every((own) => own.get(endpoint)!.settled);
      const costs = await Promise.all(meters.map((m) => m.warmBlock(block, counted)));
      costs.forEach((cost, i) => {
        const state = states[i]!.get(endpoint)!;
        if (!counted) state.requests += size;
        else addBlock(state, size, cost, min);
      });
      onBlock(size * meters.length);
    }
  }
  const wallMs = Math.round(now() - started);
  return states.map((own) => {
    const endpoints: WarmupReport['endpoints'] = {};
    for (const [endpoint, s] of own) {
      endpoints[endpoint] = { requests: s.requests, settled: fixed ? null : s.settled };
    }
    return { wallMs, endpoints, timedOut };
  });
}
