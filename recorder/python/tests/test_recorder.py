"""Unit tests of perfgate_recorder; run by test/recorder/python.test.ts with Debian's python3."""

import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from perfgate_recorder import PerfgateWSGI, Recorder, Sampler, set_flag  # noqa: E402
from perfgate_recorder import lists  # noqa: E402
from perfgate_recorder.django import route_template  # noqa: E402


def lines(recorder):
    recorder.flush()
    out = []
    for f in recorder.stats()["files"]:
        with open(f) as fh:
            out += [json.loads(l) for l in fh if l.strip()]
    return out


class Lists(unittest.TestCase):
    def test_same_lists_as_perfgate_import(self):
        ts = json.loads(os.environ["PERFGATE_LISTS"])
        self.assertEqual(list(lists.CREDENTIAL_HEADERS), ts["headers"])
        self.assertEqual(list(lists.CREDENTIAL_PARAMS), ts["params"])
        self.assertEqual(list(lists.DROPPED_ON_IMPORT), ts["dropped"])


class Sampling(unittest.TestCase):
    def test_rate_zero_keeps_only_the_floor(self):
        t = [0.0]
        s = Sampler(0, floor=2, period_s=10, probe=1, clock=lambda: t[0])
        kept = [s.finish("GET /a", s.start())[0] for _ in range(5) if True]
        self.assertEqual(kept, [True, True, False, False, False])
        t[0] = 11
        self.assertEqual([s.finish("GET /a", s.start())[0] for _ in range(3)], [True, True, False])

    def test_rate_one_keeps_all(self):
        s = Sampler(1, floor=0)
        self.assertTrue(all(s.finish("GET /a", s.start())[0] for _ in range(10)))

    def test_weights_add_up_and_known_paths_are_not_probed(self):
        import random as rnd

        r = rnd.Random(4)
        t = [0.0]
        s = Sampler(0.01, floor=2, period_s=5, probe=0.1, clock=lambda: t[0], rand=r.random)
        traffic = [("GET /hot", "/hot", 0.9), ("GET /warm", "/warm", 0.09), ("GET /rare", "/rare", 0.01)]
        seen, weight, measured = {}, {}, 0
        for _ in range(200000):
            t[0] += 0.001
            u = r.random()
            for endpoint, path, share in traffic:
                u -= share
                if u < 0:
                    break
            seen[endpoint] = seen.get(endpoint, 0) + 1
            env = {"REQUEST_METHOD": "GET", "PATH_INFO": path}
            d = s.start(env)
            if not d:
                continue
            measured += 1
            keep, w = s.finish(endpoint, d, ("GET", path))
            if keep:
                weight[endpoint] = weight.get(endpoint, 0) + w
        for endpoint, _, share in traffic:
            ratio = weight[endpoint] / seen[endpoint]
            # /rare's ~20 rate records weigh 100 each: its sum is good to about ±25 %.
            slack = 0.1 if share > 0.05 else 0.4
            self.assertGreater(ratio, 1 - slack, endpoint)
            self.assertLess(ratio, 1 + slack, endpoint)
        # The rate's ~2000 plus a few floor records a period: probes of known paths are free.
        self.assertLess(measured, 4000)


class Wsgi(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def test_record_redacted_measured_until_close(self):
        rec = Recorder(os.path.join(self.dir, "r.jsonl"), rate=1, commit="c1", host="h1")
        order = []

        def app(environ, start_response):
            set_flag(environ, "beta", True)
            body = environ["wsgi.input"].read()
            start_response("201 Created", [("Content-Type", "text/plain")])

            def stream():
                order.append("iterated")
                yield b"ok " + body

            return stream()

        app = PerfgateWSGI(app, rec)
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/users/42", "QUERY_STRING": "token=abc&x=1",
            "CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": "Bearer s", "HTTP_COOKIE": "a=b",
            "HTTP_X_TRACE": "t", "HTTP_HOST": "example.com",
            "wsgi.input": io.BytesIO(b'{"user":"ann","password":"hunter2"}'),
        }
        body = app(environ, lambda status, headers: None)
        self.assertEqual(b"".join(body), b'ok {"user":"ann","password":"hunter2"}')
        rec.flush()
        self.assertEqual(rec.stats()["written"], 0)  # not before close()
        body.close()
        [line] = lines(rec)
        self.assertEqual(line["url"], "/users/42?token=REDACTED&x=1")
        self.assertEqual(line["headers"], {"content-type": "application/json", "x-trace": "t"})
        self.assertEqual(json.loads(line["body"]), {"user": "ann", "password": "REDACTED"})
        meta = line["meta"]
        self.assertEqual(meta["endpoint"], "POST /users/:id")
        self.assertEqual(meta["status"], 201)
        self.assertEqual(meta["requestBytes"], 35)
        self.assertEqual(meta["flags"], {"beta": True})
        self.assertEqual((meta["commit"], meta["host"]), ("c1", "h1"))
        self.assertIn(meta["cpu"]["counter"], ("instructions", "task-clock", "thread-cpu"))
        self.assertGreater(meta["cpu"]["value"], 0)
        self.assertNotIn("hunter2", json.dumps(line))

    def test_failing_sink_logged_once_app_unharmed(self):
        blocker = os.path.join(self.dir, "file")
        open(blocker, "w").close()
        errors = []
        rec = Recorder(os.path.join(blocker, "r.jsonl"), rate=1, on_error=errors.append)
        app = PerfgateWSGI(lambda e, sr: (sr("200 OK", []), [b"x"])[1], rec)
        for _ in range(5):
            body = app({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, lambda s, h: None)
            self.assertEqual(b"".join(body), b"x")
            body.close()
            rec.flush()
        self.assertEqual(len(errors), 1)
        self.assertIn("cannot write", errors[0])
        self.assertEqual(rec.stats()["dropped"], 5)


class DjangoRoutes(unittest.TestCase):
    def test_route_templates(self):
        self.assertEqual(route_template("api/items/<int:pk>"), "/api/items/:pk")
        self.assertEqual(route_template("users/<slug>/posts"), "/users/:slug/posts")
        self.assertEqual(route_template(r"^api/search/(?P<q>[^/]+)/?$"), "/api/search/:q")


if __name__ == "__main__":
    unittest.main()
