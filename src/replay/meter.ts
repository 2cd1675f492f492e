// Measuring one request on one running target: the replay's hot path. Read the counter group,
// send, read again when the last response byte is in, write the delta as a sample. Buffers are
// allocated once per target, so a measurement allocates only its sample line.

import { type InterruptedError, TargetError, errorMessage, interruption } from '../errors.js';
import type { CounterSet } from '../counters/counter-set.js';
import { SIMULATED } from '../counters/simulated.js';
import type { SamplesWriter } from '../samples/writer.js';
import type { RunningTarget } from '../targets/target.js';
import { LocalClient, type ReplayRequest, type ReplayResponse } from './client.js';

export interface PreparedRequest extends ReplayRequest {
  id: number | string;
  endpoint: string;
}

const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function requestFailure(
  target: RunningTarget,
  req: PreparedRequest,
  error: unknown,
): Promise<TargetError | InterruptedError> {
  if (target.signal.aborted) return interruption(target.signal);
  return (
    (await target.crashedWithin(1000)) ??
    new TargetError(
      target.label,
      `request ${req.method} ${req.path} failed: ${errorMessage(error)}`,
      target.group.tail(),
    )
  );
}

export class Meter {
  readonly client: LocalClient;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly delta: Float64Array;
  private readonly perf: CounterSet | undefined;
  /** The last simulated count read, and whether a request went out since. */
  private lastRead: { value: number; stale: boolean } | undefined;
  private t0 = 0;
  private readonly onSend = () => {
    this.t0 = now();
    this.perf?.snapshot(this.a);
  };
  private readonly onComplete = () => {
    if (this.settleMs === 0) this.perf?.snapshot(this.b);
  };

  constructor(
    readonly target: RunningTarget,
    private readonly writer: SamplesWriter,
    private readonly settleMs = 0,
    compareBodies = false,
    /** Flag matrix: the flag this process runs with, and how a request carries it. */
    private readonly variant?: { flag: string; adapt: (req: PreparedRequest) => PreparedRequest },
  ) {
    this.client = new LocalClient(target.port, compareBodies);
    this.perf = target.counters;
    const width = this.perf?.width ?? 0;
    this.a = new Float64Array(width);
    this.b = new Float64Array(width);
    this.delta = new Float64Array(this.perf?.events.length ?? 1);
  }

  /** Whether this target is read per block of requests (simulated) rather than per request. */
  get perBlock(): boolean {
    return this.target.simulated !== undefined;
  }

  /**
   * The simulated count now; a read with no request since the last one is not repeated. With
   * `endOfBlock`, the block's garbage is collected first (measure.gc).
   */
  private async readSimulated(endOfBlock = false): Promise<number> {
    if (this.lastRead && !this.lastRead.stale) return this.lastRead.value;
    const value = await this.target.simulated!.read({ collect: endOfBlock });
    this.lastRead = { value, stale: false };
    return value;
  }

  /** Before a round's first block: a full collection, counted in no block (simulated only). */
  async collectFull(): Promise<void> {
    if (!this.perBlock) return;
    await this.target.simulated!.collectFull();
    // Its instructions are past the last read: the next block starts from a fresh one.
    if (this.lastRead) this.lastRead.stale = true;
  }

  /** The flag this process runs with (flag matrix), if any. */
  get flag(): string | undefined {
    return this.variant?.flag;
  }

  /**
   * Sends requests one after another without per-request reads; returns their summed cost, or
   * NaN when `counted` is false (the simulated counter is then not read: a read costs ~0.1 s).
   */
  async warmBlock(reqs: readonly PreparedRequest[], counted = true): Promise<number> {
    if (this.perBlock) {
      const start = counted ? await this.readSimulated() : NaN;
      for (const req of reqs) await this.send(req, false);
      if (!counted) {
        await this.target.simulated!.collect();
        return NaN;
      }
      return (await this.readSimulated(true)) - start;
    }
    const counters = this.perf!;
    counters.snapshot(this.a);
    for (const req of reqs) await this.send(req, false);
    counters.snapshot(this.b);
    counters.delta(this.a, this.b, this.delta);
    return this.delta[0]!;
  }

  /** One request on the kept-alive connection; a failure names the build and how it ended. */
  private async send(sent: PreparedRequest, measured: boolean): Promise<ReplayResponse> {
    const req = this.variant ? this.variant.adapt(sent) : sent;
    if (this.lastRead) this.lastRead.stale = true;
    try {
      const { signal } = this.target;
      return measured
        ? await this.client.send(req, this.onSend, this.onComplete, undefined, signal)
        : await this.client.send(req, undefined, undefined, undefined, signal);
    } catch (error) {
      throw await requestFailure(this.target, req, error);
    }
  }

  /**
   * A block of requests between two reads (the simulated counter). Each request's sample holds
   * the block's mean and says so (`of`): the block total is exact, a request's share is not.
   */
  async measureBlock(
    reqs: readonly PreparedRequest[],
    round: number,
    block: number,
  ): Promise<ReplayResponse[]> {
    const start = await this.readSimulated();
    const responses: { res: ReplayResponse; latencyMs: number }[] = [];
    for (const req of reqs) {
      const res = await this.send(req, true);
      responses.push({ res, latencyMs: now() - this.t0 });
    }
    if (this.settleMs > 0) await sleep(this.settleMs);
    const total = (await this.readSimulated(true)) - start;
    const value = total / reqs.length;
    reqs.forEach((req, i) => {
      const { res, latencyMs } = responses[i]!;
      this.writer.write({
        endpoint: req.endpoint,
        build: this.target.build,
        round,
        request: req.id,
        block,
        of: reqs.length,
        status: res.status,
        bytes: res.bytes,
        latencyMs: Math.round(latencyMs * 1000) / 1000,
        value,
        values: { [SIMULATED]: value },
        ...(this.variant ? { flag: this.variant.flag } : {}),
      });
    });
    return responses.map((r) => r.res);
  }

  /** Sends a request, measures it, writes its sample; returns the response. */
  async measure(req: PreparedRequest, round: number, block?: number): Promise<ReplayResponse> {
    const { build } = this.target;
    const counters = this.perf!;
    const res = await this.send(req, true);
    const latencyMs = now() - this.t0;
    if (this.settleMs > 0) {
      // Background work the request left behind (GC, deferred writes) belongs to its cost.
      await sleep(this.settleMs);
      counters.snapshot(this.b);
    }
    const multiplexed = counters.delta(this.a, this.b, this.delta);
    const events = counters.events;
    const values: Record<string, number> = {};
    for (let e = 0; e < events.length; e++) values[events[e]!] = this.delta[e]!;
    this.writer.write({
      endpoint: req.endpoint,
      build,
      round,
      request: req.id,
      ...(block !== undefined ? { block } : {}),
      status: res.status,
      bytes: res.bytes,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      value: this.delta[0]!,
      values,
      ...(multiplexed ? { multiplexed: true } : {}),
      ...(this.variant ? { flag: this.variant.flag } : {}),
    });
    return res;
  }

  close(): void {
    this.client.close();
  }
}
