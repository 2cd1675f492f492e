// What a run counts and where its targets run, from the configured counter and CPUs and the
// probe: the one choice behind `perfgate run`, the action and `perfgate measure`.

import { EnvironmentError } from '../errors.js';
import type { CounterChoice } from './choice.js';
import type { CpusSetting } from '../proc/cpus.js';
import { resolvePlacement, type PlacementResult } from './placement.js';
import type { ProbeReport } from './probe.js';
import { selectCounters } from './select.js';
import { SIMULATED, probeValgrind, type ValgrindProbe } from './simulated.js';

/** The configured counter that runs the targets under Valgrind instead of perf counters. */
export const SIMULATED_SETTING = 'simulated';

export type Counting =
  | (Extract<PlacementResult, { ok: true }> & {
      counter: CounterChoice;
      /** Valgrind, under the simulated counter. */
      valgrind?: ValgrindProbe & { ok: true };
    })
  | Extract<PlacementResult, { ok: false }>;

/**
 * The counters (`auto` first means instructions where they work) and the targets' CPUs. A counter
 * that cannot count here is an EnvironmentError; CPUs that cannot host it are a refusal the caller
 * words for its own setting (a config line, a flag).
 */
export function chooseCounting(
  requested: readonly string[],
  cpus: CpusSetting,
  report: ProbeReport,
): Counting {
  if (requested[0] === SIMULATED_SETTING) {
    const valgrind = probeValgrind();
    if (!valgrind.ok)
      throw new EnvironmentError(`counter 'simulated': ${valgrind.reason}`, valgrind.hint);
    // Callgrind counts in any CPU: the targets are not placed.
    return { ok: true, counter: simulatedChoice(), valgrind, placement: {}, cpus: null, pmu: null };
  }
  const counter = selectCounters([...requested], report);
  const placed = resolvePlacement(cpus, counter.all, report);
  return placed.ok ? { ...placed, counter } : placed;
}

function simulatedChoice(): CounterChoice {
  return {
    name: SIMULATED,
    unit: 'instructions',
    fallback: false,
    all: [SIMULATED],
    kernel: false,
  };
}
