"""Refresh-token rotation: authd's grace window, reuse detection, and
single rotation under concurrency (authd deviation from the reference, which
revokes on any reuse: that behaviour is kept with --session-refresh-grace 0)."""

import time

import pytest

from conftest import (
    ERR_INVALID_TOKEN, ERR_REFRESH_REUSED, ERR_SESSION_NOT_FOUND, assert_json,
    assert_token_body, concurrent_refresh, jwt_parts, new_user, run_together,
)


@pytest.fixture(scope="module")
def grace_srv(server_factory):
    """Default grace window (10 s)."""
    return server_factory()


@pytest.fixture(scope="module")
def short_grace_srv(server_factory):
    return server_factory("--session-refresh-grace", "1s")


@pytest.fixture(scope="module")
def ref_srv(server_factory):
    return server_factory("--session-refresh-grace", "0")


def refresh(c, rt, **kw):
    return c.post("/auth/refresh-token", {"refreshToken": rt}, **kw)


def assert_revoked(c, at, rt):
    assert_json(refresh(c, rt), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.get("/auth/me", bearer=at), 401, ERR_SESSION_NOT_FOUND)


def test_grace_window_replays_same_pair(grace_srv):
    c = grace_srv.client()
    _, a1, r1 = new_user(grace_srv)
    a2, r2 = assert_token_body(refresh(c, r1), "Token refreshed successfully")
    assert r2 != r1
    # presenting R1 again within the grace window: identical pair, never a third
    for _ in range(3):
        a2b, r2b = assert_token_body(refresh(c, r1), "Token refreshed successfully")
        assert (a2b, r2b) == (a2, r2)
    # the session is alive and the successor still rotates normally
    assert_json(c.get("/auth/me", bearer=a2), 200)
    assert_json(c.get("/auth/me", bearer=a1), 200)
    a3, r3 = assert_token_body(refresh(c, r2), "Token refreshed successfully")
    assert r3 not in (r1, r2)
    assert jwt_parts(r3)[1]["sessionId"] == jwt_parts(r1)[1]["sessionId"]
    assert_json(c.get("/auth/me", bearer=a3), 200)


def test_grace_replay_of_just_rotated_token_after_second_rotation(grace_srv):
    c = grace_srv.client()
    _, a1, r1 = new_user(grace_srv)
    a2, r2 = assert_token_body(refresh(c, r1), "Token refreshed successfully")
    a3, r3 = assert_token_body(refresh(c, r2), "Token refreshed successfully")
    # R2 was just replaced by R3: within grace it replays (A3, R3)
    assert assert_token_body(refresh(c, r2), "Token refreshed successfully") == (a3, r3)
    assert_json(c.get("/auth/me", bearer=a3), 200)


def test_older_token_than_just_rotated_revokes(grace_srv):
    c = grace_srv.client()
    _, a1, r1 = new_user(grace_srv)
    a2, r2 = assert_token_body(refresh(c, r1), "Token refreshed successfully")
    a3, r3 = assert_token_body(refresh(c, r2), "Token refreshed successfully")
    # R1 is two generations old: reuse -> whole session revoked
    assert_json(refresh(c, r1), 401, ERR_REFRESH_REUSED)
    assert_revoked(c, a3, r3)
    assert_json(c.get("/auth/me", bearer=a1), 401, ERR_SESSION_NOT_FOUND)


def test_grace_replay_does_not_resurrect_logged_out_session(grace_srv):
    c = grace_srv.client()
    _, a1, r1 = new_user(grace_srv)
    a2, r2 = assert_token_body(refresh(c, r1), "Token refreshed successfully")
    assert_json(c.post("/auth/logout", bearer=a2), 200)
    assert_json(refresh(c, r1), 401, ERR_SESSION_NOT_FOUND)
    assert_json(refresh(c, r2), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.get("/auth/me", bearer=a2), 401, ERR_SESSION_NOT_FOUND)


def test_grace_replay_does_not_resurrect_revoked_session(grace_srv):
    c = grace_srv.client()
    _, a1, r1 = new_user(grace_srv)
    a2, r2 = assert_token_body(refresh(c, r1), "Token refreshed successfully")
    a3, r3 = assert_token_body(refresh(c, r2), "Token refreshed successfully")
    assert_json(refresh(c, r1), 401, ERR_REFRESH_REUSED)  # theft detected: revoked
    # R2 would be a grace replay, but the session is gone
    assert_json(refresh(c, r2), 401, ERR_SESSION_NOT_FOUND)
    assert_json(c.get("/auth/me", bearer=a3), 401, ERR_SESSION_NOT_FOUND)


