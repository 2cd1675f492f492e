// Which requests the recorder keeps. Two decisions, because measuring costs counter reads:
//  - at request start (path unknown): measure with probability `rate`, or `floor.probe` while
//    some endpoint is below its floor in the current period;
//  - at finish (template known): keep a measured request if it won the rate draw, or if its
//    endpoint is still below its floor (Jaeger's per-operation lower bound, X-Ray's reservoir).
// A probe whose path was seen before, and whose endpoint has met its floor, cannot be kept: it
// is counted towards that endpoint's weight as if measured, and not measured. Probing is then
// nearly free for a service whose paths repeat, which is what keeps 1 % sampling near 1 %.
// Pure apart from the injected clock and random source, so tests can drive it.

export interface FloorOptions {
  /** Records per endpoint per period that are kept whatever the rate (0 turns the floor off). */
  count: number;
  /** Period length in milliseconds. */
  periodMs: number;
  /** Probability of measuring a request while some endpoint is below its floor. */
  probe: number;
}

export interface SamplerOptions {
  rate: number;
  floor: FloorOptions;
  now?: () => number;
  random?: () => number;
  /** Endpoints remembered for the floor; past this, new ones get only the rate. */
  maxEndpoints?: number;
  /** Paths remembered with their endpoint (cleared when full). */
  maxPaths?: number;
}

/** 0 skip; 1 won the rate draw; 2 measured for the floor; 3 won the rate draw while probing. */
export type StartDecision = 0 | 1 | 2 | 3;

interface Entry {
  kept: number;
  since: number;
}

/** Longest gap between two looks at the clock and the floor's state, in requests. */
const SKIP_CAP = 64;

export class Sampler {
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxEndpoints: number;
  private periodStart: number;
  /**
   * Per endpoint seen so far: records kept this period, and requests seen since its last record
   * (measured ones only), the next record's weight. One object, updated in place: a probe on a
   * known path costs two map lookups and no allocation.
   */
  private readonly endpoints = new Map<string, Entry>();
  private owed = 0;
  /** Probing also looks for endpoints not seen yet: in the first period, and in any period
   * after one that found a new endpoint. Later newcomers are found by the rate alone. */
  private discovering = true;
  private found = false;
  /** Method → path (no query) → the endpoint a measured request on it was judged under. */
  private readonly paths = new Map<string, Map<string, Entry>>();
  private pathCount = 0;
  private readonly maxPaths: number;
  /** The chance that a request is measured while the floor probes, and what one stands for. */
  private readonly probeP: number;
  private readonly probeWeight: number;
  /** log(1 - p) of both chances, for drawing gaps. */
  private readonly logRate: number;
  private readonly logProbe: number;
  /** Requests left in the current gap, this one included; 0 draws one at the next request. */
  private countdown = 0;
  /** Whether the gap ends in a measured request (false: it was capped, and ends in a redraw). */
  private pending = false;
  /** Whether the gap was drawn with the probing chance. */
  private drawnProbing = false;

  constructor(private readonly options: SamplerOptions) {
    checkFraction('rate', options.rate);
    checkFraction('floor.probe', options.floor.probe);
    if (!(options.floor.count >= 0) || !(options.floor.periodMs > 0)) {
      throw new RangeError('floor: count must be ≥ 0 and periodMs > 0');
    }
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxEndpoints = options.maxEndpoints ?? 1000;
    this.maxPaths = options.maxPaths ?? 10_000;
    this.probeP = options.rate + options.floor.probe * (1 - options.rate);
    this.probeWeight = 1 / this.probeP;
    this.logRate = Math.log(1 - options.rate);
    this.logProbe = Math.log(1 - this.probeP);
    this.periodStart = this.now();
    this.draw(options.floor.count > 0);
  }

  /**
   * At request start: whether to take counter readings for it. `method` and `url` (query and
   * all) are looked at only for a probe.
   *
   * Requests between two measured ones are skipped by counting down a geometric gap rather than
   * by a draw each: the same Bernoulli choices, and the unsampled path is one decrement. The gap
   * is drawn with the chance in force (rate, or probeP while probing) and capped at SKIP_CAP, so
   * the period clock and the floor's state are looked at every SKIP_CAP requests at least.
   */
  start(method?: string, url?: string): StartDecision {
    return this.skip() ? 0 : this.decide(method, url);
  }

