// The history file's text form: JSON Lines, one run per line, oldest first. Pure.

import { ConfigError } from '../errors.js';
import { HistoryRunSchema } from './schema.js';
import type { HistoryRun } from './types.js';

export function serializeRun(run: HistoryRun): string {
  return `${JSON.stringify(run)}\n`;
}

/** Parses a history file; a bad line is an error naming the file, line and field. */
export function parseHistory(text: string, file: string): HistoryRun[] {
  const runs: HistoryRun[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      // A torn last line (a writer killed mid-write) must not make the whole history unreadable.
      if (i === lines.length - 1) continue;
      throw new ConfigError('not valid JSON', { file, line: i + 1 });
    }
    const parsed = HistoryRunSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ConfigError(`not a perfgate history record (version 1): ${issue.message}`, {
        file,
        line: i + 1,
        path: issue.path.join('.') || '(root)',
      });
    }
    runs.push(parsed.data);
  }
  return runs;
}

/** Runs in date order (stable for equal dates: file order). */
export function byDate(runs: readonly HistoryRun[]): HistoryRun[] {
  return runs
    .map((run, i) => ({ run, i, t: Date.parse(run.date) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.run);
}
