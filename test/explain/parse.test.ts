// The two profile formats on hand-made input: V8's .cpuprofile cut into windows by timestamp,
// cProfile dumps differenced into a window, built-ins folded into their caller; and the scaling
// of a diff to the gate's measured costs.

import { describe, expect, it } from 'vitest';
import {
  addStack,
  diffProfiles,
  displayUnit,
  emptyProfile,
  frameId,
  profileFromPstats,
  profilesFromCpuProfile,
  scaleToMeasured,
  type CpuProfile,
  type Frame,
  type Profile,
  type PstatsDump,
} from '../../src/explain/index.js';

const cf = (functionName: string, url = '', lineNumber = -1) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
  scriptId: '0',
});

describe('V8 CPU profiles', () => {
  // (root) → handle (server.js:3) → score (lib/s.js:10); (idle) beside them.
  const cpu: CpuProfile = {
    nodes: [
      { id: 1, callFrame: cf('(root)'), children: [2, 4] },
      { id: 2, callFrame: cf('handle', 'file:///app/svc/server.js', 2), children: [3] },
      { id: 3, callFrame: cf('score', 'file:///app/lib/s.js', 9) },
      { id: 4, callFrame: cf('(idle)') },
    ],
    startTime: 1000,
    endTime: 2000,
    // Samples every 100 µs from 1100: handle, score, score, idle | score, handle.
    samples: [2, 3, 3, 4, 3, 2],
    timeDeltas: [100, 100, 100, 100, 100, 100],
  };

  it('cuts samples into windows, drops idle time, names frames file:line relative to the build', () => {
    const [a, b] = profilesFromCpuProfile(
      cpu,
      [
        { startUs: 1100, endUs: 1450 },
        { startUs: 1450, endUs: 1700 },
      ],
      '/app/svc',
    );
    const fns = (p: typeof a) =>
      Object.fromEntries(
        [...p!.functions.values()].map((f) => [
          `${f.frame.file}:${f.frame.line} ${f.frame.name}`,
          [f.self, f.inclusive],
        ]),
      );
    expect(fns(a)).toEqual({
      'server.js:3 handle': [100, 300],
      '../lib/s.js:10 score': [200, 200],
    });
    // The last sample has no successor: it counts one typical interval.
    expect(fns(b)).toEqual({
      'server.js:3 handle': [100, 200],
      '../lib/s.js:10 score': [100, 100],
    });
  });
});

describe('cProfile dumps', () => {
  const view: [string, number, string] = ['/srv/app/views.py', 12, 'report'];
  const rows: [string, number, string] = ['/srv/lib/core.py', 40, 'report_rows'];
  const sum: [string, number, string] = ['~', 0, '<built-in method builtins.sum>'];
  const dump = (seq: number, k: number): PstatsDump => ({
    pid: 7,
    seq,
    unit: 's',
    stats: [
      // key, calls, inclusive, self, calls made: [callee, calls, inclusive, self]
      [view, k, 0.01 * k, 0.001 * k, [[rows, k, 0.009 * k, 0.006 * k]]],
      [rows, k, 0.009 * k, 0.006 * k, [[sum, k, 0.003 * k, 0.003 * k]]],
      [sum, k, 0.003 * k, 0.003 * k, []],
    ],
  });

  it('differences two dumps and folds a built-in into the function that called it', () => {
    const p = profileFromPstats(dump(1, 2), dump(2, 5), '/srv/app');
    const byName = new Map([...p.functions.values()].map((f) => [f.frame.name, f]));
    expect([...byName.keys()].sort()).toEqual(['report', 'report_rows']);
    const r = byName.get('report_rows')!;
    expect(r.frame.file).toBe('../lib/core.py');
    // 3 more calls: own 0.018 s plus sum's 0.009 s, in µs.
    expect(r.self).toBeCloseTo(27_000, 6);
    expect(r.inclusive).toBeCloseTo(27_000, 6);
    expect(byName.get('report')!.self).toBeCloseTo(3_000, 6);
    // The reconstructed stacks hold the same total.
    const total = [...p.stacks.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(30_000, 3);
  });
});

describe('scaling to the measurement', () => {
  const fr = (name: string, line: number): Frame => ({ file: 'a.py', line, name });
  const profile = (small: number, big: number): Profile => {
    const p = emptyProfile();
    p.requests = 10;
    const frames = new Map([fr('small', 1), fr('big', 9)].map((f) => [frameId(f), f]));
    addStack(p, [frameId(fr('small', 1))], frames, small);
    addStack(p, [frameId(fr('big', 9))], frames, big);
    return p;
  };

  it("puts each build on its measured mean, so the diff is in the gate's unit and re-ranked", () => {
    // Profiled: small 6000 → 9000 µs, big 4000 → 11000 µs over 10 requests (1000 → 2000 each).
    const before = profile(6000, 4000);
    const after = profile(9000, 11_000);
    expect(scaleToMeasured(before, after, { before: 1000, after: 1500 }, 'ns')).toEqual({
      unit: 'ns',
      scale: 'measurement',
    });
    const { rows, total } = diffProfiles(before, after);
    expect(total.before).toBeCloseTo(1000, 9);
    expect(total.after).toBeCloseTo(1500, 9);
    expect(rows.map((r) => r.name)).toEqual(['big', 'small']);
    expect(rows[0]!.self.before).toBeCloseTo(400, 9);
    expect(rows[0]!.self.after).toBeCloseTo(825, 9);
    expect(rows[0]!.share).toBeCloseTo(425 / 500, 9);
    expect(rows[1]!.self.change).toBeCloseTo(75, 9); // 600 → 675
  });

  it("without both measured means keeps the profiles' own figures, in ns", () => {
    const before = profile(6000, 4000);
    const after = profile(9000, 11_000);
    expect(scaleToMeasured(before, after, { before: null, after: 1 })).toEqual({
      unit: 'ns',
      scale: 'profile',
    });
    expect(diffProfiles(before, after).total.change).toBeCloseTo(1_000_000, 6);
    expect(displayUnit('ns')).toEqual({ unit: 'µs', divisor: 1000 });
    expect(displayUnit('instructions')).toEqual({ unit: 'instructions', divisor: 1 });
  });
});
