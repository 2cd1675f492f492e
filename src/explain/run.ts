// The profiling pass (an I/O edge): after the measurement, each build is started once more with
// a profiler injected, warmed up, and fed each explained endpoint's requests in turn; the
// profiles are cut into one window per endpoint and diffed. Profiling never runs while the
// gate measures, so it cannot perturb the counts.

import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Readiness } from '../targets/index.js';
import { startTarget, type RunningTarget } from '../targets/index.js';
import type { Placement } from '../counters/spawn-counted.js';
import { LocalClient } from '../replay/index.js';
import type { PreparedRequest } from '../replay/index.js';
import type { Logger } from '../log.js';
import { interruption } from '../errors.js';
import type { Build } from '../samples/types.js';
import { profilingEnv, writeAgents, type PythonTimer } from './agents.js';
import { isCpuProfile, profilesFromCpuProfile, type Window } from './cpuprofile.js';
import { isPstatsDump, profileFromPstats, type PstatsDump } from './pstats.js';
import { emptyProfile, mergeProfiles } from './profile.js';
import { diffProfiles, foldedStacks } from './diff.js';
import { flameFileName, mergeTree, renderFlameGraphPage } from './flame.js';
import { displayUnit, scaleToMeasured, type Measured } from './scale.js';
import type { EndpointExplanation, ExplainMode, Explanation, Profile, Runtime } from './types.js';

export interface ExplainBuild {
  cwd: string;
  start: string;
}

export interface ExplainOptions {
  mode: ExplainMode;
  endpoints: readonly string[];
  requests: readonly PreparedRequest[];
  builds: Record<Build, ExplainBuild>;
  env: NodeJS.ProcessEnv;
  readiness: Readiness;
  noAslr: boolean;
  placement?: Placement;
  /** The output folder: graphs and raw profiles go to its `explain/` folder. */
  outDir: string;
  warmup: number;
  profiled: number;
  maxDurationMs: number;
  intervalUs?: number;
  /** The Python profiler's clock (default: the thread's CPU time). */
  pythonTimer?: PythonTimer;
  /** The gate's mean cost per request per endpoint, in `unit`: each profile is scaled to it. */
  measured?: ReadonlyMap<string, Measured>;
  unit?: string;
}

export const METHOD =
  "Node: V8's CPU profiler (through the inspector, sampling the main thread every 100 µs). Python: cProfile in every process, timed by the thread's instruction counter (perf_event_open) where a PMU exists, else by its CPU time, built-in functions folded into their caller. Each build's profile is scaled to the mean cost per request the gate measured (the profilers' own clocks carry their overhead), so the rows and the flame graph add up to the measured change.";

interface BuildRun {
  windows: Map<string, Window>;
  /** Endpoint → [start seq, end seq] of the Python dumps. */
  seqs: Map<string, [number, number]>;
  profiled: Map<string, number>;
  wallMs: Map<string, number>;
  dir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const alive = (pid: number) => existsSync(`/proc/${pid}`);

function pidsOf(dir: string, suffix: string): number[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .map((f) => Number(f.slice(0, -suffix.length)))
    .filter((n) => Number.isInteger(n));
}

/** Asks every profiled Python process for a dump and waits until the live ones wrote it. */
async function pythonMark(dir: string, seq: number): Promise<void> {
  writeFileSync(join(dir, 'ctl.tmp'), String(seq));
  renameSync(join(dir, 'ctl.tmp'), join(dir, 'ctl'));
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    const waiting = pidsOf(dir, '.python').filter(
      (p) => alive(p) && !existsSync(join(dir, `${p}-${seq}.json`)),
    );
    if (waiting.length === 0) return;
    await sleep(5);
  }
}

async function send(
  target: RunningTarget,
  client: LocalClient,
  reqs: readonly PreparedRequest[],
  n: number,
  signal: AbortSignal,
) {
  for (let i = 0; i < n; i++) {
    if (signal.aborted) throw interruption(signal);
    const r = reqs[i % reqs.length]!;
    try {
      await client.send(r, undefined, undefined, 60_000, target.signal);
    } catch (error) {
      throw (await target.crashedWithin(1000)) ?? error;
    }
  }
}

