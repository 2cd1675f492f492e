// `perfgate dashboard`: one self-contained HTML page drawn from a history file.

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { dashboardData } from '../dashboard/data.js';
import { renderDashboard } from '../dashboard/page.js';
import { detectDrift } from '../history/drift.js';
import { readHistory } from '../history/file.js';
import { byDate } from '../history/store.js';
import type { Command } from './command.js';
import { parseCommandArgs, write } from './command.js';
import { DRIFT_FLAGS, driftOptions } from './drift.js';

const help = `Usage: perfgate dashboard --history PATH -o DIR [options]

Writes DIR/index.html: one self-contained page (no network access; the chart library, data and
script are inline) with the traffic-weighted total and a chart per endpoint: the mean cost per
request with its interval band, the change points found by 'perfgate drift' and the runs the
gate flagged as regressions, each linked to its commits, and a table of all endpoints. Publish
DIR with GitHub Pages or as a workflow artifact.

Options:
  --history PATH     the history file written by 'perfgate history add'
  -o, --out DIR      output folder (created; index.html is replaced)
  --title TEXT       page title (default: "perfgate: CPU cost per request")
  --max-runs N       draw only the newest N runs of the series (default 1000)
  and the change-point options of 'perfgate drift' (--alpha, --min-change, --threshold, ...)
  -h, --help         show this help

Exit status: 0 written, 2 error.`;

export const dashboardCommand: Command = {
  name: 'dashboard',
  summary: 'write a self-contained HTML dashboard of a history',
  help,
  async run(argv, ctx) {
    const args = parseCommandArgs(
      'dashboard',
      argv,
      {
        ...DRIFT_FLAGS,
        out: { type: 'string', short: 'o' },
        title: { type: 'string' },
        'max-runs': { type: 'string' },
      },
      false,
    );
    if (args.help) {
      write(ctx.stdout, help);
      return 0;
    }
    if (!args.values.history || !args.values.out) {
      throw new UsageError(
        'perfgate dashboard: --history PATH and -o DIR are required',
        "run 'perfgate dashboard --help' for usage",
      );
    }
    const maxRuns = Number(args.values['max-runs'] ?? 1000);
    if (!Number.isInteger(maxRuns) || maxRuns < 1) {
      throw new UsageError(
        `--max-runs must be a positive integer, got '${args.values['max-runs']}'`,
      );
    }
    const options = driftOptions(args.values);
    const runs = byDate(await readHistory(resolve(ctx.cwd, args.values.history)));
    const report = detectDrift(runs.slice(-maxRuns), options);
    const data = dashboardData(
      report,
      new Date().toISOString(),
      args.values.title ?? 'perfgate: CPU cost per request',
    );
    const dir = resolve(ctx.cwd, args.values.out);
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'index.html');
    const html = renderDashboard(data);
    await writeFile(file, html);
    const changes = report.endpoints.reduce((n, e) => n + e.changes.length, 0);
    write(
      ctx.stderr,
      `perfgate dashboard: ${file} (${(html.length / 1024).toFixed(0)} KiB; ${report.runs} runs, ${report.endpoints.length} series, ${changes} change points)`,
    );
    return 0;
  },
};
