// Workload format v1: JSONL, one request per line. Every bad line is reported with its line
// number and field, all at once; nothing is dropped without a word.

import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { ProblemsError, type Problem } from '../config/problems.js';
import { closest } from '../config/suggest.js';
import { compileRoute, endpointFor, type Route } from './endpoint.js';
import { headerProblem, TOKEN } from './headers.js';
import { sniffFormat } from './sniff.js';
import { toRequestTarget } from './target.js';
import type { ParseWorkloadOptions, Workload, WorkloadRequest } from './types.js';

export const RECORD_FIELDS = ['method', 'url', 'headers', 'body', 'endpoint', 'weight', 'id'];

/** Parses a workload's text. Pure; `file` names the file in errors. */
export function parseWorkload(
  text: string,
  file: string,
  options: ParseWorkloadOptions = {},
): Workload {
  const routes = compileRoutes(options.routes ?? [], file);
  const problems: Problem[] = [];
  const requests: WorkloadRequest[] = [];
  const seenIds = new Map<string, number>();
  const lines = text.split('\n');

  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/\r$/, '').trim();
    if (content === '' || content.startsWith('#')) return;
    const lineProblems: Problem[] = [];
    const problem = (path: string | undefined, message: string) =>
      lineProblems.push({ line, ...(path ? { path } : {}), message });
    const request = parseRecord(content, problem, routes, requests.length, line);
    if (request && lineProblems.length === 0) {
      const key = String(request.id);
      const previous = seenIds.get(key);
      if (previous === undefined) seenIds.set(key, line);
      else problem('id', `duplicate id ${JSON.stringify(request.id)} (first on line ${previous})`);
    }
    if (lineProblems.length) problems.push(...lineProblems);
    else if (request) requests.push(request);
  });

  if (problems.length) {
    const format = sniffFormat(text);
    if (format) {
      const name = format === 'har' ? 'a HAR file' : 'an access log';
      throw new ConfigError(
        `this is ${name}, not a perfgate workload (JSONL, one request a line)`,
        { file },
        `convert it once with 'perfgate import ${format} ${file} -o workload.jsonl' (credentials are dropped) and point workload: at the result`,
      );
    }
    throw new ProblemsError(
      file,
      problems,
      'each line is {"method": "GET", "url": "/path?query", "headers": {...}, "body": "..."}',
    );
  }
  if (requests.length === 0) {
    throw new ConfigError(
      'the workload has no requests',
      { file },
      'record or import some traffic first',
    );
  }
  const endpoints = [...new Set(requests.map((r) => r.endpoint))].sort();
  return { requests, endpoints };
}

function compileRoutes(routes: readonly string[], file: string): Route[] {
  return routes.map((template) => {
    try {
      return compileRoute(template);
    } catch (error) {
      throw new ConfigError((error as Error).message, { file });
    }
  });
}

type Report = (field: string | undefined, message: string) => void;

function parseRecord(
  content: string,
  problem: Report,
  routes: readonly Route[],
  index: number,
  line: number,
): WorkloadRequest | undefined {
  let record: unknown;
  try {
    record = JSON.parse(content);
  } catch (error) {
    problem(undefined, `not valid JSON: ${oneLine((error as Error).message)}`);
    return undefined;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    problem(undefined, 'expected a JSON object, one request per line');
    return undefined;
  }
  const r = record as RawRecord;

  checkUnknownFields(r, problem);
  const method = readMethod(r, problem);
  const path = readPath(r, problem);
  const headers = readHeaders(r, problem);
  const body = readBody(r, problem);
  const { endpoint, weight, id } = readLabels(r, problem, index);
  if (method === undefined || path === undefined) return undefined;
  return {
    id,
    line,
    method,
    path,
    headers,
    ...(body !== undefined ? { body } : {}),
    endpoint: endpoint ?? endpointFor(method, path, routes).name,
    weight,
  };
}

type RawRecord = Record<string, unknown>;

/**
 * Unknown fields are allowed (recorders add status, latency, ...); a near-miss of a known field
 * that is absent is a typo that would otherwise drop data quietly.
 */
function checkUnknownFields(r: RawRecord, problem: Report): void {
  const flat = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  for (const key of Object.keys(r)) {
    if (RECORD_FIELDS.includes(key)) continue;
    const near = closest(key, RECORD_FIELDS);
    if (near && !(near in r) && (key.length >= 4 || flat(key) === flat(near))) {
      problem(key, `unknown field (did you mean '${near}'?)`);
    }
  }
}

