"""The files authd keeps in its data dir: generated secrets survive a failed
first start (written atomically), an empty or short secret file gets a message
saying what to do, every file authd creates is 0600 even in a data dir that
existed before, and the log tells each secret file's real mode (with a warning
when the group or others may read it)."""

import os
import resource
import shutil
import signal
import stat
import subprocess
import tempfile

import pytest

from conftest import (
    AUTHD_BIN, CHEAP_ARGON2, NO_THROTTLE, AuthdServer, assert_json, free_port, signup,
    sqlite_only, storage_flags,
)

SECRET = "an-operator-provided-secret-0123456789abcdefghij"


@pytest.fixture
def data_dir():
    d = tempfile.mkdtemp(prefix="authd-e2e-datadir-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _run_once(data_dir, preexec_fn=None, timeout=10):
    """Starts authd and expects it to exit by itself (a refused start)."""
    cmd = [AUTHD_BIN, "--host", "127.0.0.1", "--port", str(free_port()), "--data-dir", data_dir,
           *CHEAP_ARGON2, *storage_flags()]
    p = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                       preexec_fn=preexec_fn)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")


def _disk_full():
    # Every write past 16 bytes fails (EFBIG, SIGXFSZ ignored): a disk that
    # fills up while the first start writes its 65-byte secret.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))


def test_failed_first_start_does_not_leave_a_broken_secret(data_dir):
    rc, out = _run_once(data_dir, preexec_fn=_disk_full)
    assert rc != 0, out
    assert "jwt secret" in out and "File too large" in out, out
    left = os.listdir(data_dir)
    assert "jwt-secret" not in left and not [n for n in left if ".tmp-" in n], left
    # The next start (disk space back) generates the secret and serves.
    srv = AuthdServer(NO_THROTTLE, data_dir=data_dir)
    srv.start()
    try:
        with open(os.path.join(data_dir, "jwt-secret")) as f:
            assert len(f.read().strip()) >= 32
        _, r = signup(srv)
        assert_json(srv.client().get("/auth/me", bearer=r.json["accessToken"]), 200)
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


@sqlite_only("an empty secret is replaced only while the SQLite database does not exist")
def test_empty_secret_before_any_database_is_replaced(data_dir):
    """What a first start of an older authd left on a full disk."""
    open(os.path.join(data_dir, "jwt-secret"), "w").close()
    srv = AuthdServer(NO_THROTTLE, data_dir=data_dir)
    srv.start()
    try:
        with open(os.path.join(data_dir, "jwt-secret")) as f:
            assert len(f.read().strip()) >= 32
        assert "jwt secret generated and stored in" in srv.output(), srv.output()
        signup(srv)
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def test_empty_secret_next_to_a_database_is_refused_with_what_to_do(data_dir):
    srv = AuthdServer(NO_THROTTLE, data_dir=data_dir)
    srv.start()
    try:
        signup(srv)
        srv.stop(expect_exit_code=0)
        key = os.path.join(data_dir, "mfa-key")
        open(key, "w").close()  # truncated by accident: the old key may have sealed secrets
        rc, out = _run_once(data_dir)
        assert rc != 0, out
        assert f"{key} is empty" in out and "restore it" in out and "delete the file" in out, out
        assert os.path.getsize(key) == 0, "the file must not be replaced"
    finally:
        srv.cleanup()


def test_short_secret_is_refused_with_what_to_do(data_dir):
    with open(os.path.join(data_dir, "jwt-secret"), "w") as f:
        f.write("short\n")
    rc, out = _run_once(data_dir)
    assert rc != 0, out
    assert "shorter than 32 characters" in out and "openssl rand" in out, out


@sqlite_only("checks the modes of the authd.db files in the data dir")
def test_every_file_in_a_pre_existing_data_dir_is_private(data_dir):
    """The data dir exists beforehand (made by a package, a volume mount),
    so authd does not create it; with the common umask 022 every file it
    creates there must still be 0600, and the log must say so truly."""
    os.chmod(data_dir, 0o755)
    old = os.umask(0o022)
    try:
        srv = AuthdServer(NO_THROTTLE, data_dir=data_dir)
        srv.start()
    finally:
        os.umask(old)
    try:
        signup(srv)  # the -wal and -shm files exist while authd runs
        names = ["authd.db", "authd.db-wal", "authd.db-shm", "jwt-secret", "mfa-key"]
        present = sorted(os.listdir(data_dir))
        assert all(n in present for n in names), present
        modes = {n: oct(_mode(os.path.join(data_dir, n))) for n in present}
        assert all(m == "0o600" for m in modes.values()), modes
        out = srv.output()
        for name, what in (("jwt-secret", "jwt secret"), ("mfa-key", "mfa key")):
            line = f"{what} generated and stored in {os.path.join(data_dir, name)} (mode 0600)"
            assert line in out, out
        assert "other local users may read it" not in out, out
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


def test_group_readable_secret_file_is_reported_with_its_real_mode(data_dir):
    secret = os.path.join(data_dir, "jwt-secret")
    with open(secret, "w") as f:
        f.write(SECRET + "\n")
    os.chmod(secret, 0o644)
    srv = AuthdServer(NO_THROTTLE, data_dir=data_dir)
    srv.start()
    try:
        out = srv.output()
        assert f"jwt secret loaded from {secret} (mode 0644)" in out, out
        assert (f"jwt secret: {secret} has mode 0644: other local users may read it; "
                f"run chmod 600 {secret}") in out, out
        assert _mode(secret) == 0o644, "authd reports the mode, it does not change it"
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()


@sqlite_only("checks the authd.db file itself")
def test_group_readable_database_is_reported(data_dir):
    srv = AuthdServer(NO_THROTTLE, data_dir=data_dir)
    srv.start()
    try:
        signup(srv)
        srv.stop(expect_exit_code=0)
        db = os.path.join(data_dir, "authd.db")
        os.chmod(db, 0o644)
        srv.start()
        assert f"storage: {db} has mode 0644: other local users may read it" in srv.output()
        srv.stop(expect_exit_code=0)
    finally:
        srv.cleanup()
