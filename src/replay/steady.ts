// When is a process warm? A JIT tiers code up after hundreds to thousands of calls, so a fixed
// warm-up measures interpreter code on one endpoint and optimised code on another. The rule here
// is adapted from Barrett et al.'s steady-state classification (research: measurement.md §1):
// an endpoint's cost per request, read in blocks, is steady once the median block of the last
// quarter of its warm-up is within δ of the median block of the quarter before it. Comparing
// quarters (not the last few blocks) keeps a slow drift visible: a cost still falling by 15 %
// per doubling of the request count never looks flat.

/** Relative difference between consecutive quarters below which an endpoint counts as steady. */
export const STEADY_DELTA = 0.05;
/** Fewest blocks in each compared window. */
const MIN_WINDOW = 3;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * True when the series of per-request block costs (oldest first) has stopped drifting: the
 * median of the last window is within `delta` of the median of the window before it, each window
 * a quarter of the series (at least 3 blocks).
 */
export function isSteady(blocks: readonly number[], delta = STEADY_DELTA): boolean {
  const window = Math.max(MIN_WINDOW, Math.floor(blocks.length / 4));
  if (blocks.length < 2 * window) return false;
  const last = median(blocks.slice(blocks.length - window));
  const previous = median(blocks.slice(blocks.length - 2 * window, blocks.length - window));
  if (!(previous > 0) || !(last > 0)) return false;
  return Math.abs(last / previous - 1) <= delta;
}

export interface WarmState {
  /** Warm-up requests sent so far. */
  requests: number;
  /** Per-request cost of each block so far. */
  blocks: number[];
  settled: boolean;
}

export function newWarmState(): WarmState {
  return { requests: 0, blocks: [], settled: false };
}

/** Records one block and decides whether the endpoint is now warm. */
export function addBlock(
  state: WarmState,
  requests: number,
  cost: number,
  minRequests: number,
): WarmState {
  state.requests += requests;
  state.blocks.push(cost / requests);
  if (!state.settled && state.requests >= minRequests && isSteady(state.blocks)) {
    state.settled = true;
  }
  return state;
}
