#!/usr/bin/env python3
"""Memory per open connection, and what happens at the open-file limit.

    bench/connections.py [--authd build/authd] [--levels 1000,5000,10000]
                         [--fd-limit 256] [--out FILE]

Part 1, RSS per idle keep-alive connection: starts authd (defaults, a fresh
data dir, a free loopback port, server.idle_timeout raised to 10 min so no
connection is closed while the others are being opened), sends one request
on one connection to warm it up, reads VmRSS, then for each level opens
connections until that many are open, each sending one GET /auth/client-config
and reading its answer (so every connection has been through a whole request,
like an idle browser or proxy connection), waits 2 s, and reads VmRSS again.
Reports the RSS growth divided by the connections added.

Part 2, the open-file limit: starts authd under `prlimit --nofile=N` and opens
N + 50 connections, each sending a request. Reports how many were answered
200 and how many 503 (refused cleanly), whether any got nothing at all, and
whether one of the first connections still answers 200 afterwards.

Prints one `CONN_JSON {...}` line per measurement and a Markdown table.
"""
import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REQUEST = (b"GET /auth/client-config HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           b"Connection: keep-alive\r\n\r\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def read_response(sock):
    """Reads one HTTP response (Content-Length bodies); returns the status or 0."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return 0
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(head.split(b" ", 2)[1])


def request(sock):
    sock.sendall(REQUEST)
    return read_response(sock)


def start(authd, port, data_dir, prefix=()):
    cmd = [*prefix, authd, "--port", str(port), "--data-dir", data_dir,
           "--server-idle-timeout", "600s", "--log-level", "warn"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if request(s) == 200:
                    return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("connections: authd did not start: " + proc.stderr.read().decode()[-2000:])


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def rss_per_connection(authd, levels):
    rows = []
    work = tempfile.mkdtemp(prefix="authd-conn-")
    port = free_port()
    proc = start(authd, port, os.path.join(work, "data"))
    # The pid is authd's own when there is no wrapper.
    pid = proc.pid
    try:
        warm = socket.create_connection(("127.0.0.1", port))
        request(warm)
        time.sleep(1)
        base = rss_kib(pid)
        rows.append({"open": 1, "rss_kib": base, "per_conn_bytes": None})
        socks = [warm]
        for level in levels:
            while len(socks) < level:
                s = socket.create_connection(("127.0.0.1", port))
                if request(s) != 200:
                    raise SystemExit(f"connections: request failed at {len(socks)} connections")
                socks.append(s)
            time.sleep(2)
            rss = rss_kib(pid)
            row = {"open": len(socks), "rss_kib": rss,
                   "per_conn_bytes": round((rss - base) * 1024 / (len(socks) - 1))}
            print("CONN_JSON " + json.dumps(row), flush=True)
            rows.append(row)
        # Every connection still answers (none was dropped while idle).
        still = sum(1 for s in socks[:: max(1, len(socks) // 100)] if request(s) == 200)
        rows.append({"sampled_after": still})
        for s in socks:
            s.close()
    finally:
        stop(proc)
        shutil.rmtree(work, ignore_errors=True)
    return rows


def at_fd_limit(authd, limit):
    work = tempfile.mkdtemp(prefix="authd-fdlim-")
    port = free_port()
    prlimit = shutil.which("prlimit")
    if not prlimit:
        raise SystemExit("connections: prlimit (util-linux) is required")
    proc = start(authd, port, os.path.join(work, "data"),
                 prefix=(prlimit, f"--nofile={limit}:{limit}"))
    ok = refused = nothing = 0
    socks = []
    try:
        for _ in range(limit + 50):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            try:
                status = request(s)
            except OSError:
                status = 0
            if status == 200:
                ok += 1
                socks.append(s)
            elif status == 503:
                refused += 1
                s.close()
            else:
                nothing += 1
                s.close()
        first_still_works = bool(socks) and request(socks[0]) == 200
        for s in socks:
            s.close()
        time.sleep(0.5)
        # A new connection after the others closed is served again.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            after = request(s)
    finally:
        stop(proc)
        shutil.rmtree(work, ignore_errors=True)
    row = {"nofile": limit, "attempted": limit + 50, "served_200": ok, "refused_503": refused,
           "no_answer": nothing, "first_connection_still_200": first_still_works,
           "new_connection_after_close": after}
    print("CONN_JSON " + json.dumps(row), flush=True)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--authd", default=os.path.join(os.path.dirname(__file__), "..", "build", "authd"))
    ap.add_argument("--levels", default="1000,5000,10000")
    ap.add_argument("--fd-limit", type=int, default=256)
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = max(levels) + 100
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))
    rows = rss_per_connection(os.path.abspath(args.authd), levels)
    fd = at_fd_limit(os.path.abspath(args.authd), args.fd_limit)
    print("\n| open connections | authd RSS (MiB) | per connection (KiB) |")
    print("|---|---|---|")
    for r in rows:
        if "open" in r:
            per = "" if r["per_conn_bytes"] is None else f'{r["per_conn_bytes"] / 1024:.1f}'
            print(f'| {r["open"]:,} | {r["rss_kib"] / 1024:.1f} | {per} |')
    print(f'\nsampled idle connections still answering: {rows[-1]["sampled_after"]}')
    print(f'\nat RLIMIT_NOFILE={fd["nofile"]}: {fd["attempted"]} connections tried, '
          f'{fd["served_200"]} served, {fd["refused_503"]} answered 503, '
          f'{fd["no_answer"]} without an answer; first connection still served: '
          f'{fd["first_connection_still_200"]}; new connection after closing: '
          f'{fd["new_connection_after_close"]}')


if __name__ == "__main__":
    main()
