#!/usr/bin/env node
// Independent ground truth for the shop example: how much each endpoint's CPU cost per request
// really changes between the before and after builds. It shares no code with perfgate: it starts
// the servers itself, warms each for a long time with the whole workload, then measures long
// blocks of one endpoint's requests at a time, reading whole-process CPU time (every thread) from
// /proc/<pid>/task/*/schedstat, alternately on the two builds, over several fresh process pairs.
//
//   node examples/shop/ground-truth.mjs [--pairs 4] [--warmup 3000] [--block 300] [--json FILE]
//   node examples/shop/ground-truth.mjs --curve [--requests 4000]   # warm-up curve of one process
//   node examples/shop/ground-truth.mjs --flag review-sentiment      # after at defaults vs after
//                                                                    # with that flag on

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const USAGE = `usage: node examples/shop/ground-truth.mjs [--pairs 4] [--warmup 3000] [--block 300] [--json FILE]
       node examples/shop/ground-truth.mjs --curve [--requests 4000] [--build after]
       node examples/shop/ground-truth.mjs --flag NAME [--pairs 4]

Measures each shop endpoint's true change in CPU cost per request between the before and after
builds, with no perfgate code: fresh server pairs, a long warm-up, then long blocks of one
endpoint at a time, alternately on the two builds, CPU time of every thread from /proc.
--curve prints one process's warm-up curve; --flag NAME compares the after build with that flag
on against the after build at defaults.`;
const KNOWN = new Set(['pairs', 'warmup', 'block', 'json', 'flag', 'curve', 'requests', 'build']);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
for (let i = 0; i < args.length; i++) {
  const name = args[i].startsWith('--') ? args[i].slice(2) : null;
  if (name === null || !KNOWN.has(name)) {
    console.error(`ground-truth.mjs: unknown argument ${JSON.stringify(args[i])}\n\n${USAGE}`);
    process.exit(2);
  }
  if (name !== 'curve') i++; // its value
}
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const PAIRS = Number(opt('pairs', 4));
const WARMUP = Number(opt('warmup', 3000));
const BLOCK = Number(opt('block', 300));
const JSON_OUT = opt('json', undefined);
// --flag NAME: "before" is the after build at defaults, "after" the after build with NAME on,
// through a flag file of its own (SHOP_FLAGS_FILE), as the shop reads its flags.
const FLAG = opt('flag', undefined);
const SIDES = FLAG ? ['after', 'after'] : ['before', 'after'];
const flagEnv = () => {
  if (!FLAG) return {};
  const flags = JSON.parse(readFileSync(join(here, 'after', 'flags.json'), 'utf8'));
  const file = join(mkdtempSync(join(tmpdir(), 'shop-flag-')), 'flags.json');
  writeFileSync(file, JSON.stringify({ ...flags, [FLAG]: true }));
  return { SHOP_FLAGS_FILE: file };
};

