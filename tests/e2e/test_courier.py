"""The courier: durable outbox, retries, signed webhooks, event webhooks and
the default log transport.

* SMS webhook answering 500 twice then 200: delivered exactly once, every
  attempt carrying the same X-Authd-Message-Id and body, with backoff.
* Event webhooks: signup, login, verification and password reset produce
  signed `{"id","event","createdAt","data"}` documents; plain codes only for
  events listed in --events-include-codes.
* kill -9 right after forgot-password answered 200, restart on the same
  data dir with the same flags: the e-mail is delivered exactly once, also
  when the SMTP server was down at the time of the crash.
* No transport flags: the code is written to the server log (a warning).
"""

import re
import time

from conftest import (
    PASSWORD, UUID4_RE, SmtpSink, WebhookReceiver, assert_json, assert_token_body,
    code_from_text, free_port, jwt_payload, login, new_user, signup, unique_email,
    unique_phone,
)

SMS_SECRET = "e2e-courier-sms-secret-0123456789"
EVENTS_SECRET = "e2e-courier-events-secret-9876543210"
NEW_PASSWORD = "An0ther!Passw0rd"
FORGOT_OK = {"message": "If your email is registered, you will receive a password reset link"}
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")


def to_is(value):
    return lambda q: (q.json or {}).get("to") == value


def request_reset_code(srv, sink, email):
    n = len(sink.messages_to(email))
    assert_json(srv.client().post("/auth/forgot-password", {"email": email}), 200, FORGOT_OK)
    return SmtpSink.code_from(sink.wait_for(to=email, count=n + 1)[-1])


# --------------------------------------------------------------------------
# retries
# --------------------------------------------------------------------------

def test_sms_webhook_retried_until_delivered_once(webhook_receiver, server_factory):
    srv = server_factory(*webhook_receiver.sms_flags(SMS_SECRET, "/sms-retry"),
                         "--courier-retry-initial", "200ms")
    webhook_receiver.fail_next("/sms-retry", [500, 500])
    phone = unique_phone()
    r = srv.client().post("/auth/signup", {"phone": phone, "password": PASSWORD})
    assert_token_body(r, "Signup successful")
    assert_json(srv.client().post("/auth/forgot-password", {"phone": phone}), 200, FORGOT_OK)
    webhook_receiver.wait_for("/sms-retry", timeout=15, pred=to_is(phone))
    time.sleep(1.5)  # nothing more may come
    attempts = webhook_receiver.matching("/sms-retry", pred=to_is(phone))
    assert [a.status for a in attempts] == [500, 500, 200], attempts
    ids = {a.header("X-Authd-Message-Id") for a in attempts}
    assert len(ids) == 1 and UUID4_RE.match(ids.pop()), attempts
    assert len({a.body for a in attempts}) == 1, "the message is rendered once, retried as is"
    for a in attempts:
        WebhookReceiver.check_signature(a, SMS_SECRET)
        assert a.header("X-Authd-Message-Id") == a.json["id"]
        assert a.header("X-Authd-Kind") == "password_reset"
    gaps = [attempts[i + 1].received_at - attempts[i].received_at for i in range(2)]
    # exponential backoff from --courier-retry-initial with "equal jitter"
    # (each delay in [d/2, d]): >= 100 ms, then >= 200 ms
    assert gaps[0] >= 0.09 and gaps[1] >= 0.18, f"retries without backoff: {gaps}"
    assert sum(gaps) < 10, f"retries too slow for --courier-retry-initial 200ms: {gaps}"
    # the delivered code works
    code = code_from_text(attempts[-1].json["body"])
    r = srv.client().post("/auth/verify-forgot-password-otp", {"phone": phone, "code": code})
    assert_json(r, 200, keys=["message", "resetToken"])


def test_smtp_temporary_failure_retried(smtp_sink, server_factory):
    srv = server_factory(*smtp_sink.flags(), "--courier-retry-initial", "200ms")
    email, _ = signup(srv)
    smtp_sink.reject_next(1)  # 451: try again later
    rejected = smtp_sink.rejected
    code = request_reset_code(srv, smtp_sink, email)
    assert smtp_sink.rejected == rejected + 1
    time.sleep(1.0)
    assert len(smtp_sink.messages_to(email)) == 1
    r = srv.client().post("/auth/verify-forgot-password-otp", {"email": email, "code": code})
    assert_json(r, 200, keys=["message", "resetToken"])


# --------------------------------------------------------------------------
# event webhooks
# --------------------------------------------------------------------------

def events_for(recv, path, name, needle):
    return recv.matching(path, pred=lambda q: (q.json or {}).get("event") == name
                         and needle in q.body.decode("utf-8", "replace"))


