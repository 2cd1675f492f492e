// Simulated instructions: the target's whole process tree runs under Valgrind's Callgrind, and
// each read asks every live process for its cumulative instruction count (`status internal`, one
// `events-<tid>` line per thread) over a connection kept open to its gdbserver (vgdb.ts). A
// process that exited since the last read is counted from the totals Callgrind wrote at its exit.
// Counts do not depend on the machine, its load or a PMU; the price is a 30–40× slowdown. Reads
// are made per block of requests, not per request (research: measurement.md §3).

import { execFile, execFileSync } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { statFields } from '../proc/registry.js';
import { VgdbLink, type LinkStats } from './vgdb.js';

/** The counter's name in samples, results and reports. */
export const SIMULATED = 'simulated-instructions';
export const SIMULATED_LABEL = 'simulated instructions (Valgrind)';

/** Which threads of each process count: the main thread, or all of them (V8's helpers too). */
export type SimulatedThreads = 'main' | 'all';

export type ValgrindProbe =
  { ok: true; version: string; path: string } | { ok: false; reason: string; hint: string };

/** Whether Valgrind (with vgdb) can be run here, and which version. */
export function probeValgrind(): ValgrindProbe {
  try {
    const version = execFileSync('valgrind', ['--version'], { encoding: 'utf8', timeout: 10_000 })
      .trim()
      .replace(/^valgrind-/, '');
    execFileSync('vgdb', ['--help'], { stdio: 'ignore', timeout: 10_000 });
    return { ok: true, version, path: 'valgrind' };
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      ok: false,
      reason: missing ? 'valgrind (with vgdb) is not installed' : 'valgrind --version failed',
      hint: 'install it (Debian/Ubuntu: apt-get install valgrind) to count simulated instructions',
    };
  }
}

