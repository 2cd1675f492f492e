// The action's inputs, parsed once into one typed object. Pure: the getter is handed in, so
// tests need no mocks and nothing reads an input at import time.

import path from 'node:path';
import { PerfgateError } from '../errors.js';
import { parsePositiveDuration } from '../config/values.js';
import type { ActionContext } from './context.js';
import { PULL_REQUEST_EVENTS } from './context.js';
import { Inputs, type InputName } from './names.js';
import { parseShard, type ShardSpec } from '../workload/index.js';

export interface ActionInputs {
  /** perfgate.yml, relative to the workspace. */
  configPath: string;
  /** Overrides the config's workload file; undefined = the config's. */
  workload: string | undefined;
  /** The before build's ref; undefined = the config's. */
  beforeRef: string | undefined;
  /** Where beforeRef came from, for the log. */
  beforeRefSource: 'input' | 'pull-request-base' | 'config';
  /** undefined = the config's. */
  onRegression: 'fail' | 'annotate' | undefined;
  /** Empty when none was given: publishing through the API is then skipped. */
  githubToken: string;
  comment: boolean;
  /** Commit status context; also keys the sticky comment's marker. */
  statusContext: string;
  /** Deployment to post a status on: the input, else the `deployment` event's. */
  deploymentId: number | undefined;
  maxDurationMs: number | undefined;
  allowUntrusted: boolean;
  outDir: string;
  /** Branch to record default-branch runs on; undefined = no history. */
  historyBranch: string | undefined;
  /** The history file's path in that branch. */
  historyPath: string;
  /** `run` measures (one shard of it with `shard`); `merge` decides over every shard's samples. */
  mode: 'run' | 'merge';
  /** This job's shard of the workload (mode run). */
  shard: ShardSpec | undefined;
  /** A previous result.json to balance the shards by. */
  balance: string | undefined;
  /** mode merge: the shards' samples files or the folders holding them. */
  samples: string[];
}

/** A bad input: the user fixes the step's `with:` block. */
export class InputError extends PerfgateError {
  readonly input: InputName;
  constructor(input: InputName, message: string) {
    super(
      'config',
      `input '${input}' ${message}`,
      `Fix the \`with:\` block of the perfgate step in your workflow.`,
    );
    this.input = input;
  }
}

export type InputContext = Pick<
  ActionContext,
  'eventName' | 'pullRequest' | 'deploymentId' | 'runnerTemp'
>;

export function parseInputs(get: (name: string) => string, context: InputContext): ActionInputs {
  const read = (name: InputName): string => get(name).trim();

  const explicitRef = optionalRef(Inputs.beforeRef, read(Inputs.beforeRef));
  const prBase = PULL_REQUEST_EVENTS.includes(context.eventName)
    ? context.pullRequest?.baseSha
    : undefined;
  const beforeRef = explicitRef ?? prBase;

  const deploymentInput = read(Inputs.deploymentId);
  const outDir = read(Inputs.outDir);
  const scale = parseScaleOut(read);

  return {
    configPath: read(Inputs.config) || 'perfgate.yml',
    workload: read(Inputs.workload) || undefined,
    beforeRef,
    beforeRefSource: explicitRef ? 'input' : prBase ? 'pull-request-base' : 'config',
    onRegression: oneOf(Inputs.onRegression, read(Inputs.onRegression), ['fail', 'annotate']),
    githubToken: read(Inputs.githubToken),
    comment: parseBoolean(Inputs.comment, read(Inputs.comment), true),
    statusContext: statusContext(read(Inputs.statusContext)),
    deploymentId: deploymentInput
      ? positiveInteger(Inputs.deploymentId, deploymentInput)
      : context.deploymentId,
    maxDurationMs: optionalDuration(Inputs.maxDuration, read(Inputs.maxDuration)),
    allowUntrusted: parseBoolean(Inputs.allowUntrusted, read(Inputs.allowUntrusted), false),
    outDir: outDir || defaultOutDir(context.runnerTemp),
    historyBranch: gitName(Inputs.historyBranch, read(Inputs.historyBranch)),
    historyPath: gitName(Inputs.historyPath, read(Inputs.historyPath)) ?? 'perfgate-history.jsonl',
    ...scale,
  };
}

