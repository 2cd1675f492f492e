// Everything the action's main step reaches outside itself, gathered so tests can hand in fakes
// (a recording core, a loopback API, a scripted gate) without mocking modules.

import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runGate, type GateOptions } from '../pipeline.js';
import type { GateOutcome } from '../report/index.js';
import { runMerge, type MergeOptions } from '../merge/index.js';
import { actionsCore, type ActionCore } from './core.js';
import { createGitHubClient, type GitHubClientFactory } from './github.js';
import type { SignalSource } from './signals.js';

export interface ActionDeps {
  core: ActionCore;
  env: NodeJS.ProcessEnv;
  readFile: (path: string) => string;
  github: GitHubClientFactory;
  runGate: (options: GateOptions) => Promise<GateOutcome>;
  /** mode: merge. */
  runMerge: (options: MergeOptions) => Promise<GateOutcome>;
  signals: SignalSource;
  /** Where the pid file goes when RUNNER_TEMP is unset. */
  tmpdir: string;
  pid: number;
}

export function defaultActionDeps(): ActionDeps {
  return {
    core: actionsCore,
    env: process.env,
    readFile: (path) => readFileSync(path, 'utf8'),
    github: createGitHubClient,
    runGate,
    runMerge,
    signals: process,
    tmpdir: tmpdir(),
    pid: process.pid,
  };
}
