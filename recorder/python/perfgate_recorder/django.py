"""Django middleware. Put it first in MIDDLEWARE and configure it in settings:

    MIDDLEWARE = ["perfgate_recorder.django.RecorderMiddleware", ...]
    PERFGATE_RECORDER = {"path": "/var/log/app/perfgate.jsonl", "rate": 0.01}

It names each request by its URL pattern (``resolver_match.route``: ``api/items/<int:pk>`` ->
``/api/items/:pk``) and measures until Django's response is closed, which the WSGI server does
after sending the last byte (so streaming responses are counted). If the WSGI application is
already wrapped by ``PerfgateWSGI``, this middleware only supplies the route."""

import re

from .recorder import ENVIRON_KEY, Recorder, set_flag  # noqa: F401  (re-exported for views)

_CONVERTER = re.compile(r"<(?:[^>:]+:)?([^>]+)>")
_GROUP = re.compile(r"\(\?P<([^>]+)>[^)]*\)")
_recorder = None


def _shared():
    global _recorder
    if _recorder is None:
        from django.conf import settings

        _recorder = Recorder(**getattr(settings, "PERFGATE_RECORDER", {}))
    return _recorder


def route_template(route):
    """``api/items/<int:pk>`` or ``^api/items/(?P<pk>\\d+)/$`` -> ``/api/items/:pk``."""
    template = _GROUP.sub(r":\1", route)
    template = _CONVERTER.sub(r":\1", template)
    template = template.lstrip("^").rstrip("$").replace("\\", "")
    template = re.sub(r"/\?$", "", template)  # an optional trailing slash
    return "/" + template.lstrip("/")


class RecorderMiddleware:
    def __init__(self, get_response, recorder=None):
        self.get_response = get_response
        self.recorder = recorder

    def __call__(self, request):
        environ = request.environ
        own = None
        if ENVIRON_KEY not in environ:
            recorder = self.recorder or _shared()
            own = recorder.begin(environ)
            if own is not None:
                environ[ENVIRON_KEY] = own
        try:
            response = self.get_response(request)
        except BaseException:
            if own is not None:
                own.status = 500
                (self.recorder or _shared()).finish(own, environ)
            raise
        if own is not None:
            own.status = response.status_code
            _keep_body(request, own, (self.recorder or _shared()).max_body)
            # Run when the server closes the response (after the body is sent).
            recorder = self.recorder or _shared()
            response._resource_closers.append(lambda: recorder.finish(own, environ))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = request.environ.get(ENVIRON_KEY)
        match = getattr(request, "resolver_match", None)
        if state is not None and match is not None and getattr(match, "route", None):
            state.route = route_template(match.route)
        return None


def _keep_body(request, state, cap):
    # Django has already wrapped wsgi.input; the body it read (request.body, form posts) is
    # cached on the request. Multipart uploads are streamed and not kept.
    body = getattr(request, "_body", None)
    if not isinstance(body, bytes) or state.body:
        return
    state.bytes = len(body)
    if len(body) > cap:
        state.omitted = True
    elif body:
        state.body = [body]