/** mode, shard, balance and samples, which only make sense in some combinations. */
function parseScaleOut(
  read: (name: InputName) => string,
): Pick<ActionInputs, 'mode' | 'shard' | 'balance' | 'samples'> {
  const mode = oneOf(Inputs.mode, read(Inputs.mode), ['run', 'merge']) ?? 'run';
  const shardText = read(Inputs.shard);
  let shard: ShardSpec | undefined;
  if (shardText) {
    const parsed = parseShard(shardText);
    if (!parsed.ok) throw new InputError(Inputs.shard, `${parsed.message}`);
    if (mode === 'merge')
      throw new InputError(Inputs.shard, 'is for the shard jobs (mode: run), not mode: merge');
    shard = parsed.value;
  }
  const balance = read(Inputs.balance) || undefined;
  if (balance && !shard) throw new InputError(Inputs.balance, "needs 'shard' (it balances shards)");
  const samples = read(Inputs.samples)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (mode === 'merge' && samples.length === 0) {
    throw new InputError(
      Inputs.samples,
      "is required with mode: merge: the shards' samples.jsonl files or the folder they were downloaded to",
    );
  }
  if (mode === 'run' && samples.length > 0)
    throw new InputError(Inputs.samples, 'is only read with mode: merge');
  return { mode, shard, balance, samples };
}

/** action.yml defaults to ${{ runner.temp }}/perfgate; this covers runs outside a runner. */
function defaultOutDir(runnerTemp: string | undefined): string {
  return runnerTemp ? path.join(runnerTemp, 'perfgate') : path.join('.perfgate', 'action');
}

/** The YAML 1.2 core-schema booleans @actions/core accepts; anything else is a mistake. */
export function parseBoolean(input: InputName, value: string, fallback: boolean): boolean {
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(input, `must be true or false, got '${value}'`);
}

/** `20m`, `90s`, `1h30m`, `1500ms`: the config's reader, so `20` is not silently 20 ms. */
export function parseDuration(input: InputName, value: string): number {
  const parsed = parsePositiveDuration(value);
  if (!parsed.ok) {
    throw new InputError(input, `${parsed.message.replace(/^expected/, 'must be')}`);
  }
  return parsed.value;
}

function optionalDuration(input: InputName, value: string): number | undefined {
  return value === '' ? undefined : parseDuration(input, value);
}

function oneOf<T extends string>(input: InputName, value: string, allowed: T[]): T | undefined {
  if (value === '') return undefined;
  if ((allowed as string[]).includes(value)) return value as T;
  throw new InputError(input, `must be one of ${allowed.join(', ')} (or empty), got '${value}'`);
}

function positiveInteger(input: InputName, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InputError(input, `must be a positive integer, got '${value}'`);
  }
  return n;
}

/** Refs reach `git` as arguments: refuse whitespace and a leading '-' (an option to git). */
function optionalRef(input: InputName, value: string): string | undefined {
  if (value === '') return undefined;
  if (value.startsWith('-') || /\s/.test(value) || value.includes('..')) {
    throw new InputError(input, `must be a git ref or commit, got '${value}'`);
  }
  return value;
}

/** A branch or path inside it, handed to git: plain names only. */
function gitName(input: InputName, value: string): string | undefined {
  if (value === '') return undefined;
  if (!/^[A-Za-z0-9._/-]+$/.test(value) || value.startsWith('-') || value.includes('..')) {
    throw new InputError(
      input,
      `must be a plain git name (letters, digits, . _ / -), got '${value}'`,
    );
  }
  return value;
}

/** The context keys the comment marker `<!-- perfgate:… -->`, so it must not end the comment. */
function statusContext(value: string): string {
  if (value === '') return 'perfgate';
  if (value.length > 100 || /[<>\n]|--/.test(value)) {
    throw new InputError(
      Inputs.statusContext,
      `must be at most 100 characters without '<', '>' or '--', got '${value}'`,
    );
  }
  return value;
}
