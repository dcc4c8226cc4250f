"""Every error the core endpoints can return, checked on the full body.

Server: explicit header mode, a known JWT secret (so the suite can mint
validly signed tokens), rate limit and lockout off.
"""

import time
import uuid

import pytest

from conftest import (
    CODED_ERROR_KEYS, ERR_INVALID_CREDENTIALS, ERR_INVALID_TOKEN, ERR_NO_AUTH,
    ERR_REFRESH_EXPIRED, ERR_REFRESH_REQUIRED, ERR_REFRESH_REUSED, ERR_SESSION_NOT_FOUND,
    ERROR_KEYS, KNOWN_SECRET, PASSWORD, assert_json, assert_token_body, jwt_alg_none,
    jwt_parts, jwt_sign, jwt_tamper, login, new_user, signup, unique_email,
)


@pytest.fixture(scope="module")
def srv(server_factory):
    return server_factory("--session-access-token-type", "header",
                          "--session-jwt-secret", KNOWN_SECRET)


@pytest.fixture(scope="module")
def short_srv(server_factory):
    return server_factory("--session-access-token-type", "header",
                          "--session-access-token-ttl", "1s",
                          "--session-refresh-token-ttl", "1s")


def bad_request(message):
    return {"statusCode": 400, "error": "Bad Request", "message": message}


def coded(status, error, message, code):
    return {"statusCode": status, "error": error, "message": message, "code": code}


def assert_400_json(resp):
    """A 400 JSON error of the filtered or framework shape (never a 500)."""
    js = assert_json(resp, 400)
    assert js.get("statusCode") == 400, js
    assert isinstance(js.get("message"), str) and js["message"], js
    assert js.get("error") in ("Bad Request", "BadRequestException"), js
    assert set(js.keys()) <= {"statusCode", "error", "message", "code"}, js
    return js


# --------------------------------------------------------------------------
# signup
# --------------------------------------------------------------------------

def test_signup_duplicate_email(srv):
    c = srv.client()
    email, _ = signup(srv)
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    assert_json(r, 400, coded(400, "BadRequestException", "Email already exists in this tenant",
                              "EMAIL_ALREADY_EXISTS"))
    # also with different case: identity lookups are normalised
    r = c.post("/auth/signup", {"email": email.upper(), "password": PASSWORD})
    assert r.status == 400 and r.json.get("code") == "EMAIL_ALREADY_EXISTS", r


def test_signup_validation_messages(srv):
    c = srv.client()
    msg_pw = "password must be longer than or equal to 8 characters"
    assert_json(c.post("/auth/signup", {"email": unique_email()}), 400, bad_request(msg_pw))
    assert_json(c.post("/auth/signup", {"email": unique_email(), "password": "abc"}), 400,
                bad_request(msg_pw))
    assert_json(c.post("/auth/signup", {"email": unique_email(), "password": "Abcdef1"}), 400,
                bad_request(msg_pw))
    assert_json(c.post("/auth/signup", {"password": PASSWORD}), 400,
                bad_request("email should not be empty"))
    assert_json(c.post("/auth/signup", {}), 400, keys=ERROR_KEYS)
    assert_json(c.post("/auth/signup", {"email": "not-an-email", "password": PASSWORD}), 400,
                bad_request("email must be an email"))
    for bad in ("a@b", " padded@example.com ", "Alice <alice@example.com>", "a" * 65 + "@example.com",
                "two@@example.com", "no-at.example.com", "a@-example.com"):
        assert_json(c.post("/auth/signup", {"email": bad, "password": PASSWORD}), 400,
                    bad_request("email must be an email"))


def test_signup_password_policy(srv):
    c = srv.client()
    common = coded(400, "BadRequestException", "This password is too common", "PASSWORD_TOO_COMMON")
    for pw in ("password", "Password123", "QWERTYUIOP", "iloveyou1"):
        assert_json(c.post("/auth/signup", {"email": unique_email(), "password": pw}), 400, common)

    email = unique_email("zebra")  # local part e.g. zebra123x4
    local = email.split("@")[0]
    r = c.post("/auth/signup", {"email": email, "password": local.capitalize() + "!Xy9"})
    assert_json(r, 400, coded(400, "BadRequestException",
                              "Password must not contain your email address",
                              "PASSWORD_CONTAINS_IDENTIFIER"))
    # nothing was created by the failed signups
    assert_json(login(srv, email, local.capitalize() + "!Xy9", expect=None), 401,
                ERR_INVALID_CREDENTIALS)
    # the same e-mail with an acceptable password works
    assert_token_body(c.post("/auth/signup", {"email": email, "password": PASSWORD}),
                      "Signup successful")

    # local part shorter than 3 characters is not checked
    short = f"ab@{uuid.uuid4().hex[:10]}.example.com"
    assert_token_body(c.post("/auth/signup", {"email": short, "password": "ab" + PASSWORD}),
                      "Signup successful")

    # too long
    r = c.post("/auth/signup", {"email": unique_email(), "password": "Aa1!" * 32 + "x"})
    assert_json(r, 400, coded(400, "BadRequestException", "Password must be at most 128 characters",
                              "PASSWORD_TOO_LONG"))
    # exactly 128 is fine
    r = c.post("/auth/signup", {"email": unique_email(), "password": "Aa1!" * 32})
    assert_token_body(r, "Signup successful")


