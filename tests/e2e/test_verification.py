"""E-mail and phone verification (api.md §3, mfa.md §4).

Codes are read from real deliveries: e-mail through the in-process SMTP sink,
SMS through the local webhook receiver (signature checked). The module
server names the app with non-ASCII characters to check UTF-8 e-mail.
"""

import datetime
import time

import pytest

from conftest import (
    bad_request, coded,
    CODED_ERROR_KEYS, ERR_CODE_EXHAUSTED, ERR_CODE_INVALID, ERR_CODE_REQUIRED, ERR_INVALID_TOKEN,
    ERR_NO_AUTH, ERR_RATE_LIMITED, ISO_MS_RE, PASSWORD, Client, SmtpSink, WebhookReceiver,
    assert_json, assert_token_body, code_from_text, jwt_payload, new_user, unique_email,
    unique_phone,
)

APP_NAME = "Bäckerei Müller"
SMS_SECRET = "e2e-verification-sms-secret-42"

EMAIL_SENT = {"message": "Verification email sent"}
EMAIL_VERIFIED = {"message": "Email verified successfully"}
SMS_SENT = {"message": "Verification SMS sent"}
PHONE_VERIFIED = {"message": "Phone verified successfully"}

ROUTES = ["send-email-verification", "verify-email", "send-phone-verification", "verify-phone"]


ERR_NO_EMAIL = coded("User does not have an email address", "NO_EMAIL_ADDRESS")
ERR_NO_PHONE = coded("User does not have a phone number", "NO_PHONE_NUMBER")
ERR_EMAIL_VERIFIED = coded("Email is already verified", "EMAIL_ALREADY_VERIFIED")
ERR_PHONE_VERIFIED = coded("Phone number is already verified", "PHONE_ALREADY_VERIFIED")


@pytest.fixture(scope="module")
def srv(smtp_sink, webhook_receiver, server_factory):
    return server_factory(*smtp_sink.flags(app_name=APP_NAME),
                          *webhook_receiver.sms_flags(SMS_SECRET),
                          "--courier-retry-initial", "200ms",
                          "--session-access-token-type", "header")


def post(srv, route, bearer, body=None):
    c = srv.client()
    if body is None:
        return c.post("/auth/" + route, bearer=bearer)
    return c.post("/auth/" + route, body, bearer=bearer)


def email_code(srv, sink, at, addr):
    n = len(sink.messages_to(addr))
    assert_json(post(srv, "send-email-verification", at, {}), 200, EMAIL_SENT)
    return SmtpSink.code_from(sink.wait_for(to=addr, count=n + 1)[-1])


def sms_for(recv, phone):
    return recv.matching("/sms", pred=lambda q: (q.json or {}).get("to") == phone)


def sms_code(srv, recv, at, phone):
    n = len(sms_for(recv, phone))
    assert_json(post(srv, "send-phone-verification", at, {}), 200, SMS_SENT)
    req = recv.wait_for("/sms", count=n + 1, pred=lambda q: (q.json or {}).get("to") == phone)[-1]
    WebhookReceiver.check_signature(req, SMS_SECRET)
    return req, code_from_text(req.json["body"])


def wrong_code(code):
    return f"{(int(code) + 1) % 1000000:06d}"


def phone_user(srv, with_email=False):
    phone = unique_phone()
    body = {"phone": phone, "password": PASSWORD}
    addr = None
    if with_email:
        addr = unique_email("both")
        body["email"] = addr
    at, rt = assert_token_body(srv.client().post("/auth/signup", body), "Signup successful")
    return phone, addr, at, rt


def get_user(srv, at):
    return assert_json(srv.client().get("/auth/user", bearer=at), 200)


def assert_recent_iso(value):
    assert value is not None and ISO_MS_RE.match(value), value
    ts = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    assert abs(ts - time.time()) <= 30, value


# --------------------------------------------------------------------------
# e-mail
# --------------------------------------------------------------------------

def test_email_verification_journey(srv, smtp_sink):
    c = srv.client()
    addr, at, rt = new_user(srv)
    r = post(srv, "send-email-verification", at, {})
    assert_json(r, 200, EMAIL_SENT)
    assert r.set_cookies == []
    msg = smtp_sink.wait_for(to=addr)[0]
    assert msg.mail_from == "no-reply@example.test", msg
    assert APP_NAME in msg.subject, msg  # UTF-8 subject survives (RFC 2047 or SMTPUTF8)
    assert msg.message.get_content_type() == "text/plain"
    assert msg.message.get_content_charset() == "utf-8"
    code = SmtpSink.code_from(msg)

    assert_json(post(srv, "verify-email", at, {"code": "   "}), 400, ERR_CODE_REQUIRED)
    assert_json(post(srv, "verify-email", at, {"code": wrong_code(code)}), 400, ERR_CODE_INVALID)
    assert get_user(srv, at)["emailVerifiedAt"] is None
    r = post(srv, "verify-email", at, {"code": code})
    assert_json(r, 200, EMAIL_VERIFIED)

    user = get_user(srv, at)
    assert_recent_iso(user["emailVerifiedAt"])
    assert user["phoneVerifiedAt"] is None
    me = assert_json(c.get("/auth/me", bearer=at), 200)
    assert me["emailVerifiedAt"] == user["emailVerifiedAt"]
    # existing access tokens keep their claim until refreshed
    assert jwt_payload(at)["emailVerifiedAt"] is None
    r = c.post("/auth/refresh-token", {"refreshToken": rt})
    at2, _ = assert_token_body(r, "Token refreshed successfully")
    assert jwt_payload(at2)["emailVerifiedAt"] is not None

    # already verified: no new code, no e-mail; verify refused before the code is looked at
    assert_json(post(srv, "send-email-verification", at2, {}), 400, ERR_EMAIL_VERIFIED)
    assert_json(post(srv, "verify-email", at2, {"code": code}), 400, ERR_EMAIL_VERIFIED)
    time.sleep(0.3)
    assert len(smtp_sink.messages_to(addr)) == 1


