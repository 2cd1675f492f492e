// The measured replay. R rounds; each round starts a fresh before and a fresh after process (in
// ABBA order), warms both up, then replays the whole workload serially, request by request to
// both builds in turn (alternating which goes first), reading the counter group right before each
// request and right after its response. Interleaving makes slow drift of the machine hit both
// builds alike within a round; every measurement is streamed to samples.jsonl at once.

import { InterruptedError, TargetError, errorMessage, interruption } from '../errors.js';
import type { Logger } from '../log.js';
import type { SamplesWriter } from '../samples/writer.js';
import type { Build } from '../samples/types.js';
import { startTarget, type RunningTarget, type TargetSpec } from '../targets/target.js';
import type { WarmupConfig } from '../config/types.js';
import type { ReplayResponse } from './client.js';
import { Meter, type PreparedRequest } from './meter.js';
import { buildOrder, roundSeed } from './order.js';
import { byEndpoint, roundBlocks, roundSchedule } from './schedule.js';
import { warmUp } from './warmup.js';
import { adaptRequest, affordableFlags, measureOrder } from './flags.js';

export type { PreparedRequest } from './meter.js';

export interface ReplayPlan {
  requests: PreparedRequest[];
  /** Cumulative rounds at each planned look; the first is the configured rounds, the last the cap. */
  looks: number[];
  warmup: WarmupConfig;
  /** Measured requests per endpoint per round, at least (whole passes, in blocks). */
  requestsPerEndpoint: number;
  maxDurationMs: number;
  settleMs: number;
  /** Compare response bodies (by hash) between the builds, not only statuses. */
  compareBodies?: boolean;
  seed: number;
  /** Build each side's target; `build` is filled in per side. */
  targets: Record<Build, Omit<TargetSpec, 'build'>>;
  /**
   * The flag matrix: the after build again once per flag, that flag flipped, started, warmed and
   * measured in the same rounds on the same requests, so the machine's drift cancels.
   */
  flags?: ReplayFlag[];
}

export interface ReplayFlag {
  name: string;
  /** The after build's target with this flag's environment. */
  target: Omit<TargetSpec, 'build'>;
  /** Added to each request: header and query deliveries. */
  headers: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string>>;
}

export interface ReplayHooks {
  /** Called after the rounds of each look but the last; return true to measure more rounds. */
  onLook?: (roundsDone: number, look: number) => Promise<boolean>;
}

export interface ReplayOutcome {
  rounds: number;
  looks: number;
  wallMs: number;
  complete: boolean;
  reason?: string;
}

