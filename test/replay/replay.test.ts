import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InterruptedError, TargetError } from '../../src/errors.js';
import { memoryLogger } from '../../src/log.js';
import { liveGroups } from '../../src/proc/index.js';
import {
  replay,
  type ReplayPlan,
  type PreparedRequest,
  LocalClient,
  NonLocalRequestError,
} from '../../src/replay/index.js';
import { parseSamples, SamplesWriter } from '../../src/samples/index.js';
import { analyze } from '../../src/analysis/index.js';
import type { AnalysisOptions } from '../../src/analysis/types.js';
import type { Sample } from '../../src/samples/types.js';

const SERVER = join(import.meta.dirname, '..', 'fixtures', 'servers', 'basic.cjs');

function request(id: number, endpoint: string, path: string): PreparedRequest {
  return { id, endpoint, method: 'GET', path, headers: { accept: 'application/json' } };
}

const REQUESTS: PreparedRequest[] = [
  request(0, 'GET /work/small', '/work?n=1'),
  request(1, 'GET /work/small', '/work?n=1&v=2'),
  request(2, 'GET /work/big', '/work?n=60'),
  request(3, 'GET /work/big', '/work?n=60&v=2'),
  {
    id: 4,
    endpoint: 'POST /echo',
    method: 'POST',
    path: '/echo',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"a":1}'),
  },
];

const NO_WARMUP = { mode: 'fixed', requests: 0 } as const;

const ANALYSIS: AnalysisOptions = {
  thresholds: { default: 0.5, endpoints: {} },
  alpha: 0.05,
  confidence: 0.95,
  onInconclusive: 'pass',
};

function plan(env: Record<string, string> = {}, over: Partial<ReplayPlan> = {}): ReplayPlan {
  const target = {
    cwd: process.cwd(),
    start: `exec ${process.execPath} ${SERVER}`,
    env: { ...process.env, ...env },
    readiness: { kind: 'http' as const, path: '/healthz', timeoutMs: 5000 },
    events: ['task-clock', 'page-faults'],
    kernel: false,
    noAslr: false,
    stopGraceMs: 2000,
  };
  return {
    requests: REQUESTS,
    looks: [3],
    warmup: { mode: 'fixed', requests: 1 },
    requestsPerEndpoint: 1,
    maxDurationMs: 120_000,
    settleMs: 0,
    seed: 42,
    targets: { before: target, after: target },
    ...over,
  };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-replay-'));
  const path = join(dir, 'samples.jsonl');
  return { path, writer: new SamplesWriter(path) };
}

