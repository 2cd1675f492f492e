// npx tsx benchmarks/dashboard.ts: how long the dashboard takes with a year of daily runs for
// 100 endpoints, from the history file to a page whose every chart is drawn in headless Chromium.
// Prints markdown; writes the figures to benchmarks/results/dashboard-latest.json.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dashboardData } from '../src/dashboard/data.js';
import { renderDashboard } from '../src/dashboard/page.js';
import { detectDrift } from '../src/history/drift.js';
import { parseHistory, serializeRun } from '../src/history/store.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { largeHistory } from '../test/history/synthetic.js';

const RUNS = 365;
const ENDPOINTS = 100;
const REPEATS = 5;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const text = largeHistory(RUNS, ENDPOINTS).map(serializeRun).join('');
let t = performance.now();
const runs = parseHistory(text, 'history.jsonl');
const parseMs = performance.now() - t;
t = performance.now();
const report = detectDrift(runs);
const detectMs = performance.now() - t;
t = performance.now();
const html = renderDashboard(dashboardData(report, new Date().toISOString(), 'benchmark'));
const renderMs = performance.now() - t;

const dir = mkdtempSync(join(tmpdir(), 'perfgate-dash-bench-'));
const file = join(dir, 'index.html');
writeFileSync(file, html);
const browser = await launchBrowser();
const ready: number[] = [];
const all: number[] = [];
let charts = 0;
try {
  for (let i = 0; i < REPEATS; i++) {
    const page = await browser.context.newPage();
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="1"]');
    // Time since navigation start, as the page itself sees it (excludes the browser round trip).
    ready.push(Math.round(await page.evaluate(() => performance.now())));
    const drawn = await page.evaluate(() => {
      const t0 = performance.now();
      const n = (globalThis as unknown as { perfgateRenderAll(): number }).perfgateRenderAll();
      return { n, ms: performance.now() - t0 };
    });
    charts = drawn.n;
    all.push(ready.at(-1)! + drawn.ms);
    await page.close();
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}

const figures = {
  runs: RUNS,
  endpoints: ENDPOINTS,
  historyBytes: text.length,
  htmlBytes: html.length,
  changePoints: report.endpoints.reduce((n, e) => n + e.changes.length, 0),
  parseMs: Math.round(parseMs),
  detectMs: Math.round(detectMs),
  renderMs: Math.round(renderMs),
  charts,
  firstChartsMs: median(ready),
  allChartsMs: Math.round(median(all)),
  machine: `${cpus().length}× ${cpus()[0]?.model ?? 'unknown CPU'}`,
};
mkdirSync(join(root, 'benchmarks', 'results'), { recursive: true });
writeFileSync(
  join(root, 'benchmarks', 'results', 'dashboard-latest.json'),
  `${JSON.stringify(figures, null, 2)}\n`,
);
console.log(`## Dashboard: ${RUNS} runs × ${ENDPOINTS} endpoints (${figures.machine})

| step | figure |
|---|--:|
| history file | ${(figures.historyBytes / 1e6).toFixed(1)} MB |
| parse history | ${figures.parseMs} ms |
| change points (perfgate drift, ${figures.changePoints} found) | ${figures.detectMs} ms |
| write page | ${figures.renderMs} ms, ${(figures.htmlBytes / 1e6).toFixed(2)} MB |
| open page to first charts drawn (Chromium, median of ${REPEATS}) | ${figures.firstChartsMs} ms |
| open page to all ${charts} charts drawn | ${figures.allChartsMs} ms |`);
