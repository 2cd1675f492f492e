// The flag matrix end to end on a copy of the shop example: the matrix follows the service's own
// flag file, so a flag added there is measured by the next run with no change to perfgate.yml,
// and each configuration's process really runs with its flag flipped.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../src/log.js';
import { runGate } from '../../src/pipeline.js';
import { parseSamples } from '../../src/samples/index.js';

const shop = fileURLToPath(new URL('../../examples/shop/', import.meta.url));

// Short and fixed: what is tested is who is measured, not what it costs.
const CONFIG = `workload: workload.jsonl
before: { cwd: before, start: node server.js }
after: { cwd: after, start: node server.js }
ready: { path: /healthz, timeout: 30s }
measure: { rounds: 2, max-rounds: 2, warmup: 0, requests: 8 }
thresholds: { default: 50% }
flags: { from: after/flags.json, path-env: SHOP_FLAGS_FILE }
`;

function copyShop(): string {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-shop-flags-'));
  for (const part of ['before', 'after', 'lib', 'workload.jsonl', 'package.json']) {
    cpSync(join(shop, part), join(dir, part), { recursive: true });
  }
  writeFileSync(join(dir, 'perfgate.yml'), CONFIG);
  return dir;
}

async function gate(dir: string, out: string) {
  const outcome = await runGate({
    configPath: join(dir, 'perfgate.yml'),
    outDir: join(dir, out),
    logger: memoryLogger(),
    signal: new AbortController().signal,
    seed: 1,
  });
  const set = parseSamples(readFileSync(outcome.samplesPath, 'utf8'), outcome.samplesPath);
  return { outcome, set };
}

// Each gate run starts 4-5 shop processes a round on a 2-core machine: allow minutes.
const SLOW = 240_000;

describe('the flag matrix on the shop', () => {
  let dir = '';
  let first: Awaited<ReturnType<typeof gate>>;
  beforeAll(async () => {
    dir = copyShop();
    first = await gate(dir, 'out1');
  }, SLOW);

  it(
    'measures a flag added to the flag file in the next run, with no change to perfgate.yml',
    async () => {
      const config = readFileSync(join(dir, 'perfgate.yml'), 'utf8');
      expect(first.outcome.result.flags!.flags.map((f) => f.flag)).toEqual([
        'review-sentiment',
        'checkout-banner',
      ]);

      const file = join(dir, 'after', 'flags.json');
      const flags = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...flags, 'gift-wrap': false }, null, 2));
      const second = await gate(dir, 'out2');
      expect(readFileSync(join(dir, 'perfgate.yml'), 'utf8')).toBe(config);

      const result = second.outcome.result;
      expect(result.flags!.flags.map((f) => [f.flag, f.status, f.from, f.to, f.source])).toEqual([
        ['review-sentiment', 'measured', 'false', 'true', 'file'],
        ['checkout-banner', 'measured', 'false', 'true', 'file'],
        ['gift-wrap', 'measured', 'false', 'true', 'file'],
      ]);
      const gift = result.flags!.flags[2]!;
      expect(gift.endpoints.map((e) => e.endpoint)).toEqual(
        result.endpoints.map((e) => e.endpoint),
      );
      expect(gift.rounds).toBe(2);
      // Every (flag, endpoint) comparison is in the family with the gate's own.
      expect(result.flags!.family).toBe(result.endpoints.length * 4);
      expect(second.set.header!.flags!.map((f) => f.name)).toContain('gift-wrap');
      expect(second.set.samples.some((s) => s.flag === 'gift-wrap')).toBe(true);
      // The report names it.
      expect(second.outcome.markdown).toContain('### Flags');
      expect(second.outcome.markdown).toContain('`gift-wrap`');
    },
    SLOW,
  );

  it('hands each configuration its own flag: checkout-banner orders carry the banner', () => {
    const { set } = first;
    const bytes = (flag: string | undefined) =>
      set.samples
        .filter((s) => s.endpoint === 'POST /api/orders' && s.status === 201 && s.flag === flag)
        .map((s) => `${s.request}:${s.bytes}`);
    const atDefaults = new Map(bytes(undefined).map((x) => x.split(':') as [string, string]));
    const banner = bytes('checkout-banner').map((x) => x.split(':') as [string, string]);
    const sentiment = bytes('review-sentiment').map((x) => x.split(':') as [string, string]);
    expect(banner.length).toBeGreaterThan(0);
    // The banner adds the same bytes to every confirmation; the other flag leaves orders alone.
    const added = 'banner'.length + 'Free delivery on your next order'.length + 6;
    for (const [request, n] of banner)
      expect(Number(n) - Number(atDefaults.get(request))).toBe(added);
    for (const [request, n] of sentiment) expect(n).toBe(atDefaults.get(request));
    // Before and after at defaults answer the same bytes: the flag files did not leak into them.
    const before = set.samples.filter(
      (s) => s.build === 'before' && s.endpoint === 'POST /api/orders',
    );
    for (const s of before) {
      if (s.status === 201) expect(String(s.bytes)).toBe(atDefaults.get(String(s.request)));
    }
  });
});
