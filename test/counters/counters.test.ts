import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBinding, EVENTS, CounterSet, spawnCounted, probe } from '../../src/counters/index.js';
import { missingVerbs, VERBS } from '../../src/counters/binding.js';
import { HAS_PMU, NO_PMU_REASON } from '../helpers/pmu.js';
import { spawnBlocked } from '../../src/proc/index.js';

const FIXTURE = join(import.meta.dirname, 'tree.fixture.cjs');

/** utime+stime of this process's waited-for children, in ns (the kernel's own accounting). */
function childrenCpuNs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // cutime and cstime are fields 16 and 17 (1-based); after ')' the list starts at field 3.
  const ticks = Number(f[13]) + Number(f[14]);
  return (ticks / 100) * 1e9; // USER_HZ is 100 on Linux
}

describe('native binding', () => {
  it('loads and knows the same events as perfgate', () => {
    const b = loadBinding();
    expect(b.bound).toBe(true);
    if (!b.bound) return;
    expect(b.native.events().map((e) => e.name)).toEqual(EVENTS.map((e) => e.name));
    expect(b.native.events().map((e) => e.type)).toEqual(EVENTS.map((e) => e.kind));
  });

  it('has every verb perfgate calls, and an addon lacking some is refused by name', () => {
    const b = loadBinding();
    if (!b.bound) throw new Error(b.reason);
    expect(missingVerbs(b.native)).toEqual([]);
    expect(missingVerbs({ open() {}, read() {} })).toEqual(
      VERBS.filter((v) => v !== 'open' && v !== 'read'),
    );
  });

  it('names the syscall, event and errno when the pid does not exist', () => {
    expect(() => CounterSet.open(2 ** 22 + 12345, ['task-clock'])).toThrowError(
      expect.objectContaining({ code: 'ESRCH', syscall: 'perf_event_open', event: 'task-clock' }),
    );
  });

  it('refuses a closed handle with EBADF', () => {
    const b = loadBinding();
    if (!b.bound) throw new Error('unbound');
    const h = b.native.open(0, ['task-clock'], { inherit: false });
    b.native.close(h);
    expect(() => b.native.read(h)).toThrowError(expect.objectContaining({ code: 'EBADF' }));
    expect(() => b.native.enable(h)).toThrowError(expect.objectContaining({ code: 'EBADF' }));
  });

  it('rejects an unknown event name', () => {
    expect(() => CounterSet.open(0, ['instructionz'])).toThrowError(
      expect.objectContaining({ code: 'EUNKNOWNEVENT', event: 'instructionz' }),
    );
  });

  it('rejects bad arguments with a TypeError', () => {
    const b = loadBinding();
    if (!b.bound) throw new Error('unbound');
    // @ts-expect-error deliberately wrong
    expect(() => b.native.open('x', ['task-clock'])).toThrowError(TypeError);
    expect(() => b.native.open(0, [])).toThrowError(TypeError);
  });
});

describe('probe', () => {
  it('selects instructions where a PMU exists and task-clock otherwise', () => {
    const r = probe();
    expect(r.events['task-clock']).toEqual({ ok: true });
    if (HAS_PMU) {
      expect(r.selected).toBe('instructions');
      expect(r.fallback).toBe(false);
    } else {
      expect(r.events['instructions']).toEqual({ ok: false, error: 'ENOENT' });
      expect(r.selected).toBe('task-clock');
      expect(r.fallback).toBe(true);
      expect(r.status).toBe('no-pmu');
    }
  });
});

