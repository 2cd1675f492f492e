// Targets: readiness by HTTP path or by TCP port, a server started and stopped as a group, the
// shell commands that build, and a build folder that is not there.

import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, InterruptedError, TargetError } from '../../src/errors.js';
import { memoryLogger } from '../../src/log.js';
import { liveGroups } from '../../src/proc/index.js';
import {
  freePort,
  requireBuildFolder,
  runShell,
  shellArgv,
  startTarget,
  waitReady,
  type Readiness,
  type TargetSpec,
  type Worktree,
} from '../../src/targets/index.js';

const never = new AbortController().signal;
const running = () => true;
const open: (HttpServer | TcpServer)[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function listen<S extends HttpServer | TcpServer>(server: S): Promise<number> {
  open.push(server);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

/** Answers every connection by closing it: a port that is open but speaks no HTTP. */
const silentTcp = () => listen(createTcpServer((socket) => socket.destroy()));
const http = (status: number) =>
  listen(
    createHttpServer((_, res) => {
      res.statusCode = status;
      res.end();
    }),
  );

const port = (timeoutMs = 0): Readiness => ({ kind: 'port', timeoutMs });
const get = (path: string, timeoutMs = 0): Readiness => ({ kind: 'http', path, timeoutMs });

describe('waitReady', () => {
  it('takes an open TCP port as ready under port readiness, though it speaks no HTTP', async () => {
    const p = await silentTcp();
    expect(await waitReady(p, port(), running, never)).toMatchObject({ ready: true });
    const http = await waitReady(p, get('/healthz'), running, never);
    expect(http).toMatchObject({ ready: false, reason: 'timeout' });
    expect(http.ready || http.last).toMatch(/ECONNRESET|socket hang up/);
  });

  it('says the port refused the connection when nothing listens', async () => {
    const p = await freePort();
    expect(await waitReady(p, port(), running, never)).toEqual({
      ready: false,
      reason: 'timeout',
      last: 'ECONNREFUSED',
    });
  });

  it.each([200, 204, 302])('takes HTTP %i as ready', async (status) => {
    expect(await waitReady(await http(status), get('/'), running, never)).toMatchObject({
      ready: true,
    });
  });

  it('keeps the last HTTP status that was not ready', async () => {
    expect(await waitReady(await http(503), get('/healthz'), running, never)).toEqual({
      ready: false,
      reason: 'timeout',
      last: 'HTTP 503',
    });
  });

  it('polls until the server answers, within the timeout', async () => {
    const p = await freePort();
    let attempts = 0;
    // The server comes up after the third refused attempt: counted, not timed.
    const isRunning = () => {
      if (++attempts === 3) open.push(createTcpServer((s) => s.destroy()).listen(p, '127.0.0.1'));
      return true;
    };
    const outcome = await waitReady(p, port(20_000), isRunning, never);
    expect(outcome).toMatchObject({ ready: true });
    expect(attempts).toBeGreaterThanOrEqual(3);
  });

  it('stops at once when the process exited or the run was aborted', async () => {
    const p = await silentTcp();
    expect(await waitReady(p, port(60_000), () => false, never)).toEqual({
      ready: false,
      reason: 'exited',
      last: 'no attempt yet',
    });
    const controller = new AbortController();
    controller.abort('SIGINT');
    expect(await waitReady(p, port(60_000), running, controller.signal)).toEqual({
      ready: false,
      reason: 'aborted',
      last: 'no attempt yet',
    });
  });
});

describe('freePort', () => {
  it('gives a loopback port that can be listened on', async () => {
    const p = await freePort();
    expect(p).toBeGreaterThan(0);
    const server = createTcpServer();
    open.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', resolve);
    });
  });
});

/** A server that listens on $PORT for TCP only: ready by port, never by HTTP. */
const TCP_ONLY = `exec ${process.execPath} -e "require('net').createServer((s) => s.destroy()).listen(Number(process.env.PORT), '127.0.0.1')"`;

function spec(start: string, readiness: Readiness): TargetSpec {
  return {
    build: 'after',
    cwd: process.cwd(),
    start,
    env: { ...process.env },
    readiness,
    events: ['task-clock'],
    kernel: false,
    noAslr: false,
    stopGraceMs: 1000,
  };
}

