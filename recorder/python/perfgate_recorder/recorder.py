"""The recorder shared by the WSGI and Django middlewares: sampling (a rate plus a per-endpoint
floor, as in perfgate's Node recorder), CPU readings, records and the sink."""

import math
import os
import random
import socket
import threading
import time
from datetime import datetime, timezone

from .cpu import open_meter
from .records import Policy, auto_endpoint_path, clean_headers, normalise_path, record_line, redact
from .sink import RotatingSink

ENVIRON_KEY = "perfgate.recorder"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Longest gap between two looks at the clock and the floor's state, in requests.
SKIP_CAP = 64


class Sampler:
    """Measure at start with probability ``rate`` (or ``floor_probe`` while an endpoint is owed
    its floor); keep at finish if the rate draw won or the endpoint is below its floor."""

    def __init__(self, rate, floor=1, period_s=60.0, probe=0.1, clock=time.time, rand=random.random):
        if not 0 <= rate <= 1 or not 0 <= probe <= 1:
            raise ValueError("rate and probe must be between 0 and 1")
        self.rate, self.floor, self.period_s, self.probe = rate, floor, period_s, probe
        # The chance that a request is measured while the floor probes.
        self.probe_p = rate + probe * (1 - rate)
        self.clock, self.rand = clock, rand
        self.start_at = clock()
        self.kept, self.since, self.paths = {}, {}, {}
        self.owed, self.discovering, self.found = 0, True, False
        self.lock = threading.Lock()
        self.countdown, self.pending, self.drawn_probing = 0, False, False
        self._draw(bool(floor))

    def _roll(self):
        now = self.clock()
        if now - self.start_at < self.period_s:
            return
        self.start_at = now
        self.discovering, self.found = self.found, False
        for key in self.kept:
            self.kept[key] = 0
        self.owed = len(self.kept) if self.floor else 0

    def skip(self):
        """The unsampled path on its own: True while inside a gap (the request is not measured).
        Requests between two measured ones are skipped by counting down a geometric gap rather
        than by a draw and a clock read each: the same Bernoulli choices at one decrement a
        request. Unlocked: a lost decrement under threads only shifts a gap by one."""
        self.countdown -= 1
        return self.countdown > 0

    def start(self, environ=None):
        """0 skip, 1 won the rate draw, 2 measured for the floor, 3 won the rate draw while
        probing. A probe of a path seen before whose endpoint has met its floor is counted
        towards that endpoint's weight and not measured (it could not be kept)."""
        return 0 if self.skip() else self.decide(environ)

    def decide(self, environ=None):
        """At the end of a gap: a measured request, or (after a capped gap) a fresh draw."""
        hit, drawn_probing = self.pending, self.drawn_probing
        probing = False
        if self.floor:
            if self.clock() - self.start_at >= self.period_s:
                with self.lock:
                    self._roll()
            probing = self.owed > 0 or self.discovering
        self._draw(probing)
        if not hit:
            return 0
        # Chosen as if by one draw r: r < rate wins the rate; rate <= r < probe_p probes.
        r = self.rand() * (self.probe_p if drawn_probing else self.rate)
        if r < self.rate:
            return 3 if probing else 1
        if not probing or r >= self.probe_p:
            return 0
        if environ is None:
            return 2
        key = path_key(environ)
        with self.lock:
            endpoint = self.paths.get(key)
            count = self.kept.get(endpoint) if endpoint is not None else None
            if count is None or count < self.floor:
                return 2
            self.since[endpoint] = self.since.get(endpoint, 0) + 1 / self.probe_p
            return 0

    def _draw(self, probing):
        """The next gap (requests until the next measured one, geometric), at most SKIP_CAP, so
        that the period clock and the floor's state are looked at every SKIP_CAP requests."""
        p = self.probe_p if probing else self.rate
        self.drawn_probing = probing
        if p >= 1:
            gap = 1
        elif p <= 0:
            gap = SKIP_CAP + 1
        else:
            gap = int(math.log(1.0 - self.rand()) / math.log(1.0 - p)) + 1
        self.pending = gap <= SKIP_CAP
        self.countdown = gap if self.pending else SKIP_CAP

    def finish(self, endpoint, decision, key=None):
        with self.lock:
            self._roll()
            if key is not None and self.paths.get(key) != endpoint:
                if len(self.paths) >= 10000:
                    self.paths.clear()
                self.paths[key] = endpoint
            count = self.kept.get(endpoint)
            if count is None and len(self.kept) < 1000:
                count = self.kept[endpoint] = 0
                self.found = True
                if self.floor:
                    self.owed += 1
            # What the request stands for: 1 / the chance it had of being measured.
            p = self.rate if decision == 1 else self.probe_p
            seen = self.since.get(endpoint, 0) + 1 / p
            keep = decision != 2 or (count is not None and count < self.floor)
            if not keep:
                self.since[endpoint] = seen
                return False, 0
            self.since[endpoint] = 0
            if count is not None:
                self.kept[endpoint] = count + 1
                if count + 1 == self.floor:
                    self.owed -= 1
            return True, seen


