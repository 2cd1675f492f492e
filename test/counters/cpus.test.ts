import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatCpuList,
  loadBinding,
  parseCpuList,
  readHybridCpu,
  resolvePlacement,
  spawnCounted,
  type HybridCpu,
} from '../../src/counters/index.js';

describe('CPU lists', () => {
  it('parses the kernel format and writes the shortest form back', () => {
    expect(parseCpuList('0-3,8,10-11')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList(' 5 \n')).toEqual([5]);
    expect(parseCpuList('3,1,1-2')).toEqual([1, 2, 3]);
    expect(formatCpuList([8, 0, 1, 2, 3, 10, 11])).toBe('0-3,8,10-11');
    expect(formatCpuList([4])).toBe('4');
  });

  it.each([
    ['', 'an empty CPU list'],
    ['1-x', "'1-x' is not a CPU number or range like 2-5"],
    ['5-2', "'5-2' runs backwards"],
    ['9999', 'CPU 9999 is out of range'],
  ])('refuses %j', (text, message) => {
    expect(() => parseCpuList(text)).toThrow(message);
  });
});

function fakeSys(pmus: Record<string, { type: string; cpus: string }>): string {
  const root = mkdtempSync(join(tmpdir(), 'perfgate-sys-'));
  for (const [name, pmu] of Object.entries(pmus)) {
    const dir = join(root, 'bus', 'event_source', 'devices', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'type'), `${pmu.type}\n`);
    writeFileSync(join(dir, 'cpus'), `${pmu.cpus}\n`);
  }
  return root;
}

describe('hybrid CPUs', () => {
  it('reads cpu_core and cpu_atom from sysfs', () => {
    const sys = fakeSys({
      cpu_core: { type: '4', cpus: '0-7' },
      cpu_atom: { type: '8', cpus: '8-15' },
    });
    expect(readHybridCpu(sys)).toEqual({
      core: { name: 'cpu_core', type: 4, cpus: [0, 1, 2, 3, 4, 5, 6, 7] },
      others: [{ name: 'cpu_atom', type: 8, cpus: [8, 9, 10, 11, 12, 13, 14, 15] }],
    });
  });

  it('is null where there is no cpu_core PMU (every non-hybrid CPU, and this machine)', () => {
    expect(readHybridCpu(fakeSys({ cpu: { type: '4', cpus: '0-3' } }))).toBeNull();
    expect(readHybridCpu(fakeSys({}))).toBeNull();
  });
});

describe('resolvePlacement', () => {
  const hybrid: HybridCpu = {
    core: { name: 'cpu_core', type: 4, cpus: [0, 1, 2, 3] },
    others: [{ name: 'cpu_atom', type: 8, cpus: [4, 5, 6, 7] }],
  };
  const all8 = [0, 1, 2, 3, 4, 5, 6, 7];
  const hw = ['instructions', 'cycles'];
  const sw = ['task-clock', 'page-faults'];

  it('leaves targets anywhere on a machine that is not hybrid', () => {
    expect(resolvePlacement('auto', hw, { hybrid: null, allowedCpus: [0, 1] })).toEqual({
      ok: true,
      placement: {},
      cpus: null,
      pmu: null,
    });
  });

  it('keeps them on the performance cores and counts on cpu_core on a hybrid CPU', () => {
    expect(resolvePlacement('auto', hw, { hybrid, allowedCpus: all8 })).toEqual({
      ok: true,
      placement: { cpus: [0, 1, 2, 3], pmuType: 4 },
      cpus: '0-3',
      pmu: 'cpu_core',
    });
    // Software events count on every CPU: nothing to pin for them.
    expect(resolvePlacement('auto', sw, { hybrid, allowedCpus: all8 })).toMatchObject({
      ok: true,
      placement: {},
      cpus: null,
    });
  });

  it('refuses what would count only part of the work', () => {
    expect(resolvePlacement('all', hw, { hybrid, allowedCpus: all8 })).toMatchObject({
      ok: false,
      message: expect.stringContaining('cpu_atom CPUs uncounted'),
    });
    expect(resolvePlacement([2, 5], hw, { hybrid, allowedCpus: all8 })).toMatchObject({
      ok: false,
      message: expect.stringContaining('CPU 5 is not a performance core'),
    });
    expect(resolvePlacement('auto', hw, { hybrid, allowedCpus: [4, 5] })).toMatchObject({
      ok: false,
      message: expect.stringContaining('none of the performance cores (0-3)'),
    });
  });

  it('takes an explicit list only of CPUs perfgate may use', () => {
    expect(resolvePlacement([1], sw, { hybrid: null, allowedCpus: [0, 1] })).toMatchObject({
      ok: true,
      placement: { cpus: [1] },
      cpus: '1',
    });
    expect(resolvePlacement([1, 3], sw, { hybrid: null, allowedCpus: [0, 1] })).toEqual({
      ok: false,
      message: 'CPU 3 is not available here (perfgate may use 0-1)',
    });
  });
});

describe('sched_setaffinity through the blocker', () => {
  it('keeps the whole process tree on the given CPUs', async () => {
    const b = loadBinding();
    if (!b.bound) throw new Error(b.reason);
    const allowed = b.native.getAffinity(0);
    const cpu = allowed[allowed.length - 1]!;
    // The command and a grandchild report the CPUs they may run on.
    const { group, counters } = await spawnCounted(
      {
        argv: [
          'sh',
          '-c',
          'grep Cpus_allowed_list /proc/self/status; sh -c "grep Cpus_allowed_list /proc/self/status"',
        ],
        label: 'affinity',
        stdio: 'capture',
      },
      ['task-clock'],
      false,
      { cpus: [cpu] },
    );
    const exit = await group.exited;
    counters.close();
    await group.stop(0);
    expect(exit.code).toBe(0);
    expect(group.tail().filter((l) => l.startsWith('Cpus_allowed_list'))).toEqual([
      `Cpus_allowed_list:\t${cpu}`,
      `Cpus_allowed_list:\t${cpu}`,
    ]);
  });

  it('names the syscall and errno when the CPU set is refused', () => {
    const b = loadBinding();
    if (!b.bound) throw new Error(b.reason);
    expect(() => b.native.setAffinity(2 ** 22 + 12345, [0])).toThrowError(
      expect.objectContaining({ code: 'ESRCH', syscall: 'sched_setaffinity' }),
    );
  });
});