/** The first executable `name` on PATH. */
function onPath(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Whether each block of requests ends with a minor collection in every Node process of the tree. */
export type SimulatedGc = 'block' | 'off';

/**
 * Preloaded into every `node` of the tree (main thread only): a Unix socket on which one byte
 * asks for a collection, answered when it is done: `g` a minor one, `G` a full one. V8
 * scavenges when its young space fills, so without this a scavenge lands in one block or the
 * next, depending on where the previous blocks left the young space; collecting at each block's
 * end makes every block start from an empty young space and pay for its own garbage. `gc` is taken from a fresh context, so the
 * application's `globalThis.gc` stays as it was.
 */
export function gcHookSource(dir: string): string {
  return `'use strict';
(() => {
  if (!require('node:worker_threads').isMainThread) return;
  let gc;
  try {
    require('node:v8').setFlagsFromString('--expose-gc');
    gc = require('node:vm').runInNewContext('gc');
  } catch {
    return;
  }
  const server = require('node:net').createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', (data) => {
      if (data.includes('G')) gc();
      else gc({ type: 'minor' });
      socket.write('1');
    });
  });
  server.on('error', () => {});
  server.listen(${JSON.stringify(dir)} + '/gc-' + process.pid + '.sock');
  server.unref();
})();
`;
}

/**
 * The targets' environment under the simulated counter: PYTHONHASHSEED fixed unless set, and,
 * when `node` is on PATH and flags or the block-end collection are asked for, a `node` first on
 * PATH that runs the real one with them (NODE_OPTIONS refuses V8 flags). `dir` must not name the
 * build: both builds get environments of the same size. Returns what it did, for the samples header.
 */
export function deterministicEnv(
  env: NodeJS.ProcessEnv,
  nodeFlags: string,
  dir: string,
  gc: SimulatedGc = 'off',
): { env: NodeJS.ProcessEnv; knobs: Record<string, string> } {
  const out: NodeJS.ProcessEnv = { PYTHONHASHSEED: '0', ...env };
  const knobs: Record<string, string> = { PYTHONHASHSEED: out.PYTHONHASHSEED! };
  const node = nodeFlags.trim() || gc === 'block' ? onPath('node', env.PATH) : null;
  if (node) {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    let flags = nodeFlags.trim();
    if (gc === 'block') {
      const hook = join(bin, 'gc-hook.cjs');
      writeFileSync(hook, gcHookSource(dir));
      flags = `${flags} --require ${quote(hook)}`.trim();
    }
    const shim = join(bin, 'node');
    writeFileSync(shim, `#!/bin/sh\nexec ${quote(node)} ${flags} "$@"\n`);
    chmodSync(shim, 0o755);
    out.PATH = `${bin}${delimiter}${env.PATH ?? ''}`;
    knobs.node = `${node} ${nodeFlags}`.trim();
  }
  return { env: out, knobs };
}

/**
 * The command under Callgrind: children exec'd by it too, each process's totals at exit in
 * `outDir`. Valgrind runs one thread at a time; `--fair-sched=yes` hands the turn over in ticket
 * order rather than to whichever thread the kernel wakes first, so V8's compiler threads finish
 * their jobs at the same points of the main thread's work in every process (on the shop's A/A
 * rounds, the median per-round difference fell from 0.98 % to 0.12 %).
 */
export function valgrindArgv(argv: readonly string[], outDir: string): string[] {
  return [
    'valgrind',
    '-q',
    '--tool=callgrind',
    '--fair-sched=yes',
    '--vgdb=yes',
    '--trace-children=yes',
    `--callgrind-out-file=${join(outDir, 'callgrind.out.%p')}`,
    '--dump-instr=no',
    '--collect-jumps=no',
    ...argv,
  ];
}

/** Counts in one `status internal` reply: the main thread's and every thread's. */
export function parseStatus(text: string): { main: number; all: number } | null {
  let main = 0;
  let all = 0;
  let seen = false;
  for (const m of text.matchAll(/^events-(\d+): (\d+)$/gm)) {
    seen = true;
    const n = Number(m[2]);
    all += n;
    if (m[1] === '1') main += n;
  }
  return seen ? { main, all } : null;
}

/** The `summary:` (or `totals:`) line of a Callgrind out file: the process's whole count. */
export function parseTotals(text: string): number | null {
  const m = /^(?:summary|totals): (\d+)/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** Processes in process group `pgid` that run under Callgrind. */
function groupUnderCallgrind(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // statFields()[2] is the process group (field 5).
    if (Number(statFields(entry)?.[2]) !== pgid) continue;
    try {
      if (readlinkSync(`/proc/${entry}/exe`).includes('callgrind-')) out.push(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return out;
}

/** A one-off read through a fresh `vgdb` (10–110 ms): when a connection could not be kept. */
function vgdbStatus(pid: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'vgdb',
      [`--pid=${pid}`, '--max-invoke-ms=1', 'status', 'internal'],
      { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
}

/** A connection to a process's collection hook; null when it has none. */
function connectHook(path: string): Promise<Socket | null> {
  if (!existsSync(path)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('error', () => resolve(null));
    socket.once('connect', () => {
      socket.on('error', () => {}); // a process that exits closes it: seen as 'close'
      resolve(socket);
    });
  });
}

/** A collection under Callgrind takes milliseconds; a process this slow to answer is stuck. */
const COLLECT_TIMEOUT_MS = 30_000;

/** One collection: a byte out, a byte back. False when the process went away or never answered. */
function ask(socket: Socket, full = false): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (ok: boolean) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(ok);
    };
    const onData = () => settle(true);
    const onClose = () => settle(false);
    const timer = setTimeout(() => settle(false), COLLECT_TIMEOUT_MS);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(full ? 'G' : 'g');
  });
}

interface Known {
  main: number;
  all: number;
}

/** Cumulative simulated instructions of one target's process tree. */
export class SimulatedCounter {
  readonly events = [SIMULATED] as const;
  private readonly known = new Map<number, Known>();
  /** Processes already counted, live or at exit, so an out file is never counted twice. */
  private readonly counted = new Set<number>();
  /** Counts of processes that have exited, at their exit. */
  private finished = 0;
  reads = 0;
  readMs = 0;

  /** Open connections to the processes' gdbservers, by pid. */
  private readonly links = new Map<number, Promise<VgdbLink>>();
  /** Reads that fell back to a one-off `vgdb` because a connection failed. */
  fallbacks = 0;
  readonly linkStats: LinkStats = { rewakes: 0, unasked: 0 };

  /** Open connections to the Node processes' collection hooks, by pid. */
  private readonly hooks = new Map<number, Promise<Socket | null>>();

  constructor(
    private readonly pgid: number,
    private readonly outDir: string,
    private readonly threads: SimulatedThreads,
    private readonly gc: SimulatedGc = 'off',
  ) {}

  /**
   * Ends a block: a minor collection in every Node process of the tree that has the hook, each
   * waited for, so the block's read includes the collection of its own garbage. `pids`: the
   * tree's processes when the caller has just listed them (a read does).
   */
  async collect(pids?: readonly number[]): Promise<void> {
    if (this.gc !== 'block') return;
    await Promise.all((pids ?? groupUnderCallgrind(this.pgid)).map((pid) => this.collectIn(pid)));
  }

