import { describe, expect, it } from 'vitest';
import { analyze, analyzeWithFlags, flagSampleSet } from '../../src/analysis/index.js';
import { exitCodeFor } from '../../src/analysis/index.js';
import { createRandom } from '../../src/random.js';
import type { Sample, SampleSet, SamplesEvent, SamplesHeader } from '../../src/samples/index.js';
import { RunResultSchema } from '../../src/analysis/result-schema.js';

const ENDPOINTS = ['GET /x', 'GET /y'];
const ROUNDS = 8;

/**
 * A run with the flag matrix: before, after (search +0 %), and the after build with `costly`
 * (GET /x ×1.5) and with `quiet` (no change), every configuration in every round.
 */
function matrixRun(extraEvents: SamplesEvent[] = []): SampleSet {
  const random = createRandom(7);
  const noise = () => 1 + (random() - 0.5) * 0.04;
  const samples: Sample[] = [];
  const events: SamplesEvent[] = [];
  const configs: { build: 'before' | 'after'; flag?: string; factor: (e: string) => number }[] = [
    { build: 'before', factor: () => 1 },
    { build: 'after', factor: () => 1 },
    { build: 'after', flag: 'costly', factor: (e) => (e === 'GET /x' ? 1.5 : 1) },
    { build: 'after', flag: 'quiet', factor: () => 1 },
  ];
  for (let round = 1; round <= ROUNDS; round++) {
    events.push({ kind: 'round', round, order: ['before', 'after'], seed: round, at: '' });
    const drift = 1 + (random() - 0.5) * 0.1;
    for (const endpoint of ENDPOINTS) {
      for (let block = 0; block < 5; block++) {
        for (let request = 0; request < 4; request++) {
          for (const c of configs) {
            samples.push({
              endpoint,
              build: c.build,
              round,
              request: `${endpoint}#${request}`,
              block,
              value: 1_000_000 * drift * c.factor(endpoint) * noise(),
              ...(c.flag ? { flag: c.flag } : {}),
            });
          }
        }
      }
    }
    events.push({ kind: 'round-end', round, at: '', wallMs: 1000 });
  }
  events.push(...extraEvents);
  events.push({ kind: 'end', at: '', complete: true, rounds: ROUNDS, wallMs: 8000 });
  const header = {
    kind: 'header',
    version: 1,
    tool: { name: 'perfgate', version: 'test' },
    startedAt: '2026-12-01T00:00:00.000Z',
    counter: {
      name: 'instructions',
      unit: 'instructions',
      fallback: false,
      all: ['instructions'],
      kernel: false,
    },
    seed: 1,
    rounds: ROUNDS,
    warmup: 0,
    aslr: false,
    workload: {
      path: 'w.jsonl',
      requests: 8,
      endpoints: ENDPOINTS,
      sha256: '',
      weights: { 'GET /x': 0.5, 'GET /y': 0.5 },
    },
    builds: { before: { cwd: '/b', start: 's' }, after: { cwd: '/a', start: 's' } },
    flags: [
      { name: 'costly', delivery: 'file', from: 'false', to: 'true', source: 'file' },
      { name: 'quiet', delivery: 'env', from: 'off', to: 'on', source: 'config' },
    ],
  } satisfies SamplesHeader;
  return { header, samples, events };
}

const options = {
  thresholds: { default: 0.1, endpoints: {} },
  alpha: 0.05,
  confidence: 0.95,
  onInconclusive: 'pass' as const,
  onFlagRegression: 'fail' as const,
};

