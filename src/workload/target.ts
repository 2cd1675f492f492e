// A record's `url` → the request target perfgate sends. The host of an absolute URL is dropped:
// the replay connects only to the target it started, never to a host named in a workload.

export type TargetResult = { ok: true; path: string } | { ok: false; message: string };

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** Path + query of `url`; a fragment is dropped, bytes a request line cannot carry are %-encoded. */
export function toRequestTarget(url: string): TargetResult {
  if (url === '') return { ok: false, message: 'must not be empty' };
  if (url === '*') return { ok: false, message: "'*' (server-wide OPTIONS) cannot be replayed" };
  // `//host/path` is how browsers and HAR write a scheme-relative URL: treat it as one, so that
  // no path ever starts with '//' (which some HTTP clients would read as a host).
  if (SCHEME.test(url) || url.startsWith('//')) {
    let parsed: URL;
    try {
      parsed = new URL(url.startsWith('//') ? `http:${url}` : url);
    } catch {
      return { ok: false, message: `not a valid URL: '${url}'` };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return {
        ok: false,
        message: `only http and https URLs can be replayed, got '${parsed.protocol}'`,
      };
    }
    return { ok: true, path: collapseLeading(parsed.pathname) + parsed.search };
  }
  if (!url.startsWith('/')) {
    return {
      ok: false,
      message: `expected a path starting with '/' or an http(s) URL, got '${url}'`,
    };
  }
  const hash = url.indexOf('#');
  return { ok: true, path: encodeUnsafe(hash < 0 ? url : url.slice(0, hash)) };
}

// `http://h//x` has the path `//x`; one slash keeps it a path for every client.
function collapseLeading(pathname: string): string {
  return pathname.replace(/^\/{2,}/, '/');
}

/** %-encodes what may not appear raw in a request line (spaces, controls, non-ASCII, `"`). */
export function encodeUnsafe(target: string): string {
  return Buffer.from(target, 'utf8').reduce((out, byte) => {
    const safe = byte > 0x20 && byte < 0x7f && byte !== 0x22;
    return (
      out +
      (safe ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    );
  }, '');
}

/** Splits a target into its path and its query (without '?'). */
export function splitTarget(target: string): { pathname: string; query: string | undefined } {
  const q = target.indexOf('?');
  return q < 0
    ? { pathname: target, query: undefined }
    : { pathname: target.slice(0, q), query: target.slice(q + 1) };
}
