// Number formatting shared by the renderers: costs with units, changes with intervals.

import { byName } from '../analysis/collect.js';
import { percent, thresholdPercent } from '../analysis/summary.js';
import type { Change, EndpointResult, RunResult, Verdict } from '../analysis/types.js';
import type { CounterChoice } from '../counters/choice.js';

export { percent, thresholdPercent };

const SI = ['', 'k', 'M', 'G', 'T', 'P'];
const TIME = ['ns', 'µs', 'ms', 's'];

/** Three significant digits: 1234 → "1.23", 45.6 → "45.6", 812 → "812". */
function significant(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A cost per request in the counter's unit: instructions as 1.23M, task-clock ns as 4.56 ms. */
export function formatCost(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '–';
  const time = unit === 'ns';
  const steps = time ? TIME : SI;
  let scaled = value;
  let i = 0;
  while (Math.abs(scaled) >= 999.5 && i < steps.length - 1) {
    scaled /= 1000;
    i++;
  }
  if (time) return `${significant(scaled)} ${steps[i]}`;
  return `${i === 0 && Number.isInteger(scaled) ? String(scaled) : significant(scaled)}${steps[i]}`;
}

/** Digits enough to tell the bounds apart: two decimals for sub-percent intervals. */
function digitsFor(change: Change): number {
  const span = Math.max(Math.abs(change.low), Math.abs(change.high), Math.abs(change.estimate));
  return span < 0.01 ? 2 : 1;
}

/** "+12.1% [+9.8%, +14.5%]", prefixed with "~ " when the interval includes zero. */
export function formatChange(change: Change | null): string {
  if (!change) return '–';
  const digits = digitsFor(change);
  const notSignificant = change.low <= 0 && change.high >= 0;
  const body = `${percent(change.estimate, digits)} [${percent(change.low, digits)}, ${percent(change.high, digits)}]`;
  return notSignificant ? `~ ${body}` : body;
}

/** The counter in words: "instructions (user)", "task-clock (user+kernel)". */
export function describeCounter(counter: CounterChoice): string {
  if (counter.name === 'simulated-instructions') return 'simulated instructions (Valgrind)';
  return `${counter.name} (${counter.kernel ? 'user+kernel' : 'user'})`;
}

const RANK: Record<Verdict, number> = {
  regression: 0,
  error: 1,
  inconclusive: 2,
  improvement: 3,
  unchanged: 3,
};

/** Worst first: regressions, errors, inconclusive, then the rest by change, largest first. */
export function worstFirst(endpoints: readonly EndpointResult[]): EndpointResult[] {
  return [...endpoints].sort((a, b) => {
    const rank = RANK[a.verdict] - RANK[b.verdict];
    if (rank !== 0) return rank;
    const ca = a.change?.estimate ?? -Infinity;
    const cb = b.change?.estimate ?? -Infinity;
    if (ca !== cb) return cb - ca;
    return byName(a.endpoint, b.endpoint);
  });
}

/** Footnote numbers for the distinct per-endpoint warnings, in table order. */
export function footnotes(rows: readonly EndpointResult[]): {
  notes: string[];
  marks: Map<EndpointResult, number[]>;
} {
  const notes: string[] = [];
  const marks = new Map<EndpointResult, number[]>();
  for (const row of rows) {
    marks.set(
      row,
      row.warnings.map((w) => {
        const text = `${row.endpoint}: ${w}`;
        notes.push(text);
        return notes.length;
      }),
    );
  }
  return { notes, marks };
}

/** "≈22 more rounds would settle it", or why no number can be given. */
/**
 * Why an endpoint is inconclusive. Usually its interval reaches the threshold; but the interval
 * shown is at the report's confidence for one endpoint, while a regression must pass the stricter
 * one-sided test that Holm (and an adaptive run's look) asks of the whole family, so an interval
 * can clear the threshold and still not settle it: say so, or the table seems to contradict itself.
 */
export function inconclusiveReason(e: EndpointResult): string {
  const threshold = thresholdPercent(e.threshold);
  if (e.change && e.change.low > e.threshold && e.pAdjusted !== null) {
    return `its interval lies above ${threshold}, but not yet at the gate's family-wise level (Holm-adjusted p = ${e.pAdjusted.toPrecision(2)})`;
  }
  return `its interval reaches the ${threshold} threshold`;
}

export function moreRoundsAdvice(e: EndpointResult): string {
  if (e.moreRounds === null) {
    return 'the estimate sits on the threshold; more rounds cannot settle it — consider the threshold';
  }
  if (e.moreRounds > 1000) {
    return `more than 1000 more rounds would be needed: the change is too close to the threshold to settle; consider the threshold`;
  }
  return `≈${e.moreRounds} more ${e.moreRounds === 1 ? 'round' : 'rounds'} would settle it`;
}

/** How long the processes warmed up: requests per endpoint per process (median, range). */
export function warmupLine(result: RunResult): string | undefined {
  const w = result.run.warmup;
  if (!w) return undefined;
  const counts = Object.values(w.endpoints).flatMap((e) => [e.before.requests, e.after.requests]);
  if (counts.length === 0) return undefined;
  const low = Math.round(Math.min(...counts));
  const high = Math.round(Math.max(...counts));
  const range = low === high ? `${low}` : `${low}–${high}`;
  const unsettled = Object.values(w.endpoints).reduce(
    (n, e) => n + e.before.unsettled + e.after.unsettled,
    0,
  );
  const how = w.mode === 'auto' ? 'until steady' : 'fixed';
  return `warm-up ${how}: ${range} requests per endpoint per process (median), ${(w.wallMs / 1000).toFixed(1)} s per process${unsettled > 0 ? `, ${unsettled} never settled` : ''}`;
}

/** The method line: what was measured and how it was decided. */
export function methodLine(result: RunResult): string {
  const judged = result.endpoints.filter((e) => e.pAdjusted !== null).length;
  const parts = [
    `${result.run.rounds} ${result.run.rounds === 1 ? 'round' : 'rounds'}${
      result.run.looks > 1
        ? ` (look ${result.run.looks}${result.run.plannedRounds ? ` of a plan up to ${result.run.plannedRounds}` : ''})`
        : ''
    }`,
    `${Math.round(result.confidence * 1000) / 10}% intervals on ${
      result.endpoints.some((e) => e.estimator === 'median-of-means')
        ? 'cost per request (median of the block means per round; the plain mean tested too)'
        : 'mean cost per request'
    }`,
    `regressions: one-sided test, α = ${result.alpha} family-wise (Holm over ${judged} ${judged === 1 ? 'endpoint' : 'endpoints'}${
      result.flags && result.flags.family > judged
        ? ` and ${result.flags.family - judged} flag comparisons`
        : ''
    })`,
    `counter: ${describeCounter(result.counter)}`,
  ];
  const placement = result.run.placement;
  if (placement?.cpus) {
    parts.push(
      `targets on CPUs ${placement.cpus}${placement.pmu ? ` (${placement.pmu} PMU)` : ''}`,
    );
  }
  const warm = warmupLine(result);
  if (warm) parts.push(warm);
  if (result.run.seed !== null) parts.push(`seed ${result.run.seed}`);
  return parts.join(' · ');
}

/** The run warnings shown as notes: a fallback counter's is the banner instead. */
export function runNotes(result: RunResult): string[] {
  return result.warnings
    .filter((w) => !(result.counter.fallback && w.code === 'counter-fallback'))
    .map((w) => w.message);
}

export function fallbackBanner(counter: CounterChoice): string {
  const what = counter.unit === 'ns' ? `${counter.name} (CPU time)` : counter.name;
  const why = counter.reason ? `: ${counter.reason}` : '';
  return `Measured with ${what}, not instructions${why}. CPU time varies with machine load and CPU model, so intervals are wider and small regressions can go unseen; run on a machine with a PMU (bare metal or a VM that exposes hardware counters) for instruction counts.`;
}
