// The shop's service under the recorder, recorded in windows, then compared with
// `perfgate rollout`: the regressed endpoint is flagged, and sliced by a flag only the after
// window turns on, the change is attributed to the flag's on-slice.
//
// The recordings are real, but each record's CPU cost is then set from what changed (see
// `setCosts`): CPU time measured seconds apart on a busy machine drifts by several per cent,
// which no test of rollout's windows, slices and verdicts should depend on. Whether the recorder's
// own reading sees the shop's change is measured by `npm run bench:rollout`.

import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/analysis/types.js';
import type { CommandContext } from '../../src/cli/command.js';
import { rolloutCommand } from '../../src/cli/rollout.js';
import { silentLogger } from '../../src/log.js';
import { createRandom } from '../../src/random.js';
import { parseWorkload } from '../../src/workload/parse.js';
import { recordShopWindow, workloadRequests } from '../examples/helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shop = path.join(root, 'examples/shop');
const bundled = existsSync(path.join(root, 'dist/recorder.js'));

let dir: string;
const REPS = 10;
const FLAGGED_REPS = 12;

async function record(window: string, servers: { build: string; flags?: string }[], reps: number) {
  await recordShopWindow(shop, dir, window, servers, reps);
}

/**
 * Replaces each recorded request's CPU cost with a known one: a base cost per endpoint, ±5 % of
 * seeded noise, and the changes of the after build: GET /api/search 1.8× (1.3× in the flagged
 * window, with new-search on) and GET /api/products/:id 0.6×, near what the recorder measures on
 * the shop (npm run bench:rollout) and the shop's ground truth (examples/shop/ground-truth.mjs).
 */
function setCosts(window: string): void {
  const random = createRandom(window.length);
  for (const file of files(window)) {
    const full = path.join(dir, file);
    const lines = readFileSync(full, 'utf8').split('\n');
    const costed = lines.map((line) => {
      if (!line.trim()) return line;
      const record = JSON.parse(line) as {
        meta: { endpoint: string; commit: string; cpu?: { value: number } };
      };
      const { endpoint, commit, cpu } = record.meta;
      if (!cpu) return line;
      const base = 100_000 * (1 + (endpoint.length % 7));
      const after = commit === 'after';
      const search = window === 'flagged' ? 1.3 : 1.8;
      const factor =
        after && endpoint === 'GET /api/search'
          ? search
          : after && endpoint === 'GET /api/products/:id'
            ? 0.6
            : 1;
      cpu.value = Math.round(base * factor * (0.95 + 0.1 * random()));
      return JSON.stringify(record);
    });
    writeFileSync(full, costed.join('\n'));
  }
}

function files(window: string): string[] {
  return readdirSync(path.join(dir, window)).map((f) => path.join(window, f));
}

async function rollout(
  ...argv: string[]
): Promise<{ code: number; result: RunResult; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const ctx: CommandContext = {
    stdout: new PassThrough().on('data', (c: Buffer) => out.push(c)),
    stderr: new PassThrough().on('data', (c: Buffer) => err.push(c)),
    cwd: dir,
    env: {},
    logger: silentLogger,
    signal: new AbortController().signal,
  };
  const code = await rolloutCommand.run(['--format', 'json', '--threshold', '5%', ...argv], ctx);
  return {
    code,
    result: JSON.parse(Buffer.concat(out).toString()) as RunResult,
    stderr: Buffer.concat(err).toString(),
  };
}

describe.skipIf(!bundled)('recorded shop windows and perfgate rollout', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'perfgate-rollout-'));
    // Window 1: the before build. Window 2: the after build. Window 3: the before build with
    // the flag off and the after build (the flagged code) with it on, half the traffic each.
    await record('builds', [{ build: 'before' }, { build: 'after' }], REPS);
    await record(
      'flagged',
      [
        { build: 'before', flags: 'new-search=off' },
        { build: 'after', flags: 'new-search=on' },
      ],
      FLAGGED_REPS,
    );
    setCosts('builds');
    setCosts('flagged');
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records every request into a workload perfgate reads as is', () => {
    const text = readFileSync(
      path.join(
        dir,
        files('builds').find((f) => f.includes('before'))!,
      ),
      'utf8',
    );
    const parsed = parseWorkload(text, 'before.jsonl');
    // Plus the readiness checks the test harness made before the load.
    expect(parsed.requests.filter((r) => r.path !== '/healthz')).toHaveLength(
      REPS * workloadRequests(path.join(shop, 'workload.jsonl')).length,
    );
    expect(parsed.endpoints).toContain('GET /api/products/:id');
  });

  it('flags GET /api/search between the before and after windows', async () => {
    const { code, result } = await rollout(
      'builds/*.jsonl',
      '--before-commit',
      'before',
      '--after-commit',
      'after',
    );
    const search = result.endpoints.find((e) => e.endpoint === 'GET /api/search')!;
    expect(search.verdict, JSON.stringify(search)).toBe('regression');
    expect(search.method).toBe('unpaired');
    expect(search.n.before).toBeGreaterThanOrEqual(30);
    const flagged = result.endpoints.filter((e) => e.verdict === 'regression');
    expect(
      flagged.map((e) => e.endpoint),
      JSON.stringify(flagged.map((e) => ({ e: e.endpoint, change: e.change, typical: e.typical }))),
    ).toEqual(['GET /api/search']);
    expect(code).toBe(1);
  });

  it('sliced by the flag, attributes the change to its on-slice', async () => {
    const { result } = await rollout(
      '--before',
      'builds/before*.jsonl',
      '--after',
      'flagged/*.jsonl',
      '--by',
      'flag:new-search',
      '--threshold',
      '10%',
    );
    const slice = (value: string) =>
      result.endpoints.find((e) => e.endpoint === `GET /api/search [flag:new-search=${value}]`)!;
    const on = slice('on');
    const off = slice('off');
    // The on-slice rose (the family-wise one-sided bound of the mean's or the typical request's
    // test is above zero) and by far more than the off-slice.
    expect(on.gateLow, JSON.stringify(on)).toBeGreaterThan(0);
    expect(on.typical!.estimate, JSON.stringify({ on, off })).toBeGreaterThan(
      off.typical!.estimate + 0.1,
    );
    expect(off.verdict, JSON.stringify(off)).not.toBe('regression');
    expect(on.warnings.join(' ')).toMatch(/compared with all of GET \/api\/search before/);
  });
});
