import { constants } from 'node:os';
import {
  chooseCounting,
  probe,
  parseCounterList,
  spawnCounted,
  eventInfo,
  parseCpusSetting,
  type CounterChoice,
  type CpusSetting,
  type Reading,
} from '../counters/index.js';
import { interruption } from '../errors.js';
import { which } from '../proc/which.js';
import type { Command } from './command.js';
import { parseCommandArgs, write } from './command.js';
import { formatCost } from '../report/index.js';

const help = `Usage: perfgate measure [--counter NAME[,NAME...]] [--cpus LIST] [--json] [--no-aslr] -- CMD [ARGS...]

Runs CMD under perf counters, like 'perf stat', and prints the totals for its whole process
tree: every thread and every child or grandchild it creates is counted. CMD runs in its own
process group; on Ctrl-C the whole group is stopped and the counts so far are printed.

Options:
  --counter LIST  comma-separated events (default: auto = instructions,cycles where a PMU
                  exists, else task-clock,page-faults). See 'perfgate probe' for what works.
  --kernel        count kernel-mode work too (needs perf_event_paranoid <= 1 or CAP_PERFMON)
  --cpus LIST     CPUs CMD's whole tree may run on: auto (default; on a hybrid CPU the
                  performance cores, whose PMU counts it), all, or a list such as 2-3
  --no-aslr       run CMD with address-space randomisation off (setarch -R)
  --json          print {"counters": {...}, "exitCode": N, "wallMs": N, ...} as JSON
  -h, --help      show this help

Exit status: CMD's exit status (128+N when killed by signal N); 127 when CMD cannot be run;
2 for bad usage or when nothing can be counted here.`;

export const measureCommand: Command = {
  name: 'measure',
  summary: 'run a command under perf counters and print totals for its whole process tree',
  help,
  async run(argv, ctx) {
    const args = parseCommandArgs('measure', argv, {
      counter: { type: 'string' },
      cpus: { type: 'string' },
      json: { type: 'boolean' },
      kernel: { type: 'boolean' },
      'no-aslr': { type: 'boolean' },
    });
    if (args.help) {
      write(ctx.stdout, help);
      return 0;
    }
    const cmd = args.positionals;
    if (cmd.length === 0) {
      write(
        ctx.stderr,
        'perfgate measure: no command given (usage: perfgate measure -- CMD [ARGS...])',
      );
      return 2;
    }
    const resolved = which(cmd[0]!, ctx.env, ctx.cwd);
    if (!resolved) {
      write(ctx.stderr, `perfgate measure: command not found: ${cmd[0]}`);
      return 127;
    }
    let cpus: CpusSetting;
    try {
      cpus = parseCpusSetting(args.values.cpus ?? 'auto');
    } catch (error) {
      write(ctx.stderr, `perfgate measure: --cpus: ${(error as Error).message}`);
      return 2;
    }
    const placed = chooseCounting(parseCounterList(args.values.counter ?? 'auto'), cpus, probe());
    if (!placed.ok) {
      write(
        ctx.stderr,
        `perfgate measure: --cpus: ${placed.message}${placed.hint ? `\nhint: ${placed.hint}` : ''}`,
      );
      return 2;
    }
    const choice = placed.counter;
    const started = performance.now();
    const { group, counters } = await spawnCounted(
      {
        argv: cmd,
        cwd: ctx.cwd,
        env: ctx.env,
        label: 'measure',
        stdio: 'inherit',
        noAslr: args.values['no-aslr'] ?? false,
      },
      choice.all,
      args.values.kernel ?? false,
      placed.placement,
    );
    let interrupted: string | undefined;
    const onAbort = () => {
      interrupted = interruption(ctx.signal).signal;
      try {
        process.kill(-group.pid, 'SIGINT');
      } catch {
        /* already gone */
      }
      // Escalate if the command ignores the interrupt.
      setTimeout(() => void group.stop(2000), 3000).unref();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const exit = await group.exited;
    ctx.signal.removeEventListener('abort', onAbort);
    const wallMs = performance.now() - started;
    const reading = counters.read();
    counters.close();
    await group.stop(1000); // leftovers of the tree (background children) go too
    const exitCode = exit.code ?? 128 + (exit.signal ? (constants.signals[exit.signal] ?? 0) : 0);
    const totals: Totals = { cmd, choice, cpus: placed.cpus, reading, exit, exitCode, wallMs };
    if (args.values.json) write(ctx.stdout, jsonTotals(totals, interrupted));
    else write(ctx.stderr, textTotals(totals, counters.events));
    return exitCode;
  },
};

interface Totals {
  cmd: string[];
  choice: CounterChoice;
  cpus: string | null;
  reading: Reading;
  exit: { code: number | null; signal: string | null };
  exitCode: number;
  wallMs: number;
}

function jsonTotals(t: Totals, interrupted: string | undefined): string {
  return JSON.stringify(
    {
      command: t.cmd,
      counters: t.reading.values,
      counter: t.choice,
      cpus: t.cpus,
      exitCode: t.exitCode,
      ...(t.exit.signal ? { signal: t.exit.signal } : {}),
      wallMs: Math.round(t.wallMs * 1000) / 1000,
      timeEnabled: t.reading.enabled,
      timeRunning: t.reading.running,
      multiplexed: t.reading.multiplexed,
      ...(interrupted ? { interrupted } : {}),
    },
    null,
    2,
  );
}

/** `perf stat`'s layout: one line per counter, then the wall time and the exit. */
function textTotals(t: Totals, events: readonly string[]): string {
  const { reading, exit } = t;
  const lines = [``, ` Counters for '${t.cmd.join(' ')}' (whole process tree):`, ``];
  for (const name of events) {
    const unit = eventInfo(name)?.unit ?? '';
    const value = reading.values[name] ?? 0;
    const shown =
      unit === 'ns' ? formatCost(value, unit) : Math.round(value).toLocaleString('en-US');
    lines.push(`  ${shown.padStart(16)}  ${name}`);
  }
  lines.push('');
  lines.push(
    `  ${(t.wallMs / 1000).toFixed(3).padStart(12)} s wall, exit code ${t.exitCode}${exit.signal ? ` (${exit.signal})` : ''}`,
  );
  if (t.choice.fallback) lines.push(`  note: ${t.choice.reason}`);
  if (reading.multiplexed)
    lines.push('  warning: the PMU multiplexed this group; counts are incomplete (not scaled)');
  return lines.join('\n');
}
