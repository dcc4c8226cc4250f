"""Password reset by one-time code (api.md §2, mfa.md §4): forgot-password,
verify-forgot-password-otp, reset-password.

Codes are read from real deliveries: e-mail through an in-process SMTP sink
(aiosmtpd), SMS through a local webhook receiver whose signature is checked.
Module server: header mode, a known JWT secret (to mint reset tokens), phone
accounts on, throttling off; other servers for expiry, attempt limits and
rate limits.
"""

import re
import time
import uuid

import pytest

from conftest import (
    bad_request, coded,
    ERR_CODE_INVALID, ERR_CODE_REQUIRED,
    ERR_INVALID_CREDENTIALS, ERR_RATE_LIMITED, ERR_SESSION_NOT_FOUND, JWT_RE,
    KNOWN_SECRET, PASSWORD, UUID4_RE, Client, SmtpSink, WebhookReceiver, assert_json,
    assert_token_body, code_from_text, jwt_alg_none, jwt_parts, jwt_sign, login, new_user,
    run_together, signup, unique_email, unique_phone,
)

APP_NAME = "AcmeResetE2E"
SMS_SECRET = "e2e-sms-webhook-secret-0123456789"
NEW_PASSWORD = "An0ther!Passw0rd"
THIRD_PASSWORD = "Th1rd!Passw0rd#"

FORGOT_OK = {"message": "If your email is registered, you will receive a password reset link"}
RESET_OK = {"message": "Password has been reset successfully"}


# verify-forgot-password-otp gives one answer to every wrong code, with or
# without an account (docs/compatibility.md: the reference answers unknown
# accounts PASSWORD_RESET_INVALID_REQUEST "Invalid reset request").
ERR_RESET_REQUEST = ERR_CODE_INVALID
ERR_TOKEN_INVALID = coded("Invalid or expired reset token", "PASSWORD_RESET_TOKEN_INVALID")
ERR_TOKEN_STALE = coded("Reset token is no longer valid", "PASSWORD_RESET_TOKEN_INVALID")
ERR_TOKEN_TYPE = coded("Invalid token type", "PASSWORD_RESET_TOKEN_INVALID")


@pytest.fixture(scope="module")
def srv(smtp_sink, webhook_receiver, server_factory):
    return server_factory(*smtp_sink.flags(app_name=APP_NAME),
                          *webhook_receiver.sms_flags(SMS_SECRET),
                          "--courier-retry-initial", "200ms",
                          "--session-access-token-type", "header",
                          "--session-jwt-secret", KNOWN_SECRET)


@pytest.fixture(scope="module")
def expiry_srv(smtp_sink, server_factory):
    """One-time codes live 2 s; phone accounts off."""
    return server_factory(*smtp_sink.flags(app_name=APP_NAME), "--otp-code-expires-in", "2s")


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def forgot(srv, body, client=None):
    return (client or srv.client()).post("/auth/forgot-password", body)


def verify_otp(srv, body, client=None):
    return (client or srv.client()).post("/auth/verify-forgot-password-otp", body)


def reset(srv, token, new_password, client=None):
    return (client or srv.client()).post("/auth/reset-password",
                                         {"token": token, "newPassword": new_password})


def request_code(srv, sink, email):
    """forgot-password for `email`; waits for the new e-mail; returns its code."""
    n = len(sink.messages_to(email))
    assert_json(forgot(srv, {"email": email}), 200, FORGOT_OK)
    return SmtpSink.code_from(sink.wait_for(to=email, count=n + 1)[-1])


def reset_token_for(srv, sink, email):
    code = request_code(srv, sink, email)
    js = assert_json(verify_otp(srv, {"email": email, "code": code}), 200,
                     keys=["message", "resetToken"])
    return js["resetToken"]


def wrong_code(code):
    return f"{(int(code) + 1) % 1000000:06d}"


def user_id(access_token):
    return jwt_parts(access_token)[1]["sub"]


