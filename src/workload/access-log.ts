// nginx / Apache access logs in the combined or common format → workload records:
//   %h %l %u %t "%r" %>s %b ["%{Referer}i" "%{User-agent}i"] [anything nginx appends]
// Logs hold no request bodies and no headers besides Referer and User-Agent.

import { Importer, type ImportOptions, type ImportResult } from './importer.js';

const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
export const ACCESS_LOG_LINE = new RegExp(
  `^(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] ${QUOTED} (\\d{3}|-) (\\d+|-)(?: ${QUOTED} ${QUOTED})?(?:\\s.*)?$`,
);
const REQUEST_LINE = /^(\S+) (\S+)(?: (HTTP\/\d(?:\.\d)?))?$/;

/** Undoes nginx (`\x22`) and Apache (`\"`, `\\`) escaping; `\xHH` becomes `%HH` in a target. */
function unescape(field: string, asTarget: boolean): string {
  return field.replace(/\\(x[0-9A-Fa-f]{2}|.)/g, (_, esc: string) => {
    if (esc.length === 3) {
      return asTarget
        ? `%${esc.slice(1).toUpperCase()}`
        : String.fromCharCode(parseInt(esc.slice(1), 16));
    }
    return esc === 'n' ? '\n' : esc === 't' ? '\t' : esc;
  });
}

export function importAccessLog(text: string, _file: string, options: ImportOptions): ImportResult {
  const importer = new Importer(options);
  const bodiless = new Map<string, number>();
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const where = `line ${line}`;
    const content = raw.replace(/\r$/, '');
    if (content.trim() === '') return;
    const m = ACCESS_LOG_LINE.exec(content);
    if (!m) {
      importer.skip(where, line, 'not in the combined or common log format');
      return;
    }
    const requestLine = m[5]!;
    if (requestLine === '-' || requestLine === '') {
      importer.skip(where, line, 'empty request line (the client sent no request)');
      return;
    }
    const r = REQUEST_LINE.exec(requestLine);
    if (!r) {
      importer.skip(where, line, `not an HTTP request line: "${clip(requestLine)}"`);
      return;
    }
    const headers: [string, string][] = [];
    const referer = m[8] !== undefined ? unescape(m[8], false) : '-';
    const agent = m[9] !== undefined ? unescape(m[9], false) : '-';
    if (referer !== '-' && referer !== '') headers.push(['Referer', referer]);
    if (agent !== '-' && agent !== '') headers.push(['User-Agent', agent]);
    const before = importer.result.requests.length;
    importer.add(where, line, { method: r[1]!, url: unescape(r[2]!, true), headers });
    const method = r[1]!.toUpperCase();
    if (importer.result.requests.length > before && ['POST', 'PUT', 'PATCH'].includes(method)) {
      bodiless.set(method, (bodiless.get(method) ?? 0) + 1);
    }
  });
  const result = importer.finish();
  if (bodiless.size > 0) {
    const list = [...bodiless].map(([m, n]) => `${n} ${m}`).join(', ');
    result.warnings.push(
      `${list} request(s) will be replayed without a body: access logs do not record bodies`,
    );
  }
  return result;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
