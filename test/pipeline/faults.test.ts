// The gate under faults (issue 12): a full disk, a hung request and Ctrl-C, a server that exits,
// endpoints that answer only errors, a warm-up longer than the budget, and a killed CLI.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { memoryLogger, type Logger } from '../../src/log.js';
import { liveGroups } from '../../src/proc/index.js';
import { runGate, type GateOptions } from '../../src/pipeline.js';
import { parseSamples } from '../../src/samples/index.js';
import { cleanupLeftovers, describeCleanup } from '../../src/targets/index.js';
import { startCli, waitFor } from '../helpers/cli.js';
import { BOTH, makeProject, QUICK, type Project } from './project.js';

function gate(p: Project, options: Partial<GateOptions> = {}) {
  return runGate({
    configPath: p.config,
    outDir: join(p.dir, 'out'),
    logger: memoryLogger(),
    signal: new AbortController().signal,
    ...options,
  });
}

/** Live servers running in `dir`, or in a worktree perfgate process `pid` made. */
function runningIn(dir: string, pid: number | undefined): number[] {
  const worktree = join(tmpdir(), `perfgate-before-${pid}-`);
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const cwd = readlinkSync(`/proc/${e}/cwd`);
        const state = readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]![0];
        const argv0 = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0')[0];
        const inside = cwd.startsWith(dir) || cwd.startsWith(worktree);
        return state !== 'Z' && inside && argv0 === 'node'; // a server, not its blocker
      } catch {
        return false;
      }
    })
    .map(Number);
}

const worktreeCount = (dir: string) =>
  execFileSync('git', ['-C', dir, 'worktree', 'list']).toString().trim().split('\n').length;

describe('the gate under faults (issue 12)', () => {
  it('a full disk fails closed, keeps result.json and report.md, removes the worktree; the targets get no secrets', async () => {
    const p = makeProject(
      `${QUICK}before: { ref: HEAD, start: node server.cjs }\nafter: { cwd: svc, build: env > ../build-env.txt, start: node server.cjs }\n`,
      undefined,
      true,
    );
    const out = join(p.dir, 'out');
    mkdirSync(out);
    symlinkSync('/dev/full', join(out, 'samples.jsonl'));
    const logger = memoryLogger();
    const outcome = await gate(p, {
      logger,
      env: {
        ...process.env,
        GITHUB_TOKEN: 'ghs_workflow_secret',
        ACTIONS_RUNTIME_TOKEN: 'runtime_secret',
        INPUT_GITHUB_TOKEN: 'ghs_input_secret',
      },
    });
    expect(outcome.exitCode).toBe(2);
    expect(outcome.result.verdict).toBe('error');
    // Said once: the run's failure is its one warning, not repeated by the error result.
    expect(outcome.result.warnings.map((w) => w.code)).toEqual(['run-failure']);
    expect(outcome.error).toBe(
      `cannot write ${join(out, 'samples.jsonl')}: no space left on the device (ENOSPC); the samples after the last whole line are lost`,
    );
    expect(JSON.parse(readFileSync(outcome.resultPath, 'utf8')).verdict).toBe('error');
    expect(readFileSync(outcome.reportPath, 'utf8')).toContain('no space left on the device');
    expect(worktreeCount(p.dir)).toBe(1);
    expect(liveGroups()).toEqual([]);
    const env = readFileSync(join(p.dir, 'build-env.txt'), 'utf8');
    expect(env).toContain('PATH=');
    expect(env).not.toMatch(/GITHUB_TOKEN|ACTIONS_RUNTIME_TOKEN|INPUT_|_secret/);
  });

  it('the first Ctrl-C during a hung request stops the run as interrupted', async () => {
    const p = makeProject(
      `${QUICK.replace('warmup: 1', 'warmup: 0')}before: { cwd: svc, start: node server.cjs }\nafter: { cwd: svc, start: HANG=/work/light node server.cjs }\n`,
    );
    const controller = new AbortController();
    const base = memoryLogger();
    // Ctrl-C once the after server holds a request it will never answer.
    const logger: Logger = {
      ...base,
      debug: (m) => {
        if (m.includes('hanging on /work/light')) controller.abort('SIGINT');
        base.debug(m);
      },
    };
    const error = await gate(p, { logger, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(controller.signal.aborted).toBe(true);
    const samples = join(p.dir, 'out', 'samples.jsonl');
    const set = parseSamples(readFileSync(samples, 'utf8'), samples);
    expect(set.events.at(-1)).toMatchObject({
      kind: 'end',
      complete: false,
      reason: 'interrupted',
    });
    expect(liveGroups()).toEqual([]);
  });

  it('a server that exits mid-run is reported with its exit code', async () => {
    const p = makeProject(
      `${QUICK}before: { cwd: svc, start: node server.cjs }\nafter: { cwd: svc, start: MODE=crash-after CRASH_AFTER=2 node server.cjs }\n`,
    );
    const outcome = await gate(p);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.error).toMatch(/^after build: server exited with code 70 while being measured/);
  });

  it('an endpoint answering only errors in both builds fails closed, and says why', async () => {
    const p = makeProject(
      `${QUICK}before: { cwd: svc, start: NOT_FOUND=/work/heavy node server.cjs }\nafter: { cwd: svc, start: NOT_FOUND=/work/heavy node server.cjs }\n`,
    );
    const logger = memoryLogger();
    const outcome = await gate(p, { logger });
    expect(outcome.exitCode).toBe(2);
    const heavy = outcome.result.endpoints.find((e) => e.endpoint === 'GET /work/heavy')!;
    expect(heavy.verdict).toBe('error');
    expect(heavy.warnings[0]).toMatch(/^answered only HTTP errors/);
    expect(outcome.result.summary).toMatch(/GET \/work\/heavy/);
  });

  it('warm-up stops when max-duration is spent', async () => {
    const p = makeProject(
      `${QUICK.replace('rounds: 3, warmup: 1', 'rounds: 2, warmup: 100000, max-duration: 1s')}${BOTH}`,
    );
    const logger = memoryLogger();
    const outcome = await gate(p, { logger });
    const warned = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warned.some((m) => /^warm-up stopped: max-duration \(1s\) is spent/.test(m))).toBe(true);
    // One round fits the budget: too few to decide, so the gate fails closed.
    expect(outcome.exitCode).toBe(2);
  });
});

