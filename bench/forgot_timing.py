#!/usr/bin/env python3
"""Does POST /auth/forgot-password take as long for an unknown account as
for a known one? (No user enumeration by timing.)

Starts authd (release build) on a free port with a fresh data dir, signs up
one user, then sends N forgot-password requests alternating between the
known address and fresh unknown addresses over one keep-alive connection,
and prints the latency distribution of each kind.

  bench/forgot_timing.py [N]          (default 400; needs build/authd)
"""
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BIN = os.environ.get("AUTHD_BIN", os.path.join(REPO, "build", "authd"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    port = free_port()
    data = tempfile.mkdtemp(prefix="authd-forgot-timing-")
    log = open(os.path.join(data, "log"), "wb")
    proc = subprocess.Popen([BIN, "--port", str(port), "--data-dir", data,
                             "--rate-limit-enabled", "false", "--log-level", "error",
                             "--password-argon2-memory-kib", "1024",
                             "--password-argon2-time-cost", "1"], stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        c = http.client.HTTPConnection("127.0.0.1", port)
        hdr = {"Content-Type": "application/json"}

        def post(path, body):
            t0 = time.perf_counter()
            c.request("POST", path, json.dumps(body), hdr)
            r = c.getresponse()
            payload = r.read()
            return time.perf_counter() - t0, r.status, payload

        _, st, _ = post("/auth/signup", {"email": "known@example.com", "password": "Str0ng!Passw0rd"})
        assert st == 200, st
        times = {"known": [], "unknown": []}
        bodies = set()
        for i in range(20):  # warm-up
            post("/auth/forgot-password", {"email": "known@example.com"})
        for i in range(n):
            kind = "known" if i % 2 == 0 else "unknown"
            email = "known@example.com" if kind == "known" else f"nobody{i}@example.com"
            dt, st, body = post("/auth/forgot-password", {"email": email})
            assert st == 200, (st, body)
            bodies.add(body)
            times[kind].append(dt * 1000)
        assert len(bodies) == 1, bodies
        print(f"forgot-password, {n // 2} requests each, one keep-alive connection, ms")
        print(f"{'kind':8} {'p10':>7} {'p50':>7} {'p90':>7} {'mean':>7}")
        for kind, ts in times.items():
            q = statistics.quantiles(ts, n=10)
            print(f"{kind:8} {q[0]:7.2f} {statistics.median(ts):7.2f} {q[-1]:7.2f} "
                  f"{statistics.mean(ts):7.2f}")
        print("identical bodies:", len(bodies) == 1)
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
