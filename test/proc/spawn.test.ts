import { existsSync, mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  spawnBlocked,
  groupAlive,
  liveGroups,
  usePidFile,
  killRegisteredGroups,
  register,
} from '../../src/proc/index.js';
import { EnvironmentError } from '../../src/errors.js';
import { processesWith, waitFor } from '../helpers/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'perfgate-proc-'));

/** read(2)'s syscall number: x86-64 and arm64 (asm-generic). */
const READ_SYSCALL = process.arch === 'arm64' ? 63 : 0;

/** Whether `pid` is asleep in a read of its fd 3 (the shell reads it through a dup on fd 0). */
function blockedOnFd3(pid: number): boolean {
  try {
    const [nr, fd] = readFileSync(`/proc/${pid}/syscall`, 'utf8').split(' ');
    const file = (n: number) => readlinkSync(`/proc/${pid}/fd/${n}`);
    return Number(nr) === READ_SYSCALL && file(Number(fd)) === file(3);
  } catch {
    return false; // not there yet, or gone
  }
}

describe('spawnBlocked', () => {
  it('runs nothing until released', async () => {
    const dir = tmp();
    const marker = join(dir, 'ran');
    const g = spawnBlocked({ argv: ['/bin/sh', '-c', `touch ${marker}`], label: 't' });
    // Wait until the blocker sits in its read of fd 3: from there, only release() goes on. A
    // blocker that did not wait would exec the command instead and never get here.
    expect(await waitFor(() => blockedOnFd3(g.pid), 10_000, 5)).toBe(true);
    expect(existsSync(marker)).toBe(false);
    g.release();
    expect((await g.exited).code).toBe(0);
    expect(existsSync(marker)).toBe(true);
    await g.stop(0);
  });

  it('never runs the command when stopped before release', async () => {
    const dir = tmp();
    const marker = join(dir, 'ran');
    const g = spawnBlocked({ argv: ['/bin/sh', '-c', `touch ${marker}`], label: 't' });
    await g.stop(1000);
    expect(existsSync(marker)).toBe(false);
    expect(groupAlive(g.pid)).toBe(false);
  });

  it('puts the command in its own process group', async () => {
    const g = spawnBlocked({ argv: ['/bin/sh', '-c', 'cut -d" " -f5 /proc/$$/stat'], label: 't' });
    g.release();
    await g.exited;
    expect(g.tail()).toEqual([String(g.pid)]);
    expect(g.pid).not.toBe(process.pid);
    await g.stop(0);
  });

  it('kills the whole group, escalating to SIGKILL for children that ignore SIGTERM', async () => {
    const marker = `perfgate-test-${process.pid}-${Date.now()}`;
    const g = spawnBlocked({
      // Ignored signals stay ignored across exec, so both sleeps shrug off SIGTERM.
      argv: [
        '/bin/bash',
        '-c',
        `trap '' TERM; (exec -a ${marker} sleep 30) & (exec -a ${marker} sleep 31) & wait`,
      ],
      label: 'stubborn',
    });
    g.release();
    expect(await waitFor(() => processesWith(marker).length === 2, 5000)).toBe(true);
    await g.stop(300);
    expect(groupAlive(g.pid)).toBe(false);
    expect(processesWith(marker)).toEqual([]);
    expect(liveGroups()).not.toContain(g.pid);
  });

  it('keeps the last lines of output for error messages', async () => {
    const g = spawnBlocked({
      argv: ['/bin/sh', '-c', 'for i in 1 2 3 4 5 6; do echo line $i; done; echo oops >&2; exit 3'],
      label: 't',
      tailLines: 3,
    });
    g.release();
    expect((await g.exited).code).toBe(3);
    expect(g.tail()).toEqual(['line 5', 'line 6', 'oops']);
    await g.stop(0);
  });

  it('turns address-space randomisation off when asked', async () => {
    const g = spawnBlocked({
      argv: ['/bin/cat', '/proc/self/personality'],
      label: 't',
      noAslr: true,
    });
    g.release();
    await g.exited;
    // ADDR_NO_RANDOMIZE is 0x0040000.
    expect(Number.parseInt(g.tail()[0] ?? '0', 16) & 0x0040000).toBe(0x0040000);
    await g.stop(0);
  });
});

