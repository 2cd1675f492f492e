import { UsageError } from '../errors.js';

export type Format = 'text' | 'markdown' | 'json';

export function parseFormat(value: string | undefined, fallback: Format = 'text'): Format {
  if (value === undefined) return fallback;
  if (value === 'text' || value === 'markdown' || value === 'json') return value;
  if (value === 'md') return 'markdown';
  throw new UsageError(`--format must be text, markdown or json, got '${value}'`);
}
