// What a run counts, as data: samples.jsonl and result.json carry it so every report can say
// loudly when it is a fallback.

export interface CounterChoice {
  /** The primary counter every `value` holds: 'instructions', 'task-clock', ... */
  name: string;
  /** Unit of `value`: 'instructions' | 'ns' | 'faults' | ... */
  unit: string;
  /** True when `counter: auto` fell back from instructions (no PMU or no permission). */
  fallback: boolean;
  /** Why it fell back, when it did. */
  reason?: string;
  /** Every counter recorded per request (the primary first). */
  all: string[];
  /** Whether kernel-mode work is counted too. */
  kernel: boolean;
}