def reset_payload(uid, prefix="", type_="password-reset", exp_in=3600):
    now = int(time.time())
    return {"userId": uid, "passwordHashPrefix": prefix, "tenantId": None, "type": type_,
            "exp": now + exp_in, "iat": now}


def retry_after(resp, max_s):
    v = resp.header("Retry-After")
    assert v is not None and v.isdigit(), f"429 without integer Retry-After: {resp!r}"
    assert 1 <= int(v) <= max_s, f"Retry-After {v} not in [1, {max_s}]"


# --------------------------------------------------------------------------
# the journey
# --------------------------------------------------------------------------

def test_full_reset_journey(srv, smtp_sink):
    c = srv.client()
    email, at1, rt1 = new_user(srv)
    other = login(srv, email).json
    r = forgot(srv, {"email": email})
    assert_json(r, 200, FORGOT_OK)
    assert r.set_cookies == []

    # the e-mail: envelope, headers, plain UTF-8 text with the code
    msg = smtp_sink.wait_for(to=email)[0]
    assert msg.mail_from == "no-reply@example.test", msg
    assert [t.lower() for t in msg.rcpt_tos] == [email.lower()], msg
    assert "no-reply@example.test" in str(msg.message["From"]), msg
    assert email.lower() in str(msg.message["To"]).lower(), msg
    assert APP_NAME in msg.subject, msg
    assert msg.message["Date"], msg
    assert msg.message.get_content_type() == "text/plain", msg
    assert msg.message.get_content_charset() == "utf-8", msg
    code = SmtpSink.code_from(msg)

    r = verify_otp(srv, {"email": email, "code": code})
    js = assert_json(r, 200, keys=["message", "resetToken"])
    assert js["message"] == "OTP verified successfully"
    token = js["resetToken"]
    assert JWT_RE.match(token), token
    assert jwt_parts(token)[1]["userId"] == user_id(at1)
    # a reset token is not an access token
    r = c.get("/auth/me", bearer=token)
    assert r.status == 401 and r.json["code"] == "INVALID_TOKEN", r

    r = reset(srv, token, NEW_PASSWORD)
    assert_json(r, 200, RESET_OK)
    assert r.set_cookies == []
    # every session of the user is gone
    for at in (at1, other["accessToken"]):
        assert_json(c.get("/auth/me", bearer=at), 401, ERR_SESSION_NOT_FOUND)
    for rt in (rt1, other["refreshToken"]):
        assert_json(c.post("/auth/refresh-token", {"refreshToken": rt}), 401, ERR_SESSION_NOT_FOUND)
    # old password refused, new one works
    assert_json(login(srv, email, expect=None), 401, ERR_INVALID_CREDENTIALS)
    at2, _ = assert_token_body(login(srv, email, password=NEW_PASSWORD), "Login successful")
    assert_json(c.get("/auth/me", bearer=at2), 200)
    # the reset token is single-use: the password it was issued for is gone
    assert_json(reset(srv, token, THIRD_PASSWORD), 400, ERR_TOKEN_STALE)
    login(srv, email, password=NEW_PASSWORD)
    assert_json(login(srv, email, password=THIRD_PASSWORD, expect=None), 401,
                ERR_INVALID_CREDENTIALS)
    # the code was consumed (transcripts.md "same code again (consumed)": Invalid ...)
    assert_json(verify_otp(srv, {"email": email, "code": code}), 400, ERR_CODE_INVALID)


def test_reset_token_claims(srv, smtp_sink):
    email, at, _ = new_user(srv)
    token = reset_token_for(srv, smtp_sink, email)
    header, payload, _ = jwt_parts(token)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert payload["userId"] == user_id(at)
    assert re.fullmatch(r"[0-9a-f]{64}", payload["passwordHashPrefix"]), payload
    assert payload["tenantId"] is None and payload["type"] == "password-reset"
    assert payload["exp"] - payload["iat"] == 3600 and abs(payload["iat"] - time.time()) <= 10
    # tokens-and-sessions.md §7 "(key order as observed)"; the reference signs
    # {...payload, exp, iat} (jwt.service.js generatePasswordResetToken)
    assert list(payload) == ["userId", "passwordHashPrefix", "tenantId", "type", "exp", "iat"], payload


