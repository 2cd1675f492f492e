import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { RunResultSchema } from '../../src/analysis/result-schema.js';
import type { AnalysisOptions } from '../../src/analysis/types.js';
import type { Sample, SampleSet } from '../../src/samples/types.js';
import { GOLDEN_AFTER, GOLDEN_BEFORE, rel } from './fixtures.js';
import { endEvent, makeHeader, simulate } from './simulate.js';

const OPTIONS: AnalysisOptions = {
  thresholds: { default: 0.02, endpoints: {} },
  alpha: 0.05,
  confidence: 0.95,
  onInconclusive: 'pass',
};

/** The golden rounds as samples of one endpoint (3 requests × 10 rounds × 2 builds). */
function goldenSamples(endpoint = 'GET /api/items'): Sample[] {
  const samples: Sample[] = [];
  GOLDEN_BEFORE.forEach((row, round) =>
    row.forEach((value, request) => {
      samples.push({ endpoint, build: 'before', round, request, value, status: 200 });
      samples.push({
        endpoint,
        build: 'after',
        round,
        request,
        value: GOLDEN_AFTER[round]![request]!,
        status: 200,
      });
    }),
  );
  return samples;
}

function fullSet(samples: Sample[], extra: SampleSet['events'] = []): SampleSet {
  const endpoints = [...new Set(samples.map((s) => s.endpoint))].sort();
  return { header: makeHeader(endpoints, 10), samples, events: [...extra, endEvent(10)] };
}

describe('analyze: estimates', () => {
  it('reproduces the ratio of totals exactly from minimal samples (no header)', () => {
    const set = simulate({
      seed: 1,
      rounds: 6,
      minimal: true,
      endpoints: [
        { name: 'GET /a', change: 0.05 },
        { name: 'POST /b', change: 0 },
      ],
    });
    const result = analyze(set, OPTIONS);
    for (const name of ['GET /a', 'POST /b']) {
      const mine = set.samples.filter((s) => s.endpoint === name);
      const total = (b: string) =>
        mine.filter((s) => s.build === b).reduce((sum, s) => sum + s.value, 0);
      const e = result.endpoints.find((x) => x.endpoint === name)!;
      expect(e.change!.estimate).toBeCloseTo(total('after') / total('before') - 1, 14);
      expect(e.method).toBe('paired-rounds');
      expect(e.n).toEqual({ before: 30, after: 30, rounds: 6 });
    }
    expect(result.run.complete).toBe(true);
    expect(result.counter.name).toBe('value');
    expect(result.warnings).toContainEqual({
      code: 'no-header',
      message: 'no samples header: counter, seed and builds are unknown',
    });
    expect(RunResultSchema.safeParse(result).success).toBe(true);
  });

  it("judges a shard's endpoints in the whole workload's family (elsewhere: p = 1 in Holm)", () => {
    const alone = analyze(fullSet(goldenSamples()), OPTIONS).endpoints[0]!;
    const shard = analyze(fullSet(goldenSamples()), { ...OPTIONS, elsewhere: 4 }).endpoints[0]!;
    expect(shard.p).toBe(alone.p);
    // Five in the family: Holm's first step multiplies the smallest p by 5.
    expect(rel(shard.pAdjusted!, Math.min(1, 5 * alone.p!))).toBeLessThan(1e-12);
    // The gate's lower bound and the rounds asked for are those of a family of five.
    expect(shard.gateLow!).toBeLessThan(alone.gateLow!);
    expect(shard.moreRounds!).toBeGreaterThanOrEqual(alone.moreRounds!);
  });

  it('matches the R golden example end to end', () => {
    const result = analyze(fullSet(goldenSamples()), OPTIONS);
    const e = result.endpoints[0]!;
    // R: sum(B)/sum(A) - 1; exp(log(Rh) ± qt(0.975, 9)·se) - 1; pt(.., 9, lower.tail = FALSE)
    expect(rel(e.change!.estimate, 0.054420455614149654)).toBeLessThan(1e-9);
    expect(rel(e.change!.low, 0.0033060237236393064)).toBeLessThan(1e-9);
    expect(rel(e.change!.high, 0.10813896351508112)).toBeLessThan(1e-9);
    expect(rel(e.p!, 0.082548761494824915)).toBeLessThan(1e-9);
    expect(e.pAdjusted).toBe(e.p);
    // One endpoint: the gate bound is L(α) = L(0.05), R's 90 % lower bound.
    expect(rel(e.gateLow!, 0.012806295773343024)).toBeLessThan(1e-9);
    expect(e.verdict).toBe('inconclusive');
    expect(e.moreRounds).toBe(22);
    // wilcox.test(log(B/A), conf.int = TRUE)
    expect(rel(e.typical!.estimate, Math.expm1(0.036878118300687837))).toBeLessThan(1e-9);
    expect(e.before! * 30).toBeCloseTo(44584963, 6);
    expect(result.verdict).toBe('pass');
  });

  it('declares a regression when the one-sided test rejects at θ', () => {
    const result = analyze(fullSet(goldenSamples()), {
      ...OPTIONS,
      thresholds: { default: 0, endpoints: {} },
    });
    expect(result.endpoints[0]!.verdict).toBe('regression');
    expect(result.verdict).toBe('fail');
    expect(result.summary).toBe('1 regression: GET /api/items +5.4% (θ 0%)');
  });

  it('fails on inconclusive endpoints only when asked to', () => {
    const result = analyze(fullSet(goldenSamples()), { ...OPTIONS, onInconclusive: 'fail' });
    expect(result.verdict).toBe('fail');
    expect(result.summary).toMatch(/^1 inconclusive \(on-inconclusive: fail\): GET \/api\/items/);
  });

  it('gives reciprocal bounds when the builds are swapped', () => {
    const set = fullSet(goldenSamples());
    const swapped: SampleSet = {
      ...set,
      samples: set.samples.map((s) => ({ ...s, build: s.build === 'before' ? 'after' : 'before' })),
    };
    const a = analyze(set, OPTIONS).endpoints[0]!.change!;
    const b = analyze(swapped, OPTIONS).endpoints[0]!.change!;
    expect(Math.abs(1 + b.low - 1 / (1 + a.high))).toBeLessThan(1e-12);
    expect(Math.abs(1 + b.high - 1 / (1 + a.low))).toBeLessThan(1e-12);
    expect(Math.abs(1 + b.estimate - 1 / (1 + a.estimate))).toBeLessThan(1e-12);
  });

  it('is deterministic: same input, byte-identical JSON; sample order does not matter', () => {
    const set = simulate({
      seed: 5,
      rounds: 8,
      endpoints: [
        { name: 'GET /x', change: 0.03 },
        { name: 'GET /y', change: -0.1 },
      ],
    });
    const once = JSON.stringify(analyze(set, OPTIONS));
    expect(JSON.stringify(analyze(set, OPTIONS))).toBe(once);
    const reversed = { ...set, samples: [...set.samples].reverse() };
    expect(JSON.stringify(analyze(reversed, OPTIONS))).toBe(once);
  });
});

