"""Connection cap and open-file limit (issue 11 §3.12): past
server.max_connections a new connection is answered 503 and closed at once
while the open ones keep working; the soft RLIMIT_NOFILE is raised to the
hard limit at startup; "accept failed" (EMFILE) is logged at most once a
second."""

import json
import shutil
import socket
import time

import pytest

from conftest import AuthdServer, Client, assert_json

UNAVAILABLE = {"statusCode": 503, "error": "ServiceUnavailableException",
               "message": "Service temporarily unavailable, please retry",
               "code": "SERVICE_UNAVAILABLE"}


def read_all(s, timeout=10):
    """Everything the server sends on `s` until it closes the connection."""
    s.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def parse(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    return int(lines[0].split()[1]), headers, json.loads(body) if body else None


def test_connections_past_the_cap_are_refused_at_once(server_factory):
    srv = server_factory("--server-max-connections", "8", "--server-idle-timeout", "60s")
    held = [Client(srv.port, keep=True) for _ in range(8)]
    for c in held:
        assert_json(c.get("/auth/client-config"), 200)
    # The 9th (and 10th ...) connection: a 503 and a close, not a timeout.
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        t0 = time.monotonic()
        raw = read_all(s)
        s.close()
        assert time.monotonic() - t0 < 5
        status, headers, body = parse(raw)
        assert (status, body) == (503, UNAVAILABLE), raw
        assert headers["retry-after"] == "1" and headers["connection"] == "close"
    # The open connections keep working.
    for c in held:
        assert_json(c.get("/auth/client-config"), 200)
    # Once some close, new connections are accepted again.
    for c in held[:3]:
        c.close()
    deadline = time.monotonic() + 10
    while True:
        try:
            r = Client(srv.port, timeout=5).get("/auth/client-config")
            if r.status == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "no connection accepted after others closed"
        time.sleep(0.05)
    for c in held[3:]:
        c.close()
    out = srv.output()
    assert "max_connections=8" in out
    # Five refusals within a second: one log line.
    assert out.count("server.max_connections=8 reached") <= 2, out


class LimitedServer(AuthdServer):
    """authd started under `prlimit --nofile=SOFT:HARD`."""

    def __init__(self, nofile, extra=()):
        super().__init__(["--rate-limit-enabled", "false", "--lockout-enabled", "false",
                          *extra])
        self.nofile = nofile

    def command(self):
        return ["prlimit", f"--nofile={self.nofile}", "--"] + super().command()


@pytest.fixture
def limited():
    if shutil.which("prlimit") is None:
        pytest.skip("prlimit (util-linux) not installed")
    servers = []

    def start(nofile, *extra):
        srv = LimitedServer(nofile, extra)
        servers.append(srv)
        return srv.start()
    yield start
    for srv in servers:
        try:
            srv.stop(expect_exit_code=0)
        finally:
            srv.cleanup()


def test_soft_open_file_limit_is_raised_to_the_hard_limit(limited):
    srv = limited("1024:4096")
    out = srv.output()
    assert "open files: soft limit 4096 (raised from 1024 to the hard limit)" in out, out
    # Default cap: the limit less a tenth kept for the database and the rest.
    assert "max_connections=3687" in out, out


def test_accept_failures_are_logged_at_most_once_a_second(limited):
    # 64 descriptors, a cap above what they allow: accept() hits EMFILE.
    srv = limited("64:64", "--server-max-connections", "1000", "--server-idle-timeout", "60s")
    assert "leaves too few of the 64 open files" in srv.output()
    socks = []
    for _ in range(80):
        try:
            socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=5))
        except OSError:
            break
    time.sleep(2.5)  # accept keeps failing (it retries every 50 ms)
    lines = [ln for ln in srv.output().splitlines() if "http: accept failed" in ln]
    assert 1 <= len(lines) <= 4, lines
    for s in socks:
        s.close()
    # Descriptors free again: the server serves.
    deadline = time.monotonic() + 10
    while True:
        try:
            if Client(srv.port, timeout=5).get("/auth/client-config").status == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "not serving after the descriptors were freed"
        time.sleep(0.05)
