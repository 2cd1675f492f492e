// Starting a command in its own process group behind a blocker, so counters can be attached
// before it execs (the handshake `perf stat -- cmd` uses), and stopping the whole group.

import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { machine } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { EnvironmentError } from '../errors.js';
import { MARKER_VAR, newMarker, register, terminateGroup, unregister } from './registry.js';

/** Output lines kept for error messages are cut at this many characters. */
export const TAIL_LINE_CHARS = 500;

/**
 * The blocker: a shell that waits for one line on fd 3, closes it, then execs the command.
 * `read` and `exec` are builtins, so nothing else runs (or forks) before the exec that enables
 * the counters. If perfgate dies before saying go, read hits EOF and the command never runs.
 */
const BLOCKER = 'IFS= read -r _ <&3 || exit 97; exec 3<&-; exec "$@"';

export interface SpawnOptions {
  /** Program and arguments, exec'd directly (use ['/bin/sh', '-c', cmd] for a shell command). */
  argv: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** For messages and the registry: "before", "after", "measure". */
  label: string;
  /** Turn address-space randomisation off for the command (setarch -R). */
  noAslr?: boolean;
  /** 'inherit' passes stdio through; 'capture' keeps the last lines of output for errors. */
  stdio?: 'inherit' | 'capture';
  tailLines?: number;
  /** Called with each captured output line (for debug logs). */
  onLine?: (line: string) => void;
  /** The blocker's shell (default /bin/sh); tests use bash to stand for a bash /bin/sh. */
  shell?: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessGroup {
  /** The blocker's pid, which is also the group's pgid and becomes the command's pid at exec. */
  readonly pid: number;
  readonly label: string;
  /** Let the command exec. Attach counters before calling this. */
  release(): void;
  readonly exited: Promise<Exit>;
  /** Whether the group leader is still running. */
  readonly running: boolean;
  /** SIGTERM the whole group, SIGKILL after graceMs, wait for the leader to be reaped. */
  stop(graceMs?: number): Promise<Exit>;
  /** Last lines the command printed (stdout and stderr interleaved). */
  tail(): string[];
}

class LineTail {
  private lines: string[] = [];
  private partial = '';
  constructor(
    private readonly max: number,
    private readonly onLine?: (line: string) => void,
  ) {}
  push(chunk: Buffer): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.add(line);
    if (this.partial.length > 64 * 1024) {
      this.add(this.partial);
      this.partial = '';
    }
  }
  private add(line: string): void {
    this.onLine?.(line);
    // A noisy server's output tail lands in messages, result.json and the report: keep it short.
    const cut =
      line.length > TAIL_LINE_CHARS
        ? `${line.slice(0, TAIL_LINE_CHARS)}… (${line.length - TAIL_LINE_CHARS} more characters)`
        : line;
    this.lines.push(cut);
    if (this.lines.length > this.max) this.lines.shift();
  }
  get(): string[] {
    return this.partial ? [...this.lines, this.partial].slice(-this.max) : [...this.lines];
  }
}

export function aslrOffPrefix(): string[] {
  return ['setarch', machine(), '-R'];
}

/** The folder a command is to run in must exist (spawn would fail with a bare ENOENT). */
function requireFolder(cwd: string | undefined, label: string): void {
  if (cwd === undefined) return;
  let isDir = false;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    /* missing */
  }
  if (!isDir) throw new EnvironmentError(`cannot start ${label}: the folder ${cwd} does not exist`);
}

export function spawnBlocked(options: SpawnOptions): ProcessGroup {
  const argv = options.noAslr ? [...aslrOffPrefix(), ...options.argv] : options.argv;
  const capture = (options.stdio ?? 'capture') === 'capture';
  requireFolder(options.cwd, options.label);
  const marker = newMarker();
  const shell = options.shell ?? '/bin/sh';
  const child: ChildProcess = spawn(shell, ['-c', BLOCKER, 'perfgate-blocker', ...argv], {
    cwd: options.cwd,
    env: { ...(options.env ?? process.env), [MARKER_VAR]: marker },
    // setsid(): its own session and process group, so the whole tree can be signalled at once.
    detached: true,
    stdio: [
      capture ? 'ignore' : 'inherit',
      capture ? 'pipe' : 'inherit',
      capture ? 'pipe' : 'inherit',
      'pipe',
    ],
  });
  // A spawn failure arrives as an 'error' event; unhandled, it would crash perfgate.
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  if (child.pid === undefined) {
    throw new EnvironmentError(`could not start ${shell} for ${options.label}`);
  }
  const pid = child.pid;
  register(pid, options.label, marker);
  const tail = new LineTail(options.tailLines ?? 40, options.onLine);
  if (capture) {
    (child.stdout as Readable).on('data', (c: Buffer) => tail.push(c));
    (child.stderr as Readable).on('data', (c: Buffer) => tail.push(c));
  }
  const closed = new Promise((resolve) => child.once('close', resolve));
  let running = true;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  const go = child.stdio[3] as Writable;
  go.on('error', () => {}); // EPIPE when the blocker already died; exited tells the story
  let released = false;
  let stopping: Promise<Exit> | undefined;
  return {
    pid,
    label: options.label,
    exited,
    get running() {
      return running;
    },
    release() {
      if (released) return;
      released = true;
      go.end('go\n');
    },
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        if (!released) go.destroy(); // the blocker exits on EOF without running anything
        // Signal the group even when the leader is gone: its children may still be alive.
        await terminateGroup(pid, graceMs, marker);
        const exit = spawnError ? { code: null, signal: null } : await exited;
        unregister(pid);
        // Nothing left may hold the output pipes open and keep perfgate from exiting; what
        // is still buffered gets a moment to arrive first.
        await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
        child.stdout?.destroy();
        child.stderr?.destroy();
        return exit;
      })();
      return stopping;
    },
    tail: () => tail.get(),
  };
}
