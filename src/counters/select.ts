// Turning `counter: auto | <name>` plus the probe into the counters a run records. The choice is
// data (CounterChoice) so every report can say loudly when it is a fallback.

import { EnvironmentError, UsageError } from '../errors.js';
import type { CounterChoice } from './choice.js';
import { eventInfo, EVENT_NAMES } from '../proc/events.js';
import type { ProbeReport } from './probe.js';

/** Companions recorded beside the primary counter (cheap, same group). */
const COMPANIONS: Record<string, string[]> = {
  instructions: ['cycles'],
  'task-clock': ['page-faults'],
};

export function parseCounterList(text: string): string[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError('--counter needs at least one event name');
  for (const n of names) {
    if (n !== 'auto' && !eventInfo(n)) {
      throw new UsageError(
        `unknown counter '${n}'`,
        `known counters: auto, ${EVENT_NAMES.join(', ')}`,
      );
    }
  }
  return names;
}

/**
 * Resolves the requested counters against what this machine can count. `auto` (alone or first)
 * means instructions where they work, else task-clock. A named event that does not work here is
 * an EnvironmentError: a gate must never measure something other than what was asked for.
 */
export function selectCounters(requested: string[], report: ProbeReport): CounterChoice {
  if (report.selected === null) {
    throw new EnvironmentError(report.message, report.hint);
  }
  const [first = 'auto', ...rest] = requested;
  const primary = first === 'auto' ? report.selected : first;
  const extras = rest.length > 0 ? rest : first === 'auto' ? (COMPANIONS[primary] ?? []) : [];
  const all = [primary, ...extras.filter((e) => e !== primary)];
  for (const name of all) {
    const st = report.events[name];
    if (st && !st.ok) {
      const why =
        st.error === 'ENOENT' && eventInfo(name)?.kind === 'hardware'
          ? 'this machine has no hardware PMU'
          : `perf_event_open failed with ${st.error}`;
      // Companions are optional; a failing one is dropped rather than failing the run.
      if (first === 'auto' && name !== primary) continue;
      throw new EnvironmentError(
        `counter '${name}' is not available here: ${why}`,
        name === 'instructions'
          ? `${report.hint ?? ''}${report.hint ? '; or ' : ''}use 'counter: auto' to fall back to task-clock`
          : report.hint,
      );
    }
  }
  const usable = all.filter((n) => report.events[n]?.ok !== false);
  return {
    name: primary,
    unit: eventInfo(primary)?.unit ?? 'count',
    fallback: first === 'auto' && report.fallback,
    ...(first === 'auto' && report.fallback ? { reason: report.message } : {}),
    all: usable,
    kernel: eventInfo(primary)?.alwaysKernel ?? false,
  };
}