describe('analyze: verdicts', () => {
  const set = simulate({
    seed: 9,
    rounds: 20,
    endpoints: [
      { name: 'GET /api/slow', change: 0.15 },
      { name: 'GET /api/same', change: 0 },
      { name: 'GET /api/fast', change: -0.3 },
    ],
  });
  const result = analyze(set, { ...OPTIONS, thresholds: { default: 0.05, endpoints: {} } });
  const verdict = (name: string) => result.endpoints.find((e) => e.endpoint === name)!.verdict;

  it('labels a regression, an unchanged endpoint and an improvement', () => {
    expect(verdict('GET /api/slow')).toBe('regression');
    expect(verdict('GET /api/same')).toBe('unchanged');
    expect(verdict('GET /api/fast')).toBe('improvement');
    expect(result.counts).toEqual({
      regression: 1,
      improvement: 1,
      unchanged: 1,
      inconclusive: 0,
      error: 0,
    });
    expect(result.verdict).toBe('fail');
  });

  it('applies Holm across endpoints and a simultaneous gate bound', () => {
    const judged = result.endpoints.filter((e) => e.p !== null);
    expect(judged).toHaveLength(3);
    for (const e of judged) expect(e.pAdjusted!).toBeGreaterThanOrEqual(e.p!);
    const slow = result.endpoints.find((e) => e.endpoint === 'GET /api/slow')!;
    expect(slow.gateLow!).toBeGreaterThan(0.05);
    expect(slow.gateLow!).toBeLessThan(slow.change!.low);
  });

  it('fills every field and validates against the schema', () => {
    expect(RunResultSchema.parse(result)).toEqual(result);
    expect(result.summary.length).toBeLessThanOrEqual(140);
    expect(result.run).toMatchObject({ seed: 42, rounds: 20, complete: true, looks: 1 });
    expect(result.run.builds.before).toEqual({ ref: 'main', commit: 'a'.repeat(40) });
    const weights = result.endpoints.reduce((s, e) => s + e.weight, 0);
    expect(weights).toBeCloseTo(1, 12);
    expect(result.total).not.toBeNull();
  });

  it('weights the total by traffic share', () => {
    // All endpoints carry the same number of requests, so the total is the ratio of grand
    // totals per round; it must lie between the endpoints' changes.
    expect(result.total!.estimate).toBeGreaterThan(-0.3);
    expect(result.total!.estimate).toBeLessThan(0.15);
    const recorded = {
      ...set,
      header: {
        ...set.header!,
        workload: { ...set.header!.workload, weights: { 'GET /api/slow': 1 } },
      },
    };
    const onlySlow = analyze(recorded, {
      ...OPTIONS,
      thresholds: { default: 0.05, endpoints: {} },
    });
    const slow = onlySlow.endpoints.find((e) => e.endpoint === 'GET /api/slow')!;
    expect(onlySlow.total!.estimate).toBeCloseTo(slow.change!.estimate, 12);
  });
});

