// The samples reader: what a killed run leaves (a torn last line) is read, anything else that
// is not perfgate's format is refused with the file, the line and what was wrong.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseSamples, readSamples, SamplesWriter } from '../../src/samples/index.js';

const FILE = '/runs/samples.jsonl';

const header = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ kind: 'header', version: 1, seed: 7, ...over });
const sample = (request: number, over: Record<string, unknown> = {}) =>
  JSON.stringify({ endpoint: 'GET /a', build: 'before', round: 1, request, value: 100, ...over });
const round = JSON.stringify({ kind: 'round', round: 1, order: ['before', 'after'], seed: 7 });

/** The ConfigError parseSamples throws for `text`. */
function refusal(text: string): ConfigError {
  try {
    parseSamples(text, FILE);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('parseSamples accepted it');
}

describe('parseSamples', () => {
  it('reads the header, the samples and the events, in order', () => {
    const set = parseSamples(
      [header(), round, sample(0), sample(1, { build: 'after' })].join('\n'),
      FILE,
    );
    expect(set.header).toMatchObject({ kind: 'header', version: 1, seed: 7 });
    expect(set.samples.map((s) => [s.request, s.build])).toEqual([
      [0, 'before'],
      [1, 'after'],
    ]);
    expect(set.events).toEqual([JSON.parse(round)]);
  });

  it.each([
    ['ending in a newline', '\n'],
    ['without a final newline', ''],
  ])('ignores a torn last line, %s (a run killed mid-write)', (_, end) => {
    const torn = sample(2).slice(0, 25);
    const set = parseSamples(`${[header(), sample(0), sample(1), torn].join('\n')}${end}`, FILE);
    expect(set.samples.map((s) => s.request)).toEqual([0, 1]);
  });

  it('refuses a line that is not JSON anywhere but at the end, naming it', () => {
    const e = refusal(`${[header(), sample(0).slice(0, 25), sample(1), sample(2)].join('\n')}\n`);
    expect(e.line).toBe(2);
    expect(e.message).toBe(`${FILE}:line 2: not valid JSON`);
    // Second to last, without a final newline: not the torn end, so still an error (it once
    // ended the read there, dropping the last sample).
    const next = refusal([header(), sample(0), sample(1).slice(0, 25), sample(2)].join('\n'));
    expect(next.line).toBe(3);
  });

  it('refuses a header of another version, naming the version it reads', () => {
    const e = refusal([header({ version: 2 }), sample(0)].join('\n'));
    expect(e.line).toBe(1);
    expect(e.message).toBe(
      `${FILE}:line 1: unsupported samples version 2 (this perfgate reads version 1)`,
    );
    expect(refusal([header({ version: undefined }), sample(0)].join('\n')).message).toContain(
      'unsupported samples version undefined',
    );
  });

  it('refuses a record of an unknown kind, naming the kind and the line', () => {
    const e = refusal(
      [header(), sample(0), JSON.stringify({ kind: 'rounds', round: 1 })].join('\n'),
    );
    expect(e.line).toBe(3);
    expect(e.message).toBe(`${FILE}:line 3: unknown record kind 'rounds'`);
  });

  it.each(['[1,2]', '"text"', '42', 'null'])('refuses %s, which is not a JSON object', (line) => {
    const e = refusal([sample(0), line, sample(1)].join('\n'));
    expect(e.message).toBe(`${FILE}:line 2: expected a JSON object`);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an empty endpoint', { endpoint: '' }, '\'endpoint\' must be a non-empty string, got ""'],
    ['another build', { build: 'middle' }, "'build' must be 'before' or 'after', got \"middle\""],
    ['a negative round', { round: -1 }, "'round' must be a non-negative integer, got -1"],
    ['a fractional request', { request: 1.5 }, "'request' must be a string or an integer, got 1.5"],
    ['a negative value', { value: -3 }, "'value' must be a finite number from 0 to"],
    ['a value that is a string', { value: '12' }, "'value' must be a finite number"],
  ])('refuses a sample with %s', (_, over, message) => {
    expect(refusal([sample(0), sample(1, over)].join('\n')).message).toContain(
      `line 2: ${message}`,
    );
  });

  it('refuses a file without samples', () => {
    expect(refusal([header(), round].join('\n')).message).toBe(
      `${FILE}:line 1: no samples in this file`,
    );
    expect(refusal('').message).toContain('no samples in this file');
  });

  it("accepts minimal records, repeated or not, and string request ids (perfgate compare's input)", () => {
    const line = JSON.stringify({
      endpoint: 'GET /a',
      build: 'after',
      round: 0,
      request: 'r1',
      value: 0,
    });
    const set = parseSamples([line, line].join('\n'), FILE);
    expect(set.header).toBeUndefined();
    expect(set.samples).toHaveLength(2);
  });
});

describe('readSamples', () => {
  it('reads back what SamplesWriter wrote', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'perfgate-reader-')), 'samples.jsonl');
    const writer = new SamplesWriter(path);
    writer.write(JSON.parse(header()) as never);
    writer.write({ endpoint: 'GET /a', build: 'before', round: 1, request: 0, value: 5 });
    writer.close();
    const set = await readSamples(path);
    expect(set.samples).toEqual([
      { endpoint: 'GET /a', build: 'before', round: 1, request: 0, value: 5 },
    ]);
  });

  it('says why a file cannot be read, naming it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'perfgate-reader-')), 'missing.jsonl');
    await expect(readSamples(path)).rejects.toThrowError(
      expect.objectContaining({ file: path, message: `${path}: cannot read samples: ENOENT` }),
    );
  });
});
