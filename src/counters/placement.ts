// Where targets run (measure.cpus) and which PMU counts them. Pure: facts in, a placement or
// the reason there can be none out; the pipeline turns a refusal into a config error.

import { formatCpuList, type CpusSetting, type HybridCpu } from '../proc/cpus.js';
import { eventInfo } from '../proc/events.js';
import type { Placement } from './spawn-counted.js';

/** The probe's facts that decide it (a ProbeReport carries them). */
export interface PlacementFacts {
  hybrid?: HybridCpu | null;
  /** CPUs perfgate itself may use; a target can only be given a subset. */
  allowedCpus?: readonly number[];
}

export type PlacementResult =
  | {
      ok: true;
      placement: Placement;
      /** "2-3" when pinned. */ cpus: string | null;
      pmu: string | null;
    }
  | { ok: false; message: string; hint?: string };

export function resolvePlacement(
  setting: CpusSetting,
  events: readonly string[],
  facts: PlacementFacts,
): PlacementResult {
  const hybrid = facts.hybrid ?? null;
  const allowedCpus = facts.allowedCpus ?? [];
  const allowed = new Set(allowedCpus);
  const hardware = events.some((e) => eventInfo(e)?.kind === 'hardware');
  // On a hybrid CPU hardware events count on one PMU only: keep the targets on its CPUs.
  const countingPmu = hybrid && hardware ? hybrid.core : null;
  const coreList = countingPmu ? formatCpuList(countingPmu.cpus) : '';

  let cpus: number[] | undefined;
  if (setting === 'all') {
    if (countingPmu) {
      return {
        ok: false,
        message: `'all' on a hybrid CPU would leave the work done on the ${hybrid!.others.map((p) => p.name).join(', ') || 'other'} CPUs uncounted: the ${countingPmu.name} PMU counts only CPUs ${coreList}`,
        hint: `use auto (CPUs ${coreList}) or a list within ${coreList}`,
      };
    }
  } else if (setting === 'auto') {
    if (countingPmu) {
      cpus = countingPmu.cpus.filter((c) => allowed.has(c));
      if (cpus.length === 0) {
        return {
          ok: false,
          message: `none of the performance cores (${coreList}) is available to perfgate (it may use ${formatCpuList(allowedCpus)})`,
          hint: 'allow perfgate onto the performance cores, or count task-clock (counter: task-clock)',
        };
      }
    }
  } else {
    const missing = setting.filter((c) => !allowed.has(c));
    if (missing.length > 0) {
      return {
        ok: false,
        message: `CPU ${formatCpuList(missing)} is not available here (perfgate may use ${formatCpuList(allowedCpus)})`,
      };
    }
    if (countingPmu) {
      const outside = setting.filter((c) => !countingPmu.cpus.includes(c));
      if (outside.length > 0) {
        return {
          ok: false,
          message: `CPU ${formatCpuList(outside)} is not a performance core: the ${countingPmu.name} PMU that counts instructions covers CPUs ${coreList} only`,
          hint: `choose CPUs within ${coreList}`,
        };
      }
    }
    cpus = setting;
  }
  const placement: Placement = {
    ...(cpus ? { cpus } : {}),
    ...(countingPmu ? { pmuType: countingPmu.type } : {}),
  };
  return {
    ok: true,
    placement,
    cpus: cpus ? formatCpuList(cpus) : null,
    pmu: countingPmu ? countingPmu.name : null,
  };
}
