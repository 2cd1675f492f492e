// `perfgate explain` on a saved run: the diff lands in result.json and report.md, the graph in
// explain/; a bad endpoint name is a usage error naming the result file.

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { RunResultSchema } from '../../src/analysis/result-schema.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { simulate } from '../analysis/simulate.js';

function project(): { dir: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-explain-cli-'));
  mkdirSync(join(dir, 'svc'));
  copyFileSync(join(ROOT, 'test/fixtures/explain/server.cjs'), join(dir, 'svc', 'server.cjs'));
  writeFileSync(
    join(dir, 'workload.jsonl'),
    [1, 2].map((n) => JSON.stringify({ method: 'GET', url: `/work?n=${n}` })).join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'perfgate.yml'),
    [
      'workload: workload.jsonl',
      'before: { cwd: svc, start: WORK=200000 exec node server.cjs }',
      'after: { cwd: svc, start: WORK=400000 exec node server.cjs }',
      'ready: { path: /healthz, timeout: 20s }',
      'explain: { warmup: 20, requests: 40 }',
      '',
    ].join('\n'),
  );
  const out = join(dir, 'out');
  mkdirSync(out);
  // A saved run whose one endpoint regressed (the analysis of simulated samples).
  const result = analyze(
    simulate({ seed: 4, rounds: 6, endpoints: [{ name: 'GET /work', change: 0.5 }] }),
    {
      thresholds: { default: 0.03, endpoints: {} },
      alpha: 0.05,
      confidence: 0.95,
      onInconclusive: 'pass',
    },
  );
  writeFileSync(join(out, 'result.json'), JSON.stringify(result));
  return { dir, out };
}

describe('perfgate explain', () => {
  it('adds the diff of the regressed endpoint to result.json and report.md', async () => {
    const { dir, out } = project();
    const config = join(dir, 'perfgate.yml');
    const r = await runCli(['explain', '--config', config, '--out', out]);
    expect(r.stderr).not.toMatch(/Error:|at .*\.ts:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^GET \/work: \+.* per request; top: server\.cjs:\d+ score /m);
    const saved = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    expect(RunResultSchema.safeParse(saved).success).toBe(true);
    expect(saved.explain.endpoints[0].rows[0].name).toBe('score');
    expect(saved.explain.endpoints[0].scale).toBe('measurement');
    expect(existsSync(join(out, 'explain', 'GET-work.html'))).toBe(true);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('#### Why `GET /work` changed: functions');
    // Run again: the saved diff is replaced, not refused.
    const again = await runCli(['explain', '--config', config, '--out', out]);
    expect(again.code).toBe(0);
  }, 120_000);

  it('refuses an endpoint the result does not have', async () => {
    const { dir, out } = project();
    const config = join(dir, 'perfgate.yml');
    const r = await runCli([
      'explain',
      '--config',
      config,
      '--out',
      out,
      '--endpoint',
      'GET /nope',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--endpoint: 'GET /nope' is not an endpoint of");
    expect(r.stderr).toContain('GET /work');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  }, 60_000);
});
