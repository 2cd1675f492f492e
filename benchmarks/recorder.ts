// Recorder overhead: the same server with no recorder, the recorder at 1 % and at 100 %
// sampling, side by side in one run. Requests take turns between the three servers in blocks
// (order rotating), and each server's CPU time is read from /proc (schedstat, ns, every thread
// and child process): ground truth that does not come from perfgate's counters.
//
//   node --import tsx benchmarks/recorder.ts [--blocks 30] [--per-block 200] [--json FILE]
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

/** CPU ns of a process and all its descendants, from each thread's schedstat. */
function treeCpuNs(pid: number): number {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
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

async function waitReady(t: Target): Promise<void> {
  for (let i = 0; i < 400; i++) {
    try {
      await get(t, 'a');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${t.name} did not start`);
}

async function startNode(mode: string, dir: string): Promise<Target> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'fixtures/recorder-server.ts'), mode, dir],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve) =>
    proc.stdout!.once('data', (d: Buffer) => resolve(Number(d))),
  );
  const t = { name: mode, proc, port, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
  await waitReady(t);
  return t;
}

async function startPython(mode: string, dir: string): Promise<Target> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: `${path.join(root, 'recorder/python')}:${path.join(here, 'fixtures')}`,
    RECORD_DIR: dir,
  };
  if (mode !== 'none') env.RECORD_RATE = mode;
  const proc = spawn(
    '/usr/bin/python3',
    ['-m', 'gunicorn', '-w', '1', '-b', `127.0.0.1:${port}`, 'recorder_app:application'],
    {
      env,
      stdio: 'ignore',
    },
  );
  const t = { name: mode, proc, port, agent: new http.Agent({ keepAlive: false }) };
  await waitReady(t);
  return t;
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
    for (let i = 0; i < perBlock; i++) await get(t, queries[i % queries.length]!); // warm-up
  const costs = targets.map(() => [] as number[]);
  for (let b = 0; b < blocks; b++) {
    const order = targets.map((_, i) => (i + b) % targets.length);
    for (const i of order) {
      const t = targets[i]!;
      const before = treeCpuNs(t.proc.pid!);
      for (let k = 0; k < perBlock; k++) await get(t, queries[k % queries.length]!);
      costs[i]!.push((treeCpuNs(t.proc.pid!) - before) / perBlock);
    }
  }
  const base = costs[0]!;
  return targets.map((t, i) => {
    const mean = costs[i]!.reduce((a, c) => a + c, 0) / blocks;
    if (i === 0) return { mode: t.name, nsPerRequest: mean, overhead: null };
    const logs = costs[i]!.map((c, b) => Math.log(c / base[b]!));
    const m = logs.reduce((a, x) => a + x, 0) / blocks;
    const sd = Math.sqrt(logs.reduce((a, x) => a + (x - m) ** 2, 0) / (blocks - 1));
    const h = -tQuantile(0.025, blocks - 1) * (sd / Math.sqrt(blocks));
    return {
      mode: t.name,
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

function table(title: string, rows: Row[]): string {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} %`;
  return [
    `### ${title}`,
    '',
    '| recorder | CPU per request | overhead vs none (95 % CI) |',
    '| --- | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.mode === 'none' ? 'none' : `${Number(r.mode) * 100} % sampling`} | ${(r.nsPerRequest / 1000).toFixed(1)} µs | ${r.overhead ? `${pct(r.overhead.estimate)} [${pct(r.overhead.low)}, ${pct(r.overhead.high)}]` : '—'} |`,
    ),
    '',
  ].join('\n');
}

export async function measureRecorderOverhead(blocks: number, perBlock: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-bench-rec-'));
  const modes = (process.env.BENCH_MODES ?? 'none,0.01,1').split(',');
  const out: { node: Row[]; python: Row[] | null; pythonSkipped?: string } = {
    node: [],
    python: null,
  };
  let targets: Target[] = [];
  try {
    targets = [];
    for (const m of modes) targets.push(await startNode(m, dir));
    out.node = await measure(targets, blocks, perBlock);
    await stopAll(targets);
    const gunicorn =
      spawnSync('/usr/bin/python3', ['-c', 'import gunicorn'], { stdio: 'ignore' }).status === 0;
    if (gunicorn) {
      targets = [];
      for (const m of modes.filter((x) => !x.includes(':')))
        targets.push(await startPython(m, dir));
      out.python = await measure(targets, blocks, Math.max(20, Math.floor(perBlock / 2)));
      await stopAll(targets);
    } else out.pythonSkipped = '/usr/bin/python3 has no gunicorn (apt-get install gunicorn)';
  } finally {
    await stopAll(targets);
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      blocks: { type: 'string' },
      'per-block': { type: 'string' },
      json: { type: 'string' },
    },
  });
  const blocks = Number(values.blocks ?? 30);
  const perBlock = Number(values['per-block'] ?? 200);
  const r = await measureRecorderOverhead(blocks, perBlock);
  console.log(
    `## Recorder overhead (${blocks} blocks × ${perBlock} requests per server, interleaved)\n`,
  );
  console.log(table('Node: node:http + perfgate/recorder', r.node));
  if (r.python) console.log(table('Python: gunicorn (1 sync worker) + PerfgateWSGI', r.python));
  else console.log(`Python skipped: ${r.pythonSkipped}`);
  if (values.json) writeFileSync(values.json, JSON.stringify(r, null, 2));
}