def test_unknown_email_same_answer_and_no_mail(srv, smtp_sink):
    email, _ = signup(srv)
    ghost = unique_email("ghost")
    r_ghost = forgot(srv, {"email": ghost})
    r_known = forgot(srv, {"email": email})
    assert_json(r_ghost, 200, FORGOT_OK)
    assert_json(r_known, 200, FORGOT_OK)
    assert r_ghost.body == r_known.body
    assert r_ghost.header("Content-Type") == r_known.header("Content-Type")
    smtp_sink.wait_for(to=email)
    time.sleep(0.5)
    assert smtp_sink.messages_to(ghost) == []
    assert_json(verify_otp(srv, {"email": ghost, "code": "123456"}), 400, ERR_RESET_REQUEST)


def test_verify_otp_does_not_tell_whether_an_account_exists(srv, smtp_sink):
    # Regression (issue 11 §3.8): an unknown address used to get 400
    # PASSWORD_RESET_INVALID_REQUEST, a known one VERIFICATION_CODE_INVALID;
    # a used-up code "Too many invalid attempts" told it too.
    known, _ = signup(srv)
    with_code, _ = signup(srv)
    code = request_code(srv, smtp_sink, with_code)
    bad = wrong_code(code)
    answers = [verify_otp(srv, {"email": e, "code": bad})
               for e in (unique_email("ghost"), known, with_code)]
    for _ in range(4):  # use the code up
        answers.append(verify_otp(srv, {"email": with_code, "code": bad}))
    answers.append(verify_otp(srv, {"email": unique_email("ghost"), "code": "   "}))
    for r in answers[:-1]:
        assert_json(r, 400, ERR_CODE_INVALID)
        assert r.body == answers[0].body
    assert_json(answers[-1], 400, ERR_CODE_REQUIRED)  # as for a known account


def test_reset_tokens_die_when_the_password_changes(srv, smtp_sink):
    """Every outstanding reset token is bound to the password hash it was issued for."""
    email, at, _ = new_user(srv)
    token_a = reset_token_for(srv, smtp_sink, email)
    token_b = reset_token_for(srv, smtp_sink, email)
    # a policy failure changes nothing: the token stays usable
    assert_json(reset(srv, token_b, "password123"), 400,
                coded("This password is too common", "PASSWORD_TOO_COMMON"))
    assert_json(reset(srv, token_b, NEW_PASSWORD), 200, RESET_OK)
    assert_json(reset(srv, token_a, THIRD_PASSWORD), 400, ERR_TOKEN_STALE)
    # change-password also kills outstanding reset tokens
    token_c = reset_token_for(srv, smtp_sink, email)
    at2 = login(srv, email, password=NEW_PASSWORD).json["accessToken"]
    r = srv.client().post("/auth/change-password",
                          {"currentPassword": NEW_PASSWORD, "newPassword": THIRD_PASSWORD},
                          bearer=at2)
    assert_json(r, 200, {"message": "Password changed successfully"})
    assert_json(reset(srv, token_c, PASSWORD), 400, ERR_TOKEN_STALE)
    login(srv, email, password=THIRD_PASSWORD)


