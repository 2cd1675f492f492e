// The differential flame graph of one endpoint, as one self-contained HTML page holding an
// inline SVG (no scripts, no external files; an HTML page opens and prints anywhere): the after build's stacks at their widths and the before build's below, each
// frame coloured by the change of its own cost, red costlier and blue cheaper, as in Brendan
// Gregg's difffolded.pl. The before panel keeps stacks the change removed visible.

import { escapeXml } from './xml.js';

interface Node {
  key: string;
  before: number;
  after: number;
  selfBefore: number;
  selfAfter: number;
  children: Map<string, Node>;
}

const newNode = (key: string): Node => ({
  key,
  before: 0,
  after: 0,
  selfBefore: 0,
  selfAfter: 0,
  children: new Map(),
});

/** Merges both builds' stacks (per request, keyed by match key) into one tree. */
export function mergeTree(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): Node {
  const root = newNode('');
  const put = (stacks: ReadonlyMap<string, number>, side: 'before' | 'after') => {
    for (const [s, v] of stacks) {
      let n = root;
      n[side] += v;
      for (const k of s.split('\n')) {
        let c = n.children.get(k);
        if (!c) n.children.set(k, (c = newNode(k)));
        c[side] += v;
        n = c;
      }
      if (side === 'before') n.selfBefore += v;
      else n.selfAfter += v;
    }
  };
  put(before, 'before');
  put(after, 'after');
  return root;
}

export interface FlameOptions {
  title: string;
  labels: ReadonlyMap<string, string>;
  unit?: string;
  /** Shown figures are the tree's divided by this (ns → µs: 1000). */
  divisor?: number;
  width?: number;
}

const ROW = 17;
const FONT = 11;
const CHAR = 6.6;

function num(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Red for costlier, blue for cheaper, pale for unchanged; stronger the larger the change. */
export function changeColour(change: number, scale: number): string {
  const t = scale > 0 ? Math.min(1, Math.abs(change) / scale) : 0;
  const strong = Math.round(235 - 175 * t);
  if (change > 0) return `rgb(235,${strong},${strong})`;
  if (change < 0) return `rgb(${strong},${strong},235)`;
  return 'rgb(235,235,235)';
}

function depth(n: Node): number {
  let d = 0;
  for (const c of n.children.values()) d = Math.max(d, depth(c));
  return d + 1;
}

function maxSelfChange(n: Node): number {
  let m = Math.abs(n.selfAfter - n.selfBefore);
  for (const c of n.children.values()) m = Math.max(m, maxSelfChange(c));
  return m;
}

/** Renders the SVG. */
export function renderFlameGraph(tree: Node, o: FlameOptions): string {
  const width = o.width ?? 1200;
  const unit = o.unit ?? 'µs';
  const d = o.divisor ?? 1;
  const fmt = (v: number) => num(v / d);
  const rows = depth(tree) - 1;
  const panel = rows * ROW + 30;
  const height = 60 + 2 * panel;
  const scale = maxSelfChange(tree);
  const out: string[] = [];
  const label = (k: string) => o.labels.get(k) ?? k.split('\u0000').join(' ');
  const draw = (side: 'before' | 'after', top: number) => {
    const whole = tree[side];
    out.push(
      `<text x="10" y="${top + 16}" class="h">${side === 'after' ? 'after' : 'before'}: ${fmt(whole)} ${escapeXml(unit)} per request (width); colour: change of the frame's own cost</text>`,
    );
    if (whole <= 0) return;
    const px = (width - 20) / whole;
    const base = top + 30 + rows * ROW;
    const walk = (n: Node, x: number, level: number) => {
      let cx = x;
      const kids = [...n.children.values()].sort((a, b) =>
        label(a.key).localeCompare(label(b.key)),
      );
      for (const c of kids) {
        const w = c[side] * px;
        if (w >= 0.5) {
          const y = base - (level + 1) * ROW;
          const change = c.selfAfter - c.selfBefore;
          const name = label(c.key);
          const tip = `${name}\nafter ${fmt(c.after)} ${unit} (self ${fmt(c.selfAfter)}), before ${fmt(c.before)} ${unit} (self ${fmt(c.selfBefore)}); self change ${change >= 0 ? '+' : ''}${fmt(change)} ${unit}`;
          const fits = Math.floor((w - 6) / CHAR);
          const text =
            fits >= 3 ? (name.length > fits ? `${name.slice(0, fits - 2)}..` : name) : '';
          out.push(
            `<g data-frame="${escapeXml(name)}" data-change="${change.toFixed(3)}"><title>${escapeXml(tip)}</title>` +
              `<rect x="${cx.toFixed(2)}" y="${y}" width="${(w - 0.5).toFixed(2)}" height="${ROW - 1}" fill="${changeColour(change, scale)}" rx="2"/>` +
              (text
                ? `<text x="${(cx + 3).toFixed(2)}" y="${y + 12}">${escapeXml(text)}</text>`
                : '') +
              '</g>',
          );
          walk(c, cx, level + 1);
        }
        cx += w;
      }
    };
    walk(tree, 10, 0);
  };
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="${FONT}">`,
    '<style>text{fill:#000;pointer-events:none}.h{font-size:13px}.t{font-size:16px;font-weight:bold}rect:hover{stroke:#000;stroke-width:1}</style>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="24" class="t">${escapeXml(o.title)}</text>`,
    `<text x="10" y="44" class="h">red: costlier in the after build; blue: cheaper. Hover a frame for its figures.</text>`,
  );
  draw('after', 50);
  draw('before', 50 + panel);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The SVG in a page of its own: `<title>`, UTF-8, nothing loaded from elsewhere. */
export function renderFlameGraphPage(tree: Node, o: FlameOptions): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeXml(o.title)}</title>`,
    '<style>body{margin:0;background:#fff}</style></head><body>',
    renderFlameGraph(tree, o).trimEnd(),
    '</body></html>',
    '',
  ].join('\n');
}

/** A file name for an endpoint's graph: `GET /api/search` → `GET-api-search.html`. */
export function flameFileName(endpoint: string, taken: Set<string>): string {
  const base =
    endpoint
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'endpoint';
  let name = `${base}.html`;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}.html`;
  taken.add(name);
  return name;
}
