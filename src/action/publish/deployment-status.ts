// A deployment status, when perfgate gates a deployment: a regression or an error marks the
// deployment failed, so deployment tooling watching it can hold the rollout.

import type { OverallVerdict } from '../../analysis/types.js';
import type { GitHubClient } from '../github.js';
import { oneLine } from './commit-status.js';

export type DeploymentState = 'success' | 'failure';

export function deploymentState(verdict: OverallVerdict): DeploymentState {
  return verdict === 'pass' ? 'success' : 'failure';
}

export interface DeploymentStatus {
  owner: string;
  repo: string;
  deploymentId: number;
  state: DeploymentState;
  description: string;
  logUrl: string | undefined;
}

export async function postDeploymentStatus(
  client: GitHubClient,
  status: DeploymentStatus,
): Promise<void> {
  await client.rest.repos.createDeploymentStatus({
    owner: status.owner,
    repo: status.repo,
    deployment_id: status.deploymentId,
    state: status.state,
    description: oneLine(status.description),
    ...(status.logUrl ? { log_url: status.logUrl } : {}),
  });
}
