"""CORS for browser apps on another origin (cors.* options, docs/browser-apps.md).

The reference leaves CORS to its host app (Nest's enableCors, the Express
`cors` package); authd answers like that package does with a list of
origins, except that a disallowed origin gets no Access-Control-* header at
all. The browser side of it is tests/browser/.
"""

import subprocess

import pytest

from conftest import (AUTHD_BIN, CHEAP_ARGON2, PASSWORD, assert_json, free_port,
                      storage_flags, unique_email)

APP = "http://127.0.0.1:4210"
OTHER_APP = "https://admin.example.test"
EVIL = "http://127.0.0.1:4211"
METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE"
# What the official client sends (spec client-sdk.md §2, §6) and X-Request-Id.
CLIENT_HEADERS = ("Content-Type,Authorization,x-access-token-type,x-csrf-token,"
                  "nest_auth_device_trust,X-Request-Id")
SDK_REQUEST_HEADERS = "content-type,x-access-token-type"

CORS_NAMES = ("access-control-allow-origin", "access-control-allow-credentials",
              "access-control-allow-methods", "access-control-allow-headers",
              "access-control-max-age", "access-control-expose-headers")


@pytest.fixture(scope="module")
def srv(server_factory):
    return server_factory("--cors-allowed-origins", f"{APP},{OTHER_APP}:443")


def preflight(c, path, origin, method="POST", headers=SDK_REQUEST_HEADERS):
    h = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        h["Access-Control-Request-Headers"] = headers
    return c.request("OPTIONS", path, headers=h)


def cors_headers(r):
    return {k.lower(): v for k, v in r.headers if k.lower() in CORS_NAMES}


def assert_allowed_preflight(r, origin, max_age="600"):
    assert r.status == 204, r
    assert r.body == b"", r
    assert r.header("Content-Length") is None and r.header("Content-Type") is None, r
    assert cors_headers(r) == {
        "access-control-allow-origin": origin,
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": METHODS,
        "access-control-allow-headers": CLIENT_HEADERS,
        "access-control-max-age": max_age,
    }, r.headers
    assert r.header_all("Vary") == ["Origin"], r.headers


@pytest.mark.parametrize("path,method,request_headers", [
    ("/auth/signup", "POST", SDK_REQUEST_HEADERS),
    ("/auth/login", "POST", SDK_REQUEST_HEADERS + ",nest_auth_device_trust"),
    ("/auth/refresh-token", "POST", SDK_REQUEST_HEADERS),
    ("/auth/me", "GET", SDK_REQUEST_HEADERS + ",authorization"),
    ("/auth/logout", "POST", SDK_REQUEST_HEADERS + ",x-csrf-token"),
    ("/auth/mfa/devices/abc", "DELETE", SDK_REQUEST_HEADERS),
    ("/auth/me", "GET", None),
])
def test_preflight_from_an_allowed_origin(srv, path, method, request_headers):
    r = preflight(srv.client(), path, APP, method, request_headers)
    assert_allowed_preflight(r, APP)


def test_origins_match_exactly_with_default_ports_dropped(srv):
    c = srv.client()
    # configured as https://admin.example.test:443; browsers send no default port
    assert_allowed_preflight(preflight(c, "/auth/login", OTHER_APP), OTHER_APP)
    for origin in (EVIL, "http://127.0.0.1", "https://127.0.0.1:4210", "HTTP://127.0.0.1:4210",
                   APP + "/", "null", "http://127.0.0.1:4210.evil.test"):
        r = preflight(c, "/auth/login", origin)
        assert r.status == 204, (origin, r)
        assert cors_headers(r) == {}, (origin, r.headers)


def test_disallowed_origin_gets_no_cors_headers(srv):
    c = srv.client()
    # its preflight: answered (204, as Express's cors does), but without any
    # Access-Control-* header, so the browser never sends the request
    r = preflight(c, "/auth/signup", EVIL)
    assert r.status == 204 and r.body == b"", r
    assert cors_headers(r) == {}, r.headers
    assert r.header_all("Vary") == ["Origin"], r.headers
    # a request sent anyway (curl, a simple request) is served, unreadable to the page
    r = c.post("/auth/signup", {"email": unique_email(), "password": PASSWORD},
               headers={"Origin": EVIL})
    assert r.status == 200, r
    assert cors_headers(r) == {}, r.headers
    assert r.header_all("Vary") == ["Origin"], r.headers


def test_actual_requests_from_an_allowed_origin(srv):
    c = srv.client()
    h = {"Origin": APP, "x-access-token-type": "cookie"}
    r = c.post("/auth/signup", {"email": unique_email(), "password": PASSWORD}, headers=h)
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Signup successful"})
    assert cors_headers(r) == {"access-control-allow-origin": APP,
                               "access-control-allow-credentials": "true"}, r.headers
    assert r.header_all("Vary") == ["Origin"]
    jar = r.cookie_values()
    assert "accessToken" in jar and "refreshToken" in jar
    cookies = {"accessToken": jar["accessToken"], "refreshToken": jar["refreshToken"]}
    for method, path in (("GET", "/auth/me"), ("GET", "/auth/verify-session"),
                         ("POST", "/auth/refresh-token"), ("GET", "/auth/client-config")):
        r = c.request(method, path, headers=h, cookies=cookies)
        assert r.status == 200, (path, r)
        assert r.header("Access-Control-Allow-Origin") == APP, (path, r.headers)
        assert r.header("Access-Control-Allow-Credentials") == "true", (path, r.headers)
        assert r.header_all("Vary") == ["Origin"], (path, r.headers)
        if path == "/auth/refresh-token":
            cookies = {k: v for k, v in r.cookie_values().items() if k in cookies}