// --- workload and endpoints (numeric path segments are ids) ---------------------------------
const workload = readFileSync(join(here, 'workload.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
const endpointOf = (r) =>
  `${r.method ?? 'GET'} ${r.url.split('?')[0].replace(/\/\d+(?=\/|$)/g, '/:id')}`;
const byEndpoint = new Map();
for (const r of workload) {
  const e = endpointOf(r);
  if (!byEndpoint.has(e)) byEndpoint.set(e, []);
  byEndpoint.get(e).push(r);
}

// --- processes ------------------------------------------------------------------------------
function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function send(server, r) {
  return new Promise((resolve, reject) => {
    const body =
      r.body === undefined
        ? undefined
        : typeof r.body === 'string'
          ? r.body
          : JSON.stringify(r.body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: r.method ?? 'GET',
        path: r.url,
        headers: r.headers,
        agent: server.agent,
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function start(build, extraEnv = {}) {
  const port = await freePort();
  const proc = spawn(process.execPath, ['server.js'], {
    cwd: join(here, build),
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const server = { build, proc, port, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
  for (let i = 0; ; i++) {
    try {
      if ((await send(server, { method: 'GET', url: '/healthz' })) === 200) return server;
    } catch {}
    if (i > 600) throw new Error(`${build} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stop(server) {
  server.agent.destroy();
  server.proc.kill('SIGKILL');
}

/** CPU ns of a process and all its descendants, every thread. */
function treeCpuNs(rootPid) {
  const pids = [rootPid];
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {}
  }
  for (let i = 0; i < pids.length; i++) pids.push(...(children.get(pids[i]) ?? []));
  let total = 0;
  for (const pid of pids) {
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {}
    for (const tid of tasks) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {}
    }
  }
  return total;
}

const shuffled = (xs, seed) => {
  let s = seed >>> 0 || 1;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

async function warm(server, n, seed) {
  const order = shuffled(workload, seed);
  for (let i = 0; i < n; i++) await send(server, order[i % order.length]);
}

// --- the curve: one process, whole workload cycled, cost per endpoint per window -------------
async function curve() {
  const total = Number(opt('requests', 4000));
  const server = await start(opt('build', 'after'));
  const costs = new Map([...byEndpoint.keys()].map((e) => [e, []]));
  const order = shuffled(workload, 7);
  for (let i = 0; i < total; i++) {
    const r = order[i % order.length];
    const a = treeCpuNs(server.proc.pid);
    await send(server, r);
    costs.get(endpointOf(r)).push(treeCpuNs(server.proc.pid) - a);
  }
  stop(server);
  const windows = 8;
  console.log(
    `median µs per request, ${total} requests of the whole workload in ${windows} windows`,
  );
  for (const [e, xs] of costs) {
    const w = Math.ceil(xs.length / windows);
    const meds = [];
    for (let i = 0; i < xs.length; i += w) {
      const s = xs.slice(i, i + w).sort((x, y) => x - y);
      meds.push(Math.round(s[Math.floor(s.length / 2)] / 1000));
    }
    console.log(`${e.padEnd(32)} n=${String(xs.length).padStart(5)}  ${meds.join(' ')}`);
  }
}

// --- the change: long interleaved blocks per endpoint, fresh process pairs -------------------
async function change() {
  const ratios = new Map([...byEndpoint.keys()].map((e) => [e, []]));
  const costs = new Map([...byEndpoint.keys()].map((e) => [e, { before: [], after: [] }]));
  for (let p = 0; p < PAIRS; p++) {
    const servers = await Promise.all(SIDES.map((b, i) => start(b, i === 1 ? flagEnv() : {})));
    await Promise.all(servers.map((s, i) => warm(s, WARMUP, 1000 * p + i)));
    const endpoints = shuffled([...byEndpoint.keys()], p + 1);
    for (const e of endpoints) {
      const reqs = byEndpoint.get(e);
      const start = servers.map((s) => treeCpuNs(s.proc.pid));
      for (let i = 0; i < BLOCK; i++) {
        const r = reqs[i % reqs.length];
        const order = i % 2 ? [servers[1], servers[0]] : servers;
        for (const s of order) await send(s, r);
      }
      const [b, a] = servers.map((s, i) => (treeCpuNs(s.proc.pid) - start[i]) / BLOCK);
      ratios.get(e).push(a / b);
      costs.get(e).before.push(b);
      costs.get(e).after.push(a);
    }
    servers.forEach(stop);
    process.stderr.write(`pair ${p + 1}/${PAIRS} done\n`);
  }
  const out = {};
  console.log(
    `warm-up ${WARMUP} requests per process, blocks of ${BLOCK} per endpoint, ${PAIRS} fresh pairs`,
  );
  if (FLAG)
    console.log(`before: the after build at defaults; after: the after build with ${FLAG} on`);
  console.log('endpoint                          before µs  after µs  change   per-pair ratios');
  for (const [e, rs] of ratios) {
    const gm = Math.exp(rs.reduce((s, r) => s + Math.log(r), 0) / rs.length);
    const c = costs.get(e);
    const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length / 1000;
    out[e] = { change: gm - 1, ratios: rs, beforeUs: mean(c.before), afterUs: mean(c.after) };
    console.log(
      `${e.padEnd(32)} ${mean(c.before).toFixed(0).padStart(9)} ${mean(c.after).toFixed(0).padStart(9)}  ${((gm - 1) * 100).toFixed(1).padStart(6)}%  ${rs.map((r) => '×' + r.toFixed(2)).join(' ')}`,
    );
  }
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(out, null, 2) + '\n');
}

await (args.includes('--curve') ? curve() : change());
