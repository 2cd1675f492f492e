// The gate with the profiling pass: `explain: all` attaches the diff to result.json and the
// report, scaled to the measured costs; `explain: off` runs no pass and writes no graphs.

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
import { memoryLogger } from '../../src/log.js';
import { runGate } from '../../src/pipeline.js';
import { ROOT } from '../helpers/cli.js';

function project(explain: string): { config: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-explain-gate-'));
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
      'measure: { rounds: 2, max-rounds: 2, warmup: 5, requests: 10 }',
      `explain: ${explain}`,
      '',
    ].join('\n'),
  );
  return { config: join(dir, 'perfgate.yml'), out: join(dir, 'out') };
}

const gate = (p: { config: string; out: string }) =>
  runGate({
    configPath: p.config,
    outDir: p.out,
    logger: memoryLogger(),
    signal: new AbortController().signal,
  });

describe('the gate with explain', () => {
  it('explain: all puts the diff in result.json and the report, on the measured scale', async () => {
    const p = project('{ endpoints: all, warmup: 20, requests: 40 }');
    const outcome = await gate(p);
    const x = outcome.result.explain!;
    expect(x.mode).toBe('all');
    const e = x.endpoints[0]!;
    const measured = outcome.result.endpoints.find((m) => m.endpoint === e.endpoint)!;
    expect(e.scale).toBe('measurement');
    expect(e.total.before).toBeCloseTo(measured.before!, 3);
    expect(e.total.after).toBeCloseTo(measured.after!, 3);
    expect(e.rows[0]!.name).toBe('score');
    const saved = JSON.parse(readFileSync(outcome.resultPath, 'utf8'));
    expect(saved.explain.endpoints[0].rows[0].name).toBe('score');
    expect(outcome.markdown).toContain('#### Why `GET /work` changed: functions');
    expect(existsSync(join(p.out, e.flameGraph!))).toBe(true);
  }, 180_000);

  it('explain: off runs no profiling pass', async () => {
    const p = project('off');
    const outcome = await gate(p);
    expect(outcome.result.explain).toBeUndefined();
    expect(existsSync(join(p.out, 'explain'))).toBe(false);
    expect(outcome.markdown).not.toContain('Which functions changed');
  }, 180_000);
});
