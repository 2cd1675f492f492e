// Booting the emulated arm64 guest (scripts/guest/guest.mjs) from tests and benchmarks.

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));

export function hasQemu(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v qemu-system-aarch64'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The shop example's config on instructions, with its paths as the guest sees the checkout.
 * `warmup` replaces the example's warm-up rule (a fixed count per endpoint), for CI's budget.
 */
export function shopConfig(rounds: number, warmup?: number): string {
  const cfg = parse(readFileSync(join(root, 'examples/shop/perfgate.yml'), 'utf8'));
  const shop = '/repo/examples/shop';
  cfg.workload = `${shop}/${cfg.workload}`;
  cfg.before.cwd = `${shop}/${cfg.before.cwd}`;
  cfg.after.cwd = `${shop}/${cfg.after.cwd}`;
  cfg.measure = {
    ...cfg.measure,
    counter: 'instructions',
    rounds,
    ...(warmup !== undefined ? { warmup } : {}),
  };
  // The verdicts are what the guest checks; the profiling pass would add minutes of emulation.
  cfg.explain = 'off';
  return stringify(cfg);
}

/** Runs `command` (sh -c, in /repo) in the guest with `out` at /out; its output is teed to stderr. */
export async function runGuest(
  command: string,
  out: string,
  timeoutS: number,
): Promise<{ code: number; log: string }> {
  const guest = spawn(
    process.execPath,
    [
      join(root, 'scripts/guest/guest.mjs'),
      '--out',
      out,
      '--timeout',
      String(timeoutS),
      '--',
      command,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const tee = (b: Buffer) => {
    log += b.toString();
    process.stderr.write(b);
  };
  guest.stdout.on('data', tee);
  guest.stderr.on('data', tee);
  const code = await new Promise<number>((resolve) => guest.once('close', (c) => resolve(c ?? -1)));
  return { code, log };
}