def path_key(environ):
    """What the sampler remembers paths by: method and path as the server received them."""
    return environ.get("REQUEST_METHOD", "GET"), environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")


class State:
    __slots__ = ("decision", "key", "t0", "cpu0", "route", "flags", "body", "bytes", "omitted", "status", "done")

    def __init__(self, decision):
        self.decision = decision
        self.key = None
        self.t0 = time.perf_counter_ns()
        self.cpu0 = 0
        self.route = None
        self.flags = {}
        self.body = []
        self.bytes = 0
        self.omitted = False
        self.status = 0
        self.done = False


class Recorder:
    """``Recorder(path, rate=0.01)``; share one per process (gunicorn: create it at import)."""

    def __init__(self, path, rate, floor=1, floor_period_s=60.0, floor_probe=0.1, routes=(),
                 redact_headers=(), redact_query=(), keep_secrets=False, max_body_bytes=64 * 1024,
                 max_bytes=64 << 20, max_age_s=3600, counter="auto", commit=None, host=None,
                 flags=None, on_error=None, clock=time.time, rand=random.random):
        self.sampler = Sampler(rate, floor, floor_period_s, floor_probe, clock, rand)
        self.sink = RotatingSink(path, max_bytes=max_bytes, max_age_s=max_age_s, on_error=on_error)
        self.meter, self.counter_reason = open_meter(counter)
        self.routes = [_compile(r) for r in routes]
        self.policy = None if keep_secrets else Policy(redact_headers, redact_query)
        self.redacted = {}
        self.max_body = max_body_bytes
        env = os.environ
        self.commit = commit or env.get("PERFGATE_COMMIT") or env.get("GIT_COMMIT") or env.get("SOURCE_VERSION")
        self.host = host or socket.gethostname()
        self.flags = flags
        self.clock = clock
        self.measured = self.recorded = 0

    # --- called by the middlewares -------------------------------------------------------
    def begin(self, environ=None):
        return None if self.sampler.skip() else self.begin_due(environ)

    def begin_due(self, environ=None):
        """begin() once the sampler's gap has run out (the WSGI middleware counts it down itself)."""
        decision = self.sampler.decide(environ)
        if not decision:
            return None
        self.measured += 1
        state = State(decision)
        if environ is not None:
            state.key = path_key(environ)
        meter = self.meter
        meter.begin()
        state.cpu0 = meter.read()
        return state

    def finish(self, state, environ):
        if state.done:
            return
        state.done = True
        meter = self.meter
        cpu1 = meter.read()
        meter.end()
        t1 = time.perf_counter_ns()
        try:
            self._record(state, environ, cpu1, t1)
        except Exception as error:  # never into the service
            self.sink.on_error("perfgate recorder: %r" % (error,))

    def _record(self, state, environ, cpu1, t1):
        method = environ.get("REQUEST_METHOD", "GET").upper()
        raw_path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        path = _quote(raw_path) or "/"
        query = environ.get("QUERY_STRING", "")
        url = path + ("?" + query if query else "")
        endpoint, source = self._endpoint(method, path, state.route)
        keep, weight = self.sampler.finish(endpoint, state.decision, state.key)
        if not keep:
            return
        flags = dict(self.flags(environ) or {}) if self.flags else {}
        flags.update(state.flags)
        meta = {
            "endpoint": endpoint,
            "endpointSource": source,
            "status": state.status,
            "latencyMs": (t1 - state.t0) / 1e6,
            "requestBytes": state.bytes,
        }
        if state.omitted:
            meta["bodyOmitted"] = True
        meta["cpu"] = {"counter": self.meter.counter, "unit": self.meter.unit, "value": cpu1 - state.cpu0}
        if self.commit:
            meta["commit"] = self.commit
        meta["host"] = self.host
        meta["pid"] = os.getpid()
        meta["time"] = datetime.fromtimestamp(self.clock(), timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        if flags:
            meta["flags"] = flags
        meta["sampled"] = "floor" if state.decision == 2 else "rate"
        record = {
            "method": method,
            "url": url,
            "headers": clean_headers(_environ_headers(environ)),
            "weight": weight,
        }
        if state.body and not state.omitted:
            record["body"] = b"".join(state.body)
        if source != "auto":
            record["endpoint"] = endpoint
        if self.policy is not None:
            redact(record, self.policy, self.redacted)
        if self.sink.write(record_line(record, meta)):
            self.recorded += 1

    def _endpoint(self, method, path, route):
        if route:
            return "%s %s" % (method, normalise_path(route.split("?")[0])), "route"
        pathname = normalise_path(path)
        for template_method, segments, template in self.routes:
            if template_method and template_method != method:
                continue
            got = pathname.split("/")
            if len(got) == len(segments) and all(
                (w.startswith(":") and len(w) > 1 and g != "") or w == g for w, g in zip(segments, got)
            ):
                return "%s %s" % (method, template), "routes"
        return "%s %s" % (method, auto_endpoint_path(pathname)), "auto"

    def flush(self, timeout=5.0):
        self.sink.flush(timeout)

    def stats(self):
        return {
            "measured": self.measured, "recorded": self.recorded, "written": self.sink.written,
            "dropped": self.sink.dropped, "files": list(self.sink.files), "failed": self.sink.failed,
            "counter": self.meter.counter, "redacted": dict(self.redacted),
        }


def set_flag(environ_or_request, key, value):
    """Attaches a flag state to the request being recorded (a WSGI environ or Django request)."""
    state = _state(environ_or_request)
    if state is not None:
        state.flags[key] = value if isinstance(value, (str, int, float, bool)) else str(value)


def set_route(environ_or_request, template):
    state = _state(environ_or_request)
    if state is not None and template:
        state.route = template


def _state(obj):
    environ = getattr(obj, "environ", obj)
    return environ.get(ENVIRON_KEY) if isinstance(environ, dict) else None


def _compile(template):
    parts = template.strip().split(None, 1)
    method, path = (parts[0].upper(), parts[1]) if len(parts) == 2 else (None, parts[0])
    path = normalise_path(path.split("?")[0])
    return method, path.split("/"), path


def _quote(raw):
    from urllib.parse import quote

    # PATH_INFO is bytes decoded as latin-1 (PEP 3333): re-encode, then %-encode what needs it.
    return quote(raw.encode("latin-1", "replace"), safe="/:@!$&'()*+,;=-._~%")


def _environ_headers(environ):
    pairs = []
    if environ.get("CONTENT_TYPE"):
        pairs.append(("content-type", environ["CONTENT_TYPE"]))
    for key, value in environ.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            pairs.append((key[5:].replace("_", "-").lower(), value.encode("latin-1", "replace").decode("utf-8", "replace")))
    return pairs
