// One interrupt policy (issue 13): whoever aborts the run (the action's signal watch, the CLI,
// a test) and whichever stage notices it, the run stops with the one InterruptedError that names
// the signal, never an InterruptedError wrapping another.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../src/errors.js';
import { memoryLogger } from '../src/log.js';
import { replay } from '../src/replay/index.js';
import { SamplesWriter } from '../src/samples/index.js';
import { runShell } from '../src/targets/index.js';

const reasons = [
  ['an InterruptedError (the action)', () => new InterruptedError('SIGINT')],
  ['a signal name', () => 'SIGINT'],
] as const;

async function caught(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe.each(reasons)('an abort with %s', (_what, reason) => {
  it('stops a build command as "interrupted by SIGINT"', async () => {
    const controller = new AbortController();
    const running = caught(() =>
      runShell(
        'after',
        'build',
        'sleep 30',
        process.cwd(),
        process.env,
        controller.signal,
        memoryLogger(),
      ),
    );
    setImmediate(() => controller.abort(reason()));
    const error = await running;
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).message).toBe('interrupted by SIGINT');
    expect((error as InterruptedError).signal).toBe('SIGINT');
  });

  it('stops the replay as "interrupted by SIGINT"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfgate-interrupt-'));
    const writer = new SamplesWriter(join(dir, 'samples.jsonl'));
    const controller = new AbortController();
    controller.abort(reason());
    const target = {
      cwd: dir,
      start: 'sleep 30',
      env: process.env,
      readiness: { kind: 'port' as const, timeoutMs: 1000 },
      events: ['task-clock'],
      kernel: false,
      noAslr: false,
    };
    const error = await caught(() =>
      replay(
        {
          requests: [],
          looks: [1],
          warmup: { mode: 'fixed', requests: 0 },
          requestsPerEndpoint: 1,
          maxDurationMs: 60_000,
          settleMs: 0,
          seed: 1,
          targets: { before: target, after: target },
        },
        writer,
        memoryLogger(),
        controller.signal,
      ),
    );
    writer.close();
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).message).toBe('interrupted by SIGINT');
  });
});
