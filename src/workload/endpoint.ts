// Endpoint names group requests that run the same code: `GET /users/:id`. A record's own
// `endpoint` wins, then the first matching route template, then automatic normalisation of
// the path segments that look like ids. The query string is never part of the name.

import { splitTarget } from './target.js';

/** Collapses repeated slashes and drops a trailing one: `/users//7/` → `/users/7`. */
export function normalisePath(pathname: string): string {
  const collapsed = pathname.replace(/\/{2,}/g, '/').replace(/\/$/, '');
  return collapsed === '' ? '/' : collapsed;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:[0-9a-f]+|[0-9A-F]+)$/;
const TOKEN = /^[A-Za-z0-9_-]+$/;
// A file name whose stem is an id: `123.png` → `:id.png`. The extension starts with a letter,
// so a version such as `1.2` is not taken for one.
const WITH_EXTENSION = /^(.+)\.([A-Za-z][A-Za-z0-9]{0,4})$/;

/**
 * Whether a path segment is an id rather than a name:
 * - an integer: `42`, `20240115`;
 * - a UUID, any version;
 * - hex in one case, 16+ characters (`deadbeefdeadbeef`), or 7+ with at least one digit
 *   (`3f2a9c1`, a short commit) — so words like `cafe`, `facade` or `deadbeef` stay names;
 * - an opaque token: 10+ characters of `[A-Za-z0-9_-]` in which letters and digits alternate at
 *   least 3 times (`cus_9s6XKzkNRiz8i3`, `dQw4w9WgXcQ`) — so slugs (`post-2024-01`), versions
 *   (`v2`) and names with a number (`iphone15`) stay names.
 */
export function isIdSegment(segment: string): boolean {
  if (/^\d+$/.test(segment)) return true;
  if (UUID.test(segment)) return true;
  if (HEX.test(segment) && (segment.length >= 16 || (segment.length >= 7 && /\d/.test(segment)))) {
    return true;
  }
  return segment.length >= 10 && TOKEN.test(segment) && letterDigitSwitches(segment) >= 3;
}

function letterDigitSwitches(segment: string): number {
  let switches = 0;
  let last: 'letter' | 'digit' | undefined;
  for (const ch of segment) {
    const kind = /\d/.test(ch) ? 'digit' : /[A-Za-z]/.test(ch) ? 'letter' : undefined;
    if (kind === undefined) continue;
    if (last !== undefined && kind !== last) switches++;
    last = kind;
  }
  return switches;
}

/** `/users/42/orders/3f2a9c1e` → `/users/:id/orders/:id`. */
export function autoEndpointPath(pathname: string): string {
  const path = normalisePath(pathname);
  if (path === '/') return path;
  return path
    .split('/')
    .map((segment) => {
      if (segment === '') return segment;
      if (isIdSegment(segment)) return ':id';
      const file = WITH_EXTENSION.exec(segment);
      return file && isIdSegment(file[1]!) ? `:id.${file[2]}` : segment;
    })
    .join('/');
}

export interface Route {
  /** As written in the config. */
  template: string;
  /** Upper-case method the route is limited to, if any. */
  method: string | undefined;
  /** Template path, normalised; `:name` segments match any one segment. */
  path: string;
  segments: string[];
}

/** Parses `/users/:id` or `POST /items/:id`; throws on anything else. */
export function compileRoute(template: string): Route {
  const m = /^(?:([A-Za-z]+) +)?(\/\S*)$/.exec(template.trim());
  if (!m)
    throw new Error(
      `not a route template: '${template}' (expected '/users/:id' or 'POST /items/:id')`,
    );
  const path = normalisePath(splitTarget(m[2]!).pathname);
  return { template, method: m[1]?.toUpperCase(), path, segments: path.split('/') };
}

export function matchesRoute(route: Route, method: string, pathname: string): boolean {
  if (route.method !== undefined && route.method !== method) return false;
  const segments = normalisePath(pathname).split('/');
  if (segments.length !== route.segments.length) return false;
  return route.segments.every((want, i) => {
    const got = segments[i]!;
    return want.startsWith(':') && want.length > 1 ? got !== '' : want === got;
  });
}

/** Names the endpoint of one request; `routes` are tried in order. */
export function endpointFor(
  method: string,
  target: string,
  routes: readonly Route[] = [],
): { name: string; source: 'route' | 'auto' } {
  const { pathname } = splitTarget(target);
  const upper = method.toUpperCase();
  const route = routes.find((r) => matchesRoute(r, upper, pathname));
  if (route) return { name: `${upper} ${route.path}`, source: 'route' };
  return { name: `${upper} ${autoEndpointPath(pathname)}`, source: 'auto' };
}
