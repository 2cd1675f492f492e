import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/action/github.js';
import { parseInputs } from '../../src/action/inputs.js';
import { marker } from '../../src/action/publish/comment.js';
import {
  connect,
  publishFailure,
  publishOutcome,
  type PublishTarget,
} from '../../src/action/publish/index.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { contextFor, FORK_HEAD_SHA, HEAD_SHA, type FixtureEvent } from './context-env.js';
import { fakeCore, type FakeCore } from './fake-core.js';
import { FAIL, outcome, PASS, runResult } from './results.js';

const TOKEN = 'ghs_publishTestToken0123456789';

let github: FakeGitHub;
beforeEach(async () => {
  github = await startFakeGitHub();
});
afterEach(async () => {
  await github.close();
});

function target(
  event: FixtureEvent,
  inputs: Record<string, string> = {},
  apiUrl = github.url,
): PublishTarget & { core: FakeCore } {
  const core = fakeCore({ 'github-token': TOKEN, ...inputs });
  const context = contextFor(event, apiUrl);
  const parsed = parseInputs((name) => core.getInput(name), context);
  return {
    core,
    context,
    inputs: parsed,
    client: connect(core, createGitHubClient, context, parsed),
  };
}

describe('job summary and annotations', () => {
  it('writes the report to the job summary', async () => {
    const t = target('push');
    await publishOutcome(t, outcome(PASS));
    expect(t.core.summaries).toEqual([outcome(PASS).markdown]);
  });

  it('annotates each regressed endpoint as an error and each inconclusive one as a warning', async () => {
    const t = target('push');
    await publishOutcome(t, outcome(FAIL));
    const annotations = t.core.lines.filter((l) => l.title?.startsWith('GET '));
    expect(annotations.map((l) => [l.level, l.title])).toEqual([
      ['error', 'GET /api/search'],
      ['warning', 'GET /api/cart'],
    ]);
    expect(t.core.messages('error')[0]).toBe(
      'regression: instructions per request +12.1 % (95 % CI +9.8 % … +14.5 %), above the 3 % threshold (default).',
    );
    expect(t.core.messages('warning')[0]).toMatch(
      /^inconclusive: .*: its interval reaches the 3% threshold; ≈6 more rounds would settle it\.$/,
    );
  });

  it('fails when the job summary cannot be written', async () => {
    const t = target('push');
    t.core.summaryError = new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY');
    await expect(publishOutcome(t, outcome(PASS))).rejects.toThrow(/GITHUB_STEP_SUMMARY/);
  });
});

