// npm run bench [-- --quick]: every benchmark group, one markdown report on stdout, progress on
// stderr, and the figures as JSON in benchmarks/results/<date>-<quick|full>.json (the newest is the
// last by name; no undated copy to drift from it).

import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { probe, selectCounters } from '../src/counters/index.js';
import { measureAnalysisSpeed, type AnalysisSpeed } from './analysis-speed.js';
import { measureDetection, median } from './detection.js';
import { measureOverhead } from './overhead.js';
import { measureReadCost } from './read-cost.js';
import { measureRecorderOverhead } from './recorder.js';
import { renderMarkdown, type Figures } from './report.js';
import { FIXTURES, START, serverEnv, syntheticRequests } from './synthetic.js';

const args = process.argv.slice(2);
if (args.includes('--help') || args.some((a) => a !== '--quick')) {
  console.error('usage: npm run bench [-- --quick]');
  process.exit(args.includes('--help') ? 0 : 2);
}
const mode = args.includes('--quick') ? 'quick' : 'full';
const quick = mode === 'quick';
const budget = {
  reads: quick ? 20_000 : 100_000,
  overheadReps: quick ? 5 : 15,
  aaRuns: quick ? 4 : 20,
  abRuns: quick ? 3 : 15,
  // ×1.5 beyond the usual sizes: where task-clock is noisy, the smaller ones may all go unseen.
  multipliers: [1.01, 1.02, 1.05, 1.1, 1.2, 1.5],
  analysisRepeats: quick ? 1 : 3,
};

const started = performance.now();
const log = (line: string) =>
  console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

// Ctrl-C (or a kill) stops the gate run in progress (which stops its servers) or the group after
// this one.
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error('perfgate bench: interrupted; stopping the servers');
    controller.abort(signal);
  });
}
const next = (line: string) => {
  if (controller.signal.aborted) process.exit(130);
  log(line);
};

const report = probe();
const counter = selectCounters(['auto'], report);
const loadStart = loadavg();
log(`${mode} run; counter ${counter.name}`);

next('1/5 counter read cost');
const readCost = await measureReadCost(budget.reads);

next('2/5 harness overhead');
const overhead = await measureOverhead(
  { start: START, cwd: FIXTURES, env: serverEnv() },
  await syntheticRequests(),
  counter.all,
  budget.overheadReps,
);

next(
  `3/5 detection power: ${budget.aaRuns} A/A and ${budget.abRuns} per regression size ` +
    `(${budget.multipliers.map((m) => `×${m}`).join(' ')})`,
);
const detection = await measureDetection({
  aaRuns: budget.aaRuns,
  abRuns: budget.abRuns,
  multipliers: budget.multipliers,
  signal: controller.signal,
  progress: log,
}).catch((error: unknown) => {
  if (controller.signal.aborted) process.exit(130);
  throw error;
});

next('4/5 analysis speed');
const speeds: AnalysisSpeed[] = [];
for (let i = 0; i < budget.analysisRepeats; i++) speeds.push(measureAnalysisSpeed());
const ms = median(speeds.map((s) => s.ms))!;
const analysisSpeed = { ...speeds[0]!, ms, samplesPerSecond: speeds[0]!.samples / (ms / 1000) };

// Quick: Node only, 4 rounds (~1 min); full: Node, Python and the Django example, 8 rounds.
const recorderRounds = quick ? 4 : 8;
next(`5/5 recorder overhead: ${recorderRounds} rounds${quick ? ', Node only' : ''}`);
const recorder = {
  rounds: recorderRounds,
  cpu: (
    await measureRecorderOverhead({
      rounds: recorderRounds,
      blocks: 10,
      perBlock: 100,
      warmup: 600,
      modes: ['none', '0.01', '1'],
      cpu: availableParallelism() - 1,
      ...(quick ? { only: 'node' as const } : {}),
    })
  ).cpu,
};

const date = new Date().toISOString().slice(0, 10);
const figures: Figures = {
  machine: {
    date,
    mode,
    cpuModel: report.cpuModel,
    cores: report.cpus,
    kernel: report.kernel,
    node: process.version,
    counter: counter.name,
    ...(counter.fallback
      ? { counterNote: `auto fell back from instructions: ${report.status}` }
      : {}),
    loadAverage: { start: loadStart, end: loadavg() },
    durationS: (performance.now() - started) / 1000,
  },
  readCost,
  overhead,
  detection,
  analysisSpeed,
  recorder,
};

const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${date}-${mode}.json`);
const style = await resolveConfig(file);
writeFileSync(
  file,
  await format(JSON.stringify({ budget, ...figures }), { ...style, parser: 'json' }),
);
log(`figures written to ${file}`);
console.log(renderMarkdown(figures));
