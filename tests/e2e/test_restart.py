"""Persistence across restarts: graceful SIGTERM, generated JWT secret kept in
the data dir, and durability of a signup acknowledged right before kill -9.

In PostgreSQL mode (AUTHD_E2E_POSTGRES_URL) each AuthdServer keeps its schema
across its restarts; only the check of the authd.db file modes is skipped."""

import os
import shutil
import stat
import tempfile

import pytest

from conftest import (
    NO_THROTTLE, AuthdServer, assert_json, assert_token_body, jwt_parts, login, signup,
    serial, sqlite_only, storage_flags,
)


@pytest.fixture
def data_dir():
    d = tempfile.mkdtemp(prefix="authd-e2e-restart-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _server(data_dir):
    return AuthdServer(NO_THROTTLE, data_dir=data_dir)


def test_restart_keeps_users_sessions_and_secret(data_dir):
    srv = _server(data_dir)
    srv.start()
    try:
        email, r = signup(srv)
        r = login(srv, email)
        at, rt = r.json["accessToken"], r.json["refreshToken"]
        uid = jwt_parts(at)[1]["id"]
        assert_json(srv.client().get("/auth/me", bearer=at), 200)

        secret_file = os.path.join(data_dir, "jwt-secret")
        assert os.path.isfile(secret_file), f"no generated secret file in {os.listdir(data_dir)}"
        mode = stat.S_IMODE(os.stat(secret_file).st_mode)
        assert mode == 0o600, f"jwt-secret mode is {oct(mode)}, expected 0o600"
        with open(secret_file, "rb") as f:
            secret_before = f.read()
        assert len(secret_before.strip()) >= 32, "generated secret is too short"

        rc = srv.stop(expect_exit_code=0)
        assert rc == 0

        srv.start()
        with open(secret_file, "rb") as f:
            assert f.read() == secret_before, "secret file changed on restart"
        c = srv.client()
        # old access token (signed before the restart) still valid
        js = assert_json(c.get("/auth/me", bearer=at), 200)
        assert js["id"] == uid and js["email"] == email
        assert_json(c.get("/auth/verify-session", bearer=at), 200)
        # old refresh token rotates
        a2, r2 = assert_token_body(c.post("/auth/refresh-token", {"refreshToken": rt}),
                                   "Token refreshed successfully")
        assert jwt_parts(a2)[1]["sessionId"] == jwt_parts(at)[1]["sessionId"]
        # login still works
        r = login(srv, email)
        assert_json(c.get("/auth/me", bearer=r.json["accessToken"]), 200)
        # duplicate detection still works after restart
        r = c.post("/auth/signup", {"email": email, "password": "Str0ng!Passw0rd"})
        assert r.status == 400 and r.json["code"] == "EMAIL_ALREADY_EXISTS", r
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def test_revocation_survives_restart(data_dir):
    srv = _server(data_dir)
    srv.start()
    try:
        email, r = signup(srv)
        at, rt = r.json["accessToken"], r.json["refreshToken"]
        assert_json(srv.client().post("/auth/logout", bearer=at), 200)
        srv.stop(expect_exit_code=0)
        srv.start()
        c = srv.client()
        assert_json(c.get("/auth/me", bearer=at), 401,
                    {"statusCode": 401, "error": "Unauthorized", "message": "Session not found"})
        assert_json(c.post("/auth/refresh-token", {"refreshToken": rt}), 401,
                    {"statusCode": 401, "error": "Unauthorized", "message": "Session not found"})
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def test_explicit_secret_is_used(data_dir):
    from conftest import KNOWN_SECRET, jwt_sign
    srv = AuthdServer(NO_THROTTLE + ["--session-jwt-secret", KNOWN_SECRET], data_dir=data_dir)
    srv.start()
    try:
        email, r = signup(srv)
        at = r.json["accessToken"]
        payload = jwt_parts(at)[1]
        assert jwt_sign(payload, KNOWN_SECRET) == at, "token not signed with --session-jwt-secret"
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def test_kill9_after_signup_is_durable(data_dir):
    srv = _server(data_dir)
    srv.start()
    try:
        email, r = signup(srv)
        at = r.json["accessToken"]
        srv.kill9()
        srv.start()
        c = srv.client()
        r = login(srv, email)
        assert_token_body(r, "Login successful")
        assert_json(c.get("/auth/me", bearer=r.json["accessToken"]), 200)
        # the signup session itself survived as well
        assert_json(c.get("/auth/me", bearer=at), 200)
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def test_kill9_after_refresh_is_durable(data_dir):
    srv = _server(data_dir)
    srv.start()
    try:
        email, r = signup(srv)
        rt = r.json["refreshToken"]
        a2, r2 = assert_token_body(srv.client().post("/auth/refresh-token", {"refreshToken": rt}),
                                   "Token refreshed successfully")
        srv.kill9()
        srv.start()
        # the rotated token is the current one after the crash
        assert_token_body(srv.client().post("/auth/refresh-token", {"refreshToken": r2}),
                          "Token refreshed successfully")
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def _cpu_seconds(pid):
    """User + system CPU time process ``pid`` has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Production argon2id cost, timed against the hashing pool: alone, after the
# parallel pass (scripts/e2e.sh).
@serial
def test_sigterm_lets_in_flight_request_finish(data_dir):
    """Graceful shutdown: a signup in progress (production argon2 cost) still
    gets its 200, the process exits 0, and the user exists after restart."""
    import http.client
    import json
    import signal
    import time
    srv = AuthdServer(NO_THROTTLE, data_dir=data_dir, cheap_argon2=False)
    srv.start()
    try:
        from conftest import unique_email, PASSWORD
        email = unique_email("inflight")
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=15)
        cpu0 = _cpu_seconds(srv.proc.pid)
        conn.request("POST", "/auth/signup", body=json.dumps({"email": email, "password": PASSWORD}),
                     headers={"Content-Type": "application/json"})
        # SIGTERM once the hash runs (the server's CPU time climbs), not while
        # it still waits in the pool's queue: a waiting hash is answered 503
        # at shutdown (test_hashing_pool.py). A fixed 30 ms head start was
        # overrun on a loaded machine.
        deadline = time.monotonic() + 10
        time.sleep(0.03)
        while _cpu_seconds(srv.proc.pid) - cpu0 < 0.05 and time.monotonic() < deadline:
            time.sleep(0.005)
        proc = srv.proc
        proc.send_signal(signal.SIGTERM)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        assert r.status == 200, body
        rc = proc.wait(timeout=10)
        assert rc == 0, f"exit code {rc}\n{srv.output()[-2000:]}"
        srv.proc = None
        srv._close_log()
        # new connections are refused after shutdown
        import socket
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", srv.port), timeout=1).close()
        srv.cheap_argon2 = True
        srv.start()
        assert_token_body(login(srv, email), "Login successful")
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


@pytest.mark.parametrize("flags,needle", [
    (["--session-jwt-secret", "changeme"], "secret"),
    (["--session-jwt-secret", "secret"], "secret"),
    (["--session-access-token-type", "bogus"], "access"),
    (["--session-access-token-ttl", "soon"], "ttl"),
    (["--no-such-flag", "1"], "no-such-flag"),
    (["--csrf-enabled", "maybe"], "csrf"),
])
def test_invalid_configuration_is_fatal(data_dir, flags, needle):
    import subprocess
    from conftest import AUTHD_BIN, CHEAP_ARGON2, free_port
    cmd = [AUTHD_BIN, "--host", "127.0.0.1", "--port", str(free_port()), "--data-dir", data_dir,
           *CHEAP_ARGON2, *storage_flags(), *flags]
    p = subprocess.run(cmd, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    assert p.returncode != 0, f"{flags} was accepted:\n{out}"
    assert needle in out.lower(), f"error does not name the problem ({needle}):\n{out}"


def test_port_in_use_is_fatal(data_dir):
    import socket
    import subprocess
    from conftest import AUTHD_BIN, CHEAP_ARGON2
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        cmd = [AUTHD_BIN, "--host", "127.0.0.1", "--port", str(port), "--data-dir", data_dir,
               *CHEAP_ARGON2, *storage_flags()]
        p = subprocess.run(cmd, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
        out = (p.stdout + p.stderr).decode("utf-8", "replace")
        assert p.returncode != 0, out
        assert str(port) in out or "in use" in out.lower(), out
    finally:
        s.close()


@sqlite_only("checks the modes of the authd.db files in the data dir")
def test_created_data_dir_is_private(data_dir):
    """authd keeps the JWT secret at 0600; the database next to it holds argon2
    hashes and e-mails, so a data dir authd creates must not be readable by
    other local users (checked with the common umask 022)."""
    target = os.path.join(data_dir, "nested", "data")
    old = os.umask(0o022)
    try:
        srv = AuthdServer(NO_THROTTLE, data_dir=target)
        srv.start()
    finally:
        os.umask(old)
    try:
        signup(srv)
        dmode = stat.S_IMODE(os.stat(target).st_mode)
        db_files = [n for n in os.listdir(target) if n.startswith("authd.db")]
        assert db_files, os.listdir(target)
        exposed = [(n, oct(stat.S_IMODE(os.stat(os.path.join(target, n)).st_mode)))
                   for n in db_files
                   if stat.S_IMODE(os.stat(os.path.join(target, n)).st_mode) & 0o004]
        assert (dmode & 0o005) == 0 or not exposed, (
            f"data dir {oct(dmode)} and world-readable database files {exposed}")
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def test_grace_replay_survives_restart(data_dir):
    """A client whose refresh response was lost in a restart can retry with the
    old token inside the grace window and gets the same pair."""
    srv = _server(data_dir)
    srv.start()
    try:
        email, r = signup(srv)
        r1 = r.json["refreshToken"]
        pair = assert_token_body(srv.client().post("/auth/refresh-token", {"refreshToken": r1}),
                                 "Token refreshed successfully")
        srv.stop(expect_exit_code=0)
        srv.start()
        again = assert_token_body(srv.client().post("/auth/refresh-token", {"refreshToken": r1}),
                                  "Token refreshed successfully")
        assert again == pair
        assert_json(srv.client().get("/auth/me", bearer=pair[0]), 200)
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()
