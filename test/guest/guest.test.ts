// The hardware-counter path for real, in an emulated arm64 machine with a PMU (scripts/guest):
// perfgate probe selects instructions, the hardware-counter tests run and pass there, and the shop
// example's verdicts on instructions are what the example is built to show.
//
// Runs in CI (CI=true) and wherever PERFGATE_GUEST=1, and then a missing qemu fails instead of
// skipping; elsewhere, or with PERFGATE_GUEST=0, it is reported as skipped with the reason.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasQemu, runGuest, shopConfig } from '../helpers/guest.js';

const REQUESTED =
  process.env.PERFGATE_GUEST === '1' ||
  (process.env.CI === 'true' && process.env.PERFGATE_GUEST !== '0');
// Few rounds and a fixed warm-up of 200 requests per endpoint keep CI's guest part within its
// budget (emulation runs about 4× slower than guest time): the two changes are large on
// instructions. The warm-up rule itself is measured on instructions by npm run bench:guest.
const ROUNDS = Number(process.env.PERFGATE_GUEST_ROUNDS || 3);
const WARMUP = 200;

const SKIP_REASON = !REQUESTED
  ? 'set PERFGATE_GUEST=1 (or CI=true) to boot the emulated arm64 guest'
  : hasQemu()
    ? ''
    : 'qemu-system-aarch64 missing';

interface VitestJson {
  numFailedTests: number;
  testResults: {
    assertionResults: { ancestorTitles: string[]; title: string; status: string }[];
  }[];
}

interface Endpoint {
  endpoint: string;
  verdict: string;
}

describe.skipIf(!REQUESTED)(`arm64 guest with a PMU (${SKIP_REASON || 'qemu'})`, () => {
  let out = '';
  let code = -1;
  let log = '';
  const read = (f: string) => readFileSync(join(out, f), 'utf8');

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'perfgate-guest-test-'));
    if (!hasQemu()) return;
    writeFileSync(join(out, 'shop.yml'), shopConfig(ROUNDS, WARMUP));
    ({ code, log } = await runGuest('sh scripts/guest/suite.sh', out, 1500));
  }, 1_800_000);

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('has qemu-system-aarch64 (apt-get install qemu-system-arm)', () => {
    expect(hasQemu()).toBe(true);
  });

  it('boots the guest and runs the suite there', () => {
    expect(code, log.slice(-4000)).toBe(0);
  });

  it('perfgate probe in the guest selects instructions, with the linux-arm64 prebuilt', () => {
    const probe = JSON.parse(read('probe.json'));
    expect(read('probe.rc').trim()).toBe('0');
    expect(probe.selected).toBe('instructions');
    expect(probe.events.instructions).toEqual({ ok: true });
    expect(JSON.stringify(probe)).toContain('dist/native/linux-arm64/perfgate.node');
  });

  it('runs and passes every hardware-counter test there, none skipped', () => {
    const crashes = read('vitest-crashes').trim();
    if (crashes) console.info(`the test runner was restarted in the guest:\n${crashes}`);
    expect(read('vitest.rc').trim()).toBe('0');
    const report = JSON.parse(read('vitest.json')) as VitestJson;
    const all = report.testResults.flatMap((f) => f.assertionResults);
    const hardware = all.filter((t) => t.ancestorTitles.some((a) => a.startsWith('hardware')));
    const failed = all.filter((t) => t.status === 'failed').map((t) => t.title);
    expect(failed).toEqual([]);
    expect(report.numFailedTests).toBe(0);
    // counters.test.ts's 2 and hardware.test.ts's 5.
    expect(hardware.length).toBeGreaterThanOrEqual(7);
    expect(hardware.filter((t) => t.status !== 'passed')).toEqual([]);
  });

  it('gates the shop example on instructions: search regressed, product pages improved', () => {
    const result = JSON.parse(read('shop/result.json'));
    const byName = new Map<string, Endpoint>(
      (result.endpoints as Endpoint[]).map((e) => [e.endpoint, e]),
    );
    expect(read('shop.rc').trim()).toBe('1'); // on-regression: fail
    expect(result.counter).toMatchObject({ name: 'instructions', fallback: false });
    expect(result.verdict).toBe('fail');
    expect(byName.get('GET /api/search')?.verdict).toBe('regression');
    expect(byName.get('GET /api/products/:id')?.verdict).toBe('improvement');
  });
});
