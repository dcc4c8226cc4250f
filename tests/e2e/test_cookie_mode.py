"""Cookie mode (tokens in HttpOnly cookies), remember-me, CSRF double-submit,
origin checks, and the per-request cookie switch of auto mode.

Ground truth: transcripts.md section 9; tokens-and-sessions.md section 5;
config.md security.csrf.
"""

import re
import time

import pytest

from conftest import (
    CLEAR_ACCESS, CLEAR_REFRESH, CLEAR_REMEMBER, ERR_NO_AUTH, ERR_REFRESH_REQUIRED,
    ERR_SESSION_NOT_FOUND, JWT_RE, PASSWORD, assert_json, jwt_parts, match_cookie,
    parse_http_date, unique_email,
)

JWT_VALUE = r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"
CSRF_VALUE = r"[A-Za-z0-9_-]{43}"
REMEMBER_0 = "nest_auth_remember=0; Path=/; HttpOnly; SameSite=Lax"
COOKIE_TOKEN_BODY_KEYS = ["isRequiresMfa", "message"]


@pytest.fixture(scope="module")
def csrv(server_factory):
    return server_factory("--session-access-token-type", "cookie")


@pytest.fixture(scope="module")
def csrf_srv(server_factory):
    return server_factory("--session-access-token-type", "cookie", "--csrf-enabled", "true",
                          "--csrf-allowed-origins", "http://good.example,http://also-good.example")


def assert_persistent_token_cookies(resp, extra=(), now=None):
    """accessToken, refreshToken, *extra, nest_auth_remember= (clear); returns (at, rt, extras)."""
    sc = resp.set_cookies
    assert len(sc) == 3 + len(extra), f"Set-Cookie list: {sc}"
    at = match_cookie(sc[0], "accessToken", JWT_VALUE, max_age=3600, now=now)
    rt = match_cookie(sc[1], "refreshToken", JWT_VALUE, max_age=2592000, now=now)
    extras = []
    for i, (name, value_re, max_age, http_only) in enumerate(extra):
        extras.append(match_cookie(sc[2 + i], name, value_re, max_age=max_age, http_only=http_only,
                                   now=now))
    assert sc[-1] == CLEAR_REMEMBER, sc
    # Expires matches the Date header
    date = resp.header("Date")
    if date:
        exp = parse_http_date(re.search(r"Expires=([^;]+)", sc[0]).group(1))
        assert abs(exp - (parse_http_date(date) + 3600)) <= 2, (date, sc[0])
    pa = jwt_parts(at)[1]
    pr = jwt_parts(rt)[1]
    assert pa["type"] == "access" and pr["type"] == "refresh"
    assert pa["sessionId"] == pr["sessionId"]
    return at, rt, extras


# --------------------------------------------------------------------------
# cookie mode without CSRF
# --------------------------------------------------------------------------

def test_signup_and_login_set_cookies(csrv):
    c = csrv.client()
    email = unique_email("cookie")
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Signup successful"})
    at1, rt1, _ = assert_persistent_token_cookies(r)
    assert jwt_parts(at1)[1]["email"] == email

    r = c.post("/auth/login", {"providerName": "email",
                               "credentials": {"email": email, "password": PASSWORD}})
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Login successful"})
    at2, rt2, _ = assert_persistent_token_cookies(r)
    assert jwt_parts(at2)[1]["sessionId"] != jwt_parts(at1)[1]["sessionId"]
    assert b"eyJ" not in r.body, "tokens must not appear in the cookie-mode body"


def _cookie_login(srv, email=None, **extra):
    c = srv.client()
    email = email or unique_email("cookie")
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    assert r.status == 200, r
    body = {"providerName": "email", "credentials": {"email": email, "password": PASSWORD}}
    body.update(extra)
    r = c.post("/auth/login", body)
    assert r.status == 200, r
    return email, r


