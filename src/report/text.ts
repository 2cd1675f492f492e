// The terminal report: an aligned plain-text table. Colour only when asked (a TTY that wants it).

import type { OverallVerdict, RunResult, Verdict } from '../analysis/types.js';
import {
  fallbackBanner,
  footnotes,
  formatChange,
  formatCost,
  runNotes,
  methodLine,
  inconclusiveReason,
  moreRoundsAdvice,
  thresholdPercent,
  worstFirst,
} from './format.js';
import { terminalText } from './escape.js';
import { flagRest, flagRows, flagValues, flagsIntro, quietFlag } from './flags.js';

export interface TextOptions {
  /** Colour verdicts with ANSI escapes. */
  color?: boolean;
}

const COLOR: Record<Verdict | OverallVerdict, string> = {
  regression: '31',
  error: '35',
  inconclusive: '33',
  improvement: '32',
  unchanged: '0',
  pass: '32',
  fail: '31',
};

function paint(text: string, code: string, color: boolean): string {
  return color && code !== '0' ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** Display width: code points, so "µs" and "θ" count as one column each. */
function width(text: string): number {
  return [...text].length;
}

function pad(text: string, size: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return right ? fill + text : text + fill;
}

export function renderText(result: RunResult, options: TextOptions = {}): string {
  const t = terminalText;
  const color = options.color ?? false;
  const unit = result.counter.unit;
  const lines: string[] = [
    `perfgate: ${paint(result.verdict.toUpperCase(), COLOR[result.verdict], color)}  ${t(result.summary)}`,
  ];
  if (result.counter.fallback) lines.push(`WARNING: ${fallbackBanner(result.counter)}`);
  for (const w of runNotes(result)) lines.push(`warning: ${t(w)}`);
  lines.push('');

  const rows = worstFirst(result.endpoints);
  const { notes, marks } = footnotes(rows);
  const header = ['endpoint', 'before', 'after', 'change', 'threshold', 'verdict'];
  const table = rows.map((e) => {
    const m = marks.get(e) ?? [];
    return [
      `${t(e.endpoint)}${m.length > 0 ? ` [${m.join(',')}]` : ''}`,
      formatCost(e.before, unit),
      formatCost(e.after, unit),
      formatChange(e.change),
      thresholdPercent(e.threshold),
      e.verdict,
    ];
  });
  if (result.total)
    table.push(['total (traffic-weighted)', '', '', formatChange(result.total), '', '']);
  const sizes = header.map((h, i) => Math.max(width(h), ...table.map((r) => width(r[i]!))));
  const right = [false, true, true, false, true, false];
  const format = (cells: string[], verdict?: Verdict) =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : pad(c, sizes[i]!, right[i]!);
        return i === cells.length - 1 && verdict ? paint(padded, COLOR[verdict], color) : padded;
      })
      .join('  ')
      .trimEnd();
  if (rows.length > 0) {
    lines.push(format(header));
    table.forEach((cells, i) => lines.push(format(cells, rows[i]?.verdict)));
    lines.push('');
  }
  if (notes.length > 0) {
    lines.push(...notes.map((n, i) => `[${i + 1}] ${t(n)}`), '');
  }
  for (const e of rows.filter((r) => r.verdict === 'inconclusive')) {
    lines.push(
      `${t(e.endpoint)} is inconclusive: ${t(inconclusiveReason(e))}; ${moreRoundsAdvice(e)}.`,
    );
  }
  const section = result.flags;
  if (section && section.flags.length + section.skipped.length > 0) {
    lines.push('', `flags: ${t(flagsIntro(section, result))}`);
    for (const f of section.flags) {
      const rows = flagRows(f);
      const name = `  ${t(f.flag)} (${t(flagValues(f))})`;
      if (rows.length === 0) lines.push(`${name}: ${t(quietFlag(f))}`);
      for (const e of rows) {
        lines.push(
          `${name}  ${t(e.endpoint)}  ${formatCost(e.before, unit)} → ${formatCost(e.after, unit)}  ${formatChange(e.change)}  θ ${thresholdPercent(e.threshold)}  ${paint(e.verdict, COLOR[e.verdict], color)}`,
        );
      }
      const rest = flagRest(f);
      if (rest) lines.push(`${name}: ${t(rest)}`);
    }
    for (const s of section.skipped)
      lines.push(`  ${t(s.flag)}: not in the matrix (${t(s.reason)})`);
    lines.push('');
  }
  lines.push(methodLine(result), '');
  return lines.join('\n');
}