def test_email_code_rules(srv, smtp_sink):
    addr, at, _ = new_user(srv)
    # nothing requested yet
    assert_json(post(srv, "verify-email", at, {"code": "123456"}), 400, ERR_CODE_INVALID)
    # a send without a body works too (all its fields are optional)
    n = len(smtp_sink.messages_to(addr))
    assert_json(post(srv, "send-email-verification", at), 200, EMAIL_SENT)
    first = SmtpSink.code_from(smtp_sink.wait_for(to=addr, count=n + 1)[-1])
    second = email_code(srv, smtp_sink, at, addr)
    while second == first:
        second = email_code(srv, smtp_sink, at, addr)
    # newest code wins; the first one is dead
    assert_json(post(srv, "verify-email", at, {"code": first}), 400, ERR_CODE_INVALID)
    # attempts: the failure above counted as the 1st; 3 more, then the 5th exhausts it
    for _ in range(3):
        assert_json(post(srv, "verify-email", at, {"code": wrong_code(second)}), 400,
                    ERR_CODE_INVALID)
    assert_json(post(srv, "verify-email", at, {"code": wrong_code(second)}), 400,
                ERR_CODE_EXHAUSTED)
    assert_json(post(srv, "verify-email", at, {"code": second}), 400, ERR_CODE_INVALID)
    third = email_code(srv, smtp_sink, at, addr)
    assert_json(post(srv, "verify-email", at, {"code": f" {third}  "}), 200, EMAIL_VERIFIED)


def test_verification_requires_a_session(srv):
    c = srv.client()
    for route in ROUTES:
        body = {"code": "123456"} if route.startswith("verify") else {}
        assert_json(c.post("/auth/" + route, body), 401, ERR_NO_AUTH)
        assert_json(c.post("/auth/" + route, body, bearer="garbage"), 401, ERR_INVALID_TOKEN)


def test_verification_validation(srv):
    _, at, _ = new_user(srv)
    for route in ("verify-email", "verify-phone"):
        assert_json(post(srv, route, at, {}), 400, bad_request("code should not be empty"))
        assert_json(post(srv, route, at, {"code": ""}), 400, bad_request("code should not be empty"))
        assert_json(post(srv, route, at, {"code": "123456", "tenantId": "nope"}), 400,
                    bad_request("tenantId must be a UUID"))
    for route in ("send-email-verification", "send-phone-verification"):
        assert_json(post(srv, route, at, {"tenantId": "nope"}), 400,
                    bad_request("tenantId must be a UUID"))


# --------------------------------------------------------------------------
# phone
# --------------------------------------------------------------------------

def test_phone_verification_journey(srv, webhook_receiver, smtp_sink):
    phone, _, at, _ = phone_user(srv)
    r = post(srv, "send-phone-verification", at, {})
    assert_json(r, 200, SMS_SENT)
    req = webhook_receiver.wait_for("/sms", pred=lambda q: (q.json or {}).get("to") == phone)[0]
    WebhookReceiver.check_signature(req, SMS_SECRET)
    js = req.json
    assert list(js) == ["id", "channel", "to", "kind", "body", "createdAt"], js
    assert js["channel"] == "sms" and js["kind"] == "phone_verification", js
    assert req.header("X-Authd-Message-Id") == js["id"]
    assert req.header("X-Authd-Kind") == "phone_verification"
    code = code_from_text(js["body"])
    assert_json(post(srv, "verify-phone", at, {"code": "  "}), 400, ERR_CODE_REQUIRED)
    assert_json(post(srv, "verify-phone", at, {"code": wrong_code(code)}), 400, ERR_CODE_INVALID)
    assert_json(post(srv, "verify-phone", at, {"code": code}), 200, PHONE_VERIFIED)
    user = get_user(srv, at)
    assert user["phone"] == phone
    assert_recent_iso(user["phoneVerifiedAt"])
    assert user["emailVerifiedAt"] is None
    assert_json(post(srv, "send-phone-verification", at, {}), 400, ERR_PHONE_VERIFIED)
    assert_json(post(srv, "verify-phone", at, {"code": code}), 400, ERR_PHONE_VERIFIED)
    # a phone-only user has no e-mail to verify
    assert_json(post(srv, "send-email-verification", at, {}), 400, ERR_NO_EMAIL)
    assert_json(post(srv, "verify-email", at, {"code": "123456"}), 400, ERR_NO_EMAIL)
    time.sleep(0.3)
    assert len(sms_for(webhook_receiver, phone)) == 1


