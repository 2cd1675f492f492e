import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { ProblemsError } from '../../src/config/index.js';
import { loadWorkload, parseWorkload } from '../../src/workload/index.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/workload');

function failure(text: string): ProblemsError {
  try {
    parseWorkload(text, 'w.jsonl');
  } catch (error) {
    if (error instanceof ProblemsError) return error;
    throw error;
  }
  throw new Error('expected a ProblemsError');
}

describe('parseWorkload', () => {
  it('reads format v1', async () => {
    const workload = await loadWorkload(path.join(fixtures, 'basic.jsonl'));
    expect(workload.requests).toEqual([
      {
        id: 0,
        line: 2,
        method: 'GET',
        path: '/users/42',
        headers: { Accept: 'application/json' },
        endpoint: 'GET /users/:id',
        weight: 1,
      },
      {
        id: 1,
        line: 3,
        method: 'GET',
        path: '/users/7?full=1',
        headers: {},
        endpoint: 'GET /users/:id',
        weight: 1,
      },
      {
        id: 2,
        line: 5,
        method: 'POST',
        path: '/api/items',
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.from('{"name":"lamp"}'),
        endpoint: 'POST /api/items',
        weight: 3,
      },
      {
        id: 'upload',
        line: 6,
        method: 'PUT',
        path: '/files/3f2a9c1e',
        headers: {},
        body: Buffer.from([0, 1, 2, 3, 255]),
        endpoint: 'PUT /files/:id',
        weight: 1,
      },
      {
        id: 4,
        line: 7,
        method: 'GET',
        path: '/search?q=lamp',
        headers: {},
        endpoint: 'search',
        weight: 1,
      },
    ]);
    expect(workload.endpoints).toEqual([
      'GET /users/:id',
      'POST /api/items',
      'PUT /files/:id',
      'search',
    ]);
  });

  it('names endpoints by the routes it is given', () => {
    const w = parseWorkload('{"method":"GET","url":"/users/alice"}\n', 'w.jsonl', {
      routes: ['/users/:name'],
    });
    expect(w.requests[0]!.endpoint).toBe('GET /users/:name');
  });

  it('reports every bad line with its line number and field', async () => {
    const text = await readFile(path.join(fixtures, 'bad.jsonl'), 'utf8');
    const e = failure(text);
    expect(e.problems.map((p) => [p.line, p.path])).toEqual([
      [2, undefined],
      [3, 'method'],
      [4, 'url'],
      [5, 'url'],
      [7, 'headers.Content-Length'],
      [7, 'headers.:authority'],
      [8, 'weight'],
      [9, 'body.base64'],
      [10, 'heders'],
      [11, undefined],
    ]);
    expect(e.line).toBe(2);
    expect(e.message.split('\n')[0]).toMatch(/^w\.jsonl:line 2: not valid JSON/);
    expect(e.message).toContain(
      "w.jsonl:line 4: url: expected a path starting with '/' or an http(s) URL, got 'users/relative'",
    );
    expect(e.message).toContain('w.jsonl:line 5: url: only http and https URLs can be replayed');
    expect(e.message).toContain("line 10: heders: unknown field (did you mean 'headers'?)");
    expect(e.message).toContain('line 11: expected a JSON object');
  });

  it('lists the first 20 problems, then how many more', () => {
    const text = Array.from({ length: 25 }, () => '{"url": "/x"}').join('\n');
    const e = failure(text);
    expect(e.problems).toHaveLength(25);
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe('and 5 more');
  });

  it('refuses duplicate ids', () => {
    const e = failure(
      '{"method":"GET","url":"/a","id":"x"}\n{"method":"GET","url":"/b","id":"x"}\n',
    );
    expect(e.problems[0]).toMatchObject({ line: 2, path: 'id' });
    expect(e.message).toContain('duplicate id "x" (first on line 1)');
  });

  it('refuses headers given twice and bad header values', () => {
    const e = failure(
      '{"method":"GET","url":"/a","headers":{"Accept":"a","accept":"b","X-N":1,"X-L":"a\\nb"}}',
    );
    expect(e.problems.map((p) => p.path)).toEqual(['headers.accept', 'headers.X-N', 'headers.X-L']);
  });

  it('refuses CONNECT and bad methods', () => {
    expect(failure('{"method":"CONNECT","url":"/a"}').message).toContain(
      'CONNECT cannot be replayed',
    );
    expect(failure('{"method":"G T","url":"/a"}').message).toContain('not a valid HTTP method');
  });

  it('ignores fields it does not know unless they look like a typo', () => {
    const w = parseWorkload(
      '{"method":"GET","url":"/a","status":200,"ip":"10.0.0.1","flags":{"x":true}}',
      'w.jsonl',
    );
    expect(w.requests).toHaveLength(1);
    expect(failure('{"method":"GET","URL":"/a"}').message).toContain("did you mean 'url'?");
  });

  it('an empty workload is an error', () => {
    expect(() => parseWorkload('# nothing\n\n', 'w.jsonl')).toThrow(/no requests/);
  });

  it('a missing file is a ConfigError naming it', async () => {
    const error = await loadWorkload('/nonexistent/w.jsonl').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('/nonexistent/w.jsonl: workload file not found');
  });

  it('accepts CRLF line endings', () => {
    const w = parseWorkload('{"method":"GET","url":"/a"}\r\n{"method":"GET","url":"/b"}\r\n', 'w');
    expect(w.requests.map((r) => [r.line, r.path])).toEqual([
      [1, '/a'],
      [2, '/b'],
    ]);
  });
});

