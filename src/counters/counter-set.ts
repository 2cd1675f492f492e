// A set of counter groups on one process tree. Hardware and software events live in separate
// groups (a PMU-less machine must still open the software group), each read with one read().

import { EnvironmentError } from '../errors.js';
import { loadBinding, type NativeBinding } from './binding.js';
import { eventInfo } from '../proc/events.js';

export interface OpenOptions {
  /** Count every thread and child the target creates from now on. */
  inherit?: boolean;
  /** Start counting at the target's next execve (the spawn handshake); else enable() by hand. */
  enableOnExec?: boolean;
  /** Count kernel-mode work too (needs perf_event_paranoid <= 1 or CAP_PERFMON). */
  kernel?: boolean;
  /** Hybrid CPUs: the perf type of the PMU that counts the hardware events (cpu_core's). */
  pmuType?: number;
}

export interface Reading {
  /** Cumulative count per event since counting began. */
  values: Record<string, number>;
  /** Summed over threads; running < enabled means the PMU multiplexed the group. */
  enabled: number;
  running: number;
  multiplexed: boolean;
}

export function requireBinding(): NativeBinding {
  const b = loadBinding();
  if (!b.bound)
    throw new EnvironmentError(b.reason, 'supported platforms: linux-x64, linux-arm64 (glibc)');
  return b.native;
}

export class CounterSet {
  readonly events: readonly string[];
  /** Layout of a snapshot buffer: per group [enabled, running, ...values]. */
  readonly width: number;
  private readonly native: NativeBinding;
  private readonly groups: { handle: number; events: string[]; offset: number }[];
  private closed = false;

  private constructor(
    native: NativeBinding,
    groups: { handle: number; events: string[]; offset: number }[],
  ) {
    this.native = native;
    this.groups = groups;
    this.events = groups.flatMap((g) => g.events);
    this.width = groups.reduce((w, g) => w + 2 + g.events.length, 0);
  }

  /** Opens the events on `pid` (0 = this thread). Throws the native error (with .code) on refusal. */
  static open(pid: number, events: readonly string[], options: OpenOptions = {}): CounterSet {
    const native = requireBinding();
    const byKind = new Map<string, string[]>();
    for (const e of events) {
      const kind = eventInfo(e)?.kind ?? 'software';
      byKind.set(kind, [...(byKind.get(kind) ?? []), e]);
    }
    // Keep the caller's order of kinds so the primary event's group comes first.
    const opened: { handle: number; events: string[]; offset: number }[] = [];
    let offset = 0;
    try {
      for (const group of byKind.values()) {
        const handle = native.open(pid, group, {
          inherit: options.inherit ?? true,
          enableOnExec: options.enableOnExec ?? false,
          excludeKernel: !(options.kernel ?? false),
          ...(options.pmuType ? { pmuType: options.pmuType } : {}),
        });
        opened.push({ handle, events: group, offset });
        offset += 2 + group.length;
      }
    } catch (error) {
      for (const g of opened) native.close(g.handle);
      throw error;
    }
    return new CounterSet(native, opened);
  }

  enable(): void {
    for (const g of this.groups) this.native.enable(g.handle);
  }

  disable(): void {
    for (const g of this.groups) this.native.disable(g.handle);
  }

  /** Raw snapshot into a caller-owned buffer of `width` doubles: the replay loop's cheap read. */
  snapshot(out: Float64Array): void {
    for (const g of this.groups) this.native.readInto(g.handle, out, g.offset);
  }

  newBuffer(): Float64Array {
    return new Float64Array(this.width);
  }

  read(): Reading {
    const buf = this.newBuffer();
    this.snapshot(buf);
    return this.decode(buf);
  }

  decode(buf: Float64Array): Reading {
    const values: Record<string, number> = {};
    let enabled = 0;
    let running = 0;
    let multiplexed = false;
    for (const g of this.groups) {
      const en = buf[g.offset]!;
      const run = buf[g.offset + 1]!;
      if (run < en) multiplexed = true;
      enabled = Math.max(enabled, en);
      running = Math.max(running, run);
      g.events.forEach((e, i) => {
        values[e] = buf[g.offset + 2 + i]!;
      });
    }
    return { values, enabled, running, multiplexed };
  }

  /**
   * Per-event difference between two snapshots, written into `out` in `events` order.
   * Returns whether any group multiplexed in between (its running time grew less than enabled).
   */
  delta(before: Float64Array, after: Float64Array, out: Float64Array): boolean {
    let multiplexed = false;
    let k = 0;
    for (const g of this.groups) {
      const dEn = after[g.offset]! - before[g.offset]!;
      const dRun = after[g.offset + 1]! - before[g.offset + 1]!;
      if (dRun < dEn) multiplexed = true;
      for (let i = 0; i < g.events.length; i++) {
        out[k++] = after[g.offset + 2 + i]! - before[g.offset + 2 + i]!;
      }
    }
    return multiplexed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const g of this.groups) this.native.close(g.handle);
  }
}
