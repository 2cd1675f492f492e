// GoReplay `.gor` files → workload records. A file is a sequence of
//   <type> <id> <unix ns> [<latency ns>]\n<HTTP message as captured>\n🐵🙈🙉\n
// type 1 is a request, 2 the original response (same id), 3 a replayed response (ignored).
// Older files have three header fields, current ones four. Messages are raw bytes, so a body
// may be chunked: it is de-chunked here (GoReplay itself needs --prettify-http for that).
// Records are put in timestamp order, as GoReplay's reader does.

import { Importer, type ImportOptions, type ImportResult } from './importer.js';

export const GOR_SEPARATOR = Buffer.from('\n🐵🙈🙉\n', 'utf8');

export interface GorFile {
  /** Shown in skip reasons. */
  name: string;
  data: Buffer;
}

interface Parsed {
  where: string;
  line: number;
  ts: bigint;
  order: number;
  id: string;
  method: string;
  url: string;
  headers: [string, string][];
  body?: Buffer;
}

interface Response {
  status: number;
  ts: bigint;
}

export function importGoReplay(files: readonly GorFile[], options: ImportOptions): ImportResult {
  const importer = new Importer(options);
  const requests: Parsed[] = [];
  const responses = new Map<string, Response>();
  let order = 0;
  let malformedChunked = 0;
  for (const file of files) {
    const label = files.length > 1 ? `${file.name}:` : '';
    for (const record of splitRecords(file.data)) {
      const where = `${label}line ${record.line}`;
      const nl = record.bytes.indexOf(0x0a);
      const header = record.bytes.subarray(0, nl < 0 ? record.bytes.length : nl).toString('utf8');
      const payload = nl < 0 ? Buffer.alloc(0) : record.bytes.subarray(nl + 1);
      const fields = header.trim().split(/ +/);
      if (fields.length < 3 || !/^[123]$/.test(fields[0]!) || !/^\d+$/.test(fields[2]!)) {
        importer.skip(where, record.line, `malformed record header '${clip(header)}'`);
        continue;
      }
      const [type, id] = fields as [string, string];
      // Unix nanoseconds exceed 2^53: BigInt keeps sub-millisecond differences exact.
      const ts = BigInt(fields[2]!);
      if (type === '3') continue;
      if (type === '2') {
        const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(
          payload.subarray(0, 64).toString('latin1'),
        );
        if (status) responses.set(id, { status: Number(status[1]), ts });
        continue;
      }
      const message = parseRequest(payload);
      if (typeof message === 'string') {
        importer.skip(where, record.line, message);
        continue;
      }
      if (message.badChunks) malformedChunked++;
      requests.push({ where, line: record.line, ts, order: order++, id, ...message });
    }
  }
  requests.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.order - b.order));
  const statuses = new Map<number, number>();
  for (const r of requests) {
    const before = importer.result.requests.length;
    importer.add(r.where, r.line, {
      method: r.method,
      url: r.url,
      headers: r.headers,
      ...(r.body ? { body: r.body } : {}),
    });
    if (importer.result.requests.length === before) continue;
    const response = responses.get(r.id);
    const meta: Record<string, unknown> = {
      time: new Date(Number(r.ts / 1_000_000n)).toISOString(),
    };
    if (response) {
      meta.status = response.status;
      meta.latencyMs = Math.max(0, Number(response.ts - r.ts) / 1e6);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
    importer.result.requests[before]!.meta = meta;
  }
  const result = importer.finish();
  const written = result.requests.length;
  const joined = [...statuses.values()].reduce((a, b) => a + b, 0);
  if (written > 0 && joined < written) {
    result.warnings.push(
      `${written - joined} of ${written} request(s) have no original response in the file (no status recorded)`,
    );
  }
  const failed = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
  if (failed > 0) {
    result.warnings.push(`${failed} request(s) got a 5xx response when recorded (meta.status)`);
  }
  if (malformedChunked > 0) {
    result.warnings.push(
      `${malformedChunked} chunked body(ies) were cut short; kept what was complete`,
    );
  }
  return result;
}

function* splitRecords(data: Buffer): Generator<{ bytes: Buffer; line: number }> {
  let start = 0;
  let line = 1;
  while (start < data.length) {
    let end = data.indexOf(GOR_SEPARATOR, start);
    // A header line at the very start may follow a separator without its leading newline.
    if (end < 0) end = data.length;
    const bytes = data.subarray(start, end);
    if (bytes.toString('latin1').trim() !== '') yield { bytes, line };
    line += count(data, start, Math.min(data.length, end + GOR_SEPARATOR.length), 0x0a);
    start = end + GOR_SEPARATOR.length;
  }
}

function count(data: Buffer, from: number, to: number, byte: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (data[i] === byte) n++;
  return n;
}

type Message = {
  method: string;
  url: string;
  headers: [string, string][];
  body?: Buffer;
  badChunks: boolean;
};

function parseRequest(payload: Buffer): Message | string {
  let headEnd = payload.indexOf('\r\n\r\n');
  let sep = 4;
  if (headEnd < 0) {
    headEnd = payload.indexOf('\n\n');
    sep = 2;
  }
  if (headEnd < 0) {
    headEnd = payload.length;
    sep = 0;
  }
  const lines = payload.subarray(0, headEnd).toString('latin1').split(/\r?\n/);
  const requestLine = /^(\S+) (\S+)(?: HTTP\/\d(?:\.\d)?)?$/.exec(lines[0] ?? '');
  if (!requestLine) return `not an HTTP request: '${clip(lines[0] ?? '')}'`;
  const headers: [string, string][] = [];
  for (const l of lines.slice(1)) {
    const colon = l.indexOf(':');
    if (colon <= 0) continue;
    headers.push([
      l.slice(0, colon).trim(),
      Buffer.from(l.slice(colon + 1).trim(), 'latin1').toString('utf8'),
    ]);
  }
  const rest = payload.subarray(Math.min(payload.length, headEnd + sep));
  const header = (name: string) =>
    headers.find(([n]) => n.toLowerCase() === name)?.[1]?.toLowerCase() ?? '';
  let body: Buffer | undefined = rest;
  let badChunks = false;
  if (header('transfer-encoding').includes('chunked')) {
    const decoded = dechunk(rest);
    body = decoded.body;
    badChunks = !decoded.complete;
  } else {
    const length = Number(header('content-length'));
    if (Number.isInteger(length) && length >= 0 && header('content-length') !== '')
      body = rest.subarray(0, length);
  }
  return {
    method: requestLine[1]!,
    url: requestLine[2]!,
    headers,
    ...(body && body.length > 0 ? { body: Buffer.from(body) } : {}),
    badChunks,
  };
}

/** Decodes a chunked body: `<hex size>[;ext]\r\n<data>\r\n` … `0\r\n[trailers]\r\n`. */
export function dechunk(data: Buffer): { body: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) return { body: Buffer.concat(parts), complete: false };
    const size = parseInt(data.subarray(at, eol).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size)) return { body: Buffer.concat(parts), complete: false };
    if (size === 0) return { body: Buffer.concat(parts), complete: true };
    const start = eol + 2;
    if (start + size > data.length) {
      parts.push(data.subarray(start));
      return { body: Buffer.concat(parts), complete: false };
    }
    parts.push(data.subarray(start, start + size));
    at = start + size + 2;
  }
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
