// Which code perfgate is about to build and run, and with what privileges. perfgate builds and
// starts the pull request's code; on a self-hosted runner that code runs on a machine that
// outlives the job.

import { PerfgateError } from '../errors.js';
import type { ActionContext } from './context.js';
import type { ActionInputs } from './inputs.js';

export class UntrustedCodeError extends PerfgateError {
  constructor(message: string, hint: string) {
    super('config', message, hint);
  }
}

/** Throws when perfgate must not run; returns the warnings to print when it may. */
export function checkSafety(
  context: Pick<ActionContext, 'eventName' | 'pullRequest' | 'runnerEnvironment'>,
  inputs: Pick<ActionInputs, 'allowUntrusted'>,
): string[] {
  const warnings: string[] = [];
  if (context.eventName === 'pull_request_target') {
    if (!inputs.allowUntrusted) {
      throw new UntrustedCodeError(
        'refusing to build and run pull request code on a pull_request_target event',
        'pull_request_target runs with a token that can write to the repository and with its ' +
          'secrets, while the code perfgate would build and start comes from the pull request, ' +
          'possibly from a fork. That code would run with those secrets, and on a self-hosted ' +
          'runner it can take over the machine for every later job. Use the pull_request event ' +
          '(a fork pull request then gets a read-only token and perfgate reports in the job ' +
          "summary), or set 'allow-untrusted: true' only if something else vets the code first, " +
          'such as a label a maintainer adds after reading the change.',
      );
    }
    warnings.push(
      "allow-untrusted is true: building and running the pull request's code on a " +
        'pull_request_target event, with a write token and the repository secrets.',
    );
  }
  const pr = context.pullRequest;
  const selfHosted = context.runnerEnvironment !== 'github-hosted';
  if (pr && selfHosted && pr.headRepo !== pr.baseRepo) {
    const from = pr.headRepo ? `the fork ${pr.headRepo}` : 'a fork that has since been deleted';
    warnings.push(
      `this pull request comes from ${from}: perfgate builds and runs its code on this ` +
        'self-hosted runner, so anyone who can open a pull request can run code on this ' +
        'machine. Require approval for workflows from fork pull requests (Settings → Actions ' +
        '→ General), use ephemeral runners, or skip perfgate for forks.',
    );
  }
  return warnings;
}
