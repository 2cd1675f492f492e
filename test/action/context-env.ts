// Runner environments for the action's tests: what GitHub sets for a step, pointing at a fixture
// event payload and (optionally) a fake API.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readContext, type ActionContext } from '../../src/action/context.js';

export type FixtureEvent =
  'pull_request' | 'pull_request_fork' | 'pull_request_target' | 'deployment' | 'push';

export const HEAD_SHA = '8f3c2d1e0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e';
export const BASE_SHA = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
export const MERGE_SHA = 'aaaabbbbccccddddeeeeffff0000111122223333';
export const FORK_HEAD_SHA = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';

export function fixturePath(event: FixtureEvent): string {
  return fileURLToPath(new URL(`../fixtures/github/${event}.json`, import.meta.url));
}

/** The event name GitHub would send with each fixture. */
const EVENT_NAME: Record<FixtureEvent, string> = {
  pull_request: 'pull_request',
  pull_request_fork: 'pull_request',
  pull_request_target: 'pull_request_target',
  deployment: 'deployment',
  push: 'push',
};

export function runnerEnv(
  event: FixtureEvent,
  apiUrl: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    GITHUB_EVENT_NAME: EVENT_NAME[event],
    GITHUB_EVENT_PATH: fixturePath(event),
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: event.startsWith('pull_request') ? MERGE_SHA : HEAD_SHA,
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: apiUrl,
    RUNNER_ENVIRONMENT: 'self-hosted',
    RUNNER_TEMP: '/runner/_temp',
    ...extra,
  };
}

export function contextFor(
  event: FixtureEvent,
  apiUrl: string,
  extra: Record<string, string> = {},
): ActionContext {
  return readContext(runnerEnv(event, apiUrl, extra), (path) => readFileSync(path, 'utf8'));
}
