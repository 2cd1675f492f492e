"""WSGI middleware: ``application = PerfgateWSGI(application, recorder)``. A request is measured
from the call until the server calls the body's ``close()``, so a streamed body is counted."""

from .recorder import BODY_METHODS, ENVIRON_KEY


class _TeeInput:
    """wsgi.input that keeps a copy of what the application reads, up to a cap."""

    def __init__(self, stream, state, cap):
        self._stream, self._state, self._cap = stream, state, cap

    def _keep(self, data):
        state = self._state
        state.bytes += len(data)
        if not state.omitted:
            if state.bytes > self._cap:
                state.omitted, state.body = True, []
            else:
                state.body.append(data)
        return data

    def read(self, *args):
        return self._keep(self._stream.read(*args))

    def readline(self, *args):
        return self._keep(self._stream.readline(*args))

    def readlines(self, *args):
        return [self._keep(line) for line in self._stream.readlines(*args)]

    def __iter__(self):
        for line in self._stream:
            yield self._keep(line)


class _ClosingBody:
    def __init__(self, body, on_close):
        self._body, self._on_close = body, on_close

    def __iter__(self):
        return iter(self._body)

    def close(self):
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._on_close()


class PerfgateWSGI:
    def __init__(self, app, recorder):
        self.app, self.recorder = app, recorder

    def __call__(self, environ, start_response):
        recorder = self.recorder
        # The unsampled path, inlined: a decrement (Sampler.skip) and the app.
        sampler = recorder.sampler
        sampler.countdown -= 1
        if sampler.countdown > 0:
            return self.app(environ, start_response)
        state = recorder.begin_due(environ)
        if state is None:
            return self.app(environ, start_response)
        environ[ENVIRON_KEY] = state
        if environ.get("REQUEST_METHOD", "").upper() in BODY_METHODS and "wsgi.input" in environ:
            environ["wsgi.input"] = _TeeInput(environ["wsgi.input"], state, recorder.max_body)

        def recording_start_response(status, headers, exc_info=None):
            try:
                state.status = int(str(status).split(" ", 1)[0])
            except ValueError:
                pass
            if exc_info is not None:
                return start_response(status, headers, exc_info)
            return start_response(status, headers)

        try:
            body = self.app(environ, recording_start_response)
        except BaseException:
            state.status = state.status or 500
            recorder.finish(state, environ)
            raise
        return _ClosingBody(body, lambda: recorder.finish(state, environ))
