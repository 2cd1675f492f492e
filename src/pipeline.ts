// The gate end to end: config → workload → targets → replay → samples → analysis → report.
// src/cli.ts (`perfgate run`) and src/main.ts (the action) both call runGate, so local runs and
// CI runs agree.

import { createHash, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Logger } from './log.js';
import type { RunResult } from './analysis/types.js';
import {
  analyzeWithFlags,
  flagsNeedMoreRounds,
  guardErrorAnswers,
  planLooks,
  type AnalysisOptions,
} from './analysis/index.js';
import { prepareMatrix, type PreparedMatrix } from './flags/index.js';
import { renderMarkdown } from './report/index.js';
import {
  type Config,
  loadConfig,
  requireRunnable,
  resolveHeaders,
  type RunnableConfig,
  type RunnableBuild,
  withSimulatedDefaults,
} from './config/index.js';
import {
  SIMULATED,
  probe,
  probeValgrind,
  resolvePlacement,
  selectCounters,
  type Placement,
  type ProbeReport,
  type ValgrindProbe,
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
import { replay, type PreparedRequest } from './replay/index.js';
import {
  OutputError,
  SamplesWriter,
  ensureOutDir,
  readSamples,
  writeOutput,
  type Build,
  type BuildInfo,
  type CounterChoice,
  type SamplesHeader,
} from './samples/index.js';
import {
  createWorktree,
  commitOf,
  requireBuildFolder,
  runShell,
  targetEnvironment,
  type RefOrigin,
  type Worktree,
} from './targets/index.js';
import { endpointWeights, loadWorkload, type Workload } from './workload/index.js';
import { readMachine } from './proc/cpuinfo.js';
import { selectShard, type ShardRequest, type ShardSelection } from './workload/shard.js';
import { VERSION } from './version.js';
import {
  endpointsToExplain,
  explainEndpoints,
  METHOD,
  type ExplainMode,
  type Explanation,
} from './explain/index.js';

export interface GateOverrides {
  workload?: string;
  /** Build the before side from this ref, whatever the config says. */
  beforeRef?: string;
  /** Where beforeRef came from, for messages (default: `--before-ref`). */
  beforeRefFrom?: string;
  /** The pull request's base: used unless the config pins `before.cwd`. */
  defaultBeforeRef?: string;
  onRegression?: 'fail' | 'annotate';
  maxDurationMs?: number;
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

export interface GateOutcome {
  result: RunResult;
  samplesPath: string;
  resultPath: string;
  reportPath: string;
  markdown: string;
  onRegression: 'fail' | 'annotate';
  /** 0 pass (or a regression under `annotate`), 1 fail, 2 error. */
  exitCode: 0 | 1 | 2;
  /** What went wrong when the run could not complete (a target that crashed, say). */
  error?: string;
}

export function applyOverrides(
  config: Config,
  o: GateOverrides,
  aa: boolean,
  logger: Logger,
): Config {
  let out = config;
  if (o.workload) out = { ...out, workload: resolve(o.workload) };
  const ref = o.beforeRef ?? (config.before?.cwd === undefined ? o.defaultBeforeRef : undefined);
  if (o.defaultBeforeRef && !o.beforeRef && config.before?.cwd !== undefined) {
    logger.info(
      `before build: the config pins before.cwd, so the pull request's base (${o.defaultBeforeRef}) is not used`,
    );
  }
  if (ref && out.after) {
    // The base build is the after build's recipe at another commit.
    const { cwd: _cwd, ...recipe } = out.after;
    out = { ...out, before: { ...recipe, ref } };
  }
  if (o.onRegression) out = { ...out, onRegression: o.onRegression };
  // `--annotate` annotates the flag matrix's regressions too.
  if (o.onRegression === 'annotate') out = { ...out, onFlagRegression: 'annotate' };
  if (o.maxDurationMs !== undefined)
    out = { ...out, measure: { ...out.measure, maxDurationMs: o.maxDurationMs } };
  if (aa && out.after) out = { ...out, before: out.after };
  return out;
}

export function exitCodeFor(result: RunResult, onRegression: 'fail' | 'annotate'): 0 | 1 | 2 {
  if (result.verdict === 'error') return 2;
  if (result.verdict !== 'fail') return 0;
  if (!result.flags) return onRegression === 'fail' ? 1 : 0;
  // With the flag matrix the fail may be the gate's own or a flag's, each with its own setting.
  const failing = (c: RunResult['counts']) =>
    c.regression > 0 || (result.onInconclusive === 'fail' && c.inconclusive > 0);
  const own = failing(result.counts) && onRegression === 'fail';
  const flag =
    result.flags.onFlagRegression === 'fail' && result.flags.flags.some((f) => failing(f.counts));
  return own || flag ? 1 : 0;
}

/** A result for a run that measured nothing usable: the gate fails closed. */
export function errorResult(
  counter: CounterChoice,
  options: AnalysisOptions,
  message: string,
): RunResult {
  const line = message.split('\n')[0] ?? message;
  return {
    version: 1,
    verdict: 'error',
    summary: `error: ${line}`.slice(0, 140),
    counter,
    alpha: options.alpha,
    confidence: options.confidence,
    onInconclusive: options.onInconclusive,
    endpoints: [],
    total: null,
    counts: { regression: 0, improvement: 0, unchanged: 0, inconclusive: 0, error: 0 },
    run: {
      seed: null,
      rounds: 0,
      plannedRounds: null,
      looks: 0,
      startedAt: null,
      durationMs: null,
      complete: false,
      builds: { before: {}, after: {} },
      mode: 'a-b',
    },
    warnings: [line],
  };
}

export function analysisOptions(
  config: Pick<RunnableConfig, 'thresholds' | 'alpha' | 'confidence' | 'onInconclusive'>,
): AnalysisOptions {
  return {
    thresholds: config.thresholds,
    alpha: config.alpha,
    confidence: config.confidence,
    onInconclusive: config.onInconclusive,
  };
}

export interface PreparedBuild {
  cwd: string;
  ref?: string;
  commit?: string;
  worktree?: Worktree;
}

/** Where a side's ref came from: the command line or an input, else the config's line. */
export function refOrigin(
  side: Build,
  config: RunnableConfig,
  overrides: GateOverrides,
): RefOrigin {
  if (side === 'before' && overrides.beforeRef !== undefined)
    return { path: overrides.beforeRefFrom ?? '--before-ref' };
  if (side === 'before' && overrides.defaultBeforeRef === config.before.ref)
    return { path: "the pull request's base" };
  const line = config.lines[`${side}.ref`];
  return { file: config.file, ...(line ? { line } : {}) };
}

export async function prepareBuild(
  side: Build,
  build: RunnableBuild,
  config: RunnableConfig,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  logger: Logger,
  origin: RefOrigin,
): Promise<PreparedBuild> {
  let cwd: string;
  let worktree: Worktree | undefined;
  if (build.ref !== undefined) {
    worktree = await createWorktree(config.dir, build.ref, origin);
    // Same place inside the tree as the after build (a monorepo's service folder, say).
    const afterCwd = config.after.cwd ?? config.dir;
    const rel = relative(worktree.repoRoot, afterCwd);
    cwd = join(worktree.dir, rel.startsWith('..') ? '' : rel);
    logger.info(
      `${side}: checked out ${build.ref} (${worktree.commit.slice(0, 12)}) in ${worktree.dir}`,
    );
  } else {
    cwd = build.cwd;
  }
  try {
    requireBuildFolder(side, cwd, config, worktree);
    if (build.build) await runShell(side, 'build', build.build, cwd, env, signal, logger);
  } catch (error) {
    await worktree?.remove();
    throw error;
  }
  const commit = worktree?.commit ?? (await commitOf(cwd));
  return {
    cwd,
    ...(build.ref ? { ref: build.ref } : {}),
    ...(commit ? { commit } : {}),
    ...(worktree ? { worktree } : {}),
  };
}

export function prepareRequests(
  config: RunnableConfig,
  requests: Awaited<ReturnType<typeof loadWorkload>>['requests'],
  env: NodeJS.ProcessEnv,
): PreparedRequest[] {
  const injected = resolveHeaders(config, env);
  return requests.map((r) => ({
    id: r.id,
    endpoint: r.endpoint,
    method: r.method,
    path: r.path,
    headers: { ...r.headers, ...injected },
    ...(r.body ? { body: r.body } : {}),
  }));
}

interface HeaderFacts {
  config: RunnableConfig;
  counter: CounterChoice;
  seed: number;
  noAslr: boolean;
  aa: boolean;
  report: ProbeReport;
  builds: Record<Build, PreparedBuild>;
  workload: Workload;
  requests: number;
  placement: { cpus: string | null; pmu: string | null };
  shard: ShardSelection | undefined;
  looks: number[];
  matrix: PreparedMatrix | undefined;
  simulated: SamplesHeader['simulated'];
}

/** The samples header: everything needed to know later what was measured, and how. */
function samplesHeader(f: HeaderFacts): SamplesHeader {
  const { config, builds, report } = f;
  const build = (side: Build): BuildInfo => ({
    cwd: builds[side].cwd,
    start: config[side].start,
    ...(builds[side].ref ? { ref: builds[side].ref } : {}),
    ...(builds[side].commit ? { commit: builds[side].commit } : {}),
  });
  return {
    kind: 'header',
    version: 1,
    tool: { name: 'perfgate', version: VERSION },
    startedAt: new Date().toISOString(),
    counter: f.counter,
    seed: f.seed,
    rounds: config.measure.rounds,
    warmup: config.measure.warmup,
    requests: config.measure.requests,
    aslr: !f.noAslr,
    workload: {
      path: config.workload,
      requests: f.requests,
      endpoints: f.shard?.endpoints ?? f.workload.endpoints,
      sha256: createHash('sha256').update(readFileSync(config.workload)).digest('hex'),
      weights: endpointWeights(f.workload.requests),
    },
    builds: { before: build('before'), after: build('after') },
    mode: f.aa ? 'a-a' : 'a-b',
    platform: {
      os: report.platform,
      arch: report.arch,
      kernel: report.kernel,
      cpus: report.cpus,
      cpuModel: report.cpuModel,
    },
    ...(f.placement.cpus || f.placement.pmu ? { placement: f.placement } : {}),
    machine: readMachine(),
    ...(f.shard ? { shard: { ...f.shard.info, looks: f.looks } } : {}),
    ...(f.matrix && f.matrix.flags.length > 0
      ? {
          flags: f.matrix.flags.map((m) => ({
            name: m.flag,
            delivery: m.delivery,
            from: m.from,
            to: m.to,
            source: m.source,
          })),
        }
      : {}),
    ...(f.simulated ? { simulated: f.simulated } : {}),
  };
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

export interface ExplainContext {
  config: RunnableConfig;
  builds: Record<Build, PreparedBuild>;
  requests: PreparedRequest[];
  env: NodeJS.ProcessEnv;
  noAslr: boolean;
  placement?: Placement;
  outDir: string;
  signal: AbortSignal;
  logger: Logger;
  /** Endpoints to explain, whatever the config's mode selects (`perfgate explain NAME`). */
  endpoints?: string[];
  mode?: ExplainMode;
}

/**
 * The profiling pass on the endpoints the mode selects, its diff attached to the result. A pass
 * that fails is a warning: the gate's verdict stands on the measurement alone.
 */
export async function attachExplanation(result: RunResult, c: ExplainContext): Promise<RunResult> {
  const mode = c.mode ?? c.config.explain.mode;
  const endpoints = c.endpoints ?? endpointsToExplain(mode, result.endpoints);
  if (endpoints.length === 0) return result;
  const started = performance.now();
  let explain: Explanation;
  try {
    explain = await explainEndpoints(
      {
        mode,
        endpoints,
        requests: c.requests,
        builds: {
          before: { cwd: c.builds.before.cwd, start: c.config.before.start },
          after: { cwd: c.builds.after.cwd, start: c.config.after.start },
        },
        env: c.env,
        readiness: c.config.ready,
        noAslr: c.noAslr,
        ...(c.placement ? { placement: c.placement } : {}),
        outDir: c.outDir,
        warmup: c.config.explain.warmup,
        profiled: c.config.explain.requests,
        maxDurationMs: c.config.explain.maxDurationMs,
        // Profile by the counter that gated where the thread can count it (the PMU's).
        pythonTimer: result.counter.name === 'instructions' ? 'instructions' : 'thread-time',
        measured: new Map(result.endpoints.map((e) => [e.endpoint, e])),
        unit: result.counter.unit,
      },
      c.signal,
      c.logger,
    );
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    const message = `explain: the profiling pass failed: ${errorMessage(error).split('\n')[0]}`;
    c.logger.warn(message);
    explain = {
      mode,
      method: METHOD,
      endpoints: [],
      skipped: endpoints,
      wallMs: Math.round(performance.now() - started),
      warnings: [message],
    };
  }
  for (const e of explain.endpoints)
    c.logger.info(`explain: ${e.endpoint}: profiling pass ${(e.wallMs / 1000).toFixed(1)} s`);
  return { ...result, explain };
}

export async function runGate(options: GateOptions): Promise<GateOutcome> {
  const { logger, signal } = options;
  const env = options.env ?? process.env;
  const aa = options.aa ?? false;
  const config = withSimulatedDefaults(
    requireRunnable(
      applyOverrides(await loadConfig(options.configPath), options.overrides ?? {}, aa, logger),
    ),
  );
  const report = probe();
  const simulated = config.measure.counter === 'simulated' ? requireValgrind(logger) : undefined;
  const counter: CounterChoice = simulated
    ? simulatedChoice()
    : selectCounters([config.measure.counter], report);
  if (counter.fallback) logger.warn(`${counter.reason}`, 'counter fallback');
  if (counter.fallback && probeValgrind().ok) {
    logger.info(
      "Valgrind is installed: 'measure.counter: simulated' counts instructions without a PMU (30–40× slower, far less noise)",
    );
  }
  const placed = simulated
    ? ({ ok: true, placement: {}, cpus: null, pmu: null } as const)
    : resolvePlacement(config.measure.cpus, counter.all, report);
  if (!placed.ok) {
    throw new ConfigError(
      placed.message,
      { file: config.file, line: config.lines['measure.cpus'], path: 'measure.cpus' },
      placed.hint,
    );
  }
  if (placed.cpus)
    logger.info(`targets run on CPUs ${placed.cpus}${placed.pmu ? ` (${placed.pmu})` : ''}`);
  const workload = await loadWorkload(config.workload, { routes: config.routes });
  if (workload.requests.length === 0) {
    throw new EnvironmentError(`the workload ${config.workload} holds no requests`);
  }
  const shard = options.overrides?.shard
    ? selectShard(workload, options.overrides.shard, logger)
    : undefined;
  const requests = prepareRequests(config, shard?.requests ?? workload.requests, env);
  let noAslr = !config.measure.aslr;
  if (noAslr && !(await aslrOffWorks())) {
    logger.warn(
      'cannot turn address-space randomisation off here (setarch -R failed); measuring with it on',
    );
    noAslr = false;
  }

  ensureOutDir(options.outDir);
  // The flag matrix: read the service's flag file now, so a bad one stops the run before builds.
  const matrix = aa ? undefined : prepareMatrix(config, options.outDir);
  if (aa && config.flags) logger.info('flag matrix: not measured in an A/A run');
  if (matrix) {
    for (const s of matrix.skipped) logger.info(`flag matrix: ${s.flag} left out (${s.reason})`);
    logger.info(
      matrix.flags.length > 0
        ? `flag matrix: the after build also with each of ${matrix.flags.length} flags flipped alone (${matrix.flags.map((f) => f.flag).join(', ')})`
        : 'flag matrix: no flags to measure',
    );
  }
  const flagSkipped = matrix?.skipped ?? [];
  const samplesPath = join(options.outDir, 'samples.jsonl');
  const resultPath = join(options.outDir, 'result.json');
  const reportPath = join(options.outDir, 'report.md');
  usePidFile(options.pidFile);

  // Built on purpose: perfgate's own secrets never reach the code under test (README: Environment).
  const targetEnv = targetEnvironment(env, config.env);
  const builds: Partial<Record<Build, PreparedBuild>> = {};
  let failure: unknown;
  let writer: SamplesWriter | undefined;
  let looks = 1;
  const aOptions = {
    ...analysisOptions(config),
    onFlagRegression: config.onFlagRegression,
    skipped: flagSkipped,
  };
  // Worktrees stay until the profiling pass (explain) has run on them.
  let measured = false;
  const plan = planLooks(config.measure.rounds, config.measure.maxRounds);
  try {
    const o = options.overrides ?? {};
    const prep = (side: Build) =>
      prepareBuild(
        side,
        config[side],
        config,
        targetEnv,
        signal,
        logger,
        refOrigin(side, config, o),
      );
    builds.after = await prep('after');
    builds.before = aa ? builds.after : await prep('before');
    const seed = options.seed ?? randomInt(0, 2 ** 31);
    writer = new SamplesWriter(samplesPath);
    const header = samplesHeader({
      config,
      counter,
      seed,
      noAslr,
      aa,
      report,
      builds: builds as Record<Build, PreparedBuild>,
      workload,
      requests: requests.length,
      placement: { cpus: placed.cpus, pmu: placed.pmu },
      shard,
      looks: plan,
      matrix,
      simulated: simulated && {
        valgrind: simulated.version,
        threads: config.measure.threads,
        nodeFlags: config.measure.nodeFlags,
        env: { PYTHONHASHSEED: targetEnv.PYTHONHASHSEED ?? '0' },
      },
    });
    writer.write(header);
    writer.flush();
    logger.info(planLine(config, plan));
    const common = {
      env: simulated ? { PYTHONHASHSEED: '0', ...targetEnv } : targetEnv,
      ...(simulated
        ? { simulated: { threads: config.measure.threads, nodeFlags: config.measure.nodeFlags } }
        : {}),
      readiness: config.ready,
      events: counter.all,
      // User-space counting: it works at perf_event_paranoid 2 (the clock events include kernel time anyway).
      kernel: false,
      noAslr,
      placement: placed.placement,
    };
    const outcome = await replay(
      {
        requests,
        looks: plan,
        warmup: config.measure.warmup,
        requestsPerEndpoint: config.measure.requests,
        maxDurationMs: config.measure.maxDurationMs,
        settleMs: config.measure.settleMs,
        compareBodies: config.measure.compare === 'body',
        seed,
        targets: {
          before: { ...common, cwd: builds.before.cwd, start: config.before.start },
          after: {
            ...common,
            env: { ...common.env, ...matrix?.defaultsEnv },
            cwd: builds.after.cwd,
            start: config.after.start,
          },
        },
        flags: (matrix?.flags ?? []).map((f) => ({
          name: f.flag,
          target: {
            ...common,
            env: { ...common.env, ...f.targetEnv },
            cwd: builds.after!.cwd,
            start: config.after.start,
          },
          headers: f.headers,
          query: f.query,
        })),
      },
      writer,
      logger,
      signal,
      {
        onLook: async (_rounds, look) => {
          writer!.flush();
          const interim = analyzeWithFlags(await readSamples(samplesPath), {
            ...aOptions,
            sequential: { plan, look },
          });
          const more = flagsNeedMoreRounds(interim);
          if (more)
            logger.info(
              `look ${look + 1}: ${interim.counts.inconclusive} endpoint(s) inconclusive; measuring more rounds`,
            );
          return more;
        },
      },
    );
    looks = outcome.looks;
    measured = true;
  } catch (error) {
    if (error instanceof InterruptedError) {
      if (writer) logger.info(`stopped; the samples measured so far are in ${samplesPath}`);
      throw error;
    }
    // A crashed target or a full disk ends the run, but what was measured is still reported.
    if (!(error instanceof TargetError || error instanceof OutputError)) throw error;
    failure = error;
  } finally {
    try {
      writer?.close();
    } catch (error) {
      failure ??= error;
    }
    usePidFile(undefined);
    if (!measured || config.explain.mode === 'off')
      for (const b of new Set(Object.values(builds))) await b?.worktree?.remove();
  }

  let result: RunResult;
  // A writer that never got a line out (the disk was full from the start) left nothing to read.
  if (writer && writer.bytes > 0) {
    try {
      const set = await readSamples(samplesPath);
      result = guardErrorAnswers(
        analyzeWithFlags(set, { ...aOptions, sequential: { plan, look: looks - 1 } }),
        set.samples.filter((x) => x.flag === undefined),
        config.allowErrors,
      );
      for (const w of result.warnings.filter((w) => w.includes('HTTP errors'))) logger.warn(w);
    } catch (error) {
      // The analysis itself failed: say why rather than lose it behind an empty failure.
      failure ??= error;
      result = errorResult(counter, aOptions, errorMessage(failure));
    }
  } else {
    result = errorResult(counter, aOptions, errorMessage(failure));
  }
  if (failure)
    result = {
      ...result,
      verdict: 'error',
      warnings: [...result.warnings, errorMessage(failure).split('\n')[0]!],
    };
  const save = (r: RunResult): string => {
    const markdown = renderMarkdown(r);
    // Each file on its own: a full disk may still take the small result when the report fails.
    for (const e of [
      writeOutput(resultPath, `${JSON.stringify(r, null, 2)}\n`),
      writeOutput(reportPath, markdown),
    ]) {
      if (e) logger.error(e.message);
    }
    return markdown;
  };
  let markdown: string;
  if (measured && config.explain.mode !== 'off') {
    // Saved first, so a Ctrl-C during the profiling pass keeps the measured result.
    save(result);
    try {
      usePidFile(options.pidFile);
      result = await attachExplanation(result, {
        config,
        builds: builds as Record<Build, PreparedBuild>,
        requests,
        env: targetEnv,
        noAslr,
        placement: placed.placement,
        outDir: options.outDir,
        signal,
        logger,
      });
    } finally {
      usePidFile(undefined);
      for (const b of new Set(Object.values(builds))) await b?.worktree?.remove();
    }
    markdown = result.explain ? save(result) : renderMarkdown(result);
  } else markdown = save(result);
  return {
    result,
    samplesPath,
    resultPath,
    reportPath,
    markdown,
    onRegression: config.onRegression,
    exitCode: exitCodeFor(result, config.onRegression),
    ...(failure ? { error: errorMessage(failure) } : {}),
  };
}

/** Valgrind for the simulated counter, or an EnvironmentError saying how to get it. */
function requireValgrind(logger: Logger): ValgrindProbe & { ok: true } {
  const found = probeValgrind();
  if (!found.ok) throw new EnvironmentError(`counter 'simulated': ${found.reason}`, found.hint);
  logger.info(`counting simulated instructions with Valgrind ${found.version} (Callgrind)`);
  return found;
}

function simulatedChoice(): CounterChoice {
  return {
    name: SIMULATED,
    unit: 'instructions',
    fallback: false,
    all: [SIMULATED],
    kernel: false,
  };
}
