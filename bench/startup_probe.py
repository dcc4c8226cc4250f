#!/usr/bin/env python3
"""Time a server from spawn to its first HTTP 200, then measure idle RSS.

    bench/startup_probe.py [--runs N] [--idle S] [--path P] [--log FILE] \
        [--pre 'shell cmd'] PORT -- COMMAND [ARGS...]

Each run: optional --pre shell command (e.g. wipe the data dir), spawn
COMMAND, poll GET http://127.0.0.1:PORT<path> over a raw socket every
~1 ms (no curl process per poll, so the resolution is ~1 ms instead of the
~20-30 ms of a curl loop), record the time to the first 200, the RSS of the
process (+ direct children) at that moment and again after --idle seconds,
then SIGTERM it and wait. Prints one `STARTUP_JSON {...}` line per run and
a `STARTUP_SUMMARY {...}` line with medians.
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time


def rss_kb(pid):
    total = 0
    pids = [pid]
    try:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)],
                             capture_output=True, text=True).stdout
        pids += [int(x) for x in out.split()]
    except Exception:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def probe(port, path):
    """Returns the HTTP status code, or 0 if not answering yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            parts = data.split(b" ", 2)
            return int(parts[1]) if len(parts) > 1 else 0
    except (OSError, ValueError):
        return 0


def one_run(args, cmd):
    if args.pre:
        subprocess.run(args.pre, shell=True, check=True)
    if probe(args.port, args.path):
        sys.exit(f"startup_probe: something already answers on port {args.port}")
    log = open(args.log, "ab") if args.log else subprocess.DEVNULL
    t0 = time.monotonic_ns()
    proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    deadline = t0 + int(args.timeout * 1e9)
    code = 0
    while True:
        code = probe(args.port, args.path)
        if code == 200:
            break
        if proc.poll() is not None:
            sys.exit(f"startup_probe: server exited with {proc.returncode}")
        if time.monotonic_ns() > deadline:
            proc.kill()
            sys.exit("startup_probe: timeout")
        time.sleep(0.001)
    t1 = time.monotonic_ns()
    rss_ready = rss_kb(proc.pid)
    time.sleep(args.idle)
    rss_idle = rss_kb(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return {"startup_ms": round((t1 - t0) / 1e6, 1), "rss_ready_kb": rss_ready,
            "rss_idle_kb": rss_idle}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--idle", type=float, default=3.0)
    ap.add_argument("--path", default="/auth/client-config")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--log", default="")
    ap.add_argument("--pre", default="")
    ap.add_argument("--label", default="")
    ap.add_argument("port", type=int)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    if not cmd:
        ap.error("COMMAND missing")
    runs = []
    for _ in range(args.runs):
        r = one_run(args, cmd)
        r["label"] = args.label
        print("STARTUP_JSON " + json.dumps(r), flush=True)
        runs.append(r)
        time.sleep(0.5)
    summary = {
        "label": args.label,
        "runs": len(runs),
        "startup_ms_median": statistics.median(r["startup_ms"] for r in runs),
        "startup_ms_min": min(r["startup_ms"] for r in runs),
        "startup_ms_max": max(r["startup_ms"] for r in runs),
        "rss_ready_kb_median": statistics.median(r["rss_ready_kb"] for r in runs),
        "rss_idle_kb_median": statistics.median(r["rss_idle_kb"] for r in runs),
    }
    print("STARTUP_SUMMARY " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
