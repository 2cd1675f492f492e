// Globs on the command line, for inputs that come as many files (GoReplay chunks, rotated
// recordings): quoted so the shell leaves them alone, expanded here in name order.

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';

/** The files under `cwd` matching `pattern` (relative names as written), sorted. */
export async function expandGlob(cwd: string, pattern: string): Promise<string[]> {
  const { base, glob } = picomatch.scan(pattern);
  const root = path.resolve(cwd, base || '.');
  const matches = picomatch(glob);
  const found: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const relative = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), relative);
      else if (matches(relative)) found.push(base ? `${base}/${relative}` : relative);
    }
  };
  await walk(root, '');
  return found.sort();
}

/** Each argument as itself, or the files its glob matches. */
export async function expandInputs(cwd: string, inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    if (picomatch.scan(input).isGlob) out.push(...(await expandGlob(cwd, input)));
    else out.push(input);
  }
  return out;
}
