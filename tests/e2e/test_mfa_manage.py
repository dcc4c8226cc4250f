"""MFA management API: status, toggle, TOTP devices, recovery codes.

Spec: api.md §5, mfa.md §3, §5, §7; the MFA controller's *raw* error shape
(errors.md §1 B): coded errors are exactly ``{"message","code"}``, plain ones
``{"message","error","statusCode"}``, validation errors carry the array of
all messages. Exact messages from the reference's mfa.controller.js and
mfa.service.js (nest-auth 2.11.1).

Out of scope here: login with MFA, /mfa/verify, /mfa/challenge,
verify-recovery-code, reset-totp, trusted devices.

TOTP codes are computed by the RFC 6238 helper below from the ``secret``
that setup-totp returns; the ``qrCode`` PNG is decoded (qr_decode.py) and
must carry the ``otpAuthUrl``.
"""

import base64
import datetime
import hashlib
import hmac
import re
import struct
import time
import urllib.parse
import uuid

import pytest

from conftest import (
    ISO_MS_RE, PASSWORD, UUID4_RE, SmtpSink, assert_json, assert_token_body, coded,
    jwt_payload, new_user, unique_phone,
)
from qr_decode import qr_decode, qr_grid

APP_NAME = "Bäckerei Müller"

# --------------------------------------------------------------------------
# expected bodies (raw shape, errors.md §1 B)
# --------------------------------------------------------------------------


def raw(message, code):
    return {"message": message, "code": code}


def raw_plain(message, status, error):
    return {"message": message, "error": error, "statusCode": status}


ERR_MFA_OFF = raw("MFA is not enabled for the application", "MFA_NOT_ENABLED")
ERR_NO_METHOD = raw("Cannot enable MFA without at least one verified method",
                    "MFA_CANNOT_ENABLE_WITHOUT_METHOD")
ERR_NEED_CONTACT = raw("A verified email or phone is required before enrolling an authenticator",
                       "MFA_CANNOT_ENABLE_WITHOUT_METHOD")
ERR_TOGGLE_NOT_ALLOWED = raw("MFA toggle is not allowed", "MFA_TOGGLING_NOT_ALLOWED")
ERR_INVALID_OTP = raw("Invalid OTP", "MFA_CODE_INVALID")
ERR_DEVICE_NOT_FOUND = raw_plain("MFA device not found", 404, "Not Found")
ERR_RAW_NO_AUTH = raw("No authentication provided", "NO_AUTH_PROVIDED")
ERR_RAW_INVALID_TOKEN = raw("Invalid or expired token", "INVALID_TOKEN")
ERR_RAW_MFA_REQUIRED = raw("Multi-factor authentication is required", "MFA_REQUIRED")
ERR_RAW_SESSION_NOT_FOUND = raw_plain("Session not found", 401, "Unauthorized")
# the same guard error on an auth-controller route: filtered shape (errors.md §1 A)
ERR_MFA_REQUIRED = coded("Multi-factor authentication is required", "MFA_REQUIRED", 401,
                         "UnauthorizedException")

MSG_ENABLED = {"message": "MFA enabled successfully"}
MSG_DISABLED = {"message": "MFA disabled successfully"}
MSG_DEVICE_SETUP = {"message": "Device setup successfully"}
MSG_DEVICE_REMOVED = {"message": "MFA device removed successfully"}

STATUS_KEYS = ["isEnabled", "verifiedMethods", "configuredMethods", "allowUserToggle",
               "allowMethodSelection", "totpDevices", "hasRecoveryCode", "required", "canToggle"]
SETUP_KEYS = ["secret", "qrCode", "otpAuthUrl", "issuer", "account"]
DEVICE_KEYS = ["id", "deviceName", "method", "lastUsedAt", "createdAt", "verified"]

SECRET_RE = re.compile(r"^[A-Z2-7]{32}$")
RECOVERY_RE = re.compile(r"^[A-Za-z0-9_-]{27}$")
UNKNOWN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# Every MFA-management route with a body that passes validation.
ROUTES = [
    ("GET", "mfa/status", None),
    ("POST", "mfa/toggle", {"enabled": True}),
    ("GET", "mfa/devices", None),
    ("DELETE", "mfa/devices/" + str(uuid.uuid4()), None),
    ("POST", "mfa/setup-totp", {}),
    ("POST", "mfa/verify-totp-setup", {"otp": "123456", "secret": UNKNOWN_SECRET}),
    ("POST", "mfa/generate-recovery-code", None),
]
# The routes without @SkipMfa (api.md §5: "MFA enforced").
MFA_ENFORCED = [r for r in ROUTES if r[1] not in ("mfa/status", "mfa/devices")]


def status_body(**kw):
    """A status object in wire key order; defaults: enabled app, fresh e-mail user."""
    base = {"isEnabled": False, "verifiedMethods": ["email"],
            "configuredMethods": ["email", "totp"], "allowUserToggle": True,
            "allowMethodSelection": True, "totpDevices": [], "hasRecoveryCode": False,
            "required": False, "canToggle": True}
    for k, v in kw.items():
        assert k in base, k
        base[k] = v
    return base


DISABLED_STATUS = {"isEnabled": False, "verifiedMethods": [], "configuredMethods": [],
                   "allowUserToggle": False, "allowMethodSelection": True, "totpDevices": [],
                   "hasRecoveryCode": False, "required": False, "canToggle": False}

# --------------------------------------------------------------------------
# servers
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def off(server_factory):
    """MFA disabled (the default)."""
    return server_factory()


@pytest.fixture(scope="module")
def srv(server_factory):
    """MFA on with the default options; issuer = app name; phone sign-up allowed."""
    return server_factory("--mfa-enabled", "true", "--app-name", APP_NAME,
                          "--auth-phone-enabled", "true")


