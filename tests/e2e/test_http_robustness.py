"""HTTP-level robustness: chunked bodies, Expect: 100-continue, pipelining,
keep-alive after errors, hostile JSON, Unicode passwords, concurrency on the
SQLite store. Every case must end in a proper JSON answer and a live server."""

import http.client
import json
import socket
import threading
import time

import pytest

from conftest import (
    ERR_INVALID_CREDENTIALS, PASSWORD, Client, assert_json, assert_token_body, jwt_parts, login,
    new_user, signup, unique_email,
)


def alive(srv):
    r = srv.client().get("/auth/client-config")
    assert r.status == 200, f"server no longer healthy: {r!r}"


def raw_exchange(port, data, read_timeout=3.0, expect_responses=1):
    """Send raw bytes, read until `expect_responses` complete responses or timeout."""
    s = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    try:
        s.sendall(data)
        buf = b""
        deadline = time.monotonic() + read_timeout
        while time.monotonic() < deadline:
            if _count_responses(buf) >= expect_responses:
                break
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            buf += chunk
        return buf
    finally:
        s.close()


def _count_responses(buf):
    n = 0
    rest = buf
    while True:
        head_end = rest.find(b"\r\n\r\n")
        if head_end < 0:
            return n
        head = rest[:head_end].decode("latin-1")
        length = 0
        for line in head.split("\r\n")[1:]:
            k, _, v = line.partition(":")
            if k.strip().lower() == "content-length":
                length = int(v.strip())
        if head.startswith("HTTP/1.1 100"):
            rest = rest[head_end + 4:]
            continue
        if len(rest) < head_end + 4 + length:
            return n
        n += 1
        rest = rest[head_end + 4 + length:]


def _split_responses(buf):
    out = []
    rest = buf
    while rest:
        head_end = rest.find(b"\r\n\r\n")
        if head_end < 0:
            break
        head = rest[:head_end].decode("latin-1")
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            k, _, v = line.partition(":")
            if k.strip().lower() == "content-length":
                length = int(v.strip())
        body = rest[head_end + 4: head_end + 4 + length]
        rest = rest[head_end + 4 + length:]
        out.append((status, body))
    return out


