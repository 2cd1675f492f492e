// The run's output folder and files: a failure to create or write them names the path and the
// cause in words (a full disk, a read-only file system), never a bare errno.

import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EnvironmentError, errorMessage } from '../errors.js';

const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EFBIG: 'the file is too large',
};

export class OutputError extends EnvironmentError {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, hint?: string) {
    super(message, hint);
    this.code = code;
  }

  static from(path: string, error: unknown, consequence?: string): OutputError {
    if (error instanceof OutputError) return error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const cause = (code && CAUSES[code]) ?? errorMessage(error);
    return new OutputError(
      `cannot write ${path}: ${cause}${code ? ` (${code})` : ''}${consequence ? `; ${consequence}` : ''}`,
      code,
      code === 'ENOSPC' || code === 'EDQUOT'
        ? "free some space, or point --out (the action's out-dir) at a disk with room"
        : code === 'EROFS' || code === 'EACCES' || code === 'EPERM'
          ? "point --out (the action's out-dir) at a folder perfgate may write to"
          : undefined,
    );
  }
}

/** The nearest folder above `path` that exists, for telling why `path` cannot be made. */
function existingAncestor(path: string): string {
  let dir = path;
  for (;;) {
    try {
      accessSync(dir, constants.F_OK);
      return dir;
    } catch {
      const up = dirname(dir);
      if (up === dir) return dir;
      dir = up;
    }
  }
}

/**
 * mkdir -p, one level at a time from the nearest existing folder: Node's recursive mkdir can
 * spin forever where a file system refuses with ENOENT (/proc, some FUSE mounts).
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !exists(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) mkdirSync(d);
}

function exists(path: string): boolean {
  try {
    accessSync(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** Creates the output folder, or says why it cannot be (read-only, permissions, a file). */
export function ensureOutDir(dir: string): void {
  try {
    makeFolders(dir);
    accessSync(dir, constants.W_OK);
  } catch (error) {
    let cause = error;
    // mkdir -p reports ENOENT on some file systems where the real cause is that the parent
    // cannot be written to: ask the parent.
    try {
      accessSync(existingAncestor(dir), constants.W_OK);
    } catch (parentError) {
      cause = parentError;
    }
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' && exists(existingAncestor(dir))) {
      // The parent is there, yet mkdir says ENOENT: a virtual file system (/proc) refusing.
      cause = Object.assign(new Error('the file system there does not allow new folders'), {
        code: 'ENOENT',
      });
    }
    const e = OutputError.from(dir, cause);
    throw new OutputError(
      e.message.replace(/^cannot write/, 'cannot create the output folder'),
      e.code,
      e.hint,
    );
  }
}

/** Writes one output file; returns the error instead of throwing, so the run keeps what it can. */
export function writeOutput(path: string, text: string): OutputError | undefined {
  try {
    writeFileSync(path, text);
    return undefined;
  } catch (error) {
    return OutputError.from(path, error);
  }
}
