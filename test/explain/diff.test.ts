// The function-level diff on hand-built profiles: wrappers folded into what they wrap, functions
// matched across builds when their lines move, ranking by the change of their own cost.

import { describe, expect, it } from 'vitest';
import {
  addStack,
  diffProfiles,
  emptyProfile,
  findWrappers,
  frameId,
  matchKeys,
  type Frame,
  type Profile,
} from '../../src/explain/index.js';

function fr(file: string, line: number, name: string): Frame {
  return { file, line, name };
}

/** A profile from [stack of frames, cost] pairs, over `requests` requests. */
function build(stacks: [Frame[], number][], requests = 10): Profile {
  const p = emptyProfile();
  p.requests = requests;
  const frames = new Map<string, Frame>();
  for (const [stack, cost] of stacks) {
    for (const f of stack) frames.set(frameId(f), f);
    addStack(p, stack.map(frameId), frames, cost);
  }
  return p;
}

// A request handled through two middleware layers and a decorator around the view, as in
// Django: `inner` → `Middleware.__call__` → `inner` → `login_required.<locals>.wrapper` → view.
const serve = fr('django/core/handlers/base.py', 160, 'BaseHandler.get_response');
const inner1 = fr(
  'django/core/handlers/exception.py',
  47,
  'convert_exception_to_response.<locals>.inner',
);
const mw = fr('django/utils/deprecation.py', 114, 'MiddlewareMixin.__call__');
const decorator = fr('app/decorators.py', 12, 'timed.<locals>.wrapper');
const view = (line: number) => fr('app/views.py', line, 'report');
const helper = fr('lib/shopcore.py', 39, 'report_rows');
const render = fr('django/http/response.py', 600, 'JsonResponse.__init__');

function handler(viewLine: number, helperCost: number): Profile {
  const chain = [serve, inner1, mw, decorator, view(viewLine)];
  return build([
    [[serve], 40],
    [[serve, inner1], 0.5],
    [[serve, inner1, mw], 2],
    [[serve, inner1, mw, decorator], 0.5],
    [chain, 30],
    [[...chain, helper], helperCost],
    [[...chain, render], 50],
  ]);
}

describe('wrapper folding', () => {
  const before = handler(10, 400);
  const after = handler(13, 800); // the view moved 3 lines down; its helper doubled

  it('finds the decorator and middleware chain, but not the frames that do work', () => {
    const wrappers = findWrappers([before, after]);
    const keys = matchKeys(after);
    const key = (f: Frame) => keys.get(frameId(f))!;
    expect(wrappers.get(key(decorator))).toBe(key(view(13)));
    expect(wrappers.get(key(mw))).toBe(key(decorator));
    expect(wrappers.get(key(inner1))).toBe(key(mw));
    // get_response spends 40 of its own: not a wrapper. The view renders as well as computes.
    expect(wrappers.has(key(serve))).toBe(false);
    expect(wrappers.has(key(view(13)))).toBe(false);
  });

  it('puts the changed helper first, with the wrappers beside the view, and none listed', () => {
    const { rows, total } = diffProfiles(before, after);
    expect(total.change).toBeCloseTo(40, 6); // (800 − 400) / 10 requests
    expect(rows[0]!.function).toBe('lib/shopcore.py:39 report_rows');
    expect(rows[0]!.self).toEqual({ before: 40, after: 80, change: 40 });
    expect(rows[0]!.share).toBeCloseTo(1, 6);
    const names = rows.map((r) => r.name);
    expect(names).not.toContain('timed.<locals>.wrapper');
    expect(names).not.toContain('MiddlewareMixin.__call__');
    const v = rows.find((r) => r.name === 'report')!;
    expect(v.status).toBe('changed');
    expect(v.line).toBe(13);
    expect(v.beforeLine).toBe(10);
    expect(v.via).toEqual([
      'django/core/handlers/exception.py:47 convert_exception_to_response.<locals>.inner',
      'django/utils/deprecation.py:114 MiddlewareMixin.__call__',
      'app/decorators.py:12 timed.<locals>.wrapper',
    ]);
    expect(v.inclusive.change).toBeCloseTo(40, 6);
  });

  it('does not fold a frame that is a wrapper in one build and does work in the other', () => {
    const heavy = build([
      [[serve, decorator], 500],
      [[serve, decorator, view(10)], 500],
    ]);
    const light = build([[[serve, decorator, view(10)], 500]]);
    const keys = matchKeys(light);
    expect(findWrappers([light]).has(keys.get(frameId(decorator))!)).toBe(true);
    expect(findWrappers([heavy, light]).has(keys.get(frameId(decorator))!)).toBe(false);
    const top = diffProfiles(heavy, light).rows[0]!;
    expect(top.name).toBe('timed.<locals>.wrapper');
    expect(top.self.change).toBeCloseTo(-50, 6);
  });
});

describe('the diff', () => {
  it('marks functions only in one build as added or removed, and ranks by self change', () => {
    const main = fr('server.js', 5, 'search');
    const scan = fr('server.js', 20, 'linearScan');
    const index = fr('server.js', 30, 'indexLookup');
    const before = build([
      [[main], 100],
      [[main, scan], 900],
    ]);
    const after = build([
      [[main], 100],
      [[main, index], 50],
    ]);
    const { rows } = diffProfiles(before, after);
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ['linearScan', 'removed'],
      ['indexLookup', 'added'],
      ['search', 'changed'],
    ]);
    expect(rows[0]!.self).toEqual({ before: 90, after: 0, change: -90 });
    // search's own cost is the same: it is listed for its inclusive change only.
    expect(rows[2]!.self.change).toBe(0);
    expect(rows[2]!.inclusive.change).toBeCloseTo(-85, 6);
  });

  it('matches anonymous functions of one file by their order, whatever their lines', () => {
    const a1 = fr('lib.js', 3, '(anonymous)');
    const a2 = fr('lib.js', 9, '(anonymous)');
    const b1 = fr('lib.js', 5, '(anonymous)');
    const b2 = fr('lib.js', 12, '(anonymous)');
    const { rows } = diffProfiles(
      build([
        [[a1], 10],
        [[a2], 20],
      ]),
      build([
        [[b1], 10],
        [[b2], 60],
      ]),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ function: 'lib.js:12 (anonymous)', beforeLine: 9 });
  });

  it('counts a recursive function once per stack for its inclusive cost', () => {
    const f = fr('a.js', 1, 'walk');
    const p = build([[[f, f, f], 30]], 1);
    const fn = [...p.functions.values()][0]!;
    expect(fn.self).toBe(30);
    expect(fn.inclusive).toBe(30);
  });
});

describe('a wrapper used at every layer', () => {
  it('folds layer → inner → layer → inner → view into the view, no cycle', () => {
    // Django wraps each middleware in the same `inner`: inner → Mw.__call__ → inner → view.
    const inner = fr('django/core/handlers/exception.py', 47, 'inner');
    const layer = fr('django/utils/deprecation.py', 114, 'MiddlewareMixin.__call__');
    const work = fr('app/views.py', 3, 'report');
    const mk = (cost: number) =>
      build([
        [[inner], 0.5],
        [[inner, layer], 1],
        [[inner, layer, inner], 0.5],
        [[inner, layer, inner, work], cost],
      ]);
    const { rows } = diffProfiles(mk(100), mk(200));
    expect(rows.map((r) => r.name)).toEqual(['report']);
    // One function at two depths has no single place in the path: both are named.
    expect([...rows[0]!.via].sort()).toEqual([
      'django/core/handlers/exception.py:47 inner',
      'django/utils/deprecation.py:114 MiddlewareMixin.__call__',
    ]);
  });
});
