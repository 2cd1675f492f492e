import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBinding, EVENTS, CounterSet, spawnCounted, probe } from '../../src/counters/index.js';
import { addonPath, missingVerbs, VERBS } from '../../src/counters/binding.js';
import { HAS_PMU, NO_PMU_REASON } from '../helpers/pmu.js';
import { spawnBlocked } from '../../src/proc/index.js';
import { waitFor } from '../helpers/cli.js';

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

  // Coerced, these would count the wrong thing without a word: NaN and 0.5 become pid 0 (this
  // thread), -1 a handle of 4294967295, 'yes' and 1 the boolean true, '8' a pmuType of 8.
  type Native = Extract<ReturnType<typeof loadBinding>, { bound: true }>['native'];
  const loose = (n: Native) => n as unknown as Record<string, (...args: unknown[]) => unknown>;
  it.each<[string, (n: Native) => unknown, RegExp]>([
    ['a NaN pid', (n) => n.open(NaN, ['task-clock']), /^open: pid must be an integer/],
    ['a fractional pid', (n) => n.open(0.5, ['task-clock']), /^open: pid must be an integer/],
    ['a negative pid', (n) => n.getAffinity(-1), /^getAffinity: pid must be an integer/],
    ['a string pmuType', (n) => loose(n).open!(0, ['task-clock'], { pmuType: '8' }), /pmuType/],
    ['a negative pmuType', (n) => n.open(0, ['task-clock'], { pmuType: -1 }), /pmuType/],
    ['a number for a boolean', (n) => loose(n).open!(0, ['task-clock'], { inherit: 1 }), /inherit/],
    [
      'a string for a boolean',
      (n) => loose(n).open!(0, ['task-clock'], { excludeKernel: 'yes' }),
      /options\.excludeKernel must be a boolean/,
    ],
    ['options that are not an object', (n) => loose(n).open!(0, ['task-clock'], 3), /options/],
    ['a non-string event', (n) => loose(n).open!(0, [7]), /event names must be strings/],
    ['a negative handle', (n) => n.read(-1), /^read: the counter handle must be an integer/],
    ['a string handle', (n) => loose(n).close!('1'), /^close: the counter handle/],
    ["probe's excludeKernel as a number", (n) => loose(n).probe!('task-clock', 0), /excludeKernel/],
    ["probe's pmuType as a string", (n) => loose(n).probe!('task-clock', true, '8'), /pmuType/],
    ['a fractional cpu', (n) => n.setAffinity(0, [0.5]), /each cpu must be an integer/],
    ['a cpu out of range', (n) => n.setAffinity(0, [1e6]), /each cpu must be an integer/],
  ])('throws a TypeError for %s', (_, call, message) => {
    const b = loadBinding();
    if (!b.bound) throw new Error(b.reason);
    expect(() => call(b.native)).toThrowError(TypeError);
    expect(() => call(b.native)).toThrowError(message);
  });

  it('checks readInto’s offset rather than reading it as 0', () => {
    const b = loadBinding();
    if (!b.bound) throw new Error(b.reason);
    const h = b.native.open(0, ['task-clock'], { inherit: false });
    const out = new Float64Array(6);
    try {
      expect(() => loose(b.native).readInto!(h, out, '3')).toThrowError(TypeError);
      expect(() => b.native.readInto(h, out, -1)).toThrowError(TypeError);
      b.native.readInto(h, out, 3);
      expect(out.slice(0, 3)).toEqual(new Float64Array(3));
    } finally {
      b.native.close(h);
    }
  });

  it('an unknown event carries its code and event like every other native error', () => {
    const b = loadBinding();
    if (!b.bound) throw new Error(b.reason);
    expect(() => b.native.open(0, ['task-clock', 'nope'])).toThrowError(
      expect.objectContaining({
        message: "unknown perf event 'nope'",
        code: 'EUNKNOWNEVENT',
        event: 'nope',
      }),
    );
  });

  it('names the Node-API version it was built against', () => {
    const b = loadBinding();
    if (!b.bound) throw new Error(b.reason);
    expect(b.native.napiVersion).toBe(8);
    expect(b.native).not.toHaveProperty('abi');
  });
});