def test_me_with_cookie(csrv):
    c = csrv.client()
    email, r = _cookie_login(csrv)
    jar = r.cookie_values()
    r = c.get("/auth/me", cookies={"accessToken": jar["accessToken"]})
    js = assert_json(r, 200, keys=["id", "email", "phone", "emailVerifiedAt", "phoneVerifiedAt",
                                    "isMfaEnabled", "metadata", "mustChangePassword", "roles",
                                    "permissions"])
    assert js["email"] == email
    assert r.set_cookies == [CLEAR_REMEMBER], r.set_cookies
    # verify-session is not a token-response endpoint: no cookies
    r = c.get("/auth/verify-session", cookies={"accessToken": jar["accessToken"]})
    js = assert_json(r, 200, keys=["valid", "userId", "expiresAt"])
    assert js["valid"] is True
    assert r.set_cookies == []
    # URL-encoded cookie value is decoded
    enc = jar["accessToken"].replace(".", "%2E")
    assert_json(c.get("/auth/verify-session", cookies={"accessToken": enc}), 200)


def test_bearer_header_ignored_in_cookie_mode(csrv):
    c = csrv.client()
    _, r = _cookie_login(csrv)
    at = r.cookie_values()["accessToken"]
    assert_json(c.get("/auth/me", bearer=at), 401, ERR_NO_AUTH)
    assert_json(c.get("/auth/verify-session", bearer=at), 401, ERR_NO_AUTH)
    assert_json(c.post("/auth/logout-all", bearer=at), 401, ERR_NO_AUTH)
    # the session was not touched
    assert_json(c.get("/auth/verify-session", cookies={"accessToken": at}), 200)


def test_refresh_from_cookie(csrv):
    c = csrv.client()
    _, r = _cookie_login(csrv)
    jar = r.cookie_values()
    sid = jwt_parts(jar["accessToken"])[1]["sessionId"]
    r = c.post("/auth/refresh-token", {}, cookies={"refreshToken": jar["refreshToken"]})
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Token refreshed successfully"})
    at2, rt2, _ = assert_persistent_token_cookies(r)
    assert rt2 != jar["refreshToken"]
    assert jwt_parts(rt2)[1]["sessionId"] == sid
    # no body at all also reads the cookie
    r = c.post("/auth/refresh-token", cookies={"refreshToken": rt2})
    at3, rt3, _ = assert_persistent_token_cookies(r)
    assert rt3 != rt2
    # body token wins over the cookie
    r = c.post("/auth/refresh-token", {"refreshToken": rt3}, cookies={"refreshToken": "garbage"})
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Token refreshed successfully"})
    at4, rt4, _ = assert_persistent_token_cookies(r)
    assert_json(c.get("/auth/me", cookies={"accessToken": at4}), 200)
    # no cookie, no body token
    assert_json(c.post("/auth/refresh-token", {}), 401, ERR_REFRESH_REQUIRED)


def test_rotated_cookie_within_grace_returns_same_cookies(csrv):
    c = csrv.client()
    _, r = _cookie_login(csrv)
    rt1 = r.cookie_values()["refreshToken"]
    r1 = c.post("/auth/refresh-token", {}, cookies={"refreshToken": rt1})
    first = r1.cookie_values()
    r2 = c.post("/auth/refresh-token", {}, cookies={"refreshToken": rt1})
    assert_json(r2, 200, {"isRequiresMfa": False, "message": "Token refreshed successfully"})
    second = r2.cookie_values()
    assert second["accessToken"] == first["accessToken"]
    assert second["refreshToken"] == first["refreshToken"]


def test_remember_me_false_session_cookies(csrv):
    c = csrv.client()
    _, r = _cookie_login(csrv, rememberMe=False)
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Login successful"})
    sc = r.set_cookies
    assert len(sc) == 3, sc
    at = match_cookie(sc[0], "accessToken", JWT_VALUE)
    rt = match_cookie(sc[1], "refreshToken", JWT_VALUE)
    assert sc[2] == REMEMBER_0, sc

    # me with the remember=0 cookie keeps it non-persistent
    r = c.get("/auth/me", cookies={"accessToken": at, "nest_auth_remember": "0"})
    assert_json(r, 200)
    assert r.set_cookies == [REMEMBER_0], r.set_cookies

    # refresh carrying nest_auth_remember=0 -> still session cookies
    r = c.post("/auth/refresh-token", {}, cookies={"refreshToken": rt, "nest_auth_remember": "0"})
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Token refreshed successfully"})
    sc = r.set_cookies
    assert len(sc) == 3, sc
    match_cookie(sc[0], "accessToken", JWT_VALUE)
    rt2 = match_cookie(sc[1], "refreshToken", JWT_VALUE)
    assert sc[2] == REMEMBER_0

    # explicit rememberMe:true in the body wins over the cookie
    r = c.post("/auth/refresh-token", {"rememberMe": True},
               cookies={"refreshToken": rt2, "nest_auth_remember": "0"})
    assert_json(r, 200)
    _, rt3, _ = assert_persistent_token_cookies(r)

    # and rememberMe:false in a refresh body switches back to session cookies
    r = c.post("/auth/refresh-token", {"rememberMe": False}, cookies={"refreshToken": rt3})
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Token refreshed successfully"})
    sc = r.set_cookies
    assert len(sc) == 3, sc
    match_cookie(sc[0], "accessToken", JWT_VALUE)
    match_cookie(sc[1], "refreshToken", JWT_VALUE)
    assert sc[2] == REMEMBER_0