def test_password_policy_can_be_disabled(server_factory):
    srv = server_factory("--password-policy-enabled", "false")
    r = srv.client().post("/auth/signup", {"email": unique_email(), "password": "password"})
    assert_token_body(r, "Signup successful")
    # the DTO minimum still applies
    r = srv.client().post("/auth/signup", {"email": unique_email(), "password": "short"})
    assert_json(r, 400, bad_request("password must be longer than or equal to 8 characters"))


def test_password_min_length_flag(server_factory):
    srv = server_factory("--password-min-length", "12")
    r = srv.client().post("/auth/signup", {"email": unique_email(), "password": "Str0ng!Pw"})
    assert_json(r, 400, coded(400, "BadRequestException", "Password must be at least 12 characters",
                              "PASSWORD_TOO_SHORT"))
    r = srv.client().post("/auth/signup", {"email": unique_email(), "password": "Str0ng!Pw123"})
    assert_token_body(r, "Signup successful")


@pytest.mark.parametrize("body", [
    [], ["a", "b"], [{"email": "x@example.com", "password": PASSWORD}], "a string", 42, True, None,
])
def test_signup_non_object_bodies(srv, body):
    r = srv.client().post("/auth/signup", body)
    assert_400_json(r)


@pytest.mark.parametrize("body", [[], "a string", 42, None])
def test_login_non_object_bodies(srv, body):
    r = srv.client().post("/auth/login", body)
    assert r.status in (400, 401), r
    js = assert_json(r, r.status)
    assert js["statusCode"] == r.status
    assert isinstance(js["message"], str) and js["message"]


@pytest.mark.parametrize("body", [[], "a string", 42])
def test_refresh_non_object_bodies(srv, body):
    r = srv.client().post("/auth/refresh-token", body)
    assert r.status in (400, 401), r
    js = assert_json(r, r.status)
    assert js["statusCode"] == r.status


def test_wrong_field_types(srv):
    c = srv.client()
    assert_400_json(c.post("/auth/signup", {"email": 123, "password": PASSWORD}))
    assert_400_json(c.post("/auth/signup", {"email": ["a@example.com"], "password": PASSWORD}))
    assert_400_json(c.post("/auth/signup", {"email": {"x": 1}, "password": PASSWORD}))
    assert_400_json(c.post("/auth/signup", {"email": unique_email(), "password": True}))
    assert_400_json(c.post("/auth/signup", {"email": unique_email(), "password": 12345678}))
    assert_400_json(c.post("/auth/signup", {"email": unique_email(), "password": None}))
    assert_json(c.post("/auth/login", {"providerName": "email", "credentials": "x"}), 400,
                bad_request("credentials must be an object"))
    assert_json(c.post("/auth/login", {"providerName": "email", "credentials": []}), 400,
                bad_request("credentials must be an object"))
    assert_json(c.post("/auth/login", {"providerName": "email", "credentials": 5}), 400,
                bad_request("credentials must be an object"))
    r = c.post("/auth/login", {"providerName": "email",
                               "credentials": {"email": 123, "password": True}})
    assert r.status in (400, 401), r
    assert_json(r, r.status)


