import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log.js';
import { UsageError } from '../../src/errors.js';
import { costsFromResult, parseShard, planShards, selectShard } from '../../src/workload/index.js';

const reqs = (counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([endpoint, n]) =>
    Array.from({ length: n }, () => ({ endpoint })),
  );

describe('parseShard', () => {
  it('reads i/n and refuses what is not a shard', () => {
    expect(parseShard('2/3')).toEqual({ ok: true, value: { index: 2, count: 3 } });
    expect(parseShard(' 1 / 1 ')).toEqual({ ok: true, value: { index: 1, count: 1 } });
    expect(parseShard('0/3')).toMatchObject({
      ok: false,
      message: 'the shard index must be 1 to 3, got 0',
    });
    expect(parseShard('4/3')).toMatchObject({
      ok: false,
      message: 'the shard index must be 1 to 3, got 4',
    });
    expect(parseShard('1/0')).toMatchObject({
      ok: false,
      message: 'the shard count must be 1 to 256, got 0',
    });
    expect(parseShard('1/300')).toMatchObject({ ok: false });
    expect(parseShard('2 of 3')).toMatchObject({
      ok: false,
      message: "expected i/n such as 2/3, got '2 of 3'",
    });
  });
});

describe('planShards', () => {
  const counts = {
    'GET /a': 30,
    'GET /b': 20,
    'GET /c': 10,
    'GET /d': 10,
    'GET /e': 5,
    'POST /f': 5,
  };

  it('puts every endpoint in exactly one shard, balancing request counts', () => {
    const plan = planShards(reqs(counts), 3);
    expect(plan.basis).toBe('requests');
    expect(plan.shards.flat().sort()).toEqual(Object.keys(counts).sort());
    // Longest first, each to the least loaded shard (ties to the lower index): 30 | 20+5 | 10+10+5.
    expect(plan.shards).toEqual([
      ['GET /a'],
      ['GET /b', 'GET /e'],
      ['GET /c', 'GET /d', 'POST /f'],
    ]);
    expect(plan.loads).toEqual([30, 25, 25]);
  });

  it('is the same whatever order the requests come in', () => {
    const forward = reqs(counts);
    expect(planShards([...forward].reverse(), 4)).toEqual(planShards(forward, 4));
  });

  it("balances by a previous result's cost per request when given, the median for unknown endpoints", () => {
    // /e is 40x costlier per request than /a: its 5 requests outweigh /a's 30.
    const balance = { 'GET /a': 1, 'GET /b': 1, 'GET /c': 1, 'GET /d': 1, 'GET /e': 40 };
    const plan = planShards(reqs(counts), 2, balance);
    expect(plan.basis).toBe('cost');
    expect(plan.shards[0]).toEqual(['GET /e']);
    expect(plan.loads).toEqual([200, 30 + 20 + 10 + 10 + 5]);
    expect(planShards(reqs(counts), 2, {}).basis).toBe('requests');
  });
});

describe('costsFromResult', () => {
  it("takes the mean of each endpoint's before and after cost", () => {
    const result = {
      endpoints: [
        { endpoint: 'GET /a', before: 100, after: 300 },
        { endpoint: 'GET /b', before: 50, after: null },
        { endpoint: 'GET /c', before: null, after: null },
      ],
    };
    expect(costsFromResult(result)).toEqual({ ok: true, value: { 'GET /a': 200, 'GET /b': 50 } });
    expect(costsFromResult({ verdict: 'pass' })).toMatchObject({ ok: false });
  });
});

describe('selectShard', () => {
  const workload = {
    requests: reqs({ 'GET /a': 3, 'GET /b': 2, 'GET /c': 1 }).map((r, id) => ({ ...r, id })),
    endpoints: ['GET /a', 'GET /b', 'GET /c'],
  };

  it("keeps this shard's requests in workload order and says what it took", () => {
    const logger = memoryLogger();
    const s = selectShard(workload, { index: 2, count: 2 }, logger);
    expect(s.endpoints).toEqual(['GET /b', 'GET /c']);
    expect(s.requests.map((r) => r.id)).toEqual([3, 4, 5]);
    expect(s.info).toEqual({ index: 2, count: 2, of: workload.endpoints, basis: 'requests' });
    expect(logger.lines[0]!.message).toBe(
      'shard 2/2: 2 of 3 endpoints, 3 of 6 requests (50 % of the expected requests)',
    );
  });

  it('refuses a shard left without endpoints', () => {
    expect(() => selectShard(workload, { index: 4, count: 4 }, memoryLogger())).toThrow(UsageError);
    expect(() => selectShard(workload, { index: 4, count: 4 }, memoryLogger())).toThrow(
      'shard 4/4 has no endpoint to measure: the workload has 3 endpoint(s)',
    );
  });
});
