"""Server output: startup line, one access-log line per request carrying the
request id, and no secrets (passwords, tokens) anywhere in the output."""

import time

import pytest

from conftest import POSTGRES_MODE, PASSWORD, assert_json, assert_token_body, unique_email

SECRET_PASSWORD = "Zq9!unusual-Passphrase-7731"


@pytest.fixture(scope="module")
def srv(server_factory):
    return server_factory()


def _wait_for(srv, needle, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = srv.output()
        if needle in out:
            return out
        time.sleep(0.05)
    return srv.output()


def test_startup_output(srv):
    out = srv.output()
    assert f"127.0.0.1:{srv.port}" in out, f"listening address not logged:\n{out[:2000]}"
    backend = "postgres" if POSTGRES_MODE else "sqlite"
    assert backend in out.lower(), f"storage backend not logged:\n{out[:2000]}"


def test_request_ids_and_no_secrets(srv):
    c = srv.client()
    email = unique_email("logs")
    r = c.post("/auth/signup", {"email": email, "password": SECRET_PASSWORD},
               headers={"X-Request-Id": "test-req-100"})
    a0, r0 = assert_token_body(r, "Signup successful")
    r = c.post("/auth/login", {"providerName": "email",
                               "credentials": {"email": email, "password": SECRET_PASSWORD}},
               headers={"X-Request-Id": "test-req-123"})
    a1, r1 = assert_token_body(r, "Login successful")
    # a failed login with a different (wrong) password
    wrong = "Wr0ng!but-Also-Secret-9931"
    r = c.post("/auth/login", {"providerName": "email",
                               "credentials": {"email": email, "password": wrong}},
               headers={"X-Request-Id": "test-req-124"})
    assert r.status == 401, r
    r = c.post("/auth/refresh-token", {"refreshToken": r1}, headers={"X-Request-Id": "test-req-456"})
    a2, r2 = assert_token_body(r, "Token refreshed successfully")
    assert_json(c.get("/auth/me", bearer=a2, headers={"X-Request-Id": "test-req-789"}), 200)
    # a rejected bearer token must not be echoed either
    forged = a2[:-6] + "AAAAAA"
    assert c.get("/auth/me", bearer=forged, headers={"X-Request-Id": "test-req-790"}).status == 401

    out = _wait_for(srv, "test-req-790")
    lines = out.splitlines()
    for rid, path, status in [("test-req-100", "/auth/signup", "200"),
                              ("test-req-123", "/auth/login", "200"),
                              ("test-req-124", "/auth/login", "401"),
                              ("test-req-456", "/auth/refresh-token", "200"),
                              ("test-req-789", "/auth/me", "200"),
                              ("test-req-790", "/auth/me", "401")]:
        hits = [ln for ln in lines if rid in ln]
        assert len(hits) == 1, f"expected exactly one log line with {rid}, got {hits}\n{out[-3000:]}"
        assert path in hits[0] and status in hits[0], f"log line lacks path/status: {hits[0]!r}"

    for secret in (SECRET_PASSWORD, wrong, PASSWORD):
        assert secret not in out, f"password {secret!r} appears in the server output"
    for tok in (a0, r0, a1, r1, a2, r2, forged):
        assert tok not in out, "a token appears in the server output"
        assert tok.split(".")[2] not in out, "a token signature appears in the server output"
        assert tok.split(".")[1][:40] not in out, "a token payload appears in the server output"


def test_generated_request_id_when_absent(srv):
    before = len(srv.output())
    r = srv.client().get("/auth/client-config")
    assert r.status == 200
    time.sleep(0.3)
    new = srv.output()[before:]
    assert "/auth/client-config" in new, f"request not logged:\n{new}"


def test_secrets_never_logged(srv, server_factory):
    import os
    with open(os.path.join(srv.data_dir, "jwt-secret"), "rb") as f:
        generated = f.read().decode().strip()
    assert generated and generated not in srv.output(), "generated JWT secret appears in the output"
    from conftest import KNOWN_SECRET
    s2 = server_factory("--session-jwt-secret", KNOWN_SECRET)
    assert_token_body(s2.client().post("/auth/signup", {"email": unique_email(), "password": PASSWORD}),
                      "Signup successful")
    assert KNOWN_SECRET not in s2.output(), "configured JWT secret appears in the output"


def test_request_id_echoed_and_sanitised(srv):
    c = srv.client()
    r = c.get("/auth/client-config", headers={"X-Request-Id": "test-req-echo-1"})
    assert r.header("X-Request-Id") == "test-req-echo-1"
    # an id that could forge log fields is replaced by a generated one
    evil = "x status=500 path=/auth/admin injected=1"
    r = c.get("/auth/client-config", headers={"X-Request-Id": evil})
    rid = r.header("X-Request-Id")
    assert rid and rid != evil and " " not in rid, rid
    out = _wait_for(srv, rid)
    assert "injected=1" not in out, "request id was logged verbatim (log field injection)"
    assert rid in out
    # very long ids are not taken over verbatim either
    long_id = "a" * 5000
    r = c.get("/auth/client-config", headers={"X-Request-Id": long_id})
    assert r.header("X-Request-Id") != long_id
    assert r.status == 200


def _raw_request(port, data):
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    return buf


def test_json_log_lines_cannot_be_forged(server_factory):
    """--log-format json: a path with quotes, backslashes and bytes that are
    not UTF-8, and a courier message, each give one line that parses as a
    JSON object with exactly time, level and msg."""
    import json
    import re
    srv = server_factory("--log-format", "json")
    path = b'/auth/x",\\"level\\":\\"critical\\",\\"a\\":\\"\\\\\xff\xc3(\\u0001'
    resp = _raw_request(srv.port, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n"
                        b"X-Request-Id: test-req-json-1\r\nUser-Agent: a\"b\\c\r\n\r\n")
    assert resp.startswith(b"HTTP/1.1 404"), resp[:200]
    email = unique_email("jsonlog")
    c = srv.client()
    assert_token_body(c.post("/auth/signup", {"email": email, "password": PASSWORD}),
                      "Signup successful")
    assert c.post("/auth/forgot-password", {"email": email},
                  headers={"X-Request-Id": "test-req-json-2"}).status == 200
    _wait_for(srv, "courier: no transport configured")
    _wait_for(srv, "test-req-json-2")
    with open(srv.log_path, "rb") as f:
        raw = f.read()
    lines = [ln for ln in raw.split(b"\n") if ln.strip()]
    assert lines
    objs = []
    for ln in lines:
        obj = json.loads(ln.decode("utf-8"))  # strict UTF-8, one object per line
        assert isinstance(obj, dict) and list(obj) == ["time", "level", "msg"], ln
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", obj["time"]), ln
        objs.append(obj)
    hits = [o for o in objs if "request_id=test-req-json-1 " in o["msg"]]
    assert len(hits) == 1, objs
    assert hits[0]["level"] == "info"
    want = ('path=/auth/x",\\"level\\":\\"critical\\",\\"a\\":\\"\\\\\ufffd\ufffd(\\u0001'
            ' status=404 ')
    assert want in hits[0]["msg"], hits[0]
    assert re.fullmatch(r"request_id=test-req-json-1 method=GET path=.* status=404 "
                        r"latency_ms=\d+\.\d{3} ip=127\.0\.0\.1 bytes=\d+", hits[0]["msg"]), hits[0]
    courier = [o for o in objs if o["msg"].startswith("courier: no transport configured for email")]
    assert len(courier) == 1 and courier[0]["level"] == "warning", courier
    assert f'to="{email}"' in courier[0]["msg"] and "body=" in courier[0]["msg"], courier[0]
