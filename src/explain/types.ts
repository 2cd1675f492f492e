// The explain stage's data: per-function profiles of one endpoint on one build. The diff that
// result.json carries is result.json's own type (src/analysis/explanation.ts).

export type {
  EndpointExplanation,
  ExplainMode,
  ExplainRow,
  Explanation,
  Pair,
  Runtime,
} from '../analysis/explanation.js';

/** A function as people read it: `file:line name`, the file relative to the build's folder. */
export interface Frame {
  name: string;
  /** Relative to the build's folder where inside it; '' for native or runtime pseudo-frames. */
  file: string;
  /** 1-based line of the function's definition; 0 when unknown. */
  line: number;
}

export interface FunctionCost {
  frame: Frame;
  /** Cost in the function's own code, and with everything it called (µs over the window). */
  self: number;
  inclusive: number;
}

/** One build's profile of one endpoint: totals over `requests` requests, in µs. */
export interface Profile {
  requests: number;
  functions: Map<string, FunctionCost>;
  /** caller id → callee id → inclusive cost of the callee through that call. */
  edges: Map<string, Map<string, number>>;
  /** Call stacks (frame ids, outermost first, joined by '\n') → self cost of the leaf. */
  stacks: Map<string, number>;
}
