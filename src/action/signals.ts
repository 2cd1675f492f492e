// On cancellation the runner sends SIGINT, then SIGTERM a few seconds later, then kills the
// process. The first signal aborts the gate so it stops its targets and keeps what it measured;
// leftovers are the post step's job.

import { InterruptedError } from '../errors.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
}

export interface SignalWatch {
  signal: AbortSignal;
  dispose(): void;
}

export function abortOnSignals(source: SignalSource, log: (message: string) => void): SignalWatch {
  const controller = new AbortController();
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const listener = () => {
      if (controller.signal.aborted) {
        log(`received ${name} again: still stopping the targets`);
        return;
      }
      log(`received ${name}: stopping the targets`);
      controller.abort(new InterruptedError(name));
    };
    source.on(name, listener);
    return [name, listener] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, listener] of listeners) source.off(name, listener);
    },
  };
}
