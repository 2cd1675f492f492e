// Every process group perfgate starts is registered here until it is gone, so that every exit
// path (success, error, signal, a crash, a cancelled workflow's post step) can kill it.
// The optional pid file lets a *different* process (the action's post step, `perfgate cleanup`,
// the next `perfgate run`) find leftovers, and the worktrees a run had checked out.
//
// A server may leave its process group and session (setsid, a daemonising double fork), where
// a group signal no longer reaches it. Every process perfgate starts therefore carries a marker
// in its environment, which children inherit whatever group they move to; a scan of
// /proc/*/environ finds them all.

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';

/** The environment variable that marks a group's processes. */
export const MARKER_VAR = 'PERFGATE_GROUP';

interface Entry {
  pgid: number;
  /** /proc/<pid>/stat start time, so a recycled pid is never killed by mistake. */
  startTime: string | null;
  label: string;
  /** Value of MARKER_VAR in every process of the group (absent in files of older versions). */
  marker?: string;
}

/** A `before.ref` worktree a run checked out, for removal if the run is killed. */
export interface WorktreeEntry {
  dir: string;
  repoRoot: string;
}

interface PidFileContent {
  /** The perfgate process that wrote the file. */
  owner?: { pid: number; startTime: string | null };
  groups: Entry[];
  worktrees: WorktreeEntry[];
}

const live = new Map<number, Entry>();
const worktrees = new Map<string, WorktreeEntry>();
let pidFile: string | undefined;
let exitHookInstalled = false;

/**
 * The fields of /proc/<pid>/stat from field 3 (state) on, or null once the process is gone.
 * The command name (field 2) may contain spaces and parentheses, so split after the last ')'.
 */
/** The fields of /proc/<pid>/stat after the command name (state first); null when gone. */
export function statFields(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

export function procStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null; // field 22, starttime
}

/** A fresh marker value for a group about to be started. */
export function newMarker(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

function persist(): void {
  if (!pidFile) return;
  const tmp = `${pidFile}.tmp`;
  const content: PidFileContent = {
    groups: [...live.values()],
    worktrees: [...worktrees.values()],
  };
  try {
    writeFileSync(tmp, JSON.stringify(content));
    renameSync(tmp, pidFile);
  } catch {
    // A full or read-only disk must not stop the run: the in-process registry still works.
  }
}

/** Record the live groups in `file` from now on (the action's post step reads it). */
export function usePidFile(file: string | undefined): void {
  if (pidFile && pidFile !== file && live.size === 0 && worktrees.size === 0) {
    rmSync(pidFile, { force: true });
  }
  pidFile = file;
  persist();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: whatever path ends this process, its targets go with it.
  process.on('exit', killAllNow);
}

export function register(pgid: number, label: string, marker?: string): void {
  live.set(pgid, { pgid, startTime: procStartTime(pgid), label, ...(marker ? { marker } : {}) });
  persist();
  installExitHook();
}

export function unregister(pgid: number): void {
  if (live.delete(pgid)) persist();
}

export function registerWorktree(entry: WorktreeEntry): void {
  worktrees.set(entry.dir, entry);
  persist();
}

export function unregisterWorktree(dir: string): void {
  if (worktrees.delete(dir)) persist();
}

export function liveGroups(): number[] {
  return [...live.keys()];
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!(pgid > 1)) return false; // no group to signal (never -1, 0 or 1: those mean others)
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* gone already */
  }
}

function pids(): string[] {
  try {
    return readdirSync('/proc').filter((e) => e.charCodeAt(0) <= 57);
  } catch {
    return [];
  }
}

/** Running (not zombie) processes that carry `marker` in their environment. */
export function markedPids(marker: string | undefined): number[] {
  if (!marker) return [];
  const needle = Buffer.from(`${MARKER_VAR}=${marker}\0`);
  const out: number[] = [];
  for (const pid of pids()) {
    if (Number(pid) === process.pid) continue;
    const f = statFields(pid);
    if (!f || f[0] === 'Z' || f[0] === 'X') continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue; // another user's process, or gone
    }
    const at = environ.indexOf(needle);
    if (at === 0 || (at > 0 && environ[at - 1] === 0)) out.push(Number(pid));
  }
  return out;
}