function readMethod(r: RawRecord, problem: Report): string | undefined {
  if (typeof r.method !== 'string' || r.method === '')
    problem('method', 'required: a method such as "GET"');
  else if (!TOKEN.test(r.method)) problem('method', `not a valid HTTP method: '${r.method}'`);
  else if (r.method.toUpperCase() === 'CONNECT') problem('method', 'CONNECT cannot be replayed');
  else return r.method.toUpperCase();
  return undefined;
}

function readPath(r: RawRecord, problem: Report): string | undefined {
  if (typeof r.url !== 'string') {
    const hint = typeof r.path === 'string' ? " (found 'path'; the field is called 'url')" : '';
    problem('url', `required: a path such as "/users/7?full=1"${hint}`);
    return undefined;
  }
  const target = toRequestTarget(r.url);
  if (target.ok) return target.path;
  problem('url', target.message);
  return undefined;
}

function readHeaders(r: RawRecord, problem: Report): Record<string, string> {
  const headers: Record<string, string> = {};
  if (r.headers === undefined || r.headers === null) return headers;
  if (typeof r.headers !== 'object' || Array.isArray(r.headers)) {
    problem('headers', 'expected an object of name: value');
    return headers;
  }
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(r.headers)) {
    const why = headerProblem(name, value);
    if (why) problem(`headers.${name}`, why);
    else if (seen.has(name.toLowerCase()))
      problem(`headers.${name}`, 'given twice (names are case-insensitive)');
    else headers[name] = value as string;
    seen.add(name.toLowerCase());
  }
  return headers;
}

function readBody(r: RawRecord, problem: Report): Buffer | undefined {
  if (typeof r.body === 'string') return Buffer.from(r.body, 'utf8');
  if (r.body === undefined || r.body === null) return undefined;
  const b64 = typeof r.body === 'object' ? (r.body as RawRecord).base64 : undefined;
  if (typeof b64 !== 'string' || Object.keys(r.body).length !== 1) {
    problem('body', 'expected a string or {"base64": "..."}');
  } else if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1) {
    problem('body.base64', 'not valid base64');
  } else {
    return Buffer.from(b64, 'base64');
  }
  return undefined;
}

/** The optional fields: the endpoint's name, the request's weight and its id. */
function readLabels(
  r: RawRecord,
  problem: Report,
  index: number,
): { endpoint: string | undefined; weight: number; id: number | string } {
  let endpoint: string | undefined;
  if (r.endpoint !== undefined && r.endpoint !== null) {
    if (typeof r.endpoint !== 'string' || r.endpoint.trim() === '')
      problem('endpoint', 'expected a non-empty string');
    else endpoint = r.endpoint.trim();
  }
  let weight = 1;
  if (r.weight !== undefined && r.weight !== null) {
    if (typeof r.weight !== 'number' || !Number.isFinite(r.weight) || r.weight <= 0) {
      problem('weight', `expected a positive number, got ${JSON.stringify(r.weight)}`);
    } else weight = r.weight;
  }
  let id: number | string = index;
  if (r.id !== undefined && r.id !== null) {
    if (typeof r.id === 'string' && r.id !== '') id = r.id;
    else if (typeof r.id === 'number' && Number.isSafeInteger(r.id)) id = r.id;
    else problem('id', 'expected a non-empty string or an integer');
  }
  return { endpoint, weight, id };
}

/** Reads and parses a workload file; a missing file is a ConfigError naming it. */
export async function loadWorkload(
  file: string,
  options: ParseWorkloadOptions = {},
): Promise<Workload> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? 'workload file not found'
        : `cannot read workload: ${(error as Error).message}`,
      { file },
      code === 'ENOENT' ? "record traffic or create one with 'perfgate import'" : undefined,
    );
  }
  return parseWorkload(decodeWorkload(bytes, file), file, options);
}

/**
 * The file's text; bytes that are not UTF-8 are an error naming their lines, never silently
 * turned into U+FFFD (a replayed request would then differ from the recorded one).
 */
export function decodeWorkload(bytes: Buffer, file: string): string {
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return strict.decode(bytes);
  } catch {
    const problems: Problem[] = [];
    let start = 0;
    for (let line = 1; start <= bytes.length; line++) {
      const end = bytes.indexOf(0x0a, start);
      const stop = end < 0 ? bytes.length : end;
      try {
        strict.decode(bytes.subarray(start, stop));
      } catch {
        problems.push({
          line,
          message:
            'not valid UTF-8 (save the file as UTF-8; a body of other bytes goes in {"base64": "..."})',
        });
      }
      if (end < 0) break;
      start = end + 1;
    }
    throw new ProblemsError(
      file,
      problems,
      'a workload file is UTF-8 text, one JSON request a line',
    );
  }
}

function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ');
}
