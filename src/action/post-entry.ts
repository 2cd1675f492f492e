// The action's post entry (dist/post.js).

import { killRegisteredGroups } from '../proc/registry.js';
import { actionsCore } from './core.js';
import { runPost } from './post.js';

void runPost({ core: actionsCore, killRegisteredGroups: (file) => killRegisteredGroups(file) });
