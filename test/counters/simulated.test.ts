// The simulated counter: parsing Callgrind's replies, and (where Valgrind is installed, as in
// CI) a real process tree under Callgrind: work done in a child process is counted, stopping
// the target leaves no Valgrind process behind, and a start command that cannot run names its
// build.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  parseStatus,
  parseTotals,
  probeValgrind,
  valgrindArgv,
} from '../../src/counters/simulated.js';
import { packet } from '../../src/counters/vgdb.js';
import { DETERMINISTIC_NODE_FLAGS } from '../../src/config/types.js';
import { TargetError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { statFields } from '../../src/proc/registry.js';
import { startTarget, type RunningTarget } from '../../src/targets/target.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const servers = path.join(here, '../fixtures/servers');
const valgrind = probeValgrind();

describe('Callgrind replies', () => {
  it('sums the events-<tid> lines, the main thread apart', () => {
    const text = [
      'sending command status internal to pid 9938',
      'instrumentation: on',
      'events: Ir',
      'threads: 1 2 3',
      'events-1: 517452851',
      'frames-1: 271',
      'events-1-0: 515117297',
      'events-2: 3618',
      'events-3: 682',
    ].join('\n');
    expect(parseStatus(text)).toEqual({ main: 517452851, all: 517452851 + 3618 + 682 });
    expect(parseStatus('vgdb error: no FIFO found')).toBeNull();
  });

  it("reads a process's whole count from the out file written at its exit", () => {
    expect(
      parseTotals('version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 123456\n'),
    ).toBe(123456);
    expect(parseTotals('events: Ir\ntotals: 99\n')).toBe(99);
    expect(parseTotals('events: Ir\n')).toBeNull();
  });

  it('wraps the start command so exec’d children run under Callgrind too', () => {
    const argv = valgrindArgv(['/bin/sh', '-c', 'node server.js'], '/tmp/x');
    expect(argv.slice(0, 3)).toEqual(['valgrind', '-q', '--tool=callgrind']);
    expect(argv).toContain('--trace-children=yes');
    expect(argv).toContain('--fair-sched=yes');
    expect(argv).toContain('--callgrind-out-file=/tmp/x/callgrind.out.%p');
    expect(argv.slice(-3)).toEqual(['/bin/sh', '-c', 'node server.js']);
  });
});

function send(port: number, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: url, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Live processes in a process group. */
function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(statFields(e)?.[2]) === pgid)
    .map(Number);
}

/** The `vgdb` processes that speak to process `pid`. */
function relaysOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
        return argv[0]?.endsWith('vgdb') && argv.includes(`--pid=${pid}`);
      } catch {
        return false; // gone
      }
    })
    .map(Number);
}

/**
 * A bare relay that connects and leaves the process held (as a read does while it is answered),
 * then loses its input there, as when perfgate is killed mid-read.
 */
async function holdThenDrop(pid: number): Promise<void> {
  const relay = spawn('vgdb', [`--pid=${pid}`, '--max-invoke-ms=1'], { stdio: 'pipe' });
  let seen = '';
  relay.stdout.on('data', (c: Buffer) => (seen += c.toString('latin1')));
  const saw = async (text: string) => {
    for (let i = 0; i < 3000 && !seen.includes(text); i++)
      await new Promise((r) => setTimeout(r, 10));
    if (!seen.includes(text)) throw new Error(`the gdbserver never sent ${text}: ${seen}`);
  };
  try {
    relay.stdin.write(packet('QStartNoAckMode'));
    await saw('$OK#');
    relay.stdin.write('+'); // the gdbserver waits for this ack before it takes no-ack mode
    relay.stdin.write(packet('?'));
    await saw('$T');
  } finally {
    const closed = new Promise((r) => relay.on('close', r));
    relay.stdin.end();
    await closed;
  }
}

async function start(
  command: string,
  gc: 'block' | 'off' = 'off',
  env: Record<string, string> = {},
): Promise<RunningTarget> {
  return startTarget(
    {
      build: 'after',
      cwd: servers,
      start: command,
      env: { PATH: process.env.PATH, ...env },
      readiness: { kind: 'http', path: '/', timeoutMs: 180_000 },
      events: [],
      kernel: false,
      noAslr: false,
      simulated: { threads: 'main', nodeFlags: DETERMINISTIC_NODE_FLAGS, gc },
    },
    new AbortController().signal,
    silentLogger,
  );
}

