// One measured pass over the workload on one running target: the replay's hot loop. Per request:
// read the counter group, send, read again when the last response byte is in, write the delta.

import { TargetError, errorMessage } from '../errors.js';
import type { SamplesWriter } from '../samples/writer.js';
import type { RunningTarget } from '../targets/target.js';
import type { LocalClient } from './client.js';
import type { PreparedRequest } from './replay.js';

export interface PassOptions {
  round: number;
  /** Request indices in the order to send them. */
  order: readonly number[];
  settleMs: number;
  /** Called before each request (throws to stop) and after it (for progress). */
  beforeEach?: () => void;
  afterEach?: (done: number) => void;
}

const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function requestFailure(
  target: RunningTarget,
  req: PreparedRequest,
  error: unknown,
): TargetError {
  return (
    target.crashed() ??
    new TargetError(
      target.build,
      `request ${req.method} ${req.path} failed: ${errorMessage(error)}`,
      target.group.tail(),
    )
  );
}

/** Returns each request's status, indexed like `requests`. */
export async function measurePass(
  target: RunningTarget,
  client: LocalClient,
  requests: readonly PreparedRequest[],
  writer: SamplesWriter,
  options: PassOptions,
): Promise<Int16Array> {
  const { counters, build } = target;
  const events = counters.events;
  const a = counters.newBuffer();
  const b = counters.newBuffer();
  const delta = new Float64Array(events.length);
  const statuses = new Int16Array(requests.length);
  const settle = options.settleMs;
  let t0 = 0;
  const onSend = () => {
    t0 = now();
    counters.snapshot(a);
  };
  const onComplete = () => {
    if (settle === 0) counters.snapshot(b);
  };
  for (let k = 0; k < options.order.length; k++) {
    options.beforeEach?.();
    const index = options.order[k]!;
    const req = requests[index]!;
    const res = await client.send(req, onSend, onComplete).catch((e: unknown) => {
      throw requestFailure(target, req, e);
    });
    const latencyMs = now() - t0;
    if (settle > 0) {
      // Background work the request left behind (GC, deferred writes) belongs to its cost.
      await sleep(settle);
      counters.snapshot(b);
    }
    const multiplexed = counters.delta(a, b, delta);
    const values: Record<string, number> = {};
    for (let e = 0; e < events.length; e++) values[events[e]!] = delta[e]!;
    writer.write({
      endpoint: req.endpoint,
      build,
      round: options.round,
      request: req.id,
      status: res.status,
      bytes: res.bytes,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      value: delta[0]!,
      values,
      ...(multiplexed ? { multiplexed: true } : {}),
    });
    statuses[index] = res.status;
    options.afterEach?.(k + 1);
  }
  return statuses;
}
