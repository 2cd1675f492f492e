// What perfgate knows about each perf event: its kind and the unit of its count. The native
// addon maps the same names to perf_event_attr type/config.
// It sits below config and counters because both read it: the config names the events, the
// counters open them.

export type EventKind = 'hardware' | 'software';

export interface EventInfo {
  name: string;
  kind: EventKind;
  unit: string;
  description: string;
  /** Counts kernel-mode time whatever exclude_kernel says (the clock events measure CPU time). */
  alwaysKernel?: boolean;
}

export const EVENTS = [
  {
    name: 'instructions',
    kind: 'hardware',
    unit: 'instructions',
    description: 'retired instructions',
  },
  { name: 'cycles', kind: 'hardware', unit: 'cycles', description: 'CPU cycles' },
  { name: 'branches', kind: 'hardware', unit: 'branches', description: 'retired branches' },
  { name: 'branch-misses', kind: 'hardware', unit: 'misses', description: 'mispredicted branches' },
  {
    name: 'cache-references',
    kind: 'hardware',
    unit: 'references',
    description: 'last-level cache references',
  },
  {
    name: 'cache-misses',
    kind: 'hardware',
    unit: 'misses',
    description: 'last-level cache misses',
  },
  {
    name: 'task-clock',
    kind: 'software',
    unit: 'ns',
    description: 'CPU time of the process tree',
    alwaysKernel: true,
  },
  {
    name: 'cpu-clock',
    kind: 'software',
    unit: 'ns',
    description: 'CPU clock timer',
    alwaysKernel: true,
  },
  { name: 'page-faults', kind: 'software', unit: 'faults', description: 'page faults' },
  { name: 'minor-faults', kind: 'software', unit: 'faults', description: 'minor page faults' },
  { name: 'major-faults', kind: 'software', unit: 'faults', description: 'major page faults' },
  {
    name: 'context-switches',
    kind: 'software',
    unit: 'switches',
    description: 'context switches (0 unless kernel counting is on)',
  },
  { name: 'cpu-migrations', kind: 'software', unit: 'migrations', description: 'CPU migrations' },
] as const satisfies readonly EventInfo[];

export type EventName = (typeof EVENTS)[number]['name'];

const BY_NAME = new Map<string, EventInfo>(EVENTS.map((e) => [e.name, e]));

export function eventInfo(name: string): EventInfo | undefined {
  return BY_NAME.get(name);
}

export const EVENT_NAMES: readonly EventName[] = EVENTS.map((e) => e.name);
