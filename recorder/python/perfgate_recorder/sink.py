"""A rotating JSONL sink that never blocks the request: lines go on a bounded queue and a
daemon thread appends them in batches, each line ending in a newline, so a killed process
leaves only complete lines plus at most one cut-off last line. A failing sink is logged once;
records are dropped (counted) and a new file is tried after ``retry_s``."""

import atexit
import logging
import os
import queue
import threading
import time

log = logging.getLogger("perfgate_recorder")


class RotatingSink:
    def __init__(self, path, max_bytes=64 << 20, max_age_s=3600, max_queue=10000, retry_s=30, on_error=None,
                 flush_s=1.0):
        # Each batch wakes the writer thread twice (and it takes the GIL from the serving
        # thread each time): at low rates, fewer and fuller batches cost less CPU.
        self.flush_s = flush_s
        self.path = os.path.abspath(path)
        self.max_bytes, self.max_age_s, self.retry_s = max_bytes, max_age_s, retry_s
        self.on_error = on_error or (lambda message: log.error(message))
        self.queue = queue.Queue(max_queue)
        self.written = self.dropped = 0
        self.files = []
        self.failed = False
        self._file = None
        self._size = 0
        self._opened = 0.0
        self._seq = 0
        self._failed_at = None
        self._reported = False
        self._pid = os.getpid()
        self._thread = None
        self._lock = threading.Lock()
        self._io = threading.Lock()
        self._wake = threading.Event()
        atexit.register(self._at_exit)

    def _at_exit(self):
        # Interpreter exit (a gunicorn worker stopping): write what the writer thread has not.
        if self._pid == os.getpid():
            self._drain()

    def write(self, line):
        if self._failed_at is not None and time.time() - self._failed_at < self.retry_s:
            self.dropped += 1
            return False
        self._ensure_thread()
        try:
            self.queue.put_nowait(line + "\n")
            self._wake.set()
            return True
        except queue.Full:
            self.dropped += 1
            return False

    def _ensure_thread(self):
        # gunicorn forks workers after import: each process needs its own writer thread.
        if self._thread is not None and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is not None and self._pid == os.getpid():
                return
            if self._pid != os.getpid():
                self._pid, self._file, self.files = os.getpid(), None, []
            self._thread = threading.Thread(target=self._run, name="perfgate-recorder", daemon=True)
            self._thread.start()

    def _run(self):
        while True:
            self._wake.wait()
            # Let records gather: one write (and one wake-up of this thread) per interval.
            time.sleep(self.flush_s)
            self._wake.clear()
            self._drain()

    def _drain(self):
        # Under a lock, so that exit and the writer thread never split a batch between them.
        with self._io:
            batch = []
            while True:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            if batch:
                self._write_batch(batch)
            for _ in batch:
                self.queue.task_done()

    def _write_batch(self, batch):
        data = "".join(batch).encode("utf-8")
        try:
            self._ensure_file(len(data))
            os.write(self._file, data)
            self._size += len(data)
            self.written += len(batch)
        except OSError as error:
            self._fail(error, len(batch))

    def _ensure_file(self, incoming):
        now = time.time()
        if self._file is not None and (
            (self._size and self._size + incoming > self.max_bytes) or now - self._opened >= self.max_age_s
        ):
            os.close(self._file)
            self._file = None
        if self._file is not None:
            return
        directory, name = os.path.split(self.path)
        stem, ext = os.path.splitext(name)
        self._seq += 1
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        path = os.path.join(directory, "%s.%s.%d.%d%s" % (stem, stamp, os.getpid(), self._seq, ext or ".jsonl"))
        os.makedirs(directory, exist_ok=True)
        self._file = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._size, self._opened = 0, now
        self.files.append(path)
        self._failed_at, self.failed = None, False

    def _fail(self, error, lost):
        self.dropped += lost
        self._failed_at, self.failed = time.time(), True
        if self._file is not None:
            try:
                os.close(self._file)
            except OSError:
                pass
            self._file = None
        if self._reported:
            return
        self._reported = True
        try:
            self.on_error(
                "perfgate recorder: cannot write %s: %s; dropping records (retrying every %d s, reported once)"
                % (self.path, error, self.retry_s)
            )
        except Exception:  # a failing logger must not reach the service either
            pass

    def flush(self, timeout=5.0):
        """Waits until everything queued is written (for tests and shutdown)."""
        deadline = time.time() + timeout
        while self.queue.unfinished_tasks and time.time() < deadline:
            time.sleep(0.005)