def wait_event(recv, path, name, needle, count=1):
    return recv.wait_for(path, count=count, pred=lambda q: (q.json or {}).get("event") == name
                         and needle in q.body.decode("utf-8", "replace"))


def check_event(req, name):
    WebhookReceiver.check_signature(req, EVENTS_SECRET)
    assert req.method == "POST"
    assert (req.header("Content-Type") or "").lower().startswith("application/json"), req
    js = req.json
    assert list(js) == ["id", "event", "createdAt", "data"], js
    assert js["event"] == name
    assert UUID4_RE.match(js["id"]), js
    assert ISO_RE.match(js["createdAt"]), js
    assert isinstance(js["data"], dict), js
    assert req.header("X-Authd-Kind") == name, req.headers
    assert req.header("X-Authd-Message-Id"), req.headers
    return js


def test_event_webhooks(smtp_sink, webhook_receiver, server_factory):
    srv = server_factory(*smtp_sink.flags(),
                         "--events-webhook-urls",
                         webhook_receiver.url("/events") + "," + webhook_receiver.url("/events2"),
                         "--events-webhook-secret", EVENTS_SECRET)
    c = srv.client()
    email, at, _ = new_user(srv)
    uid = jwt_payload(at)["sub"]
    login(srv, email)
    reg = check_event(wait_event(webhook_receiver, "/events", "nest_auth.registered", uid)[0],
                      "nest_auth.registered")
    check_event(wait_event(webhook_receiver, "/events", "nest_auth.logged_in", uid)[0],
                "nest_auth.logged_in")
    # every configured URL gets its own copy
    copy = wait_event(webhook_receiver, "/events2", "nest_auth.registered", uid)[0]
    assert copy.json["data"] == reg["data"]

    # verification: requested (no code) and verified
    n = len(smtp_sink.messages_to(email))
    assert_json(c.post("/auth/send-email-verification", {}, bearer=at), 200,
                {"message": "Verification email sent"})
    vcode = SmtpSink.code_from(smtp_sink.wait_for(to=email, count=n + 1)[-1])
    assert_json(c.post("/auth/verify-email", {"code": vcode}, bearer=at), 200,
                {"message": "Email verified successfully"})
    req = wait_event(webhook_receiver, "/events", "email.verification.requested", uid)[0]
    js = check_event(req, "email.verification.requested")
    assert "code" not in js["data"] and vcode not in req.body.decode(), js
    check_event(wait_event(webhook_receiver, "/events", "email.verified", uid)[0], "email.verified")

    # password reset: requested (no code by default), then reset
    code = request_reset_code(srv, smtp_sink, email)
    r = c.post("/auth/verify-forgot-password-otp", {"email": email, "code": code})
    token = assert_json(r, 200, keys=["message", "resetToken"])["resetToken"]
    assert_json(c.post("/auth/reset-password", {"token": token, "newPassword": NEW_PASSWORD}),
                200, {"message": "Password has been reset successfully"})
    req = wait_event(webhook_receiver, "/events", "nest_auth.password_reset_requested", uid)[0]
    js = check_event(req, "nest_auth.password_reset_requested")
    assert "code" not in js["data"], js
    assert code not in req.body.decode(), f"plain code in an event by default: {req.body!r}"
    req = wait_event(webhook_receiver, "/events", "nest_auth.password_reset", uid)[0]
    check_event(req, "nest_auth.password_reset")

    # no secrets in any event of this user
    time.sleep(0.5)
    for q in webhook_receiver.matching(pred=lambda q: uid in q.body.decode("utf-8", "replace")):
        body = q.body.decode("utf-8", "replace")
        for secret in (PASSWORD, NEW_PASSWORD, token, at):
            assert secret not in body, f"secret in event {q.json.get('event')}: {body}"
    # one event per action and URL
    for name in ("nest_auth.registered", "nest_auth.password_reset_requested",
                 "nest_auth.password_reset"):
        for path in ("/events", "/events2"):
            assert len(events_for(webhook_receiver, path, name, uid)) == 1, (path, name)