def test_reset_password_token_errors(srv):
    email, at, rt = new_user(srv)
    uid = user_id(at)
    assert_json(reset(srv, "garbage", NEW_PASSWORD), 400, ERR_TOKEN_INVALID)
    assert_json(reset(srv, "a.b.c", NEW_PASSWORD), 400, ERR_TOKEN_INVALID)
    # access and refresh tokens are validly signed but are not reset tokens
    for tok in (at, rt):
        r = reset(srv, tok, NEW_PASSWORD)
        js = assert_json(r, 400)
        assert js in (ERR_TOKEN_TYPE, ERR_TOKEN_INVALID), js
        assert list(js) == ["statusCode", "error", "message", "code"], js
    # minted with the server's secret
    assert_json(reset(srv, jwt_sign(reset_payload(uid, type_="access"), KNOWN_SECRET),
                      NEW_PASSWORD), 400, ERR_TOKEN_TYPE)
    assert_json(reset(srv, jwt_sign(reset_payload(uid, exp_in=-10), KNOWN_SECRET),
                      NEW_PASSWORD), 400, ERR_TOKEN_INVALID)
    # the user has a password: an empty hash prefix (invitation style) is stale
    assert_json(reset(srv, jwt_sign(reset_payload(uid), KNOWN_SECRET), NEW_PASSWORD),
                400, ERR_TOKEN_STALE)
    assert_json(reset(srv, jwt_sign(reset_payload(uid, prefix="0" * 64), KNOWN_SECRET),
                      NEW_PASSWORD), 400, ERR_TOKEN_STALE)
    assert_json(reset(srv, jwt_sign(reset_payload(str(uuid.uuid4())), KNOWN_SECRET),
                      NEW_PASSWORD), 400, coded("User not found", "USER_NOT_FOUND"))
    # forged: other secret, alg none, tampered signature
    assert_json(reset(srv, jwt_sign(reset_payload(uid), "x" * 40), NEW_PASSWORD),
                400, ERR_TOKEN_INVALID)
    assert_json(reset(srv, jwt_alg_none(reset_payload(uid)), NEW_PASSWORD), 400, ERR_TOKEN_INVALID)
    good = jwt_sign(reset_payload(uid), KNOWN_SECRET)
    bad_sig = good[:-2] + ("AA" if good[-2:] != "AA" else "BB")
    assert_json(reset(srv, bad_sig, NEW_PASSWORD), 400, ERR_TOKEN_INVALID)
    # nothing changed
    assert_json(srv.client().get("/auth/me", bearer=at), 200)
    login(srv, email)


# --------------------------------------------------------------------------
# one-time code rules
# --------------------------------------------------------------------------

def test_verify_otp_code_errors(srv, smtp_sink):
    email, _ = signup(srv)
    # no code was ever requested
    assert_json(verify_otp(srv, {"email": email, "code": "123456"}), 400, ERR_CODE_INVALID)
    code = request_code(srv, smtp_sink, email)
    assert_json(verify_otp(srv, {"email": email, "code": "   "}), 400, ERR_CODE_REQUIRED)
    assert_json(verify_otp(srv, {"email": email, "code": "\t"}), 400, ERR_CODE_REQUIRED)
    assert_json(verify_otp(srv, {"email": email, "code": wrong_code(code)}), 400, ERR_CODE_INVALID)
    assert_json(verify_otp(srv, {"email": email, "code": code + "0"}), 400, ERR_CODE_INVALID)
    # the code is trimmed before it is compared
    r = verify_otp(srv, {"email": email, "code": f"  {code} "})
    js = assert_json(r, 200, keys=["message", "resetToken"])
    assert js["message"] == "OTP verified successfully"


def test_attempts_exhausted(srv, smtp_sink):
    email, _ = signup(srv)
    code = request_code(srv, smtp_sink, email)
    bad = wrong_code(code)
    for _ in range(4):
        assert_json(verify_otp(srv, {"email": email, "code": bad}), 400, ERR_CODE_INVALID)
    # the last attempt used the code up: the same answer as any wrong code
    assert_json(verify_otp(srv, {"email": email, "code": bad}), 400, ERR_CODE_INVALID)
    # the exhausted code was deleted (mfa.md §4.3; otp-flow.service.js): the right
    # code no longer matches anything and there is no live code left to count
    assert_json(verify_otp(srv, {"email": email, "code": code}), 400, ERR_CODE_INVALID)
    # a new code starts with a fresh budget
    code2 = request_code(srv, smtp_sink, email)
    for _ in range(4):
        assert_json(verify_otp(srv, {"email": email, "code": wrong_code(code2)}), 400,
                    ERR_CODE_INVALID)
    assert_json(verify_otp(srv, {"email": email, "code": code2}), 200,
                keys=["message", "resetToken"])


