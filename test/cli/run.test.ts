import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSamples } from '../../src/samples/index.js';
import { processesWith, runCli, startCli, waitFor } from '../helpers/cli.js';
import { BOTH, makeProject, QUICK } from '../pipeline/project.js';

describe('perfgate run', () => {
  it('stops cleanly on SIGINT: non-zero exit, targets gone, valid partial samples', async () => {
    const p = makeProject(QUICK.replace('rounds: 3', 'rounds: 200') + BOTH);
    const out = join(p.dir, 'out');
    const { child, done } = startCli(['run', '--config', p.config, '--out', out]);
    const samples = join(out, 'samples.jsonl');
    expect(
      await waitFor(
        () => existsSync(samples) && readFileSync(samples, 'utf8').split('\n').length > 30,
        30_000,
      ),
    ).toBe(true);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await waitFor(() => processesWith('server.cjs', false).length === 0, 5000)).toBe(true);
    const set = parseSamples(readFileSync(samples, 'utf8'), samples);
    expect(set.header?.kind).toBe('header');
    expect(set.samples.length).toBeGreaterThan(10);
    expect(set.events.at(-1)).toMatchObject({
      kind: 'end',
      complete: false,
      reason: 'interrupted',
    });
  });

  it('names the build and the output when a server never gets ready', async () => {
    const p = makeProject(
      // 4 s: a loaded machine can take over a second just to start node.
      QUICK.replace('timeout: 10s', 'timeout: 4s') +
        'before: { cwd: svc, start: MODE=never-ready node server.cjs }\nafter: { cwd: svc, start: node server.cjs }\n',
    );
    const r = await runCli(['run', '--config', p.config, '--out', join(p.dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'before build: server was not ready after 4s: GET /healthz never answered (last: HTTP 503)',
    );
    expect(r.stderr).toContain('listening on');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(JSON.parse(readFileSync(join(p.dir, 'out', 'result.json'), 'utf8'))).toMatchObject({
      verdict: 'error',
    });
  });

  it('reports a config error with the file, the line and the key', async () => {
    const p = makeProject(`${BOTH}workload: workload.jsonl\nmeasure:\n  rounds: zero\n`);
    const r = await runCli(['run', '--config', p.config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/perfgate\.yml:line 5: measure\.rounds: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('perfgate compare', () => {
  it('reproduces the ratio of totals of minimal samples exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfgate-compare-'));
    const lines: string[] = [];
    let before = 0;
    let after = 0;
    for (let round = 1; round <= 8; round++) {
      for (let request = 0; request < 4; request++) {
        const b = 1000 + 37 * request + 11 * round;
        const a = Math.round(b * (1.2 + 0.01 * ((round * 7 + request) % 5)));
        before += b;
        after += a;
        lines.push(
          JSON.stringify({ endpoint: 'GET /x', build: 'before', round, request, value: b }),
        );
        lines.push(
          JSON.stringify({ endpoint: 'GET /x', build: 'after', round, request, value: a }),
        );
      }
    }
    writeFileSync(join(dir, 'samples.jsonl'), lines.join('\n'));
    const r = await runCli([
      'compare',
      join(dir, 'samples.jsonl'),
      '--threshold',
      '5%',
      '--format',
      'json',
      '--out',
      join(dir, 'out'),
    ]);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as {
      endpoints: { change: { estimate: number }; verdict: string }[];
    };
    expect(result.endpoints[0]!.change.estimate).toBe(after / before - 1);
    expect(result.endpoints[0]!.verdict).toBe('regression');
    const text = await runCli(['report', join(dir, 'out', 'result.json'), '--format', 'text']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('GET /x');
    const bad = await runCli(['report', join(dir, 'samples.jsonl')]);
    expect(bad.code).toBe(2);
  });

  it('points at the line of a bad sample', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfgate-compare-'));
    writeFileSync(
      join(dir, 's.jsonl'),
      '{"endpoint":"GET /x","build":"before","round":1,"request":0,"value":5}\n{"endpoint":"GET /x","build":"sideways","round":1,"request":0,"value":5}\n{}\n',
    );
    const r = await runCli(['compare', join(dir, 's.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("s.jsonl:line 2: 'build' must be 'before' or 'after'");
  });
});

describe('perfgate calibrate', () => {
  it('prints per-endpoint thresholds from an A/A run', async () => {
    const p = makeProject(QUICK.replace('rounds: 3', 'rounds: 4') + BOTH);
    const r = await runCli(['calibrate', '--config', p.config, '--out', join(p.dir, 'aa')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# Paste under thresholds.endpoints:');
    for (const e of ['GET /work/light', 'GET /work/heavy', 'POST /orders']) {
      expect(r.stdout).toMatch(
        new RegExp(`^"${e.replace(/\//g, '\\/')}": "\\d+(\\.\\d+)?%" # noise `, 'm'),
      );
    }
    const set = parseSamples(readFileSync(join(p.dir, 'aa', 'samples.jsonl'), 'utf8'), 'aa');
    expect(set.header?.mode).toBe('a-a');
  });
});

describe('help', () => {
  it.each([['run'], ['compare'], ['report'], ['calibrate'], ['import']])(
    'perfgate %s --help',
    async (cmd) => {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`perfgate ${cmd}`);
    },
  );
});
