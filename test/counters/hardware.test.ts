// Hardware-counter semantics that only a real (or emulated) PMU can show: inherit into children
// and threads, the enable_on_exec handshake, multiplexing. Skipped where there is no PMU; CI runs
// them in the emulated arm64 guest (test/guest/guest.test.ts).

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CounterSet, loadBinding, spawnCounted } from '../../src/counters/index.js';
import { spawnBlocked } from '../../src/proc/index.js';
import { HAS_PMU, NO_PMU_REASON } from '../helpers/pmu.js';

const FIXTURE = join(import.meta.dirname, 'inherit.fixture.cjs');

/** Instructions of one command's whole tree, counted from its exec to its exit. */
async function instructionsOf(argv: string[]): Promise<number> {
  const { group, counters } = await spawnCounted({ argv, label: 'hw', stdio: 'capture' }, [
    'instructions',
  ]);
  const exit = await group.exited;
  const r = counters.read();
  counters.close();
  await group.stop(0);
  expect(exit.code).toBe(0);
  expect(r.multiplexed).toBe(false);
  return r.values['instructions']!;
}

const spread = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / Math.min(...xs);

describe.skipIf(!HAS_PMU)(`hardware semantics (${HAS_PMU ? 'PMU present' : NO_PMU_REASON})`, () => {
  // Extra iterations done only in the child or thread: at least one instruction each.
  const N = 20_000_000;

  it.each(['fork', 'worker'])('counts the work of a %s (inherit)', async (mode) => {
    const idle = await instructionsOf([process.execPath, FIXTURE, mode, '0']);
    const busy = await instructionsOf([process.execPath, FIXTURE, mode, String(N)]);
    console.info(`${mode}: ${idle} instructions idle, ${busy} with ${N} iterations in the ${mode}`);
    expect(busy - idle).toBeGreaterThan(N);
    // A JIT-compiled loop takes a handful of instructions per iteration, not hundreds.
    expect(busy - idle).toBeLessThan(100 * N);
  });

  it('counts nothing before exec: exec-ing true costs a small, repeatable count', async () => {
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) counts.push(await instructionsOf(['true']));
    // 4,000 arguments: the blocker shell's "$@" before the exec costs hundreds of thousands of
    // instructions more, none of which may be counted; true itself ignores its arguments.
    const long = await instructionsOf(['true', ...Array<string>(4000).fill('argument')]);
    console.info(`true: ${counts.join(', ')} instructions; with 4000 arguments ${long}`);
    expect(Math.min(...counts)).toBeGreaterThan(0);
    // 19,507 in the emulated guest; counting from open instead of exec made it 205,818.
    expect(Math.max(...counts)).toBeLessThan(100_000);
    expect(spread(counts)).toBeLessThan(0.002);
    expect(long - Math.min(...counts)).toBeLessThan(4000 * 10);
  });

  it('reports a group starved of counters as multiplexed, with its counts unscaled', async () => {
    const native = loadBinding();
    if (!native.bound) throw new Error(native.reason);
    const argv = [process.execPath, '-e', 'let x=0; for (let i=0;i<3e7;i++) x+=i%7;'];
    const full = await instructionsOf(argv);

    const group = spawnBlocked({ argv, label: 'mux', stdio: 'capture' });
    const opts = { inherit: true, enableOnExec: true, excludeKernel: true };
    const measured = CounterSet.open(group.pid, ['instructions', 'cycles'], { enableOnExec: true });
    // More instruction events than the PMU has counters, in groups that each fit on their own:
    // the kernel must rotate them, so none counts all the time.
    const rivals = [0, 1].map(() =>
      native.native.open(group.pid, Array(6).fill('instructions'), opts),
    );
    group.release();
    expect((await group.exited).code).toBe(0);
    const r = measured.read();
    const rival = native.native.read(rivals[0]!);
    measured.close();
    for (const h of rivals) native.native.close(h);
    await group.stop(0);
    console.info(
      `multiplexed: ${r.values['instructions']} of ${full} instructions, running ${r.running} of ${r.enabled} ns`,
    );
    expect(r.multiplexed).toBe(true);
    expect(r.running).toBeLessThan(r.enabled);
    expect(rival.running).toBeLessThan(rival.enabled);
    // The raw count of the part of the run the group was on the PMU, not scaled up to the whole.
    expect(r.values['instructions']!).toBeGreaterThan(0);
    expect(r.values['instructions']!).toBeLessThan(full * 0.97);
  });

  it('refuses one group larger than the PMU, naming the event and errno', () => {
    const native = loadBinding();
    if (!native.bound) throw new Error(native.reason);
    let error: unknown;
    let handle: number | undefined;
    try {
      handle = native.native.open(0, Array(8).fill('instructions'), { inherit: false });
    } catch (e) {
      error = e;
    }
    if (handle !== undefined) native.native.close(handle);
    console.info(`8-event group: ${error instanceof Error ? error.message : 'opened'}`);
    expect(error).toMatchObject({ syscall: 'perf_event_open', event: 'instructions' });
  });
});
