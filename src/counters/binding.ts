// The one module that loads perfgate's native addon. The path is computed at run time from
// `${platform}-${arch}` because bundlers drop or flatten `.node` files.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeProbe {
  ok: boolean;
  code?: string;
  errno?: number;
}

export interface NativeOpenOptions {
  inherit?: boolean;
  enableOnExec?: boolean;
  excludeKernel?: boolean;
  pinned?: boolean;
  /** Hybrid CPUs: the PMU's perf type, put in bits 32-63 of each hardware event's config. */
  pmuType?: number;
}

export interface NativeReading {
  enabled: number;
  running: number;
  values: number[];
}

/** Syscall-shaped verbs over perf_event_open counter groups (native/src/perf.cc). */
export interface NativeBinding {
  events(): { name: string; type: 'hardware' | 'software' }[];
  open(pid: number, events: string[], options?: NativeOpenOptions): number;
  read(handle: number): NativeReading;
  /** out[offset..] = enabled, running, value per event; no allocation. */
  readInto(handle: number, out: Float64Array, offset?: number): void;
  enable(handle: number): void;
  disable(handle: number): void;
  close(handle: number): void;
  probe(event: string, excludeKernel?: boolean, pmuType?: number): NativeProbe;
  /** sched_setaffinity; inherited by threads and children created afterwards. */
  setAffinity(pid: number, cpus: number[]): void;
  /** sched_getaffinity (0 = this thread). */
  getAffinity(pid: number): number[];
  abi: number;
}

export type BindingState =
  | { bound: true; native: NativeBinding; path: string }
  | { bound: false; reason: string; tried: string[] };

export const PLATFORM_TAG = `${process.platform}-${process.arch}`;
const FILE = 'perfgate.node';

/** Where the addon may be: next to the bundle (dist/native/<tag>/) or the development build. */
export function candidatePaths(fromDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  if (env.PERFGATE_NATIVE) out.push(env.PERFGATE_NATIVE);
  let dir = fromDir;
  for (let i = 0; i < 5; i++) {
    out.push(join(dir, 'native', PLATFORM_TAG, FILE));
    out.push(join(dir, 'native', 'build', 'Release', FILE));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return out;
}

/** Every verb this version of perfgate calls: an addon built from older sources lacks some. */
export const VERBS = [
  'events',
  'open',
  'read',
  'readInto',
  'enable',
  'disable',
  'close',
  'probe',
  'setAffinity',
  'getAffinity',
] as const satisfies readonly (keyof NativeBinding)[];

/** The verbs an addon lacks (a stale build), empty when it is complete. */
export function missingVerbs(addon: unknown): string[] {
  const o = addon as Record<string, unknown> | null;
  return VERBS.filter((v) => typeof o?.[v] !== 'function');
}

let cached: BindingState | undefined;

export function loadBinding(): BindingState {
  if (cached) return cached;
  const here = dirname(fileURLToPath(import.meta.url));
  const tried = candidatePaths(here);
  if (process.platform !== 'linux') {
    cached = {
      bound: false,
      reason: `perfgate counts CPU work with Linux perf_event_open; this is ${PLATFORM_TAG}`,
      tried: [],
    };
    return cached;
  }
  const require = createRequire(import.meta.url);
  for (const path of tried) {
    if (!existsSync(path)) continue;
    try {
      const addon: unknown = require(path);
      const missing = missingVerbs(addon);
      cached =
        missing.length === 0
          ? { bound: true, native: addon as NativeBinding, path }
          : {
              bound: false,
              reason: `${path} is out of date (it lacks ${missing.join(', ')}): rebuild it with 'npm run build:native'`,
              tried,
            };
      return cached;
    } catch (error) {
      cached = {
        bound: false,
        reason: `could not load ${path}: ${error instanceof Error ? error.message : String(error)}`,
        tried,
      };
      return cached;
    }
  }
  cached = {
    bound: false,
    reason: `no perfgate native addon for ${PLATFORM_TAG} (looked in ${tried.length} places; prebuilt: linux-x64, linux-arm64)`,
    tried,
  };
  return cached;
}
