import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { split, toJsonl, whole } from '../merge/shards.js';

/** Three shards' samples in one folder each, as a download of their artifacts lays them out. */
function shardFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'perfgate-merge-cli-'));
  for (const [i, f] of split(whole(), 3).entries()) {
    mkdirSync(join(dir, 'shards', `perfgate-shard-${i + 1}`), { recursive: true });
    writeFileSync(join(dir, 'shards', `perfgate-shard-${i + 1}`, 'samples.jsonl'), toJsonl(f.set));
  }
  writeFileSync(join(dir, 'perfgate.yml'), 'thresholds: { default: 10% }\n');
  return dir;
}

describe('perfgate merge', () => {
  it('merges a folder of shards into one run and decides once', async () => {
    const dir = shardFolder();
    const r = await runCli([
      'merge',
      join(dir, 'shards'),
      '--config',
      join(dir, 'perfgate.yml'),
      '--out',
      join(dir, 'merged'),
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /merging 3 shards: \S*shards\/perfgate-shard-1\/samples.jsonl, \S*shards\/perfgate-shard-2\/samples.jsonl, \S*shards\/perfgate-shard-3\/samples.jsonl/,
    );
    expect(r.stdout).toMatch(/GET \/api\/search .* regression/);
    expect(r.stdout).toContain('Holm over 5 endpoints');
    const result = JSON.parse(readFileSync(join(dir, 'merged', 'result.json'), 'utf8'));
    expect(result.endpoints).toHaveLength(5);
    expect(readFileSync(join(dir, 'merged', 'report.md'), 'utf8')).toContain(
      'Merged from 3 shards',
    );
    // The merged samples are one run's: `perfgate compare` reads them back to the same verdicts.
    const again = await runCli([
      'compare',
      join(dir, 'merged', 'samples.jsonl'),
      '--config',
      join(dir, 'perfgate.yml'),
      '--format',
      'json',
    ]);
    const compared = JSON.parse(again.stdout);
    expect(compared.endpoints.map((e: { verdict: string }) => e.verdict)).toEqual(
      result.endpoints.map((e: { verdict: string }) => e.verdict),
    );
  });

  it('a missing shard is an error (exit 2) naming it, with no stack trace and nothing written', async () => {
    const dir = shardFolder();
    const r = await runCli([
      'merge',
      join(dir, 'shards', 'perfgate-shard-1'),
      join(dir, 'shards', 'perfgate-shard-3', 'samples.jsonl'),
      '--out',
      join(dir, 'merged'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('perfgate merge: shard 2/3 missing (got 1, 3)');
    expect(r.stderr).toContain('hint: check that every shard job finished');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'merged'))).toBe(false);
  });

  it('refuses bad usage of merge and of run --shard (exit 2)', async () => {
    const none = await runCli(['merge']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('expected the samples of every shard');
    const shard = await runCli(['run', '--shard', '4/3']);
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain('--shard: the shard index must be 1 to 3, got 4');
  });
});