def test_logout_clears_cookies(csrv):
    c = csrv.client()
    _, r = _cookie_login(csrv)
    jar = r.cookie_values()
    r = c.post("/auth/logout", cookies={"accessToken": jar["accessToken"],
                                        "refreshToken": jar["refreshToken"]})
    assert_json(r, 200, {"message": "Logged out successfully"})
    assert r.set_cookies == [CLEAR_ACCESS, CLEAR_REFRESH]
    assert_json(c.get("/auth/me", cookies={"accessToken": jar["accessToken"]}), 401,
                ERR_SESSION_NOT_FOUND)
    assert_json(c.post("/auth/refresh-token", {}, cookies={"refreshToken": jar["refreshToken"]}),
                401, ERR_SESSION_NOT_FOUND)


def test_logout_all_cookie_mode(csrv):
    c = csrv.client()
    email, r1 = _cookie_login(csrv)
    r2 = c.post("/auth/login", {"providerName": "email",
                                "credentials": {"email": email, "password": PASSWORD}})
    j1, j2 = r1.cookie_values(), r2.cookie_values()
    r = c.post("/auth/logout-all", cookies={"accessToken": j1["accessToken"]})
    assert_json(r, 200, {"message": "Logged out from all devices successfully"})
    assert r.set_cookies == [CLEAR_ACCESS, CLEAR_REFRESH]
    assert_json(c.get("/auth/me", cookies={"accessToken": j2["accessToken"]}), 401,
                ERR_SESSION_NOT_FOUND)


def test_cookie_attributes_from_flags(server_factory):
    srv = server_factory("--session-access-token-type", "cookie", "--cookies-secure", "true",
                         "--cookies-same-site", "strict", "--cookies-domain", "example.test",
                         "--csrf-enabled", "true")
    c = srv.client()
    email = unique_email()
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Signup successful"})
    sc = r.set_cookies
    assert len(sc) == 4, sc
    at = match_cookie(sc[0], "accessToken", JWT_VALUE, max_age=3600, same_site="Strict",
                      secure=True, domain="example.test")
    match_cookie(sc[1], "refreshToken", JWT_VALUE, max_age=2592000, same_site="Strict",
                 secure=True, domain="example.test")
    csrf = match_cookie(sc[2], "nest_auth_csrf", CSRF_VALUE, max_age=2592000, same_site="Strict",
                        secure=True, domain="example.test", http_only=False)
    r = c.get("/auth/csrf")
    t = r.json["csrfToken"]
    assert r.set_cookies == [f"nest_auth_csrf={t}; Domain=example.test; Path=/; Secure; SameSite=Strict"]
    # Logout's clearing cookies carry the Domain (and Secure, SameSite) the
    # cookies were set with: browsers replace a cookie only by one with the
    # same Domain and Path, so without it the old cookies stay (issue 11
    # §3.13; the reference sends only Path).
    r = c.post("/auth/logout", cookies={"accessToken": at, "nest_auth_csrf": csrf},
               headers={"x-csrf-token": csrf})
    assert_json(r, 200, {"message": "Logged out successfully"})
    clear = "; Domain=example.test; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=Strict"
    assert r.set_cookies == ["accessToken=" + clear, "refreshToken=" + clear]
    # so does the remember cookie, set and cleared
    assert sc[3] == "nest_auth_remember=" + clear, sc
    r = c.post("/auth/login", {"providerName": "email", "rememberMe": False,
                               "credentials": {"email": email, "password": PASSWORD}})
    assert r.status == 200, r
    assert r.set_cookies[-1] == ("nest_auth_remember=0; Domain=example.test; Path=/; HttpOnly; "
                                 "Secure; SameSite=Strict"), r.set_cookies
    c2 = r.cookie_values()
    r = c.post("/auth/logout-all", cookies={"accessToken": c2["accessToken"],
                                            "nest_auth_csrf": c2["nest_auth_csrf"]},
               headers={"x-csrf-token": c2["nest_auth_csrf"]})
    assert_json(r, 200, {"message": "Logged out from all devices successfully"})
    assert r.set_cookies == ["accessToken=" + clear, "refreshToken=" + clear]


