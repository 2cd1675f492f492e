import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionDeps } from '../../src/action/deps.js';
import { createGitHubClient } from '../../src/action/github.js';
import { ConfigError, EnvironmentError, InterruptedError } from '../../src/errors.js';
import { run } from '../../src/main.js';
import type { GateOptions } from '../../src/pipeline.js';
import type { GateOutcome } from '../../src/report/index.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { BASE_SHA, HEAD_SHA, runnerEnv, type FixtureEvent } from './context-env.js';
import { fakeCore, type FakeCore } from './fake-core.js';
import { FAIL, outcome, PASS, runResult } from './results.js';

const TOKEN = 'ghs_mainTestToken9876543210';

let github: FakeGitHub;
beforeEach(async () => {
  github = await startFakeGitHub();
});
afterEach(async () => {
  await github.close();
});

interface Harness {
  deps: ActionDeps;
  core: FakeCore;
  signals: EventEmitter;
  calls: GateOptions[];
}

function harness(
  event: FixtureEvent,
  gate: GateOutcome | ((options: GateOptions) => Promise<GateOutcome>),
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Harness {
  const core = fakeCore({ 'github-token': TOKEN, ...inputs });
  const signals = new EventEmitter();
  const calls: GateOptions[] = [];
  const deps: ActionDeps = {
    core,
    env: runnerEnv(event, github.url, env),
    readFile: (path) => readFileSync(path, 'utf8'),
    github: createGitHubClient,
    runGate: async (options) => {
      calls.push(options);
      return typeof gate === 'function' ? gate(options) : gate;
    },
    runMerge: () => Promise.reject(new Error('no merge in these tests')),
    signals,
    tmpdir: '/tmp',
    pid: 1234,
  };
  return { deps, core, signals, calls };
}

describe('run', () => {
  it('passes the inputs to the gate and publishes a pass', async () => {
    const h = harness('pull_request', outcome(PASS), {
      config: 'ci/perfgate.yml',
      workload: 'traffic.jsonl',
      'on-regression': 'annotate',
      'max-duration': '20m',
      'out-dir': 'out',
    });
    await run(h.deps);
    expect(h.calls).toHaveLength(1);
    const options = h.calls[0]!;
    expect(options).toMatchObject({
      configPath: 'ci/perfgate.yml',
      outDir: 'out',
      overrides: {
        workload: 'traffic.jsonl',
        // The pull request's base is a default the config's `before.cwd` may overrule.
        defaultBeforeRef: BASE_SHA,
        onRegression: 'annotate',
        maxDurationMs: 1_200_000,
      },
      pidFile: '/runner/_temp/perfgate-targets-1234.pids',
    });
    expect(options.signal.aborted).toBe(false);
    expect(h.core.state['pid-file']).toBe('/runner/_temp/perfgate-targets-1234.pids');
    expect(h.core.failed).toEqual([]);
    expect(h.core.outputs).toEqual({
      verdict: 'pass',
      regressions: '0',
      'result-path': '/tmp/perfgate/result.json',
      'report-path': '/tmp/perfgate/report.md',
    });
    expect(h.core.summaries).toHaveLength(1);
    expect(github.comments).toHaveLength(1);
    expect(github.statuses.map((s) => [s.sha, s.state])).toEqual([[HEAD_SHA, 'success']]);
  });

  it('masks the token before anything else', async () => {
    const h = harness('pull_request', outcome(PASS));
    await run(h.deps);
    expect(h.core.secrets).toEqual([TOKEN]);
  });

  it('fails the step on a regression under on-regression: fail', async () => {
    const h = harness('pull_request', outcome(FAIL, 'fail'));
    await run(h.deps);
    expect(h.core.failed).toEqual([`perfgate: ${FAIL.summary}`]);
    expect(h.core.outputs['verdict']).toBe('fail');
    expect(h.core.outputs['regressions']).toBe('1');
    expect(github.statuses[0]!.state).toBe('failure');
  });

  it('only annotates a regression under on-regression: annotate', async () => {
    const h = harness('pull_request', outcome(FAIL, 'annotate'));
    await run(h.deps);
    expect(h.core.failed).toEqual([]);
    expect(h.core.lines.filter((l) => l.level === 'error').map((l) => l.title)).toEqual([
      'GET /api/search',
    ]);
    expect(h.core.messages('info')).toContainEqual(
      expect.stringContaining('on-regression: annotate, so the step passes'),
    );
    expect(h.core.outputs['verdict']).toBe('fail');
    // A required check in 'failure' would block the merge that annotate means to let through.
    expect(github.statuses.map((s) => [s.state, s.description])).toEqual([
      ['success', `annotate only: ${FAIL.summary}`],
    ]);
  });

  it('fails closed on an error verdict, whatever on-regression says', async () => {
    const h = harness('pull_request', outcome(runResult('error', []), 'annotate'));
    await run(h.deps);
    expect(h.core.failed).toEqual([
      'perfgate could not reach a verdict: error: 1 endpoint could not be compared',
    ]);
  });

  it('prints a user-fixable error with its hint and no stack', async () => {
    const h = harness('pull_request', async () => {
      throw new ConfigError(
        'thresholds.default: must be a percentage',
        { file: 'perfgate.yml', line: 4 },
        'Write it like 3%.',
      );
    });
    await run(h.deps);
    expect(h.core.failed).toEqual([
      'perfgate.yml:line 4: thresholds.default: must be a percentage\nWrite it like 3%.',
    ]);
    expect(h.core.outputs).toEqual({ verdict: 'error' });
    expect(github.statuses.map((s) => [s.state, s.description])).toEqual([
      [
        'error',
        'perfgate could not finish: perfgate.yml:line 4: thresholds.default: must be a percentage',
      ],
    ]);
    expect(github.commentsOn(42)[0]!.body).toContain('Write it like 3%.');
  });

  it('prints anything else as a perfgate bug, with its stack', async () => {
    const h = harness('push', async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'rounds')");
    });
    await run(h.deps);
    expect(h.core.failed).toHaveLength(1);
    expect(h.core.failed[0]).toMatch(/^perfgate failed unexpectedly; this is a bug in perfgate/);
    expect(h.core.failed[0]).toMatch(/TypeError: Cannot read properties.*\n\s+at /);
  });

  it('fails on a bad input before starting the gate', async () => {
    const h = harness('pull_request', outcome(PASS), { comment: 'yes' });
    await run(h.deps);
    expect(h.calls).toHaveLength(0);
    expect(h.core.failed[0]).toBe(
      "input 'comment' must be true or false, got 'yes'\nFix the `with:` block of the perfgate step in your workflow.",
    );
  });

  it('fails when the event payload is unreadable', async () => {
    const h = harness('push', outcome(PASS), {}, { GITHUB_EVENT_PATH: '/nonexistent/event.json' });
    await run(h.deps);
    expect(h.calls).toHaveLength(0);
    expect(h.core.failed[0]).toMatch(
      /^cannot read the event payload GITHUB_EVENT_PATH=\/nonexistent\/event.json/,
    );
  });

  it('refuses pull_request_target unless allow-untrusted is true', async () => {
    const h = harness('pull_request_target', outcome(PASS));
    await run(h.deps);
    expect(h.calls).toHaveLength(0);
    expect(h.core.failed[0]).toMatch(
      /^refusing to build and run pull request code on a pull_request_target event\n/,
    );
    expect(h.core.failed[0]).toMatch(/write to the repository and with its secrets/);
    expect(h.core.failed[0]).toMatch(/take over the machine/);
    expect(h.core.outputs['verdict']).toBe('error');
  });

  it('runs pull_request_target with allow-untrusted: true, warning about it', async () => {
    const h = harness('pull_request_target', outcome(PASS), { 'allow-untrusted': 'true' });
    await run(h.deps);
    expect(h.calls).toHaveLength(1);
    expect(h.core.failed).toEqual([]);
    expect(h.core.messages('warning')).toContainEqual(
      expect.stringMatching(/^allow-untrusted is true/),
    );
  });

  it('warns when a self-hosted runner builds a fork pull request', async () => {
    const h = harness('pull_request_fork', outcome(PASS));
    await run(h.deps);
    const warnings = h.core.lines.filter(
      (l) => l.level === 'warning' && l.title === 'perfgate: untrusted code',
    );
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(
        /^this pull request comes from the fork mallory\/shop: perfgate builds and runs its code on this self-hosted runner/,
      ),
    ]);
  });

  it('does not warn about forks on GitHub-hosted runners or for same-repository branches', async () => {
    const hosted = harness(
      'pull_request_fork',
      outcome(PASS),
      {},
      { RUNNER_ENVIRONMENT: 'github-hosted' },
    );
    await run(hosted.deps);
    const sameRepo = harness('pull_request', outcome(PASS));
    await run(sameRepo.deps);
    for (const h of [hosted, sameRepo]) {
      expect(h.core.lines.filter((l) => l.title === 'perfgate: untrusted code')).toEqual([]);
    }
  });

  it('aborts the gate on SIGINT and fails as interrupted', async () => {
    let seen: AbortSignal | undefined;
    const h = harness('pull_request', (options) => {
      seen = options.signal;
      return new Promise((_resolve, reject) => {
        options.signal.addEventListener('abort', () => reject(options.signal.reason));
      });
    });
    const running = run(h.deps);
    await new Promise((resolve) => setImmediate(resolve));
    h.signals.emit('SIGINT');
    h.signals.emit('SIGTERM');
    await running;
    expect(seen?.reason).toBeInstanceOf(InterruptedError);
    expect(h.core.failed).toEqual(['interrupted by SIGINT']);
    expect(h.core.messages('warning')).toEqual(
      expect.arrayContaining([
        'received SIGINT: stopping the targets',
        'received SIGTERM again: still stopping the targets',
      ]),
    );
    expect(h.signals.listenerCount('SIGINT')).toBe(0);
    expect(h.signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('fails, and says why, when the job summary cannot be written', async () => {
    const h = harness('push', outcome(PASS));
    h.core.summaryError = new EnvironmentError(
      'Unable to find environment variable for $GITHUB_STEP_SUMMARY',
    );
    await run(h.deps);
    expect(h.core.failed).toEqual(['Unable to find environment variable for $GITHUB_STEP_SUMMARY']);
  });

  it('completes on a fork pull request whose token cannot write, with warnings', async () => {
    github.failComments(403);
    github.failStatuses(403);
    const h = harness('pull_request_fork', outcome(FAIL, 'fail'));
    await run(h.deps);
    expect(h.core.failed).toEqual([`perfgate: ${FAIL.summary}`]);
    expect(h.core.summaries).toHaveLength(1);
    const warnings = h.core.messages('warning').join('\n');
    expect(warnings).toContain("'pull-requests: write'");
    expect(warnings).toContain("'statuses: write'");
    expect(warnings).toContain('Resource not accessible by integration');
    for (const line of h.core.everything()) expect(line).not.toContain(TOKEN);
  });

  it('posts a deployment status on a deployment event', async () => {
    const h = harness('deployment', outcome(FAIL, 'fail'));
    await run(h.deps);
    expect(github.deploymentStatuses.map((d) => [d.deploymentId, d.state])).toEqual([
      [987654, 'failure'],
    ]);
    expect(github.comments).toHaveLength(0);
  });
});

describe('run with the real gate on a fault (issue 12)', () => {
  it('a missing build folder gives verdict=error, an error status and no stack', async () => {
    const { runGate } = await import('../../src/pipeline.js');
    const { makeProject, QUICK } = await import('../pipeline/project.js');
    const p = makeProject(
      `${QUICK}before: { cwd: missing-dir, start: node server.cjs }\nafter: { cwd: svc, start: node server.cjs }\n`,
    );
    const h = harness('pull_request', (options) =>
      runGate({ ...options, configPath: p.config, outDir: `${p.dir}/out` }),
    );
    await run(h.deps);
    expect(h.core.outputs).toEqual({ verdict: 'error' });
    expect(h.core.failed).toHaveLength(1);
    expect(h.core.failed[0]).toMatch(
      /perfgate\.yml:line 5: before\.cwd: the folder .*missing-dir does not exist/,
    );
    expect(h.core.failed[0]).not.toMatch(/\n\s+at /);
    expect(github.statuses.map((s) => s.state)).toEqual(['error']);
  });
});
