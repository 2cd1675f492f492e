// The sticky pull request comment: one per status context, found again by a hidden marker on its
// first line and edited in place, so a PR that is pushed to ten times still has one comment.

import type { GitHubClient } from '../github.js';

/** GitHub refuses comment bodies longer than this many characters. */
export const COMMENT_LIMIT = 65_536;

const TRUNCATED = '\n\n… (truncated: the full report is in the job summary of the run)';

export function marker(statusContext: string): string {
  return `<!-- perfgate:${statusContext} -->`;
}

/** The marker first (so quoting the comment, which prefixes '> ', does not copy it), then body. */
export function withMarker(body: string, statusContext: string, limit = COMMENT_LIMIT): string {
  const head = `${marker(statusContext)}\n`;
  if (head.length + body.length <= limit) return head + body;
  const room = Math.max(0, limit - head.length - TRUNCATED.length);
  return head + body.slice(0, room).replace(/[\uD800-\uDBFF]$/, '') + TRUNCATED;
}

export function hasMarker(body: string | null | undefined, statusContext: string): boolean {
  return (body ?? '').startsWith(marker(statusContext));
}

/** The oldest comment carrying the marker: the one every later run edits. */
export function findMarked<T extends { body?: string | null }>(
  comments: Iterable<T>,
  statusContext: string,
): T | undefined {
  for (const comment of comments) if (hasMarker(comment.body, statusContext)) return comment;
  return undefined;
}

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  statusContext: string;
}

export interface UpsertedComment {
  action: 'created' | 'updated';
  id: number;
  url: string;
}

/** Edits the marked comment if there is one, else creates it. */
export async function upsertComment(
  client: GitHubClient,
  target: CommentTarget,
  body: string,
): Promise<UpsertedComment> {
  const { owner, repo, issueNumber, statusContext } = target;
  const full = withMarker(body, statusContext);
  const existing = await findComment(client, target);
  if (existing) {
    const { data } = await client.rest.issues.updateComment({
      owner,
      repo,
      comment_id: existing.id,
      body: full,
    });
    return { action: 'updated', id: data.id, url: data.html_url };
  }
  const { data } = await client.rest.issues.createComment({
    owner,
    repo,
    issue_number: issueNumber,
    body: full,
  });
  return { action: 'created', id: data.id, url: data.html_url };
}

/** Pages through the PR's comments oldest first and stops at the first marked one. */
async function findComment(
  client: GitHubClient,
  target: CommentTarget,
): Promise<{ id: number } | undefined> {
  const pages = client.paginate.iterator(client.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    const found = findMarked(page.data, target.statusContext);
    if (found) return found;
  }
  return undefined;
}
