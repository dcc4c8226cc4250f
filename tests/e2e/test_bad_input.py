"""Generated bad-input suite (issue "Proof: hardening").

Several hundred malformed requests against the real binary:

* every field of the signup / login / refresh-token bodies set to each of a
  list of hostile JSON values (wrong types, huge numbers, empty and 100 KB
  strings, NULs, arrays, nested objects) and removed;
* whole-body oddities, duplicated keys, invalid UTF-8 (in values and keys),
  escaped lone surrogates, NUL bytes (escaped and raw), deep nesting;
* HTTP-level abuse over raw sockets: bodies over the limit, huge and many
  headers, conflicting / bad Content-Length, Transfer-Encoding + Content-Length,
  bad chunk sizes, slow clients, pipelined garbage, invalid methods, odd
  request targets and %-encoding errors, bad versions;
* forged / altered / expired / alg:none / wrong-alg / unsigned /
  header-tampered tokens in Authorization, in the accessToken and
  refreshToken cookies (cookie-mode server) and as body refreshToken.

Invariant for every case: a well-formed 4xx answer with a JSON error body
({"statusCode","error","message"[,"code"]} or {"message","error","statusCode"})
or a closed connection -- never a 5xx, never a hang (socket timeouts), never a
crash (the process is checked after every case). A few cases are *valid*
requests by the spec (an optional field set to null or to a value of its own
type, an ignored field); there a well-formed 200 is accepted too and noted in
the case table. Every HEALTH_EVERY cases a real login + /auth/me is made on the
server the case used, and the last test checks that the user created at the
very start still logs in and that its original session still works.

The HTTP-level cases run on a server with --server-read-timeout 1s so that a
request the server legitimately waits on is cut off quickly.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import socket
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import (  # noqa: E402
    KNOWN_SECRET, PASSWORD, assert_json, assert_token_body, b64url_encode, jwt_alg_none,
    jwt_parts, jwt_sign, jwt_tamper, login, signup, unique_email,
)

HEALTH_EVERY = 20
SOCK_TIMEOUT = 6.0          # a case answering later than this is a hang
MAX_BODY = 102400           # server.max_body_bytes default
LONG = "A" * 100_000         # fits in one body under the limit
LONG_EMAIL = "a" * 99_980 + "@example.com"

# --------------------------------------------------------------------------
# raw HTTP
# --------------------------------------------------------------------------


class Outcome:
    def __init__(self, buf, closed, timed_out, send_error=None):
        self.buf = buf
        self.closed = closed
        self.timed_out = timed_out
        self.send_error = send_error

    def __repr__(self):
        return (f"<Outcome closed={self.closed} timed_out={self.timed_out} "
                f"send_error={self.send_error!r} buf={self.buf[:700]!r}>")


def parse_responses(buf):
    """-> (list of (status, headers(list), body), rest). Only complete responses."""
    out = []
    rest = buf
    while True:
        he = rest.find(b"\r\n\r\n")
        if he < 0:
            return out, rest
        head = rest[:he].decode("latin-1")
        lines = head.split("\r\n")
        m = re.match(r"^HTTP/1\.[01] (\d{3}) ", lines[0] + " ")
        if not m:
            raise AssertionError(f"bad status line {lines[0]!r}")
        status = int(m.group(1))
        headers = []
        for line in lines[1:]:
            k, sep, v = line.partition(":")
            if not sep:
                raise AssertionError(f"bad header line {line!r}")
            headers.append((k.strip(), v.strip()))
        if status == 100:
            rest = rest[he + 4:]
            continue
        cls = [v for k, v in headers if k.lower() == "content-length"]
        if not cls:
            raise AssertionError(f"response without Content-Length: {head!r}")
        n = int(cls[0])
        if len(rest) < he + 4 + n:
            return out, rest
        out.append((status, headers, rest[he + 4: he + 4 + n]))
        rest = rest[he + 4 + n:]


def exchange(port, data, want=1, timeout=SOCK_TIMEOUT, chunks=None, gap=0.0):
    """Send `data` (or the list `chunks` with `gap` seconds between them) and
    read until `want` complete responses arrived, the peer closed, or timeout."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    send_error = None
    buf = b""
    closed = False
    timed_out = False
    deadline = time.monotonic() + timeout
    try:
        try:
            for i, part in enumerate(chunks if chunks is not None else [data]):
                if i and gap:
                    time.sleep(gap)
                s.sendall(part)
        except OSError as e:  # server closed early (413/431...): read what it sent
            send_error = e
        while True:
            try:
                if len(parse_responses(buf)[0]) >= want:
                    break
            except AssertionError:
                break  # malformed; let the checker report it
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                timed_out = True
                break
            except OSError:  # ECONNRESET
                closed = True
                break
            if not chunk:
                closed = True
                break
            buf += chunk
    finally:
        s.close()
    return Outcome(buf, closed, timed_out, send_error)


def http_request(method, path, body=None, headers=None, content_type="application/json"):
    hdrs = [("Host", "127.0.0.1")]
    if body is not None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        if content_type:
            hdrs.append(("Content-Type", content_type))
        hdrs.append(("Content-Length", str(len(body))))
    for k, v in (headers or []):
        hdrs.append((k, v))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs) + "\r\n"
    return head.encode("utf-8") + (body or b"")


# --------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------

ERR_SHAPES = (["statusCode", "error", "message"], ["statusCode", "error", "message", "code"],
              ["message", "error", "statusCode"])
# Nest's answer to an http-errors error (body-parser's 415 unsupported charset).
HTTP_ERROR_SHAPE = ["statusCode", "message"]


def check_error_body(cid, status, headers, body):
    ct = next((v for k, v in headers if k.lower() == "content-type"), None)
    assert ct and ct.lower().startswith("application/json"), f"[{cid}] {status} content-type {ct!r}: {body[:300]!r}"
    try:
        js = json.loads(body.decode("utf-8"))  # strict UTF-8: no raw bytes echoed back
    except Exception as e:  # noqa: BLE001
        raise AssertionError(f"[{cid}] {status} body is not UTF-8 JSON ({e}): {body[:300]!r}")
    assert isinstance(js, dict), f"[{cid}] {status} body not an object: {js!r}"
    if status == 415 and list(js.keys()) == HTTP_ERROR_SHAPE:
        assert js["statusCode"] == 415 and js["message"].startswith("unsupported charset "), js
        return js
    assert list(js.keys()) in ERR_SHAPES, f"[{cid}] {status} error shape {list(js.keys())}: {js!r}"
    assert js["statusCode"] == status, f"[{cid}] statusCode {js['statusCode']} != HTTP {status}: {js!r}"
    assert isinstance(js["error"], str) and js["error"], f"[{cid}] error: {js!r}"
    assert isinstance(js["message"], str) and js["message"], f"[{cid}] message: {js!r}"
    if "code" in js:
        assert isinstance(js["code"], str) and re.match(r"^[A-Z_]+$", js["code"]), f"[{cid}] code: {js!r}"
    return js


def check_outcome(cid, oc, ok200=False, may_close=True, extra_ok=(), want=1):
    """The invariant. Returns the list of parsed responses (maybe empty)."""
    assert not (oc.timed_out and not oc.buf), f"[{cid}] HANG: no answer and no close within {SOCK_TIMEOUT}s {oc!r}"
    try:
        resps, rest = parse_responses(oc.buf)
    except AssertionError as e:
        raise AssertionError(f"[{cid}] malformed HTTP response ({e}): {oc!r}")
    if not resps:
        assert not oc.buf, f"[{cid}] incomplete response then {'close' if oc.closed else 'stall'}: {oc!r}"
        assert may_close, f"[{cid}] connection closed without an answer: {oc!r}"
        return resps
    assert not (oc.timed_out and len(resps) < want), f"[{cid}] HANG after {len(resps)} response(s): {oc!r}"
    for status, headers, body in resps[:want]:
        if status == 200 and ok200:
            ct = next((v for k, v in headers if k.lower() == "content-type"), "")
            assert ct.lower().startswith("application/json"), f"[{cid}] 200 content-type {ct!r}"
            js = json.loads(body.decode("utf-8"))
            assert isinstance(js, dict), f"[{cid}] 200 body {js!r}"
            continue
        assert 400 <= status < 500 or status in extra_ok, (
            f"[{cid}] expected a 4xx{' or 200' if ok200 else ''}, got {status}: {oc.buf[:600]!r}")
        check_error_body(cid, status, headers, body)
    return resps


# --------------------------------------------------------------------------
# servers, health
# --------------------------------------------------------------------------

class Ctx:
    pass


