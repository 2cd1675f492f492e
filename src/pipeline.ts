// The gate end to end, as its stages: plan (config, counters, workload) → measure (build both
// sides, replay them) → decide (analysis) → write the artifacts (result.json, report.md, the
// profiling pass). src/cli.ts (`perfgate run`) and src/main.ts (the action) both call runGate,
// so local runs and CI runs agree.

import { randomInt } from 'node:crypto';
import type { Logger } from './log.js';
import {
  analyzeWithFlags,
  analysisOptions,
  errorResult,
  flagsNeedMoreRounds,
  guardErrorAnswers,
  planLooks,
  warning,
  type FlagAnalysisOptions,
  type RunResult,
} from './analysis/index.js';
import { prepareMatrix, type PreparedMatrix } from './flags/index.js';
import {
  gateOutcome,
  outputPaths,
  saveOutputs,
  type GateOutcome,
  type OutputPaths,
} from './report/index.js';
import {
  applyOverrides,
  loadConfig,
  requireRunnable,
  withSimulatedDefaults,
  type ConfigOverrides,
  type RunnableConfig,
} from './config/index.js';
import {
  chooseCounting,
  probe,
  probeValgrind,
  type Counting,
  type ProbeReport,
} from './counters/index.js';
import {
  ConfigError,
  EnvironmentError,
  InterruptedError,
  TargetError,
  errorMessage,
} from './errors.js';
import { usePidFile } from './proc/registry.js';
import { aslrOffWorks } from './proc/aslr.js';
import {
  prepareRequests,
  replay,
  type PreparedRequest,
  type ReplayHooks,
  type ReplayPlan,
} from './replay/index.js';
import {
  OutputError,
  SamplesWriter,
  ensureOutDir,
  readSamples,
  samplesHeader,
  type Build,
} from './samples/index.js';
import {
  prepareBuilds,
  removeBuilds,
  targetEnvironment,
  type PreparedBuild,
} from './targets/index.js';
import { loadWorkload, type Workload } from './workload/index.js';
import { selectShard, type ShardRequest, type ShardSelection } from './workload/shard.js';
import { attachExplanation } from './explain/index.js';

export interface GateOverrides extends ConfigOverrides {
  /** Measure only this shard's endpoints (`perfgate run --shard i/n`). */
  shard?: ShardRequest;
}

export interface GateOptions {
  configPath: string;
  outDir: string;
  overrides?: GateOverrides;
  /** Same build on both sides (A/A), for calibration. */
  aa?: boolean;
  logger: Logger;
  signal: AbortSignal;
  /** File where the pgids of live targets are recorded, so a later step can kill leftovers. */
  pidFile?: string;
  /** Environment for the targets and for `${VAR}` headers (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Seed for the request order (default: random, recorded in the samples). */
  seed?: number;
}

/** Everything settled before anything is built: a bad config or workload stops the run here. */
interface GatePlan {
  options: GateOptions;
  logger: Logger;
  config: RunnableConfig;
  aa: boolean;
  report: ProbeReport;
  counting: Extract<Counting, { ok: true }>;
  workload: Workload;
  shard: ShardSelection | undefined;
  requests: PreparedRequest[];
  noAslr: boolean;
  matrix: PreparedMatrix | undefined;
  /** Built on purpose: perfgate's own secrets never reach the code under test (README: Environment). */
  targetEnv: NodeJS.ProcessEnv;
  /** Cumulative rounds at each planned look. */
  looks: number[];
  paths: OutputPaths;
  analysis: FlagAnalysisOptions;
}

/** What the measuring left: the samples written, and the failure that ended it early, if one did. */
interface Measurement {
  builds: Partial<Record<Build, PreparedBuild>>;
  writer: SamplesWriter | undefined;
  /** Looks taken at the planned rounds. */
  looks: number;
  /** The replay ran to its end (so the builds are worth profiling). */
  measured: boolean;
  failure: unknown;
}

