import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/analysis/types.js';
import { recordOnBranch } from '../../src/history/branch.js';
import { parseHistory } from '../../src/history/store.js';
import { summarizeRun } from '../../src/history/summary.js';
import { ROOT } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'perfgate-branch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-C', cwd, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();

const result = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/golden/result.json'), 'utf8'),
) as RunResult;
const entry = (commit: string) =>
  summarizeRun(result, {
    commit,
    branch: 'main',
    date: '2025-01-01T00:00:00.000Z',
    repository: null,
    perfgate: '0.1.0',
  });

describe('history on a git branch', () => {
  it('two jobs pushing at once both land; the checkout is untouched; a rerun adds nothing', async () => {
    const origin = join(tmp, 'origin.git');
    execFileSync('git', ['init', '--quiet', '--bare', origin]);
    const clones = ['a', 'b'].map((name) => {
      const dir = join(tmp, name);
      execFileSync('git', ['clone', '--quiet', origin, dir], { stdio: 'ignore' });
      git(
        dir,
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@t',
        'commit',
        '--quiet',
        '--allow-empty',
        '-m',
        'code',
      );
      return dir;
    });
    const store = (cwd: string) => ({
      cwd,
      remote: 'origin',
      branch: 'perfgate-history',
      path: 'history.jsonl',
    });
    const pushed = await Promise.all([
      recordOnBranch(store(clones[0]!), entry('1'.repeat(40))),
      recordOnBranch(store(clones[1]!), entry('2'.repeat(40))),
    ]);
    expect(pushed.every((c) => typeof c === 'string')).toBe(true);
    const text = git(origin, 'cat-file', '-p', 'perfgate-history:history.jsonl');
    expect(
      parseHistory(text, 'history.jsonl')
        .map((r) => r.commit)
        .sort(),
    ).toEqual(['1'.repeat(40), '2'.repeat(40)]);
    expect(git(origin, 'rev-list', '--count', 'perfgate-history')).toBe('2');
    // The checkout's own branch and index are as they were.
    expect(git(clones[0]!, 'status', '--porcelain')).toBe('');
    expect(git(clones[0]!, 'log', '--format=%s', '-1')).toBe('code');
    expect(await recordOnBranch(store(clones[0]!), entry('1'.repeat(40)))).toBeNull();
  }, 60_000);
});
