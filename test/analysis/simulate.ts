// Seeded workloads shaped like stats.md §3.4: requests differ a lot in cost (lognormal σ = 0.8
// across requests), each execution has 2 % noise and a 5 % chance of a GC-like Lomax(2.5) tail,
// every round shares a 1 % drift plus a +2 % linear trend over the run, and each round replays
// the same requests to both builds.

import { createRandom, lomaxDeviate, normalDeviate } from '../../src/random.js';
import type { Sample, SampleSet, SamplesEvent, SamplesHeader } from '../../src/samples/types.js';

export interface SimEndpoint {
  name: string;
  /** True relative change of the after build (0.1 = +10 %). */
  change: number;
  /** Requests per round. */
  requests?: number;
  /** Median request cost. */
  scale?: number;
}

export interface SimOptions {
  seed: number;
  rounds: number;
  endpoints: SimEndpoint[];
  /** Counter for the header; default instructions. */
  counter?: SamplesHeader['counter'];
  /** Omit the header and events (the minimal form). */
  minimal?: boolean;
}

export const INSTRUCTIONS: SamplesHeader['counter'] = {
  name: 'instructions',
  unit: 'instructions',
  fallback: false,
  all: ['instructions', 'cycles'],
  kernel: false,
};

export const TASK_CLOCK: SamplesHeader['counter'] = {
  name: 'task-clock',
  unit: 'ns',
  fallback: true,
  reason: 'no PMU on this runner (perf_event_open instructions: ENOENT)',
  all: ['task-clock'],
  kernel: false,
};

export function makeHeader(
  endpoints: string[],
  rounds: number,
  counter: SamplesHeader['counter'] = INSTRUCTIONS,
): SamplesHeader {
  return {
    kind: 'header',
    version: 1,
    tool: { name: 'perfgate', version: '0.1.0' },
    startedAt: '2025-01-01T00:00:00.000Z',
    counter,
    seed: 42,
    rounds,
    warmup: 1,
    aslr: false,
    workload: { path: 'workload.jsonl', requests: 0, endpoints, sha256: '0'.repeat(64) },
    builds: {
      before: { cwd: '/tmp/before', ref: 'main', commit: 'a'.repeat(40), start: 'node server.js' },
      after: { cwd: '/tmp/after', commit: 'b'.repeat(40), start: 'node server.js' },
    },
    mode: 'a-b',
  };
}

export function endEvent(rounds: number): SamplesEvent {
  return { kind: 'end', at: '2025-01-01T00:10:00.000Z', complete: true, rounds, wallMs: 600000 };
}

export function simulate(options: SimOptions): SampleSet {
  const random = createRandom(options.seed);
  const samples: Sample[] = [];
  const costs = options.endpoints.map((e) =>
    Array.from(
      { length: e.requests ?? 5 },
      () => (e.scale ?? 1e6) * Math.exp(0.8 * normalDeviate(random)),
    ),
  );
  const execution = () => {
    const tail = random() < 0.05 ? 0.5 * lomaxDeviate(random, 2.5) : 0;
    return 1 + 0.02 * normalDeviate(random) + tail;
  };
  for (let round = 0; round < options.rounds; round++) {
    const drift =
      (1 + 0.01 * normalDeviate(random)) * (1 + (0.02 * round) / Math.max(1, options.rounds - 1));
    options.endpoints.forEach((e, k) => {
      costs[k]!.forEach((cost, request) => {
        for (const build of ['before', 'after'] as const) {
          const factor = build === 'after' ? 1 + e.change : 1;
          const value = Math.max(1, Math.round(cost * drift * factor * execution()));
          samples.push({ endpoint: e.name, build, round, request, value });
        }
      });
    });
  }
  if (options.minimal) return { header: undefined, samples, events: [] };
  return {
    header: makeHeader(
      options.endpoints.map((e) => e.name),
      options.rounds,
      options.counter,
    ),
    samples,
    events: [endEvent(options.rounds)],
  };
}
