// Every problem in a user file at once, not one per run: a ConfigError whose message lists them,
// first one first, each with its own file:line, capped so a broken file stays readable.

import { ConfigError } from '../errors.js';

export interface Problem {
  line?: number;
  /** Key path (`measure.rounds`) or field name (`url`). */
  path?: string;
  message: string;
  hint?: string;
}

export const MAX_LISTED = 20;

export class ProblemsError extends ConfigError {
  readonly problems: Problem[];
  constructor(file: string, problems: Problem[], hint?: string) {
    const [first, ...rest] = problems;
    if (!first) throw new Error('ProblemsError needs at least one problem');
    const listed = rest.slice(0, MAX_LISTED - 1).map((p) => {
      const h = p.hint && p.hint !== first.hint ? ` (${p.hint})` : '';
      return `\n${where(file, p.line, p.path)}${p.message}${h}`;
    });
    const more = problems.length > MAX_LISTED ? `\nand ${problems.length - MAX_LISTED} more` : '';
    super(
      `${first.message}${listed.join('')}${more}`,
      {
        file,
        ...(first.line !== undefined ? { line: first.line } : {}),
        ...(first.path ? { path: first.path } : {}),
      },
      first.hint ?? hint,
    );
    this.problems = problems;
  }
}

// The same layout ConfigError uses for the first problem.
function where(file: string, line: number | undefined, path: string | undefined): string {
  return `${file}${line !== undefined ? `:line ${line}` : ''}: ${path ? `${path}: ` : ''}`;
}
