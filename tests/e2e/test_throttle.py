"""Rate limits and account lockout (both ON by default in authd).

Per-IP behaviour is tested by connecting from 127.0.0.2 (the whole 127/8 is
loopback on Linux) in addition to 127.0.0.1.
"""

import time

from conftest import (
    ERR_ACCOUNT_LOCKED, ERR_INVALID_CREDENTIALS, ERR_RATE_LIMITED, PASSWORD, Client,
    assert_json, assert_token_body, login_body, unique_email,
)

OTHER_IP = "127.0.0.2"


def retry_after(resp, max_s):
    v = resp.header("Retry-After")
    assert v is not None, f"429 without Retry-After: {resp!r}"
    assert v.isdigit(), f"Retry-After must be integer seconds: {v!r}"
    assert 1 <= int(v) <= max_s, f"Retry-After {v} not in [1, {max_s}]"
    return int(v)


def test_signup_rate_limit_default(server_factory):
    srv = server_factory(throttle=True)
    c = srv.client()
    for i in range(5):
        r = c.post("/auth/signup", {"email": unique_email(f"rl{i}"), "password": PASSWORD})
        assert_token_body(r, "Signup successful")
    r = c.post("/auth/signup", {"email": unique_email("rl6"), "password": PASSWORD})
    assert_json(r, 429, ERR_RATE_LIMITED)
    retry_after(r, 60)
    # X-Forwarded-For is not trusted by default: no bypass
    r = c.post("/auth/signup", {"email": unique_email("xff"), "password": PASSWORD},
               headers={"X-Forwarded-For": "10.1.2.3"})
    assert_json(r, 429, ERR_RATE_LIMITED)
    # another client IP has its own budget
    c2 = Client(srv.port, source_ip=OTHER_IP)
    r = c2.post("/auth/signup", {"email": unique_email("ip2"), "password": PASSWORD})
    assert_token_body(r, "Signup successful")
    # the login bucket is separate
    r = c.post("/auth/login", login_body(unique_email("nobody")))
    assert_json(r, 401, ERR_INVALID_CREDENTIALS)


def test_spoofed_leftmost_forwarded_for_does_not_change_the_key(server_factory):
    """Behind an appending proxy the client writes the left of X-Forwarded-For
    itself: rotating it must not give a fresh per-IP budget. The client is the
    right-most entry (trust_proxy, one hop) or the right-most entry that is not
    a trusted proxy (trusted_proxies)."""
    for flags in (["--server-trust-proxy", "true"],
                  ["--server-trusted-proxies", "127.0.0.1,10.0.0.0/8"]):
        srv = server_factory(*flags, throttle=True)
        c = srv.client()
        for i in range(5):
            r = c.post("/auth/signup", {"email": unique_email(f"xff{i}"), "password": PASSWORD},
                       headers={"X-Forwarded-For": f"6.6.6.{i}, 203.0.113.5"})
            assert_token_body(r, "Signup successful")
        for fake in ("6.6.6.99, 203.0.113.5", "garbage, 203.0.113.5", "1.1.1.1,203.0.113.5"):
            r = c.post("/auth/signup", {"email": unique_email("xff"), "password": PASSWORD},
                       headers={"X-Forwarded-For": fake})
            assert_json(r, 429, ERR_RATE_LIMITED)
        if "--server-trusted-proxies" in flags:
            # a trusted proxy (10.x) between: still the same client
            r = c.post("/auth/signup", {"email": unique_email("xff"), "password": PASSWORD},
                       headers={"X-Forwarded-For": "7.7.7.7, 203.0.113.5, 10.0.0.9"})
            assert_json(r, 429, ERR_RATE_LIMITED)
            # a peer that is not a trusted proxy: its X-Forwarded-For is ignored,
            # its own address is the key
            c2 = Client(srv.port, source_ip=OTHER_IP)
            for i in range(5):
                r = c2.post("/auth/signup", {"email": unique_email(f"p{i}"), "password": PASSWORD},
                            headers={"X-Forwarded-For": f"8.8.8.{i}"})
                assert_token_body(r, "Signup successful")
            r = c2.post("/auth/signup", {"email": unique_email("p"), "password": PASSWORD},
                        headers={"X-Forwarded-For": "8.8.8.200"})
            assert_json(r, 429, ERR_RATE_LIMITED)
        # another real client behind the proxy has its own budget
        r = c.post("/auth/signup", {"email": unique_email("real2"), "password": PASSWORD},
                   headers={"X-Forwarded-For": "6.6.6.0, 203.0.113.6"})
        assert_token_body(r, "Signup successful")
        srv.stop()


