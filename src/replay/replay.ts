// The measured replay: R rounds; each round starts a fresh before and a fresh after process (in
// ABBA order), warms each up, then replays the whole workload serially, reading the counter group
// right before each request and right after its response. Every measurement is streamed to
// samples.jsonl at once.

import { InterruptedError, TargetError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { SamplesWriter } from '../samples/writer.js';
import type { Build } from '../samples/types.js';
import { startTarget, type RunningTarget, type TargetSpec } from '../targets/target.js';
import { LocalClient, type ReplayRequest } from './client.js';
import { measurePass, requestFailure } from './measure-pass.js';
import { buildOrder, roundSeed, shuffledIndices } from './order.js';

export interface PreparedRequest extends ReplayRequest {
  id: number | string;
  endpoint: string;
}

export interface ReplayPlan {
  requests: PreparedRequest[];
  /** Cumulative rounds at each planned look; the first is the configured rounds, the last the cap. */
  looks: number[];
  warmup: number;
  maxDurationMs: number;
  settleMs: number;
  seed: number;
  /** Build each side's target; `build` is filled in per side. */
  targets: Record<Build, Omit<TargetSpec, 'build'>>;
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

export async function replay(
  plan: ReplayPlan,
  writer: SamplesWriter,
  logger: Logger,
  signal: AbortSignal,
  hooks: ReplayHooks = {},
): Promise<ReplayOutcome> {
  const started = now();
  const total = plan.requests.length;
  const statuses = new Map<number, Int16Array>(); // round → status of each request in the first build
  let round = 0;
  let look = 0;
  let lastProgress = 0;
  let live: RunningTarget | undefined;
  const maxRounds = plan.looks[plan.looks.length - 1] ?? 0;

  const progress = (text: string, force = false) => {
    const t = now();
    if (!force && t - lastProgress < 250) return;
    lastProgress = t;
    logger.progress(`${text} · ${((t - started) / 1000).toFixed(1)}s`);
  };

  const checkAbort = () => {
    if (signal.aborted) throw new InterruptedError(String(signal.reason ?? 'SIGINT'));
  };

  const measureBuild = async (build: Build, r: number, order: number[]) => {
    checkAbort();
    progress(`round ${r}/${plan.looks[look]} · ${build} · starting`, true);
    const target = await startTarget({ ...plan.targets[build], build }, signal, logger);
    live = target;
    const client = new LocalClient(target.port);
    try {
      for (let pass = 0; pass < plan.warmup; pass++) {
        for (let i = 0; i < total; i++) {
          checkAbort();
          const req = plan.requests[i]!;
          await client.send(req).catch((e: unknown) => {
            throw requestFailure(target, req, e);
          });
          progress(
            `round ${r}/${plan.looks[look]} · ${build} · warm-up ${pass + 1}/${plan.warmup} · ${i + 1}/${total}`,
          );
        }
      }
      const measured = await measurePass(target, client, plan.requests, writer, {
        round: r,
        order,
        settleMs: plan.settleMs,
        beforeEach: checkAbort,
        afterEach: (done) =>
          progress(`round ${r}/${plan.looks[look]} · ${build} · ${done}/${total} requests`),
      });
      const first = statuses.get(r);
      if (first) {
        for (let i = 0; i < total; i++) {
          if (first[i] === measured[i]) continue;
          const req = plan.requests[i]!;
          writer.write({
            kind: 'mismatch',
            endpoint: req.endpoint,
            request: req.id,
            round: r,
            before: build === 'before' ? measured[i]! : first[i]!,
            after: build === 'after' ? measured[i]! : first[i]!,
          });
        }
        statuses.delete(r);
      } else {
        statuses.set(r, measured);
      }
      const crash = target.crashed();
      if (crash) throw crash;
    } finally {
      client.close();
      live = undefined;
      await target.stop();
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
      const perRound = round > 0 ? elapsed / round : 0;
      if (round > 0 && elapsed + perRound > plan.maxDurationMs) {
        reason = 'max-duration';
        logger.warn(
          `stopping after ${round} rounds: another round would pass max-duration (${Math.round(plan.maxDurationMs / 1000)}s)`,
        );
        break;
      }
      round++;
      const roundStart = now();
      const order = buildOrder(round);
      const seed = roundSeed(plan.seed, round);
      writer.write({ kind: 'round', round, order, seed, at: new Date().toISOString() });
      const requestOrder = shuffledIndices(total, seed);
      for (const build of order) await measureBuild(build, round, requestOrder);
      writer.write({
        kind: 'round-end',
        round,
        at: new Date().toISOString(),
        wallMs: Math.round(now() - roundStart),
      });
      logger.info(
        `round ${round}/${plan.looks[look]} done in ${((now() - roundStart) / 1000).toFixed(1)}s`,
      );
    }
  } catch (error) {
    if (live) await live.stop();
    const build = error instanceof TargetError ? (error.build as Build) : undefined;
    if (build === 'before' || build === 'after') {
      writer.write({
        kind: 'error',
        build,
        round,
        message: error instanceof Error ? error.message : String(error),
        at: new Date().toISOString(),
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
