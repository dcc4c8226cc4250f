"""Shared fixtures and helpers for the authd black-box (e2e) test suite.

Every module starts its own authd process(es) on a free loopback port with a
fresh temporary data directory, talks to it over plain HTTP/1.1 (stdlib
http.client only) and stops it with SIGTERM at the end, asserting a graceful
exit (code 0).

Environment:
  AUTHD_BIN   path of the server binary (default: <repo>/build/authd)
  AUTHD_E2E_POSTGRES_URL
              PostgreSQL mode: base URL of a database, e.g.
              postgres://postgres@127.0.0.1:5433/authd (scripts/pg-cluster.sh
              start prints one). Every AuthdServer not given a database of its
              own (database_url=, or --storage-database-url in its flags) then
              gets a fresh schema e2e_<hex> (CREATE SCHEMA through psql) and
              --storage-database-url <base>?options=-csearch_path%3De2e_<hex>;
              the schema lives as long as the AuthdServer (restarts see the
              same data) and is dropped by cleanup(). Tests marked
              ``sqlite_only`` (they open the SQLite file itself) are skipped.
              Unset (default): SQLite in the data dir, command lines unchanged.
  AUTHD_E2E_PSQL
              psql binary used in PostgreSQL mode (default: psql on PATH)
  AUTHD_E2E_KEEP_SCHEMAS
              PostgreSQL mode: do not drop the schemas (for debugging)
"""

import base64
import email
import email.policy
import email.utils
import hashlib
import hmac
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AUTHD_BIN = os.environ.get("AUTHD_BIN", os.path.join(REPO, "build", "authd"))

PASSWORD = "Str0ng!Passw0rd"
CHEAP_ARGON2 = [
    "--password-argon2-memory-kib", "1024",
    "--password-argon2-time-cost", "1",
    "--password-argon2-parallelism", "1",
]
NO_THROTTLE = ["--rate-limit-enabled", "false", "--lockout-enabled", "false"]
KNOWN_SECRET = "e2e-known-jwt-secret-0123456789abcdefghijklmnopqrstuv"

