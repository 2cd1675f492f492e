export { CounterSet, requireBinding, type OpenOptions, type Reading } from './counter-set.js';
export { EVENTS, EVENT_NAMES, eventInfo, type EventInfo } from '../proc/events.js';
export {
  assessProbe,
  gatherProbeFacts,
  probe,
  type ProbeFacts,
  type ProbeReport,
} from './probe.js';
export { parseCounterList, selectCounters } from './select.js';
export { chooseCounting, SIMULATED_SETTING, type Counting } from './choose.js';
export type { CounterChoice } from './choice.js';
export { loadBinding, PLATFORM_TAG } from './binding.js';
export { spawnCounted, type Counted, type Placement } from './spawn-counted.js';
export {
  formatCpuList,
  parseCpuList,
  parseCpusSetting,
  type CpusSetting,
  readHybridCpu,
  type HybridCpu,
  type HybridPmu,
} from '../proc/cpus.js';
export { resolvePlacement, type PlacementFacts, type PlacementResult } from './placement.js';
export {
  SIMULATED,
  SIMULATED_LABEL,
  SimulatedCounter,
  probeValgrind,
  valgrindArgv,
  type SimulatedThreads,
  type ValgrindProbe,
} from './simulated.js';
