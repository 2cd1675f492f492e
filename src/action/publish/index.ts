// Every surface a finished (or failed) gate reports to. The job summary is written first and
// must succeed; the API writes after it are best-effort, each one a warning when refused.

import type { OverallVerdict } from '../../analysis/types.js';
import { errorMessage } from '../../errors.js';
import type { GateOutcome } from '../../report/index.js';
import { isPullRequestEvent, runUrl, statusSha, type ActionContext } from '../context.js';
import type { ActionCore } from '../core.js';
import type { GitHubClient, GitHubClientFactory } from '../github.js';
import type { ActionInputs } from '../inputs.js';
import { annotate } from './annotations.js';
import { bestEffort } from './best-effort.js';
import { upsertComment } from './comment.js';
import { postCommitStatus, statusState } from './commit-status.js';
import { deploymentState, postDeploymentStatus } from './deployment-status.js';

export interface PublishTarget {
  core: ActionCore;
  context: ActionContext;
  inputs: ActionInputs;
  /** Undefined without a token or a repository: only the job summary and annotations then. */
  client: GitHubClient | undefined;
}

/** What the API surfaces carry, whether the gate finished or not. */
interface Report {
  verdict: OverallVerdict;
  /** One line for the commit and deployment status. */
  description: string;
  /** Markdown for the sticky comment. */
  markdown: string;
}

/** Makes the API client, or says once why there will be no comment or status. */
export function connect(
  core: ActionCore,
  factory: GitHubClientFactory,
  context: ActionContext,
  inputs: ActionInputs,
): GitHubClient | undefined {
  if (!context.repo) {
    core.warning(
      'GITHUB_REPOSITORY is not set, so perfgate cannot tell which repository to post to: the report is only in the job summary.',
    );
    return undefined;
  }
  if (!inputs.githubToken) {
    core.warning(
      "input 'github-token' is empty: the report is only in the job summary (no pull request comment, commit status or deployment status).",
    );
    return undefined;
  }
  return factory(inputs.githubToken, context.apiUrl);
}

export async function publishOutcome(target: PublishTarget, outcome: GateOutcome): Promise<void> {
  await target.core.writeSummary(outcome.markdown);
  annotate(target.core, outcome.result);
  // on-regression: annotate must not block what the step does not block: a required status in
  // 'failure' would hold the merge all the same. The statuses stay green and say what was found.
  const annotateOnly = outcome.result.verdict === 'fail' && outcome.onRegression === 'annotate';
  await publishToGitHub(target, {
    verdict: annotateOnly ? 'pass' : outcome.result.verdict,
    description: annotateOnly ? `annotate only: ${outcome.result.summary}` : outcome.result.summary,
    markdown: outcome.markdown,
  });
}

/**
 * One shard of a sharded run: its table goes to this job's summary only. A comment or status
 * from each shard would each judge part of the endpoints; the merge job publishes the verdict.
 */
export async function publishShard(
  target: PublishTarget,
  outcome: GateOutcome,
  shard: { index: number; count: number },
): Promise<void> {
  const note = `> [!NOTE]\n> Shard ${shard.index} of ${shard.count}: these endpoints only. The merge job decides over every shard and posts the comment and statuses.`;
  await target.core.writeSummary(`${note}\n\n${outcome.markdown}`);
  target.core.info(
    `shard ${shard.index}/${shard.count}: ${outcome.result.summary} (the merge job publishes the verdict)`,
  );
}

/**
 * The gate could not finish: say so everywhere a pass could otherwise be assumed (a stale
 * comment, a missing status). Never throws; the caller fails the step after it.
 */
export async function publishFailure(
  core: ActionCore,
  target: PublishTarget | undefined,
  message: string,
): Promise<void> {
  const markdown = failureMarkdown(message);
  try {
    await core.writeSummary(markdown);
  } catch (error) {
    core.warning(`could not write the job summary: ${errorMessage(error)}`);
  }
  if (!target) return;
  await publishToGitHub(target, {
    verdict: 'error',
    description: `perfgate could not finish: ${message.split('\n')[0] ?? ''}`,
    markdown,
  });
}

async function publishToGitHub(target: PublishTarget, report: Report): Promise<void> {
  const { core, context, inputs, client } = target;
  if (!client || !context.repo) return;
  const { owner, repo } = context.repo;
  const url = runUrl(context);
  const pr = context.pullRequest;

  if (!inputs.comment) {
    core.debug("no pull request comment: input 'comment' is false");
  } else if (!pr || !isPullRequestEvent(context)) {
    core.debug(
      `no pull request comment: the ${context.eventName || 'unknown'} event has no pull request`,
    );
  } else {
    await bestEffort(core, 'pull request comment', 'pull-requests: write', async () => {
      const body = `${report.markdown}\n\n${footer(url, pr.headSha)}`;
      const done = await upsertComment(
        client,
        { owner, repo, issueNumber: pr.number, statusContext: inputs.statusContext },
        body,
      );
      core.info(`${done.action} the pull request comment ${done.url}`);
    });
  }

  const sha = statusSha(context);
  if (sha) {
    await bestEffort(core, 'commit status', 'statuses: write', async () => {
      await postCommitStatus(client, {
        owner,
        repo,
        sha,
        state: statusState(report.verdict),
        context: inputs.statusContext,
        description: report.description,
        targetUrl: url,
      });
      core.info(`set the commit status '${inputs.statusContext}' on ${sha}`);
    });
  }

  if (inputs.deploymentId !== undefined) {
    const deploymentId = inputs.deploymentId;
    await bestEffort(core, 'deployment status', 'deployments: write', async () => {
      await postDeploymentStatus(client, {
        owner,
        repo,
        deploymentId,
        state: deploymentState(report.verdict),
        description: report.description,
        logUrl: url,
      });
      core.info(`set the status of deployment ${deploymentId}`);
    });
  }
}

function footer(url: string | undefined, sha: string): string {
  const run = url ? `[workflow run](${url})` : 'workflow run';
  return `<sub>perfgate · ${run} · ${sha.slice(0, 7)}</sub>`;
}

export function failureMarkdown(message: string): string {
  // A fence longer than any backtick run in the message, so the message cannot close it.
  const longest = Math.max(2, ...Array.from(message.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [
    '### perfgate could not finish',
    '',
    fence,
    message,
    fence,
    '',
    'The gate fails closed: this run counts as a failure, not a pass.',
  ].join('\n');
}
