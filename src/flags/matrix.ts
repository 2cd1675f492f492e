// The flag matrix's configurations: the after build with one flag flipped, each on its own
// (not the 2ⁿ combinations: a flag's cost is charged to it only by its own comparison against
// the after build at defaults). Pure: flag files come in parsed, copies go out as text.

import type { FlagConfig, FlagDelivery, FlagsConfig } from '../config/types.js';
import { flipInFile, readFlagFile } from './file.js';

export interface FlagConfiguration {
  /** The flag's name: samples carry it as `flag`, the report shows it. */
  flag: string;
  delivery: FlagDelivery['kind'];
  /** The value at defaults and the one this configuration runs with. */
  from: string;
  to: string;
  /** Declared under flags.list, or found in the flag file of flags.from. */
  source: 'config' | 'file';
  /** Added to the after build's environment (env flags). */
  env: Record<string, string>;
  /** Added to every request (header flags). */
  headers: Record<string, string>;
  /** Added to every request's query string (query flags). */
  query: Record<string, string>;
  /** File flags: a copy of the flag file with this flag flipped, handed over in `pathEnv`. */
  file?: { source: string; pathEnv: string; doc: unknown };
}

export interface FlagMatrix {
  configurations: FlagConfiguration[];
  /** Flag files the after build at defaults also gets an unchanged copy of, by variable. */
  defaults: { source: string; pathEnv: string; doc: unknown }[];
  /** Flags found but left out, and why. */
  skipped: { flag: string; reason: string }[];
}

function declared(flag: FlagConfig, files: ReadonlyMap<string, unknown>): FlagConfiguration {
  const [from, to] = flag.values ?? ['off', 'on'];
  const base = {
    flag: flag.name,
    delivery: flag.delivery.kind,
    from,
    to,
    source: 'config' as const,
    env: {},
    headers: {},
    query: {},
  };
  const d = flag.delivery;
  switch (d.kind) {
    case 'env':
      return { ...base, env: { [d.name]: to } };
    case 'header':
      return { ...base, headers: { [d.name]: to } };
    case 'query':
      return { ...base, query: { [d.name]: to } };
    case 'file': {
      const doc = files.get(d.path);
      const contents = readFlagFile(doc);
      if (typeof contents === 'string') throw new Error(`${d.path}: ${contents}`);
      const inFile = contents.flags.find((f) => f.name === flag.name);
      const skip = contents.skipped.find((f) => f.name === flag.name);
      if (!inFile && !(skip && flag.values)) {
        throw new Error(
          skip ? `${d.path}: '${flag.name}': ${skip.reason}` : `${d.path}: no flag '${flag.name}'`,
        );
      }
      const values = flag.values ?? [inFile!.value, inFile!.flipped];
      return {
        ...base,
        from: values[0],
        to: values[1],
        file: {
          source: d.path,
          pathEnv: d.pathEnv,
          doc: flipInFile(doc, flag.name, flag.values ? values[1] : undefined),
        },
      };
    }
  }
}

/**
 * Every configuration of the matrix: the flags declared under flags.list, in file order, then
 * the flag file's own flags (flags.from) that are not declared or skipped, in the file's order.
 * Throws an Error whose message names the flag file when a file is not a flag file.
 */
export function planMatrix(flags: FlagsConfig, files: ReadonlyMap<string, unknown>): FlagMatrix {
  const skip = new Set(flags.skip);
  const configurations = flags.list.filter((f) => !skip.has(f.name)).map((f) => declared(f, files));
  const skipped: FlagMatrix['skipped'] = [];
  const named = new Set(configurations.map((c) => c.flag));
  if (flags.from) {
    const { path, pathEnv } = flags.from;
    const doc = files.get(path);
    const contents = readFlagFile(doc);
    if (typeof contents === 'string') throw new Error(`${path}: ${contents}`);
    for (const f of contents.flags) {
      if (named.has(f.name)) continue;
      if (skip.has(f.name)) {
        skipped.push({ flag: f.name, reason: 'flags.skip' });
        continue;
      }
      named.add(f.name);
      configurations.push({
        flag: f.name,
        delivery: 'file',
        from: f.value,
        to: f.flipped,
        source: 'file',
        env: {},
        headers: {},
        query: {},
        file: { source: path, pathEnv, doc: flipInFile(doc, f.name) },
      });
    }
    for (const s of contents.skipped) {
      if (!named.has(s.name) && !skip.has(s.name)) skipped.push({ flag: s.name, reason: s.reason });
    }
  }
  // The after build at defaults reads the same file from the same kind of place.
  const defaults = new Map<string, { source: string; pathEnv: string; doc: unknown }>();
  for (const c of configurations) {
    if (c.file && !defaults.has(c.file.pathEnv)) {
      defaults.set(c.file.pathEnv, {
        source: c.file.source,
        pathEnv: c.file.pathEnv,
        doc: files.get(c.file.source),
      });
    }
  }
  return { configurations, defaults: [...defaults.values()], skipped };
}

/** The flag files a FlagsConfig reads. */
export function flagFiles(flags: FlagsConfig): string[] {
  const out = new Set<string>();
  if (flags.from) out.add(flags.from.path);
  for (const f of flags.list) if (f.delivery.kind === 'file') out.add(f.delivery.path);
  return [...out];
}

/** A request path with a configuration's query parameters appended. */
export function withQuery(path: string, query: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(query);
  if (pairs.length === 0) return path;
  const extra = pairs
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const hash = path.indexOf('#');
  const head = hash >= 0 ? path.slice(0, hash) : path;
  return `${head}${head.includes('?') ? '&' : '?'}${extra}`;
}