def test_body_too_large(server_factory):
    srv = server_factory("--server-max-body-bytes", "1024")
    c = srv.client()
    body = {"email": unique_email(), "password": PASSWORD, "pad": "x" * 4000}
    r = c.post("/auth/signup", body)
    js = assert_json(r, 413)
    assert js["statusCode"] == 413, js
    assert js.get("error") == "Payload Too Large", js
    assert isinstance(js.get("message"), str) and js["message"]
    # a small body still works on that server
    assert_token_body(c.post("/auth/signup", {"email": unique_email(), "password": PASSWORD}),
                      "Signup successful")

    # chunked bodies are limited too
    import http.client as hc
    import json as _json
    conn = hc.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        data = _json.dumps(body).encode()
        conn.request("POST", "/auth/signup", body=iter([data[i:i + 500] for i in range(0, len(data), 500)]),
                     encode_chunked=True,
                     headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        rr = conn.getresponse()
        raw = rr.read()
        assert rr.status == 413, raw
        assert _json.loads(raw)["statusCode"] == 413
    finally:
        conn.close()

    # an announced huge Content-Length is refused up front, without waiting for the body
    import socket as _socket
    s = _socket.create_connection(("127.0.0.1", srv.port), timeout=3)
    try:
        t = time.monotonic()
        s.sendall(b"POST /auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 10000000000\r\n\r\n{")
        head = s.recv(4096)
        assert head.startswith(b"HTTP/1.1 413"), head[:200]
        assert time.monotonic() - t < 2
    finally:
        s.close()


# --------------------------------------------------------------------------
# login
# --------------------------------------------------------------------------

def test_login_invalid_credentials_identical(srv):
    email, _ = signup(srv)
    r_wrong = login(srv, email, "Wr0ng!Passw0rd", expect=None)
    r_unknown = login(srv, unique_email("nobody"), PASSWORD, expect=None)
    assert_json(r_wrong, 401, ERR_INVALID_CREDENTIALS)
    assert_json(r_unknown, 401, ERR_INVALID_CREDENTIALS)
    assert r_wrong.body == r_unknown.body
    # password is case-sensitive
    assert_json(login(srv, email, PASSWORD.upper(), expect=None), 401, ERR_INVALID_CREDENTIALS)


def test_login_provider_errors(srv):
    c = srv.client()
    email, _ = signup(srv)
    invalid_provider = coded(401, "UnauthorizedException",
                             "Invalid authentication providerName or provider is not enabled",
                             "INVALID_PROVIDER")
    creds = {"email": email, "password": PASSWORD}
    assert_json(c.post("/auth/login", {"credentials": creds}), 401, invalid_provider)
    assert_json(c.post("/auth/login", {"providerName": "bogus", "credentials": creds}), 401,
                invalid_provider)
    # phone provider is disabled by default
    assert_json(c.post("/auth/login", {"providerName": "phone",
                                       "credentials": {"phone": "+15550000000", "password": PASSWORD}}),
                401, invalid_provider)


def test_login_missing_fields(srv):
    c = srv.client()
    email, _ = signup(srv)
    missing = coded(400, "BadRequestException", "Missing email, password required fields",
                    "MISSING_REQUIRED_FIELDS")
    assert_json(c.post("/auth/login", {"providerName": "email", "credentials": {"email": email}}),
                400, missing)
    assert_json(c.post("/auth/login", {"providerName": "email",
                                       "credentials": {"password": PASSWORD}}), 400, missing)
    assert_json(c.post("/auth/login", {"providerName": "email", "credentials": {}}), 400, missing)
    assert_json(c.post("/auth/login", {"providerName": "email",
                                       "credentials": {"email": email, "password": ""}}), 400, missing)
    assert_json(c.post("/auth/login", {"providerName": "email"}), 400,
                bad_request("credentials must be an object"))


# --------------------------------------------------------------------------
# refresh-token
# --------------------------------------------------------------------------

def test_refresh_token_required(srv):
    c = srv.client()
    assert_json(c.post("/auth/refresh-token", {}), 401, ERR_REFRESH_REQUIRED)
    assert_json(c.post("/auth/refresh-token"), 401, ERR_REFRESH_REQUIRED)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": ""}), 401, ERR_REFRESH_REQUIRED)
    # header mode never reads the cookie
    _, _, rt = new_user(srv)
    assert_json(c.post("/auth/refresh-token", {}, cookies={"refreshToken": rt}), 401,
                ERR_REFRESH_REQUIRED)


def test_refresh_token_invalid_or_forged(srv):
    c = srv.client()
    _, at, rt = new_user(srv)
    payload = jwt_parts(rt)[1]
    forged = jwt_sign(payload, "another-secret-another-secret-another-secret")
    tampered = jwt_tamper(rt, email="attacker@example.com")
    for bad in ("garbage", "a.b.c", rt + "x", forged, tampered, jwt_alg_none(payload),
                rt.split(".")[0] + "." + rt.split(".")[1] + "."):
        r = c.post("/auth/refresh-token", {"refreshToken": bad})
        assert_json(r, 401, ERR_REFRESH_EXPIRED)
    # none of that harmed the real session
    assert_json(c.get("/auth/me", bearer=at), 200)
    assert_token_body(c.post("/auth/refresh-token", {"refreshToken": rt}),
                      "Token refreshed successfully")


def test_refresh_token_signed_but_bad_payload(srv):
    c = srv.client()
    now = int(time.time())
    no_sid = jwt_sign({"id": str(uuid.uuid4()), "type": "refresh", "iat": now, "exp": now + 600},
                      KNOWN_SECRET)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": no_sid}), 401,
                coded(401, "UnauthorizedException", "Invalid refresh token payload",
                      "REFRESH_TOKEN_INVALID"))
    unknown_sid = jwt_sign({"id": str(uuid.uuid4()), "sessionId": str(uuid.uuid4()),
                            "type": "refresh", "iat": now, "exp": now + 600}, KNOWN_SECRET)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": unknown_sid}), 401,
                ERR_SESSION_NOT_FOUND)
    expired = jwt_sign({"id": str(uuid.uuid4()), "sessionId": str(uuid.uuid4()), "type": "refresh",
                        "iat": now - 100, "exp": now - 10}, KNOWN_SECRET)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": expired}), 401, ERR_REFRESH_EXPIRED)


