// The one-line summary a commit status or check run shows (GitHub cuts descriptions at 140).

import type { EndpointResult, RunResult, Verdict } from './types.js';

export const SUMMARY_LIMIT = 140;

/** A fraction as a signed percentage with one decimal: 0.1214 → "+12.1%", −0.003 → "-0.3%". */
export function percent(fraction: number, digits = 1): string {
  const text = (fraction * 100).toFixed(digits);
  const zero = Number(text) === 0;
  return `${fraction > 0 && !zero ? '+' : ''}${zero ? (0).toFixed(digits) : text}%`;
}

/** A threshold as an unsigned percentage: 0.03 → "3%", 0.025 → "2.5%". */
export function thresholdPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function truncate(line: string): string {
  return line.length <= SUMMARY_LIMIT ? line : `${line.slice(0, SUMMARY_LIMIT - 1)}…`;
}

/** "head: a, b, c" with as many items as fit in the limit, then "+N more". */
function fit(head: string, items: string[]): string {
  let line = head;
  for (let i = 0; i < items.length; i++) {
    const candidate = `${line}${i === 0 ? ': ' : ', '}${items[i]}`;
    const remaining = items.length - i - 1;
    const more = remaining > 0 ? ` +${remaining} more` : '';
    if ((candidate + more).length > SUMMARY_LIMIT) {
      // The first item is worth showing even cut short; later ones become a count.
      return truncate(i === 0 ? candidate + more : `${line} +${remaining + 1} more`);
    }
    line = candidate;
  }
  return line;
}

/** The gist of an error message: up to its first colon or parenthesis. */
function shortReason(message: string | undefined): string {
  if (!message) return 'error';
  return message.split(/:| \(/)[0]!.trim();
}

function describe(e: EndpointResult): string {
  const change = e.change ? ` ${percent(e.change.estimate)}` : '';
  return `${e.endpoint}${change} (θ ${thresholdPercent(e.threshold)})`;
}

export function summarize(result: RunResult): string {
  const { counts, endpoints } = result;
  if (result.verdict === 'error') {
    const broken = endpoints.filter((e) => e.verdict === 'error');
    if (broken.length > 0) {
      return fit(
        `error: ${plural(broken.length, 'endpoint')} could not be compared`,
        broken.map((e) => `${e.endpoint} (${shortReason(e.warnings[0])})`),
      );
    }
    const reason = result.run.complete
      ? (result.warnings[0]?.message ?? 'nothing measured')
      : 'the run did not complete';
    return truncate(`error: ${reason}`);
  }
  if (counts.regression > 0) {
    const worst = endpoints
      .filter((e) => e.verdict === 'regression')
      .sort((a, b) => (b.change?.estimate ?? 0) - (a.change?.estimate ?? 0));
    return fit(plural(counts.regression, 'regression'), worst.map(describe));
  }
  if (result.verdict === 'fail') {
    const open = endpoints.filter((e) => e.verdict === 'inconclusive');
    return fit(`${counts.inconclusive} inconclusive (on-inconclusive: fail)`, open.map(describe));
  }
  const parts = [`no regression beyond threshold in ${plural(endpoints.length, 'endpoint')}`];
  if (counts.improvement > 0) parts.push(`${counts.improvement} improved`);
  if (counts.inconclusive > 0) parts.push(`${counts.inconclusive} inconclusive`);
  if (result.total) parts.push(`total ${percent(result.total.estimate)}`);
  return truncate(parts.join('; '));
}

/** How many endpoints got each verdict. */
export function countVerdicts(endpoints: readonly EndpointResult[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = {
    regression: 0,
    improvement: 0,
    unchanged: 0,
    inconclusive: 0,
    error: 0,
  };
  for (const e of endpoints) counts[e.verdict]++;
  return counts;
}
