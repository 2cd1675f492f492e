// The analysis stage's public surface: samples in, result.json out. Pure functions only.

export * from './types.js';
export { analyze } from './analyze.js';
export {
  analyzeWithFlags,
  flagSampleSet,
  flagsNeedMoreRounds,
  type FlagAnalysisOptions,
} from './flags.js';
export { calibrate, type CalibrationRow, type CalibrationOptions } from './calibrate.js';
export { planLooks, needsMoreRounds, lookAlpha, obrienFlemingSpent } from './sequential.js';
export { RunResultSchema, runResultJsonSchema, runResultJsonSchemaText } from './result-schema.js';
export { percent, thresholdPercent } from './summary.js';
export { guardErrorAnswers, tallyStatuses, MOSTLY_ERRORS } from './statuses.js';
export { analysisOptions, errorResult, exitCodeFor } from './outcome.js';
export { WARNING_CODES, warning, type RunWarning, type WarningCode } from './warnings.js';
