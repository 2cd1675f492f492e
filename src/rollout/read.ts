// Recorded files (the recorder's JSONL: a workload line plus `meta`) → per-request samples.
// Only what a rollout comparison needs is kept. A last line without its newline is a write the
// service did not finish (killed mid-write): it is left out with a note, not an error.

import { ConfigError } from '../errors.js';

export interface RecordedSample {
  endpoint: string;
  /** CPU cost of the request in `counter`'s unit. */
  value: number;
  counter: string;
  unit: string;
  status: number | null;
  host: string | null;
  commit: string | null;
  /** Milliseconds since the epoch; NaN when the record has no time. */
  time: number;
  flags: Record<string, string>;
  file: string;
  line: number;
}

export interface ReadResult {
  samples: RecordedSample[];
  /** Why lines were left out, by reason: `no meta.cpu` → 12. */
  skipped: Map<string, number>;
  /** Files whose last line was cut short. */
  truncated: string[];
}

export function readRecordings(text: string, file: string, into?: ReadResult): ReadResult {
  const out: ReadResult = into ?? { samples: [], skipped: new Map(), truncated: [] };
  const lines = text.split('\n');
  const last = lines.length - 1;
  lines.forEach((raw, index) => {
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    const line = index + 1;
    let record: unknown;
    try {
      record = JSON.parse(content);
    } catch {
      if (index === last) {
        out.truncated.push(file);
        return;
      }
      throw new ConfigError('not valid JSON', { file, line }, 'is this a perfgate recording?');
    }
    const meta = (record as { meta?: unknown } | null)?.meta as Record<string, unknown> | undefined;
    const skip = (reason: string) => out.skipped.set(reason, (out.skipped.get(reason) ?? 0) + 1);
    if (!meta || typeof meta !== 'object') return skip('no meta (not written by a recorder)');
    const cpu = meta.cpu as { counter?: unknown; unit?: unknown; value?: unknown } | null;
    if (!cpu || typeof cpu.value !== 'number' || typeof cpu.counter !== 'string') {
      return skip('no meta.cpu');
    }
    if (!(cpu.value > 0) || !Number.isFinite(cpu.value)) return skip('meta.cpu.value not positive');
    if (typeof meta.endpoint !== 'string' || meta.endpoint === '') return skip('no meta.endpoint');
    const flags: Record<string, string> = {};
    if (meta.flags && typeof meta.flags === 'object') {
      for (const [k, v] of Object.entries(meta.flags)) flags[k] = String(v);
    }
    out.samples.push({
      endpoint: meta.endpoint,
      value: cpu.value,
      counter: cpu.counter,
      unit: typeof cpu.unit === 'string' ? cpu.unit : 'count',
      status: typeof meta.status === 'number' ? meta.status : null,
      host: typeof meta.host === 'string' ? meta.host : null,
      commit: typeof meta.commit === 'string' ? meta.commit : null,
      time: typeof meta.time === 'string' ? Date.parse(meta.time) : NaN,
      flags,
      file,
      line,
    });
  });
  return out;
}
