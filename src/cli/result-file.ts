// Reading a result.json given on the command line: one error for a file that is missing, not
// JSON, or not a perfgate result, naming the file and the field at fault.

import { readFile } from 'node:fs/promises';
import { RunResultSchema, type RunResult, type WarningCode } from '../analysis/index.js';
import { ConfigError } from '../errors.js';

/** `withoutExplain`: drop a saved function-level diff first (it is about to be replaced). */
export async function loadResult(file: string, withoutExplain = false): Promise<RunResult> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code ? `cannot read result: ${code}` : 'not valid JSON', { file });
  }
  if (withoutExplain && typeof raw === 'object' && raw !== null && 'explain' in raw) {
    const { explain: _explain, ...rest } = raw as Record<string, unknown>;
    raw = rest;
  }
  const parsed = RunResultSchema.safeParse(withTypedWarnings(raw));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`not a perfgate result (version 1): ${issue.message}`, {
      file,
      path: issue.path.join('.') || '(root)',
    });
  }
  return parsed.data as RunResult;
}

/**
 * Results written before warnings carried codes hold plain strings (the run's and each flag's):
 * each is read as a legacy note, the counter fallback's as itself, so the report shows it as it
 * did.
 */
function withTypedWarnings(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const r = raw as Record<string, unknown> & { counter?: { fallback?: unknown } };
  const fallback = r.counter?.fallback === true;
  const typed = (list: unknown) =>
    Array.isArray(list)
      ? list.map((w: unknown) =>
          typeof w === 'string' ? { code: legacyCode(w, fallback), message: w } : w,
        )
      : list;
  const flags = r.flags as { flags?: unknown } | undefined;
  return {
    ...r,
    ...('warnings' in r ? { warnings: typed(r.warnings) } : {}),
    ...(flags && Array.isArray(flags.flags)
      ? {
          flags: {
            ...flags,
            flags: flags.flags.map((f: unknown) =>
              typeof f === 'object' && f !== null && 'warnings' in f
                ? { ...f, warnings: typed((f as { warnings: unknown }).warnings) }
                : f,
            ),
          },
        }
      : {}),
  };
}

function legacyCode(message: string, fallback: boolean): WarningCode {
  if (fallback && /^measured with \S+, not instructions/.test(message)) return 'counter-fallback';
  return 'legacy';
}
