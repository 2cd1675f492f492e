// Detection power on the simulated counter (Valgrind's Callgrind), where no PMU is needed: full
// gate runs (runGate, the simulated counter's default budget) on the synthetic service at a 1 %
// threshold, A/A and `b` regressed ×1.02, interleaved. Also what reading the counter costs: the
// share of each round's wall time spent in vgdb reads, and the time per read.
//
//   npm run bench:simulated [-- --aa 20 --ab 10 --multipliers 1.02 --threshold 1%] [--quick]
//
// Figures go to benchmarks/results/<date>-simulated.json, the markdown report to stdout.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { probeValgrind } from '../src/counters/simulated.js';
import { silentLogger } from '../src/log.js';
import { runGate } from '../src/pipeline.js';
import { readSamples } from '../src/samples/index.js';
import { median } from './detection.js';
import { REGRESSED, serverEnv, writeConfig } from './synthetic.js';

interface Run {
  multiplier: number;
  verdict: string;
  /** Endpoints flagged as regressions. */
  regressions: string[];
  b: { verdict: string; change: number | null; low: number | null; high: number | null };
  rounds: number;
  wallMs: number;
  /** Σ over rounds: wall time, and time in counter reads (the slower build's). */
  roundsMs: number;
  readsMs: number;
  reads: number;
}

const { values } = parseArgs({
  options: {
    aa: { type: 'string' },
    ab: { type: 'string' },
    multipliers: { type: 'string' },
    threshold: { type: 'string' },
    quick: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    'usage: npm run bench:simulated [-- --aa N --ab N --multipliers 1.02,1.05 --threshold 1%] [--quick]',
  );
  process.exit(0);
}
const valgrind = probeValgrind();
if (!valgrind.ok) {
  console.error(`perfgate bench: ${valgrind.reason}; ${valgrind.hint}`);
  process.exit(2);
}
const valgrindVersion = valgrind.version;
const aaRuns = Number(values.aa ?? (values.quick ? 3 : 20));
const abRuns = Number(values.ab ?? (values.quick ? 3 : 10));
const multipliers = (values.multipliers ?? '1.02').split(',').map(Number);
const threshold = values.threshold ?? '1%';

const started = performance.now();
const log = (line: string) =>
  console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);
const controller = new AbortController();
// Ctrl-C or a kill stops the gate run in progress, which stops its servers (Valgrind included).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => controller.abort(signal));
}

