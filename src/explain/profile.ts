// Building a Profile from weighted call stacks, the form both runtimes' data reduce to, and the
// names shown for frames.

import { fileURLToPath } from 'node:url';
import { isAbsolute, relative } from 'node:path';
import type { Frame, FunctionCost, Profile } from './types.js';

export function emptyProfile(): Profile {
  return { requests: 0, functions: new Map(), edges: new Map(), stacks: new Map() };
}

export function frameId(f: Frame): string {
  return `${f.file}\u0000${f.line}\u0000${f.name}`;
}

export function frameOf(id: string): Frame {
  const [file = '', line = '0', name = ''] = id.split('\u0000');
  return { file, line: Number(line), name };
}

/** `file:line name`, or the bare name for native and pseudo frames. */
export function frameLabel(f: Frame): string {
  if (!f.file) return f.name;
  return f.line > 0 ? `${f.file}:${f.line} ${f.name}` : `${f.file} ${f.name}`;
}

const PACKAGE_DIRS = /^.*\/(?:site-packages|dist-packages|node_modules)\//;
const PYTHON_STDLIB = /^.*\/lib\/python3(?:\.\d+)?\//;

/**
 * A source location relative to the build's folder, so the same file matches across builds
 * (two worktrees, or two folders of one repository). Installed packages are shown from their
 * package folder; runtime-internal names (node:internal/…) stay as they are.
 */
export function displayFile(file: string, cwd: string): string {
  let path = file;
  if (path.startsWith('file://')) {
    try {
      path = fileURLToPath(path);
    } catch {
      return path;
    }
  }
  if (!isAbsolute(path)) return path;
  if (PACKAGE_DIRS.test(path)) return path.replace(PACKAGE_DIRS, '');
  const rel = relative(cwd, path);
  if (!rel.startsWith('..') || rel.split('/').filter((p) => p === '..').length <= 2) return rel;
  if (PYTHON_STDLIB.test(path)) return path.replace(PYTHON_STDLIB, '');
  return path;
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/**
 * Adds `cost` spent with `stack` (frame ids, outermost first) on the stack: self to the leaf,
 * inclusive once to each distinct function on it (recursion counts once), and to each distinct
 * caller→callee edge.
 */
export function addStack(
  profile: Profile,
  stack: readonly string[],
  frames: ReadonlyMap<string, Frame>,
  cost: number,
): void {
  if (stack.length === 0 || cost <= 0) return;
  add(profile.stacks, stack.join('\n'), cost);
  const fn = (id: string): FunctionCost => {
    let f = profile.functions.get(id);
    if (!f) {
      f = { frame: frames.get(id) ?? frameOf(id), self: 0, inclusive: 0 };
      profile.functions.set(id, f);
    }
    return f;
  };
  fn(stack[stack.length - 1]!).self += cost;
  const seen = new Set<string>();
  const seenEdges = new Set<string>();
  for (let i = 0; i < stack.length; i++) {
    const id = stack[i]!;
    if (!seen.has(id)) {
      seen.add(id);
      fn(id).inclusive += cost;
    }
    if (i > 0) {
      const caller = stack[i - 1]!;
      const edge = `${caller}\n${id}`;
      if (caller !== id && !seenEdges.has(edge)) {
        seenEdges.add(edge);
        let callees = profile.edges.get(caller);
        if (!callees) profile.edges.set(caller, (callees = new Map()));
        add(callees, id, cost);
      }
    }
  }
}

/** Sums profiles (several processes of one build, say). */
export function mergeProfiles(profiles: readonly Profile[]): Profile {
  const out = emptyProfile();
  for (const p of profiles) {
    out.requests = Math.max(out.requests, p.requests);
    for (const [id, f] of p.functions) {
      const o = out.functions.get(id);
      if (o) {
        o.self += f.self;
        o.inclusive += f.inclusive;
      } else out.functions.set(id, { frame: f.frame, self: f.self, inclusive: f.inclusive });
    }
    for (const [caller, callees] of p.edges) {
      let o = out.edges.get(caller);
      if (!o) out.edges.set(caller, (o = new Map()));
      for (const [callee, c] of callees) add(o, callee, c);
    }
    for (const [s, c] of p.stacks) add(out.stacks, s, c);
  }
  return out;
}

/** The sum of every function's self cost: what the profile attributes. */
export function profileTotal(p: Profile): number {
  let t = 0;
  for (const f of p.functions.values()) t += f.self;
  return t;
}

/** Multiplies every cost by `factor` (to scale sampled time to the counted CPU time). */
export function scaleProfile(p: Profile, factor: number): void {
  for (const f of p.functions.values()) {
    f.self *= factor;
    f.inclusive *= factor;
  }
  for (const m of p.edges.values()) for (const [k, v] of m) m.set(k, v * factor);
  for (const [k, v] of p.stacks) p.stacks.set(k, v * factor);
}
