export { startTarget, type RunningTarget, type TargetSpec } from './target.js';
export { runShell, shellArgv } from './shell.js';
export { createWorktree, repoRootOf, commitOf, type Worktree } from './worktree.js';
export { waitReady, type Readiness } from './ready.js';
export { freePort } from './port.js';