def test_no_phone_number_for_email_user(srv, webhook_receiver):
    _, at, _ = new_user(srv)
    assert_json(post(srv, "send-phone-verification", at, {}), 400, ERR_NO_PHONE)
    assert_json(post(srv, "verify-phone", at, {"code": "123456"}), 400, ERR_NO_PHONE)
    js = assert_json(post(srv, "send-phone-verification", at, {}), 400)
    assert list(js) == CODED_ERROR_KEYS


def test_purpose_separation(srv, smtp_sink, webhook_receiver):
    """A code only ever works for the purpose it was made for."""
    phone, addr, at, _ = phone_user(srv, with_email=True)
    _, sms = sms_code(srv, webhook_receiver, at, phone)
    # the phone code never verifies the e-mail (no e-mail code exists)
    assert_json(post(srv, "verify-email", at, {"code": sms}), 400, ERR_CODE_INVALID)
    mail = email_code(srv, smtp_sink, at, addr)
    if mail != sms:
        assert_json(post(srv, "verify-phone", at, {"code": mail}), 400, ERR_CODE_INVALID)
        assert_json(post(srv, "verify-email", at, {"code": sms}), 400, ERR_CODE_INVALID)
    # a password-reset code verifies neither, a verification code resets nothing
    n = len(smtp_sink.messages_to(addr))
    r = srv.client().post("/auth/forgot-password", {"email": addr})
    assert r.status == 200, r
    reset_code = SmtpSink.code_from(smtp_sink.wait_for(to=addr, count=n + 1)[-1])
    if reset_code not in (mail, sms):
        assert_json(post(srv, "verify-email", at, {"code": reset_code}), 400, ERR_CODE_INVALID)
        assert_json(post(srv, "verify-phone", at, {"code": reset_code}), 400, ERR_CODE_INVALID)
    if mail != reset_code:
        r = srv.client().post("/auth/verify-forgot-password-otp", {"email": addr, "code": mail})
        assert_json(r, 400, ERR_CODE_INVALID)
    # each code still works for its own purpose (1-3 failed attempts each, under 5)
    assert_json(post(srv, "verify-email", at, {"code": mail}), 200, EMAIL_VERIFIED)
    assert_json(post(srv, "verify-phone", at, {"code": sms}), 200, PHONE_VERIFIED)
    r = srv.client().post("/auth/verify-forgot-password-otp", {"email": addr, "code": reset_code})
    assert_json(r, 200, keys=["message", "resetToken"])
    user = get_user(srv, at)
    assert user["emailVerifiedAt"] is not None and user["phoneVerifiedAt"] is not None


# --------------------------------------------------------------------------
# rate limit of the send endpoints (authd's own bucket)
# --------------------------------------------------------------------------

def test_send_rate_limit(smtp_sink, webhook_receiver, server_factory):
    s = server_factory(*smtp_sink.flags(), *webhook_receiver.sms_flags(SMS_SECRET),
                       "--rate-limit-verification-send", "3/1m", "--lockout-enabled", "false",
                       throttle=True)
    addr, at, _ = new_user(s)
    for _ in range(3):
        assert_json(post(s, "send-email-verification", at, {}), 200, EMAIL_SENT)
    smtp_sink.wait_for(to=addr, count=3)
    r = post(s, "send-email-verification", at, {})
    assert_json(r, 429, ERR_RATE_LIMITED)
    v = r.header("Retry-After")
    assert v is not None and v.isdigit() and 1 <= int(v) <= 60, r
    time.sleep(0.3)
    assert len(smtp_sink.messages_to(addr)) == 3
    # the newest code still verifies (verify is not throttled by this
    # bucket). Two sender threads may deliver the three mails in any order,
    # so try them newest-delivered first: exactly one is live.
    answers = [post(s, "verify-email", at, {"code": SmtpSink.code_from(m)})
               for m in reversed(smtp_sink.messages_to(addr))]
    assert [r.status for r in answers].count(200) == 1, answers
    assert_json(next(r for r in answers if r.status == 200), 200, EMAIL_VERIFIED)

    # phone sends: another user from another client address
    c2 = Client(s.port, source_ip="127.0.0.2")
    phone = unique_phone()
    at2, _ = assert_token_body(c2.post("/auth/signup", {"phone": phone, "password": PASSWORD}),
                               "Signup successful")
    for _ in range(3):
        assert_json(c2.post("/auth/send-phone-verification", {}, bearer=at2), 200, SMS_SENT)
    r = c2.post("/auth/send-phone-verification", {}, bearer=at2)
    assert_json(r, 429, ERR_RATE_LIMITED)
    assert r.header("Retry-After") is not None
    webhook_receiver.wait_for("/sms", count=3, pred=lambda q: (q.json or {}).get("to") == phone)
    time.sleep(0.3)
    assert len(sms_for(webhook_receiver, phone)) == 3
