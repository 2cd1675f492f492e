// The action's main entry (dist/index.js).

import { run } from './main.js';

void run();
