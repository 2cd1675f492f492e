// Cost of one counter-group read of another process tree, idle and busy. A read of an inherited
// counter is a read() syscall; when target threads are running it also sends IPIs to their CPUs.

import { spawnCounted, probe, selectCounters } from '../src/counters/index.js';

export interface ReadCost {
  counter: string[];
  reads: number;
  idleNs: number;
  busyNs: number;
  /** The allocating read() beside the buffer read used by the replay loop. */
  idleObjectNs: number;
}

async function perRead(
  target: string[],
  events: string[],
  reads: number,
  useObject: boolean,
): Promise<number> {
  const { group, counters } = await spawnCounted(
    { argv: target, label: 'bench', stdio: 'capture' },
    events,
  );
  try {
    await new Promise((r) => setTimeout(r, 200)); // let the target start (and start spinning)
    const buf = counters.newBuffer();
    for (let i = 0; i < 1000; i++) counters.snapshot(buf); // warm up
    const t0 = process.hrtime.bigint();
    if (useObject) for (let i = 0; i < reads; i++) counters.read();
    else for (let i = 0; i < reads; i++) counters.snapshot(buf);
    return Number(process.hrtime.bigint() - t0) / reads;
  } finally {
    counters.close();
    await group.stop(1000);
  }
}

export async function measureReadCost(reads = 20_000): Promise<ReadCost> {
  const events = selectCounters(['auto'], probe()).all;
  const idle = ['sleep', '60'];
  const busy = [process.execPath, '-e', 'for(;;){}'];
  return {
    counter: events,
    reads,
    idleNs: await perRead(idle, events, reads, false),
    busyNs: await perRead(busy, events, reads, false),
    idleObjectNs: await perRead(idle, events, reads, true),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureReadCost();
  console.log(`counter group read (${r.counter.join(',')}), ${r.reads} reads each:`);
  console.log(
    `  idle target: ${r.idleNs.toFixed(0)} ns/read (allocating read(): ${r.idleObjectNs.toFixed(0)} ns)`,
  );
  console.log(`  busy target: ${r.busyNs.toFixed(0)} ns/read`);
}