def test_max_attempts_flag(smtp_sink, server_factory):
    s = server_factory(*smtp_sink.flags(), "--otp-max-attempts", "2")
    email, _ = signup(s)
    code = request_code(s, smtp_sink, email)
    bad = wrong_code(code)
    assert_json(verify_otp(s, {"email": email, "code": bad}), 400, ERR_CODE_INVALID)
    assert_json(verify_otp(s, {"email": email, "code": bad}), 400, ERR_CODE_INVALID)
    assert_json(verify_otp(s, {"email": email, "code": code}), 400, ERR_CODE_INVALID)


def test_newest_code_wins(srv, smtp_sink):
    email, _ = signup(srv)
    first = request_code(srv, smtp_sink, email)
    second = request_code(srv, smtp_sink, email)
    while second == first:  # 1 in a million
        second = request_code(srv, smtp_sink, email)
    assert_json(verify_otp(srv, {"email": email, "code": first}), 400, ERR_CODE_INVALID)
    assert_json(verify_otp(srv, {"email": email, "code": second}), 200,
                keys=["message", "resetToken"])


def test_code_expiry(expiry_srv, smtp_sink):
    email, _ = signup(expiry_srv)
    code = request_code(expiry_srv, smtp_sink, email)
    time.sleep(2.5)
    # an expired code: the same answer as any wrong code (no enumeration)
    assert_json(verify_otp(expiry_srv, {"email": email, "code": code}), 400, ERR_CODE_INVALID)
    assert_json(verify_otp(expiry_srv, {"email": email, "code": code}), 400, ERR_CODE_INVALID)
    # a wrong code while only an expired one exists
    assert_json(verify_otp(expiry_srv, {"email": email, "code": wrong_code(code)}), 400,
                ERR_CODE_INVALID)
    code2 = request_code(expiry_srv, smtp_sink, email)
    js = assert_json(verify_otp(expiry_srv, {"email": email, "code": code2}), 200,
                     keys=["message", "resetToken"])
    assert_json(reset(expiry_srv, js["resetToken"], NEW_PASSWORD), 200, RESET_OK)
    login(expiry_srv, email, password=NEW_PASSWORD)


@pytest.mark.parametrize("n", [2, 8])
def test_concurrent_double_consume(srv, smtp_sink, n):
    """n requests with the same correct code at once: exactly one gets a reset token."""
    email, _ = signup(srv)
    code = request_code(srv, smtp_sink, email)
    clients = [Client(srv.port, keep=True) for _ in range(n)]
    for cl in clients:
        cl.conn.connect()
    results = run_together([lambda cl=cl: verify_otp(srv, {"email": email, "code": code},
                                                     client=cl)
                            for cl in clients], timeout=20)
    for cl in clients:
        cl.close()
    ok = [r for r in results if r is not None and r.status == 200]
    assert len(ok) == 1, f"{len(ok)} of {n} concurrent verifications succeeded: {results!r}"
    for r in results:
        if r.status != 200:
            assert_json(r, 400, ERR_CODE_INVALID)
    assert_json(reset(srv, ok[0].json["resetToken"], NEW_PASSWORD), 200, RESET_OK)