describe('where the addon is loaded from', () => {
  const root = '/repo';
  it('is the development build when run from source, the prebuilt beside a bundle', () => {
    expect(addonPath(`${root}/src/counters/binding.ts`, {})).toBe(
      `${root}/native/build/Release/perfgate.node`,
    );
    expect(addonPath(`${root}/dist/cli.js`, {})).toBe(
      `${root}/dist/native/${process.platform}-${process.arch}/perfgate.node`,
    );
    expect(addonPath(`${root}/dist/cli.js`, { PERFGATE_NATIVE: '/x/perfgate.node' })).toBe(
      '/x/perfgate.node',
    );
  });

  it('loads from that one path here', () => {
    const b = loadBinding();
    if (!b.bound) throw new Error(b.reason);
    expect(b.path).toBe(
      process.env.PERFGATE_NATIVE ??
        join(import.meta.dirname, '..', '..', 'native', 'build', 'Release', 'perfgate.node'),
    );
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

/** /proc/<pid>/stat's state letter: R, S (sleeping), T (stopped), ... */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
}

const MiB = 1024 * 1024;

/**
 * Writes one byte in each 2 MiB of a fresh 34 MiB buffer: at least 17 page faults, with
 * transparent huge pages or without (glibc maps anything over 32 MiB afresh, untouched).
 */
function touchFreshPages(): Uint8Array {
  const b = new Uint8Array(34 * MiB);
  for (let i = 0; i < b.length; i += 2 * MiB) b[i] = 1;
  return b;
}
const FAULTS_PER_TOUCH = 17;

describe('counting a whole process tree (task-clock)', () => {
  it("agrees with the kernel's accounting of 3 worker threads and a forked grandchild", async () => {
    const before = childrenCpuNs();
    // Each part burns a set CPU time beyond its start-up: ≥ 600 ms in all, on any machine.
    const { group, counters } = await spawnCounted(
      { argv: [process.execPath, FIXTURE, '200ms'], label: 'tree', stdio: 'capture' },
      ['task-clock', 'page-faults'],
    );
    const exit = await group.exited;
    const reading = counters.read();
    counters.close();
    await group.stop(0);
    const kernelNs = childrenCpuNs() - before;
    expect(exit.code).toBe(0);
    const counted = reading.values['task-clock']!;
    console.info(
      `task-clock ${(counted / 1e6).toFixed(1)} ms vs kernel ${(kernelNs / 1e6).toFixed(1)} ms`,
    );
    expect(kernelNs).toBeGreaterThan(5.5e8);
    // Both are the scheduler's account of the same processes; they differ by /proc's rounding to
    // 10 ms ticks (cutime and cstime, read twice: ≤ 40 ms) and what ran before the exec (a fork
    // and a shell's start-up), however long the work took. Counting only the main thread would
    // miss the ≥ 600 ms the workers and the grandchild burn beyond their start-up.
    expect(Math.abs(counted - kernelNs)).toBeLessThan(1e8);
    expect(reading.multiplexed).toBe(false);
    expect(reading.values['page-faults']).toBeGreaterThan(0);
  });

  it('counts nothing until the blocked command execs, though the blocker runs', async () => {
    const group = spawnBlocked({
      argv: [process.execPath, FIXTURE, '1000000'],
      label: 'gate',
      stdio: 'capture',
    });
    const set = CounterSet.open(group.pid, ['task-clock'], { enableOnExec: true });
    // Make the blocker run after the counter is open: stopping and continuing it takes its own
    // CPU time, which a counter enabled too early would see.
    process.kill(group.pid, 'SIGSTOP');
    expect(await waitFor(() => procState(group.pid) === 'T', 10_000, 5)).toBe(true);
    process.kill(group.pid, 'SIGCONT');
    expect(await waitFor(() => procState(group.pid) !== 'T', 10_000, 5)).toBe(true);
    const held = set.read();
    expect(held.enabled).toBe(0);
    expect(held.values['task-clock']).toBe(0);
    group.release();
    await group.exited;
    expect(set.read().values['task-clock']!).toBeGreaterThan(0);
    set.close();
    await group.stop(0);
  });

  it('reads monotonically while the tree runs', async () => {
    const { group, counters } = await spawnCounted(
      { argv: [process.execPath, FIXTURE, 'forever'], label: 'mono', stdio: 'capture' },
      ['task-clock'],
    );
    let last = -1;
    let lastEnabled = -1;
    let rises = 0;
    // Until the count has risen 10 times, however fast or busy the machine.
    const deadline = Date.now() + 30_000;
    while (rises < 10 && Date.now() < deadline) {
      const r = counters.read();
      expect(r.values['task-clock']!).toBeGreaterThanOrEqual(last);
      expect(r.enabled).toBeGreaterThanOrEqual(lastEnabled);
      if (r.values['task-clock']! > last) rises++;
      last = r.values['task-clock']!;
      lastEnabled = r.enabled;
      await new Promise((res) => setTimeout(res, 5));
    }
    expect(rises).toBe(10);
    await group.stop(0);
    expect(counters.read().values['task-clock']!).toBeGreaterThanOrEqual(last);
    counters.close();
  });

  it('snapshots are cumulative: a phase is the difference of two, never a reset', () => {
    const set = CounterSet.open(0, ['page-faults'], { inherit: false });
    set.enable();
    const [a, b, c] = [set.newBuffer(), set.newBuffer(), set.newBuffer()];
    const delta = new Float64Array(1);
    const kept: Uint8Array[] = [];
    for (let i = 0; i < 4; i++) kept.push(touchFreshPages());
    set.snapshot(a);
    kept.push(touchFreshPages());
    set.snapshot(b);
    kept.push(touchFreshPages(), touchFreshPages());
    set.snapshot(c);
    set.close();
    // Page faults the test makes itself: lower bounds that hold on any machine. A read that
    // reset the counter would leave b below a.
    expect(set.decode(a).values['page-faults']).toBeGreaterThanOrEqual(4 * FAULTS_PER_TOUCH);
    set.delta(a, b, delta);
    expect(delta[0]).toBeGreaterThanOrEqual(FAULTS_PER_TOUCH);
    set.delta(b, c, delta);
    expect(delta[0]).toBeGreaterThanOrEqual(2 * FAULTS_PER_TOUCH);
    expect(kept).toHaveLength(7);
  });

  it('takes each event’s difference and flags a group that multiplexed in between', () => {
    const set = CounterSet.open(0, ['task-clock', 'page-faults'], { inherit: false });
    set.close();
    // One software group: [enabled, running, task-clock, page-faults].
    const out = new Float64Array(2);
    const before = Float64Array.from([100, 100, 5000, 7]);
    expect(set.delta(before, Float64Array.from([300, 300, 9000, 10]), out)).toBe(false);
    expect([...out]).toEqual([4000, 3]);
    expect(set.delta(before, Float64Array.from([300, 250, 9000, 10]), out)).toBe(true);
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