const now = () => performance.now();

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const minutes = (ms: number) =>
  ms < 90_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60_000).toFixed(1)} min`;

/** What the first round says about the rest: the planned rounds, and the most the budget allows. */
export function expectedDuration(
  plan: Pick<ReplayPlan, 'looks' | 'maxDurationMs'>,
  firstMs: number,
): string {
  const first = plan.looks[0]!;
  const max = plan.looks[plan.looks.length - 1]!;
  const most = Math.min(max * firstMs, plan.maxDurationMs);
  const extra =
    max > first
      ? `; up to ${minutes(most)} if endpoints stay inconclusive (${Math.min(max, Math.floor(plan.maxDurationMs / firstMs))} rounds within the ${minutes(plan.maxDurationMs)} budget)`
      : '';
  return `expected duration: about ${minutes(Math.min(first * firstMs, plan.maxDurationMs))} for ${first} rounds${extra}`;
}

export async function replay(
  plan: ReplayPlan,
  writer: SamplesWriter,
  logger: Logger,
  signal: AbortSignal,
  hooks: ReplayHooks = {},
): Promise<ReplayOutcome> {
  return new Replay(plan, writer, logger, signal).run(hooks);
}

/** A round's processes: the before and after builds, in the round's order, and the flags'. */
interface RoundMeters {
  first: Meter;
  second: Meter;
  /** The after build at defaults, which the flag configurations are compared with. */
  after: Meter;
  flags: Meter[];
}

/** The round being measured: its number, its order's seed, its processes. */
interface Round {
  r: number;
  seed: number;
  meters: RoundMeters;
  mismatches: Mismatches;
}

type WarmupReport = Awaited<ReturnType<typeof warmUp>>[number];

/** One replay's state: the round and look reached, the processes alive, the flags measured. */
class Replay {
  private readonly started = now();
  private readonly groups: ReturnType<typeof byEndpoint>;
  private readonly maxRounds: number;
  private round = 0;
  private look = 0;
  private lastProgress = 0;
  private readonly live: RunningTarget[] = [];
  /** Flags still measured; the budget may drop some after the first round. */
  private activeFlags: ReplayFlag[];
  private readonly adapters: Map<string, (req: PreparedRequest) => PreparedRequest>;
  /** Simulated counter reads in the round, by the build that read most. */
  private readonly reads = { count: 0, ms: 0, fallbacks: 0, unasked: 0 };

  constructor(
    private readonly plan: ReplayPlan,
    private readonly writer: SamplesWriter,
    private readonly logger: Logger,
    private readonly signal: AbortSignal,
  ) {
    this.groups = byEndpoint(plan.requests);
    this.maxRounds = plan.looks[plan.looks.length - 1] ?? 0;
    this.activeFlags = [...(plan.flags ?? [])];
    this.adapters = new Map(
      this.activeFlags.map((f) => [f.name, adaptRequest(f.headers, f.query)] as const),
    );
  }

  private progress(text: string, force = false): void {
    const t = now();
    if (!force && t - this.lastProgress < 250) return;
    this.lastProgress = t;
    this.logger.progress(
      `round ${this.round}/${this.plan.looks[this.look]} · ${text} · ${((t - this.started) / 1000).toFixed(1)}s`,
    );
  }

  private readonly checkAbort = () => {
    if (this.signal.aborted) throw interruption(this.signal);
  };

  async run(hooks: ReplayHooks): Promise<ReplayOutcome> {
    let reason: string | undefined;
    try {
      reason = await this.rounds(hooks);
    } catch (error) {
      await Promise.all(this.live.map((t) => t.stop()));
      this.writeFailure(error);
      throw error;
    }
    const wallMs = Math.round(now() - this.started);
    this.writer.write({
      kind: 'end',
      at: new Date().toISOString(),
      complete: true,
      ...(reason ? { reason } : {}),
      rounds: this.round,
      wallMs,
    });
    this.writer.flush();
    const looks = this.look + 1;
    return { rounds: this.round, looks, wallMs, complete: true, ...(reason ? { reason } : {}) };
  }

  /** Rounds until the cap, a look that settles the run, or the budget; returns why it stopped. */
  private async rounds(hooks: ReplayHooks): Promise<string | undefined> {
    const { plan } = this;
    for (;;) {
      if (this.round >= this.maxRounds) return undefined;
      if (this.round === plan.looks[this.look]) {
        // A planned look: analysis decides whether more rounds are worth it.
        const more = hooks.onLook ? await hooks.onLook(this.round, this.look) : false;
        if (!more) return 'settled';
        this.look++;
      }
      const elapsed = now() - this.started;
      if (this.round > 0 && elapsed + elapsed / this.round > plan.maxDurationMs) {
        this.logger.warn(
          `stopping after ${this.round} rounds: another round would pass max-duration (${Math.round(plan.maxDurationMs / 1000)}s)`,
        );
        return 'max-duration';
      }
      this.round++;
      const roundStart = now();
      await this.measureRound(this.round);
      const wallMs = Math.round(now() - roundStart);
      const { reads } = this;
      this.writer.write({
        kind: 'round-end',
        round: this.round,
        at: new Date().toISOString(),
        wallMs,
        ...(reads.count > 0
          ? {
              reads: {
                count: reads.count,
                ms: Math.round(reads.ms),
                fallbacks: reads.fallbacks,
                unasked: reads.unasked,
              },
            }
          : {}),
      });
      this.logger.info(
        `round ${this.round}/${plan.looks[this.look]} done in ${(wallMs / 1000).toFixed(1)}s`,
      );
      if (this.round === 1) {
        this.dropUnaffordableFlags(wallMs);
        this.logger.info(expectedDuration(plan, now() - this.started));
      }
    }
  }

  /** After the first round: the flag configurations the budget cannot carry are dropped. */
  private dropUnaffordableFlags(roundMs: number): void {
    const { plan } = this;
    if (this.activeFlags.length === 0) return;
    const keep = affordableFlags({
      flags: this.activeFlags.length,
      roundMs,
      roundsLeft: (plan.looks[0] ?? 1) - 1,
      budgetLeftMs: plan.maxDurationMs - (now() - this.started),
    });
    if (keep >= this.activeFlags.length) return;
    const dropped = this.activeFlags.slice(keep).map((f) => f.name);
    this.activeFlags = this.activeFlags.slice(0, keep);
    const reason = `max-duration (${minutes(plan.maxDurationMs)}) cannot afford ${plural(dropped.length, 'more flag configuration')} for ${plan.looks[0]} rounds`;
    this.writer.write({ kind: 'flag-dropped', flags: dropped, round: this.round + 1, reason });
    this.logger.warn(`flag matrix: not measuring ${dropped.join(', ')}: ${reason}`);
  }

  /** The error and end lines of a run that stopped early: a target's failure is its build's. */
  private writeFailure(error: unknown): void {
    const build = error instanceof TargetError ? error.build : undefined;
    const flag = this.plan.flags?.find((f) => build === `after (flag ${f.name})`);
    const at = () => new Date().toISOString();
    if (build === 'before' || build === 'after' || flag) {
      this.writer.write({
        kind: 'error',
        build: flag ? 'after' : (build as Build),
        round: this.round,
        message: errorMessage(error),
        at: at(),
        ...(flag ? { flag: flag.name } : {}),
      });
    }
    this.writer.write({
      kind: 'end',
      at: at(),
      complete: false,
      reason:
        error instanceof InterruptedError ? 'interrupted' : errorMessage(error).split('\n')[0]!,
      rounds: this.round,
      wallMs: Math.round(now() - this.started),
    });
    this.writer.flush();
  }

  private async measureRound(r: number): Promise<void> {
    const { plan, writer } = this;
    this.reads.count = 0;
    this.reads.ms = 0;
    this.reads.fallbacks = 0;
    this.reads.unasked = 0;
    const order = buildOrder(r);
    const seed = roundSeed(plan.seed, r);
    writer.write({ kind: 'round', round: r, order, seed, at: new Date().toISOString() });
    const opened: Meter[] = [];
    try {
      this.checkAbort();
      this.progress('starting both builds', true);
      const meters = await this.startAll(order, opened);
      await this.warmAll(r, meters);
      const round = { r, seed, meters, mismatches: new Mismatches(writer, r) };
      if (meters.first.perBlock) await this.measureBlocks(round);
      else await this.measureSerially(round);
      for (const m of [meters.first, meters.second, ...meters.flags]) {
        const crash = m.target.crashed();
        if (crash) throw crash;
      }
    } finally {
      for (const m of opened) {
        const sim = m.target.simulated;
        if (sim) {
          this.reads.count = Math.max(this.reads.count, sim.reads);
          this.reads.ms = Math.max(this.reads.ms, sim.readMs);
          this.reads.fallbacks += sim.fallbacks;
          this.reads.unasked += sim.linkStats.unasked;
        }
        m.close();
      }
      await Promise.all(this.live.map((t) => t.stop()));
      this.live.length = 0;
      writer.flush();
    }
  }

  /**
   * Both builds start at once (start-up is most of a round's wall time), and the flags' processes
   * with them; whichever started is tracked in `opened`, so a failure of one still stops the rest.
   */
  private async startAll(order: readonly Build[], opened: Meter[]): Promise<RoundMeters> {
    const { plan, writer, signal, logger } = this;
    const compareBodies = plan.compareBodies ?? false;
    const start = async (spec: TargetSpec, variant?: ConstructorParameters<typeof Meter>[4]) => {
      const target = await startTarget(spec, signal, logger);
      this.live.push(target);
      const meter = new Meter(target, writer, plan.settleMs, compareBodies, variant);
      opened.push(meter);
      return meter;
    };
    const meters: Partial<Record<Build, Meter>> = {};
    const launched = await Promise.allSettled(
      order.map(async (build) => {
        meters[build] = await start({ ...plan.targets[build], build });
      }),
    );
    const flagged = await Promise.allSettled(
      this.activeFlags.map((f) =>
        start(
          { ...f.target, build: 'after', label: `after (flag ${f.name})` },
          { flag: f.name, adapt: this.adapters.get(f.name)! },
        ),
      ),
    );
    const failed = [...launched, ...flagged].find(
      (s): s is PromiseRejectedResult => s.status === 'rejected',
    );
    if (failed) throw failed.reason;
    const [first, second] = order.map((b) => meters[b]!) as [Meter, Meter];
    const flags = flagged.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    return { first, second, after: meters.after!, flags };
  }

  /**
   * Both processes warm at once, each on its own core: warm-up is most of a round's time, and
   * nothing is measured while it runs. The flag configurations warm two at a time too.
   */
  private async warmAll(r: number, meters: RoundMeters): Promise<void> {
    const { plan } = this;
    let warmed = 0;
    const deadline = this.started + plan.maxDurationMs;
    const warm = (ms: readonly Meter[]) =>
      warmUp(ms, this.groups, plan.warmup, deadline, this.checkAbort, (n) => {
        warmed += n;
        this.progress(`warming up · ${warmed} requests`);
      });
    const builds = [meters.first, meters.second];
    const reports = await warm(builds);
    // The flag configurations warm two at a time, each pair on the same requests.
    const flagReports: WarmupReport[] = [];
    for (let i = 0; i < meters.flags.length; i += 2) {
      flagReports.push(...(await warm(meters.flags.slice(i, i + 2))));
    }
    if (now() - this.started > plan.maxDurationMs) {
      // The budget covers warm-up too; the round still measures, so the run has samples.
      this.logger.warn(
        `warm-up stopped: max-duration (${Math.round(plan.maxDurationMs / 1000)}s) is spent; measuring this round anyway`,
      );
    }
    builds.forEach((m, i) => this.writeWarmup(r, m, reports[i]!));
    meters.flags.forEach((m, i) => this.writeWarmup(r, m, flagReports[i]!));
  }

  private writeWarmup(r: number, m: Meter, w: WarmupReport): void {
    this.writer.write({
      kind: 'warmup',
      round: r,
      build: m.target.build,
      wallMs: w.wallMs,
      endpoints: w.endpoints,
      ...(w.timedOut ? { timedOut: true } : {}),
      ...(m.flag !== undefined ? { flag: m.flag } : {}),
    });
  }

  /**
   * Counted instructions do not depend on what else runs: every process takes each block at
   * once, and the counter is read only between blocks.
   */
  private async measureBlocks(round: Round): Promise<void> {
    const { r, seed, meters, mismatches } = round;
    const { first, second, flags } = meters;
    const blocks = roundBlocks(this.groups, this.plan.requestsPerEndpoint, seed);
    let sent = 0;
    const total = blocks.reduce((n, b) => n + b.reqs.length, 0);
    const all = [first, second, ...flags];
    await Promise.all(all.map((m) => m.collectFull()));
    for (const { reqs, block } of blocks) {
      this.checkAbort();
      const answers = await Promise.all(all.map((m) => m.measureBlock(reqs, r, block)));
      const [rx, ry] = answers;
      reqs.forEach((req, i) => mismatches.compare(req, rx![i]!, ry![i]!, first));
      const atDefaults = answers[all.indexOf(meters.after)]!;
      flags.forEach((m, j) =>
        reqs.forEach((req, i) =>
          mismatches.compareFlag(req, atDefaults[i]!, m, answers[2 + j]![i]!),
        ),
      );
      sent += reqs.length;
      this.progress(`measuring · ${sent}/${total} requests`);
    }
  }

  /** Request by request, the builds in turn, alternating which serves a request first. */
  private async measureSerially(round: Round): Promise<void> {
    const { r, seed, meters, mismatches } = round;
    const { first, second, flags } = meters;
    const schedule = roundSchedule(this.groups, this.plan.requestsPerEndpoint, seed);
    for (let k = 0; k < schedule.length; k++) {
      this.checkAbort();
      const { req, block } = schedule[k]!;
      // Alternate which build serves a request first, so neither always follows the other.
      const [x, y] = k % 2 === 0 ? [first, second] : [second, first];
      if (flags.length === 0) {
        const rx = await x.measure(req, r, block);
        const ry = await y.measure(req, r, block);
        mismatches.compare(req, rx, ry, x);
      } else {
        // Every process of the round in turn, each position taken equally often by each.
        const answers = new Map<Meter, ReplayResponse>();
        for (const m of measureOrder([first, second, ...flags], k)) {
          answers.set(m, await m.measure(req, r, block));
        }
        mismatches.compare(req, answers.get(x)!, answers.get(y)!, x);
        const atDefaults = answers.get(meters.after)!;
        for (const m of flags) mismatches.compareFlag(req, atDefaults, m, answers.get(m)!);
      }
      this.progress(`measuring · ${k + 1}/${schedule.length} requests`);
    }
  }
}

/** A request repeated in the round that answers differently is reported once per round. */
class Mismatches {
  private readonly seen = new Set<number | string>();

  constructor(
    private readonly writer: SamplesWriter,
    private readonly round: number,
  ) {}

  compare(req: PreparedRequest, rx: ReplayResponse, ry: ReplayResponse, x: Meter): void {
    if ((rx.status === ry.status && rx.bodyHash === ry.bodyHash) || this.seen.has(req.id)) return;
    this.seen.add(req.id);
    const [before, after] = x.target.build === 'before' ? [rx, ry] : [ry, rx];
    this.write(
      req,
      before.status,
      after.status,
      before.status === after.status
        ? { bodies: { before: before.bodyHash!, after: after.bodyHash! } }
        : {},
    );
  }

  /** The flag matrix: a flag may change what a page says, not whether it answers. */
  compareFlag(
    req: PreparedRequest,
    atDefaults: ReplayResponse,
    m: Meter,
    res: ReplayResponse,
  ): void {
    const key = `${m.flag}\u0000${req.id}`;
    if (res.status === atDefaults.status || this.seen.has(key)) return;
    this.seen.add(key);
    this.write(req, atDefaults.status, res.status, { flag: m.flag! });
  }

  private write(
    req: PreparedRequest,
    before: number,
    after: number,
    more: { bodies?: { before: string; after: string }; flag?: string },
  ): void {
    this.writer.write({
      kind: 'mismatch',
      endpoint: req.endpoint,
      request: req.id,
      round: this.round,
      before,
      after,
      ...more,
    });
  }
}