@pytest.fixture(scope="module")
def ctx(server_factory):
    c = Ctx()
    c.main = server_factory("--session-jwt-secret", KNOWN_SECRET)
    c.slow = server_factory("--server-read-timeout", "1s", "--server-idle-timeout", "1s")
    c.cookie = server_factory("--session-access-token-type", "cookie",
                              "--session-jwt-secret", KNOWN_SECRET)
    c.counts = {}
    c.main.name, c.slow.name, c.cookie.name = "main", "slow(read-timeout 1s)", "cookie-mode"
    c.first = {}
    for srv in (c.main, c.slow, c.cookie):
        email, r = signup(srv, email=unique_email("first"))
        if srv is c.cookie:
            cv = r.cookie_values()
            c.first[id(srv)] = (email, cv["accessToken"], cv["refreshToken"])
        else:
            c.first[id(srv)] = (email, r.json["accessToken"], r.json["refreshToken"])
    # login target for the login-body cases (its sessions get evicted, nobody cares)
    c.login_email, _ = signup(c.main, email=unique_email("logintarget"))
    # token victim: forged tokens are derived from its real ones
    c.victim_email, r = signup(c.main, email=unique_email("victim"))
    c.victim_at, c.victim_rt = r.json["accessToken"], r.json["refreshToken"]
    email, r = signup(c.cookie, email=unique_email("cvictim"))
    cv = r.cookie_values()
    c.cvictim_at, c.cvictim_rt = cv["accessToken"], cv["refreshToken"]
    return c


def health(srv, cid):
    died = revive(srv)
    assert died is None, f"[{cid}] authd DIED ({died})"
    c = srv.client(timeout=SOCK_TIMEOUT)
    email = unique_email("health")
    if "cookie" in srv.extra:
        r = c.post(srv.path("signup"), {"email": email, "password": PASSWORD})
        assert r.status == 200, f"[{cid}] health signup: {r!r}"
        at = r.cookie_values()["accessToken"]
        r = c.get(srv.path("me"), cookies={"accessToken": at})
    else:
        signup(srv, email=email)
        r = login(srv, email)
        r = c.get(srv.path("me"), bearer=r.json["accessToken"])
    assert r.status == 200 and r.json and r.json.get("email") == email, f"[{cid}] health /auth/me: {r!r}"


def parse_responses_safe(buf):
    try:
        return parse_responses(buf)[0]
    except AssertionError:
        return []


def revive(srv):
    """If authd died, start it again on the same data dir (so that one crash
    fails its own case instead of every later one) and return its output."""
    if srv.proc is not None and srv.proc.poll() is None:
        return None
    rc = srv.proc.returncode if srv.proc is not None else None
    out = srv.output()[-2000:]
    srv.proc = None
    srv._close_log()
    srv.start()
    return f"exit status {rc}\n--- output tail ---\n{out}"


def after_case(ctx, srv, cid, oc=None):
    if oc is not None and oc.closed and not parse_responses_safe(oc.buf):
        # closed without an answer: give a dying process time to be seen dead
        try:
            srv.proc.wait(timeout=0.3)
        except Exception:  # noqa: BLE001 - still alive
            pass
    died = revive(srv)
    assert died is None, f"[{cid}] authd CRASHED ({died})"
    n = ctx.counts.get(srv.name, 0) + 1
    ctx.counts[srv.name] = n
    if n % HEALTH_EVERY == 0:
        health(srv, cid)


# --------------------------------------------------------------------------
# 1. body fields x hostile values
# --------------------------------------------------------------------------

# name -> raw JSON text
VALUES = {
    "null": "null",
    "true": "true",
    "false": "false",
    "zero": "0",
    "minus1": "-1",
    "float": "1.5",
    "big1e309": "1e309",
    "negbig1e309": "-1e309",
    "bigint": "123456789012345678901234567890123456789",
    "tiny1e-400": "1e-400",
    "empty": '""',
    "long100k": json.dumps(LONG),
    "nul": '"\\u0000"',
    "nul-mid": '"ab\\u0000cd@example.com"',
    "array-empty": "[]",
    "array": '["x", 1, null, {"a": []}]',
    "obj-empty": "{}",
    "obj-nested": '{"a": {"b": {"c": [1, {"d": null}]}}}',
}
# JSON type of each value (for "is this value of the field's declared type")
VTYPE = {"null": "null", "true": "bool", "false": "bool", "zero": "num", "minus1": "num",
         "float": "num", "big1e309": "num", "negbig1e309": "num", "bigint": "num",
         "tiny1e-400": "num", "empty": "str", "long100k": "str", "nul": "str", "nul-mid": "str",
         "array-empty": "arr", "array": "arr", "obj-empty": "obj", "obj-nested": "obj"}

# endpoint -> list of (field path, declared type, required)
FIELDS = {
    "signup": [("email", "str", True), ("phone", "str", False), ("password", "str", True),
               ("tenantId", "str", False), ("rememberMe", "bool", False)],
    "login": [("providerName", "str", True), ("credentials", "obj", True),
              ("credentials.email", "str", True), ("credentials.password", "str", True),
              ("tenantId", "str", False), ("guard", "str", False),
              ("createUserIfNotExists", "bool", False), ("rememberMe", "bool", False)],
    "refresh-token": [("refreshToken", "str", True), ("rememberMe", "bool", False)],
    "forgot-password": [("email", "str", True), ("phone", "str", False), ("tenantId", "str", False)],
    "verify-forgot-password-otp": [("email", "str", True), ("phone", "str", False),
                                   ("code", "str", True), ("tenantId", "str", False)],
    "reset-password": [("token", "str", True), ("newPassword", "str", True)],
}


def base_body(ctx, ep):
    if ep == "signup":
        return {"email": unique_email("bad"), "password": PASSWORD}
    if ep == "login":
        return {"providerName": "email", "credentials": {"email": ctx.login_email, "password": PASSWORD}}
    if ep == "forgot-password":
        return {"email": ctx.login_email}
    if ep == "verify-forgot-password-otp":  # a wrong code: 400 at best
        return {"email": ctx.login_email, "code": "000000"}
    if ep == "reset-password":  # a bad token: 400 at best
        return {"token": "x.y.z", "newPassword": PASSWORD}
    # a fresh refresh token so that a value the spec allows really refreshes
    r = login(ctx.main, ctx.login_email)
    return {"refreshToken": r.json["refreshToken"]}


SENTINEL = "__BAD_VALUE_SENTINEL__"


def set_path(body, path, value):
    keys = path.split(".")
    d = body
    for k in keys[:-1]:
        d = d[k]
    d[keys[-1]] = value


def del_path(body, path):
    keys = path.split(".")
    d = body
    for k in keys[:-1]:
        d = d[k]
    d.pop(keys[-1], None)


# (endpoint, field, value) that is a valid request by the spec although the
# field is required: a 19-character password containing a NUL.
VALID_BY_SPEC = {("signup", "password", "nul-mid")}


# Optional fields the reference accepts whatever their JSON type
# (tests/data/reference_validation.json): rememberMe counts only when it is
# a boolean, createUserIfNotExists passes IsBoolean after the host's
# implicit conversion, guard is converted to a string (an array is not).
ANY_VALUE = {("signup", "rememberMe"), ("login", "rememberMe"), ("refresh-token", "rememberMe"),
             ("login", "createUserIfNotExists")}
CONVERTED = {("login", "guard")}


def allow_200(ftype, required, vname, ep=None, field=None):
    """A 200 is a correct answer only for an optional field given null or a
    value of its own declared type (e.g. rememberMe:true, phone:""), or any
    value the reference accepts for it too."""
    if (ep, field, vname) in VALID_BY_SPEC:
        return True
    if (ep, field) in ANY_VALUE:
        return True
    if (ep, field) in CONVERTED and vname != "missing" and VTYPE[vname] != "arr":
        return True
    if required:
        return False
    vt = VTYPE[vname] if vname != "missing" else "null"
    return vt == "null" or vt == ftype


FIELD_CASES = []
for _ep, _fields in FIELDS.items():
    for _f, _t, _req in _fields:
        for _v in list(VALUES) + ["missing"]:
            FIELD_CASES.append(pytest.param(_ep, _f, _t, _req, _v, id=f"{_ep}:{_f}={_v}"))


@pytest.mark.parametrize("ep,field,ftype,required,vname", FIELD_CASES)
def test_field_value(ctx, ep, field, ftype, required, vname):
    cid = f"{ep}:{field}={vname}"
    body = base_body(ctx, ep)
    if vname == "missing":
        del_path(body, field)
        raw = json.dumps(body)
    else:
        set_path(body, field, SENTINEL)
        raw = json.dumps(body).replace(json.dumps(SENTINEL), VALUES[vname])
    assert len(raw) <= MAX_BODY, (cid, len(raw))
    oc = exchange(ctx.main.port, http_request("POST", f"/auth/{ep}", raw))
    ok = allow_200(ftype, required, vname, ep, field)
    resps = check_outcome(cid, oc, ok200=ok, may_close=False)
    status = resps[0][0]
    if status == 200 and ep in ("signup", "login", "refresh-token"):
        js = json.loads(resps[0][2])
        assert JWT_LIKE.match(js.get("accessToken", "")), f"[{cid}] 200 without token: {js!r}"
    after_case(ctx, ctx.main, cid)


