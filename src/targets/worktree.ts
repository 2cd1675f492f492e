// `before: { ref: ... }`: the base build checked out from git into a temporary worktree that is
// removed afterwards, so the user's checkout is never touched.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '../errors.js';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', cwd, ...args], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

export interface Worktree {
  /** Root of the checked-out tree. */
  dir: string;
  /** Root of the repository the ref came from. */
  repoRoot: string;
  ref: string;
  commit: string;
  remove(): Promise<void>;
}

export async function repoRootOf(dir: string): Promise<string | undefined> {
  try {
    return await git(dir, ['rev-parse', '--show-toplevel']);
  } catch {
    return undefined;
  }
}

export async function commitOf(dir: string): Promise<string | undefined> {
  try {
    return await git(dir, ['rev-parse', 'HEAD']);
  } catch {
    return undefined;
  }
}

export async function createWorktree(
  fromDir: string,
  ref: string,
  where: { file?: string; line?: number } = {},
): Promise<Worktree> {
  const repoRoot = await repoRootOf(fromDir);
  if (!repoRoot) {
    throw new ConfigError(`before.ref needs a git repository, but ${fromDir} is not inside one`, {
      ...where,
      path: 'before.ref',
    });
  }
  let commit: string;
  try {
    commit = await git(repoRoot, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new ConfigError(
      `git ref '${ref}' does not name a commit in ${repoRoot}`,
      { ...where, path: 'before.ref' },
      'fetch it first (actions/checkout with fetch-depth: 0), or name a branch, tag or sha that exists',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-before-'));
  rmSync(dir, { recursive: true, force: true });
  await git(repoRoot, ['worktree', 'add', '--detach', '--force', dir, commit]);
  return {
    dir,
    repoRoot,
    ref,
    commit,
    async remove() {
      try {
        await git(repoRoot, ['worktree', 'remove', '--force', dir]);
      } catch {
        /* fall through to the plain removal */
      }
      rmSync(dir, { recursive: true, force: true });
      await git(repoRoot, ['worktree', 'prune']).catch(() => undefined);
    },
  };
}