def test_concurrent_resets_with_one_token(srv, smtp_sink):
    """One reset token submitted 6 times at once: exactly one password wins.

    The update is a compare-and-set on the hash the token was checked
    against, so the token is single-use even under a race."""
    email, _ = signup(srv)
    token = reset_token_for(srv, smtp_sink, email)
    n = 6
    passwords = [f"Race-{i}-N3w!Passw0rd" for i in range(n)]
    clients = [Client(srv.port, keep=True) for _ in range(n)]
    for cl in clients:
        cl.conn.connect()
    results = run_together([lambda i=i: reset(srv, token, passwords[i], client=clients[i])
                            for i in range(n)], timeout=60)
    for cl in clients:
        cl.close()
    winners = [i for i, r in enumerate(results) if r is not None and r.status == 200]
    assert len(winners) == 1, f"{len(winners)} of {n} concurrent resets succeeded: {results!r}"
    for i, r in enumerate(results):
        if i not in winners:
            assert_json(r, 400, coded("Reset token is no longer valid",
                                      "PASSWORD_RESET_TOKEN_INVALID"))
    # Only the winner's password logs in.
    for i, pw in enumerate(passwords):
        r = login(srv, email, password=pw, expect=None)
        assert r.status == (200 if i == winners[0] else 401), (i, r)


# --------------------------------------------------------------------------
# validation (first class-validator message, no code)
# --------------------------------------------------------------------------

def test_forgot_password_validation(srv, smtp_sink):
    email, _ = signup(srv)
    cases = [
        ({}, "email should not be empty"),
        ({"email": ""}, "email should not be empty"),
        ({"email": "not-an-email"}, "email must be an email"),
        ({"phone": "12345"}, "phone must be a valid phone number"),
        ({"phone": "+1202555012"}, "phone must be a valid phone number"),
        ({"email": email, "tenantId": "nope"}, "tenantId must be a UUID"),
    ]
    for body, message in cases:
        assert_json(forgot(srv, body), 400, bad_request(message))
    time.sleep(0.3)
    assert smtp_sink.messages_to(email) == []


def test_verify_otp_validation(srv):
    email, _ = signup(srv)
    cases = [
        ({"email": email}, "code should not be empty"),
        ({"email": email, "code": ""}, "code should not be empty"),
        ({"code": "123456"}, "email should not be empty"),
        ({"email": "", "code": "123456"}, "email should not be empty"),
        ({"phone": "", "code": "123456"}, "email should not be empty"),
        ({"email": "not-an-email", "code": "123456"}, "email must be an email"),
        ({"email": email, "code": "123456", "tenantId": "nope"}, "tenantId must be a UUID"),
    ]
    for body, message in cases:
        assert_json(verify_otp(srv, body), 400, bad_request(message))
    # phone is only "a non-empty string" here: an unknown one is an invalid request
    assert_json(verify_otp(srv, {"phone": "garbage", "code": "123456"}), 400, ERR_RESET_REQUEST)


def test_reset_password_validation(srv):
    tok = jwt_sign(reset_payload(str(uuid.uuid4())), KNOWN_SECRET)
    cases = [
        ({}, "token should not be empty"),
        ({"newPassword": NEW_PASSWORD}, "token should not be empty"),
        ({"token": "", "newPassword": NEW_PASSWORD}, "token should not be empty"),
        ({"token": tok}, "newPassword must be longer than or equal to 8 characters"),
        ({"token": tok, "newPassword": "short"},
         "newPassword must be longer than or equal to 8 characters"),
        ({"token": tok, "newPassword": ""},
         "newPassword must be longer than or equal to 8 characters"),
        # authd: passwords and tokens must be JSON strings (docs/compatibility.md)
        ({"token": tok, "newPassword": 12345678}, "newPassword must be a string"),
        ({"token": 5, "newPassword": NEW_PASSWORD}, "token must be a string"),
    ]
    for body, message in cases:
        assert_json(srv.client().post("/auth/reset-password", body), 400, bad_request(message))


def test_phone_provider_disabled(expiry_srv):
    """Phone accounts off: the phone provider is not registered (PROVIDER_NOT_FOUND)."""
    err = coded("Phone or email authentication is not enabled", "PROVIDER_NOT_FOUND")
    assert_json(forgot(expiry_srv, {"phone": unique_phone()}), 400, err)
    assert_json(verify_otp(expiry_srv, {"phone": unique_phone(), "code": "123456"}), 400, err)


# --------------------------------------------------------------------------
# by phone: SMS through the signed webhook
# --------------------------------------------------------------------------