describe('after SIGKILL of the CLI (issue 12)', () => {
  it('perfgate cleanup stops the targets and removes the worktree the killed run left', async () => {
    const p = makeProject(
      `${QUICK.replace('rounds: 3', 'rounds: 200')}before: { ref: HEAD, start: node server.cjs }\nafter: { cwd: svc, start: node server.cjs }\n`,
      undefined,
      true,
    );
    const out = join(p.dir, 'out');
    const { child, done } = startCli(['run', '--config', p.config, '--out', out]);
    const pids = join(out, 'targets.pids');
    const groups = () => {
      try {
        return (JSON.parse(readFileSync(pids, 'utf8')) as { groups: unknown[] }).groups.length;
      } catch {
        return 0;
      }
    };
    // Killed while both servers of a round are up.
    expect(
      await waitFor(() => groups() === 2 && runningIn(p.dir, child.pid).length === 2, 30_000, 20),
    ).toBe(true);
    child.kill('SIGKILL');
    await done;
    expect(runningIn(p.dir, child.pid)).toHaveLength(2); // the servers outlived perfgate
    expect(worktreeCount(p.dir)).toBe(2);
    const cleaned = await cleanupLeftovers(join(out, 'targets.pids'));
    expect(cleaned.groups).toBe(2);
    expect(cleaned.worktrees).toBeGreaterThanOrEqual(1);
    expect(describeCleanup(cleaned)).toMatch(
      /^stopped 2 target process groups and removed \d+ before\.ref worktrees? left by a killed perfgate run$/,
    );
    expect(await waitFor(() => runningIn(p.dir, child.pid).length === 0, 5000)).toBe(true);
    expect(worktreeCount(p.dir)).toBe(1);
    expect(
      readdirSync(tmpdir()).filter((n) => n.startsWith(`perfgate-before-${child.pid}-`)),
    ).toEqual([]);
  });
});
