"""Bounded soak: one authd process under moderate, steady load for
AUTHD_SOAK_SECONDS (default 120) seconds.

Load: THREADS worker threads, each looping
    [every 8th iteration: signup a new user]
    login -> GET /auth/me -> refresh -> GET /auth/me (new token)
    -> logout -> GET /auth/me (old session: 401 "Session not found")
with a short pause between iterations. Half of the workers use one keep-alive
connection, the other half a new connection per request (exercises accept and
close paths, i.e. the fd bookkeeping). Every answer is checked (status and the
key fields); any unexpected answer fails the soak.

Resources: every SAMPLE_EVERY seconds VmRSS (/proc/PID/status) and the number
of open fds (/proc/PID/fd) are sampled. After a warm-up (20% of the run, at
least 5 s) the baseline sample is taken; at the end:
  * fd count:  final <= baseline + 5
  * RSS:       final - baseline < 10 MiB
  * no growth trend over the last half: the least-squares line through the
    last-half samples must not project more than 4 MiB of growth over that
    half, and the last half must not be a strictly increasing run totalling
    more than 2 MiB.
The samples are printed (run with -s, as scripts/soak.sh does).

Run:  scripts/soak.sh [SECONDS]
  or  AUTHD_SOAK_SECONDS=60 /usr/bin/python3 -m pytest -s tests/soak
"""

import http.client
import json
import os
import sys
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from conftest import NO_THROTTLE, PASSWORD, AuthdServer, unique_email  # noqa: E402

DURATION = float(os.environ.get("AUTHD_SOAK_SECONDS", "120"))
THREADS = int(os.environ.get("AUTHD_SOAK_THREADS", "4"))
PAUSE = float(os.environ.get("AUTHD_SOAK_PAUSE", "0.005"))
SAMPLE_EVERY = max(1.0, min(5.0, DURATION / 40))
WARMUP = max(5.0, 0.2 * DURATION)
MIB = 1024 * 1024


def proc_rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def proc_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class Http:
    def __init__(self, port, keep):
        self.port = port
        self.keep = keep
        self.conn = None

    def req(self, method, path, body=None, bearer=None):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            self.conn.request(method, path, body=data, headers=headers)
            r = self.conn.getresponse()
            raw = r.read()
        except Exception:
            self.close()
            raise
        if not self.keep:
            self.close()
        js = None
        try:
            js = json.loads(raw)
        except ValueError:
            pass
        return r.status, js, raw

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = 0
        self.iterations = 0
        self.signups = 0
        self.errors = []

    def err(self, msg):
        with self.lock:
            if len(self.errors) < 50:
                self.errors.append(msg)


def worker(port, idx, stop, stats):
    h = Http(port, keep=(idx % 2 == 0))
    users = []
    n = 0

    def expect(what, got, status, pred=None):
        st, js, raw = got
        ok = st == status and (pred is None or (js is not None and pred(js)))
        if not ok:
            stats.err(f"worker {idx} iter {n}: {what}: expected {status}, got {st} {raw[:200]!r}")
        return ok, js

    try:
        while not stop.is_set():
            n += 1
            ops = 0
            try:
                if not users or n % 8 == 1:
                    email = unique_email(f"soak{idx}-")
                    ok, js = expect("signup", h.req("POST", "/auth/signup",
                                                    {"email": email, "password": PASSWORD}), 200,
                                    lambda j: j.get("message") == "Signup successful")
                    ops += 1
                    if ok:
                        users.append(email)
                        with stats.lock:
                            stats.signups += 1
                    # the signup session is not used further: log it out right away
                    if ok:
                        expect("logout signup session", h.req("POST", "/auth/logout", bearer=js["accessToken"]), 200)
                        ops += 1
                if not users:
                    continue
                email = users[n % len(users)]
                ok, js = expect("login", h.req("POST", "/auth/login",
                                               {"providerName": "email",
                                                "credentials": {"email": email, "password": PASSWORD}}), 200,
                                lambda j: j.get("message") == "Login successful")
                ops += 1
                if not ok:
                    continue
                at, rt = js["accessToken"], js["refreshToken"]
                expect("me", h.req("GET", "/auth/me", bearer=at), 200, lambda j: j.get("email") == email)
                ok, js = expect("refresh", h.req("POST", "/auth/refresh-token", {"refreshToken": rt}), 200,
                                lambda j: j.get("message") == "Token refreshed successfully")
                ops += 2
                if not ok:
                    continue
                at2 = js["accessToken"]
                expect("me after refresh", h.req("GET", "/auth/me", bearer=at2), 200,
                       lambda j: j.get("email") == email)
                expect("logout", h.req("POST", "/auth/logout", bearer=at2), 200,
                       lambda j: j.get("message") == "Logged out successfully")
                expect("me after logout", h.req("GET", "/auth/me", bearer=at2), 401,
                       lambda j: j.get("message") == "Session not found")
                ops += 3
            except Exception as e:  # noqa: BLE001 - a transport error is a soak failure
                stats.err(f"worker {idx} iter {n}: transport error {type(e).__name__}: {e}")
                h.close()
                time.sleep(0.2)
            with stats.lock:
                stats.ops += ops
                stats.iterations += 1
            if PAUSE:
                time.sleep(PAUSE)
    finally:
        h.close()