def test_event_codes_opt_in(smtp_sink, webhook_receiver, server_factory):
    srv = server_factory(*smtp_sink.flags(),
                         "--events-webhook-urls", webhook_receiver.url("/events-codes"),
                         "--events-webhook-secret", EVENTS_SECRET,
                         "--events-include-codes", "nest_auth.password_reset_requested")
    email, at, _ = new_user(srv)
    uid = jwt_payload(at)["sub"]
    code = request_reset_code(srv, smtp_sink, email)
    req = wait_event(webhook_receiver, "/events-codes", "nest_auth.password_reset_requested", uid)[0]
    js = check_event(req, "nest_auth.password_reset_requested")
    assert js["data"].get("code") == code, js
    # not listed: no code
    n = len(smtp_sink.messages_to(email))
    assert_json(srv.client().post("/auth/send-email-verification", {}, bearer=at), 200,
                {"message": "Verification email sent"})
    vcode = SmtpSink.code_from(smtp_sink.wait_for(to=email, count=n + 1)[-1])
    req = wait_event(webhook_receiver, "/events-codes", "email.verification.requested", uid)[0]
    js = check_event(req, "email.verification.requested")
    assert "code" not in js["data"] and vcode not in req.body.decode(), js


# --------------------------------------------------------------------------
# durability
# --------------------------------------------------------------------------

def test_kill9_right_after_forgot_password_delivers_once(smtp_sink, server_factory):
    # SQLite releases the dead process's claim at startup; PostgreSQL (shared
    # by several processes) waits for the lease to end: keep it short here.
    srv = server_factory(*smtp_sink.flags(), "--courier-retry-initial", "200ms",
                         "--courier-lease", "3s")
    email, _ = signup(srv)
    assert_json(srv.client().post("/auth/forgot-password", {"email": email}), 200, FORGOT_OK)
    srv.kill9()
    srv.start()
    msg = smtp_sink.wait_for(to=email, timeout=15)[0]
    time.sleep(3)
    assert len(smtp_sink.messages_to(email)) == 1, smtp_sink.messages_to(email)
    code = SmtpSink.code_from(msg)
    r = srv.client().post("/auth/verify-forgot-password-otp", {"email": email, "code": code})
    assert_json(r, 200, keys=["message", "resetToken"])


def test_kill9_while_smtp_down_delivers_once_after_restart(server_factory):
    """The message is pending (SMTP refused) when the process dies: the restarted
    server delivers it from the outbox, once."""
    port = free_port()
    sink = SmtpSink()
    flags = ["--courier-email-transport", "smtp", "--smtp-url", f"smtp://127.0.0.1:{port}",
             "--smtp-starttls", "off", "--smtp-from", "authd <no-reply@example.test>",
             "--courier-retry-initial", "200ms"]
    srv = server_factory(*flags)
    try:
        email, _ = signup(srv)
        assert_json(srv.client().post("/auth/forgot-password", {"email": email}), 200, FORGOT_OK)
        time.sleep(0.5)  # at least one refused attempt
        srv.kill9()
        sink.start(port=port)
        srv.start()
        msg = sink.wait_for(to=email, timeout=15)[0]
        time.sleep(3)
        assert len(sink.messages_to(email)) == 1, sink.messages_to(email)
        code = SmtpSink.code_from(msg)
        r = srv.client().post("/auth/verify-forgot-password-otp", {"email": email, "code": code})
        assert_json(r, 200, keys=["message", "resetToken"])
    finally:
        sink.stop()


# --------------------------------------------------------------------------
# default transport: the log
# --------------------------------------------------------------------------

def _unescape(line):
    """Log lines quote message bodies with C escapes (\\n): make them spaces."""
    return re.sub(r"\\[nrt]", " ", line)


def _wait_output(srv, pred, offset, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        out = srv.output_since(offset)
        hit = [ln for ln in out.splitlines() if pred(ln)]
        if hit or time.monotonic() > deadline:
            return hit
        time.sleep(0.05)


def test_log_transport_is_the_default(server_factory):
    srv = server_factory()
    email, _ = signup(srv)
    ghost = unique_email("ghost")
    offset = len(srv.output())
    assert_json(srv.client().post("/auth/forgot-password", {"email": ghost}), 200, FORGOT_OK)
    time.sleep(0.5)
    # nothing is sent for an unknown account
    assert not [ln for ln in srv.output_since(offset).splitlines()
                if ghost in ln]
    offset = len(srv.output())
    assert_json(srv.client().post("/auth/forgot-password", {"email": email}), 200, FORGOT_OK)
    lines = _wait_output(srv, lambda ln: "warn" in ln.lower() and email in ln
                         and re.search(r"\b\d{6}\b", _unescape(ln)), offset)
    assert lines, f"no warning with the code in the log:\n{srv.output_since(offset)}"
    codes = {c for ln in lines for c in re.findall(r"\b\d{6}\b", _unescape(ln))}
    assert len(codes) == 1, lines
    code = codes.pop()
    r = srv.client().post("/auth/verify-forgot-password-otp", {"email": email, "code": code})
    assert_json(r, 200, keys=["message", "resetToken"])
