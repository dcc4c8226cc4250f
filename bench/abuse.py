#!/usr/bin/env python3
"""Abuse checks of the hashing pool, run by hand (figures in docs/benchmarks.md).

Each check starts its own authd (default configuration: argon2id 64 MiB,
t = 3, p = 4) in a fresh data dir on a free loopback port and prints what a
user would notice:

  stall   one signed-in user sends 32 concurrent change-password requests
          whose new password fails the policy; meanwhile another user logs
          in: that login's latency, idle and under the attack.
  leave   100 clients send a login each (distinct accounts) and hang up;
          then one real login: its latency (work for departed clients
          must not be computed).
  term    100 clients send a login each and wait; SIGTERM: time to exit
          (waiting hashes are answered 503 at once).

Usage: bench/abuse.py BIN {stall|leave|term} [extra authd flags...]
  e.g. bench/abuse.py build/authd stall
       bench/abuse.py /tmp/authd-old stall      (the same check on another build)
"""

import collections
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

PASSWORD = "Str0ng!Passw0rd"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, extra):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="authd-abuse.")
        self.log = os.path.join(self.dir, "log")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--data-dir", self.dir] + extra,
            stdout=open(self.log, "wb"), stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                self.call("GET", "/auth/client-config", timeout=1)
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("authd did not start; log: " + self.log)

    def call(self, method, path, body=None, bearer=None, timeout=300):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if bearer:
            headers["Authorization"] = "Bearer " + bearer
        c.request(method, path, json.dumps(body) if body is not None else None, headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data

    def login(self, email):
        t = time.monotonic()
        status, _ = self.call("POST", "/auth/login", {
            "providerName": "email", "credentials": {"email": email, "password": PASSWORD}})
        return status, time.monotonic() - t

    def stop(self):
        t = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait()
        return self.proc.returncode, time.monotonic() - t


def raw_logins(server, n):
    socks = []
    for i in range(n):
        body = json.dumps({"providerName": "email", "credentials": {
            "email": "u%d@example.com" % i, "password": PASSWORD}}).encode()
        req = (b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(req)
        socks.append(s)
    return socks


def stall(server):
    _, body = server.call("POST", "/auth/signup", {"email": "attacker@example.com", "password": PASSWORD})
    token = json.loads(body)["accessToken"]
    server.call("POST", "/auth/signup", {"email": "victim@example.com", "password": PASSWORD})
    idle = server.login("victim@example.com")
    statuses = []

    def attack():
        statuses.append(server.call("POST", "/auth/change-password",
                                    {"currentPassword": PASSWORD, "newPassword": "password123"},
                                    bearer=token)[0])

    threads = [threading.Thread(target=attack) for _ in range(32)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    loaded = server.login("victim@example.com")
    for t in threads:
        t.join()
    print("victim login: idle %.2f s (%d), during the attack %.2f s (%d); attack answers %s"
          % (idle[1], idle[0], loaded[1], loaded[0], dict(collections.Counter(statuses))))


def leave(server):
    server.call("POST", "/auth/signup", {"email": "a@example.com", "password": PASSWORD})
    socks = raw_logins(server, 100)
    time.sleep(0.5)
    for s in socks:
        s.close()
    time.sleep(0.5)
    status, seconds = server.login("a@example.com")
    print("login after 100 departed clients: %.2f s (%d)" % (seconds, status))


def term(server):
    socks = raw_logins(server, 100)
    time.sleep(0.5)
    code, seconds = server.stop()
    print("exit after SIGTERM during a 100-login flood: %.2f s (exit code %d)" % (seconds, code))
    for s in socks:
        s.close()


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in ("stall", "leave", "term"):
        raise SystemExit(__doc__)
    extra = sys.argv[3:]
    if sys.argv[2] != "stall":  # the flood uses accounts that do not exist
        extra = ["--rate-limit-enabled", "false", "--lockout-enabled", "false"] + extra
    server = Server(sys.argv[1], extra)
    try:
        {"stall": stall, "leave": leave, "term": term}[sys.argv[2]](server)
    finally:
        if server.proc.poll() is None:
            server.stop()
    with open(server.log) as f:
        tail = [l for l in f.read().splitlines() if "hash" in l.lower()][-2:]
    for line in tail:
        print("  log:", line[:300])


if __name__ == "__main__":
    main()