JWT_LIKE = re.compile(r"^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


# --------------------------------------------------------------------------
# 2. whole bodies, duplicate keys, UTF-8, NUL, nesting
# --------------------------------------------------------------------------

def _deep(n, open_, close):
    return open_ * n + close * n


BODY_CASES = {
    "empty": (b"", "application/json"),
    "null": (b"null", "application/json"),
    "true": (b"true", "application/json"),
    "number": (b"12345", "application/json"),
    "string": (b'"hello"', "application/json"),
    "array": (b"[]", "application/json"),
    "array-of-obj": (b'[{"email":"a@b.co"}]', "application/json"),
    "empty-obj": (b"{}", "application/json"),
    "truncated": (b'{"email":"a@b.co","password":', "application/json"),
    "trailing-garbage": (b'{"email":"a@b.co"} xyz', "application/json"),
    "two-objects": (b'{}{}', "application/json"),
    "trailing-comma": (b'{"email":"a@b.co",}', "application/json"),
    "single-quotes": (b"{'email':'a@b.co'}", "application/json"),
    "unquoted-key": (b"{email:1}", "application/json"),
    "comment": (b'{/*x*/"email":1}', "application/json"),
    "NaN": (b'{"email":NaN}', "application/json"),
    "Infinity": (b'{"email":Infinity}', "application/json"),
    "hex-number": (b'{"email":0x10}', "application/json"),
    "leading-zero": (b'{"email":0012}', "application/json"),
    "bad-escape": (b'{"email":"\\x41"}', "application/json"),
    "short-unicode-escape": (b'{"email":"\\u12"}', "application/json"),
    "raw-newline-in-string": (b'{"email":"a\nb"}', "application/json"),
    "raw-NUL-in-string": (b'{"email":"a\x00b@x.co","password":"Str0ng!Passw0rd"}', "application/json"),
    "raw-NUL-between-tokens": (b'{"email":\x00"a@b.co"}', "application/json"),
    "raw-NUL-after-body": (b'{"email":"a@b.co"}\x00', "application/json"),
    "only-NULs": (b"\x00" * 64, "application/json"),
    "bom": (b'\xef\xbb\xbf{"email":"a@b.co"}', "application/json"),
    "utf16": ('{"email":"a@b.co"}'.encode("utf-16"), "application/json"),
    "deep-array-10k": (_deep(10_000, b"[", b"]"), "application/json"),
    "deep-array-50k": (_deep(50_000, b"[", b"]"), "application/json"),
    "deep-array-unclosed-10k": (b"[" * 10_000, "application/json"),
    "deep-obj-10k": (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, "application/json"),
    "deep-in-field-10k": (b'{"email":"x@y.co","password":' + _deep(10_000, b"[", b"]") + b"}",
                          "application/json"),
    "deep-in-credentials-10k": (b'{"providerName":"email","credentials":' + b'{"a":' * 10_000 + b"1"
                                + b"}" * 10_000 + b"}", "application/json"),
    "many-keys": (("{" + ",".join(f'"k{i}":{i}' for i in range(7800)) + "}").encode(),
                  "application/json"),
    "long-key": (('{"' + "k" * 99_000 + '":1}').encode(), "application/json"),
    "huge-exponent": (b'{"password":1e999999999999999999}', "application/json"),
    "many-digits": (b'{"password":' + b"9" * 90_000 + b"}", "application/json"),
    "text-plain": (b'{"email":"a@b.co","password":"Str0ng!Passw0rd"}', "text/plain"),
    "no-content-type": (b'{"email":"a@b.co","password":"Str0ng!Passw0rd"}', None),
    "form-urlencoded": (b"email=a%40b.co&password=Str0ng!Passw0rd", "application/x-www-form-urlencoded"),
    "ct-garbage": (b'{"email":"a@b.co"}', "\x01\x02;;;=="),
    "ct-json-bad-charset": (b'{"email":"a@b.co"}', "application/json; charset=klingon"),
    "ct-json-in-param": (b'{"email":"a@b.co","password":"Str0ng!Passw0rd"}',
                         "text/plain; x=application/json"),
    "ct-json-after-semicolon": (b'{"email":"a@b.co"}', "text/plain;application/json"),
    "ct-plus-json": (b'{"email":"a@b.co"}', "application/vnd.api+json"),
    "ct-json-suffix-garbage": (b'{"email":"a@b.co"}', "application/jsonx"),
    "ct-json-quoted-unterminated": (b'{"email":"a@b.co"}', 'application/json; charset="utf-8'),
    "ct-json-many-params": (b'{"email":"a@b.co"}', "application/json" + "; a=b" * 2000),
    "ct-json-utf16-charset": (b'{"email":"a@b.co"}', "application/json; charset=utf-16"),
}


BODY_PARAMS = [pytest.param(ep, name, id=f"{ep}:{name}")
               for ep in ("signup", "login", "refresh-token") for name in BODY_CASES]


@pytest.mark.parametrize("ep,name", BODY_PARAMS)
def test_whole_body(ctx, ep, name):
    cid = f"body {ep}:{name}"
    body, ct = BODY_CASES[name]
    assert len(body) <= MAX_BODY, (name, len(body))
    oc = exchange(ctx.main.port, http_request("POST", f"/auth/{ep}", body, content_type=ct))
    check_outcome(cid, oc, may_close=False)
    after_case(ctx, ctx.main, cid)


# A CORS-safelisted Content-Type (no preflight) that merely mentions JSON
# must not be parsed as JSON: a cross-site page could otherwise sign up or
# log in. Such a body reads as empty, as in the reference (validation 400).
@pytest.mark.parametrize("ct", ["text/plain; x=application/json", "text/plain;application/json",
                                "application/x-www-form-urlencoded; x=application/json",
                                "multipart/form-data; boundary=application/json"])
def test_simple_request_content_type_is_not_json(ctx, ct):
    email = unique_email("ct")
    body = json.dumps({"email": email, "password": PASSWORD}).encode()
    oc = exchange(ctx.main.port, http_request("POST", "/auth/signup", body, content_type=ct))
    (status, headers, resp), = check_outcome(f"ct signup {ct}", oc, may_close=False)
    assert status == 400, resp
    assert json.loads(resp)["message"] == "email should not be empty", resp
    login(ctx.main, email, expect=401)  # no account was created
    after_case(ctx, ctx.main, f"ct {ct}")


def test_json_content_type_with_parameters_and_case_is_parsed(ctx):
    email = unique_email("ct")
    body = json.dumps({"email": email, "password": PASSWORD}).encode()
    oc = exchange(ctx.main.port, http_request("POST", "/auth/signup", body,
                                              content_type="Application/JSON ; Charset=\"UTF-8\""))
    (status, _, resp), = check_outcome("ct json params", oc, ok200=True, may_close=False)
    assert status == 200, resp
    oc = exchange(ctx.main.port, http_request("POST", "/auth/signup", b"{}",
                                              content_type="application/json; charset=latin1"))
    (status, _, resp), = check_outcome("ct json latin1", oc, may_close=False)
    assert status == 415 and json.loads(resp) == {
        "statusCode": 415, "message": 'unsupported charset "LATIN1"'}, resp


# invalid UTF-8 sequences, placed in a value of each field and in a key
BAD_UTF8 = {
    "ff": b"\xff",
    "c3-28": b"\xc3\x28",
    "lone-continuation": b"\x80",
    "overlong-slash": b"\xc0\xaf",
    "overlong-nul": b"\xc0\x80",
    "surrogate-d800": b"\xed\xa0\x80",
    "truncated-3byte": b"\xe2\x82",
    "above-10ffff": b"\xf4\x90\x80\x80",
    "f8-5byte": b"\xf8\x88\x80\x80\x80",
}
# escaped lone surrogates: valid JSON syntax, invalid Unicode
ESC_SURROGATES = {
    "esc-lone-high": b"\\ud800",
    "esc-lone-low": b"\\udc00",
    "esc-high-then-A": b"\\ud800\\u0041",
    "esc-reversed-pair": b"\\udc00\\ud800",
}
UTF8_SLOTS = {
    # slot -> (endpoint, body template with {X} inside a string, 200-acceptable)
    "signup.email": ("signup", b'{"email":"u{X}@example.com","password":"Str0ng!Passw0rd"}', False),
    "signup.password": ("signup", b'{"email":"{E}","password":"Str0ng!{X}Passw0rd"}', True),
    "signup.phone": ("signup", b'{"email":"{E}","password":"Str0ng!Passw0rd","phone":"+1{X}5"}', True),
    "signup.key": ("signup", b'{"email":"{E}","password":"Str0ng!Passw0rd","k{X}":1}', True),
    "login.providerName": ("login", b'{"providerName":"em{X}ail","credentials":{"email":"{L}","password":"Str0ng!Passw0rd"}}', False),
    "login.credentials.email": ("login", b'{"providerName":"email","credentials":{"email":"{X}{L}","password":"Str0ng!Passw0rd"}}', False),
    "login.credentials.password": ("login", b'{"providerName":"email","credentials":{"email":"{L}","password":"{X}"}}', False),
    "login.credentials.key": ("login", b'{"providerName":"email","credentials":{"email":"{L}","password":"Str0ng!Passw0rd","{X}":1}}', True),
    "login.guard": ("login", b'{"providerName":"email","credentials":{"email":"{L}","password":"Str0ng!Passw0rd"},"guard":"{X}"}', False),
    "refresh.refreshToken": ("refresh-token", b'{"refreshToken":"eyJ{X}.eyJ.x"}', False),
    "refresh.key": ("refresh-token", b'{"{X}":"x"}', False),
}
UTF8_PARAMS = [pytest.param(slot, seq, id=f"{slot}:{seq}")
               for slot in UTF8_SLOTS for seq in list(BAD_UTF8) + list(ESC_SURROGATES)]


@pytest.mark.parametrize("slot,seq", UTF8_PARAMS)
def test_invalid_unicode(ctx, slot, seq):
    cid = f"utf8 {slot}:{seq}"
    ep, tmpl, ok = UTF8_SLOTS[slot]
    x = BAD_UTF8.get(seq) or ESC_SURROGATES[seq]
    body = (tmpl.replace(b"{X}", x).replace(b"{E}", unique_email("utf").encode())
            .replace(b"{L}", ctx.login_email.encode()))
    oc = exchange(ctx.main.port, http_request("POST", f"/auth/{ep}", body))
    check_outcome(cid, oc, ok200=ok, may_close=False)
    after_case(ctx, ctx.main, cid)


DUP_CASES = {
    "signup-email-bad-then-good": ("signup", '{"email":123,"email":"{E}","password":"Str0ng!Passw0rd"}', True),
    "signup-email-good-then-bad": ("signup", '{"email":"{E}","email":[1],"password":"Str0ng!Passw0rd"}', False),
    "signup-password-twice": ("signup", '{"email":"{E}","password":"x","password":"Str0ng!Passw0rd"}', True),
    "signup-password-good-then-null": ("signup", '{"email":"{E}","password":"Str0ng!Passw0rd","password":null}', False),
    "signup-1000-dups": ("signup", '{' + '"email":"x",' * 1000 + '"email":"{E}","password":"Str0ng!Passw0rd"}', True),
    "login-credentials-twice": ("login", '{"providerName":"email","credentials":"x","credentials":{"email":"{L}","password":"Str0ng!Passw0rd"}}', True),
    "login-credentials-good-then-bad": ("login", '{"providerName":"email","credentials":{"email":"{L}","password":"Str0ng!Passw0rd"},"credentials":7}', False),
    "login-provider-twice": ("login", '{"providerName":"nope","providerName":"email","credentials":{"email":"{L}","password":"Str0ng!Passw0rd"}}', True),
    "login-inner-dup": ("login", '{"providerName":"email","credentials":{"email":"{L}","password":"wrong","password":"Str0ng!Passw0rd"}}', True),
    "login-inner-dup-bad-last": ("login", '{"providerName":"email","credentials":{"email":"{L}","password":"Str0ng!Passw0rd","password":{}}}', False),
    "refresh-twice": ("refresh-token", '{"refreshToken":"{R}","refreshToken":"garbage"}', False),
    "refresh-bad-then-good": ("refresh-token", '{"refreshToken":5,"refreshToken":"{R}"}', True),
    "nested-dup-objects": ("signup", '{"email":{"a":1,"a":2},"email":{"b":[],"b":{}},"password":"x"}', False),
}


@pytest.mark.parametrize("name", list(DUP_CASES))
def test_duplicate_keys(ctx, name):
    cid = f"dup {name}"
    ep, tmpl, ok = DUP_CASES[name]
    body = tmpl.replace("{E}", unique_email("dup")).replace("{L}", ctx.login_email)
    if "{R}" in body:
        body = body.replace("{R}", login(ctx.main, ctx.login_email).json["refreshToken"])
    oc = exchange(ctx.main.port, http_request("POST", f"/auth/{ep}", body))
    check_outcome(cid, oc, ok200=ok, may_close=False)
    after_case(ctx, ctx.main, cid)


def test_nul_in_password_is_not_truncated(ctx):
    """A password with an escaped NUL is either refused or stored whole: the
    part before the NUL must not log in."""
    srv = ctx.main
    email = unique_email("nul")
    pw = "Str0ng!\u0000Passw0rd"
    r = srv.client().post("/auth/signup", {"email": email, "password": pw})
    if r.status != 200:
        assert_json(r, r.status)
        assert 400 <= r.status < 500, r
        return
    login(srv, email, password=pw, expect=200)
    for wrong in ("Str0ng!", "Str0ng!\u0000", "Str0ng!\u0000Passw0rX", "Str0ng!Passw0rd"):
        r = login(srv, email, password=wrong, expect=None)
        assert r.status == 401, f"password {wrong!r} must not match {pw!r}: {r!r}"
    # an e-mail with a NUL is never a valid e-mail
    r = srv.client().post("/auth/signup", {"email": "ab\u0000c@example.com", "password": PASSWORD})
    assert_json(r, 400)
    r = srv.client().post("/auth/signup", {"email": "abc@example.com\u0000.evil", "password": PASSWORD})
    assert_json(r, 400)


# --------------------------------------------------------------------------
# 3. HTTP-level cases (raw sockets, read-timeout-1s server)
# --------------------------------------------------------------------------

SIGNUP_JSON = b'{"email":"%s","password":"Str0ng!Passw0rd"}'
H = b"Host: x\r\n"
CTJ = b"Content-Type: application/json\r\n"


def _big_headers(n, size):
    return b"".join(b"X-H%d: %s\r\n" % (i, b"v" * size) for i in range(n))


RAW = {
    # --- body size
    "body-over-limit": b"POST /auth/signup HTTP/1.1\r\n" + H + CTJ + b"Content-Length: %d\r\n\r\n" % (MAX_BODY + 1)
                       + b"{" + b" " * (MAX_BODY - 1) + b"}",
    "body-2x-limit": b"POST /auth/login HTTP/1.1\r\n" + H + CTJ + b"Content-Length: %d\r\n\r\n" % (2 * MAX_BODY)
                     + b"x" * (2 * MAX_BODY),
    "cl-1GB-no-body": b"POST /auth/signup HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 1000000000\r\n\r\n",
    "cl-huge-int64": b"POST /auth/signup HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 9223372036854775807\r\n\r\n",
    "cl-overflow-uint64": b"POST /auth/signup HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 18446744073709551617\r\n\r\n{}",
    "cl-overflow-long": b"POST /auth/signup HTTP/1.1\r\n" + H + CTJ + b"Content-Length: " + b"9" * 60 + b"\r\n\r\n{}",
    "chunked-over-limit": b"POST /auth/signup HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n"
                          + b"".join(b"4000\r\n" + b" " * 0x4000 + b"\r\n" for _ in range(8)) + b"0\r\n\r\n",
    "chunk-size-over-limit": b"POST /auth/signup HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n"
                             + b"7fffffff\r\n{}",
    # --- Content-Length
    "cl-dup-different": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 2\r\nContent-Length: 5\r\n\r\n{}",
    "cl-dup-different-rev": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 5\r\nContent-Length: 2\r\n\r\n{}xyz",
    "cl-list-different": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 2, 5\r\n\r\n{}xyz",
    "cl-negative": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: -1\r\n\r\n{}",
    "cl-negative-big": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: -100000\r\n\r\n{}",
    "cl-non-numeric": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: abc\r\n\r\n{}",
    "cl-empty": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: \r\n\r\n{}",
    "cl-plus": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: +2\r\n\r\n{}",
    "cl-hex": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 0x2\r\n\r\n{}",
    "cl-float": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 2.0\r\n\r\n{}",
    "cl-exp": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 2e0\r\n\r\n{}",
    "cl-trailing-junk": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 2x\r\n\r\n{}",
    "cl-inner-space": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 1 2\r\n\r\n{}",
    "cl-nul": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 2\x00\r\n\r\n{}",
    "cl-space-before-colon": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length : 2\r\n\r\n{}",
    "cl-short-body-then-close": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 100\r\n\r\n{}",
    # --- Transfer-Encoding
    "te-and-cl": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "cl-and-te": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\nContent-Length: 30\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "te-unknown": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: gzip\r\n\r\n{}",
    "te-chunked-not-last": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked, gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "te-double-chunked": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "te-dup-headers": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "te-xchunked": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "te-vertical-tab": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding:\x0bchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "te-http10": b"POST /auth/refresh-token HTTP/1.0\r\n" + CTJ + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    # --- chunk sizes
    "chunk-size-zz": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    "chunk-size-negative": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n",
    "chunk-size-overflow": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n{}\r\n0\r\n\r\n",
    "chunk-size-uint64-wrap": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n10000000000000002\r\n{}\r\n0\r\n\r\n",
    "chunk-size-0x": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n0x2\r\n{}\r\n0\r\n\r\n",
    "chunk-size-empty": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n\r\n{}\r\n0\r\n\r\n",
    "chunk-size-space": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n 2\r\n{}\r\n0\r\n\r\n",
    "chunk-too-long-data": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}xxxx\r\n0\r\n\r\n",
    "chunk-missing-crlf": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}0\r\n\r\n",
    "chunk-bare-lf": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n2\n{}\n0\n\n",
    "chunk-ext-garbage": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n2;\x01\x02=\"\r\n{}\r\n0\r\n\r\n",
    "chunk-ext-huge": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n2;" + b"e" * 200_000 + b"\r\n{}\r\n0\r\n\r\n",
    "chunk-size-leading-zeros": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n" + b"0" * 5000 + b"2\r\n{}\r\n0\r\n\r\n",
    "chunk-trailer-garbage": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nnot a header line\r\n\r\n",
    "chunk-trailer-huge": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX: " + b"t" * 200_000 + b"\r\n\r\n",
    "chunk-never-terminated": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n",
    "chunk-many-tiny": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Transfer-Encoding: chunked\r\n\r\n"
                       + b"1\r\n \r\n" * 30_000 + b"2\r\n{}\r\n0\r\n\r\n",
    # --- headers
    "header-17k": b"GET /auth/client-config HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * (17 * 1024) + b"\r\n\r\n",
    "header-1MB": b"GET /auth/client-config HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * (1024 * 1024) + b"\r\n\r\n",
    "header-no-end-64k": b"GET /auth/client-config HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * (64 * 1024),
    "headers-many-small-over": b"GET /auth/client-config HTTP/1.1\r\n" + H + _big_headers(5000, 1) + b"\r\n",
    "headers-many-under-limit": b"GET /auth/client-config HTTP/1.1\r\n" + H + _big_headers(1000, 1) + b"\r\n",
    "headers-authorization-17k": b"GET /auth/me HTTP/1.1\r\n" + H + b"Authorization: Bearer " + b"a" * (17 * 1024) + b"\r\n\r\n",
    "headers-cookie-17k": b"GET /auth/me HTTP/1.1\r\n" + H + b"Cookie: accessToken=" + b"a" * (17 * 1024) + b"\r\n\r\n",
    "headers-many-cookies": b"GET /auth/me HTTP/1.1\r\n" + H + b"".join(b"Cookie: c%d=v\r\n" % i for i in range(1500)) + b"\r\n",
    "headers-many-authorization": b"GET /auth/me HTTP/1.1\r\n" + H + b"Authorization: Bearer x\r\n" * 500 + b"\r\n",
    "header-no-colon": b"GET /auth/client-config HTTP/1.1\r\n" + H + b"NoColonHere\r\n\r\n",
    "header-empty-name": b"GET /auth/client-config HTTP/1.1\r\n" + H + b": value\r\n\r\n",
    "header-space-in-name": b"GET /auth/client-config HTTP/1.1\r\n" + H + b"Bad Name: v\r\n\r\n",
    "header-obs-fold": b"GET /auth/client-config HTTP/1.1\r\n" + H + b"X-A: v\r\n  folded\r\n\r\n",
    "header-nul-value": b"GET /auth/client-config HTTP/1.1\r\n" + H + b"X-A: a\x00b\r\n\r\n",
    "header-cr-in-value": b"GET /auth/client-config HTTP/1.1\r\n" + H + b"X-A: a\rb\r\n\r\n",
    "header-bare-lf-lines": b"GET /auth/client-config HTTP/1.1\n" + b"Host: x\n\n",
    "header-binary-name": b"GET /auth/client-config HTTP/1.1\r\n" + H + b"\xff\xfe: v\r\n\r\n",
    "header-utf8-value": b"GET /auth/client-config HTTP/1.1\r\n" + H + b"X-A: \xe2\x98\x83\xff\r\n\r\n",
    "host-dup": b"GET /auth/client-config HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "request-id-garbage": b"GET /auth/nope HTTP/1.1\r\n" + H + b"X-Request-Id: \x01\x02<script>\xff\r\n\r\n",
    "expect-garbage": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Expect: 999-weird\r\nContent-Length: 2\r\n\r\n{}",
    "connection-garbage": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Connection: \x01upgrade, close, , ,\r\nContent-Length: 2\r\n\r\n{}",
    "upgrade-h2c": b"GET /auth/me HTTP/1.1\r\n" + H + b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n",
    "h2-preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "tls-client-hello": bytes.fromhex("16030100a5010000a10303") + os.urandom(32) + b"\x00\x00\x02\x13\x01\x01\x00",
    # --- request line
    "method-invalid-chars": b"G@T /auth/me HTTP/1.1\r\n" + H + b"\r\n",
    "method-lowercase": b"get /auth/client-config HTTP/1.1\r\n" + H + b"\r\n",
    "method-unknown": b"FOOBAR /auth/me HTTP/1.1\r\n" + H + b"\r\n",
    "method-propfind": b"PROPFIND /auth/me HTTP/1.1\r\n" + H + b"\r\n",
    "method-trace": b"TRACE /auth/me HTTP/1.1\r\n" + H + b"\r\n",
    "method-connect": b"CONNECT 127.0.0.1:80 HTTP/1.1\r\n" + H + b"\r\n",
    "method-long": b"A" * 8000 + b" /auth/me HTTP/1.1\r\n" + H + b"\r\n",
    "method-empty": b" /auth/me HTTP/1.1\r\n" + H + b"\r\n",
    "method-delete-login": b"DELETE /auth/login HTTP/1.1\r\n" + H + b"\r\n",
    "method-put-signup": b"PUT /auth/signup HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 2\r\n\r\n{}",
    "method-get-with-body": b"GET /auth/me HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 5\r\n\r\n{\"a\"}",
    "method-nul": b"GE\x00T /auth/me HTTP/1.1\r\n" + H + b"\r\n",
    "request-line-garbage": b"HELLO\r\n\r\n",
    "request-line-only-spaces": b"   \r\n\r\n",
    "request-line-tabs": b"GET\t/auth/me\tHTTP/1.1\r\n" + H + b"\r\n",
    "request-line-double-space": b"GET  /auth/me  HTTP/1.1\r\n" + H + b"\r\n",
    "request-line-extra-token": b"GET /auth/me HTTP/1.1 extra\r\n" + H + b"\r\n",
    "request-line-binary": os.urandom(200) + b"\r\n\r\n",
    "leading-crlfs": b"\r\n" * 50 + b"GET /auth/client-config HTTP/1.1\r\n" + H + b"\r\n",
    "version-missing": b"GET /auth/me\r\n" + H + b"\r\n",
    "version-2": b"GET /auth/me HTTP/2.0\r\n" + H + b"\r\n",
    "version-9.9": b"GET /auth/me HTTP/9.9\r\n" + H + b"\r\n",
    "version-garbage": b"GET /auth/me HTTX/1.1\r\n" + H + b"\r\n",
    "version-lowercase": b"GET /auth/me http/1.1\r\n" + H + b"\r\n",
    "version-long-digits": b"GET /auth/me HTTP/1.100000000000000000001\r\n" + H + b"\r\n",
    "target-absolute-form": b"GET http://127.0.0.1/auth/client-config HTTP/1.1\r\n" + H + b"\r\n",
    "target-absolute-garbage": b"GET http://[::zz]:99999999/auth/me HTTP/1.1\r\n" + H + b"\r\n",
    "target-asterisk": b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n",
    "target-asterisk-get": b"GET * HTTP/1.1\r\n" + H + b"\r\n",
    "target-relative": b"GET auth/me HTTP/1.1\r\n" + H + b"\r\n",
    "target-query-only": b"GET ?x=1 HTTP/1.1\r\n" + H + b"\r\n",
    "target-dot-segments": b"GET /auth/../../../etc/passwd HTTP/1.1\r\n" + H + b"\r\n",
    "target-double-slash": b"GET //auth//me HTTP/1.1\r\n" + H + b"\r\n",
    "target-pct-invalid": b"GET /auth/%zz HTTP/1.1\r\n" + H + b"\r\n",
    "target-pct-truncated": b"GET /auth/me% HTTP/1.1\r\n" + H + b"\r\n",
    "target-pct-truncated2": b"GET /auth/me%4 HTTP/1.1\r\n" + H + b"\r\n",
    "target-pct-nul": b"GET /auth/%00me HTTP/1.1\r\n" + H + b"\r\n",
    "target-pct-slash": b"GET /auth%2Fme HTTP/1.1\r\n" + H + b"\r\n",
    "target-pct-bad-utf8": b"GET /auth/%ff%fe%c0%af HTTP/1.1\r\n" + H + b"\r\n",
    "target-pct-overlong-dots": b"GET /auth/%c0%ae%c0%ae/me HTTP/1.1\r\n" + H + b"\r\n",
    "target-pct-encoded-route": b"GET /%61uth/%6De HTTP/1.1\r\n" + H + b"\r\n",
    "target-pct-in-query": b"GET /auth/client-config?a=%zz&b=%&c=%ff HTTP/1.1\r\n" + H + b"\r\n",
    "target-raw-high-bytes": b"GET /auth/\xff\xfe\xe2\x98\x83 HTTP/1.1\r\n" + H + b"\r\n",
    "target-raw-ctl": b"GET /auth/\x01\x7f HTTP/1.1\r\n" + H + b"\r\n",
    "target-fragment": b"GET /auth/client-config#frag HTTP/1.1\r\n" + H + b"\r\n",
    "target-20k": b"GET /auth/" + b"a" * 20_000 + b" HTTP/1.1\r\n" + H + b"\r\n",
    "target-long-query": b"GET /auth/client-config?" + b"q=1&" * 3000 + b" HTTP/1.1\r\n" + H + b"\r\n",
    "target-post-login-pct": b"POST /auth/log%69n HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 2\r\n\r\n{}",
    "target-empty": b"GET  HTTP/1.1\r\n" + H + b"\r\n",
    # --- pipelining garbage after a valid request
    "pipelined-garbage": b"GET /auth/client-config HTTP/1.1\r\n" + H + b"\r\n" + b"GARBAGE\x00\xff\r\n\r\n",
    "pipelined-binary": b"GET /auth/client-config HTTP/1.1\r\n" + H + b"\r\n" + os.urandom(3000),
    "pipelined-body-overrun": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 2\r\n\r\n{}"
                              + b"{\"refreshToken\":\"x\"}\r\n\r\n",
    "pipelined-smuggle-cl": b"POST /auth/refresh-token HTTP/1.1\r\n" + H + CTJ + b"Content-Length: 2\r\n\r\n{}"
                            + b"GET /auth/client-config HTTP/1.1\r\nContent-Length: zz\r\n\r\n",
    "pipelined-after-413": b"POST /auth/signup HTTP/1.1\r\n" + H + CTJ + b"Content-Length: %d\r\n\r\n" % (MAX_BODY + 10)
                           + b"GET /auth/client-config HTTP/1.1\r\n" + H + b"\r\n",
}