describe('replay', () => {
  it('measures every request in both builds in every round, interleaved in the same shuffled order', async () => {
    const { path, writer } = setup();
    const out = await replay(
      plan({ TOUCH: '/echo' }),
      writer,
      memoryLogger(),
      new AbortController().signal,
    );
    writer.close();
    expect(out).toMatchObject({ rounds: 3, complete: true });
    const set = parseSamples(readFileSync(path, 'utf8'), path);
    // Blocks of 8 requests, whole passes: each /work request 4 times per block, /echo 8 times;
    // 5 blocks per endpoint per round.
    expect(set.samples).toHaveLength(3 * 2 * 5 * 24);
    for (const round of [1, 2, 3]) {
      for (const build of ['before', 'after'] as const) {
        for (const block of [0, 1, 2, 3, 4]) {
          const ids = set.samples
            .filter((s) => s.round === round && s.build === build && s.block === block)
            .map((s) => s.request);
          expect([...ids].sort()).toEqual([
            0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4,
          ]);
        }
      }
      const order = (b: string) =>
        set.samples.filter((s) => s.round === round && s.build === b).map((s) => s.request);
      expect(order('before')).toEqual(order('after'));
    }
    // Consecutive samples are the same request on the two builds, the first build alternating.
    const firstRound = set.samples.filter((s) => s.round === 1);
    for (let k = 0; k < firstRound.length; k += 2) {
      expect(firstRound[k]!.request).toBe(firstRound[k + 1]!.request);
      expect(firstRound[k]!.build).toBe(k % 4 === 0 ? 'before' : 'after');
    }
    // ABBA: odd rounds start before first, even rounds after first.
    const rounds = set.events.filter((e) => e.kind === 'round');
    expect(rounds.map((e) => (e.kind === 'round' ? e.order[0] : ''))).toEqual([
      'before',
      'after',
      'before',
    ]);
    const s = set.samples[0] as Sample;
    expect(s.values).toHaveProperty('task-clock');
    expect(s.values).toHaveProperty('page-faults');
    expect(s.status).toBe(200);
    expect(set.samples.every((x) => x.value > 0 && x.value === x.values!['task-clock'])).toBe(true);
    // Each request's deltas are its own: /echo faults at least 17 pages each time (TOUCH), the
    // /work requests next to it far fewer. Page faults the server makes itself, not CPU time,
    // so no machine load blurs this.
    const faults = (e: string) =>
      set.samples.filter((x) => x.endpoint === e).map((x) => x.values!['page-faults']!);
    expect(Math.min(...faults('POST /echo'))).toBeGreaterThanOrEqual(17);
    for (const e of ['GET /work/small', 'GET /work/big']) {
      const sorted = faults(e).sort((a, b) => a - b);
      expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(17);
    }
    expect(set.events.at(-1)).toMatchObject({ kind: 'end', complete: true, rounds: 3 });
    expect(liveGroups()).toEqual([]);
  });

  it("repeats each endpoint's requests in whole passes until it has measure.requests, in 5 blocks", async () => {
    const { path, writer } = setup();
    await replay(
      plan({}, { looks: [1], warmup: NO_WARMUP, requestsPerEndpoint: 20 }),
      writer,
      memoryLogger(),
      new AbortController().signal,
    );
    writer.close();
    const set = parseSamples(readFileSync(path, 'utf8'), path);
    for (const build of ['before', 'after']) {
      const mine = set.samples.filter((s) => s.build === build);
      // Blocks of 8 requests in whole passes, 5 blocks: 40 requests per endpoint.
      for (const endpoint of ['GET /work/small', 'GET /work/big', 'POST /echo']) {
        const of = mine.filter((s) => s.endpoint === endpoint);
        expect(of).toHaveLength(40);
        for (const block of [0, 1, 2, 3, 4]) {
          expect(of.filter((s) => s.block === block)).toHaveLength(8);
        }
      }
      const ids = mine.map((s) => s.request);
      for (const id of [0, 1, 2, 3]) expect(ids.filter((i) => i === id)).toHaveLength(20);
    }
    // No warm-up asked for: each process reports none.
    const warmups = set.events.filter((e) => e.kind === 'warmup');
    expect(warmups).toHaveLength(2);
    for (const w of warmups) {
      expect(w.kind === 'warmup' && Object.values(w.endpoints).every((e) => e.requests === 0)).toBe(
        true,
      );
    }
  });

  it('warms every endpoint of each process until its cost settles, within the caps, and records it', async () => {
    const { path, writer } = setup();
    await replay(
      plan({}, { looks: [1], warmup: { mode: 'auto', min: 20, max: 60, maxTimeMs: 20_000 } }),
      writer,
      memoryLogger(),
      new AbortController().signal,
    );
    writer.close();
    const set = parseSamples(readFileSync(path, 'utf8'), path);
    const warmups = set.events.filter((e) => e.kind === 'warmup');
    expect(warmups.map((w) => w.kind === 'warmup' && w.build).sort()).toEqual(['after', 'before']);
    for (const w of warmups) {
      if (w.kind !== 'warmup') continue;
      expect(Object.keys(w.endpoints).sort()).toEqual([
        'GET /work/big',
        'GET /work/small',
        'POST /echo',
      ]);
      for (const e of Object.values(w.endpoints)) {
        // Blocks of 10 requests: at least the minimum, at most the cap's block.
        expect(e.requests).toBeGreaterThanOrEqual(20);
        expect(e.requests).toBeLessThanOrEqual(70);
        expect(typeof e.settled).toBe('boolean');
        if (e.requests < 60) expect(e.settled).toBe(true);
      }
    }
  });

  it('asks at each planned look whether to measure more rounds', async () => {
    const { writer } = setup();
    const looks: number[] = [];
    const out = await replay(
      plan({}, { looks: [2, 4, 6], warmup: NO_WARMUP }),
      writer,
      memoryLogger(),
      new AbortController().signal,
      {
        onLook: async (rounds) => {
          looks.push(rounds);
          return rounds < 4;
        },
      },
    );
    writer.close();
    expect(looks).toEqual([2, 4]);
    expect(out.rounds).toBe(4);
  });

  it('fails with the build named and its output when the server exits at start', async () => {
    const { writer } = setup();
    const err = await replay(
      plan({ MODE: 'exit-at-start' }),
      writer,
      memoryLogger(),
      new AbortController().signal,
    ).catch((e: unknown) => e);
    writer.close();
    expect(err).toBeInstanceOf(TargetError);
    expect((err as TargetError).message).toMatch(
      /^before build: server exited with code 3 before it was ready/,
    );
    expect((err as TargetError).message).toContain('fatal: cannot open database');
    expect(liveGroups()).toEqual([]);
  });

  it('times out a server that never gets ready, with a clear error', async () => {
    const { writer } = setup();
    const p = plan({ MODE: 'never-ready' });
    p.targets.before.readiness = { kind: 'http', path: '/healthz', timeoutMs: 800 };
    const err = await replay(p, writer, memoryLogger(), new AbortController().signal).catch(
      (e: unknown) => e,
    );
    writer.close();
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toContain(
      'before build: server was not ready after 1s: GET /healthz never answered (last: HTTP 503)',
    );
    expect((err as Error).message).toContain('listening on');
    expect(liveGroups()).toEqual([]);
  });

  it('reports a crash mid-round as an error and keeps the samples measured before it', async () => {
    const { path, writer } = setup();
    const p = plan();
    p.targets.after = {
      ...p.targets.after,
      env: { ...process.env, MODE: 'crash-after', CRASH_AFTER: '8' },
    };
    const err = await replay(
      { ...p, warmup: { mode: 'fixed', requests: 1 } },
      writer,
      memoryLogger(),
      new AbortController().signal,
    ).catch((e: unknown) => e);
    writer.close();
    expect(err).toBeInstanceOf(TargetError);
    expect((err as TargetError).build).toBe('after');
    expect((err as Error).message).toContain('crashing after 8 requests');
    const set = parseSamples(readFileSync(path, 'utf8'), path);
    // One warm-up request per endpoint (3), then 5 measured on after before it crashed.
    expect(set.samples.filter((s) => s.build === 'after')).toHaveLength(5);
    expect(set.samples.filter((s) => s.build === 'before').length).toBeGreaterThanOrEqual(5);
    expect(set.events).toContainEqual(
      expect.objectContaining({ kind: 'error', build: 'after', round: 1 }),
    );
    expect(set.events.at(-1)).toMatchObject({ kind: 'end', complete: false });
    expect(liveGroups()).toEqual([]);
  });

  it('stops on abort: targets killed, partial samples valid, InterruptedError', async () => {
    const { path, writer } = setup();
    const controller = new AbortController();
    const logger = memoryLogger();
    // Abort once the run is under way (its 10th sample), whatever the machine's speed.
    const write = writer.write.bind(writer);
    let measured = 0;
    writer.write = (line) => {
      write(line);
      if (!('kind' in line) && ++measured === 10) controller.abort('SIGINT');
    };
    const err = await replay(
      plan({}, { looks: [50], warmup: NO_WARMUP }),
      writer,
      logger,
      controller.signal,
    ).catch((e: unknown) => e);
    writer.close();
    expect(err).toBeInstanceOf(InterruptedError);
    expect(liveGroups()).toEqual([]);
    const set = parseSamples(readFileSync(path, 'utf8'), path);
    expect(set.samples.length).toBeGreaterThanOrEqual(10);
    expect(set.samples.length).toBeLessThan(50 * 2 * 5 * 24);
    expect(set.events.at(-1)).toMatchObject({
      kind: 'end',
      complete: false,
      reason: 'interrupted',
    });
  });

  it('flags responses whose status differs between builds', async () => {
    const { path, writer } = setup();
    const p = plan(
      {},
      {
        looks: [1],
        warmup: NO_WARMUP,
        requests: [request(0, 'GET /x', '/x'), request(1, 'GET /y', '/y')],
      },
    );
    // The after build answers /y with a 404: same request, different answer.
    p.targets.after = { ...p.targets.after, env: { ...process.env, NOT_FOUND: '/y' } };
    await replay(p, writer, memoryLogger(), new AbortController().signal);
    writer.close();
    const set = parseSamples(readFileSync(path, 'utf8'), path);
    expect(set.events.filter((e) => e.kind === 'mismatch')).toEqual([
      { kind: 'mismatch', endpoint: 'GET /y', request: 1, round: 1, before: 200, after: 404 },
    ]);
  });

  it.each([false, true])(
    'flags a different body with the same status only when comparing bodies (%s)',
    async (compareBodies) => {
      const { path, writer } = setup();
      const p = plan(
        {},
        {
          looks: [2],
          warmup: NO_WARMUP,
          compareBodies,
          requests: [request(0, 'GET /x', '/x'), request(1, 'GET /y', '/y')],
        },
      );
      p.targets.after = { ...p.targets.after, env: { ...process.env, ALTER_BODY: '/y' } };
      await replay(p, writer, memoryLogger(), new AbortController().signal);
      writer.close();
      const set = parseSamples(readFileSync(path, 'utf8'), path);
      const mismatches = set.events.filter((e) => e.kind === 'mismatch');
      if (!compareBodies) {
        expect(mismatches).toEqual([]);
        return;
      }
      expect(mismatches.map((m) => m.kind === 'mismatch' && m.round)).toEqual([1, 2]);
      expect(mismatches.slice(0, 1)).toEqual([
        {
          kind: 'mismatch',
          endpoint: 'GET /y',
          request: 1,
          round: 1,
          before: 200,
          after: 200,
          bodies: {
            before: expect.stringMatching(/^[0-9a-f]{16}$/),
            after: expect.stringMatching(/^[0-9a-f]{16}$/),
          },
        },
      ]);
      const bodies = (mismatches[0] as { bodies: { before: string; after: string } }).bodies;
      expect(bodies.before).not.toBe(bodies.after);
      // The analysis turns it into an error for that endpoint alone, saying what differed.
      const result = analyze(set, ANALYSIS);
      const y = result.endpoints.find((e) => e.endpoint === 'GET /y')!;
      expect(y.verdict).toBe('error');
      expect(y.warnings.join(' ')).toMatch(/status 200 from both, but different bodies/);
      expect(result.endpoints.find((e) => e.endpoint === 'GET /x')!.verdict).not.toBe('error');
    },
  );
});

describe('LocalClient', () => {
  it('refuses anything but a path on the local target', async () => {
    const client = new LocalClient(1);
    await expect(
      client.send({ method: 'GET', path: 'http://example.com/', headers: {} }),
    ).rejects.toBeInstanceOf(NonLocalRequestError);
    await expect(
      client.send({ method: 'GET', path: '//example.com/x', headers: {} }),
    ).rejects.toBeInstanceOf(NonLocalRequestError);
    client.close();
  });
});
