// What the step says when it fails. Errors the user can fix print their message and what to do;
// anything else is perfgate's bug and prints its stack so it can be reported.

import type { GateOutcome } from '../report/index.js';
import { errorMessage, isUserFacing } from '../errors.js';

export function failureMessage(error: unknown): string {
  if (isUserFacing(error)) return error.hint ? `${error.message}\n${error.hint}` : error.message;
  const detail = error instanceof Error && error.stack ? error.stack : errorMessage(error);
  return `perfgate failed unexpectedly; this is a bug in perfgate, please report it with this log.\n${detail}`;
}

/** The step fails on an error (fail closed) and on a regression unless on-regression is annotate. */
export function verdictFailure(outcome: GateOutcome): string | undefined {
  const { result } = outcome;
  if (result.verdict === 'error' || outcome.exitCode === 2) {
    return `perfgate could not reach a verdict: ${result.summary}`;
  }
  if (result.verdict === 'fail' && outcome.onRegression === 'fail') {
    return `perfgate: ${result.summary}`;
  }
  return undefined;
}
