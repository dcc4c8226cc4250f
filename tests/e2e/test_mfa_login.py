"""Login with MFA: pending sessions, challenge, verify, recovery codes, trusted devices.

Spec: mfa.md (all), api.md §5, errors.md; ground truth transcripts.md sections
"7. MFA by e-mail code" and "8. MFA by TOTP". authd's deliberate MFA deviations
(docs/compatibility.md, "Multi-factor authentication"), all tested here:

* ``mfa.required`` for a user with nothing enrolled gives a *pending* session
  (the reference hands out a fully usable token);
* an e-mail/SMS MFA code only verifies with the method it was sent by, and only
  that channel is marked verified;
* a TOTP device accepts each 30-s step once (the enrolment code counts);
* wrong MFA codes count towards a per-account lockout; ``mfa/verify`` and
  ``mfa/verify-recovery-code`` are rate-limited;
* trusted devices need no separate secret.

E-mail codes come from the in-process SMTP sink, SMS codes from the webhook
receiver (signature checked). TOTP codes are computed here (RFC 6238); because
of the replay protection every code is taken for a step after the last one the
device accepted (``Authenticator.next_code``): steps c-1, c and c+1 of the
current step c are all inside the server's window, so a device can pass three
checks per 30 s without waiting. Sleeps: only for expiry (2-3 s) and, rarely, to
step away from a 30-s boundary.

Management routes (status, toggle, setup, devices, recovery-code generation)
are covered by test_mfa_manage.py; here they are only used to set users up.
"""

import base64
import datetime
import hashlib
import hmac
import os
import re
import stat
import struct
import time

import pytest

from conftest import (
    bad_request, coded,
    ERR_ACCOUNT_LOCKED, ERR_CODE_EXHAUSTED, ERR_CODE_EXPIRED, ERR_CODE_INVALID, ERR_CODE_REQUIRED,
    ERR_INVALID_TOKEN, ERR_NO_AUTH, ERR_RATE_LIMITED, ERR_SESSION_NOT_FOUND, ISO_MS_RE, JWT_RE,
    PASSWORD, Client, SmtpSink, WebhookReceiver, assert_json, assert_token_body, code_from_text,
    jwt_payload, login, match_cookie, new_user, unique_email, unique_phone,
)

APP_NAME = "MfaLoginE2E"
SMS_SECRET = "e2e-mfa-login-sms-secret-0123"
OTHER_IP = "127.0.0.2"

# --------------------------------------------------------------------------
# expected bodies
# --------------------------------------------------------------------------

MFA_SENT = {"message": "MFA code sent successfully"}
MSG_ENABLED = {"message": "MFA enabled successfully"}
MSG_DISABLED = {"message": "MFA disabled successfully"}
MSG_DEVICE_SETUP = {"message": "Device setup successfully"}
MSG_RESET = {"message": "MFA reset successfully"}

VERIFIED_MSG = "2FA verification successful"
RECOVERY_MSG = "Recovery code verification successful"

# auth-controller routes (challenge, verify, verify-recovery-code, /auth/user): filtered shape
ERR_MFA_REQUIRED = coded("Multi-factor authentication is required", "MFA_REQUIRED", 401,
                         "UnauthorizedException")
ERR_MFA_CODE_INVALID = coded("Invalid MFA code", "MFA_CODE_INVALID", 401, "UnauthorizedException")
ERR_RECOVERY_INVALID = coded("Invalid recovery code", "MFA_RECOVERY_CODE_INVALID", 401,
                             "UnauthorizedException")
ERR_USER_MFA_OFF = coded("MFA is not enabled", "MFA_NOT_ENABLED", 401, "UnauthorizedException")
ERR_APP_MFA_OFF = coded("MFA is not enabled for the application", "MFA_NOT_ENABLED", 403,
                        "ForbiddenException")
ERR_METHOD = bad_request("method must be one of the following values: email, sms, totp")
ERR_OTP_EMPTY = bad_request("otp should not be empty")
ERR_TRUST_BOOL = bad_request("trustDevice must be a boolean value")
ERR_CODE_EMPTY = bad_request("code should not be empty")

# MFA-controller routes (reset-totp, setup, ...): raw shape (errors.md §1 B)
RAW_RECOVERY_INVALID = {"message": "Invalid recovery code", "code": "MFA_RECOVERY_CODE_INVALID"}
RAW_APP_MFA_OFF = {"message": "MFA is not enabled for the application", "code": "MFA_NOT_ENABLED"}
RAW_MFA_REQUIRED = {"message": "Multi-factor authentication is required", "code": "MFA_REQUIRED"}
RAW_NO_AUTH = {"message": "No authentication provided", "code": "NO_AUTH_PROVIDED"}

PENDING_KEYS = ["accessToken", "refreshToken", "isRequiresMfa", "mfaMethods", "defaultMfaMethod",
                "message"]
TOKEN_KEYS = ["accessToken", "refreshToken", "isRequiresMfa", "message"]
TRUST_KEYS = ["accessToken", "refreshToken", "isRequiresMfa", "trustToken", "message"]
TRUST_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
JWT_VALUE = r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"
CLEAR_REMEMBER = "nest_auth_remember=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
REMEMBER_0 = "nest_auth_remember=0; Path=/; HttpOnly; SameSite=Lax"
TRUST_COOKIE = "nest_auth_device_trust"

# --------------------------------------------------------------------------
# servers
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def off(server_factory):
    """MFA disabled for the application (the default)."""
    return server_factory("--session-access-token-type", "header")


@pytest.fixture(scope="module")
def srv(smtp_sink, server_factory):
    """MFA on, default methods (email, totp), header mode, e-mail through the sink."""
    return server_factory(*smtp_sink.flags(app_name=APP_NAME), "--mfa-enabled", "true",
                          "--session-access-token-type", "header")


@pytest.fixture(scope="module")
def sms_srv(smtp_sink, webhook_receiver, server_factory):
    """email, sms and totp configured, sms preferred; phone accounts; SMS to the webhook."""
    return server_factory(*smtp_sink.flags(app_name=APP_NAME), "--mfa-enabled", "true",
                          "--mfa-methods", "email,sms,totp", "--mfa-default-method", "sms",
                          *webhook_receiver.sms_flags(SMS_SECRET),
                          "--session-access-token-type", "header")


@pytest.fixture(scope="module")
def totp_srv(server_factory):
    """Only TOTP is a method: resetting the authenticator leaves no method."""
    return server_factory("--mfa-enabled", "true", "--mfa-methods", "totp",
                          "--session-access-token-type", "header")


@pytest.fixture(scope="module")
def required_srv(server_factory):
    """mfa.required with TOTP as the only method: new users have nothing enrolled."""
    return server_factory("--mfa-enabled", "true", "--mfa-required", "true",
                          "--mfa-methods", "totp", "--session-access-token-type", "header")


@pytest.fixture(scope="module")
def cookie_srv(smtp_sink, server_factory):
    return server_factory(*smtp_sink.flags(app_name=APP_NAME), "--mfa-enabled", "true",
                          "--session-access-token-type", "cookie")


@pytest.fixture(scope="module")
def short_srv(smtp_sink, server_factory):
    """Trusted devices live 2 s, one-time codes 3 s."""
    return server_factory(*smtp_sink.flags(app_name=APP_NAME), "--mfa-enabled", "true",
                          "--mfa-trusted-device-duration", "2s", "--otp-code-expires-in", "3s",
                          "--session-access-token-type", "header")


