// `perfgate compare` needs only thresholds; `perfgate run` needs to know what to start.

import { ConfigError } from '../errors.js';
import type { Config, RunnableConfig } from './types.js';

const EXAMPLE = `workload: perf/workload.jsonl
before: { ref: origin/main, build: npm ci, start: node server.js }
after: { cwd: ., build: npm ci, start: node server.js }`;

/** Narrows a Config to one `perfgate run` can use, or names every missing key. */
export function requireRunnable(config: Config): RunnableConfig {
  const missing: string[] = [];
  if (config.workload === undefined) missing.push('workload');
  for (const side of ['before', 'after'] as const) {
    const build = config[side];
    if (!build) missing.push(side);
    else if (build.start === undefined) missing.push(`${side}.start`);
  }
  if (missing.length === 0) {
    checkBudget(config);
    return config as RunnableConfig;
  }
  const first = missing[0]!;
  const line = config.lines[first] ?? config.lines[first.split('.')[0]!];
  throw new ConfigError(
    `perfgate run needs ${missing.map((k) => `'${k}'`).join(', ')} in the config`,
    { file: config.file, ...(line !== undefined ? { line } : {}) },
    `for example:\n${EXAMPLE}`,
  );
}

/** The fewest rounds the analysis can draw an interval from (rounds are its replicates). */
export const MIN_ROUNDS = 2;

// A run that cannot measure enough to decide is refused before anything is built.
function checkBudget(config: Config): void {
  const at = (key: string) => {
    const line = config.lines[key];
    return { file: config.file, ...(line !== undefined ? { line } : {}), path: key };
  };
  // A zero max-duration is refused where it is read (values.ts: parsePositiveDuration).
  const { rounds } = config.measure;
  if (rounds < MIN_ROUNDS) {
    throw new ConfigError(
      `must be at least ${MIN_ROUNDS}, got ${rounds}: the confidence interval comes from the spread between rounds`,
      at('measure.rounds'),
      'each round is a fresh before and after process; 5 to 10 is usual',
    );
  }
}