def test_grace_replay_after_logout_all(grace_srv):
    c = grace_srv.client()
    email, a1, r1 = new_user(grace_srv)
    a2, r2 = assert_token_body(refresh(c, r1), "Token refreshed successfully")
    assert_json(c.post("/auth/logout-all", bearer=a1), 200)
    assert_json(refresh(c, r1), 401, ERR_SESSION_NOT_FOUND)


def test_reuse_after_grace_window_revokes(short_grace_srv):
    c = short_grace_srv.client()
    _, a1, r1 = new_user(short_grace_srv)
    a2, r2 = assert_token_body(refresh(c, r1), "Token refreshed successfully")
    time.sleep(1.5)
    assert_json(refresh(c, r1), 401, ERR_REFRESH_REUSED)
    assert_revoked(c, a2, r2)


def test_within_short_grace_still_replays(short_grace_srv):
    c = short_grace_srv.client()
    _, a1, r1 = new_user(short_grace_srv)
    pair = assert_token_body(refresh(c, r1), "Token refreshed successfully")
    assert assert_token_body(refresh(c, r1), "Token refreshed successfully") == pair


def test_reference_mode_any_reuse_revokes(ref_srv):
    c = ref_srv.client()
    _, a1, r1 = new_user(ref_srv)
    a2, r2 = assert_token_body(refresh(c, r1), "Token refreshed successfully")
    assert_json(refresh(c, r1), 401, ERR_REFRESH_REUSED)
    assert_revoked(c, a2, r2)
    assert_json(c.get("/auth/verify-session", bearer=a1), 401, ERR_SESSION_NOT_FOUND)


def test_reference_mode_rotation_chain(ref_srv):
    c = ref_srv.client()
    _, at, rt = new_user(ref_srv)
    seen = {rt}
    for _ in range(5):
        at, rt = assert_token_body(refresh(c, rt), "Token refreshed successfully")
        assert rt not in seen
        seen.add(rt)
    assert_json(c.get("/auth/me", bearer=at), 200)


def test_concurrent_refresh_single_rotation(grace_srv):
    c = grace_srv.client()
    _, a1, r1 = new_user(grace_srv)
    results = concurrent_refresh([grace_srv.port] * 32, r1)
    statuses = [r[0] for r in results]
    assert all(s == 200 for s in statuses), f"statuses: {statuses}\n{results}"
    pairs = {(b["accessToken"], b["refreshToken"]) for _, b in results}
    assert len(pairs) == 1, f"{len(pairs)} different pairs were issued (expected exactly one rotation)"
    for _, b in results:
        assert list(b.keys()) == ["accessToken", "refreshToken", "isRequiresMfa", "message"]
        assert b["message"] == "Token refreshed successfully"
    (a2, r2), = pairs
    assert r2 != r1
    # the session still works with that pair
    assert_json(c.get("/auth/me", bearer=a2), 200)
    a3, r3 = assert_token_body(refresh(c, r2), "Token refreshed successfully")
    assert_json(c.get("/auth/me", bearer=a3), 200)


def test_concurrent_refresh_many_sessions(grace_srv):
    """Concurrent rotations of different sessions do not interfere."""
    c = grace_srv.client()
    users = [new_user(grace_srv) for _ in range(8)]
    out = run_together([lambda u=u: refresh(grace_srv.client(), u[2]) for u in users],
                       timeout=30)
    for (email, _, _), r in zip(users, out):
        a, _ = assert_token_body(r, "Token refreshed successfully")
        assert jwt_parts(a)[1]["email"] == email
        assert_json(c.get("/auth/me", bearer=a), 200)


def test_refresh_after_access_expiry(server_factory):
    srv = server_factory("--session-access-token-ttl", "1s")
    c = srv.client()
    _, a1, r1 = new_user(srv)
    p = jwt_parts(a1)[1]
    assert p["exp"] - p["iat"] == 1
    time.sleep(2.1)
    assert_json(c.get("/auth/me", bearer=a1), 401, ERR_INVALID_TOKEN)
    a2, r2 = assert_token_body(refresh(c, r1), "Token refreshed successfully")
    assert_json(c.get("/auth/me", bearer=a2), 200)
    pr = jwt_parts(r2)[1]
    assert pr["exp"] - pr["iat"] == 2592000
    assert pr["sessionId"] == p["sessionId"]
