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
  type PublishTarget,
} from './action/publish/index.js';
import { checkSafety } from './action/safety.js';
import { abortOnSignals } from './action/signals.js';

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

    const options: GateOptions = {
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
      },
      logger: actionsLogger(core),
      signal: watch.signal,
      pidFile,
    };
    const outcome = await deps.runGate(options);

    setOutputs(core, outcome);
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
    await publishFailure(core, target, message);
    core.setFailed(message);
  } finally {
    watch.dispose();
  }
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
