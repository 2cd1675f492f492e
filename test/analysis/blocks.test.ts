// The median of block means per round, and the plain mean tested beside it.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/index.js';
import type { AnalysisOptions } from '../../src/analysis/types.js';
import type { Sample, SampleSet } from '../../src/samples/types.js';
import { createRandom } from '../../src/random.js';

const OPTIONS: AnalysisOptions = {
  thresholds: { default: 0.05, endpoints: {} },
  alpha: 0.05,
  confidence: 0.95,
  onInconclusive: 'pass',
};

/** R rounds × 5 blocks × `perBlock` requests per build; `cost` gives each request's value. */
function set(
  rounds: number,
  perBlock: number,
  cost: (build: 'before' | 'after', round: number, block: number, i: number) => number,
): SampleSet {
  const samples: Sample[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (let block = 0; block < 5; block++) {
      for (let i = 0; i < perBlock; i++) {
        for (const build of ['before', 'after'] as const) {
          samples.push({
            endpoint: 'GET /x',
            build,
            round,
            request: i,
            block,
            value: cost(build, round, block, i),
          });
        }
      }
    }
  }
  return { header: undefined, samples, events: [] };
}

describe('median of block means', () => {
  it('one window that caught unrelated work moves one block, not the round', () => {
    const random = createRandom(3);
    const noise = () => 1 + 0.02 * (random() - 0.5);
    const data = set(8, 16, (build, round, block, i) => {
      const base = (build === 'after' ? 1.2 : 1) * 1000 * noise();
      // A 40× spike in one request of one round of the before build only.
      return round === 2 && block === 3 && i === 5 && build === 'before' ? base + 40_000 : base;
    });
    const e = analyze(data, OPTIONS).endpoints[0]!;
    expect(e.estimator).toBe('median-of-means');
    expect(e.change!.estimate).toBeCloseTo(0.2, 2);
    expect(e.verdict).toBe('regression');
    // The plain mean sees the spike and is pulled down, with a far wider interval.
    expect(e.mean!.estimate).toBeLessThan(0.17);
    expect(e.mean!.high - e.mean!.low).toBeGreaterThan(5 * (e.change!.high - e.change!.low));
  });

  it('a rare slow path that the median hides still fails the gate through the mean', () => {
    // 1 request in 80 of the after build costs 30× (2 per round, always in the same two
    // blocks): the blocks' median sees nothing, the mean +72 %.
    const data = set(10, 16, (build, _round, block, i) =>
      build === 'after' && i === 0 && block < 2 ? 30_000 : 1000 * (1 + 0.001 * i),
    );
    const e = analyze(data, OPTIONS).endpoints[0]!;
    expect(Math.abs(e.change!.estimate)).toBeLessThan(0.01);
    expect(e.mean!.estimate).toBeGreaterThan(0.7);
    expect(e.verdict).toBe('regression');
    expect(e.warnings.join(' ')).toMatch(/mean and the median of block means differ/);
  });

  it('without blocks the round value is the mean, and no second estimate is reported', () => {
    const data = set(6, 4, (build) => (build === 'after' ? 1100 : 1000));
    for (const s of data.samples) delete s.block;
    const e = analyze(data, OPTIONS).endpoints[0]!;
    expect(e.estimator).toBe('mean');
    expect(e.mean).toBeUndefined();
    expect(e.change!.estimate).toBeCloseTo(0.1, 6);
  });
});