describe('sticky pull request comment', () => {
  it('is created on the first run and edited in place on the next', async () => {
    const first = target('pull_request');
    await publishOutcome(first, outcome(FAIL));
    expect(github.commentsOn(42)).toHaveLength(1);
    const id = github.commentsOn(42)[0]!.id;
    expect(github.commentsOn(42)[0]!.body.startsWith(marker('perfgate'))).toBe(true);
    expect(first.core.messages('info')).toContainEqual(
      expect.stringMatching(/^created the pull request comment https:/),
    );

    const second = target('pull_request');
    await publishOutcome(second, outcome(PASS));
    expect(github.commentsOn(42)).toHaveLength(1);
    expect(github.commentsOn(42)[0]!.id).toBe(id);
    expect(github.commentsOn(42)[0]!.body).toContain(PASS.summary);
    expect(second.core.messages('info')).toContainEqual(
      expect.stringMatching(/^updated the pull request comment/),
    );
  });

  it('links the run and the commit', async () => {
    await publishOutcome(target('pull_request'), outcome(PASS));
    expect(github.commentsOn(42)[0]!.body).toContain(
      '[workflow run](https://github.com/acme/shop/actions/runs/4242) · 8f3c2d1',
    );
  });

  it('finds its comment past the first page of comments', async () => {
    github.seedComments(
      42,
      Array.from({ length: 130 }, (_, i) => `comment ${i}`),
    );
    await publishOutcome(target('pull_request'), outcome(FAIL));
    github.seedComments(42, ['a later comment']);
    await publishOutcome(target('pull_request'), outcome(PASS));
    const ours = github.commentsOn(42).filter((c) => c.body.startsWith(marker('perfgate')));
    expect(ours).toHaveLength(1);
    const pages = github.requests
      .filter((r) => r.method === 'GET')
      .map((r) => new URL(r.url, github.url).searchParams.get('page') ?? '1');
    // First run reads both pages before creating; the second stops on page 2 where it finds it.
    expect(pages).toEqual(['1', '2', '1', '2']);
  });

  it('keeps one comment per status context', async () => {
    await publishOutcome(target('pull_request'), outcome(PASS));
    await publishOutcome(
      target('pull_request', { 'status-context': 'perfgate / api' }),
      outcome(PASS),
    );
    await publishOutcome(
      target('pull_request', { 'status-context': 'perfgate / api' }),
      outcome(FAIL),
    );
    expect(github.commentsOn(42).map((c) => c.body.split('\n')[0])).toEqual([
      marker('perfgate'),
      marker('perfgate / api'),
    ]);
  });

  it('is skipped with comment: false and off pull requests', async () => {
    await publishOutcome(target('pull_request', { comment: 'false' }), outcome(PASS));
    await publishOutcome(target('push'), outcome(PASS));
    await publishOutcome(target('deployment'), outcome(PASS));
    expect(github.comments).toHaveLength(0);
    expect(github.requests.some((r) => r.path.includes('/comments'))).toBe(false);
  });

  it('turns a 403 (a fork pull request) into a warning naming the permission, and goes on', async () => {
    github.failComments(403);
    const t = target('pull_request_fork');
    await publishOutcome(t, outcome(FAIL));
    const warning = t.core.lines.find(
      (l) =>
        l.level === 'warning' && l.title === 'perfgate could not post the pull request comment',
    );
    expect(warning?.message).toMatch(
      /^could not post the pull request comment: Resource not accessible by integration/,
    );
    expect(warning?.message).toContain('(HTTP 403)');
    expect(warning?.message).toContain("'pull-requests: write'");
    expect(github.statuses).toHaveLength(1);
    expect(github.statuses[0]!.sha).toBe(FORK_HEAD_SHA);
  });

  it('turns a 404 into the same warning', async () => {
    github.failComments(404);
    const t = target('pull_request');
    await publishOutcome(t, outcome(PASS));
    expect(t.core.messages('warning').join('\n')).toMatch(
      /Not Found.*\(HTTP 404\).*'pull-requests: write'/s,
    );
  });

  it('turns a server error into a warning without a permission hint', async () => {
    github.failComments(500);
    const t = target('pull_request');
    await publishOutcome(t, outcome(PASS));
    const message = t.core.messages('warning').join('\n');
    expect(message).toContain('(HTTP 500)');
    expect(message).not.toContain('permission');
  });
});

describe('commit status', () => {
  it("posts failure on the pull request's head commit, linking the run", async () => {
    await publishOutcome(target('pull_request'), outcome(FAIL));
    expect(github.statuses).toEqual([
      {
        sha: HEAD_SHA,
        state: 'failure',
        context: 'perfgate',
        description: FAIL.summary,
        targetUrl: 'https://github.com/acme/shop/actions/runs/4242',
      },
    ]);
  });

  it('posts success on GITHUB_SHA outside pull requests, under the chosen context', async () => {
    await publishOutcome(target('push', { 'status-context': 'perf/shop' }), outcome(PASS));
    expect(github.statuses.map((s) => [s.sha, s.state, s.context])).toEqual([
      [HEAD_SHA, 'success', 'perf/shop'],
    ]);
  });

  it('keeps the statuses green under on-regression: annotate, and says why', async () => {
    await publishOutcome(
      target('pull_request', { 'deployment-id': '77' }),
      outcome(FAIL, 'annotate'),
    );
    expect(github.statuses[0]!.state).toBe('success');
    expect(github.statuses[0]!.description).toMatch(/^annotate only: .*GET \/api\/search/);
    expect(github.deploymentStatuses.map((d) => d.state)).toEqual(['success']);
  });

  it('posts error for an error verdict', async () => {
    await publishOutcome(target('pull_request'), outcome(runResult('error', [])));
    expect(github.statuses[0]!.state).toBe('error');
  });

  it('keeps the description to one line of at most 140 characters', async () => {
    const long = runResult(
      'fail',
      [],
      `3 regressions:\n${'GET /api/items/:id +4.0 % (θ 3 %), '.repeat(10)}`,
    );
    await publishOutcome(target('pull_request'), outcome(long));
    const description = github.statuses[0]!.description!;
    expect(description.length).toBeLessThanOrEqual(140);
    expect(description).not.toContain('\n');
    expect(description.endsWith('…')).toBe(true);
  });

  it("warns with 'statuses: write' when refused", async () => {
    github.failStatuses(403);
    const t = target('pull_request');
    await publishOutcome(t, outcome(FAIL));
    expect(t.core.messages('warning').join('\n')).toMatch(
      /commit status: Resource not accessible by integration.*'statuses: write'/s,
    );
    expect(github.comments).toHaveLength(1);
  });
});