  /**
   * A full collection in every Node process of the tree, before a round's first block (outside
   * every block's reads): each round's blocks then start from an old space of the same size, so
   * that a major collection (tens of millions of instructions) lands in a block less often.
   */
  async collectFull(): Promise<void> {
    if (this.gc !== 'block') return;
    await Promise.all(groupUnderCallgrind(this.pgid).map((pid) => this.collectIn(pid, true)));
  }

  private async collectIn(pid: number, full = false): Promise<void> {
    let hook = this.hooks.get(pid);
    if (!hook) this.hooks.set(pid, (hook = connectHook(join(this.outDir, `gc-${pid}.sock`))));
    const socket = await hook;
    // Not a Node process, or one that has not set its hook up yet: nothing to collect.
    if (!socket) return this.forget(pid, socket);
    const done = await ask(socket, full);
    if (!done) this.forget(pid, socket);
  }

  private forget(pid: number, socket: Socket | null): void {
    socket?.destroy();
    this.hooks.delete(pid);
  }

  /** Closes the connections to the hooks and to the gdbservers. */
  close(): void {
    for (const hook of this.hooks.values()) void hook.then((s) => s?.destroy());
    this.hooks.clear();
    for (const pid of [...this.links.keys()]) void this.dropLink(pid);
  }

  /** Forgets a process's connection and closes it; settles when its relay has exited. */
  private dropLink(pid: number): Promise<void> {
    const link = this.links.get(pid);
    this.links.delete(pid);
    return (
      link?.then(
        (l) => l.close(),
        () => {},
      ) ?? Promise.resolve()
    );
  }

  /**
   * One process's `status internal`, over its kept connection. A connection that cannot be made
   * or breaks is dropped (the next read makes a new one) and this read goes through a one-off
   * `vgdb`, which fails too when the process has exited.
   */
  private async statusOf(pid: number): Promise<string> {
    let link = this.links.get(pid);
    if (!link) {
      link = VgdbLink.open(pid, this.linkStats);
      this.links.set(pid, link);
    }
    try {
      return await (await link).status();
    } catch {
      // The relay holds the gdbserver's lock until it has exited.
      await this.dropLink(pid);
      this.fallbacks++;
      return vgdbStatus(pid);
    }
  }

  /**
   * The tree's count so far; with `collect`, after a block-end collection (the processes listed
   * once for both). Throws when no process of the tree answers.
   */
  async read(options: { collect?: boolean } = {}): Promise<number> {
    const pids = groupUnderCallgrind(this.pgid);
    if (options.collect) await this.collect(pids);
    const started = performance.now(); // read time, the collection apart
    const replies = await Promise.all(
      pids.map((pid) =>
        this.statusOf(pid).then(
          (text) => ({ pid, counts: parseStatus(text) }),
          () => ({ pid, counts: null }),
        ),
      ),
    );
    const live = new Set<number>();
    for (const { pid, counts } of replies) {
      // A process Valgrind has not set up yet (just forked) answers next time.
      if (!counts) continue;
      live.add(pid);
      this.known.set(pid, counts);
    }
    for (const [pid, last] of this.known) {
      if (live.has(pid) || pids.includes(pid)) continue;
      this.known.delete(pid);
      void this.dropLink(pid);
      this.finished += this.exitCount(pid, last);
    }
    this.finishNewcomers(live);
    let total = this.finished;
    for (const c of this.known.values()) total += this.threads === 'main' ? c.main : c.all;
    this.reads++;
    this.readMs += performance.now() - started;
    return total;
  }

  /** A process that exited: its count at exit; the last count read if its file is missing. */
  private exitCount(pid: number, last: Known): number {
    const final = this.totalsOf(pid);
    if (final === null) return this.threads === 'main' ? last.main : last.all;
    // Its other threads were left out while it lived; at exit only the whole count is known.
    return this.threads === 'main' ? last.main + Math.max(0, final - last.all) : final;
  }

  /** Children born and gone between two reads: counted whole from their out files. */
  private finishNewcomers(live: Set<number>): void {
    let files: string[];
    try {
      files = readdirSync(this.outDir);
    } catch {
      return;
    }
    for (const f of files) {
      const m = /^callgrind\.out\.(\d+)$/.exec(f);
      if (!m) continue;
      const pid = Number(m[1]);
      if (live.has(pid) || this.known.has(pid) || this.counted.has(pid)) continue;
      const total = this.totalsOf(pid);
      if (total === null) continue; // still being written
      this.counted.add(pid);
      this.finished += total;
    }
    for (const pid of this.known.keys()) this.counted.add(pid);
  }

  private totalsOf(pid: number): number | null {
    try {
      return parseTotals(readFileSync(join(this.outDir, `callgrind.out.${pid}`), 'utf8'));
    } catch {
      return null;
    }
  }
}
