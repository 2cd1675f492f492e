// The history store's records: one line per default-branch run, a summary of its result.json.

import type { Verdict } from '../analysis/types.js';

/** A mean cost per request with an interval (the counter's unit). */
export interface Level {
  mean: number;
  low: number;
  high: number;
}

export interface HistoryEndpoint extends Level {
  endpoint: string;
  /** Requests measured on the after build, and the rounds they came in. */
  n: number;
  rounds: number;
  /** Share of the workload's requests (0..1). */
  weight: number;
  /** The run's own gate verdict for this endpoint (its change against the merge base). */
  verdict: Verdict;
}

/** What must match for two runs to share a series: the counter and the machine's CPU. */
export interface SeriesKey {
  counter: string;
  unit: string;
  kernel: boolean;
  /** The counter fell back to task-clock: absolute costs then follow machine load and clocks. */
  fallback: boolean;
  cpuModel: string;
}

export interface HistoryRun {
  version: 1;
  /** Identifies the run: a second `history add` of the same result is a no-op. */
  id: string;
  commit: string;
  branch: string | null;
  /** ISO 8601 date-time of the run. */
  date: string;
  perfgate: string;
  /** Repository web address for commit links, e.g. https://github.com/owner/name. */
  repository: string | null;
  series: SeriesKey;
  machine: { os: string; arch: string; kernel: string; cpus: number } | null;
  verdict: 'pass' | 'fail' | 'error';
  /** Traffic-weighted mean cost per request over the measured endpoints. */
  total: Level | null;
  endpoints: HistoryEndpoint[];
}

export function seriesId(key: SeriesKey): string {
  return `${key.counter} (${key.kernel ? 'user+kernel' : 'user'}) on ${key.cpuModel}`;
}