def test_access_token_as_refresh_token_revokes_session(srv):
    c = srv.client()
    _, at, rt = new_user(srv)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": at}), 401, ERR_REFRESH_REUSED)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": rt}), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.get("/auth/me", bearer=at), 401, ERR_SESSION_NOT_FOUND)


def test_expired_tokens(short_srv):
    c = short_srv.client()
    email, r = signup(short_srv)
    at, rt = r.json["accessToken"], r.json["refreshToken"]
    p = jwt_parts(at)[1]
    assert p["exp"] - p["iat"] == 1
    assert jwt_parts(rt)[1]["exp"] - jwt_parts(rt)[1]["iat"] == 1
    time.sleep(2.1)
    assert_json(c.get("/auth/me", bearer=at), 401, ERR_INVALID_TOKEN)
    assert_json(c.get("/auth/verify-session", bearer=at), 401, ERR_INVALID_TOKEN)
    assert_json(c.get("/auth/user", bearer=at), 401, ERR_INVALID_TOKEN)
    assert_json(c.post("/auth/logout-all", bearer=at), 401, ERR_INVALID_TOKEN)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": rt}), 401, ERR_REFRESH_EXPIRED)
    # logout with an expired token is still 200 (optional auth)
    assert_json(c.post("/auth/logout", bearer=at), 200, {"message": "Logged out successfully"})
    # login still works and yields fresh tokens
    assert_token_body(login(short_srv, email), "Login successful")


# --------------------------------------------------------------------------
# bearer-guarded routes: me, user, verify-session, logout-all
# --------------------------------------------------------------------------

GUARDED = [("GET", "/auth/me"), ("GET", "/auth/user"), ("GET", "/auth/verify-session"),
           ("POST", "/auth/logout-all")]


@pytest.mark.parametrize("method,path", GUARDED)
def test_no_auth_provided(srv, method, path):
    c = srv.client()
    _, at, _ = new_user(srv)
    for headers, cookies in [
        (None, None),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, None),
        ({"Authorization": "Bearer"}, None),
        ({"Authorization": ""}, None),
        ({"Authorization": f"Token {at}"}, None),
        (None, {"accessToken": at}),  # header mode ignores cookies
    ]:
        r = c.request(method, path, headers=headers, cookies=cookies)
        assert_json(r, 401, ERR_NO_AUTH)


@pytest.mark.parametrize("method,path", GUARDED)
def test_invalid_token(srv, method, path):
    c = srv.client()
    _, at, rt = new_user(srv)
    payload = jwt_parts(at)[1]
    bad_tokens = {
        "garbage": "garbage",
        "refresh-as-bearer": rt,
        "alg-none": jwt_alg_none(payload),
        "tampered": jwt_tamper(at, id=str(uuid.uuid4())),
        "other-secret": jwt_sign(payload, "not-the-server-secret-not-the-server-secret"),
        "truncated": at[:-3],
        "wrong-type": jwt_sign(dict(payload, type="password-reset"), KNOWN_SECRET),
        "expired": jwt_sign(dict(payload, iat=payload["iat"] - 7200, exp=payload["iat"] - 3600),
                            KNOWN_SECRET),
    }
    for name, tok in bad_tokens.items():
        r = c.request(method, path, bearer=tok)
        assert r.status == 401 and r.json == ERR_INVALID_TOKEN, f"{name}: {r!r}"
        assert_json(r, 401, ERR_INVALID_TOKEN)
    # the real token still works afterwards (no collateral revocation)
    assert_json(c.get("/auth/verify-session", bearer=at), 200)


