// One persistent connection to a Valgrind process's gdbserver, through a `vgdb` relay that
// speaks GDB's remote protocol on its stdin and stdout. A standalone `vgdb ... status internal`
// costs 10–110 ms a read: each one connects anew, and Valgrind's gdbserver sleeps 100 ms when a
// connection closes (`sync_gdb_connection`). Kept open, a read is an interrupt, one `qRcmd` and a
// resume: ~5 ms. The target runs between reads; it is held only while a read is answered.

import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Every signal GDB numbers from 1 (SIGHUP) to 77 (the first real-time one): the standard
 * ones and real-time 33–63. The gdbserver sizes its table past these, so none is out of range.
 */
const PASS_SIGNALS = `QPassSignals:${Array.from({ length: 77 }, (_, i) => (i + 1).toString(16)).join(';')}`;

/** `qRcmd,` and the monitor command in hex: the same for every read. */
const STATUS_QUERY = `qRcmd,${Buffer.from('status internal', 'latin1').toString('hex')}`;

/** The longest a live gdbserver takes to answer; a slower one is stuck. */
const REPLY_TIMEOUT_MS = 30_000;
/** Interrupt retries start this soon and back off to REWAKE_MAX_MS (see `wake`). */
const REWAKE_FIRST_MS = 5;
const REWAKE_MAX_MS = 100;
/** How long a relay gets to let go of the process after its input closes, and after SIGTERM. */
const CLOSE_GRACE_MS = 5_000;

/** A packet as sent: `$data#checksum`, the checksum the byte sum modulo 256 in two hex digits. */
export function packet(data: string): string {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum = (sum + data.charCodeAt(i)) & 0xff;
  return `$${data}#${sum.toString(16).padStart(2, '0')}`;
}

/** Run-length decoding: `X*n` stands for X and n−29 more copies of it. */
export function expandRuns(data: string): string {
  return data.replace(/(.)\*(.)/gs, (_, c: string, n: string) => c.repeat(n.charCodeAt(0) - 28));
}

/** Whole packets at the front of `buffer` (acks and noise between them dropped), and the rest. */
export function splitPackets(buffer: string): { packets: string[]; rest: string } {
  const packets: string[] = [];
  let at = 0;
  for (;;) {
    const start = buffer.indexOf('$', at);
    if (start < 0) return { packets, rest: '' };
    const end = buffer.indexOf('#', start);
    if (end < 0 || buffer.length < end + 3) return { packets, rest: buffer.slice(start) };
    packets.push(expandRuns(buffer.slice(start + 1, end)));
    at = end + 3;
  }
}

/** A monitor command's text from its `O<hex>` console packets. */
export function consoleText(packets: readonly string[]): string {
  return packets.map((p) => Buffer.from(p.slice(1), 'hex').toString('latin1')).join('');
}

export class VgdbLinkError extends Error {}

/** What the links of one counter had to work around, summed over them. */
export interface LinkStats {
  /** Interrupts re-sent because the first was not answered (see `wake`). */
  rewakes: number;
  /** Stops no read asked for, each answered at once with a resume (see `receive`). */
  unasked: number;
}

/** A relay to one process's gdbserver; `open` it, `status` as often as needed, `close` it. */
export class VgdbLink {
  private buffer = '';
  private readonly queue: string[] = [];
  private waiter: (() => void) | null = null;
  private acks = true;
  private stderr = '';
  private dead: string | null = null;
  /** Whether a read holds the process; between reads it runs. */
  private reading = true;
  /** Settles when the relay has exited (and so released the gdbserver's lock). */
  readonly exited: Promise<void>;

