export { parseWorkload, loadWorkload, RECORD_FIELDS } from './parse.js';
export { serializeWorkload, serializeRecord } from './serialize.js';
export {
  autoEndpointPath,
  compileRoute,
  endpointFor,
  isIdSegment,
  matchesRoute,
  normalisePath,
  type Route,
} from './endpoint.js';
export { toRequestTarget } from './target.js';
export {
  CONNECTION_HEADERS,
  CREDENTIAL_HEADERS,
  CREDENTIAL_PARAMS,
  DROPPED_ON_IMPORT,
  REDACTED,
} from './headers.js';
export { redactPolicy, redactRecord, type RedactPolicy, type RedactionCounts } from './redact.js';
export { importHar } from './har.js';
export { importAccessLog } from './access-log.js';
export { HTTP_METHODS, type ImportOptions, type ImportResult, type Skipped } from './importer.js';
export type { ParseWorkloadOptions, Workload, WorkloadRecord, WorkloadRequest } from './types.js';
export {
  costsFromResult,
  MAX_SHARDS,
  parseShard,
  planShards,
  type ShardPlan,
  type ShardSpec,
  type ShardRequest,
  type ShardSelection,
  selectShard,
  readBalance,
} from './shard.js';
export { endpointWeights } from './weights.js';