@pytest.fixture(scope="module")
def totp_only(server_factory):
    """Only TOTP counts as a method; own issuer; 3 recovery codes."""
    return server_factory("--mfa-enabled", "true", "--mfa-methods", "totp",
                          "--app-name", "AcmeApp", "--mfa-totp-issuer", "Acme & Co/Auth ü",
                          "--mfa-recovery-code-count", "3")


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def call(srv, method, route, at=None, body=None):
    c = srv.client()
    path = "/auth/" + route
    if body is None:
        return c.request(method, path, bearer=at)
    return c.request(method, path, body=body, bearer=at)


def totp(secret, offset=0, now=None):
    """RFC 6238 TOTP: HMAC-SHA1, 6 digits, 30 s steps, T0 = 0."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if now is None else now) // 30) + offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[o:o + 4])[0] & 0x7FFFFFFF) % 1000000
    return f"{value:06d}"


def wrong_totp(secret):
    """A 6-digit code valid for none of the steps c-1, c, c+1."""
    valid = {totp(secret, k) for k in (-2, -1, 0, 1, 2)}
    n = 0
    while f"{n:06d}" in valid:
        n += 111111
    return f"{n:06d}"


def away_from_step_edge(margin=2.0):
    """Sleeps past a 30 s step boundary that is closer than ``margin`` seconds."""
    pos = time.time() % 30
    if pos < margin:
        time.sleep(margin - pos + 0.05)
    elif pos > 30 - margin:
        time.sleep(30 - pos + margin + 0.05)


def enc(s):
    """encodeURIComponent."""
    return urllib.parse.quote(s, safe="-_.!~*'()")


def otpauth_url(account, secret, issuer):
    label = account.replace("?", "%3F").replace("#", "%23")
    return f"otpauth://totp/{label}?secret={secret}&issuer={enc(issuer)}&period=30"


def assert_recent_iso(value):
    assert value is not None and ISO_MS_RE.match(value), value
    ts = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    assert abs(ts - time.time()) <= 30, value


def assert_validation(resp, *messages):
    """400 raw validation shape; ``message`` is the array of all messages, in
    class-validator's order (tests/data/reference_validation.json)."""
    js = assert_json(resp, 400, keys=["message", "error", "statusCode"])
    assert js["error"] == "Bad Request" and js["statusCode"] == 400, js
    assert isinstance(js["message"], list), js
    assert js["message"] == list(messages), js
    return js


def get_status(srv, at):
    return assert_json(call(srv, "GET", "mfa/status", at), 200, keys=STATUS_KEYS)


def get_devices(srv, at):
    js = assert_json(call(srv, "GET", "mfa/devices", at), 200)
    assert isinstance(js, list), js
    for d in js:
        assert list(d) == DEVICE_KEYS, d
        assert UUID4_RE.match(d["id"]), d
        assert d["method"] == "totp", d
        assert isinstance(d["verified"], bool), d
        assert_recent_iso(d["createdAt"])
    return js


def device(srv, at, device_id):
    found = [d for d in get_devices(srv, at) if d["id"] == device_id]
    assert len(found) == 1, (device_id, found)
    return found[0]


def setup_totp(srv, at, body=None):
    js = assert_json(call(srv, "POST", "mfa/setup-totp", at, {} if body is None else body), 200,
                     keys=SETUP_KEYS)
    assert SECRET_RE.match(js["secret"]), js["secret"]
    assert len(base64.b32decode(js["secret"])) == 20, js["secret"]
    return js


def new_device_id(srv, at, before_ids):
    ids = [d["id"] for d in get_devices(srv, at) if d["id"] not in before_ids]
    assert len(ids) == 1, ids
    return ids[0]


def enroll(srv, at, body=None):
    """setup-totp + verify-totp-setup; returns (secret, device id)."""
    before = {d["id"] for d in get_devices(srv, at)}
    js = setup_totp(srv, at, body)
    dev = new_device_id(srv, at, before)
    away_from_step_edge(1.0)
    r = call(srv, "POST", "mfa/verify-totp-setup", at, {"otp": totp(js["secret"]),
                                                        "secret": js["secret"]})
    assert_json(r, 200, MSG_DEVICE_SETUP)
    return js["secret"], dev


def check_qr(js):
    """qrCode: PNG data URL, scale 4, margin 4, encoding exactly otpAuthUrl (mfa.md §3)."""
    prefix = "data:image/png;base64,"
    assert js["qrCode"].startswith(prefix), js["qrCode"][:60]
    png = base64.b64decode(js["qrCode"][len(prefix):], validate=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n", png[:16]
    scale, margin, matrix = qr_grid(png)
    assert (scale, margin) == (4, 4), (scale, margin)
    text, _ = qr_decode(matrix)
    assert text == js["otpAuthUrl"].encode("utf-8"), (text, js["otpAuthUrl"])


def refresh(srv, rt):
    r = srv.client().post("/auth/refresh-token", {"refreshToken": rt})
    return assert_token_body(r, "Token refreshed successfully")


def phone_user(srv):
    """A phone-only user; returns (phone, accessToken, refreshToken)."""
    phone = unique_phone()
    r = srv.client().post("/auth/signup", {"phone": phone, "password": PASSWORD})
    js = assert_json(r, 200)
    assert js["message"] == "Signup successful", js
    return phone, js["accessToken"], js["refreshToken"]


def test_totp_helper_matches_rfc6238():
    """RFC 6238 appendix B, SHA-1 key, last 6 of the 8 digits."""
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, now=59) == "287082"
    assert totp(secret, now=1111111109) == "081804"
    assert totp(secret, now=2000000000) == "279037"


# --------------------------------------------------------------------------
# MFA disabled for the application
# --------------------------------------------------------------------------

