// A throwaway project for end-to-end runs: the basic fixture server, a workload and a config.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';

export const SERVER = join(ROOT, 'test', 'fixtures', 'servers', 'basic.cjs');

export interface Project {
  dir: string;
  config: string;
}

export const WORKLOAD = [
  { method: 'GET', url: '/work/light?n=1' },
  { method: 'GET', url: '/work/light?n=2' },
  { method: 'GET', url: '/work/heavy?n=30' },
  { method: 'GET', url: '/work/heavy?n=31' },
  {
    method: 'POST',
    url: '/orders',
    headers: { 'content-type': 'application/json' },
    body: '{"sku":1}',
  },
];

export function makeProject(config: string, workload: object[] = WORKLOAD, git = false): Project {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-project-'));
  mkdirSync(join(dir, 'svc'));
  copyFileSync(SERVER, join(dir, 'svc', 'server.cjs'));
  writeFileSync(
    join(dir, 'workload.jsonl'),
    workload.map((r) => JSON.stringify(r)).join('\n') + '\n',
  );
  writeFileSync(join(dir, 'perfgate.yml'), config);
  if (git) {
    const g = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'pipe' });
    g('init', '-q');
    g('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
    g('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'base');
  }
  return { dir, config: join(dir, 'perfgate.yml') };
}

export const QUICK = `workload: workload.jsonl
ready: { path: /healthz, timeout: 10s }
measure: { rounds: 3, warmup: 1, requests: 1 }
thresholds: { default: 50% }
`;

/** Both builds from the fixture server in `svc/`: an A/A pair of distinct processes. */
export const BOTH =
  'before: { cwd: svc, start: node server.cjs }\nafter: { cwd: svc, start: node server.cjs }\n';
