import { describe, expect, it } from 'vitest';
import { flagFileShape, flipInFile, readFlagFile } from '../../src/flags/index.js';

describe('flag files', () => {
  it('reads a flat map and flips booleans, switch words and 0/1, keeping the spelling', () => {
    const doc = { a: false, b: 'ON', c: 0, d: 'blue' };
    const contents = readFlagFile(doc);
    if (typeof contents === 'string') throw new Error(contents);
    expect(contents.shape).toBe('flat');
    expect(contents.flags).toEqual([
      { name: 'a', value: 'false', flipped: 'true' },
      { name: 'b', value: 'ON', flipped: 'OFF' },
      { name: 'c', value: '0', flipped: '1' },
    ]);
    expect(contents.skipped.map((s) => s.name)).toEqual(['d']);
    expect(contents.skipped[0]!.reason).toContain('flags.list');
    expect(flipInFile(doc, 'a')).toEqual({ a: true, b: 'ON', c: 0, d: 'blue' });
    expect(flipInFile(doc, 'd', 'green')).toEqual({ a: false, b: 'ON', c: 0, d: 'green' });
    // The original is left alone.
    expect(doc.a).toBe(false);
  });

  it("reads LaunchDarkly's file data source: flagValues and full flags' on switch", () => {
    const doc = {
      flagValues: { simple: true },
      flags: { full: { key: 'full', on: false, variations: [false, true] } },
    };
    expect(flagFileShape(doc)).toBe('launchdarkly');
    const contents = readFlagFile(doc);
    if (typeof contents === 'string') throw new Error(contents);
    expect(contents.flags.map((f) => [f.name, f.value, f.flipped])).toEqual([
      ['simple', 'true', 'false'],
      ['full', 'false', 'true'],
    ]);
    expect(flipInFile(doc, 'full')).toEqual({
      flagValues: { simple: true },
      flags: { full: { key: 'full', on: true, variations: [false, true] } },
    });
  });

  it('reads flagd (defaultVariant between two variants) and refuses three variants', () => {
    const doc = {
      flags: {
        two: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' },
        three: { state: 'ENABLED', variants: { a: 1, b: 2, c: 3 }, defaultVariant: 'a' },
      },
    };
    const contents = readFlagFile(doc);
    if (typeof contents === 'string') throw new Error(contents);
    expect(contents.shape).toBe('flagd');
    expect(contents.flags).toEqual([{ name: 'two', value: 'off', flipped: 'on' }]);
    expect(contents.skipped[0]).toMatchObject({ name: 'three' });
    const flipped = flipInFile(doc, 'two') as typeof doc;
    expect(flipped.flags.two.defaultVariant).toBe('on');
    expect(flipped.flags.three.defaultVariant).toBe('a');
  });

  it("reads Unleash's bootstrap, as a list or under features", () => {
    const list = [
      { name: 'x', enabled: false },
      { name: 'y', enabled: true },
    ];
    const contents = readFlagFile({ features: list });
    if (typeof contents === 'string') throw new Error(contents);
    expect(contents.shape).toBe('unleash');
    expect(contents.flags.map((f) => f.name)).toEqual(['x', 'y']);
    expect(flipInFile(list, 'y')).toEqual([
      { name: 'x', enabled: false },
      { name: 'y', enabled: false },
    ]);
  });

  it('says what it expected for a file of another shape', () => {
    expect(readFlagFile({ a: { nested: { deep: 1 } }, b: [1] })).toMatch(/not a flag file/);
    expect(readFlagFile('text')).toMatch(/not a flag file/);
  });
});