describe('pid file for the post step', () => {
  it('lets another process kill groups left behind', async () => {
    const file = join(tmp(), 'pids.json');
    usePidFile(file);
    const marker = `perfgate-left-${process.pid}-${Date.now()}`;
    const g = spawnBlocked({
      argv: ['/bin/bash', '-c', `exec -a ${marker} sleep 30`],
      label: 'left',
    });
    g.release();
    await waitFor(() => processesWith(marker).length === 1, 5000);
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as { groups: { pgid: number }[] };
    expect(recorded.groups.map((e) => e.pgid)).toContain(g.pid);
    usePidFile(undefined);
    expect(await killRegisteredGroups(file, 500)).toBe(1);
    expect(await waitFor(() => processesWith(marker).length === 0, 5000)).toBe(true);
    await g.stop(0);
  });

  it('does not kill a recycled pid', async () => {
    const file = join(tmp(), 'pids.json');
    usePidFile(file);
    // Our own process group, recorded with a start time that cannot be ours.
    register(process.pid, 'self');
    const entries = (
      JSON.parse(readFileSync(file, 'utf8')) as { groups: { pgid: number; startTime: string }[] }
    ).groups;
    usePidFile(undefined);
    const forged = entries.map((e) => ({ ...e, startTime: '1' }));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify(forged));
    expect(await killRegisteredGroups(file, 100)).toBe(0);
    const { unregister } = await import('../../src/proc/index.js');
    unregister(process.pid);
  });
});

describe('escapes and faults (issue 12)', () => {
  it('stops a descendant that moved to its own session with setsid, and does not hang on its pipe', async () => {
    const marker = `perfgate-setsid-${process.pid}-${Date.now()}`;
    // The escaped process keeps stdout open, as a daemonised server often does.
    const g = spawnBlocked({
      argv: ['/bin/bash', '-c', `setsid bash -c 'exec -a ${marker} sleep 60' & sleep 60`],
      label: 'escapee',
    });
    g.release();
    expect(await waitFor(() => processesWith(marker).length === 1, 5000)).toBe(true);
    const [escaped] = processesWith(marker);
    const sid = readFileSync(`/proc/${escaped}/stat`, 'utf8').split(') ')[1]!.split(' ')[3];
    expect(Number(sid)).not.toBe(g.pid); // really in another session
    await g.stop(500);
    expect(processesWith(marker)).toEqual([]);
    expect(groupAlive(g.pid)).toBe(false);
  });

  it('refuses a folder that does not exist with a clear error instead of a crash', () => {
    let error: unknown;
    try {
      spawnBlocked({
        argv: ['/bin/true'],
        cwd: '/nonexistent/perfgate-dir',
        label: 'before build',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toBe(
      'cannot start before build: the folder /nonexistent/perfgate-dir does not exist',
    );
    expect(liveGroups()).toEqual([]);
  });

  it('caps the output tail at 30 lines of 500 characters', async () => {
    const g = spawnBlocked({
      argv: [
        '/bin/sh',
        '-c',
        'i=0; while [ $i -lt 40 ]; do head -c 1000 /dev/zero | tr "\\0" x; echo; i=$((i+1)); done',
      ],
      label: 'noisy',
      tailLines: 30,
    });
    g.release();
    await g.exited;
    await g.stop(0);
    const tail = g.tail();
    expect(tail).toHaveLength(30);
    for (const line of tail) expect(line.length).toBeLessThanOrEqual(540);
    expect(tail[0]).toMatch(/^x{500}… \(500 more characters\)$/);
  });
});
