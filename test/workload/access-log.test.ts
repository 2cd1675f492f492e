import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  importAccessLog,
  parseWorkload,
  redactPolicy,
  serializeWorkload,
} from '../../src/workload/index.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/workload');
let log: string;
beforeAll(async () => {
  log = await readFile(path.join(fixtures, 'access.log'), 'utf8');
});

describe('importAccessLog', () => {
  it('reads combined and common lines', () => {
    const result = importAccessLog(log, 'access.log', { redact: redactPolicy() });
    expect(result.requests).toEqual([
      {
        method: 'GET',
        path: '/users/42?full=1',
        headers: {
          Referer: 'https://shop.example.com/',
          'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64)',
        },
      },
      { method: 'POST', path: '/api/items', headers: { 'User-Agent': 'curl/8.5.0' } },
      { method: 'GET', path: '/search?q=a%20b&access_token=REDACTED', headers: {} },
      { method: 'GET', path: '/proxy/path', headers: { 'User-Agent': 'ua "quoted"' } },
      { method: 'GET', path: '/odd%22quote', headers: {} },
      { method: 'HEAD', path: '/', headers: {} },
    ]);
    expect(Object.fromEntries(result.redacted)).toEqual({ 'query access_token': 1 });
  });

  it('reports every skipped line with its number and reason', () => {
    const result = importAccessLog(log, 'access.log', { redact: false });
    expect(result.skipped).toEqual([
      { where: 'line 3', line: 3, reason: 'not in the combined or common log format' },
      {
        where: 'line 4',
        line: 4,
        reason: expect.stringMatching(/^not an HTTP request line: /) as unknown as string,
      },
      { where: 'line 5', line: 5, reason: 'empty request line (the client sent no request)' },
      { where: 'line 8', line: 8, reason: "'PRI' is not an HTTP method perfgate replays" },
    ]);
  });

  it('warns that bodies are missing', () => {
    const result = importAccessLog(log, 'access.log', { redact: false });
    expect(result.warnings).toEqual([
      '1 POST request(s) will be replayed without a body: access logs do not record bodies',
    ]);
  });

  it('writes a workload that reads back, without hosts', () => {
    const result = importAccessLog(log, 'access.log', { redact: redactPolicy() });
    const workload = parseWorkload(serializeWorkload(result.requests), 'w.jsonl');
    expect(workload.endpoints).toEqual([
      'GET /odd%22quote',
      'GET /proxy/path',
      'GET /search',
      'GET /users/:id',
      'HEAD /',
      'POST /api/items',
    ]);
    expect(workload.requests.every((r) => !r.path.includes('example.com'))).toBe(true);
  });
});

describe('importAccessLog skipped-line text (issue 12)', () => {
  const line =
    '10.0.0.1 - - [10/Oct/2025:13:55:36 +0000] "GET /login?user=ann&password=hunter2 EXTRA WORDS" 200 5';

  it('redacts credentials quoted in a skipped line reason', () => {
    const result = importAccessLog(`${line}\n`, 'a.log', { redact: redactPolicy() });
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]!.reason).toContain('password=REDACTED');
    expect(JSON.stringify(result.skipped)).not.toContain('hunter2');
  });

  it('keeps the text when told to keep secrets', () => {
    const result = importAccessLog(`${line}\n`, 'a.log', { redact: false });
    expect(result.skipped[0]!.reason).toContain('password=hunter2');
  });
});
