// Which headers a workload may carry, and which ones importers drop.

/** RFC 9110 token: a valid header name or method. */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Headers that describe one connection rather than the request. The replay sets these for its
 * own connection to the target, so a workload may not carry them.
 */
export const CONNECTION_HEADERS: readonly string[] = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
];

/** Importers also drop Host: the target is not the host the traffic was recorded on. */
export const DROPPED_ON_IMPORT: readonly string[] = [...CONNECTION_HEADERS, 'host'];

/** Credentials importers drop unless told to keep secrets. */
export const CREDENTIAL_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
];

/** Query parameters and form/JSON body fields whose values importers replace by REDACTED. */
export const CREDENTIAL_PARAMS: readonly string[] = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth',
  'auth_token',
  'api_key',
  'apikey',
  'api-key',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'session',
  'sessionid',
  'session_id',
  'jwt',
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
];

export const REDACTED = 'REDACTED';

/**
 * What a header value may not hold: controls and anything beyond ASCII. Node refuses these
 * when sending ("Invalid character in header content"), so they are caught where they are read.
 */
export const BAD_VALUE_CHAR = /[^\t\x20-\x7e]/u;

/** Why a header may not appear in a workload, or undefined if it may. */
export function headerProblem(name: string, value: unknown): string | undefined {
  if (name.startsWith(':')) {
    return `'${name}' is an HTTP/2 pseudo-header; the method and url fields say this already`;
  }
  if (!TOKEN.test(name)) return `'${name}' is not a valid header name`;
  if (CONNECTION_HEADERS.includes(name.toLowerCase())) {
    return `'${name}' belongs to one connection and is set by perfgate; remove it`;
  }
  if (typeof value !== 'string') return `'${name}': expected a string value, got ${typeof value}`;
  if (/[\r\n\0]/.test(value)) return `'${name}': the value contains a line break or NUL`;
  const bad = BAD_VALUE_CHAR.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return `'${name}': the value holds U+${code} at character ${bad.index + 1}; header values must be printable ASCII (percent-encode anything else)`;
  }
  return undefined;
}
