// Which threshold applies to an endpoint: an exact name wins, then the first glob (in the order
// written) that matches the whole name, then the default. Endpoint names hold spaces and
// slashes ("GET /api/users/:id"); globs are picomatch patterns where `*` stops at `/` and `**`
// crosses it, so "GET /api/*" matches "GET /api/users" but not "GET /api/users/:id".

import picomatch from 'picomatch';
import type { Thresholds } from './types.js';

export interface ThresholdChoice {
  threshold: number;
  /** The key that chose it, or 'default'. */
  source: string;
}

function check(value: number, key: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`threshold for ${key} must be a fraction ≥ 0, got ${value}`);
  }
  return value;
}

/** Compiles the globs once; the returned function resolves one endpoint name. */
export function thresholdResolver(thresholds: Thresholds): (endpoint: string) => ThresholdChoice {
  const fallback = check(thresholds.default, 'default');
  const entries = Object.entries(thresholds.endpoints).map(([key, value]) => ({
    key,
    value: check(value, key),
    matches: picomatch(key, { dot: true }),
  }));
  return (endpoint) => {
    const exact = entries.find((e) => e.key === endpoint);
    if (exact) return { threshold: exact.value, source: exact.key };
    const glob = entries.find((e) => e.matches(endpoint));
    if (glob) return { threshold: glob.value, source: glob.key };
    return { threshold: fallback, source: 'default' };
  };
}
