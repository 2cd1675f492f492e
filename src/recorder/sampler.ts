// Which requests the recorder keeps. Two decisions, because measuring costs counter reads:
//  - at request start (path unknown): measure with probability `rate`, or `floor.probe` while
//    some endpoint is below its floor in the current period;
//  - at finish (template known): keep a measured request if it won the rate draw, or if its
//    endpoint is still below its floor (Jaeger's per-operation lower bound, X-Ray's reservoir).
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
}

export type StartDecision = 0 | 1 | 2; // 0 skip, 1 won the rate draw, 2 measured for the floor

export class Sampler {
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxEndpoints: number;
  private periodStart: number;
  /** Records kept this period, per endpoint seen so far. */
  private readonly kept = new Map<string, number>();
  private owed = 0;
  /** Probing also looks for endpoints not seen yet: in the first period, and in any period
   * after one that found a new endpoint. Later newcomers are found by the rate alone. */
  private discovering = true;
  private found = false;
  /** Requests seen since an endpoint's last record (measured ones only): the record's weight. */
  private readonly since = new Map<string, number>();

  constructor(private readonly options: SamplerOptions) {
    checkFraction('rate', options.rate);
    checkFraction('floor.probe', options.floor.probe);
    if (!(options.floor.count >= 0) || !(options.floor.periodMs > 0)) {
      throw new RangeError('floor: count must be ≥ 0 and periodMs > 0');
    }
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxEndpoints = options.maxEndpoints ?? 1000;
    this.periodStart = this.now();
  }

  /** At request start: whether to take counter readings for it. */
  start(): StartDecision {
    const r = this.random();
    if (r < this.options.rate) return 1;
    if (this.options.floor.count === 0) return 0;
    this.roll();
    return (this.owed > 0 || this.discovering) &&
      r < this.options.rate + this.options.floor.probe * (1 - this.options.rate)
      ? 2
      : 0;
  }

  /**
   * At finish, for a measured request: whether to keep it, and how many requests of its
   * endpoint it stands for (measured since the previous record, scaled by the measuring rate).
   */
  finish(endpoint: string, decision: StartDecision): { keep: boolean; weight: number } {
    this.roll();
    const floor = this.options.floor.count;
    let count = this.kept.get(endpoint);
    if (count === undefined && this.kept.size < this.maxEndpoints) {
      count = 0;
      this.kept.set(endpoint, 0);
      if (floor > 0) this.owed++;
      this.found = true;
    }
    const p = decision === 1 ? this.options.rate : this.options.rate + this.options.floor.probe;
    const seen = (this.since.get(endpoint) ?? 0) + 1 / Math.min(1, p);
    const keep = decision === 1 || (count !== undefined && count < floor);
    if (!keep) {
      this.since.set(endpoint, seen);
      return { keep, weight: 0 };
    }
    this.since.set(endpoint, 0);
    if (count !== undefined) {
      this.kept.set(endpoint, count + 1);
      if (count + 1 === floor) this.owed--;
    }
    return { keep, weight: seen };
  }

  private roll(): void {
    const t = this.now();
    if (t - this.periodStart < this.options.floor.periodMs) return;
    this.periodStart = t;
    this.discovering = this.found;
    this.found = false;
    for (const key of this.kept.keys()) this.kept.set(key, 0);
    this.owed = this.options.floor.count > 0 ? this.kept.size : 0;
  }
}

function checkFraction(name: string, value: number): void {
  if (!(value >= 0 && value <= 1))
    throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
}
