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
  const started = now();
  const groups = byEndpoint(plan.requests);
  const maxRounds = plan.looks[plan.looks.length - 1] ?? 0;
  let round = 0;
  let look = 0;
  let lastProgress = 0;
  const live: RunningTarget[] = [];

  const progress = (text: string, force = false) => {
    const t = now();
    if (!force && t - lastProgress < 250) return;
    lastProgress = t;
    logger.progress(
      `round ${round}/${plan.looks[look]} · ${text} · ${((t - started) / 1000).toFixed(1)}s`,
    );
  };
  const checkAbort = () => {
    if (signal.aborted) throw interruption(signal);
  };

  // Flags still measured; the budget may drop some after the first round.
  let activeFlags = [...(plan.flags ?? [])];
  const adapters = new Map(
    activeFlags.map((f) => [f.name, adaptRequest(f.headers, f.query)] as const),
  );

  /** Simulated counter reads in the round, by the build that read most. */
  const reads = { count: 0, ms: 0 };
  const measureRound = async (r: number) => {
    reads.count = 0;
    reads.ms = 0;
    const order = buildOrder(r);
    const seed = roundSeed(plan.seed, r);
    writer.write({ kind: 'round', round: r, order, seed, at: new Date().toISOString() });
    const meters: Partial<Record<Build, Meter>> = {};
    const flagMeters: Meter[] = [];
    try {
      checkAbort();
      progress('starting both builds', true);
      // Both start at once (start-up is most of a round's wall time); whichever started is
      // tracked, so a failure of one still stops the other.
      const launched = await Promise.allSettled(
        order.map(async (build) => {
          const target = await startTarget({ ...plan.targets[build], build }, signal, logger);
          live.push(target);
          meters[build] = new Meter(target, writer, plan.settleMs, plan.compareBodies ?? false);
        }),
      );
      const flagged = await Promise.allSettled(
        activeFlags.map(async (f) => {
          const target = await startTarget(
            { ...f.target, build: 'after', label: `after (flag ${f.name})` },
            signal,
            logger,
          );
          live.push(target);
          return new Meter(target, writer, plan.settleMs, plan.compareBodies ?? false, {
            flag: f.name,
            adapt: adapters.get(f.name)!,
          });
        }),
      );
      for (const s of flagged) if (s.status === 'fulfilled') flagMeters.push(s.value);
      const failed = [...launched, ...flagged].find(
        (s): s is PromiseRejectedResult => s.status === 'rejected',
      );
      if (failed) throw failed.reason;
      const [first, second] = order.map((b) => meters[b]!) as [Meter, Meter];
      // Both processes warm at once, each on its own core: warm-up is most of a round's time,
      // and nothing is measured while it runs.
      let warmed = 0;
      const deadline = started + plan.maxDurationMs;
      const warm = (m: Meter) =>
        warmUp(m, groups, plan.warmup, deadline, checkAbort, (n) => {
          warmed += n;
          progress(`warming up · ${warmed} requests`);
        });
      const reports = await Promise.all([first, second].map(warm));
      // The flag configurations warm two at a time too: one process per core.
      const flagReports: Awaited<ReturnType<typeof warm>>[] = [];
      for (let i = 0; i < flagMeters.length; i += 2) {
        flagReports.push(...(await Promise.all(flagMeters.slice(i, i + 2).map(warm))));
      }
      if (now() - started > plan.maxDurationMs) {
        // The budget covers warm-up too; the round still measures, so the run has samples.
        logger.warn(
          `warm-up stopped: max-duration (${Math.round(plan.maxDurationMs / 1000)}s) is spent; measuring this round anyway`,
        );
      }
      [first, second].forEach((m, i) => {
        const w = reports[i]!;
        writer.write({
          kind: 'warmup',
          round: r,
          build: m.target.build,
          wallMs: w.wallMs,
          endpoints: w.endpoints,
          ...(w.timedOut ? { timedOut: true } : {}),
        });
      });
      flagMeters.forEach((m, i) => {
        const w = flagReports[i]!;
        writer.write({
          kind: 'warmup',
          round: r,
          build: 'after',
          wallMs: w.wallMs,
          endpoints: w.endpoints,
          ...(w.timedOut ? { timedOut: true } : {}),
          flag: m.flag!,
        });
      });
      // A request repeated in the round that answers differently is reported once per round.
      const mismatched = new Set<number | string>();
      const compare = (req: PreparedRequest, rx: ReplayResponse, ry: ReplayResponse, x: Meter) => {
        if ((rx.status === ry.status && rx.bodyHash === ry.bodyHash) || mismatched.has(req.id))
          return;
        mismatched.add(req.id);
        const [before, after] = x.target.build === 'before' ? [rx, ry] : [ry, rx];
        writer.write({
          kind: 'mismatch',
          endpoint: req.endpoint,
          request: req.id,
          round: r,
          before: before.status,
          after: after.status,
          ...(before.status === after.status
            ? { bodies: { before: before.bodyHash!, after: after.bodyHash! } }
            : {}),
        });
      };
      // The flag matrix: a flag may change what a page says, not whether it answers.
      const compareFlag = (
        req: PreparedRequest,
        atDefaults: ReplayResponse,
        m: Meter,
        res: ReplayResponse,
      ) => {
        const key = `${m.flag}\u0000${req.id}`;
        if (res.status === atDefaults.status || mismatched.has(key)) return;
        mismatched.add(key);
        writer.write({
          kind: 'mismatch',
          endpoint: req.endpoint,
          request: req.id,
          round: r,
          before: atDefaults.status,
          after: res.status,
          flag: m.flag!,
        });
      };
      if (first.perBlock) {
        // Counted instructions do not depend on what else runs: both builds take each block at
        // once, and the counter is read only between blocks.
        const blocks = roundBlocks(groups, plan.requestsPerEndpoint, seed);
        let sent = 0;
        const total = blocks.reduce((n, b) => n + b.reqs.length, 0);
        const all = [first, second, ...flagMeters];
        for (const { reqs, block } of blocks) {
          checkAbort();
          const answers = await Promise.all(all.map((m) => m.measureBlock(reqs, r, block)));
          const [rx, ry] = answers;
          reqs.forEach((req, i) => compare(req, rx![i]!, ry![i]!, first));
          const atDefaults = answers[all.indexOf(meters.after!)]!;
          flagMeters.forEach((m, j) =>
            reqs.forEach((req, i) => compareFlag(req, atDefaults[i]!, m, answers[2 + j]![i]!)),
          );
          sent += reqs.length;
          progress(`measuring · ${sent}/${total} requests`);
        }
      } else {
        const schedule = roundSchedule(groups, plan.requestsPerEndpoint, seed);
        for (let k = 0; k < schedule.length; k++) {
          checkAbort();
          const { req, block } = schedule[k]!;
          // Alternate which build serves a request first, so neither always follows the other.
          const [x, y] = k % 2 === 0 ? [first, second] : [second, first];
          if (flagMeters.length === 0) {
            const rx = await x.measure(req, r, block);
            const ry = await y.measure(req, r, block);
            compare(req, rx, ry, x);
          } else {
            // Every process of the round in turn, each position taken equally often by each.
            const answers = new Map<Meter, ReplayResponse>();
            for (const m of measureOrder([first, second, ...flagMeters], k)) {
              answers.set(m, await m.measure(req, r, block));
            }
            compare(req, answers.get(x)!, answers.get(y)!, x);
            const atDefaults = answers.get(meters.after!)!;
            for (const m of flagMeters) compareFlag(req, atDefaults, m, answers.get(m)!);
          }
          progress(`measuring · ${k + 1}/${schedule.length} requests`);
        }
      }
      for (const m of [first, second, ...flagMeters]) {
        const crash = m.target.crashed();
        if (crash) throw crash;
      }
    } finally {
      for (const m of [...Object.values(meters), ...flagMeters]) {
        const sim = m.target.simulated;
        if (sim) {
          reads.count = Math.max(reads.count, sim.reads);
          reads.ms = Math.max(reads.ms, sim.readMs);
        }
        m.close();
      }
      await Promise.all(live.map((t) => t.stop()));
      live.length = 0;
      writer.flush();
    }
  };

  let reason: string | undefined;
  try {
    for (;;) {
      if (round >= maxRounds) break;
      if (round === plan.looks[look]) {
        // A planned look: analysis decides whether more rounds are worth it.
        const more = hooks.onLook ? await hooks.onLook(round, look) : false;
        if (!more) {
          reason = 'settled';
          break;
        }
        look++;
      }
      const elapsed = now() - started;
      if (round > 0 && elapsed + elapsed / round > plan.maxDurationMs) {
        reason = 'max-duration';
        logger.warn(
          `stopping after ${round} rounds: another round would pass max-duration (${Math.round(plan.maxDurationMs / 1000)}s)`,
        );
        break;
      }
      round++;
      const roundStart = now();
      await measureRound(round);
      const wallMs = Math.round(now() - roundStart);
      writer.write({
        kind: 'round-end',
        round,
        at: new Date().toISOString(),
        wallMs,
        ...(reads.count > 0 ? { reads: { count: reads.count, ms: Math.round(reads.ms) } } : {}),
      });
      logger.info(`round ${round}/${plan.looks[look]} done in ${(wallMs / 1000).toFixed(1)}s`);
      if (round === 1 && activeFlags.length > 0) {
        const keep = affordableFlags({
          flags: activeFlags.length,
          roundMs: wallMs,
          roundsLeft: (plan.looks[0] ?? 1) - 1,
          budgetLeftMs: plan.maxDurationMs - (now() - started),
        });
        if (keep < activeFlags.length) {
          const dropped = activeFlags.slice(keep).map((f) => f.name);
          activeFlags = activeFlags.slice(0, keep);
          const reason = `max-duration (${minutes(plan.maxDurationMs)}) cannot afford ${plural(dropped.length, 'more flag configuration')} for ${plan.looks[0]} rounds`;
          writer.write({ kind: 'flag-dropped', flags: dropped, round: round + 1, reason });
          logger.warn(`flag matrix: not measuring ${dropped.join(', ')}: ${reason}`);
        }
      }
      if (round === 1) logger.info(expectedDuration(plan, now() - started));
    }
  } catch (error) {
    await Promise.all(live.map((t) => t.stop()));
    const build = error instanceof TargetError ? error.build : undefined;
    const flag = plan.flags?.find((f) => build === `after (flag ${f.name})`);
    if (build === 'before' || build === 'after' || flag) {
      writer.write({
        kind: 'error',
        build: flag ? 'after' : (build as Build),
        round,
        message: errorMessage(error),
        at: new Date().toISOString(),
        ...(flag ? { flag: flag.name } : {}),
      });
    }
    writer.write({
      kind: 'end',
      at: new Date().toISOString(),
      complete: false,
      reason:
        error instanceof InterruptedError ? 'interrupted' : errorMessage(error).split('\n')[0]!,
      rounds: round,
      wallMs: Math.round(now() - started),
    });
    writer.flush();
    throw error;
  }
  const wallMs = Math.round(now() - started);
  writer.write({
    kind: 'end',
    at: new Date().toISOString(),
    complete: true,
    ...(reason ? { reason } : {}),
    rounds: round,
    wallMs,
  });
  writer.flush();
  return { rounds: round, looks: look + 1, wallMs, complete: true, ...(reason ? { reason } : {}) };
}
