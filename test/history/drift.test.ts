import { describe, expect, it } from 'vitest';
import { detectDrift, levelChange, TOTAL } from '../../src/history/drift.js';
import { eDivisive } from '../../src/history/edivisive.js';
import { renderDriftJson, renderDriftMarkdown, renderDriftText } from '../../src/history/render.js';
import { createRandom, normalDeviate } from '../../src/random.js';
import {
  commitOf,
  flatHistory,
  RAMP,
  STEP3_AT,
  STEP8_AT,
  steppedHistory,
  syntheticHistory,
} from './synthetic.js';

const ALL_TIME = { windowMs: 1e13 };

describe('E-divisive', () => {
  it('finds a mean shift at its index and nothing in white noise', () => {
    const random = createRandom(3);
    const shifted = Array.from(
      { length: 60 },
      (_, i) => (i >= 25 ? 1 : 0) + 0.3 * normalDeviate(random),
    );
    const options = { alpha: 0.01, permutations: 199, minSize: 3, seed: 1 };
    expect(eDivisive(shifted, options).map((c) => c.index)).toEqual([25]);
    const noise = Array.from({ length: 60 }, () => normalDeviate(random));
    expect(eDivisive(noise, options)).toEqual([]);
  });

  it('is reproducible: the same series and seed give the same p-values', () => {
    const random = createRandom(5);
    const series = Array.from(
      { length: 40 },
      (_, i) => (i >= 20 ? 0.8 : 0) + normalDeviate(random),
    );
    const options = { alpha: 0.05, permutations: 99, minSize: 3, seed: 9 };
    expect(eDivisive(series, options)).toEqual(eDivisive(series, options));
  });
});

