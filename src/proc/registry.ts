// Every process group perfgate starts is registered here until it is gone, so that every exit
// path (success, error, signal, a crash, a cancelled workflow's post step) can kill it.
// The optional pid file lets a *different* process (the action's post step) find leftovers.

import { readdirSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';

interface Entry {
  pgid: number;
  /** /proc/<pid>/stat start time, so a recycled pid is never killed by mistake. */
  startTime: string | null;
  label: string;
}

const live = new Map<number, Entry>();
let pidFile: string | undefined;
let exitHookInstalled = false;

/**
 * The fields of /proc/<pid>/stat from field 3 (state) on, or null once the process is gone.
 * The command name (field 2) may contain spaces and parentheses, so split after the last ')'.
 */
function statFields(pid: number | string): string[] | null {
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

function persist(): void {
  if (!pidFile) return;
  const tmp = `${pidFile}.tmp`;
  writeFileSync(tmp, JSON.stringify([...live.values()]));
  renameSync(tmp, pidFile);
}

/** Record the live groups in `file` from now on (the action's post step reads it). */
export function usePidFile(file: string | undefined): void {
  pidFile = file;
  persist();
}

export function register(pgid: number, label: string): void {
  live.set(pgid, { pgid, startTime: procStartTime(pgid), label });
  persist();
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort: whatever path ends this process, its targets go with it.
    process.on('exit', killAllNow);
  }
}

export function unregister(pgid: number): void {
  if (live.delete(pgid)) persist();
}

export function liveGroups(): number[] {
  return [...live.keys()];
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Synchronous SIGKILL of every registered group (for 'exit' handlers, where nothing can wait). */
export function killAllNow(): void {
  for (const pgid of live.keys()) signalGroup(pgid, 'SIGKILL');
  live.clear();
  if (pidFile) rmSync(pidFile, { force: true });
}

/** Whether any member of the group is still running (zombies awaiting their reaper do not count). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // kill() also succeeds on zombies, which init may take a while to reap: look at their state.
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid
    const f = statFields(entry); // null when it exited meanwhile
    // f[0] is the state (field 3), f[2] the process group (field 5).
    if (f && Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') return true;
  }
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM a group, wait up to graceMs for it to go, then SIGKILL it. */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return;
    await sleep(25);
  }
  signalGroup(pgid, 'SIGKILL');
  // Killed members linger as zombies until reaped (by init, once their parent is gone).
  const reaped = Date.now() + 1000;
  while (Date.now() < reaped && groupAlive(pgid)) await sleep(10);
}

/**
 * Kill the groups recorded in a pid file by another perfgate process (the action's post step
 * after a cancellation). Returns how many groups were still alive and were killed.
 */
export async function killRegisteredGroups(file: string, graceMs = 3000): Promise<number> {
  let entries: Entry[];
  try {
    entries = JSON.parse(readFileSync(file, 'utf8')) as Entry[];
  } catch {
    return 0;
  }
  let killed = 0;
  await Promise.all(
    entries.map(async (e) => {
      if (!groupAlive(e.pgid)) return;
      // The leader may be gone while its group lives on; only check identity when it is there.
      const now = procStartTime(e.pgid);
      if (now !== null && e.startTime !== null && now !== e.startTime) return;
      killed++;
      await terminateGroup(e.pgid, graceMs);
    }),
  );
  rmSync(file, { force: true });
  return killed;
}
