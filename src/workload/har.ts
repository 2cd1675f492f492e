// HAR 1.2 (browser dev tools, proxies) → workload records. Only `log.entries[].request` is read.

import { ConfigError } from '../errors.js';
import { Importer, type ImportOptions, type ImportResult } from './importer.js';

interface HarPostData {
  mimeType?: unknown;
  text?: unknown;
  encoding?: unknown;
  params?: unknown;
}

export function importHar(text: string, file: string, options: ImportOptions): ImportResult {
  let har: unknown;
  try {
    har = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new ConfigError(
      `not valid JSON: ${message.replace(/\s+/g, ' ')}`,
      { file, ...jsonErrorLine(text, message) },
      'is this a HAR file?',
    );
  }
  const entries = (har as { log?: { entries?: unknown } } | null)?.log?.entries;
  if (!Array.isArray(entries)) {
    throw new ConfigError(
      'not a HAR file: expected log.entries to be a list',
      { file },
      'export it from the browser\'s network panel with "Save all as HAR"',
    );
  }

  const importer = new Importer(options);
  entries.forEach((entry: unknown, i) => {
    const where = `log.entries[${i}]`;
    if (typeof entry !== 'object' || entry === null) {
      importer.skip(where, undefined, 'not an object');
      return;
    }
    const e = entry as { request?: unknown; _fromCache?: unknown };
    if (typeof e._fromCache === 'string' && e._fromCache !== '') {
      importer.skip(
        where,
        undefined,
        `served from the browser's ${e._fromCache} cache; it never reached the server`,
      );
      return;
    }
    const request = e.request as
      | {
          method?: unknown;
          url?: unknown;
          headers?: unknown;
          postData?: HarPostData;
          bodySize?: unknown;
        }
      | undefined;
    if (typeof request?.method !== 'string' || typeof request.url !== 'string') {
      importer.skip(where, undefined, 'request.method or request.url is missing');
      return;
    }
    const headers: [string, string][] = [];
    if (Array.isArray(request.headers)) {
      for (const h of request.headers as { name?: unknown; value?: unknown }[]) {
        if (typeof h?.name === 'string' && typeof h.value === 'string')
          headers.push([h.name, h.value]);
      }
    }
    const body = harBody(request.postData, request.bodySize);
    if (typeof body === 'string') {
      importer.skip(where, undefined, body);
      return;
    }
    const mime = request.postData?.mimeType;
    importer.add(where, undefined, {
      method: request.method,
      url: request.url,
      headers,
      ...(body ? { body } : {}),
      ...(body && typeof mime === 'string' && mime !== '' ? { bodyType: mime } : {}),
    });
  });
  return importer.finish();
}

/** The body bytes, undefined for none, or why the body cannot be rebuilt. */
function harBody(
  postData: HarPostData | undefined,
  bodySize: unknown,
): Buffer | undefined | string {
  if (postData === undefined || postData === null) {
    return typeof bodySize === 'number' && bodySize > 0
      ? 'the request had a body but the HAR does not hold it'
      : undefined;
  }
  if (typeof postData.text === 'string') {
    return postData.encoding === 'base64'
      ? Buffer.from(postData.text, 'base64')
      : Buffer.from(postData.text, 'utf8');
  }
  if (Array.isArray(postData.params) && postData.params.length > 0) {
    const mime = typeof postData.mimeType === 'string' ? postData.mimeType : '';
    if (!mime.includes('application/x-www-form-urlencoded')) {
      return `the ${mime.split(';')[0] || 'form'} body is recorded only as params, without its text`;
    }
    const params = postData.params as { name?: unknown; value?: unknown }[];
    const form = params
      .map(
        (p) =>
          `${encodeURIComponent(String(p.name ?? ''))}=${encodeURIComponent(String(p.value ?? ''))}`,
      )
      .join('&');
    return Buffer.from(form, 'utf8');
  }
  return undefined;
}

// JSON.parse names a character position; people want a line.
function jsonErrorLine(text: string, message: string): { line?: number } {
  const m = /position (\d+)/.exec(message);
  if (!m) return {};
  return { line: text.slice(0, Number(m[1])).split('\n').length };
}
