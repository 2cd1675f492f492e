#!/usr/bin/env python3
"""Independent ground truth for the Django example: how much each endpoint's CPU cost per request
really changes between the before and after builds. It shares no code with perfgate: it starts
gunicorn itself, warms each build with the whole workload, then measures long blocks of one
endpoint's requests at a time, alternately on the two builds, reading the CPU time of every
thread of the arbiter and its workers from /proc/<pid>/task/*/schedstat, over fresh pairs.

    /usr/bin/python3 examples/django/ground_truth.py [--pairs 4] [--warmup 1500] [--block 300]
"""

import argparse
import http.client
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def endpoint_of(r):
    path = r["url"].split("?")[0]
    return f'{r.get("method", "GET")} {re.sub(r"/[0-9]+(?=/|$)", "/:id", path)}'


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, build):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["gunicorn", "-w", "2", "--timeout", "120", "-b", f"127.0.0.1:{self.port}", "app:application"],
            cwd=os.path.join(HERE, build),
            env={**os.environ, "PYTHONHASHSEED": "0"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.conn = None
        for _ in range(600):
            try:
                if self.send({"method": "GET", "url": "/healthz"}) == 200:
                    return
            except OSError:
                self.conn = None
            time.sleep(0.05)
        raise RuntimeError(f"{build} did not start")

    def send(self, r):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body = r.get("body")
        self.conn.request(r.get("method", "GET"), r["url"], body=body, headers=r.get("headers", {}))
        res = self.conn.getresponse()
        res.read()
        return res.status

    def cpu_ns(self):
        pids = [self.proc.pid]
        children = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    stat = open(f"/proc/{d}/stat").read()
                    ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
                    children.setdefault(ppid, []).append(int(d))
                except OSError:
                    pass
        i = 0
        while i < len(pids):
            pids.extend(children.get(pids[i], []))
            i += 1
        total = 0
        for pid in pids:
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tids:
                try:
                    total += int(open(f"/proc/{pid}/task/{tid}/schedstat").read().split()[0])
                except OSError:
                    pass
        return total

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=1500)
    ap.add_argument("--block", type=int, default=320)
    ap.add_argument("--json")
    a = ap.parse_args()
    workload = [json.loads(l) for l in open(os.path.join(HERE, "workload.jsonl")) if l.strip()]
    groups = {}
    for r in workload:
        groups.setdefault(endpoint_of(r), []).append(r)
    ratios = {e: [] for e in groups}
    costs = {e: {"before": [], "after": []} for e in groups}
    for p in range(a.pairs):
        servers = [Server("before"), Server("after")]
        rng = random.Random(p)
        order = workload[:]
        for i in range(a.warmup):
            if i % len(order) == 0:
                rng.shuffle(order)
            for s in servers:
                s.send(order[i % len(order)])
        endpoints = list(groups)
        rng.shuffle(endpoints)
        for e in endpoints:
            reqs = groups[e]
            start = [s.cpu_ns() for s in servers]
            for i in range(a.block):
                for s in (servers if i % 2 == 0 else servers[::-1]):
                    s.send(reqs[i % len(reqs)])
            b, af = [(s.cpu_ns() - start[k]) / a.block for k, s in enumerate(servers)]
            ratios[e].append(af / b)
            costs[e]["before"].append(b)
            costs[e]["after"].append(af)
        for s in servers:
            s.stop()
        print(f"pair {p + 1}/{a.pairs} done", file=sys.stderr)
    print(f"warm-up {a.warmup} requests per process, blocks of {a.block} per endpoint, {a.pairs} fresh pairs")
    print("endpoint                 before µs  after µs  change   per-pair ratios")
    out = {}
    for e, rs in ratios.items():
        gm = math.exp(sum(math.log(r) for r in rs) / len(rs))
        mb = sum(costs[e]["before"]) / len(rs) / 1000
        ma = sum(costs[e]["after"]) / len(rs) / 1000
        out[e] = {"change": gm - 1, "ratios": rs, "beforeUs": mb, "afterUs": ma}
        print(f"{e:24} {mb:9.0f} {ma:9.0f}  {100 * (gm - 1):6.1f}%  " + " ".join(f"×{r:.2f}" for r in rs))
    if a.json:
        json.dump(out, open(a.json, "w"), indent=2)


if __name__ == "__main__":
    main()
