// The action's main entry (dist/index.js): the real runner, API and gate, handed to run().

import { defaultActionDeps } from './action/deps.js';
import { run } from './main.js';

void run(defaultActionDeps());
