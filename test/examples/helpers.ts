// Helpers for the example tests: start a real server process, talk to it over kept-alive HTTP,
// and read its CPU time from /proc (process.cpuUsage() only sees the calling process).

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { freePort } from '../../src/targets/port.js';

export interface Server {
  proc: ChildProcess;
  pid: number;
  port: number;
  agent: http.Agent;
  output: () => string;
  stop: () => Promise<number | null>;
}

export interface Reply {
  status: number;
  body: string;
}

export interface Req {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function request(port: number, agent: http.Agent, req: Req): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

/** Runs `node <script>` in cwd with PORT set and waits until GET /healthz answers 200. */
export async function startServer(
  cwd: string,
  script: string,
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<Server> {
  const port = await freePort();
  const proc = spawn(process.execPath, [script], {
    cwd,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  const stop = async () => {
    agent.destroy();
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${script} exited (${proc.exitCode}): ${out}`);
    try {
      const r = await request(port, agent, { method: 'GET', path: '/healthz' });
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${script} not ready after ${timeoutMs} ms: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, pid: proc.pid!, port, agent, output: () => out, stop };
}

/**
 * CPU time of a process in nanoseconds: the run time of each of its threads from
 * /proc/<pid>/task/<tid>/schedstat. Nanoseconds, where /proc/<pid>/stat's utime and stime come in
 * 10 ms ticks that quantise a short measurement by tens of percent.
 */
export function cpuNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return total;
}

/**
 * CPU nanoseconds each server spends answering `reqs` `reps` times. Requests alternate between the
 * servers, so load from anything else on the machine falls on both alike.
 */
export async function interleavedCpu(
  servers: Server[],
  reqs: Req[],
  reps: number,
): Promise<number[]> {
  const start = servers.map((s) => cpuNs(s.pid));
  for (let i = 0; i < reps; i++) {
    for (const r of reqs) {
      // Swap who goes first every rep, so neither always follows the other.
      const order = i % 2 ? [...servers].reverse() : servers;
      for (const s of order) await request(s.port, s.agent, r);
    }
  }
  return servers.map((s, i) => cpuNs(s.pid) - start[i]!);
}
