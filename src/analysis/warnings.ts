// Run warnings as values, as benchstat carries them: a stable code that reports and tools match
// on, and the message people read (result.json keeps both). Analysis produces them; the report
// decides how each is shown (the counter fallback as a banner, the rest as notes).

export const WARNING_CODES = [
  /** Measured with a clock counter because instructions could not be counted here. */
  'counter-fallback',
  /** Simulated instructions (Valgrind): what the figures mean under Callgrind. */
  'simulated-counter',
  /** Samples measured while the counter group was multiplexed. */
  'multiplexed',
  /** A target failed during the run. */
  'target-error',
  /** The run did not finish: interrupted, a crash, a full disk; or its samples end abruptly. */
  'incomplete',
  /** The samples carry no header: counter, seed and builds are unknown. */
  'no-header',
  'no-endpoints',
  /** Warm-up: costs still drifting at its end, or processes that hit its time cap. */
  'warmup',
  /** One look of a sequential plan, with the alpha it spends. */
  'sequential-look',
  /** The traffic-weighted total could not be paired. */
  'unpaired-total',
  /** Endpoints that answered mostly HTTP errors. */
  'http-errors',
  /** Flag-matrix configurations the budget could not cover. */
  'flags-not-measured',
  /** Merged shards that ran on different machines. */
  'shards',
  /** Production windows (`perfgate rollout`): the service's own counter, not instructions. */
  'recorded-counter',
  /** Production windows: an unpaired comparison of different traffic. */
  'production-windows',
  /** Production windows: groups left out for too few samples. */
  'few-samples',
  /** A plain-text warning from a result.json written before warnings had codes. */
  'legacy',
  /** Why the run ended in an error (a crashed target, a full disk, a failed analysis). */
  'run-failure',
] as const;

export type WarningCode = (typeof WARNING_CODES)[number];

export interface RunWarning {
  code: WarningCode;
  message: string;
}

export function warning(code: WarningCode, message: string): RunWarning {
  return { code, message };
}
