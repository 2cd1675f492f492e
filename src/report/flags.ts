// The flag matrix in the reports: for each flag, the endpoints it makes costlier or cheaper (or
// could not settle), with their intervals; the configurations measured and those not afforded.

import type { EndpointResult, FlagResult, FlagsSection, RunResult } from '../analysis/types.js';
import { plural } from '../analysis/summary.js';
import { worstFirst } from './format.js';

/** Whether a flag's comparison is worth a row: a verdict beyond ±θ, an error, or a clear change. */
function shown(e: EndpointResult): boolean {
  if (e.verdict === 'regression' || e.verdict === 'improvement' || e.verdict === 'error')
    return true;
  // An unsettled comparison whose interval excludes zero: the flag does move this endpoint.
  return (
    e.verdict === 'inconclusive' && e.change !== null && (e.change.low > 0 || e.change.high < 0)
  );
}

/** Endpoints a flag makes costlier or cheaper (or could not compare), worst first. */
export function flagRows(f: FlagResult): EndpointResult[] {
  return worstFirst(f.endpoints.filter(shown));
}

/** "3 unchanged, 1 inconclusive": the endpoints without a row. */
function quietCounts(f: FlagResult): string {
  const rest = f.endpoints.filter((e) => !shown(e));
  const unchanged = rest.filter((e) => e.verdict === 'unchanged').length;
  const open = rest.length - unchanged;
  return [
    ...(unchanged > 0 ? [`${unchanged} unchanged`] : []),
    ...(open > 0 ? [`${open} inconclusive with no clear change`] : []),
  ].join(', ');
}

/** "off → on" */
export function flagValues(f: FlagResult): string {
  return `${f.from} → ${f.to}`;
}

/** What a flag with no row says instead. */
export function quietFlag(f: FlagResult): string {
  if (f.status === 'not-afforded')
    return `not measured: ${f.reason ?? 'the budget could not afford it'}`;
  if (f.endpoints.length === 0) return 'no endpoints measured';
  return `no endpoint changed beyond its threshold (${quietCounts(f)})`;
}

/** After a flag's rows: the endpoints not shown. */
export function flagRest(f: FlagResult): string | undefined {
  const rows = flagRows(f).length;
  if (rows === 0 || rows === f.endpoints.length) return undefined;
  return `other endpoints: ${quietCounts(f)}`;
}

/** The section's opening sentence. */
export function flagsIntro(section: FlagsSection, result: RunResult): string {
  const measured = section.flags.filter((f) => f.status === 'measured').length;
  const total = section.flags.length;
  const configs =
    measured === total
      ? `${plural(total, 'flag')}`
      : `${measured} of ${plural(total, 'flag')} (the rest could not be afforded)`;
  const rule =
    section.onFlagRegression === 'fail'
      ? 'a flag that makes an endpoint costlier than its threshold fails the gate'
      : 'on-flag-regression: annotate, so a flag regression is reported without failing the gate';
  return `The after build with each flag flipped alone, against the after build at defaults, in the same ${plural(result.run.rounds, 'round')}: ${configs}; Holm over ${section.family} comparisons; ${rule}.`;
}
