// Maps key paths (as zod reports them) to lines in the YAML source, so that every config error
// points at the line to fix.

import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

type PathKey = PropertyKey;

/** `measure.rounds`, `routes[2]`, `thresholds.endpoints["GET /api/*"]`. */
export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z0-9_-]+$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

export class SourceMap {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  private lineAt(offset: number | undefined): number | undefined {
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }

  /**
   * The line of the deepest node on `path` that exists: the key's line for a mapping entry
   * (so `before:` rather than the first line of its value), the item's line for a list entry.
   */
  lineOf(path: readonly PathKey[]): number | undefined {
    let node: unknown = this.doc.contents;
    let line = this.lineAt(rangeStart(node));
    for (const key of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key),
        );
        if (!pair) break;
        line = this.lineAt(rangeStart(pair.key)) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item: unknown = node.items[key];
        if (item === undefined) break;
        line = this.lineAt(rangeStart(item)) ?? line;
        node = item;
      } else {
        break;
      }
    }
    return line;
  }

  /** Line of every mapping key in the document, by formatted path. */
  allLines(): Record<string, number> {
    const out: Record<string, number> = {};
    const walk = (node: unknown, path: PathKey[], depth: number) => {
      if (depth > 20) return;
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isScalar(pair.key)) continue;
          const keyPath = [...path, String(pair.key.value)];
          const line = this.lineAt(rangeStart(pair.key));
          if (line !== undefined) out[formatPath(keyPath)] = line;
          walk(pair.value, keyPath, depth + 1);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => {
          const line = this.lineAt(rangeStart(item));
          if (line !== undefined) out[formatPath([...path, i])] = line;
          walk(item, [...path, i], depth + 1);
        });
      }
    };
    walk(this.doc.contents, [], 0);
    return out;
  }
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range ? range[0] : undefined;
  }
  return undefined;
}
