// `perfgate history add`: appends a result's per-run summary to a history file.

import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../errors.js';
import { appendRun } from '../history/file.js';
import { summarizeRun } from '../history/summary.js';
import { commitOf } from '../targets/worktree.js';
import { VERSION } from '../version.js';
import type { Command, CommandContext } from './command.js';
import { parseCommandArgs, write } from './command.js';
import { loadResult } from './result-file.js';

const help = `Usage: perfgate history add RESULT.json --history PATH [options]

Appends a summary of a result.json (per endpoint: the after build's mean cost per request with
its interval, n, weight and verdict; the counter, machine and CPU model; commit, branch, date
and perfgate version) as one line to a JSON Lines history file, created when missing. Adding
the same result twice adds it once. Concurrent writers on one machine wait for each other.

Keep the history of default-branch runs measured on one kind of machine: runs measured with
another counter or CPU model are kept but never mixed into one series.

Options:
  --history PATH     the history file (JSON Lines), e.g. perfgate-history.jsonl
  --commit SHA       the measured commit (default: HEAD of the checkout, else the result's
                     after build)
  --date ISO-DATE    when it was measured (default: the result's start time, else now)
  --branch NAME      default: $GITHUB_REF_NAME, else the checkout's current branch
  --repository URL   for commit links (default: from $GITHUB_SERVER_URL and $GITHUB_REPOSITORY)
  -h, --help         show this help

Exit status: 0 added (or already there), 2 error.`;

const run = promisify(execFile);

async function currentBranch(cwd: string): Promise<string | null> {
  try {
    const { stdout } = await run('git', ['-C', cwd, 'branch', '--show-current']);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

function isoDate(value: string, flag: string): string {
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new UsageError(`${flag} must be an ISO 8601 date, got '${value}'`);
  return new Date(t).toISOString();
}

async function add(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseCommandArgs('history add', argv, {
    history: { type: 'string' },
    commit: { type: 'string' },
    date: { type: 'string' },
    branch: { type: 'string' },
    repository: { type: 'string' },
  });
  if (args.help) {
    write(ctx.stdout, help);
    return 0;
  }
  if (args.positionals.length !== 1 || !args.values.history) {
    throw new UsageError(
      'perfgate history add: expected one RESULT.json and --history PATH',
      "run 'perfgate history add --help' for usage",
    );
  }
  const file = resolve(ctx.cwd, args.positionals[0]!);
  const history = resolve(ctx.cwd, args.values.history);
  const result = await loadResult(file);
  const commit = args.values.commit ?? (await commitOf(ctx.cwd)) ?? result.run.builds.after.commit;
  if (!commit) {
    throw new UsageError(
      'perfgate history add: no commit: not in a git checkout and the result names none',
      'pass --commit SHA',
    );
  }
  const date = args.values.date
    ? isoDate(args.values.date, '--date')
    : result.run.startedAt
      ? isoDate(result.run.startedAt, "the result's run.startedAt")
      : new Date().toISOString();
  const env = ctx.env;
  const repository =
    args.values.repository ??
    (env.GITHUB_REPOSITORY
      ? `${(env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}`
      : null);
  const branch = args.values.branch ?? (env.GITHUB_REF_NAME || (await currentBranch(ctx.cwd)));
  const summary = summarizeRun(result, {
    commit,
    branch,
    date,
    repository: repository ? repository.replace(/\/+$/, '') : null,
    perfgate: VERSION,
  });
  const added = await appendRun(history, summary);
  write(
    ctx.stderr,
    added
      ? `perfgate history: added ${commit.slice(0, 12)} (${summary.endpoints.length} endpoints, ${summary.series.counter}) to ${history}`
      : `perfgate history: ${commit.slice(0, 12)} is already in ${history}; nothing added`,
  );
  return 0;
}

export const historyCommand: Command = {
  name: 'history',
  summary: 'keep default-branch results in a history file (history add)',
  help,
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      write(sub === undefined ? ctx.stderr : ctx.stdout, help);
      return sub === undefined ? 2 : 0;
    }
    if (sub !== 'add') {
      throw new UsageError(
        `perfgate history: unknown subcommand '${sub}'`,
        "run 'perfgate history --help' for usage",
      );
    }
    return add(rest, ctx);
  },
};