JSON_CT = "application/json; charset=utf-8"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
UUID4_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ISO_MS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
JWT_RE = re.compile(r"^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
HTTP_DATE_RE = r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT"

ACCESS_CLAIMS = ["id", "sub", "sessionId", "email", "phone", "emailVerifiedAt",
                 "phoneVerifiedAt", "roles", "tenantId", "isMfaEnabled",
                 "isMfaVerified", "type", "iat", "exp"]
REFRESH_CLAIMS = ACCESS_CLAIMS[:12] + ["jti", "iat", "exp"]

# Exact error bodies used by many modules.
ERR_SESSION_NOT_FOUND = {"statusCode": 401, "error": "Unauthorized", "message": "Session not found"}
ERR_NO_AUTH = {"statusCode": 401, "error": "UnauthorizedException",
               "message": "No authentication provided", "code": "NO_AUTH_PROVIDED"}
ERR_INVALID_TOKEN = {"statusCode": 401, "error": "UnauthorizedException",
                     "message": "Invalid or expired token", "code": "INVALID_TOKEN"}
ERR_INVALID_CREDENTIALS = {"statusCode": 401, "error": "UnauthorizedException",
                           "message": "Invalid credentials", "code": "INVALID_CREDENTIALS"}
ERR_REFRESH_REQUIRED = {"statusCode": 401, "error": "UnauthorizedException",
                        "message": "refreshToken is required", "code": "REFRESH_TOKEN_INVALID"}
ERR_REFRESH_EXPIRED = {"statusCode": 401, "error": "UnauthorizedException",
                       "message": "Invalid or expired refresh token", "code": "REFRESH_TOKEN_EXPIRED"}
ERR_REFRESH_REUSED = {"statusCode": 401, "error": "UnauthorizedException",
                      "message": "Refresh token is no longer valid (rotated or replayed)",
                      "code": "REFRESH_TOKEN_INVALID"}
ERR_RATE_LIMITED = {"statusCode": 429, "error": "HttpException",
                    "message": "Too many requests. Please try again later.", "code": "RATE_LIMITED"}
ERR_ACCOUNT_LOCKED = {"statusCode": 429, "error": "HttpException",
                      "message": "Account temporarily locked after too many failed attempts. Please try again later.",
                      "code": "ACCOUNT_LOCKED"}
# One-time code errors (spec mfa.md §4), shared by reset, verification and MFA e-mail/SMS.
ERR_CODE_INVALID = {"statusCode": 400, "error": "BadRequestException",
                    "message": "Invalid verification code", "code": "VERIFICATION_CODE_INVALID"}
ERR_CODE_EXHAUSTED = {"statusCode": 400, "error": "BadRequestException",
                      "message": "Too many invalid attempts. Please request a new verification code.",
                      "code": "VERIFICATION_CODE_INVALID"}
ERR_CODE_EXPIRED = {"statusCode": 400, "error": "BadRequestException",
                    "message": "Verification code has expired", "code": "VERIFICATION_CODE_EXPIRED"}
ERR_CODE_REQUIRED = {"statusCode": 400, "error": "BadRequestException",
                     "message": "Verification code is required", "code": "MISSING_REQUIRED_FIELD"}
def coded(message, code, status=400, error="BadRequestException"):
    """A coded error body (shape A of spec/errors.md)."""
    return {"statusCode": status, "error": error, "message": message, "code": code}


def bad_request(message):
    """A class-validator failure: 400 without a code."""
    return {"statusCode": 400, "error": "Bad Request", "message": message}


ERROR_KEYS = ["statusCode", "error", "message"]
CODED_ERROR_KEYS = ["statusCode", "error", "message", "code"]

CLEAR_ACCESS = "accessToken=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
CLEAR_REFRESH = "refreshToken=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
CLEAR_REMEMBER = "nest_auth_remember=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"

_NO_BODY = object()


# --------------------------------------------------------------------------
# HTTP client
# --------------------------------------------------------------------------

class Resp:
    """A response: status, headers (list of (name, value)), raw body, parsed JSON.

    Unpacks as a 4-tuple: ``status, headers, body, js = resp``.
    """

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.json = None
        self.json_error = None
        if body:
            try:
                self.json = json.loads(body.decode("utf-8"))
            except Exception as e:  # noqa: BLE001 - keep the raw body for the assertion message
                self.json_error = e

    def __iter__(self):
        return iter((self.status, self.headers, self.body, self.json))

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def header_all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def set_cookies(self):
        return self.header_all("Set-Cookie")

    def cookie_values(self):
        """name -> value of every Set-Cookie (last wins)."""
        out = {}
        for sc in self.set_cookies:
            nv = sc.split(";", 1)[0]
            n, _, v = nv.partition("=")
            out[n.strip()] = v
        return out

    def __repr__(self):
        b = self.body[:600]
        return f"<Resp {self.status} headers={self.headers!r} body={b!r}>"


class Client:
    """Tiny HTTP/1.1 client. keep=True reuses one connection for all requests."""

    def __init__(self, port, host="127.0.0.1", keep=False, source_ip=None, timeout=15):
        self.host = host
        self.port = port
        self.keep = keep
        self.source_ip = source_ip
        self.timeout = timeout
        self._conn = None

    def _new_conn(self):
        src = (self.source_ip, 0) if self.source_ip else None
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout,
                                          source_address=src)

    @property
    def conn(self):
        if self._conn is None:
            self._conn = self._new_conn()
        return self._conn

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method, path, body=_NO_BODY, headers=None, bearer=None,
                cookies=None, content_type="application/json"):
        hdrs = {}
        data = None
        if body is not _NO_BODY:
            if isinstance(body, (bytes, bytearray)):
                data = bytes(body)
            elif isinstance(body, str):
                data = body.encode("utf-8")
            else:
                data = json.dumps(body).encode("utf-8")
            if content_type:
                hdrs["Content-Type"] = content_type
        if bearer is not None:
            hdrs["Authorization"] = f"Bearer {bearer}"
        if cookies:
            if isinstance(cookies, dict):
                hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
            else:
                hdrs["Cookie"] = cookies
        if headers:
            hdrs.update(headers)
        conn = self.conn if self.keep else self._new_conn()
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            raw = r.read()
            resp = Resp(r.status, r.reason, r.getheaders(), raw)
        except Exception:
            if self.keep:
                self.close()
            else:
                conn.close()
            raise
        if not self.keep:
            conn.close()
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=_NO_BODY, **kw):
        return self.request("POST", path, body=body, **kw)


# --------------------------------------------------------------------------
# PostgreSQL mode (AUTHD_E2E_POSTGRES_URL)
# --------------------------------------------------------------------------

POSTGRES_URL = os.environ.get("AUTHD_E2E_POSTGRES_URL") or None
POSTGRES_MODE = POSTGRES_URL is not None
PSQL = os.environ.get("AUTHD_E2E_PSQL", "psql")

