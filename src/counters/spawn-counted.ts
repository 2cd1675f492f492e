// Start a command with its counter group attached before it execs, so every thread, child and
// grandchild it ever creates is counted (inherit=1, enable_on_exec=1 on the blocked pid).

import { spawnBlocked, type ProcessGroup, type SpawnOptions } from '../proc/spawn.js';
import { CounterSet } from './counter-set.js';

export interface Counted {
  group: ProcessGroup;
  counters: CounterSet;
}

export async function spawnCounted(
  options: SpawnOptions,
  events: readonly string[],
  kernel = false,
): Promise<Counted> {
  const group = spawnBlocked(options);
  let counters: CounterSet;
  try {
    counters = CounterSet.open(group.pid, events, { inherit: true, enableOnExec: true, kernel });
  } catch (error) {
    await group.stop(0);
    throw error;
  }
  group.release();
  return { group, counters };
}