# Cases whose first answer may legitimately be a success: a well-formed
# request in an odd but valid form (RFC 9112) or a valid request followed by
# garbage (the first answer is the valid one). header-obs-fold: RFC 9112 lets
# a server replace obs-fold with SP. method-lowercase: methods are
# case-sensitive, "get" is an unknown method; authd serves it as GET
# (harmless, noted in the report).
RAW_OK = {"header-obs-fold", "method-lowercase", "headers-many-under-limit", "host-dup", "leading-crlfs", "target-absolute-form",
          "target-pct-in-query", "target-fragment", "target-long-query", "target-double-slash",
          "target-pct-encoded-route", "pipelined-garbage", "pipelined-binary", "header-utf8-value",
          "te-http10", "method-get-with-body", "te-double-chunked", "chunk-size-leading-zeros",
          "chunk-many-tiny", "header-bare-lf-lines", "expect-garbage", "connection-garbage",
          "upgrade-h2c", "headers-many-cookies", "request-id-garbage", "cl-plus"}
# 5xx codes the RFC prescribes for some of these (allowed, reported as notes)
RAW_EXTRA = {"te-unknown": (501,), "te-chunked-not-last": (501,), "te-xchunked": (501,),
             "version-2": (505,), "version-9.9": (505,), "version-long-digits": (505,),
             "h2-preface": (505,), "method-unknown": (501,), "method-propfind": (501,),
             "method-connect": (501,), "method-trace": (501,), "te-dup-headers": (501,)}
