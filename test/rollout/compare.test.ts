// compareWindows on seeded, heavy-tailed windows: the shapes recorded production traffic has.

import { describe, expect, it } from 'vitest';
import type { AnalysisOptions } from '../../src/analysis/types.js';
import { createRandom, lomaxDeviate, normalDeviate, type Random } from '../../src/random.js';
import { pRegression, unpairedRatio } from '../../src/analysis/ratio.js';
import type { RecordedSample } from '../../src/rollout/read.js';
import { compareWindows } from '../../src/rollout/compare.js';

const OPTIONS: AnalysisOptions = {
  thresholds: { default: 0.05, endpoints: {} },
  alpha: 0.05,
  confidence: 0.95,
  onInconclusive: 'pass',
};

function sample(endpoint: string, value: number): RecordedSample {
  return {
    endpoint,
    value,
    counter: 'task-clock',
    unit: 'ns',
    status: 200,
    host: null,
    commit: null,
    time: 0,
    flags: {},
    file: 'w.jsonl',
    line: 1,
  };
}

/**
 * A window of one endpoint: lognormal body (σ 0.15) times `scale`; a `slow` share of requests
 * take a 5× path; `spikes` of them carry a neighbour's burst or a GC pause of Lomax(2.5) × 20 ms (finite variance, barely).
 */
function window(
  random: Random,
  n: number,
  { scale = 1, slow = 0, spikes = 0.02 }: { scale?: number; slow?: number; spikes?: number },
): RecordedSample[] {
  return Array.from({ length: n }, () => {
    let v = 1e6 * scale * Math.exp(0.15 * normalDeviate(random));
    if (random() < slow) v *= 5;
    if (random() < spikes) v += 2e7 * lomaxDeviate(random, 2.5);
    return sample('GET /api/search', v);
  });
}

const values = (xs: RecordedSample[]) => xs.map((s) => s.value);

describe('compareWindows on heavy-tailed windows', () => {
  it('flags a +20 % shift of every request that outliers hide from the mean', () => {
    let flagged = 0;
    let byMeanAlone = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const random = createRandom(seed);
      const before = window(random, 100, {});
      const after = window(random, 100, { scale: 1.2 });
      const e = compareWindows(before, after, OPTIONS).endpoints[0]!;
      if (e.verdict === 'regression') flagged++;
      const mean = unpairedRatio(values(before), values(after));
      if (pRegression(mean, 0.05) <= OPTIONS.alpha) byMeanAlone++;
    }
    expect(flagged).toBeGreaterThanOrEqual(38);
    // The mean's test alone, at the full α, finds far fewer.
    expect(byMeanAlone).toBeLessThan(30);
  });

  it('flags a rise in the share of slow requests that leaves the typical request alone', () => {
    let flagged = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const random = createRandom(1000 + seed);
      const result = compareWindows(
        window(random, 2000, { slow: 0.05, spikes: 0 }),
        window(random, 2000, { slow: 0.15, spikes: 0 }),
        OPTIONS,
      );
      const e = result.endpoints[0]!;
      expect(e.typical!.estimate).toBeLessThan(0.1);
      if (e.verdict === 'regression') flagged++;
    }
    // True change of the mean: (0.85 + 0.75) / (0.95 + 0.25) − 1 = +33 %.
    expect(flagged).toBe(40);
  });

  it('keeps false regressions at or below α when nothing changed', () => {
    let flagged = 0;
    const runs = 400;
    for (let seed = 1; seed <= runs; seed++) {
      const random = createRandom(5000 + seed);
      // At the threshold exactly: the hardest null for a one-sided test against +5 %.
      const result = compareWindows(
        window(random, 150, { slow: 0.1 }),
        window(random, 150, { slow: 0.1, scale: 1.05 }),
        OPTIONS,
      );
      if (result.endpoints[0]!.verdict === 'regression') flagged++;
    }
    // α = 5 %; 400 runs give a binomial SD of 1.1 pp, so 8 % is three SDs above it.
    expect(flagged / runs).toBeLessThanOrEqual(0.08);
  });
});