# --------------------------------------------------------------------------
# TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s, T0 = 0)
# --------------------------------------------------------------------------

def totp_at(secret, counter):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[o:o + 4])[0] & 0x7FFFFFFF) % 1000000
    return f"{value:06d}"


def current_step():
    return int(time.time() // 30)


def settle(margin=6.0):
    """Sleeps into the next 30-s step when fewer than ``margin`` seconds are left in this one,
    so that a short sequence of TOTP checks sees at most one step change."""
    pos = time.time() % 30
    if pos > 30 - margin:
        time.sleep(30 - pos + 0.3)


class Authenticator:
    """An enrolled TOTP device as the test sees it: the secret and the last step it used."""

    def __init__(self, secret):
        self.secret = secret
        self.last = None

    def next_code(self):
        """A code for a step the server has not accepted yet and that is inside its window."""
        while True:
            now = time.time()
            step, pos = int(now // 30), now % 30
            lo = step - 1 if pos < 27 else step  # c-1 only far from the next boundary
            cand = lo if self.last is None else max(self.last + 1, lo)
            if cand <= step + 1:
                break
            time.sleep(30 - pos + 0.3)
        self.last = cand
        return totp_at(self.secret, cand)

    def wrong_code(self):
        """A 6-digit code valid for none of the steps around now."""
        step = current_step()
        valid = {totp_at(self.secret, step + k) for k in range(-3, 4)}
        n = 0
        while f"{n:06d}" in valid:
            n += 111111
        return f"{n:06d}"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def call(srv, method, route, at=None, body=None, client=None, **kw):
    c = client or srv.client()
    path = "/auth/" + route
    if body is None:
        return c.request(method, path, bearer=at, **kw)
    return c.request(method, path, body=body, bearer=at, **kw)


def post(srv, route, at=None, body=None, client=None, **kw):
    return call(srv, "POST", route, at, body, client, **kw)


def verify(srv, at, method, otp, client=None, **extra):
    body = {"method": method, "otp": otp}
    body.update(extra)
    return post(srv, "mfa/verify", at, body, client)


def toggle_on(srv, at):
    assert_json(post(srv, "mfa/toggle", at, {"enabled": True}), 200, MSG_ENABLED)


def enroll(srv, at):
    """setup-totp + verify-totp-setup; returns the Authenticator (its enrolment step used)."""
    js = assert_json(post(srv, "mfa/setup-totp", at, {}), 200,
                     keys=["secret", "qrCode", "otpAuthUrl", "issuer", "account"])
    auth = Authenticator(js["secret"])
    r = post(srv, "mfa/verify-totp-setup", at, {"otp": auth.next_code(), "secret": auth.secret})
    assert_json(r, 200, MSG_DEVICE_SETUP)
    return auth


def mfa_user(srv, with_totp=False):
    """A user with MFA switched on; returns (email, verified access token, authenticator)."""
    email, at, _ = new_user(srv)
    auth = enroll(srv, at) if with_totp else None
    toggle_on(srv, at)
    return email, at, auth


def assert_pending(resp, methods, default=None, message="Login successful"):
    """The pending-MFA token response; returns (accessToken, refreshToken)."""
    expected_keys = list(PENDING_KEYS)
    if not methods:
        expected_keys.remove("defaultMfaMethod")
    js = assert_json(resp, 200, keys=expected_keys)
    assert js["isRequiresMfa"] is True, js
    assert js["mfaMethods"] == methods, js
    if methods:
        assert js["defaultMfaMethod"] == (default or methods[0]), js
    assert js["message"] == message, js
    assert JWT_RE.match(js["accessToken"]) and JWT_RE.match(js["refreshToken"]), js
    for tok in (js["accessToken"], js["refreshToken"]):
        claims = jwt_payload(tok)
        assert claims["isMfaEnabled"] is True and claims["isMfaVerified"] is False, claims
    return js["accessToken"], js["refreshToken"]


def pending_login(srv, email, methods, default=None, client=None):
    return assert_pending(login(client or srv, email), methods, default)


def assert_verified(resp, pending_at, message=VERIFIED_MSG, trust=False):
    """A successful verify: new token pair for the same session, MFA-verified claims."""
    js = assert_json(resp, 200, keys=TRUST_KEYS if trust else TOKEN_KEYS)
    assert js["isRequiresMfa"] is False and js["message"] == message, js
    at, rt = js["accessToken"], js["refreshToken"]
    assert JWT_RE.match(at) and JWT_RE.match(rt), js
    before = jwt_payload(pending_at)
    for tok in (at, rt):
        claims = jwt_payload(tok)
        assert claims["sessionId"] == before["sessionId"], (claims, before)
        assert claims["sub"] == before["sub"]
        assert claims["isMfaVerified"] is True, claims
    if trust:
        assert TRUST_TOKEN_RE.match(js["trustToken"]), js
        return at, rt, js["trustToken"]
    return at, rt


def get_user(srv, at):
    return assert_json(srv.client().get("/auth/user", bearer=at), 200)


def get_me(srv, at):
    return assert_json(srv.client().get("/auth/me", bearer=at), 200)


def refresh(srv, rt):
    return assert_token_body(srv.client().post("/auth/refresh-token", {"refreshToken": rt}),
                             "Token refreshed successfully")


def email_challenge(srv, sink, at, addr):
    """challenge(email) with ``at``; waits for the e-mail; returns its code."""
    n = len(sink.messages_to(addr))
    r = post(srv, "mfa/challenge", at, {"method": "email"})
    assert_json(r, 200, MFA_SENT)
    assert r.set_cookies == [], r
    return SmtpSink.code_from(sink.wait_for(to=addr, count=n + 1)[-1])


def sms_for(recv, phone):
    return recv.matching("/sms", pred=lambda q: (q.json or {}).get("to") == phone)


def sms_challenge(srv, recv, at, phone):
    n = len(sms_for(recv, phone))
    assert_json(post(srv, "mfa/challenge", at, {"method": "sms"}), 200, MFA_SENT)
    req = recv.wait_for("/sms", count=n + 1, pred=lambda q: (q.json or {}).get("to") == phone)[-1]
    WebhookReceiver.check_signature(req, SMS_SECRET)
    return req


def wrong_code(code):
    return f"{(int(code) + 1) % 1000000:06d}"


def recovery_codes(srv, at):
    js = assert_json(post(srv, "mfa/generate-recovery-code", at), 200, keys=["codes", "code"])
    return js["codes"]


def get_status(srv, at):
    return assert_json(call(srv, "GET", "mfa/status", at), 200)


def get_devices(srv, at):
    js = assert_json(call(srv, "GET", "mfa/devices", at), 200)
    assert isinstance(js, list), js
    return js


def assert_recent_iso(value):
    assert value is not None and ISO_MS_RE.match(value), value
    ts = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    assert abs(ts - time.time()) <= 60, value


def phone_login(srv, phone, headers=None):
    return srv.client().post("/auth/login", {"providerName": "phone",
                                             "credentials": {"phone": phone, "password": PASSWORD}},
                             headers=headers)


def test_totp_helper_matches_rfc6238():
    """RFC 6238 appendix B (SHA-1 key), last 6 of the 8 digits."""
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp_at(secret, 59 // 30) == "287082"
    assert totp_at(secret, 1111111109 // 30) == "081804"
    assert totp_at(secret, 2000000000 // 30) == "279037"


# --------------------------------------------------------------------------
# MFA by TOTP (transcripts §8)
# --------------------------------------------------------------------------

def test_totp_login_journey(srv):
    settle()
    email, at0, auth = mfa_user(srv, with_totp=True)
    st = get_status(srv, at0)
    assert st["isEnabled"] is True and st["verifiedMethods"] == ["totp", "email"], st

    c = srv.client()
    r = login(srv, email)
    pat, prt = assert_pending(r, ["email", "totp"], "email")
    assert r.json == {"accessToken": pat, "refreshToken": prt, "isRequiresMfa": True,
                      "mfaMethods": ["email", "totp"], "defaultMfaMethod": "email",
                      "message": "Login successful"}
    assert r.set_cookies == []
    claims = jwt_payload(pat)
    assert claims["sessionId"] != jwt_payload(at0)["sessionId"]
    assert claims["email"] == email and claims["type"] == "access", claims

    # pending: MFA-guarded routes refuse, skip-MFA routes work
    assert_json(c.get("/auth/user", bearer=pat), 401, ERR_MFA_REQUIRED)
    me = get_me(srv, pat)
    assert me["email"] == email and me["isMfaEnabled"] is True, me
    vs = assert_json(c.get("/auth/verify-session", bearer=pat), 200, keys=["valid", "userId",
                                                                          "expiresAt"])
    assert vs["valid"] is True and vs["userId"] == claims["sub"], vs
    assert_json(post(srv, "mfa/generate-recovery-code", pat), 401, RAW_MFA_REQUIRED)

    # wrong code; the enrolment code is spent (replay protection)
    assert_json(verify(srv, pat, "totp", auth.wrong_code()), 401, ERR_MFA_CODE_INVALID)
    assert_json(verify(srv, pat, "totp", totp_at(auth.secret, auth.last)), 401,
                ERR_MFA_CODE_INVALID)
    # not 6 characters
    code = auth.next_code()
    assert_json(verify(srv, pat, "totp", code[:5]), 401, ERR_MFA_CODE_INVALID)
    assert_json(verify(srv, pat, "totp", code + "0"), 401, ERR_MFA_CODE_INVALID)
    assert_json(c.get("/auth/user", bearer=pat), 401, ERR_MFA_REQUIRED)

    r = verify(srv, pat, "totp", code)
    at, rt = assert_verified(r, pat)
    assert r.set_cookies == []
    assert jwt_payload(at)["isMfaEnabled"] is True
    # the accepted code cannot be replayed (neither by the old nor by the new token)
    assert_json(verify(srv, pat, "totp", code), 401, ERR_MFA_CODE_INVALID)
    assert_json(verify(srv, at, "totp", code), 401, ERR_MFA_CODE_INVALID)

    user = get_user(srv, at)
    assert user["email"] == email and user["isMfaEnabled"] is True, user
    # the old pending token keeps its claims
    assert_json(c.get("/auth/user", bearer=pat), 401, ERR_MFA_REQUIRED)
    # the device records its use
    devs = get_devices(srv, at)
    assert len(devs) == 1 and devs[0]["verified"] is True, devs
    assert_recent_iso(devs[0]["lastUsedAt"])
    # the verified session refreshes as verified
    at2, _ = refresh(srv, rt)
    p2 = jwt_payload(at2)
    assert p2["isMfaVerified"] is True and p2["sessionId"] == claims["sessionId"], p2
    get_user(srv, at2)
    assert len(recovery_codes(srv, at2)) == 10


def test_totp_next_step_code_after_enrolment(srv):
    """The brief's recipe: enrol with the code of step c, verify with the one of c+1."""
    settle()
    email, at0, _ = new_user(srv)
    js = assert_json(post(srv, "mfa/setup-totp", at0, {}), 200)
    secret = js["secret"]
    step = current_step()
    r = post(srv, "mfa/verify-totp-setup", at0, {"otp": totp_at(secret, step), "secret": secret})
    assert_json(r, 200, MSG_DEVICE_SETUP)
    toggle_on(srv, at0)
    pat, _ = pending_login(srv, email, ["email", "totp"])
    assert_json(verify(srv, pat, "totp", totp_at(secret, step)), 401, ERR_MFA_CODE_INVALID)
    at, _ = assert_verified(verify(srv, pat, "totp", totp_at(secret, step + 1)), pat)
    get_user(srv, at)
    # both steps are spent now, also for a new login
    pat2, _ = pending_login(srv, email, ["email", "totp"])
    for k in (step, step + 1):
        assert_json(verify(srv, pat2, "totp", totp_at(secret, k)), 401, ERR_MFA_CODE_INVALID)


def test_totp_of_a_deleted_or_unverified_device(srv):
    settle()
    email, at0, auth = mfa_user(srv, with_totp=True)
    # a second, never verified device: its codes are no factor
    pending_secret = assert_json(post(srv, "mfa/setup-totp", at0, {}), 200)["secret"]
    pat, _ = pending_login(srv, email, ["email", "totp"])
    assert_json(verify(srv, pat, "totp", totp_at(pending_secret, current_step())), 401,
                ERR_MFA_CODE_INVALID)
    # the verified device removed: its codes no longer work, totp is no longer offered
    dev = [d for d in get_devices(srv, at0) if d["verified"]][0]
    r = call(srv, "DELETE", f"mfa/devices/{dev['id']}", at0)
    assert_json(r, 200, {"message": "MFA device removed successfully"})
    assert_json(verify(srv, pat, "totp", auth.next_code()), 401, ERR_MFA_CODE_INVALID)
    pending_login(srv, email, ["email"])


# --------------------------------------------------------------------------
# MFA by e-mail code (transcripts §7)
# --------------------------------------------------------------------------

def test_email_mfa_journey(srv, smtp_sink):
    email, at0, _ = new_user(srv)
    toggle_on(srv, at0)
    st = get_status(srv, at0)
    assert st["isEnabled"] is True and st["verifiedMethods"] == ["email"], st

    c = srv.client()
    pat, prt = pending_login(srv, email, ["email"], "email")
    assert_json(c.get("/auth/user", bearer=pat), 401, ERR_MFA_REQUIRED)
    me = get_me(srv, pat)
    assert me["isMfaEnabled"] is True and me["emailVerifiedAt"] is None, me

    code = email_challenge(srv, smtp_sink, pat, email)
    msg = smtp_sink.messages_to(email)[-1]
    assert msg.mail_from == "no-reply@example.test", msg
    assert [t.lower() for t in msg.rcpt_tos] == [email.lower()], msg
    assert APP_NAME in msg.subject, msg

    assert_json(verify(srv, pat, "email", wrong_code(code)), 400, ERR_CODE_INVALID)
    assert_json(c.post("/auth/mfa/verify", {"method": "email", "otp": code}), 401, ERR_NO_AUTH)
    # a TOTP check with the e-mailed code: no device, no match (the code is not consumed)
    assert_json(verify(srv, pat, "totp", code), 401, ERR_MFA_CODE_INVALID)

    r = verify(srv, pat, "email", code)
    at, rt = assert_verified(r, pat)
    # consumed
    assert_json(verify(srv, pat, "email", code), 400, ERR_CODE_INVALID)

    user = get_user(srv, at)
    assert user["isMfaEnabled"] is True
    assert_recent_iso(user["emailVerifiedAt"])  # the channel is marked verified
    assert user["phoneVerifiedAt"] is None
    at2, _ = refresh(srv, rt)
    p2 = jwt_payload(at2)
    assert p2["isMfaVerified"] is True and p2["emailVerifiedAt"] == user["emailVerifiedAt"], p2

    # disable: the next login is a plain one
    assert_json(post(srv, "mfa/toggle", at, {"enabled": False}), 200, MSG_DISABLED)
    at3, _ = assert_token_body(login(srv, email), "Login successful")
    get_user(srv, at3)


def test_email_code_rules(srv, smtp_sink):
    email, at0, _ = mfa_user(srv)
    pat, _ = pending_login(srv, email, ["email"])
    # nothing sent yet
    assert_json(verify(srv, pat, "email", "123456"), 400, ERR_CODE_INVALID)
    # blank after trimming
    assert_json(verify(srv, pat, "email", "   "), 400, ERR_CODE_REQUIRED)
    # a new challenge replaces the code
    first = email_challenge(srv, smtp_sink, pat, email)
    second = email_challenge(srv, smtp_sink, pat, email)
    while second == first:
        second = email_challenge(srv, smtp_sink, pat, email)
    assert_json(verify(srv, pat, "email", first), 400, ERR_CODE_INVALID)
    # attempts: the failure above was the 1st; 3 more, the 5th exhausts the code
    for _ in range(3):
        assert_json(verify(srv, pat, "email", wrong_code(second)), 400, ERR_CODE_INVALID)
    assert_json(verify(srv, pat, "email", wrong_code(second)), 400, ERR_CODE_EXHAUSTED)
    assert_json(verify(srv, pat, "email", second), 400, ERR_CODE_INVALID)
    assert_json(srv.client().get("/auth/user", bearer=pat), 401, ERR_MFA_REQUIRED)
    # a fresh code works, surrounding blanks ignored (as for verify-email)
    third = email_challenge(srv, smtp_sink, pat, email)
    at, _ = assert_verified(verify(srv, pat, "email", f" {third} "), pat)
    get_user(srv, at)


def test_verify_also_works_on_a_verified_session(srv, smtp_sink):
    """mfa.md §2.4: verify does not check that the session was pending."""
    email, at0, _ = new_user(srv)  # MFA off for the user; a normal session
    assert jwt_payload(at0)["isMfaVerified"] is False
    code = email_challenge(srv, smtp_sink, at0, email)
    at, _ = assert_verified(verify(srv, at0, "email", code), at0)
    assert jwt_payload(at)["isMfaEnabled"] is False
    assert get_user(srv, at)["emailVerifiedAt"] is not None


def test_challenge_variants(srv, smtp_sink):
    """Only e-mail (and SMS) challenges send something; the method is not validated."""
    email, _, _ = mfa_user(srv)
    pat, _ = pending_login(srv, email, ["email"])
    for body in ({"method": "totp"}, {"method": "sms"}, {"method": "push"}, {}, None):
        r = post(srv, "mfa/challenge", pat, body)
        assert_json(r, 200, MFA_SENT)
    time.sleep(0.3)
    assert smtp_sink.messages_to(email) == []
    # the e-mail challenge is repeatable
    code = email_challenge(srv, smtp_sink, pat, email)
    at, _ = assert_verified(verify(srv, pat, "email", code), pat)
    # challenge works on verified sessions too
    assert_json(post(srv, "mfa/challenge", at, {"method": "email"}), 200, MFA_SENT)
    smtp_sink.wait_for(to=email, count=2)


def test_challenge_and_verify_need_a_session(srv):
    c = srv.client()
    routes = [("mfa/challenge", {"method": "email"}),
              ("mfa/verify", {"method": "totp", "otp": "123456"}),
              ("mfa/verify-recovery-code", {"code": "x" * 27})]
    for route, body in routes:
        assert_json(c.post("/auth/" + route, body), 401, ERR_NO_AUTH)
        assert_json(c.post("/auth/" + route, body, bearer="garbage"), 401, ERR_INVALID_TOKEN)
        # the guard runs before validation
        assert_json(c.post("/auth/" + route, {}), 401, ERR_NO_AUTH)
    email, _, _ = mfa_user(srv)
    pat, _ = pending_login(srv, email, ["email"])
    # a pending session can log out
    assert_json(c.post("/auth/logout", bearer=pat), 200, {"message": "Logged out successfully"})
    for route, body in routes:
        assert_json(c.post("/auth/" + route, body, bearer=pat), 401, ERR_SESSION_NOT_FOUND)


def test_verify_validation(srv):
    """Filtered shape, first message only (api.md §5)."""
    email, _, _ = mfa_user(srv)
    pat, _ = pending_login(srv, email, ["email"])
    cases = [
        ({}, ERR_METHOD),
        (None, ERR_METHOD),
        ({"otp": "123456"}, ERR_METHOD),
        ({"method": "push", "otp": "123456"}, ERR_METHOD),
        ({"method": "TOTP", "otp": "123456"}, ERR_METHOD),
        ({"method": None, "otp": "123456"}, ERR_METHOD),
        ({"method": "totp"}, ERR_OTP_EMPTY),
        ({"method": "email", "otp": ""}, ERR_OTP_EMPTY),
        ({"method": "totp", "otp": None}, ERR_OTP_EMPTY),
        ({"method": "totp", "otp": "123456", "trustDevice": "yes"}, ERR_TRUST_BOOL),
        ({"method": "totp", "otp": "123456", "trustDevice": 1}, ERR_TRUST_BOOL),
    ]
    for body, expected in cases:
        assert_json(post(srv, "mfa/verify", pat, body), 400, expected)
    for body in ({}, None, {"code": ""}, {"code": None}):
        assert_json(post(srv, "mfa/verify-recovery-code", pat, body), 400, ERR_CODE_EMPTY)
    assert_json(post(srv, "mfa/verify-recovery-code", pat, {"code": "x", "trustDevice": "yes"}),
                400, ERR_TRUST_BOOL)
    # nothing of the above verified the session
    assert_json(srv.client().get("/auth/user", bearer=pat), 401, ERR_MFA_REQUIRED)


def test_verify_numeric_otp_is_taken_as_a_string(srv, smtp_sink):
    """The reference host converts a JSON number to the declared string type (api.md §0:
    "values are coerced to the declared primitive type before validation"); authd documents the
    same for numeric codes (compatibility.md: "Numeric `code` values ... converted the same
    way")."""
    email, _, _ = mfa_user(srv)
    pat, _ = pending_login(srv, email, ["email"])
    code = email_challenge(srv, smtp_sink, pat, email)
    while code.startswith("0"):  # a number has no leading zero
        code = email_challenge(srv, smtp_sink, pat, email)
    at, _ = assert_verified(verify(srv, pat, "email", int(code)), pat)
    get_user(srv, at)


# --------------------------------------------------------------------------
# channels: an e-mailed code is no SMS code (authd fix), SMS MFA
# --------------------------------------------------------------------------

def test_email_code_does_not_verify_sms(sms_srv, smtp_sink, webhook_receiver):
    s = sms_srv
    phone, email = unique_phone(), unique_email("chan")
    r = s.client().post("/auth/signup", {"email": email, "phone": phone, "password": PASSWORD})
    at0, _ = assert_token_body(r, "Signup successful")
    toggle_on(s, at0)
    pat, _ = pending_login(s, email, ["email", "sms"], "sms")

    mail = email_challenge(s, smtp_sink, pat, email)
    assert_json(verify(s, pat, "sms", mail), 400, ERR_CODE_INVALID)
    me = get_me(s, pat)
    assert me["phoneVerifiedAt"] is None and me["emailVerifiedAt"] is None, me
    # the e-mailed code still verifies by e-mail, and marks only the e-mail verified
    at, _ = assert_verified(verify(s, pat, "email", mail), pat)
    user = get_user(s, at)
    assert_recent_iso(user["emailVerifiedAt"])
    assert user["phoneVerifiedAt"] is None, user

    # SMS: the webhook message carries the code; it only verifies with method sms
    pat2, _ = pending_login(s, email, ["email", "sms"], "sms")
    req = sms_challenge(s, webhook_receiver, pat2, phone)
    assert req.json["channel"] == "sms" and req.json["kind"] == "mfa_code", req.json
    sms = code_from_text(req.json["body"])
    assert_json(verify(s, pat2, "email", sms), 400, ERR_CODE_INVALID)
    at2, _ = assert_verified(verify(s, pat2, "sms", sms), pat2)
    user = get_user(s, at2)
    assert_recent_iso(user["phoneVerifiedAt"])
    assert_json(verify(s, pat2, "sms", sms), 400, ERR_CODE_INVALID)


def test_sms_challenge_without_phone_sends_nothing(sms_srv, smtp_sink, webhook_receiver):
    s = sms_srv
    email, at0, _ = new_user(s)
    toggle_on(s, at0)
    r = login(s, email)
    pat = assert_json(r, 200)["accessToken"]
    n = len(webhook_receiver.requests)
    assert_json(post(s, "mfa/challenge", pat, {"method": "sms"}), 200, MFA_SENT)
    time.sleep(0.3)
    assert len(webhook_receiver.requests) == n
    assert smtp_sink.messages_to(email) == []
    # whatever code is tried by sms, nothing verifies and no phone gets marked
    assert_json(verify(s, pat, "sms", "123456"), 400, ERR_CODE_INVALID)
    assert get_me(s, pat)["phoneVerifiedAt"] is None


def test_sms_mfa_for_a_phone_user(sms_srv, webhook_receiver):
    s = sms_srv
    phone = unique_phone()
    r = s.client().post("/auth/signup", {"phone": phone, "password": PASSWORD})
    at0, _ = assert_token_body(r, "Signup successful")
    toggle_on(s, at0)
    js = assert_json(phone_login(s, phone), 200)
    pat = js["accessToken"]
    assert js["isRequiresMfa"] is True and js["defaultMfaMethod"] == "sms", js
    sms = code_from_text(sms_challenge(s, webhook_receiver, pat, phone).json["body"])
    at, _ = assert_verified(verify(s, pat, "sms", sms), pat)
    user = get_user(s, at)
    assert user["phone"] == phone and user["email"] is None, user
    assert_recent_iso(user["phoneVerifiedAt"])


def test_mfa_methods_follow_the_configuration(sms_srv):
    """mfa.md §1: "`email` if in `mfa.methods`; `sms` if in `mfa.methods` (no check that the
    user has a phone)" -- the list does not depend on the user's contact data."""
    s = sms_srv
    phone = unique_phone()
    r = s.client().post("/auth/signup", {"phone": phone, "password": PASSWORD})
    at0, _ = assert_token_body(r, "Signup successful")
    toggle_on(s, at0)
    assert_pending(phone_login(s, phone), ["email", "sms"], "sms")
    email, at1, _ = new_user(s)
    toggle_on(s, at1)
    pending_login(s, email, ["email", "sms"], "sms")


# --------------------------------------------------------------------------
# pending sessions and refresh
# --------------------------------------------------------------------------

def test_refresh_keeps_a_pending_session_pending(srv, smtp_sink):
    email, _, _ = mfa_user(srv)
    pat, prt = pending_login(srv, email, ["email"])
    # the refresh answer is a plain token response (isRequiresMfa false) ...
    at2, rt2 = refresh(srv, prt)
    claims = jwt_payload(at2)
    # ... but the session stays pending
    assert claims["isMfaEnabled"] is True and claims["isMfaVerified"] is False, claims
    assert claims["sessionId"] == jwt_payload(pat)["sessionId"]
    assert jwt_payload(rt2)["isMfaVerified"] is False
    assert_json(srv.client().get("/auth/user", bearer=at2), 401, ERR_MFA_REQUIRED)
    # the refreshed pending token completes MFA for the session
    code = email_challenge(srv, smtp_sink, at2, email)
    at3, rt3 = assert_verified(verify(srv, at2, "email", code), at2)
    get_user(srv, at3)
    at4, _ = refresh(srv, rt3)
    assert jwt_payload(at4)["isMfaVerified"] is True
    get_user(srv, at4)


# --------------------------------------------------------------------------
# recovery codes
# --------------------------------------------------------------------------

def test_recovery_code_login(srv):
    email, at0, _ = new_user(srv)
    codes = recovery_codes(srv, at0)
    toggle_on(srv, at0)

    pat, _ = pending_login(srv, email, ["email"])
    assert_json(post(srv, "mfa/verify-recovery-code", pat, {"code": "x" * 27}), 401,
                ERR_RECOVERY_INVALID)
    assert_json(post(srv, "mfa/verify-recovery-code", pat, {"code": codes[0].lower()}), 401,
                ERR_RECOVERY_INVALID)
    r = post(srv, "mfa/verify-recovery-code", pat, {"code": codes[0]})
    at, _ = assert_verified(r, pat, RECOVERY_MSG)
    user = get_user(srv, at)
    assert user["isMfaEnabled"] is True
    # recovery codes are single-use
    pat2, _ = pending_login(srv, email, ["email"])
    assert_json(post(srv, "mfa/verify-recovery-code", pat2, {"code": codes[0]}), 401,
                ERR_RECOVERY_INVALID)
    assert_json(post(srv, "mfa/verify-recovery-code", at, {"code": codes[0]}), 401,
                ERR_RECOVERY_INVALID)
    assert_verified(post(srv, "mfa/verify-recovery-code", pat2, {"code": codes[1]}), pat2,
                    RECOVERY_MSG)
    # factors and the user's MFA switch are untouched; unused codes remain
    st = get_status(srv, at)
    assert st["isEnabled"] is True and st["hasRecoveryCode"] is True, st
    # a recovery code is no TOTP or e-mail code
    pat3, _ = pending_login(srv, email, ["email"])
    assert_json(verify(srv, pat3, "totp", codes[2]), 401, ERR_MFA_CODE_INVALID)
    assert_json(verify(srv, pat3, "email", codes[2]), 400, ERR_CODE_INVALID)
    assert_verified(post(srv, "mfa/verify-recovery-code", pat3, {"code": codes[2]}), pat3,
                    RECOVERY_MSG)


def test_recovery_code_when_user_has_no_mfa(srv):
    email, at0, _ = new_user(srv)
    codes = recovery_codes(srv, at0)
    r = post(srv, "mfa/verify-recovery-code", at0, {"code": codes[0]})
    assert_json(r, 401, ERR_USER_MFA_OFF)
    # the refused request did not consume the code
    toggle_on(srv, at0)
    pat, _ = pending_login(srv, email, ["email"])
    assert_verified(post(srv, "mfa/verify-recovery-code", pat, {"code": codes[0]}), pat,
                    RECOVERY_MSG)


def test_regenerated_recovery_codes_replace_the_old_ones(srv):
    email, at0, _ = new_user(srv)
    old = recovery_codes(srv, at0)
    new = recovery_codes(srv, at0)
    toggle_on(srv, at0)
    pat, _ = pending_login(srv, email, ["email"])
    assert_json(post(srv, "mfa/verify-recovery-code", pat, {"code": old[0]}), 401,
                ERR_RECOVERY_INVALID)
    assert_verified(post(srv, "mfa/verify-recovery-code", pat, {"code": new[0]}), pat,
                    RECOVERY_MSG)


# --------------------------------------------------------------------------
# reset-totp (raw-shape route)
# --------------------------------------------------------------------------

def test_reset_totp_switches_mfa_off_when_no_method_is_left(totp_srv):
    s = totp_srv
    settle()
    email, at0, auth = mfa_user(s, with_totp=True)
    codes = recovery_codes(s, at0)
    pat, _ = pending_login(s, email, ["totp"], "totp")
    st = get_status(s, pat)
    assert st["isEnabled"] is True and st["verifiedMethods"] == ["totp"], st

    assert_json(post(s, "mfa/reset-totp", pat, {"code": "x" * 27}), 401, RAW_RECOVERY_INVALID)
    assert len(get_devices(s, pat)) == 1
    assert_json(post(s, "mfa/reset-totp", None, {"code": codes[0]}), 401, RAW_NO_AUTH)

    # with the pending token (skip-MFA route)
    r = post(s, "mfa/reset-totp", pat, {"code": codes[0]})
    assert_json(r, 200, MSG_RESET)
    assert r.set_cookies == []
    assert get_devices(s, pat) == []
    st = get_status(s, pat)
    assert st["isEnabled"] is False and st["verifiedMethods"] == [], st
    assert st["totpDevices"] == [] and st["hasRecoveryCode"] is True, st
    # the session itself is untouched: still pending
    assert_json(s.client().get("/auth/user", bearer=pat), 401, ERR_MFA_REQUIRED)
    # the code was consumed
    assert_json(post(s, "mfa/reset-totp", pat, {"code": codes[0]}), 401, RAW_RECOVERY_INVALID)
    # the old authenticator is gone
    assert_json(verify(s, pat, "totp", auth.next_code()), 401, ERR_MFA_CODE_INVALID)
    # the next login needs no second factor
    at, _ = assert_token_body(login(s, email), "Login successful")
    assert get_user(s, at)["isMfaEnabled"] is False


def test_reset_totp_keeps_mfa_with_another_method(srv):
    settle()
    email, at0, _ = mfa_user(srv, with_totp=True)
    codes = recovery_codes(srv, at0)
    # a verified session may reset too
    assert_json(post(srv, "mfa/reset-totp", at0, {"code": codes[3]}), 200, MSG_RESET)
    assert get_devices(srv, at0) == []
    st = get_status(srv, at0)
    assert st["isEnabled"] is True and st["verifiedMethods"] == ["email"], st
    pending_login(srv, email, ["email"])


def test_reset_totp_without_code(totp_srv):
    """reset-totp takes ``@Body('code')`` without a DTO: no validation; a missing or empty code
    is simply no valid recovery code (mfa.md §5: "consumes a recovery code (401
    `MFA_RECOVERY_CODE_INVALID` on failure)")."""
    s = totp_srv
    _, at0, _ = new_user(s)
    recovery_codes(s, at0)
    for body in ({}, {"code": ""}, None):
        assert_json(post(s, "mfa/reset-totp", at0, body), 401, RAW_RECOVERY_INVALID)


# --------------------------------------------------------------------------
# trusted devices
# --------------------------------------------------------------------------

def trusted_header(token):
    return {"nest_auth_device_trust": token}


def test_trusted_device_header_mode(srv, smtp_sink):
    email, _, _ = mfa_user(srv)
    pat, _ = pending_login(srv, email, ["email"])
    # trustDevice false: no trust token
    code = email_challenge(srv, smtp_sink, pat, email)
    assert_verified(verify(srv, pat, "email", code, trustDevice=False), pat)

    pat2, _ = pending_login(srv, email, ["email"])
    code = email_challenge(srv, smtp_sink, pat2, email)
    r = verify(srv, pat2, "email", code, trustDevice=True)
    _, _, token = assert_verified(r, pat2, trust=True)
    assert r.set_cookies == []  # header mode: no cookies

    # the header skips MFA at the next login
    r = login(srv, email, headers=trusted_header(token))
    assert_token_body(r, "Login successful")
    assert r.set_cookies == []
    # ... also as a cookie (read first), and more than once
    assert_token_body(login(srv, email, headers={"Cookie": f"{TRUST_COOKIE}={token}"}),
                      "Login successful")
    assert_token_body(login(srv, email, headers=trusted_header(token)), "Login successful")
    # without it, or with another value, MFA is required as before
    pending_login(srv, email, ["email"])
    assert_pending(login(srv, email, headers=trusted_header("A" * 43)), ["email"])
    assert_pending(login(srv, email, headers=trusted_header(token[:-1])), ["email"])
    # the token belongs to the user who trusted the device
    other, _, _ = mfa_user(srv)
    assert_pending(login(srv, other, headers=trusted_header(token)), ["email"])
    # a wrong password is still a wrong password
    r = login(srv, email, password="Wr0ng!Passw0rd", expect=401, headers=trusted_header(token))
    assert r.json["code"] == "INVALID_CREDENTIALS", r


def test_trusted_login_session_is_mfa_verified(srv, smtp_sink):
    """mfa.md §6: a trust-token match "updates `lastUsedAt` and the login proceeds as fully
    verified (`isRequiresMfa:false`, claims `isMfaVerified:true`)"; §1: "Trusted → normal
    login, session marked verified"."""
    email, _, _ = mfa_user(srv)
    pat, _ = pending_login(srv, email, ["email"])
    code = email_challenge(srv, smtp_sink, pat, email)
    _, _, token = assert_verified(verify(srv, pat, "email", code, trustDevice=True), pat,
                                  trust=True)
    at, rt = assert_token_body(login(srv, email, headers=trusted_header(token)), "Login successful")
    for tok in (at, rt):
        claims = jwt_payload(tok)
        assert claims["isMfaEnabled"] is True and claims["isMfaVerified"] is True, claims
    get_user(srv, at)


def test_trust_device_with_totp_and_recovery_code(srv):
    settle()
    email, at0, auth = mfa_user(srv, with_totp=True)
    codes = recovery_codes(srv, at0)
    pat, _ = pending_login(srv, email, ["email", "totp"])
    _, _, t1 = assert_verified(verify(srv, pat, "totp", auth.next_code(), trustDevice=True), pat,
                               trust=True)
    pat2, _ = pending_login(srv, email, ["email", "totp"])
    r = post(srv, "mfa/verify-recovery-code", pat2, {"code": codes[0], "trustDevice": True})
    _, _, t2 = assert_verified(r, pat2, RECOVERY_MSG, trust=True)
    assert t1 != t2
    for t in (t1, t2):
        js = assert_json(login(srv, email, headers=trusted_header(t)), 200, keys=TOKEN_KEYS)
        assert js["isRequiresMfa"] is False, js


def test_trusted_device_expires(short_srv, smtp_sink):
    """--mfa-trusted-device-duration 2s (and --otp-code-expires-in 3s for the e-mail code)."""
    s = short_srv
    email, _, _ = mfa_user(s)
    pat, _ = pending_login(s, email, ["email"])
    code = email_challenge(s, smtp_sink, pat, email)
    _, _, token = assert_verified(verify(s, pat, "email", code, trustDevice=True), pat,
                                  trust=True)
    assert_token_body(login(s, email, headers=trusted_header(token)), "Login successful")
    pat2, _ = pending_login(s, email, ["email"])
    stale = email_challenge(s, smtp_sink, pat2, email)
    time.sleep(3.2)
    assert_pending(login(s, email, headers=trusted_header(token)), ["email"])
    # the e-mail code expired as well
    assert_json(verify(s, pat2, "email", stale), 400, ERR_CODE_EXPIRED)
    fresh = email_challenge(s, smtp_sink, pat2, email)
    assert_verified(verify(s, pat2, "email", fresh), pat2)


COOKIE_ORDER = ["accessToken", "refreshToken", TRUST_COOKIE, "nest_auth_remember"]


def cookie_names(set_cookies):
    return sorted(v.split("=", 1)[0] for v in set_cookies)


def named(set_cookies, name):
    """The one Set-Cookie string of cookie ``name``."""
    found = [v for v in set_cookies if v.split("=", 1)[0] == name]
    assert len(found) == 1, (name, set_cookies)
    return found[0]


def cookie_login(srv, email, cookies=None):
    body = {"providerName": "email", "credentials": {"email": email, "password": PASSWORD}}
    return srv.client().post("/auth/login", body, cookies=cookies)


def test_trusted_device_cookie_mode(cookie_srv, smtp_sink):
    s = cookie_srv
    c = s.client()
    email = unique_email("ckmfa")
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    assert r.status == 200, r
    at0 = r.cookie_values()["accessToken"]
    assert_json(c.post("/auth/mfa/toggle", {"enabled": True}, cookies={"accessToken": at0}), 200,
                MSG_ENABLED)

    # pending login: tokens only in cookies
    r = cookie_login(s, email)
    assert_json(r, 200, {"isRequiresMfa": True, "mfaMethods": ["email"],
                         "defaultMfaMethod": "email", "message": "Login successful"})
    jar = r.cookie_values()
    pat = jar["accessToken"]
    assert jwt_payload(pat)["isMfaVerified"] is False
    assert_json(c.get("/auth/user", cookies={"accessToken": pat}), 401, ERR_MFA_REQUIRED)

    n = len(smtp_sink.messages_to(email))
    assert_json(c.post("/auth/mfa/challenge", {"method": "email"}, cookies={"accessToken": pat}),
                200, MFA_SENT)
    code = SmtpSink.code_from(smtp_sink.wait_for(to=email, count=n + 1)[-1])
    now = time.time()
    r = c.post("/auth/mfa/verify", {"method": "email", "otp": code, "trustDevice": True},
               cookies={"accessToken": pat})
    assert_json(r, 200, {"isRequiresMfa": False, "message": VERIFIED_MSG})
    assert b"eyJ" not in r.body
    sc = r.set_cookies
    assert cookie_names(sc) == sorted(COOKIE_ORDER), sc
    at = match_cookie(named(sc, "accessToken"), "accessToken", JWT_VALUE, max_age=3600, now=now)
    match_cookie(named(sc, "refreshToken"), "refreshToken", JWT_VALUE, max_age=2592000, now=now)
    token = match_cookie(named(sc, TRUST_COOKIE), TRUST_COOKIE, r"[A-Za-z0-9_-]{43}",
                         max_age=604800, now=now)
    assert named(sc, "nest_auth_remember") == CLEAR_REMEMBER, sc
    assert token not in r.body.decode()
    verify_cookies = sc
    claims = jwt_payload(at)
    assert claims["isMfaVerified"] is True, claims
    assert claims["sessionId"] == jwt_payload(pat)["sessionId"]
    assert_json(c.get("/auth/user", cookies={"accessToken": at}), 200)

    # the trust cookie skips MFA at the next login
    r = cookie_login(s, email, cookies={TRUST_COOKIE: token})
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Login successful"})
    assert [v.split("=", 1)[0] for v in r.set_cookies] == ["accessToken", "refreshToken",
                                                          "nest_auth_remember"], r.set_cookies
    # ... and so does the header
    r = s.client().post("/auth/login", {"providerName": "email",
                                        "credentials": {"email": email, "password": PASSWORD}},
                        headers=trusted_header(token))
    assert_json(r, 200, {"isRequiresMfa": False, "message": "Login successful"})
    r = cookie_login(s, email)
    assert_json(r, 200, keys=["isRequiresMfa", "mfaMethods", "defaultMfaMethod", "message"])
    assert r.json["isRequiresMfa"] is True
    # tokens-and-sessions.md §5: the cookies are emitted "in this order": accessToken,
    # refreshToken, nest_auth_device_trust, (nest_auth_csrf,) nest_auth_remember
    assert [v.split("=", 1)[0] for v in verify_cookies] == COOKIE_ORDER, verify_cookies


def test_trust_cookie_keeps_max_age_in_a_browser_session(cookie_srv, smtp_sink):
    """tokens-and-sessions.md §5: non-persistent responses drop Max-Age/Expires of the token
    cookies; "the trust cookie keeps its Max-Age"."""
    s = cookie_srv
    c = s.client()
    email = unique_email("ckmfa")
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    at0 = r.cookie_values()["accessToken"]
    assert_json(c.post("/auth/mfa/toggle", {"enabled": True}, cookies={"accessToken": at0}), 200,
                MSG_ENABLED)
    r = c.post("/auth/login", {"providerName": "email", "rememberMe": False,
                               "credentials": {"email": email, "password": PASSWORD}})
    assert r.status == 200 and r.json["isRequiresMfa"] is True, r
    pat = r.cookie_values()["accessToken"]
    cookies = {"accessToken": pat, "nest_auth_remember": "0"}
    n = len(smtp_sink.messages_to(email))
    assert_json(c.post("/auth/mfa/challenge", {"method": "email"}, cookies=cookies), 200, MFA_SENT)
    code = SmtpSink.code_from(smtp_sink.wait_for(to=email, count=n + 1)[-1])
    now = time.time()
    r = c.post("/auth/mfa/verify", {"method": "email", "otp": code, "trustDevice": True},
               cookies=cookies)
    assert_json(r, 200, {"isRequiresMfa": False, "message": VERIFIED_MSG})
    sc = r.set_cookies
    assert cookie_names(sc) == sorted(COOKIE_ORDER), sc
    match_cookie(named(sc, "accessToken"), "accessToken", JWT_VALUE)
    match_cookie(named(sc, "refreshToken"), "refreshToken", JWT_VALUE)
    match_cookie(named(sc, TRUST_COOKIE), TRUST_COOKIE, r"[A-Za-z0-9_-]{43}", max_age=604800,
                 now=now)
    assert named(sc, "nest_auth_remember") == REMEMBER_0, sc


# --------------------------------------------------------------------------
# mfa.required without an enrolled method (authd fix: the session is pending)
# --------------------------------------------------------------------------

def test_required_without_enrolled_method(required_srv):
    s = required_srv
    c = s.client()
    email = unique_email("req")
    r = c.post("/auth/signup", {"email": email, "password": PASSWORD})
    at0, _ = assert_pending(r, [], message="Signup successful")
    assert_json(c.get("/auth/user", bearer=at0), 401, ERR_MFA_REQUIRED)
    assert get_me(s, at0)["email"] == email
    st = get_status(s, at0)
    assert st["isEnabled"] is True and st["required"] is True and st["verifiedMethods"] == [], st

    pat, _ = pending_login(s, email, [])
    assert_json(c.get("/auth/user", bearer=pat), 401, ERR_MFA_REQUIRED)
    assert_json(verify(s, pat, "totp", "123456"), 401, ERR_MFA_CODE_INVALID)
    assert_json(verify(s, pat, "email", "123456"), 400, ERR_CODE_INVALID)

    # the pending session may enrol an authenticator ...
    settle()
    auth = enroll(s, pat)
    assert_json(c.get("/auth/user", bearer=pat), 401, ERR_MFA_REQUIRED)
    st = get_status(s, pat)
    assert st["verifiedMethods"] == ["totp"] and len(st["totpDevices"]) == 1, st
    # ... and pass the second factor with it
    at, _ = assert_verified(verify(s, pat, "totp", auth.next_code()), pat)
    assert jwt_payload(at)["isMfaEnabled"] is True
    get_user(s, at)
    # from now on the login offers totp
    pat2, _ = pending_login(s, email, ["totp"], "totp")
    assert_verified(verify(s, pat2, "totp", auth.next_code()), pat2)


# --------------------------------------------------------------------------
# throttling: lockout and rate limit
# --------------------------------------------------------------------------

def test_wrong_codes_lock_the_account(server_factory):
    s = server_factory("--mfa-enabled", "true", "--session-access-token-type", "header",
                       "--lockout-enabled", "true", "--lockout-max-failed-attempts", "3",
                       "--lockout-duration", "2s", "--rate-limit-enabled", "false",
                       throttle=True)
    settle(8)
    email, _, auth = mfa_user(s, with_totp=True)
    pat, _ = pending_login(s, email, ["email", "totp"])
    for _ in range(3):
        assert_json(verify(s, pat, "totp", auth.wrong_code()), 401, ERR_MFA_CODE_INVALID)
    code = auth.next_code()
    r = verify(s, pat, "totp", code)
    assert_json(r, 429, ERR_ACCOUNT_LOCKED)
    v = r.header("Retry-After")
    assert v is not None and v.isdigit() and 1 <= int(v) <= 2, r
    assert_json(post(s, "mfa/verify-recovery-code", pat, {"code": "x" * 27}), 429,
                ERR_ACCOUNT_LOCKED)
    # per account, whatever the client address
    assert_json(verify(s, pat, "totp", code, client=Client(s.port, source_ip=OTHER_IP)), 429,
                ERR_ACCOUNT_LOCKED)
    assert_json(s.client().get("/auth/user", bearer=pat), 401, ERR_MFA_REQUIRED)

    # wrong e-mail, recovery and TOTP codes all count
    other, _, _ = mfa_user(s)
    opat, _ = pending_login(s, other, ["email"])
    assert_json(verify(s, opat, "email", "123456"), 400, ERR_CODE_INVALID)
    assert_json(post(s, "mfa/verify-recovery-code", opat, {"code": "x" * 27}), 401,
                ERR_RECOVERY_INVALID)
    assert_json(verify(s, opat, "totp", "123456"), 401, ERR_MFA_CODE_INVALID)
    assert_json(verify(s, opat, "email", "123456"), 429, ERR_ACCOUNT_LOCKED)

    # the lock ends after --lockout-duration; the refused code was not spent
    time.sleep(2.2)
    at, _ = assert_verified(verify(s, pat, "totp", code), pat)
    get_user(s, at)


def test_mfa_verify_rate_limit(server_factory):
    s = server_factory("--mfa-enabled", "true", "--session-access-token-type", "header",
                       "--rate-limit-enabled", "true", "--rate-limit-mfa-verify", "2/1m",
                       "--lockout-enabled", "false", throttle=True)
    email, _, _ = mfa_user(s)
    pat, _ = pending_login(s, email, ["email"])
    for _ in range(2):
        assert_json(verify(s, pat, "email", "123456"), 400, ERR_CODE_INVALID)
    r = verify(s, pat, "email", "123456")
    assert_json(r, 429, ERR_RATE_LIMITED)
    v = r.header("Retry-After")
    assert v is not None and v.isdigit() and 1 <= int(v) <= 60, r
    # verify-recovery-code is in the same bucket
    assert_json(post(s, "mfa/verify-recovery-code", pat, {"code": "x" * 27}), 429,
                ERR_RATE_LIMITED)
    # counted per account too: another client address does not help
    r = verify(s, pat, "email", "123456", client=Client(s.port, source_ip=OTHER_IP))
    assert_json(r, 429, ERR_RATE_LIMITED)
    # challenge is not in that bucket
    assert_json(post(s, "mfa/challenge", pat, {"method": "totp"}), 200, MFA_SENT)


# --------------------------------------------------------------------------
# MFA disabled for the application
# --------------------------------------------------------------------------

def test_app_mfa_disabled(off):
    email, at, _ = new_user(off)
    assert_json(post(off, "mfa/challenge", at, {"method": "email"}), 403, ERR_APP_MFA_OFF)
    assert_json(post(off, "mfa/challenge", at, {}), 403, ERR_APP_MFA_OFF)
    assert_json(verify(off, at, "totp", "123456"), 403, ERR_APP_MFA_OFF)
    assert_json(verify(off, at, "email", "123456"), 403, ERR_APP_MFA_OFF)
    # validation still comes first on verify
    assert_json(post(off, "mfa/verify", at, {}), 400, ERR_METHOD)
    assert_json(post(off, "mfa/reset-totp", at, {"code": "x" * 27}), 403, RAW_APP_MFA_OFF)
    # login never requires MFA
    at2, _ = assert_token_body(login(off, email), "Login successful")
    claims = jwt_payload(at2)
    assert claims["isMfaEnabled"] is False and claims["isMfaVerified"] is False, claims
    get_user(off, at2)


def test_app_mfa_disabled_recovery_code(off):
    """mfa.md §5 lists the checks of verify-recovery-code: "no session → 401
    `SESSION_NOT_FOUND`; MFA not required for the user → 401 `MFA_NOT_ENABLED` "MFA is not
    enabled"" -- there is no application check (unlike verify, §2.1, and reset-totp), and MFA is
    never required while the application has it off (§1: `requiresMfa(user) = mfa.enabled && …`;
    reference: ``isRequiresMfa()`` returns false when ``mfa.enabled`` is false)."""
    _, at, _ = new_user(off)
    assert_json(post(off, "mfa/verify-recovery-code", at, {"code": "x" * 27}), 401,
                ERR_USER_MFA_OFF)


def test_app_mfa_disabled_ignores_required(server_factory):
    s = server_factory("--mfa-required", "true", "--session-access-token-type", "header")
    email, _, _ = new_user(s)
    at, _ = assert_token_body(login(s, email), "Login successful")
    get_user(s, at)
    # a trust header changes nothing
    at, _ = assert_token_body(login(s, email, headers=trusted_header("A" * 43)),
                              "Login successful")


def test_mfa_key_survives_a_restart_and_is_private(server_factory):
    """The MFA root key is generated once into <data dir>/mfa-key (0600) and reused: an
    authenticator enrolled before a restart still passes MFA after it (sealed secrets
    open), and recovery codes still work."""
    s = server_factory("--mfa-enabled", "true", "--mfa-methods", "totp",
                       "--session-access-token-type", "header")
    key_file = os.path.join(s.data_dir, "mfa-key")
    assert os.path.exists(key_file)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    with open(key_file, "rb") as f:
        key_before = f.read()
    email, at, auth = mfa_user(s, with_totp=True)
    codes = recovery_codes(s, at)
    s.stop()
    s.start()
    with open(key_file, "rb") as f:
        assert f.read() == key_before, "the key must not be regenerated"
    settle()
    pat, _ = pending_login(s, email, ["totp"])
    assert_verified(verify(s, pat, "totp", auth.next_code()), pat)
    pat2, _ = pending_login(s, email, ["totp"])
    assert_verified(post(s, "mfa/verify-recovery-code", pat2, {"code": codes[0]}), pat2,
                    message="Recovery code verification successful")
