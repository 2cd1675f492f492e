// From a result to what the gate does with it: the exit code, and the result of a run that
// measured nothing usable.

import type { CounterChoice } from '../counters/choice.js';
import { resultOf, runInfo } from './analyze.js';
import { countVerdicts } from './summary.js';
import type { AnalysisOptions, RunResult } from './types.js';
import { warning } from './warnings.js';

export function analysisOptions(
  config: Pick<AnalysisOptions, 'thresholds' | 'alpha' | 'confidence' | 'onInconclusive'>,
): AnalysisOptions {
  return {
    thresholds: config.thresholds,
    alpha: config.alpha,
    confidence: config.confidence,
    onInconclusive: config.onInconclusive,
  };
}

export function exitCodeFor(result: RunResult, onRegression: 'fail' | 'annotate'): 0 | 1 | 2 {
  if (result.verdict === 'error') return 2;
  if (result.verdict !== 'fail') return 0;
  if (!result.flags) return onRegression === 'fail' ? 1 : 0;
  // With the flag matrix the fail may be the gate's own or a flag's, each with its own setting.
  const failing = (c: RunResult['counts']) =>
    c.regression > 0 || (result.onInconclusive === 'fail' && c.inconclusive > 0);
  const own = failing(result.counts) && onRegression === 'fail';
  const flag =
    result.flags.onFlagRegression === 'fail' && result.flags.flags.some((f) => failing(f.counts));
  return own || flag ? 1 : 0;
}

const NOTHING = { header: undefined, samples: [], events: [] };

/** A result for a run that measured nothing usable: the gate fails closed. */
export function errorResult(
  counter: CounterChoice,
  options: AnalysisOptions,
  message: string,
): RunResult {
  const line = message.split('\n')[0] ?? message;
  return resultOf({
    verdict: 'error',
    summary: `error: ${line}`.slice(0, 140),
    counter,
    options,
    endpoints: [],
    total: null,
    counts: countVerdicts([]),
    // No look was taken: nothing was measured to look at.
    run: { ...runInfo(NOTHING, {}, 0, false), looks: 0 },
    warnings: [warning('run-failure', line)],
  });
}
