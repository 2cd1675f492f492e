// Recorder overhead: the same server with no recorder, the recorder at 1 % and at 100 %
// sampling, side by side in one run, measured two ways that do not come from perfgate:
//  - CPU time: requests take turns between the servers one at a time (order rotating), so load
//    from elsewhere falls on all of them alike; each server's CPU time is read from /proc
//    (schedstat, ns, every thread and child process) per block of turns. In rounds: each round
//    starts every server afresh, warms them up in turns too, and measures its blocks; a round's
//    overhead is the 10 %-trimmed mean of its blocks' log ratios (a block that a burst of load
//    from elsewhere caught on one server says nothing about the recorder), and the interval is
//    over rounds, so that what differs between two processes of the same server (heap and code
//    layout, which core they ran on) is in it rather than taken for the recorder's doing.
//    Node servers run with V8 on one thread (--single-threaded) and fixed seeds: V8's helper
//    threads' GC and compile work varied by ±50 % from block to block, apart in each server.
//  - Instructions under Callgrind (--callgrind): each server runs under valgrind, and its
//    serving thread's instructions over the same requests are read with vgdb. Exact and
//    independent of load, but user space only (no syscalls, no context switches), and at
//    Valgrind's pace the recorder's 1 s write batches hold fewer records.
//
//   node --import tsx benchmarks/recorder.ts [--rounds 8] [--blocks 10] [--per-block 100]
//     [--warmup 600] [--only node|python|django] [--modes none,0.01,1] [--callgrind] [--no-layout] [--json FILE]
//     [--cpu N|none] (CPU time is measured with the bench and its servers on CPU N, default the last)
// (modes: `none`, `bare` (Node: a no-op subscriber on node:http's request channel), `imported`
// (the recorder loaded and not used), or a sampling rate; `RATE:COUNTER` picks the Node recorder's counter, e.g. `0:none` for the
// hooks alone.) More rounds narrow the interval: --rounds 24 for a long run.
//
// Node: a node:http server (benchmarks/fixtures/recorder-server.ts). Python: a WSGI app under
// gunicorn (one sync worker) with PerfgateWSGI (benchmarks/fixtures/recorder_app.py), run with
// /usr/bin/python3 when it has gunicorn; and the Django example's before build under gunicorn with
// perfgate's Django middleware (examples/django, PERFGATE_RECORD), when it has Django too.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tQuantile } from '../src/analysis/distributions.js';
import { freePort } from '../src/targets/port.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
/** Longer than the recorders' batch interval (1 s, both recorders). */
const BATCH_WAIT_MS = 1500;

interface Target {
  name: string;
  proc: ChildProcess;
  port: number;
  agent: http.Agent;
  /** The k-th request's path. */
  url: (k: number) => string;
}

const QUERIES = ['a', 'item+1', '3', 'b', 'item+42', 'zzz'];
const searchUrl = (k: number) => `/search?q=${QUERIES[k % QUERIES.length]}`;
/** The Django example's GET endpoints, cheap and dear. */
const DJANGO_URLS = [
  '/api/items/3',
  '/api/feed?user=2',
  '/api/report?days=7',
  '/api/items/17',
  '/api/feed?user=5',
  '/api/report?days=30&category=books',
];
const djangoUrl = (k: number) => DJANGO_URLS[k % DJANGO_URLS.length]!;

