// Recording a default-branch run into the history branch: only on a push to the repository's
// default branch, never from pull requests, and never failing the gate: a lost record is a
// warning.

import { summarizeRun } from '../history/summary.js';
import { recordOnBranch } from '../history/branch.js';
import { errorMessage } from '../errors.js';
import type { GateOutcome } from '../report/index.js';
import { VERSION } from '../version.js';
import type { ActionContext } from './context.js';
import type { ActionCore } from './core.js';
import type { ActionInputs } from './inputs.js';

/** Why this run is not recorded, or null when it is to be. */
export function skipHistoryReason(
  context: Pick<ActionContext, 'eventName' | 'payload'>,
  env: NodeJS.ProcessEnv,
  outcome: GateOutcome,
): string | null {
  if (context.eventName !== 'push')
    return `the event is ${context.eventName || 'unknown'}, not push`;
  const repository = context.payload['repository'] as { default_branch?: unknown } | undefined;
  const defaultBranch =
    typeof repository?.default_branch === 'string' ? repository.default_branch : undefined;
  const ref = env['GITHUB_REF'] ?? '';
  if (!defaultBranch || ref !== `refs/heads/${defaultBranch}`) {
    return `${ref || 'the ref'} is not the default branch${defaultBranch ? ` (${defaultBranch})` : ''}`;
  }
  if (outcome.result.verdict === 'error' || !outcome.result.run.complete) {
    return 'the run did not complete without errors';
  }
  return null;
}

export async function recordHistory(
  core: ActionCore,
  context: ActionContext,
  inputs: ActionInputs,
  outcome: GateOutcome,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<void> {
  const branch = inputs.historyBranch;
  if (!branch) return;
  const skip = skipHistoryReason(context, env, outcome);
  if (skip) {
    core.info(`perfgate history: not recorded: ${skip}`);
    return;
  }
  const repo = context.repo
    ? `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}`
    : null;
  const entry = summarizeRun(outcome.result, {
    commit: context.sha,
    branch: (env['GITHUB_REF'] ?? '').replace(/^refs\/heads\//, '') || null,
    date: outcome.result.run.startedAt ?? new Date().toISOString(),
    repository: repo,
    perfgate: VERSION,
  });
  try {
    const commit = await recordOnBranch(
      { cwd, remote: 'origin', branch, path: inputs.historyPath, log: (m) => core.info(m) },
      entry,
    );
    core.info(
      commit
        ? `perfgate history: recorded ${context.sha.slice(0, 12)} in ${branch}:${inputs.historyPath} (${commit.slice(0, 12)})`
        : `perfgate history: ${context.sha.slice(0, 12)} is already in ${branch}:${inputs.historyPath}`,
    );
  } catch (error) {
    core.warning(`perfgate history: not recorded: ${errorMessage(error)}`, {
      title: 'perfgate: history',
    });
  }
}
