// The Python recorder, run with Debian's python3 and Django (python3-django, gunicorn; see
// .ci/run): its unit tests, then a Django app under gunicorn workers recording real requests
// into a file perfgate parses and replays.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/run.js';
import { silentLogger } from '../../src/log.js';
import { freePort } from '../../src/targets/port.js';
import {
  CREDENTIAL_HEADERS,
  CREDENTIAL_PARAMS,
  DROPPED_ON_IMPORT,
} from '../../src/workload/headers.js';
import { parseWorkload } from '../../src/workload/parse.js';
import { request } from '../examples/helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PYTHON = '/usr/bin/python3';
const fixture = path.join(root, 'test/fixtures/django_app');
const pythonPath = `${path.join(root, 'recorder/python')}:${fixture}`;
const has = (module: string) =>
  spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
const available = has('django') && has('gunicorn');

describe.skipIf(!has('json'))('perfgate_recorder unit tests', () => {
  it('pass under /usr/bin/python3, with the same redaction lists as perfgate import', () => {
    const r = spawnSync(PYTHON, ['-m', 'unittest', 'discover', '-s', 'recorder/python/tests'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        PERFGATE_LISTS: JSON.stringify({
          headers: CREDENTIAL_HEADERS,
          params: CREDENTIAL_PARAMS,
          dropped: DROPPED_ON_IMPORT,
        }),
      },
    });
    expect(r.stderr).toMatch(/Ran \d+ tests/);
    expect(r.status, r.stderr).toBe(0);
  });
});

describe.skipIf(!available)('Django under gunicorn with the recorder', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'perfgate-django-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records what the workers serve into a workload that perfgate run replays', async () => {
    const port = await freePort();
    const proc = spawn(
      PYTHON,
      ['-m', 'gunicorn', '-w', '2', '-b', `127.0.0.1:${port}`, 'shopapp.wsgi:application'],
      {
        cwd: fixture,
        env: {
          ...process.env,
          PYTHONPATH: pythonPath,
          RECORD: path.join(dir, 'rec', 'django.jsonl'),
        },
        stdio: 'ignore',
      },
    );
    const agent = new http.Agent({ keepAlive: false });
    try {
      for (let i = 0; ; i++) {
        try {
          if ((await request(port, agent, { method: 'GET', path: '/healthz' })).status === 200)
            break;
        } catch {
          if (i > 200) throw new Error('gunicorn did not start');
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      for (let i = 0; i < 10; i++) {
        await request(port, agent, { method: 'GET', path: `/api/items/${i}?token=t${i}` });
        await request(port, agent, {
          method: 'GET',
          path: `/api/search?q=x${i}${i % 2 ? '&fast=1' : ''}`,
        });
        await request(port, agent, { method: 'GET', path: '/api/stream' });
        // Django reads no body without Content-Length (it does not take chunked uploads).
        const body = JSON.stringify({ items: [i], password: 'hunter2' });
        await request(port, agent, {
          method: 'POST',
          path: '/api/orders',
          headers: {
            'content-type': 'application/json',
            'content-length': String(body.length),
            authorization: 'Bearer s',
          },
          body,
        });
      }
    } finally {
      agent.destroy();
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
    const files = readdirSync(path.join(dir, 'rec'));
    const pids = new Set(files.map((f) => f.split('.')[2]));
    const text = files.map((f) => readFileSync(path.join(dir, 'rec', f), 'utf8')).join('');
    expect(text).not.toMatch(/hunter2|Bearer s|token=t\d/);
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { meta: Record<string, unknown>; body?: string });
    const endpoints = new Set(records.map((r) => r.meta.endpoint));
    expect([...endpoints].sort()).toEqual([
      'GET /api/items/:pk',
      'GET /api/search',
      'GET /api/stream',
      'GET /healthz',
      'POST /api/orders',
    ]);
    const order = records.find((r) => r.meta.endpoint === 'POST /api/orders')!;
    expect(order.meta, JSON.stringify(order)).toMatchObject({ status: 201, commit: 'fixture' });
    expect(JSON.parse(order.body!)).toMatchObject({ password: 'REDACTED' });
    const flags = records
      .filter((r) => r.meta.flags)
      .map((r) => (r.meta.flags as Record<string, string>)['fast-search']);
    expect(new Set(flags)).toEqual(new Set(['on', 'off']));
    expect(pids.size).toBeGreaterThanOrEqual(1); // one file per worker that served
    const workload = parseWorkload(text, 'django.jsonl');
    expect(workload.requests.length).toBeGreaterThanOrEqual(41);

    // Replay it as is: the fixture as both builds (A/A), two short rounds.
    writeFileSync(path.join(dir, 'workload.jsonl'), text);
    const start = `${PYTHON} -m gunicorn -w 2 -b 127.0.0.1:\${PORT} shopapp.wsgi:application`;
    writeFileSync(
      path.join(dir, 'perfgate.yml'),
      [
        'workload: workload.jsonl',
        `before: { cwd: ${fixture}, start: "${start}" }`,
        `after: { cwd: ${fixture}, start: "${start}" }`,
        // RECORD keeps the (idle) recorder's files out of the fixture folder.
        `env: { PYTHONPATH: "${pythonPath}", RECORD_RATE: "0", RECORD: "${path.join(dir, 'replay-rec', 'django.jsonl')}" }`,
        'ready: { path: /healthz, timeout: 30s }',
        'measure: { counter: auto, rounds: 2, warmup: 0 }',
        'thresholds: { default: 50% }',
      ].join('\n'),
    );
    const err: Buffer[] = [];
    const code = await runCommand.run(
      ['-c', path.join(dir, 'perfgate.yml'), '-o', path.join(dir, 'out'), '--annotate'],
      {
        stdout: new PassThrough(),
        stderr: new PassThrough().on('data', (c: Buffer) => err.push(c)),
        cwd: dir,
        env: process.env,
        logger: silentLogger,
        signal: new AbortController().signal,
      },
    );
    const result = JSON.parse(readFileSync(path.join(dir, 'out', 'result.json'), 'utf8')) as {
      endpoints: { endpoint: string; n: { before: number } }[];
    };
    expect(code, Buffer.concat(err).toString()).not.toBe(2);
    expect(result.endpoints.map((e) => e.endpoint)).toContain('POST /api/orders');
    expect(result.endpoints.every((e) => e.n.before > 0)).toBe(true);
  }, 120_000);

  it('records the Django example with examples/django/record.py: two workers, one workload', () => {
    const out = path.join(dir, 'example', 'django.jsonl');
    const r = spawnSync(
      PYTHON,
      ['examples/django/record.py', '--requests', '120', '--build', 'after', '--out', out],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(
      /sent 120 requests \(status 200: \d+, 201: \d+, 404: \d+, 422: \d+\); 121 records/,
    );
    const text = readFileSync(out, 'utf8');
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { meta: { endpoint: string; commit: string; pid: number } });
    expect(new Set(records.map((x) => x.meta.endpoint))).toEqual(
      new Set([
        'GET /api/items/:item_id',
        'GET /api/report',
        'GET /api/feed',
        'POST /api/orders',
        'GET /healthz',
      ]),
    );
    expect(new Set(records.map((x) => x.meta.commit))).toEqual(new Set(['after']));
    // The workload perfgate run --workload takes: every request parses, templates kept.
    const workload = parseWorkload(text, 'django.jsonl');
    expect(workload.requests).toHaveLength(121);
  }, 90_000);
});
