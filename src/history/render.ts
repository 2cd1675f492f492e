// The drift report as text, markdown or JSON. Pure.

import { fallbackBanner, formatChange, formatCost, percent } from '../report/format.js';
import type { DriftChange, DriftReport, SeriesDrift } from './drift.js';

const short = (commit: string) => commit.slice(0, 12);
const day = (date: string) => date.slice(0, 10);
/** Workload text may hold control characters; a terminal must not interpret them. */
const plain = (text: string) => [...text].map((c) => (/\p{Cc}/u.test(c) ? '?' : c)).join('');

function windowWords(report: DriftReport): string {
  const days = report.options.windowMs / 86_400_000;
  const span =
    days === 1
      ? 'day'
      : Number.isInteger(days)
        ? `${days} days`
        : `${(days * 24).toFixed(0)} hours`;
  return `the ${span} up to ${report.now ? day(report.now) : '–'}`;
}

function rangeLink(report: DriftReport, c: DriftChange): string {
  if (!report.repository) return `\`${short(c.from.commit)}..${short(c.to.commit)}\``;
  const compare = `${report.repository}/compare/${c.from.commit}...${c.to.commit}`;
  return `[${short(c.from.commit)}..${short(c.to.commit)}](${compare})`;
}

function recentOf(e: SeriesDrift): DriftChange[] {
  return e.changes.filter((c) => c.recent);
}

function verdictLine(report: DriftReport): string {
  const t = percent(report.options.threshold, 1);
  const beyond = report.endpoints
    .filter((e) => e.reported)
    .flatMap((e) => recentOf(e).filter((c) => c.beyondThreshold)).length;
  return report.drift
    ? `DRIFT: ${beyond} increase${beyond === 1 ? '' : 's'} whose whole interval is above ${t}`
    : `no drift above ${t} in ${windowWords(report)}`;
}

function header(report: DriftReport): string[] {
  const lines = [
    `${report.runs} runs of ${report.seriesName}${report.first && report.last ? `, ${day(report.first)} … ${day(report.last)}` : ''}`,
  ];
  if (report.otherSeriesRuns > 0) {
    lines.push(
      `${report.otherSeriesRuns} runs measured with another counter or CPU are not mixed in.`,
    );
  }
  if (report.series.fallback) {
    lines.push(
      `WARNING: ${fallbackBanner({ name: report.series.counter, unit: report.series.unit, fallback: true, all: [], kernel: report.series.kernel })} Absolute task-clock costs also move with the runner's clock speed and neighbours, so change points in this history may be the machine's, not the code's.`,
    );
  }
  return lines;
}

function reported(report: DriftReport): SeriesDrift[] {
  return report.endpoints.filter((e) => e.reported);
}

function textChange(report: DriftReport, c: DriftChange): string {
  const unit = report.series.unit;
  const runs = c.to.index - c.from.index;
  return `  ${c.kind === 'step' ? 'step   ' : 'gradual'} ${formatChange(c.size)}  ${formatCost(c.before, unit)} → ${formatCost(c.after, unit)}  ${short(c.from.commit)}..${short(c.to.commit)} (${day(c.from.date)} … ${day(c.to.date)}${runs > 1 ? `, ${runs} runs` : ''})  p=${c.p.toFixed(3)}${c.beyondThreshold ? '  ← beyond threshold' : ''}`;
}

export function renderDriftText(report: DriftReport): string {
  const out = [`perfgate drift: ${header(report).join('\n')}`];
  out.push(
    `Changes in ${windowWords(report)}, for the endpoints carrying ${percent(report.options.costShare, 0).replace('+', '')} of the traffic-weighted cost:`,
    '',
  );
  for (const e of reported(report)) {
    const recent = recentOf(e);
    const older = e.changes.length - recent.length;
    const share =
      e.name === 'traffic-weighted total' ? '' : ` (${(e.share * 100).toFixed(0)} % of cost)`;
    const tail = older > 0 ? `; ${older} older change${older === 1 ? '' : 's'}` : '';
    out.push(
      `${plain(e.name)}${share}: ${recent.length === 0 ? 'no change' : `${recent.length} change${recent.length === 1 ? '' : 's'}`}${tail}`,
    );
    for (const c of recent) out.push(textChange(report, c));
  }
  out.push('', verdictLine(report));
  return out.join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  const t = cell(text);
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}

export function renderDriftMarkdown(report: DriftReport): string {
  const unit = report.series.unit;
  const out = [`## perfgate drift: ${report.drift ? '❌ drift' : '✅ no drift'}`, ''];
  out.push(
    ...header(report).map((l) => (l.startsWith('WARNING: ') ? `> [!WARNING]\n> ${l.slice(9)}` : l)),
    '',
  );
  const rows = reported(report).flatMap((e) => recentOf(e).map((c) => ({ e, c })));
  if (rows.length === 0) {
    out.push(`No change points in ${windowWords(report)} for the heaviest endpoints.`);
  } else {
    out.push(
      '| endpoint | share of cost | change | level | commits | runs | p |',
      '|---|--:|---|---|---|--:|--:|',
    );
    for (const { e, c } of rows) {
      out.push(
        `| ${code(e.name)} | ${e.name === 'traffic-weighted total' ? '–' : `${(e.share * 100).toFixed(0)} %`} | ${c.beyondThreshold ? '❌ ' : ''}${formatChange(c.size)} | ${formatCost(c.before, unit)} → ${formatCost(c.after, unit)} | ${rangeLink(report, c)} | ${c.to.index - c.from.index} | ${c.p.toFixed(3)} |`,
      );
    }
  }
  out.push('', verdictLine(report));
  return out.join('\n');
}

/** The report without the points (the dashboard draws those); stable key order. */
export function renderDriftJson(report: DriftReport): string {
  const { endpoints, ...rest } = report;
  return JSON.stringify(
    {
      ...rest,
      endpoints: endpoints.map(({ points, ...e }) => ({ ...e, runs: points.length })),
    },
    null,
    2,
  );
}
