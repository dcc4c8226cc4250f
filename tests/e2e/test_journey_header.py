"""Happy-path journey in header mode (tokens in JSON bodies, Authorization: Bearer).

Ground truth: shared/anchors/nest-ref/transcripts.md sections 1-6.
The module server runs in the default token mode (auto = header unless the
request asks for cookies), with rate limit and lockout disabled.
"""

import calendar
import time

from conftest import (
    ACCESS_CLAIMS, CLEAR_ACCESS, CLEAR_REFRESH, ERR_SESSION_NOT_FOUND, ISO_MS_RE,
    JSON_CT, PASSWORD, REFRESH_CLAIMS, UUID4_RE, UUID_RE, Client, assert_json,
    assert_token_body, jwt_header_raw, jwt_parts, login, parse_http_date, serial, signup, unique_email,
)

CLIENT_CONFIG = {
    "tenants": {"enabled": False, "mode": "isolated"},
    "multipleAccounts": {"enabled": False},
    "roleGuards": ["web"],
    "emailAuth": {"enabled": True},
    "phoneAuth": {"enabled": False},
    "passwordless": {"enabled": False, "allowSignUp": False},
    "google": {"enabled": False},
    "facebook": {"enabled": False},
    "apple": {"enabled": False},
    "github": {"enabled": False},
    "customProviders": [],
    "registration": {"enabled": True, "requireInvitation": False},
    # authd has no MFA yet: reference defaults with enabled=false.
    "mfa": {"enabled": False, "methods": ["email", "totp"], "allowUserToggle": True,
            "allowMethodSelection": True},
    "platformAccess": {"enabled": False},
    "accessTokenType": "header",
}


