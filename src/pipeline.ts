// The gate end to end: config → workload → targets → replay → samples → analysis → report.
// src/cli.ts (`perfgate run`) and src/main.ts (the action) both call runGate, so local runs and
// CI runs agree.

import type { Logger } from './log.js';
import type { RunResult } from './analysis/types.js';

export interface GateOverrides {
  workload?: string;
  beforeRef?: string;
  onRegression?: 'fail' | 'annotate';
  maxDurationMs?: number;
}

export interface GateOptions {
  configPath: string;
  outDir: string;
  overrides?: GateOverrides;
  /** Same build on both sides (A/A), for calibration. */
  aa?: boolean;
  logger: Logger;
  signal: AbortSignal;
  /** File where the pgids of live targets are recorded, so a later step can kill leftovers. */
  pidFile?: string;
}

export interface GateOutcome {
  result: RunResult;
  samplesPath: string;
  resultPath: string;
  reportPath: string;
  markdown: string;
  onRegression: 'fail' | 'annotate';
  /** 0 pass (or a regression under `annotate`), 1 fail, 2 error. */
  exitCode: 0 | 1 | 2;
}

export async function runGate(_options: GateOptions): Promise<GateOutcome> {
  throw new Error('runGate: not wired yet');
}
