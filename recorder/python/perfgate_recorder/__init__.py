"""perfgate's request recorder for Python web services: samples live requests into perfgate's
workload format (one JSON line per request plus ``meta``: endpoint, status, latency, CPU cost,
commit, host, flags). Pure Python; WSGI and Django middlewares."""

from .recorder import Recorder, Sampler, set_flag, set_route
from .wsgi import PerfgateWSGI

__all__ = ["Recorder", "Sampler", "PerfgateWSGI", "set_flag", "set_route"]
