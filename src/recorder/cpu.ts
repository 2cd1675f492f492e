// CPU cost of one request on the thread that serves it. In order of preference:
//   instructions   the thread's retired instructions, perf_event_open through perfgate's addon
//   task-clock     the thread's CPU time in ns, the same way, where there is no PMU
//                  (both enabled only while a measured request is in flight: an enabled event
//                  costs the kernel work at every context switch of the thread)
//   thread-cpu     without the addon: the scheduler's sum_exec_runtime from
//                  /proc/thread-self/schedstat (ns; a read costs ~0.5 µs, like the addon's,
//                  but the kernel updates it only at ticks and switches, so one request's
//                  delta is coarse), else process.threadCpuUsage() (Node ≥ 22.19, µs)
//   process-cpu    process.cpuUsage(): the whole process (other threads too), µs → ns
// Only the thread that runs the handler is counted (not libuv's pool or GC helpers), and a delta
// taken across an await includes whatever else the thread did meanwhile: a slicing signal for
// production, not a gate input.

import { openSync, readSync } from 'node:fs';
import { loadBinding } from '../counters/binding.js';

export type CpuCounter = 'instructions' | 'task-clock' | 'thread-cpu' | 'process-cpu';
export type CpuChoice = 'auto' | CpuCounter | 'none';

export interface CpuMeter {
  counter: CpuCounter;
  unit: 'count' | 'ns';
  /** Cumulative value; a request's cost is the difference of two reads. */
  read(): number;
  /** Around each measured request (nested when requests overlap). */
  begin(): void;
  end(): void;
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
  if (choice === 'auto' || choice === 'thread-cpu') {
    const meter = schedstatMeter(reasons);
    if (meter) return withReason(meter, reasons);
    const thread = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
    if (typeof thread === 'function') {
      return withReason(
        usageMeter('thread-cpu', () => thread.call(process)),
        reasons,
      );
    }
    reasons.push('process.threadCpuUsage needs Node ≥ 22.19');
  }
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
  } catch (error) {
    reasons.push(`${counter}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const out = new Float64Array(3);
  let active = 0;
  return {
    counter,
    unit: counter === 'instructions' ? 'count' : 'ns',
    read() {
      native.readInto(handle, out, 0);
      return out[2]!;
    },
    // Enabled only while a measured request is in flight: an enabled event costs the kernel
    // work at every context switch of the thread, measured or not. The count only grows while
    // enabled, and every measured request lies inside an enabled stretch. (Checked: a 100 µs
    // spin reads 100.8 µs toggled and 100.7 µs left enabled, over 2000 tries.)
    begin() {
      if (active++ === 0) native.enable(handle);
    },
    end() {
      if (active > 0 && --active === 0) native.disable(handle);
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
    begin() {},
    end() {},
    close() {},
  };
}

/** This thread's run time in ns (first field of schedstat), one pread per reading. */
function schedstatMeter(reasons: string[]): CpuMeter | undefined {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch (error) {
    reasons.push(
      `/proc/thread-self/schedstat: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
    return undefined;
  }
  const buf = Buffer.alloc(96);
  const read = () => {
    const n = readSync(fd, buf, 0, buf.length, 0);
    const space = buf.indexOf(0x20);
    return Number(buf.toString('latin1', 0, space > 0 && space < n ? space : n));
  };
  if (!Number.isFinite(read())) {
    reasons.push('/proc/thread-self/schedstat: unreadable');
    return undefined;
  }
  return { counter: 'thread-cpu', unit: 'ns', read, begin() {}, end() {}, close() {} };
}
