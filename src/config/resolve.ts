// Validated YAML → Config: absolute paths, defaults filled in, camelCased names.

import path from 'node:path';
import type { RawConfig } from './schema.js';
import {
  DEFAULT_WARMUP,
  type BuildConfig,
  type Config,
  type FlagConfig,
  type FlagsConfig,
  SIMULATED_READY_MS,
  DEFAULT_ROUNDS,
  SIMULATED_REQUESTS,
  SIMULATED_ROUNDS,
  SIMULATED_WARMUP,
  type ExplainConfig,
  type WarmupConfig,
} from './types.js';

type RawBuild = NonNullable<RawConfig['before']>;

function warmupOf(raw: RawConfig['measure']['warmup']): WarmupConfig {
  if (raw === 'auto') return DEFAULT_WARMUP;
  if (typeof raw === 'number') return { mode: 'fixed', requests: raw };
  return { mode: 'auto', min: raw.min, max: raw.max, maxTimeMs: raw['max-time'] };
}

function flagsOf(raw: NonNullable<RawConfig['flags']>, dir: string): FlagsConfig {
  const pathEnv = raw['path-env'];
  const list = Object.entries(raw.list).map(([name, f]): FlagConfig => {
    const delivery: FlagConfig['delivery'] =
      f.env !== undefined
        ? { kind: 'env', name: f.env }
        : f.header !== undefined
          ? { kind: 'header', name: f.header }
          : f.query !== undefined
            ? { kind: 'query', name: f.query }
            : { kind: 'file', path: path.resolve(dir, f.file!), pathEnv: f['path-env'] ?? pathEnv };
    const values = f.values ?? (delivery.kind === 'file' ? undefined : ['off', 'on']);
    return { name, delivery, ...(values ? { values: [values[0], values[1]] } : {}) };
  });
  return {
    ...(raw.from !== undefined ? { from: { path: path.resolve(dir, raw.from), pathEnv } } : {}),
    skip: raw.skip,
    list,
  };
}

function explainOf(raw: RawConfig['explain']): ExplainConfig {
  return {
    mode: raw.endpoints,
    warmup: raw.warmup,
    requests: raw.requests,
    maxDurationMs: raw['max-duration'],
  };
}

export function resolveConfig(raw: RawConfig, file: string, lines: Record<string, number>): Config {
  const dir = path.dirname(file);
  const build = (side: RawBuild | undefined): BuildConfig | undefined => {
    if (!side) return undefined;
    const source =
      side.ref !== undefined ? { ref: side.ref } : { cwd: path.resolve(dir, side.cwd!) };
    const command = side.build ?? raw.build;
    const start = side.start ?? raw.start;
    return {
      ...source,
      ...(command !== undefined ? { build: command } : {}),
      ...(start !== undefined ? { start } : {}),
    };
  };
  const before = build(raw.before);
  const after = build(raw.after);
  const ready = raw.ready;
  return {
    file,
    dir,
    ...(raw.workload !== undefined ? { workload: path.resolve(dir, raw.workload) } : {}),
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    ready:
      ready?.path !== undefined
        ? { kind: 'http', path: ready.path, timeoutMs: ready.timeout }
        : { kind: 'port', timeoutMs: ready?.timeout ?? 60_000 },
    env: raw.env,
    headers: raw.headers,
    routes: raw.routes,
    redact: { headers: raw.redact?.headers ?? [], query: raw.redact?.query ?? [] },
    measure: {
      counter: raw.measure.counter,
      threads: raw.measure.threads,
      nodeFlags: raw.measure['node-flags'],
      gc: raw.measure.gc,
      rounds: raw.measure.rounds ?? DEFAULT_ROUNDS,
      warmup: warmupOf(raw.measure.warmup),
      requests: raw.measure.requests,
      maxRounds: raw.measure['max-rounds'] ?? 2 * (raw.measure.rounds ?? DEFAULT_ROUNDS),
      maxDurationMs: raw.measure['max-duration'],
      aslr: raw.measure.aslr,
      settleMs: raw.measure.settle,
      compare: raw.measure.compare,
      cpus: raw.measure.cpus,
    },
    thresholds: { default: raw.thresholds.default, endpoints: raw.thresholds.endpoints },
    explain: explainOf(raw.explain),
    alpha: raw.alpha,
    confidence: raw.confidence,
    onRegression: raw['on-regression'],
    onInconclusive: raw['on-inconclusive'],
    ...(raw.flags ? { flags: flagsOf(raw.flags, dir) } : {}),
    onFlagRegression: raw['on-flag-regression'] ?? raw['on-regression'],
    allowErrors: raw['allow-errors'],
    lines,
  };
}

/**
 * The simulated counter's own defaults, for what the file does not set: fewer requests and a
 * shorter warm-up floor (each request costs 30–40× more under Callgrind), and time to start.
 */
export function withSimulatedDefaults<C extends Config>(config: C): C {
  if (config.measure.counter !== 'simulated') return config;
  const set = (key: string) => config.lines[key] !== undefined;
  return {
    ...config,
    ready: { ...config.ready, timeoutMs: Math.max(config.ready.timeoutMs, SIMULATED_READY_MS) },
    measure: {
      ...config.measure,
      ...(set('measure.requests') ? {} : { requests: SIMULATED_REQUESTS }),
      ...(set('measure.rounds')
        ? {}
        : set('measure.max-rounds')
          ? { rounds: Math.min(SIMULATED_ROUNDS, config.measure.maxRounds) }
          : { rounds: SIMULATED_ROUNDS, maxRounds: 2 * SIMULATED_ROUNDS }),
      ...(set('measure.warmup') ? {} : { warmup: SIMULATED_WARMUP }),
    },
  };
}
