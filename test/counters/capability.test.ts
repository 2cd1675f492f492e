// The capability model decided from probe facts, for machines this one is not.
import { describe, expect, it } from 'vitest';
import { assessProbe, selectCounters, type ProbeFacts } from '../../src/counters/index.js';
import { EnvironmentError } from '../../src/errors.js';

function facts(events: Record<string, string | true>, over: Partial<ProbeFacts> = {}): ProbeFacts {
  return {
    platform: 'linux',
    arch: 'x64',
    kernel: '6.8.0',
    cpuModel: 'test',
    cpus: 8,
    paranoid: 2,
    native: { loaded: true, path: '/x/perfgate.node' },
    events: Object.fromEntries(
      Object.entries(events).map(([k, v]) => [
        k,
        v === true ? { ok: true } : { ok: false, error: v },
      ]),
    ),
    kernelCounting: false,
    ...over,
  };
}

const ALL_OK = {
  instructions: true,
  cycles: true,
  'task-clock': true,
  'page-faults': true,
} as const;

describe('assessProbe', () => {
  it('counts instructions where the PMU answers', () => {
    const r = assessProbe(facts(ALL_OK));
    expect(r).toMatchObject({ status: 'available', selected: 'instructions', fallback: false });
  });

  it('says so on a hybrid CPU: which PMU counts and where the targets are kept', () => {
    const hybrid = {
      core: { name: 'cpu_core', type: 4, cpus: [0, 1, 2, 3, 4, 5, 6, 7] },
      others: [{ name: 'cpu_atom', type: 8, cpus: [8, 9, 10, 11] }],
    };
    const r = assessProbe(facts(ALL_OK, { hybrid }));
    expect(r.selected).toBe('instructions');
    expect(r.message).toBe(
      'hardware counters available: counting instructions (hybrid CPU: on the cpu_core PMU, targets kept on CPUs 0-7)',
    );
  });

  it('falls back to task-clock without a PMU, and says why', () => {
    const r = assessProbe(facts({ instructions: 'ENOENT', cycles: 'ENOENT', 'task-clock': true }));
    expect(r).toMatchObject({ status: 'no-pmu', selected: 'task-clock', fallback: true });
    expect(r.message).toContain('no hardware PMU visible (instructions: ENOENT)');
    expect(r.hint).toContain('bare-metal');
  });

  it('names the paranoid level and the fix when everything is refused', () => {
    const r = assessProbe(
      facts({ instructions: 'EACCES', 'task-clock': 'EACCES' }, { paranoid: 4 }),
    );
    expect(r).toMatchObject({ status: 'permission-denied', selected: null });
    expect(r.message).toContain('kernel.perf_event_paranoid=4');
    expect(r.hint).toContain('sudo sysctl -w kernel.perf_event_paranoid=2');
  });

  it('falls back, with the fix, when only hardware events are refused', () => {
    const r = assessProbe(facts({ instructions: 'EACCES', 'task-clock': true }, { paranoid: 3 }));
    expect(r).toMatchObject({
      status: 'permission-denied',
      selected: 'task-clock',
      fallback: true,
    });
  });

  it('recognises a seccomp block', () => {
    expect(assessProbe(facts({ instructions: 'EPERM', 'task-clock': 'EPERM' })).status).toBe(
      'blocked',
    );
  });

  it('refuses other operating systems and a missing addon clearly', () => {
    const mac = assessProbe(
      facts({}, { platform: 'darwin', arch: 'arm64', native: { loaded: false, reason: 'x' } }),
    );
    expect(mac).toMatchObject({ status: 'unsupported-os', selected: null });
    expect(mac.message).toContain('darwin-arm64');
    const unbound = assessProbe(
      facts(
        {},
        { native: { loaded: false, reason: 'no perfgate native addon for linux-riscv64' } },
      ),
    );
    expect(unbound).toMatchObject({ status: 'not-bound', selected: null });
    expect(unbound.message).toContain('linux-riscv64');
  });
});

describe('selectCounters', () => {
  it('records instructions with cycles where they work', () => {
    expect(selectCounters(['auto'], assessProbe(facts(ALL_OK)))).toMatchObject({
      name: 'instructions',
      unit: 'instructions',
      fallback: false,
      all: ['instructions', 'cycles'],
      kernel: false,
    });
  });

  it('carries the fallback as data, for every report to say', () => {
    const c = selectCounters(
      ['auto'],
      assessProbe(facts({ instructions: 'ENOENT', 'task-clock': true, 'page-faults': true })),
    );
    expect(c).toMatchObject({
      name: 'task-clock',
      unit: 'ns',
      fallback: true,
      all: ['task-clock', 'page-faults'],
      kernel: true,
    });
    expect(c.reason).toContain('ENOENT');
  });

  it("fails instead of falling back when 'instructions' is asked for", () => {
    const report = assessProbe(facts({ instructions: 'ENOENT', 'task-clock': true }));
    expect(() => selectCounters(['instructions'], report)).toThrowError(EnvironmentError);
    expect(() => selectCounters(['instructions'], report)).toThrowError(
      /this machine has no hardware PMU/,
    );
  });

  it('fails when nothing can be counted', () => {
    const report = assessProbe(facts({ instructions: 'EACCES', 'task-clock': 'EACCES' }));
    expect(() => selectCounters(['auto'], report)).toThrowError(/EACCES/);
  });
});