def test_disabled_routes_answer_403(off):
    _, at, _ = new_user(off)
    for method, route, body in ROUTES:
        if route == "mfa/status":
            continue
        r = call(off, method, route, at, body)
        assert_json(r, 403, ERR_MFA_OFF)
    assert_json(call(off, "POST", "mfa/toggle", at, {"enabled": False}), 403, ERR_MFA_OFF)
    assert_json(call(off, "POST", "mfa/generate-recovery-code", at, {}), 403, ERR_MFA_OFF)
    assert_json(call(off, "POST", "mfa/setup-totp", at), 403, ERR_MFA_OFF)


def test_disabled_status(off):
    _, at, _ = new_user(off)
    assert_json(call(off, "GET", "mfa/status", at), 200, DISABLED_STATUS)


def test_disabled_status_reports_config(server_factory):
    """mfa.md §7: allowMethodSelection and required are the configured values even when off."""
    s = server_factory("--mfa-required", "true", "--mfa-allow-method-selection", "false",
                       "--mfa-allow-user-toggle", "true")
    _, at, _ = new_user(s)
    expected = dict(DISABLED_STATUS, allowMethodSelection=False, required=True)
    assert_json(call(s, "GET", "mfa/status", at), 200, expected)
    assert_json(call(s, "POST", "mfa/toggle", at, {"enabled": True}), 403, ERR_MFA_OFF)


def test_disabled_validation_runs_first(off):
    """The body pipe runs before the handler's app-MFA check."""
    _, at, _ = new_user(off)
    assert_validation(call(off, "POST", "mfa/toggle", at, {"enabled": "yes"}),
                      "enabled must be a boolean value")
    assert_validation(call(off, "POST", "mfa/verify-totp-setup", at, {"otp": "123456"}),
                      "secret should not be empty", "secret must be a string")


# --------------------------------------------------------------------------
# authentication (guard errors in the raw shape)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["off", "srv"])
def test_guard_errors_raw_shape(which, request):
    s = request.getfixturevalue(which)
    for method, route, body in ROUTES:
        assert_json(call(s, method, route, None, body), 401, ERR_RAW_NO_AUTH)
        assert_json(call(s, method, route, "garbage", body), 401, ERR_RAW_INVALID_TOKEN)
    # a logged-out session: plain-message error, raw key order
    _, at, _ = new_user(s)
    assert s.client().post("/auth/logout", bearer=at).status == 200
    for method, route, body in ROUTES:
        assert_json(call(s, method, route, at, body), 401, ERR_RAW_SESSION_NOT_FOUND)


def test_guard_runs_before_validation(srv):
    assert_json(call(srv, "POST", "mfa/toggle", None, {}), 401, ERR_RAW_NO_AUTH)
    assert_json(call(srv, "POST", "mfa/verify-totp-setup", None, {}), 401, ERR_RAW_NO_AUTH)


# --------------------------------------------------------------------------
# status
# --------------------------------------------------------------------------

def test_status_of_a_fresh_user(srv):
    _, at, _ = new_user(srv)
    assert_json(call(srv, "GET", "mfa/status", at), 200, status_body())


def test_status_of_a_phone_only_user(srv):
    """E-mail counts as a method only when the user has an e-mail; sms is not configured."""
    _, at, _ = phone_user(srv)
    assert_json(call(srv, "GET", "mfa/status", at), 200, status_body(verifiedMethods=[]))
    assert_json(call(srv, "POST", "mfa/toggle", at, {"enabled": True}), 403, ERR_NO_METHOD)
    assert get_status(srv, at)["isEnabled"] is False


# --------------------------------------------------------------------------
# setup-totp
# --------------------------------------------------------------------------

def test_setup_totp_response_and_device(srv):
    email, at, _ = new_user(srv)
    js = setup_totp(srv, at)
    assert js["issuer"] == APP_NAME
    assert js["account"] == email
    assert js["otpAuthUrl"] == otpauth_url(email, js["secret"], APP_NAME), js["otpAuthUrl"]
    assert "issuer=B%C3%A4ckerei%20M%C3%BCller&" in js["otpAuthUrl"]
    check_qr(js)

    devs = get_devices(srv, at)
    assert len(devs) == 1, devs
    d = devs[0]
    assert d["deviceName"] == f"{APP_NAME} : {email}", d
    assert d["verified"] is False and d["lastUsedAt"] is None, d
    # listed in the status too, but an unverified device is no method
    st = get_status(srv, at)
    assert st["totpDevices"] == devs, st
    assert st["verifiedMethods"] == ["email"], st

    # every call makes a new unverified device with a new secret (no body at all is fine)
    r = call(srv, "POST", "mfa/setup-totp", at)
    js2 = assert_json(r, 200, keys=SETUP_KEYS)
    assert SECRET_RE.match(js2["secret"]) and js2["secret"] != js["secret"], js2
    devs2 = get_devices(srv, at)
    assert len(devs2) == 2, devs2
    assert {x["id"] for x in devs2} > {d["id"]}
    assert all(x["verified"] is False for x in devs2), devs2
    # sorted by lastUsedAt desc (all null here), then createdAt desc
    assert devs2[0]["createdAt"] >= devs2[1]["createdAt"], devs2