def test_minted_token_for_unknown_session(srv):
    c = srv.client()
    _, at, _ = new_user(srv)
    payload = jwt_parts(at)[1]
    minted = jwt_sign(dict(payload, sessionId=str(uuid.uuid4())), KNOWN_SECRET)
    for method, path in GUARDED:
        assert_json(c.request(method, path, bearer=minted), 401, ERR_SESSION_NOT_FOUND)
    # a token minted with the server secret for the real session is accepted
    # (proves the suite's JWT encoding matches the server's)
    same = jwt_sign(payload, KNOWN_SECRET)
    assert_json(c.get("/auth/verify-session", bearer=same), 200)


def test_session_not_found_after_logout(srv):
    c = srv.client()
    _, at, rt = new_user(srv)
    assert_json(c.post("/auth/logout", bearer=at), 200, {"message": "Logged out successfully"})
    for method, path in GUARDED:
        assert_json(c.request(method, path, bearer=at), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": rt}), 401, ERR_SESSION_NOT_FOUND)


def test_logout_tolerates_bad_tokens(srv):
    c = srv.client()
    _, at, rt = new_user(srv)
    for headers in (None, {"Authorization": "Bearer garbage"}, {"Authorization": f"Bearer {rt}"},
                    {"Authorization": "Basic dXNlcjpwYXNz"}):
        r = c.post("/auth/logout", headers=headers)
        assert_json(r, 200, {"message": "Logged out successfully"})
    # nothing was revoked by those
    assert_json(c.get("/auth/me", bearer=at), 200)


def test_error_bodies_have_consistent_shape(srv):
    """Coded errors: statusCode, error, message, code (in this order)."""
    c = srv.client()
    r = c.get("/auth/me")
    assert_json(r, 401, keys=CODED_ERROR_KEYS)
    r = c.post("/auth/signup", {"password": PASSWORD})
    assert_json(r, 400, keys=ERROR_KEYS)


# --------------------------------------------------------------------------
# tenancy disabled, provider availability, registration switch, size limits
# --------------------------------------------------------------------------

TENANT_NOT_ENABLED = "tenantId provided but multi-tenancy is disabled on this deployment."


def test_tenant_id_when_tenancy_disabled(srv):
    c = srv.client()
    email, _ = signup(srv)
    r = c.post("/auth/signup", {"email": unique_email(), "password": PASSWORD,
                                "tenantId": str(uuid.uuid4())})
    js = assert_json(r, 400, keys=CODED_ERROR_KEYS)
    assert js["error"] == "BadRequestException" and js["code"] == "TENANT_NOT_ENABLED", js
    assert js["message"] == TENANT_NOT_ENABLED, js
    r = c.post("/auth/login", {"providerName": "email", "tenantId": str(uuid.uuid4()),
                               "credentials": {"email": email, "password": PASSWORD}})
    js = assert_json(r, 400, keys=CODED_ERROR_KEYS)
    assert js["error"] == "BadRequestException" and js["code"] == "TENANT_NOT_ENABLED", js
    assert js["message"] == TENANT_NOT_ENABLED, js
    r = c.post("/auth/login", {"providerName": "email", "tenantId": "not-a-uuid",
                               "credentials": {"email": email, "password": PASSWORD}})
    assert_json(r, 400, bad_request("tenantId must be a UUID"))


def test_phone_only_signup_when_phone_disabled(srv):
    """Reference: 500 PROVIDER_NOT_FOUND; authd (docs/compatibility.md): 400, same code/message."""
    r = srv.client().post("/auth/signup", {"phone": "+15550001111", "password": PASSWORD})
    assert_json(r, 400, coded(400, "BadRequestException",
                              "Phone or email authentication is not enabled", "PROVIDER_NOT_FOUND"))


def test_registration_disabled(server_factory):
    srv = server_factory("--auth-registration-enabled", "false")
    c = srv.client()
    r = c.post("/auth/signup", {"email": unique_email(), "password": PASSWORD})
    js = assert_json(r, 403, keys=CODED_ERROR_KEYS)
    assert js["error"] == "ForbiddenException" and js["code"] == "REGISTRATION_DISABLED", js
    cfg = assert_json(c.get("/auth/client-config"), 200)
    assert cfg["registration"] == {"enabled": False, "requireInvitation": False}


def test_default_body_limit_100kb(srv):
    c = srv.client()
    r = c.post("/auth/signup", {"email": unique_email(), "password": PASSWORD, "pad": "x" * 90000})
    assert_token_body(r, "Signup successful")
    r = c.post("/auth/signup", {"email": unique_email(), "password": PASSWORD, "pad": "x" * 110000})
    js = assert_json(r, 413)
    assert js["statusCode"] == 413


def test_oversized_headers_rejected(srv):
    import http.client as hc
    conn = hc.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.request("GET", "/auth/me", headers={"Cookie": "a=" + "x" * 40000})
        r = conn.getresponse()
        r.read()
        assert r.status == 431, r.status
    finally:
        conn.close()
    r = srv.client().get("/auth/client-config")
    assert r.status == 200


def test_jwt_verification_details(srv):
    """HS256 only; header key order irrelevant; nbf honoured."""
    c = srv.client()
    _, at, _ = new_user(srv)
    payload = jwt_parts(at)[1]
    reordered = jwt_sign(payload, KNOWN_SECRET, header={"typ": "JWT", "alg": "HS256"})
    assert_json(c.get("/auth/verify-session", bearer=reordered), 200)
    with_kid = jwt_sign(payload, KNOWN_SECRET, header={"alg": "HS256", "typ": "JWT", "kid": "k1"})
    assert_json(c.get("/auth/verify-session", bearer=with_kid), 200)

    import base64 as b64
    import hashlib as hl
    import hmac as hm
    import json as js_
    def enc(o):
        return b64.urlsafe_b64encode(js_.dumps(o, separators=(",", ":")).encode()).rstrip(b"=").decode()
    h, p = enc({"alg": "HS512", "typ": "JWT"}), enc(payload)
    sig = b64.urlsafe_b64encode(hm.new(KNOWN_SECRET.encode(), f"{h}.{p}".encode(), hl.sha512).digest())
    hs512 = f"{h}.{p}." + sig.rstrip(b"=").decode()
    assert_json(c.get("/auth/verify-session", bearer=hs512), 401, ERR_INVALID_TOKEN)

    future = jwt_sign(dict(payload, nbf=int(time.time()) + 600), KNOWN_SECRET)
    assert_json(c.get("/auth/verify-session", bearer=future), 401, ERR_INVALID_TOKEN)
    past = jwt_sign(dict(payload, nbf=int(time.time()) - 10), KNOWN_SECRET)
    assert_json(c.get("/auth/verify-session", bearer=past), 200)


def test_api_key_scheme_errors(srv):
    """Authorization: ApiKey <public>.<private> (tokens-and-sessions.md section 4.6)."""
    c = srv.client()
    r = c.get("/auth/me", headers={"Authorization": "ApiKey nodot"})
    js = assert_json(r, 401, keys=CODED_ERROR_KEYS)
    assert js["error"] == "UnauthorizedException" and js["code"] == "INVALID_API_KEY_FORMAT", js
    r = c.get("/auth/me", headers={"Authorization": "apikey pk_unknown.sk_unknown"})
    js = assert_json(r, 401, keys=CODED_ERROR_KEYS)
    assert js["error"] == "UnauthorizedException" and js["code"] == "INVALID_API_KEY", js


def test_array_body_documented_error(srv):
    """docs/compatibility.md: a non-object JSON body -> 400 in the framework shape."""
    body = {"message": "Request body must be a JSON object", "error": "Bad Request", "statusCode": 400}
    c = srv.client()
    for path in ("/auth/signup", "/auth/login", "/auth/refresh-token"):
        assert_json(c.post(path, []), 400, body)
        assert_json(c.post(path, [{"email": "a@example.com"}]), 400, body)


def test_malformed_json_rejected_on_every_route(srv):
    """Express parses JSON bodies before routing: a broken body is 400 everywhere."""
    c = srv.client()
    _, at, _ = new_user(srv)
    for method, path in (("POST", "/auth/logout"), ("POST", "/auth/logout-all")):
        r = c.request(method, path, body='{"x":', bearer=at)
        js = assert_json(r, 400, keys=["message", "error", "statusCode"])
        assert js["error"] == "Bad Request"
    # nothing happened to the session
    assert_json(c.get("/auth/me", bearer=at), 200)
