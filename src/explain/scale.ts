// Putting an endpoint's diff on the gate's scale. A profiler tells which functions the cost went
// to, but its clock is distorted by its own overhead (cProfile's timer calls, V8's late samples
// on a busy machine); the measurement says how large the cost was. So each build's profile is
// scaled to the mean cost per request the gate measured, and the rows add up to its change.

import type { EndpointExplanation, Pair } from './types.js';

const pair = (before: number, after: number): Pair => ({ before, after, change: after - before });

/** Every figure times `fb` (before) and `fa` (after), in `unit`. */
export function rescale(
  e: EndpointExplanation,
  fb: number,
  fa: number,
  unit: string,
  scale: EndpointExplanation['scale'],
): EndpointExplanation {
  const p = (x: Pair) => pair(x.before * fb, x.after * fa);
  const total = p(e.total);
  return {
    ...e,
    unit,
    scale,
    total,
    // The two builds scale by different factors, so the order by self change may move.
    rows: e.rows
      .map((r) => {
        const self = p(r.self);
        return {
          ...r,
          self,
          inclusive: p(r.inclusive),
          share: total.change !== 0 ? self.change / total.change : null,
        };
      })
      .sort(
        (a, b) =>
          Math.abs(b.self.change) - Math.abs(a.self.change) ||
          Math.abs(b.inclusive.change) - Math.abs(a.inclusive.change) ||
          a.function.localeCompare(b.function),
      ),
  };
}

/** Scales to the measured means when both are known and the profile attributed something. */
export function scaleToMeasurement(
  e: EndpointExplanation,
  measured: { before: number | null; after: number | null } | undefined,
  unit: string,
): EndpointExplanation {
  const { before, after } = measured ?? { before: null, after: null };
  if (before === null || after === null || e.total.before <= 0 || e.total.after <= 0) return e;
  return rescale(e, before / e.total.before, after / e.total.after, unit, 'measurement');
}