function signalAll(entry: Pick<Entry, 'pgid' | 'marker'>, signal: NodeJS.Signals): boolean {
  const group = signalGroup(entry.pgid, signal);
  const marked = markedPids(entry.marker);
  for (const pid of marked) signalPid(pid, signal);
  return group || marked.length > 0;
}

/** Synchronous SIGKILL of every registered group (for 'exit' handlers, where nothing can wait). */
export function killAllNow(): void {
  for (const entry of live.values()) signalAll(entry, 'SIGKILL');
  live.clear();
  if (pidFile && worktrees.size === 0) rmSync(pidFile, { force: true, maxRetries: 0 });
  else persist();
}

/** Whether any member of the group is still running (zombies awaiting their reaper do not count). */
export function groupAlive(pgid: number, marker?: string): boolean {
  if (markedPids(marker).length > 0) return true;
  if (!(pgid > 1)) return false;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // kill() also succeeds on zombies, which init may take a while to reap: look at their state.
  for (const entry of pids()) {
    const f = statFields(entry); // null when it exited meanwhile
    // f[0] is the state (field 3), f[2] the process group (field 5).
    if (f && Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') return true;
  }
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM a group and every process carrying its marker, wait up to graceMs for them to go,
 * then SIGKILL them.
 */
export async function terminateGroup(
  pgid: number,
  graceMs: number,
  marker?: string,
): Promise<void> {
  const entry = { pgid, marker };
  if (!signalAll(entry, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid, marker)) return;
    await sleep(25);
  }
  signalAll(entry, 'SIGKILL');
  // Killed members linger as zombies until reaped (by init, once their parent is gone).
  const reaped = Date.now() + 1000;
  while (Date.now() < reaped && groupAlive(pgid, marker)) await sleep(10);
}

function readPidFile(file: string): PidFileContent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  // Older versions wrote the list of groups alone.
  if (Array.isArray(parsed)) return { groups: parsed as Entry[], worktrees: [] };
  const c = parsed as Partial<PidFileContent> | null;
  return {
    ...(c?.owner ? { owner: c.owner } : {}),
    groups: c?.groups ?? [],
    worktrees: c?.worktrees ?? [],
  };
}

/**
 * Kill the groups recorded in a pid file by another perfgate process (the action's post step
 * after a cancellation). Returns how many groups were still alive and were killed.
 */
export async function killRegisteredGroups(file: string, graceMs = 3000): Promise<number> {
  return (await takeLeftovers(file, graceMs)).killed;
}

/**
 * What another perfgate process left in its pid file: its groups are killed, its worktrees
 * handed back for removal (git is not this module's business). The file is removed.
 */
export async function takeLeftovers(
  file: string,
  graceMs = 3000,
): Promise<{ killed: number; worktrees: WorktreeEntry[]; busy?: number }> {
  const content = readPidFile(file);
  if (!content) return { killed: 0, worktrees: [] };
  const owner = content.owner;
  if (owner && owner.pid !== process.pid && procStartTime(owner.pid) === owner.startTime) {
    return { killed: 0, worktrees: [], busy: owner.pid }; // still running: not leftovers
  }
  let killed = 0;
  await Promise.all(
    content.groups.map(async (e) => {
      // The leader may be gone while its group lives on; only check identity when it is there.
      // A recycled pid is not signalled, but the marked processes still are.
      const now = procStartTime(e.pgid);
      const pgid = now !== null && e.startTime !== null && now !== e.startTime ? 0 : e.pgid;
      if (!groupAlive(pgid, e.marker)) return;
      killed++;
      await terminateGroup(pgid, graceMs, e.marker);
    }),
  );
  rmSync(file, { force: true });
  return { killed, worktrees: content.worktrees };
}
