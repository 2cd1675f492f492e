// One finished request → one workload line (format v1) plus `meta`. Headers are cleaned the way
// `perfgate import` cleans them (connection headers and Host dropped) and credentials redacted
// by the importers' own function, so a recording holds no more secrets than an import does.

import { DROPPED_ON_IMPORT, TOKEN } from '../workload/headers.js';
import { redactRecord, type RedactPolicy, type RedactionCounts } from '../workload/redact.js';
import { serializeRecord } from '../workload/serialize.js';
import type { WorkloadRecord } from '../workload/types.js';

export type FlagValue = string | number | boolean;

export interface RecordMeta {
  /** `GET /api/products/:id`: the name the request is judged under. */
  endpoint: string;
  /** Where the name came from: the framework or setRoute ('route'), `routes` ('routes'), the path ('auto'). */
  endpointSource: 'route' | 'routes' | 'auto';
  status: number;
  /** From request start to the response's last byte handed to the socket. */
  latencyMs: number;
  /** Request body bytes received. */
  requestBytes: number;
  /** The body was over the cap and is not in the record. */
  bodyOmitted?: true;
  cpu: { counter: string; unit: 'count' | 'ns'; value: number } | null;
  commit?: string;
  host: string;
  pid: number;
  /** ISO time at which the response finished. */
  time: string;
  flags?: Record<string, FlagValue>;
  /** Why the record was kept: it won the rate draw, or its endpoint was below its floor. */
  sampled: 'rate' | 'floor';
}

export interface Captured {
  method: string;
  path: string;
  rawHeaders: readonly string[];
  body?: Buffer;
  endpoint?: string;
  weight: number;
  meta: RecordMeta;
}

/** The JSONL line for one request (without newline). */
export function recordLine(
  c: Captured,
  redact: RedactPolicy | false,
  counts: RedactionCounts,
): string {
  const record: WorkloadRecord = {
    method: c.method,
    path: c.path,
    headers: cleanHeaders(c.rawHeaders),
    ...(c.body !== undefined && c.body.length > 0 ? { body: c.body } : {}),
    ...(c.endpoint !== undefined ? { endpoint: c.endpoint } : {}),
    weight: round(c.weight),
  };
  if (redact) redactRecord(record, redact, counts);
  const line = serializeRecord(record);
  return `${line.slice(0, -1)},"meta":${JSON.stringify(c.meta)}}`;
}

function cleanHeaders(raw: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const names = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (DROPPED_ON_IMPORT.includes(lower) || !TOKEN.test(name) || /[\r\n\0]/.test(value)) continue;
    const existing = names.get(lower);
    if (existing === undefined) {
      names.set(lower, name);
      out[name] = value;
    } else out[existing] = `${out[existing]}${lower === 'cookie' ? '; ' : ', '}${value}`;
  }
  return out;
}

function round(weight: number): number {
  return Math.max(1, Math.round(weight * 1000) / 1000);
}