# Expected exact statuses where the spec / config is explicit
RAW_STATUS = {"body-over-limit": 413, "body-2x-limit": 413, "cl-1GB-no-body": 413,
              "cl-huge-int64": 413, "chunked-over-limit": 413, "header-17k": 431,
              "header-1MB": 431, "headers-many-small-over": 431, "headers-authorization-17k": 431,
              "headers-cookie-17k": 431, "cl-dup-different": 400, "cl-dup-different-rev": 400,
              "te-and-cl": 400, "cl-and-te": 400, "cl-non-numeric": 400, "cl-negative": 400,
              "chunk-size-zz": 400}


# Transfer-Encoding oddities: RFC 9112 section 6.3 -- a request whose
# Transfer-Encoding does not end in (a single) chunked has no reliable length:
# answer 400 and close. Whatever the answer, the body bytes must never be
# parsed as a second (smuggled) request.
TE_CASES = {"te-unknown", "te-chunked-not-last", "te-xchunked", "te-double-chunked",
            "te-dup-headers", "te-vertical-tab", "te-and-cl", "cl-and-te", "te-http10"}
TE_MUST_400 = {"te-unknown", "te-chunked-not-last", "te-xchunked"}


@pytest.mark.parametrize("name", list(RAW))
def test_raw_http(ctx, name):
    cid = f"raw {name}"
    data = RAW[name]
    if name in TE_CASES:
        oc = exchange(ctx.slow.port, data, want=2, timeout=3.0)
        resps = check_outcome(cid, oc, ok200=False, extra_ok=RAW_EXTRA.get(name, ()))
        assert len(resps) <= 1, (
            f"[{cid}] body bytes were parsed as a second request (request smuggling): "
            f"statuses {[r[0] for r in resps]}: {oc!r}")
        if name in TE_MUST_400 and resps:
            assert resps[0][0] in (400, 501), f"[{cid}] unknown transfer coding accepted: {oc!r}"
        after_case(ctx, ctx.slow, cid, oc)
        return
    oc = exchange(ctx.slow.port, data)
    resps = check_outcome(cid, oc, ok200=name in RAW_OK, extra_ok=RAW_EXTRA.get(name, ()))
    if name in RAW_STATUS and resps:
        assert resps[0][0] == RAW_STATUS[name], f"[{cid}] expected {RAW_STATUS[name]}: {oc!r}"
    if name == "pipelined-smuggle-cl" and len(resps) > 1:
        assert resps[1][0] == 400, f"[{cid}] smuggled request served: {oc!r}"
    if name.startswith("pipelined-") and len(resps) > 1:
        for st, hd, bd in resps[1:]:
            assert 400 <= st < 500, f"[{cid}] garbage after a request answered {st}: {oc!r}"
            check_error_body(cid + " (2nd)", st, hd, bd)
    after_case(ctx, ctx.slow, cid, oc)


