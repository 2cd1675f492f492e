// The history kept on a dedicated git branch: JSON Lines in one file, one commit per run, pushed
// with a fetch–reapply–retry loop. Built with plumbing on a temporary index, so the checkout,
// its index and its branch are never touched. Concurrent pushes from parallel jobs lose nothing:
// a rejected push refetches the branch and appends again onto its new tip.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EnvironmentError } from '../errors.js';
import { appendRun } from './file.js';
import type { HistoryRun } from './types.js';

const run = promisify(execFile);

export interface BranchStore {
  /** The repository checkout to push from. */
  cwd: string;
  remote: string;
  branch: string;
  /** The history file's path inside the branch. */
  path: string;
  attempts?: number;
  log?: (message: string) => void;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'perfgate',
  GIT_AUTHOR_EMAIL: 'perfgate@users.noreply.github.com',
  GIT_COMMITTER_NAME: 'perfgate',
  GIT_COMMITTER_EMAIL: 'perfgate@users.noreply.github.com',
};

async function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run('git', ['-C', cwd, ...args], {
    env: { ...process.env, ...IDENTITY, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout.trim();
}

function refName(value: string, what: string): string {
  if (!/^[A-Za-z0-9._/-]+$/.test(value) || value.startsWith('-') || value.includes('..')) {
    throw new EnvironmentError(`${what} '${value}' is not a plain git name`);
  }
  return value;
}

/** The branch's tip after a fetch, or null when the branch does not exist yet. */
async function fetchTip(store: BranchStore, tracking: string): Promise<string | null> {
  try {
    await git(store.cwd, [
      'fetch',
      '--quiet',
      '--no-tags',
      store.remote,
      `+refs/heads/${store.branch}:${tracking}`,
    ]);
    return await git(store.cwd, ['rev-parse', '--verify', '--quiet', tracking]);
  } catch (error) {
    const text = String((error as { stderr?: string }).stderr ?? error);
    if (/couldn't find remote ref|not found/i.test(text)) return null;
    throw error;
  }
}

/** Records a run; returns the commit pushed, or null when the run was already there. */
export async function recordOnBranch(
  store: BranchStore,
  entry: HistoryRun,
): Promise<string | null> {
  refName(store.branch, 'history branch');
  refName(store.path, 'history path');
  const tracking = `refs/perfgate/history/${store.branch}`;
  const attempts = store.attempts ?? 8;
  const work = await mkdtemp(join(tmpdir(), 'perfgate-history-'));
  try {
    for (let attempt = 1; ; attempt++) {
      const tip = await fetchTip(store, tracking);
      const file = join(work, 'history.jsonl');
      const current = tip
        ? await git(store.cwd, ['cat-file', '-p', `${tip}:${store.path}`]).catch(() => '')
        : '';
      await writeFile(file, current ? `${current}\n` : '');
      if (!(await appendRun(file, entry))) return null;
      const blob = await git(store.cwd, ['hash-object', '-w', file]);
      const index = { GIT_INDEX_FILE: join(work, 'index') };
      await rm(index.GIT_INDEX_FILE, { force: true });
      if (tip) await git(store.cwd, ['read-tree', tip], index);
      await git(
        store.cwd,
        ['update-index', '--add', '--cacheinfo', `100644,${blob},${store.path}`],
        index,
      );
      const tree = await git(store.cwd, ['write-tree'], index);
      const message = `perfgate history: ${entry.commit.slice(0, 12)} (${entry.date})`;
      const commit = await git(store.cwd, [
        'commit-tree',
        tree,
        ...(tip ? ['-p', tip] : []),
        '-m',
        message,
      ]);
      try {
        await git(store.cwd, [
          'push',
          '--quiet',
          store.remote,
          `${commit}:refs/heads/${store.branch}`,
        ]);
        return commit;
      } catch (error) {
        if (attempt >= attempts) {
          throw new EnvironmentError(
            `could not push the history to ${store.remote} ${store.branch} after ${attempts} attempts: ${String((error as { stderr?: string }).stderr ?? error).trim()}`,
            'the job needs `contents: write`; a concurrency group for the recording job avoids races',
          );
        }
        store.log?.(
          `history push rejected (attempt ${attempt} of ${attempts}); refetching and retrying`,
        );
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 400 * attempt));
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
    await git(store.cwd, ['update-ref', '-d', tracking]).catch(() => undefined);
  }
}
