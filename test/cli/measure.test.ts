import { describe, expect, it } from 'vitest';
import { HAS_PMU } from '../helpers/pmu.js';
import { processesWith, runCli, startCli, waitFor } from '../helpers/cli.js';

// The commands burn a set CPU time beyond what they had used when they began, so the work is the
// same on a fast machine as on a slow or busy one, then print the CPU time they used (getrusage).
const burnUntil = (ms: number) =>
  `let x=0; const cpu=()=>{const u=process.cpuUsage(); return u.user+u.system}; const end=cpu()+${ms * 1000}; while (cpu()<end) for (let i=0;i<1e5;i++) x+=i%7;`;

/** Two worker threads burn 400 ms of the process's CPU time; then it prints its CPU time. */
const twoThreads = `
const { Worker } = require('node:worker_threads');
const burn = ${JSON.stringify(`${burnUntil(400)} require("node:worker_threads").parentPort.postMessage(x)`)};
let left = 2;
for (let t = 0; t < 2; t++) new Worker(burn, { eval: true }).once('message', () => {
  if (--left === 0) { const u = process.cpuUsage(); console.error('CPU_US=' + (u.user + u.system)); }
});`;

const burnOne = (tag: string) =>
  `node -e "${burnUntil(200)} const u=process.cpuUsage(); console.error('${tag}=' + (u.user+u.system))"`;

function reported(stderr: string, tag: string): number {
  const m = new RegExp(`${tag}=(\\d+)`).exec(stderr);
  if (!m) throw new Error(`no ${tag} in ${stderr}`);
  return Number(m[1]) * 1000; // µs → ns
}

/** CPU a command may use before the counted exec (a fork and a shell's start-up), in ns. */
const PRE_EXEC_NS = 2e7;

describe('perfgate measure', () => {
  it('counts every thread of the command (task-clock at least the CPU time it reports)', async () => {
    const r = await runCli([
      'measure',
      '--counter',
      'task-clock',
      '--json',
      '--',
      process.execPath,
      '-e',
      twoThreads,
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      counters: Record<string, number>;
      exitCode: number;
      wallMs: number;
    };
    const cpu = reported(r.stderr, 'CPU_US');
    expect(out.exitCode).toBe(0);
    expect(out.wallMs).toBeGreaterThan(0);
    console.info(
      `task-clock ${(out.counters['task-clock']! / 1e6).toFixed(1)} ms, process CPU ${(cpu / 1e6).toFixed(1)} ms`,
    );
    // The count runs from exec to exit and includes the CPU time the process reported before
    // it exited: 400 ms or more in the workers, which a count of the main thread would miss.
    expect(cpu).toBeGreaterThanOrEqual(4e8);
    expect(out.counters['task-clock']!).toBeGreaterThanOrEqual(cpu - PRE_EXEC_NS);
  });

  it('counts both children of \'sh -c "A & B & wait"\'', async () => {
    const r = await runCli([
      'measure',
      '--counter',
      'task-clock',
      '--json',
      '--',
      'sh',
      '-c',
      `${burnOne('A')} & ${burnOne('B')} & wait`,
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { counters: Record<string, number> };
    const a = reported(r.stderr, 'A');
    const b = reported(r.stderr, 'B');
    console.info(
      `task-clock ${(out.counters['task-clock']! / 1e6).toFixed(1)} ms, children ${((a + b) / 1e6).toFixed(1)} ms`,
    );
    // Each child used ≥ 200 ms and reported it before exiting: missing either fails this.
    expect(Math.min(a, b)).toBeGreaterThanOrEqual(2e8);
    expect(out.counters['task-clock']!).toBeGreaterThanOrEqual(a + b - PRE_EXEC_NS);
  });

  it('keeps the command on the CPUs --cpus names, and refuses CPUs it may not use', async () => {
    const r = await runCli([
      'measure',
      '--cpus',
      '0',
      '--json',
      '--',
      'sh',
      '-c',
      'grep Cpus_allowed_list /proc/self/status',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Cpus_allowed_list:\t0');
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as object).toMatchObject({
      cpus: '0',
    });
    const bad = await runCli(['measure', '--cpus', '4000', '--', 'true']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^perfgate measure: --cpus: CPU 4000 is not available here \(perfgate may use /,
    );
    const malformed = await runCli(['measure', '--cpus', 'some', '--', 'true']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain(
      "--cpus: expected auto, all or a CPU list such as 2-3: 'some' is not a CPU number or range",
    );
  });

  it("exits with the command's exit code", async () => {
    const r = await runCli(['measure', '--', 'sh', '-c', 'exit 7']);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('exit code 7');
  });

  it('fails clearly, without a stack trace, for a command that does not exist', async () => {
    const r = await runCli(['measure', '--', 'no-such-command-perfgate']);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('command not found: no-such-command-perfgate');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown counter and lists the known ones', async () => {
    const r = await runCli(['measure', '--counter', 'instrucshuns', '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown counter 'instrucshuns'");
    expect(r.stderr).toContain('task-clock');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.skipIf(HAS_PMU)('refuses instructions where there is no PMU, naming the reason', async () => {
    const r = await runCli(['measure', '--counter', 'instructions', '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "counter 'instructions' is not available here: this machine has no hardware PMU",
    );
  });

  it('stops the whole tree on SIGINT, prints what it counted and exits non-zero', async () => {
    const marker = `perfgate-measure-${process.pid}-${Date.now()}`;
    const { child, done } = startCli([
      'measure',
      '--json',
      '--',
      'bash',
      '-c',
      `(exec -a ${marker} sleep 30) & (exec -a ${marker} sleep 30) & wait`,
    ]);
    expect(await waitFor(() => processesWith(marker).length === 2, 10_000)).toBe(true);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).not.toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ interrupted: 'SIGINT' });
    expect(processesWith(marker)).toEqual([]);
  });

  it('kills what the command left running in the background', async () => {
    const marker = `perfgate-bg-${process.pid}-${Date.now()}`;
    const r = await runCli([
      'measure',
      '--',
      'bash',
      '-c',
      `(exec -a ${marker} sleep 30) & exit 0`,
    ]);
    expect(r.code).toBe(0);
    expect(await waitFor(() => processesWith(marker).length === 0, 3000)).toBe(true);
  });
});

describe('perfgate probe', () => {
  it('reports the events and the counter auto selects', async () => {
    const r = await runCli(['probe', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      paranoid: number;
      events: Record<string, { ok: boolean; error?: string }>;
      selected: string;
    };
    expect(typeof out.paranoid).toBe('number');
    expect(out.events['task-clock']).toEqual({ ok: true });
    if (HAS_PMU) expect(out.selected).toBe('instructions');
    else {
      expect(out.selected).toBe('task-clock');
      expect(out.events['instructions']).toEqual({ ok: false, error: 'ENOENT' });
    }
  });
});

describe('help', () => {
  it.each([['probe'], ['measure']])('perfgate %s --help', async (cmd) => {
    const r = await runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: perfgate ${cmd}`);
  });

  it('lists commands and rejects unknown ones', async () => {
    expect((await runCli(['--help'])).stdout).toContain('Commands:');
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});
