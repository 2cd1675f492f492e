// Reporting through the API is best-effort: a refused or failed call becomes a warning that says
// what to change, and the gate's verdict still stands. Only the error's message and HTTP status
// are printed, never the request (its headers carry the token).

import { errorMessage } from '../../errors.js';
import type { ActionCore } from '../core.js';

export type Permission = 'pull-requests: write' | 'statuses: write' | 'deployments: write';

/** Runs one API write; returns false (after a warning) instead of throwing. */
export async function bestEffort(
  core: Pick<ActionCore, 'warning'>,
  what: string,
  permission: Permission,
  write: () => Promise<void>,
): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    core.warning(describeApiFailure(what, permission, error), {
      title: `perfgate could not post the ${what}`,
    });
    return false;
  }
}

export function describeApiFailure(what: string, permission: Permission, error: unknown): string {
  const status = httpStatus(error);
  const message = clip(errorMessage(error).split('\n')[0] ?? '', 300);
  const head = `could not post the ${what}: ${message}${status ? ` (HTTP ${status})` : ''}.`;
  if (status !== 403 && status !== 404) return head;
  // GitHub answers 404 instead of 403 where it will not confirm the resource exists.
  return (
    `${head} The token lacks the '${permission}' permission: add it to the workflow's ` +
    `\`permissions:\` block. Pull requests from forks always get a read-only token, so for ` +
    `them the report is only in this run's job summary. See "Resource not accessible by ` +
    `integration" in perfgate's action documentation.`
  );
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  const status = (error as { status: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, '')}…`;
}