/** The direct children of a process, from /proc/<pid>/stat. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid)
        out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

/** CPU ns of a process and its children, from each thread's schedstat. */
function treeCpuNs(pid: number): number {
  const pids = [pid, ...childrenOf(pid)];
  let total = 0;
  for (const p of pids) {
    try {
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        total += Number(readFileSync(`/proc/${p}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      }
    } catch {
      // gone
    }
  }
  return total;
}

function get(t: Target, k: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: t.port, path: t.url(k), agent: t.agent },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
  });
}

async function waitReady(t: Target, tries = 400): Promise<void> {
  for (let i = 0; i < tries; i++) {
    try {
      await get(t, 0);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${t.name} did not start`);
}

/** Valgrind's Callgrind in front of a command, with vgdb on for reads (--callgrind runs). */
function callgrind(dir: string, argv: string[]): string[] {
  return [
    'valgrind',
    '-q',
    '--tool=callgrind',
    '--vgdb=yes',
    '--trace-children=yes',
    `--callgrind-out-file=${dir}/callgrind.out.%p`,
    ...argv,
  ];
}

function launch(argv: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  return spawn(argv[0]!, argv.slice(1), options);
}

/** Off with --no-layout (the servers' memory layout then shifts the same way in every process). */
let randomLayout = true;
const LAYOUT_DIR = path.join(here, 'fixtures/layout');

/**
 * Each fresh server's memory layout drawn at random (Stabilizer's idea, by padding rather than
 * by relinking): a seed for the fixtures' padding objects (fixtures/layout/sitecustomize.py for
 * Python, recorder-server.ts for Node) and an environment of random size, which moves the
 * initial stack. Without it, loading a module shifts every later object the same way in each
 * process, and what that does to cache sets reads as the module's steady cost or saving, the
 * same in every round, so no number of rounds averages it out.
 */
function layoutEnv(): NodeJS.ProcessEnv {
  if (!randomLayout) return {};
  return {
    PERFGATE_BENCH_LAYOUT: String(1 + Math.floor(Math.random() * 2 ** 31)),
    PERFGATE_BENCH_ENV_PAD: 'x'.repeat(Math.floor(Math.random() * 4096)),
  };
}

async function startNode(mode: string, dir: string, cg = false): Promise<Target> {
  const node = [
    process.execPath,
    // Fixed seeds: the same hash tables and random draws in every server.
    '--hash-seed=1',
    '--random-seed=1',
    ...(cg ? [] : ['--single-threaded']),
    '--import',
    'tsx',
    path.join(here, 'fixtures/recorder-server.ts'),
    mode,
    dir,
  ];
  const proc = launch(cg ? callgrind(dir, node) : node, {
    cwd: root,
    env: { ...process.env, ...layoutEnv() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve) =>
    proc.stdout!.once('data', (d: Buffer) => resolve(Number(d))),
  );
  const t = {
    name: mode,
    proc,
    port,
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    url: searchUrl,
  };
  await waitReady(t, cg ? 2400 : 400);
  return t;
}

/** One gunicorn sync worker serving `app` from `cwd`, under Callgrind with `cg`. */
async function startGunicorn(
  mode: string,
  dir: string,
  cg: boolean,
  site: { app: string; cwd?: string; env: NodeJS.ProcessEnv; url: (k: number) => string },
): Promise<Target> {
  const port = await freePort();
  const argv = [
    '/usr/bin/python3',
    '-m',
    'gunicorn',
    '-w',
    '1',
    '-b',
    `127.0.0.1:${port}`,
    // Under Callgrind a request takes long enough for the default 30 s worker timeout.
    ...(cg ? ['--timeout', '600'] : []),
    site.app,
  ];
  const proc = launch(cg ? callgrind(dir, argv) : argv, {
    ...(site.cwd ? { cwd: site.cwd } : {}),
    env: site.env,
    stdio: 'ignore',
  });
  const t = { name: mode, proc, port, agent: new http.Agent({ keepAlive: false }), url: site.url };
  await waitReady(t, cg ? 2400 : 400);
  return t;
}

function startPython(mode: string, dir: string, cg = false): Promise<Target> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...layoutEnv(),
    PYTHONPATH: `${LAYOUT_DIR}:${path.join(root, 'recorder/python')}:${path.join(here, 'fixtures')}`,
    RECORD_DIR: dir,
  };
  if (mode !== 'none') env.RECORD_RATE = mode;
  if (cg) env.PYTHONHASHSEED = '0';
  return startGunicorn(mode, dir, cg, { app: 'recorder_app:application', env, url: searchUrl });
}

/** The Django example's before build under gunicorn (one sync worker), with or without
 * perfgate's Django middleware (PERFGATE_RECORD, examples/django/lib/project.py). */
function startDjango(mode: string, dir: string, cg = false): Promise<Target> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...layoutEnv(),
    PYTHONPATH: LAYOUT_DIR,
    PYTHONHASHSEED: '0',
  };
  delete env.PERFGATE_RECORD;
  if (mode !== 'none') {
    env.PERFGATE_RECORD = path.join(dir, `django-${mode}.jsonl`);
    env.PERFGATE_RECORD_RATE = mode;
  }
  return startGunicorn(mode, dir, cg, {
    app: 'app:application',
    cwd: path.join(root, 'examples/django/before'),
    env,
    url: djangoUrl,
  });
}

/** The process that serves: the server itself for Node, gunicorn's one worker for Python. */
function servingPid(t: Target): number {
  return childrenOf(t.proc.pid!)[0] ?? t.proc.pid!;
}