def test_invalid_requests_count_and_are_throttled(server_factory):
    """The rate limit is a guard: it runs before body validation, so invalid
    requests consume the budget and get 429 once it is exhausted."""
    srv = server_factory(throttle=True)
    c = srv.client()
    for _ in range(5):
        r = c.post("/auth/signup", {"password": PASSWORD})
        assert_json(r, 400, {"statusCode": 400, "error": "Bad Request",
                             "message": "email should not be empty"})
    r = c.post("/auth/signup", {"email": unique_email(), "password": PASSWORD})
    assert_json(r, 429, ERR_RATE_LIMITED)
    assert_json(c.post("/auth/signup", {}), 429, ERR_RATE_LIMITED)
    for _ in range(5):
        r = c.post("/auth/login", {"providerName": "email"})
        assert r.status == 400, r
    assert_json(c.post("/auth/login", login_body(unique_email())), 429, ERR_RATE_LIMITED)


def test_login_rate_limit_per_ip_and_identifier(server_factory):
    srv = server_factory(throttle=True)
    c = srv.client()
    c2 = Client(srv.port, source_ip=OTHER_IP)
    email = unique_email("rlogin")
    assert_token_body(c2.post("/auth/signup", {"email": email, "password": PASSWORD}),
                      "Signup successful")
    for _ in range(5):
        assert_token_body(c.post("/auth/login", login_body(email)), "Login successful")
    r = c.post("/auth/login", login_body(email))
    assert_json(r, 429, ERR_RATE_LIMITED)
    retry_after(r, 60)
    # same IP, other identifier: the IP bucket is exhausted
    assert_json(c.post("/auth/login", login_body(unique_email("x"))), 429, ERR_RATE_LIMITED)
    # other IP, other identifier: fine
    assert_json(c2.post("/auth/login", login_body(unique_email("y"))), 401, ERR_INVALID_CREDENTIALS)
    # other IP, same identifier: the identifier bucket is exhausted
    assert_json(c2.post("/auth/login", login_body(email)), 429, ERR_RATE_LIMITED)


def test_rate_limit_flag_and_window_reset(server_factory):
    srv = server_factory("--rate-limit-login", "2/2s", "--lockout-enabled", "false", throttle=True)
    c = srv.client()
    for _ in range(2):
        assert_json(c.post("/auth/login", login_body(unique_email())), 401, ERR_INVALID_CREDENTIALS)
    r = c.post("/auth/login", login_body(unique_email()))
    assert_json(r, 429, ERR_RATE_LIMITED)
    retry_after(r, 2)
    time.sleep(2.2)
    assert_json(c.post("/auth/login", login_body(unique_email())), 401, ERR_INVALID_CREDENTIALS)


def test_rate_limit_can_be_disabled(server_factory):
    srv = server_factory("--rate-limit-enabled", "false", "--lockout-enabled", "false", throttle=True)
    c = srv.client()
    for i in range(8):
        assert_token_body(c.post("/auth/signup", {"email": unique_email(f"n{i}"), "password": PASSWORD}),
                          "Signup successful")


def test_lockout_exact_body(server_factory):
    srv = server_factory("--rate-limit-enabled", "false", "--lockout-max-failed-attempts", "3",
                         "--lockout-duration", "2s", throttle=True)
    c = srv.client()
    email = unique_email("lock")
    assert_token_body(c.post("/auth/signup", {"email": email, "password": PASSWORD}),
                      "Signup successful")
    for _ in range(3):
        assert_json(c.post("/auth/login", login_body(email, "Wr0ng!Passw0rd")), 401,
                    ERR_INVALID_CREDENTIALS)
    # locked, even with the right password (case-insensitive identifier)
    for em in (email, email.upper()):
        r = c.post("/auth/login", login_body(em))
        assert_json(r, 429, ERR_ACCOUNT_LOCKED)
        retry_after(r, 2)
    # per (identifier, IP): another IP can still log in
    c2 = Client(srv.port, source_ip=OTHER_IP)
    assert_token_body(c2.post("/auth/login", login_body(email)), "Login successful")
    # authd deviation: that success does not lift the lock of the first IP
    assert_json(c.post("/auth/login", login_body(email)), 429, ERR_ACCOUNT_LOCKED)
    # the lock expires after --lockout-duration
    time.sleep(2.3)
    assert_token_body(c.post("/auth/login", login_body(email)), "Login successful")


def test_lockout_only_counts_invalid_credentials_and_success_resets(server_factory):
    srv = server_factory("--rate-limit-enabled", "false", "--lockout-max-failed-attempts", "3",
                         throttle=True)
    c = srv.client()
    email = unique_email("lock2")
    assert_token_body(c.post("/auth/signup", {"email": email, "password": PASSWORD}),
                      "Signup successful")
    # validation/missing-field failures do not count
    for _ in range(4):
        r = c.post("/auth/login", {"providerName": "email", "credentials": {"email": email}})
        assert r.status == 400, r
    # 2 failures, a success (resets), 2 more failures: not locked
    for _ in range(2):
        assert_json(c.post("/auth/login", login_body(email, "Wr0ng!Passw0rd")), 401,
                    ERR_INVALID_CREDENTIALS)
    assert_token_body(c.post("/auth/login", login_body(email)), "Login successful")
    for _ in range(2):
        assert_json(c.post("/auth/login", login_body(email, "Wr0ng!Passw0rd")), 401,
                    ERR_INVALID_CREDENTIALS)
    assert_token_body(c.post("/auth/login", login_body(email)), "Login successful")
    # unknown e-mails are locked as well (no account enumeration through lockout)
    ghost = unique_email("ghost")
    for _ in range(3):
        assert_json(c.post("/auth/login", login_body(ghost)), 401, ERR_INVALID_CREDENTIALS)
    r = c.post("/auth/login", login_body(ghost))
    assert_json(r, 429, ERR_ACCOUNT_LOCKED)
    retry_after(r, 900)


