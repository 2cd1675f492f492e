import { describe, expect, it } from 'vitest';
import { isPullRequestEvent, readContext, runUrl, statusSha } from '../../src/action/context.js';
import { BASE_SHA, contextFor, FORK_HEAD_SHA, HEAD_SHA, MERGE_SHA } from './context-env.js';

const API = 'https://api.github.com';

describe('readContext', () => {
  it('reads a pull_request event', () => {
    const context = contextFor('pull_request', API);
    expect(context).toMatchObject({
      eventName: 'pull_request',
      repo: { owner: 'acme', repo: 'shop' },
      sha: MERGE_SHA,
      runId: '4242',
      apiUrl: API,
      runnerEnvironment: 'self-hosted',
      runnerTemp: '/runner/_temp',
      deploymentId: undefined,
      pullRequest: {
        number: 42,
        baseSha: BASE_SHA,
        headSha: HEAD_SHA,
        headRepo: 'acme/shop',
        baseRepo: 'acme/shop',
      },
    });
    expect(isPullRequestEvent(context)).toBe(true);
    expect(statusSha(context)).toBe(HEAD_SHA);
    expect(runUrl(context)).toBe('https://github.com/acme/shop/actions/runs/4242');
  });

  it("names a fork pull request's head repository", () => {
    const context = contextFor('pull_request_fork', API);
    expect(context.pullRequest?.headRepo).toBe('mallory/shop');
    expect(statusSha(context)).toBe(FORK_HEAD_SHA);
  });

  it('reads the deployment id on deployment events only', () => {
    expect(contextFor('deployment', API).deploymentId).toBe(987654);
    expect(
      contextFor('deployment', API, { GITHUB_EVENT_NAME: 'deployment_status' }).deploymentId,
    ).toBeUndefined();
  });

  it('uses GITHUB_SHA for statuses outside pull requests', () => {
    const context = contextFor('push', API);
    expect(isPullRequestEvent(context)).toBe(false);
    expect(statusSha(context)).toBe(HEAD_SHA);
  });

  it('strips a trailing slash from the API and server URLs', () => {
    const context = contextFor('push', 'https://ghe.example.com/api/v3/', {
      GITHUB_SERVER_URL: 'https://ghe.example.com/',
    });
    expect(context.apiUrl).toBe('https://ghe.example.com/api/v3');
    expect(runUrl(context)).toBe('https://ghe.example.com/acme/shop/actions/runs/4242');
  });

  it('falls back to the payload for the repository, and to defaults outside a runner', () => {
    const context = readContext({}, () => '');
    expect(context).toMatchObject({
      eventName: '',
      repo: undefined,
      apiUrl: API,
      serverUrl: 'https://github.com',
      payload: {},
    });
    expect(runUrl(context)).toBeUndefined();
    const fromPayload = readContext(
      { GITHUB_EVENT_PATH: 'e.json' },
      () => '{"repository":{"full_name":"o/r"}}',
    );
    expect(fromPayload.repo).toEqual({ owner: 'o', repo: 'r' });
  });

  it('names the payload file when it is not JSON', () => {
    expect(() => readContext({ GITHUB_EVENT_PATH: '/tmp/e.json' }, () => '{oops')).toThrow(
      /^the event payload GITHUB_EVENT_PATH=\/tmp\/e.json is not JSON/,
    );
  });
});
