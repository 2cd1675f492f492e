import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../../src/counters/index.js';
import { memoryLogger } from '../../src/log.js';
import { liveGroups } from '../../src/proc/index.js';
import { runGate, type GateOptions } from '../../src/pipeline.js';
import { parseSamples } from '../../src/samples/index.js';
import { BOTH, makeProject, QUICK, type Project } from './project.js';

const signal = () => new AbortController().signal;

/** runGate on a throwaway project, writing to <project>/out unless told otherwise. */
function gate(p: Project, options: Partial<GateOptions> = {}) {
  return runGate({
    configPath: p.config,
    outDir: join(p.dir, 'out'),
    logger: memoryLogger(),
    signal: signal(),
    ...options,
  });
}

describe('runGate', () => {
  it('builds the before side from a git ref in a worktree it removes afterwards', async () => {
    const p = makeProject(
      `${QUICK.replace('rounds: 3', 'rounds: 3, max-rounds: 3')}before: { ref: HEAD, start: node server.cjs }\nafter: { cwd: svc, start: node server.cjs }\n`,
      undefined,
      true,
    );
    const logger = memoryLogger();
    const out = await gate(p, { logger });
    expect(out.exitCode).toBe(0);
    const set = parseSamples(readFileSync(out.samplesPath, 'utf8'), out.samplesPath);
    const head = execFileSync('git', ['-C', p.dir, 'rev-parse', 'HEAD']).toString().trim();
    expect(set.header?.builds.before).toMatchObject({ ref: 'HEAD', commit: head });
    expect(set.header?.builds.before.cwd).not.toBe(join(p.dir, 'svc'));
    expect(existsSync(set.header!.builds.before.cwd)).toBe(false);
    expect(
      execFileSync('git', ['-C', p.dir, 'worktree', 'list']).toString().trim().split('\n'),
    ).toHaveLength(1);
    expect(set.samples.filter((s) => s.build === 'before')).toHaveLength(3 * 3 * 40);
  });

  it("uses the pull request's base only where the config does not pin before.cwd", async () => {
    const p = makeProject(`${QUICK}${BOTH}`);
    const logger = memoryLogger();
    const out = await gate(p, { overrides: { defaultBeforeRef: 'no-such-ref' }, logger });
    expect(out.exitCode).toBe(0);
    expect(logger.lines.map((l) => l.message).join('\n')).toContain('the config pins before.cwd');
    await expect(
      gate(p, { outDir: join(p.dir, 'out2'), overrides: { beforeRef: 'no-such-ref' }, logger }),
    ).rejects.toThrow(/needs a git repository|does not name a commit/);
  });

  it('keeps the samples and fails closed when a target crashes mid-run', async () => {
    const p = makeProject(
      `${QUICK}before: { cwd: svc, start: node server.cjs }\nafter: { cwd: svc, start: MODE=crash-after CRASH_AFTER=7 node server.cjs }\n`,
    );
    const out = await gate(p);
    expect(out.exitCode).toBe(2);
    expect(out.result.verdict).toBe('error');
    expect(out.error).toMatch(
      /^after build: server exited with code 70 while being measured|after build: request .* failed/,
    );
    const result = JSON.parse(readFileSync(out.resultPath, 'utf8')) as { verdict: string };
    expect(result.verdict).toBe('error');
    const set = parseSamples(readFileSync(out.samplesPath, 'utf8'), out.samplesPath);
    expect(set.samples.length).toBeGreaterThan(0);
    expect(set.events.at(-1)).toMatchObject({ kind: 'end', complete: false });
    expect(liveGroups()).toEqual([]);
  });

  it('runs the targets on the CPUs measure.cpus names, and says so in the result and report', async () => {
    const binding = loadBinding();
    if (!binding.bound) throw new Error(binding.reason);
    const cpu = binding.native.getAffinity(0).at(-1)!;
    const p = makeProject(`${QUICK.replace('rounds: 3', `rounds: 2, cpus: ${cpu}`)}${BOTH}`);
    const logger = memoryLogger();
    const out = await gate(p, { logger });
    expect(out.exitCode).not.toBe(2);
    expect(out.result.run.placement).toEqual({ cpus: String(cpu), pmu: null });
    expect(readFileSync(out.reportPath, 'utf8')).toContain(`targets on CPUs ${cpu}`);
    expect(logger.lines.some((l) => l.message === `targets run on CPUs ${cpu}`)).toBe(true);
  });

  it('names measure.cpus and its line when a CPU is not there', async () => {
    const p = makeProject(`${QUICK.replace('rounds: 3', 'rounds: 2, cpus: 4000')}${BOTH}`);
    await expect(gate(p)).rejects.toThrow(
      /perfgate\.yml:line 3: measure\.cpus: CPU 4000 is not available here/,
    );
  });
});

describe('no request leaves for another host', () => {
  let foreign: Server;
  let hits = 0;
  beforeAll(async () => {
    foreign = createServer((_req, res) => {
      hits++;
      res.end('should never be reached');
    });
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.2', r));
  });
  afterAll(() => new Promise<void>((r) => foreign.close(() => r())));

  it('replays absolute URLs against the local target only', async () => {
    const port = (foreign.address() as AddressInfo).port;
    const p = makeProject(`${QUICK}${BOTH}`, [
      { method: 'GET', url: `http://127.0.0.2:${port}/work/abs?n=1` },
      { method: 'GET', url: `//127.0.0.2:${port}/work/rel?n=1` },
      { method: 'GET', url: '/work/plain?n=1' },
    ]);
    const out = await gate(p);
    expect(out.exitCode).toBe(0);
    expect(hits).toBe(0);
    const set = parseSamples(readFileSync(out.samplesPath, 'utf8'), out.samplesPath);
    expect(set.samples.every((s) => s.status === 200)).toBe(true);
    expect(new Set(set.samples.map((s) => s.endpoint))).toEqual(
      new Set(['GET /work/abs', 'GET /work/rel', 'GET /work/plain']),
    );
  });
});

describe('adaptive rounds', () => {
  it('adds rounds at planned looks while an endpoint is inconclusive, up to max-rounds', async () => {
    // A/A against a 0.1 % threshold: noise keeps every endpoint inconclusive, so every look asks
    // for more. α = 0.001 keeps a chance false regression (which would end the A/A early) rare.
    const p = makeProject(
      `workload: workload.jsonl\nready: { path: /healthz, timeout: 10s }\nmeasure: { rounds: 3, max-rounds: 6, warmup: 0, requests: 1 }\nthresholds: { default: 0.1% }\nalpha: 0.001\n${BOTH}`,
    );
    const logger = memoryLogger();
    const out = await gate(p, { logger });
    expect(out.result.run.rounds).toBe(6);
    expect(out.result.run.looks).toBeGreaterThan(1);
    expect(out.result.counts.regression).toBe(0);
    expect(logger.lines.some((l) => /inconclusive; measuring more rounds/.test(l.message))).toBe(
      true,
    );
  });
});

describe('version', () => {
  it('matches package.json', async () => {
    const { VERSION } = await import('../../src/version.js');
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