# Marks a test that looks at the SQLite database file itself (authd.db,
# python's sqlite3, PRAGMA ...): skipped in PostgreSQL mode.
sqlite_only = pytest.mark.sqlite_only

# Marks a test whose assertions rest on CPU time or latency with the
# production argon2id cost: scripts/e2e.sh runs it after the parallel
# (pytest-xdist) pass, alone, so other workers cannot distort its timings.
serial = pytest.mark.serial

# (base URL, schema) made by pg_schema_url()/storage_flags(): dropped at the
# end of the session (schemas of AuthdServers are dropped by their cleanup()).
_pg_session_schemas = []
_pg_lock = threading.Lock()


def pg_mode():
    """True when the suite runs against PostgreSQL (AUTHD_E2E_POSTGRES_URL set)."""
    return POSTGRES_MODE


def skip_in_postgres_mode(reason):
    """Skips the calling test in PostgreSQL mode (for a part that needs the SQLite file)."""
    if POSTGRES_MODE:
        pytest.skip(f"PostgreSQL mode: {reason}")


def psql(url, sql, timeout=30):
    """Runs ``sql`` with the psql CLI against ``url``; returns stdout (unaligned, tuples only)."""
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    for k in ("PGOPTIONS", "PGSERVICE", "PGDATABASE", "PGHOST", "PGPORT", "PGUSER"):
        env.pop(k, None)
    try:
        p = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url,
                            "-c", sql], capture_output=True, timeout=timeout, env=env,
                           stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise RuntimeError(f"psql not found ({PSQL}); install postgresql-client or set AUTHD_E2E_PSQL")
    if p.returncode != 0:
        raise RuntimeError(f"psql failed ({p.returncode}) on {url!r}: {sql}\n"
                           f"{p.stderr.decode('utf-8', 'replace')}")
    return p.stdout.decode("utf-8", "replace")