/** Instructions of a Callgrind process's main thread (Valgrind's thread 1), through vgdb. */
function mainThreadInstructions(pid: number): number {
  const r = spawnSync('vgdb', [`--pid=${pid}`, '--max-invoke-ms=1', 'status', 'internal'], {
    encoding: 'utf8',
  });
  const m = /^events-1: (\d+)$/m.exec(r.stdout ?? '');
  if (!m) throw new Error(`vgdb --pid=${pid}: no events line (${(r.stderr ?? '').trim()})`);
  return Number(m[1]);
}

/** The same requests, interleaved, counted in instructions of each serving thread. */
async function measureInstructions(
  targets: Target[],
  blocks: number,
  perBlock: number,
  warmup: number,
): Promise<Row[]> {
  for (const t of targets) for (let i = 0; i < warmup; i++) await get(t, i);
  const pids = targets.map(servingPid);
  const costs = targets.map(() => [] as number[]);
  for (let b = 0; b < blocks; b++) {
    const before = pids.map(mainThreadInstructions);
    for (let k = 0; k < perBlock; k++)
      for (let j = 0; j < targets.length; j++) await get(targets[(j + k + b) % targets.length]!, k);
    pids.forEach((pid, i) => costs[i]!.push((mainThreadInstructions(pid) - before[i]!) / perBlock));
  }
  return rows(
    targets.map((t) => t.name),
    costs,
  );
}

export interface Row {
  mode: string;
  nsPerRequest: number;
  /** Overhead against no recorder: mean of per-block log ratios with a 95 % t interval. */
  overhead: { estimate: number; low: number; high: number } | null;
}

interface CpuPlan {
  rounds: number;
  blocks: number;
  perBlock: number;
  warmup: number;
}

/** Rounds of fresh servers, each warmed up and measured in interleaved turns (see the top). */
async function measure(start: () => Promise<Target[]>, plan: CpuPlan): Promise<Row[]> {
  const perRound: number[][] = [];
  const all: number[][] = [];
  let names: string[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    const targets = await start();
    try {
      names = targets.map((t) => t.name);
      const turns = async (n: number, shift: number) => {
        for (let k = 0; k < n; k++)
          for (let j = 0; j < targets.length; j++)
            await get(targets[(j + k + shift) % targets.length]!, k);
      };
      // In turns as well: a server left idle while the others warm up is not in the same state.
      await turns(plan.warmup, round);
      // Past the recorders' first batch (records are made and written once a second): its code
      // compiles then, once per process, which is start-up, not a cost per request.
      await new Promise((r) => setTimeout(r, BATCH_WAIT_MS));
      await turns(Math.min(plan.warmup, 100), round + 1);
      const costs = targets.map(() => [] as number[]);
      for (let b = 0; b < plan.blocks; b++) {
        const before = targets.map((t) => treeCpuNs(t.proc.pid!));
        await turns(plan.perBlock, b + round);
        targets.forEach((t, i) =>
          costs[i]!.push((treeCpuNs(t.proc.pid!) - before[i]!) / plan.perBlock),
        );
      }
      perRound.push(costs.map((c) => trimmedMean(c.map((x, b) => Math.log(x / costs[0]![b]!)))));
      costs.forEach((c, i) => (all[i] ??= []).push(...c));
    } finally {
      await stopAll(targets);
    }
  }
  return names.map((mode, i) => {
    const nsPerRequest = all[i]!.reduce((a, c) => a + c, 0) / all[i]!.length;
    if (i === 0) return { mode, nsPerRequest, overhead: null };
    return { mode, nsPerRequest, overhead: interval(perRound.map((r) => r[i]!)) };
  });
}

/** Mean after dropping the lowest and highest 10 % (at least one each from 5 values). */
function trimmedMean(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const cut = sorted.length >= 5 ? Math.max(1, Math.floor(sorted.length * 0.1)) : 0;
  const kept = sorted.slice(cut, sorted.length - cut);
  return kept.reduce((a, x) => a + x, 0) / kept.length;
}

/** A mean of log ratios with its 95 % t interval, as relative overheads. */
function interval(logs: number[]): { estimate: number; low: number; high: number } {
  const n = logs.length;
  const m = logs.reduce((a, x) => a + x, 0) / n;
  const sd = Math.sqrt(logs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, n - 1));
  const h = n > 1 ? -tQuantile(0.025, n - 1) * (sd / Math.sqrt(n)) : 0;
  return { estimate: Math.expm1(m), low: Math.expm1(m - h), high: Math.expm1(m + h) };
}

