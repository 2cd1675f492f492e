// Shard files made from one simulated run, as the shards of that run would have written them.

import type { ShardFile } from '../../src/merge/index.js';
import type { SampleSet } from '../../src/samples/types.js';
import { planShards } from '../../src/workload/index.js';
import { endEvent, simulate } from '../analysis/simulate.js';

export const ENDPOINTS = [
  { name: 'GET /api/products', change: 0, requests: 4 },
  { name: 'GET /api/products/:id', change: -0.5, requests: 6 },
  { name: 'GET /api/products/:id/reviews', change: 0.01, requests: 3 },
  { name: 'GET /api/search', change: 0.8, requests: 5 },
  { name: 'POST /api/orders', change: -0.01, requests: 2 },
];
const WEIGHTS = {
  'GET /api/products': 0.2,
  'GET /api/products/:id': 0.3,
  'GET /api/products/:id/reviews': 0.15,
  'GET /api/search': 0.25,
  'POST /api/orders': 0.1,
};

/** One unsharded run of 8 rounds, with the traffic weights a run records. */
export function whole(): SampleSet {
  const set = simulate({ seed: 18, rounds: 8, endpoints: ENDPOINTS });
  set.header!.workload.weights = WEIGHTS;
  return set;
}

/** The same samples as `count` shards would have written them: each shard its own endpoints. */
export function split(set: SampleSet, count: number): ShardFile[] {
  const requests = ENDPOINTS.flatMap((e) =>
    Array.from({ length: e.requests }, () => ({ endpoint: e.name })),
  );
  const plan = planShards(requests, count);
  return plan.shards.map((endpoints, i) => {
    const mine = new Set(endpoints);
    return {
      file: `shard-${i + 1}/samples.jsonl`,
      set: {
        header: {
          ...set.header!,
          workload: { ...set.header!.workload, endpoints },
          machine: { cpuModel: 'Test CPU', flags: ['avx2', 'sse4_2'] },
          shard: {
            index: i + 1,
            count,
            of: ENDPOINTS.map((e) => e.name),
            basis: 'requests',
            looks: [8],
          },
        },
        samples: set.samples.filter((s) => mine.has(s.endpoint)),
        events: [endEvent(8)],
      },
    };
  });
}

/** A sample set as the lines of a samples.jsonl file. */
export function toJsonl(set: SampleSet): string {
  const lines = [...(set.header ? [set.header] : []), ...set.samples, ...set.events];
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}