export async function runGate(options: GateOptions): Promise<GateOutcome> {
  const plan = await planGate(options);
  const builds: Partial<Record<Build, PreparedBuild>> = {};
  try {
    const measurement = await measure(plan, builds);
    const result = await decide(plan, measurement);
    return await writeArtifacts(plan, measurement, result);
  } finally {
    // Worktrees stay until the profiling pass (explain) has run on them.
    await removeBuilds(builds);
  }
}

async function planGate(options: GateOptions): Promise<GatePlan> {
  const { logger } = options;
  const env = options.env ?? process.env;
  const aa = options.aa ?? false;
  const config = withSimulatedDefaults(
    requireRunnable(
      applyOverrides(await loadConfig(options.configPath), options.overrides ?? {}, aa, logger),
    ),
  );
  const report = probe();
  const counting = countOn(config, report, logger);
  const workload = await loadWorkload(config.workload, { routes: config.routes });
  if (workload.requests.length === 0) {
    throw new EnvironmentError(`the workload ${config.workload} holds no requests`);
  }
  const shard = options.overrides?.shard
    ? selectShard(workload, options.overrides.shard, logger)
    : undefined;
  const requests = prepareRequests(config, shard?.requests ?? workload.requests, env);
  const noAslr = await aslrOff(config, logger);
  ensureOutDir(options.outDir);
  const matrix = flagMatrix(config, aa, options.outDir, logger);
  const analysis = {
    ...analysisOptions(config),
    // A shard's verdicts join the other shards' in the merge's family: judge at its size.
    ...(shard ? { elsewhere: workload.endpoints.length - shard.endpoints.length } : {}),
    onFlagRegression: config.onFlagRegression,
    skipped: matrix?.skipped ?? [],
  };
  return {
    options,
    logger,
    config,
    aa,
    report,
    counting,
    workload,
    shard,
    requests,
    noAslr,
    matrix,
    targetEnv: targetEnvironment(env, config.env),
    looks: planLooks(config.measure.rounds, config.measure.maxRounds),
    paths: outputPaths(options.outDir),
    analysis,
  };
}

/** The counters and the targets' CPUs, said aloud when they are not what was asked for. */
function countOn(
  config: RunnableConfig,
  report: ProbeReport,
  logger: Logger,
): Extract<Counting, { ok: true }> {
  const counting = chooseCounting([config.measure.counter], config.measure.cpus, report);
  if (!counting.ok) {
    throw new ConfigError(
      counting.message,
      { file: config.file, line: config.lines['measure.cpus'], path: 'measure.cpus' },
      counting.hint,
    );
  }
  const { counter, valgrind } = counting;
  if (valgrind)
    logger.info(`counting simulated instructions with Valgrind ${valgrind.version} (Callgrind)`);
  if (counter.fallback) logger.warn(`${counter.reason}`, 'counter fallback');
  if (counter.fallback && probeValgrind().ok) {
    logger.info(
      "Valgrind is installed: 'measure.counter: simulated' counts instructions without a PMU (30–40× slower, far less noise)",
    );
  }
  if (counting.cpus)
    logger.info(`targets run on CPUs ${counting.cpus}${counting.pmu ? ` (${counting.pmu})` : ''}`);
  return counting;
}

async function aslrOff(config: RunnableConfig, logger: Logger): Promise<boolean> {
  if (config.measure.aslr) return false;
  if (await aslrOffWorks()) return true;
  logger.warn(
    'cannot turn address-space randomisation off here (setarch -R failed); measuring with it on',
  );
  return false;
}

/** The flag matrix: the service's flag file is read now, so a bad one stops the run before builds. */
function flagMatrix(
  config: RunnableConfig,
  aa: boolean,
  outDir: string,
  logger: Logger,
): PreparedMatrix | undefined {
  if (aa) {
    if (config.flags) logger.info('flag matrix: not measured in an A/A run');
    return undefined;
  }
  const matrix = prepareMatrix(config, outDir);
  if (!matrix) return undefined;
  for (const s of matrix.skipped) logger.info(`flag matrix: ${s.flag} left out (${s.reason})`);
  logger.info(
    matrix.flags.length > 0
      ? `flag matrix: the after build also with each of ${matrix.flags.length} flags flipped alone (${matrix.flags.map((f) => f.flag).join(', ')})`
      : 'flag matrix: no flags to measure',
  );
  return matrix;
}