describe('analyze: thresholds', () => {
  it('uses an exact name first, then the first matching glob, then the default', () => {
    const names = ['GET /api/users', 'GET /api/users/:id', 'POST /api/users', 'GET /health'];
    const set = simulate({
      seed: 3,
      rounds: 5,
      endpoints: names.map((name) => ({ name, change: 0 })),
    });
    const result = analyze(set, {
      ...OPTIONS,
      thresholds: {
        default: 0.03,
        endpoints: {
          'GET /api/*': 0.05,
          'GET /api/**': 0.07,
          '* /api/**': 0.09,
          'GET /health': 0.2,
        },
      },
    });
    const pick = (name: string) => {
      const e = result.endpoints.find((x) => x.endpoint === name)!;
      return [e.threshold, e.thresholdSource];
    };
    expect(pick('GET /api/users')).toEqual([0.05, 'GET /api/*']);
    expect(pick('GET /api/users/:id')).toEqual([0.07, 'GET /api/**']);
    expect(pick('POST /api/users')).toEqual([0.09, '* /api/**']);
    expect(pick('GET /health')).toEqual([0.2, 'GET /health']);
  });

  it('rejects a negative threshold', () => {
    const set = simulate({ seed: 3, rounds: 3, endpoints: [{ name: 'GET /', change: 0 }] });
    expect(() =>
      analyze(set, { ...OPTIONS, thresholds: { default: -0.1, endpoints: {} } }),
    ).toThrow(RangeError);
  });
});

