// cProfile dumps (written by the sitecustomize agent) → Profiles. A window of requests is the
// difference of two dumps of one process. cProfile keeps caller→callee totals, not whole
// stacks, so the flame graph's stacks are reconstructed from those edges.

import { displayFile, emptyProfile, frameId, frameOf } from './profile.js';
import type { Frame, Profile } from './types.js';

type Key = [string, number, string];
/** [callee key, call count, inclusive s, self s] */
type Call = [Key, number, number, number];
/** [key, call count, inclusive s, self s, calls] */
type Row = [Key, number, number, number, Call[]];

export interface PstatsDump {
  pid: number;
  seq: number;
  unit: 's';
  /** The profiler's clock: thread-time, instructions or task-clock. */
  timer?: string | null;
  stats: Row[];
}

export function isPstatsDump(value: unknown): value is PstatsDump {
  const v = value as PstatsDump | null;
  return typeof v === 'object' && v !== null && typeof v.pid === 'number' && Array.isArray(v.stats);
}

interface Totals {
  self: number;
  inclusive: number;
  calls: Map<string, { inclusive: number; self: number }>;
}

const keyId = (k: Key) => `${k[0]}\u0000${k[1]}\u0000${k[2]}`;
const isBuiltin = (id: string) => id.startsWith('~\u0000');

function totals(dump: PstatsDump | undefined): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const [key, , ct, tt, calls] of dump?.stats ?? []) {
    const m = new Map<string, { inclusive: number; self: number }>();
    for (const [ck, , cct, ctt] of calls) m.set(keyId(ck), { inclusive: cct, self: ctt });
    out.set(keyId(key), { self: tt, inclusive: ct, calls: m });
  }
  return out;
}

/** end − start, per function and per call edge; seconds. */
function windowTotals(start: PstatsDump | undefined, end: PstatsDump): Map<string, Totals> {
  const a = totals(start);
  const out = new Map<string, Totals>();
  for (const [id, e] of totals(end)) {
    const s = a.get(id);
    const calls = new Map<string, { inclusive: number; self: number }>();
    for (const [c, v] of e.calls) {
      const sv = s?.calls.get(c);
      const d = { inclusive: v.inclusive - (sv?.inclusive ?? 0), self: v.self - (sv?.self ?? 0) };
      if (d.inclusive > 0) calls.set(c, d);
    }
    const t = {
      self: e.self - (s?.self ?? 0),
      inclusive: e.inclusive - (s?.inclusive ?? 0),
      calls,
    };
    if (t.self > 0 || t.inclusive > 0 || calls.size > 0) out.set(id, t);
  }
  return out;
}

function frameFor(id: string, cwd: string): Frame {
  const f = frameOf(id);
  return { name: f.name, file: displayFile(f.file, cwd), line: f.line };
}

/**
 * One process's window as a Profile, in µs. Built-in (C) functions are folded into the Python
 * function that called them: `sum` or `sorted` is that function's own work, and their callbacks
 * (a sort key) become its callees.
 */
export function profileFromPstats(
  start: PstatsDump | undefined,
  end: PstatsDump,
  cwd: string,
): Profile {
  const w = windowTotals(start, end);
  const us = 1e6;
  const self = new Map<string, number>();
  const edges = new Map<string, Map<string, number>>();
  const addEdge = (from: string, to: string, v: number) => {
    if (v <= 0 || from === to) return;
    let m = edges.get(from);
    if (!m) edges.set(from, (m = new Map()));
    m.set(to, (m.get(to) ?? 0) + v);
  };
  for (const [id, t] of w) {
    if (isBuiltin(id)) continue;
    self.set(id, (self.get(id) ?? 0) + t.self);
    for (const [callee, v] of t.calls) {
      if (!isBuiltin(callee)) {
        addEdge(id, callee, v.inclusive);
        continue;
      }
      // The builtin's own time is the caller's; what the builtin called back, the caller's callees.
      self.set(id, (self.get(id) ?? 0) + v.self);
      const b = w.get(callee);
      if (!b || b.inclusive <= 0) continue;
      const part = Math.min(1, v.inclusive / b.inclusive);
      for (const [g, gv] of b.calls) if (!isBuiltin(g)) addEdge(id, g, gv.inclusive * part);
    }
  }
  const p = emptyProfile();
  const idMap = new Map<string, string>();
  const shown = (id: string): string => {
    let s = idMap.get(id);
    if (s === undefined) {
      s = frameId(frameFor(id, cwd));
      idMap.set(id, s);
    }
    return s;
  };
  for (const [id, t] of w) {
    if (isBuiltin(id)) continue;
    const sid = shown(id);
    const f = p.functions.get(sid) ?? { frame: frameFor(id, cwd), self: 0, inclusive: 0 };
    f.self += (self.get(id) ?? 0) * us;
    f.inclusive += Math.max(t.inclusive, self.get(id) ?? 0) * us;
    p.functions.set(sid, f);
  }
  for (const [from, m] of edges) {
    const sf = shown(from);
    let o = p.edges.get(sf);
    if (!o) p.edges.set(sf, (o = new Map()));
    for (const [to, v] of m) o.set(shown(to), (o.get(shown(to)) ?? 0) + v * us);
  }
  p.stacks = reconstructStacks(p);
  return p;
}

/**
 * Stacks from caller→callee totals: each function's cost not accounted for by its callers is a
 * root, and a node's cost is split over its callees in proportion to the calls' totals. Exact
 * for trees; an estimate where a function is called from several places.
 */
export function reconstructStacks(p: Profile, maxDepth = 64): Map<string, number> {
  const incoming = new Map<string, number>();
  for (const m of p.edges.values())
    for (const [to, v] of m) incoming.set(to, (incoming.get(to) ?? 0) + v);
  // A caller still running when the window closed has its calls counted but not its total.
  const span = (id: string) => {
    const f = p.functions.get(id);
    let out = f?.self ?? 0;
    for (const v of p.edges.get(id)?.values() ?? []) out += v;
    return Math.max(f?.inclusive ?? 0, out);
  };
  let total = 0;
  for (const f of p.functions.values()) total += f.self;
  const floor = total * 1e-4;
  const stacks = new Map<string, number>();
  const put = (stack: string[], v: number) => {
    if (v <= 0) return;
    const k = stack.join('\n');
    stacks.set(k, (stacks.get(k) ?? 0) + v);
  };
  const expand = (stack: string[], id: string, amount: number) => {
    const whole = span(id);
    if (whole <= 0 || amount < floor) {
      put(stack, amount);
      return;
    }
    const scale = amount / whole;
    put(stack, (p.functions.get(id)?.self ?? 0) * scale);
    for (const [callee, v] of p.edges.get(id) ?? []) {
      const part = v * scale;
      if (stack.includes(callee) || stack.length >= maxDepth) put(stack, part);
      else expand([...stack, callee], callee, part);
    }
  };
  const ids = new Set([...p.functions.keys(), ...p.edges.keys()]);
  for (const id of ids) {
    const root = span(id) - (incoming.get(id) ?? 0);
    if (root > floor) expand([id], id, root);
  }
  return stacks;
}
