import { describe, expect, it } from 'vitest';
import { adaptRequest, affordableFlags, measureOrder } from '../../src/replay/flags.js';

describe('measureOrder', () => {
  it('gives each process each position equally often over a cycle of 2n requests', () => {
    const items = ['b', 'a', 'f1', 'f2'];
    const positions = new Map(items.map((i) => [i, [0, 0, 0, 0]]));
    for (let k = 0; k < 8; k++) {
      const order = measureOrder(items, k);
      expect([...order].sort()).toEqual([...items].sort());
      order.forEach((item, p) => positions.get(item)![p]!++);
    }
    for (const counts of positions.values()) expect(counts).toEqual([2, 2, 2, 2]);
  });
});

describe('affordableFlags', () => {
  it('keeps every flag while the budget lasts, and as many as fit when it does not', () => {
    // 4 processes per round (2 flags), 40 s a round: 10 s a process.
    expect(
      affordableFlags({ flags: 2, roundMs: 40_000, roundsLeft: 9, budgetLeftMs: 900_000 }),
    ).toBe(2);
    // 9 rounds left in 300 s: 33 s a round, 3 processes: one flag.
    expect(
      affordableFlags({ flags: 2, roundMs: 40_000, roundsLeft: 9, budgetLeftMs: 300_000 }),
    ).toBe(1);
    expect(
      affordableFlags({ flags: 2, roundMs: 40_000, roundsLeft: 9, budgetLeftMs: 100_000 }),
    ).toBe(0);
    expect(affordableFlags({ flags: 3, roundMs: 40_000, roundsLeft: 0, budgetLeftMs: 0 })).toBe(3);
  });
});

describe('adaptRequest', () => {
  it('adds the header and query flags to a copy, once per request', () => {
    const adapt = adaptRequest({ 'X-Beta': '1' }, { compact: 'on' });
    const req = { id: 1, endpoint: 'GET /a', method: 'GET', path: '/a?x=1', headers: { A: 'b' } };
    const out = adapt(req);
    expect(out).toEqual({ ...req, path: '/a?x=1&compact=on', headers: { A: 'b', 'X-Beta': '1' } });
    expect(adapt(req)).toBe(out);
    expect(req.path).toBe('/a?x=1');
    const plain = adaptRequest({}, {});
    expect(plain(req)).toBe(req);
  });
});
