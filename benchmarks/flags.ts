// The flag matrix on the shop example, at perfgate's default measuring settings but a fixed 8
// rounds and a 40-minute budget (so that the wall times compare like with like, not adaptive
// runs that stopped at different looks or budgets on a loaded machine): what the matrix costs
// and whether it charges the right flag. Four gate runs, one after another:
//   plain        the shop's perfgate.yml (no flags): the wall time without the matrix
//   matrix       the shop's perfgate-flags.yml: both flags of after/flags.json, each flipped
//                alone; review-sentiment must be named on GET /api/products/:id/reviews only
//   other-alone  the matrix with review-sentiment skipped: checkout-banner alone flags nothing
//   aa-both      A/A (after vs after) with both flags on in both: the gate passes
//
//   node --import tsx benchmarks/flags.ts [--only plain,matrix] [--out benchmarks/results/flags-DATE.json]

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RunResult } from '../src/analysis/index.js';
import { silentLogger } from '../src/log.js';
import { runGate } from '../src/pipeline.js';

const shop = fileURLToPath(new URL('../examples/shop/', import.meta.url));

interface Scenario {
  name: string;
  config: string;
  aa?: boolean;
}

function configText(extra: string, env = 'env: { NODE_ENV: production }'): string {
  return [
    env,
    `workload: ${join(shop, 'workload.jsonl')}`,
    `before: { cwd: ${join(shop, 'before')}, start: node server.js }`,
    `after: { cwd: ${join(shop, 'after')}, start: node server.js }`,
    'ready: { path: /healthz, timeout: 30s }',
    'measure: { compare: body, rounds: 8, max-rounds: 8, max-duration: 40m }',
    "thresholds: { default: 15%, endpoints: { 'GET /api/search': 10% } }",
    extra,
  ].join('\n');
}

function summary(result: RunResult, wallMs: number) {
  return {
    verdict: result.verdict,
    summary: result.summary,
    wallMs,
    rounds: result.run.rounds,
    endpoints: Object.fromEntries(
      result.endpoints.map((e) => [
        e.endpoint,
        { verdict: e.verdict, change: e.change, before: e.before, after: e.after },
      ]),
    ),
    flags: result.flags?.flags.map((f) => ({
      flag: f.flag,
      status: f.status,
      regressions: f.endpoints.filter((e) => e.verdict === 'regression').map((e) => e.endpoint),
      endpoints: Object.fromEntries(
        f.endpoints.map((e) => [
          e.endpoint,
          { verdict: e.verdict, change: e.change, before: e.before, after: e.after },
        ]),
      ),
    })),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, only: { type: 'string' } } });
  const only = values.only?.split(',');
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-flags-bench-'));
  const bothOn = join(dir, 'both-on.json');
  writeFileSync(bothOn, JSON.stringify({ 'review-sentiment': true, 'checkout-banner': true }));
  const flags = `flags: { from: ${join(shop, 'after/flags.json')}, path-env: SHOP_FLAGS_FILE }`;
  const write = (name: string, text: string) => {
    const file = join(dir, `${name}.yml`);
    writeFileSync(file, text);
    return file;
  };
  const scenarios: Scenario[] = [
    { name: 'plain', config: write('plain', configText('')) },
    { name: 'matrix', config: write('matrix', configText(flags)) },
    {
      name: 'other-alone',
      config: write('other-alone', configText(flags.replace(' }', ', skip: [review-sentiment] }'))),
    },
    {
      name: 'aa-both',
      config: write(
        'aa-both',
        configText('', `env: { NODE_ENV: production, SHOP_FLAGS_FILE: ${bothOn} }`),
      ),
      aa: true,
    },
  ];
  const out: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? null,
    scenarios: {},
  };
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort('SIGINT'));
  try {
    for (const s of scenarios.filter((x) => !only || only.includes(x.name))) {
      const started = performance.now();
      const outcome = await runGate({
        configPath: s.config,
        outDir: join(dir, s.name),
        ...(s.aa ? { aa: true } : {}),
        logger: silentLogger,
        signal: controller.signal,
      });
      const wallMs = Math.round(performance.now() - started);
      const row = summary(outcome.result, wallMs);
      (out.scenarios as Record<string, unknown>)[s.name] = row;
      console.log(
        `${s.name}: ${row.verdict} in ${(wallMs / 1000).toFixed(0)} s, ${row.rounds} rounds — ${row.summary}`,
      );
      for (const f of row.flags ?? []) {
        console.log(
          `  flag ${f.flag}: ${f.status}; regressions: ${f.regressions.join(', ') || 'none'}`,
        );
        for (const [e, v] of Object.entries(f.endpoints)) {
          const c = v.change;
          console.log(
            `    ${e}: ${v.verdict}${c ? ` ${(c.estimate * 100).toFixed(1)}% [${(c.low * 100).toFixed(1)}, ${(c.high * 100).toFixed(1)}]` : ''}`,
          );
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const file =
    values.out ?? join('benchmarks/results', `flags-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

await main();
