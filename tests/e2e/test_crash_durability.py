"""Crash durability under load (issue "Proof: hardening").

authd (throttling off, cheap argon2) serves a mixed load from several threads:
each thread signs up new users and keeps a refresh *chain* per user (refresh,
take the new refresh token, refresh again, ...). Every answer is recorded. At a
random moment (0.3-1.5 s) the process is killed with SIGKILL; SQLite's
`PRAGMA integrity_check` is run on the data dir's authd.db (python's sqlite3,
server dead); authd is restarted on the same data dir. Five rounds.

In PostgreSQL mode (AUTHD_E2E_POSTGRES_URL) the same runs against the
server's schema (kept across its restarts); only the integrity_check of the
SQLite file is left out: everything else is checked through the HTTP API.

After each restart:

* every signup that was answered 200 logs in (and the new session works);
* a signup that was in flight when the process died is atomic: either the
  user logs in, or the same e-mail can be signed up again (never a half user);
* every refresh chain: the last refresh token that was answered 200 refreshes
  successfully. If a request with that token was in flight at the kill, the
  server may or may not have committed the rotation before dying; if it did,
  the token is the *just-rotated* one and authd's refresh grace window
  (docs/compatibility.md) must answer it with the same successor pair; if it
  did not, the token is still current. Either way: 200. (The grace window is
  set to 30 s here so the property does not depend on how fast the restart
  is; with grace 0 an in-flight chain could legitimately be revoked.) The new
  access token then works on /auth/me and the chain continues from the new
  refresh token in the next round;
* no request answered during the load was anything but 200.
"""

import http.client
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import NO_THROTTLE, PASSWORD, POSTGRES_MODE, AuthdServer, unique_email  # noqa: E402

ROUNDS = 5
THREADS = 4
GRACE = "30s"
SIGNUPS_PER_ROUND = 25   # per thread; bounds the verification work (runtime)


class Chain:
    def __init__(self, email, rt, at):
        self.email = email
        self.rt = rt            # last refresh token answered 200
        self.at = at
        self.inflight = False   # a request presenting self.rt had no answer
        self.refreshes = 0


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.users = []          # emails whose signup was answered 200
        self.maybe_users = []    # signups in flight at a kill
        self.chains = []
        self.errors = []         # unexpected answers during the load
        self.n_signup = 0
        self.n_refresh = 0


