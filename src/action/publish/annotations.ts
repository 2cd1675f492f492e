// One annotation per endpoint that needs a reader's eye, titled with the endpoint so the run's
// summary page lists them by name: an error for a regression or a failed measurement, a warning
// for an inconclusive one.

import type { Change, EndpointResult, RunResult } from '../../analysis/types.js';
import { inconclusiveReason, moreRoundsAdvice } from '../../report/format.js';
import type { ActionCore } from '../core.js';

export function annotate(core: Pick<ActionCore, 'error' | 'warning'>, result: RunResult): void {
  for (const endpoint of result.endpoints) {
    const props = { title: endpoint.endpoint };
    switch (endpoint.verdict) {
      case 'regression':
      case 'error':
        core.error(describeEndpoint(endpoint, result.counter.name), props);
        break;
      case 'inconclusive':
        core.warning(describeEndpoint(endpoint, result.counter.name), props);
        break;
      default:
        break;
    }
  }
  // The flag matrix: a flag's regression or failed comparison, titled with flag and endpoint;
  // under on-flag-regression: annotate a regression is a warning, since it does not fail the gate.
  const flags = result.flags;
  for (const f of flags?.flags ?? []) {
    for (const endpoint of f.endpoints) {
      if (endpoint.verdict !== 'regression' && endpoint.verdict !== 'error') continue;
      const props = { title: `flag ${f.flag}: ${endpoint.endpoint}` };
      const text = `with ${f.flag} ${f.from} → ${f.to}, against the after build at defaults: ${describeEndpoint(endpoint, result.counter.name)}`;
      if (endpoint.verdict === 'regression' && flags!.onFlagRegression === 'annotate')
        core.warning(text, props);
      else core.error(text, props);
    }
  }
}

export function describeEndpoint(endpoint: EndpointResult, counter: string): string {
  const threshold = `the ${percent(endpoint.threshold, false)} threshold (${endpoint.thresholdSource})`;
  const change = endpoint.change ? describeChange(endpoint.change, endpoint.confidence) : '';
  const notes = endpoint.warnings.length ? ` ${endpoint.warnings.join('; ')}` : '';
  switch (endpoint.verdict) {
    case 'regression':
      return `regression: ${counter} per request ${change}, above ${threshold}.${notes}`;
    case 'inconclusive': {
      return `inconclusive: ${counter} per request ${change}: ${inconclusiveReason(endpoint)}; ${moreRoundsAdvice(endpoint)}.${notes}`;
    }
    case 'error':
      return `could not be compared:${notes || ' no usable samples.'}`;
    default:
      return `${endpoint.verdict}: ${counter} per request ${change}.${notes}`;
  }
}

function describeChange(change: Change, confidence: number): string {
  const level = `${Math.round(confidence * 1000) / 10} %`;
  return `${percent(change.estimate, true)} (${level} CI ${percent(change.low, true)} … ${percent(change.high, true)})`;
}

function percent(fraction: number, signed: boolean): string {
  const value = Math.round(fraction * 1000) / 10;
  const sign = signed && value > 0 ? '+' : value < 0 ? '−' : '';
  return `${sign}${Math.abs(value)} %`;
}
