// Waiting until a freshly started target answers: an HTTP path, or just an open TCP port.

import { request } from 'node:http';
import { connect } from 'node:net';

export type Readiness =
  { kind: 'http'; path: string; timeoutMs: number } | { kind: 'port'; timeoutMs: number };

export type ReadyOutcome =
  | { ready: true; ms: number }
  | { ready: false; reason: 'exited' | 'timeout' | 'aborted'; last: string };

function probeHttp(port: number, path: string): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', timeout: 2000, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve(status >= 200 && status < 400 ? null : `HTTP ${status}`);
        });
        res.on('error', (e) => resolve(e.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 2s')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

function probePort(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** Polls until ready, the process exits (`isRunning` false), the timeout passes, or `signal` aborts. */
export async function waitReady(
  port: number,
  readiness: Readiness,
  isRunning: () => boolean,
  signal: AbortSignal,
): Promise<ReadyOutcome> {
  const started = Date.now();
  let delay = 20;
  let last = 'no attempt yet';
  for (;;) {
    if (signal.aborted) return { ready: false, reason: 'aborted', last };
    if (!isRunning()) return { ready: false, reason: 'exited', last };
    const problem =
      readiness.kind === 'http' ? await probeHttp(port, readiness.path) : await probePort(port);
    if (problem === null) return { ready: true, ms: Date.now() - started };
    last = problem;
    if (Date.now() - started >= readiness.timeoutMs)
      return { ready: false, reason: 'timeout', last };
    await new Promise((r) => setTimeout(r, delay));
    // A refused loopback connection costs next to nothing: poll often, so a round does not
    // wait long after the server is up.
    delay = Math.min(delay * 1.5, 50);
  }
}
