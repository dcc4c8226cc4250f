"""Writes to the SQLite file by another process (the sqlite3 CLI, an
operator's tool) while authd runs take effect at once, although authd serves
sessions and users from its read caches: a user deactivated or a session
deleted behind authd's back is refused by /auth/me, /auth/verify-session and
refresh within the documented bound (0.1 s, docs/deployment.md), and stays
refused."""

import os
import sqlite3
import time

from conftest import assert_json, jwt_parts, signup, sqlite_only

# authd notices a foreign commit within storage's check interval (100 ms);
# this leaves room for a loaded test machine, not for a cache that never
# notices.
BOUND_S = 1.0


def _foreign_write(srv, sql, *args):
    db = sqlite3.connect(os.path.join(srv.data_dir, "authd.db"), timeout=10)
    try:
        changed = db.execute(sql, args).rowcount
        db.commit()
    finally:
        db.close()
    assert changed == 1, f"{sql} {args} changed {changed} rows"
    return time.monotonic()


def _refused_within(c, at, since):
    """Polls /auth/me until it is refused; the seconds that took."""
    while True:
        r = c.get("/auth/me", bearer=at)
        if r.status == 401:
            return time.monotonic() - since, r
        assert r.status == 200, r
        assert time.monotonic() - since < BOUND_S, "a foreign write is still not seen"
        time.sleep(0.005)


def _signed_in(srv):
    _, r = signup(srv)
    at, rt = r.json["accessToken"], r.json["refreshToken"]
    c = srv.client(keep=True)
    for _ in range(3):  # now served from the caches
        assert_json(c.get("/auth/me", bearer=at), 200)
        assert_json(c.get("/auth/verify-session", bearer=at), 200)
    return c, at, rt, jwt_parts(at)[1]


@sqlite_only("writes to the SQLite file behind authd's back")
def test_user_deactivated_by_another_process_is_refused_at_once(server):
    c, at, rt, claims = _signed_in(server)
    t = _foreign_write(server, "UPDATE users SET is_active = 0 WHERE id = ?", claims["id"])
    took, r = _refused_within(c, at, t)
    assert r.json["code"] == "ACCOUNT_INACTIVE", r
    assert_json(c.get("/auth/verify-session", bearer=at), 401)
    r = c.post("/auth/refresh-token", {"refreshToken": rt})
    assert_json(r, 401)
    assert r.json["code"] == "ACCOUNT_INACTIVE", r
    print(f"deactivation seen after {took * 1000:.0f} ms")


@sqlite_only("writes to the SQLite file behind authd's back")
def test_session_deleted_by_another_process_is_refused_at_once(server):
    c, at, rt, claims = _signed_in(server)
    _, other_at, _, _ = _signed_in(server)
    t = _foreign_write(server, "DELETE FROM sessions WHERE id = ?", claims["sessionId"])
    took, r = _refused_within(c, at, t)
    assert_json(r, 401, {"statusCode": 401, "error": "Unauthorized",
                         "message": "Session not found"})
    assert_json(c.get("/auth/verify-session", bearer=at), 401)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": rt}), 401)
    # Other sessions are untouched (and read again from the database).
    assert_json(c.get("/auth/me", bearer=other_at), 200)
    print(f"deletion seen after {took * 1000:.0f} ms")


@sqlite_only("writes to the SQLite file behind authd's back")
def test_own_writes_do_not_count_as_foreign(server_factory):
    """Only other processes' commits drop the caches (and say so, once)."""
    srv = server_factory()
    _signed_in(srv)
    c, at, rt, claims = _signed_in(srv)
    assert_json(c.post("/auth/refresh-token", {"refreshToken": rt}), 200)
    assert_json(c.post("/auth/logout", bearer=at), 200)
    time.sleep(0.3)  # a few idle checks
    assert "another process wrote to" not in srv.output()
    _foreign_write(srv, "UPDATE users SET updated_at = updated_at + 1 WHERE id = ?", claims["id"])
    deadline = time.monotonic() + BOUND_S
    while "another process wrote to" not in srv.output():
        assert time.monotonic() < deadline, srv.output()
        time.sleep(0.01)
