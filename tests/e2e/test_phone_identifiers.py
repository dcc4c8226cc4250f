"""One phone number, however it is written, is one account and one
rate-limit / lockout key (identity::NormalizePhone: whitespace, '.', '-',
'(' and ')' removed)."""

from conftest import (
    ERR_ACCOUNT_LOCKED, ERR_RATE_LIMITED, PASSWORD, Client, assert_json, assert_token_body,
    unique_email, unique_phone,
)

PHONE_ON = ["--auth-phone-enabled", "true"]


def writings(phone):
    """'+12025550123' -> the same number written five ways."""
    cc, area, ex, line = phone[:2], phone[2:5], phone[5:8], phone[8:]
    return [phone, f"{cc} ({area}) {ex}-{line}", f"{cc}.{area}.{ex}.{line}",
            f"{cc}-{area}-{ex}-{line}", f" {cc}({area}){ex}{line} "]


def phone_login(c, phone, password=PASSWORD, **creds):
    body = {"providerName": "phone", "credentials": {"phone": phone, "password": password, **creds}}
    return c.post("/auth/login", body)


def test_signup_uniqueness_and_login_across_writings(server_factory):
    srv = server_factory(*PHONE_ON)
    c = srv.client()
    phone = unique_phone()
    forms = writings(phone)
    r = c.post("/auth/signup", {"phone": forms[1], "password": PASSWORD})
    assert_token_body(r, "Signup successful")
    me = c.get("/auth/me", bearer=r.json["accessToken"]).json
    assert me["phone"] == phone, me
    for other in forms:
        r = c.post("/auth/signup", {"phone": other, "password": PASSWORD})
        assert r.status == 400 and r.json["code"] == "PHONE_ALREADY_EXISTS", r
        r = c.post("/auth/signup", {"email": unique_email("ph"), "phone": other,
                                    "password": PASSWORD})
        assert r.status == 400 and r.json["code"] == "PHONE_ALREADY_EXISTS", r
    for other in forms:
        assert_token_body(phone_login(c, other), "Login successful")


def test_lockout_counts_every_writing_and_ignores_a_stray_email(server_factory):
    srv = server_factory(*PHONE_ON, "--lockout-max-failed-attempts", "3",
                         "--rate-limit-login", "100/1m", "--rate-limit-signup", "100/1m",
                         throttle=True)
    c = srv.client()
    for stray_email in (False, True):
        phone = unique_phone()
        forms = writings(phone)
        assert_token_body(c.post("/auth/signup", {"phone": phone, "password": PASSWORD}),
                          "Signup successful")
        for i, form in enumerate(forms[1:4]):
            extra = {"email": unique_email(f"stray{i}")} if stray_email else {}
            r = phone_login(c, form, "Wr0ng!Password-1", **extra)
            assert r.status == 401, r
        # locked, whichever way the number is written (and whatever e-mail rides along)
        for form in forms:
            extra = {"email": unique_email("stray")} if stray_email else {}
            assert_json(phone_login(c, form, **extra), 429, ERR_ACCOUNT_LOCKED)
        # another client IP is not locked out
        assert_token_body(phone_login(Client(srv.port, source_ip="127.0.0.2"), forms[2]),
                          "Login successful")


def test_per_identifier_rate_limit_counts_every_writing(server_factory):
    srv = server_factory(*PHONE_ON, "--rate-limit-login", "3/1m", throttle=True)
    phone = unique_phone()
    forms = writings(phone)
    assert_token_body(srv.client().post("/auth/signup", {"phone": phone, "password": PASSWORD}),
                      "Signup successful")
    ips = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"]
    for ip, form in zip(ips[:3], forms[1:4]):
        c = Client(srv.port, source_ip=ip)
        assert_token_body(phone_login(c, form, email=unique_email("x")), "Login successful")
    c = Client(srv.port, source_ip=ips[3])
    assert_json(phone_login(c, forms[4], email=unique_email("y")), 429, ERR_RATE_LIMITED)


def test_row_the_migration_left_is_found_as_stored(server_factory):
    """An identity stored with punctuation that migration 0004 could not
    rewrite (another account holds the normalised number) still signs in
    when the number is written as it was stored."""
    import os
    import sqlite3
    from conftest import POSTGRES_MODE
    if POSTGRES_MODE:
        import pytest
        pytest.skip("edits the SQLite file")
    srv = server_factory(*PHONE_ON)
    phone = unique_phone()
    assert_token_body(srv.client().post("/auth/signup", {"phone": phone, "password": PASSWORD}),
                      "Signup successful")
    srv.stop()
    legacy = f"{phone[:2]}({phone[2:5]}){phone[5:8]}-{phone[8:]}"
    db = sqlite3.connect(os.path.join(srv.data_dir, "authd.db"))
    with db:
        db.execute("UPDATE identities SET provider_id = ? WHERE provider = 'phone' AND provider_id = ?",
                   (legacy, phone))
    db.close()
    srv.start()
    c = srv.client()
    assert_token_body(phone_login(c, f" {legacy} "), "Login successful")
    r = phone_login(c, phone)  # the normalised number is nobody's now
    assert r.status == 401, r
