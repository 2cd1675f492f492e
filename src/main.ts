// The action's main step: inputs → safety → gate → publish → outputs → exit code. One failure
// boundary; the gate fails closed, so anything that goes wrong fails the step.

import path from 'node:path';
import type { GateOptions } from './pipeline.js';
import { readContext } from './action/context.js';
import type { ActionDeps } from './action/deps.js';
import { failureMessage, verdictFailure } from './action/failure.js';
import { recordHistory } from './action/history.js';
import { parseInputs, type ActionInputs } from './action/inputs.js';
import { actionsLogger } from './action/logger.js';
import { Inputs, States } from './action/names.js';
import { setErrorOutputs, setOutputs } from './action/outputs.js';
import {
  connect,
  publishFailure,
  publishOutcome,
  publishShard,
  type PublishTarget,
} from './action/publish/index.js';
import { checkSafety } from './action/safety.js';
import { abortOnSignals } from './action/signals.js';
import { readBalance } from './workload/index.js';

/** The main step; src/index.ts hands in the real runner, API client and gate, tests fakes. */
export async function run(deps: ActionDeps): Promise<void> {
  const { core } = deps;
  // Masked before anything else can print it.
  const token = core.getInput(Inputs.githubToken).trim();
  if (token) core.setSecret(token);

  const watch = abortOnSignals(deps.signals, (message) => core.warning(message));
  let target: PublishTarget | undefined;
  try {
    const context = readContext(deps.env, deps.readFile);
    const inputs = parseInputs((name) => core.getInput(name), context);
    logInputs(deps, inputs);
    target = { core, context, inputs, client: connect(core, deps.github, context, inputs) };

    for (const warning of checkSafety(context, inputs)) {
      core.warning(warning, { title: 'perfgate: untrusted code' });
    }

    // The post step kills any target a cancelled run leaves behind, from this file.
    const pidFile = path.join(
      context.runnerTemp ?? deps.tmpdir,
      `perfgate-targets-${deps.pid}.pids`,
    );
    core.saveState(States.pidFile, pidFile);

    const logger = actionsLogger(core);
    const outcome =
      inputs.mode === 'merge'
        ? await deps.runMerge({
            inputs: inputs.samples,
            outDir: inputs.outDir,
            configPath: inputs.configPath,
            ...(inputs.onRegression ? { onRegression: inputs.onRegression } : {}),
            logger,
          })
        : await deps.runGate(gateOptions(inputs, logger, watch.signal, pidFile));

    setOutputs(core, outcome);
    if (inputs.shard) {
      // One shard's verdict covers part of the endpoints: the merge job publishes the verdict.
      await publishShard(target, outcome, inputs.shard);
      if (outcome.exitCode === 2)
        core.setFailed(`perfgate could not measure this shard: ${outcome.result.summary}`);
      return;
    }
    await publishOutcome(target, outcome);
    await recordHistory(
      core,
      context,
      inputs,
      outcome,
      deps.env,
      deps.env['GITHUB_WORKSPACE'] || process.cwd(),
    );

    const failure = verdictFailure(outcome);
    if (failure) {
      core.setFailed(failure);
    } else if (outcome.result.verdict === 'fail') {
      core.info(`${outcome.result.summary} (on-regression: annotate, so the step passes)`);
    }
  } catch (error) {
    const message = failureMessage(error);
    setErrorOutputs(core);
    // A shard's failure goes to its summary only: the merge job says the run failed, once.
    await publishFailure(core, target?.inputs.shard ? undefined : target, message);
    core.setFailed(message);
  } finally {
    watch.dispose();
  }
}

function gateOptions(
  inputs: ActionInputs,
  logger: GateOptions['logger'],
  signal: AbortSignal,
  pidFile: string,
): GateOptions {
  return {
    configPath: inputs.configPath,
    outDir: inputs.outDir,
    overrides: {
      workload: inputs.workload,
      // An explicit input always wins; the pull request's base only replaces a config's
      // `before.ref` (or a missing `before`), never a `before.cwd` the config pins.
      ...(inputs.beforeRefSource === 'input'
        ? { beforeRef: inputs.beforeRef, beforeRefFrom: "input 'before-ref'" }
        : {}),
      ...(inputs.beforeRefSource === 'pull-request-base'
        ? { defaultBeforeRef: inputs.beforeRef }
        : {}),
      onRegression: inputs.onRegression,
      maxDurationMs: inputs.maxDurationMs,
      ...(inputs.shard
        ? {
            shard: {
              ...inputs.shard,
              ...(inputs.balance ? { balance: readBalance(inputs.balance) } : {}),
            },
          }
        : {}),
    },
    logger,
    signal,
    pidFile,
  };
}

function logInputs({ core }: ActionDeps, inputs: ActionInputs): void {
  const { githubToken: _token, ...shown } = inputs;
  for (const [key, value] of Object.entries(shown)) {
    core.debug(`input ${key}: ${value === undefined ? '(unset)' : String(value)}`);
  }
  if (inputs.beforeRefSource === 'pull-request-base') {
    core.info(`before build: the pull request's base commit ${inputs.beforeRef}`);
  }
}