def pg_url_with_schema(base, schema):
    """The URL libpq accepts for ``base`` with search_path set to ``schema``."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def pg_create_schema(base=None):
    """CREATE SCHEMA e2e_<random hex> in ``base`` (default AUTHD_E2E_POSTGRES_URL); returns its name."""
    base = base or POSTGRES_URL
    if not base:
        raise RuntimeError("no PostgreSQL URL (set AUTHD_E2E_POSTGRES_URL)")
    name = "e2e_" + uuid.uuid4().hex[:16]
    try:
        psql(base, f"CREATE SCHEMA {name}")
    except RuntimeError as e:
        pytest.fail(f"PostgreSQL mode: cannot create a schema at {base} "
                    f"(AUTHD_E2E_POSTGRES_URL; start a cluster with scripts/pg-cluster.sh):\n{e}")
    return name


def pg_drop_schema(base, schema):
    """DROP SCHEMA ... CASCADE; best effort (a stopped cluster only leaves it behind)."""
    if os.environ.get("AUTHD_E2E_KEEP_SCHEMAS"):
        return
    try:
        psql(base, f"SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {schema} CASCADE")
    except (RuntimeError, subprocess.TimeoutExpired):
        pass


def pg_schema_url(base=None):
    """A fresh schema in ``base`` (default AUTHD_E2E_POSTGRES_URL); returns the
    URL to give authd (``database_url=``), e.g. to let two servers share one
    database. The schema is dropped at the end of the test session."""
    base = base or POSTGRES_URL
    name = pg_create_schema(base)
    with _pg_lock:
        _pg_session_schemas.append((base, name))
    return pg_url_with_schema(base, name)


def storage_flags():
    """Flags selecting the database for an authd run outside AuthdServer
    (subprocess.run of AUTHD_BIN): [] on SQLite (the data dir decides), a
    fresh schema in PostgreSQL mode."""
    if not POSTGRES_MODE:
        return []
    return ["--storage-database-url", pg_schema_url()]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_only: the test inspects the SQLite database file itself; "
                   "skipped in PostgreSQL mode (AUTHD_E2E_POSTGRES_URL)")
    config.addinivalue_line(
        "markers", "serial: CPU- or latency-sensitive (production argon2id cost); "
                   "scripts/e2e.sh runs it after the parallel pass, alone")


def pytest_collection_modifyitems(config, items):
    if not POSTGRES_MODE:
        return
    for item in items:
        m = item.get_closest_marker("sqlite_only")
        if m is not None:
            why = m.args[0] if m.args else "inspects the SQLite database file"
            item.add_marker(pytest.mark.skip(
                reason=f"PostgreSQL mode (AUTHD_E2E_POSTGRES_URL): {why}"))


def pytest_report_header(config):
    if POSTGRES_MODE:
        return [f"authd e2e: PostgreSQL mode, a schema per server in {POSTGRES_URL}"]
    return None


def pytest_sessionfinish(session, exitstatus):
    with _pg_lock:
        schemas = list(_pg_session_schemas)
        _pg_session_schemas.clear()
    for base, name in schemas:
        pg_drop_schema(base, name)


# --------------------------------------------------------------------------
# Server process management
# --------------------------------------------------------------------------

def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _flag_value(args, flag, default=None):
    args = list(args)
    for i, a in enumerate(args):
        if a == flag and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return default


class AuthdServer:
    """One authd process. ``extra`` are additional command-line flags.

    ``database_url``: passed as --storage-database-url (no schema of its own
    is made). Otherwise, in PostgreSQL mode, the server gets a fresh schema
    at its first start, kept until cleanup()."""

    def __init__(self, extra=(), data_dir=None, cheap_argon2=True, name="authd",
                 database_url=None):
        self.extra = list(extra)
        self.cheap_argon2 = cheap_argon2
        self.name = name
        self.database_url = database_url
        self.pg_schema = None   # PostgreSQL mode: (base URL, schema) owned by this server
        self._own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="authd-e2e-")
        self.proc = None
        self.port = None
        self.log_path = None
        self._log_file = None
        self.start_count = 0
        self.log_files = []
        gp = _flag_value(self.extra, "--server-global-prefix", "")
        rp = _flag_value(self.extra, "--server-route-prefix", "auth")
        self.prefix = "/" + "/".join(p.strip("/") for p in (gp, rp) if p.strip("/"))

    # -- helpers ----------------------------------------------------------
    def path(self, p):
        """'/me' or 'me' -> '/<global>/<route>/me'."""
        return self.prefix + "/" + p.lstrip("/")

    def client(self, **kw):
        return Client(self.port, **kw)

    def storage_url(self):
        """The --storage-database-url this server gets (None: none, SQLite in the data dir)."""
        if self.database_url is not None:
            return self.database_url
        if not POSTGRES_MODE or _flag_value(self.extra, "--storage-database-url") is not None:
            return None
        if self.pg_schema is None:
            self.pg_schema = (POSTGRES_URL, pg_create_schema(POSTGRES_URL))
        return pg_url_with_schema(*self.pg_schema)

    def command(self):
        cmd = [AUTHD_BIN, "--host", "127.0.0.1", "--port", str(self.port),
               "--data-dir", self.data_dir]
        if self.cheap_argon2:
            cmd += CHEAP_ARGON2
        db = self.storage_url()
        if db is not None:
            cmd += ["--storage-database-url", db]
        return cmd + self.extra

    def output(self):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def output_since(self, offset):
        return self.output()[offset:]

    # -- lifecycle --------------------------------------------------------
    def start(self, timeout=10.0):
        if not os.path.exists(AUTHD_BIN):
            pytest.fail(f"authd binary not found at {AUTHD_BIN} (set AUTHD_BIN)")
        last_out = ""
        for _attempt in range(3):
            self.port = free_port()
            self.start_count += 1
            self.log_path = os.path.join(
                tempfile.gettempdir(),
                f"authd-e2e-{os.getpid()}-{self.port}-{self.start_count}-{uuid.uuid4().hex[:6]}.log")
            self._log_file = open(self.log_path, "wb")
            self.log_files.append(self.log_path)
            self.proc = subprocess.Popen(self.command(), stdout=self._log_file,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            ok = self._wait_ready(timeout)
            if ok:
                return self
            last_out = self.output()
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            rc = self.proc.returncode
            self.proc = None
            self._log_file.close()
            self._log_file = None
            if "in use" not in last_out.lower():
                break
        pytest.fail(f"authd did not become ready within {timeout}s\n"
                    f"command: {' '.join(self.command())}\n"
                    f"exit code: {rc}\n--- output ---\n{last_out}")

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        path = self.path("client-config")
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                c.request("GET", path)
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return True
            except OSError:
                pass
            except http.client.HTTPException:
                pass
            time.sleep(0.05)
        return False

    def stop(self, expect_exit_code=0, timeout=5.0):
        """SIGTERM, wait (SIGKILL after timeout); returns the exit code."""
        if self.proc is None:
            return None
        proc = self.proc
        self.proc = None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                self._close_log()
                if expect_exit_code is not None:
                    pytest.fail(f"authd did not exit within {timeout}s after SIGTERM "
                                f"(killed)\n--- output tail ---\n{self.output()[-3000:]}")
                return proc.returncode
        self._close_log()
        rc = proc.returncode
        if expect_exit_code is not None:
            assert rc == expect_exit_code, (
                f"authd exit code after SIGTERM was {rc}, expected {expect_exit_code}\n"
                f"--- output tail ---\n{self.output()[-3000:]}")
        return rc

    def kill9(self):
        if self.proc is None:
            return None
        proc = self.proc
        self.proc = None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self._close_log()
        return proc.returncode

    def _close_log(self):
        if self._log_file is not None:
            try:
                self._log_file.close()
            except OSError:
                pass
            self._log_file = None

    def cleanup(self):
        if self.proc is not None:
            self.stop(expect_exit_code=None)
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.pg_schema is not None:
            pg_drop_schema(*self.pg_schema)
            self.pg_schema = None
        if not os.environ.get("AUTHD_E2E_KEEP_LOGS"):
            for f in self.log_files:
                try:
                    os.unlink(f)
                except OSError:
                    pass


class ServerFactory:
    """Starts servers on demand; stops all at teardown asserting exit code 0."""

    def __init__(self):
        self.servers = []

    def __call__(self, *extra, throttle=False, cheap_argon2=True, data_dir=None, start=True,
                 database_url=None):
        flags = list(extra)
        if not throttle:
            flags = NO_THROTTLE + flags
        srv = AuthdServer(flags, data_dir=data_dir, cheap_argon2=cheap_argon2,
                          database_url=database_url)
        self.servers.append(srv)
        if start:
            srv.start()
        return srv

    def finish(self):
        errors = []
        for srv in self.servers:
            try:
                if srv.proc is not None:
                    srv.stop(expect_exit_code=0)
            except BaseException as e:  # noqa: BLE001 - report all, continue
                errors.append(str(e))
            finally:
                srv.cleanup()
        if errors:
            pytest.fail("graceful shutdown failed:\n" + "\n".join(errors))


@pytest.fixture(scope="module")
def server_factory():
    f = ServerFactory()
    yield f
    f.finish()


@pytest.fixture(scope="module")
def server(server_factory):
    """Module default server: default (auto) token mode, throttling disabled."""
    return server_factory()


@pytest.fixture
def client(server):
    c = server.client()
    yield c
    c.close()


# --------------------------------------------------------------------------
# Domain helpers
# --------------------------------------------------------------------------

_counter = itertools.count(1)
_counter_lock = threading.Lock()


def unique_email(tag="u"):
    with _counter_lock:
        n = next(_counter)
    return f"{tag}{time.time_ns() % 10**12}x{n}@example.com"


def signup(srv_or_client, email=None, password=PASSWORD, expect=200, **extra):
    c = srv_or_client.client() if isinstance(srv_or_client, AuthdServer) else srv_or_client
    email = email or unique_email()
    body = {"email": email, "password": password}
    body.update(extra)
    r = c.post(_path_of(srv_or_client, "signup"), body)
    if expect is not None:
        assert r.status == expect, f"signup {email}: {r!r}"
    return email, r


def login(srv_or_client, email, password=PASSWORD, expect=200, headers=None, **extra):
    c = srv_or_client.client() if isinstance(srv_or_client, AuthdServer) else srv_or_client
    body = {"providerName": "email", "credentials": {"email": email, "password": password}}
    body.update(extra)
    r = c.post(_path_of(srv_or_client, "login"), body, headers=headers)
    if expect is not None:
        assert r.status == expect, f"login {email}: {r!r}"
    return r


def _path_of(srv_or_client, p):
    if isinstance(srv_or_client, AuthdServer):
        return srv_or_client.path(p)
    return "/auth/" + p


def login_body(email, password=PASSWORD):
    """The body of POST /auth/login with the e-mail provider."""
    return {"providerName": "email", "credentials": {"email": email, "password": password}}


def run_together(calls, timeout=60):
    """Runs the callables at the same moment, each on a thread of its own (a
    barrier releases them together); returns their results in order. A call
    that raises yields its exception instead of a result."""
    n = len(calls)
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except Exception as e:  # noqa: BLE001 - returned to the caller's assertions
            results[i] = e

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results


def concurrent_refresh(ports, rt):
    """POST /auth/refresh-token with `rt` once per entry of `ports` (authd
    ports, repeated as wanted), all at once on connections opened
    beforehand. Returns (status, JSON body) per request, or
    ("exception", repr) for a request that failed."""
    conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=20) for p in ports]
    body = json.dumps({"refreshToken": rt})

    def call(conn):
        conn.request("POST", "/auth/refresh-token", body=body,
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        raw = r.read()
        return (r.status, json.loads(raw) if raw else None)

    try:
        for c in conns:
            c.connect()
        results = run_together([lambda c=c: call(c) for c in conns], timeout=30)
    finally:
        for c in conns:
            c.close()
    return [("exception", repr(r)) if isinstance(r, Exception) else r for r in results]


def new_user(srv):
    """Sign up a fresh user; returns (email, accessToken, refreshToken)."""
    email, r = signup(srv)
    return email, r.json["accessToken"], r.json["refreshToken"]


# --------------------------------------------------------------------------
# JWT helpers
# --------------------------------------------------------------------------

def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url_encode(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def jwt_parts(token):
    h, p, s = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p)), s


def jwt_payload(token):
    return jwt_parts(token)[1]


def jwt_header_raw(token):
    return b64url_decode(token.split(".")[0]).decode("utf-8")


def jwt_sign(payload, secret, header=None):
    header = header or {"alg": "HS256", "typ": "JWT"}
    h = b64url_encode(json.dumps(header, separators=(",", ":")).encode())
    p = b64url_encode(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(secret.encode(), f"{h}.{p}".encode(), hashlib.sha256).digest()
    return f"{h}.{p}.{b64url_encode(sig)}"


def jwt_alg_none(payload):
    h = b64url_encode(json.dumps({"alg": "none", "typ": "JWT"}, separators=(",", ":")).encode())
    p = b64url_encode(json.dumps(payload, separators=(",", ":")).encode())
    return f"{h}.{p}."


def jwt_tamper(token, **changes):
    """Same header and signature, payload modified."""
    h, p, s = token.split(".")
    payload = json.loads(b64url_decode(p))
    payload.update(changes)
    p2 = b64url_encode(json.dumps(payload, separators=(",", ":")).encode())
    return f"{h}.{p2}.{s}"


# --------------------------------------------------------------------------
# Assertions
# --------------------------------------------------------------------------

def assert_json(resp, status, body=None, keys=None):
    """Status, JSON content type, and (optionally) exact body incl. key order."""
    assert resp.status == status, f"expected {status}, got {resp!r}"
    ct = resp.header("Content-Type")
    assert ct is not None and ct.lower().startswith("application/json"), f"content-type {ct!r}: {resp!r}"
    assert resp.json is not None, f"body is not JSON: {resp!r}"
    if body is not None:
        assert resp.json == body, f"body mismatch:\n expected {body}\n got      {resp.json}"
        assert list(resp.json.keys()) == list(body.keys()), (
            f"key order: expected {list(body.keys())}, got {list(resp.json.keys())}")
    if keys is not None:
        assert list(resp.json.keys()) == list(keys), (
            f"key order: expected {list(keys)}, got {list(resp.json.keys())}")
    return resp.json


def assert_token_body(resp, message):
    js = assert_json(resp, 200, keys=["accessToken", "refreshToken", "isRequiresMfa", "message"])
    assert JWT_RE.match(js["accessToken"]), js
    assert JWT_RE.match(js["refreshToken"]), js
    assert js["isRequiresMfa"] is False
    assert js["message"] == message
    return js["accessToken"], js["refreshToken"]


def parse_http_date(s):
    return email.utils.parsedate_to_datetime(s).timestamp()


def cookie_regex(name, value_re, max_age=None, same_site="Lax", http_only=True,
                 secure=False, domain=None):
    """Regex of a Set-Cookie string in Express serialisation order."""
    parts = [f"{re.escape(name)}=({value_re})"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if domain:
        parts.append(f"Domain={re.escape(domain)}")
    parts.append("Path=/")
    if max_age is not None:
        parts.append(f"Expires=({HTTP_DATE_RE})")
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    if same_site:
        parts.append(f"SameSite={same_site}")
    return re.compile("^" + "; ".join(parts) + "$")


def match_cookie(set_cookie, name, value_re, max_age=None, now=None, **kw):
    """Assert a Set-Cookie string; returns the cookie value. Checks Expires ~ now+Max-Age."""
    rx = cookie_regex(name, value_re, max_age=max_age, **kw)
    m = rx.match(set_cookie)
    assert m, f"Set-Cookie mismatch:\n got      {set_cookie!r}\n expected /{rx.pattern}/"
    if max_age is not None:
        exp = parse_http_date(m.group(2))
        ref = now if now is not None else time.time()
        assert abs(exp - (ref + max_age)) <= 5, (
            f"Expires {m.group(2)} is not ~ now + {max_age}s: {set_cookie!r}")
    return m.group(1)


# --------------------------------------------------------------------------
# Outbound receivers: SMTP sink (e-mail) and webhook receiver (SMS, events)
# --------------------------------------------------------------------------

CODE_RE = re.compile(r"\b\d{6}\b")
SIGNATURE_RE = re.compile(r"^t=(\d+),v1=([0-9a-f]{64})$")

_phone_counter = itertools.count(int.from_bytes(os.urandom(2), "big") % 5000)


def unique_phone():
    """A fresh phone number that libphonenumber considers valid (+1 202 555 xxxx)."""
    with _counter_lock:
        n = next(_phone_counter) % 10000
    return f"+1202555{n:04d}"


def code_from_text(text):
    """The one 6-digit code in a message text (fails if none or several differ)."""
    codes = sorted(set(CODE_RE.findall(text)))
    assert len(codes) == 1, f"expected exactly one 6-digit code in:\n{text}"
    return codes[0]


class SinkMessage:
    """One e-mail accepted by SmtpSink: envelope and parsed message."""

    def __init__(self, mail_from, rcpt_tos, raw):
        self.mail_from = mail_from
        self.rcpt_tos = list(rcpt_tos)
        self.raw = raw
        self.message = email.message_from_bytes(raw, policy=email.policy.default)
        self.received_at = time.time()

    @property
    def subject(self):
        return str(self.message["Subject"] or "")

    @property
    def text(self):
        """The decoded text/plain body."""
        part = self.message.get_body(preferencelist=("plain",))
        if part is None:
            part = self.message
        return part.get_content()

    def __repr__(self):
        return (f"<SinkMessage from={self.mail_from!r} to={self.rcpt_tos!r} "
                f"subject={self.subject!r} raw={self.raw[:400]!r}>")


class _SmtpHandler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        return self.sink._on_data(envelope)


class SmtpSink:
    """In-process SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message.

    ``reject_next(n, reply)`` answers the next n DATA commands with ``reply``
    (e.g. a 4xx temporary failure) instead of 250, to exercise retries.
    """

    def __init__(self, host="127.0.0.1"):
        self.host = host
        self.port = None
        self.messages = []
        self.rejected = 0
        self._cond = threading.Condition()
        self._controller = None
        self._rejects = []

    @property
    def url(self):
        return f"smtp://{self.host}:{self.port}"

    def flags(self, app_name=None, sender="authd <no-reply@example.test>"):
        """authd flags that send e-mail to this sink."""
        f = ["--courier-email-transport", "smtp", "--smtp-url", self.url,
             "--smtp-starttls", "off", "--smtp-from", sender]
        if app_name:
            f += ["--app-name", app_name]
        return f

    def start(self, port=None):
        """Listens on ``port`` (fixed: a single try) or on a free port."""
        from aiosmtpd.controller import Controller
        last = None
        for _ in range(1 if port else 5):
            self.port = port or free_port()
            ctl = Controller(_SmtpHandler(self), hostname=self.host, port=self.port)
            try:
                ctl.start()
            except Exception as e:  # noqa: BLE001 - port taken in between: try another
                last = e
                continue
            self._controller = ctl
            return self
        raise RuntimeError(f"SMTP sink did not start: {last!r}")

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def reject_next(self, n, reply="451 4.3.0 Try again later"):
        with self._cond:
            self._rejects.extend([reply] * n)

    def _on_data(self, envelope):
        with self._cond:
            if self._rejects:
                self.rejected += 1
                return self._rejects.pop(0)
            content = envelope.original_content or envelope.content
            if isinstance(content, str):
                content = content.encode("utf-8")
            self.messages.append(SinkMessage(envelope.mail_from, envelope.rcpt_tos, content))
            self._cond.notify_all()
        return "250 Message accepted for delivery"

    def messages_to(self, to=None):
        with self._cond:
            msgs = list(self.messages)
        if to is None:
            return msgs
        to = to.lower()
        return [m for m in msgs if to in (r.lower() for r in m.rcpt_tos)]

    def wait_for(self, to=None, timeout=10, count=1):
        """Waits until at least ``count`` messages for ``to`` arrived; returns them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = self.messages_to(to)
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"SMTP sink: {len(got)} message(s) to {to!r} after {timeout}s, "
                                f"expected {count}; all: {self.messages!r}")
                self._cond.wait(min(left, 0.2))

    @staticmethod
    def code_from(msg):
        """The 6-digit one-time code in an e-mail's text body."""
        return code_from_text(msg.text)


