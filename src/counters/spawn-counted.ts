// Start a command with its counter group attached before it execs, so every thread, child and
// grandchild it ever creates is counted (inherit=1, enable_on_exec=1 on the blocked pid).

import { spawnBlocked, type ProcessGroup, type SpawnOptions } from '../proc/spawn.js';
import { CounterSet, requireBinding } from './counter-set.js';

export interface Counted {
  group: ProcessGroup;
  counters: CounterSet;
}

/** Where the target runs and which PMU counts it. */
export interface Placement {
  /** CPUs the whole process tree may run on (sched_setaffinity on the blocked pid); all if unset. */
  cpus?: readonly number[];
  /** Hybrid CPUs: the perf type of the PMU the hardware events are opened on. */
  pmuType?: number;
}

export async function spawnCounted(
  options: SpawnOptions,
  events: readonly string[],
  kernel = false,
  placement: Placement = {},
): Promise<Counted> {
  const group = spawnBlocked(options);
  let counters: CounterSet;
  try {
    // Before the blocker execs: the server, its threads and its children all inherit it.
    if (placement.cpus?.length) requireBinding().setAffinity(group.pid, [...placement.cpus]);
    counters = CounterSet.open(group.pid, events, {
      inherit: true,
      enableOnExec: true,
      kernel,
      ...(placement.pmuType ? { pmuType: placement.pmuType } : {}),
    });
  } catch (error) {
    await group.stop(0);
    throw error;
  }
  group.release();
  return { group, counters };
}