  private constructor(
    readonly pid: number,
    private readonly relay: ChildProcess,
    private readonly stats: LinkStats,
  ) {
    relay.stdout!.setEncoding('latin1');
    relay.stdout!.on('data', (chunk: string) => this.receive(chunk));
    relay.stderr!.setEncoding('utf8');
    relay.stderr!.on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-2000)));
    relay.stdin!.on('error', () => {}); // a relay that exited: seen as 'close'
    this.exited = new Promise((resolve) => {
      relay.on('error', (e) => {
        this.die(`vgdb could not run: ${e.message}`);
        if (relay.pid === undefined) resolve(); // never started: no 'close' to wait for
      });
      relay.on('close', (code, signal) => {
        this.die(`vgdb exited (${signal ?? code})`);
        resolve();
      });
    });
  }

  /** Connects, and leaves the process running. */
  static async open(pid: number, stats: LinkStats = { rewakes: 0, unasked: 0 }): Promise<VgdbLink> {
    const relay = spawn('vgdb', [`--pid=${pid}`, '--max-invoke-ms=1'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const link = new VgdbLink(pid, relay, stats);
    try {
      // Any packet brings the gdbserver in, and it holds the process until told to go on.
      link.send('QStartNoAckMode');
      await link.expect((p) => p === 'OK', 'QStartNoAckMode');
      link.acks = false;
      // Unless told to pass them, the gdbserver stops the process at each signal (a child's
      // SIGCHLD, a timer) and waits for a debugger's say; no one here would answer.
      link.send(PASS_SIGNALS);
      await link.expect((p) => p === 'OK', 'QPassSignals');
      link.send('?');
      await link.expect(isStop, 'the stop reply');
      link.resume();
      return link;
    } catch (error) {
      await link.close();
      throw error;
    }
  }

  /** `status internal`: the counts so far, one `events-<tid>` line per thread. */
  async status(): Promise<string> {
    await this.wake();
    this.send(STATUS_QUERY);
    const out: string[] = [];
    for (;;) {
      const p = await this.next(REPLY_TIMEOUT_MS, 'status internal');
      if (p === 'OK') break;
      if (p[0] !== 'O')
        throw new VgdbLinkError(
          `pid ${this.pid}: status internal answered ${p.slice(0, 40) || 'nothing'}`,
        );
      out.push(p);
    }
    this.resume();
    return consoleText(out);
  }

  /**
   * Stops the running process. An interrupt can be lost: the gdbserver reads all that is waiting,
   * so one written just after the last resume may be read with it and dropped once the process
   * runs again, and nothing then tells the gdbserver to look. Another interrupt does; a surplus
   * one is skipped by the gdbserver as noise between packets.
   */
  private async wake(): Promise<void> {
    this.reading = true;
    const deadline = performance.now() + REPLY_TIMEOUT_MS;
    for (let wait = REWAKE_FIRST_MS; ; wait = Math.min(wait * 2, REWAKE_MAX_MS)) {
      this.relay.stdin!.write('\x03');
      const p = await this.next(wait, 'an interrupt', true);
      if (p !== null) {
        if (isExit(p)) throw this.die(`pid ${this.pid} exited`);
        if (isStop(p)) return;
        continue; // a late reply to nothing we wait for
      }
      if (performance.now() > deadline)
        throw new VgdbLinkError(
          `pid ${this.pid} did not stop for a read in ${REPLY_TIMEOUT_MS / 1000}s`,
        );
      this.stats.rewakes++;
    }
  }

  /**
   * Ends the relay by closing its input, as GDB does when it quits: vgdb then puts back what it
   * changed in the process and lets go of it. A relay is never killed outright while it may be
   * attached: it holds the process with ptrace and its registers altered while the gdbserver
   * runs, and a process left so is stopped for good or crashes when it resumes. Signals follow
   * only when the relay ignores its closed input (SIGTERM, which vgdb also handles, then SIGKILL).
   */
  close(): Promise<void> {
    this.die('closed');
    if (this.relay.exitCode !== null || this.relay.signalCode !== null) return this.exited;
    this.relay.stdin!.end();
    const term = setTimeout(() => this.relay.kill('SIGTERM'), CLOSE_GRACE_MS);
    const kill = setTimeout(() => this.relay.kill('SIGKILL'), 2 * CLOSE_GRACE_MS);
    term.unref();
    kill.unref();
    return this.exited.finally(() => {
      clearTimeout(term);
      clearTimeout(kill);
    });
  }

  private resume(): void {
    this.reading = false;
    this.send('c');
  }

  private send(data: string): void {
    this.relay.stdin!.write(packet(data));
  }

  private receive(chunk: string): void {
    const { packets, rest } = splitPackets(this.buffer + chunk);
    this.buffer = rest;
    for (const p of packets) {
      if (this.acks) this.relay.stdin!.write('+');
      // The gdbserver can come in unasked: vgdb forces it in when the bytes it passed on sit
      // unread for a moment, and that can land just after a read that the gdbserver's own
      // polling had already served. It then holds the process; let it go on at once.
      if (!this.reading && isStop(p)) {
        this.stats.unasked++;
        this.send('c');
        continue;
      }
      this.queue.push(p);
    }
    if (packets.length) this.notify();
  }

  private notify(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private die(why: string): VgdbLinkError {
    if (this.dead === null) this.dead = why;
    this.notify();
    const detail = this.stderr.trim().split('\n').pop();
    return new VgdbLinkError(`pid ${this.pid}: ${this.dead}${detail ? ` (${detail})` : ''}`);
  }

  private async expect(ok: (p: string) => boolean, what: string): Promise<string> {
    const p = await this.next(REPLY_TIMEOUT_MS, what);
    if (!ok(p)) throw new VgdbLinkError(`pid ${this.pid}: ${what} answered ${p.slice(0, 40)}`);
    return p;
  }

  /** The next packet; null after `ms` when `quiet`, else an error naming `what`. */
  private next(ms: number, what: string, quiet: true): Promise<string | null>;
  private next(ms: number, what: string): Promise<string>;
  private async next(ms: number, what: string, quiet = false): Promise<string | null> {
    const deadline = performance.now() + ms;
    while (this.queue.length === 0) {
      if (this.dead !== null) throw this.die(this.dead);
      const left = deadline - performance.now();
      if (left <= 0) {
        if (quiet) return null;
        throw new VgdbLinkError(
          `pid ${this.pid}: no answer to ${what} in ${Math.round(ms / 1000)}s`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = null;
          resolve();
        }, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.queue.shift()!;
  }
}

/** A stop reply: the process is held. */
function isStop(p: string): boolean {
  return p[0] === 'T' || p[0] === 'S';
}

/** The process exited or was killed. */
function isExit(p: string): boolean {
  return p[0] === 'W' || p[0] === 'X';
}
