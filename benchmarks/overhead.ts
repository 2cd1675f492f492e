// Harness overhead: the replay's measured pass (counter reads, deltas, samples written) against a
// bare kept-alive serial client, on the same server process, alternating in one run.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { silentLogger } from '../src/log.js';
import { Meter, type PreparedRequest } from '../src/replay/index.js';
import { SamplesWriter } from '../src/samples/index.js';
import { startTarget } from '../src/targets/index.js';

export interface Overhead {
  requests: number;
  reps: number;
  bareRps: number;
  replayRps: number;
  /** replayRps / bareRps: 1.0 means the measuring costs nothing. */
  ratio: number;
}

export async function measureOverhead(
  server: { start: string; cwd: string; env: NodeJS.ProcessEnv },
  requests: PreparedRequest[],
  events: string[],
  reps = 5,
  passes = 4,
): Promise<Overhead> {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-overhead-'));
  const writer = new SamplesWriter(join(dir, 'samples.jsonl'));
  const target = await startTarget(
    {
      build: 'after',
      cwd: server.cwd,
      start: server.start,
      env: server.env,
      readiness: { kind: 'http', path: '/healthz', timeoutMs: 30_000 },
      events,
      kernel: false,
      noAslr: false,
    },
    new AbortController().signal,
    silentLogger,
  );
  const meter = new Meter(target, writer);
  const client = meter.client;
  const n = requests.length * passes;
  try {
    for (let i = 0; i < 3; i++) for (const r of requests) await client.send(r); // warm up
    const bare: number[] = [];
    const measured: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      let t = performance.now();
      for (let p = 0; p < passes; p++) for (const r of requests) await client.send(r);
      bare.push(n / ((performance.now() - t) / 1000));
      t = performance.now();
      for (let p = 0; p < passes; p++) for (const r of requests) await meter.measure(r, rep + 1);
      writer.flush();
      measured.push(n / ((performance.now() - t) / 1000));
    }
    const bareRps = median(bare);
    const replayRps = median(measured);
    return { requests: n, reps, bareRps, replayRps, ratio: replayRps / bareRps };
  } finally {
    meter.close();
    writer.close();
    await target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
