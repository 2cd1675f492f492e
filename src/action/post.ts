// The action's post entry (dist/post.js): kills targets a cancelled main step left running.

import { killRegisteredGroups } from '../proc/registry.js';
import { actionsCore } from './core.js';
import { runPost } from './cleanup.js';

void runPost({ core: actionsCore, killRegisteredGroups: (file) => killRegisteredGroups(file) });
