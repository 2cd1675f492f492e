import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/analysis/types.js';
import { appendRun, readHistory } from '../../src/history/file.js';
import { parseHistory, serializeRun } from '../../src/history/store.js';
import { summarizeRun } from '../../src/history/summary.js';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli.js';
import { ROOT, startCli } from '../helpers/cli.js';

/** The CLI in this process (spawning tsx per command costs seconds on a busy machine). */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await main(args, { stdout: out, stderr: err, cwd: tmp, env: {} });
  return { code, stdout, stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'perfgate-history-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const GOLDEN = join(ROOT, 'test/fixtures/golden/result.json');
const result = JSON.parse(readFileSync(GOLDEN, 'utf8')) as RunResult;
const context = {
  commit: 'c'.repeat(40),
  branch: 'main',
  date: '2025-01-01T00:00:00.000Z',
  repository: 'https://github.com/example/shop',
  perfgate: '0.1.0',
};

describe('history summary', () => {
  it('keeps per endpoint the after mean with an interval, n, weight and verdict', () => {
    const run = summarizeRun(result, context);
    const search = run.endpoints.find((e) => e.endpoint === 'GET /api/search')!;
    const source = result.endpoints.find((e) => e.endpoint === 'GET /api/search')!;
    expect(search.mean).toBe(source.after);
    // The change interval applied to the after mean: same relative width.
    expect(search.low / search.mean).toBeCloseTo(
      (1 + source.change!.low) / (1 + source.change!.estimate),
      12,
    );
    expect(search.high).toBeGreaterThan(search.mean);
    expect(search).toMatchObject({
      n: source.n.after,
      rounds: source.n.rounds,
      weight: source.weight,
      verdict: source.verdict,
    });
    expect(run.series).toEqual({
      counter: 'instructions',
      unit: 'instructions',
      kernel: false,
      fallback: false,
      cpuModel: 'unknown CPU',
    });
    expect(run.total!.mean).toBeGreaterThan(0);
    // Round trip through the text form.
    expect(parseHistory(serializeRun(run), 'h.jsonl')).toEqual([run]);
  });

  it('names the file, line and field of a bad record; a torn last line is ignored', () => {
    const good = serializeRun(summarizeRun(result, context));
    expect(() => parseHistory(`${good}{"version":1}\n`, 'h.jsonl')).toThrow(/h\.jsonl:line 2: /);
    expect(() => parseHistory(`${good}not json\n${good}`, 'h.jsonl')).toThrow(
      'h.jsonl:line 2: not valid JSON',
    );
    expect(parseHistory(`${good}{"version":1,"id`, 'h.jsonl')).toHaveLength(1);
  });
});

describe('history store', () => {
  it('adds a run once, however often it is added', async () => {
    const file = join(tmp, 'once.jsonl');
    const run = summarizeRun(result, context);
    expect(await appendRun(file, run)).toBe(true);
    expect(await appendRun(file, run)).toBe(false);
    expect(await readHistory(file)).toHaveLength(1);
  });

  it('two concurrent `perfgate history add` processes lose neither run', async () => {
    const file = join(tmp, 'concurrent.jsonl');
    // Both start while another writer holds the lock, so they contend when it is released.
    writeFileSync(`${file}.lock`, '1\n');
    const add = (commit: string) =>
      startCli(['history', 'add', GOLDEN, '--history', file, '--commit', commit]).done;
    const pending = Promise.all(['1'.repeat(40), '2'.repeat(40)].map(add));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    rmSync(`${file}.lock`);
    const results = await pending;
    expect(results.map((r) => [r.code, r.stderr.trim().split('\n').at(-1)])).toEqual(
      results.map(() => [0, expect.stringMatching(/^perfgate history: added /)]),
    );
    const runs = await readHistory(file);
    expect(runs.map((r) => r.commit).sort()).toEqual(['1'.repeat(40), '2'.repeat(40)]);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  }, 60_000);

  it('many concurrent writers in one process all land, as whole lines', async () => {
    const file = join(tmp, 'many.jsonl');
    const runs = Array.from({ length: 16 }, (_, i) =>
      summarizeRun(result, { ...context, commit: `${i}`.padStart(40, '0') }),
    );
    await Promise.all(runs.map((run) => appendRun(file, run)));
    expect((await readHistory(file)).map((r) => r.commit).sort()).toEqual(
      runs.map((r) => r.commit).sort(),
    );
  });

  it('a torn last line left by a killed writer does not corrupt the next record', async () => {
    const file = join(tmp, 'torn.jsonl');
    writeFileSync(file, `${serializeRun(summarizeRun(result, context))}{"version":1,"id":"to`);
    await appendRun(file, summarizeRun(result, { ...context, commit: 'd'.repeat(40) }));
    expect((await readHistory(file)).map((r) => r.commit[0])).toEqual(['c', 'd']);
  });
});

describe('perfgate history / drift / dashboard CLI', () => {
  it('history add, drift and dashboard end to end, with usage errors exiting 2', async () => {
    const file = join(tmp, 'cli.jsonl');
    const added = await runCli([
      'history',
      'add',
      GOLDEN,
      '--history',
      file,
      '--commit',
      'e'.repeat(40),
    ]);
    expect(added.code).toBe(0);
    expect((await readHistory(file))[0]!.date).toBe('2025-01-01T00:00:00.000Z');
    const drift = await runCli(['drift', '--history', file, '--format', 'markdown']);
    expect(drift.code).toBe(0);
    expect(drift.stdout).toContain('no drift above +2.0');
    const site = join(tmp, 'site');
    const dash = await runCli(['dashboard', '--history', file, '-o', site]);
    expect(dash.code).toBe(0);
    expect(readFileSync(join(site, 'index.html'), 'utf8')).toContain(
      '<script type="application/json" id="perfgate-data">',
    );
    const missing = await runCli(['drift']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--history PATH is required');
    const bad = await runCli(['history', 'add', join(tmp, 'nope.json'), '--history', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nope\.json: cannot read result: ENOENT/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