def test_same_site_none(server_factory):
    srv = server_factory("--session-access-token-type", "cookie", "--cookies-same-site", "none",
                         "--cookies-secure", "true")
    r = srv.client().post("/auth/signup", {"email": unique_email(), "password": PASSWORD})
    sc = r.set_cookies
    match_cookie(sc[0], "accessToken", JWT_VALUE, max_age=3600, same_site="None", secure=True)
    match_cookie(sc[1], "refreshToken", JWT_VALUE, max_age=2592000, same_site="None", secure=True)


def test_custom_ttls_in_cookies(server_factory):
    srv = server_factory("--session-access-token-type", "cookie",
                         "--session-access-token-ttl", "10m", "--session-refresh-token-ttl", "2d")
    r = srv.client().post("/auth/signup", {"email": unique_email(), "password": PASSWORD})
    sc = r.set_cookies
    at = match_cookie(sc[0], "accessToken", JWT_VALUE, max_age=600)
    rt = match_cookie(sc[1], "refreshToken", JWT_VALUE, max_age=172800)
    pa, pr = jwt_parts(at)[1], jwt_parts(rt)[1]
    assert pa["exp"] - pa["iat"] == 600
    assert pr["exp"] - pr["iat"] == 172800


# --------------------------------------------------------------------------
# CSRF (cookie mode + --csrf-enabled true)
# --------------------------------------------------------------------------

CSRF_EXTRA = [("nest_auth_csrf", CSRF_VALUE, 2592000, False)]


def _csrf_login(srv):
    c = srv.client()
    email = unique_email("csrf")
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    assert r.status == 200, r
    r = c.post("/auth/login", {"providerName": "email",
                               "credentials": {"email": email, "password": PASSWORD}})
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Login successful"})
    at, rt, (csrf,) = assert_persistent_token_cookies(r, extra=CSRF_EXTRA)
    return email, at, rt, csrf


def assert_403(resp, code):
    js = assert_json(resp, 403, keys=["statusCode", "error", "message", "code"])
    assert js["statusCode"] == 403 and js["error"] == "ForbiddenException" and js["code"] == code, js
    assert js["message"] == CSRF_MESSAGES[code], js


CSRF_MESSAGES = {"CSRF_TOKEN_INVALID": "Invalid or missing CSRF token.",
                 "CSRF_ORIGIN_REJECTED": "Cross-site request blocked (origin not allowed)."}


def test_csrf_cookie_on_login(csrf_srv):
    _, at, rt, csrf = _csrf_login(csrf_srv)
    assert len(csrf) == 43


def test_csrf_endpoint(csrf_srv):
    c = csrf_srv.client()
    r = c.get("/auth/csrf")
    js = assert_json(r, 200, keys=["enabled", "csrfToken", "headerName", "cookieName"])
    assert js["enabled"] is True
    assert re.fullmatch(CSRF_VALUE, js["csrfToken"]), js
    assert js["headerName"] == "x-csrf-token" and js["cookieName"] == "nest_auth_csrf"
    assert r.set_cookies == [f"nest_auth_csrf={js['csrfToken']}; Path=/; SameSite=Lax"]
    # fresh token every time
    r2 = c.get("/auth/csrf")
    assert r2.json["csrfToken"] != js["csrfToken"]


