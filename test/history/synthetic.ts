// Seeded synthetic histories with known changes, for the drift detector and the dashboard.

import { createRandom, normalDeviate } from '../../src/random.js';
import type { HistoryRun } from '../../src/history/types.js';

export interface SyntheticEndpoint {
  name: string;
  weight: number;
  base: number;
  /** Relative level at run i (1 = base). */
  level?: (i: number) => number;
}

export const START = Date.parse('2026-01-01T06:00:00Z');
const DAY = 24 * 3600 * 1000;

export function commitOf(seed: number, i: number): string {
  return `${(seed >>> 0).toString(16).padStart(8, '0')}${i.toString(16).padStart(32, '0')}`;
}

/** Daily runs; each endpoint's mean is base·level(i)·(1 + noise·N(0,1)). */
export function syntheticHistory(options: {
  runs: number;
  seed: number;
  noise: number;
  endpoints: SyntheticEndpoint[];
  counter?: string;
}): HistoryRun[] {
  const random = createRandom(options.seed);
  const runs: HistoryRun[] = [];
  for (let i = 0; i < options.runs; i++) {
    const endpoints = options.endpoints.map((e) => {
      const mean = e.base * (e.level?.(i) ?? 1) * (1 + options.noise * normalDeviate(random));
      const half = mean * options.noise * 0.6;
      return {
        endpoint: e.name,
        mean,
        low: mean - half,
        high: mean + half,
        n: 200,
        rounds: 6,
        weight: e.weight,
        verdict: 'unchanged' as const,
      };
    });
    const totalMean = endpoints.reduce((s, e) => s + e.weight * e.mean, 0);
    runs.push({
      version: 1,
      id: `run-${options.seed}-${i}`,
      commit: commitOf(options.seed, i),
      branch: 'main',
      date: new Date(START + i * DAY).toISOString(),
      perfgate: '0.1.0',
      repository: 'https://github.com/example/shop',
      series: {
        counter: options.counter ?? 'instructions',
        unit: 'instructions',
        kernel: false,
        fallback: false,
        cpuModel: 'Example CPU @ 3.00GHz',
      },
      machine: { os: 'linux', arch: 'x64', kernel: '6.1.0', cpus: 4 },
      verdict: 'pass',
      total: { mean: totalMean, low: totalMean * 0.997, high: totalMean * 1.003 },
      endpoints,
    });
  }
  return runs;
}

export const STEP3_AT = 30;
export const STEP8_AT = 60;
export const RAMP = { from: 68, to: 84 };

/** 96 runs: +3 % on search at run 30, +8 % on items at run 60, a +6 % ramp on cart over 68..84. */
export function steppedHistory(seed = 17, runs = 96): HistoryRun[] {
  return syntheticHistory({
    runs,
    seed,
    noise: 0.005,
    endpoints: [
      {
        name: 'GET /api/search',
        weight: 0.3,
        base: 2_000_000,
        level: (i) => (i >= STEP3_AT ? 1.03 : 1),
      },
      {
        name: 'GET /api/items',
        weight: 0.5,
        base: 1_000_000,
        level: (i) => (i >= STEP8_AT ? 1.08 : 1),
      },
      {
        name: 'POST /api/cart',
        weight: 0.2,
        base: 1_500_000,
        level: (i) => 1 + 0.06 * Math.min(1, Math.max(0, (i - RAMP.from) / (RAMP.to - RAMP.from))),
      },
    ],
  });
}

export function flatHistory(seed: number, runs = 96): HistoryRun[] {
  return syntheticHistory({
    runs,
    seed,
    noise: 0.005,
    endpoints: [
      { name: 'GET /api/search', weight: 0.3, base: 2_000_000 },
      { name: 'GET /api/items', weight: 0.5, base: 1_000_000 },
      { name: 'POST /api/cart', weight: 0.2, base: 1_500_000 },
    ],
  });
}

/** A year of daily runs for many endpoints, a few with steps: the dashboard's size target. */
export function largeHistory(runs = 365, endpoints = 100, seed = 365): HistoryRun[] {
  const list: SyntheticEndpoint[] = [];
  for (let k = 0; k < endpoints; k++) {
    const at = 40 + ((k * 37) % (runs - 80));
    list.push({
      name: `GET /api/resource-${String(k).padStart(3, '0')}`,
      weight: 1 / endpoints,
      base: 200_000 + k * 25_000,
      level: k % 10 === 0 ? (i) => (i >= at ? 1.05 : 1) : undefined,
    });
  }
  return syntheticHistory({ runs, seed, noise: 0.004, endpoints: list });
}
