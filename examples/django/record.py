"""Records the Django example's traffic with perfgate's Django middleware, as production would:
gunicorn with two sync workers serving one build, the example's workload sent round and round,
every request measured and written by the worker that served it; the workers' files are then
joined into one workload that `perfgate run --workload` replays as is.

    /usr/bin/python3 examples/django/record.py [--requests 3000] [--build before|after]
        [--rate 1] [--out recordings/django.jsonl]

Needs Django and gunicorn (Debian: python3-django gunicorn)."""

import argparse
import glob
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def workload():
    out = []
    with open(os.path.join(HERE, "workload.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                out.append((r["method"], r["url"], r.get("headers", {}), r.get("body")))
    return out


def send(port, method, url, headers, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        data = None if body is None else (body if isinstance(body, str) else json.dumps(body)).encode()
        conn.request(method, url, body=data, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def wait_ready(port, proc, timeout_s=30):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("record.py: gunicorn exited with status %d before it was ready" % proc.returncode)
        try:
            if send(port, "GET", "/healthz", {}, None) == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("record.py: gunicorn was not ready on port %d within %d s" % (port, timeout_s))


def stop(proc):
    # gunicorn stops its workers on SIGTERM (they write what they hold at exit); the whole
    # group is killed if it does not stop in time.
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests to send (default 3000)")
    parser.add_argument("--build", choices=("before", "after"), default="before")
    parser.add_argument("--rate", type=float, default=1.0, help="the recorder's sampling rate (default 1)")
    parser.add_argument("--out", default="recordings/django.jsonl", help="the joined recording")
    args = parser.parse_args()
    if shutil.which("gunicorn") is None and subprocess.call(
        [sys.executable, "-c", "import gunicorn, django"], stderr=subprocess.DEVNULL
    ):
        raise SystemExit("record.py: needs Django and gunicorn (apt-get install python3-django gunicorn)")
    requests = workload()
    rec_dir = tempfile.mkdtemp(prefix="perfgate-django-rec-")
    port = free_port()
    env = dict(os.environ, PYTHONHASHSEED="0", PERFGATE_RECORD=os.path.join(rec_dir, "django.jsonl"),
               PERFGATE_RECORD_RATE=str(args.rate), PERFGATE_COMMIT=args.build)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", "127.0.0.1:%d" % port, "app:application"],
        cwd=os.path.join(HERE, args.build), env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    started = time.time()
    try:
        wait_ready(port, proc)
        statuses = {}
        for i in range(args.requests):
            status = send(port, *requests[i % len(requests)])
            statuses[status] = statuses.get(status, 0) + 1
            if (i + 1) % 1000 == 0:
                print("record.py: %d of %d requests (%.0f s)" % (i + 1, args.requests, time.time() - started),
                      file=sys.stderr)
    finally:
        stop(proc)
    files = sorted(glob.glob(os.path.join(rec_dir, "django.*.jsonl")))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    lines = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for name in files:
            with open(name, encoding="utf-8") as f:
                for line in f:
                    if line.endswith("\n"):  # a cut-off last line (a killed worker) is left out
                        out.write(line)
                        lines += 1
    shutil.rmtree(rec_dir, ignore_errors=True)
    pids = {os.path.basename(n).split(".")[2] for n in files}
    print("record.py: sent %d requests (status %s); %d records from %d workers in %s" % (
        args.requests, ", ".join("%d: %d" % kv for kv in sorted(statuses.items())), lines, len(pids), args.out))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
