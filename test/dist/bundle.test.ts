// The bundles as users run them, built afresh: an internal error's stack names src/ files and
// lines (source maps), and the committed layout of entry files and bundles.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const BROKEN_ADDON = join(import.meta.dirname, 'broken-addon.fixture.cjs');
let out: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'perfgate-bundle-'));
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs'), '--outdir', out], {
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
}, 120_000);

describe('the bundled CLI', () => {
  it("reports an internal error with a stack of src/ files and lines, not the bundle's", () => {
    const r = spawnSync(process.execPath, [join(out, 'cli.js'), 'probe'], {
      encoding: 'utf8',
      env: { ...process.env, PERFGATE_NATIVE: BROKEN_ADDON },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('perfgate probe: internal error (this is a perfgate bug');
    expect(r.stderr).toMatch(/\n\s+at gatherProbeFacts \(\S*\/src\/counters\/probe\.ts:\d+:\d+\)/);
    expect(r.stderr).toMatch(/\n\s+at main \(\S*\/src\/cli\.ts:\d+:\d+\)/);
    expect(r.stderr).not.toMatch(/cli\.bundle\.js:\d+/);
  });

  it('runs its commands as before through the entry file', () => {
    const r = spawnSync(process.execPath, [join(out, 'cli.js'), '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('the bundle layout', () => {
  it.each(['cli', 'index', 'post'])(
    '%s.js turns source maps on, then imports its bundle, which has a map',
    (name) => {
      const entry = readFileSync(join(out, `${name}.js`), 'utf8');
      expect(entry.indexOf('process.setSourceMapsEnabled(true)')).toBeGreaterThan(-1);
      expect(entry.indexOf('process.setSourceMapsEnabled(true)')).toBeLessThan(
        entry.indexOf('await import('),
      );
      expect(entry).toContain(`new URL('./${name}.bundle.js', import.meta.url)`);
      const bundle = readFileSync(join(out, `${name}.bundle.js`), 'utf8');
      expect(bundle.trimEnd().endsWith(`//# sourceMappingURL=${name}.bundle.js.map`)).toBe(true);
      const map = JSON.parse(readFileSync(join(out, `${name}.bundle.js.map`), 'utf8')) as {
        sources: string[];
      };
      expect(map.sources.some((s) => /(^|\/)src\/.+\.ts$/.test(s))).toBe(true);
    },
  );

  it('leaves the recorder, a library, with a map but no entry file', () => {
    expect(readFileSync(join(out, 'recorder.js'), 'utf8')).not.toContain('setSourceMapsEnabled');
    expect(readFileSync(join(out, 'recorder.js'), 'utf8')).toContain(
      '//# sourceMappingURL=recorder.js.map',
    );
  });
});