describe('counting a whole process tree (task-clock)', () => {
  it('equals the kernel accounting of 3 worker threads and a forked grandchild', async () => {
    const before = childrenCpuNs();
    const { group, counters } = await spawnCounted(
      { argv: [process.execPath, FIXTURE, '40000000'], label: 'tree', stdio: 'capture' },
      ['task-clock', 'page-faults'],
    );
    const exit = await group.exited;
    const reading = counters.read();
    counters.close();
    await group.stop(0);
    const kernelNs = childrenCpuNs() - before;
    expect(exit.code).toBe(0);
    const counted = reading.values['task-clock']!;
    // 3 threads + a grandchild doing twice the work: several hundred ms of CPU.
    expect(counted).toBeGreaterThan(2e8);
    console.info(
      `task-clock ${(counted / 1e6).toFixed(1)} ms vs kernel ${(kernelNs / 1e6).toFixed(1)} ms`,
    );
    expect(Math.abs(counted - kernelNs) / kernelNs).toBeLessThan(0.05);
    expect(reading.multiplexed).toBe(false);
    expect(reading.values['page-faults']).toBeGreaterThan(0);
  });

  it('counts nothing until the blocked command execs', async () => {
    const group = spawnBlocked({
      argv: [process.execPath, FIXTURE, '1000000'],
      label: 'gate',
      stdio: 'capture',
    });
    const set = CounterSet.open(group.pid, ['task-clock'], { enableOnExec: true });
    await new Promise((r) => setTimeout(r, 100));
    const held = set.read();
    expect(held.values['task-clock']).toBe(0);
    expect(held.enabled).toBe(0);
    group.release();
    await group.exited;
    expect(set.read().values['task-clock']!).toBeGreaterThan(0);
    set.close();
    await group.stop(0);
  });

  it('reads monotonically while the tree runs', async () => {
    const { group, counters } = await spawnCounted(
      { argv: [process.execPath, FIXTURE, '60000000'], label: 'mono', stdio: 'capture' },
      ['task-clock'],
    );
    let last = -1;
    let lastEnabled = -1;
    let reads = 0;
    while (group.running && reads < 2000) {
      const r = counters.read();
      expect(r.values['task-clock']!).toBeGreaterThanOrEqual(last);
      expect(r.enabled).toBeGreaterThanOrEqual(lastEnabled);
      last = r.values['task-clock']!;
      lastEnabled = r.enabled;
      reads++;
      await new Promise((res) => setTimeout(res, 5));
    }
    await group.exited;
    expect(counters.read().values['task-clock']!).toBeGreaterThanOrEqual(last);
    expect(reads).toBeGreaterThan(3);
    counters.close();
    await group.stop(0);
  });

  it('measures only the phase between two reads (deltas, never a reset)', () => {
    const set = CounterSet.open(0, ['task-clock'], { inherit: false });
    set.enable();
    const burn = (n: number) => {
      let x = 0;
      for (let i = 0; i < n; i++) x += i % 3;
      return x;
    };
    const a = set.newBuffer();
    const b = set.newBuffer();
    const c = set.newBuffer();
    const d = set.newBuffer();
    const delta = new Float64Array(1);
    burn(2e6); // warm the loop up so both phases run the same code
    set.snapshot(a);
    burn(2e7);
    set.snapshot(b);
    burn(4e7);
    set.snapshot(c);
    const idleStart = Date.now();
    while (Date.now() - idleStart < 1) {
      /* a millisecond of nothing much */
    }
    set.snapshot(d);
    set.delta(a, b, delta);
    const one = delta[0]!;
    set.delta(b, c, delta);
    const two = delta[0]!;
    set.delta(a, c, delta);
    expect(delta[0]).toBeCloseTo(one + two, 0);
    set.close();
    const ratio = two / one;
    expect(ratio).toBeGreaterThan(1.5);
    expect(ratio).toBeLessThan(2.6);
  });
});

describe.skipIf(!HAS_PMU)(`hardware counters (${HAS_PMU ? 'PMU present' : NO_PMU_REASON})`, () => {
  it('counts at least one instruction per loop iteration across the tree', async () => {
    const { group, counters } = await spawnCounted(
      { argv: [process.execPath, FIXTURE, '20000000'], label: 'hw', stdio: 'capture' },
      ['instructions', 'cycles'],
    );
    await group.exited;
    const r = counters.read();
    counters.close();
    await group.stop(0);
    // 3 threads × 2e7 + a grandchild × 4e7 iterations, several instructions each.
    expect(r.values['instructions']!).toBeGreaterThan(1e8);
    expect(r.values['cycles']!).toBeGreaterThan(0);
    expect(r.multiplexed).toBe(false);
  });

  it('gives nearly the same instruction count for the same work twice', async () => {
    const once = async () => {
      const { group, counters } = await spawnCounted(
        {
          argv: [process.execPath, '-e', 'let x=0; for (let i=0;i<5e7;i++) x+=i%7;'],
          label: 'hw',
          stdio: 'capture',
        },
        ['instructions'],
      );
      await group.exited;
      const v = counters.read().values['instructions']!;
      counters.close();
      await group.stop(0);
      return v;
    };
    const a = await once();
    const b = await once();
    expect(Math.abs(a - b) / a).toBeLessThan(0.05);
  });
});
