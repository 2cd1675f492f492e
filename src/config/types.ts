// The resolved perfgate.yml: paths absolute, durations in ms, thresholds as fractions.
// TypeScript names are camelCased; error messages always use the YAML key names.

import type { CpusSetting } from '../counters/cpus.js';
import { EVENT_NAMES, type EventName } from '../counters/events.js';

export type { CpusSetting };

/** Counters `measure.counter` accepts: `auto` (instructions, or task-clock without a PMU) or any event perfgate counts. */
export const COUNTERS: readonly ['auto', ...EventName[]] = ['auto', ...EVENT_NAMES];

export type Counter = 'auto' | EventName;

/** Where a build's source comes from: a folder as it is, or a git ref checked out in a worktree. */
export type BuildSource = { cwd: string; ref?: undefined } | { ref: string; cwd?: undefined };

export type BuildConfig = BuildSource & {
  /** Shell command run once before the rounds, in the build's folder. */
  build?: string;
  /** Shell command that starts the server; it must listen on $PORT. */
  start?: string;
};

export type ReadyConfig =
  { kind: 'http'; path: string; timeoutMs: number } | { kind: 'port'; timeoutMs: number };

/**
 * `auto`: warm each endpoint in blocks until its cost per request stops drifting, with at least
 * `min` and at most `max` requests per endpoint and `maxTimeMs` per process. `fixed`: exactly
 * `requests` per endpoint, no test.
 */
export type WarmupConfig =
  | { mode: 'auto'; min: number; max: number; maxTimeMs: number }
  | { mode: 'fixed'; requests: number };

export const DEFAULT_WARMUP: WarmupConfig = {
  mode: 'auto',
  min: 200,
  max: 3000,
  maxTimeMs: 60_000,
};

export interface MeasureConfig {
  counter: Counter;
  rounds: number;
  /** Warm-up in each fresh process before measuring. */
  warmup: WarmupConfig;
  /** Measured requests per endpoint per round, at least (whole passes over its requests). */
  requests: number;
  maxRounds: number;
  maxDurationMs: number;
  /** Keep address-space randomisation on for the targets (default false: perfgate turns it off). */
  aslr: boolean;
  /** Pause after each response before reading the counters. */
  settleMs: number;
  /** What must agree between the builds' answers: the status, or the status and the body. */
  compare: 'status' | 'body';
  /** CPUs the targets run on. */
  cpus: CpusSetting;
}

export interface ThresholdsConfig {
  /** Fraction: 0.03 = 3 %. */
  default: number;
  /** Endpoint glob → fraction, in file order (the first matching glob wins). */
  endpoints: Record<string, number>;
}

/** The profiling pass after the measurement (explain): which endpoints, how many requests, a cap. */
export interface ExplainConfig {
  mode: 'auto' | 'off' | 'all';
  warmup: number;
  requests: number;
  maxDurationMs: number;
}

export interface Config {
  /** Absolute path of the config file and its folder. */
  file: string;
  dir: string;
  /** Absolute path of the workload file. */
  workload?: string;
  before?: BuildConfig;
  after?: BuildConfig;
  ready: ReadyConfig;
  /** Extra environment for both builds (PORT is set by perfgate). */
  env: Record<string, string>;
  /** Header templates sent with every request; `${VAR}` expanded by resolveHeaders. */
  headers: Record<string, string>;
  /** Route templates for endpoint names, e.g. `/users/:id` or `POST /items/:id`. */
  routes: string[];
  /** Extra header and query parameter names importers drop (besides the built-in ones). */
  redact: { headers: string[]; query: string[] };
  measure: MeasureConfig;
  thresholds: ThresholdsConfig;
  explain: ExplainConfig;
  alpha: number;
  confidence: number;
  onRegression: 'fail' | 'annotate';
  onInconclusive: 'pass' | 'fail';
  /** Endpoint globs whose answers may all be HTTP errors (`allow-errors`). */
  allowErrors: string[];
  /** Line of each key path in the file ('measure.rounds' → 7), for errors found later. */
  lines: Record<string, number>;
}

export type RunnableBuild = BuildConfig & { start: string };

/** A config `perfgate run` can use: see requireRunnable. */
export type RunnableConfig = Config & {
  workload: string;
  before: RunnableBuild;
  after: RunnableBuild;
};
