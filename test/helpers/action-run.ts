// Runs the bundled action (`node dist/index.js`, the committed bundle) the way the runner runs
// it: INPUT_* variables, a pull_request event payload, the runner's files, and GITHUB_API_URL
// pointing at a fake GitHub REST API on loopback.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeGitHub } from './fake-github.js';
import { ROOT } from './cli.js';

export const TOKEN = 'ghs_e2eSecretToken0123456789';
export const HEAD_SHA = '8f3c2d1e0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e';

export interface ActionRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  state: string;
  runnerTemp: string;
}

/** Reads the runner's `name<<delimiter ... delimiter` file format. */
function parseRunnerFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (m) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
      out[m[1]!] = value.join('\n');
    } else if (lines[i]!.includes('=')) {
      const [k, ...v] = lines[i]!.split('=');
      out[k!] = v.join('=');
    }
  }
  return out;
}

export function runAction(fake: FakeGitHub, inputs: Record<string, string>): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-e2e-'));
  const files = {
    output: join(dir, 'output'),
    state: join(dir, 'state'),
    summary: join(dir, 'summary'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: join(ROOT, 'test', 'fixtures', 'github', 'pull_request.json'),
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: '0000000000000000000000000000000000000000',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_API_URL: fake.url,
    GITHUB_WORKSPACE: ROOT,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: dir,
    RUNNER_ENVIRONMENT: 'self-hosted',
    'INPUT_GITHUB-TOKEN': TOKEN,
    INPUT_CONFIG: 'test/fixtures/action/perfgate.yml',
    'INPUT_ON-REGRESSION': 'fail',
    INPUT_COMMENT: 'true',
    'INPUT_STATUS-CONTEXT': 'perfgate',
    'INPUT_MAX-DURATION': '20m',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'index.js')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('close', (code) =>
      resolve({
        code,
        stdout,
        outputs: parseRunnerFile(readFileSync(files.output, 'utf8')),
        summary: readFileSync(files.summary, 'utf8'),
        state: readFileSync(files.state, 'utf8'),
        runnerTemp: dir,
      }),
    );
  });
}
