// CPU cost of one request on the thread that serves it. In order of preference:
//   instructions   the thread's retired instructions, perf_event_open through perfgate's addon
//   task-clock     the thread's CPU time in ns, the same way, where there is no PMU
//   thread-cpu     process.threadCpuUsage() (Node ≥ 22.19, getrusage(RUSAGE_THREAD)), µs → ns
//   process-cpu    process.cpuUsage(): the whole process (other threads too), µs → ns
// Only the thread that runs the handler is counted (not libuv's pool or GC helpers), and a delta
// taken across an await includes whatever else the thread did meanwhile: a slicing signal for
// production, not a gate input.

import { loadBinding } from '../counters/binding.js';

export type CpuCounter = 'instructions' | 'task-clock' | 'thread-cpu' | 'process-cpu';
export type CpuChoice = 'auto' | CpuCounter | 'none';

export interface CpuMeter {
  counter: CpuCounter;
  unit: 'count' | 'ns';
  /** Cumulative value; a request's cost is the difference of two reads. */
  read(): number;
  /** Why a preferred counter was not used, if one was passed over. */
  reason?: string;
  close(): void;
}

export function openCpuMeter(choice: CpuChoice): CpuMeter | undefined {
  if (choice === 'none') return undefined;
  const reasons: string[] = [];
  for (const counter of ['instructions', 'task-clock'] as const) {
    if (choice !== 'auto' && choice !== counter) continue;
    const meter = addonMeter(counter, reasons);
    if (meter) return withReason(meter, reasons);
  }
  const thread = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  if ((choice === 'auto' || choice === 'thread-cpu') && typeof thread === 'function') {
    return withReason(
      usageMeter('thread-cpu', () => thread.call(process)),
      reasons,
    );
  }
  if (choice === 'thread-cpu') reasons.push('process.threadCpuUsage needs Node ≥ 22.19');
  if (choice === 'auto' || choice === 'process-cpu') {
    return withReason(
      usageMeter('process-cpu', () => process.cpuUsage()),
      reasons,
    );
  }
  throw new Error(`perfgate recorder: cannot count ${choice}: ${reasons.join('; ')}`);
}

function withReason(meter: CpuMeter, reasons: string[]): CpuMeter {
  if (reasons.length) meter.reason = reasons.join('; ');
  return meter;
}

function addonMeter(
  counter: 'instructions' | 'task-clock',
  reasons: string[],
): CpuMeter | undefined {
  const binding = loadBinding();
  if (!binding.bound) {
    if (!reasons.includes(binding.reason)) reasons.push(binding.reason);
    return undefined;
  }
  const native = binding.native;
  let handle: number;
  try {
    // pid 0, cpu -1: this thread only, on whichever CPU it runs. User space only for
    // instructions (always permitted at paranoid ≤ 2); task-clock has no kernel/user split.
    handle = native.open(0, [counter], { excludeKernel: counter === 'instructions' });
    native.enable(handle);
  } catch (error) {
    reasons.push(`${counter}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const out = new Float64Array(3);
  return {
    counter,
    unit: counter === 'instructions' ? 'count' : 'ns',
    read() {
      native.readInto(handle, out, 0);
      return out[2]!;
    },
    close() {
      try {
        native.close(handle);
      } catch {
        // already closed
      }
    },
  };
}

function usageMeter(counter: 'thread-cpu' | 'process-cpu', usage: () => NodeJS.CpuUsage): CpuMeter {
  return {
    counter,
    unit: 'ns',
    read() {
      const u = usage();
      return (u.user + u.system) * 1000;
    },
    close() {},
  };
}
