// The profilers the profiling pass injects into a target, as source text written to a folder of
// the output at run time (a bundler would drop or move files shipped beside the code). Neither
// changes the user's code: Node gets them through NODE_OPTIONS, Python through PYTHONPATH.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Node: V8's CPU profiler, started through the inspector from a preload (Node refuses
 * `--cpu-prof` in NODE_OPTIONS). On SIGTERM or SIGINT, which perfgate stops targets with, it
 * stops the profiler, writes PERFGATE_PROFILE_DIR/<pid>.cpuprofile and exits.
 */
export const NODE_PRELOAD = `'use strict';
// perfgate profiling pass: V8's CPU profiler for this process, written out when stopped.
(() => {
  const dir = process.env.PERFGATE_PROFILE_DIR;
  if (!dir) return;
  const inspector = require('node:inspector');
  const fs = require('node:fs');
  const path = require('node:path');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', {
    interval: Number(process.env.PERFGATE_PROFILE_INTERVAL_US) || 100,
  });
  session.post('Profiler.start');
  fs.writeFileSync(path.join(dir, process.pid + '.node'), String(process.ppid));
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    session.post('Profiler.stop', (error, result) => {
      try {
        if (error) process.stderr.write('perfgate profiler: ' + error.message + '\\n');
        if (!error && result && result.profile) {
          const file = path.join(dir, process.pid + '.cpuprofile');
          fs.writeFileSync(file + '.tmp', JSON.stringify(result.profile));
          fs.renameSync(file + '.tmp', file);
        }
      } catch (e) {
        process.stderr.write('perfgate profiler: ' + e + '\\n');
      }
    });
  };
  // Inspector calls within the thread answer synchronously, so this works in 'exit' too.
  process.once('exit', finish);
  // 'on', not 'once': a second SIGTERM (perfgate signals the group and each marked process)
  // must not find the default action, which would kill the process mid-write.
  for (const sig of ['SIGTERM', 'SIGINT'])
    process.on(sig, () => {
      finish();
      process.exit(0);
    });
})();
`;

/**
 * Python: cProfile in every process of the target (each forked worker its own), timed by the
 * thread's CPU time, started in the main thread at perfgate's first mark. A watcher thread dumps
 * the running totals whenever perfgate bumps the number in PERFGATE_PROFILE_DIR/ctl, so a window
 * of requests is the difference of two dumps. cProfile does not follow the watcher's thread.
 */