describe('analyze: errors fail closed', () => {
  it('marks an endpoint whose responses differ (mismatch events) as error', () => {
    const set = fullSet(goldenSamples(), [
      {
        kind: 'mismatch',
        endpoint: 'GET /api/items',
        request: 1,
        round: 2,
        before: 200,
        after: 500,
      },
      {
        kind: 'mismatch',
        endpoint: 'GET /api/items',
        request: 1,
        round: 3,
        before: 200,
        after: 500,
      },
      {
        kind: 'mismatch',
        endpoint: 'GET /api/items',
        request: 2,
        round: 3,
        before: 200,
        after: 404,
      },
    ]);
    const result = analyze(set, OPTIONS);
    const e = result.endpoints[0]!;
    expect(e.verdict).toBe('error');
    expect(e.warnings[0]).toMatch(/responses differ between builds for 2 requests/);
    expect(e.pAdjusted).toBeNull();
    expect(e.change).not.toBeNull(); // still shown, for diagnosis
    expect(result.verdict).toBe('error');
    expect(result.summary).toMatch(/^error: 1 endpoint could not be compared: GET \/api\/items/);
  });

  it('marks differing statuses on samples as error', () => {
    const samples = goldenSamples().map((s) =>
      s.build === 'after' && s.round === 4 && s.request === 0 ? { ...s, status: 500 } : s,
    );
    const e = analyze(fullSet(samples), OPTIONS).endpoints[0]!;
    expect(e.verdict).toBe('error');
    expect(e.warnings[0]).toMatch(/1 request .*request 0 in round 4: 200 before, 500 after/);
  });

  it('marks an endpoint with a target error as error', () => {
    const set = fullSet(goldenSamples(), [
      {
        kind: 'error',
        build: 'after',
        round: 3,
        message: 'exited with code 1',
        at: 'x',
        endpoint: 'GET /api/items',
      },
    ]);
    const result = analyze(set, OPTIONS);
    expect(result.endpoints[0]!.verdict).toBe('error');
    expect(result.endpoints[0]!.warnings[0]).toBe(
      'target error: after build, round 3: exited with code 1',
    );
    expect(result.verdict).toBe('error');
  });

  it('makes the run an error when a target fails outside any endpoint', () => {
    const set = fullSet(goldenSamples(), [
      { kind: 'error', build: 'before', round: 0, message: 'not ready after 30 s', at: 'x' },
    ]);
    const result = analyze(set, OPTIONS);
    expect(result.endpoints[0]!.verdict).not.toBe('error');
    expect(result.verdict).toBe('error');
    expect(result.warnings).toContainEqual({
      code: 'target-error',
      message: 'target error: before build, round 0: not ready after 30 s',
    });
  });

  it('makes an incomplete run an error', () => {
    const set = fullSet(goldenSamples());
    const cut = { ...set, events: [] };
    const result = analyze(cut, OPTIONS);
    expect(result.run.complete).toBe(false);
    expect(result.verdict).toBe('error');
    expect(result.summary).toBe('error: the run did not complete');
    const stopped = {
      ...set,
      events: [{ ...endEvent(4), complete: false, reason: 'time budget spent' }],
    };
    expect(analyze(stopped, OPTIONS).warnings).toContainEqual({
      code: 'incomplete',
      message: 'the run stopped early: time budget spent',
    });
  });

  it('marks an endpoint the workload named but nobody measured as error', () => {
    const set = fullSet(goldenSamples());
    set.header!.workload.endpoints.push('GET /missing');
    const e = analyze(set, OPTIONS).endpoints.find((x) => x.endpoint === 'GET /missing')!;
    expect(e.verdict).toBe('error');
    expect(e.warnings).toContain('no samples from the before build');
  });

  it('needs at least 2 complete rounds, and uses unpaired with fewer than 3', () => {
    const two = goldenSamples().filter((s) => s.round < 2);
    const result = analyze(fullSet(two), OPTIONS);
    expect(result.endpoints[0]!.method).toBe('unpaired');
    expect(result.endpoints[0]!.warnings[0]).toMatch(/unpaired analysis/);
    const one = goldenSamples().filter((s) => s.round < 1);
    const e = analyze(fullSet(one), OPTIONS).endpoints[0]!;
    expect(e.verdict).toBe('error');
    expect(e.warnings[0]).toMatch(/too few samples: 1 complete round/);
    const strict = analyze(fullSet(goldenSamples()), { ...OPTIONS, minRounds: 12 });
    expect(strict.endpoints[0]!.verdict).toBe('error');
  });

  it('drops rounds that lack a build and requests that lack a partner, with warnings', () => {
    const samples = goldenSamples().filter(
      (s) =>
        !(s.round === 7 && s.build === 'after') &&
        !(s.round === 2 && s.request === 1 && s.build === 'before'),
    );
    const e = analyze(fullSet(samples), OPTIONS).endpoints[0]!;
    expect(e.n.rounds).toBe(9);
    expect(e.warnings).toContain('dropped 1 round measured in only one build');
    expect(e.warnings).toContain(
      'left 1 request measured in only one build of a round out of the pairing',
    );
  });

  it('drops non-positive values and reports multiplexing', () => {
    const samples = goldenSamples();
    samples[0] = { ...samples[0]!, value: 0 };
    samples[5] = { ...samples[5]!, multiplexed: true };
    const result = analyze(fullSet(samples), OPTIONS);
    expect(result.endpoints[0]!.warnings).toContain(
      'dropped 1 sample with a non-positive or non-finite value',
    );
    expect(
      result.warnings.some(
        (w) =>
          w.code === 'multiplexed' &&
          w.message.startsWith('1 sample measured while the counter group was multiplexed'),
      ),
    ).toBe(true);
  });

  it('reports SE = 0 as exact and decides on the estimate', () => {
    const samples: Sample[] = [];
    for (let round = 0; round < 4; round++) {
      samples.push({ endpoint: 'GET /', build: 'before', round, request: 0, value: 1000 });
      samples.push({ endpoint: 'GET /', build: 'after', round, request: 0, value: 1100 });
    }
    const e = analyze(fullSet(samples), OPTIONS).endpoints[0]!;
    expect(e.method).toBe('exact');
    expect(e.verdict).toBe('regression');
    expect(e.warnings).toContain(
      'every round gave exactly the same ratio (no spread): decided on the estimate alone',
    );
  });
});

describe('analyze: sequential looks', () => {
  it('tests regressions at the alpha spent at this look', () => {
    const plan = [10, 20, 40];
    const base = { ...OPTIONS, thresholds: { default: 0, endpoints: {} } };
    // Golden example: p ≈ 0.0196 at θ = 0 — a regression at a single look, not at the first of three.
    const first = analyze(fullSet(goldenSamples()), { ...base, sequential: { plan, look: 0 } });
    expect(first.endpoints[0]!.verdict).toBe('inconclusive');
    expect(first.run).toMatchObject({ looks: 1, plannedRounds: 40 });
    expect(
      first.warnings.some((w) => w.message.startsWith('look 1 of 3 (10 of 40 planned rounds)')),
    ).toBe(true);
    const last = analyze(fullSet(goldenSamples()), { ...base, sequential: { plan, look: 2 } });
    expect(last.endpoints[0]!.verdict).toBe('regression');
    expect(() =>
      analyze(fullSet(goldenSamples()), { ...base, sequential: { plan, look: 3 } }),
    ).toThrow(RangeError);
  });
});
