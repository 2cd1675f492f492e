// The matrix's I/O edge: reads the service's flag files, writes the copies each configuration
// hands the service (an unchanged one for the after build at defaults, one per flipped flag).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Config, FlagsConfig } from '../config/types.js';
import { ConfigError } from '../errors.js';
import { flagFiles, planMatrix, type FlagConfiguration, type FlagMatrix } from './matrix.js';

/** One configuration as the replay runs it: the after build with these additions. */
export interface PreparedFlag extends FlagConfiguration {
  /** Environment added to the after build's for this configuration's process. */
  targetEnv: Record<string, string>;
}

export interface PreparedMatrix {
  flags: PreparedFlag[];
  /** Environment added to the after build at defaults (unchanged flag-file copies). */
  defaultsEnv: Record<string, string>;
  skipped: FlagMatrix['skipped'];
}

function where(config: Config, path: string): { file: string; line?: number; path: string } {
  const line = config.lines[path] ?? config.lines['flags'];
  return { file: config.file, ...(line !== undefined ? { line } : {}), path };
}

function keyOf(config: Config, flags: FlagsConfig, file: string): string {
  if (flags.from?.path === file) return 'flags.from';
  const f = flags.list.find((l) => l.delivery.kind === 'file' && l.delivery.path === file);
  return f ? `flags.list.${f.name}.file` : 'flags';
}

function readDoc(file: string, config: Config, key: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `flag file ${file} not found`
        : `cannot read flag file ${file}: ${(error as Error).message}`,
      where(config, key),
      'the path is relative to perfgate.yml',
    );
  }
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `flag file ${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`,
      where(config, key),
    );
  }
}

const safe = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_');

/** Plans the matrix from the config and the flag files, and writes the copies under `dir`. */
export function prepareMatrix(config: Config, dir: string): PreparedMatrix | undefined {
  const flags = config.flags;
  if (!flags) return undefined;
  const files = new Map<string, unknown>();
  for (const file of flagFiles(flags))
    files.set(file, readDoc(file, config, keyOf(config, flags, file)));
  let matrix: FlagMatrix;
  try {
    matrix = planMatrix(flags, files);
  } catch (error) {
    const message = (error as Error).message;
    const file = [...files.keys()].find((f) => message.startsWith(f)) ?? '';
    throw new ConfigError(message, where(config, keyOf(config, flags, file)));
  }
  if (matrix.configurations.length === 0) {
    return { flags: [], defaultsEnv: {}, skipped: matrix.skipped };
  }
  const out = join(dir, 'flags');
  mkdirSync(out, { recursive: true });
  const write = (name: string, source: string, doc: unknown) => {
    const path = join(out, `${safe(name)}${extname(source) || '.json'}`);
    // JSON is YAML too, so a YAML flag file's copy parses with the service's own YAML reader.
    writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
    return path;
  };
  const defaultsEnv: Record<string, string> = {};
  matrix.defaults.forEach((d, i) => {
    defaultsEnv[d.pathEnv] = write(`defaults-${i}`, d.source, d.doc);
  });
  const prepared = matrix.configurations.map((c, i): PreparedFlag => {
    const targetEnv = { ...defaultsEnv, ...c.env };
    if (c.file) targetEnv[c.file.pathEnv] = write(`flag-${i}-${c.flag}`, c.file.source, c.file.doc);
    return { ...c, targetEnv };
  });
  return { flags: prepared, defaultsEnv, skipped: matrix.skipped };
}
