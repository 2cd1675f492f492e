// samples.jsonl: the contract between replay (which writes it) and analysis (which reads it).
// Line 1 is a header; then one line per measured request; event lines mark round boundaries,
// target errors and the end of the run. A file without a `complete` event was cut short.

import type { WarmupConfig } from '../config/types.js';
import type { CounterChoice } from '../counters/choice.js';

export type Build = 'before' | 'after';
export const BUILDS: readonly Build[] = ['before', 'after'];

export interface BuildInfo {
  /** Working directory the build ran in (a temp worktree for `ref:`). */
  cwd: string;
  /** Git ref and commit, when known. */
  ref?: string;
  commit?: string;
  start: string;
}

export interface SamplesHeader {
  kind: 'header';
  version: 1;
  tool: { name: 'perfgate'; version: string };
  startedAt: string;
  counter: CounterChoice;
  seed: number;
  rounds: number;
  /** Warm-up policy: a pass count in files written before perfgate 0.2. */
  warmup: WarmupConfig | number;
  /** Measured requests per endpoint per round, at least. */
  requests?: number;
  aslr: boolean;
  workload: {
    path: string;
    requests: number;
    endpoints: string[];
    sha256: string;
    /** Each endpoint's share of traffic (sum of its requests' `weight` over the total), 0..1. */
    weights?: Record<string, number>;
  };
  builds: Record<Build, BuildInfo>;
  /** `a-a` when both sides run the same build (calibrate). */
  mode?: 'a-b' | 'a-a';
  platform?: { os: string; arch: string; kernel: string; cpus: number; cpuModel: string };
  /** Where the targets ran: CPU list ("2-3", null for any) and, on hybrid CPUs, the counting PMU. */
  placement?: { cpus: string | null; pmu: string | null };
  /** The CPU measured on: a merge refuses nothing for it, but names shards on different CPUs. */
  machine?: MachineInfo;
  /** Set by `perfgate run --shard i/n`: `workload.endpoints` are this shard's part of `of`. */
  shard?: ShardInfo;
  /** Under the simulated counter: Valgrind's version and the determinism knobs both builds got. */
  simulated?: {
    valgrind: string;
    threads: 'main' | 'all';
    nodeFlags: string;
    /** A minor collection ended every block ('block'); absent in files from before it existed. */
    gc?: 'block' | 'off';
    env: Record<string, string>;
  };
  /** The flag matrix: configurations of the after build measured beside it, one flag flipped each. */
  flags?: FlagInfo[];
}

export interface FlagInfo {
  /** Samples of this configuration carry `flag: name` (and build 'after'). */
  name: string;
  delivery: 'env' | 'header' | 'query' | 'file';
  /** Value at defaults, and the value it ran with. */
  from: string;
  to: string;
  source: 'config' | 'file';
}

export interface MachineInfo {
  cpuModel: string;
  /** Feature flags of the first CPU, sorted (x86 `flags`, arm64 `Features`). */
  flags: string[];
  microcode?: string;
}

export interface ShardInfo {
  /** 1-based. */
  index: number;
  count: number;
  /** Every endpoint of the workload, over all shards, sorted. */
  of: string[];
  /** What balanced the shards: a previous result's per-endpoint cost, or request counts. */
  basis: 'cost' | 'requests';
  /** The planned looks (cumulative rounds), so a merge tests at the alpha the shards spent. */
  looks: number[];
}

/** One measured request. The minimal form (for `perfgate compare`) is endpoint, build, round, request, value. */
export interface Sample {
  endpoint: string;
  build: Build;
  round: number;
  /** The request's id in the workload (its 0-based index unless the workload names it). */
  request: number | string;
  /** Primary counter delta for this request. */
  value: number;
  /** Block of the round the request was measured in (0..4); the analysis takes their median. */
  block?: number;
  status?: number;
  bytes?: number;
  latencyMs?: number;
  /** Every recorded counter's delta, by name. */
  values?: Record<string, number>;
  /** The counter group was multiplexed (time_running < time_enabled) during this request. */
  multiplexed?: boolean;
  /** Flag matrix: the after build with this flag flipped (absent: the build at defaults). */
  flag?: string;
  /**
   * The counter was read around a block of this many requests (the simulated counter), so
   * `value` is the block's mean: block totals are exact, a single request's share is not.
   */
  of?: number;
}

export type SamplesEvent =
  | { kind: 'round'; round: number; order: Build[]; seed: number; at: string }
  | {
      kind: 'round-end';
      round: number;
      at: string;
      wallMs: number;
      /**
       * Simulated counter: reads per build this round, the wall time the slower build's took,
       * reads that fell back to a one-off vgdb, and stops no read asked for (both builds).
       */
      reads?: { count: number; ms: number; fallbacks?: number; unasked?: number };
    }
  | {
      kind: 'warmup';
      round: number;
      build: Build;
      wallMs: number;
      /** Warm-up requests each endpoint got, and whether its cost had settled (null: fixed warm-up, not tested). */
      endpoints: Record<string, { requests: number; settled: boolean | null }>;
      /** The per-process warm-up time cap ended it. */
      timedOut?: boolean;
      flag?: string;
    }
  | {
      kind: 'error';
      build: Build;
      round: number;
      message: string;
      at: string;
      /** Endpoint being measured when it failed, if any. */
      endpoint?: string;
      flag?: string;
    }
  | {
      kind: 'mismatch';
      endpoint: string;
      request: number | string;
      round: number;
      /** The statuses each build answered. */
      before: number;
      after: number;
      /** Same status, different bodies (measure.compare: body): each body's hash. */
      bodies?: { before: string; after: string };
      /** Flag matrix: `before` is the after build at defaults, `after` the one with this flag. */
      flag?: string;
    }
  | {
      kind: 'flag-dropped';
      /** Flags no longer measured from this round on: the budget cannot afford them. */
      flags: string[];
      round: number;
      reason: string;
    }
  | { kind: 'end'; at: string; complete: boolean; reason?: string; rounds: number; wallMs: number };

export type SamplesLine = SamplesHeader | Sample | SamplesEvent;

export interface SampleSet {
  header: SamplesHeader | undefined;
  samples: Sample[];
  events: SamplesEvent[];
}
