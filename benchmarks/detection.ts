// Detection power and false alarms: full gate runs (runGate, perfgate's default budget) on the
// synthetic service, A/A and A/B with `b` regressed by known multipliers, interleaved so that a
// change in machine load spreads over every configuration. The same samples are analysed again
// at the per-endpoint thresholds `perfgate calibrate` suggests from the pooled A/A runs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linearRegression } from 'simple-statistics';
import {
  analyze,
  calibrate,
  type CalibrationRow,
  type RunResult,
  type Thresholds,
  type Verdict,
} from '../src/analysis/index.js';
import { silentLogger } from '../src/log.js';
import { runGate } from '../src/pipeline.js';
import { readSamples, type SampleSet } from '../src/samples/index.js';
import { REGRESSED, UNITS, serverEnv, writeConfig } from './synthetic.js';

/** perfgate's defaults, which the configs leave alone. */
export const DEFAULT_THRESHOLD = 0.03;
const ALPHA = 0.05;
const ROUNDS = 10;

export interface DetectionPlan {
  aaRuns: number;
  abRuns: number;
  /** Multipliers on `b`'s work, e.g. 1.05. */
  multipliers: number[];
  signal: AbortSignal;
  progress: (line: string) => void;
}

export interface GateRun {
  multiplier: number;
  wallMs: number;
  /** Σ sample values: server CPU on measured requests (task-clock ns), both builds. */
  measuredCpu: number;
  verdict: RunResult['verdict'];
  endpoints: Record<string, { verdict: Verdict; change: number | null; width: number | null }>;
  /** Mean cost per request (before build), by endpoint. */
  cost: Record<string, number | null>;
}

export interface ConfigSummary {
  multiplier: number;
  /** (multiplier − 1) on b's work units. */
  nominal: number;
  /** The change b's mean cost should show, after the fixed per-request cost dilutes it. */
  expected: number | null;
  threshold: number;
  runs: number;
  errors: number;
  /** Runs with b's verdict `regression`. */
  detected: number;
  power: number;
  /** A/A: runs with any regression. A/B: runs with any endpoint besides b a regression. */
  falseFails: number;
  bVerdicts: Partial<Record<Verdict, number>>;
  /** Mean of b's estimated change, median width of its confidence interval. */
  bChange: number | null;
  bWidth: number | null;
}

export interface ThresholdSummary {
  label: string;
  thresholds: Thresholds;
  configs: ConfigSummary[];
  /** A/A runs with any regression / A/A runs, against the nominal alpha. */
  familyWiseFalseFail: number;
  /** Smallest multiplier detected in ≥ 90 % of its runs, or null. */
  smallestDetected90: number | null;
}

