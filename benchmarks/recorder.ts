// Recorder overhead: the same server with no recorder, the recorder at 1 % and at 100 %
// sampling, side by side in one run, measured two ways that do not come from perfgate:
//  - CPU time: requests take turns between the servers one at a time (order rotating), so load
//    from elsewhere falls on all of them alike; each server's CPU time is read from /proc
//    (schedstat, ns, every thread and child process) per block of turns.
//  - Instructions under Callgrind (--callgrind): each server runs under valgrind, and its
//    serving thread's instructions over the same requests are read with vgdb. Exact and
//    independent of load, but user space only (no syscalls, no context switches), and at
//    Valgrind's pace the recorder's 200 ms write batches hold fewer records.
//
//   node --import tsx benchmarks/recorder.ts [--blocks 40] [--per-block 100] [--callgrind]
//     [--json FILE]
//
// Node: a node:http server (benchmarks/fixtures/recorder-server.ts). Python: a WSGI app under
// gunicorn (one sync worker) with PerfgateWSGI (benchmarks/fixtures/recorder_app.py), run with
// /usr/bin/python3 when it has gunicorn.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tQuantile } from '../src/analysis/distributions.js';
import { freePort } from '../src/targets/port.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

interface Target {
  name: string;
  proc: ChildProcess;
  port: number;
  agent: http.Agent;
}

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

function get(t: Target, q: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: t.port, path: `/search?q=${q}`, agent: t.agent },
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
      await get(t, 'a');
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

async function startNode(mode: string, dir: string, cg = false): Promise<Target> {
  const node = [
    process.execPath,
    // Fixed seeds: the same hash tables and random draws in every server under Callgrind.
    ...(cg ? ['--hash-seed=1', '--random-seed=1'] : []),
    '--import',
    'tsx',
    path.join(here, 'fixtures/recorder-server.ts'),
    mode,
    dir,
  ];
  const proc = launch(cg ? callgrind(dir, node) : node, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve) =>
    proc.stdout!.once('data', (d: Buffer) => resolve(Number(d))),
  );
  const t = { name: mode, proc, port, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
  await waitReady(t, cg ? 2400 : 400);
  return t;
}

async function startPython(mode: string, dir: string, cg = false): Promise<Target> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: `${path.join(root, 'recorder/python')}:${path.join(here, 'fixtures')}`,
    RECORD_DIR: dir,
  };
  if (mode !== 'none') env.RECORD_RATE = mode;
  if (cg) env.PYTHONHASHSEED = '0';
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
    'recorder_app:application',
  ];
  const proc = launch(cg ? callgrind(dir, argv) : argv, { env, stdio: 'ignore' });
  const t = { name: mode, proc, port, agent: new http.Agent({ keepAlive: false }) };
  await waitReady(t, cg ? 2400 : 400);
  return t;
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
  const queries = ['a', 'item+1', '3', 'b', 'item+42', 'zzz'];
  for (const t of targets)
    for (let i = 0; i < warmup; i++) await get(t, queries[i % queries.length]!);
  const pids = targets.map(servingPid);
  const costs = targets.map(() => [] as number[]);
  for (let b = 0; b < blocks; b++) {
    const before = pids.map(mainThreadInstructions);
    for (let k = 0; k < perBlock; k++)
      for (let j = 0; j < targets.length; j++)
        await get(targets[(j + k + b) % targets.length]!, queries[k % queries.length]!);
    pids.forEach((pid, i) => costs[i]!.push((mainThreadInstructions(pid) - before[i]!) / perBlock));
  }
  return rows(
    targets.map((t) => t.name),
    costs,
  );
}

interface Row {
  mode: string;
  nsPerRequest: number;
  /** Overhead against no recorder: mean of per-block log ratios with a 95 % t interval. */
  overhead: { estimate: number; low: number; high: number } | null;
}

async function measure(targets: Target[], blocks: number, perBlock: number): Promise<Row[]> {
  const queries = ['a', 'item+1', '3', 'b', 'item+42', 'zzz'];
  for (const t of targets)
    for (let i = 0; i < 2 * perBlock; i++) await get(t, queries[i % queries.length]!); // warm-up
  const costs = targets.map(() => [] as number[]);
  for (let b = 0; b < blocks; b++) {
    const before = targets.map((t) => treeCpuNs(t.proc.pid!));
    for (let k = 0; k < perBlock; k++) {
      for (let j = 0; j < targets.length; j++) {
        await get(targets[(j + k + b) % targets.length]!, queries[k % queries.length]!);
      }
    }
    targets.forEach((t, i) => costs[i]!.push((treeCpuNs(t.proc.pid!) - before[i]!) / perBlock));
  }
  return rows(
    targets.map((t) => t.name),
    costs,
  );
}

