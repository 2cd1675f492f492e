import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { prepareMatrix } from '../../src/flags/index.js';

describe('flags in perfgate.yml', () => {
  it('reads flags.from with its path variable, skip, and declared flags of every delivery', () => {
    const config = parseConfig(
      [
        'flags:',
        '  from: svc/flags.yaml',
        '  skip: [legacy]',
        '  list:',
        '    beta: { header: X-Beta, values: [0, 1] }',
        '    compact: { query: compact }',
        '    fast: { env: FAST_PATH }',
        '    recs: { file: svc/other.json, path-env: RECS_FILE }',
      ].join('\n'),
      '/repo/perfgate.yml',
    );
    expect(config.flags).toEqual({
      from: { path: '/repo/svc/flags.yaml', pathEnv: 'PERFGATE_FLAGS_FILE' },
      skip: ['legacy'],
      list: [
        { name: 'beta', delivery: { kind: 'header', name: 'X-Beta' }, values: ['0', '1'] },
        { name: 'compact', delivery: { kind: 'query', name: 'compact' }, values: ['off', 'on'] },
        { name: 'fast', delivery: { kind: 'env', name: 'FAST_PATH' }, values: ['off', 'on'] },
        {
          name: 'recs',
          delivery: { kind: 'file', path: '/repo/svc/other.json', pathEnv: 'RECS_FILE' },
        },
      ],
    });
  });

  it('on-flag-regression follows on-regression unless set', () => {
    expect(parseConfig('', 'p.yml').onFlagRegression).toBe('fail');
    expect(parseConfig('on-regression: annotate', 'p.yml').onFlagRegression).toBe('annotate');
    expect(
      parseConfig('on-regression: annotate\non-flag-regression: fail', 'p.yml').onFlagRegression,
    ).toBe('fail');
    expect(() => parseConfig('on-flag-regression: warn', 'p.yml')).toThrow(
      /p\.yml:line 1: on-flag-regression: expected one of fail, annotate/,
    );
  });

  it('names the line and key of a flag with no delivery, two, or a stray path-env', () => {
    expect(() => parseConfig('flags:\n  list:\n    a: { values: [x, y] }\n', 'p.yml')).toThrow(
      /p\.yml:line 3: flags\.list\.a: needs one of env, header, query or file/,
    );
    expect(() => parseConfig('flags:\n  list:\n    a: { env: A, header: X-A }\n', 'p.yml')).toThrow(
      /flags\.list\.a: has env and header; keep one/,
    );
    expect(() => parseConfig('flags:\n  list:\n    a: { env: A, path-env: B }\n', 'p.yml')).toThrow(
      /flags\.list\.a\.path-env: only goes with 'file'/,
    );
    expect(() => parseConfig('flags:\n  form: f.json\n', 'p.yml')).toThrow(/did you mean 'from'/);
  });
});

describe('prepareMatrix', () => {
  it('writes a flipped copy per flag and an unchanged one for the after build at defaults', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-flags-'));
    writeFileSync(path.join(dir, 'flags.json'), JSON.stringify({ a: false, b: 'off' }));
    const config = parseConfig(
      'flags: { from: flags.json, path-env: APP_FLAGS }',
      path.join(dir, 'perfgate.yml'),
    );
    const m = prepareMatrix(config, path.join(dir, 'out'))!;
    expect(m.flags.map((f) => f.flag)).toEqual(['a', 'b']);
    const read = (file: string | undefined) => JSON.parse(readFileSync(file!, 'utf8')) as unknown;
    expect(read(m.defaultsEnv.APP_FLAGS)).toEqual({ a: false, b: 'off' });
    expect(read(m.flags[0]!.targetEnv.APP_FLAGS)).toEqual({ a: true, b: 'off' });
    expect(read(m.flags[1]!.targetEnv.APP_FLAGS)).toEqual({ a: false, b: 'on' });
  });

  it('a missing or malformed flag file is a config error naming flags.from', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-flags-'));
    const file = path.join(dir, 'perfgate.yml');
    const config = parseConfig('workload: w.jsonl\nflags:\n  from: flags.json\n', file);
    const error = (() => {
      try {
        prepareMatrix(config, dir);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(
      /line 3: flags\.from: flag file .*flags\.json not found/,
    );
    writeFileSync(path.join(dir, 'flags.json'), '{ "a": { "deep": { "x": 1 } } }');
    expect(() => prepareMatrix(config, dir)).toThrow(
      /flags\.from: .*not a flag file perfgate reads/,
    );
  });
});
