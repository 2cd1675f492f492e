// V8 CPU profiles (`node --cpu-prof`, the .cpuprofile format) → per-window Profiles. Samples
// carry timestamps on the monotonic clock that process.hrtime reads too, so one process
// profiled over many endpoints is cut into one window per endpoint.

import { addStack, displayFile, emptyProfile, frameId } from './profile.js';
import type { Frame, Profile } from './types.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** A window on the monotonic clock, in µs (process.hrtime.bigint() / 1000). */
export interface Window {
  startUs: number;
  endUs: number;
}

// Pseudo-frames that are not the endpoint's work: the thread waiting, or the tree's root.
const IDLE = new Set(['(idle)', '(program)', '(root)']);

export function isCpuProfile(value: unknown): value is CpuProfile {
  const v = value as CpuProfile | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray(v.nodes) &&
    typeof v.startTime === 'number' &&
    Array.isArray(v.samples) &&
    Array.isArray(v.timeDeltas)
  );
}

function frameOfNode(cf: CallFrame, cwd: string): Frame {
  const name = cf.functionName || '(anonymous)';
  if (!cf.url) return { name, file: '', line: 0 };
  return { name, file: displayFile(cf.url, cwd), line: cf.lineNumber + 1 };
}

/** Per window, the profile of the samples taken in it; paths shown relative to `cwd`. */
export function profilesFromCpuProfile(
  cpu: CpuProfile,
  windows: readonly Window[],
  cwd: string,
): Profile[] {
  const byId = new Map(cpu.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of cpu.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frames = new Map<string, Frame>();
  const stackCache = new Map<number, string[] | null>();
  const stackOf = (nodeId: number): string[] | null => {
    const cached = stackCache.get(nodeId);
    if (cached !== undefined) return cached;
    const leaf = byId.get(nodeId);
    if (!leaf || IDLE.has(leaf.callFrame.functionName)) {
      stackCache.set(nodeId, null);
      return null;
    }
    const ids: string[] = [];
    for (let n: ProfileNode | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) {
      if (n.callFrame.functionName === '(root)') break;
      const f = frameOfNode(n.callFrame, cwd);
      const id = frameId(f);
      frames.set(id, f);
      ids.push(id);
    }
    ids.reverse();
    stackCache.set(nodeId, ids);
    return ids;
  };

  const samples = cpu.samples ?? [];
  const deltas = cpu.timeDeltas ?? [];
  const times: number[] = new Array<number>(samples.length);
  let t = cpu.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    times[i] = t;
  }
  // A sample stands for the time until the next one. On a busy machine the sampler runs late,
  // mostly while JavaScript runs, so capping the gaps would hide exactly the costly stacks;
  // only gaps past 50 ms (a stopped process) are cut.
  const sorted = deltas.filter((d) => d > 0).sort((a, b) => a - b);
  const typical = sorted[Math.floor(sorted.length / 2)] ?? 1000;
  const cap = 50_000;
  const out = windows.map(() => emptyProfile());
  for (let i = 0; i < samples.length; i++) {
    const at = times[i]!;
    const w = windows.findIndex((win) => at >= win.startUs && at < win.endUs);
    if (w < 0) continue;
    const stack = stackOf(samples[i]!);
    if (!stack) continue;
    const next = times[i + 1];
    const weight = Math.min(next !== undefined ? next - at : typical, cap);
    addStack(out[w]!, stack, frames, weight);
  }
  return out;
}