def test_lockout_checked_before_rate_limit(server_factory):
    srv = server_factory("--lockout-max-failed-attempts", "3", throttle=True)
    c = srv.client()
    email = unique_email("lock3")
    assert_token_body(c.post("/auth/signup", {"email": email, "password": PASSWORD}),
                      "Signup successful")
    for _ in range(3):
        assert_json(c.post("/auth/login", login_body(email, "Wr0ng!Passw0rd")), 401,
                    ERR_INVALID_CREDENTIALS)
    r = c.post("/auth/login", login_body(email))
    assert_json(r, 429, ERR_ACCOUNT_LOCKED)
    retry_after(r, 900)
    # exhaust the IP's login rate limit with other identifiers
    limited = False
    for i in range(6):
        r = c.post("/auth/login", login_body(unique_email(f"o{i}")))
        if r.status == 429:
            assert_json(r, 429, ERR_RATE_LIMITED)
            limited = True
            break
        assert_json(r, 401, ERR_INVALID_CREDENTIALS)
    assert limited, "login rate limit (5/min per IP) never triggered"
    # both apply now; the lockout answer wins
    r = c.post("/auth/login", login_body(email))
    assert_json(r, 429, ERR_ACCOUNT_LOCKED)
    retry_after(r, 900)


def test_lockout_window(server_factory):
    """Failures older than --lockout-window do not count."""
    srv = server_factory("--rate-limit-enabled", "false", "--lockout-max-failed-attempts", "3",
                         "--lockout-window", "1s", throttle=True)
    c = srv.client()
    email = unique_email("win")
    assert_token_body(c.post("/auth/signup", {"email": email, "password": PASSWORD}),
                      "Signup successful")
    for _ in range(2):
        assert_json(c.post("/auth/login", login_body(email, "Wr0ng!Passw0rd")), 401,
                    ERR_INVALID_CREDENTIALS)
    time.sleep(1.2)
    for _ in range(2):
        assert_json(c.post("/auth/login", login_body(email, "Wr0ng!Passw0rd")), 401,
                    ERR_INVALID_CREDENTIALS)
    assert_token_body(c.post("/auth/login", login_body(email)), "Login successful")


def test_rate_limit_key_by_ip(server_factory):
    srv = server_factory("--rate-limit-key-by", "ip", "--lockout-enabled", "false", throttle=True)
    c = srv.client()
    c2 = Client(srv.port, source_ip=OTHER_IP)
    email = unique_email("kbi")
    for _ in range(6):
        c.post("/auth/login", login_body(email, "Wr0ng!Passw0rd"))
    assert_json(c.post("/auth/login", login_body(email)), 429, ERR_RATE_LIMITED)
    # identifier is not a key: the same e-mail from another IP is fine
    assert_json(c2.post("/auth/login", login_body(email, "Wr0ng!Passw0rd")), 401,
                ERR_INVALID_CREDENTIALS)


def test_signup_rate_limit_per_identifier(server_factory):
    srv = server_factory(throttle=True)
    c1 = srv.client()
    c2 = Client(srv.port, source_ip=OTHER_IP)
    email = unique_email("sid")
    assert_token_body(c1.post("/auth/signup", {"email": email, "password": PASSWORD}),
                      "Signup successful")
    for c in (c1, c1, c2, c2):
        r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
        assert r.status == 400 and r.json["code"] == "EMAIL_ALREADY_EXISTS", r
    # 6th attempt for the same identifier (from a third address) -> limited
    c3 = Client(srv.port, source_ip="127.0.0.3")
    r = c3.post("/auth/signup", {"email": email.upper(), "password": PASSWORD})
    assert_json(r, 429, ERR_RATE_LIMITED)
    # but a different e-mail from that address is fine
    assert_token_body(c3.post("/auth/signup", {"email": unique_email(), "password": PASSWORD}),
                      "Signup successful")


def test_other_routes_not_rate_limited(server_factory):
    """Only login/signup buckets apply here: refresh, me, logout are not throttled."""
    srv = server_factory(throttle=True)
    c = srv.client()
    for _ in range(12):
        r = c.post("/auth/refresh-token", {"refreshToken": "garbage"})
        assert r.status == 401 and r.json["code"] == "REFRESH_TOKEN_EXPIRED", r
        assert c.get("/auth/me", bearer="garbage").status == 401
        assert c.post("/auth/logout").status == 200
        assert c.get("/auth/client-config").status == 200