async function gateRun(multiplier: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-bench-sim-'));
  try {
    const configPath = writeConfig(dir, multiplier, [
      'measure: { counter: simulated }',
      `thresholds: { default: ${threshold} }`,
    ]);
    const t0 = performance.now();
    const outcome = await runGate({
      configPath,
      outDir: join(dir, 'out'),
      logger: silentLogger,
      signal: controller.signal,
      env: serverEnv(),
    });
    const wallMs = performance.now() - t0;
    const set = await readSamples(outcome.samplesPath);
    let roundsMs = 0;
    let readsMs = 0;
    let reads = 0;
    for (const e of set.events) {
      if (e.kind !== 'round-end') continue;
      roundsMs += e.wallMs ?? 0;
      readsMs += e.reads?.ms ?? 0;
      reads += e.reads?.count ?? 0;
    }
    const { endpoints } = outcome.result;
    const b = endpoints.find((e) => e.endpoint === REGRESSED);
    return {
      multiplier,
      verdict: outcome.result.verdict,
      regressions: endpoints.filter((e) => e.verdict === 'regression').map((e) => e.endpoint),
      b: {
        verdict: b?.verdict ?? 'missing',
        change: b?.change?.estimate ?? null,
        low: b?.change?.low ?? null,
        high: b?.change?.high ?? null,
      },
      rounds: set.events.filter((e) => e.kind === 'round-end').length,
      wallMs,
      roundsMs,
      readsMs,
      reads,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures so far, written after every run: an interrupted bench keeps what it measured. */
async function save() {
  const summary = [1, ...multipliers].map((multiplier) => {
    const mine = runs.filter((r) => r.multiplier === multiplier);
    const ok = mine.filter((r) => r.verdict !== 'error');
    const detected = ok.filter((r) => r.b.verdict === 'regression').length;
    const falseFails = ok.filter((r) =>
      r.regressions.some((e) => multiplier === 1 || e !== REGRESSED),
    ).length;
    const changes = ok.flatMap((r) => (r.b.change === null ? [] : [r.b.change]));
    return {
      multiplier,
      runs: mine.length,
      errors: mine.length - ok.length,
      detected,
      power: ok.length ? detected / ok.length : 0,
      falseFails,
      bChangeMedian: median(changes),
      bWidthMedian: median(ok.flatMap((r) => (r.b.low === null ? [] : [r.b.high! - r.b.low]))),
      wallSMedian: median(mine.map((r) => r.wallMs / 1000)),
    };
  });
  const readShare = runs.map((r) => r.readsMs / r.roundsMs);
  const figures = {
    date: new Date().toISOString().slice(0, 10),
    machine: { cpuModel: cpus()[0]?.model, cores: cpus().length, node: process.version },
    valgrind: valgrindVersion,
    loadAverage: loadavg(),
    threshold,
    durationS: (performance.now() - started) / 1000,
    summary,
    reads: {
      shareOfRoundWallMedian: median(readShare),
      shareOfRoundWallMax: Math.max(...readShare),
      msPerReadMedian: median(runs.map((r) => r.readsMs / Math.max(1, r.reads))),
    },
    runs,
  };

  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `simulated-${figures.date}.json`);
  writeFileSync(
    file,
    await format(JSON.stringify(figures), { ...(await resolveConfig(file)), parser: 'json' }),
  );
  return { ...figures, file };
}

const runs: Run[] = [];
const total = aaRuns + abRuns * multipliers.length;
const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(2)} %`);
for (let rep = 0; rep < Math.max(aaRuns, abRuns); rep++) {
  const configs = [...(rep < aaRuns ? [1] : []), ...(rep < abRuns ? multipliers : [])];
  for (const multiplier of configs) {
    if (controller.signal.aborted) process.exit(130);
    const run = await gateRun(multiplier);
    runs.push(run);
    await save();
    log(
      `gate ${runs.length}/${total}: b ×${multiplier} → ${run.verdict}; b ${run.b.verdict} ` +
        `${pct(run.b.change)} [${pct(run.b.low)}, ${pct(run.b.high)}], ${run.rounds} rounds, ` +
        `${(run.wallMs / 1000).toFixed(0)} s, reads ${((run.readsMs / run.roundsMs) * 100).toFixed(1)} %`,
    );
  }
}

const figures = await save();
const { summary } = figures;
log(`figures written to ${figures.file}`);
const lines = [
  `## Detection on simulated instructions (Valgrind ${valgrindVersion}), threshold ${threshold}`,
  '',
  '| b | runs | b flagged | power | runs with a false fail | b change (median) | interval width (median) | wall (median) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...summary.map(
    (s) =>
      `| ×${s.multiplier} | ${s.runs}${s.errors ? ` (${s.errors} errors)` : ''} | ${s.detected} | ${(s.power * 100).toFixed(0)} % | ${s.falseFails} | ${pct(s.bChangeMedian)} | ${pct(s.bWidthMedian)} | ${s.wallSMedian?.toFixed(0)} s |`,
  ),
  '',
  `A/A family-wise false-fail rate: ${summary[0]!.falseFails}/${summary[0]!.runs - summary[0]!.errors}.`,
  `Counter reads: ${pct(figures.reads.shareOfRoundWallMedian)} of a round's wall time (median; max ${pct(figures.reads.shareOfRoundWallMax)}), ${figures.reads.msPerReadMedian?.toFixed(0)} ms per read.`,
];
console.log(lines.join('\n'));
