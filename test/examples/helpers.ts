// Helpers for the example tests: start a real server process and talk to it over kept-alive HTTP.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
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

/** A workload file's requests, as `request` sends them. */
export function workloadRequests(file: string): Req[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          method: string;
          url: string;
          headers: Record<string, string>;
          body?: string;
        },
    )
    .map((r) => ({
      method: r.method,
      path: r.url,
      headers: r.headers,
      ...(r.body ? { body: r.body } : {}),
    }));
}

/**
 * Records one window of the shop's traffic: one recording server per build (`record-server.js`,
 * to `<dir>/<window>/<build>.jsonl`), the workload sent `reps` times, requests taking turns
 * between the servers so that load from elsewhere falls on each alike.
 */
export async function recordShopWindow(
  shop: string,
  dir: string,
  window: string,
  servers: { build: string; flags?: string }[],
  reps: number,
): Promise<void> {
  const workload = workloadRequests(join(shop, 'workload.jsonl'));
  const started: Server[] = [];
  try {
    for (const s of servers) {
      started.push(
        await startServer(shop, 'record-server.js', {
          SHOP_BUILD: s.build,
          RECORD: join(dir, window, `${s.build}.jsonl`),
          PERFGATE_COMMIT: s.build,
          SHOP_FLAGS: s.flags ?? '',
        }),
      );
    }
    for (let i = 0; i < reps; i++) {
      for (const r of workload) for (const s of started) await request(s.port, s.agent, r);
    }
  } finally {
    for (const s of started) await s.stop();
  }
}
