// Recognises the recorded formats that `perfgate import` converts, so that pointing `workload:`
// at a HAR file or an access log gets one sentence saying what to run instead of an error on
// every line. Consulted only once a workload has failed to parse.

import { ACCESS_LOG_LINE } from './access-log.js';

export type ForeignFormat = 'har' | 'access-log';

export function sniffFormat(text: string): ForeignFormat | undefined {
  const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
  if (ACCESS_LOG_LINE.test(first.replace(/\r$/, ''))) return 'access-log';
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(text) as { log?: { entries?: unknown } } | null;
    return Array.isArray(parsed?.log?.entries) ? 'har' : undefined;
  } catch {
    return undefined;
  }
}
