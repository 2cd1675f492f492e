// The report's "why" sections: per explained endpoint, the functions whose cost changed most
// (top 5), with a link to its differential flame graph in the output folder.

import type { RunResult } from '../analysis/types.js';
import type { EndpointExplanation, ExplainRow } from '../analysis/explanation.js';
import { markdownCode as code, markdownText as cell } from './escape.js';
import { formatCost } from './format.js';

const TOP = 5;

/** A cost per request in the explanation's unit, signed for changes: +1.2 ms, −340k. */
export function formatAmount(value: number, unit: string, signed = false): string {
  const sign = signed && value > 0 ? '+' : value < 0 ? '−' : '';
  return `${sign}${formatCost(Math.abs(value), unit)}`;
}

function percent(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return '';
  return `${Math.round(share * 100)}%`;
}

function functionCell(r: ExplainRow): string {
  const tag = r.status === 'changed' ? '' : ` (${r.status})`;
  return `${code(r.function)}${tag}`;
}

function rowLine(r: ExplainRow, unit: string): string {
  const f = (v: number, signed = false) => formatAmount(v, unit, signed);
  const via = r.via.length > 0 ? r.via.map((v) => code(v)).join(' → ') : '';
  return `| ${[
    functionCell(r),
    f(r.self.before),
    f(r.self.after),
    f(r.self.change, true),
    percent(r.share),
    f(r.inclusive.change, true),
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
  const graph = e.flameGraph
    ? ` · differential flame graph: [${cell(e.flameGraph)}](${e.flameGraph})`
    : '';
  const f = (v: number, signed = false) => formatAmount(v, e.unit, signed);
  const scale =
    e.scale === 'measurement' ? 'Measured cost per request' : 'CPU time per request while profiled';
  lines.push(
    `${scale} ${f(e.total.before)} → ${f(e.total.after)} (${f(e.total.change, true)}), split over functions by the profiles of ${e.requests.after} requests per build · ${pass}${graph}`,
    '',
    '| function | self before | self after | self change | share | inclusive change | wrappers folded into it |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...e.rows.slice(0, TOP).map((r) => rowLine(r, e.unit)),
    '',
  );
  return lines;
}

/** The sections, regressed endpoints first; [] when nothing was explained. */
export function explainSections(result: RunResult): string[] {
  const x = result.explain;
  if (!x) return [];
  const order = new Map(
    result.endpoints.map((e, i) => [e.endpoint, e.verdict === 'regression' ? i : 1000 + i]),
  );
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
