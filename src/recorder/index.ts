// `perfgate/recorder`: record sampled production requests into perfgate's workload format.

export { createRecorder, Recorder, type RecorderOptions, type RecorderStats } from './recorder.js';
export type { RecordMeta, FlagValue } from './capture.js';
export type { CpuChoice, CpuCounter } from './cpu.js';
