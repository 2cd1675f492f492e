// A result.json reduced to the history's per-run summary. Pure.

import type { Change, RunResult } from '../analysis/types.js';
import { hashSeed } from '../random.js';
import type { HistoryEndpoint, HistoryRun, Level } from './types.js';

export interface RunContext {
  commit: string;
  branch: string | null;
  date: string;
  repository: string | null;
  perfgate: string;
}

/**
 * The after build's mean with the run's interval applied to it. result.json carries an interval
 * for the relative change only; that interval also holds the before build's noise, so the band
 * is wider than the after mean's own (conservative, never falsely narrow).
 */
export function levelOf(mean: number, change: Change | null): Level {
  if (!change || !(1 + change.estimate > 0)) return { mean, low: mean, high: mean };
  const scale = mean / (1 + change.estimate);
  return { mean, low: scale * (1 + change.low), high: scale * (1 + change.high) };
}

function totalOf(endpoints: HistoryEndpoint[], change: Change | null): Level | null {
  const weight = endpoints.reduce((sum, e) => sum + e.weight, 0);
  if (endpoints.length === 0 || !(weight > 0)) return null;
  const mean = endpoints.reduce((sum, e) => sum + e.weight * e.mean, 0) / weight;
  return levelOf(mean, change);
}

export function summarizeRun(result: RunResult, context: RunContext): HistoryRun {
  const endpoints: HistoryEndpoint[] = [];
  for (const e of result.endpoints) {
    if (e.after === null || !Number.isFinite(e.after)) continue; // nothing measured: no point
    endpoints.push({
      endpoint: e.endpoint,
      ...levelOf(e.after, e.change),
      n: e.n.after,
      rounds: e.n.rounds,
      weight: e.weight,
      verdict: e.verdict,
    });
  }
  const platform = result.run.platform;
  const id = `${context.commit}@${result.run.startedAt ?? context.date}#${hashSeed(
    JSON.stringify(endpoints.map((e) => [e.endpoint, e.mean])),
  ).toString(16)}`;
  return {
    version: 1,
    id,
    commit: context.commit,
    branch: context.branch,
    date: context.date,
    perfgate: context.perfgate,
    repository: context.repository,
    series: {
      counter: result.counter.name,
      unit: result.counter.unit,
      kernel: result.counter.kernel,
      fallback: result.counter.fallback,
      cpuModel: platform?.cpuModel ?? 'unknown CPU',
    },
    machine: platform
      ? { os: platform.os, arch: platform.arch, kernel: platform.kernel, cpus: platform.cpus }
      : null,
    verdict: result.verdict,
    total: totalOf(endpoints, result.total),
    endpoints,
  };
}