def test_csrf_required_for_cookie_authenticated_post(csrf_srv):
    c = csrf_srv.client()
    _, at, rt, csrf = _csrf_login(csrf_srv)
    jar = {"accessToken": at, "nest_auth_csrf": csrf}

    # no header
    assert_403(c.post("/auth/logout-all", cookies=jar), "CSRF_TOKEN_INVALID")
    # wrong header
    assert_403(c.post("/auth/logout-all", cookies=jar, headers={"x-csrf-token": "x" * 43}),
               "CSRF_TOKEN_INVALID")
    # header but no cookie
    assert_403(c.post("/auth/logout-all", cookies={"accessToken": at},
                      headers={"x-csrf-token": csrf}), "CSRF_TOKEN_INVALID")
    # logout (optional auth) is CSRF-checked too when the token comes from a cookie
    assert_403(c.post("/auth/logout", cookies=jar), "CSRF_TOKEN_INVALID")

    # the session survived all rejected attempts; GET needs no CSRF header
    r = c.get("/auth/me", cookies=jar)
    assert_json(r, 200)
    sc = r.set_cookies
    assert len(sc) == 2, sc
    new_csrf = match_cookie(sc[0], "nest_auth_csrf", CSRF_VALUE, max_age=2592000, http_only=False)
    assert sc[1] == CLEAR_REMEMBER
    assert new_csrf != csrf, "token responses rotate the CSRF cookie"

    # correct double submit (header name case-insensitive)
    r = c.post("/auth/logout-all", cookies=jar, headers={"X-CSRF-Token": csrf})
    assert_json(r, 200, {"message": "Logged out from all devices successfully"})
    assert_json(c.get("/auth/me", cookies=jar), 401, ERR_SESSION_NOT_FOUND)


def test_csrf_logout_with_header(csrf_srv):
    c = csrf_srv.client()
    _, at, rt, csrf = _csrf_login(csrf_srv)
    r = c.post("/auth/logout", cookies={"accessToken": at, "refreshToken": rt,
                                        "nest_auth_csrf": csrf},
               headers={"x-csrf-token": csrf})
    assert_json(r, 200, {"message": "Logged out successfully"})
    assert_json(c.get("/auth/me", cookies={"accessToken": at}), 401, ERR_SESSION_NOT_FOUND)


def test_csrf_not_needed_for_public_routes(csrf_srv):
    c = csrf_srv.client()
    _, at, rt, csrf = _csrf_login(csrf_srv)
    # refresh is public: no CSRF header, even with a foreign Origin
    r = c.post("/auth/refresh-token", {}, cookies={"refreshToken": rt},
               headers={"Origin": "http://evil.example"})
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Token refreshed successfully"})
    at2, rt2, (csrf2,) = assert_persistent_token_cookies(r, extra=CSRF_EXTRA)
    assert csrf2 != csrf
    # login is public too
    r = c.post("/auth/login", {"providerName": "email",
                               "credentials": {"email": "nobody@example.com", "password": PASSWORD}},
               headers={"Origin": "http://evil.example"})
    assert r.status == 401 and r.json["code"] == "INVALID_CREDENTIALS", r


def test_csrf_origin_rejected(csrf_srv):
    c = csrf_srv.client()
    _, at, rt, csrf = _csrf_login(csrf_srv)
    jar = {"accessToken": at, "nest_auth_csrf": csrf}
    hdr = {"x-csrf-token": csrf}
    assert_403(c.post("/auth/logout-all", cookies=jar, headers=dict(hdr, Origin="http://evil.example")),
               "CSRF_ORIGIN_REJECTED")
    assert_403(c.post("/auth/logout-all", cookies=jar,
                      headers=dict(hdr, Referer="http://evil.example/page")),
               "CSRF_ORIGIN_REJECTED")
    assert_json(c.get("/auth/verify-session", cookies=jar), 200)
    # an allowed origin with a valid token passes
    r = c.post("/auth/logout-all", cookies=jar, headers=dict(hdr, Origin="http://also-good.example"))
    assert_json(r, 200, {"message": "Logged out from all devices successfully"})


