// result.json written before warnings had codes still loads: its plain-text warnings become
// legacy notes, a fallback counter's its own code, so `perfgate report` shows them as it did.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadResult } from '../../src/cli/result-file.js';

const GOLDEN = join(import.meta.dirname, '..', 'fixtures', 'golden', 'result.json');

describe('loadResult', () => {
  it('reads plain-text warnings of an older result.json as typed ones', async () => {
    const old = JSON.parse(readFileSync(GOLDEN, 'utf8'));
    old.counter = { ...old.counter, name: 'task-clock', fallback: true, reason: 'no PMU' };
    old.warnings = [
      'measured with task-clock, not instructions: no PMU; CPU time is noisier, so intervals are wider',
      'the run stopped early: interrupted',
    ];
    const file = join(mkdtempSync(join(tmpdir(), 'perfgate-result-')), 'result.json');
    writeFileSync(file, JSON.stringify(old));
    const result = await loadResult(file);
    expect(result.warnings.map((w) => w.code)).toEqual(['counter-fallback', 'legacy']);
    expect(result.warnings[1]!.message).toBe('the run stopped early: interrupted');
  });
});
