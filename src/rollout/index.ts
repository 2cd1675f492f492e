// Rollout comparison: two windows of production recordings, per endpoint (or slice).

export { readRecordings, type ReadResult, type RecordedSample } from './read.js';
export { splitWindows, type Split, type Windows } from './split.js';
export { compareWindows, sliceLabel, type RolloutOptions, type Slice } from './compare.js';