def test_setup_totp_label_and_device_name(srv):
    email, at, _ = new_user(srv)
    js = setup_totp(srv, at, {"label": "  ada@acme.com (Acme Corp)  ", "deviceName": "iPhone 15"})
    assert js["account"] == "ada@acme.com (Acme Corp)", js
    assert js["issuer"] == APP_NAME
    # the label goes into the path as is: '@', spaces and parentheses literal
    assert js["otpAuthUrl"] == (f"otpauth://totp/ada@acme.com (Acme Corp)?secret={js['secret']}"
                                f"&issuer={enc(APP_NAME)}&period=30"), js["otpAuthUrl"]
    check_qr(js)
    devs = get_devices(srv, at)
    assert [d["deviceName"] for d in devs] == ["iPhone 15"], devs

    # a blank label falls back to the e-mail
    js = setup_totp(srv, at, {"label": "   "})
    assert js["account"] == email
    assert js["otpAuthUrl"] == otpauth_url(email, js["secret"], APP_NAME)
    # empty strings and nulls mean "not given"; a device name is stored as given (not trimmed)
    before = {d["id"] for d in get_devices(srv, at)}
    js = setup_totp(srv, at, {"label": "", "deviceName": ""})
    assert js["account"] == email
    assert device(srv, at, new_device_id(srv, at, before))["deviceName"] == f"{APP_NAME} : {email}"
    before = {d["id"] for d in get_devices(srv, at)}
    js = setup_totp(srv, at, {"label": None, "deviceName": None})
    assert js["account"] == email
    assert device(srv, at, new_device_id(srv, at, before))["deviceName"] == f"{APP_NAME} : {email}"
    before = {d["id"] for d in get_devices(srv, at)}
    setup_totp(srv, at, {"deviceName": "  Work phone "})
    assert device(srv, at, new_device_id(srv, at, before))["deviceName"] == "  Work phone "


def test_setup_totp_label_escapes_only_query_and_fragment(srv):
    """Only '?' and '#' of the label are escaped in the otpauth path (mfa.md §3)."""
    _, at, _ = new_user(srv)
    js = setup_totp(srv, at, {"label": "a?b#c/d"})
    assert js["account"] == "a?b#c/d", js
    assert js["otpAuthUrl"] == (f"otpauth://totp/a%3Fb%23c/d?secret={js['secret']}"
                                f"&issuer={enc(APP_NAME)}&period=30"), js["otpAuthUrl"]
    check_qr(js)


def test_setup_totp_own_issuer(totp_only):
    """issuer = --mfa-totp-issuer (URL-encoded in the query); the device name keeps the app name."""
    email, at, _ = new_user(totp_only)
    js = setup_totp(totp_only, at)
    issuer = "Acme & Co/Auth ü"
    assert js["issuer"] == issuer and js["account"] == email, js
    assert js["otpAuthUrl"] == (f"otpauth://totp/{email}?secret={js['secret']}"
                                f"&issuer=Acme%20%26%20Co%2FAuth%20%C3%BC&period=30"), js
    check_qr(js)
    assert [d["deviceName"] for d in get_devices(totp_only, at)] == [f"AcmeApp : {email}"]


def test_setup_totp_phone_only_user(srv):
    """account = phone; device name "<appName> : User" (no e-mail)."""
    phone, at, _ = phone_user(srv)
    js = setup_totp(srv, at)
    assert js["account"] == phone, js
    assert js["otpAuthUrl"] == otpauth_url(phone, js["secret"], APP_NAME), js["otpAuthUrl"]
    assert js["otpAuthUrl"].startswith(f"otpauth://totp/{phone}?secret=")  # '+' literal
    check_qr(js)
    assert [d["deviceName"] for d in get_devices(srv, at)] == [f"{APP_NAME} : User"]


def test_setup_totp_validation(srv):
    _, at, _ = new_user(srv)
    assert_validation(call(srv, "POST", "mfa/setup-totp", at, {"label": "x" * 129}),
                      "label must be shorter than or equal to 128 characters")
    assert_validation(call(srv, "POST", "mfa/setup-totp", at, {"deviceName": "d" * 129}),
                      "deviceName must be shorter than or equal to 128 characters")
    # an array is not converted to a string (a number would be, as by the host)
    assert_validation(call(srv, "POST", "mfa/setup-totp", at, {"label": [5]}),
                      "label must be shorter than or equal to 128 characters",
                      "label must be a string")
    assert get_devices(srv, at) == []
    # exactly 128 is fine
    js = setup_totp(srv, at, {"label": "L" * 128, "deviceName": "D" * 128})
    assert js["account"] == "L" * 128
    check_qr(js)
    assert [d["deviceName"] for d in get_devices(srv, at)] == ["D" * 128]


def test_setup_totp_requires_verified_contact(server_factory, smtp_sink):
    s = server_factory(*smtp_sink.flags(), "--mfa-enabled", "true",
                       "--mfa-require-verified-contact", "true")
    email, at, _ = new_user(s)
    assert_json(call(s, "POST", "mfa/setup-totp", at, {}), 403, ERR_NEED_CONTACT)
    assert get_devices(s, at) == []
    # verify the e-mail address, then enrolment works with the same token
    n = len(smtp_sink.messages_to(email))
    assert_json(s.client().post("/auth/send-email-verification", {}, bearer=at), 200,
                {"message": "Verification email sent"})
    code = SmtpSink.code_from(smtp_sink.wait_for(to=email, count=n + 1)[-1])
    assert_json(s.client().post("/auth/verify-email", {"code": code}, bearer=at), 200,
                {"message": "Email verified successfully"})
    js = setup_totp(s, at)
    assert js["account"] == email
    assert len(get_devices(s, at)) == 1


# --------------------------------------------------------------------------
# verify-totp-setup
# --------------------------------------------------------------------------

