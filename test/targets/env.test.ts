import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnBlocked } from '../../src/proc/index.js';
import { targetEnvironment, withheld } from '../../src/targets/index.js';

const SECRETS = {
  'INPUT_GITHUB-TOKEN': 'ghs_hyphenated_input_secret',
  INPUT_GITHUB_TOKEN: 'ghs_input_secret',
  GITHUB_TOKEN: 'ghs_workflow_secret',
  GH_TOKEN: 'ghs_cli_secret',
  ACTIONS_RUNTIME_TOKEN: 'runtime_secret',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc_secret',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/secret',
};

describe('the targets environment', () => {
  it("keeps the runner's environment and the config's env, never perfgate's secrets", () => {
    const env = targetEnvironment(
      { PATH: '/usr/bin', HOME: '/home/runner', GITHUB_SHA: 'abc', ...SECRETS },
      { NODE_ENV: 'production' },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/runner',
      GITHUB_SHA: 'abc',
      NODE_ENV: 'production',
    });
    for (const name of Object.keys(SECRETS)) expect(withheld(name)).toBe(true);
  });

  it('passes a secret the config names on purpose', () => {
    expect(targetEnvironment({ GITHUB_TOKEN: 'x' }, { GITHUB_TOKEN: 'for-the-service' })).toEqual({
      GITHUB_TOKEN: 'for-the-service',
    });
  });

  it('reaches a server started through bash (which keeps hyphenated names) without any secret', async () => {
    // Where /bin/sh is bash, INPUT_GITHUB-TOKEN survives the shell; spawn through bash here.
    const out = join(mkdtempSync(join(tmpdir(), 'perfgate-env-')), 'env');
    const g = spawnBlocked({
      argv: ['/bin/bash', '-c', `tr '\\0' '\\n' < /proc/$$/environ > ${out}`],
      env: targetEnvironment({ ...process.env, ...SECRETS }, { SERVICE_FLAG: 'on' }),
      label: 'after',
      shell: '/bin/bash',
    });
    g.release();
    expect((await g.exited).code).toBe(0);
    await g.stop(0);
    const seen = readFileSync(out, 'utf8');
    expect(seen).toContain('SERVICE_FLAG=on');
    expect(seen).toContain(`PATH=${process.env.PATH}`);
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(seen).not.toContain(name);
      expect(seen).not.toContain(value);
    }
  });

  it('would have leaked the hyphenated input through bash without it (the check can fail)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'perfgate-env-')), 'env');
    const g = spawnBlocked({
      argv: ['/bin/bash', '-c', `tr '\\0' '\\n' < /proc/$$/environ > ${out}`],
      env: { ...process.env, ...SECRETS },
      label: 'after',
      shell: '/bin/bash',
    });
    g.release();
    await g.exited;
    await g.stop(0);
    expect(readFileSync(out, 'utf8')).toContain('INPUT_GITHUB-TOKEN=ghs_hyphenated_input_secret');
  });
});
