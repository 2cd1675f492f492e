import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { calibrate } from '../../src/analysis/calibrate.js';
import { renderCalibrationYaml } from '../../src/report/calibration.js';
import type { Sample, SampleSet } from '../../src/samples/types.js';
import { simulate } from './simulate.js';

describe('calibrate (A/A)', () => {
  const names = ['GET /api/items', 'GET /api/items/:id', 'POST /api/cart', 'GET /health'];
  const set = simulate({
    seed: 77,
    rounds: 20,
    endpoints: names.map((name) => ({ name, change: 0 })),
  });
  const options = {
    thresholds: { default: 0.01, endpoints: { 'GET /health': 0.25 } },
    alpha: 0.05,
  };
  const rows = calibrate(set, options);

  it('measures noise as the SD of per-round log ratios', () => {
    const row = rows.find((r) => r.endpoint === 'POST /api/cart')!;
    const logs: number[] = [];
    for (let round = 0; round < 20; round++) {
      const sum = (build: string) =>
        set.samples
          .filter((s) => s.endpoint === 'POST /api/cart' && s.round === round && s.build === build)
          .reduce((t, s) => t + s.value, 0);
      logs.push(Math.log(sum('after') / sum('before')));
    }
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (logs.length - 1));
    expect(row.noise!).toBeCloseTo(sd, 12);
    expect(row.rounds).toBe(20);
    expect(Math.abs(row.observed!)).toBeLessThan(3 * sd);
  });

  it('computes the detectable change with 90 % power at α/K over the design rounds', () => {
    for (const row of rows) {
      // R: qt(1 - 0.05/4, 19) = 2.4334402113749709; qnorm(0.9) = 1.2815515655446008
      const want = Math.expm1(
        ((2.4334402113749709 + 1.2815515655446008) * row.noise!) / Math.sqrt(20),
      );
      expect(row.detectable!).toBeCloseTo(want, 12);
      expect(row.designRounds).toBe(20);
    }
  });

  it('suggests max(configured, detectable) rounded up to 0.5 %', () => {
    for (const row of rows) {
      expect(row.suggested).toBeGreaterThanOrEqual(row.configured);
      expect(row.suggested).toBeGreaterThanOrEqual(row.detectable!);
      expect(Math.round(row.suggested * 1000) % 5).toBe(0);
    }
    const health = rows.find((r) => r.endpoint === 'GET /health')!;
    expect(health).toMatchObject({
      configured: 0.25,
      configuredSource: 'GET /health',
      suggested: 0.25,
    });
    const items = rows.find((r) => r.endpoint === 'GET /api/items')!;
    expect(items.suggested).toBeGreaterThan(0.01);
    expect(items.suggested - items.detectable!).toBeLessThan(0.005);
  });

  it('plans for more rounds when asked, and keeps the configured value without noise', () => {
    const longer = calibrate(set, { ...options, rounds: 80 });
    longer.forEach((row, i) => expect(row.detectable!).toBeLessThan(rows[i]!.detectable!));
    const one: Sample[] = [
      { endpoint: 'GET /x', build: 'before', round: 0, request: 0, value: 10 },
      { endpoint: 'GET /x', build: 'after', round: 0, request: 0, value: 11 },
    ];
    const thin: SampleSet = { header: undefined, samples: one, events: [] };
    expect(calibrate(thin, options)[0]).toMatchObject({
      noise: null,
      detectable: null,
      suggested: 0.01,
    });
  });

  it('prints YAML that parses back to the suggestions, keys quoted', () => {
    const text = renderCalibrationYaml(rows);
    const parsed = parse(text) as Record<string, string>;
    expect(Object.keys(parsed)).toEqual(rows.map((r) => r.endpoint));
    // perfgate.yml takes thresholds as percentages: '6.5%'.
    rows.forEach((r) => {
      expect(parsed[r.endpoint]).toMatch(/^\d+(\.\d+)?%$/);
      expect(Number(parsed[r.endpoint]!.slice(0, -1)) / 100).toBeCloseTo(r.suggested, 12);
    });
    expect(text).toContain('"GET /api/items/:id": ');
  });

  it('with blocks, measures the noise of the median of block means, and the mean apart', () => {
    // Four rounds of three blocks of two requests; one block of one round caught a lump (×3).
    const samples: Sample[] = [];
    const ratio = [1.004, 0.996, 1.002, 0.998];
    for (let round = 0; round < 4; round++)
      for (const build of ['before', 'after'] as const)
        for (let block = 0; block < 3; block++)
          for (let request = 0; request < 2; request++) {
            const lump = round === 1 && build === 'after' && block === 0 ? 3 : 1;
            const value = 100 * (build === 'after' ? ratio[round]! : 1) * lump;
            samples.push({ endpoint: 'POST /o', build, round, request, block, value });
          }
    const [row] = calibrate({ header: undefined, samples, events: [] }, options);
    const logs = ratio.map((x) => Math.log(x));
    const mean = logs.reduce((a, b) => a + b, 0) / 4;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
    expect(row!.noise!).toBeCloseTo(sd, 12);
    expect(row!.meanNoise!).toBeGreaterThan(0.1);
    expect(renderCalibrationYaml([row!])).toContain('median of block means; plain mean');
  });
});
