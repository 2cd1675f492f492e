// The report's "why" sections: per explained endpoint, the functions whose cost changed most
// (top 5), with a link to its differential flame graph in the output folder.

import type { RunResult } from '../analysis/types.js';
import type { EndpointExplanation, ExplainRow } from '../explain/types.js';
import { markdownCode as code, markdownText as cell } from './escape.js';

const TOP = 5;

/** µs per request, as people read it. */
export function formatMicros(us: number, signed = false): string {
  const sign = signed && us > 0 ? '+' : us < 0 ? '−' : '';
  const a = Math.abs(us);
  const text =
    a >= 1000 ? `${(a / 1000).toFixed(a >= 10_000 ? 1 : 2)} ms` : `${a.toFixed(a >= 100 ? 0 : 1)} µs`;
  return `${sign}${text}`;
}

function percent(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return '';
  return `${Math.round(share * 100)}%`;
}

function functionCell(r: ExplainRow): string {
  const tag = r.status === 'changed' ? '' : ` (${r.status})`;
  return `${code(r.function)}${tag}`;
}

function rowLine(r: ExplainRow): string {
  const via = r.via.length > 0 ? r.via.map((v) => code(v)).join(' → ') : '';
  return `| ${[
    functionCell(r),
    formatMicros(r.self.before),
    formatMicros(r.self.after),
    formatMicros(r.self.change, true),
    percent(r.share),
    formatMicros(r.inclusive.change, true),
    via,
  ].join(' | ')} |`;
}

function section(e: EndpointExplanation): string[] {
  const lines = [`#### Why ${code(e.endpoint)} changed: functions`, ''];
  const pass = `profiling pass ${(e.wallMs / 1000).toFixed(1)} s`;
  if (e.note || e.rows.length === 0) {
    lines.push(`${cell(e.note ?? 'no function’s cost changed measurably')} (${pass}).`, '');
    return lines;
  }
  const graph = e.flameGraph ? ` · differential flame graph: [${cell(e.flameGraph)}](${e.flameGraph})` : '';
  lines.push(
    `Attributed cost per request ${formatMicros(e.total.before)} → ${formatMicros(e.total.after)} (${formatMicros(e.total.change, true)}), ${e.requests.after} requests profiled per build · ${pass}${graph}`,
    '',
    '| function | self before | self after | self change | share | inclusive change | wrappers folded into it |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...e.rows.slice(0, TOP).map(rowLine),
    '',
  );
  return lines;
}

/** The sections, regressed endpoints first; [] when nothing was explained. */
export function explainSections(result: RunResult): string[] {
  const x = result.explain;
  if (!x) return [];
  const order = new Map(result.endpoints.map((e, i) => [e.endpoint, e.verdict === 'regression' ? i : 1000 + i]));
  const endpoints = [...x.endpoints].sort(
    (a, b) => (order.get(a.endpoint) ?? 2000) - (order.get(b.endpoint) ?? 2000),
  );
  const lines: string[] = ['### Which functions changed', ''];
  for (const e of endpoints) lines.push(...section(e));
  for (const w of x.warnings) lines.push(`> ${cell(w)}`, '');
  lines.push(
    `<sub>${cell(x.method)} Share: the function's own change over the endpoint's attributed change. Full tables in result.json; graphs in the output folder.</sub>`,
    '',
  );
  return lines;
}
