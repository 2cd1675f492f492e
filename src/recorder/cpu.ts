// CPU cost of one request on the thread that serves it. In order of preference:
//   instructions   the thread's retired instructions, perf_event_open through perfgate's addon
//                  (enabled only while a measured request is in flight)
//   thread-cpu     the thread's CPU time in ns: clock_gettime(CLOCK_THREAD_CPUTIME_ID) through
//                  the addon (exact, one syscall a read); without the addon, the scheduler's
//                  sum_exec_runtime from /proc/thread-self/schedstat (updated only at ticks and
//                  switches, so one request's delta is coarse), else process.threadCpuUsage()
//                  (Node ≥ 22.19, µs)
//   process-cpu    process.cpuUsage(): the whole process (other threads too), µs → ns
// task-clock (the same CPU time as a perf event) only when asked for: a perf event attached to
// the thread, even disabled, costs the kernel work at every context switch of the thread,
// measured request or not (~0.2 µs a switch on the 2-vCPU VM: a pipe ping-pong went from 7.91
// to 8.35 µs a round trip with a disabled task-clock event open), and the serving thread
// switches at least once a request. The clock reads the same time with nothing attached.
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
  if (choice === 'auto' || choice === 'instructions') {
    const meter = addonMeter('instructions', reasons);
    if (meter) return withReason(meter, reasons);
  }
  if (choice === 'task-clock') {
    const meter = addonMeter('task-clock', reasons);
    if (meter) return withReason(meter, reasons);
  }
  if (choice === 'auto' || choice === 'thread-cpu') {
    const meter = clockMeter(reasons) ?? schedstatMeter(reasons);
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

/** clock_gettime(CLOCK_THREAD_CPUTIME_ID) through the addon, where the build has it. */
function clockMeter(reasons: string[]): CpuMeter | undefined {
  const binding = loadBinding();
  if (!binding.bound) {
    if (!reasons.includes(binding.reason)) reasons.push(binding.reason);
    return undefined;
  }
  const clock = binding.native.threadCpuNs?.bind(binding.native);
  if (!clock) return undefined;
  try {
    clock();
  } catch (error) {
    reasons.push(`thread-cpu: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  return { counter: 'thread-cpu', unit: 'ns', read: clock, begin() {}, end() {}, close() {} };
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