def iso_ts(s):
    return calendar.timegm(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S"))


def me_body(uid, email):
    return {"id": uid, "email": email, "phone": None, "emailVerifiedAt": None,
            "phoneVerifiedAt": None, "isMfaEnabled": False, "metadata": {},
            "mustChangePassword": False, "roles": [], "permissions": []}


def _assert_nested_key_order(got, expected, path="$"):
    if isinstance(expected, dict):
        assert isinstance(got, dict), f"{path}: {got!r}"
        assert list(got.keys()) == list(expected.keys()), (
            f"{path}: key order {list(got.keys())} != {list(expected.keys())}")
        for k in expected:
            _assert_nested_key_order(got[k], expected[k], f"{path}.{k}")


def test_client_config_exact(server):
    r = server.client().get("/auth/client-config")
    js = assert_json(r, 200, CLIENT_CONFIG)
    _assert_nested_key_order(js, CLIENT_CONFIG)
    assert r.header("Content-Type") == JSON_CT
    # compact JSON like Express
    assert b": " not in r.body and b", " not in r.body, r.body


def test_client_config_reports_configured_modes(server_factory):
    srv = server_factory("--session-access-token-type", "cookie", "--auth-phone-enabled", "true")
    js = assert_json(srv.client().get("/auth/client-config"), 200)
    assert js["accessTokenType"] == "cookie"
    assert js["phoneAuth"] == {"enabled": True}
    assert list(js.keys()) == list(CLIENT_CONFIG.keys())


def test_unknown_route_404(server):
    c = server.client()
    assert_json(c.get("/auth/does-not-exist"), 404,
                {"message": "Cannot GET /auth/does-not-exist", "error": "Not Found", "statusCode": 404})
    assert_json(c.post("/auth/nope", {}), 404,
                {"message": "Cannot POST /auth/nope", "error": "Not Found", "statusCode": 404})
    assert_json(c.get("/nothing-here"), 404,
                {"message": "Cannot GET /nothing-here", "error": "Not Found", "statusCode": 404})


def test_wrong_method_on_known_path_404(server):
    c = server.client()
    assert_json(c.get("/auth/login"), 404,
                {"message": "Cannot GET /auth/login", "error": "Not Found", "statusCode": 404})
    assert_json(c.get("/auth/signup"), 404,
                {"message": "Cannot GET /auth/signup", "error": "Not Found", "statusCode": 404})
    assert_json(c.post("/auth/me", {}), 404,
                {"message": "Cannot POST /auth/me", "error": "Not Found", "statusCode": 404})


def test_malformed_json_400(server):
    c = server.client()
    r = c.post("/auth/signup", '{"email":')
    js = assert_json(r, 400, keys=["message", "error", "statusCode"])
    assert js["error"] == "Bad Request" and js["statusCode"] == 400
    assert isinstance(js["message"], str) and js["message"], js
    r = c.post("/auth/login", '{"providerName": "email", ')
    js = assert_json(r, 400, keys=["message", "error", "statusCode"])
    assert js["error"] == "Bad Request" and js["statusCode"] == 400
    r = c.post("/auth/refresh-token", "{not json}")
    js = assert_json(r, 400, keys=["message", "error", "statusCode"])
    assert js["statusCode"] == 400


def test_standard_response_headers(server):
    """JSON content type, Content-Length, keep-alive like Express."""
    c = server.client()
    for r in (c.get("/auth/client-config"), c.get("/auth/me"), c.get("/auth/nope")):
        assert r.header("Content-Type") == JSON_CT, r
        assert r.header("Content-Length") == str(len(r.body)), r
        assert (r.header("Connection") or "keep-alive").lower() == "keep-alive", r


def test_date_header(server):
    """Express sends Date (an RFC 9110 origin-server MUST); clients use it to
    interpret cookie Expires relative to server time."""
    c = server.client()
    for r in (c.get("/auth/client-config"), c.get("/auth/me")):
        date = r.header("Date")
        assert date, f"no Date header: {r!r}"
        assert abs(parse_http_date(date) - time.time()) <= 5, date


def test_csrf_endpoint_disabled(server):
    r = server.client().get("/auth/csrf")
    assert_json(r, 200, {"enabled": False})
    assert r.set_cookies == []


def test_full_header_journey(server):
    c = server.client()
    email = unique_email("journey")
    t0 = int(time.time())

    # signup
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    a1, r1 = assert_token_body(r, "Signup successful")
    assert r.header("Content-Type") == JSON_CT
    assert r.set_cookies == [], "header mode must not set cookies on signup"

    # JWT structure: header, claim set and order, lifetimes
    for tok in (a1, r1):
        assert jwt_header_raw(tok) == '{"alg":"HS256","typ":"JWT"}'
    _, pa, _ = jwt_parts(a1)
    _, pr, _ = jwt_parts(r1)
    assert list(pa.keys()) == ACCESS_CLAIMS, pa
    assert list(pr.keys()) == REFRESH_CLAIMS, pr
    uid = pa["id"]
    assert UUID_RE.match(uid) and pa["sub"] == uid
    assert UUID_RE.match(pa["sessionId"])
    assert pa["email"] == email
    assert pa["phone"] is None and pa["emailVerifiedAt"] is None and pa["phoneVerifiedAt"] is None
    assert pa["roles"] == [] and pa["tenantId"] is None
    assert pa["isMfaEnabled"] is False and pa["isMfaVerified"] is False
    assert pa["type"] == "access" and pr["type"] == "refresh"
    assert UUID4_RE.match(pr["jti"]), pr
    assert abs(pa["iat"] - t0) <= 5
    assert pa["exp"] - pa["iat"] == 3600
    assert pr["exp"] - pr["iat"] == 2592000
    for k in ACCESS_CLAIMS[:11]:
        assert pr[k] == pa[k], k

    # me
    r = c.get("/auth/me", bearer=a1)
    assert_json(r, 200, me_body(uid, email))
    assert r.set_cookies == []

    # user: raw row, keys in column order
    r = c.get("/auth/user", bearer=a1)
    js = assert_json(r, 200, keys=["id", "email", "emailVerifiedAt", "phone", "phoneVerifiedAt",
                                    "isActive", "mustChangePassword", "metadata", "isMfaEnabled",
                                    "mfaRecoveryCode", "createdAt", "updatedAt"])
    assert js["id"] == uid and js["email"] == email
    assert js["emailVerifiedAt"] is None and js["phone"] is None and js["phoneVerifiedAt"] is None
    assert js["isActive"] is True and js["mustChangePassword"] is False
    assert js["metadata"] == {} and js["isMfaEnabled"] is False and js["mfaRecoveryCode"] is None
    for k in ("createdAt", "updatedAt"):
        assert ISO_MS_RE.match(js[k]), js[k]
        ts = iso_ts(js[k])
        assert abs(ts - t0) <= 10, (k, js[k])
    assert "passwordhash" not in r.body.decode().lower() and "$argon2" not in r.body.decode()

    # verify-session
    r = c.get("/auth/verify-session", bearer=a1)
    js = assert_json(r, 200, keys=["valid", "userId", "expiresAt"])
    assert js["valid"] is True and js["userId"] == uid
    assert ISO_MS_RE.match(js["expiresAt"]), js
    exp1 = iso_ts(js["expiresAt"])
    assert abs(exp1 - (t0 + 2592000)) <= 10, js["expiresAt"]

    # scheme is case-insensitive
    assert_json(c.get("/auth/me", headers={"Authorization": f"bearer {a1}"}), 200, me_body(uid, email))
    assert_json(c.get("/auth/me", headers={"Authorization": f"BEARER {a1}"}), 200, me_body(uid, email))

    # refresh: same session, new refresh token
    time.sleep(1.05)  # let the rotation land in a later second than signup
    r = c.post("/auth/refresh-token", {"refreshToken": r1})
    a2, r2 = assert_token_body(r, "Token refreshed successfully")
    assert r.set_cookies == []
    assert r2 != r1
    p2 = jwt_parts(a2)[1]
    assert p2["sessionId"] == pa["sessionId"] and p2["id"] == uid
    assert list(p2.keys()) == ACCESS_CLAIMS
    assert jwt_parts(r2)[1]["jti"] != pr["jti"]

    # the old access token is still valid (same session, not expired)
    r = c.get("/auth/verify-session", bearer=a1)
    js = assert_json(r, 200, keys=["valid", "userId", "expiresAt"])
    assert js["userId"] == uid
    assert js["expiresAt"] >= time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(exp1))

    # new access token works
    assert_json(c.get("/auth/me", bearer=a2), 200, me_body(uid, email))

    # logout
    r = c.post("/auth/logout", bearer=a2)
    assert_json(r, 200, {"message": "Logged out successfully"})
    assert r.set_cookies == [CLEAR_ACCESS, CLEAR_REFRESH]

    # everything of that session is dead
    assert_json(c.get("/auth/me", bearer=a2), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.get("/auth/me", bearer=a1), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.get("/auth/verify-session", bearer=a1), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.get("/auth/user", bearer=a2), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": r2}), 401, ERR_SESSION_NOT_FOUND)


def test_login_creates_new_session_and_upper_case_email(server):
    c = server.client()
    email, r = signup(server)
    s_signup = jwt_parts(r.json["accessToken"])[1]["sessionId"]
    r = login(server, email.upper())
    a, rt = assert_token_body(r, "Login successful")
    assert r.set_cookies == []
    p = jwt_parts(a)[1]
    assert p["email"] == email, "login must normalise the e-mail to lower case"
    assert p["sessionId"] != s_signup, "every login creates a new session"
    assert jwt_parts(rt)[1]["sessionId"] == p["sessionId"]
    # both sessions work independently
    assert_json(c.get("/auth/me", bearer=a), 200)
    assert_json(c.get("/auth/me", bearer=r.json["accessToken"]), 200)
    # padded with spaces in credentials: trimmed
    r = login(server, "  " + email + "  ")
    assert_token_body(r, "Login successful")


def test_signup_normalises_email_case(server):
    c = server.client()
    base = unique_email("MixedCase")
    r = c.post("/auth/signup", {"email": base.upper(), "password": PASSWORD})
    a, _ = assert_token_body(r, "Signup successful")
    assert jwt_parts(a)[1]["email"] == base.lower()
    js = assert_json(c.get("/auth/me", bearer=a), 200)
    assert js["email"] == base.lower()
    # the lower-case login works
    assert_token_body(login(server, base.lower()), "Login successful")


def test_extra_signup_properties_are_accepted(server):
    r = server.client().post("/auth/signup", {"email": unique_email(), "password": PASSWORD,
                                              "firstName": "Ada", "guard": "web"})
    assert_token_body(r, "Signup successful")


def test_keep_alive_connection_reused(server):
    c = Client(server.port, keep=True)
    try:
        email, r = signup(server)
        a = r.json["accessToken"]
        r = c.get("/auth/me", bearer=a)
        assert_json(r, 200)
        sock = c.conn.sock
        assert sock is not None, "server closed a keep-alive connection after one request"
        for _ in range(5):
            assert_json(c.get("/auth/verify-session", bearer=a), 200)
            assert_json(c.get("/auth/me"), 401)
        assert c.conn.sock is sock, "connection was not kept alive"
    finally:
        c.close()


def test_global_and_route_prefix(server_factory):
    srv = server_factory("--server-global-prefix", "api")
    c = srv.client()
    assert_json(c.get("/api/auth/client-config"), 200)
    r = c.get("/auth/client-config")
    assert_json(r, 404, {"message": "Cannot GET /auth/client-config", "error": "Not Found",
                         "statusCode": 404})
    email = unique_email()
    r = c.post("/api/auth/signup", {"email": email, "password": PASSWORD})
    a, _ = assert_token_body(r, "Signup successful")
    assert_json(c.get("/api/auth/me", bearer=a), 200)

    srv2 = server_factory("--server-route-prefix", "identity")
    c2 = srv2.client()
    assert_json(c2.get("/identity/client-config"), 200)
    assert_json(c2.get("/auth/client-config"), 404)


def test_phone_signup_and_login(server_factory):
    srv = server_factory("--auth-phone-enabled", "true")
    c = srv.client()
    phone = "+1555" + str(time.time_ns() % 10**7).zfill(7)
    r = c.post("/auth/signup", {"phone": phone, "password": PASSWORD})
    a, _ = assert_token_body(r, "Signup successful")
    p = jwt_parts(a)[1]
    assert p["phone"] == phone and p["email"] is None
    r = c.post("/auth/login", {"providerName": "phone",
                               "credentials": {"phone": phone, "password": PASSWORD}})
    a2, _ = assert_token_body(r, "Login successful")
    js = assert_json(c.get("/auth/me", bearer=a2), 200)
    assert js["phone"] == phone and js["email"] is None
    # wrong password on phone provider
    r = c.post("/auth/login", {"providerName": "phone",
                               "credentials": {"phone": phone, "password": "Wr0ng!Passw0rd"}})
    assert_json(r, 401, {"statusCode": 401, "error": "UnauthorizedException",
                         "message": "Invalid credentials", "code": "INVALID_CREDENTIALS"})


@serial
def test_default_argon2_params_signup_login(server_factory):
    """One server with the production argon2id cost (64 MiB, t=3, p=4)."""
    srv = server_factory(cheap_argon2=False)
    c = srv.client()
    email = unique_email("argon")
    t = time.monotonic()
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    assert_token_body(r, "Signup successful")
    r = login(srv, email)
    a, _ = assert_token_body(r, "Login successful")
    assert_json(c.get("/auth/me", bearer=a), 200)
    r = login(srv, email, password="Wr0ng!Passw0rd", expect=401)
    assert r.json["code"] == "INVALID_CREDENTIALS"
    assert time.monotonic() - t < 20

    # authd: an unknown account costs the same argon2id work as a wrong password
    def timed(em, pw):
        t1 = time.monotonic()
        rr = login(srv, em, password=pw, expect=401)
        assert rr.json["code"] == "INVALID_CREDENTIALS"
        return time.monotonic() - t1
    wrong = min(timed(email, "Wr0ng!Passw0rd") for _ in range(2))
    unknown = min(timed(unique_email("ghost"), PASSWORD) for _ in range(2))
    assert unknown >= 0.5 * wrong, (
        f"unknown e-mail answered in {unknown:.3f}s vs wrong password {wrong:.3f}s (user enumeration)")


def test_signup_extra_properties_not_stored(server):
    """Extra signup properties reach hooks only; they never set user columns."""
    c = server.client()
    email = unique_email("mass")
    forced_id = "11111111-2222-4333-8444-555555555555"
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD, "id": forced_id,
                                "emailVerifiedAt": "2020-01-01T00:00:00.000Z",
                                "phoneVerifiedAt": "2020-01-01T00:00:00.000Z",
                                "isMfaEnabled": True, "mustChangePassword": True,
                                "isActive": False, "metadata": {"plan": "gold"},
                                "roles": [{"name": "admin", "guard": "web"}]})
    a, _ = assert_token_body(r, "Signup successful")
    p = jwt_parts(a)[1]
    assert p["id"] != forced_id and p["emailVerifiedAt"] is None and p["roles"] == []
    assert p["isMfaEnabled"] is False
    js = assert_json(c.get("/auth/user", bearer=a), 200)
    assert js["id"] != forced_id
    assert js["emailVerifiedAt"] is None and js["phoneVerifiedAt"] is None
    assert js["isMfaEnabled"] is False and js["mustChangePassword"] is False
    assert js["isActive"] is True and js["metadata"] == {}
    assert_json(c.get("/auth/me", bearer=a), 200, me_body(p["id"], email))
