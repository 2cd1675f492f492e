// Which recorded samples belong to the window before the rollout and which to the one after.

import type { RecordedSample } from './read.js';

export type Split =
  | { kind: 'commit'; before: string; after: string }
  | { kind: 'time'; at: number }
  | { kind: 'auto' };

export interface Windows {
  before: RecordedSample[];
  after: RecordedSample[];
  /** How the windows are named in reports. */
  labels: { before: string; after: string };
}

/** Splits by commit or time; `auto` needs exactly two commits (ordered by median time). */
export function splitWindows(samples: RecordedSample[], split: Split): Windows | string {
  if (split.kind === 'time') {
    const iso = new Date(split.at).toISOString();
    const timed = samples.filter((s) => Number.isFinite(s.time));
    return {
      before: timed.filter((s) => s.time < split.at),
      after: timed.filter((s) => s.time >= split.at),
      labels: { before: `before ${iso}`, after: `from ${iso}` },
    };
  }
  if (split.kind === 'commit') {
    return {
      before: samples.filter((s) => s.commit === split.before),
      after: samples.filter((s) => s.commit === split.after),
      labels: { before: split.before, after: split.after },
    };
  }
  const commits = new Map<string, number[]>();
  for (const s of samples) {
    const key = s.commit ?? '(none)';
    const list = commits.get(key);
    if (list) list.push(s.time);
    else commits.set(key, [s.time]);
  }
  if (commits.size !== 2) {
    return `the recordings hold ${commits.size} commit(s) (${[...commits.keys()].slice(0, 5).join(', ')}): say which two to compare with --before-commit/--after-commit, or split by time with --at`;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [first, second] = [...commits.keys()].sort(
    (a, b) => median(commits.get(a)!) - median(commits.get(b)!),
  ) as [string, string];
  return splitWindows(samples, { kind: 'commit', before: first, after: second });
}