def test_errors_carry_cors_headers_so_the_page_can_read_them(srv):
    """The SDK refreshes on a 401 only if it can read the 401: every answer to
    an allowed origin, errors and unknown routes included, carries the headers."""
    c = srv.client()
    h = {"Origin": APP, "x-access-token-type": "cookie"}
    r = c.get("/auth/me", headers=h)
    assert r.status == 401, r
    assert r.header("Access-Control-Allow-Origin") == APP
    assert r.header("Access-Control-Allow-Credentials") == "true"
    r = c.post("/auth/login", {"providerName": "email",
                               "credentials": {"email": unique_email(), "password": PASSWORD}},
               headers=h)
    assert r.status == 401 and r.header("Access-Control-Allow-Origin") == APP, r
    # unknown route: its preflight passes (as with Express's cors), the 404 is readable
    assert_allowed_preflight(preflight(c, "/auth/no-such-route", APP), APP)
    r = c.post("/auth/no-such-route", {}, headers=h)
    assert r.status == 404 and r.header("Access-Control-Allow-Origin") == APP, r


def test_requests_without_origin_only_vary(srv):
    c = srv.client()
    r = c.get("/auth/client-config")
    assert r.status == 200
    assert cors_headers(r) == {}
    assert r.header_all("Vary") == ["Origin"], r.headers
    # OPTIONS that is not a preflight is routed as before
    r = c.request("OPTIONS", "/auth/signup", headers={"Origin": APP})
    assert_json(r, 404, {"message": "Cannot OPTIONS /auth/signup", "error": "Not Found",
                         "statusCode": 404})
    assert r.header("Access-Control-Allow-Origin") == APP
    r = c.request("OPTIONS", "/auth/signup", headers={"Access-Control-Request-Method": "POST"})
    assert r.status == 404 and cors_headers(r) == {}, r


def test_without_cors_config_nothing_changes(server):
    c = server.client()
    r = preflight(c, "/auth/signup", APP)
    assert_json(r, 404, {"message": "Cannot OPTIONS /auth/signup", "error": "Not Found",
                         "statusCode": 404})
    assert cors_headers(r) == {} and r.header("Vary") is None, r.headers
    r = c.get("/auth/client-config", headers={"Origin": APP})
    assert r.status == 200
    assert cors_headers(r) == {} and r.header("Vary") is None, r.headers


def test_any_origin_without_credentials(server_factory):
    srv = server_factory("--cors-allowed-origins", "*", "--cors-allow-credentials", "false",
                         "--cors-max-age", "1h", "--cors-exposed-headers", "Retry-After,X-Request-Id",
                         "--cors-allowed-headers", "x-captcha-token", "--csrf-header-name", "X-XSRF")
    c = srv.client()
    r = preflight(c, "/auth/login", "http://anywhere.test")
    assert r.status == 204, r
    assert cors_headers(r) == {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": METHODS,
        "access-control-allow-headers": CLIENT_HEADERS.replace("x-csrf-token", "x-xsrf")
                                        + ",x-captcha-token",
        "access-control-max-age": "3600",
    }, r.headers
    assert r.header("Vary") is None  # the answer is the same for every origin
    r = c.get("/auth/client-config", headers={"Origin": "null"})
    assert cors_headers(r) == {"access-control-allow-origin": "*",
                               "access-control-expose-headers": "Retry-After,X-Request-Id"}
    assert r.header("Vary") is None


def test_credentials_off_for_listed_origins(server_factory):
    srv = server_factory("--cors-allowed-origins", APP, "--cors-allow-credentials", "false",
                         "--cors-max-age", "0")
    r = preflight(srv.client(), "/auth/login", APP)
    assert r.status == 204
    assert cors_headers(r) == {"access-control-allow-origin": APP,
                               "access-control-allow-methods": METHODS,
                               "access-control-allow-headers": CLIENT_HEADERS}, r.headers


@pytest.mark.parametrize("flags,needle", [
    (["--cors-allowed-origins", "*"], "requires cors.allow_credentials = false"),
    (["--cors-allowed-origins", "*", "--cors-allow-credentials", "true"],
     "requires cors.allow_credentials = false"),
    (["--cors-allowed-origins", f"*,{APP}", "--cors-allow-credentials", "false"],
     "lists * with other origins"),
    (["--cors-allowed-origins", "127.0.0.1:4210"], "is not an origin"),
    (["--cors-allowed-origins", APP + "/app"], "is not an origin"),
])
def test_invalid_cors_configuration_is_fatal(tmp_path, flags, needle):
    cmd = [AUTHD_BIN, "--host", "127.0.0.1", "--port", str(free_port()),
           "--data-dir", str(tmp_path), *CHEAP_ARGON2, *storage_flags(), *flags]
    p = subprocess.run(cmd, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    assert p.returncode != 0, f"{flags} was accepted:\n{out}"
    assert needle in out, out


def test_cors_from_a_toml_file(server_factory, tmp_path):
    cfg = tmp_path / "authd.toml"
    cfg.write_text(f'[cors]\nallowed_origins = ["{APP}"]\nmax_age = "2m"\n')
    srv = server_factory("--config", str(cfg))
    assert_allowed_preflight(preflight(srv.client(), "/auth/login", APP), APP, max_age="120")
