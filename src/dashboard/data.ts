// The dashboard's data island: the drift report reduced to compact columns. Pure.

import type { DriftReport } from '../history/drift.js';
import { TOTAL } from '../history/drift.js';

export interface DashboardChange {
  kind: 'step' | 'gradual';
  /** Seconds since the epoch of the last run at the old level and the first at the new one. */
  fromT: number;
  toT: number;
  fromCommit: string;
  toCommit: string;
  size: [number, number, number];
  beyond: boolean;
  recent: boolean;
}

export interface DashboardSeries {
  name: string;
  total: boolean;
  share: number;
  t: number[];
  mean: number[];
  low: number[];
  high: number[];
  commit: number[];
  /** Point positions whose run's own gate verdict was a regression. */
  regressions: number[];
  changes: DashboardChange[];
}

export interface DashboardData {
  title: string;
  generated: string;
  series: string;
  counter: string;
  unit: string;
  fallback: boolean;
  repository: string | null;
  runs: number;
  otherSeriesRuns: number;
  first: string | null;
  last: string | null;
  threshold: number;
  windowMs: number;
  commits: string[];
  endpoints: DashboardSeries[];
}

/** Six significant digits: enough for sub-per-mille steps, half the bytes of full doubles. */
const round = (v: number) => Number(v.toPrecision(6));
const seconds = (iso: string) => Math.round(Date.parse(iso) / 1000);

export function dashboardData(
  report: DriftReport,
  generated: string,
  title: string,
): DashboardData {
  const commits: string[] = [];
  const commitIndex = new Map<string, number>();
  const ref = (commit: string) => {
    let i = commitIndex.get(commit);
    if (i === undefined) {
      i = commits.push(commit) - 1;
      commitIndex.set(commit, i);
    }
    return i;
  };
  const endpoints = report.endpoints.map((e) => ({
    name: e.name,
    total: e.name === TOTAL,
    share: round(e.share),
    t: e.points.map((p) => seconds(p.date)),
    mean: e.points.map((p) => round(p.mean)),
    low: e.points.map((p) => round(p.low)),
    high: e.points.map((p) => round(p.high)),
    commit: e.points.map((p) => ref(p.commit)),
    regressions: e.points.flatMap((p, i) => (p.verdict === 'regression' ? [i] : [])),
    changes: e.changes.map((c) => ({
      kind: c.kind,
      fromT: seconds(c.from.date),
      toT: seconds(c.to.date),
      fromCommit: c.from.commit,
      toCommit: c.to.commit,
      size: [c.size.estimate, c.size.low, c.size.high].map((v) => round(v)) as [
        number,
        number,
        number,
      ],
      beyond: c.beyondThreshold,
      recent: c.recent,
    })),
  }));
  return {
    title,
    generated,
    series: report.seriesName,
    counter: report.series.counter,
    unit: report.series.unit,
    fallback: report.series.fallback,
    repository: report.repository,
    runs: report.runs,
    otherSeriesRuns: report.otherSeriesRuns,
    first: report.first,
    last: report.last,
    threshold: report.options.threshold,
    windowMs: report.options.windowMs,
    commits,
    endpoints,
  };
}

/** JSON safe inside <script>: no "</script>", no "<!--", no line separators JS would choke on. */
export function jsonIsland(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
