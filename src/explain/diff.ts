// The function-level cost diff of one endpoint: wrappers folded into the function they wrap,
// functions matched across the builds, ranked by the change in their own cost per request.

import { frameLabel } from './profile.js';
import type { ExplainRow, Frame, Pair, Profile } from './types.js';

/** A wrapper's own cost is at most this share of its inclusive cost ... */
export const WRAPPER_SELF_SHARE = 0.05;
/** ... and one callee takes at least this share of it. */
export const WRAPPER_CHILD_SHARE = 0.9;
/** Presence below this share of a build's total does not count for or against folding. */
const NEGLIGIBLE = 0.005;

/**
 * The key that matches a function across builds: file and name, and among functions of one
 * name in one file (anonymous ones) their order by line. Lines move when code above changes.
 */
export function matchKeys(p: Profile): Map<string, string> {
  const groups = new Map<string, { id: string; line: number }[]>();
  for (const [id, f] of p.functions) {
    const g = `${f.frame.file}\u0000${f.frame.name}`;
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push({ id, line: f.frame.line });
  }
  for (const id of p.edges.keys()) {
    if (p.functions.has(id)) continue;
    const [file = '', line = '0', name = ''] = id.split('\u0000');
    const g = `${file}\u0000${name}`;
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push({ id, line: Number(line) });
  }
  const out = new Map<string, string>();
  for (const [g, list] of groups) {
    list.sort((a, b) => a.line - b.line);
    list.forEach((e, i) => out.set(e.id, `${g}\u0000${i}`));
  }
  return out;
}

function total(p: Profile): number {
  let t = 0;
  for (const f of p.functions.values()) t += f.self;
  return t;
}

/**
 * In one build: the callees (match keys) a wrapper could pass essentially all its cost to, best
 * first; null when the frame is no wrapper. Usually one; a wrapper used at several layers (one
 * function per middleware layer) also reaches the next layer's frame through itself.
 */
function wrappedChildren(p: Profile, id: string, keys: Map<string, string>): string[] | null {
  const f = p.functions.get(id);
  if (!f || f.inclusive <= 0) return null;
  if (f.self > WRAPPER_SELF_SHARE * f.inclusive) return null;
  const out = [...(p.edges.get(id) ?? [])]
    .filter(([callee, v]) => callee !== id && v >= WRAPPER_CHILD_SHARE * f.inclusive)
    .sort((a, b) => b[1] - a[1])
    .map(([callee]) => keys.get(callee))
    .filter((k): k is string => k !== undefined);
  return out.length > 0 ? out : null;
}

/**
 * Wrappers to fold, as match key → the match key of the function it wraps: frames whose own
 * cost is negligible and whose cost is one callee's, in every build where they matter. Where a
 * wrapper's best callee leads back to it (layer → wrapper → layer), the next callee is taken,
 * so the chain ends in the function that does the work.
 */
export function findWrappers(profiles: readonly Profile[]): Map<string, string> {
  const keyed = profiles.map((p) => ({ p, keys: matchKeys(p), total: total(p) }));
  const verdicts = new Map<string, string[] | null>();
  for (const { p, keys, total: t } of keyed) {
    for (const [id, f] of p.functions) {
      const key = keys.get(id)!;
      if (f.inclusive < NEGLIGIBLE * t) continue;
      const children = wrappedChildren(p, id, keys);
      const prior = verdicts.get(key);
      if (prior === undefined) verdicts.set(key, children);
      else if (prior && children) {
        const both = prior.filter((c) => children.includes(c));
        verdicts.set(key, both.length > 0 ? both : null);
      } else verdicts.set(key, null);
    }
  }
  const candidates = new Map<string, string[]>();
  for (const [k, v] of verdicts) {
    const list = (v ?? []).filter((c) => c !== k);
    if (list.length > 0) candidates.set(k, list);
  }
  const out = new Map<string, string>();
  // Does following `from` (choices made so far, else each wrapper's best) come back to `start`?
  const next = (at: string) => out.get(at) ?? candidates.get(at)?.[0];
  const loops = (start: string, from: string): boolean => {
    const seen = new Set<string>();
    for (let at: string | undefined = from; at !== undefined && !seen.has(at); at = next(at)) {
      if (at === start) return true;
      seen.add(at);
    }
    return false;
  };
  for (const [k, list] of candidates) {
    const pick = list.find((c) => !loops(k, c));
    if (pick !== undefined) out.set(k, pick);
  }
  return out;
}

/** Follows a chain of wrappers to the function it ends in; the chain, outermost first. */
function resolveFold(
  key: string,
  wrappers: Map<string, string>,
): { target: string; via: string[] } {
  const via: string[] = [];
  let at = key;
  while (wrappers.has(at) && !via.includes(at)) {
    via.push(at);
    at = wrappers.get(at)!;
  }
  return { target: at, via };
}