def test_chunked_request_body(server):
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    body = json.dumps({"email": unique_email("chunk"), "password": PASSWORD}).encode()
    parts = [body[:10], body[10:25], body[25:]]
    c.request("POST", "/auth/signup", body=iter(parts), encode_chunked=True,
              headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    r = c.getresponse()
    raw = r.read()
    c.close()
    assert r.status == 200, raw
    js = json.loads(raw)
    assert js["message"] == "Signup successful"


def test_expect_100_continue(server):
    """curl sends Expect: 100-continue for bodies > 1 KiB; the server should
    answer 100 Continue at once instead of making the client wait."""
    body = json.dumps({"email": unique_email("expect"), "password": PASSWORD,
                       "pad": "x" * 2000}).encode()
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    try:
        s.sendall(b"POST /auth/signup HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
                  + f"Content-Length: {len(body)}\r\n\r\n".encode())
        s.settimeout(1.0)
        try:
            interim = s.recv(4096)
        except socket.timeout:
            interim = b""
        s.settimeout(5)
        s.sendall(body)
        buf = interim
        while _count_responses(buf) < 1:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    finally:
        s.close()
    assert interim.startswith(b"HTTP/1.1 100 Continue\r\n"), (
        f"no 100 Continue within 1s (clients like curl stall for 1s): {interim!r}")
    final = buf[buf.find(b"\r\n\r\n") + 4:] if interim else buf
    resps = _split_responses(final)
    assert resps and resps[-1][0] == 200, buf[:500]


def test_pipelined_requests(server):
    _, at, _ = new_user(server)
    req = (f"GET /auth/verify-session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {at}\r\n\r\n"
           f"GET /auth/me HTTP/1.1\r\nHost: x\r\n\r\n"
           f"GET /auth/client-config HTTP/1.1\r\nHost: x\r\n\r\n").encode()
    buf = raw_exchange(server.port, req, expect_responses=3)
    resps = _split_responses(buf)
    assert [s for s, _ in resps] == [200, 401, 200], buf[:1500]
    assert json.loads(resps[0][1])["valid"] is True
    assert json.loads(resps[1][1])["code"] == "NO_AUTH_PROVIDED"


def test_keep_alive_survives_errors(server):
    c = Client(server.port, keep=True)
    try:
        assert c.post("/auth/signup", '{"email":').status == 400
        assert c.get("/auth/nope").status == 404
        assert c.post("/auth/login", {"providerName": "email",
                                      "credentials": {"email": unique_email(), "password": PASSWORD}}
                      ).status == 401
        email, r = signup(c)
        assert_json(c.get("/auth/me", bearer=r.json["accessToken"]), 200)
    finally:
        c.close()


def test_query_string_ignored_for_routing(server):
    c = server.client()
    assert_json(c.get("/auth/client-config?x=1&y=%20"), 200)
    _, at, _ = new_user(server)
    assert_json(c.get("/auth/me?access_token=ignored", bearer=at), 200)
    assert_json(c.post("/auth/logout?x=1", bearer=at), 200, {"message": "Logged out successfully"})


def test_trailing_slash_matches_route(server):
    """Express (strict routing off) treats /auth/me/ like /auth/me."""
    c = server.client()
    assert_json(c.get("/auth/client-config/"), 200)
    _, at, _ = new_user(server)
    assert_json(c.get("/auth/me/", bearer=at), 200)


def test_json_content_type_variants(server):
    c = server.client()
    r = c.post("/auth/signup", {"email": unique_email(), "password": PASSWORD},
               content_type="application/json; charset=UTF-8")
    assert_token_body(r, "Signup successful")
    r = c.post("/auth/signup", {"email": unique_email(), "password": PASSWORD},
               content_type="Application/JSON")
    assert_token_body(r, "Signup successful")


@pytest.mark.parametrize("payload", [
    b'{"email":' + b"[" * 40000 + b"]" * 40000 + b"}",
    b'{"email":' + b'{"a":' * 15000 + b"1" + b"}" * 15000 + b"}",
    b'{"email":"\xff\xfe\xfd@example.com","password":"Str0ng!Passw0rd"}',
    b'{"email":"a@example.com","password":"Str0ng!Passw0rd"',
    b'{"email":"a@example.com","password":"Str0ng!Passw0rd"}garbage',
    b'\x00\x01\x02',
    b'{"email":"\\ud800@example.com","password":"Str0ng!Passw0rd"}',
    b'{"email":1e999999,"password":"Str0ng!Passw0rd"}',
])
def test_hostile_json_bodies(server, payload):
    r = server.client().post("/auth/signup", payload)
    assert 400 <= r.status < 500, r
    js = assert_json(r, r.status)
    assert js["statusCode"] == r.status
    alive(server)


def test_unicode_passwords_and_length_in_characters(server):
    c = server.client()
    pw = "Pässwörd-Ünïcode-Ω9"
    email, _ = signup(server, password=pw)
    assert_token_body(login(server, email, pw), "Login successful")
    # normalisation is not applied: a different byte sequence does not match
    decomposed = "Pa\u0308sswo\u0308rd-U\u0308ni\u0308code-Ω9"
    assert_json(login(server, email, decomposed, expect=None), 401, ERR_INVALID_CREDENTIALS)
    # 100 two-byte characters: 100 characters (limit 128) although 200 bytes
    email2 = unique_email("uni")
    r = c.post("/auth/signup", {"email": email2, "password": "é" * 99 + "Z"})
    assert_token_body(r, "Signup successful")
    # 6 characters (9 bytes) is too short
    r = c.post("/auth/signup", {"email": unique_email(), "password": "ééé123"})
    assert_json(r, 400, {"statusCode": 400, "error": "Bad Request",
                         "message": "password must be longer than or equal to 8 characters"})


def test_concurrent_signups_distinct_users(server):
    n = 30
    out = [None] * n
    emails = [unique_email(f"cc{i}") for i in range(n)]
    barrier = threading.Barrier(n)

    def worker(i):
        c = server.client()
        barrier.wait(timeout=10)
        try:
            out[i] = c.post("/auth/signup", {"email": emails[i], "password": PASSWORD})
        except Exception as e:  # noqa: BLE001
            out[i] = e

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    bad = [(emails[i], o) for i, o in enumerate(out) if not (hasattr(o, "status") and o.status == 200)]
    assert not bad, f"{len(bad)} concurrent signups failed: {bad[:3]}"
    uids = {jwt_parts(o.json["accessToken"])[1]["id"] for o in out}
    assert len(uids) == n


def test_concurrent_signup_same_email_creates_one_user(server_factory):
    # All 12 race: the hashing pool's per-account limit (2) is lifted.
    server = server_factory("--server-hash-per-account-max", "0")
    n = 12
    email = unique_email("race")
    out = [None] * n
    barrier = threading.Barrier(n)

    def worker(i):
        c = server.client()
        barrier.wait(timeout=10)
        try:
            out[i] = c.post("/auth/signup", {"email": email, "password": PASSWORD})
        except Exception as e:  # noqa: BLE001
            out[i] = e

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    statuses = [getattr(o, "status", repr(o)) for o in out]
    assert statuses.count(200) == 1, statuses
    for o in out:
        if o.status != 200:
            assert o.status in (400, 409), o
            assert o.json["code"] in ("EMAIL_ALREADY_EXISTS", "USER_ALREADY_EXISTS"), o
    winner = next(o for o in out if o.status == 200)
    r = login(server, email)
    assert jwt_parts(r.json["accessToken"])[1]["id"] == jwt_parts(winner.json["accessToken"])[1]["id"]


def test_concurrent_logins_and_reads(server_factory):
    # Six logins per account at once: the per-account limit (2) is lifted.
    server = server_factory("--server-hash-per-account-max", "0")
    users = [new_user(server) for _ in range(6)]
    n = 36
    out = [None] * n
    barrier = threading.Barrier(n)

    def worker(i):
        email, at, _ = users[i % len(users)]
        c = server.client()
        barrier.wait(timeout=10)
        try:
            if i % 2:
                out[i] = ("login", c.post("/auth/login", {"providerName": "email",
                                                          "credentials": {"email": email,
                                                                          "password": PASSWORD}}))
            else:
                out[i] = ("me", c.get("/auth/me", bearer=at))
        except Exception as e:  # noqa: BLE001
            out[i] = ("exc", e)

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    bad = [o for o in out if o[0] == "exc" or o[1].status != 200]
    assert not bad, bad[:3]


def test_session_expires_with_refresh_ttl(server_factory):
    """A session lives refresh-TTL long; access tokens die with it, refreshing extends it."""
    # JWT exp has whole-second resolution, so the 3 s refresh JWT is valid >= 2 s
    srv = server_factory("--session-refresh-token-ttl", "3s")
    c = srv.client()
    _, a1, r1 = new_user(srv)
    _, b1, _ = new_user(srv)
    t0 = time.monotonic()
    time.sleep(1.0)
    a2, r2 = assert_token_body(c.post("/auth/refresh-token", {"refreshToken": r1}),
                               "Token refreshed successfully")
    time.sleep(max(0.0, 3.3 - (time.monotonic() - t0)))
    # user B's session (not refreshed) expired although its access token has not
    assert_json(c.get("/auth/me", bearer=b1), 401,
                {"statusCode": 401, "error": "Unauthorized", "message": "Session not found"})
    # user A's session was extended by the refresh
    assert_json(c.get("/auth/me", bearer=a2), 200)


def _status_of(buf):
    line = buf.split(b"\r\n", 1)[0]
    parts = line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


@pytest.mark.parametrize("raw", [
    # both Content-Length and Transfer-Encoding (request smuggling vector)
    b"POST /auth/refresh-token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    # conflicting duplicate Content-Length
    b"POST /auth/refresh-token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 2\r\nContent-Length: 5\r\n\r\n{}",
    # non-numeric Content-Length
    b"POST /auth/refresh-token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
    # garbage request line
    b"HELLO\r\n\r\n",
    # bad chunk size
    b"POST /auth/refresh-token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
])
def test_malformed_http_rejected_with_400(server, raw):
    buf = raw_exchange(server.port, raw, read_timeout=3)
    assert _status_of(buf) == 400, buf[:300]
    alive(server)


def _read_to_eof(s, limit):
    buf = b""
    t = time.monotonic()
    s.settimeout(limit + 1)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return buf, time.monotonic() - t
            buf += chunk
    except socket.timeout:
        return buf, None


def test_http10_request(server):
    """HTTP/1.0 without keep-alive: answer, then close the connection."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=3)
    try:
        s.sendall(b"GET /auth/client-config HTTP/1.0\r\n\r\n")
        buf, elapsed = _read_to_eof(s, 2)
    finally:
        s.close()
    assert _status_of(buf) == 200, buf[:300]
    assert b'"accessTokenType"' in buf
    assert elapsed is not None and elapsed < 2, "connection not closed after an HTTP/1.0 response"


def test_slow_clients_do_not_block_others(server):
    """Half-sent requests on several connections must not stall other clients."""
    socks = []
    try:
        for _ in range(8):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.sendall(b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100\r\n\r\n{\"providerName\":")
            socks.append(s)
        for _ in range(4):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.sendall(b"GET /auth/me HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            socks.append(s)
        t = time.monotonic()
        for _ in range(5):
            r = server.client(timeout=3).get("/auth/client-config")
            assert r.status == 200
        assert time.monotonic() - t < 2.0
    finally:
        for s in socks:
            s.close()


def test_many_idle_connections(server):
    socks = []
    try:
        for _ in range(300):
            socks.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        r = server.client(timeout=5).get("/auth/client-config")
        assert r.status == 200
        # and the idle ones are still usable
        s = socks[0]
        s.sendall(b"GET /auth/client-config HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(5)
        assert _status_of(s.recv(65536)) == 200
    finally:
        for s in socks:
            s.close()


def test_sigterm_with_idle_keepalive_connections_exits_promptly(server_factory):
    import signal
    srv = server_factory()
    keep = [Client(srv.port, keep=True) for _ in range(5)]
    for k in keep:
        assert k.get("/auth/client-config").status == 200
    try:
        proc = srv.proc
        t = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=4)
        except Exception:  # noqa: BLE001
            rc = None
        elapsed = time.monotonic() - t
        if rc is None:
            proc.kill()
            proc.wait()
        srv.proc = None
        srv._close_log()
        assert rc == 0 and elapsed < 3.0, (
            f"exit code {rc} after {elapsed:.1f}s with idle keep-alive connections open\n"
            f"{srv.output()[-1500:]}")
    finally:
        for k in keep:
            k.close()


def test_connection_close_honoured(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=3)
    try:
        s.sendall(b"GET /auth/client-config HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        buf, elapsed = _read_to_eof(s, 2)
        assert _status_of(buf) == 200, buf[:300]
        assert b"\r\nConnection: close\r\n" in buf.split(b"\r\n\r\n")[0] + b"\r\n"
        assert elapsed is not None and elapsed < 2, (
            "server answered 'Connection: close' but kept the socket open")
    finally:
        s.close()


def test_head_request(server):
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        c.request("HEAD", "/auth/client-config")
        r = c.getresponse()
        body = r.read()
        assert r.status == 200 and body == b""
        assert r.getheader("Content-Type") == "application/json; charset=utf-8"
        # the connection is still usable (no stray body bytes)
        c.request("GET", "/auth/client-config")
        r2 = c.getresponse()
        assert r2.status == 200 and json.loads(r2.read())["accessTokenType"] == "header"
    finally:
        c.close()


def test_route_matching_is_case_insensitive(server):
    """Express routing is case-insensitive by default."""
    assert_json(server.client().get("/AUTH/Client-Config"), 200)


def test_duplicate_json_keys_last_wins(server):
    c = server.client()
    first, last = unique_email("first"), unique_email("last")
    raw = '{"email":"%s","password":"%s","email":"%s"}' % (first, PASSWORD, last)
    r = c.post("/auth/signup", raw)
    a, _ = assert_token_body(r, "Signup successful")
    assert jwt_parts(a)[1]["email"] == last


def test_password_whitespace_is_significant(server):
    email, _ = signup(server, password=" " + PASSWORD + " ")
    assert_json(login(server, email, PASSWORD, expect=None), 401, ERR_INVALID_CREDENTIALS)
    assert_token_body(login(server, email, " " + PASSWORD + " "), "Login successful")
