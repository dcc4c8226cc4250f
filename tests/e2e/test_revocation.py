"""Session revocation: logout, logout-all, and the max-sessions-per-user rule."""

from conftest import (
    CLEAR_ACCESS, CLEAR_REFRESH, ERR_NO_AUTH, ERR_SESSION_NOT_FOUND, assert_json,
    assert_token_body, jwt_parts, login, new_user, signup,
)


def test_logout_invalidates_access_and_refresh_immediately(server):
    c = server.client()
    email, at, rt = new_user(server)
    r2 = login(server, email)
    other_at, other_rt = r2.json["accessToken"], r2.json["refreshToken"]

    r = c.post("/auth/logout", bearer=at)
    assert_json(r, 200, {"message": "Logged out successfully"})
    assert r.set_cookies == [CLEAR_ACCESS, CLEAR_REFRESH]
    assert_json(c.get("/auth/me", bearer=at), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": rt}), 401, ERR_SESSION_NOT_FOUND)

    # the user's other session is untouched
    assert_json(c.get("/auth/me", bearer=other_at), 200)
    assert_token_body(c.post("/auth/refresh-token", {"refreshToken": other_rt}),
                      "Token refreshed successfully")

    # logout again with the dead token: still 200, still clears cookies
    r = c.post("/auth/logout", bearer=at)
    assert_json(r, 200, {"message": "Logged out successfully"})
    assert r.set_cookies == [CLEAR_ACCESS, CLEAR_REFRESH]
    # logout with nothing at all
    r = c.post("/auth/logout")
    assert_json(r, 200, {"message": "Logged out successfully"})
    assert r.set_cookies == [CLEAR_ACCESS, CLEAR_REFRESH]


def test_logout_with_refreshed_access_token_kills_whole_session(server):
    c = server.client()
    _, a1, r1 = new_user(server)
    r = c.post("/auth/refresh-token", {"refreshToken": r1})
    a2, r2 = assert_token_body(r, "Token refreshed successfully")
    assert_json(c.post("/auth/logout", bearer=a1), 200)
    assert_json(c.get("/auth/me", bearer=a2), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": r2}), 401, ERR_SESSION_NOT_FOUND)


def test_logout_all_kills_every_session_of_the_user_only(server):
    c = server.client()
    email, a0, r0 = new_user(server)
    sessions = [(a0, r0)]
    for _ in range(3):
        r = login(server, email)
        sessions.append((r.json["accessToken"], r.json["refreshToken"]))
    assert len({jwt_parts(a)[1]["sessionId"] for a, _ in sessions}) == 4
    other_email, other_at, other_rt = new_user(server)

    r = c.post("/auth/logout-all", bearer=sessions[1][0])
    assert_json(r, 200, {"message": "Logged out from all devices successfully"})
    assert r.set_cookies == [CLEAR_ACCESS, CLEAR_REFRESH]
    for a, rt in sessions:
        assert_json(c.get("/auth/verify-session", bearer=a), 401, ERR_SESSION_NOT_FOUND)
        assert_json(c.post("/auth/refresh-token", {"refreshToken": rt}), 401, ERR_SESSION_NOT_FOUND)

    # another user is unaffected
    js = assert_json(c.get("/auth/me", bearer=other_at), 200)
    assert js["email"] == other_email
    assert_token_body(c.post("/auth/refresh-token", {"refreshToken": other_rt}),
                      "Token refreshed successfully")

    # the user can log in again afterwards
    r = login(server, email)
    assert_json(c.get("/auth/me", bearer=r.json["accessToken"]), 200)

    # logout-all with the dead token / without a token
    assert_json(c.post("/auth/logout-all", bearer=sessions[0][0]), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.post("/auth/logout-all"), 401, ERR_NO_AUTH)


def test_max_sessions_per_user_evicts_oldest(server):
    """Signup + 11 logins = 12 sessions; the 2 oldest are evicted, the last 10 work."""
    c = server.client()
    email, a0, r0 = new_user(server)
    sessions = [(a0, r0)]
    for _ in range(11):
        r = login(server, email)
        sessions.append((r.json["accessToken"], r.json["refreshToken"]))
    for a, rt in sessions[:2]:
        assert_json(c.get("/auth/me", bearer=a), 401, ERR_SESSION_NOT_FOUND)
        assert_json(c.post("/auth/refresh-token", {"refreshToken": rt}), 401, ERR_SESSION_NOT_FOUND)
    for a, _ in sessions[2:]:
        assert_json(c.get("/auth/verify-session", bearer=a), 200)


def test_max_sessions_flag(server_factory):
    srv = server_factory("--session-max-sessions-per-user", "2")
    c = srv.client()
    email, a0, _ = new_user(srv)
    a1 = login(srv, email).json["accessToken"]
    a2 = login(srv, email).json["accessToken"]
    assert_json(c.get("/auth/me", bearer=a0), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.get("/auth/me", bearer=a1), 200)
    assert_json(c.get("/auth/me", bearer=a2), 200)
    # other users are not counted against this user
    _, b0, _ = new_user(srv)
    assert_json(c.get("/auth/me", bearer=a1), 200)
    assert_json(c.get("/auth/me", bearer=b0), 200)


def test_max_sessions_evicts_least_recently_active(server_factory):
    """A refresh marks its session active; plain requests do not (no sliding expiration)."""
    import time
    srv = server_factory("--session-max-sessions-per-user", "2")
    c = srv.client()
    email, a0, r0 = new_user(srv)
    time.sleep(0.05)
    a1 = login(srv, email).json["accessToken"]
    time.sleep(0.05)
    # refresh session 0: it becomes the most recently active
    a0b, _ = assert_token_body(c.post("/auth/refresh-token", {"refreshToken": r0}),
                               "Token refreshed successfully")
    time.sleep(0.05)
    a2 = login(srv, email).json["accessToken"]
    assert_json(c.get("/auth/me", bearer=a1), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.get("/auth/me", bearer=a0b), 200)
    assert_json(c.get("/auth/me", bearer=a2), 200)

    # a plain authenticated request does not count as activity
    time.sleep(0.05)
    assert_json(c.get("/auth/me", bearer=a0b), 200)
    time.sleep(0.05)
    a3 = login(srv, email).json["accessToken"]
    assert_json(c.get("/auth/me", bearer=a0b), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.get("/auth/me", bearer=a2), 200)
    assert_json(c.get("/auth/me", bearer=a3), 200)
