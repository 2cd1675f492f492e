// The differential flame graph: a self-contained SVG, red where the after build is costlier and
// blue where cheaper, with function names escaped; opened in headless Chromium and checked by
// its screenshot.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  changeColour,
  flameFileName,
  mergeTree,
  renderFlameGraph,
  renderFlameGraphPage,
} from '../../src/explain/index.js';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { decodePng } from '../helpers/png.js';

// Per-request stacks (match keys joined by '\n'): search → relevance doubled; a page helper
// made cheaper; a frame only in the before build.
const root = 'server.js:10 handle';
const before = new Map([
  [root, 100],
  [`${root}\nlib/shop.js:159 relevance`, 1000],
  [`${root}\nlib/shop.js:88 render`, 600],
  [`${root}\nlib/shop.js:40 <legacy>&"scan"`, 300],
]);
const after = new Map([
  [root, 100],
  [`${root}\nlib/shop.js:159 relevance`, 2000],
  [`${root}\nlib/shop.js:88 render`, 200],
]);
const labels = new Map([...before.keys()].flatMap((s) => s.split('\n')).map((k) => [k, k]));

const options = { title: 'GET /api/search <b>', labels };
const svg = () => renderFlameGraph(mergeTree(before, after), options);
const page = () => renderFlameGraphPage(mergeTree(before, after), options);

describe('differential flame graph', () => {
  it('colours red for costlier, blue for cheaper, pale for unchanged', () => {
    expect(changeColour(10, 10)).toBe('rgb(235,60,60)');
    expect(changeColour(-5, 10)).toBe('rgb(148,148,235)');
    expect(changeColour(0, 10)).toBe('rgb(235,235,235)');
  });

  it('is one self-contained page: no scripts, no external references, names escaped', () => {
    const s = svg();
    expect(s.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(page()).toMatch(/^<!doctype html>[\s\S]*<title>GET \/api\/search &lt;b&gt;<\/title>/);
    expect(page()).not.toMatch(/<script|<link|src=/);
    expect(s).not.toMatch(/<script|href=|url\(/);
    expect(s).toContain('GET /api/search &lt;b&gt;');
    expect(s).toContain('&lt;legacy&gt;&amp;&quot;scan&quot;');
    expect(s).not.toContain('<legacy>');
    // relevance: +1000 of its own, the largest change, in the strongest red.
    expect(s).toMatch(/data-frame="lib\/shop.js:159 relevance" data-change="1000.000"/);
    expect(s).toContain('fill="rgb(235,60,60)"');
    // The removed frame is drawn in the before panel only, in blue.
    expect(s.match(/data-frame="lib\/shop.js:40 &lt;legacy&gt;/g)).toHaveLength(1);
  });

  it('names files after the endpoint, uniquely', () => {
    const taken = new Set<string>();
    expect(flameFileName('GET /api/products/:id', taken)).toBe('GET-api-products-id.html');
    expect(flameFileName('GET /api/products/:id', taken)).toBe('GET-api-products-id-2.html');
    // No path separators survive: the file stays in the output folder.
    expect(flameFileName('../../etc/passwd', taken)).toBe('..-..-etc-passwd.html');
  });

  it.skipIf(!hasChromium())(
    'opens in headless Chromium, shows the changed function in red and the cheaper one in blue',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'perfgate-flame-'));
      const file = join(dir, 'GET-api-search.html');
      writeFileSync(file, page());
      const browser = await launchBrowser();
      try {
        const tab = await browser.context.newPage();
        await tab.goto(pathToFileURL(file).href);
        const frame = tab.locator('g[data-frame="lib/shop.js:159 relevance"]').first();
        await expect(frame.locator('text').textContent()).resolves.toContain('relevance');
        const box = (await frame.locator('rect').boundingBox())!;
        expect(box.width).toBeGreaterThan(500); // 2000 of 2300 in the after panel
        const shot = decodePng(await tab.screenshot({ fullPage: true }));
        const pixel = (x: number, y: number) => {
          const o = (Math.round(y) * shot.width + Math.round(x)) * 4;
          return [shot.pixels[o]!, shot.pixels[o + 1]!, shot.pixels[o + 2]!];
        };
        // A point inside relevance's box, clear of its label, is red.
        const [r, g, b] = pixel(box.x + box.width - 20, box.y + box.height / 2);
        expect(r).toBeGreaterThan(200);
        expect(g).toBeLessThan(100);
        expect(b).toBeLessThan(100);
        // The render frame got cheaper: blue.
        const cheap = (await tab
          .locator('g[data-frame="lib/shop.js:88 render"] rect')
          .first()
          .boundingBox())!;
        const [r2, , b2] = pixel(cheap.x + cheap.width - 4, cheap.y + cheap.height / 2);
        expect(b2).toBeGreaterThan(200);
        expect(r2).toBeLessThan(200);
        // Across the whole screenshot: red and blue pixels both appear.
        let red = 0;
        let blue = 0;
        for (let i = 0; i < shot.pixels.length; i += 4) {
          const [pr, pg, pb] = [shot.pixels[i]!, shot.pixels[i + 1]!, shot.pixels[i + 2]!];
          if (pr > 200 && pg < 120 && pb < 120) red++;
          if (pb > 200 && pr < 180 && pg < 180) blue++;
        }
        expect(red).toBeGreaterThan(1000);
        expect(blue).toBeGreaterThan(200);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
