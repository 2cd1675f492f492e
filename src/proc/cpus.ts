// CPU lists ("0-3,8") and hybrid CPUs. On a hybrid Intel CPU (Alder Lake and later) the
// performance and efficiency cores have separate PMUs, cpu_core and cpu_atom: a hardware event
// opened for one counts nothing while the task runs on the other. perfgate therefore keeps the
// targets on the cpu_core CPUs and names that PMU in each hardware event (research:
// perf_event.md, "Hybrid Intel CPUs").
// It sits below config and counters because both read it: the config's measure.cpus, the placement.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Parses a kernel CPU list ("0-3,8,10-11") into sorted, distinct CPU numbers. */
export function parseCpuList(text: string): number[] {
  const cpus = new Set<number>();
  const trimmed = text.trim();
  if (trimmed === '') throw new RangeError('an empty CPU list');
  for (const part of trimmed.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new RangeError(`'${part.trim()}' is not a CPU number or range like 2-5`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new RangeError(`'${part.trim()}' runs backwards`);
    if (to > 4095) throw new RangeError(`CPU ${to} is out of range`);
    for (let cpu = from; cpu <= to; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** The shortest CPU list for a set of CPUs: [0,1,2,3,8] → "0-3,8". */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** measure.cpus / --cpus: `auto` (hybrid CPUs: the performance cores), `all`, or explicit CPUs. */
export type CpusSetting = 'auto' | 'all' | number[];

/** Reads a measure.cpus / --cpus value; throws a RangeError that says what is wrong. */
export function parseCpusSetting(text: string): CpusSetting {
  if (text === 'auto' || text === 'all') return text;
  try {
    return parseCpuList(text);
  } catch (error) {
    throw new RangeError(
      `expected auto, all or a CPU list such as 2-3: ${(error as Error).message}`,
    );
  }
}

export interface HybridPmu {
  /** PMU name in sysfs: cpu_core, cpu_atom. */
  name: string;
  /** Its perf type id, for bits 32-63 of a hardware event's config. */
  type: number;
  cpus: number[];
}

/** The hybrid PMUs, the performance cores' (cpu_core) first; null on a CPU that is not hybrid. */
export interface HybridCpu {
  core: HybridPmu;
  others: HybridPmu[];
}

/** Reads /sys/bus/event_source/devices/cpu_{core,atom}; `sys` is a root for tests. */
export function readHybridCpu(sys = '/sys'): HybridCpu | null {
  const pmu = (name: string): HybridPmu | null => {
    const dir = join(sys, 'bus', 'event_source', 'devices', name);
    try {
      const type = Number.parseInt(readFileSync(join(dir, 'type'), 'utf8').trim(), 10);
      const cpus = parseCpuList(readFileSync(join(dir, 'cpus'), 'utf8'));
      return Number.isInteger(type) && type > 0 ? { name, type, cpus } : null;
    } catch {
      return null;
    }
  };
  const core = pmu('cpu_core');
  if (!core) return null;
  const atom = pmu('cpu_atom');
  return { core, others: atom ? [atom] : [] };
}
