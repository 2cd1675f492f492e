// A build's folder must exist before anything runs in it: a missing `cwd`, or a service folder
// that is not there at `before.ref`, is said in words (spawn itself would only say ENOENT).

import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { ConfigError, TargetError } from '../errors.js';
import type { Build } from '../samples/types.js';
import type { Worktree } from './worktree.js';

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function requireBuildFolder(
  side: Build,
  cwd: string,
  config: { file: string; lines: Record<string, number> },
  worktree?: Worktree,
): void {
  if (isFolder(cwd)) return;
  if (worktree) {
    const rel = relative(worktree.dir, cwd) || '.';
    throw new TargetError(
      side,
      `the folder ${rel} does not exist at ${worktree.ref} (${worktree.commit.slice(0, 12)})`,
      [],
      `the ${side} build runs where the after build does, ${rel}; if the service moved or is new in this change, pin before.cwd or pick another before.ref`,
    );
  }
  const line = config.lines[`${side}.cwd`];
  throw new ConfigError(
    `the folder ${cwd} does not exist`,
    { file: config.file, ...(line ? { line } : {}), path: `${side}.cwd` },
    'cwd is relative to the config file',
  );
}
