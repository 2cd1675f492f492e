// What the runner tells a step about the event and the run, read from the environment and the
// event payload once. Read here instead of through @actions/github's `context`, which is built
// at import time, so tests can hand in any event.

import { EnvironmentError, errorMessage } from '../errors.js';

export interface PullRequestInfo {
  number: number;
  /** The base branch's commit the merge commit was made on: the merge commit's first parent. */
  baseSha: string;
  headSha: string;
  /** owner/name of the repository the head branch lives in; null when the fork was deleted. */
  headRepo: string | null;
  baseRepo: string;
}

export interface ActionContext {
  eventName: string;
  payload: Record<string, unknown>;
  /** The repository the workflow runs in; undefined outside Actions (no GITHUB_REPOSITORY). */
  repo: { owner: string; repo: string } | undefined;
  /** GITHUB_SHA: the commit the workflow runs on (a PR's merge commit on pull_request). */
  sha: string;
  runId: string;
  serverUrl: string;
  /** REST API root: GITHUB_API_URL, which GitHub Enterprise Server sets to its own host. */
  apiUrl: string;
  /** RUNNER_ENVIRONMENT: 'github-hosted' or 'self-hosted' (empty on runners that predate it). */
  runnerEnvironment: string;
  runnerTemp: string | undefined;
  pullRequest: PullRequestInfo | undefined;
  /** Set on `deployment` events only: a deployment_status event must not post another status. */
  deploymentId: number | undefined;
}

export const PULL_REQUEST_EVENTS: readonly string[] = ['pull_request', 'pull_request_target'];

export function readContext(
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string,
): ActionContext {
  const payload = readPayload(env['GITHUB_EVENT_PATH'], readFile);
  const eventName = env['GITHUB_EVENT_NAME'] ?? '';
  const serverUrl = stripSlash(env['GITHUB_SERVER_URL'] || 'https://github.com');
  return {
    eventName,
    payload,
    repo: repoOf(env['GITHUB_REPOSITORY'], payload),
    sha: env['GITHUB_SHA'] ?? '',
    runId: env['GITHUB_RUN_ID'] ?? '',
    serverUrl,
    apiUrl: stripSlash(env['GITHUB_API_URL'] || 'https://api.github.com'),
    runnerEnvironment: env['RUNNER_ENVIRONMENT'] ?? '',
    runnerTemp: env['RUNNER_TEMP'] || undefined,
    pullRequest: pullRequestOf(payload),
    deploymentId: eventName === 'deployment' ? deploymentIdOf(payload) : undefined,
  };
}

/** The page of this workflow run, linked from statuses and comments. */
export function runUrl(context: ActionContext): string | undefined {
  if (!context.repo || !context.runId) return undefined;
  return `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;
}

/** The commit a status belongs on: the PR's head (what the author pushed), else GITHUB_SHA. */
export function statusSha(context: ActionContext): string {
  return context.pullRequest?.headSha || context.sha;
}

export function isPullRequestEvent(context: ActionContext): boolean {
  return PULL_REQUEST_EVENTS.includes(context.eventName) && context.pullRequest !== undefined;
}

function readPayload(
  path: string | undefined,
  readFile: (path: string) => string,
): Record<string, unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new EnvironmentError(
      `cannot read the event payload GITHUB_EVENT_PATH=${path}: ${errorMessage(error)}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EnvironmentError(
      `the event payload GITHUB_EVENT_PATH=${path} is not JSON: ${errorMessage(error)}`,
    );
  }
  return isRecord(parsed) ? parsed : {};
}

function repoOf(
  slug: string | undefined,
  payload: Record<string, unknown>,
): { owner: string; repo: string } | undefined {
  const fullName = slug || stringAt(payload, 'repository', 'full_name');
  const [owner, repo, extra] = (fullName ?? '').split('/');
  if (!owner || !repo || extra !== undefined) return undefined;
  return { owner, repo };
}

function pullRequestOf(payload: Record<string, unknown>): PullRequestInfo | undefined {
  const number = numberAt(payload, 'pull_request', 'number');
  const baseSha = stringAt(payload, 'pull_request', 'base', 'sha');
  const headSha = stringAt(payload, 'pull_request', 'head', 'sha');
  if (number === undefined || !baseSha || !headSha) return undefined;
  return {
    number,
    baseSha,
    headSha,
    headRepo: stringAt(payload, 'pull_request', 'head', 'repo', 'full_name') ?? null,
    baseRepo:
      stringAt(payload, 'pull_request', 'base', 'repo', 'full_name') ??
      stringAt(payload, 'repository', 'full_name') ??
      '',
  };
}

function deploymentIdOf(payload: Record<string, unknown>): number | undefined {
  return numberAt(payload, 'deployment', 'id');
}

function at(value: unknown, keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function stringAt(value: unknown, ...keys: string[]): string | undefined {
  const found = at(value, keys);
  return typeof found === 'string' ? found : undefined;
}

function numberAt(value: unknown, ...keys: string[]): number | undefined {
  const found = at(value, keys);
  return typeof found === 'number' && Number.isSafeInteger(found) ? found : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
