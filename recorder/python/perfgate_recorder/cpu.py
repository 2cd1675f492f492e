"""CPU cost of a request on the thread that serves it: the thread's instructions through
perf_event_open (via ctypes, as the source program did) where the kernel allows it, else its
CPU time from time.thread_time_ns() (CLOCK_THREAD_CPUTIME_ID). task-clock (the same CPU time
as a perf event) only when asked for: a perf event attached to a thread, even disabled, costs
the kernel work at every context switch of that thread, and a gunicorn worker switches several
times a request; the clock reads the same time with nothing attached. A perf event is enabled
only while a measured request is in flight on its thread (an enabled one costs more at each
switch)."""

import ctypes
import fcntl
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
_DISABLED, _EXCLUDE_KERNEL, _EXCLUDE_HV = 1, 1 << 5, 1 << 6
# _IO('$', 0) and _IO('$', 1)
_IOC_ENABLE, _IOC_DISABLE = 0x2400, 0x2401


def _perf_open(type_, config, exclude_kernel):
    if _SYSCALL is None:
        raise OSError("perf_event_open: unknown syscall number for " + platform.machine())
    libc = ctypes.CDLL(None, use_errno=True)
    attr = ctypes.create_string_buffer(_ATTR_SIZE)
    flags = _DISABLED | ((_EXCLUDE_KERNEL | _EXCLUDE_HV) if exclude_kernel else 0)
    # type, size, config, sample_period, sample_type, read_format (0: one u64 a read), flags
    struct.pack_into("IIQQQQQ", attr, 0, type_, _ATTR_SIZE, config, 0, 0, 0, flags)
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

    def _fd(self):
        # One counter per thread: each gunicorn thread counts only its own work.
        local = self._local
        fd = getattr(local, "fd", None)
        if fd is None:
            fd = local.fd = _perf_open(*self._spec)
            local.active = 0
        return fd

    def read(self):
        return struct.unpack("Q", os.read(self._fd(), 8))[0]

    def begin(self):
        """Around each measured request on this thread (nested when requests overlap); the
        count only grows while enabled, and every measured request lies inside an enabled
        stretch, so a difference of two reads inside one is the request's."""
        fd = self._fd()
        local = self._local
        if local.active == 0:
            fcntl.ioctl(fd, _IOC_ENABLE, 0)
        local.active += 1

    def end(self):
        local = self._local
        if getattr(local, "active", 0) > 0:
            local.active -= 1
            if local.active == 0:
                fcntl.ioctl(local.fd, _IOC_DISABLE, 0)


class _ThreadTime:
    counter = "thread-cpu"
    unit = "ns"

    read = staticmethod(time.thread_time_ns)

    @staticmethod
    def begin():
        pass

    @staticmethod
    def end():
        pass


def open_meter(choice="auto"):
    """Returns (meter, reason passed over or None)."""
    reasons = []
    specs = [
        ("instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, True),
        ("task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, False),
    ]
    for counter, type_, config, exclude_kernel in specs:
        if choice != counter and not (choice == "auto" and counter == "instructions"):
            continue
        try:
            return _PerfMeter(counter, type_, config, exclude_kernel), ("; ".join(reasons) or None)
        except OSError as error:
            reasons.append("%s: %s" % (counter, error))
    if choice in ("auto", "thread-cpu"):
        return _ThreadTime(), ("; ".join(reasons) or None)
    raise OSError("cannot count %s: %s" % (choice, "; ".join(reasons)))