describe('analyzeWithFlags', () => {
  it('charges the costly flag with GET /x only, and nothing to the quiet flag', () => {
    const result = analyzeWithFlags(matrixRun(), options);
    expect(RunResultSchema.parse(result)).toEqual(result);
    // The gate's own comparison does not see the flags' samples.
    expect(result.counts.regression).toBe(0);
    expect(result.endpoints.every((e) => e.n.after === ROUNDS * 20)).toBe(true);
    const [costly, quiet] = result.flags!.flags;
    expect(costly!.flag).toBe('costly');
    expect(
      costly!.endpoints.filter((e) => e.verdict === 'regression').map((e) => e.endpoint),
    ).toEqual(['GET /x']);
    const x = costly!.endpoints.find((e) => e.endpoint === 'GET /x')!;
    expect(x.change!.estimate).toBeGreaterThan(0.4);
    expect(x.change!.estimate).toBeLessThan(0.6);
    expect(quiet!.counts.regression).toBe(0);
    expect(quiet!.counts.improvement).toBe(0);
    expect(result.verdict).toBe('fail');
    expect(result.summary).toContain('flag costly: GET /x');
    expect(result.summary).not.toContain('quiet');
    expect(exitCodeFor(result, 'fail')).toBe(1);
    // A flag's failure is its own setting's, not on-regression's.
    expect(exitCodeFor(result, 'annotate')).toBe(1);
  });

  it('puts every comparison in one Holm family', () => {
    const set = matrixRun();
    const result = analyzeWithFlags(set, options);
    expect(result.flags!.family).toBe(6);
    const alone = analyze(set, options);
    const costlyAlone = analyze(flagSampleSet(set, 'costly'), options);
    // Same raw p-values, larger family: the adjusted ones can only grow.
    result.endpoints.forEach((e, i) => {
      expect(e.p).toBe(alone.endpoints[i]!.p);
      expect(e.pAdjusted!).toBeGreaterThanOrEqual(alone.endpoints[i]!.pAdjusted!);
    });
    const joint = result.flags!.flags[0]!.endpoints;
    costlyAlone.endpoints.forEach((e, i) => {
      expect(joint[i]!.p).toBe(e.p);
      expect(joint[i]!.pAdjusted!).toBeGreaterThanOrEqual(e.pAdjusted!);
    });
    // Holm over the six raw p-values by hand: the smallest is multiplied by 6.
    const raw = [...result.endpoints, ...result.flags!.flags.flatMap((f) => f.endpoints)].map(
      (e) => e.p!,
    );
    const smallest = Math.min(...raw);
    const all = [...result.endpoints, ...result.flags!.flags.flatMap((f) => f.endpoints)];
    expect(all.find((e) => e.p === smallest)!.pAdjusted).toBeCloseTo(Math.min(1, 6 * smallest), 12);
  });

  it('with on-flag-regression: annotate reports the flag and passes', () => {
    const result = analyzeWithFlags(matrixRun(), { ...options, onFlagRegression: 'annotate' });
    expect(result.verdict).toBe('pass');
    expect(result.flags!.flags[0]!.counts.regression).toBe(1);
    expect(result.summary).toContain('annotated 1 flag regression');
    expect(exitCodeFor(result, 'fail')).toBe(0);
  });

  it('reports a flag the budget dropped as not afforded, and leaves it out of the family', () => {
    const dropped: SamplesEvent = {
      kind: 'flag-dropped',
      flags: ['quiet'],
      round: 2,
      reason: 'max-duration (1 min) cannot afford it',
    };
    const result = analyzeWithFlags(matrixRun([dropped]), options);
    const quiet = result.flags!.flags[1]!;
    expect(quiet.status).toBe('not-afforded');
    expect(quiet.reason).toContain('max-duration');
    expect(quiet.endpoints).toEqual([]);
    expect(result.flags!.family).toBe(4);
    expect(
      result.warnings.some((w) => w.message.includes('not measured within the budget (quiet)')),
    ).toBe(true);
  });

  it('is analyze unchanged for a run without flags', () => {
    const set = matrixRun();
    const plain: SampleSet = {
      header: { ...set.header!, flags: undefined },
      samples: set.samples.filter((s) => s.flag === undefined),
      events: set.events,
    };
    delete plain.header!.flags;
    expect(analyzeWithFlags(plain, options)).toEqual(analyze(plain, options));
  });

  it('an A/A of the flag plumbing: two flags that change nothing flag nothing', () => {
    const set = matrixRun();
    // Relabel `costly` samples with values of the at-defaults build: no flag changes anything.
    const atDefaults = new Map(
      set.samples
        .filter((s) => s.build === 'after' && !s.flag)
        .map((s) => [`${s.endpoint}|${s.round}|${s.request}|${s.block}`, s.value]),
    );
    const samples = set.samples.map((s) =>
      s.flag === 'costly'
        ? {
            ...s,
            value: atDefaults.get(`${s.endpoint}|${s.round}|${s.request}|${s.block}`)! * 1.001,
          }
        : s,
    );
    const result = analyzeWithFlags({ ...set, samples }, options);
    expect(result.verdict).toBe('pass');
    for (const f of result.flags!.flags) expect(f.counts.regression).toBe(0);
  });
});
