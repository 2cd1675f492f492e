import { describe, expect, it } from 'vitest';
import type { FlagsConfig } from '../../src/config/index.js';
import { planMatrix, withQuery } from '../../src/flags/index.js';

const file = '/srv/app/flags.json';

describe('planMatrix', () => {
  it('has a configuration per flag: declared ones first, then the flag file’s, each flipped alone', () => {
    const flags: FlagsConfig = {
      from: { path: file, pathEnv: 'APP_FLAGS' },
      skip: ['legacy'],
      list: [
        { name: 'beta', delivery: { kind: 'header', name: 'X-Beta' }, values: ['0', '1'] },
        { name: 'compact', delivery: { kind: 'query', name: 'compact' }, values: ['off', 'on'] },
        { name: 'fast', delivery: { kind: 'env', name: 'FAST' }, values: ['off', 'on'] },
      ],
    };
    const doc = { fast: false, search: false, legacy: true, colour: 'blue' };
    const m = planMatrix(flags, new Map([[file, doc]]));
    expect(m.configurations.map((c) => [c.flag, c.delivery, c.source])).toEqual([
      ['beta', 'header', 'config'],
      ['compact', 'query', 'config'],
      ['fast', 'env', 'config'],
      ['search', 'file', 'file'],
    ]);
    const [beta, compact, fast, search] = m.configurations;
    expect(beta!.headers).toEqual({ 'X-Beta': '1' });
    expect(compact!.query).toEqual({ compact: 'on' });
    expect(fast!.env).toEqual({ FAST: 'on' });
    // One flag flipped, every other as the file has it.
    expect(search!.file).toEqual({
      source: file,
      pathEnv: 'APP_FLAGS',
      doc: { fast: false, search: true, legacy: true, colour: 'blue' },
    });
    expect(m.skipped.map((s) => s.flag)).toEqual(['legacy', 'colour']);
    // The after build at defaults gets the unchanged file through the same variable.
    expect(m.defaults).toEqual([{ source: file, pathEnv: 'APP_FLAGS', doc }]);
  });

  it('a flag added to the flag file is in the next plan with no change to the config', () => {
    const flags: FlagsConfig = { from: { path: file, pathEnv: 'F' }, skip: [], list: [] };
    const before = planMatrix(flags, new Map([[file, { a: false, b: false }]]));
    const after = planMatrix(flags, new Map([[file, { a: false, b: false, c: false }]]));
    expect(before.configurations.map((c) => c.flag)).toEqual(['a', 'b']);
    expect(after.configurations.map((c) => c.flag)).toEqual(['a', 'b', 'c']);
  });

  it('names the flag file when a declared file flag is not in it', () => {
    const flags: FlagsConfig = {
      skip: [],
      list: [{ name: 'nope', delivery: { kind: 'file', path: file, pathEnv: 'F' } }],
    };
    expect(() => planMatrix(flags, new Map([[file, { a: true }]]))).toThrow(
      `${file}: no flag 'nope'`,
    );
  });
});

describe('withQuery', () => {
  it('appends the flag to a path with or without a query string', () => {
    expect(withQuery('/a', { f: 'on' })).toBe('/a?f=on');
    expect(withQuery('/a?x=1', { f: 'on' })).toBe('/a?x=1&f=on');
    expect(withQuery('/a?x=1', {})).toBe('/a?x=1');
    expect(withQuery('/a', { 'a b': 'c&d' })).toBe('/a?a%20b=c%26d');
  });
});
