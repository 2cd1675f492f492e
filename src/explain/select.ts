// Which endpoints the profiling pass explains.

import type { ExplainMode } from './types.js';

interface Verdicted {
  endpoint: string;
  verdict: string;
}

/** `auto`: the regressed endpoints; `all`: every endpoint that could be compared; `off`: none. */
export function endpointsToExplain(mode: ExplainMode, endpoints: readonly Verdicted[]): string[] {
  if (mode === 'off') return [];
  if (mode === 'all') return endpoints.filter((e) => e.verdict !== 'error').map((e) => e.endpoint);
  return endpoints.filter((e) => e.verdict === 'regression').map((e) => e.endpoint);
}
