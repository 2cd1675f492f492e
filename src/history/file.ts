// The history file on disk: read it, append a run under a lock file so concurrent writers on one
// machine (parallel jobs on a self-hosted runner, two `history add` processes) lose nothing.

import { open, readFile, rm, stat, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError, EnvironmentError } from '../errors.js';
import { parseHistory, serializeRun } from './store.js';
import type { HistoryRun } from './types.js';

/** A lock older than this is from a writer that died; appending takes milliseconds. */
const STALE_MS = 30_000;
const WAIT_MS = 60_000;

export async function readHistory(file: string): Promise<HistoryRun[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read history: ${code ?? String(error)}`, { file });
  }
  return parseHistory(text, file);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_MS) await rm(lock, { force: true });
      else if (Date.now() > deadline) {
        throw new EnvironmentError(
          `history file is locked by another writer: ${lock}`,
          'remove the lock file if no other perfgate process is writing this history',
        );
      }
      await sleep(Math.min(5 + attempt * 5, 100) * (0.5 + Math.random()));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Appends a run unless a run with the same id is already there (a rerun of the same job).
 * Returns whether it was added. The file and its folder are created when missing.
 */
export async function appendRun(file: string, run: HistoryRun): Promise<boolean> {
  await mkdir(dirname(file), { recursive: true });
  return withLock(file, async () => {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const existing = parseHistory(text, file);
    if (existing.some((r) => r.id === run.id)) return false;
    const handle = await open(file, 'a');
    try {
      // A torn last line left by a killed writer is no record: cut it off, then one write of the
      // whole new line.
      const torn = text.length - (text.lastIndexOf('\n') + 1);
      if (torn > 0)
        await handle.truncate(
          Buffer.byteLength(text, 'utf8') - Buffer.byteLength(text.slice(-torn), 'utf8'),
        );
      await handle.write(serializeRun(run));
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  });
}
