// The Markdown report: job summary, PR comment and report.md. Every number carries its interval;
// `~` marks a change whose interval includes zero; warnings become numbered notes.

import type { EndpointResult, OverallVerdict, RunResult, Verdict } from '../analysis/types.js';
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
import { markdownCode, markdownText } from './escape.js';
import { flagRest, flagRows, flagValues, flagsIntro, quietFlag } from './flags.js';
import { explainSections } from './explain.js';

export interface MarkdownOptions {
  /** Heading text (default "perfgate"). */
  title?: string;
  /** Link to the CI run that produced the result. */
  runUrl?: string;
  /** Where samples.jsonl was kept, for the curious. */
  samplesPath?: string;
}

const VERDICT: Record<Verdict, string> = {
  regression: '🔴 regression',
  error: '⛔ error',
  inconclusive: '🟡 inconclusive',
  improvement: '🟢 improvement',
  unchanged: '⚪ unchanged',
};

const OVERALL: Record<OverallVerdict, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  error: '⛔ error',
};

/** Prose that may quote a workload (endpoint names in warnings): escaped, one line. */
const cell = markdownText;
const code = markdownCode;

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function endpointRow(e: EndpointResult, unit: string, marks: number[]): string {
  const note = marks.length > 0 ? ` <sup>${marks.join(',')}</sup>` : '';
  const change = formatChange(e.change);
  return row([
    `${code(e.endpoint)}${note}`,
    formatCost(e.before, unit),
    formatCost(e.after, unit),
    e.verdict === 'regression' ? `**${change}**` : change,
    thresholdPercent(e.threshold),
    VERDICT[e.verdict],
  ]);
}

function flagsSection(result: RunResult, unit: string): string[] {
  const section = result.flags!;
  const confidence = `${Math.round(result.confidence * 1000) / 10}%`;
  const lines = ['### Flags', '', cell(flagsIntro(section, result)), ''];
  if (section.flags.length > 0) {
    lines.push(
      row([
        'flag',
        'endpoint',
        'at defaults',
        'flag flipped',
        `change (${confidence} CI)`,
        'threshold',
        'verdict',
      ]),
      row(['---', '---', '---:', '---:', '---', '---:', '---']),
    );
    for (const f of section.flags) {
      const name = `${code(f.flag)} (${cell(flagValues(f))})`;
      const rows = flagRows(f);
      if (rows.length === 0) {
        lines.push(row([name, cell(quietFlag(f)), '', '', '', '', '']));
        continue;
      }
      for (const e of rows) {
        const change = formatChange(e.change);
        lines.push(
          row([
            name,
            code(e.endpoint),
            formatCost(e.before, unit),
            formatCost(e.after, unit),
            e.verdict === 'regression' ? `**${change}**` : change,
            thresholdPercent(e.threshold),
            VERDICT[e.verdict],
          ]),
        );
      }
      const rest = flagRest(f);
      if (rest) lines.push(row([name, cell(rest), '', '', '', '', '']));
    }
    lines.push('');
  }
  const notes = section.flags.flatMap((f) => [
    ...f.warnings.map((w) => `${f.flag}: ${w.message}`),
    ...flagRows(f).flatMap((e) => e.warnings.map((w) => `${f.flag}, ${e.endpoint}: ${w}`)),
  ]);
  if (notes.length > 0) lines.push(...notes.map((n) => `- ${cell(n)}`), '');
  if (section.skipped.length > 0) {
    lines.push(
      `Not in the matrix: ${section.skipped.map((s) => `${code(s.flag)} (${cell(s.reason)})`).join(', ')}.`,
      '',
    );
  }
  return lines;
}

export function renderMarkdown(result: RunResult, options: MarkdownOptions = {}): string {
  const title = options.title ?? 'perfgate';
  const unit = result.counter.unit;
  const lines: string[] = [
    `## ${title}: ${OVERALL[result.verdict]}`,
    '',
    `**${cell(result.summary)}**`,
    '',
  ];

  if (result.counter.fallback) {
    lines.push('> [!WARNING]', `> ${fallbackBanner(result.counter)}`, '');
  }
  const runWarnings = runNotes(result);
  if (result.verdict === 'error' && runWarnings.length > 0) {
    lines.push('> [!CAUTION]', ...runWarnings.map((w) => `> - ${cell(w)}`), '');
  } else if (runWarnings.length > 0) {
    lines.push('> [!NOTE]', ...runWarnings.map((w) => `> - ${cell(w)}`), '');
  }

  const rows = worstFirst(result.endpoints);
  if (rows.length > 0) {
    const { notes, marks } = footnotes(rows);
    const confidence = `${Math.round(result.confidence * 1000) / 10}%`;
    lines.push(
      row(['endpoint', 'before', 'after', `change (${confidence} CI)`, 'threshold', 'verdict']),
      row(['---', '---:', '---:', '---', '---:', '---']),
      ...rows.map((e) => endpointRow(e, unit, marks.get(e) ?? [])),
    );
    if (result.total) {
      lines.push(row(['**total** (traffic-weighted)', '', '', formatChange(result.total), '', '']));
    }
    lines.push('');
    if (notes.length > 0) {
      lines.push(...notes.map((n, i) => `<sup>${i + 1}</sup> ${cell(n)}  `), '');
    }
    const open = rows.filter((e) => e.verdict === 'inconclusive');
    if (open.length > 0) {
      lines.push(
        '**Inconclusive**:',
        '',
        ...open.map(
          (e) => `- ${code(e.endpoint)}: ${cell(inconclusiveReason(e))}; ${moreRoundsAdvice(e)}.`,
        ),
        '',
      );
    }
  }

  if (result.flags && result.flags.flags.length + result.flags.skipped.length > 0) {
    lines.push(...flagsSection(result, unit));
  }
  lines.push(...explainSections(result));

  const links: string[] = [];
  if (options.runUrl) links.push(`[run](${options.runUrl})`);
  if (options.samplesPath) links.push(`samples: ${code(options.samplesPath)}`);
  lines.push(`<sub>${[methodLine(result), ...links].join(' · ')}</sub>`, '');
  return lines.join('\n');
}
