// The resolved perfgate.yml: paths absolute, durations in ms, thresholds as fractions.
// TypeScript names are camelCased; error messages always use the YAML key names.

import type { CpusSetting } from '../proc/cpus.js';
import { EVENT_NAMES, type EventName } from '../proc/events.js';

export type { CpusSetting };

/**
 * Counters `measure.counter` accepts: `auto` (instructions, or task-clock without a PMU), any
 * event perfgate counts, or `simulated` (instructions counted by Valgrind's Callgrind).
 */
export const COUNTERS: readonly ['auto', 'simulated', ...EventName[]] = [
  'auto',
  'simulated',
  ...EVENT_NAMES,
];

export type Counter = 'auto' | 'simulated' | EventName;

/** Warm-up under the simulated counter unless configured: its requests cost 30–40× more. */
export const SIMULATED_WARMUP: WarmupConfig = {
  mode: 'auto',
  min: 30,
  max: 600,
  maxTimeMs: 180_000,
};
/** Rounds before the first look unless configured. */
export const DEFAULT_ROUNDS = 10;
/** Measured requests per endpoint per round under the simulated counter unless configured. */
export const SIMULATED_REQUESTS = 24;
/**
 * Rounds before the first look under the simulated counter unless configured (up to twice as many
 * when an endpoint is inconclusive): its per-round noise is ~1 % where task-clock's is ~10 %, and
 * a round costs a minute or more (Callgrind's start-up and warm-up at 30–40× slowdown).
 */
export const SIMULATED_ROUNDS = 3;
/**
 * V8 flags for Node targets under the simulated counter: fixed hash and random seeds, the same
 * for both builds. Not `--single-threaded`: it moves all GC work onto the main thread, where it
 * lands in blocks in lumps (the shop's block CV rose from 0.2–12 % to 5–47 %), while by default
 * V8's parallel scavenger leaves the counted main thread little of it.
 */
export const DETERMINISTIC_NODE_FLAGS = '--hash-seed=1 --random-seed=1';
/** Fewest seconds a server gets to become ready under the simulated counter. */
export const SIMULATED_READY_MS = 180_000;

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
  /** Under the simulated counter: count each process's main thread only, or all its threads. */
  threads: 'main' | 'all';
  /** Under the simulated counter: V8 flags for every `node` the targets run from PATH ('' for none). */
  nodeFlags: string;
  /** Under the simulated counter: a minor collection in each Node process at every block's end. */
  gc: 'block' | 'off';
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

/** How the service reads a flag. */
export type FlagDelivery =
  | { kind: 'env'; name: string }
  | { kind: 'header'; name: string }
  | { kind: 'query'; name: string }
  /** A flag file the service loads from the path in `pathEnv`: perfgate hands it a flipped copy. */
  | { kind: 'file'; path: string; pathEnv: string };

export interface FlagConfig {
  name: string;
  delivery: FlagDelivery;
  /** Value at defaults and flipped value; for file flags, undefined: read from the file. */
  values?: [string, string];
}

export interface FlagsConfig {
  /** The service's flag file whose every flag joins the matrix (`flags.from`). */
  from?: { path: string; pathEnv: string };
  /** Flags of `from` left out. */
  skip: string[];
  /** Flags declared by hand, in file order. */
  list: FlagConfig[];
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
  /** The flag matrix, when `flags` is set. */
  flags?: FlagsConfig;
  /** What a flag's regression does (`on-flag-regression`). */
  onFlagRegression: 'fail' | 'annotate';
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