/** Per-target mean cost, and each one's overhead against the first as a mean of paired logs. */
function rows(names: string[], costs: number[][]): Row[] {
  const base = costs[0]!;
  const blocks = base.length;
  return names.map((name, i) => {
    const mean = costs[i]!.reduce((a, c) => a + c, 0) / blocks;
    if (i === 0) return { mode: name, nsPerRequest: mean, overhead: null };
    return {
      mode: name,
      nsPerRequest: mean,
      overhead: interval(costs[i]!.map((c, b) => Math.log(c / base[b]!))),
    };
  });
}

async function stopAll(targets: Target[]): Promise<void> {
  for (const t of targets) {
    t.agent.destroy();
    if (t.proc.exitCode === null) {
      const exited = new Promise((r) => t.proc.once('exit', r));
      t.proc.kill('SIGTERM');
      const timer = setTimeout(() => t.proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  }
}

function label(mode: string): string {
  if (mode === 'none') return 'none';
  if (mode === 'bare') return 'no-op subscriber';
  if (mode === 'imported') return 'loaded, not used';
  const [rate, counter] = mode.split(':');
  return `${Number(rate) * 100} % sampling${counter ? ` (counter: ${counter})` : ''}`;
}

export function table(title: string, rows: Row[], unit: 'ns' | 'instructions'): string {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} %`;
  const cost = (r: Row) =>
    unit === 'ns'
      ? `${(r.nsPerRequest / 1000).toFixed(1)} µs`
      : `${Math.round(r.nsPerRequest).toLocaleString('en-US')}`;
  return [
    `### ${title}`,
    '',
    `| recorder | ${unit === 'ns' ? 'CPU' : 'instructions'} per request | overhead vs none (95 % CI) |`,
    '| --- | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${label(r.mode)} | ${cost(r)} | ${r.overhead ? `${pct(r.overhead.estimate)} [${pct(r.overhead.low)}, ${pct(r.overhead.high)}]` : '—'} |`,
    ),
    '',
  ].join('\n');
}

export interface Measured {
  node: Row[] | null;
  python: Row[] | null;
  /** The Django example with perfgate's Django middleware. */
  django: Row[] | null;
  pythonSkipped?: string;
}

type Measure = (start: () => Promise<Target[]>) => Promise<Row[]>;
type Only = 'node' | 'python' | 'django';

const hasModules = (modules: string) =>
  spawnSync('/usr/bin/python3', ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;

async function both(
  dir: string,
  modes: string[],
  only: Only | undefined,
  cg: boolean,
  node: Measure,
  python: Measure,
): Promise<Measured> {
  const out: Measured = { node: null, python: null, django: null };
  // Started side by side: under Callgrind each takes a while to come up.
  const starter =
    (one: (mode: string, dir: string, cg: boolean) => Promise<Target>, ms: string[]) => () =>
      startAll(ms, (m) => one(m, dir, cg));
  if (only === undefined || only === 'node') out.node = await node(starter(startNode, modes));
  if (only === 'node') return out;
  // `RATE:COUNTER` and `bare` modes are the Node recorder's.
  const pyModes = modes.filter((x) => !x.includes(':') && x !== 'bare');
  if (!hasModules('gunicorn')) {
    out.pythonSkipped = '/usr/bin/python3 has no gunicorn (apt-get install gunicorn)';
    return out;
  }
  if (only !== 'django') out.python = await python(starter(startPython, pyModes));
  if (only === 'python') return out;
  // The example loads the middleware only to record with it: no `imported` mode.
  const djangoModes = pyModes.filter((x) => x !== 'imported');
  if (hasModules('django')) out.django = await python(starter(startDjango, djangoModes));
  else out.pythonSkipped = '/usr/bin/python3 has no Django (apt-get install python3-django)';
  return out;
}

async function startAll(modes: string[], one: (mode: string) => Promise<Target>) {
  const started = await Promise.allSettled(modes.map(one));
  const targets = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await stopAll(targets);
    throw failed.reason;
  }
  return targets;
}

/** Instructions: one set of servers, measured in blocks. */
function once(run: (targets: Target[]) => Promise<Row[]>): Measure {
  return async (start) => {
    const targets = await start();
    try {
      return await run(targets);
    } finally {
      await stopAll(targets);
    }
  };
}

export interface BenchOptions extends CpuPlan {
  modes: string[];
  /** CPU that the bench and its servers share while CPU time is measured; null: not pinned. */
  cpu: number | null;
  only?: Only;
  callgrind?: boolean;
}