def test_verify_totp_setup(srv):
    email, at, _ = new_user(srv)
    js = setup_totp(srv, at)
    secret = js["secret"]
    dev = get_devices(srv, at)[0]["id"]
    away_from_step_edge()

    r = call(srv, "POST", "mfa/verify-totp-setup", at, {"otp": wrong_totp(secret), "secret": secret})
    assert_json(r, 401, ERR_INVALID_OTP)
    # not 6 characters
    r = call(srv, "POST", "mfa/verify-totp-setup", at, {"otp": totp(secret)[:5], "secret": secret})
    assert_json(r, 401, ERR_INVALID_OTP)
    assert device(srv, at, dev)["verified"] is False

    r = call(srv, "POST", "mfa/verify-totp-setup", at, {"otp": totp(secret), "secret": secret})
    assert_json(r, 200, MSG_DEVICE_SETUP)
    d = device(srv, at, dev)
    assert d["verified"] is True, d
    assert d["deviceName"] == f"{APP_NAME} : {email}"

    st = get_status(srv, at)
    assert st == status_body(verifiedMethods=["totp", "email"], totpDevices=[d]), st
    # enrolment alone does not switch MFA on for the user
    assert get_status(srv, at)["isEnabled"] is False
    user = assert_json(srv.client().get("/auth/user", bearer=at), 200)
    assert user["isMfaEnabled"] is False

    # again with the same secret: already verified, success (the code is not checked again)
    r = call(srv, "POST", "mfa/verify-totp-setup", at, {"otp": totp(secret), "secret": secret})
    assert_json(r, 200, MSG_DEVICE_SETUP)
    r = call(srv, "POST", "mfa/verify-totp-setup", at, {"otp": wrong_totp(secret), "secret": secret})
    assert_json(r, 200, MSG_DEVICE_SETUP)
    assert len(get_devices(srv, at)) == 1


def test_verify_totp_setup_sets_last_used_at(srv):
    """Deliberate deviation (docs/compatibility.md, "TOTP replay"): the accepted enrolment
    code's step is stored, so lastUsedAt is set at enrolment (the reference leaves it null
    until /mfa/verify)."""
    _, at, _ = new_user(srv)
    before = {d["id"] for d in get_devices(srv, at)}
    setup_totp(srv, at)
    dev = new_device_id(srv, at, before)
    assert device(srv, at, dev)["lastUsedAt"] is None
    _, dev2 = enroll(srv, at)
    d = device(srv, at, dev2)
    assert d["verified"] is True, d
    assert_recent_iso(d["lastUsedAt"])
    assert d["lastUsedAt"] >= d["createdAt"], d
    # the one still unverified keeps null; used devices sort first (lastUsedAt desc)
    devs = get_devices(srv, at)
    assert [x["id"] for x in devs] == [dev2, dev], devs
    assert device(srv, at, dev)["lastUsedAt"] is None
    assert get_status(srv, at)["totpDevices"] == devs


def test_verify_totp_setup_unknown_or_foreign_secret(srv):
    _, at_a, _ = new_user(srv)
    _, at_b, _ = new_user(srv)
    away_from_step_edge()
    # a secret nobody enrolled, with its own correct code
    r = call(srv, "POST", "mfa/verify-totp-setup", at_a,
             {"otp": totp(UNKNOWN_SECRET), "secret": UNKNOWN_SECRET})
    assert_json(r, 401, ERR_INVALID_OTP)
    # user A's secret, presented by user B with the correct code: B has no such device
    secret_a = setup_totp(srv, at_a)["secret"]
    r = call(srv, "POST", "mfa/verify-totp-setup", at_b, {"otp": totp(secret_a), "secret": secret_a})
    assert_json(r, 401, ERR_INVALID_OTP)
    assert get_devices(srv, at_b) == []
    assert [d["verified"] for d in get_devices(srv, at_a)] == [False]
    # the secret is matched exactly (not case-folded)
    r = call(srv, "POST", "mfa/verify-totp-setup", at_a,
             {"otp": totp(secret_a), "secret": secret_a.lower()})
    assert_json(r, 401, ERR_INVALID_OTP)
    assert [d["verified"] for d in get_devices(srv, at_a)] == [False]


def test_verify_totp_setup_window(srv):
    """Window 1: codes of steps c-1 and c+1 are accepted, c-2 and c+2 are not."""
    _, at, _ = new_user(srv)
    for offset in (-1, 1):
        secret = setup_totp(srv, at)["secret"]
        away_from_step_edge()
        for far in (-2 * offset, 2 * offset):
            code = totp(secret, far)
            if code in {totp(secret, k) for k in (-1, 0, 1)}:
                continue  # a collision with the window (1 in ~300000)
            r = call(srv, "POST", "mfa/verify-totp-setup", at, {"otp": code, "secret": secret})
            assert_json(r, 401, ERR_INVALID_OTP)
        r = call(srv, "POST", "mfa/verify-totp-setup", at,
                 {"otp": totp(secret, offset), "secret": secret})
        assert_json(r, 200, MSG_DEVICE_SETUP)
    assert [d["verified"] for d in get_devices(srv, at)] == [True, True]


def test_verify_totp_setup_validation(srv):
    _, at, _ = new_user(srv)
    assert_validation(call(srv, "POST", "mfa/verify-totp-setup", at, {}),
                      "otp should not be empty", "otp must be a string",
                      "secret should not be empty", "secret must be a string")
    assert_validation(call(srv, "POST", "mfa/verify-totp-setup", at),
                      "otp should not be empty", "otp must be a string",
                      "secret should not be empty", "secret must be a string")
    assert_validation(call(srv, "POST", "mfa/verify-totp-setup", at,
                           {"otp": "", "secret": UNKNOWN_SECRET}),
                      "otp should not be empty")
    assert_validation(call(srv, "POST", "mfa/verify-totp-setup", at,
                           {"otp": "123456", "secret": ""}),
                      "secret should not be empty")
    assert_validation(call(srv, "POST", "mfa/verify-totp-setup", at, {"otp": "123456"}),
                      "secret should not be empty", "secret must be a string")


# --------------------------------------------------------------------------
# devices
# --------------------------------------------------------------------------