/**
 * Builds both sides and replays them into samples.jsonl. A crashed target or a full disk ends the
 * run, but what was measured is still reported: such a failure is returned, not thrown.
 */
async function measure(
  plan: GatePlan,
  builds: Partial<Record<Build, PreparedBuild>>,
): Promise<Measurement> {
  const { options, logger } = plan;
  const m: Measurement = {
    builds,
    writer: undefined,
    looks: 1,
    measured: false,
    failure: undefined,
  };
  usePidFile(options.pidFile);
  try {
    const ready = await prepareBuilds(
      {
        config: plan.config,
        overrides: options.overrides ?? {},
        aa: plan.aa,
        env: plan.targetEnv,
        signal: options.signal,
        logger,
      },
      builds,
    );
    const seed = options.seed ?? randomInt(0, 2 ** 31);
    m.writer = new SamplesWriter(plan.paths.samplesPath);
    m.writer.write(headerOf(plan, ready, seed));
    m.writer.flush();
    logger.info(planLine(plan.config, plan.looks));
    const hooks = { onLook: lookHook(plan, m.writer) };
    const outcome = await replay(
      replayPlan(plan, ready, seed),
      m.writer,
      logger,
      options.signal,
      hooks,
    );
    m.looks = outcome.looks;
    m.measured = true;
  } catch (error) {
    if (error instanceof InterruptedError) {
      if (m.writer) logger.info(`stopped; the samples measured so far are in ${m.writer.path}`);
      throw error;
    }
    if (!(error instanceof TargetError || error instanceof OutputError)) throw error;
    m.failure = error;
  } finally {
    try {
      m.writer?.close();
    } catch (error) {
      m.failure ??= error;
    }
    usePidFile(undefined);
  }
  return m;
}

function headerOf(plan: GatePlan, builds: Record<Build, PreparedBuild>, seed: number) {
  const { config, counting } = plan;
  return samplesHeader({
    config,
    counter: counting.counter,
    seed,
    noAslr: plan.noAslr,
    aa: plan.aa,
    report: plan.report,
    builds,
    workload: plan.workload,
    requests: plan.requests.length,
    placement: { cpus: counting.cpus, pmu: counting.pmu },
    shard: plan.shard,
    looks: plan.looks,
    matrix: plan.matrix,
    simulated: counting.valgrind && {
      valgrind: counting.valgrind.version,
      threads: config.measure.threads,
      nodeFlags: config.measure.nodeFlags,
      gc: config.measure.gc,
      env: { PYTHONHASHSEED: plan.targetEnv.PYTHONHASHSEED ?? '0' },
    },
  });
}

/** The run's plan in one line, printed before the first round. */
function planLine(config: RunnableConfig, plan: number[]): string {
  const m = config.measure;
  const warm =
    m.warmup.mode === 'auto'
      ? `warm-up until each endpoint's cost settles (${m.warmup.min}–${m.warmup.max} requests)`
      : `warm-up ${m.warmup.requests} requests per endpoint`;
  const more =
    plan.length > 1 ? `, up to ${plan[plan.length - 1]} while endpoints are inconclusive` : '';
  return `plan: ${plan[0]} rounds${more}; each a fresh process per build, ${warm}, then ≥ ${m.requests} measured requests per endpoint; budget ${Math.round(m.maxDurationMs / 60_000)} min`;
}

/** At each planned look, the interim analysis says whether inconclusive endpoints need more rounds. */
function lookHook(plan: GatePlan, writer: SamplesWriter): ReplayHooks['onLook'] {
  return async (_rounds, look) => {
    writer.flush();
    const interim = analyzeWithFlags(await readSamples(plan.paths.samplesPath), {
      ...plan.analysis,
      sequential: { plan: plan.looks, look },
    });
    const more = flagsNeedMoreRounds(interim);
    if (more)
      plan.logger.info(
        `look ${look + 1}: ${interim.counts.inconclusive} endpoint(s) inconclusive; measuring more rounds`,
      );
    return more;
  };
}