/** Per-target mean cost, and each one's overhead against the first as a mean of paired logs. */
function rows(names: string[], costs: number[][]): Row[] {
  const base = costs[0]!;
  const blocks = base.length;
  return names.map((name, i) => {
    const mean = costs[i]!.reduce((a, c) => a + c, 0) / blocks;
    if (i === 0) return { mode: name, nsPerRequest: mean, overhead: null };
    const logs = costs[i]!.map((c, b) => Math.log(c / base[b]!));
    const m = logs.reduce((a, x) => a + x, 0) / blocks;
    const sd = Math.sqrt(logs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, blocks - 1));
    const h = blocks > 1 ? -tQuantile(0.025, blocks - 1) * (sd / Math.sqrt(blocks)) : 0;
    return {
      mode: name,
      nsPerRequest: mean,
      overhead: { estimate: Math.expm1(m), low: Math.expm1(m - h), high: Math.expm1(m + h) },
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

function table(title: string, rows: Row[], unit: 'ns' | 'instructions'): string {
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
        `| ${r.mode === 'none' ? 'none' : `${Number(r.mode) * 100} % sampling`} | ${cost(r)} | ${r.overhead ? `${pct(r.overhead.estimate)} [${pct(r.overhead.low)}, ${pct(r.overhead.high)}]` : '—'} |`,
    ),
    '',
  ].join('\n');
}

interface Measured {
  node: Row[];
  python: Row[] | null;
  pythonSkipped?: string;
}

type Measure = (targets: Target[]) => Promise<Row[]>;

async function both(dir: string, modes: string[], cg: boolean, node: Measure, python: Measure) {
  const out: Measured = { node: [], python: null };
  let targets: Target[] = [];
  try {
    // Started side by side: under Callgrind each takes a while to come up.
    targets = await Promise.all(modes.map((m) => startNode(m, dir, cg)));
    out.node = await node(targets);
    await stopAll(targets);
    const gunicorn =
      spawnSync('/usr/bin/python3', ['-c', 'import gunicorn'], { stdio: 'ignore' }).status === 0;
    if (gunicorn) {
      targets = await Promise.all(
        modes.filter((x) => !x.includes(':')).map((m) => startPython(m, dir, cg)),
      );
      out.python = await python(targets);
      await stopAll(targets);
    } else out.pythonSkipped = '/usr/bin/python3 has no gunicorn (apt-get install gunicorn)';
  } finally {
    await stopAll(targets);
  }
  return out;
}

export async function measureRecorderOverhead(
  blocks: number,
  perBlock: number,
  withCallgrind = false,
) {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-bench-rec-'));
  const modes = (process.env.BENCH_MODES ?? 'none,0.01,1').split(',');
  try {
    const cpu = await both(
      dir,
      modes,
      false,
      (t) => measure(t, blocks, perBlock),
      (t) => measure(t, blocks, Math.max(20, Math.floor(perBlock / 2))),
    );
    // Fewer requests: each costs ~40× more under Callgrind, and the counts do not need many.
    const instructions = withCallgrind
      ? await both(
          dir,
          modes,
          true,
          (t) => measureInstructions(t, 5, 300, 1500),
          (t) => measureInstructions(t, 5, 100, 200),
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
      blocks: { type: 'string' },
      'per-block': { type: 'string' },
      callgrind: { type: 'boolean' },
      json: { type: 'string' },
    },
  });
  const blocks = Number(values.blocks ?? 40);
  const perBlock = Number(values['per-block'] ?? 100);
  const r = await measureRecorderOverhead(blocks, perBlock, values.callgrind ?? false);
  console.log(
    `## Recorder overhead: CPU time (${blocks} blocks × ${perBlock} turns, one request per server a turn)\n`,
  );
  console.log(table('Node: node:http + perfgate/recorder', r.cpu.node, 'ns'));
  if (r.cpu.python)
    console.log(table('Python: gunicorn (1 sync worker) + PerfgateWSGI', r.cpu.python, 'ns'));
  else console.log(`Python skipped: ${r.cpu.pythonSkipped}`);
  if (r.instructions) {
    console.log('## Recorder overhead: instructions of the serving thread, under Callgrind\n');
    console.log(table('Node: node:http + perfgate/recorder', r.instructions.node, 'instructions'));
    if (r.instructions.python)
      console.log(
        table(
          'Python: gunicorn (1 sync worker) + PerfgateWSGI',
          r.instructions.python,
          'instructions',
        ),
      );
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(r, null, 2));
}
