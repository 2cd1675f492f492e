// The simulated counter: parsing Callgrind's replies, and (where Valgrind is installed, as in
// CI) a real process tree under Callgrind: work done in a child process is counted, stopping
// the target leaves no Valgrind process behind, and a start command that cannot run names its
// build.

import { readdirSync } from 'node:fs';
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

async function start(command: string, gc: 'block' | 'off' = 'off'): Promise<RunningTarget> {
  return startTarget(
    {
      build: 'after',
      cwd: servers,
      start: command,
      env: { PATH: process.env.PATH },
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

  it('ends a block with a minor collection in the Node process, out of the app’s sight', async () => {
    const target = await start('exec node young.cjs', 'block');
    try {
      const young = async () =>
        JSON.parse(await send(target.port, '/young')) as { used: number; gc: string };
      await send(target.port, '/alloc?n=20000');
      const before = await young();
      await target.simulated!.collect();
      const after = await young();
      expect(before.gc).toBe('undefined');
      expect(before.used).toBeGreaterThan(500_000);
      expect(after.used).toBeLessThan(before.used / 4);
      // Collecting again on the same connection works, and a stopped target closes it.
      await target.simulated!.collect();
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
