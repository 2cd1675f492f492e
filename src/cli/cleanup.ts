import { resolve } from 'node:path';
import { cleanupLeftovers, describeCleanup } from '../targets/index.js';
import { UsageError } from '../errors.js';
import type { Command } from './command.js';
import { parseCommandArgs, write } from './command.js';
import { runPidFile } from './run.js';

const help = `Usage: perfgate cleanup [--out DIR]

Stops what a killed perfgate run left behind: the target servers listed in DIR/targets.pids, and
the temporary before.ref worktrees (${'$'}TMPDIR/perfgate-before-<pid>-*) of perfgate processes that
are gone, with their git worktree entries. 'perfgate run' does the same for its --out before it
starts. A run still in progress is left alone.

Options:
  -o, --out DIR   the run's output folder (default: .perfgate/run)
  -h, --help      show this help

Exit status: 0 done (whether or not anything was left), 2 error or bad usage.`;

export const cleanupCommand: Command = {
  name: 'cleanup',
  summary: 'stop the targets and remove the worktrees a killed run left behind',
  help,
  async run(argv, ctx) {
    const args = parseCommandArgs('cleanup', argv, { out: { type: 'string', short: 'o' } }, false);
    if (args.help) {
      write(ctx.stdout, help);
      return 0;
    }
    const outDir = resolve(ctx.cwd, args.values.out ?? '.perfgate/run');
    const cleaned = await cleanupLeftovers(runPidFile(outDir));
    if (cleaned.busy !== undefined) {
      throw new UsageError(
        `a perfgate run (pid ${cleaned.busy}) is still using ${outDir}; nothing was stopped`,
        'stop it with Ctrl-C, or wait for it to finish',
      );
    }
    write(ctx.stdout, describeCleanup(cleaned) ?? 'nothing left behind');
    return 0;
  },
};
