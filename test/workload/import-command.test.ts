import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCommand } from '../../src/cli/import.js';
import type { CommandContext } from '../../src/cli/command.js';
import { silentLogger } from '../../src/log.js';
import { parseWorkload } from '../../src/workload/index.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/workload');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'perfgate-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function run(...argv: string[]) {
  const stdout = collect();
  const stderr = collect();
  const ctx: CommandContext = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    cwd: fixtures,
    env: {},
    logger: silentLogger,
    signal: new AbortController().signal,
  };
  const code = await importCommand.run(argv, ctx);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('perfgate import', () => {
  it('imports a HAR file and reports what it did', async () => {
    const out = path.join(dir, 'har.jsonl');
    const r = await run('har', 'session.har', '-o', out, '--redact-header', 'X-Api-Key');
    expect(r.code).toBe(0);
    const workload = parseWorkload(await readFile(out, 'utf8'), out);
    expect(workload.requests).toHaveLength(6);
    expect(r.stderr).toContain(`wrote 6 requests (6 endpoints) to ${out}`);
    expect(r.stderr).toContain(
      'redacted 7 values: header authorization ×2, header cookie ×1, header x-api-key ×1, query token ×1, body password ×2',
    );
    expect(r.stderr).toContain('requests to 2 hosts: shop.example.com (6), cdn.example.net (1)');
    expect(r.stderr).toContain('skipped 4 entries:\n  log.entries[4]: served from');
    expect(r.stdout).toBe('');
  });

  it('takes routes and redact names from a config', async () => {
    const config = path.join(dir, 'perfgate.yml');
    await writeFile(
      config,
      'routes: ["/api/items/:item/reviews"]\nredact: { headers: [Accept], query: [page] }\n',
    );
    const out = path.join(dir, 'routes.jsonl');
    const r = await run(
      'har',
      'session.har',
      '-o',
      out,
      '--config',
      config,
      '--host',
      'shop.example.com',
    );
    expect(r.code).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text).toContain('"endpoint":"GET /api/items/:item/reviews"');
    expect(text).not.toContain('"Accept"');
    expect(text).toContain('page=REDACTED');
    expect(r.stderr).toContain('log.entries[3]: host cdn.example.net is not one of --host');
  });

  it('keeps secrets when asked', async () => {
    const out = path.join(dir, 'secrets.jsonl');
    const r = await run('har', 'session.har', '-o', out, '--keep-secrets');
    expect(r.code).toBe(0);
    expect(await readFile(out, 'utf8')).toContain('Bearer eyJhbGciOi.secret');
    expect(r.stderr).not.toContain('redacted');
  });

  it('imports an access log to standard output, listing skipped lines', async () => {
    const r = await run('access-log', 'access.log');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(6);
    expect(r.stderr).toContain('redacted 1 value: query access_token ×1');
    expect(r.stderr).toContain('line 3: not in the combined or common log format');
    expect(r.stderr).toContain("line 8: 'PRI' is not an HTTP method perfgate replays");
    expect(r.stderr).toContain('1 POST request(s) will be replayed without a body');
    expect(r.stderr).toContain('wrote 6 requests');
  });

  it('--strict fails on any skipped line and writes nothing', async () => {
    const out = path.join(dir, 'strict.jsonl');
    const r = await run('access-log', 'access.log', '-o', out, '--strict');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'perfgate import: access.log: --strict: 4 lines skipped; nothing written',
    );
    await expect(readFile(out)).rejects.toThrow();
  });

  it.each([
    [['xml', 'a.xml'], "unknown format 'xml': expected har, access-log or goreplay"],
    [[], 'which format?'],
    [['har'], 'missing the har file to read'],
    [['har', 'a', 'b'], "unexpected argument 'b'"],
    [['har', 'session.har', '--bogus'], "Unknown option '--bogus'"],
    [['access-log', 'access.log', '--host', 'x'], '--host applies to har only'],
    [['har', 'missing.har'], 'missing.har: file not found'],
    [['har', 'access.log'], 'access.log:line 1: not valid JSON'],
  ])('exits 2 with one clear message for %j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints its help', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('perfgate import har FILE');
    expect(r.stdout).toContain('--keep-secrets');
    expect(r.stdout).toBe(importCommand.help);
  });
});

describe('perfgate import onto a device (issue 12)', () => {
  it('writes a device as it is (a full one fails with ENOSPC), never renaming a file over it', async () => {
    const { lstat, symlink } = await import('node:fs/promises');
    const out = path.join(dir, 'full.jsonl');
    await symlink('/dev/full', out);
    const r = await run('har', 'session.har', '-o', out).catch((e: unknown) => ({
      code: 2,
      stdout: '',
      stderr: (e as Error).message,
    }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot write ${out}: no space left on the device (ENOSPC)`);
    expect((await lstat(out)).isSymbolicLink()).toBe(true);
  });
});
