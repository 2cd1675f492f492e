import { join, resolve } from 'node:path';
import { analysisOptions, type AnalysisOptions, type RunResult } from '../analysis/index.js';
import { loadConfig, parseConfig, parsePercent, type Config } from '../config/index.js';
import { UsageError } from '../errors.js';
import { renderJson, renderMarkdown, renderText } from '../report/index.js';
import { ensureOutDir, writeOutput } from '../samples/index.js';

export type Format = 'text' | 'markdown' | 'json';

export function parseFormat(value: string | undefined, fallback: Format = 'text'): Format {
  if (value === undefined) return fallback;
  if (value === 'text' || value === 'markdown' || value === 'json') return value;
  if (value === 'md') return 'markdown';
  throw new UsageError(`--format must be text, markdown or json, got '${value}'`);
}

export function render(result: RunResult, format: Format): string {
  if (format === 'json') return renderJson(result);
  return format === 'markdown' ? renderMarkdown(result) : renderText(result);
}

/** result.json and report.md in `--out DIR`; a file that cannot be written stops the command. */
export function saveReport(dir: string, result: RunResult): void {
  ensureOutDir(dir);
  for (const [name, text] of [
    ['result.json', renderJson(result)],
    ['report.md', renderMarkdown(result)],
  ] as const) {
    const error = writeOutput(join(dir, name), text);
    if (error) throw error;
  }
}

/**
 * The analysis settings of `--config FILE` (without one, an empty perfgate.yml's defaults) with
 * `--threshold` over the default threshold.
 */
export async function analysisSettings(
  cwd: string,
  configPath: string | undefined,
  threshold: string | undefined,
): Promise<{ config: Config; options: AnalysisOptions }> {
  const config = configPath
    ? await loadConfig(resolve(cwd, configPath))
    : parseConfig('', resolve(cwd, 'perfgate.yml'));
  const options = analysisOptions(config);
  if (threshold !== undefined) {
    const t = parsePercent(threshold);
    if (!t.ok) throw new UsageError(`--threshold: ${t.message}`, t.hint);
    options.thresholds = { ...options.thresholds, default: t.value };
  }
  return { config, options };
}
