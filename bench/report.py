#!/usr/bin/env python3
"""Turns a bench/compare.sh results dir into Markdown (stdout) and chart.dat.

    bench/report.py RESULTS_DIR

Reads results.jsonl (one WRK_JSON object per wrk run, plus server, name,
conns, server_cpu_s, rss_peak_kb), startup.jsonl, idle_rss.json,
durability.jsonl and argon2.json (Google Benchmark JSON), whichever exist.
"""
import json
import os
import sys

GOALS = {
    "get_ratio": 50.0,      # /auth/me, /auth/verify-session: x reference req/s at c64
    "get_p99_ms": 5.0,      # ... with p99 <= 5 ms at c64
    "refresh_ratio": 30.0,  # chained refresh: x reference at c64
    "login_frac": 0.90,     # login >= 90 % of the raw argon2id rate
    "mixed_p99_ms": 10.0,   # /auth/me p99 during a login flood
    "idle_rss_mib": 15.0,
    "startup_ms": 50.0,
}
LABEL = {
    "me": "GET /auth/me",
    "verify": "GET /auth/verify-session",
    "refresh": "POST /auth/refresh-token (chained)",
    "login": "POST /auth/login",
    "mixed-me": "GET /auth/me during login flood",
    "mixed-login-flood": "POST /auth/login (the flood)",
}
ORDER = ["me", "verify", "refresh", "login"]


def load_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def load_json(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        try:
            return json.load(f)
        except json.JSONDecodeError:
            return None


def ok_count(r):
    return r["ok"] if "ok" in r else r["requests"] - r["non2xx"]


def success_pct(r):
    sent = r["requests"] + r.get("err_timeout", 0)
    if sent == 0:
        return 0.0
    bad = r.get("exhausted", 0)
    return 100.0 * (ok_count(r) - bad) / sent


def cpu_ms_per_req(r):
    n = r["requests"]
    return 1000.0 * r.get("server_cpu_s", 0) / n if n else float("nan")


def fmt(x, nd=1):
    if x is None:
        return "–"
    if isinstance(x, float) and x != x:
        return "–"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.{nd}f}"


def ratio(a, b):
    return a / b if b else None


def mark(ok):
    return "**met**" if ok else "**MISSED**"


