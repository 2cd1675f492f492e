import { describe, expect, it } from 'vitest';
import { addBlock, isSteady, newWarmState } from '../../src/replay/steady.js';
import {
  BLOCKS,
  byEndpoint,
  passesPerBlock,
  requestsPerRound,
  roundSchedule,
  warmBlockSize,
} from '../../src/replay/schedule.js';
import type { PreparedRequest } from '../../src/replay/index.js';

describe('isSteady', () => {
  it('is false until there are two windows of three blocks', () => {
    expect(isSteady([1, 1, 1, 1, 1])).toBe(false);
    expect(isSteady([1, 1, 1, 1, 1, 1])).toBe(true);
  });

  it('sees a cost still falling as a drift, however long the series', () => {
    // Cost falls by 15 % per doubling of the requests: quarters always differ by more than 5 %.
    const drifting = Array.from({ length: 400 }, (_, i) => Math.pow(i + 1, -0.25));
    for (const n of [20, 100, 400]) expect(isSteady(drifting.slice(0, n))).toBe(false);
  });

  it('settles once the last quarter matches the one before, ignoring single outliers', () => {
    const warm = [9, 7, 5, 4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 30, 2, 2, 2, 2];
    expect(isSteady(warm)).toBe(true);
    expect(isSteady(warm.slice(0, 8))).toBe(false);
  });

  it('addBlock marks an endpoint settled only past the minimum requests', () => {
    const s = newWarmState();
    for (let i = 0; i < 6; i++) addBlock(s, 10, 100, 100);
    expect(s).toMatchObject({ requests: 60, settled: false });
    for (let i = 0; i < 4; i++) addBlock(s, 10, 100, 100);
    expect(s).toMatchObject({ requests: 100, settled: true });
    expect(s.blocks.every((b) => b === 10)).toBe(true);
  });
});

const req = (id: number, endpoint: string): PreparedRequest => ({
  id,
  endpoint,
  method: 'GET',
  path: `/${id}`,
  headers: {},
});

describe('round schedule', () => {
  const groups = byEndpoint([req(0, 'A'), req(1, 'B'), req(2, 'A'), req(3, 'C')]);

  it('groups requests by endpoint in first-seen order', () => {
    expect([...groups.keys()]).toEqual(['A', 'B', 'C']);
    expect(groups.get('A')!.map((r) => r.id)).toEqual([0, 2]);
  });

  it('repeats whole passes so every endpoint has at least the asked-for requests in 5 blocks', () => {
    expect(passesPerBlock(2, 80)).toBe(8);
    expect(passesPerBlock(17, 80)).toBe(1);
    expect(passesPerBlock(100, 80)).toBe(1);
    expect(Object.fromEntries(requestsPerRound(groups, 30))).toEqual({ A: 30, B: 30, C: 30 });
    const items = roundSchedule(groups, 30, 7);
    expect(items).toHaveLength(90);
    for (const id of [0, 1, 2, 3]) {
      const mine = items.filter((i) => i.req.id === id);
      // A has 2 requests: 3 passes per block; B and C have one: 6 per block.
      const perBlock = id === 0 || id === 2 ? 3 : 6;
      for (let b = 0; b < BLOCKS; b++) {
        expect(mine.filter((i) => i.block === b)).toHaveLength(perBlock);
      }
    }
  });

  it('mixes the endpoints in an order fixed by the seed', () => {
    const a = roundSchedule(groups, 30, 7).map((i) => `${i.req.id}:${i.block}`);
    expect(roundSchedule(groups, 30, 7).map((i) => `${i.req.id}:${i.block}`)).toEqual(a);
    expect(roundSchedule(groups, 30, 8).map((i) => `${i.req.id}:${i.block}`)).not.toEqual(a);
    // Not grouped: the first 30 items are not all one endpoint.
    expect(new Set(a.slice(0, 30).map((x) => x.split(':')[0])).size).toBeGreaterThan(1);
  });

  it('warm-up blocks are whole passes of 10 to 50 requests', () => {
    expect(warmBlockSize(1)).toBe(10);
    expect(warmBlockSize(3)).toBe(12);
    expect(warmBlockSize(17)).toBe(17);
    expect(warmBlockSize(80)).toBe(50);
  });
});