def test_csrf_allowed_origin_without_token_still_rejected(csrf_srv):
    c = csrf_srv.client()
    _, at, rt, csrf = _csrf_login(csrf_srv)
    r = c.post("/auth/logout-all", cookies={"accessToken": at, "nest_auth_csrf": csrf},
               headers={"Origin": "http://good.example"})
    assert_403(r, "CSRF_TOKEN_INVALID")


# --------------------------------------------------------------------------
# auto mode (default): x-access-token-type: cookie switches one response
# --------------------------------------------------------------------------

def test_auto_mode_switch_per_request(server):
    c = server.client()
    email = unique_email("auto")
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    assert r.status == 200 and JWT_RE.match(r.json["accessToken"]) and r.set_cookies == [], r

    hdr = {"x-access-token-type": "cookie"}
    body = {"providerName": "email", "credentials": {"email": email, "password": PASSWORD}}
    r = c.post("/auth/login", body, headers=hdr)
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Login successful"})
    at, rt, _ = assert_persistent_token_cookies(r)

    # guard in auto mode: header first, then cookies
    assert_json(c.get("/auth/me", cookies={"accessToken": at}), 200)
    assert_json(c.get("/auth/me", bearer=at), 200)

    # refresh reads the cookie only when the request asks for cookie mode
    assert_json(c.post("/auth/refresh-token", {}, cookies={"refreshToken": rt}), 401,
                ERR_REFRESH_REQUIRED)
    r = c.post("/auth/refresh-token", {}, cookies={"refreshToken": rt}, headers=hdr)
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Token refreshed successfully"})
    at2, rt2, _ = assert_persistent_token_cookies(r)

    # same endpoint without the header -> header mode body
    r = c.post("/auth/refresh-token", {"refreshToken": rt2})
    js = assert_json(r, 200, keys=["accessToken", "refreshToken", "isRequiresMfa", "message"])
    assert r.set_cookies == []

    # me with the switch header rewrites the remember cookie
    r = c.get("/auth/me", bearer=js["accessToken"], headers=hdr)
    assert_json(r, 200)
    assert r.set_cookies == [CLEAR_REMEMBER]

    # a value other than exactly "cookie" does not switch
    r = c.post("/auth/login", body, headers={"x-access-token-type": "header"})
    assert_json(r, 200, keys=["accessToken", "refreshToken", "isRequiresMfa", "message"])
    assert r.set_cookies == []


def test_remember_me_false_with_csrf(csrf_srv):
    c = csrf_srv.client()
    email = unique_email("csrfrm")
    assert c.post("/auth/signup", {"email": email, "password": PASSWORD}).status == 200
    r = c.post("/auth/login", {"providerName": "email", "rememberMe": False,
                               "credentials": {"email": email, "password": PASSWORD}})
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Login successful"})
    sc = r.set_cookies
    assert len(sc) == 4, sc
    match_cookie(sc[0], "accessToken", JWT_VALUE)
    match_cookie(sc[1], "refreshToken", JWT_VALUE)
    match_cookie(sc[2], "nest_auth_csrf", CSRF_VALUE, http_only=False)
    assert sc[3] == REMEMBER_0


def test_custom_csrf_names(server_factory):
    srv = server_factory("--session-access-token-type", "cookie", "--csrf-enabled", "true",
                         "--csrf-cookie-name", "xsrf", "--csrf-header-name", "X-XSRF-Token")
    c = srv.client()
    r = c.get("/auth/csrf")
    js = assert_json(r, 200, keys=["enabled", "csrfToken", "headerName", "cookieName"])
    assert js["headerName"] == "x-xsrf-token" and js["cookieName"] == "xsrf", js
    assert r.set_cookies == [f"xsrf={js['csrfToken']}; Path=/; SameSite=Lax"]
    email = unique_email("xsrf")
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    at, rt, (tok,) = assert_persistent_token_cookies(
        r, extra=[("xsrf", CSRF_VALUE, 2592000, False)])
    jar = {"accessToken": at, "xsrf": tok}
    assert_403(c.post("/auth/logout-all", cookies=jar, headers={"x-csrf-token": tok}),
               "CSRF_TOKEN_INVALID")
    assert_json(c.post("/auth/logout-all", cookies=jar, headers={"x-xsrf-token": tok}), 200)