class WebhookRequest:
    """One request received by WebhookReceiver."""

    def __init__(self, method, path, headers, body, status):
        self.method = method
        self.path = path
        self.headers = headers        # email.message.Message (case-insensitive get)
        self.body = body              # raw bytes
        self.status = status          # what the receiver answered
        self.received_at = time.time()
        try:
            self.json = json.loads(body.decode("utf-8"))
        except Exception:  # noqa: BLE001 - keep raw
            self.json = None

    def header(self, name):
        return self.headers.get(name)

    @property
    def delivered(self):
        return 200 <= self.status < 300

    def __repr__(self):
        return f"<WebhookRequest {self.method} {self.path} -> {self.status} body={self.body[:300]!r}>"


class WebhookReceiver:
    """Threaded HTTP/1.1 server on 127.0.0.1 recording every request.

    Answers 200 by default; ``fail_next(path, [500, 500])`` makes the next
    requests to ``path`` (None: any path) answer those statuses first.
    """

    def __init__(self, host="127.0.0.1"):
        self.host = host
        self.requests = []
        self._cond = threading.Condition()
        self._statuses = {}   # path or None -> list of statuses to answer next
        self._httpd = None
        self._thread = None

    @property
    def port(self):
        return self._httpd.server_address[1]

    def url(self, path="/"):
        return f"http://{self.host}:{self.port}{path}"

    def sms_flags(self, secret, path="/sms"):
        """authd flags delivering SMS (phone accounts on) to ``path`` here, signed."""
        return ["--courier-sms-transport", "webhook", "--webhook-url", self.url(path),
                "--webhook-secret", secret, "--auth-phone-enabled", "true"]

    def start(self):
        import http.server
        recv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _read_body(self):
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    out = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return out
                        out += self.rfile.read(size)
                        self.rfile.readline()
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def _handle(self):
                body = self._read_body()
                status = recv._next_status(self.path)
                with recv._cond:
                    recv.requests.append(WebhookRequest(self.command, self.path, self.headers,
                                                        body, status))
                    recv._cond.notify_all()
                payload = b'{"ok":true}' if status < 300 else b'{"ok":false}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = _handle
            do_PUT = _handle
            do_GET = _handle

        self._httpd = http.server.ThreadingHTTPServer((self.host, 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def fail_next(self, path=None, statuses=(500,)):
        with self._cond:
            self._statuses.setdefault(path, []).extend(statuses)

    def _next_status(self, path):
        with self._cond:
            for key in (path, None):
                q = self._statuses.get(key)
                if q:
                    return q.pop(0)
        return 200

    def matching(self, path=None, delivered=None, pred=None):
        with self._cond:
            reqs = list(self.requests)
        out = []
        for r in reqs:
            if path is not None and r.path != path:
                continue
            if delivered is not None and r.delivered != delivered:
                continue
            if pred is not None and not pred(r):
                continue
            out.append(r)
        return out

    def wait_for(self, path=None, timeout=10, count=1, delivered=True, pred=None):
        """Waits until ``count`` matching requests arrived; returns all matching ones.

        ``pred(req)`` filters further, e.g. ``lambda r: r.json["to"] == phone``.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = self.matching(path, delivered, pred)
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"webhook receiver: {len(got)} matching request(s) on {path!r} "
                                f"after {timeout}s, expected {count}; all: {self.requests!r}")
                self._cond.wait(min(left, 0.2))

    @staticmethod
    def check_signature(req, secret, max_skew=300):
        """Asserts ``X-Authd-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``."""
        sig = req.header("X-Authd-Signature")
        assert sig is not None, f"no X-Authd-Signature header: {req!r}"
        m = SIGNATURE_RE.match(sig)
        assert m, f"malformed X-Authd-Signature {sig!r}"
        t = int(m.group(1))
        assert abs(t - time.time()) <= max_skew, f"signature timestamp {t} far from now"
        expected = hmac.new(secret.encode(), m.group(1).encode() + b"." + req.body,
                            hashlib.sha256).hexdigest()
        assert hmac.compare_digest(expected, m.group(2)), (
            f"bad signature {sig!r} for body {req.body!r} (expected v1={expected})")
        return t


@pytest.fixture(scope="module")
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def webhook_receiver():
    recv = WebhookReceiver().start()
    yield recv
    recv.stop()
