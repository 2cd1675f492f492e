// The shop example must be a fair test case for perfgate: both builds answer the workload
// identically, and the after build really is costlier on search and cheaper on product pages.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkload } from '../../src/workload/index.js';
import type { WorkloadRequest } from '../../src/workload/index.js';
import { request, startServer, type Req, type Server } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shop = join(root, 'examples/shop');
const synthetic = join(root, 'benchmarks/fixtures');

const toReq = (r: WorkloadRequest): Req => ({
  method: r.method,
  path: r.path,
  headers: r.headers,
  ...(r.body ? { body: r.body } : {}),
});

describe('shop example', () => {
  let requests: WorkloadRequest[] = [];
  let endpoints: string[] = [];
  let before: Server | undefined;
  let after: Server | undefined;

  beforeAll(async () => {
    ({ requests, endpoints } = await loadWorkload(join(shop, 'workload.jsonl')));
    [before, after] = await Promise.all([
      startServer(join(shop, 'before'), 'server.js', { NODE_ENV: 'production' }),
      startServer(join(shop, 'after'), 'server.js', { NODE_ENV: 'production' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([before?.stop(), after?.stop()]);
  });

  it('has a workload perfgate reads, with the expected endpoints and mix', () => {
    expect(endpoints).toEqual([
      'GET /api/products',
      'GET /api/products/:id',
      'GET /api/products/:id/reviews',
      'GET /api/search',
      'POST /api/orders',
    ]);
    expect(requests.length).toBeGreaterThanOrEqual(40);
    expect(requests.length).toBeLessThanOrEqual(80);
    const writes = requests.filter((r) => r.method !== 'GET').length;
    expect(writes).toBeLessThan(requests.length / 4);
    expect(new Set(requests.map((r) => r.path)).size).toBeGreaterThan(requests.length * 0.8);
  });

  it('regenerates workload.jsonl byte for byte from record.js', () => {
    const out = execFileSync(process.execPath, ['record.js', '--stdout'], { cwd: shop });
    expect(out.toString()).toBe(readFileSync(join(shop, 'workload.jsonl'), 'utf8'));
  });

  it('answers every workload request identically in both builds', async () => {
    const statuses: Record<string, number[]> = {};
    for (const r of requests) {
      const [b, a] = await Promise.all([
        request(before!.port, before!.agent, toReq(r)),
        request(after!.port, after!.agent, toReq(r)),
      ]);
      expect(a.status, `${r.method} ${r.path}`).toBe(b.status);
      expect(a.body, `${r.method} ${r.path}`).toBe(b.body);
      (statuses[r.endpoint] ??= []).push(b.status);
    }
    // Mostly successes, plus the workload's deliberate stale link and invalid order.
    expect(statuses['GET /api/products/:id']!.filter((s) => s === 404)).toHaveLength(1);
    expect(statuses['POST /api/orders']!.filter((s) => s === 422)).toHaveLength(1);
    expect(statuses['POST /api/orders']!.filter((s) => s === 201).length).toBeGreaterThan(4);
    const ok = Object.values(statuses)
      .flat()
      .filter((s) => s < 300).length;
    expect(ok).toBe(requests.length - 2);
  });

  it('rejects bad input the same way in both builds', async () => {
    const bad: Req[] = [
      { method: 'GET', path: '/api/search' },
      { method: 'GET', path: '/api/search?q=lamp&size=1000' },
      { method: 'GET', path: '/api/products?sort=popularity' },
      { method: 'GET', path: '/api/products/abc' },
      { method: 'GET', path: '/api/nowhere' },
      { method: 'DELETE', path: '/api/products/3' },
      {
        method: 'POST',
        path: '/api/orders',
        headers: { 'content-type': 'application/json' },
        body: '{not json',
      },
      { method: 'POST', path: '/api/orders', headers: { 'content-type': 'text/plain' }, body: 'x' },
    ];
    for (const r of bad) {
      const [b, a] = [
        await request(before!.port, before!.agent, r),
        await request(after!.port, after!.agent, r),
      ];
      expect(b.status, `${r.method} ${r.path}`).toBeGreaterThanOrEqual(400);
      expect(a).toEqual(b);
    }
  });

  // That after really is costlier on search and cheaper on product pages, and the same
  // elsewhere, is checked on deterministic counts in test/examples/simulated.test.ts (CI has
  // Valgrind); in CPU time, by examples/shop/ground-truth.mjs. A CPU-time ratio here failed
  // whenever the machine was busy (search ×1.098 against a bound of 1.1, every endpoint of the
  // after process ~10 % cheaper).

  it('stops with exit code 0 on SIGTERM, even with a kept-alive connection open', async () => {
    const s = await startServer(join(shop, 'after'), 'server.js');
    await request(s.port, s.agent, { method: 'GET', path: '/api/products/1' });
    // The kept-alive connection stays open on our side; a server that waited for it to idle out
    // (65 s) would not exit before this test's 20 s timeout.
    s.proc.kill('SIGTERM');
    const code = await new Promise((resolve) => s.proc.on('exit', resolve));
    expect(code).toBe(0);
    await s.stop();
  }, 20_000);
});

describe('synthetic benchmark server', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('serves its workload and refuses unknown endpoints', async () => {
    const { requests, endpoints } = await loadWorkload(join(synthetic, 'synthetic-workload.jsonl'));
    expect(endpoints).toEqual(['GET /work/a', 'GET /work/b', 'GET /work/c', 'GET /work/d']);
    const s = await startServer(synthetic, 'synthetic-server.js');
    servers.push(s);
    for (const r of requests) {
      const reply = await request(s.port, s.agent, toReq(r));
      expect(reply.status).toBe(200);
    }
    const b = JSON.parse((await request(s.port, s.agent, { method: 'GET', path: '/work/b' })).body);
    expect(b.iterations).toBe(
      2 *
        JSON.parse((await request(s.port, s.agent, { method: 'GET', path: '/work/a' })).body)
          .iterations,
    );
    expect((await request(s.port, s.agent, { method: 'GET', path: '/work/z' })).status).toBe(404);
  });

  // How CPU scales with the units is a benchmark's question (the server checks its kernel's
  // linearity at start-up; `npm run bench` measures it): here, only that a regression multiplies
  // the work each request does, which no machine load can blur.
  it('multiplies the work of a regressed endpoint by its factor', async () => {
    const plain = await startServer(synthetic, 'synthetic-server.js', {
      PERFGATE_SYNTH_WORK: 'a=2000',
    });
    servers.push(plain);
    const doubled = await startServer(synthetic, 'synthetic-server.js', {
      PERFGATE_SYNTH_WORK: 'a=2000',
      PERFGATE_SYNTH_REGRESS: 'a=2',
    });
    servers.push(doubled);
    const req: Req = { method: 'GET', path: '/work/a' };
    const iterations = async (s: Server) =>
      (JSON.parse((await request(s.port, s.agent, req)).body) as { iterations: number }).iterations;
    const one = await iterations(plain);
    expect(one).toBeGreaterThan(0);
    expect(await iterations(doubled)).toBe(2 * one);
  }, 60_000);

  it('exits with an error on a malformed PERFGATE_SYNTH_WORK', () => {
    let status: number | null = null;
    try {
      execFileSync(process.execPath, ['synthetic-server.js'], {
        cwd: synthetic,
        env: { ...process.env, PERFGATE_SYNTH_WORK: 'a=lots', PORT: '0' },
        stdio: 'pipe',
      });
    } catch (err) {
      status = (err as { status: number }).status;
    }
    expect(status).toBe(2);
  });
});
