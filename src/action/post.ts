// The action's post entry (dist/post.js): kills targets a cancelled main step left running, and
// removes the before.ref worktrees it could not.

import { cleanupLeftovers } from '../targets/index.js';
import { actionsCore } from './core.js';
import { runPost } from './cleanup.js';

void runPost({
  core: actionsCore,
  killRegisteredGroups: async (file) => {
    const cleaned = await cleanupLeftovers(file);
    if (cleaned.worktrees > 0) {
      actionsCore.warning(
        `removed ${cleaned.worktrees} before.ref worktree${cleaned.worktrees === 1 ? '' : 's'} left by the main step (cancelled or crashed)`,
      );
    }
    return cleaned.groups;
  },
});
