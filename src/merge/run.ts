// `perfgate merge` and the action's `mode: merge`: read every shard's samples, merge them into
// one set, analyse it once (one Holm family, one traffic-weighted total) and write the same files
// a run writes. The caller publishes the outcome once.

import { readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { analysisOptions, analyze, warning } from '../analysis/index.js';
import { loadConfig, parseConfig } from '../config/index.js';
import { ConfigError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import {
  gateOutcome,
  outputPaths,
  renderJson,
  renderMarkdown,
  type GateOutcome,
} from '../report/index.js';
import { readSamples, SamplesWriter } from '../samples/index.js';
import { mergeShards, MergeProblem, type ShardFile } from './merge.js';

export interface MergeOptions {
  /** Samples files, or folders searched for samples.jsonl (a download of every shard's artifact). */
  inputs: string[];
  outDir: string;
  /** Thresholds, alpha, confidence and on-* from this config; the defaults without one. */
  configPath?: string;
  onRegression?: 'fail' | 'annotate';
  logger: Logger;
  /** Paths in messages are relative to this (default: the process's). */
  cwd?: string;
}

const SAMPLES = 'samples.jsonl';

/** samples.jsonl files under a folder, sorted, leaving out `skip` (the merge's own output). */
function findSamples(dir: string, skip: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (resolve(d) === skip) return;
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name === SAMPLES) out.push(path);
    }
  };
  walk(dir);
  return out;
}

export function shardFiles(inputs: string[], outDir: string): string[] {
  const skip = resolve(outDir);
  const files: string[] = [];
  for (const input of inputs) {
    let isDir: boolean;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      throw new ConfigError('no such file or folder', { file: input });
    }
    if (!isDir) {
      files.push(input);
      continue;
    }
    const found = findSamples(input, skip);
    if (found.length === 0) {
      throw new ConfigError(`no ${SAMPLES} in this folder or below it`, { file: input });
    }
    files.push(...found);
  }
  return files;
}

export async function runMerge(options: MergeOptions): Promise<GateOutcome> {
  const { logger } = options;
  if (options.inputs.length === 0) {
    throw new UsageError(
      'nothing to merge: give the shards’ samples files or the folder holding them',
    );
  }
  const files = shardFiles(options.inputs, options.outDir);
  const shown = (f: string) => relative(options.cwd ?? process.cwd(), f) || f;
  const read: ShardFile[] = [];
  for (const file of files) read.push({ file: shown(file), set: await readSamples(file) });

  let merged;
  try {
    merged = mergeShards(read);
  } catch (error) {
    if (error instanceof MergeProblem) throw new ConfigError(error.message, {}, error.hint);
    throw error;
  }
  logger.info(`merging ${merged.files.length} shards: ${merged.files.join(', ')}`);
  for (const w of merged.warnings) logger.warn(w, 'shards on different machines');

  const config = options.configPath
    ? await loadConfig(options.configPath)
    : parseConfig('', resolve(options.cwd ?? '.', 'perfgate.yml'));
  const onRegression = options.onRegression ?? config.onRegression;
  const analysed = analyze(merged.set, {
    ...analysisOptions(config),
    sequential: merged.sequential,
  });
  const result = {
    ...analysed,
    warnings: [...analysed.warnings, ...merged.warnings.map((w) => warning('shards', w))],
  };

  mkdirSync(options.outDir, { recursive: true });
  const paths = outputPaths(options.outDir);
  const writer = new SamplesWriter(paths.samplesPath, 4096);
  try {
    if (merged.set.header) writer.write(merged.set.header);
    for (const s of merged.set.samples) writer.write(s);
    for (const e of merged.set.events) writer.write(e);
  } finally {
    writer.close();
  }
  const markdown = `${renderMarkdown(result).trimEnd()}\n\n<sub>Merged from ${merged.files.length} shards.</sub>\n`;
  writeFileSync(paths.resultPath, renderJson(result));
  writeFileSync(paths.reportPath, markdown);
  return gateOutcome(paths, result, markdown, onRegression);
}
