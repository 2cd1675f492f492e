// Groups a sample set into per-endpoint tables keyed by round, build and request, and gathers
// the data problems that make an endpoint's comparison untrustworthy (target errors, responses
// that differ between builds, unusable values). One pass over the samples; no sorting of them.

import type { Build, Sample, SampleSet, SamplesEvent } from '../samples/types.js';
import { median } from './robust.js';

export type RequestId = number | string;

/** Code-unit order for endpoint names: locale-independent, so output is the same everywhere. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The run's last `end` event, if it has one. */
export function endOf(set: SampleSet): Extract<SamplesEvent, { kind: 'end' }> | undefined {
  for (let i = set.events.length - 1; i >= 0; i--) {
    const event = set.events[i]!;
    if (event.kind === 'end') return event;
  }
  return undefined;
}

/** One request in one round of one build: usually a single sample. */
export interface Cell {
  sum: number;
  n: number;
  status: number | undefined;
  /** Sum and count per block of the round, when the samples name their block. */
  byBlock?: Map<number, { sum: number; n: number }>;
}

export type RoundTable = Record<Build, Map<RequestId, Cell>>;

export interface EndpointSamples {
  endpoint: string;
  rounds: Map<number, RoundTable>;
  /** Valid samples per build. */
  samples: Record<Build, number>;
  /** Samples dropped for a non-positive or non-finite value. */
  invalid: number;
  multiplexed: number;
  /** Target errors reported while this endpoint was measured. */
  errors: string[];
  /** Request ids whose status differed between builds, with one example for the message. */
  mismatched: Set<RequestId>;
  mismatchExample: string | undefined;
}

export interface Collected {
  endpoints: Map<string, EndpointSamples>;
  /** Target errors not tied to an endpoint (a build that failed to start, say). */
  runErrors: string[];
  multiplexed: number;
  total: number;
}

function emptyEndpoint(endpoint: string): EndpointSamples {
  return {
    endpoint,
    rounds: new Map(),
    samples: { before: 0, after: 0 },
    invalid: 0,
    multiplexed: 0,
    errors: [],
    mismatched: new Set(),
    mismatchExample: undefined,
  };
}

function isBuild(value: unknown): value is Build {
  return value === 'before' || value === 'after';
}

function addSample(data: EndpointSamples, sample: Sample): void {
  const { value, round, request, build } = sample;
  if (!Number.isFinite(value) || value <= 0 || !Number.isFinite(round)) {
    data.invalid++;
    return;
  }
  let table = data.rounds.get(round);
  if (!table) {
    table = { before: new Map(), after: new Map() };
    data.rounds.set(round, table);
  }
  const cells = table[build];
  let cell = cells.get(request);
  if (cell) {
    cell.sum += value;
    cell.n++;
  } else {
    cell = { sum: value, n: 1, status: sample.status };
    cells.set(request, cell);
  }
  if (typeof sample.block === 'number') {
    cell.byBlock ??= new Map();
    const b = cell.byBlock.get(sample.block);
    if (b) {
      b.sum += value;
      b.n++;
    } else {
      cell.byBlock.set(sample.block, { sum: value, n: 1 });
    }
  }
  data.samples[build]++;
  if (sample.multiplexed) data.multiplexed++;
}

/** `detail` says how the answers differed, for the first example in the message. */
function noteMismatch(
  data: EndpointSamples,
  request: RequestId,
  round: number,
  detail: string,
): void {
  data.mismatched.add(request);
  data.mismatchExample ??= `request ${request} in round ${round}: ${detail}`;
}

/** Every endpoint named by the header, a sample or an event, with its samples and problems. */
export function collect(set: SampleSet): Collected {
  const endpoints = new Map<string, EndpointSamples>();
  const get = (name: string) => {
    let data = endpoints.get(name);
    if (!data) {
      data = emptyEndpoint(name);
      endpoints.set(name, data);
    }
    return data;
  };
  for (const name of set.header?.workload.endpoints ?? []) get(name);

  let multiplexed = 0;
  let total = 0;
  for (const sample of set.samples) {
    if (!isBuild(sample.build)) continue;
    const data = get(sample.endpoint);
    addSample(data, sample);
    total++;
    if (sample.multiplexed) multiplexed++;
  }

  const runErrors: string[] = [];
  for (const event of set.events) {
    if (event.kind === 'error') {
      const where = `${event.build} build, round ${event.round}: ${event.message}`;
      if (event.endpoint !== undefined) get(event.endpoint).errors.push(where);
      else runErrors.push(where);
    } else if (event.kind === 'mismatch') {
      const { before, after, bodies } = event;
      const detail = bodies
        ? `status ${before} from both, but different bodies (${bodies.before} before, ${bodies.after} after)`
        : `${before} before, ${after} after`;
      noteMismatch(get(event.endpoint), event.request, event.round, detail);
    }
  }

  // Statuses recorded on the samples themselves: the same request in the same round must answer
  // alike in both builds.
  for (const data of endpoints.values()) {
    for (const [round, table] of data.rounds) {
      for (const [request, a] of table.before) {
        const b = table.after.get(request);
        if (b && a.status !== undefined && b.status !== undefined && a.status !== b.status) {
          noteMismatch(data, request, round, `${a.status} before, ${b.status} after`);
        }
      }
    }
  }
  return { endpoints, runErrors, multiplexed, total };
}

