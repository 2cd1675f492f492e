// result.json's `explain` section: the function-level cost diff between the builds that the
// profiling pass (src/explain/) attaches after the verdict. The shape lives here, with the rest of
// result.json, so analysis never imports the stage that runs after it.

export type Runtime = 'node' | 'python';

/** A figure per request on both builds, in the explanation's unit; `change` = after − before. */
export interface Pair {
  before: number;
  after: number;
  change: number;
}

export interface ExplainRow {
  /** `file:line name`, as shown. */
  function: string;
  file: string;
  line: number;
  name: string;
  /** The line in the before build where it differs from `line`. */
  beforeLine?: number;
  status: 'changed' | 'added' | 'removed';
  self: Pair;
  inclusive: Pair;
  /** Share of the endpoint's change in sampled cost: self change / total change. */
  share: number | null;
  /** Wrappers folded into this row (middleware, decorators), outermost first, `file:line name`. */
  via: string[];
}

export interface EndpointExplanation {
  endpoint: string;
  /** Runtimes whose profiles were found; empty when none could be attributed. */
  runtimes: Runtime[];
  /** Requests profiled (after the warm-up), per build. */
  requests: { before: number; after: number };
  /** Unit of every cost figure: the gate's counter unit ('ns' for task-clock, 'instructions'). */
  unit: string;
  /**
   * 'measurement': each build's profile scaled to the mean cost per request the gate measured,
   * so the rows add up to the measured change; 'profile': the CPU time (task-clock) of the
   * profiled window, profiler overhead included.
   */
  scale: 'measurement' | 'profile';
  /** Attributed cost per request (the sum of every function's self). */
  total: Pair;
  /** Every function whose cost changed, largest change of self cost first. */
  rows: ExplainRow[];
  /** Differential flame graph, relative to the output folder; null when none was drawn. */
  flameGraph: string | null;
  /** Wall time the profiling pass spent on this endpoint (warm-up and profiled requests, both builds). */
  wallMs: number;
  /** Why there is no table, when there is none. */
  note?: string;
}

export type ExplainMode = 'auto' | 'off' | 'all';

export interface Explanation {
  mode: ExplainMode;
  /** How costs were attributed, in words (the profilers and their clocks). */
  method: string;
  endpoints: EndpointExplanation[];
  /** Endpoints left out because the time cap was reached. */
  skipped: string[];
  /** Wall time of the whole profiling pass, process starts included. */
  wallMs: number;
  warnings: string[];
}