def trend_bytes(samples):
    """Least-squares slope (bytes/s) x time span of the given (t, rss) samples."""
    n = len(samples)
    if n < 3:
        return 0.0
    ts = [s[0] for s in samples]
    ys = [s[1] for s in samples]
    mt, my = sum(ts) / n, sum(ys) / n
    den = sum((t - mt) ** 2 for t in ts)
    if den == 0:
        return 0.0
    slope = sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / den
    return slope * (ts[-1] - ts[0])


@pytest.fixture
def soak_server():
    srv = AuthdServer(NO_THROTTLE, name="authd-soak")
    srv.start()
    yield srv
    try:
        if srv.proc is not None:
            srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def test_soak(soak_server):
    srv = soak_server
    pid = srv.proc.pid
    stats = Stats()
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(srv.port, i, stop, stats), daemon=True)
               for i in range(THREADS)]
    t0 = time.monotonic()
    samples = []  # (t, rss, fds, ops)

    def sample():
        assert srv.proc.poll() is None, f"authd died (exit {srv.proc.returncode}): {srv.output()[-2000:]}"
        samples.append((time.monotonic() - t0, proc_rss_bytes(pid), proc_fds(pid), stats.ops))

    sample()
    for t in threads:
        t.start()
    try:
        next_at = SAMPLE_EVERY
        while True:
            now = time.monotonic() - t0
            if now >= DURATION:
                break
            time.sleep(max(0.0, min(next_at, DURATION) - now))
            sample()
            next_at += SAMPLE_EVERY
            if stats.errors:
                break
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    time.sleep(0.5)  # let closed connections drain
    sample()

    # report
    base_i = next(i for i, s in enumerate(samples) if s[0] >= WARMUP) if samples[-1][0] >= WARMUP else len(samples) - 1
    base = samples[base_i]
    final = samples[-1]
    elapsed = final[0]
    lines = [f"soak: {elapsed:.1f}s, {THREADS} threads, {stats.iterations} iterations, {stats.ops} requests "
             f"({stats.ops / max(elapsed, 1e-9):.0f}/s), {stats.signups} signups, {len(stats.errors)} errors",
             f"{'t(s)':>7} {'RSS(MiB)':>9} {'fds':>5} {'requests':>9}"]
    for i, (t, rss, fds, ops) in enumerate(samples):
        mark = "  <- baseline (after warm-up)" if i == base_i else ""
        lines.append(f"{t:7.1f} {rss / MIB:9.2f} {fds:5d} {ops:9d}{mark}")
    half = [(t, rss) for (t, rss, _f, _o) in samples if t >= base[0] + (elapsed - base[0]) / 2]
    tr = trend_bytes(half)
    strictly_up = len(half) >= 3 and all(b[1] > a[1] for a, b in zip(half, half[1:]))
    lines.append(f"RSS baseline {base[1] / MIB:.2f} MiB -> final {final[1] / MIB:.2f} MiB "
                 f"(delta {(final[1] - base[1]) / MIB:+.2f} MiB); last-half trend {tr / MIB:+.2f} MiB "
                 f"over {len(half)} samples; fds baseline {base[2]} -> final {final[2]}")
    report = "\n".join(lines)
    print("\n" + report)

    assert not stats.errors, "unexpected answers during the soak:\n" + "\n".join(stats.errors[:20]) + "\n" + report
    assert stats.iterations > 0
    assert final[2] <= base[2] + 5, f"fd count grew: {base[2]} -> {final[2]}\n{report}"
    assert final[1] - base[1] < 10 * MIB, f"RSS grew by {(final[1] - base[1]) / MIB:.1f} MiB\n{report}"
    assert tr < 4 * MIB, f"RSS grows steadily over the last half ({tr / MIB:+.2f} MiB)\n{report}"
    assert not (strictly_up and half[-1][1] - half[0][1] > 2 * MIB), (
        f"RSS increased at every sample of the last half\n{report}")
