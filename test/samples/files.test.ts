import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  ftruncateSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputError, SamplesWriter, ensureOutDir, parseSamples } from '../../src/samples/index.js';
import type { Sample } from '../../src/samples/index.js';
import { ConfigError } from '../../src/errors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'perfgate-samples-'));

const sample = (request: number, value = 1000 + request): Sample => ({
  endpoint: 'GET /a',
  build: 'before',
  round: 1,
  request,
  status: 200,
  bytes: 2,
  latencyMs: 1.234 + request,
  value,
  values: { 'task-clock': value },
});

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

describe('SamplesWriter on a full disk', () => {
  it('fails closed with the cause, and cuts the file back to its last whole line', () => {
    const path = join(tmp(), 'samples.jsonl');
    let budget = Number.POSITIVE_INFINITY;
    const writer = new SamplesWriter(path, 64, {
      // Like write(2) on a filling disk: a short write, then ENOSPC.
      write: (fd, buffer, offset, length, position) => {
        if (budget <= 0) throw enospc();
        const n = Math.min(length, budget);
        budget -= n;
        return writeSync(fd, buffer, offset, n, position);
      },
      truncate: (fd, length) => ftruncateSync(fd, length),
    });
    writer.write(sample(1));
    writer.write(sample(2));
    writer.flush();
    budget = 30; // half a line fits
    writer.write(sample(3));
    let error: unknown;
    try {
      writer.flush();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutputError);
    expect((error as Error).message).toBe(
      `cannot write ${path}: no space left on the device (ENOSPC); the samples after the last whole line are lost`,
    );
    writer.write(sample(4)); // dropped, not thrown again
    expect(() => writer.close()).not.toThrow();
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(parseSamples(text, path).samples.map((s) => s.request)).toEqual([1, 2]);
  });

  it('reports ENOSPC from a real device that is full (/dev/full)', () => {
    const path = join(tmp(), 'samples.jsonl');
    symlinkSync('/dev/full', path);
    const writer = new SamplesWriter(path);
    writer.write(sample(1));
    expect(() => writer.flush()).toThrow(/no space left on the device \(ENOSPC\)/);
    expect(writer.error).toBeInstanceOf(OutputError);
    expect(() => writer.close()).not.toThrow();
  });
});

describe('ensureOutDir', () => {
  it('says the folder cannot be made, and why, when a file is in the way', () => {
    const dir = tmp();
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    expect(() => ensureOutDir(join(file, 'out'))).toThrow(
      new RegExp(`^cannot create the output folder ${file}/out: .*\\((ENOTDIR|EEXIST)\\)`),
    );
  });

  it('says why /proc takes no output folder, without a bare mkdir error', () => {
    expect(() => ensureOutDir('/proc/perfgate-out/run')).toThrow(
      'cannot create the output folder /proc/perfgate-out/run: the file system there does not allow new folders (ENOENT)',
    );
  });

  // A real read-only file system needs a mount, which only root in a capable container may do.
  const ro = join(tmp(), 'ro');
  mkdirSync(ro);
  const mounted = (() => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  afterAll(() => {
    if (mounted) execFileSync('umount', [ro]);
  });
  it.skipIf(!mounted)('names a read-only file system as such', () => {
    expect(() => ensureOutDir(join(ro, 'out', 'run'))).toThrow(
      `cannot create the output folder ${ro}/out/run: the file system is read-only (EROFS)`,
    );
  });
});

describe('parseSamples refuses what cannot be a measurement', () => {
  const line = (o: object) => JSON.stringify(o);
  it('names a value beyond a double as written, not as null', () => {
    const text = `${line(sample(1))}\n{"endpoint":"GET /a","build":"after","round":1,"request":1,"value":1e309}\n`;
    expect(() => parseSamples(text, 's.jsonl')).toThrow(
      "s.jsonl:line 2: 'value' must be a finite number from 0 to 9007199254740991, got 1e309 (beyond the range of a double)",
    );
  });

  it('refuses a value no counter can hold', () => {
    const text = `${line(sample(1))}\n${line({ ...sample(2), value: 1e300 })}\n`;
    expect(() => parseSamples(text, 's.jsonl')).toThrow(/line 2: 'value' must be a finite number/);
  });

  it('refuses a sample line repeated exactly', () => {
    const text = `${line(sample(1))}\n${line(sample(2))}\n${line(sample(1))}\n${line(sample(3))}\n`;
    let error: unknown;
    try {
      parseSamples(text, 's.jsonl');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      's.jsonl:line 3: repeats the sample on line 1 exactly; each measurement must appear once',
    );
  });
});