function replayPlan(
  plan: GatePlan,
  builds: Record<Build, PreparedBuild>,
  seed: number,
): ReplayPlan {
  const { config, counting, targetEnv, matrix } = plan;
  const simulated = counting.valgrind !== undefined;
  const common = {
    env: simulated ? { PYTHONHASHSEED: '0', ...targetEnv } : targetEnv,
    ...(simulated
      ? {
          simulated: {
            threads: config.measure.threads,
            nodeFlags: config.measure.nodeFlags,
            gc: config.measure.gc,
          },
        }
      : {}),
    readiness: config.ready,
    events: counting.counter.all,
    // User-space counting: it works at perf_event_paranoid 2 (the clock events include kernel time anyway).
    kernel: false,
    noAslr: plan.noAslr,
    placement: counting.placement,
  };
  const after = { ...common, cwd: builds.after.cwd, start: config.after.start };
  return {
    requests: plan.requests,
    looks: plan.looks,
    warmup: config.measure.warmup,
    requestsPerEndpoint: config.measure.requests,
    maxDurationMs: config.measure.maxDurationMs,
    settleMs: config.measure.settleMs,
    compareBodies: config.measure.compare === 'body',
    seed,
    targets: {
      before: { ...common, cwd: builds.before.cwd, start: config.before.start },
      after: { ...after, env: { ...common.env, ...matrix?.defaultsEnv } },
    },
    flags: (matrix?.flags ?? []).map((f) => ({
      name: f.flag,
      target: { ...after, env: { ...common.env, ...f.targetEnv } },
      headers: f.headers,
      query: f.query,
    })),
  };
}

/** The analysis of what was measured; a run that ended early is an error, with its reason. */
async function decide(plan: GatePlan, m: Measurement): Promise<RunResult> {
  const { counter } = plan.counting;
  // A writer that never got a line out (the disk was full from the start) left nothing to read.
  if (!m.writer || m.writer.bytes === 0)
    return errorResult(counter, plan.analysis, errorMessage(m.failure));
  let result: RunResult;
  try {
    const set = await readSamples(plan.paths.samplesPath);
    result = guardErrorAnswers(
      analyzeWithFlags(set, {
        ...plan.analysis,
        sequential: { plan: plan.looks, look: m.looks - 1 },
      }),
      set.samples.filter((x) => x.flag === undefined),
      plan.config.allowErrors,
    );
  } catch (error) {
    // The analysis itself failed: say why rather than lose it behind an empty failure.
    m.failure ??= error;
    return errorResult(counter, plan.analysis, errorMessage(m.failure));
  }
  for (const w of result.warnings.filter((w) => w.code === 'http-errors'))
    plan.logger.warn(w.message);
  if (!m.failure) return result;
  const line = errorMessage(m.failure).split('\n')[0]!;
  return {
    ...result,
    verdict: 'error',
    warnings: [...result.warnings, warning('run-failure', line)],
  };
}

/**
 * result.json and report.md, then the profiling pass when the config asks for it: the measured
 * result is saved first, so a Ctrl-C during the pass keeps it.
 */
async function writeArtifacts(
  plan: GatePlan,
  m: Measurement,
  measured: RunResult,
): Promise<GateOutcome> {
  const { options, logger, config } = plan;
  let result = measured;
  let markdown = saveOutputs(plan.paths, result, logger);
  if (m.measured && config.explain.mode !== 'off') {
    usePidFile(options.pidFile);
    try {
      result = await attachExplanation(result, {
        config,
        builds: m.builds as Record<Build, PreparedBuild>,
        requests: plan.requests,
        env: plan.targetEnv,
        noAslr: plan.noAslr,
        placement: plan.counting.placement,
        outDir: options.outDir,
        signal: options.signal,
        logger,
      });
    } finally {
      usePidFile(undefined);
    }
    if (result.explain) markdown = saveOutputs(plan.paths, result, logger);
  }
  const error = m.failure ? errorMessage(m.failure) : undefined;
  return gateOutcome(plan.paths, result, markdown, config.onRegression, error);
}
