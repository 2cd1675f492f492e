// The step's outputs, for later steps (`steps.<id>.outputs.verdict`).

import type { GateOutcome } from '../report/index.js';
import type { ActionCore } from './core.js';
import { Outputs } from './names.js';

export function setOutputs(core: Pick<ActionCore, 'setOutput'>, outcome: GateOutcome): void {
  core.setOutput(Outputs.verdict, outcome.result.verdict);
  core.setOutput(Outputs.regressions, String(outcome.result.counts.regression));
  core.setOutput(Outputs.resultPath, outcome.resultPath);
  core.setOutput(Outputs.reportPath, outcome.reportPath);
}

/** When the gate could not finish, later steps still see a verdict. */
export function setErrorOutputs(core: Pick<ActionCore, 'setOutput'>): void {
  core.setOutput(Outputs.verdict, 'error');
}
