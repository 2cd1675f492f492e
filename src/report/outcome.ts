// What a run leaves behind: result.json, report.md beside samples.jsonl, and the exit code. The
// gate (`perfgate run`, the action) and the merge of shards write the same files.

import { join } from 'node:path';
import { exitCodeFor, type RunResult } from '../analysis/index.js';
import type { Logger } from '../log.js';
import { writeOutput } from '../samples/index.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';

export interface OutputPaths {
  samplesPath: string;
  resultPath: string;
  reportPath: string;
}

export interface GateOutcome extends OutputPaths {
  result: RunResult;
  markdown: string;
  onRegression: 'fail' | 'annotate';
  /** 0 pass (or a regression under `annotate`), 1 fail, 2 error. */
  exitCode: 0 | 1 | 2;
  /** What went wrong when the run could not complete (a target that crashed, say). */
  error?: string;
}

export function outputPaths(outDir: string): OutputPaths {
  return {
    samplesPath: join(outDir, 'samples.jsonl'),
    resultPath: join(outDir, 'result.json'),
    reportPath: join(outDir, 'report.md'),
  };
}

export function gateOutcome(
  paths: OutputPaths,
  result: RunResult,
  markdown: string,
  onRegression: 'fail' | 'annotate',
  error?: string,
): GateOutcome {
  return {
    result,
    ...paths,
    markdown,
    onRegression,
    exitCode: exitCodeFor(result, onRegression),
    ...(error !== undefined ? { error } : {}),
  };
}

/**
 * Writes result.json and report.md, each on its own: a full disk may still take the small result
 * when the report fails. A file that cannot be written is logged, not thrown.
 */
export function saveOutputs(paths: OutputPaths, result: RunResult, logger: Logger): string {
  const markdown = renderMarkdown(result);
  for (const e of [
    writeOutput(paths.resultPath, renderJson(result)),
    writeOutput(paths.reportPath, markdown),
  ]) {
    if (e) logger.error(e.message);
  }
  return markdown;
}
