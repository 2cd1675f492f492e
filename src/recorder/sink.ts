// A rotating JSONL sink that never blocks the request path: lines are queued in memory and
// written by asynchronous appends (libuv's thread pool) in batches, one line per record, each
// ending in '\n'. Plain fs.write on a descriptor opened for appending, one thread-pool request a
// batch: FileHandle.appendFile ran several promise turns and allocations per batch, and at 1 %
// sampling a batch is often one record. A crash can cut only the batch being written, so every complete line parses.
// A failure to open or write is reported once through `onError`; the sink then drops records
// (counted) and tries a fresh file after `retryMs`. It never throws into the service.

import { close, closeSync, mkdirSync, open, openSync, write, writeSync } from 'node:fs';
import path from 'node:path';

export interface SinkOptions {
  /** `recordings/shop.jsonl` → files `recordings/shop.<UTC time>.<pid>.<n>.jsonl`. */
  path: string;
  /** Start a new file past this size (default 64 MiB). */
  maxBytes?: number;
  /** Start a new file after this long (default 1 h). */
  maxAgeMs?: number;
  /** How long records wait to be written in one batch (default 1 s: each batch wakes a
   * thread-pool thread, so at low rates fewer, fuller batches cost less CPU; process exit
   * still writes what is queued). */
  flushMs?: number;
  /** Queued bytes past which new records are dropped rather than held (default 8 MiB). */
  maxQueueBytes?: number;
  retryMs?: number;
  onError?: (message: string) => void;
  now?: () => number;
}

export interface SinkStats {
  written: number;
  dropped: number;
  files: string[];
  failed: boolean;
}

export class RotatingSink {
  private queue: string[] = [];
  private queued = 0;
  private fd: number | undefined;
  private file: string | undefined;
  private size = 0;
  private openedAt = 0;
  private seq = 0;
  private writing: Promise<void> | undefined;
  private scheduled = false;
  private failedAt: number | undefined;
  private reported = false;
  private closed = false;
  readonly stats: SinkStats = { written: 0, dropped: 0, files: [], failed: false };
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly maxQueueBytes: number;
  private readonly retryMs: number;
  private readonly flushMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SinkOptions) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxAgeMs = options.maxAgeMs ?? 60 * 60 * 1000;
    this.maxQueueBytes = options.maxQueueBytes ?? 8 * 1024 * 1024;
    this.retryMs = options.retryMs ?? 30_000;
    this.flushMs = options.flushMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** Queues one JSON line (without its newline). Returns false when it was dropped. */
  write(line: string): boolean {
    if (this.closed || (this.failedAt !== undefined && this.now() - this.failedAt < this.retryMs)) {
      this.stats.dropped++;
      return false;
    }
    if (this.queued + line.length > this.maxQueueBytes) {
      this.stats.dropped++;
      return false;
    }
    this.queue.push(`${line}\n`);
    this.queued += line.length + 1;
    // Batched: one asynchronous append per interval (or per 256 KiB), since each append
    // wakes a thread-pool thread, which costs more CPU than the records themselves.
    if (this.queued >= 256 * 1024) void this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => void this.flush(), this.flushMs).unref();
    }
    return true;
  }

  /** Writes everything queued; resolves when it is on disk (or dropped after a failure). */
  async flush(): Promise<void> {
    this.scheduled = false;
    while (this.writing) await this.writing;
    if (this.queue.length === 0) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
    });
    await this.writing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      this.queued = 0;
      const data = Buffer.from(batch.join(''));
      try {
        await this.ensureFile(data.length);
        await writeAll(this.fd!, data);
        this.size += data.length;
        this.stats.written += batch.length;
      } catch (error) {
        this.fail(error, batch.length);
        return;
      }
    }
  }

  private async ensureFile(incoming: number): Promise<void> {
    const stale =
      this.fd !== undefined &&
      ((this.size > 0 && this.size + incoming > this.maxBytes) ||
        this.now() - this.openedAt >= this.maxAgeMs);
    if (stale) await this.closeFile();
    if (this.fd !== undefined) return;
    const file = this.nextName();
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = await new Promise<number>((resolve, reject) =>
      open(file, 'a', (error, fd) => (error ? reject(error) : resolve(fd))),
    );
    this.file = file;
    this.size = 0;
    this.openedAt = this.now();
    this.stats.files.push(file);
    this.failedAt = undefined;
    this.stats.failed = false;
  }

  private nextName(): string {
    const parsed = path.parse(path.resolve(this.options.path));
    const stamp = new Date(this.now())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    this.seq++;
    return path.join(
      parsed.dir,
      `${parsed.name}.${stamp}.${process.pid}.${this.seq}${parsed.ext || '.jsonl'}`,
    );
  }

  private async closeFile(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    this.file = undefined;
    if (fd !== undefined) await new Promise<void>((resolve) => close(fd, () => resolve()));
  }

  private fail(error: unknown, lost: number): void {
    this.stats.dropped += lost + this.queue.length;
    this.queue = [];
    this.queued = 0;
    this.failedAt = this.now();
    this.stats.failed = true;
    void this.closeFile();
    if (this.reported) return;
    this.reported = true;
    const message = error instanceof Error ? error.message : String(error);
    try {
      this.options.onError?.(
        `perfgate recorder: cannot write ${this.file ?? this.options.path}: ${message}; dropping records (retrying every ${Math.round(this.retryMs / 1000)} s, reported once)`,
      );
    } catch {
      // A throwing logger must not reach the service either.
    }
  }

  /** At process exit, where nothing asynchronous runs: write what is queued synchronously. */
  flushSync(): void {
    if (this.queue.length === 0 || this.writing) return;
    const text = this.queue.join('');
    const count = this.queue.length;
    this.queue = [];
    this.queued = 0;
    try {
      if (this.fd !== undefined) writeSync(this.fd, text);
      else {
        const file = this.nextName();
        mkdirSync(path.dirname(file), { recursive: true });
        const fd = openSync(file, 'a');
        writeSync(fd, text);
        closeSync(fd);
        this.stats.files.push(file);
      }
      this.stats.written += count;
    } catch {
      this.stats.dropped += count;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.closeFile();
  }

  get currentFile(): string | undefined {
    return this.file;
  }
}

/** One write of the whole batch; a short write (rare on a regular file) is finished with more. */
function writeAll(fd: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number) =>
      write(fd, data, offset, data.length - offset, null, (error, written) => {
        if (error) reject(error);
        else if (offset + written < data.length) step(offset + written);
        else resolve();
      });
    step(0);
  });
}
