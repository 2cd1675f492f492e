// The Logger domain code speaks through, backed by the runner's log: warnings and errors become
// annotations on the run, with the title the caller gives.

import type { Logger } from '../log.js';
import type { ActionCore } from './core.js';

export function actionsLogger(core: ActionCore): Logger {
  return {
    debug: (message) => core.debug(message),
    info: (message) => core.info(message),
    warn: (message, title) => core.warning(message, title ? { title } : undefined),
    error: (message, title) => core.error(message, title ? { title } : undefined),
    // The runner's log is not a terminal: progress is one line per update.
    progress: (message) => core.info(message),
  };
}
