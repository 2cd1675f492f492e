// Reads samples.jsonl back: the full format perfgate writes, or the minimal records
// `{"endpoint","build","round","request","value"}` that `perfgate compare` accepts from anywhere.

import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import type { Sample, SampleSet, SamplesEvent, SamplesHeader } from './types.js';

const EVENT_KINDS = new Set(['round', 'round-end', 'warmup', 'error', 'mismatch', 'end']);

function fail(file: string, line: number, message: string): never {
  throw new ConfigError(message, { file, line });
}

function checkSample(o: Record<string, unknown>, file: string, line: number): Sample {
  const need = (key: string, ok: boolean, what: string) => {
    if (!ok) fail(file, line, `'${key}' must be ${what}, got ${JSON.stringify(o[key])}`);
  };
  need('endpoint', typeof o.endpoint === 'string' && o.endpoint.length > 0, 'a non-empty string');
  need('build', o.build === 'before' || o.build === 'after', "'before' or 'after'");
  need('round', Number.isInteger(o.round) && (o.round as number) >= 0, 'a non-negative integer');
  need(
    'request',
    typeof o.request === 'string' || Number.isInteger(o.request),
    'a string or an integer',
  );
  need(
    'value',
    typeof o.value === 'number' && Number.isFinite(o.value) && o.value >= 0,
    'a finite number >= 0',
  );
  return o as unknown as Sample;
}

export function parseSamples(text: string, file: string): SampleSet {
  let header: SamplesHeader | undefined;
  const samples: Sample[] = [];
  const events: SamplesEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    const n = i + 1;
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch {
      // A run killed mid-write can leave a torn last line; anything else is a real error.
      if (i >= lines.length - 2) break;
      fail(file, n, 'not valid JSON');
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o))
      fail(file, n, 'expected a JSON object');
    const rec = o as Record<string, unknown>;
    if (rec.kind === 'header') {
      if (rec.version !== 1)
        fail(
          file,
          n,
          `unsupported samples version ${JSON.stringify(rec.version)} (this perfgate reads version 1)`,
        );
      header = rec as unknown as SamplesHeader;
    } else if (typeof rec.kind === 'string') {
      if (!EVENT_KINDS.has(rec.kind)) fail(file, n, `unknown record kind '${rec.kind}'`);
      events.push(rec as unknown as SamplesEvent);
    } else {
      samples.push(checkSample(rec, file, n));
    }
  }
  if (samples.length === 0) fail(file, 1, 'no samples in this file');
  return { header, samples, events };
}

export async function readSamples(file: string): Promise<SampleSet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read samples: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { file },
    );
  }
  return parseSamples(text, file);
}
