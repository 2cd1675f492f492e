// `before: { ref: ... }`: the base build checked out from git into a temporary worktree that is
// removed afterwards, so the user's checkout is never touched.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '../errors.js';
import { registerWorktree, unregisterWorktree, type WorktreeEntry } from '../proc/registry.js';

/** Worktrees are made as `<tmp>/perfgate-before-<pid>-XXXXXX`: the pid tells a stale one. */
export const WORKTREE_PREFIX = 'perfgate-before-';

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

/**
 * Where a ref came from, for messages: the config's `before.ref` (file and line), or a flag or
 * input (`path` names it, `--before-ref` say).
 */
export interface RefOrigin {
  file?: string;
  line?: number;
  path?: string;
}

export async function createWorktree(
  fromDir: string,
  ref: string,
  origin: RefOrigin = {},
): Promise<Worktree> {
  const where = { ...origin, path: origin.path ?? 'before.ref' };
  const repoRoot = await repoRootOf(fromDir);
  if (!repoRoot) {
    throw new ConfigError(
      `a git ref needs a git repository, but ${fromDir} is not inside one`,
      where,
    );
  }
  let commit: string;
  try {
    commit = await git(repoRoot, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new ConfigError(
      `git ref '${ref}' does not name a commit in ${repoRoot}`,
      where,
      'fetch it first (actions/checkout with fetch-depth: 0), or name a branch, tag or sha that exists',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), `${WORKTREE_PREFIX}${process.pid}-`));
  rmSync(dir, { recursive: true, force: true });
  // Recorded before it exists, so a kill at any moment leaves it findable.
  registerWorktree({ dir, repoRoot });
  try {
    await git(repoRoot, ['worktree', 'add', '--detach', '--force', dir, commit]);
  } catch (error) {
    await removeWorktree({ dir, repoRoot });
    throw error;
  }
  return {
    dir,
    repoRoot,
    ref,
    commit,
    remove: () => removeWorktree({ dir, repoRoot }),
  };
}

/** Removes a worktree folder and its entry in the repository; never throws. */
export async function removeWorktree({ dir, repoRoot }: WorktreeEntry): Promise<void> {
  try {
    await git(repoRoot, ['worktree', 'remove', '--force', dir]);
  } catch {
    /* fall through to the plain removal */
  }
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    /* a read-only or vanished tmp: nothing more to do */
  }
  await git(repoRoot, ['worktree', 'prune']).catch(() => undefined);
  unregisterWorktree(dir);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `<tmp>/perfgate-before-<pid>-*` worktrees whose perfgate process is gone (killed before it
 * could clean up). Their repository is read from the worktree's `.git` file.
 */
export function staleWorktrees(dir = tmpdir()): WorktreeEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: WorktreeEntry[] = [];
  for (const name of names) {
    const m = new RegExp(`^${WORKTREE_PREFIX}(\\d+)-`).exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    const path = join(dir, name);
    out.push({ dir: path, repoRoot: repoOfWorktree(path) ?? path });
  }
  return out;
}

// A worktree's `.git` file says `gitdir: <repo>/.git/worktrees/<name>`.
function repoOfWorktree(path: string): string | undefined {
  try {
    const m = /^gitdir: (.+)$/m.exec(readFileSync(join(path, '.git'), 'utf8'));
    if (!m) return undefined;
    const common = dirname(dirname(m[1]!.trim())); // <repo>/.git
    const root = dirname(common);
    return existsSync(root) ? root : undefined;
  } catch {
    return undefined;
  }
}
