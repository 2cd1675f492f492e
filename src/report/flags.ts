// The flag matrix in the reports: for each flag, the endpoints it makes costlier or cheaper (or
// could not settle), with their intervals; the configurations measured and those not afforded.

import type { EndpointResult, FlagResult, FlagsSection, RunResult } from '../analysis/types.js';
import { plural } from '../analysis/summary.js';
import { worstFirst } from './format.js';

/** Endpoints worth a row: changed beyond the threshold, unsettled, or broken. */
export function flagRows(f: FlagResult): EndpointResult[] {
  return worstFirst(f.endpoints.filter((e) => e.verdict !== 'unchanged'));
}

/** "off → on" */
export function flagValues(f: FlagResult): string {
  return `${f.from} → ${f.to}`;
}

/** What a flag with no row says instead. */
export function quietFlag(f: FlagResult): string {
  if (f.status === 'not-afforded') return `not measured: ${f.reason ?? 'the budget could not afford it'}`;
  if (f.endpoints.length === 0) return 'no endpoints measured';
  return `no endpoint changed beyond its threshold (${plural(f.counts.unchanged, 'endpoint')} unchanged)`;
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
