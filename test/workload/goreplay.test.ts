import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCommand } from '../../src/cli/import.js';
import type { CommandContext } from '../../src/cli/command.js';
import { silentLogger } from '../../src/log.js';
import { dechunk, importGoReplay } from '../../src/workload/goreplay.js';
import { parseWorkload } from '../../src/workload/parse.js';
import { redactPolicy } from '../../src/workload/redact.js';

// sample.gor is written by make.mjs beside it, from GoReplay's format (research §6).
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/goreplay');
const sample = readFileSync(path.join(fixtures, 'sample.gor'));

async function run(...argv: string[]) {
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const stdout = new PassThrough().on('data', (c: Buffer) => out.stdout.push(c));
  const stderr = new PassThrough().on('data', (c: Buffer) => out.stderr.push(c));
  const ctx: CommandContext = {
    stdout,
    stderr,
    cwd: fixtures,
    env: {},
    logger: silentLogger,
    signal: new AbortController().signal,
  };
  const code = await importCommand.run(argv, ctx);
  return {
    code,
    stdout: Buffer.concat(out.stdout).toString(),
    stderr: Buffer.concat(out.stderr).toString(),
  };
}

describe('GoReplay import', () => {
  it('reads 3- and 4-field headers, de-chunks, joins responses and redacts', () => {
    const result = importGoReplay([{ name: 'sample.gor', data: sample }], {
      redact: redactPolicy(),
    });
    // Timestamp order: the PUT started first although it was captured last.
    expect(result.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /api/items/7',
      'GET /api/items?token=REDACTED&page=2',
      'POST /api/login',
    ]);
    const [put, get, post] = result.requests;
    expect(put!.body!.toString()).toBe('name=lamp&api_key=REDACTED');
    expect(put!.meta).toEqual({ time: '2023-11-14T22:13:19.990Z' });
    expect(get!.headers).toEqual({ 'User-Agent': 'gor-test/1.0', Accept: 'application/json' });
    expect(get!.meta).toMatchObject({ status: 200, latencyMs: 2.5 });
    expect(JSON.parse(post!.body!.toString())).toEqual({ user: 'ann', password: 'REDACTED' });
    expect(post!.meta).toMatchObject({ status: 503, latencyMs: 3 });
    expect([...result.redacted].sort()).toEqual([
      ['body api_key', 1],
      ['body password', 1],
      ['header authorization', 1],
      ['header cookie', 1],
      ['query token', 1],
    ]);
    expect(result.skipped).toEqual([
      {
        where: 'line 51',
        line: 51,
        reason: "malformed record header '1 333333333333333333333333'",
      },
    ]);
    expect(result.warnings.join('\n')).toMatch(/1 of 3 request\(s\) have no original response/);
    expect(result.warnings.join('\n')).toMatch(/1 request\(s\) got a 5xx/);
  });

  it('de-chunks with extensions and trailers, and says when a body is cut short', () => {
    const body = Buffer.from('4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\n');
    expect(dechunk(body)).toEqual({ body: Buffer.from('Wikipedia'), complete: true });
    expect(dechunk(Buffer.from('4\r\nWi'))).toEqual({ body: Buffer.from('Wi'), complete: false });
  });

  it('perfgate import goreplay reads .gz files and globs, and writes a valid workload', async () => {
    const plain = await run('goreplay', 'sample.gor');
    const gz = await run('goreplay', 'sample.gor.gz');
    const glob = await run('goreplay', '*.gor*');
    expect(plain.code).toBe(0);
    expect(gz.stdout).toBe(plain.stdout);
    expect(glob.code).toBe(0);
    expect(parseWorkload(glob.stdout, 'out').requests).toHaveLength(6); // both files
    expect(glob.stderr).toContain('sample.gor.gz:line 51');
    expect(parseWorkload(plain.stdout, 'out').requests).toHaveLength(3);
    expect(plain.stderr).toMatch(/redacted 5 values/);
    expect(plain.stdout).not.toMatch(/hunter2|abc123|xyz|k3y-9999|sid=42/);
    const none = await run('goreplay', 'nothing-*.gor');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no file matches');
  });
});
