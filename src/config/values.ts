// Durations and percentages as people write them in perfgate.yml. Bare numbers are refused: a
// unit-less `timeout: 60` or `default: 3` is exactly the kind of mistake that silently gates
// on the wrong thing.

export type ValueResult =
  { ok: true; value: number } | { ok: false; message: string; hint?: string };

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION_PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h)/gy;

/** Pattern for the JSON Schema: one or more `<number><unit>` parts, e.g. `90s`, `1h30m`. */
export const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h)\\s*)+$';
export const PERCENT_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*%\\s*$';

/** Reads `500ms`, `60s`, `5m`, `1h`, `1h30m` into whole milliseconds. */
export function parseDuration(input: unknown): ValueResult {
  const expected = 'expected a duration such as 500ms, 60s, 5m or 1h';
  if (typeof input === 'number') {
    return {
      ok: false,
      message: `${expected}, got the bare number ${input}`,
      hint: `add a unit, e.g. '${input}s' or '${input}ms'`,
    };
  }
  if (typeof input !== 'string')
    return { ok: false, message: `${expected}, got ${describe(input)}` };
  const text = input.trim();
  let total = 0;
  let matched = 0;
  DURATION_PART.lastIndex = 0;
  for (;;) {
    while (text[DURATION_PART.lastIndex] === ' ') DURATION_PART.lastIndex++;
    if (DURATION_PART.lastIndex >= text.length) break;
    const m = DURATION_PART.exec(text);
    if (!m) break;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    matched = DURATION_PART.lastIndex;
  }
  if (matched === 0 || text.slice(matched).trim() !== '') {
    const hint = /^\d+(\.\d+)?$/.test(text) ? `add a unit, e.g. '${text}s'` : undefined;
    return { ok: false, message: `${expected}, got '${input}'`, ...(hint ? { hint } : {}) };
  }
  return { ok: true, value: Math.round(total) };
}

const BUDGET_HINT = 'a budget of 0 would stop before the first round; leave it out for the default';

/**
 * A duration that must be longer than zero (a budget, a timeout): the one reader behind
 * `measure.max-duration`, `explain.max-duration`, `ready.timeout`, `--max-duration` and the
 * action's `max-duration` input. `hint` says why 0 makes no sense here.
 */
export function parsePositiveDuration(input: unknown, hint = BUDGET_HINT): ValueResult {
  const parsed = parseDuration(input);
  if (!parsed.ok || parsed.value > 0) return parsed;
  return { ok: false, message: `must be longer than zero, got '${String(input)}'`, hint };
}

/** Reads `3%` or `0.5%` into a fraction (0.03, 0.005). */
export function parsePercent(input: unknown): ValueResult {
  const expected = "expected a percentage such as '3%' or '0.5%'";
  if (typeof input === 'number') {
    const hint =
      input > 0 && input < 1
        ? `write '${round(input * 100)}%' if ${input} is a fraction, or '${input}%'`
        : `write '${input}%'`;
    return { ok: false, message: `${expected}, got the bare number ${input}`, hint };
  }
  if (typeof input !== 'string')
    return { ok: false, message: `${expected}, got ${describe(input)}` };
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(input);
  if (!m) {
    const negative = /^\s*-/.test(input);
    return {
      ok: false,
      message: negative
        ? `expected a percentage of 0% or more, got '${input}'`
        : `${expected}, got '${input}'`,
      ...(/^\s*\d+(\.\d+)?\s*$/.test(input) ? { hint: `write '${input.trim()}%'` } : {}),
    };
  }
  return { ok: true, value: round(Number(m[1]) / 100) };
}

/** Renders a fraction as people wrote it: 0.03 → '3%'. */
export function formatPercent(fraction: number): string {
  return `${round(fraction * 100)}%`;
}

/** Renders milliseconds back into the largest exact unit: 1_800_000 → '30m'. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

// Clears binary noise such as 0.1 * 100 = 10.000000000000002.
function round(n: number): number {
  return Number(n.toPrecision(12));
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `'${value}'`;
  return `${typeof value === 'number' ? 'the number' : typeof value} ${String(value)}`;
}
