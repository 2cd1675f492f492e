// Seeded Monte-Carlo checks of the whole analysis on heavy-tailed, drifting, heterogeneous data
// (stats.md §3.4). Rep counts are sized for a 2-core CI machine; the figures are printed so the
// report can quote them.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import type { AnalysisOptions } from '../../src/analysis/types.js';
import { simulate, type SimEndpoint } from './simulate.js';

const ALPHA = 0.05;

function options(threshold: number, extra: Partial<AnalysisOptions> = {}): AnalysisOptions {
  return {
    thresholds: { default: threshold, endpoints: {} },
    alpha: ALPHA,
    confidence: 0.95,
    onInconclusive: 'pass',
    ...extra,
  };
}

function endpoints(k: number, change: number): SimEndpoint[] {
  return Array.from({ length: k }, (_, i) => ({ name: `GET /e${i}`, change }));
}

/** Monte-Carlo standard error of a proportion p over n reps. */
const mcse = (p: number, n: number) => Math.sqrt((p * (1 - p)) / n);

describe('simulation (seeded)', () => {
  it('A/A at the boundary (true change = θ) keeps the family-wise false-fail rate ≤ α', () => {
    // K = 10 endpoints, all exactly at their threshold (θ = 0, same build): the worst case for
    // the null. Any regression verdict is a false fail.
    const reps = 600;
    const k = 10;
    let falseFails = 0;
    let covered = 0;
    let intervals = 0;
    for (let rep = 0; rep < reps; rep++) {
      const set = simulate({ seed: 1000 + rep, rounds: 10, endpoints: endpoints(k, 0) });
      const result = analyze(set, options(0));
      if (result.counts.regression > 0) falseFails++;
      for (const e of result.endpoints) {
        intervals++;
        if (e.change!.low <= 0 && e.change!.high >= 0) covered++;
      }
    }
    const rate = falseFails / reps;
    const coverage = covered / intervals;
    console.log(
      `A/A boundary: false-fail ${rate.toFixed(4)} (${falseFails}/${reps}, K=${k}, 10 rounds × 5 requests); ` +
        `95% interval coverage ${coverage.toFixed(4)} (${intervals} intervals)`,
    );
    expect(rate).toBeLessThanOrEqual(ALPHA + 3 * mcse(ALPHA, reps));
    expect(coverage).toBeGreaterThanOrEqual(0.95 - 3 * mcse(0.95, reps));
    expect(coverage).toBeLessThanOrEqual(0.995);
  });

  it('A/A with θ = 2 % never fails the gate and rarely claims an improvement', () => {
    const reps = 200;
    let fails = 0;
    let unchanged = 0;
    let improved = 0;
    let total = 0;
    for (let rep = 0; rep < reps; rep++) {
      const result = analyze(
        simulate({ seed: 5000 + rep, rounds: 10, endpoints: endpoints(10, 0) }),
        options(0.02),
      );
      if (result.verdict !== 'pass') fails++;
      unchanged += result.counts.unchanged;
      improved += result.counts.improvement;
      total += result.endpoints.length;
    }
    console.log(
      `A/A θ=2% (K=10, 10 rounds × 5 requests, ${reps} runs): runs not passing ${fails}/${reps}; ` +
        `endpoints unchanged ${(unchanged / total).toFixed(3)}, improvement ${(improved / total).toFixed(4)}, ` +
        `the rest inconclusive`,
    );
    expect(fails / reps).toBeLessThanOrEqual(ALPHA);
    // "improvement" needs the whole 95 % interval below −θ: a one-sided 2.5 % event at worst.
    expect(improved / total).toBeLessThanOrEqual(0.025 + 3 * mcse(0.025, total));
  });

  for (const rounds of [10, 20]) {
    it(`detects a +10 % regression (θ = 2 %) among 10 endpoints with ${rounds} rounds`, () => {
      const reps = 200;
      let detected = 0;
      let falseOthers = 0;
      for (let rep = 0; rep < reps; rep++) {
        const eps = endpoints(10, 0);
        eps[0] = { name: 'GET /slow', change: 0.1 };
        const result = analyze(
          simulate({ seed: 9000 + rep, rounds, endpoints: eps }),
          options(0.02),
        );
        const slow = result.endpoints.find((e) => e.endpoint === 'GET /slow')!;
        if (slow.verdict === 'regression') detected++;
        if (
          result.endpoints.some((e) => e.endpoint !== 'GET /slow' && e.verdict === 'regression')
        ) {
          falseOthers++;
        }
      }
      const power = detected / reps;
      console.log(
        `power: +10% regression detected ${power.toFixed(3)} (${detected}/${reps}, θ=2%, K=10, ${rounds} rounds × 5 requests); ` +
          `runs where another endpoint falsely failed ${falseOthers}/${reps}`,
      );
      expect(power).toBeGreaterThanOrEqual(rounds === 10 ? 0.65 : 0.75);
      expect(falseOthers / reps).toBeLessThanOrEqual(ALPHA + 3 * mcse(ALPHA, reps));
    });
  }

  it('three planned looks with alpha spending keep the false-fail rate ≤ α', () => {
    // Stop at the first look with a regression (or when nothing is inconclusive); true change = θ.
    const reps = 200;
    const plan = [10, 20, 40];
    let falseFails = 0;
    for (let rep = 0; rep < reps; rep++) {
      const full = simulate({ seed: 20000 + rep, rounds: 40, endpoints: endpoints(3, 0) });
      for (let look = 0; look < plan.length; look++) {
        const upTo = plan[look]!;
        const set = { ...full, samples: full.samples.filter((s) => s.round < upTo) };
        const result = analyze(set, options(0, { sequential: { plan, look } }));
        if (result.counts.regression > 0) {
          falseFails++;
          break;
        }
        if (result.counts.inconclusive === 0) break;
      }
    }
    const rate = falseFails / reps;
    console.log(
      `sequential (looks at 10/20/40 rounds, K=3): false-fail ${rate.toFixed(3)} (${falseFails}/${reps})`,
    );
    expect(rate).toBeLessThanOrEqual(ALPHA + 3 * mcse(ALPHA, reps));
  });
});
