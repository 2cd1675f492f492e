import { describe, expect, it } from 'vitest';
import { addBlock, isSteady, newWarmState } from '../../src/replay/steady.js';
import {
  blocking,
  byEndpoint,
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

  it('repeats whole passes in blocks of at least 8 requests, at least 5 blocks, until it has the asked-for requests', () => {
    expect(blocking(2, 80)).toEqual({ passes: 4, blocks: 10 });
    expect(blocking(1, 80)).toEqual({ passes: 8, blocks: 10 });
    expect(blocking(17, 80)).toEqual({ passes: 1, blocks: 5 });
    expect(blocking(9, 30)).toEqual({ passes: 1, blocks: 5 });
    // One long pass: three blocks are enough for a median.
    expect(blocking(100, 80)).toEqual({ passes: 1, blocks: 3 });
    expect(Object.fromEntries(requestsPerRound(groups, 60))).toEqual({ A: 64, B: 64, C: 64 });
    const items = roundSchedule(groups, 60, 7);
    expect(items).toHaveLength(192);
    for (const id of [0, 1, 2, 3]) {
      const mine = items.filter((i) => i.req.id === id);
      // A has 2 requests: 4 passes per block; B and C have one: 8 per block; 8 blocks each.
      const perBlock = id === 0 || id === 2 ? 4 : 8;
      for (let b = 0; b < 8; b++) {
        expect(mine.filter((i) => i.block === b)).toHaveLength(perBlock);
      }
      expect(mine.filter((i) => i.block === 8)).toHaveLength(0);
    }
  });

  it('mixes the endpoints in an order fixed by the seed', () => {
    const a = roundSchedule(groups, 60, 7).map((i) => `${i.req.id}:${i.block}`);
    expect(roundSchedule(groups, 60, 7).map((i) => `${i.req.id}:${i.block}`)).toEqual(a);
    expect(roundSchedule(groups, 60, 8).map((i) => `${i.req.id}:${i.block}`)).not.toEqual(a);
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
