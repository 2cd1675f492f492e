// Streams samples.jsonl as requests are measured. Lines are buffered briefly and flushed with
// synchronous writes — at every flush(), on close, and from a process 'exit' hook — so an error,
// a signal or a crash keeps what was measured.
//
// A write that fails (a full disk, a quota) is an OutputError naming the file and the cause; the
// file is cut back to its last whole line, so it never ends in half a sample, and every later
// write is dropped so the run can stop its targets and report.

import { closeSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { OutputError } from './files.js';
import type { SamplesLine } from './types.js';

/** The two calls the writer makes, replaceable in tests to fail the way a full disk does. */
export interface WriteOps {
  write(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
  truncate(fd: number, length: number): void;
}

const realOps: WriteOps = {
  write: (fd, buffer, offset, length, position) => writeSync(fd, buffer, offset, length, position),
  truncate: (fd, length) => ftruncateSync(fd, length),
};

export class SamplesWriter {
  readonly path: string;
  private fd: number | undefined;
  private pending: string[] = [];
  /** Bytes of whole lines in the file. */
  private committed = 0;
  private failure: OutputError | undefined;
  private readonly onExit = () => {
    try {
      this.close();
    } catch {
      /* an exit hook must not throw: the failure was reported when it happened */
    }
  };

  constructor(
    path: string,
    private readonly batch = 64,
    private readonly ops: WriteOps = realOps,
  ) {
    this.path = path;
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'w');
    } catch (error) {
      throw OutputError.from(path, error);
    }
    process.on('exit', this.onExit);
  }

  /** Bytes of whole lines written so far. */
  get bytes(): number {
    return this.committed;
  }

  /** Why writing stopped, if it did. */
  get error(): OutputError | undefined {
    return this.failure;
  }

  write(line: SamplesLine): void {
    if (this.failure) return;
    this.pending.push(JSON.stringify(line));
    if (this.pending.length >= this.batch) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.failure || this.pending.length === 0) return;
    const buffer = Buffer.from(`${this.pending.join('\n')}\n`, 'utf8');
    this.pending = [];
    let done = 0;
    try {
      // write(2) may write part of a buffer (a disk filling up): go on until all is written.
      while (done < buffer.length) {
        done += this.ops.write(this.fd, buffer, done, buffer.length - done, this.committed + done);
      }
      this.committed += buffer.length;
    } catch (error) {
      this.failure = OutputError.from(
        this.path,
        error,
        'the samples after the last whole line are lost',
      );
      try {
        if (done > 0) this.ops.truncate(this.fd, this.committed);
      } catch {
        /* the partial line stays; the reader reports it with its line number */
      }
      throw this.failure;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    try {
      this.flush();
    } finally {
      this.fd = undefined;
      closeSync(fd);
      process.off('exit', this.onExit);
    }
  }
}