export interface Detection {
  rounds: number;
  alpha: number;
  runs: GateRun[];
  /** Cost per request against work units from the A/A runs: ns = intercept + slope · units. */
  costFit: { interceptNs: number; nsPerUnit: number; bCostNs: number } | null;
  calibration: CalibrationRow[];
  byThreshold: ThresholdSummary[];
  wallPerMeasuredCpu: { median: number; min: number; max: number; gateWallMsMedian: number };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? null : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function summariseRun(multiplier: number, wallMs: number, set: SampleSet, result: RunResult) {
  const endpoints: GateRun['endpoints'] = {};
  const cost: GateRun['cost'] = {};
  for (const e of result.endpoints) {
    endpoints[e.endpoint] = {
      verdict: e.verdict,
      change: e.change?.estimate ?? null,
      width: e.change ? e.change.high - e.change.low : null,
    };
    cost[e.endpoint] = e.before;
  }
  const measuredCpu = set.samples.reduce((s, x) => s + x.value, 0);
  return { multiplier, wallMs, measuredCpu, verdict: result.verdict, endpoints, cost };
}

/** One gate run, its temp folder removed on every path. */
async function gateRun(multiplier: number, signal: AbortSignal) {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-bench-'));
  try {
    const configPath = writeConfig(dir, multiplier);
    const t0 = performance.now();
    const outcome = await runGate({
      configPath,
      outDir: join(dir, 'out'),
      logger: silentLogger,
      signal,
      env: serverEnv(),
    });
    const wallMs = performance.now() - t0;
    const set = await readSamples(outcome.samplesPath);
    return { run: summariseRun(multiplier, wallMs, set, outcome.result), set, outcome };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** All A/A sample sets as one, rounds renumbered, for a steadier noise estimate. */
function pooled(sets: SampleSet[]): SampleSet {
  const samples = sets.flatMap((set, i) =>
    set.samples.map((s) => ({ ...s, round: s.round + i * 1000 })),
  );
  return { header: undefined, samples, events: [] };
}

function costFit(aa: GateRun[]): Detection['costFit'] {
  const points: [number, number][] = [];
  for (const [endpoint, units] of Object.entries(UNITS)) {
    const c = mean(aa.map((r) => r.cost[endpoint]).filter((x): x is number => x != null));
    if (c !== null) points.push([units, c]);
  }
  const b = points.find(([u]) => u === UNITS[REGRESSED]);
  if (points.length < 2 || !b) return null;
  const { m, b: intercept } = linearRegression(points);
  return { interceptNs: intercept, nsPerUnit: m, bCostNs: b[1] };
}

function summarise(
  label: string,
  thresholds: Thresholds,
  runs: { multiplier: number; result: RunResult }[],
  multipliers: number[],
  fit: Detection['costFit'],
): ThresholdSummary {
  const configs = [1, ...multipliers].map((multiplier): ConfigSummary => {
    const mine = runs.filter((r) => r.multiplier === multiplier);
    const ok = mine.filter((r) => r.result.verdict !== 'error');
    const b = ok.map((r) => r.result.endpoints.find((e) => e.endpoint === REGRESSED));
    const bVerdicts: ConfigSummary['bVerdicts'] = {};
    for (const e of b) if (e) bVerdicts[e.verdict] = (bVerdicts[e.verdict] ?? 0) + 1;
    const falseFails = ok.filter((r) =>
      r.result.endpoints.some(
        (e) => e.verdict === 'regression' && (multiplier === 1 || e.endpoint !== REGRESSED),
      ),
    ).length;
    const detected = bVerdicts.regression ?? 0;
    const nominal = multiplier - 1;
    return {
      multiplier,
      nominal,
      expected: fit ? (nominal * fit.nsPerUnit * UNITS[REGRESSED]!) / fit.bCostNs : null,
      threshold: b.find((e) => e)?.threshold ?? thresholds.default,
      runs: mine.length,
      errors: mine.length - ok.length,
      detected,
      power: ok.length ? detected / ok.length : 0,
      falseFails,
      bVerdicts,
      bChange: mean(b.flatMap((e) => (e?.change ? [e.change.estimate] : []))),
      bWidth: median(b.flatMap((e) => (e?.change ? [e.change.high - e.change.low] : []))),
    };
  });
  const aa = configs[0]!;
  const strong = configs.slice(1).filter((c) => c.runs > c.errors && c.power >= 0.9);
  return {
    label,
    thresholds,
    configs,
    familyWiseFalseFail: aa.runs > aa.errors ? aa.falseFails / (aa.runs - aa.errors) : 0,
    smallestDetected90: strong.length ? Math.min(...strong.map((c) => c.multiplier)) : null,
  };
}

export async function measureDetection(plan: DetectionPlan): Promise<Detection> {
  const runs: GateRun[] = [];
  const sets: SampleSet[] = [];
  const results: { multiplier: number; result: RunResult }[] = [];
  const reps = Math.max(plan.aaRuns, plan.abRuns);
  const total = plan.aaRuns + plan.abRuns * plan.multipliers.length;
  for (let rep = 0; rep < reps; rep++) {
    const round = [
      ...(rep < plan.aaRuns ? [1] : []),
      ...(rep < plan.abRuns ? plan.multipliers : []),
    ];
    for (const multiplier of round) {
      const { run, set, outcome } = await gateRun(multiplier, plan.signal);
      runs.push(run);
      sets.push(set);
      results.push({ multiplier, result: outcome.result });
      const b = run.endpoints[REGRESSED];
      plan.progress(
        `gate ${runs.length}/${total}: b ×${multiplier} → ${run.verdict}, b ${b?.verdict ?? '?'}` +
          ` ${b?.change == null ? '' : `${(b.change * 100).toFixed(1)} %`}` +
          ` (${(run.wallMs / 1000).toFixed(1)} s)`,
      );
    }
  }

  const aaSets = sets.filter((_, i) => runs[i]!.multiplier === 1 && runs[i]!.verdict !== 'error');
  const defaults: Thresholds = { default: DEFAULT_THRESHOLD, endpoints: {} };
  const calibration = calibrate(pooled(aaSets), {
    thresholds: defaults,
    alpha: ALPHA,
    rounds: ROUNDS,
  });
  const calibrated: Thresholds = {
    default: DEFAULT_THRESHOLD,
    endpoints: Object.fromEntries(calibration.map((r) => [r.endpoint, r.suggested])),
  };
  const reanalysed = sets.map((set, i) => ({
    multiplier: runs[i]!.multiplier,
    result: analyze(set, {
      thresholds: calibrated,
      alpha: ALPHA,
      confidence: 0.95,
      onInconclusive: 'pass',
      sequential: { plan: [ROUNDS], look: 0 },
    }),
  }));

  const fit = costFit(runs.filter((r) => r.multiplier === 1 && r.verdict !== 'error'));
  const ratios = runs.filter((r) => r.measuredCpu > 0).map((r) => r.wallMs / (r.measuredCpu / 1e6));
  return {
    rounds: ROUNDS,
    alpha: ALPHA,
    runs,
    costFit: fit,
    calibration,
    byThreshold: [
      summarise('default 3 %', defaults, results, plan.multipliers, fit),
      summarise('calibrated', calibrated, reanalysed, plan.multipliers, fit),
    ],
    wallPerMeasuredCpu: {
      median: median(ratios) ?? NaN,
      min: Math.min(...ratios),
      max: Math.max(...ratios),
      gateWallMsMedian: median(runs.map((r) => r.wallMs)) ?? NaN,
    },
  };
}
