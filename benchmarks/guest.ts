// npm run bench:guest [-- --rounds N]: the shop example on instructions in the emulated arm64
// guest (scripts/guest). An A/A run (perfgate calibrate: the after build against itself) gives
// each endpoint's noise, the SD of its per-round log ratio, and the change detectable with 90 %
// power; the A/B gate shows what is detected. A markdown table on stdout, progress on stderr.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasQemu, runGuest, shopConfig } from '../test/helpers/guest.js';

const args = process.argv.slice(2);
const at = args.indexOf('--rounds');
const rounds = at >= 0 ? Number(args[at + 1]) : 6;
if (
  args.includes('--help') ||
  !Number.isInteger(rounds) ||
  rounds < 2 ||
  args.length > (at >= 0 ? 2 : 0)
) {
  console.error('usage: npm run bench:guest [-- --rounds N]   (N >= 2, default 6)');
  process.exit(args.includes('--help') ? 0 : 2);
}
if (!hasQemu()) {
  console.error('bench:guest: qemu-system-aarch64 not found (apt-get install qemu-system-arm)');
  process.exit(2);
}

const out = mkdtempSync(join(tmpdir(), 'perfgate-bench-guest-'));
try {
  writeFileSync(join(out, 'shop.yml'), shopConfig(rounds));
  const started = performance.now();
  const { code } = await runGuest(
    [
      'node dist/cli.js calibrate --config /out/shop.yml --out /out/aa >/out/calibrate.yml || exit 2',
      'echo "guest: A/A done"',
      'node dist/cli.js run --config /out/shop.yml --out /out/ab --seed 1 >/out/gate.txt',
      'test $? -le 1',
    ].join('\n'),
    out,
    3600,
  );
  if (code !== 0) throw new Error(`the guest run failed (exit ${code})`);
  const wall = (performance.now() - started) / 1000;
  const noise = new Map<string, { noise: string; detectable: string }>();
  for (const line of readFileSync(join(out, 'calibrate.yml'), 'utf8').split('\n')) {
    const m = /^("[^"]+"):.*# noise ([\d.]+%), detectable ([\d.]+%)/.exec(line);
    if (m) noise.set(JSON.parse(m[1]!) as string, { noise: m[2]!, detectable: m[3]! });
  }
  const result = JSON.parse(readFileSync(join(out, 'ab/result.json'), 'utf8')) as {
    endpoints: { endpoint: string; verdict: string; change: { estimate: number } | null }[];
  };
  const pct = (c: (typeof result.endpoints)[number]['change']) => {
    const v = c?.estimate;
    return v === undefined ? 'n/a' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} %`;
  };
  console.log(`## Shop example on instructions, emulated arm64 PMU (${rounds} rounds)\n`);
  console.log(
    '| endpoint | A/A noise (SD of per-round log ratio) | detectable (90 % power) | A/B change | A/B verdict |',
  );
  console.log('|---|---|---|---|---|');
  for (const e of result.endpoints) {
    const n = noise.get(e.endpoint);
    console.log(
      `| ${e.endpoint} | ${n?.noise ?? 'n/a'} | ${n?.detectable ?? 'n/a'} | ${pct(e.change)} | ${e.verdict} |`,
    );
  }
  console.log(`\nGuest wall time for both runs: ${wall.toFixed(0)} s.`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
