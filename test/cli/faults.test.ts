// User and environment faults on the command line end in exit 2 and a message naming the cause,
// never in a stack trace (issue 12). In-process: no child perfgate to start.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { silentLogger } from '../../src/log.js';
import { liveGroups } from '../../src/proc/index.js';
import { BOTH, makeProject, QUICK } from '../pipeline/project.js';

async function cli(args: string[], cwd?: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(args, {
    stdout,
    stderr,
    ...(cwd ? { cwd } : {}),
    logger: {
      ...silentLogger,
      warn: (m) => (err += `warning: ${m}\n`),
      error: (m) => (err += `error: ${m}\n`),
    },
  });
  return { code, stdout: out, stderr: err };
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |internal error/);

describe('perfgate run: faults (issue 12)', () => {
  it('--max-duration 0s is refused, not ignored', async () => {
    const r = await cli(['run', '--max-duration', '0s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--max-duration: must be longer than zero, got '0s'");
  });

  it('a before.cwd that does not exist is named with its line', async () => {
    const p = makeProject(
      `${QUICK}before: { cwd: missing-dir, start: node server.cjs }\nafter: { cwd: svc, start: node server.cjs }\n`,
    );
    const r = await cli(['run', '-c', p.config, '-o', join(p.dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `perfgate.yml:line 5: before.cwd: the folder ${join(p.dir, 'missing-dir')} does not exist`,
    );
    noStack(r.stderr);
    expect(liveGroups()).toEqual([]);
  });

  it('a service folder absent at before.ref fails closed and removes the worktree', async () => {
    const p = makeProject(
      `${QUICK}before: { ref: HEAD, start: node server.cjs }\nafter: { cwd: svc2, start: node server.cjs }\n`,
      undefined,
      true,
    );
    // svc2 exists in the working tree only, not at HEAD.
    execFileSync('cp', ['-r', join(p.dir, 'svc'), join(p.dir, 'svc2')]);
    const r = await cli(['run', '-c', p.config, '-o', join(p.dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /before build: the folder svc2 does not exist at HEAD \([0-9a-f]{12}\)/,
    );
    noStack(r.stderr);
    const result = JSON.parse(readFileSync(join(p.dir, 'out', 'result.json'), 'utf8'));
    expect(result.verdict).toBe('error');
    const worktrees = execFileSync('git', ['-C', p.dir, 'worktree', 'list']).toString();
    expect(worktrees.trim().split('\n')).toHaveLength(1);
  });

  it('a bad --before-ref is blamed on the flag, not on perfgate.yml', async () => {
    const p = makeProject(`${QUICK}${BOTH}`, undefined, true);
    const r = await cli([
      'run',
      '-c',
      p.config,
      '-o',
      join(p.dir, 'out'),
      '--before-ref',
      'no-such-ref',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "perfgate run: --before-ref: git ref 'no-such-ref' does not name a commit",
    );
    expect(r.stderr).not.toContain('perfgate.yml');
  });

  it('--out on a folder that cannot be made says why', async () => {
    const p = makeProject(`${QUICK}${BOTH}`);
    const r = await cli(['run', '-c', p.config, '-o', '/proc/perfgate-out']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'cannot create the output folder /proc/perfgate-out: the file system there does not allow new folders',
    );
    noStack(r.stderr);
  });

  it('perfgate cleanup with nothing left says so', async () => {
    const p = makeProject(`${QUICK}${BOTH}`);
    const r = await cli(['cleanup', '--out', join(p.dir, 'out')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('nothing left behind\n');
    expect(existsSync(join(p.dir, 'out', 'targets.pids'))).toBe(false);
  });
});
