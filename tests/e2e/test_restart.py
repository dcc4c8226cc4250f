"""Persistence across restarts: graceful SIGTERM, generated JWT secret kept in
the data dir, and durability of a signup acknowledged right before kill -9."""

import os
import shutil
import stat
import tempfile

import pytest

from conftest import (
    NO_THROTTLE, AuthdServer, assert_json, assert_token_body, jwt_parts, login, signup,
)


@pytest.fixture
def data_dir():
    d = tempfile.mkdtemp(prefix="authd-e2e-restart-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _server(data_dir):
    return AuthdServer(NO_THROTTLE, data_dir=data_dir)


def test_restart_keeps_users_sessions_and_secret(data_dir):
    srv = _server(data_dir)
    srv.start()
    try:
        email, r = signup(srv)
        r = login(srv, email)
        at, rt = r.json["accessToken"], r.json["refreshToken"]
        uid = jwt_parts(at)[1]["id"]
        assert_json(srv.client().get("/auth/me", bearer=at), 200)

        secret_file = os.path.join(data_dir, "jwt-secret")
        assert os.path.isfile(secret_file), f"no generated secret file in {os.listdir(data_dir)}"
        mode = stat.S_IMODE(os.stat(secret_file).st_mode)
        assert mode == 0o600, f"jwt-secret mode is {oct(mode)}, expected 0o600"
        with open(secret_file, "rb") as f:
            secret_before = f.read()
        assert len(secret_before.strip()) >= 32, "generated secret is too short"

        rc = srv.stop(expect_exit_code=0)
        assert rc == 0

        srv.start()
        with open(secret_file, "rb") as f:
            assert f.read() == secret_before, "secret file changed on restart"
        c = srv.client()
        # old access token (signed before the restart) still valid
        js = assert_json(c.get("/auth/me", bearer=at), 200)
        assert js["id"] == uid and js["email"] == email
        assert_json(c.get("/auth/verify-session", bearer=at), 200)
        # old refresh token rotates
        a2, r2 = assert_token_body(c.post("/auth/refresh-token", {"refreshToken": rt}),
                                   "Token refreshed successfully")
        assert jwt_parts(a2)[1]["sessionId"] == jwt_parts(at)[1]["sessionId"]
        # login still works
        r = login(srv, email)
        assert_json(c.get("/auth/me", bearer=r.json["accessToken"]), 200)
        # duplicate detection still works after restart
        r = c.post("/auth/signup", {"email": email, "password": "Str0ng!Passw0rd"})
        assert r.status == 400 and r.json["code"] == "EMAIL_ALREADY_EXISTS", r
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def test_revocation_survives_restart(data_dir):
    srv = _server(data_dir)
    srv.start()
    try:
        email, r = signup(srv)
        at, rt = r.json["accessToken"], r.json["refreshToken"]
        assert_json(srv.client().post("/auth/logout", bearer=at), 200)
        srv.stop(expect_exit_code=0)
        srv.start()
        c = srv.client()
        assert_json(c.get("/auth/me", bearer=at), 401,
                    {"statusCode": 401, "error": "Unauthorized", "message": "Session not found"})
        assert_json(c.post("/auth/refresh-token", {"refreshToken": rt}), 401,
                    {"statusCode": 401, "error": "Unauthorized", "message": "Session not found"})
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def test_explicit_secret_is_used(data_dir):
    from conftest import KNOWN_SECRET, jwt_sign
    srv = AuthdServer(NO_THROTTLE + ["--session-jwt-secret", KNOWN_SECRET], data_dir=data_dir)
    srv.start()
    try:
        email, r = signup(srv)
        at = r.json["accessToken"]
        payload = jwt_parts(at)[1]
        assert jwt_sign(payload, KNOWN_SECRET) == at, "token not signed with --session-jwt-secret"
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def test_kill9_after_signup_is_durable(data_dir):
    srv = _server(data_dir)
    srv.start()
    try:
        email, r = signup(srv)
        at = r.json["accessToken"]
        srv.kill9()
        srv.start()
        c = srv.client()
        r = login(srv, email)
        assert_token_body(r, "Login successful")
        assert_json(c.get("/auth/me", bearer=r.json["accessToken"]), 200)
        # the signup session itself survived as well
        assert_json(c.get("/auth/me", bearer=at), 200)
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def test_kill9_after_refresh_is_durable(data_dir):
    srv = _server(data_dir)
    srv.start()
    try:
        email, r = signup(srv)
        rt = r.json["refreshToken"]
        a2, r2 = assert_token_body(srv.client().post("/auth/refresh-token", {"refreshToken": rt}),
                                   "Token refreshed successfully")
        srv.kill9()
        srv.start()
        # the rotated token is the current one after the crash
        assert_token_body(srv.client().post("/auth/refresh-token", {"refreshToken": r2}),
                          "Token refreshed successfully")
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()