// CI installs Valgrind (.ci/run): there a missing one fails these tests instead of skipping them.
describe.skipIf(!valgrind.ok && process.env.CI !== 'true')('a process tree under Callgrind', () => {
  it('counts the work a request does in a child process, and leaves nothing behind', async () => {
    const target = await start('exec node forking.cjs');
    const pgid = target.group.pid;
    try {
      const counter = target.simulated!;
      const cost = async (url: string) => {
        const a = await counter.read();
        await send(target.port, url);
        return (await counter.read()) - a;
      };
      await cost('/child?n=0'); // the first child pays for loading node's code into the cache
      const empty = await cost('/child?n=0');
      const busy = await cost('/child?n=3000000');
      const inServer = await cost('/self?n=0');
      // A child node's start-up alone is tens of millions of instructions; the server's own part
      // of the request (spawnSync and the reply) is far below that.
      expect(empty).toBeGreaterThan(20_000_000);
      expect(inServer).toBeLessThan(empty / 10);
      // The child's loop: 3 M iterations at a few instructions each, on top of its start-up.
      expect(busy - empty).toBeGreaterThan(3_000_000);
    } finally {
      await target.stop();
    }
    expect(groupMembers(pgid)).toEqual([]);
  }, 600_000);

  it('reads over a kept connection to each process, which runs on between reads', async () => {
    const target = await start('exec node basic.cjs', 'off', { COST: '200000' });
    const pid = target.group.pid;
    try {
      const counter = target.simulated!;
      await send(target.port, '/work'); // compiled before it is measured
      const a = await counter.read();
      await send(target.port, '/work');
      const b = await counter.read();
      const c = await counter.read();
      // The request is counted; a read with none since adds next to nothing (the event loop's
      // own timers at most).
      expect(b - a).toBeGreaterThan(1_000_000);
      expect(c - b).toBeLessThan((b - a) / 10);
      for (let i = 0; i < 10; i++) await counter.read();
      // One relay for the process, none left by the reads, and no read fell back to a one-off vgdb.
      expect(relaysOf(pid)).toHaveLength(1);
      expect(counter.fallbacks).toBe(0);
      expect(await send(target.port, '/work')).toBeTruthy();

      // A relay whose input closes while it holds the process leaves it serving, and the counter
      // connects anew.
      counter.close();
      await new Promise((r) => setTimeout(r, 200));
      expect(relaysOf(pid)).toEqual([]);
      await holdThenDrop(pid);
      expect(await send(target.port, '/work')).toBeTruthy();
      const d = await counter.read();
      await send(target.port, '/work');
      expect((await counter.read()) - d).toBeGreaterThan(1_000_000);
      expect(counter.fallbacks).toBe(0);
    } finally {
      await target.stop();
    }
    expect(relaysOf(pid)).toEqual([]);
    expect(groupMembers(pid)).toEqual([]);
  }, 600_000);

  it('leaves no relay behind when perfgate is killed mid-read, and the process serves on', async () => {
    const target = await start('exec node basic.cjs');
    const pid = target.group.pid;
    const root = path.join(here, '../..');
    try {
      // A stand-in for perfgate that reads as fast as it can until it is killed.
      const holder = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `import { VgdbLink } from './src/counters/vgdb.ts';
           const link = await VgdbLink.open(${pid});
           for (;;) { await link.status(); process.stdout.write('.'); }`,
        ],
        { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let reads = 0;
      await new Promise<void>((resolve, reject) => {
        holder.on('exit', (code) => reject(new Error(`the reader exited (${code})`)));
        holder.stdout.on('data', (c: Buffer) => (reads += c.length) >= 20 && resolve());
      });
      holder.kill('SIGKILL');
      for (let i = 0; i < 100 && relaysOf(pid).length > 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(relaysOf(pid)).toEqual([]);
      expect(await send(target.port, '/work')).toBeTruthy();
    } finally {
      await target.stop();
    }
  }, 600_000);

  it('ends a block with a minor collection in the Node process, out of the app’s sight', async () => {
    const target = await start('exec node young.cjs', 'block');
    try {
      const young = async () =>
        JSON.parse(await send(target.port, '/young')) as {
          used: number;
          gc: string;
          majors: number;
        };
      await send(target.port, '/alloc?n=20000');
      const before = await young();
      await target.simulated!.collect();
      const after = await young();
      expect(before.gc).toBe('undefined');
      expect(before.used).toBeGreaterThan(500_000);
      expect(after.used).toBeLessThan(before.used / 4);
      // Collecting again on the same connection works, and a stopped target closes it.
      await target.simulated!.collect();
      // A full collection (before a round's blocks) on the same hook; the minor ones were not.
      await new Promise((r) => setTimeout(r, 200)); // gc entries are delivered asynchronously
      const minorOnly = await young();
      await target.simulated!.collectFull();
      await new Promise((r) => setTimeout(r, 200));
      const full = await young();
      expect(full.majors).toBeGreaterThan(minorOnly.majors);
    } finally {
      await target.stop();
    }
  }, 600_000);

  it('names the build when its start command cannot run under Valgrind', async () => {
    const failed = await start('exec /nonexistent/server').then(
      () => null,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(TargetError);
    expect((failed as TargetError).build).toBe('after');
    expect((failed as TargetError).message).toMatch(/before it was ready/);
  }, 120_000);
});
