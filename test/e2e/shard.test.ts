// A sharded run end to end through the bundled action: three shard jobs (`shard: i/3`) measure
// their part of the workload and publish nothing but their job summary; the merge job
// (`mode: merge`) reads every shard's samples from the folder the artifacts were downloaded to,
// decides once and posts one comment and one status. It runs the shop example itself at its
// own settings, whose two changes (search +31 %, the product page −39 % by the example's
// independent ground truth) the unsharded gate has flagged, and nothing else, in every run
// measured (examples/shop/README.md).

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/analysis/types.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { HEAD_SHA, runAction, type ActionRun } from '../helpers/action-run.js';

const CONFIG = 'examples/shop/perfgate.yml';
const ENDPOINTS = [
  'GET /api/products',
  'GET /api/products/:id',
  'GET /api/products/:id/reviews',
  'GET /api/search',
  'POST /api/orders',
];

const verdicts = (resultPath: string) => {
  const result = JSON.parse(readFileSync(resultPath, 'utf8')) as RunResult;
  return Object.fromEntries(result.endpoints.map((e) => [e.endpoint, e.verdict]));
};

/** Regressions and improvements only: what the gate flags. */
const flagged = (v: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(v).filter(
      ([, verdict]) => verdict === 'regression' || verdict === 'improvement',
    ),
  );

describe('a sharded run: three shard jobs and a merge job', () => {
  let fake: FakeGitHub;
  let solo: FakeGitHub;
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-shards-'));
  const shardsDir = join(dir, 'downloaded');
  let shards: ActionRun[] = [];
  let unsharded: ActionRun;

  beforeAll(async () => {
    [fake, solo] = await Promise.all([startFakeGitHub(), startFakeGitHub()]);
    // The three shards side by side, as a job matrix runs them, then for comparison one
    // unsharded run of the same config. Each shard is a third of the unsharded run's work.
    shards = await Promise.all(
      [1, 2, 3].map((i) =>
        runAction(fake, {
          config: CONFIG,
          shard: `${i}/3`,
          // Where actions/download-artifact puts each shard's artifact in the merge job.
          'out-dir': join(shardsDir, `perfgate-shard-${i}`),
        }),
      ),
    );
    unsharded = await runAction(solo, { config: CONFIG, 'out-dir': join(dir, 'unsharded') });
  }, 900_000);
  afterAll(async () => {
    await Promise.all([fake?.close(), solo?.close()]);
  });

  it('each shard measures its own endpoints, passes its step and posts nothing', () => {
    const measured: string[] = [];
    shards.forEach((run, i) => {
      expect(run.code, run.stdout).toBe(0);
      expect(run.summary).toContain(`Shard ${i + 1} of 3`);
      measured.push(...Object.keys(verdicts(run.outputs['result-path']!)));
    });
    expect(measured.sort()).toEqual(ENDPOINTS);
    expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(fake.comments).toEqual([]);
    expect(fake.statuses).toEqual([]);
  });

  it('the merge gives the unsharded verdicts and posts one comment and one status', async () => {
    const merge = await runAction(fake, {
      config: CONFIG,
      mode: 'merge',
      samples: shardsDir,
      'out-dir': join(dir, 'merged'),
    });
    expect(merge.code, merge.stdout).toBe(1);
    expect(merge.stdout).toContain('merging 3 shards');
    const merged = verdicts(merge.outputs['result-path']!);
    expect(unsharded.code, unsharded.stdout).toBe(1);
    const whole = verdicts(unsharded.outputs['result-path']!);
    expect(Object.keys(merged).sort()).toEqual(ENDPOINTS);
    expect(flagged(merged)).toEqual({
      'GET /api/search': 'regression',
      'GET /api/products/:id': 'improvement',
    });
    expect(flagged(merged)).toEqual(flagged(whole));
    expect(merge.outputs['verdict']).toBe('fail');
    expect(merge.outputs['regressions']).toBe('1');

    expect(fake.comments).toHaveLength(1);
    const comment = fake.commentsOn(42)[0]!.body;
    for (const e of ENDPOINTS) expect(comment).toContain(e);
    expect(comment).toContain('Holm over 5 endpoints');
    expect(comment).toContain('Merged from 3 shards');
    expect(fake.statuses).toHaveLength(1);
    expect(fake.statuses[0]).toMatchObject({
      sha: HEAD_SHA,
      state: 'failure',
      context: 'perfgate',
    });
    expect(merge.summary).toContain('GET /api/search');
  });

  it('a missing shard is an error, with an error status', async () => {
    const run = await runAction(fake, {
      config: CONFIG,
      mode: 'merge',
      samples: [1, 3].map((i) => join(shardsDir, `perfgate-shard-${i}`)).join('\n'),
      'out-dir': join(dir, 'merge-missing'),
    });
    expect(run.code, run.stdout).toBe(1);
    expect(run.outputs['verdict']).toBe('error');
    expect(run.stdout).toContain('shard 2/3 missing (got 1, 3)');
    expect(fake.statuses.at(-1)).toMatchObject({ sha: HEAD_SHA, state: 'error' });
    expect(fake.statuses.at(-1)!.description).toContain('shard 2/3 missing');
    expect(fake.comments).toHaveLength(1); // the sticky comment, now saying the gate failed
    expect(fake.commentsOn(42)[0]!.body).toContain('perfgate could not finish');
  });

  it('a shard given twice is an error, with an error status', async () => {
    const run = await runAction(fake, {
      config: CONFIG,
      mode: 'merge',
      samples: `${shardsDir}\n${join(shardsDir, 'perfgate-shard-2', 'samples.jsonl')}`,
      'out-dir': join(dir, 'merge-twice'),
    });
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toMatch(/shard 2\/3 is given 2 times: \S+perfgate-shard-2\/samples.jsonl/);
    expect(fake.statuses.at(-1)).toMatchObject({ state: 'error' });
  });

  it('shards of different builds are an error, with an error status', async () => {
    // Shard 3 as a run of another after build would have written it.
    const other = join(dir, 'other-build');
    cpSync(shardsDir, other, { recursive: true });
    const file = join(other, 'perfgate-shard-3', 'samples.jsonl');
    const [head, ...rest] = readFileSync(file, 'utf8').split('\n');
    const header = JSON.parse(head!);
    header.builds.after.start = 'node server.js --other';
    writeFileSync(file, [JSON.stringify(header), ...rest].join('\n'));
    const run = await runAction(fake, {
      config: CONFIG,
      mode: 'merge',
      samples: other,
      'out-dir': join(dir, 'merge-builds'),
    });
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toContain('(shard 3) measured another after build than');
    expect(run.stdout).toContain("start 'node server.js --other'");
    expect(fake.statuses.at(-1)).toMatchObject({ state: 'error' });
  });
});
