export { mergeShards, MergeProblem, type MergedShards, type ShardFile } from './merge.js';
export { runMerge, shardFiles, type MergeOptions } from './run.js';
