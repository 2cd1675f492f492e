// The flag matrix through runGate on the fixture server, whose behaviour environment variables
// choose: an env flag that makes one path six times the work (unmistakable, like the other e2e
// tests' 4×), and a header flag the server echoes in its body (so its delivery shows in bytes).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log.js';
import { runGate } from '../../src/pipeline.js';
import { parseSamples } from '../../src/samples/index.js';
import { BOTH, makeProject, QUICK } from '../pipeline/project.js';

const FLAGS = `flags:
  list:
    slow-heavy: { env: SLOWER, values: [":1", "/work/heavy:6"] }
    auth: { header: Authorization, values: [none, "Bearer flag"] }
`;

async function gate(config: string, out = 'out') {
  const p = makeProject(config);
  const outcome = await runGate({
    configPath: p.config,
    outDir: join(p.dir, out),
    logger: memoryLogger(),
    signal: new AbortController().signal,
    seed: 3,
  });
  return {
    outcome,
    set: parseSamples(readFileSync(outcome.samplesPath, 'utf8'), outcome.samplesPath),
  };
}

describe('the flag matrix in runGate', () => {
  it('charges the env flag with the path it slows, and delivers the header flag', async () => {
    const { outcome, set } = await gate(`${QUICK}${BOTH}${FLAGS}`);
    const { result } = outcome;
    // Before and after are the same build: the gate's own comparison finds nothing.
    expect(result.counts.regression).toBe(0);
    const [slow, auth] = result.flags!.flags;
    expect(slow!.flag).toBe('slow-heavy');
    expect(
      slow!.endpoints.filter((e) => e.verdict === 'regression').map((e) => e.endpoint),
    ).toEqual(['GET /work/heavy']);
    expect(auth!.counts.regression).toBe(0);
    expect(result.verdict).toBe('fail');
    expect(outcome.exitCode).toBe(1);
    expect(result.summary).toMatch(/^1 flag regression: flag slow-heavy: GET \/work\/heavy/);
    // The header reached the server: its body echoes it ("Bearer flag" for null: 9 bytes more).
    const bytes = (flag?: string) =>
      new Map(
        set.samples
          .filter((s) => s.endpoint === 'GET /work/light' && s.flag === flag)
          .map((s) => [s.request, s.bytes!]),
      );
    const plain = bytes(undefined);
    expect(plain.size).toBe(2);
    for (const [request, n] of bytes('auth')) expect(n).toBe(plain.get(request)! + 9);
    for (const [request, n] of bytes('slow-heavy')) expect(n).toBe(plain.get(request));
    expect(outcome.markdown).toContain('### Flags');
    expect(outcome.markdown).toMatch(
      /`slow-heavy` \(:1 → \/work\/heavy:6\) \| `GET \/work\/heavy`/,
    );
  });

  it('on-flag-regression: annotate reports the flag and passes the gate', async () => {
    const { outcome } = await gate(`${QUICK}${BOTH}${FLAGS}on-flag-regression: annotate\n`);
    expect(outcome.result.flags!.flags[0]!.counts.regression).toBe(1);
    expect(outcome.result.verdict).toBe('pass');
    expect(outcome.exitCode).toBe(0);
  });

  it('lists the flags the budget cannot afford, and stops measuring them', async () => {
    const config = `${QUICK.replace('rounds: 3', 'rounds: 3, max-duration: 1ms')}${BOTH}${FLAGS}`;
    const { outcome, set } = await gate(config);
    expect(set.events.find((e) => e.kind === 'flag-dropped')).toMatchObject({
      flags: ['slow-heavy', 'auth'],
      round: 2,
    });
    const flags = outcome.result.flags!.flags;
    expect(flags.map((f) => f.status)).toEqual(['not-afforded', 'not-afforded']);
    expect(flags[0]!.reason).toMatch(/max-duration/);
    expect(outcome.markdown).toContain('not measured: max-duration');
  });
});
