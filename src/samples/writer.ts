// Streams samples.jsonl as requests are measured. Lines are buffered briefly and flushed with
// synchronous writes — at every flush(), on close, and from a process 'exit' hook — so an error,
// a signal or a crash keeps what was measured.

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SamplesLine } from './types.js';

export class SamplesWriter {
  readonly path: string;
  private fd: number | undefined;
  private pending: string[] = [];
  private readonly onExit = () => this.close();

  constructor(
    path: string,
    private readonly batch = 64,
  ) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
    process.on('exit', this.onExit);
  }

  write(line: SamplesLine): void {
    this.pending.push(JSON.stringify(line));
    if (this.pending.length >= this.batch) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    writeSync(this.fd, `${this.pending.join('\n')}\n`);
    this.pending = [];
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
    process.off('exit', this.onExit);
  }
}