def test_delete_device(srv):
    _, at_a, _ = new_user(srv)
    _, at_b, _ = new_user(srv)
    secret, verified_id = enroll(srv, at_a)
    before = {verified_id}
    setup_totp(srv, at_a)
    pending_id = new_device_id(srv, at_a, before)
    assert get_status(srv, at_a)["verifiedMethods"] == ["totp", "email"]

    # another user's device: 404, and it is still there
    r = call(srv, "DELETE", f"mfa/devices/{verified_id}", at_b)
    assert_json(r, 404, ERR_DEVICE_NOT_FOUND)
    assert {d["id"] for d in get_devices(srv, at_a)} == {verified_id, pending_id}

    r = call(srv, "DELETE", f"mfa/devices/{verified_id}", at_a)
    assert_json(r, 200, MSG_DEVICE_REMOVED)
    assert [d["id"] for d in get_devices(srv, at_a)] == [pending_id]
    # the verified factor is gone
    assert get_status(srv, at_a)["verifiedMethods"] == ["email"]
    r = call(srv, "POST", "mfa/verify-totp-setup", at_a, {"otp": totp(secret), "secret": secret})
    assert_json(r, 401, ERR_INVALID_OTP)

    # twice, unknown UUID, not a UUID at all
    assert_json(call(srv, "DELETE", f"mfa/devices/{verified_id}", at_a), 404, ERR_DEVICE_NOT_FOUND)
    assert_json(call(srv, "DELETE", f"mfa/devices/{uuid.uuid4()}", at_a), 404,
                ERR_DEVICE_NOT_FOUND)
    assert_json(call(srv, "DELETE", "mfa/devices/not-a-uuid", at_a), 404, ERR_DEVICE_NOT_FOUND)

    # an unverified device can be removed too
    assert_json(call(srv, "DELETE", f"mfa/devices/{pending_id}", at_a), 200, MSG_DEVICE_REMOVED)
    assert get_devices(srv, at_a) == []
    assert get_status(srv, at_a)["totpDevices"] == []


# --------------------------------------------------------------------------
# recovery codes
# --------------------------------------------------------------------------

def check_codes(js, count):
    assert list(js) == ["codes", "code"], js
    codes = js["codes"]
    assert isinstance(codes, list) and len(codes) == count, js
    for c in codes:
        assert isinstance(c, str) and RECOVERY_RE.match(c), c
        assert len(base64.urlsafe_b64decode(c + "=")) == 20, c
    assert len(set(codes)) == count, codes
    assert js["code"] == codes[0], js
    return codes


def test_generate_recovery_codes(srv):
    _, at, _ = new_user(srv)
    assert get_status(srv, at)["hasRecoveryCode"] is False
    first = check_codes(assert_json(call(srv, "POST", "mfa/generate-recovery-code", at), 200), 10)
    assert get_status(srv, at) == status_body(hasRecoveryCode=True)
    # again (with an empty JSON body): 10 fresh codes
    second = check_codes(assert_json(call(srv, "POST", "mfa/generate-recovery-code", at, {}), 200),
                         10)
    assert not set(first) & set(second), (first, second)
    assert get_status(srv, at)["hasRecoveryCode"] is True
    # per user
    _, at2, _ = new_user(srv)
    assert get_status(srv, at2)["hasRecoveryCode"] is False


def test_recovery_code_count_flag(totp_only):
    _, at, _ = new_user(totp_only)
    check_codes(assert_json(call(totp_only, "POST", "mfa/generate-recovery-code", at), 200), 3)
    assert get_status(totp_only, at)["hasRecoveryCode"] is True


# --------------------------------------------------------------------------
# toggle
# --------------------------------------------------------------------------

def test_toggle_needs_a_verified_method(totp_only):
    _, at, _ = new_user(totp_only)
    fresh = status_body(verifiedMethods=[], configuredMethods=["totp"])
    assert_json(call(totp_only, "GET", "mfa/status", at), 200, fresh)
    assert_json(call(totp_only, "POST", "mfa/toggle", at, {"enabled": True}), 403, ERR_NO_METHOD)
    # an unverified device is not a method
    secret = setup_totp(totp_only, at)["secret"]
    assert_json(call(totp_only, "POST", "mfa/toggle", at, {"enabled": True}), 403, ERR_NO_METHOD)
    assert get_status(totp_only, at)["isEnabled"] is False
    # disabling needs no method
    assert_json(call(totp_only, "POST", "mfa/toggle", at, {"enabled": False}), 200, MSG_DISABLED)

    away_from_step_edge(1.0)
    r = call(totp_only, "POST", "mfa/verify-totp-setup", at, {"otp": totp(secret), "secret": secret})
    assert_json(r, 200, MSG_DEVICE_SETUP)
    assert_json(call(totp_only, "POST", "mfa/toggle", at, {"enabled": True}), 200, MSG_ENABLED)
    devs = get_devices(totp_only, at)
    assert_json(call(totp_only, "GET", "mfa/status", at), 200,
                status_body(isEnabled=True, verifiedMethods=["totp"], configuredMethods=["totp"],
                            totpDevices=devs))


