// Small RunResult / GateOutcome builders for the action's tests.

import type {
  EndpointResult,
  OverallVerdict,
  RunResult,
  Verdict,
} from '../../src/analysis/types.js';
import type { GateOutcome } from '../../src/report/index.js';

export function endpoint(
  name: string,
  verdict: Verdict,
  over: Partial<EndpointResult> = {},
): EndpointResult {
  const change =
    verdict === 'regression'
      ? { estimate: 0.121, low: 0.098, high: 0.145 }
      : verdict === 'inconclusive'
        ? { estimate: 0.021, low: -0.005, high: 0.047 }
        : verdict === 'error'
          ? null
          : { estimate: 0.002, low: -0.004, high: 0.008 };
  return {
    endpoint: name,
    verdict,
    threshold: 0.03,
    thresholdSource: 'default',
    confidence: 0.95,
    change,
    gateLow: change ? change.low : null,
    p: 0.01,
    pAdjusted: 0.02,
    typical: change,
    method: 'paired-rounds',
    before: 1_200_000,
    after: 1_345_000,
    n: { before: 400, after: 400, rounds: 8 },
    weight: 0.25,
    moreRounds: verdict === 'inconclusive' ? 6 : null,
    warnings: verdict === 'error' ? ['after build answered 500 where before answered 200'] : [],
    ...over,
  };
}

export function runResult(
  verdict: OverallVerdict,
  endpoints: EndpointResult[],
  summary?: string,
): RunResult {
  const counts: Record<Verdict, number> = {
    regression: 0,
    improvement: 0,
    unchanged: 0,
    inconclusive: 0,
    error: 0,
  };
  for (const e of endpoints) counts[e.verdict] += 1;
  return {
    version: 1,
    verdict,
    summary:
      summary ??
      (verdict === 'pass'
        ? `no regressions in ${endpoints.length} endpoints`
        : verdict === 'fail'
          ? `${counts.regression} regression: GET /api/search +12.1 % (θ 3 %)`
          : 'error: 1 endpoint could not be compared'),
    counter: {
      name: 'instructions',
      unit: 'instructions',
      fallback: false,
      all: ['instructions', 'cycles'],
      kernel: false,
    },
    alpha: 0.05,
    confidence: 0.95,
    onInconclusive: 'pass',
    endpoints,
    total: { estimate: 0.03, low: 0.01, high: 0.05 },
    counts,
    run: {
      seed: 7,
      rounds: 8,
      plannedRounds: 8,
      looks: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 60_000,
      complete: true,
      builds: { before: { ref: 'main' }, after: { ref: 'HEAD' } },
      mode: 'a-b',
    },
    warnings: [],
  };
}

export function outcome(
  result: RunResult,
  onRegression: 'fail' | 'annotate' = 'fail',
): GateOutcome {
  const failing =
    result.verdict === 'error' ? 2 : result.verdict === 'fail' && onRegression === 'fail' ? 1 : 0;
  return {
    result,
    samplesPath: '/tmp/perfgate/samples.jsonl',
    resultPath: '/tmp/perfgate/result.json',
    reportPath: '/tmp/perfgate/report.md',
    markdown: `## perfgate\n\n${result.summary}\n`,
    onRegression,
    exitCode: failing,
  };
}

export const PASS = runResult('pass', [endpoint('GET /api/products', 'unchanged')]);
export const FAIL = runResult('fail', [
  endpoint('GET /api/search', 'regression'),
  endpoint('GET /api/cart', 'inconclusive'),
  endpoint('GET /api/products', 'unchanged'),
]);