  /** The unsampled path on its own: true while inside a gap (the request is not measured). */
  skip(): boolean {
    return --this.countdown > 0;
  }

  /** At the end of a gap (skip() was false): a measured request, or a fresh draw. */
  decide(method?: string, url?: string): StartDecision {
    const hit = this.pending;
    const drawnProbing = this.drawnProbing;
    const { rate, floor } = this.options;
    const probing = floor.count > 0 && this.probing();
    this.draw(probing);
    if (!hit) return 0;
    // Chosen as if by one draw r: r < rate wins the rate; rate ≤ r < probeP probes.
    const p = drawnProbing ? this.probeP : rate;
    const r = this.random() * p;
    if (r < rate) return probing ? 3 : 1;
    if (!probing || r >= this.probeP) return 0;
    if (method === undefined || url === undefined) return 2;
    const entry = this.pathEntry(method, url);
    if (entry === undefined || entry.kept < floor.count) return 2;
    entry.since += this.probeWeight;
    return 0;
  }

  /** The next gap: requests until the next measured one (geometric), at most SKIP_CAP. */
  private draw(probing: boolean): void {
    const p = probing ? this.probeP : this.options.rate;
    this.drawnProbing = probing;
    let gap: number;
    if (p >= 1) gap = 1;
    else if (p <= 0) gap = Infinity;
    else
      gap = Math.floor(Math.log(1 - this.random()) / (probing ? this.logProbe : this.logRate)) + 1;
    this.pending = gap <= SKIP_CAP;
    this.countdown = this.pending ? gap : SKIP_CAP;
  }

  /**
   * At finish, for a measured request: whether to keep it, and how many requests of its
   * endpoint it stands for (measured since the previous record, scaled by the measuring rate).
   */
  finish(
    endpoint: string,
    decision: StartDecision,
    method?: string,
    url?: string,
  ): { keep: boolean; weight: number } {
    this.roll();
    const floor = this.options.floor.count;
    let entry = this.endpoints.get(endpoint);
    if (entry === undefined && this.endpoints.size < this.maxEndpoints) {
      entry = { kept: 0, since: 0 };
      this.endpoints.set(endpoint, entry);
      if (floor > 0) this.owed++;
      this.found = true;
    }
    if (entry === undefined) {
      // Past maxEndpoints: no floor and no tally, so only rate winners are kept, each
      // standing for the 1 / rate requests it was drawn from.
      return decision === 2
        ? { keep: false, weight: 0 }
        : { keep: true, weight: 1 / this.options.rate };
    }
    if (method !== undefined && url !== undefined) this.learn(method, url, entry);
    // What the request stands for: 1 / the chance it had of being measured.
    const seen = entry.since + (decision === 1 ? 1 / this.options.rate : this.probeWeight);
    const keep = decision !== 2 || entry.kept < floor;
    if (!keep) {
      entry.since = seen;
      return { keep, weight: 0 };
    }
    entry.since = 0;
    entry.kept++;
    if (entry.kept === floor) this.owed--;
    return { keep, weight: seen };
  }

  /** Whether the floor probes now: some endpoint is below its floor, or new ones are sought. */
  private probing(): boolean {
    this.roll();
    return this.owed > 0 || this.discovering;
  }

  private pathEntry(method: string, url: string): Entry | undefined {
    return this.paths.get(method)?.get(pathOf(url));
  }

  private learn(method: string, url: string, entry: Entry): void {
    const path = pathOf(url);
    let byPath = this.paths.get(method);
    if (byPath?.get(path) === entry) return;
    if (this.pathCount >= this.maxPaths) {
      this.paths.clear();
      this.pathCount = 0;
      byPath = undefined;
    }
    if (!byPath) this.paths.set(method, (byPath = new Map()));
    if (!byPath.has(path)) this.pathCount++;
    byPath.set(path, entry);
  }

  private roll(): void {
    const t = this.now();
    if (t - this.periodStart < this.options.floor.periodMs) return;
    this.periodStart = t;
    this.discovering = this.found;
    this.found = false;
    for (const entry of this.endpoints.values()) entry.kept = 0;
    this.owed = this.options.floor.count > 0 ? this.endpoints.size : 0;
  }
}

/** The URL without its query: what paths are remembered by. */
function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function checkFraction(name: string, value: number): void {
  if (!(value >= 0 && value <= 1))
    throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
}
