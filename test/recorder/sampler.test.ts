import { describe, expect, it } from 'vitest';
import { Sampler } from '../../src/recorder/sampler.js';
import { createRandom } from '../../src/random.js';

interface Traffic {
  endpoint: string;
  url: string;
  share: number;
}

/** Drives a sampler as the recorder does; returns what was measured and the kept weights. */
function drive(
  sampler: Sampler,
  traffic: Traffic[],
  n: number,
  pick: () => number,
  tick: () => void = () => {},
) {
  const measured = new Map<string, number>();
  const weight = new Map<string, number>();
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    tick();
    let u = pick();
    const t = traffic.find((x) => (u -= x.share) < 0) ?? traffic[traffic.length - 1]!;
    seen.set(t.endpoint, (seen.get(t.endpoint) ?? 0) + 1);
    const decision = sampler.start('GET', t.url);
    if (decision === 0) continue;
    measured.set(t.endpoint, (measured.get(t.endpoint) ?? 0) + 1);
    const { keep, weight: w } = sampler.finish(t.endpoint, decision, 'GET', t.url);
    if (keep) weight.set(t.endpoint, (weight.get(t.endpoint) ?? 0) + w);
  }
  return { measured, weight, seen };
}

describe('recorder sampler', () => {
  it('measures only the rate when the floor is off', () => {
    const random = createRandom(1);
    const s = new Sampler({
      rate: 0.01,
      floor: { count: 0, periodMs: 60_000, probe: 0.1 },
      random,
    });
    const { measured } = drive(s, [{ endpoint: 'GET /a', url: '/a', share: 1 }], 100_000, random);
    expect(measured.get('GET /a')).toBeGreaterThan(800);
    expect(measured.get('GET /a')).toBeLessThan(1200);
  });

  it('stops measuring probes of a path whose endpoint has met its floor', () => {
    const random = createRandom(2);
    const floor = { count: 1, periodMs: 60_000, probe: 0.1 };
    const s = new Sampler({ rate: 0.01, floor, random, now: () => 0 });
    const { measured } = drive(
      s,
      [{ endpoint: 'GET /a', url: '/a?q=1', share: 1 }],
      100_000,
      random,
    );
    // The rate's ~1000 and the one probe that found the path; without the path memory the
    // discovery period measures ~11 % of requests (~11,000).
    expect(measured.get('GET /a')).toBeLessThan(1300);
    expect(measured.get('GET /a')).toBeGreaterThan(800);
  });

  it('still measures probes of paths it has not seen, and of endpoints below their floor', () => {
    const random = createRandom(3);
    let now = 0;
    const floor = { count: 1, periodMs: 1000, probe: 0.1 };
    const s = new Sampler({ rate: 0.001, floor, random, now: () => now });
    // Every path is new (an id in it): each probe is measured, as before.
    const ids = { i: 0 };
    const traffic = () => [{ endpoint: 'GET /u/:id', url: `/u/${ids.i++}`, share: 1 }];
    let measured = 0;
    for (let i = 0; i < 20_000; i++) {
      const t = traffic()[0]!;
      const d = s.start('GET', t.url);
      if (d !== 0) {
        measured++;
        s.finish(t.endpoint, d, 'GET', t.url);
      }
    }
    expect(measured).toBeGreaterThan(1500); // ~10 % probed while discovering
    // A rare endpoint on a repeated path is measured again in every period until kept.
    now = 0;
    const rare = drive(
      s,
      [
        { endpoint: 'GET /hot', url: '/hot', share: 0.999 },
        { endpoint: 'GET /rare', url: '/rare', share: 0.001 },
      ],
      200_000,
      random,
      () => (now += 1),
    );
    // 200 periods of 1000 requests, one /rare request each on average: most periods keep it.
    expect(rare.weight.get('GET /rare') ?? 0).toBeGreaterThan(0);
    expect(rare.measured.get('GET /rare')).toBeGreaterThan(10);
  });

  it('keeps weights that add up to the traffic, with the path memory on', () => {
    const random = createRandom(4);
    let now = 0;
    const floor = { count: 2, periodMs: 5000, probe: 0.1 };
    const s = new Sampler({ rate: 0.01, floor, random, now: () => now });
    const traffic = [
      { endpoint: 'GET /hot', url: '/hot', share: 0.9 },
      { endpoint: 'GET /warm', url: '/warm?x=1', share: 0.09 },
      { endpoint: 'GET /rare', url: '/rare', share: 0.01 },
    ];
    const { weight, seen } = drive(s, traffic, 300_000, random, () => (now += 1));
    for (const t of traffic) {
      const ratio = weight.get(t.endpoint)! / seen.get(t.endpoint)!;
      // Each kept record stands for the requests since the last one, 1 / its chance of being
      // measured each: the sums track traffic. /rare's ~30 rate records weigh 100 each, so its
      // sum is good to about ±20 %. (Before rate records taken while probing were weighed at
      // 1 / rate, every sum read 27–37 % high.)
      const slack = t.share > 0.05 ? 0.1 : 0.4;
      expect(ratio, t.endpoint).toBeGreaterThan(1 - slack);
      expect(ratio, t.endpoint).toBeLessThan(1 + slack);
    }
  });

  it('gives endpoints past maxEndpoints the rate alone, without failing on their probes', () => {
    const random = createRandom(5);
    const floor = { count: 1, periodMs: 60_000, probe: 0.1 };
    const s = new Sampler({ rate: 0.01, floor, random, now: () => 0, maxEndpoints: 2 });
    const traffic = ['a', 'b', 'c', 'd'].map((x) => ({
      endpoint: `GET /${x}`,
      url: `/${x}`,
      share: 0.25,
    }));
    const { weight, seen } = drive(s, traffic, 40_000, random);
    // Two endpoints are tracked (floor and weights); the others still get records at the rate,
    // each standing for 1 / rate requests.
    for (const t of traffic) {
      const w = weight.get(t.endpoint) ?? 0;
      expect(w / seen.get(t.endpoint)!).toBeGreaterThan(0.6);
      expect(w / seen.get(t.endpoint)!).toBeLessThan(1.4);
    }
  });
});
