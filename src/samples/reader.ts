// Reads samples.jsonl back: the full format perfgate writes, or the minimal records
// `{"endpoint","build","round","request","value"}` that `perfgate compare` accepts from anywhere.

import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import type { Sample, SampleSet, SamplesEvent, SamplesHeader } from './types.js';

const EVENT_KINDS = new Set([
  'round',
  'round-end',
  'warmup',
  'error',
  'mismatch',
  'end',
  'flag-dropped',
]);

function fail(file: string, line: number, message: string): never {
  throw new ConfigError(message, { file, line });
}

/** The largest value a counter delta can plausibly hold (2^53: integers stay exact). */
export const MAX_SAMPLE_VALUE = Number.MAX_SAFE_INTEGER;

/** A value as the line wrote it: JSON.stringify shows Infinity (1e309) as null. */
function shown(value: unknown, raw: string, key: string): string {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    const m = new RegExp(`"${key}"\\s*:\\s*([^,}\\s]+)`).exec(raw);
    return `${m?.[1] ?? String(value)} (beyond the range of a double)`;
  }
  return JSON.stringify(value) ?? String(value);
}

function checkSample(o: Record<string, unknown>, file: string, line: number, raw: string): Sample {
  const need = (key: string, ok: boolean, what: string) => {
    if (!ok) fail(file, line, `'${key}' must be ${what}, got ${shown(o[key], raw, key)}`);
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
    typeof o.value === 'number' &&
      Number.isFinite(o.value) &&
      o.value >= 0 &&
      o.value <= MAX_SAMPLE_VALUE,
    `a finite number from 0 to ${MAX_SAMPLE_VALUE}`,
  );
  return o as unknown as Sample;
}

export function parseSamples(text: string, file: string): SampleSet {
  let header: SamplesHeader | undefined;
  const samples: Sample[] = [];
  const events: SamplesEvent[] = [];
  const lines = text.split('\n');
  // The same measurement twice (a file appended to itself, a merge gone wrong) would count twice.
  // perfgate's own lines carry a latency to the microsecond, so a real repeat is all but
  // impossible; minimal records from elsewhere may legitimately repeat, and are not checked.
  const seen = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw) continue;
    const n = i + 1;
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch {
      // A run killed mid-write can leave a torn last line; anything else is a real error.
      if (lines.slice(i + 1).every((l) => !l.trim())) break;
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
      const sample = checkSample(rec, file, n, raw);
      const first = 'latencyMs' in rec ? seen.get(raw) : undefined;
      if (first !== undefined) {
        fail(
          file,
          n,
          `repeats the sample on line ${first} exactly; each measurement must appear once`,
        );
      }
      seen.set(raw, n);
      samples.push(sample);
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
