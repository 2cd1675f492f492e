export {
  replay,
  type PreparedRequest,
  type ReplayPlan,
  type ReplayHooks,
  type ReplayOutcome,
} from './replay.js';
export { Meter } from './meter.js';
export { prepareRequests } from './requests.js';
export {
  LocalClient,
  assertLocalPath,
  NonLocalRequestError,
  type ReplayRequest,
} from './client.js';
export { buildOrder, roundSeed, shuffledIndices } from './order.js';