async function profileBuild(
  side: Build,
  o: ExplainOptions,
  groups: Map<string, PreparedRequest[]>,
  endpoints: readonly string[],
  deadline: number,
  signal: AbortSignal,
  logger: Logger,
): Promise<BuildRun> {
  const root = join(o.outDir, 'explain');
  const agents = writeAgents(join(root, 'agent'));
  const dir = join(root, 'profiles', side);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const run: BuildRun = {
    windows: new Map(),
    seqs: new Map(),
    profiled: new Map(),
    wallMs: new Map(),
    dir,
  };
  const target = await startTarget(
    {
      build: side,
      cwd: o.builds[side].cwd,
      start: o.builds[side].start,
      env: profilingEnv(o.env, agents, dir, o.intervalUs ?? 100, o.pythonTimer),
      readiness: o.readiness,
      events: ['task-clock'],
      kernel: false,
      noAslr: o.noAslr,
      ...(o.placement ? { placement: o.placement } : {}),
    },
    signal,
    logger,
  );
  const client = new LocalClient(target.port);
  let seq = 0;
  try {
    for (const endpoint of endpoints) {
      if (Date.now() > deadline) break;
      const reqs = groups.get(endpoint) ?? [];
      if (reqs.length === 0) continue;
      const started = performance.now();
      logger.progress(`explain ${side}: ${endpoint}`);
      await send(target, client, reqs, o.warmup, signal);
      const first = ++seq;
      await pythonMark(dir, first);
      const startUs = nowUs();
      await send(target, client, reqs, o.profiled, signal);
      const endUs = nowUs();
      const last = ++seq;
      await pythonMark(dir, last);
      run.windows.set(endpoint, { startUs, endUs });
      run.seqs.set(endpoint, [first, last]);
      run.profiled.set(endpoint, o.profiled);
      run.wallMs.set(endpoint, performance.now() - started);
    }
  } finally {
    client.close();
    await target.stop();
    const exit = await target.group.exited;
    logger.debug(`explain ${side}: target stopped (${exit.signal ?? `code ${exit.code}`})`);
  }
  // Node writes its profile as it exits; a shell in front may have been reaped first.
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    const pending = pidsOf(dir, '.node').filter(
      (p) => alive(p) && !existsSync(join(dir, `${p}.cpuprofile`)),
    );
    if (pending.length === 0) break;
    await sleep(20);
  }
  return run;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every process's profile of each endpoint, merged per endpoint. */
function collect(
  run: BuildRun,
  cwd: string,
): { profiles: Map<string, Profile>; runtimes: Set<Runtime>; timers: Set<string> } {
  const parts = new Map<string, Profile[]>();
  const push = (e: string, p: Profile) => {
    let l = parts.get(e);
    if (!l) parts.set(e, (l = []));
    l.push(p);
  };
  const runtimes = new Set<Runtime>();
  const timers = new Set<string>();
  const endpoints = [...run.windows.keys()];
  for (const f of readdirSync(run.dir)) {
    if (!f.endsWith('.cpuprofile')) continue;
    const cpu = readJson(join(run.dir, f));
    if (!isCpuProfile(cpu)) continue;
    runtimes.add('node');
    const windows = endpoints.map((e) => run.windows.get(e)!);
    profilesFromCpuProfile(cpu, windows, cwd).forEach((p, i) => push(endpoints[i]!, p));
  }
  const dumps = new Map<number, Map<number, PstatsDump>>();
  for (const f of readdirSync(run.dir)) {
    const m = /^(\d+)-(\d+)\.json$/.exec(f);
    if (!m) continue;
    const d = readJson(join(run.dir, f));
    if (!isPstatsDump(d)) continue;
    if (d.timer) timers.add(d.timer);
    let byPid = dumps.get(d.pid);
    if (!byPid) dumps.set(d.pid, (byPid = new Map()));
    byPid.set(d.seq, d);
  }
  for (const byPid of dumps.values()) {
    runtimes.add('python');
    for (const e of endpoints) {
      const [a, b] = run.seqs.get(e)!;
      const end = byPid.get(b);
      if (end) push(e, profileFromPstats(byPid.get(a), end, cwd));
    }
  }
  const profiles = new Map<string, Profile>();
  for (const e of endpoints) {
    const p = parts.has(e) ? mergeProfiles(parts.get(e)!) : emptyProfile();
    p.requests = run.profiled.get(e) ?? 0;
    profiles.set(e, p);
  }
  return { profiles, runtimes, timers };
}

