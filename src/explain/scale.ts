// Putting an endpoint's profiles on the gate's scale. A profiler tells which functions the cost
// went to, but its clock carries its own overhead (cProfile's timer calls, V8's sampler thread
// and its late samples on a busy machine); the measurement says how large the cost was. So each
// build's profile is scaled to the mean cost per request the gate measured, and the rows and the
// flame graph add up to its change.

import { profileTotal, scaleProfile } from './profile.js';
import type { EndpointExplanation, Profile } from './types.js';

export interface Measured {
  before: number | null;
  after: number | null;
}

/**
 * Scales both profiles in place: to the measured means (in the counter's `unit`) when both are
 * known, else from the profilers' µs to ns, as they are.
 */
export function scaleToMeasured(
  before: Profile,
  after: Profile,
  measured: Measured | undefined,
  unit = 'ns',
): Pick<EndpointExplanation, 'unit' | 'scale'> {
  const perRequest = (p: Profile) => profileTotal(p) / Math.max(1, p.requests);
  const b = perRequest(before);
  const a = perRequest(after);
  if (measured?.before != null && measured.after != null && b > 0 && a > 0) {
    scaleProfile(before, measured.before / b);
    scaleProfile(after, measured.after / a);
    return { unit, scale: 'measurement' };
  }
  scaleProfile(before, 1000);
  scaleProfile(after, 1000);
  return { unit: 'ns', scale: 'profile' };
}

/** How the flame graph shows a unit: task-clock's ns as µs. */
export function displayUnit(unit: string): { unit: string; divisor: number } {
  return unit === 'ns' ? { unit: 'µs', divisor: 1000 } : { unit, divisor: 1 };
}