describe('perfgate drift on a seeded history', () => {
  const report = detectDrift(steppedHistory(), ALL_TIME);
  const byName = (name: string) => report.endpoints.find((e) => e.name === name)!;

  it('finds exactly the +3 % and +8 % steps at their commits, and the ramp as one gradual change', () => {
    const search = byName('GET /api/search').changes;
    expect(search).toHaveLength(1);
    expect(search[0]).toMatchObject({
      kind: 'step',
      from: { commit: commitOf(17, STEP3_AT - 1) },
      to: { commit: commitOf(17, STEP3_AT) },
    });
    expect(search[0]!.size.low).toBeLessThan(0.03);
    expect(search[0]!.size.high).toBeGreaterThan(0.03);

    const items = byName('GET /api/items').changes;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'step', to: { commit: commitOf(17, STEP8_AT) } });
    expect(items[0]!.size.low).toBeLessThan(0.08);
    expect(items[0]!.size.high).toBeGreaterThan(0.08);

    const cart = byName('POST /api/cart').changes;
    expect(cart).toHaveLength(1);
    expect(cart[0]!.kind).toBe('gradual');
    expect(cart[0]!.from.index).toBeGreaterThanOrEqual(RAMP.from - 1);
    expect(cart[0]!.to.index).toBeLessThanOrEqual(RAMP.to + 1);
    expect(cart[0]!.size.estimate).toBeGreaterThan(0.04);

    // The total moves only where an endpoint did.
    for (const c of byName(TOTAL).changes) {
      const at = c.to.index;
      expect(at === STEP3_AT || at === STEP8_AT || (at >= RAMP.from && at <= RAMP.to + 1)).toBe(
        true,
      );
    }
  });

  it('the same on other seeds of the same design', () => {
    for (const seed of [18, 19, 20]) {
      const r = detectDrift(steppedHistory(seed), ALL_TIME);
      const at = (name: string) =>
        r.endpoints.find((e) => e.name === name)!.changes.map((c) => [c.kind, c.to.commit]);
      expect(at('GET /api/search')).toEqual([['step', commitOf(seed, STEP3_AT)]]);
      expect(at('GET /api/items')).toEqual([['step', commitOf(seed, STEP8_AT)]]);
      expect(at('POST /api/cart').map((c) => c[0])).toEqual(['gradual']);
    }
  });

  it('finds no change point in at most 5 of 100 flat histories', () => {
    let withFalse = 0;
    for (let s = 0; s < 100; s++) {
      const r = detectDrift(flatHistory(1000 + s), ALL_TIME);
      if (r.endpoints.some((e) => e.changes.length > 0)) withFalse++;
    }
    expect(withFalse).toBeLessThanOrEqual(5);
  });

  it('reports only changes in the window, and drift only for an increase above the threshold', () => {
    const runs = steppedHistory();
    // Window of a week ending just after the +8 % step.
    const now = runs[STEP8_AT + 3]!.date;
    const r = detectDrift(runs, { now });
    const recent = r.endpoints.flatMap((e) => e.changes.filter((c) => c.recent).map(() => e.name));
    expect(recent).toContain('GET /api/items');
    expect(recent).not.toContain('GET /api/search');
    expect(r.drift).toBe(true);
    expect(detectDrift(runs, { now, threshold: 0.1 }).drift).toBe(false);
    // Flat last week: no drift at the end of the history.
    expect(detectDrift(runs).drift).toBe(false);
  });

  it('reports the endpoints carrying most of the cost, and never mixes counters', () => {
    const runs = [
      ...syntheticHistory({
        runs: 10,
        seed: 4,
        noise: 0.005,
        counter: 'task-clock',
        endpoints: [{ name: 'GET /a', weight: 1, base: 1000 }],
      }).map((r) => ({ ...r, date: new Date(Date.parse(r.date) - 365 * 86400e3).toISOString() })),
      ...steppedHistory(),
    ];
    const r = detectDrift(runs, { costShare: 0.4 });
    expect(r.runs).toBe(96);
    expect(r.otherSeriesRuns).toBe(10);
    expect(r.endpoints.map((e) => e.name)).not.toContain('GET /a');
    // search carries 42 % of the newest run's weighted cost: alone it reaches 40 %.
    expect(r.endpoints.filter((e) => e.reported && e.name !== TOTAL)).toHaveLength(1);
  });

  it('renders text, markdown and JSON naming the commit range and size', () => {
    const runs = steppedHistory();
    const r = detectDrift(runs, { now: runs[STEP8_AT + 2]!.date });
    const range = `${commitOf(17, STEP8_AT - 1).slice(0, 12)}..${commitOf(17, STEP8_AT).slice(0, 12)}`;
    expect(renderDriftText(r)).toContain(range);
    expect(renderDriftText(r)).toMatch(
      /DRIFT: \d increases? whose whole interval is above \+2\.0 ?%/,
    );
    expect(renderDriftMarkdown(r)).toContain(
      `https://github.com/example/shop/compare/${commitOf(17, STEP8_AT - 1)}...${commitOf(17, STEP8_AT)}`,
    );
    const json = JSON.parse(renderDriftJson(r)) as {
      drift: boolean;
      endpoints: { points?: unknown }[];
    };
    expect(json.drift).toBe(true);
    expect(json.endpoints[0]!.points).toBeUndefined();
  });

  it('warns on task-clock histories', () => {
    const runs = flatHistory(3).map((r) => ({
      ...r,
      series: { ...r.series, counter: 'task-clock', unit: 'ns', fallback: true },
    }));
    expect(renderDriftText(detectDrift(runs))).toContain('WARNING: Measured with task-clock');
  });
});

describe('levelChange', () => {
  it('gives the ratio of the level means with an interval around it', () => {
    const c = levelChange([100, 101, 99, 100], [110, 111, 109, 110], 0.95);
    expect(c.estimate).toBeCloseTo(0.1, 10);
    expect(c.low).toBeLessThan(0.1);
    expect(c.high).toBeGreaterThan(0.1);
    expect(c.high - c.low).toBeLessThan(0.05);
  });
});
