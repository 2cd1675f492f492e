// result.json as written to disk: two-space indent, trailing newline. Key order is the order
// analysis builds the object in, which is fixed, so equal results give byte-identical files.

import type { RunResult } from '../analysis/types.js';

export function renderJson(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
