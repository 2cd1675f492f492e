// Requests → workload format v1 (JSONL). Bodies are written as text when they are valid UTF-8
// that survives a round trip, as {"base64": ...} otherwise.

import type { WorkloadRecord } from './types.js';

export function serializeRecord(request: WorkloadRecord): string {
  const out: Record<string, unknown> = {};
  if (request.id !== undefined) out.id = request.id;
  out.method = request.method;
  out.url = request.path;
  out.headers = request.headers;
  if (request.body !== undefined && request.body.length > 0) out.body = encodeBody(request.body);
  if (request.endpoint !== undefined) out.endpoint = request.endpoint;
  if (request.weight !== undefined && request.weight !== 1) out.weight = request.weight;
  if (request.meta !== undefined) out.meta = request.meta;
  return JSON.stringify(out);
}

/** One JSON object per line, with a trailing newline. */
export function serializeWorkload(requests: readonly WorkloadRecord[]): string {
  return requests.map((r) => `${serializeRecord(r)}\n`).join('');
}

function encodeBody(body: Buffer): string | { base64: string } {
  const text = body.toString('utf8');
  return Buffer.from(text, 'utf8').equals(body) ? text : { base64: body.toString('base64') };
}
