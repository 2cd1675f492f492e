// perfgate.yml → Config. Parsed once with `yaml` so that each problem names file, key path
// and line; validated with the zod schema; then resolved (paths, defaults) in resolve.ts.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { keysAt } from './keys.js';
import { SourceMap, formatPath } from './locate.js';
import { ProblemsError, type Problem } from './problems.js';
import { resolveConfig } from './resolve.js';
import { configSchema } from './schema.js';
import { didYouMean } from './suggest.js';
import type { Config } from './types.js';
import { describe } from './values.js';

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

// Wording for the issues no schema gave its own message.
const errorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${describe(issue.input)}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'string') return 'must not be empty';
  return undefined;
};

/**
 * Parses and validates a config file's text. Pure: `file` is used for messages and to resolve
 * relative paths (against its folder; a relative `file` against the current directory).
 */
export function parseConfig(text: string, file: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ProblemsError(
      file,
      doc.errors.map((e) => ({
        line: lineCounter.linePos(e.pos[0]).line,
        message: `YAML syntax error: ${e.message.replace(/\s+at line \d+.*$/s, '')}`,
      })),
      'check the indentation and quoting around that line',
    );
  }
  const source = new SourceMap(doc, lineCounter);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new ConfigError(`YAML error: ${error instanceof Error ? error.message : String(error)}`, {
      file,
    });
  }
  // An empty file is a valid config: every setting has a default.
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`expected a mapping of settings, got ${describe(data)}`, {
      file,
      line: source.lineOf([]) ?? 1,
    });
  }

  const parsed = configSchema.safeParse(data, { error: errorMap });
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => toProblems(issue, source));
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new ProblemsError(file, problems);
  }
  return resolveConfig(parsed.data, path.resolve(file), source.allLines());
}

function toProblems(issue: z.core.$ZodIssue, source: SourceMap): Problem[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = keysAt(issue.path);
    return issue.keys.map((key) => {
      const at = [...issue.path, key];
      return {
        line: source.lineOf(at),
        path: formatPath(at),
        message: `unknown key${didYouMean(key, allowed)}`,
        hint: allowed.length ? `allowed here: ${allowed.join(', ')}` : undefined,
      };
    });
  }
  const params = issue.code === 'custom' ? issue.params : undefined;
  const hint = typeof params?.hint === 'string' ? params.hint : undefined;
  // A bad key in env or headers: zod nests the key's own issue.
  const message =
    issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return [
    {
      line: source.lineOf(issue.path),
      path: issue.path.length ? formatPath(issue.path) : undefined,
      message,
      hint,
    },
  ];
}

/** Reads and parses a config file; a missing file is a ConfigError naming it. */
export async function loadConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError('config file not found', { file }, 'create it or pass --config PATH');
    }
    if (code === 'EISDIR') throw new ConfigError('is a folder, not a config file', { file });
    throw new ConfigError(`cannot read config file: ${(error as Error).message}`, { file });
  }
  return parseConfig(text, file);
}
