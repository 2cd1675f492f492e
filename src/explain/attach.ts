// The profiling pass after the gate's verdict: both builds profiled on the endpoints the mode
// selects, their diff attached to the result.

import type { RunResult } from '../analysis/types.js';
import type { RunnableConfig } from '../config/index.js';
import type { Placement } from '../counters/spawn-counted.js';
import { InterruptedError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { PreparedRequest } from '../replay/index.js';
import type { Build } from '../samples/types.js';
import type { PreparedBuild } from '../targets/index.js';
import { explainEndpoints, METHOD } from './run.js';
import { endpointsToExplain } from './select.js';
import type { ExplainMode, Explanation } from './types.js';

export interface ExplainContext {
  config: RunnableConfig;
  builds: Record<Build, PreparedBuild>;
  requests: PreparedRequest[];
  env: NodeJS.ProcessEnv;
  noAslr: boolean;
  placement?: Placement;
  outDir: string;
  signal: AbortSignal;
  logger: Logger;
  /** Endpoints to explain, whatever the config's mode selects (`perfgate explain NAME`). */
  endpoints?: string[];
  mode?: ExplainMode;
}

/**
 * The profiling pass on the endpoints the mode selects, its diff attached to the result. A pass
 * that fails is a warning: the gate's verdict stands on the measurement alone.
 */
export async function attachExplanation(result: RunResult, c: ExplainContext): Promise<RunResult> {
  const mode = c.mode ?? c.config.explain.mode;
  const endpoints = c.endpoints ?? endpointsToExplain(mode, result.endpoints);
  if (endpoints.length === 0) return result;
  const started = performance.now();
  let explain: Explanation;
  try {
    explain = await explainEndpoints(
      {
        mode,
        endpoints,
        requests: c.requests,
        builds: {
          before: { cwd: c.builds.before.cwd, start: c.config.before.start },
          after: { cwd: c.builds.after.cwd, start: c.config.after.start },
        },
        env: c.env,
        readiness: c.config.ready,
        noAslr: c.noAslr,
        ...(c.placement ? { placement: c.placement } : {}),
        outDir: c.outDir,
        warmup: c.config.explain.warmup,
        profiled: c.config.explain.requests,
        maxDurationMs: c.config.explain.maxDurationMs,
        // Profile by the counter that gated where the thread can count it (the PMU's).
        pythonTimer: result.counter.name === 'instructions' ? 'instructions' : 'thread-time',
        measured: new Map(result.endpoints.map((e) => [e.endpoint, e])),
        unit: result.counter.unit,
      },
      c.signal,
      c.logger,
    );
  } catch (error) {
    if (error instanceof InterruptedError) throw error;
    const message = `explain: the profiling pass failed: ${errorMessage(error).split('\n')[0]}`;
    c.logger.warn(message);
    explain = {
      mode,
      method: METHOD,
      endpoints: [],
      skipped: endpoints,
      wallMs: Math.round(performance.now() - started),
      warnings: [message],
    };
  }
  for (const e of explain.endpoints)
    c.logger.info(`explain: ${e.endpoint}: profiling pass ${(e.wallMs / 1000).toFixed(1)} s`);
  return { ...result, explain };
}