def test_auto_mode_csrf_only_for_cookie_auth(server_factory):
    srv = server_factory("--csrf-enabled", "true")
    c = srv.client()
    email = unique_email("autocsrf")
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    at = r.json["accessToken"]
    assert r.set_cookies == [], "header-mode response in auto mode sets no cookies"
    # bearer-authenticated POST: no CSRF needed
    r = c.post("/auth/login", {"providerName": "email",
                               "credentials": {"email": email, "password": PASSWORD}},
               headers={"x-access-token-type": "cookie"})
    at2, rt2, (csrf,) = assert_persistent_token_cookies(r, extra=CSRF_EXTRA)
    # cookie-authenticated POST without the header: rejected
    assert_403(c.post("/auth/logout-all", cookies={"accessToken": at2, "nest_auth_csrf": csrf}),
               "CSRF_TOKEN_INVALID")
    assert_json(c.post("/auth/logout", bearer=at), 200, {"message": "Logged out successfully"})
    r = c.post("/auth/logout-all", cookies={"accessToken": at2, "nest_auth_csrf": csrf},
               headers={"x-csrf-token": csrf})
    assert_json(r, 200, {"message": "Logged out from all devices successfully"})


def test_auto_mode_header_wins_over_cookie_and_cookie_logout(server):
    c = server.client()
    email = unique_email("autolo")
    assert c.post("/auth/signup", {"email": email, "password": PASSWORD}).status == 200
    r = c.post("/auth/login", {"providerName": "email",
                               "credentials": {"email": email, "password": PASSWORD}},
               headers={"x-access-token-type": "cookie"})
    at = r.cookie_values()["accessToken"]
    # a bad Authorization header is used even though a good cookie is present
    r = c.get("/auth/me", headers={"Authorization": "Bearer garbage"}, cookies={"accessToken": at})
    assert_json(r, 401, {"statusCode": 401, "error": "UnauthorizedException",
                         "message": "Invalid or expired token", "code": "INVALID_TOKEN"})
    # logout authenticated by the cookie revokes the session
    assert_json(c.post("/auth/logout", cookies={"accessToken": at}), 200)
    assert_json(c.get("/auth/me", cookies={"accessToken": at}), 401, ERR_SESSION_NOT_FOUND)


def test_quoted_cookie_value(csrv):
    """cookie-parser strips surrounding double quotes from cookie values."""
    c = csrv.client()
    _, r = _cookie_login(csrv)
    at = r.cookie_values()["accessToken"]
    assert_json(c.get("/auth/verify-session", cookies=f'accessToken="{at}"'), 200)
    # first of duplicate cookies wins
    assert_json(c.get("/auth/verify-session", cookies=f"accessToken={at}; accessToken=garbage"), 200)


def test_remember_me_false_on_signup(csrv):
    """The cookie writer honours a boolean rememberMe in any token-response body."""
    c = csrv.client()
    r = c.post("/auth/signup", {"email": unique_email("rmsu"), "password": PASSWORD,
                                "rememberMe": False})
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Signup successful"})
    sc = r.set_cookies
    assert len(sc) == 3, sc
    match_cookie(sc[0], "accessToken", JWT_VALUE)
    match_cookie(sc[1], "refreshToken", JWT_VALUE)
    assert sc[2] == REMEMBER_0


def test_remember_cookie_makes_signup_and_login_non_persistent(csrv):
    c = csrv.client()
    email = unique_email("rmck")
    for path, body in (("/auth/signup", {"email": email, "password": PASSWORD}),
                       ("/auth/login", {"providerName": "email",
                                        "credentials": {"email": email, "password": PASSWORD}})):
        r = c.post(path, body, cookies={"nest_auth_remember": "0"})
        assert r.status == 200, r
        sc = r.set_cookies
        match_cookie(sc[0], "accessToken", JWT_VALUE)
        match_cookie(sc[1], "refreshToken", JWT_VALUE)
        assert sc[2] == REMEMBER_0
    # an explicit rememberMe:true overrides the cookie
    r = c.post("/auth/login", {"providerName": "email", "rememberMe": True,
                               "credentials": {"email": email, "password": PASSWORD}},
               cookies={"nest_auth_remember": "0"})
    assert_persistent_token_cookies(r)
