// The synthetic service from benchmarks/fixtures: where it lives, its workload as the replay
// takes it, and perfgate configs that run it as an A/A or A/B pair.

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreparedRequest } from '../src/replay/index.js';
import { loadWorkload } from '../src/workload/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const SERVER = join(FIXTURES, 'synthetic-server.js');
export const WORKLOAD = join(FIXTURES, 'synthetic-workload.jsonl');

/** Work units per request, per endpoint (the server's default, set explicitly). */
export const UNITS: Record<string, number> = {
  'GET /work/a': 200,
  'GET /work/b': 400,
  'GET /work/c': 800,
  'GET /work/d': 1600,
};
export const REGRESSED = 'GET /work/b';

const WORK = Object.entries(UNITS)
  .map(([endpoint, units]) => `${endpoint.slice(-1)}=${units}`)
  .join(',');

export const START = `node ${SERVER}`;

/** The server's environment: the work units, and no regression unless a config adds one. */
export function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PERFGATE_SYNTH_WORK: WORK };
  delete env.PERFGATE_SYNTH_REGRESS;
  return env;
}

export async function syntheticRequests(): Promise<PreparedRequest[]> {
  const { requests } = await loadWorkload(WORKLOAD);
  return requests.map((r) => ({
    id: r.id,
    endpoint: r.endpoint,
    method: r.method,
    path: r.path,
    headers: r.headers,
    ...(r.body ? { body: r.body } : {}),
  }));
}

/**
 * Writes dir/perfgate.yml: before is the plain server, after the same file with `b` costing
 * `multiplier` times its units (1 = A/A). Everything else is perfgate's default budget.
 */
export function writeConfig(dir: string, multiplier: number, extra: string[] = []): string {
  const regress = multiplier === 1 ? '' : `PERFGATE_SYNTH_REGRESS=b=${multiplier} `;
  const file = join(dir, 'perfgate.yml');
  writeFileSync(
    file,
    [
      `workload: ${JSON.stringify(WORKLOAD)}`,
      `before: { cwd: ${JSON.stringify(FIXTURES)}, start: ${JSON.stringify(START)} }`,
      `after: { cwd: ${JSON.stringify(FIXTURES)}, start: ${JSON.stringify(regress + START)} }`,
      `env: { PERFGATE_SYNTH_WORK: ${JSON.stringify(WORK)} }`,
      'ready: { path: /healthz }',
      ...extra,
      '',
    ].join('\n'),
  );
  return file;
}
