// Header values are expanded at replay time, not at parse time: `perfgate compare` and
// `perfgate import` must not need the secrets.

import { ConfigError } from '../errors.js';
import { formatPath } from './locate.js';
import { ProblemsError, type Problem } from './problems.js';
import { expandTemplate } from './template.js';
import type { Config } from './types.js';

/** The config's headers with `${VAR}` filled in from `env`; unset or empty variables are errors. */
export function resolveHeaders(
  config: Pick<Config, 'file' | 'headers' | 'lines'>,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: Problem[] = [];
  for (const [name, template] of Object.entries(config.headers)) {
    const result = expandTemplate(template, env);
    if ('value' in result) {
      out[name] = result.value;
      continue;
    }
    const key = formatPath(['headers', name]);
    problems.push({
      line: config.lines[key],
      path: key,
      message: `header '${name}' needs the environment variable ${result.missing}, which is not set (or empty)`,
      hint: `export ${result.missing}=... before running perfgate; in GitHub Actions pass it with env: (secrets are empty on pull requests from forks)`,
    });
  }
  if (problems.length === 1) {
    const p = problems[0]!;
    throw new ConfigError(p.message, { file: config.file, line: p.line, path: p.path }, p.hint);
  }
  if (problems.length > 1) throw new ProblemsError(config.file, problems);
  return out;
}
