// What a killed perfgate leaves behind, found and removed: the target process groups and the
// `before.ref` worktrees in its pid file, and any worktree of a perfgate process that is gone.
// `perfgate cleanup`, the start of `perfgate run` and the action's post step all come here.

import { takeLeftovers } from '../proc/registry.js';
import { removeWorktree, staleWorktrees } from './worktree.js';

export interface Cleaned {
  /** Target process groups that were still running and were stopped. */
  groups: number;
  /** Worktrees removed (folder and git entry). */
  worktrees: number;
  /** The pid of a perfgate process still using the pid file, which was left alone. */
  busy?: number;
}

export async function cleanupLeftovers(
  pidFile: string | undefined,
  options: { graceMs?: number; tmp?: string } = {},
): Promise<Cleaned> {
  const left = pidFile
    ? await takeLeftovers(pidFile, options.graceMs ?? 3000)
    : { killed: 0, worktrees: [] };
  const dirs = new Map([...left.worktrees, ...staleWorktrees(options.tmp)].map((w) => [w.dir, w]));
  for (const w of dirs.values()) await removeWorktree(w);
  return {
    groups: left.killed,
    worktrees: dirs.size,
    ...('busy' in left && left.busy !== undefined ? { busy: left.busy } : {}),
  };
}

/** One line for the log, or undefined when there was nothing to do. */
export function describeCleanup(c: Cleaned): string | undefined {
  const parts: string[] = [];
  if (c.groups) parts.push(`stopped ${c.groups} target process group${c.groups === 1 ? '' : 's'}`);
  if (c.worktrees)
    parts.push(`removed ${c.worktrees} before.ref worktree${c.worktrees === 1 ? '' : 's'}`);
  return parts.length ? `${parts.join(' and ')} left by a killed perfgate run` : undefined;
}
