// Time to analyse a large samples set: 1 million samples over 100 endpoints by default.

import { analyze } from '../src/analysis/index.js';
import { createRandom } from '../src/random.js';
import type { Sample, SampleSet } from '../src/samples/types.js';

export interface AnalysisSpeed {
  samples: number;
  endpoints: number;
  rounds: number;
  ms: number;
  samplesPerSecond: number;
}

export function syntheticSamples(
  total: number,
  endpoints: number,
  rounds: number,
  seed = 7,
): SampleSet {
  const random = createRandom(seed);
  const perCell = Math.max(1, Math.floor(total / (endpoints * rounds * 2)));
  const samples: Sample[] = [];
  for (let e = 0; e < endpoints; e++) {
    const endpoint = `GET /api/endpoint-${String(e).padStart(3, '0')}`;
    const base = 1e6 * (1 + (e % 10));
    for (let r = 1; r <= rounds; r++) {
      for (const build of ['before', 'after'] as const) {
        for (let i = 0; i < perCell; i++) {
          const noise = 1 + 0.02 * (random() - 0.5) + (random() < 0.02 ? random() : 0);
          samples.push({
            endpoint,
            build,
            round: r,
            request: i,
            value: Math.round(base * (1 + (i % 5) * 0.1) * noise),
          });
        }
      }
    }
  }
  return { header: undefined, samples, events: [] };
}

export function measureAnalysisSpeed(
  total = 1_000_000,
  endpoints = 100,
  rounds = 10,
): AnalysisSpeed {
  const set = syntheticSamples(total, endpoints, rounds);
  const t0 = performance.now();
  analyze(set, {
    thresholds: { default: 0.03, endpoints: {} },
    alpha: 0.05,
    confidence: 0.95,
    onInconclusive: 'pass',
  });
  const ms = performance.now() - t0;
  return {
    samples: set.samples.length,
    endpoints,
    rounds,
    ms,
    samplesPerSecond: set.samples.length / (ms / 1000),
  };
}
