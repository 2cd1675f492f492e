export { parseConfig, loadConfig } from './parse.js';
export { resolveHeaders } from './headers.js';
export { requireRunnable } from './runnable.js';
export { applyOverrides, type ConfigOverrides } from './overrides.js';
export { withSimulatedDefaults } from './resolve.js';
export { configJsonSchema, configJsonSchemaText } from './json-schema.js';
export {
  parseDuration,
  parsePositiveDuration,
  parsePercent,
  formatDuration,
  formatPercent,
} from './values.js';
export { ProblemsError, type Problem } from './problems.js';
export { COUNTERS } from './types.js';
export type {
  BuildConfig,
  BuildSource,
  Config,
  Counter,
  FlagConfig,
  FlagDelivery,
  FlagsConfig,
  MeasureConfig,
  ReadyConfig,
  RunnableBuild,
  RunnableConfig,
  ThresholdsConfig,
} from './types.js';