/** Per-round totals over the requests both builds served in that round. */
export interface PairedRounds {
  rounds: number[];
  /** Σ of per-request mean cost over the common requests, per round. */
  before: number[];
  after: number[];
  /** Common requests per round. */
  requests: number[];
  /**
   * Per-round totals as the median over the round's blocks of each block's total (median of
   * means), aligned with `rounds`; null unless every round has at least 3 blocks in both builds.
   */
  blocked: { before: number[]; after: number[] } | null;
  /** Samples behind the totals, per build. */
  samples: Record<Build, number>;
}

export interface Arrangement {
  paired: PairedRounds;
  /** Rounds that have samples from both builds. */
  completeRounds: number;
  /** Rounds with samples from only one build (dropped). */
  droppedRounds: number;
  /** Requests measured in only one build within a complete round (left out of the pairing). */
  unmatched: number;
  /** Per-request means in complete rounds, per build, for the unpaired fallback. */
  unpaired: Record<Build, number[]>;
}

/** Lines up both builds round by round. Rounds are visited in ascending order for determinism. */
export function arrange(data: EndpointSamples): Arrangement {
  const paired: PairedRounds = {
    rounds: [],
    before: [],
    after: [],
    requests: [],
    samples: { before: 0, after: 0 },
    blocked: { before: [], after: [] },
  };
  const unpaired: Record<Build, number[]> = { before: [], after: [] };
  let completeRounds = 0;
  let droppedRounds = 0;
  let unmatched = 0;
  const rounds = [...data.rounds.keys()].sort((a, b) => a - b);
  for (const round of rounds) {
    const table = data.rounds.get(round)!;
    if (table.before.size === 0 || table.after.size === 0) {
      droppedRounds++;
      continue;
    }
    completeRounds++;
    let a = 0;
    let b = 0;
    let common = 0;
    for (const [request, cellA] of table.before) {
      const meanA = cellA.sum / cellA.n;
      unpaired.before.push(meanA);
      const cellB = table.after.get(request);
      if (!cellB) {
        unmatched++;
        continue;
      }
      a += meanA;
      b += cellB.sum / cellB.n;
      common++;
      paired.samples.before += cellA.n;
      paired.samples.after += cellB.n;
    }
    for (const [request, cellB] of table.after) {
      unpaired.after.push(cellB.sum / cellB.n);
      if (!table.before.has(request)) unmatched++;
    }
    if (common > 0) {
      paired.rounds.push(round);
      paired.before.push(a);
      paired.after.push(b);
      paired.requests.push(common);
      const blocked = blockedTotals(table);
      if (blocked && paired.blocked) {
        paired.blocked.before.push(blocked.before);
        paired.blocked.after.push(blocked.after);
      } else {
        paired.blocked = null;
      }
    }
  }
  if (paired.rounds.length === 0) paired.blocked = null;
  return { paired, completeRounds, droppedRounds, unmatched, unpaired };
}

/** Fewest blocks per round for a median of means. */
const MIN_BLOCKS = 3;

/**
 * A round's totals as the median of its block totals, each block total summing the mean of
 * every common request within that block; null when a request misses a block or blocks are few.
 */
function blockedTotals(table: RoundTable): { before: number; after: number } | null {
  let blocks: number[] | undefined;
  for (const build of ['before', 'after'] as const) {
    for (const [request, cell] of table[build]) {
      if (build === 'after' && !table.before.has(request)) continue;
      if (build === 'before' && !table.after.has(request)) continue;
      if (!cell.byBlock) return null;
      const keys = [...cell.byBlock.keys()].sort((x, y) => x - y);
      if (!blocks) blocks = keys;
      else if (keys.length !== blocks.length || keys.some((k, i) => k !== blocks![i])) return null;
    }
  }
  if (!blocks || blocks.length < MIN_BLOCKS) return null;
  const totals = (build: Build) =>
    blocks!.map((block) => {
      let t = 0;
      for (const [request, cell] of table[build]) {
        const other = build === 'before' ? table.after : table.before;
        if (!other.has(request)) continue;
        const b = cell.byBlock!.get(block)!;
        t += b.sum / b.n;
      }
      return t;
    });
  return { before: median(totals('before')), after: median(totals('after')) };
}
