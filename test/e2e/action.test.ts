// The action end to end, the way the runner runs it: `node dist/index.js` (the committed
// bundle) with INPUT_* variables, a pull_request event payload, the runner's files, and
// GITHUB_API_URL pointing at a fake GitHub REST API on loopback. The inputs mirror the
// workflow in README.md and examples/workflows/perfgate.yml.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { ROOT } from '../helpers/cli.js';
import { HEAD_SHA, runAction, TOKEN, type ActionRun } from '../helpers/action-run.js';

// Each case is a whole gate run (6 rounds of two processes): minutes on a loaded 2-core machine.
describe('the bundled action on a pull request', { timeout: 300_000 }, () => {
  let fake: FakeGitHub;
  const runs: ActionRun[] = [];

  beforeAll(async () => {
    fake = await startFakeGitHub();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('fails the step on the regression, creates the comment and a failure status', async () => {
    const run = await runAction(fake, {});
    runs.push(run);
    expect(run.code, run.stdout).toBe(1);
    expect(fake.commentsOn(42)).toHaveLength(1);
    expect(fake.commentsOn(42)[0]!.body).toContain('<!-- perfgate:perfgate -->');
    expect(fake.commentsOn(42)[0]!.body).toContain('GET /api/search');
    const status = fake.statuses.at(-1)!;
    expect(status).toMatchObject({ sha: HEAD_SHA, state: 'failure', context: 'perfgate' });
    expect(status.description!.length).toBeLessThanOrEqual(140);
    expect(status.targetUrl).toBe('https://github.example/acme/shop/actions/runs/4242');
    expect(run.outputs['verdict']).toBe('fail');
    expect(Number(run.outputs['regressions'])).toBeGreaterThanOrEqual(1);
    expect(readFileSync(run.outputs['result-path']!, 'utf8')).toContain('"verdict": "fail"');
    expect(readFileSync(run.outputs['report-path']!, 'utf8')).toContain('GET /api/search');
    expect(run.summary).toContain('GET /api/search');
    expect(run.stdout).toMatch(/::error title=GET \/api\/search::/);
    // The token is handed to the runner's masker (which swallows that command) and printed nowhere else.
    const printed = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect(run.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(printed.join('\n')).not.toContain(TOKEN);
    expect(JSON.stringify(fake.requests.map((r) => r.body))).not.toContain(TOKEN);
  });

  it('updates the same comment on the next run instead of adding one', async () => {
    const first = fake.commentsOn(42)[0]!;
    const run = await runAction(fake, {});
    expect(run.code, run.stdout).toBe(1);
    const comments = fake.commentsOn(42);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(first.id);
    expect(
      fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/comments')),
    ).toHaveLength(1);
    expect(
      fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/comments/')),
    ).toHaveLength(1);
  });

  it('with on-regression: annotate, passes the step and prints the annotations', async () => {
    const run = await runAction(fake, { 'on-regression': 'annotate' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/::error title=GET \/api\/search::/);
    expect(run.outputs['verdict']).toBe('fail');
    expect(fake.commentsOn(42)).toHaveLength(1);
    expect(fake.statuses.at(-1)).toMatchObject({ state: 'success', sha: HEAD_SHA });
    expect(fake.statuses.at(-1)!.description).toMatch(/^annotate only: /);
  });

  it('completes with a warning when the token may not comment (403)', async () => {
    fake.failComments(403);
    const run = await runAction(fake, {});
    fake.failComments(null);
    expect(run.code, run.stdout).toBe(1); // still the gate's verdict, not a crash
    expect(run.stdout).toMatch(/::warning.*pull-requests: write/);
    expect(run.stdout).toContain('Resource not accessible by integration');
    expect(fake.statuses.at(-1)).toMatchObject({ state: 'failure', sha: HEAD_SHA });
    expect(run.summary).toContain('GET /api/search');
  });

  it('leaves no target process behind and records where the post step looks', async () => {
    expect(runs[0]!.state).toContain('pid-file');
    const { processesWith } = await import('../helpers/cli.js');
    const { readlinkSync } = await import('node:fs');
    const servers = join(ROOT, 'test', 'fixtures', 'servers');
    const cwdOf = (pid: number) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        return '';
      }
    };
    expect(
      processesWith('basic.cjs', false).filter((pid) => cwdOf(pid).startsWith(servers)),
    ).toEqual([]);
  });
});
