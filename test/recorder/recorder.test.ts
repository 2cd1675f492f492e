import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRecorder, type Recorder } from '../../src/recorder/index.js';
import { parseWorkload } from '../../src/workload/parse.js';

let dir: string;
let server: http.Server;
let port: number;
let recorder: Recorder | undefined;

function listen(handler: http.RequestListener): Promise<void> {
  server = http.createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      port = (server.address() as { port: number }).port;
      resolve();
    }),
  );
}

function send(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function lines(): Record<string, unknown>[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function allText(): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('');
}

// The app reads its body after a delay, as one that authenticates first would.
const echo: http.RequestListener = (req, res) => {
  setTimeout(() => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = req.url?.startsWith('/missing') ? 404 : 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(`got ${Buffer.concat(chunks).length}`);
    });
  }, 5);
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'perfgate-rec-'));
});
afterEach(async () => {
  await recorder?.close();
  recorder = undefined;
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('node:http recorder', () => {
  it('leaves a measured request the same own properties as one it does not measure', async () => {
    const keys: string[][] = [];
    const shape: http.RequestListener = (req, res) => {
      keys.push(Reflect.ownKeys(req).map(String).sort());
      res.end('ok');
    };
    for (const rate of [0, 1]) {
      recorder = createRecorder({ path: path.join(dir, 'rec.jsonl'), rate, floor: false });
      await listen(shape);
      expect((await send('GET', '/items/1')).status).toBe(200);
      await recorder.close();
      await new Promise((r) => server.close(r));
    }
    expect(recorder!.stats().measured).toBe(1);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toEqual(keys[0]);
  });

  it('writes workload lines with meta that perfgate parses, credentials redacted', async () => {
    recorder = createRecorder({
      path: path.join(dir, 'rec.jsonl'),
      rate: 1,
      routes: ['/users/:id'],
      commit: 'abc123',
      host: 'web-1',
      flags: () => ({ 'dark-mode': 'on' }),
    });
    await listen(echo);
    const body = JSON.stringify({ user: 'ann', password: 'hunter2' });
    const r = await send(
      'POST',
      '/users/42?token=s3cret&page=2',
      {
        authorization: 'Bearer x',
        cookie: 'sid=1',
        'content-type': 'application/json',
        'x-trace': 't',
      },
      body,
    );
    expect(r.body).toBe(`got ${body.length}`); // the app still read its whole body
    await send('GET', '/missing/thing');
    await recorder.flush();
    const text = allText();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('Bearer x');
    const workload = parseWorkload(text, 'rec.jsonl');
    expect(workload.requests).toHaveLength(2);
    const [post, missing] = lines() as { meta: Record<string, unknown>; [k: string]: unknown }[];
    expect(post!.url).toBe('/users/42?token=REDACTED&page=2');
    expect(post!.endpoint).toBe('POST /users/:id');
    expect(post!.headers).toEqual({ 'content-type': 'application/json', 'x-trace': 't' });
    expect(JSON.parse(post!.body as string)).toEqual({ user: 'ann', password: 'REDACTED' });
    expect(post!.meta).toMatchObject({
      endpoint: 'POST /users/:id',
      endpointSource: 'routes',
      status: 200,
      requestBytes: body.length,
      commit: 'abc123',
      host: 'web-1',
      flags: { 'dark-mode': 'on' },
      sampled: 'rate',
    });
    expect(post!.meta.latencyMs as number).toBeGreaterThan(0);
    const cpu = post!.meta.cpu as { counter: string; value: number };
    expect(['instructions', 'task-clock', 'thread-cpu', 'process-cpu']).toContain(cpu.counter);
    expect(cpu.value).toBeGreaterThanOrEqual(0);
    expect(missing!.meta).toMatchObject({ status: 404, endpoint: 'GET /missing/thing' });
    expect(missing!.endpoint).toBeUndefined(); // derived again when read
    expect(recorder.stats().redacted.get('header authorization')).toBe(1);
  });

  it('records none at rate 0 without a floor, and keeps the floor otherwise', async () => {
    let t = 0;
    recorder = createRecorder({
      path: path.join(dir, 'rec.jsonl'),
      rate: 0,
      floor: { count: 2, periodMs: 1000, probe: 1 },
      now: () => t,
    });
    await listen(echo);
    for (let i = 0; i < 5; i++) await send('GET', `/a?i=${i}`);
    for (let i = 0; i < 5; i++) await send('GET', `/b`);
    t = 1500; // next period: each endpoint owed two again
    for (let i = 0; i < 5; i++) await send('GET', `/a?i=${i}`);
    await recorder.flush();
    const byEndpoint = lines().map((l) => (l.meta as { endpoint: string }).endpoint);
    expect(byEndpoint.filter((e) => e === 'GET /a')).toHaveLength(4);
    expect(byEndpoint.filter((e) => e === 'GET /b')).toHaveLength(2);
    expect(lines().every((l) => (l.meta as { sampled: string }).sampled === 'floor')).toBe(true);
  });

  it('takes templates from Express- and Fastify-shaped adapters and setRoute', async () => {
    recorder = createRecorder({ path: path.join(dir, 'rec.jsonl'), rate: 1 });
    const rec = recorder;
    const express = rec.express();
    // Minimal fakes: Express sets req.route and req.baseUrl while a route handler runs;
    // Fastify calls onRequest hooks with request.raw and request.routeOptions.url.
    const hooks: ((req: unknown, reply: unknown, next: () => void) => void)[] = [];
    const fastify = rec.fastify();
    fastify({ addHook: (_name, hook) => hooks.push(hook as (typeof hooks)[number]) }, {}, () => {});
    expect((fastify as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')]).toBe(true);
    await listen((req, res) => {
      if (req.url!.startsWith('/shop')) {
        express(req, res, () => {
          Object.assign(req, { baseUrl: '/shop', route: { path: '/items/:id' } });
          res.writeHead(200);
          Object.assign(req, { baseUrl: '', route: undefined }); // Express restores them later
          res.end('ok');
        });
      } else if (req.url!.startsWith('/fast')) {
        hooks[0]!({ raw: req, routeOptions: { url: '/fast/:slug' } }, {}, () => res.end('ok'));
      } else {
        rec.setRoute(req, '/manual/:x');
        res.end('ok');
      }
    });
    await send('GET', '/shop/items/9');
    await send('GET', '/fast/hello-world');
    await send('DELETE', '/manual/thing');
    await recorder.flush();
    expect(lines().map((l) => l.endpoint)).toEqual([
      'GET /shop/items/:id',
      'GET /fast/:slug',
      'DELETE /manual/:x',
    ]);
  });

  it('stores flags from an OpenFeature hook evaluated while serving the request', async () => {
    recorder = createRecorder({ path: path.join(dir, 'rec.jsonl'), rate: 1 });
    const hook = recorder.openFeatureHook();
    await listen((req, res) => {
      // What an OpenFeature client does after each evaluation, possibly after an await.
      void Promise.resolve().then(() => {
        hook.after({}, { flagKey: 'new-search', value: true, variant: 'on' });
        hook.after({}, { flagKey: 'limit', value: 20 });
        res.end(req.url);
      });
    });
    await send('GET', '/x');
    await recorder.flush();
    expect((lines()[0]!.meta as { flags: unknown }).flags).toEqual({
      'new-search': 'on',
      limit: 20,
    });
  });

  it('rotates files by size', async () => {
    recorder = createRecorder({
      path: path.join(dir, 'rec.jsonl'),
      rate: 1,
      rotate: { maxBytes: 600 },
    });
    await listen(echo);
    for (let i = 0; i < 8; i++) {
      await send('GET', `/r/${i}`);
      await recorder.flush();
    }
    const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    expect(files.length).toBeGreaterThan(1);
    expect(files.every((f) => /^rec\.\d{8}T\d{6}Z\.\d+\.\d+\.jsonl$/.test(f))).toBe(true);
    expect(parseWorkload(allText(), 'all').requests).toHaveLength(8);
  });

  it('a sink that cannot write is reported once and never breaks the service', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const errors: string[] = [];
    recorder = createRecorder({
      path: path.join(blocker, 'rec.jsonl'),
      rate: 1,
      onError: (m) => errors.push(m),
    });
    await listen(echo);
    for (let i = 0; i < 5; i++) {
      expect((await send('GET', `/ok/${i}`)).status).toBe(200);
      await recorder.flush();
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/cannot write .*rec\.jsonl/);
    expect(recorder.stats()).toMatchObject({ failed: true, written: 0 });
    expect(recorder.stats().dropped).toBe(5);
  });

  it('makes no record of a request aborted before its response finished, and records the next', async () => {
    recorder = createRecorder({ path: path.join(dir, 'rec.jsonl'), rate: 1, batchMs: 10 });
    let hung: http.ServerResponse | undefined;
    const arrived = new Promise<void>((resolve) =>
      listen((req, res) => {
        if (req.url === '/hang') {
          hung = res;
          resolve();
          return;
        }
        res.end('ok');
      }),
    );
    await new Promise((r) => setTimeout(r, 0));
    const aborted = http.request({ host: '127.0.0.1', port, path: '/hang' });
    aborted.on('error', () => {});
    aborted.end();
    await arrived;
    const closed = new Promise((r) => hung!.once('close', r));
    aborted.destroy();
    await closed;
    await send('GET', '/after');
    await new Promise((r) => setTimeout(r, 50)); // the batch interval, unflushed
    const paths = lines().map((l) => l.url);
    expect(paths).toEqual(['/after']);
    expect(recorder.stats()).toMatchObject({ measured: 2, recorded: 1 });
  });
});