describe('deployment status', () => {
  it('marks the deployment of a deployment event failed on a regression', async () => {
    await publishOutcome(target('deployment'), outcome(FAIL));
    expect(github.deploymentStatuses).toEqual([
      {
        deploymentId: 987654,
        state: 'failure',
        description: FAIL.summary,
        logUrl: 'https://github.com/acme/shop/actions/runs/4242',
      },
    ]);
  });

  it('marks it successful on a pass, and takes deployment-id on any event', async () => {
    await publishOutcome(target('push', { 'deployment-id': '77' }), outcome(PASS));
    expect(github.deploymentStatuses.map((d) => [d.deploymentId, d.state])).toEqual([
      [77, 'success'],
    ]);
  });

  it('marks it failed on an error', async () => {
    await publishOutcome(target('deployment'), outcome(runResult('error', [])));
    expect(github.deploymentStatuses[0]!.state).toBe('failure');
  });

  it('posts nothing for a deployment without deployment-id or a deployment event', async () => {
    await publishOutcome(target('pull_request'), outcome(PASS));
    expect(github.deploymentStatuses).toHaveLength(0);
  });

  it("warns with 'deployments: write' when refused", async () => {
    github.failDeployments(403);
    const t = target('deployment');
    await publishOutcome(t, outcome(PASS));
    expect(t.core.messages('warning').join('\n')).toMatch(
      /deployment status: .*'deployments: write'/s,
    );
  });
});

describe('without API access', () => {
  it('warns once and writes only the summary without a token', async () => {
    const t = target('pull_request', { 'github-token': '' });
    await publishOutcome(t, outcome(FAIL));
    expect(t.client).toBeUndefined();
    expect(t.core.messages('warning')).toContain(
      "input 'github-token' is empty: the report is only in the job summary (no pull request comment, commit status or deployment status).",
    );
    expect(t.core.summaries).toHaveLength(1);
    expect(github.requests).toHaveLength(0);
  });
});

describe('GitHub Enterprise Server', () => {
  it('sends every call under GITHUB_API_URL', async () => {
    await publishOutcome(target('pull_request', {}, `${github.url}/api/v3`), outcome(FAIL));
    expect(github.requests.length).toBeGreaterThan(0);
    for (const request of github.requests) expect(request.url.startsWith('/api/v3/')).toBe(true);
    expect(github.comments).toHaveLength(1);
    expect(github.statuses).toHaveLength(1);
  });
});

describe('a gate that could not finish', () => {
  it('says so in the summary, the comment and an error status', async () => {
    const t = target('pull_request');
    await publishOutcome(t, outcome(PASS));
    await publishFailure(
      t.core,
      target('pull_request'),
      'before build: exited with code 2\nmake: *** [all] Error 2',
    );
    expect(github.commentsOn(42)).toHaveLength(1);
    expect(github.commentsOn(42)[0]!.body).toContain('perfgate could not finish');
    expect(github.statuses.at(-1)).toMatchObject({
      state: 'error',
      description: 'perfgate could not finish: before build: exited with code 2',
    });
    expect(t.core.summaries.at(-1)).toContain('make: *** [all] Error 2');
  });

  it('never throws, even when nothing can be written', async () => {
    github.failComments(403);
    github.failStatuses(403);
    const t = target('pull_request');
    t.core.summaryError = new Error('no summary file');
    await expect(publishFailure(t.core, t, 'boom')).resolves.toBeUndefined();
    expect(t.core.messages('warning')).toHaveLength(3);
  });
});

describe('the token', () => {
  it('is sent to the API and never written to the log, outputs, state or summary', async () => {
    github.failComments(403);
    const t = target('pull_request_fork');
    await publishOutcome(t, outcome(FAIL));
    await publishFailure(t.core, t, 'boom');
    expect(github.requests[0]!.headers.authorization).toBe(`token ${TOKEN}`);
    for (const line of t.core.everything()) expect(line).not.toContain(TOKEN);
  });
});
