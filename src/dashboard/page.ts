// The dashboard: one self-contained HTML page (no network: the chart library, styles, script
// and data are all inline). Pure: data in, text out.

import type { DashboardData } from './data.js';
import { jsonIsland } from './data.js';
import { CLIENT_JS } from './client.js';
import { UPLOT_CSS, UPLOT_JS, UPLOT_VERSION } from './uplot.generated.js';

const STYLE = `
:root { color-scheme: light; --muted: #59636e; --line: #d1d9e0; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; color: #1f2328; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 15px; margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.muted, .note { color: var(--muted); font-size: 12px; }
.warning { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
table { border-collapse: collapse; width: 100%; margin: 16px 0 24px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; }
td a { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.up { color: #d1242f; } .down { color: #1a7f37; }
section.chart { border: 1px solid var(--line); border-radius: 6px; padding: 12px; margin: 12px 0; }
.plot { position: relative; }
ul.changes { margin: 6px 0 0; padding-left: 18px; font-size: 13px; }
.cp-marker { position: absolute; top: 0; width: 12px; height: 12px; margin-left: -6px; margin-top: -2px; border-radius: 2px; background: #d1242f; transform: rotate(45deg); z-index: 10; }
.cp-marker.down { background: #1a7f37; }
.cp-marker.beyond { outline: 2px solid #1f2328; }
.reg-marker { position: absolute; width: 0; height: 0; margin-left: -5px; margin-top: -12px; border-left: 5px solid transparent; border-right: 5px solid transparent; border-top: 8px solid #d1242f; z-index: 10; }
.hover { min-height: 18px; }
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderDashboard(data: DashboardData): string {
  const title = escapeHtml(data.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="perfgate dashboard">
<title>${title}</title>
<style>${UPLOT_CSS}</style>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${title}</h1>
<div id="meta" class="muted"></div>
<div id="warning" class="warning" hidden><b>Measured with ${escapeHtml(data.counter)}, not instructions.</b> CPU time moves with the runner's load, clock speed and neighbours, so this history's levels and change points may be the machine's rather than the code's. A meaningful history needs instruction counts: a runner with a PMU (bare metal or a VM that exposes hardware counters) or a simulated CPU that counts instructions.</div>
</header>
<table id="table">
<thead><tr><th>endpoint</th><th class="num">share of cost</th><th class="num">latest cost per request</th><th class="num">runs</th><th class="num">change points</th><th>latest change</th><th class="num">gate regressions</th></tr></thead>
<tbody></tbody>
</table>
<div id="charts"></div>
<script type="application/json" id="perfgate-data">${jsonIsland(data)}</script>
<script>/*! uPlot ${UPLOT_VERSION} https://github.com/leeoniya/uPlot (MIT) */${UPLOT_JS.replace(/<\/script/gi, '<\\/script')}</script>
<script>${CLIENT_JS}</script>
</body>
</html>
`;
}
