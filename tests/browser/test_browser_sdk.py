"""A browser app on the official client SDK against authd, in headless Chromium.

The page (app/) is served from its own loopback origin by a small
http.server and loads @ackplus/nest-auth-client 2.11.1 from node_modules
(`npm ci` here); authd runs on another port, in cookie mode with CSRF, and
allows the page's origin through cors.allowed_origins. Only loopback is
used. Assertions are on what the user sees on the page, plus authd's access
log where the page cannot tell (a refresh, a refused logout).

Needs Debian's chromium, chromium-driver and python3-selenium
(scripts/install-deps.sh). Environment: AUTHD_BIN as for tests/e2e;
AUTHD_CHROMIUM / AUTHD_CHROMEDRIVER override /usr/bin/chromium and
/usr/bin/chromedriver.
"""

import functools
import http.server
import os
import re
import shutil
import sys
import tempfile
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from conftest import NO_THROTTLE, PASSWORD, AuthdServer, free_port, unique_email  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = os.environ.get("AUTHD_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("AUTHD_CHROMEDRIVER", "/usr/bin/chromedriver")
SDK = os.path.join(HERE, "node_modules", "@ackplus", "nest-auth-client", "package.json")
ACCESS_TTL_S = 2
BUSY = ("Loading…", "Checking…", "Signing out…")
SITE = "example.test"  # a site of two hosts, mapped to loopback in the browser


class _PageHandler(http.server.SimpleHTTPRequestHandler):
    """Static files of this folder. A missing path whose .js exists is that
    file: the SDK's ESM build imports its modules without the extension."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript"}

    def translate_path(self, path):
        p = super().translate_path(path)
        if not os.path.exists(p) and os.path.isfile(p + ".js"):
            return p + ".js"
        return p

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def page_port():
    if not os.path.isfile(SDK):
        pytest.fail(f"{SDK} missing: run `npm ci` in {HERE}")
    port = free_port()
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(_PageHandler, directory=HERE))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield port
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def page_origin(page_port):
    return f"http://127.0.0.1:{page_port}"


@pytest.fixture
def authd():
    servers = []

    def start(*flags):
        srv = AuthdServer(NO_THROTTLE + list(flags)).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        try:
            assert srv.stop() == 0, srv.output()
        finally:
            srv.cleanup()


@pytest.fixture
def browser():
    profile = tempfile.mkdtemp(prefix="authd-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                # app.example.test and api.example.test are loopback here
                f"--host-resolver-rules=MAP *.{SITE} 127.0.0.1"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def settled_status(driver, timeout=15):
    """The status line once the page is done with the last action."""
    try:
        WebDriverWait(driver, timeout).until(lambda d: text(d, "status") not in BUSY)
    except Exception:
        pytest.fail(f"page did not settle: {page_state(driver)}")
    return text(driver, "status")


def page_state(driver):
    return {"status": text(driver, "status"), "error": text(driver, "error"),
            "refreshes": text(driver, "refreshes"),
            "console": [e["message"] for e in driver.get_log("browser")]}


def open_app(driver, page_origin, srv, query="", api_host="127.0.0.1"):
    driver.get(f"{page_origin}/app/index.html?api=http://{api_host}:{srv.port}{query}")
    assert settled_status(driver) == "Signed out", page_state(driver)


def sign_up(driver, email):
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "signup").click()


def click(driver, element_id):
    driver.find_element(By.ID, element_id).click()
    return settled_status(driver)


def requests_in_log(srv, method, path):
    """Statuses of the access-log lines for `method path`, in order."""
    return [int(m.group(1)) for m in re.finditer(
        rf"method={method} path={re.escape(path)} status=(\d+)", srv.output())]


def cookie_server(page_origin, access_ttl=f"{ACCESS_TTL_S}s"):
    return ("--session-access-token-type", "cookie", "--csrf-enabled", "true",
            "--session-access-token-ttl", access_ttl, "--cors-allowed-origins", page_origin)


@pytest.mark.parametrize("topology", ["same host", "subdomains"])
def test_sign_up_reload_refresh_and_log_out(browser, authd, page_port, topology):
    """Same host: page and authd on 127.0.0.1, other ports (host-only
    cookies). Subdomains: page on app.example.test, authd on
    api.example.test with cookies.domain = example.test, the setup
    docs/browser-apps.md recommends; the page's scripts read the CSRF cookie
    through the Domain, and logout's clearing cookies must carry it too."""
    if topology == "same host":
        page_origin, api_host, extra = f"http://127.0.0.1:{page_port}", "127.0.0.1", ()
    else:
        page_origin, api_host = f"http://app.{SITE}:{page_port}", f"api.{SITE}"
        extra = ("--cookies-domain", SITE)
    srv = authd(*cookie_server(page_origin), *extra)
    open_app(browser, page_origin, srv, api_host=api_host)
    email = unique_email("browser")

    sign_up(browser, email)
    assert settled_status(browser) == f"Signed in as {email}", page_state(browser)
    signed_up_at = time.monotonic()
    cookies = {c["name"]: c for c in browser.get_cookies()}
    assert cookies["accessToken"]["httpOnly"] and cookies["refreshToken"]["httpOnly"], cookies
    assert not cookies["nest_auth_csrf"]["httpOnly"], cookies
    if topology == "subdomains":
        assert {c["domain"] for c in cookies.values()} == {"." + SITE}, cookies

    # a reload keeps the user signed in: the session lives in the cookies
    browser.refresh()
    assert settled_status(browser) == f"Signed in as {email}", page_state(browser)

    # past the access token's lifetime the SDK renews the session by itself
    time.sleep(max(0.0, ACCESS_TTL_S + 1 - (time.monotonic() - signed_up_at)))
    refreshes_before = requests_in_log(srv, "POST", "/auth/refresh-token").count(200)
    assert click(browser, "whoami") == f"Signed in as {email}", page_state(browser)
    assert text(browser, "refreshes") == "1", page_state(browser)
    assert requests_in_log(srv, "POST", "/auth/refresh-token").count(200) == refreshes_before + 1

    # logging out signs the user out for good, and the browser drops the cookies
    assert click(browser, "logout") == "Signed out", page_state(browser)
    assert requests_in_log(srv, "POST", "/auth/logout") == [200], srv.output()
    names = {c["name"] for c in browser.get_cookies()}
    assert "accessToken" not in names and "refreshToken" not in names, names
    assert click(browser, "whoami") == "Signed out", page_state(browser)
    browser.refresh()
    assert settled_status(browser) == "Signed out", page_state(browser)
    assert text(browser, "error") == "", page_state(browser)


@pytest.mark.parametrize("cors", ["off", "other origin"])
def test_the_browser_blocks_the_app_unless_its_origin_is_allowed(browser, authd, page_origin,
                                                                 cors):
    flags = ["--session-access-token-type", "cookie"]
    if cors == "other origin":
        flags += ["--cors-allowed-origins", "http://127.0.0.1:1"]
    srv = authd(*flags)
    open_app(browser, page_origin, srv)
    sign_up(browser, unique_email("blocked"))
    WebDriverWait(browser, 15).until(lambda d: text(d, "error") != "")
    assert text(browser, "error").startswith("Sign-up failed (network error"), page_state(browser)
    assert settled_status(browser) == "Signed out"
    # the preflight failed, so the sign-up itself was never sent
    assert requests_in_log(srv, "OPTIONS", "/auth/signup") == ([404] if cors == "off" else [204])
    assert requests_in_log(srv, "POST", "/auth/signup") == []


def test_stock_sdk_logout_fails_silently_with_csrf(browser, authd, page_origin):
    """Without the CSRF header (docs/browser-apps.md) logout is refused, the
    SDK ignores that and forgets the user, but the session stays alive."""
    srv = authd(*cookie_server(page_origin, access_ttl="1h"))  # logout sees the access cookie
    open_app(browser, page_origin, srv, "&csrf=off")
    email = unique_email("stock")
    sign_up(browser, email)
    assert settled_status(browser) == f"Signed in as {email}", page_state(browser)
    assert click(browser, "logout") == "Signed out", page_state(browser)
    assert requests_in_log(srv, "POST", "/auth/logout") == [403], srv.output()
    # the cookies still work: the next visit is signed in again
    browser.refresh()
    assert settled_status(browser) == f"Signed in as {email}", page_state(browser)
