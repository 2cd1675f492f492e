// What the command line and the action's inputs change in the config, applied in one place so
// `perfgate run`, `perfgate explain` and the action build the same sides.

import type { Logger } from '../log.js';
import type { Config } from './types.js';
import { resolve } from 'node:path';

export interface ConfigOverrides {
  workload?: string;
  /** Build the before side from this ref, whatever the config says. */
  beforeRef?: string;
  /** Where beforeRef came from, for messages (default: `--before-ref`). */
  beforeRefFrom?: string;
  /** The pull request's base: used unless the config pins `before.cwd`. */
  defaultBeforeRef?: string;
  onRegression?: 'fail' | 'annotate';
  maxDurationMs?: number;
}

export function applyOverrides(
  config: Config,
  o: ConfigOverrides,
  aa: boolean,
  logger: Logger,
): Config {
  let out = config;
  if (o.workload) out = { ...out, workload: resolve(o.workload) };
  const ref = o.beforeRef ?? (config.before?.cwd === undefined ? o.defaultBeforeRef : undefined);
  if (o.defaultBeforeRef && !o.beforeRef && config.before?.cwd !== undefined) {
    logger.info(
      `before build: the config pins before.cwd, so the pull request's base (${o.defaultBeforeRef}) is not used`,
    );
  }
  if (ref && out.after) {
    // The base build is the after build's recipe at another commit.
    const { cwd: _cwd, ...recipe } = out.after;
    out = { ...out, before: { ...recipe, ref } };
  }
  if (o.onRegression) out = { ...out, onRegression: o.onRegression };
  // `--annotate` annotates the flag matrix's regressions too.
  if (o.onRegression === 'annotate') out = { ...out, onFlagRegression: 'annotate' };
  if (o.maxDurationMs !== undefined)
    out = { ...out, measure: { ...out.measure, maxDurationMs: o.maxDurationMs } };
  if (aa && out.after) out = { ...out, before: out.after };
  return out;
}