def test_toggle_enable_disable_and_mfa_pending_tokens(srv):
    email, at, rt = new_user(srv)
    assert_json(call(srv, "POST", "mfa/toggle", at, {"enabled": True}), 200, MSG_ENABLED)
    # enabling twice is fine
    assert_json(call(srv, "POST", "mfa/toggle", at, {"enabled": True}), 200, MSG_ENABLED)
    assert get_status(srv, at) == status_body(isEnabled=True)
    # the current token is unchanged and still fully usable
    assert jwt_payload(at)["isMfaEnabled"] is False
    user = assert_json(srv.client().get("/auth/user", bearer=at), 200)
    assert user["isMfaEnabled"] is True

    # after a refresh the claims carry the flag, the session is not MFA-verified: pending
    at2, rt2 = refresh(srv, rt)
    claims = jwt_payload(at2)
    assert claims["isMfaEnabled"] is True and claims["isMfaVerified"] is False, claims
    assert_json(srv.client().get("/auth/user", bearer=at2), 401, ERR_MFA_REQUIRED)
    me = assert_json(srv.client().get("/auth/me", bearer=at2), 200)
    assert me["isMfaEnabled"] is True and me["email"] == email, me
    # skip-MFA routes of the MFA controller work, the others answer MFA_REQUIRED (raw shape)
    assert get_status(srv, at2) == status_body(isEnabled=True)
    assert get_devices(srv, at2) == []
    for method, route, body in MFA_ENFORCED:
        assert_json(call(srv, method, route, at2, body), 401, ERR_RAW_MFA_REQUIRED)
    assert_json(call(srv, "POST", "mfa/toggle", at2, {"enabled": False}), 401,
                ERR_RAW_MFA_REQUIRED)
    assert get_devices(srv, at2) == []  # the rejected setup-totp created nothing

    # disable with the old (not pending) token
    assert_json(call(srv, "POST", "mfa/toggle", at, {"enabled": False}), 200, MSG_DISABLED)
    assert_json(call(srv, "POST", "mfa/toggle", at, {"enabled": False}), 200, MSG_DISABLED)
    assert get_status(srv, at) == status_body()
    assert assert_json(srv.client().get("/auth/user", bearer=at), 200)["isMfaEnabled"] is False
    # the pending token keeps its claims until the next refresh
    assert_json(srv.client().get("/auth/user", bearer=at2), 401, ERR_MFA_REQUIRED)
    at3, _ = refresh(srv, rt2)
    assert jwt_payload(at3)["isMfaEnabled"] is False
    assert assert_json(srv.client().get("/auth/user", bearer=at3), 200)["isMfaEnabled"] is False


def test_toggle_validation_missing_enabled(srv):
    """`enabled` is @IsDefined() @IsBoolean(): a missing/null value fails both, and the
    MFA controller's raw validation body lists all messages (errors.md §1 B)."""
    _, at, _ = new_user(srv)
    both = ("enabled should not be null or undefined", "enabled must be a boolean value")
    assert_validation(call(srv, "POST", "mfa/toggle", at, {}), *both)
    assert_validation(call(srv, "POST", "mfa/toggle", at), *both)
    assert_validation(call(srv, "POST", "mfa/toggle", at, {"enabled": None}), *both)
    assert get_status(srv, at)["isEnabled"] is False


def test_toggle_validation_wrong_type(srv):
    _, at, _ = new_user(srv)
    # not coerced (compatibility.md: wrong JSON types are 400s)
    for v in ("yes", "true", 1, 0, [], {}):
        assert_validation(call(srv, "POST", "mfa/toggle", at, {"enabled": v}),
                          "enabled must be a boolean value")
    assert get_status(srv, at)["isEnabled"] is False


def test_toggle_not_allowed(server_factory):
    """--mfa-allow-user-toggle false: both directions 403; totp not configured."""
    s = server_factory("--mfa-enabled", "true", "--mfa-allow-user-toggle", "false",
                       "--mfa-methods", "sms,email")
    _, at, _ = new_user(s)
    expected = status_body(configuredMethods=["sms", "email"], allowUserToggle=False,
                           canToggle=False)
    assert_json(call(s, "GET", "mfa/status", at), 200, expected)
    assert_json(call(s, "POST", "mfa/toggle", at, {"enabled": True}), 403, ERR_TOGGLE_NOT_ALLOWED)
    assert_json(call(s, "POST", "mfa/toggle", at, {"enabled": False}), 403, ERR_TOGGLE_NOT_ALLOWED)
    # a verified device is listed but is no method while totp is not in mfa.methods
    enroll(s, at)
    devs = get_devices(s, at)
    assert [d["verified"] for d in devs] == [True]
    assert_json(call(s, "GET", "mfa/status", at), 200, dict(expected, totpDevices=devs))


def test_required_mode(server_factory):
    """--mfa-required true: status isEnabled/required, canToggle false (mfa.md §7).

    Deliberate deviation (docs/compatibility.md, "mfa.required for a user with nothing
    enrolled"): such sessions are pending (claims isMfaEnabled:true, isMfaVerified:false),
    MFA-enforced routes answer 401 MFA_REQUIRED; a user with nothing to verify with may
    still enrol (setup-totp, verify-totp-setup) - an e-mail address already counts."""
    s = server_factory("--mfa-enabled", "true", "--mfa-required", "true",
                       "--auth-phone-enabled", "true")
    required = status_body(isEnabled=True, required=True, canToggle=False)

    # e-mail user: e-mail is a method, so the pending session can only verify, not enrol
    _, at, _ = new_user(s)
    claims = jwt_payload(at)
    assert claims["isMfaEnabled"] is True and claims["isMfaVerified"] is False, claims
    assert_json(call(s, "GET", "mfa/status", at), 200, required)
    assert_json(s.client().get("/auth/user", bearer=at), 401, ERR_MFA_REQUIRED)
    for method, route, body in MFA_ENFORCED:
        assert_json(call(s, method, route, at, body), 401, ERR_RAW_MFA_REQUIRED)
    assert_json(call(s, "POST", "mfa/toggle", at, {"enabled": False}), 401, ERR_RAW_MFA_REQUIRED)
    assert get_devices(s, at) == []

    # phone-only user (methods email,totp): nothing to verify with, so enrolment is open
    phone, at, _ = phone_user(s)
    claims = jwt_payload(at)
    assert claims["isMfaEnabled"] is True and claims["isMfaVerified"] is False, claims
    assert_json(call(s, "GET", "mfa/status", at), 200, dict(required, verifiedMethods=[]))
    for method, route, body in MFA_ENFORCED:
        if route in ("mfa/setup-totp", "mfa/verify-totp-setup"):
            continue
        assert_json(call(s, method, route, at, body), 401, ERR_RAW_MFA_REQUIRED)
    js = setup_totp(s, at)
    assert js["account"] == phone
    r = call(s, "POST", "mfa/verify-totp-setup", at, {"otp": wrong_totp(js["secret"]),
                                                      "secret": js["secret"]})
    assert_json(r, 401, ERR_INVALID_OTP)
    _, dev = enroll(s, at)
    devs = get_devices(s, at)
    assert len(devs) == 2 and dev in {d["id"] for d in devs}, devs
    assert_json(call(s, "GET", "mfa/status", at), 200,
                dict(required, verifiedMethods=["totp"], totpDevices=devs))
    # now it has a factor: the pending session must verify first
    assert_json(call(s, "POST", "mfa/setup-totp", at, {}), 401, ERR_RAW_MFA_REQUIRED)
    r = call(s, "POST", "mfa/verify-totp-setup", at, {"otp": totp(js["secret"]),
                                                      "secret": js["secret"]})
    assert_json(r, 401, ERR_RAW_MFA_REQUIRED)
    assert len(get_devices(s, at)) == 2