/** `--cpu N` (default: the last CPU) or `--cpu none`. */
function cpuOption(value: string | undefined): number | null {
  if (value === 'none') return null;
  const n = value === undefined ? availableParallelism() - 1 : Number(value);
  if (!Number.isInteger(n) || n < 0 || n >= availableParallelism())
    throw new Error(`--cpu: a CPU number from 0 to ${availableParallelism() - 1}, or none`);
  return n;
}

/** This process's CPUs, as taskset lists them (`0-1`). */
function affinity(): string {
  const r = spawnSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' });
  const list = /:\s*(\S+)\s*$/.exec(r.stdout ?? '')?.[1];
  if (r.status !== 0 || !list) throw new Error(`taskset -p: ${(r.stderr || '').trim()}`);
  return list;
}

/** Every thread of this process, and so the servers it starts from now on, on these CPUs. */
function pin(cpus: string): void {
  const r = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], {
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`taskset -c ${cpus}: ${(r.stderr || r.error?.message || '').trim()}`);
}

export async function measureRecorderOverhead(o: BenchOptions) {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-bench-rec-'));
  try {
    // Python: half the turns per block (each request costs more, on a new connection).
    const py = {
      ...o,
      perBlock: Math.max(20, Math.floor(o.perBlock / 2)),
      warmup: Math.ceil(o.warmup / 3),
    };
    // On one CPU, the load generator and the servers take turns on the same core: on two
    // vCPUs, which server shared a core with the load generator moved a run's reading by
    // ±15 %; pinned, by ±2 %.
    const free = o.cpu !== null ? affinity() : null;
    if (o.cpu !== null) pin(String(o.cpu));
    const cpu = await both(
      dir,
      o.modes,
      o.only,
      false,
      (start) => measure(start, o),
      (start) => measure(start, py),
    ).finally(() => {
      if (free !== null) pin(free);
    });
    // Fewer requests: each costs ~40× more under Callgrind, and the counts do not need many.
    const instructions = o.callgrind
      ? await both(
          dir,
          o.modes,
          o.only,
          true,
          once((t) => measureInstructions(t, 5, 300, 1500)),
          once((t) => measureInstructions(t, 5, 100, 200)),
        )
      : null;
    return { cpu, instructions };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      blocks: { type: 'string' },
      'per-block': { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      modes: { type: 'string' },
      callgrind: { type: 'boolean' },
      'no-layout': { type: 'boolean' },
      cpu: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const only = values.only;
  if (only !== undefined && only !== 'node' && only !== 'python' && only !== 'django')
    throw new Error('--only: node, python or django');
  const o: BenchOptions = {
    rounds: Number(values.rounds ?? 8),
    blocks: Number(values.blocks ?? 10),
    perBlock: Number(values['per-block'] ?? 100),
    warmup: Number(values.warmup ?? 600),
    modes: (values.modes ?? 'none,0.01,1').split(','),
    ...(only ? { only } : {}),
    callgrind: values.callgrind ?? false,
    cpu: cpuOption(values.cpu),
  };
  randomLayout = !values['no-layout'];
  const r = await measureRecorderOverhead(o);
  console.log(
    `## Recorder overhead: CPU time (${o.rounds} rounds of fresh servers, each ${o.blocks} blocks × ${o.perBlock} turns (Python ${Math.max(20, Math.floor(o.perBlock / 2))}), one request per server a turn)\n`,
  );
  if (r.cpu.node) console.log(table('Node: node:http + perfgate/recorder', r.cpu.node, 'ns'));
  if (r.cpu.python)
    console.log(table('Python: gunicorn (1 sync worker) + PerfgateWSGI', r.cpu.python, 'ns'));
  if (r.cpu.django)
    console.log(
      table(
        'Python: the Django example under gunicorn (1 sync worker) + RecorderMiddleware',
        r.cpu.django,
        'ns',
      ),
    );
  if (r.cpu.pythonSkipped) console.log(`Python skipped: ${r.cpu.pythonSkipped}`);
  if (r.instructions) {
    console.log('## Recorder overhead: instructions of the serving thread, under Callgrind\n');
    if (r.instructions.node)
      console.log(
        table('Node: node:http + perfgate/recorder', r.instructions.node, 'instructions'),
      );
    if (r.instructions.python)
      console.log(
        table(
          'Python: gunicorn (1 sync worker) + PerfgateWSGI',
          r.instructions.python,
          'instructions',
        ),
      );
    if (r.instructions.django)
      console.log(
        table(
          'Python: the Django example + RecorderMiddleware',
          r.instructions.django,
          'instructions',
        ),
      );
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(r, null, 2));
}
