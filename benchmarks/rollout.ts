// perfgate rollout on the shop's recorded traffic, with the CPU costs the recorder measured: the
// claim test/rollout/shop.test.ts checks on costs it sets itself, here on this machine's own
// figures. Records a before and an after window, then a window with new-search off (the before
// build) and on (the after build), requests taking turns between the two servers so load from
// elsewhere falls on both alike, and prints each endpoint's change and verdict. Compare with the
// shop's ground truth (node examples/shop/ground-truth.mjs): GET /api/search about +80 %.
//
//   npm run build && node --import tsx benchmarks/rollout.ts [--reps 20] [--json FILE]

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RunResult } from '../src/analysis/types.js';
import { rolloutCommand } from '../src/cli/rollout.js';
import { silentLogger } from '../src/log.js';
import { recordShopWindow } from '../test/examples/helpers.js';

const { values: args } = parseArgs({
  options: { reps: { type: 'string', default: '20' }, json: { type: 'string' } },
});
const reps = Number(args.reps);
const shop = fileURLToPath(new URL('../examples/shop/', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-bench-rollout-'));

async function record(window: string, servers: { build: string; flags?: string }[]) {
  await recordShopWindow(shop, dir, window, servers, reps);
}

async function rollout(...argv: string[]): Promise<RunResult> {
  const out: Buffer[] = [];
  const ctx = {
    stdout: new PassThrough().on('data', (c: Buffer) => out.push(c)),
    stderr: new PassThrough(),
    cwd: dir,
    env: {},
    logger: silentLogger,
    signal: new AbortController().signal,
  };
  await rolloutCommand.run(['--format', 'json', ...argv], ctx);
  return JSON.parse(Buffer.concat(out).toString()) as RunResult;
}

const rows = (result: RunResult) =>
  result.endpoints.map((e) => ({
    endpoint: e.endpoint,
    change: e.change?.estimate ?? null,
    verdict: e.verdict,
  }));

try {
  process.stderr.write(`recording ${reps} passes of the workload per window\n`);
  await record('builds', [{ build: 'before' }, { build: 'after' }]);
  await record('flagged', [
    { build: 'before', flags: 'new-search=off' },
    { build: 'after', flags: 'new-search=on' },
  ]);
  const files = (w: string) => readdirSync(path.join(dir, w)).map((f) => path.join(w, f));
  const builds = await rollout(
    ...files('builds'),
    '--before-commit',
    'before',
    '--after-commit',
    'after',
  );
  const flagged = await rollout(
    '--before',
    'builds/before*.jsonl',
    '--after',
    'flagged/*.jsonl',
    '--by',
    'flag:new-search',
  );
  const figures = { reps, builds: rows(builds), flagged: rows(flagged) };
  for (const [name, list] of [
    ['before → after', figures.builds],
    ['by new-search', figures.flagged],
  ] as const) {
    console.log(`\n## ${name}\n\n| endpoint | change | verdict |\n|---|---:|---|`);
    for (const r of list) {
      const change = r.change === null ? '–' : `${(r.change * 100).toFixed(1)} %`;
      console.log(`| \`${r.endpoint}\` | ${change} | ${r.verdict} |`);
    }
  }
  if (args.json) writeFileSync(args.json, `${JSON.stringify(figures, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
