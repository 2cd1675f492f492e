"""CPU cost of a request on the thread that serves it: the thread's instructions through
perf_event_open (via ctypes, as the source program did) where the kernel allows it, else its
task-clock the same way, else time.thread_time_ns() (CLOCK_THREAD_CPUTIME_ID)."""

import ctypes
import os
import platform
import struct
import threading
import time

_SYSCALL = {"x86_64": 298, "aarch64": 241, "arm64": 241}.get(platform.machine())
PERF_TYPE_HARDWARE, PERF_TYPE_SOFTWARE = 0, 1
PERF_COUNT_HW_INSTRUCTIONS, PERF_COUNT_SW_TASK_CLOCK = 1, 1
_ATTR_SIZE = 112  # PERF_ATTR_SIZE_VER5
# flags bitfield: bit 5 exclude_kernel, bit 6 exclude_hv
_EXCLUDE_KERNEL, _EXCLUDE_HV = 1 << 5, 1 << 6


def _perf_open(type_, config, exclude_kernel):
    if _SYSCALL is None:
        raise OSError("perf_event_open: unknown syscall number for " + platform.machine())
    libc = ctypes.CDLL(None, use_errno=True)
    attr = ctypes.create_string_buffer(_ATTR_SIZE)
    flags = (_EXCLUDE_KERNEL | _EXCLUDE_HV) if exclude_kernel else 0
    struct.pack_into("IIQQQQ", attr, 0, type_, _ATTR_SIZE, config, 0, 0, flags)
    libc.syscall.restype = ctypes.c_long
    fd = libc.syscall(_SYSCALL, attr, ctypes.c_int(0), ctypes.c_int(-1), ctypes.c_int(-1), ctypes.c_ulong(8))
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return fd


class _PerfMeter:
    def __init__(self, counter, type_, config, exclude_kernel):
        self.counter = counter
        self.unit = "count" if counter == "instructions" else "ns"
        self._spec = (type_, config, exclude_kernel)
        self._local = threading.local()
        os.close(_perf_open(*self._spec))  # raises here if not allowed: choose another meter

    def read(self):
        # One counter per thread: each gunicorn thread counts only its own work.
        fd = getattr(self._local, "fd", None)
        if fd is None:
            fd = self._local.fd = _perf_open(*self._spec)
        return struct.unpack("Q", os.read(fd, 8))[0]


class _ThreadTime:
    counter = "thread-cpu"
    unit = "ns"

    @staticmethod
    def read():
        return time.thread_time_ns()


def open_meter(choice="auto"):
    """Returns (meter, reason passed over or None)."""
    reasons = []
    specs = [
        ("instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, True),
        ("task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, False),
    ]
    for counter, type_, config, exclude_kernel in specs:
        if choice not in ("auto", counter):
            continue
        try:
            return _PerfMeter(counter, type_, config, exclude_kernel), ("; ".join(reasons) or None)
        except OSError as error:
            reasons.append("%s: %s" % (counter, error))
    if choice in ("auto", "thread-cpu"):
        return _ThreadTime(), ("; ".join(reasons) or None)
    raise OSError("cannot count %s: %s" % (choice, "; ".join(reasons)))
