// Each side's folder, ready to start: a worktree checked out at its ref (or the folder the config
// names) with its build command run.

import { join, relative } from 'node:path';
import type { ConfigOverrides, RunnableBuild, RunnableConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import type { Build } from '../samples/types.js';
import { requireBuildFolder } from './folder.js';
import { runShell } from './shell.js';
import { commitOf, createWorktree, type RefOrigin, type Worktree } from './worktree.js';

export interface PreparedBuild {
  cwd: string;
  ref?: string;
  commit?: string;
  worktree?: Worktree;
}

/** Where a side's ref came from: the command line or an input, else the config's line. */
export function refOrigin(
  side: Build,
  config: RunnableConfig,
  overrides: ConfigOverrides,
): RefOrigin {
  if (side === 'before' && overrides.beforeRef !== undefined)
    return { path: overrides.beforeRefFrom ?? '--before-ref' };
  if (side === 'before' && overrides.defaultBeforeRef === config.before.ref)
    return { path: "the pull request's base" };
  const line = config.lines[`${side}.ref`];
  return { file: config.file, ...(line ? { line } : {}) };
}

export async function prepareBuild(
  side: Build,
  build: RunnableBuild,
  config: RunnableConfig,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  logger: Logger,
  origin: RefOrigin,
): Promise<PreparedBuild> {
  let cwd: string;
  let worktree: Worktree | undefined;
  if (build.ref !== undefined) {
    worktree = await createWorktree(config.dir, build.ref, origin);
    // Same place inside the tree as the after build (a monorepo's service folder, say).
    const afterCwd = config.after.cwd ?? config.dir;
    const rel = relative(worktree.repoRoot, afterCwd);
    cwd = join(worktree.dir, rel.startsWith('..') ? '' : rel);
    logger.info(
      `${side}: checked out ${build.ref} (${worktree.commit.slice(0, 12)}) in ${worktree.dir}`,
    );
  } else {
    cwd = build.cwd;
  }
  try {
    requireBuildFolder(side, cwd, config, worktree);
    if (build.build) await runShell(side, 'build', build.build, cwd, env, signal, logger);
  } catch (error) {
    await worktree?.remove();
    throw error;
  }
  const commit = worktree?.commit ?? (await commitOf(cwd));
  return {
    cwd,
    ...(build.ref ? { ref: build.ref } : {}),
    ...(commit ? { commit } : {}),
    ...(worktree ? { worktree } : {}),
  };
}

export interface BuildsRequest {
  config: RunnableConfig;
  overrides: ConfigOverrides;
  /** Same build on both sides (A/A): the after build is prepared once. */
  aa?: boolean;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  logger: Logger;
}

/**
 * Both sides, the after build first. `into` fills as each side is ready, so the caller can remove
 * the worktrees already made when the other side fails.
 */
export async function prepareBuilds(
  r: BuildsRequest,
  into: Partial<Record<Build, PreparedBuild>>,
): Promise<Record<Build, PreparedBuild>> {
  const prep = (side: Build) =>
    prepareBuild(
      side,
      r.config[side],
      r.config,
      r.env,
      r.signal,
      r.logger,
      refOrigin(side, r.config, r.overrides),
    );
  into.after = await prep('after');
  into.before = r.aa ? into.after : await prep('before');
  return into as Record<Build, PreparedBuild>;
}

/** Removes the worktrees of the builds prepared so far (one, when both sides share it). */
export async function removeBuilds(builds: Partial<Record<Build, PreparedBuild>>): Promise<void> {
  for (const b of new Set(Object.values(builds))) await b?.worktree?.remove();
}