def main():
    d = sys.argv[1]
    rows = load_jsonl(os.path.join(d, "results.jsonl"))
    by = {(r["server"], r["name"], r["conns"]): r for r in rows}
    keys = sorted({(r["name"], r["conns"]) for r in rows if r["name"] in ORDER},
                  key=lambda k: (ORDER.index(k[0]), k[1]))
    out = []
    p = out.append

    p("## Throughput and latency (same run, alternating servers)")
    p("")
    p("| scenario | conns | authd req/s | ref req/s | **ratio** | authd p50 / p99 ms | ref p50 / p99 ms "
      "| authd CPU ms/req | ref CPU ms/req | authd peak RSS MiB | ref peak RSS MiB | authd success % | ref success % |")
    p("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    chart = []
    for name, c in keys:
        a = by.get(("authd", name, c))
        r = by.get(("reference", name, c))
        if not a or not r:
            continue
        rt = ratio(a["rps"], r["rps"])
        p(f"| {LABEL[name]} | {c} | {fmt(a['rps'])} | {fmt(r['rps'])} | **{fmt(rt)}x** "
          f"| {fmt(a['lat_ms']['p50'], 2)} / {fmt(a['lat_ms']['p99'], 2)} "
          f"| {fmt(r['lat_ms']['p50'], 1)} / {fmt(r['lat_ms']['p99'], 1)} "
          f"| {fmt(cpu_ms_per_req(a), 3)} | {fmt(cpu_ms_per_req(r), 2)} "
          f"| {fmt(a['rss_peak_kb'] / 1024)} | {fmt(r['rss_peak_kb'] / 1024)} "
          f"| {success_pct(a):.2f} | {success_pct(r):.2f} |")
        short = {"me": "me", "verify": "verify", "refresh": "refresh", "login": "login"}[name]
        chart.append((f"{short} c{c}", a["rps"], r["rps"]))
    p("")
    p("success = HTTP 200 with the expected body (me: the user's e-mail; verify: `\"valid\":true`; "
      "refresh: a new refreshToken, chained into the next request; login: an accessToken) over all requests "
      "sent (incl. timeouts). CPU ms/req = server utime+stime over the run / requests.")
    p("")
    errs = [r for r in rows if r.get("non2xx") or r.get("err_timeout") or r.get("bad_body")
            or r.get("exhausted") or r.get("err_connect") or r.get("err_read") or r.get("err_write")]
    if errs:
        p("Runs with errors:")
        p("")
        for r in errs:
            p(f"- {r['server']} {r['name']} c{r['conns']}: non2xx={r.get('non2xx')} "
              f"fail_status={r.get('fail_status', '')} bad_body={r.get('bad_body', 0)} "
              f"timeouts={r.get('err_timeout')} exhausted={r.get('exhausted', 0)} "
              f"socket errors c/r/w={r.get('err_connect')}/{r.get('err_read')}/{r.get('err_write')}")
        p("")
    busy = [r.get("cpu_busy_pct_before", 0) for r in rows if "cpu_busy_pct_before" in r]
    if busy:
        p(f"Machine busy before the runs: {min(busy)}–{max(busy)} % (quiet threshold 15 %).")
        p("")

    # mixed
    mixed = {(r["server"], r["name"]): r for r in rows if r["name"].startswith("mixed")}
    if mixed:
        p("## Mixed: GET /auth/me while a login flood runs on other connections")
        p("")
        p("| server | /auth/me conns | /auth/me req/s | p50 ms | p99 ms | max ms | /auth/me success % "
          "| flood conns | flood logins/s | flood success % |")
        p("|---|---|---|---|---|---|---|---|---|---|")
        for s in ("authd", "reference"):
            m = mixed.get((s, "mixed-me"))
            f = mixed.get((s, "mixed-login-flood"))
            if not m:
                continue
            flood = (f"{f['conns']} | {fmt(f['rps'])} | {success_pct(f):.2f}" if f else "– | – | –")
            p(f"| {s} | {m['conns']} | {fmt(m['rps'])} | {fmt(m['lat_ms']['p50'], 2)} | "
              f"{fmt(m['lat_ms']['p99'], 2)} | {fmt(m['lat_ms']['max'], 1)} | {success_pct(m):.2f} | {flood} |")
        p("")

    # argon2
    argon = load_json(os.path.join(d, "argon2.json"))
    raw_rate = None
    if argon:
        p("## Raw argon2id rate (m=65536 KiB, t=3, p=4; verify of a production hash)")
        p("")
        p("| benchmark | threads | ms per verify (wall) | verifies/s |")
        p("|---|---|---|---|")
        for b in argon.get("benchmarks", []):
            if b.get("run_type", "iteration") != "iteration" or "Verify" not in b["name"]:
                continue
            ips = b.get("items_per_second", 0)
            raw_rate = max(raw_rate or 0, ips)
            p(f"| {b['name']} | {b.get('threads', 1)} | {b['real_time']:.1f} | {ips:.1f} |")
        p("")
        if raw_rate:
            p(f"Raw rate used below (best row) = **{raw_rate:.1f} verifies/s** on all cores.")
            p("")

    # startup / RSS
    st = {s["label"]: s for s in load_jsonl(os.path.join(d, "startup.jsonl")) if "startup_ms_median" in s}
    idle = load_json(os.path.join(d, "idle_rss.json")) or {}
    fin = load_json(os.path.join(d, "final_rss.json")) or {}
    p("## Startup and memory")
    p("")
    p("| measure | authd | reference | ratio ref/authd |")
    p("|---|---|---|---|")
    if st:
        a, r = st.get("authd"), st.get("reference")
        if a and r:
            p(f"| startup: spawn → first 200 (median of {a['runs']}; min–max) | {a['startup_ms_median']:.1f} ms "
              f"({a['startup_ms_min']:.1f}–{a['startup_ms_max']:.1f}) | {r['startup_ms_median']:.0f} ms "
              f"({r['startup_ms_min']:.0f}–{r['startup_ms_max']:.0f}) | {r['startup_ms_median'] / a['startup_ms_median']:.0f}x |")
            p(f"| RSS at first 200 (median) | {a['rss_ready_kb_median'] / 1024:.1f} MiB | "
              f"{r['rss_ready_kb_median'] / 1024:.1f} MiB | {r['rss_ready_kb_median'] / a['rss_ready_kb_median']:.0f}x |")
            p(f"| RSS idle, 3 s after first 200 (median) | {a['rss_idle_kb_median'] / 1024:.1f} MiB | "
              f"{r['rss_idle_kb_median'] / 1024:.1f} MiB | {r['rss_idle_kb_median'] / a['rss_idle_kb_median']:.0f}x |")
    if idle:
        p(f"| RSS idle of the benchmarked instances (before load) | {idle['authd_rss_idle_kb'] / 1024:.1f} MiB | "
          f"{idle['reference_rss_idle_kb'] / 1024:.1f} MiB | |")
    if fin:
        p(f"| RSS after all scenarios / peak (VmHWM) | {fin['authd_rss_final_kb'] / 1024:.1f} / "
          f"{fin['authd_vmhwm_kb'] / 1024:.1f} MiB | {fin['reference_rss_final_kb'] / 1024:.1f} / "
          f"{fin['reference_vmhwm_kb'] / 1024:.1f} MiB | |")
    p("")

    dur = load_jsonl(os.path.join(d, "durability.jsonl"))
    if dur:
        p("## Durability probe (strace: fsync-family calls during a 3 s chained-refresh run, c8)")
        p("")
        p("| server | successful rotations | fsync/fdatasync calls | fsyncs per rotation |")
        p("|---|---|---|---|")
        for x in dur:
            p(f"| {x['server']} | {x['rotations_ok']} | {x['fsync_calls']} | {x['fsyncs_per_rotation']} |")
        p("")

    # goals
    p("## Goals")
    p("")
    p("| goal | measured | verdict |")
    p("|---|---|---|")
    hi = max([c for (n, c) in keys if n in ("me", "verify", "refresh")] or [0])
    for name in ("me", "verify"):
        a, r = by.get(("authd", name, hi)), by.get(("reference", name, hi))
        if a and r:
            rt = a["rps"] / r["rps"]
            p(f"| {LABEL[name]} ≥ {GOALS['get_ratio']:.0f}x reference req/s at c{hi} | {rt:.1f}x "
              f"({a['rps']:.0f} vs {r['rps']:.0f}) | {mark(rt >= GOALS['get_ratio'])} |")
            p(f"| {LABEL[name]} p99 ≤ {GOALS['get_p99_ms']:.0f} ms at c{hi} | {a['lat_ms']['p99']:.2f} ms | "
              f"{mark(a['lat_ms']['p99'] <= GOALS['get_p99_ms'])} |")
    a, r = by.get(("authd", "refresh", hi)), by.get(("reference", "refresh", hi))
    if a and r:
        rt = a["rps"] / r["rps"]
        p(f"| chained refresh ≥ {GOALS['refresh_ratio']:.0f}x at c{hi} | {rt:.1f}x ({a['rps']:.0f} vs {r['rps']:.0f}) "
          f"| {mark(rt >= GOALS['refresh_ratio'])} |")
    da = next((x for x in dur if x["server"] == "authd"), None)
    if da:
        # authd's SQLite writer group-commits: concurrent rotations share one
        # BEGIN IMMEDIATE..COMMIT (synchronous=FULL => fsync of the WAL) and each
        # caller is answered only after its batch committed. So durable means:
        # fsyncs happened, and never more rotations per fsync than in flight.
        fs, rot = da["fsync_calls"], da["rotations_ok"]
        per = rot / fs if fs else None
        p(f"| every rotation durable (acknowledged only after a synchronous=FULL commit) | {fs} WAL fsyncs for "
          f"{rot} rotations = group commits of {per:.1f} rotations on average (8 in flight at most) | "
          f"{mark(fs > 0 and per is not None and per <= 8.5)} |" if per else
          f"| every rotation durable | no fsync seen | {mark(False)} |")
    logins = [v for (s, n, c), v in by.items() if s == "authd" and n == "login"]
    if logins and raw_rate:
        best = max(logins, key=lambda x: x["rps"])
        frac = best["rps"] / raw_rate
        p(f"| login ≥ {GOALS['login_frac'] * 100:.0f} % of raw argon2id rate | {best['rps']:.1f}/s at c{best['conns']} "
          f"= {frac * 100:.0f} % of {raw_rate:.1f}/s | {mark(frac >= GOALS['login_frac'])} |")
    m = mixed.get(("authd", "mixed-me")) if mixed else None
    if m:
        p(f"| /auth/me p99 ≤ {GOALS['mixed_p99_ms']:.0f} ms during a login flood | {m['lat_ms']['p99']:.2f} ms | "
          f"{mark(m['lat_ms']['p99'] <= GOALS['mixed_p99_ms'])} |")
    if st.get("authd"):
        a = st["authd"]
        p(f"| idle RSS ≤ {GOALS['idle_rss_mib']:.0f} MiB | {a['rss_idle_kb_median'] / 1024:.1f} MiB | "
          f"{mark(a['rss_idle_kb_median'] / 1024 <= GOALS['idle_rss_mib'])} |")
        p(f"| startup to first 200 ≤ {GOALS['startup_ms']:.0f} ms | {a['startup_ms_median']:.1f} ms | "
          f"{mark(a['startup_ms_median'] <= GOALS['startup_ms'])} |")
    p("")

    with open(os.path.join(d, "chart.dat"), "w") as f:
        f.write("# scenario authd_rps reference_rps\n")
        for lbl, a, r in chart:
            f.write(f"\"{lbl}\" {a:.1f} {r:.1f}\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