def _max_header_bytes_limit():
    """Upper bound of server.max_header_bytes as documented by `authd --help`."""
    import subprocess
    from conftest import AUTHD_BIN
    out = subprocess.run([AUTHD_BIN, "--help"], capture_output=True, text=True, timeout=10).stdout
    m = re.search(r"--server-max-header-bytes N.*?Range: 1024\.\.(\d+)", out, re.S)
    return int(m.group(1)) if m else 1048576


def test_header_value_over_64k_with_raised_header_limit(server_factory):
    """server.max_header_bytes may be raised (up to the documented maximum):
    header values around and beyond 64 KiB must then be accepted or refused
    with 431 -- never kill the process (boost::beast limits a single field
    value to 64 KiB and throws std::length_error beyond that)."""
    limit = _max_header_bytes_limit()
    srv = server_factory("--server-max-header-bytes", str(limit))
    for n in (65_000, 65_536, 70_000, 300_000):
        cid = f"header value {n} B, max_header_bytes {limit}"
        oc = exchange(srv.port, b"GET /auth/client-config HTTP/1.1\r\nHost: x\r\nX-Big: "
                      + b"a" * n + b"\r\n\r\n")
        if oc.closed and not parse_responses_safe(oc.buf):
            try:
                srv.proc.wait(timeout=0.3)
            except Exception:  # noqa: BLE001
                pass
        died = revive(srv)
        assert died is None, f"[{cid}] authd CRASHED ({died})"
        resps = check_outcome(cid, oc, ok200=True)
        assert resps and resps[0][0] in (200, 431), f"[{cid}] {oc!r}"


