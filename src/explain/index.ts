export type {
  EndpointExplanation,
  ExplainMode,
  ExplainRow,
  Explanation,
  Frame,
  FunctionCost,
  Pair,
  Profile,
  Runtime,
} from './types.js';
export { explainEndpoints, METHOD, type ExplainBuild, type ExplainOptions } from './run.js';
export { diffProfiles, findWrappers, foldedStacks, matchKeys } from './diff.js';
export { addStack, emptyProfile, frameId, frameLabel, mergeProfiles } from './profile.js';
export { profilesFromCpuProfile, type CpuProfile, type Window } from './cpuprofile.js';
export { profileFromPstats, reconstructStacks, type PstatsDump } from './pstats.js';
export {
  mergeTree,
  renderFlameGraph,
  renderFlameGraphPage,
  flameFileName,
  changeColour,
} from './flame.js';
export { ExplanationSchema } from '../analysis/explanation-schema.js';
export { endpointsToExplain } from './select.js';
export { displayUnit, scaleToMeasured, type Measured } from './scale.js';
export { profilingEnv, writeAgents, type PythonTimer } from './agents.js';
export { attachExplanation, type ExplainContext } from './attach.js';
