// The one module that loads perfgate's native addon. The path is computed at run time from
// `${platform}-${arch}` because bundlers drop or flatten `.node` files.
//
// Where the addon is follows from where this module is: run from source (src/counters/binding.ts
// under tsx or vitest), the development build native/build/Release/ (npm run build:native);
// bundled into dist/*.js, the prebuilt dist/native/<platform>-<arch>/ beside the bundle.
// PERFGATE_NATIVE names another file (the arm64 guest loads the committed prebuilt that way).

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
  /** clock_gettime(CLOCK_THREAD_CPUTIME_ID) of the calling thread, ns (absent from older builds). */
  threadCpuNs?(): number;
  /** The Node-API version the addon was built against (NAPI_VERSION in native/binding.gyp). */
  napiVersion: number;
}

export type BindingState =
  | { bound: true; native: NativeBinding; path: string }
  | { bound: false; reason: string; path?: string };

export const PLATFORM_TAG = `${process.platform}-${process.arch}`;
const FILE = 'perfgate.node';

/** Where the addon is, for this module at `moduleFile` (see the top of this file). */
export function addonPath(moduleFile: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.PERFGATE_NATIVE) return env.PERFGATE_NATIVE;
  const dir = dirname(moduleFile);
  return moduleFile.endsWith('.ts')
    ? join(dir, '..', '..', 'native', 'build', 'Release', FILE)
    : join(dir, 'native', PLATFORM_TAG, FILE);
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
  cached = bind();
  return cached;
}

function bind(): BindingState {
  if (process.platform !== 'linux') {
    return {
      bound: false,
      reason: `perfgate counts CPU work with Linux perf_event_open; this is ${PLATFORM_TAG}`,
    };
  }
  const path = addonPath(fileURLToPath(import.meta.url));
  if (!existsSync(path)) {
    return {
      bound: false,
      reason: `no perfgate native addon for ${PLATFORM_TAG} at ${path} (prebuilt: linux-x64, linux-arm64; from source: npm run build:native)`,
      path,
    };
  }
  try {
    const addon: unknown = createRequire(import.meta.url)(path);
    const missing = missingVerbs(addon);
    return missing.length === 0
      ? { bound: true, native: addon as NativeBinding, path }
      : {
          bound: false,
          reason: `${path} is out of date (it lacks ${missing.join(', ')}): rebuild it with 'npm run build:native'`,
          path,
        };
  } catch (error) {
    return {
      bound: false,
      reason: `could not load ${path}: ${error instanceof Error ? error.message : String(error)}`,
      path,
    };
  }
}