def test_many_headers_under_limit_are_served(ctx):
    """1000 tiny headers (< 16 KiB in total) are a valid request."""
    oc = exchange(ctx.slow.port, RAW["headers-many-under-limit"])
    resps = check_outcome("many-headers", oc, ok200=True, may_close=False)
    assert resps[0][0] in (200, 431), oc


def test_body_at_exact_limit_is_not_413(ctx):
    body = b'{"email":"' + b"a" * (MAX_BODY - 40) + b'","password":"x"}'
    body += b" " * (MAX_BODY - len(body))
    assert len(body) == MAX_BODY
    oc = exchange(ctx.main.port, http_request("POST", "/auth/signup", body))
    resps = check_outcome("exact-limit", oc, may_close=False)
    assert resps[0][0] == 400, f"a body of exactly max_body_bytes must be read and validated: {oc!r}"


# --- slow clients (read timeout 1s)
SLOW = {
    "partial-request-line": [b"GET /auth/me HT"],
    "partial-headers": [b"GET /auth/me HTTP/1.1\r\nHost: x\r\nX-Slow: "],
    "partial-body": [b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"providerName\":"],
    "partial-chunked": [b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n5\r\n{\"pro"],
    "connect-only": [b""],
}


@pytest.mark.parametrize("name", list(SLOW))
def test_slow_client_cut_off(ctx, name):
    cid = f"slow {name}"
    t0 = time.monotonic()
    oc = exchange(ctx.slow.port, None, chunks=SLOW[name], timeout=5.0)
    elapsed = time.monotonic() - t0
    assert not oc.timed_out, f"[{cid}] not cut off within 5s by --server-read-timeout 1s: {oc!r}"
    check_outcome(cid, oc)
    resps, _ = parse_responses(oc.buf)
    if resps:
        assert resps[0][0] in (400, 408), f"[{cid}] {oc!r}"
    assert elapsed < 4.0, f"[{cid}] cut off only after {elapsed:.1f}s"
    after_case(ctx, ctx.slow, cid)


@pytest.mark.parametrize("name", ["headers", "body"])
def test_slowloris_trickle_cut_off(ctx, name):
    """Bytes keep arriving (one every 0.2 s) but the request never completes
    within the 1 s read timeout: the server must still cut it off."""
    cid = f"slowloris {name}"
    if name == "headers":
        head = b"GET /auth/me HTTP/1.1\r\nHost: x\r\n"
        chunks = [head] + [b"X-%d: v\r\n" % i for i in range(40)]
    else:
        head = (b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n\r\n")
        chunks = [head] + [b" "] * 40
    s = socket.create_connection(("127.0.0.1", ctx.slow.port), timeout=5)
    t0 = time.monotonic()
    cut = None
    buf = b""
    try:
        for ch in chunks:
            try:
                s.sendall(ch)
            except OSError:
                cut = time.monotonic() - t0
                break
            s.settimeout(0.2)
            try:
                d = s.recv(65536)
                if not d:
                    cut = time.monotonic() - t0
                    break
                buf += d
            except socket.timeout:
                pass
            except OSError:
                cut = time.monotonic() - t0
                break
    finally:
        s.close()
    assert cut is not None, f"[{cid}] trickling client kept its connection for {time.monotonic() - t0:.1f}s (read timeout 1s)"
    assert cut < 4.0, f"[{cid}] cut off only after {cut:.1f}s"
    if buf:
        resps, _ = parse_responses(buf)
        assert resps and resps[0][0] in (400, 408), f"[{cid}] {buf[:400]!r}"
        check_error_body(cid, resps[0][0], resps[0][1], resps[0][2])
    after_case(ctx, ctx.slow, cid)


def test_slow_clients_do_not_starve_others(ctx):
    socks = []
    try:
        for _ in range(30):
            s = socket.create_connection(("127.0.0.1", ctx.slow.port), timeout=5)
            s.sendall(b"GET /auth/me HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            socks.append(s)
        health(ctx.slow, "while 30 slow clients are connected")
    finally:
        for s in socks:
            s.close()


# --------------------------------------------------------------------------
# 4. tokens
# --------------------------------------------------------------------------

def _enc(obj):
    if isinstance(obj, (bytes, bytearray)):
        return b64url_encode(bytes(obj))
    return b64url_encode(json.dumps(obj, separators=(",", ":")).encode())


def _sign(h_b64, p_b64, secret=KNOWN_SECRET, digest=hashlib.sha256):
    return b64url_encode(hmac.new(secret.encode(), f"{h_b64}.{p_b64}".encode(), digest).digest())


def bad_tokens(real, other_type_token):
    """name -> token string; none of them may authenticate."""
    h, p, s = real.split(".")
    payload = jwt_parts(real)[1]
    now = int(time.time())
    hdr = {"alg": "HS256", "typ": "JWT"}
    out = {}
    out["garbage"] = "garbage"
    out["empty-segments"] = ".."
    out["a.b.c"] = "a.b.c"
    out["two-segments"] = f"{h}.{p}"
    out["four-segments"] = f"{h}.{p}.{s}.{s}"
    out["sig-flipped"] = f"{h}.{p}.{s[:-2]}{'A' if s[-2] != 'A' else 'B'}{s[-1]}"
    out["sig-truncated"] = real[:-3]
    out["sig-extended"] = real + "x"
    out["sig-empty"] = f"{h}.{p}."
    out["sig-of-other-token"] = f"{h}.{p}.{other_type_token.split('.')[2]}"
    out["payload-tampered-id"] = jwt_tamper(real, id=str(uuid.uuid4()))
    out["payload-tampered-exp"] = jwt_tamper(real, exp=now + 10**6)
    out["payload-tampered-roles"] = jwt_tamper(real, roles=["admin"])
    out["header-tampered-kid"] = f"{_enc(dict(hdr, kid='../../etc/passwd'))}.{p}.{s}"
    out["header-tampered-alg-hs512"] = f"{_enc({'alg': 'HS512', 'typ': 'JWT'})}.{p}.{s}"
    out["alg-none"] = jwt_alg_none(payload)
    out["alg-none-with-sig"] = f"{_enc({'alg': 'none', 'typ': 'JWT'})}.{p}.{s}"
    out["alg-None"] = f"{_enc({'alg': 'None', 'typ': 'JWT'})}.{p}."
    out["alg-nOnE"] = f"{_enc({'alg': 'nOnE', 'typ': 'JWT'})}.{p}."
    out["alg-empty"] = f"{_enc({'alg': '', 'typ': 'JWT'})}.{p}."
    out["alg-missing"] = (lambda hh: f"{hh}.{p}.{_sign(hh, p)}")(_enc({"typ": "JWT"}))
    out["alg-null"] = (lambda hh: f"{hh}.{p}.{_sign(hh, p)}")(_enc({"alg": None, "typ": "JWT"}))
    out["alg-number"] = (lambda hh: f"{hh}.{p}.{_sign(hh, p)}")(_enc({"alg": 256, "typ": "JWT"}))
    out["wrong-alg-hs384-signed"] = (lambda hh: f"{hh}.{p}.{_sign(hh, p, digest=hashlib.sha384)}")(
        _enc({"alg": "HS384", "typ": "JWT"}))
    out["wrong-alg-hs512-signed"] = (lambda hh: f"{hh}.{p}.{_sign(hh, p, digest=hashlib.sha512)}")(
        _enc({"alg": "HS512", "typ": "JWT"}))
    out["wrong-alg-rs256"] = (lambda hh: f"{hh}.{p}.{_sign(hh, p)}")(_enc({"alg": "RS256", "typ": "JWT"}))
    out["wrong-alg-hs256-lowercase"] = (lambda hh: f"{hh}.{p}.{_sign(hh, p)}")(_enc({"alg": "hs256", "typ": "JWT"}))
    out["crit-header"] = (lambda hh: f"{hh}.{p}.{_sign(hh, p)}")(_enc(dict(hdr, crit=["exp"], exp=1)))
    out["header-not-json"] = (lambda hh: f"{hh}.{p}.{_sign(hh, p)}")(_enc(b"not json"))
    out["header-array"] = (lambda hh: f"{hh}.{p}.{_sign(hh, p)}")(_enc(["HS256"]))
    out["header-bad-utf8"] = (lambda hh: f"{hh}.{p}.{_sign(hh, p)}")(_enc(b'{"alg":"HS256\xff"}'))
    out["payload-not-json"] = (lambda pp: f"{h}.{pp}.{_sign(h, pp)}")(_enc(b"{not json"))
    out["payload-array"] = (lambda pp: f"{h}.{pp}.{_sign(h, pp)}")(_enc([1, 2]))
    out["payload-string"] = (lambda pp: f"{h}.{pp}.{_sign(h, pp)}")(_enc("just a string"))
    out["payload-deep"] = (lambda pp: f"{h}.{pp}.{_sign(h, pp)}")(_enc(b"[" * 3000 + b"]" * 3000))
    out["payload-nul"] = (lambda pp: f"{h}.{pp}.{_sign(h, pp)}")(_enc(b'{"sessionId":"\x00"}'))
    out["b64-std-alphabet"] = real.replace("-", "+").replace("_", "/") + ("+/" if "-" not in real else "")
    out["b64-padded"] = f"{h}==.{p}.{s}"
    out["b64-bad-chars"] = f"{h}.{p[:10]}*!{p[12:]}.{s}"
    out["b64-length-1-mod-4"] = f"{h}.{p}A.{s}"
    out["other-secret"] = jwt_sign(payload, "not-the-server-secret-not-the-server-secret")
    out["empty-secret"] = jwt_sign(payload, "")
    out["expired"] = jwt_sign(dict(payload, iat=now - 7200, exp=now - 3600), KNOWN_SECRET)
    out["exp-zero"] = jwt_sign(dict(payload, exp=0), KNOWN_SECRET)
    out["exp-negative"] = jwt_sign(dict(payload, exp=-1), KNOWN_SECRET)
    out["exp-string"] = jwt_sign(dict(payload, exp="9999999999"), KNOWN_SECRET)
    out["exp-null"] = jwt_sign(dict(payload, exp=None), KNOWN_SECRET)
    out["exp-huge-float"] = jwt_sign(dict(payload, exp=1e300), KNOWN_SECRET)
    out["nbf-future"] = jwt_sign(dict(payload, nbf=now + 3600), KNOWN_SECRET)
    out["session-unknown"] = jwt_sign(dict(payload, sessionId=str(uuid.uuid4())), KNOWN_SECRET)
    out["session-number"] = jwt_sign(dict(payload, sessionId=12345), KNOWN_SECRET)
    out["session-object"] = jwt_sign(dict(payload, sessionId={"$ne": None}), KNOWN_SECRET)
    out["session-sql"] = jwt_sign(dict(payload, sessionId="' OR '1'='1"), KNOWN_SECRET)
    out["session-missing"] = jwt_sign({k: v for k, v in payload.items() if k != "sessionId"}, KNOWN_SECRET)
    out["session-long"] = jwt_sign(dict(payload, sessionId="s" * 8000), KNOWN_SECRET)
    out["other-type-token"] = other_type_token
    out["very-long"] = "eyJ" + "A" * 12_000 + ".eyJ" + "B" * 1000 + ".C"
    out["non-ascii"] = "eyJ\u00e9\u2603.eyJ.x"
    return out


# Correctly HS256-signed with the server secret for a real session, only odd:
# a 200 is a correct answer on the access-token routes (jsonwebtoken, the
# reference's verifier, ignores `crit` and accepts any numeric exp).
MAYBE_VALID = {"crit-header", "exp-huge-float"}


def _token_params():
    # token names are computed from a dummy token of the right shape
    dummy = jwt_sign({"id": "x", "sessionId": str(uuid.uuid4()), "type": "access", "iat": 1, "exp": 2}, "k")
    names = list(bad_tokens(dummy, dummy))
    params = []
    for where in ("bearer-me", "bearer-verify-session", "bearer-logout", "cookie-me", "cookie-logout",
                  "body-refresh", "cookie-refresh"):
        for n in names:
            params.append(pytest.param(where, n, id=f"{where}:{n}"))
    return params


def _cookie_value(tok):
    # cookies cannot carry raw non-ASCII, ';' or spaces: percent-encode those
    return "".join(c if (c.isascii() and c.isprintable() and c not in ' ;,"\\%') else
                   "".join(f"%{b:02X}" for b in c.encode()) for c in tok)


@pytest.mark.parametrize("where,tname", _token_params())
def test_bad_token(ctx, where, tname):
    cid = f"token {where}:{tname}"
    refresh_side = where.endswith("refresh")
    cookie = where.startswith("cookie")
    srv = ctx.cookie if cookie else ctx.main
    if cookie:
        real, other = (ctx.cvictim_rt, ctx.cvictim_at) if refresh_side else (ctx.cvictim_at, ctx.cvictim_rt)
    else:
        real, other = (ctx.victim_rt, ctx.victim_at) if refresh_side else (ctx.victim_at, ctx.victim_rt)
    if tname in MAYBE_VALID:
        # correctly signed for a real session: may authenticate (or, on the
        # refresh route, revoke the session), so derive it from a throw-away one
        r = srv.client().post("/auth/signup", {"email": unique_email("mv"), "password": PASSWORD})
        pair = r.cookie_values() if cookie else r.json
        real, other = ((pair["refreshToken"], pair["accessToken"]) if refresh_side
                       else (pair["accessToken"], pair["refreshToken"]))
    tok = bad_tokens(real, other)[tname]
    if refresh_side and tname == "other-type-token":
        # an access token presented as refresh token revokes the session
        # (tokens-and-sessions.md section 3 step 5): use a throw-away session.
        if cookie:
            r = srv.client().post("/auth/signup", {"email": unique_email("throw"), "password": PASSWORD})
            tok = r.cookie_values()["accessToken"]
        else:
            tok = signup(srv, email=unique_email("throw"))[1].json["accessToken"]
    headers = []
    if where == "bearer-me":
        req = http_request("GET", "/auth/me", headers=[("Authorization", f"Bearer {tok}")])
    elif where == "bearer-verify-session":
        req = http_request("GET", "/auth/verify-session", headers=[("Authorization", f"Bearer {tok}")])
    elif where == "bearer-logout":
        req = http_request("POST", "/auth/logout", headers=[("Authorization", f"Bearer {tok}")])
    elif where == "cookie-me":
        req = http_request("GET", "/auth/me", headers=[("Cookie", f"accessToken={_cookie_value(tok)}")])
    elif where == "cookie-logout":
        req = http_request("POST", "/auth/logout", headers=[("Cookie", f"accessToken={_cookie_value(tok)}")])
    elif where == "body-refresh":
        req = http_request("POST", "/auth/refresh-token", json.dumps({"refreshToken": tok}))
    else:  # cookie-refresh
        req = http_request("POST", "/auth/refresh-token", "{}",
                           headers=[("Cookie", f"refreshToken={_cookie_value(tok)}")])
    oc = exchange(srv.port, req)
    logout = where.endswith("logout")
    maybe_valid = tname in MAYBE_VALID and not refresh_side
    resps = check_outcome(cid, oc, ok200=logout or maybe_valid, may_close=False)
    status = resps[0][0]
    if logout:
        assert status == 200, f"[{cid}] logout with a bad token must still answer 200: {oc!r}"
    elif not (maybe_valid and status == 200):
        assert status == 401, f"[{cid}] a bad token must be refused with 401: {oc!r}"
    after_case(ctx, srv, cid)


def test_victim_sessions_survived_the_token_abuse(ctx):
    """None of the forged tokens was accepted as the victims' (logout would
    have deleted the session; refresh reuse would have revoked it)."""
    c = ctx.main.client()
    assert_json(c.get("/auth/me", bearer=ctx.victim_at), 200)
    assert_token_body(c.post("/auth/refresh-token", {"refreshToken": ctx.victim_rt}),
                      "Token refreshed successfully")
    c = ctx.cookie.client()
    r = c.get("/auth/me", cookies={"accessToken": ctx.cvictim_at})
    assert_json(r, 200)
    r = c.post("/auth/refresh-token", {}, cookies={"refreshToken": ctx.cvictim_rt})
    assert_json(r, 200)


# --------------------------------------------------------------------------
# 5. the end: every server still serves its very first user and session
# --------------------------------------------------------------------------

def test_zz_first_users_still_work(ctx):
    for srv in (ctx.main, ctx.slow, ctx.cookie):
        died = revive(srv)
        assert died is None, f"authd died: {died}"
        email, at, rt = ctx.first[id(srv)]
        c = srv.client()
        if srv is ctx.cookie:
            r = c.get("/auth/me", cookies={"accessToken": at})
            assert r.status == 200 and r.json["email"] == email, r
            r = c.post("/auth/login", {"providerName": "email",
                                       "credentials": {"email": email, "password": PASSWORD}})
            assert r.status == 200, r
            at2 = r.cookie_values()["accessToken"]
            r = c.get("/auth/me", cookies={"accessToken": at2})
            assert r.status == 200 and r.json["email"] == email, r
        else:
            r = c.get("/auth/me", bearer=at)
            assert r.status == 200 and r.json["email"] == email, r
            r = login(srv, email)
            r = c.get("/auth/me", bearer=r.json["accessToken"])
            assert r.status == 200 and r.json["email"] == email, r
            assert_token_body(c.post("/auth/refresh-token", {"refreshToken": rt}),
                              "Token refreshed successfully")
    print(f"\nbad-input cases per server: {ctx.counts}")