def post(conn, path, body):
    data = json.dumps(body).encode()
    conn.request("POST", path, body=data, headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    raw = r.read()
    return r.status, raw


def worker(port, st, my_chains, stop, rnd):
    budget = [SIGNUPS_PER_ROUND]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        while not stop.is_set():
            if not my_chains or (budget[0] > 0 and rnd.random() < 0.08):
                budget[0] -= 1
                email = unique_email("crash")
                try:
                    status, raw = post(conn, "/auth/signup", {"email": email, "password": PASSWORD})
                except (OSError, http.client.HTTPException):
                    with st.lock:
                        st.maybe_users.append(email)
                    return
                if status != 200:
                    with st.lock:
                        st.errors.append(f"signup {email}: {status} {raw[:200]!r}")
                    continue
                js = json.loads(raw)
                ch = Chain(email, js["refreshToken"], js["accessToken"])
                with st.lock:
                    st.users.append(email)
                    st.chains.append(ch)
                    st.n_signup += 1
                my_chains.append(ch)
            else:
                ch = rnd.choice(my_chains)
                ch.inflight = True
                try:
                    status, raw = post(conn, "/auth/refresh-token", {"refreshToken": ch.rt})
                except (OSError, http.client.HTTPException):
                    return  # ch.inflight stays True
                if status != 200:
                    ch.inflight = False
                    with st.lock:
                        st.errors.append(f"refresh chain {ch.email}: {status} {raw[:200]!r}")
                    my_chains.remove(ch)
                    continue
                js = json.loads(raw)
                ch.rt, ch.at, ch.inflight = js["refreshToken"], js["accessToken"], False
                ch.refreshes += 1
                with st.lock:
                    st.n_refresh += 1
    finally:
        conn.close()


def integrity_check(db_path):
    con = sqlite3.connect(db_path, timeout=5)
    try:
        rows = con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


@pytest.fixture
def data_dir():
    d = tempfile.mkdtemp(prefix="authd-e2e-crash-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_kill9_under_load_loses_nothing_answered(data_dir):
    rnd = random.Random(int(os.environ.get("AUTHD_CRASH_SEED", str(time.time_ns()))))
    srv = AuthdServer(NO_THROTTLE + ["--session-refresh-grace", GRACE], data_dir=data_dir)
    srv.start()
    st = State()
    per_thread = [[] for _ in range(THREADS)]
    log = []
    try:
        for rno in range(1, ROUNDS + 1):
            stop = threading.Event()
            threads = [threading.Thread(target=worker,
                                        args=(srv.port, st, per_thread[i], stop,
                                              random.Random(rnd.random())), daemon=True)
                       for i in range(THREADS)]
            s0, r0 = st.n_signup, st.n_refresh
            for t in threads:
                t.start()
            delay = rnd.uniform(0.3, 1.5)
            time.sleep(delay)
            srv.kill9()
            stop.set()
            for t in threads:
                t.join(timeout=15)
                assert not t.is_alive(), "load thread hung after the kill"
            assert not st.errors, f"round {rno}: unexpected answers under load:\n" + "\n".join(st.errors[:20])

            if not POSTGRES_MODE:  # the SQLite file itself; PostgreSQL keeps its own
                db = os.path.join(data_dir, "authd.db")
                res = integrity_check(db)
                assert res == ["ok"], f"round {rno}: PRAGMA integrity_check after kill -9: {res[:20]}"

            srv.start()
            t_restart = time.monotonic()
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)

            # 1. refresh chains first (well inside the grace window)
            inflight = 0
            for ch in list(st.chains):
                was_inflight = ch.inflight
                inflight += was_inflight
                status, raw = post(c, "/auth/refresh-token", {"refreshToken": ch.rt})
                assert status == 200, (
                    f"round {rno}: chain of {ch.email} ({ch.refreshes} refreshes, "
                    f"{'request in flight at the kill' if was_inflight else 'no request in flight'}): "
                    f"last refresh token answered 200 was refused after the restart: {status} {raw!r}")
                js = json.loads(raw)
                ch.rt, ch.at, ch.inflight = js["refreshToken"], js["accessToken"], False
                c.request("GET", "/auth/me", headers={"Authorization": f"Bearer {ch.at}"})
                r = c.getresponse()
                body = r.read()
                assert r.status == 200 and json.loads(body)["email"] == ch.email, (
                    f"round {rno}: /auth/me with the refreshed token of {ch.email}: {r.status} {body!r}")
            chains_s = time.monotonic() - t_restart

            # 2. every answered signup logs in
            for email in st.users:
                status, raw = post(c, "/auth/login", {"providerName": "email",
                                                      "credentials": {"email": email, "password": PASSWORD}})
                assert status == 200, f"round {rno}: answered signup {email} cannot log in: {status} {raw!r}"

            # 3. in-flight signups are all-or-nothing
            maybe_in, maybe_out = 0, 0
            for email in st.maybe_users:
                status, raw = post(c, "/auth/login", {"providerName": "email",
                                                      "credentials": {"email": email, "password": PASSWORD}})
                if status == 200:
                    maybe_in += 1
                else:
                    assert status == 401, f"round {rno}: in-flight signup {email}: login {status} {raw!r}"
                    status, raw = post(c, "/auth/signup", {"email": email, "password": PASSWORD})
                    assert status == 200, (
                        f"round {rno}: in-flight signup {email} left a half-created user: "
                        f"login 401 but signup again {status} {raw!r}")
                    js = json.loads(raw)
                    ch = Chain(email, js["refreshToken"], js["accessToken"])
                    st.chains.append(ch)
                    per_thread[rnd.randrange(THREADS)].append(ch)
                    maybe_out += 1
                st.users.append(email)
            st.maybe_users = []
            c.close()
            log.append(f"round {rno}: killed after {delay:.2f}s; +{st.n_signup - s0} signups, "
                       f"+{st.n_refresh - r0} refreshes answered; {len(st.chains)} chains "
                       f"({inflight} in flight at the kill) verified in {chains_s:.2f}s; "
                       f"{len(st.users)} users log in; in-flight signups committed/not: "
                       f"{maybe_in}/{maybe_out}; "
                       + ("PostgreSQL" if POSTGRES_MODE else "integrity_check ok"))
        srv.stop(expect_exit_code=0)
        if not POSTGRES_MODE:
            assert integrity_check(os.path.join(data_dir, "authd.db")) == ["ok"]
    finally:
        print("\n" + "\n".join(log))
        srv.cleanup()
    assert st.n_refresh > 0 and st.n_signup > 0