export const PYTHON_SITECUSTOMIZE = `# perfgate profiling pass (written by perfgate; only on PYTHONPATH of that pass).
import os as _os


def _perfgate_start():
    import cProfile, json, signal, sys, threading, time

    out = _os.environ.get("PERFGATE_PROFILE_DIR")
    if not out:
        return
    ctl = _os.path.join(out, "ctl")
    state = {"prof": None}
    # Profiling starts at the first mark, not at startup: under a CPU-time timer every call
    # costs a system call, and an app's import and warm-up would take minutes. The main thread,
    # where a sync worker serves requests, can only start its own profiler, so the watcher asks
    # it to with a signal (whose handler Python runs in the main thread).
    sig = signal.SIGRTMIN + 6

    def counter_timer(kind):
        # The thread's own counter through perf_event_open (pid 0, any CPU, no inherit), read
        # as the profiler's clock: instructions where a PMU exists, as the source program did.
        import ctypes, platform, struct

        number = {"x86_64": 298, "aarch64": 241}[platform.machine()]
        # type, config: PERF_TYPE_HARDWARE/INSTRUCTIONS, or PERF_TYPE_SOFTWARE/TASK_CLOCK.
        kind_type, config = {"instructions": (0, 1), "task-clock": (1, 1)}[kind]
        flags = (1 << 5) | (1 << 6)  # exclude_kernel, exclude_hv: allowed at paranoid 2
        attr = struct.pack("IIQQQQQ", kind_type, 112, config, 0, 0, 0, flags).ljust(112, b"\\0")
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        fd = libc.syscall(number, ctypes.c_char_p(attr), 0, -1, -1, 8)  # PERF_FLAG_FD_CLOEXEC
        if fd < 0:
            raise OSError(ctypes.get_errno(), "perf_event_open(%s)" % kind)
        read = _os.read
        return lambda: int.from_bytes(read(fd, 8), "little")

    def on_signal(_signum, _frame):
        if state["prof"] is None:
            kind = _os.environ.get("PERFGATE_PROFILE_TIMER", "thread-time")
            timer, name = time.thread_time_ns, "thread-time"
            if kind != "thread-time":
                try:
                    timer, name = counter_timer(kind), kind
                except Exception as error:
                    sys.stderr.write("perfgate profiler: %s; timing by thread CPU time\\n" % error)
            prof = cProfile.Profile(timer, 1e-9)
            prof.enable()
            state["prof"] = prof
            state["timer"] = name

    def alive():
        with open(_os.path.join(out, "%d.python" % _os.getpid()), "w") as f:
            f.write(str(_os.getppid()))

    def key(code):
        if isinstance(code, str):
            return ["~", 0, code]
        return [code.co_filename, code.co_firstlineno, getattr(code, "co_qualname", code.co_name)]

    def dump(seq):
        rows = []
        prof = state["prof"]
        for e in prof.getstats() if prof is not None else ():
            calls = [[key(s.code), s.callcount, s.totaltime, s.inlinetime] for s in e.calls or ()]
            rows.append([key(e.code), e.callcount, e.totaltime, e.inlinetime, calls])
        path = _os.path.join(out, "%d-%d.json" % (_os.getpid(), seq))
        with open(path + ".tmp", "w") as f:
            json.dump(
                {"pid": _os.getpid(), "seq": seq, "unit": "s", "timer": state.get("timer"), "stats": rows},
                f,
            )
        _os.replace(path + ".tmp", path)

    def watch():
        seen = None
        while True:
            try:
                with open(ctl) as f:
                    seq = int(f.read().strip() or "0")
            except (OSError, ValueError):
                seq = None
            if seq is not None and seq != seen:
                seen = seq
                try:
                    if state["prof"] is None:
                        signal.pthread_kill(threading.main_thread().ident, sig)
                        for _ in range(400):
                            if state["prof"] is not None:
                                break
                            time.sleep(0.005)
                    dump(seq)
                except Exception as error:  # never take the server down
                    sys.stderr.write("perfgate profiler: %s\\n" % error)
            time.sleep(0.005)

    def child():
        # A forked worker starts unprofiled, with its own watcher (threads do not survive fork).
        if state["prof"] is not None:
            state["prof"].disable()
            state["prof"] = None
        alive()
        threading.Thread(target=watch, name="perfgate-profiler", daemon=True).start()

    signal.signal(sig, on_signal)
    _os.register_at_fork(after_in_child=child)
    alive()
    threading.Thread(target=watch, name="perfgate-profiler", daemon=True).start()


try:
    _perfgate_start()
except Exception as _error:  # a broken profiler must not stop the server
    import sys as _sys
    _sys.stderr.write("perfgate profiler not started: %s\\n" % _error)

# Chain to the sitecustomize this one shadows (Debian ships one), so the target behaves as usual.
def _perfgate_chain():
    import importlib.util, sys
    here = _os.path.dirname(_os.path.abspath(__file__))
    for entry in sys.path:
        if not entry or _os.path.abspath(entry) == here:
            continue
        candidate = _os.path.join(entry, "sitecustomize.py")
        if _os.path.isfile(candidate):
            spec = importlib.util.spec_from_file_location("_perfgate_next_sitecustomize", candidate)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return


try:
    _perfgate_chain()
except Exception:
    pass
`;

export interface AgentFiles {
  nodePreload: string;
  pythonDir: string;
}

/** Writes the agents under `dir` and returns where they are. */
export function writeAgents(dir: string): AgentFiles {
  const pythonDir = join(dir, 'python');
  mkdirSync(pythonDir, { recursive: true });
  const nodePreload = join(dir, 'perfgate-node-preload.cjs');
  writeFileSync(nodePreload, NODE_PRELOAD);
  writeFileSync(join(pythonDir, 'sitecustomize.py'), PYTHON_SITECUSTOMIZE);
  return { nodePreload, pythonDir };
}

/** Quotes a path for NODE_OPTIONS, which splits on spaces unless quoted. */
function nodeOptionPath(path: string): string {
  return /[\s"\\]/.test(path) ? `"${path.replace(/(["\\])/g, '\\$1')}"` : path;
}

/** The environment that profiles a target: both runtimes' agents, whichever the target runs. */
/** The Python profiler's clock: the thread's CPU time, or its own perf_event_open counter. */
export type PythonTimer = 'thread-time' | 'instructions' | 'task-clock';

export function profilingEnv(
  base: NodeJS.ProcessEnv,
  agents: AgentFiles,
  profileDir: string,
  intervalUs: number,
  pythonTimer: PythonTimer = 'thread-time',
): NodeJS.ProcessEnv {
  const nodeOptions = [base.NODE_OPTIONS ?? '', `--require ${nodeOptionPath(agents.nodePreload)}`]
    .filter((s) => s !== '')
    .join(' ');
  const pythonPath = [agents.pythonDir, base.PYTHONPATH ?? ''].filter((s) => s !== '').join(':');
  return {
    ...base,
    NODE_OPTIONS: nodeOptions,
    PYTHONPATH: pythonPath,
    PERFGATE_PROFILE_DIR: profileDir,
    PERFGATE_PROFILE_INTERVAL_US: String(intervalUs),
    PERFGATE_PROFILE_TIMER: pythonTimer,
  };
}
