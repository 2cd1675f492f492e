// What the HAR and access-log importers share: turning one recorded request into a workload
// record (target without host, connection headers dropped, credentials redacted) and keeping
// account of everything left out.

import { compileRoute, endpointFor, type Route } from './endpoint.js';
import { BAD_VALUE_CHAR, DROPPED_ON_IMPORT, TOKEN } from './headers.js';
import { redactRecord, redactText, type RedactPolicy, type RedactionCounts } from './redact.js';
import { toRequestTarget } from './target.js';
import type { WorkloadRecord } from './types.js';

/** Methods importers accept; anything else in a log is noise (e.g. `PRI`, TLS bytes). */
export const HTTP_METHODS: readonly string[] = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
  'TRACE',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'REPORT',
  'SEARCH',
];

export interface ImportOptions {
  /** Route templates; a request a route names gets that endpoint written into the file. */
  routes?: readonly string[];
  /** What to redact; `false` keeps credentials as recorded. */
  redact: RedactPolicy | false;
  /** Keep only requests to these hosts (absolute URLs only); empty keeps all. */
  hosts?: readonly string[];
}

export interface Skipped {
  /** `line 12` or `log.entries[3]`. */
  where: string;
  line?: number;
  reason: string;
}

export interface ImportResult {
  requests: WorkloadRecord[];
  skipped: Skipped[];
  /** `header authorization` → 12, `query token` → 3, `body password` → 1. */
  redacted: RedactionCounts;
  warnings: string[];
  /** Requests per host seen in absolute URLs (before any host filter). */
  hosts: Map<string, number>;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: readonly (readonly [string, string])[];
  body?: Buffer;
  /** The body's media type where the recording gives it apart from the headers. */
  bodyType?: string;
}

export class Importer {
  readonly result: ImportResult = {
    requests: [],
    skipped: [],
    redacted: new Map(),
    warnings: [],
    hosts: new Map(),
  };
  private readonly routes: Route[];
  private readonly hosts: Set<string>;
  private readonly badHeaders = new Map<string, number>();

  constructor(private readonly options: ImportOptions) {
    this.routes = (options.routes ?? []).map((r) => compileRoute(r));
    this.hosts = new Set((options.hosts ?? []).map((h) => h.toLowerCase()));
  }

  skip(where: string, line: number | undefined, reason: string): void {
    // A reason may quote the recorded line; it is printed, so it is redacted like the file.
    const text = this.options.redact ? redactText(reason, this.options.redact) : reason;
    this.result.skipped.push({ where, ...(line !== undefined ? { line } : {}), reason: text });
  }

  /** Adds one request, or records why it was skipped. */
  add(where: string, line: number | undefined, request: RecordedRequest): void {
    const method = request.method.toUpperCase();
    if (!TOKEN.test(method) || !HTTP_METHODS.includes(method)) {
      this.skip(where, line, `'${request.method}' is not an HTTP method perfgate replays`);
      return;
    }
    const target = toRequestTarget(request.url);
    if (!target.ok) {
      this.skip(where, line, `url: ${target.message}`);
      return;
    }
    const host = hostOf(request.url);
    if (host !== undefined) {
      this.result.hosts.set(host, (this.result.hosts.get(host) ?? 0) + 1);
      if (
        this.hosts.size > 0 &&
        !this.hosts.has(host) &&
        !this.hosts.has(host.replace(/:\d+$/, ''))
      ) {
        this.skip(where, line, `host ${host} is not one of --host ${[...this.hosts].join(', ')}`);
        return;
      }
    }
    if (upgrade(request.headers)) {
      this.skip(where, line, 'a WebSocket or other protocol upgrade cannot be replayed');
      return;
    }
    const record: WorkloadRecord = {
      method,
      path: target.path,
      headers: this.headers(request.headers),
      ...(request.body !== undefined && request.body.length > 0 ? { body: request.body } : {}),
    };
    if (this.options.redact)
      redactRecord(record, this.options.redact, this.result.redacted, request.bodyType);
    const endpoint = endpointFor(method, record.path, this.routes);
    if (endpoint.source === 'route') record.endpoint = endpoint.name;
    this.result.requests.push(record);
  }

  // Connection headers, pseudo-headers and Host go; repeated names are joined as HTTP allows.
  private headers(pairs: RecordedRequest['headers']): Record<string, string> {
    const out: Record<string, string> = {};
    const names = new Map<string, string>();
    for (const [name, value] of pairs) {
      const lower = name.toLowerCase();
      if (name.startsWith(':') || DROPPED_ON_IMPORT.includes(lower)) continue;
      if (!TOKEN.test(name) || BAD_VALUE_CHAR.test(value)) {
        this.badHeaders.set(name, (this.badHeaders.get(name) ?? 0) + 1);
        continue;
      }
      const existing = names.get(lower);
      if (existing === undefined) {
        names.set(lower, name);
        out[name] = value;
      } else {
        out[existing] = `${out[existing]}${lower === 'cookie' ? '; ' : ', '}${value}`;
      }
    }
    return out;
  }

  finish(): ImportResult {
    for (const [name, n] of this.badHeaders) {
      this.result.warnings.push(
        `dropped ${n} value${n === 1 ? '' : 's'} of the header ${JSON.stringify(name)}: an invalid name, or a value with control or non-ASCII characters`,
      );
    }
    return this.result;
  }
}

function upgrade(pairs: RecordedRequest['headers']): boolean {
  return pairs.some(([name, value]) => name.toLowerCase() === 'upgrade' && value.trim() !== '');
}

function hostOf(url: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) && !url.startsWith('//')) return undefined;
  try {
    return new URL(url.startsWith('//') ? `http:${url}` : url).host.toLowerCase();
  } catch {
    return undefined;
  }
}