/** Runs the pass and writes one flame graph per explained endpoint into `outDir/explain/`. */
export async function explainEndpoints(
  o: ExplainOptions,
  signal: AbortSignal,
  logger: Logger,
): Promise<Explanation> {
  const started = performance.now();
  const deadline = Date.now() + o.maxDurationMs;
  const groups = new Map<string, PreparedRequest[]>();
  for (const r of o.requests) {
    let g = groups.get(r.endpoint);
    if (!g) groups.set(r.endpoint, (g = []));
    g.push(r);
  }
  const warnings: string[] = [];
  const wanted = o.endpoints.filter((e) => groups.has(e));
  logger.info(
    `explain: profiling ${wanted.length} endpoint(s) on both builds (${wanted.join(', ')})`,
  );
  // The before build gets half the cap; the after build profiles the same endpoints, which take
  // about as long, so it may run a minute past the cap rather than leave one side without.
  const before = await profileBuild(
    'before',
    o,
    groups,
    wanted,
    Date.now() + o.maxDurationMs / 2,
    signal,
    logger,
  );
  const done = wanted.filter((e) => before.windows.has(e));
  const after = await profileBuild('after', o, groups, done, deadline + 60_000, signal, logger);
  const b = collect(before, o.builds.before.cwd);
  const a = collect(after, o.builds.after.cwd);
  const runtimes = [...new Set([...b.runtimes, ...a.runtimes])].sort() as Runtime[];
  const graphs = join(o.outDir, 'explain');
  const taken = new Set<string>();
  const endpoints = done.map((e) => {
    const wallMs = Math.round((before.wallMs.get(e) ?? 0) + (after.wallMs.get(e) ?? 0));
    const profiles = { before: b.profiles.get(e)!, after: a.profiles.get(e) };
    return explainOne(e, profiles, runtimes, wallMs, o, { dir: graphs, taken });
  });
  const skipped = wanted.filter((e) => !done.includes(e));
  if (skipped.length > 0)
    warnings.push(
      `explain: the time cap left ${skipped.length} endpoint(s) unprofiled: ${skipped.join(', ')}`,
    );
  if (runtimes.length === 0)
    warnings.push(
      'explain: no profile came back (neither a Node nor a Python server?); no attribution available for this runtime',
    );
  const timers = [...new Set([...b.timers, ...a.timers])].sort();
  return {
    mode: o.mode,
    method:
      timers.length > 0 ? `${METHOD} Python timer in this run: ${timers.join(', ')}.` : METHOD,
    endpoints,
    skipped,
    wallMs: Math.round(performance.now() - started),
    warnings,
  };
}

/** One endpoint's diff, and its flame graph written under `graphs.dir`. */
function explainOne(
  e: string,
  profiles: { before: Profile; after: Profile | undefined },
  runtimes: Runtime[],
  wallMs: number,
  o: ExplainOptions,
  graphs: { dir: string; taken: Set<string> },
): EndpointExplanation {
  const { before: pb, after: pa } = profiles;
  const requests = { before: pb.requests, after: pa?.requests ?? 0 };
  if (!pa || (pb.functions.size === 0 && pa.functions.size === 0)) {
    return {
      endpoint: e,
      runtimes,
      requests,
      unit: 'ns',
      scale: 'profile',
      total: { before: 0, after: 0, change: 0 },
      rows: [],
      flameGraph: null,
      wallMs,
      note:
        runtimes.length === 0
          ? 'no attribution available for this runtime: perfgate profiles Node (V8) and Python (cProfile) servers'
          : 'no samples fell in this endpoint’s window',
    };
  }
  const scale = scaleToMeasured(pb, pa, o.measured?.get(e), o.unit);
  const diff = diffProfiles(pb, pa);
  const fb = foldedStacks(pb, diff.wrappers);
  const fa = foldedStacks(pa, diff.wrappers);
  const labels = new Map([...fb.labels, ...fa.labels]);
  const file = flameFileName(e, graphs.taken);
  writeFileSync(
    join(graphs.dir, file),
    renderFlameGraphPage(mergeTree(fb.stacks, fa.stacks), {
      title: `${e}: after vs before, per request`,
      labels,
      ...displayUnit(scale.unit),
    }),
  );
  return {
    endpoint: e,
    runtimes,
    requests,
    unit: scale.unit,
    scale: scale.scale,
    total: diff.total,
    rows: diff.rows.slice(0, 500),
    flameGraph: `explain/${file}`,
    wallMs,
  };
}