describe('startTarget', () => {
  it('starts a server that is ready by port, counted, on the PORT it was given', async () => {
    const target = await startTarget(spec(TCP_ONLY, port(20_000)), never, memoryLogger());
    try {
      expect(target.counters?.events).toEqual(['task-clock']);
      expect(target.crashed()).toBeUndefined();
      expect(await waitReady(target.port, port(), running, never)).toMatchObject({ ready: true });
    } finally {
      await target.stop();
    }
    expect(liveGroups()).toEqual([]);
  });

  it('says which TCP port never answered when port readiness times out', async () => {
    const err = await startTarget(spec('exec sleep 30', port(300)), never, memoryLogger()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toMatch(
      /^after build: server was not ready after 0s: TCP port \d+ never answered \(last: ECONNREFUSED\)/,
    );
    expect(liveGroups()).toEqual([]);
  });

  it('names a server that exits before it is ready, with its output', async () => {
    const err = await startTarget(
      spec('echo cannot bind; exit 4', port(20_000)),
      never,
      memoryLogger(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toContain(
      'after build: server exited with code 4 before it was ready (start: echo cannot bind; exit 4)',
    );
    expect((err as TargetError).output).toEqual(['cannot bind']);
  });

  it('is interrupted, not failed, when the run is aborted while it starts', async () => {
    const controller = new AbortController();
    controller.abort('SIGTERM');
    const err = await startTarget(
      spec('exec sleep 30', port(20_000)),
      controller.signal,
      memoryLogger(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as Error).message).toBe('interrupted by SIGTERM');
    expect(liveGroups()).toEqual([]);
  });

  it('reports a server killed while being measured', async () => {
    const target = await startTarget(spec(TCP_ONLY, port(20_000)), never, memoryLogger());
    try {
      process.kill(target.group.pid, 'SIGKILL');
      const crash = await target.crashedWithin(20_000);
      expect(crash?.message).toMatch(
        /^after build: server was killed by SIGKILL while being measured/,
      );
    } finally {
      await target.stop();
    }
  });
});

describe('runShell', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'perfgate-shell-'));

  it('runs a command through /bin/sh in the folder given', async () => {
    expect(shellArgv('a && b')).toEqual(['/bin/sh', '-c', 'a && b']);
    const cwd = dir();
    const logger = memoryLogger();
    await runShell(
      'before',
      'build',
      'test "$PWD" = "$WANT"',
      cwd,
      { ...process.env, WANT: cwd },
      never,
      logger,
    );
    expect(logger.lines).toContainEqual({
      level: 'info',
      message: 'before: build: test "$PWD" = "$WANT"',
    });
  });

  it('fails with the exit code, the command and its last output lines', async () => {
    const err = await runShell(
      'before',
      'build',
      'echo compiling; echo broken >&2; exit 3',
      dir(),
      process.env,
      never,
      memoryLogger(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toMatch(
      /^before build: build command exited with code 3: echo compiling; echo broken >&2; exit 3/,
    );
    expect([...(err as TargetError).output].sort()).toEqual(['broken', 'compiling']);
  });

  it('stops the command and is interrupted when the run is aborted', async () => {
    const controller = new AbortController();
    const pending = runShell(
      'after',
      'build',
      'sleep 30',
      dir(),
      process.env,
      controller.signal,
      memoryLogger(),
    );
    controller.abort('SIGINT');
    await expect(pending).rejects.toThrowError(InterruptedError);
    expect(liveGroups()).toEqual([]);
  });
});

describe('requireBuildFolder', () => {
  const config = { file: '/repo/perfgate.yml', lines: { 'before.cwd': 4 } };

  it('accepts a folder that exists', () => {
    expect(() => requireBuildFolder('before', tmpdir(), config)).not.toThrow();
  });

  it("names the config's line for a cwd that does not exist", () => {
    let err: unknown;
    try {
      requireBuildFolder('before', '/repo/nowhere', config);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({
      line: 4,
      path: 'before.cwd',
      message: '/repo/perfgate.yml:line 4: before.cwd: the folder /repo/nowhere does not exist',
    });
  });

  it('says the folder is missing at the ref, for a before build in a worktree', () => {
    const worktree = {
      dir: '/tmp/perfgate-wt',
      repoRoot: '/repo',
      ref: 'main',
      commit: '0123456789abcdef0123',
      remove: async () => {},
    } satisfies Worktree;
    expect(() =>
      requireBuildFolder('before', '/tmp/perfgate-wt/svc', config, worktree),
    ).toThrowError('before build: the folder svc does not exist at main (0123456789ab)');
  });
});