describe('a recorded file given as the workload', () => {
  it.each([
    ['session.har', 'a HAR file', 'har'],
    ['access.log', 'an access log', 'access-log'],
  ])('%s: says what it is and which import command converts it', async (name, what, format) => {
    const file = path.join(fixtures, name);
    const error = await loadWorkload(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      `${file}: this is ${what}, not a perfgate workload (JSONL, one request a line)`,
    );
    expect((error as ConfigError).hint).toContain(`perfgate import ${format} ${file} -o`);
  });

  it('still lists the bad lines of a broken JSONL workload', () => {
    expect(() => parseWorkload('{"method":"GET","url":"/a"}\n{"method":\n', 'w.jsonl')).toThrow(
      ProblemsError,
    );
  });
});

describe('no request ever carries a host', () => {
  const urls = [
    'https://shop.example.com/users/7?full=1',
    'http://user:pass@10.0.0.5:8080/a/b?c=d#frag',
    'HTTPS://EXAMPLE.COM',
    '//cdn.example.net/static/app.js',
    'http://example.com//evil.example.org/x',
    '/plain/path?q=1#frag',
    '/with space/ünïcode?q="x"',
  ];
  const text = urls.map((url) => JSON.stringify({ method: 'GET', url })).join('\n');
  const { requests } = parseWorkload(text, 'w.jsonl');

  it.each(requests.map((r, i) => [urls[i]!, r.path]))('%s → %s', (url, target) => {
    expect(target.startsWith('/')).toBe(true);
    expect(target.startsWith('//')).toBe(false);
    expect(target).not.toMatch(/example\.(com|net)|10\.0\.0\.5|user:pass|#/i);
    expect(target).not.toMatch(/[\s"\u0080-\uffff]/);
    // The HTTP client resolves a target against the target's own origin: it must stay there.
    expect(new URL(target, 'http://127.0.0.1:9999').host).toBe('127.0.0.1:9999');
    expect(url).toBeTruthy();
  });

  it('keeps path and query', () => {
    expect(requests.map((r) => r.path)).toEqual([
      '/users/7?full=1',
      '/a/b?c=d',
      '/',
      '/static/app.js',
      '/evil.example.org/x',
      '/plain/path?q=1',
      '/with%20space/%C3%BCn%C3%AFcode?q=%22x%22',
    ]);
  });
});

describe('bytes and characters a request cannot carry (issue 12)', () => {
  it('refuses invalid UTF-8 with the line it is on', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-utf8-'));
    const file = path.join(dir, 'w.jsonl');
    const good = Buffer.from('{"method":"GET","url":"/a"}\n');
    const bad = Buffer.concat([
      Buffer.from('{"method":"POST","url":"/b","body":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n'),
    ]);
    await writeFile(file, Buffer.concat([good, bad, good]));
    const error = await loadWorkload(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemsError);
    expect((error as ProblemsError).problems).toEqual([
      expect.objectContaining({ line: 2, message: expect.stringContaining('not valid UTF-8') }),
    ]);
    expect((error as Error).message).toContain(`${file}:line 2: not valid UTF-8`);
  });

  it('refuses control and non-ASCII characters in header values, naming line and header', () => {
    const e = failure(
      '{"method":"GET","url":"/a"}\n{"method":"GET","url":"/a","headers":{"X-Name":"caf\u20ac","X-Bell":"a\\u0007b"}}',
    );
    expect(e.problems.map((p) => [p.line, p.path])).toEqual([
      [2, 'headers.X-Name'],
      [2, 'headers.X-Bell'],
    ]);
    expect(e.problems[0]!.message).toContain('U+20AC');
    expect(e.problems[1]!.message).toContain('U+0007');
  });
});
