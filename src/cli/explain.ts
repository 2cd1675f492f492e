import { join, resolve } from 'node:path';
import {
  applyOverrides,
  loadConfig,
  requireRunnable,
  type RunnableConfig,
} from '../config/index.js';
import type { RunResult } from '../analysis/index.js';
import { UsageError } from '../errors.js';
import { attachExplanation } from '../explain/index.js';
import { prepareRequests } from '../replay/index.js';
import { aslrOffWorks } from '../proc/aslr.js';
import { usePidFile } from '../proc/registry.js';
import { writeOutput, type Build } from '../samples/index.js';
import {
  prepareBuilds,
  removeBuilds,
  targetEnvironment,
  type PreparedBuild,
} from '../targets/index.js';
import { loadWorkload } from '../workload/index.js';
import { renderJson, renderMarkdown } from '../report/index.js';
import { formatAmount } from '../report/explain.js';
import type { ExplainMode, Explanation } from '../explain/index.js';
import type { Command } from './command.js';
import { parseCommandArgs, write } from './command.js';
import { loadResult } from './result-file.js';
import { claimOutDir, runPidFile } from './run.js';

const help = `Usage: perfgate explain [--config perfgate.yml] [--out DIR] [--all | --endpoint NAME ...]

Runs the profiling pass on a saved run: starts each build once more with a profiler (Node: V8's
CPU profiler; Python: cProfile), replays each explained endpoint's requests, and diffs the cost
of every function between the builds. Adds the diff to DIR/result.json, rewrites DIR/report.md
and writes one differential flame graph per endpoint to DIR/explain/.

Options:
  -c, --config FILE      the config (default: perfgate.yml)
  -o, --out DIR          the run's output folder, with its result.json (default: .perfgate/run)
      --all              explain every endpoint (default: the config's explain, or the
                         regressed endpoints when it is 'off')
      --endpoint NAME    explain this endpoint (repeatable), e.g. --endpoint 'GET /api/search'
      --before-ref REF   build the before side from this git ref (the after recipe at REF)
  -h, --help             show this help

Exit status: 0 done, 2 error or bad usage, 130 interrupted.`;

export const explainCommand: Command = {
  name: 'explain',
  summary: "profile a saved run's endpoints on both builds: which functions' costs changed",
  help,
  async run(argv, ctx) {
    const args = parseCommandArgs(
      'explain',
      argv,
      {
        config: { type: 'string', short: 'c' },
        out: { type: 'string', short: 'o' },
        all: { type: 'boolean' },
        endpoint: { type: 'string', multiple: true },
        'before-ref': { type: 'string' },
      },
      false,
    );
    if (args.help) {
      write(ctx.stdout, help);
      return 0;
    }
    if (args.values.all && args.values.endpoint)
      throw new UsageError('--all and --endpoint: give one of them');
    const outDir = resolve(ctx.cwd, args.values.out ?? '.perfgate/run');
    const resultPath = join(outDir, 'result.json');
    const result = await loadResult(resultPath, true);
    const overrides = args.values['before-ref'] ? { beforeRef: args.values['before-ref'] } : {};
    const config: RunnableConfig = requireRunnable(
      applyOverrides(
        await loadConfig(resolve(ctx.cwd, args.values.config ?? 'perfgate.yml')),
        overrides,
        false,
        ctx.logger,
      ),
    );
    requireKnown(args.values.endpoint ?? [], result, resultPath);
    const mode: ExplainMode = args.values.all
      ? 'all'
      : config.explain.mode === 'off'
        ? 'auto'
        : config.explain.mode;
    const pidFile = runPidFile(outDir);
    await claimOutDir(pidFile, outDir, ctx.logger);
    const workload = await loadWorkload(config.workload, { routes: config.routes });
    const env = targetEnvironment(ctx.env, config.env);
    const requests = prepareRequests(config, workload.requests, ctx.env);
    const noAslr = !config.measure.aslr && (await aslrOffWorks());
    const builds: Partial<Record<Build, PreparedBuild>> = {};
    usePidFile(pidFile);
    try {
      const ready = await prepareBuilds(
        { config, overrides, env, signal: ctx.signal, logger: ctx.logger },
        builds,
      );
      const explained = await attachExplanation(result, {
        config,
        builds: ready,
        requests,
        env,
        noAslr,
        outDir,
        signal: ctx.signal,
        logger: ctx.logger,
        mode,
        ...(args.values.endpoint ? { endpoints: args.values.endpoint } : {}),
      });
      for (const e of [
        writeOutput(resultPath, renderJson(explained)),
        writeOutput(join(outDir, 'report.md'), renderMarkdown(explained)),
      ])
        if (e) throw e;
      if (!explained.explain) {
        write(ctx.stdout, 'explain: no endpoint to explain (none regressed; try --all)');
        return 0;
      }
      for (const line of explainedLines(explained.explain, outDir)) write(ctx.stdout, line);
      for (const w of explained.explain.warnings) ctx.logger.warn(w);
      ctx.logger.info(`result:  ${resultPath}\nreport:  ${join(outDir, 'report.md')}`);
      return 0;
    } finally {
      usePidFile(undefined);
      await removeBuilds(builds);
    }
  },
};

/** One line per explained endpoint: its change per request and the function that moved most. */
function explainedLines(x: Explanation, outDir: string): string[] {
  return x.endpoints.map((e) => {
    const top = e.rows[0];
    const leader = top
      ? `${top.function} ${formatAmount(top.self.change, e.unit, true)} self`
      : (e.note ?? '—');
    const flame = e.flameGraph ? ` (${join(outDir, e.flameGraph)})` : '';
    return `${e.endpoint}: ${formatAmount(e.total.change, e.unit, true)} per request; top: ${leader}${flame}; profiling pass ${(e.wallMs / 1000).toFixed(1)} s`;
  });
}

function requireKnown(endpoints: readonly string[], result: RunResult, resultPath: string): void {
  const known = new Set(result.endpoints.map((e) => e.endpoint));
  for (const e of endpoints)
    if (!known.has(e))
      throw new UsageError(
        `--endpoint: '${e}' is not an endpoint of ${resultPath}`,
        `its endpoints: ${[...known].join(', ')}`,
      );
}
