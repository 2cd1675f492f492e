// Error answers: a run in which the builds answer 404 or 500 measures error pages, not the
// service. An endpoint that answered nothing but errors in both builds fails closed (unless the
// config says errors are what it answers); one that answered mostly errors is warned about.

import picomatch from 'picomatch';
import { warning } from './warnings.js';
import type { EndpointResult, RunResult, Verdict } from './types.js';
import type { Sample } from '../samples/types.js';
import { plural, summarize } from './summary.js';

/** At least this share of error answers (in either build) draws a warning. */
export const MOSTLY_ERRORS = 0.5;

interface Tally {
  answers: number;
  errors: number;
}

const isError = (status: number | undefined) => status !== undefined && status >= 400;

/** Per endpoint and build, how many answers were HTTP errors (4xx, 5xx). */
export function tallyStatuses(
  samples: readonly Sample[],
): Map<string, Record<'before' | 'after', Tally>> {
  const out = new Map<string, Record<'before' | 'after', Tally>>();
  for (const s of samples) {
    if (s.status === undefined) continue;
    let t = out.get(s.endpoint);
    if (!t) {
      t = { before: { answers: 0, errors: 0 }, after: { answers: 0, errors: 0 } };
      out.set(s.endpoint, t);
    }
    t[s.build].answers++;
    if (isError(s.status)) t[s.build].errors++;
  }
  return out;
}

function share(t: Tally): number {
  return t.answers > 0 ? t.errors / t.answers : 0;
}

function percentOf(t: Tally): string {
  return `${Math.round(share(t) * 100)}%`;
}

/**
 * The result with endpoints that answered only errors in both builds turned into errors (the
 * gate fails closed), and a warning for each that answered mostly errors. `allowed` holds
 * endpoint globs whose error answers are expected (config `allow-errors`).
 */
export function guardErrorAnswers(
  result: RunResult,
  samples: readonly Sample[],
  allowed: readonly string[] = [],
): RunResult {
  const tallies = tallyStatuses(samples);
  const isAllowed = allowed.length > 0 ? picomatch([...allowed]) : () => false;
  const warnings: string[] = [];
  let changed = false;
  const endpoints: EndpointResult[] = result.endpoints.map((e) => {
    const t = tallies.get(e.endpoint);
    if (!t || t.before.answers === 0 || t.after.answers === 0 || isAllowed(e.endpoint)) return e;
    const { before, after } = t;
    if (before.errors === before.answers && after.errors === after.answers) {
      changed = true;
      const reason =
        'answered only HTTP errors (4xx/5xx) in both builds, so it measured error pages; fix the workload or the service, or list the endpoint in allow-errors';
      return {
        ...e,
        verdict: 'error' as Verdict,
        warnings: [reason, ...e.warnings],
      };
    }
    if (share(before) >= MOSTLY_ERRORS || share(after) >= MOSTLY_ERRORS) {
      warnings.push(
        `${e.endpoint}: ${percentOf(before)} of answers before and ${percentOf(after)} after were HTTP errors; its cost is mostly that of error pages`,
      );
    }
    return e;
  });
  if (!changed && warnings.length === 0) return result;
  const counts = { ...result.counts };
  for (const k of Object.keys(counts) as Verdict[]) counts[k] = 0;
  for (const e of endpoints) counts[e.verdict]++;
  const failing = endpoints.filter((e) => e.verdict === 'error').length;
  const guarded: RunResult = {
    ...result,
    endpoints,
    counts,
    verdict: failing > 0 ? 'error' : result.verdict,
    warnings: [
      ...result.warnings,
      ...(warnings.length > 0
        ? [`${plural(warnings.length, 'endpoint')} answered mostly HTTP errors`, ...warnings].map(
            (message) => warning('http-errors', message),
          )
        : []),
    ],
  };
  return changed ? { ...guarded, summary: summarize(guarded) } : guarded;
}
