// The two profile formats on hand-made input: V8's .cpuprofile cut into windows by timestamp,
// cProfile dumps differenced into a window, built-ins folded into their caller; and the scaling
// of a diff to the gate's measured costs.

import { describe, expect, it } from 'vitest';
import {
  profileFromPstats,
  profilesFromCpuProfile,
  scaleToMeasurement,
  type CpuProfile,
  type EndpointExplanation,
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
  const e: EndpointExplanation = {
    endpoint: 'GET /x',
    runtimes: ['python'],
    requests: { before: 10, after: 10 },
    unit: 'ns',
    scale: 'profile',
    total: { before: 10_000, after: 20_000, change: 10_000 },
    rows: [
      {
        function: 'a.py:1 small',
        file: 'a.py',
        line: 1,
        name: 'small',
        status: 'changed',
        self: { before: 6000, after: 9000, change: 3000 },
        inclusive: { before: 6000, after: 9000, change: 3000 },
        share: 0.3,
        via: [],
      },
      {
        function: 'a.py:9 big',
        file: 'a.py',
        line: 9,
        name: 'big',
        status: 'changed',
        self: { before: 4000, after: 11_000, change: 7000 },
        inclusive: { before: 4000, after: 11_000, change: 7000 },
        share: 0.7,
        via: [],
      },
    ],
    flameGraph: null,
    wallMs: 1,
  };

  it('puts each build on its measured mean, re-ranks, and recomputes the shares', () => {
    const s = scaleToMeasurement(e, { before: 1000, after: 1500 }, 'ns');
    expect(s.scale).toBe('measurement');
    expect(s.total).toEqual({ before: 1000, after: 1500, change: 500 });
    expect(s.rows.map((r) => r.name)).toEqual(['big', 'small']);
    expect(s.rows[0]!.self.before).toBeCloseTo(400, 9);
    expect(s.rows[0]!.self.after).toBeCloseTo(825, 9);
    expect(s.rows[0]!.share).toBeCloseTo(425 / 500, 9);
    // The small one: 600 → 675.
    expect(s.rows[1]!.self.change).toBeCloseTo(75, 9);
    // Without both measured means it stays on the profile's own scale.
    expect(scaleToMeasurement(e, { before: null, after: 1 }, 'ns')).toBe(e);
  });
});
