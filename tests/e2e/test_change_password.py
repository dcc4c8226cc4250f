"""POST /auth/change-password: verification, policy, revocation of every session."""

from conftest import (
    ERR_ACCOUNT_LOCKED, ERR_INVALID_CREDENTIALS, ERR_NO_AUTH, ERR_SESSION_NOT_FOUND,
    PASSWORD, assert_json, login, new_user, signup,
)

NEW_PASSWORD = "An0ther!Passw0rd"


def _bad_request(message):
    return {"statusCode": 400, "error": "Bad Request", "message": message}


def test_change_password_revokes_every_session_and_new_password_logs_in(server):
    c = server.client()
    email, at, rt = new_user(server)
    other = login(server, email).json
    r = c.post("/auth/change-password",
               {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}, bearer=at)
    assert_json(r, 200, {"message": "Password changed successfully"})
    assert r.set_cookies == []  # header mode: no cookies
    # every session of the user is dead at once, the caller's too
    assert_json(c.get("/auth/me", bearer=at), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.get("/auth/me", bearer=other["accessToken"]), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": rt}), 401, ERR_SESSION_NOT_FOUND)
    # old password refused, new one works
    assert_json(login(server, email, expect=None), 401, ERR_INVALID_CREDENTIALS)
    fresh = login(server, email, password=NEW_PASSWORD).json
    me = c.get("/auth/me", bearer=fresh["accessToken"])
    assert_json(me, 200)
    assert me.json["email"] == email


def test_change_password_errors(server):
    c = server.client()
    email, at, _ = new_user(server)
    assert_json(c.post("/auth/change-password",
                       {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}),
                401, ERR_NO_AUTH)
    assert_json(c.post("/auth/change-password", {"newPassword": NEW_PASSWORD}, bearer=at),
                400, _bad_request("currentPassword must be longer than or equal to 8 characters"))
    assert_json(c.post("/auth/change-password", {"currentPassword": PASSWORD}, bearer=at),
                400, _bad_request("New password must be different from the current password"))
    assert_json(c.post("/auth/change-password",
                       {"currentPassword": PASSWORD, "newPassword": PASSWORD}, bearer=at),
                400, _bad_request("New password must be different from the current password"))
    assert_json(c.post("/auth/change-password",
                       {"currentPassword": PASSWORD, "newPassword": "short"}, bearer=at),
                400, _bad_request("newPassword must be longer than or equal to 8 characters"))
    assert_json(c.post("/auth/change-password",
                       {"currentPassword": "Wr0ng!Passw0rd", "newPassword": NEW_PASSWORD},
                       bearer=at),
                400, {"statusCode": 400, "error": "BadRequestException",
                      "message": "Current password is incorrect",
                      "code": "CURRENT_PASSWORD_INCORRECT"})
    assert_json(c.post("/auth/change-password",
                       {"currentPassword": PASSWORD, "newPassword": "password123"}, bearer=at),
                400, {"statusCode": 400, "error": "BadRequestException",
                      "message": "This password is too common", "code": "PASSWORD_TOO_COMMON"})
    # none of the failures changed anything
    assert_json(c.get("/auth/me", bearer=at), 200)
    login(server, email)


def test_wrong_current_passwords_lock_out(server_factory):
    srv = server_factory("--lockout-max-failed-attempts", "3", throttle=True)
    c = srv.client()
    _, at, _ = new_user(srv)
    body = {"currentPassword": "Wr0ng!Passw0rd", "newPassword": NEW_PASSWORD}
    for _ in range(3):
        assert c.post("/auth/change-password", body, bearer=at).status == 400
    r = c.post("/auth/change-password",
               {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}, bearer=at)
    assert_json(r, 429, ERR_ACCOUNT_LOCKED)
    assert int(r.header("Retry-After")) >= 1


def test_change_password_in_cookie_mode_rotates_csrf(server_factory):
    srv = server_factory("--session-access-token-type", "cookie", "--csrf-enabled", "true")
    c = srv.client()
    _, r = signup(srv)
    cookies = r.cookie_values()
    headers = {"x-csrf-token": cookies["nest_auth_csrf"]}
    body = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    # cookie-authenticated and state-changing: CSRF applies
    r = c.post("/auth/change-password", body,
               cookies={"accessToken": cookies["accessToken"]})
    assert r.status == 403 and r.json["code"] == "CSRF_TOKEN_INVALID", r
    r = c.post("/auth/change-password", body, headers=headers,
               cookies={"accessToken": cookies["accessToken"],
                        "nest_auth_csrf": cookies["nest_auth_csrf"]})
    assert_json(r, 200, {"message": "Password changed successfully"})
    names = [sc.split("=", 1)[0] for sc in r.set_cookies]
    assert names == ["nest_auth_csrf", "nest_auth_remember"], r.set_cookies
