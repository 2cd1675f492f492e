// Importers keep credentials out of workload files by default: listed headers are dropped, and
// credential-looking query parameters and form/JSON body fields keep their name with the value
// REDACTED (so the request still takes the same code path as closely as possible).

import { CREDENTIAL_HEADERS, CREDENTIAL_PARAMS, REDACTED } from './headers.js';
import { splitTarget } from './target.js';
import type { WorkloadRecord } from './types.js';

export interface RedactPolicy {
  /** Lower-case header names to drop. */
  headers: ReadonlySet<string>;
  /** Lower-case query parameter / body field names whose values are replaced. */
  params: ReadonlySet<string>;
}

export function redactPolicy(
  extra: { headers?: readonly string[]; params?: readonly string[] } = {},
): RedactPolicy {
  const lower = (names: readonly string[]) => names.map((n) => n.toLowerCase());
  return {
    headers: new Set([...CREDENTIAL_HEADERS, ...lower(extra.headers ?? [])]),
    params: new Set([...CREDENTIAL_PARAMS, ...lower(extra.params ?? [])]),
  };
}

/** Counts of what was removed, by kind and name: `header authorization` → 12. */
export type RedactionCounts = Map<string, number>;

function count(counts: RedactionCounts, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Headers whose value is a URL that may carry credentials in its query. */
const URL_HEADERS: ReadonlySet<string> = new Set(['referer', 'origin', 'location']);

/**
 * Redacts a record in place and counts what it removed. `bodyType` is the body's media type
 * where the recording gives it apart from the headers (a HAR's postData.mimeType).
 */
export function redactRecord(
  record: WorkloadRecord,
  policy: RedactPolicy,
  counts: RedactionCounts,
  bodyType?: string,
): void {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    const lower = name.toLowerCase();
    if (policy.headers.has(lower)) count(counts, `header ${lower}`);
    else kept[name] = URL_HEADERS.has(lower) ? redactUrl(value, policy, counts, lower) : value;
  }
  record.headers = kept;
  const { pathname, query } = splitTarget(record.path);
  if (query !== undefined) {
    const redacted = redactForm(query, policy, counts, 'query');
    if (redacted !== query) record.path = `${pathname}?${redacted}`;
  }
  if (record.body !== undefined && record.body.length > 0) {
    const type = (contentType(record.headers) || bodyType || sniff(record.body)).toLowerCase();
    if (type.includes('application/x-www-form-urlencoded')) {
      const text = record.body.toString('utf8');
      const redacted = redactForm(text, policy, counts, 'body');
      if (redacted !== text) record.body = Buffer.from(redacted, 'utf8');
    } else if (type.includes('json')) {
      const redacted = redactJson(record.body.toString('utf8'), policy, counts);
      if (redacted !== undefined) record.body = Buffer.from(redacted, 'utf8');
    }
  }
}

/** A body that looks like JSON is redacted as JSON even when nothing says it is. */
function sniff(body: Buffer): string {
  const first = body.toString('utf8', 0, 64).trimStart()[0];
  return first === '{' || first === '[' ? 'application/json' : '';
}

/** A URL (a Referer, say) with its credential query parameters' values replaced. */
function redactUrl(
  url: string,
  policy: RedactPolicy,
  counts: RedactionCounts,
  kind: string,
): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const end = hash < 0 ? url.length : hash;
  const query = url.slice(q + 1, end);
  const redacted = redactForm(query, policy, counts, `${kind} query`);
  return redacted === query ? url : `${url.slice(0, q + 1)}${redacted}${url.slice(end)}`;
}

/**
 * Free text (a skipped line quoted in a message) with the values of credential-named
 * `name=value` pairs replaced, so a message never shows what the workload file must not hold.
 */
export function redactText(text: string, policy: RedactPolicy): string {
  return text.replace(/([A-Za-z0-9_.%-]+)=([^&\s"';#]*)/g, (pair, name: string, value: string) =>
    policy.params.has(safeDecode(name).toLowerCase()) && value !== REDACTED
      ? `${name}=${REDACTED}`
      : pair,
  );
}

function contentType(headers: Record<string, string>): string {
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type');
  return entry ? entry[1].toLowerCase() : '';
}

// Rewrites only the values that need it, leaving every other byte (order, encoding) alone.
function redactForm(
  form: string,
  policy: RedactPolicy,
  counts: RedactionCounts,
  kind: string,
): string {
  return form
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = safeDecode(pair.slice(0, eq)).toLowerCase();
      if (!policy.params.has(name) || pair.slice(eq + 1) === REDACTED) return pair;
      count(counts, `${kind} ${name}`);
      return `${pair.slice(0, eq)}=${REDACTED}`;
    })
    .join('&');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** The JSON with credential fields' values replaced, or undefined when nothing changed. */
function redactJson(
  text: string,
  policy: RedactPolicy,
  counts: RedactionCounts,
): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  let changed = false;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      for (const [key, v] of Object.entries(obj)) {
        if (policy.params.has(key.toLowerCase())) {
          // Lists and objects keep their shape; every string or number inside is replaced.
          const redacted = redactLeaves(v);
          if (JSON.stringify(redacted) !== JSON.stringify(v)) {
            obj[key] = redacted;
            count(counts, `body ${key.toLowerCase()}`);
            changed = true;
          }
        } else walk(v);
      }
    }
  };
  walk(value);
  return changed ? JSON.stringify(value) : undefined;
}

function redactLeaves(value: unknown): unknown {
  if (typeof value === 'string' || typeof value === 'number') return REDACTED;
  if (Array.isArray(value)) return value.map(redactLeaves);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactLeaves(v)]));
  }
  return value;
}
