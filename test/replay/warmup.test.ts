import { describe, expect, it } from 'vitest';
import type { Meter, PreparedRequest } from '../../src/replay/meter.js';
import { warmUp } from '../../src/replay/warmup.js';

const req = (endpoint: string, i: number): PreparedRequest => ({
  id: `${endpoint}-${i}`,
  endpoint,
  method: 'GET',
  path: `/${endpoint}/${i}`,
  headers: {},
});
const groups = new Map([
  ['a', [req('a', 0), req('a', 1)]],
  ['b', [req('b', 0)]],
]);

/**
 * A process whose requests cost less and less (as a JIT tiers up) until `warmAfter` requests
 * (per endpoint, or one figure for all), then the same. `uncounted` lists the endpoints of blocks sent unread.
 */
function fakeMeter(warmAfter: number | Record<string, number>) {
  const sent: string[] = [];
  const uncounted: string[] = [];
  const seen = new Map<string, number>();
  const meter = {
    async warmBlock(reqs: readonly PreparedRequest[], counted = true) {
      let cost = 0;
      for (const r of reqs) {
        const n = (seen.get(r.endpoint) ?? 0) + 1;
        seen.set(r.endpoint, n);
        sent.push(String(r.id));
        const after = typeof warmAfter === 'number' ? warmAfter : warmAfter[r.endpoint]!;
        cost += n <= after ? 100 + 100_000 / n : 100;
      }
      if (!counted) uncounted.push(reqs[0]!.endpoint);
      return counted ? cost : NaN;
    },
  } as unknown as Meter;
  return { meter, sent, uncounted };
}

describe('warmUp', () => {
  const policy = { mode: 'auto', min: 30, max: 2000, maxTimeMs: 60_000 } as const;

  it('warms the builds on the same requests until the slower one has settled', async () => {
    const quick = fakeMeter(0);
    const slow = fakeMeter(400);
    const [q, s] = await warmUp([quick.meter, slow.meter], groups, policy, Infinity, () => {});
    // Alone, the steady process settles at the minimum; here it waits for the other.
    const alone = await warmUp([fakeMeter(0).meter], groups, policy, Infinity, () => {});
    expect(alone[0]!.endpoints.a!.requests).toBeLessThan(100);
    expect(q!.endpoints.a!.requests).toBeGreaterThan(400);
    expect(q!.endpoints).toEqual(s!.endpoints);
    expect(s!.endpoints.a!.settled).toBe(true);
    expect(quick.sent).toEqual(slow.sent);
  });

  it('sends a fixed warm-up to every process alike', async () => {
    const x = fakeMeter(0);
    const y = fakeMeter(50);
    const fixed = { mode: 'fixed', requests: 25 } as const;
    const reports = await warmUp([x.meter, y.meter], groups, fixed, Infinity, () => {});
    for (const r of reports) {
      expect(r.endpoints).toEqual({
        a: { requests: 25, settled: null },
        b: { requests: 25, settled: null },
      });
    }
    expect(x.sent).toEqual(y.sent);
  });

  it('stops reading an endpoint that has settled everywhere, and keeps sending it', async () => {
    const x = fakeMeter({ a: 600, b: 0 });
    const [report] = await warmUp([x.meter], groups, policy, Infinity, () => {});
    expect(report!.endpoints.a!.settled).toBe(true);
    expect(report!.endpoints.b).toMatchObject({ settled: true });
    expect(report!.endpoints.b!.requests).toBeGreaterThan(500);
    expect(x.uncounted.length).toBeGreaterThan(10);
    expect(new Set(x.uncounted)).toEqual(new Set(['b']));
  });
});