def test_required_mode_refuses_toggle(server_factory):
    """A session that is not MFA-pending (issued before --mfa-required was switched on)
    reaches the handler: 403 MFA_TOGGLING_NOT_ALLOWED in both directions (canToggle false)."""
    s = server_factory("--mfa-enabled", "true")
    _, at, _ = new_user(s)
    assert jwt_payload(at)["isMfaEnabled"] is False
    s.stop()
    s.extra += ["--mfa-required", "true"]
    s.start()
    assert_json(call(s, "GET", "mfa/status", at), 200,
                status_body(isEnabled=True, required=True, canToggle=False))
    assert_json(call(s, "POST", "mfa/toggle", at, {"enabled": True}), 403, ERR_TOGGLE_NOT_ALLOWED)
    assert_json(call(s, "POST", "mfa/toggle", at, {"enabled": False}), 403, ERR_TOGGLE_NOT_ALLOWED)


# --------------------------------------------------------------------------
# setup-totp bounds (authd only: the reference stores a device per call)
# --------------------------------------------------------------------------

ERR_DEVICE_LIMIT = raw("Maximum number of MFA devices reached; remove a device before adding another",
                       "MFA_DEVICE_LIMIT_REACHED")


def test_setup_totp_caps_devices_per_user(server_factory):
    s = server_factory("--mfa-enabled", "true", "--mfa-max-totp-devices", "3")
    _, at, _ = new_user(s)
    _, first = enroll(s, at)  # verified devices count too
    setup_totp(s, at)
    setup_totp(s, at)
    for _ in range(3):
        assert_json(call(s, "POST", "mfa/setup-totp", at, {}), 400, ERR_DEVICE_LIMIT)
    assert len(get_devices(s, at)) == 3
    # another user has a budget of its own
    _, at_b, _ = new_user(s)
    setup_totp(s, at_b)
    # removing a device makes room
    assert_json(call(s, "DELETE", f"mfa/devices/{first}", at), 200, MSG_DEVICE_REMOVED)
    setup_totp(s, at)
    assert_json(call(s, "POST", "mfa/setup-totp", at, {}), 400, ERR_DEVICE_LIMIT)


def test_abandoned_setups_expire_and_stop_counting(server_factory):
    s = server_factory("--mfa-enabled", "true", "--mfa-max-totp-devices", "2",
                       "--mfa-totp-setup-ttl", "1s")
    _, at, _ = new_user(s)
    old = setup_totp(s, at)
    setup_totp(s, at)
    assert_json(call(s, "POST", "mfa/setup-totp", at, {}), 400, ERR_DEVICE_LIMIT)
    time.sleep(1.2)
    assert get_devices(s, at) == []  # unverified and expired: not listed
    r = call(s, "POST", "mfa/verify-totp-setup", at, {"otp": totp(old["secret"]),
                                                      "secret": old["secret"]})
    assert_json(r, 401, ERR_INVALID_OTP)
    fresh = setup_totp(s, at)  # the expired ones no longer count (and are deleted)
    away_from_step_edge(0.5)
    r = call(s, "POST", "mfa/verify-totp-setup", at, {"otp": totp(fresh["secret"]),
                                                      "secret": fresh["secret"]})
    assert_json(r, 200, MSG_DEVICE_SETUP)
    devices = get_devices(s, at)
    assert len(devices) == 1 and devices[0]["verified"] is True, devices


def test_setup_totp_is_rate_limited_per_account(server_factory):
    from conftest import Client
    s = server_factory("--mfa-enabled", "true", "--rate-limit-mfa-setup", "3/1m", throttle=True)
    _, at, _ = new_user(s)
    for _ in range(3):
        setup_totp(s, at)
    r = call(s, "POST", "mfa/setup-totp", at, {})
    assert_json(r, 429, raw("Too many requests. Please try again later.", "RATE_LIMITED"))
    assert r.header("Retry-After") is not None
    # per account: another IP does not help
    r = Client(s.port, source_ip="127.0.0.2").post("/auth/mfa/setup-totp", {}, bearer=at)
    assert_json(r, 429, raw("Too many requests. Please try again later.", "RATE_LIMITED"))
    assert len(get_devices(s, at)) == 3


def test_setup_totp_default_cap_is_ten(srv):
    _, at, _ = new_user(srv)
    for _ in range(10):
        setup_totp(srv, at)
    assert_json(call(srv, "POST", "mfa/setup-totp", at, {}), 400, ERR_DEVICE_LIMIT)
    assert len(get_devices(srv, at)) == 10
