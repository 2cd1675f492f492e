import { formatCpuList, probe, probeValgrind, EVENTS } from '../counters/index.js';
import type { Command } from './command.js';
import { parseCommandArgs, write } from './command.js';

const help = `Usage: perfgate probe [--json]

Reports what this machine can count: platform, kernel, kernel.perf_event_paranoid, whether each
perf event opens (and the errno when it does not), and which counter 'counter: auto' selects
(instructions where a hardware PMU is usable, else task-clock), and whether Valgrind is there
for 'counter: simulated' (instructions counted without a PMU).

Options:
  --json      print the report as JSON
  -h, --help  show this help

Exit status: 0 when something can be counted, 2 when nothing can.`;

export const probeCommand: Command = {
  name: 'probe',
  summary: 'report which perf counters work on this machine',
  help,
  async run(argv, ctx) {
    const args = parseCommandArgs('probe', argv, { json: { type: 'boolean' } }, false);
    if (args.help) {
      write(ctx.stdout, help);
      return 0;
    }
    const report = probe();
    const valgrind = probeValgrind();
    if (args.values.json) {
      write(ctx.stdout, JSON.stringify({ ...report, valgrind }, null, 2));
      return report.selected ? 0 : 2;
    }
    const lines = [
      `platform    ${report.platform}-${report.arch}, kernel ${report.kernel}`,
      `cpu         ${report.cpuModel} (${report.cpus} cpus${report.allowedCpus ? `, this process may use ${formatCpuList(report.allowedCpus)}` : ''})`,
      `hybrid      ${
        report.hybrid
          ? [report.hybrid.core, ...report.hybrid.others]
              .map((p) => `${p.name} (type ${p.type}) on CPUs ${formatCpuList(p.cpus)}`)
              .join('; ')
          : 'no'
      }`,
      `paranoid    kernel.perf_event_paranoid = ${report.paranoid ?? 'n/a'}`,
      `addon       ${report.native.loaded ? report.native.path : `not loaded: ${report.native.reason}`}`,
      `kernel mode ${report.kernelCounting ? 'countable' : 'not countable (user-space counting only)'}`,
      '',
      'events (user-space counting):',
      ...EVENTS.map((e) => {
        const st = report.events[e.name];
        const mark = st === undefined ? '?' : st.ok ? 'ok' : st.error;
        return `  ${e.name.padEnd(18)} ${e.kind.padEnd(9)} ${mark}`;
      }),
      '',
      `status      ${report.status}: ${report.message}`,
      `selected    ${report.selected ?? 'none'}${report.fallback ? ' (fallback)' : ''}`,
      `simulated   ${valgrind.ok ? `available: Valgrind ${valgrind.version} (counter: simulated)` : `not available: ${valgrind.reason}; ${valgrind.hint}`}`,
    ];
    if (report.hint) lines.push(`hint        ${report.hint}`);
    write(ctx.stdout, lines.join('\n'));
    return report.selected ? 0 : 2;
  },
};
