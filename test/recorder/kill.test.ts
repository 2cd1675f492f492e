// Killing a recording service (SIGKILL, no exit handlers) while records are being written
// leaves files whose complete lines all parse as a workload.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { parseWorkload } from '../../src/workload/parse.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// 200 KiB bodies: each batch is megabytes, so the kill lands inside a write of many lines.
const body = JSON.stringify({ data: 'x'.repeat(200 * 1024) });

it('a service killed mid-write leaves files whose complete lines all parse', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-kill-'));
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'kill.fixture.ts'), path.join(dir, 'rec.jsonl')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      proc.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      proc.once('exit', () => reject(new Error('fixture exited')));
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const send = () =>
      new Promise<void>((resolve) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/upload',
            agent,
            headers: { 'content-type': 'application/json' },
          },
          (res) => res.resume().on('end', resolve),
        );
        req.on('error', () => resolve());
        req.end(body);
      });
    const sizeNow = () =>
      readdirSync(dir).reduce((n, f) => n + readFileSync(path.join(dir, f)).length, 0);
    const load = Array.from({ length: 8 }, async () => {
      while (proc.exitCode === null && proc.signalCode === null) await send();
    });
    while (sizeNow() < 2 * 1024 * 1024) await new Promise((r) => setTimeout(r, 5));
    proc.kill('SIGKILL');
    await Promise.all(load);
    agent.destroy();
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
  const files = readdirSync(dir);
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    const workload = parseWorkload(complete, f);
    expect(workload.requests.length).toBeGreaterThan(0);
    expect(workload.requests.every((r) => r.body?.length === body.length)).toBe(true);
  }
  rmSync(dir, { recursive: true, force: true });
});
