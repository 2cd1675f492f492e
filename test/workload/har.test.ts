import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  importHar,
  parseWorkload,
  redactPolicy,
  serializeWorkload,
  type ImportResult,
} from '../../src/workload/index.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/workload');
let har: string;
beforeAll(async () => {
  har = await readFile(path.join(fixtures, 'session.har'), 'utf8');
});

const byPath = (result: ImportResult, p: string) =>
  result.requests.find((r) => r.path.startsWith(p));

describe('importHar', () => {
  it('imports requests, reducing absolute URLs to path and query', () => {
    const result = importHar(har, 'session.har', { redact: redactPolicy() });
    expect(result.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /users/42?token=REDACTED&page=1',
      'POST /api/items',
      'PUT /files/3f2a9c1e',
      'GET /static/app.js',
      'POST /login',
      'GET /api/items/9/reviews',
    ]);
    for (const r of result.requests) {
      expect(r.path).not.toMatch(/example|https?:/);
    }
  });

  it('drops pseudo-headers, connection headers and Host; joins repeated headers', () => {
    const result = importHar(har, 'session.har', { redact: false });
    expect(byPath(result, '/users/42')!.headers).toEqual({
      Authorization: 'Bearer eyJhbGciOi.secret',
      Cookie: 'sid=1; theme=dark',
      Accept: 'application/json',
      'X-Api-Key': 'k-123',
    });
    expect(byPath(result, '/api/items')!.headers).toEqual({
      'Content-Type': 'application/json',
      Authorization: 'Bearer eyJhbGciOi.secret',
    });
  });

  it('decodes base64 bodies and rebuilds url-encoded forms', () => {
    const result = importHar(har, 'session.har', { redact: false });
    expect(byPath(result, '/files/')!.body).toEqual(Buffer.from([0, 1, 2, 3, 255, 254]));
    expect(byPath(result, '/login')!.body!.toString()).toBe('user=ann&password=p%20w');
    expect(JSON.parse(byPath(result, '/api/items')!.body!.toString())).toEqual({
      name: 'lamp',
      owner: { password: 'hunter2' },
    });
  });

  it('redacts credentials by default and counts them by name', () => {
    const result = importHar(har, 'session.har', {
      redact: redactPolicy({ headers: ['x-api-key'] }),
    });
    expect(Object.fromEntries(result.redacted)).toEqual({
      'header authorization': 2,
      'header cookie': 1,
      'header x-api-key': 1,
      'query token': 1,
      'body password': 2,
    });
    expect(byPath(result, '/users/42')!.headers).toEqual({ Accept: 'application/json' });
    expect(JSON.parse(byPath(result, '/api/items')!.body!.toString())).toEqual({
      name: 'lamp',
      owner: { password: 'REDACTED' },
    });
    expect(byPath(result, '/login')!.body!.toString()).toBe('user=ann&password=REDACTED');
    expect(serializeWorkload(result.requests)).not.toMatch(/secret|hunter2|abc123|k-123|sid=1/);
  });

  it('keeps secrets when asked', () => {
    const result = importHar(har, 'session.har', { redact: false });
    expect(result.redacted.size).toBe(0);
    expect(byPath(result, '/users/42')!.path).toBe('/users/42?token=abc123&page=1');
  });

  it('says why each skipped entry was skipped', () => {
    const result = importHar(har, 'session.har', { redact: redactPolicy() });
    expect(result.skipped).toEqual([
      {
        where: 'log.entries[4]',
        reason: "served from the browser's memory cache; it never reached the server",
      },
      {
        where: 'log.entries[5]',
        reason: "url: only http and https URLs can be replayed, got 'data:'",
      },
      {
        where: 'log.entries[7]',
        reason: 'the multipart/form-data body is recorded only as params, without its text',
      },
      {
        where: 'log.entries[8]',
        reason: 'a WebSocket or other protocol upgrade cannot be replayed',
      },
    ]);
  });

  it('counts hosts and keeps only the ones asked for', () => {
    const all = importHar(har, 'session.har', { redact: false });
    expect(Object.fromEntries(all.hosts)).toEqual({ 'shop.example.com': 6, 'cdn.example.net': 1 });
    const shop = importHar(har, 'session.har', { redact: false, hosts: ['shop.example.com'] });
    expect(shop.requests.map((r) => r.path)).not.toContain('/static/app.js');
    expect(shop.skipped.map((s) => s.reason)).toContain(
      'host cdn.example.net is not one of --host shop.example.com',
    );
  });

  it('writes endpoints that routes name, and leaves the rest to be derived when read', () => {
    const result = importHar(har, 'session.har', {
      redact: false,
      routes: ['/api/items/:item/reviews'],
    });
    expect(byPath(result, '/api/items/9')!.endpoint).toBe('GET /api/items/:item/reviews');
    expect(byPath(result, '/users/42')!.endpoint).toBeUndefined();
    const workload = parseWorkload(serializeWorkload(result.requests), 'w.jsonl');
    expect(workload.endpoints).toContain('GET /api/items/:item/reviews');
    expect(workload.endpoints).toContain('GET /users/:id');
  });

  it('refuses what is not a HAR file', () => {
    expect(() => importHar('{"log": {}}', 'x.har', { redact: false })).toThrow(/not a HAR file/);
    let error: unknown;
    try {
      importHar('{\n  "log": {\n    "entries": [,]\n  }\n}', 'x.har', { redact: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^x\.har(:line 3)?: not valid JSON/);
  });
});

describe('importHar redaction gaps (issue 12)', () => {
  const entry = (request: Record<string, unknown>) =>
    JSON.stringify({ log: { entries: [{ request: { method: 'POST', url: '/x', ...request } }] } });

  it('redacts a token in the query string of a Referer header', () => {
    const text = entry({
      method: 'GET',
      headers: [
        { name: 'Referer', value: 'https://shop.example.com/cart?access_token=t0k3n&p=2#top' },
      ],
    });
    const result = importHar(text, 'r.har', { redact: redactPolicy() });
    expect(result.requests[0]!.headers.Referer).toBe(
      'https://shop.example.com/cart?access_token=REDACTED&p=2#top',
    );
    expect(Object.fromEntries(result.redacted)).toEqual({ 'referer query access_token': 1 });
  });

  it('redacts credential-named JSON keys whose value is a list or an object, keeping the shape', () => {
    const body = { api_key: ['k1', 'k2'], secret: { v: 's3', n: 4, ok: true }, name: 'lamp' };
    const text = entry({
      headers: [{ name: 'Content-Type', value: 'application/json' }],
      postData: { mimeType: 'application/json', text: JSON.stringify(body) },
    });
    const result = importHar(text, 'r.har', { redact: redactPolicy() });
    expect(JSON.parse(result.requests[0]!.body!.toString())).toEqual({
      api_key: ['REDACTED', 'REDACTED'],
      secret: { v: 'REDACTED', n: 'REDACTED', ok: true },
      name: 'lamp',
    });
    expect(Object.fromEntries(result.redacted)).toEqual({ 'body api_key': 1, 'body secret': 1 });
  });

  it('redacts a JSON body the HAR types only by postData.mimeType', () => {
    const text = entry({
      postData: { mimeType: 'application/json; charset=utf-8', text: '{"password":"hunter2"}' },
    });
    const result = importHar(text, 'r.har', { redact: redactPolicy() });
    expect(result.requests[0]!.body!.toString()).toBe('{"password":"REDACTED"}');
    expect(Object.fromEntries(result.redacted)).toEqual({ 'body password': 1 });
  });

  it('redacts a JSON-looking body with no type at all', () => {
    const text = entry({ postData: { text: ' [{"token":"abc"}]' } });
    const result = importHar(text, 'r.har', { redact: redactPolicy() });
    expect(result.requests[0]!.body!.toString()).toBe('[{"token":"REDACTED"}]');
  });
});