interface Side {
  self: number;
  inclusive: number;
  frame: Frame;
}

function perRequest(p: Profile, keys: Map<string, string>): Map<string, Side> {
  const n = Math.max(1, p.requests);
  const out = new Map<string, Side>();
  for (const [id, f] of p.functions) {
    const k = keys.get(id)!;
    const o = out.get(k);
    if (o) {
      o.self += f.self / n;
      o.inclusive += f.inclusive / n;
    } else out.set(k, { self: f.self / n, inclusive: f.inclusive / n, frame: f.frame });
  }
  return out;
}

const pair = (before: number, after: number): Pair => ({
  before,
  after,
  change: after - before,
});

export interface Diff {
  total: Pair;
  rows: ExplainRow[];
  /** Match key → the key of the function it was folded into. */
  wrappers: Map<string, string>;
}

/**
 * The diff, largest change of self cost per request first (the function whose own code got
 * costlier, not its callers). Rows whose self and inclusive both moved less than `floor` × the
 * endpoint's cost are left out.
 */
export function diffProfiles(before: Profile, after: Profile, floor = 0.001): Diff {
  const kb = matchKeys(before);
  const ka = matchKeys(after);
  const wrappers = findWrappers([before, after]);
  const b = perRequest(before, kb);
  const a = perRequest(after, ka);
  const labels = new Map<string, string>();
  for (const side of [b, a]) for (const [k, v] of side) labels.set(k, frameLabel(v.frame));
  const label = (k: string) => labels.get(k) ?? k;
  // Fold: a wrapper's own cost goes to the function it wraps, and it is shown beside it.
  const via = new Map<string, string[]>();
  for (const side of [b, a]) {
    for (const k of [...side.keys()]) {
      if (!wrappers.has(k)) continue;
      const { target, via: chain } = resolveFold(k, wrappers);
      const t = side.get(target);
      // A wrapper whose callee this build never reached keeps its row, so totals still add up.
      if (!t) continue;
      t.self += side.get(k)!.self;
      side.delete(k);
      const prior = via.get(target);
      if (!prior || chain.length > prior.length) via.set(target, chain);
    }
  }
  const totalB = [...b.values()].reduce((s, x) => s + x.self, 0);
  const totalA = [...a.values()].reduce((s, x) => s + x.self, 0);
  const t = pair(totalB, totalA);
  const noise = floor * Math.max(totalB, totalA);
  const rows: ExplainRow[] = [];
  for (const k of new Set([...b.keys(), ...a.keys()])) {
    const x = b.get(k);
    const y = a.get(k);
    const self = pair(x?.self ?? 0, y?.self ?? 0);
    const inclusive = pair(x?.inclusive ?? 0, y?.inclusive ?? 0);
    if (Math.abs(self.change) < noise && Math.abs(inclusive.change) < noise) continue;
    const frame = (y ?? x)!.frame;
    const status =
      !x || x.inclusive <= 0 ? 'added' : !y || y.inclusive <= 0 ? 'removed' : 'changed';
    rows.push({
      function: frameLabel(frame),
      file: frame.file,
      line: frame.line,
      name: frame.name,
      ...(x && y && x.frame.line !== y.frame.line ? { beforeLine: x.frame.line } : {}),
      status,
      self,
      inclusive,
      share: t.change !== 0 ? self.change / t.change : null,
      via: (via.get(k) ?? []).map(label),
    });
  }
  rows.sort(
    (r, s) =>
      Math.abs(s.self.change) - Math.abs(r.self.change) ||
      Math.abs(s.inclusive.change) - Math.abs(r.inclusive.change) ||
      r.function.localeCompare(s.function),
  );
  return { total: t, rows, wrappers };
}

/** Stacks with the folded wrappers' frames taken out, keyed by match key, per request. */
export function foldedStacks(
  p: Profile,
  wrappers: Map<string, string>,
): { stacks: Map<string, number>; labels: Map<string, string> } {
  const keys = matchKeys(p);
  const labels = new Map<string, string>();
  for (const [id, f] of p.functions) labels.set(keys.get(id)!, frameLabel(f.frame));
  const n = Math.max(1, p.requests);
  const stacks = new Map<string, number>();
  for (const [s, v] of p.stacks) {
    const ids = s.split('\n').map((id) => {
      const k = keys.get(id);
      if (k && !labels.has(k)) {
        const [file = '', line = '0', name = ''] = id.split('\u0000');
        labels.set(k, frameLabel({ file, line: Number(line), name }));
      }
      return k ?? id;
    });
    const kept = ids.filter((k) => !wrappers.has(k));
    if (kept.length === 0) continue;
    const key = kept.join('\n');
    stacks.set(key, (stacks.get(key) ?? 0) + v / n);
  }
  return { stacks, labels };
}
