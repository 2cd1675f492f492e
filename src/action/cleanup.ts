// The post step's work: runs after the main step even when the job was cancelled, and kills
// any target process group the main step registered but could not stop. It never fails the job.

import { errorMessage } from '../errors.js';
import type { ActionCore } from './core.js';
import { States } from './names.js';

export interface PostDeps {
  core: Pick<ActionCore, 'getState' | 'debug' | 'info' | 'warning'>;
  /** Kills the groups recorded in the pid file; resolves to how many were still alive. */
  killRegisteredGroups: (file: string) => Promise<number>;
}

export async function runPost(deps: PostDeps): Promise<void> {
  const { core } = deps;
  const pidFile = core.getState(States.pidFile);
  if (!pidFile) {
    core.debug('no pid file was recorded: the main step did not start the gate');
    return;
  }
  try {
    const killed = await deps.killRegisteredGroups(pidFile);
    if (killed > 0) {
      core.warning(
        `stopped ${killed} target process group${killed === 1 ? '' : 's'} left running by the main step (cancelled or crashed)`,
      );
    } else {
      core.debug(`no target left running (${pidFile})`);
    }
  } catch (error) {
    core.warning(`could not clean up the targets listed in ${pidFile}: ${errorMessage(error)}`);
  }
}
