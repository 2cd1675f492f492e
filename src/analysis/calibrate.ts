// Threshold suggestions from an A/A run (the same build on both sides): how much each endpoint's
// per-round ratio wobbles when nothing changed, and the smallest threshold the gate can work
// with at that noise.
//
// The rule: θ ≥ the change the planned design detects with 90 % power at the family-wise level,
//   MDC = exp((t_{ν,1−α/K} + z_{0.9}) · σ/√R) − 1,   σ = SD of ln(B_r/A_r),  ν = R − 1,
// because a threshold below it leaves a regression of about θ undetectable (and most unchanged
// endpoints inconclusive). K is the number of endpoints tested together. The suggestion is
// max(configured θ, MDC) rounded up to a readable step (0.5 %).

import { sampleStandardDeviation } from 'simple-statistics';
import type { SampleSet } from '../samples/types.js';
import { arrange, byName, collect } from './collect.js';
import { normalQuantile } from './distributions.js';
import { criticalValue, sum } from './ratio.js';
import { thresholdResolver } from './thresholds.js';
import type { Thresholds } from './types.js';

export interface CalibrationOptions {
  thresholds: Thresholds;
  /** Family-wise alpha of the gate (0.05). */
  alpha: number;
  /** Rounds of the design to plan for; default: the rounds in the A/A data. */
  rounds?: number;
  /** Power at which the suggested threshold is detectable (0.9). */
  power?: number;
  /** Suggestions are rounded up to a multiple of this (0.005 = 0.5 %). */
  step?: number;
}

export interface CalibrationRow {
  endpoint: string;
  /** Paired rounds in the A/A data. */
  rounds: number;
  /**
   * SD of the per-round log ratios ln(B_r/A_r) of the gate's estimate (with blocks, each round's
   * median of block means); null with fewer than 2 paired rounds.
   */
  noise: number | null;
  /** With blocks: the same SD for the rounds' plain means (the gate's second test). */
  meanNoise?: number;
  /** The A/A change (ΣB/ΣA − 1); near 0 unless the harness favours a side. */
  observed: number | null;
  /** Rounds of the design the detectable change is computed for. */
  designRounds: number;
  /** Minimum detectable change at the planned rounds (fraction); null when noise is. */
  detectable: number | null;
  configured: number;
  configuredSource: string;
  suggested: number;
}

function roundUp(value: number, step: number): number {
  // The small slack keeps 0.03 from becoming 0.035 through floating-point noise.
  const steps = Math.ceil(value / step - 1e-9);
  return Number((steps * step).toFixed(10));
}

export function calibrate(set: SampleSet, options: CalibrationOptions): CalibrationRow[] {
  const power = options.power ?? 0.9;
  const step = options.step ?? 0.005;
  const resolve = thresholdResolver(options.thresholds);
  const collected = collect(set);
  const names = [...collected.endpoints.keys()].sort(byName);
  const family = Math.max(1, names.length);
  return names.map((endpoint) => {
    const { threshold, source } = resolve(endpoint);
    const paired = arrange(collected.endpoints.get(endpoint)!).paired;
    const rounds = paired.rounds.length;
    const designRounds = Math.max(2, options.rounds ?? rounds);
    const base = {
      endpoint,
      rounds,
      designRounds,
      configured: threshold,
      configuredSource: source,
    };
    if (rounds < 2) {
      return { ...base, noise: null, observed: null, detectable: null, suggested: threshold };
    }
    const sd = (x: { before: number[]; after: number[] }) =>
      sampleStandardDeviation(x.before.map((a, r) => Math.log(x.after[r]! / a)));
    // The noise of what the gate estimates from: the median of block means where rounds have
    // blocks (a lump in one block moves the plain mean, not the median).
    const noise = sd(paired.blocked ?? paired);
    const reach =
      (criticalValue(designRounds - 1, options.alpha / family) - normalQuantile(1 - power)) *
      (noise / Math.sqrt(designRounds));
    const detectable = Math.expm1(reach);
    return {
      ...base,
      noise,
      ...(paired.blocked ? { meanNoise: sd(paired) } : {}),
      observed: sum(paired.after) / sum(paired.before) - 1,
      detectable,
      suggested: Math.max(threshold, roundUp(detectable, step)),
    };
  });
}
