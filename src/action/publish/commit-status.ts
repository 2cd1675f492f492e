// A commit status on the PR's head commit: what branch protection can require.

import type { OverallVerdict } from '../../analysis/types.js';
import type { GitHubClient } from '../github.js';
import { clip } from './best-effort.js';

export type StatusState = 'success' | 'failure' | 'error';

/** GitHub rejects longer status descriptions. */
export const DESCRIPTION_LIMIT = 140;

export function statusState(verdict: OverallVerdict): StatusState {
  return verdict === 'pass' ? 'success' : verdict === 'fail' ? 'failure' : 'error';
}

export interface CommitStatus {
  owner: string;
  repo: string;
  sha: string;
  state: StatusState;
  context: string;
  description: string;
  targetUrl: string | undefined;
}

export async function postCommitStatus(client: GitHubClient, status: CommitStatus): Promise<void> {
  await client.rest.repos.createCommitStatus({
    owner: status.owner,
    repo: status.repo,
    sha: status.sha,
    state: status.state,
    context: status.context,
    description: oneLine(status.description),
    ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
  });
}

export function oneLine(text: string): string {
  return clip(text.replace(/\s+/g, ' ').trim(), DESCRIPTION_LIMIT);
}
