export { startTarget, type RunningTarget, type TargetSpec } from './target.js';
export { runShell, shellArgv } from './shell.js';
export {
  createWorktree,
  repoRootOf,
  commitOf,
  removeWorktree,
  staleWorktrees,
  type RefOrigin,
  type Worktree,
} from './worktree.js';
export { requireBuildFolder } from './folder.js';
export { waitReady, type Readiness } from './ready.js';
export { freePort } from './port.js';
export { cleanupLeftovers, describeCleanup, type Cleaned } from './cleanup.js';
export { targetEnvironment, withheld } from './env.js';
export {
  prepareBuild,
  prepareBuilds,
  refOrigin,
  removeBuilds,
  type BuildsRequest,
  type PreparedBuild,
} from './prepare.js';