def test_forgot_password_by_phone_sms(srv, webhook_receiver, smtp_sink):
    c = srv.client()
    phone = unique_phone()
    r = c.post("/auth/signup", {"phone": phone, "password": PASSWORD})
    assert_token_body(r, "Signup successful")
    assert_json(forgot(srv, {"phone": phone}), 200, FORGOT_OK)
    req = webhook_receiver.wait_for("/sms", pred=lambda q: (q.json or {}).get("to") == phone)[0]
    assert req.method == "POST"
    WebhookReceiver.check_signature(req, SMS_SECRET)
    assert (req.header("Content-Type") or "").lower().startswith("application/json"), req
    js = req.json
    assert list(js) == ["id", "channel", "to", "kind", "body", "createdAt"], js
    assert UUID4_RE.match(js["id"]), js
    assert js["channel"] == "sms" and js["to"] == phone, js
    assert js["kind"] == "password_reset", js
    assert req.header("X-Authd-Message-Id") == js["id"]
    assert req.header("X-Authd-Kind") == js["kind"]
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$", js["createdAt"]), js
    code = code_from_text(js["body"])
    assert len(js["body"]) <= 320, js  # an SMS, not an e-mail
    r = verify_otp(srv, {"phone": phone, "code": code})
    token = assert_json(r, 200, keys=["message", "resetToken"])["resetToken"]
    assert_json(reset(srv, token, NEW_PASSWORD), 200, RESET_OK)
    r = c.post("/auth/login", {"providerName": "phone",
                               "credentials": {"phone": phone, "password": NEW_PASSWORD}})
    assert_token_body(r, "Login successful")
    # unknown phone: same answer, nothing sent
    ghost = unique_phone()
    assert_json(forgot(srv, {"phone": ghost}), 200, FORGOT_OK)
    assert_json(verify_otp(srv, {"phone": ghost, "code": "123456"}), 400, ERR_RESET_REQUEST)
    time.sleep(0.5)
    assert webhook_receiver.matching("/sms", pred=lambda q: (q.json or {}).get("to") == ghost) == []


# --------------------------------------------------------------------------
# rate limits
# --------------------------------------------------------------------------

def test_rate_limits(smtp_sink, server_factory):
    s = server_factory(*smtp_sink.flags(), "--rate-limit-forgot-password", "3/1m",
                       "--rate-limit-verify-otp", "5/1m", "--lockout-enabled", "false",
                       throttle=True)
    email, _ = signup(s)
    code = request_code(s, smtp_sink, email)                                     # forgot 1
    for _ in range(4):
        assert_json(verify_otp(s, {"email": email, "code": wrong_code(code)}), 400,
                    ERR_CODE_INVALID)
    assert_json(verify_otp(s, {"email": unique_email("nobody"), "code": code}), 400,
                ERR_RESET_REQUEST)
    r = verify_otp(s, {"email": email, "code": code})                           # 6th
    assert_json(r, 429, ERR_RATE_LIMITED)
    retry_after(r, 60)
    for _ in range(2):                                                           # forgot 2, 3
        assert_json(forgot(s, {"email": unique_email("pad")}), 200, FORGOT_OK)
    r = forgot(s, {"email": email})                                              # forgot 4
    assert_json(r, 429, ERR_RATE_LIMITED)
    retry_after(r, 60)
    # invalid requests are throttled too (the guard runs before validation)
    assert_json(forgot(s, {}), 429, ERR_RATE_LIMITED)
    # the refused request sent nothing
    time.sleep(0.5)
    assert len(smtp_sink.messages_to(email)) == 1
    # another client address has its own budget
    other = Client(s.port, source_ip="127.0.0.2")
    assert_json(forgot(s, {"email": unique_email("other")}, client=other), 200, FORGOT_OK)
    assert_json(verify_otp(s, {"email": unique_email("other"), "code": code}, client=other),
                400, ERR_RESET_REQUEST)
