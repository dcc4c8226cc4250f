#!/usr/bin/env bash
# Throw-away PostgreSQL clusters for tests (unit store-contract suite, e2e
# PostgreSQL mode). A cluster lives entirely in one directory; it never uses
# the Debian system cluster (/etc/postgresql, /var/run/postgresql, port 5432
# unless free and picked by chance): only the server binaries are used.
#
# Usage: scripts/pg-cluster.sh COMMAND DIR
#   start DIR        DIR must be new or empty. initdb into DIR/data (as the
#                    `postgres` OS user when run as root, else as the current
#                    user), trust auth for local sockets and 127.0.0.1 only,
#                    listen on 127.0.0.1:<free port>, socket in DIR, fsync off
#                    (test speed; synchronous_commit stays on), 300
#                    connections, log in DIR/server.log; starts it, creates
#                    database `authd` and prints exactly one line on stdout:
#                      postgres://<superuser>@127.0.0.1:<port>/authd
#                    (superuser = the OS user owning the cluster). Also writes
#                    DIR/url (that URL) and DIR/env (shell lines PGCTL, PGDATA,
#                    PGUSER_OS, PORT, PGBINDIR, SOCKDIR, PGSUPERUSER).
#   stop DIR         pg_ctl stop -m fast (no-op if not running)
#   stop-now DIR     pg_ctl stop -m immediate (a crash, for tests; no-op if
#                    not running)
#   restart DIR      pg_ctl restart -m fast
#   start-again DIR  start a stopped cluster again on its recorded port (so
#                    clients keep their URL); prints the URL like start
#   destroy DIR      stop (immediate) if running, then remove DIR
#   url DIR          print the URL
# Env: PG_BINDIR  PostgreSQL server binaries (default: pg_config --bindir if it
#                 holds initdb, else the newest /usr/lib/postgresql/*/bin)
# Typical use:
#   dir=$(mktemp -d); url=$(scripts/pg-cluster.sh start "$dir")
#   trap 'scripts/pg-cluster.sh destroy "$dir"' EXIT
# Errors go to stderr (with the tail of DIR/server.log when the server fails).
set -euo pipefail

die() { echo "pg-cluster: $*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -eq 2 ] || usage
CMD="$1"
DIR="$2"
[ -n "$DIR" ] || usage

# Never let the caller's libpq/server environment leak into what we run.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGSERVICEFILE PGOPTIONS \
      PGPASSWORD PGPASSFILE PGSSLMODE PGTARGETSESSIONATTRS PGDATA PGCLUSTER || true

find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then
    [ -x "$PG_BINDIR/initdb" ] || die "PG_BINDIR=$PG_BINDIR has no initdb"
    echo "$PG_BINDIR"
    return
  fi
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d="$(pg_config --bindir 2>/dev/null || true)"
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return
    fi
  fi
  d="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  if [ ! -x "$d/initdb" ]; then
    die "no PostgreSQL server binaries found (install the 'postgresql' package or set PG_BINDIR)"
  fi
  echo "$d"
}

# Runs a command as the OS user owning the cluster, from / (the caller's cwd
# may not be readable by that user).
as_owner() {
  if [ "$(id -u)" -eq 0 ] && [ "$PGUSER_OS" != root ]; then
    (cd / && runuser -u "$PGUSER_OS" -- "$@")
  else
    (cd / && "$@")
  fi
}

free_port() {
  python3 - <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

urlencode() {
  python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}

load_env() {
  [ -f "$DIR/env" ] || die "$DIR is not a cluster made by pg-cluster.sh (no $DIR/env)"
  # shellcheck disable=SC1091
  . "$DIR/env"
  if [ -z "${PGCTL:-}" ] || [ -z "${PGDATA:-}" ] || [ -z "${PGUSER_OS:-}" ] || [ -z "${PORT:-}" ]; then
    die "$DIR/env is incomplete"
  fi
  if [ "$(id -u)" -ne 0 ] && [ "$PGUSER_OS" != "$(id -un)" ]; then
    die "cluster in $DIR belongs to $PGUSER_OS; run as root or as $PGUSER_OS"
  fi
}

is_running() {
  as_owner "$PGCTL" -D "$PGDATA" status >/dev/null 2>&1
}

log_tail() {
  if [ -f "$DIR/server.log" ]; then
    echo "---- tail of $DIR/server.log" >&2
    tail -n 30 "$DIR/server.log" >&2 || true
  fi
}

# pg_ctl start; returns non-zero if the server did not come up.
pg_start() {
  as_owner "$PGCTL" -D "$PGDATA" -l "$DIR/server.log" -w -t 60 start >/dev/null
}

cmd_start() {
  local bindir owner super
  bindir="$(find_bindir)"
  if [ -e "$DIR" ]; then
    [ -d "$DIR" ] || die "$DIR exists and is not a directory"
    [ -z "$(ls -A "$DIR")" ] || die "$DIR is not empty"
  else
    mkdir -p "$DIR"
  fi
  DIR="$(cd "$DIR" && pwd -P)"
  : >"$DIR/.pg-cluster"   # marks DIR as ours for destroy, even if start fails below
  # unix socket path limit (sun_path, 108 bytes incl. NUL): DIR/.s.PGSQL.NNNNN
  [ "${#DIR}" -le 90 ] || die "path too long for a socket directory: $DIR"

  if [ "$(id -u)" -eq 0 ]; then
    owner=postgres
    id -u "$owner" >/dev/null 2>&1 || die "running as root but there is no 'postgres' OS user"
    chown "$owner": "$DIR"
    chmod 0700 "$DIR"
    runuser -u "$owner" -- test -w "$DIR" ||
      die "the '$owner' user cannot reach $DIR (a parent directory is not searchable); use e.g. mktemp -d"
  else
    owner="$(id -un)"
  fi
  super="$owner"
  PGUSER_OS="$owner"
  PGCTL="$bindir/pg_ctl"
  PGDATA="$DIR/data"

  as_owner "$bindir/initdb" -D "$PGDATA" -U "$super" --auth=trust -E UTF8 --locale=C \
    --no-sync --no-instructions >"$DIR/initdb.log" 2>&1 || {
    cat "$DIR/initdb.log" >&2
    die "initdb failed"
  }

  # Only the local socket (in DIR) and 127.0.0.1, both trusted.
  as_owner tee "$PGDATA/pg_hba.conf" >/dev/null <<EOF
# pg-cluster.sh: throw-away test cluster, trust on loopback only
local all all                trust
host  all all 127.0.0.1/32   trust
EOF

  local port attempt
  port="$(free_port)"
  as_owner tee -a "$PGDATA/postgresql.conf" >/dev/null <<EOF

# ---- pg-cluster.sh (throw-away test cluster) ----
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR'
fsync = off
full_page_writes = off
synchronous_commit = on
max_connections = 300
shared_buffers = 64MB
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] '
EOF

  for attempt in 1 2 3 4 5; do
    write_env "$bindir" "$port" "$super"
    if pg_start; then
      break
    fi
    if [ "$attempt" -lt 5 ] && grep -qi "could not bind\|address already in use" "$DIR/server.log" 2>/dev/null; then
      echo "pg-cluster: port $port taken, trying another" >&2
      port="$(free_port)"
      as_owner sed -i "s/^port = [0-9]*$/port = $port/" "$PGDATA/postgresql.conf"
      continue
    fi
    log_tail
    die "the server in $DIR did not start"
  done

  as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$port" -U "$super" -d postgres \
    -c "CREATE DATABASE authd" >/dev/null || { log_tail; die "CREATE DATABASE authd failed"; }

  local url
  url="postgres://$(urlencode "$super")@127.0.0.1:$port/authd"
  echo "$url" >"$DIR/url"
  echo "$url"
}

write_env() {
  local bindir="$1" port="$2" super="$3"
  {
    echo "# written by scripts/pg-cluster.sh; sourced by it (stop, restart, ...)"
    printf 'PGCTL=%q\n' "$bindir/pg_ctl"
    printf 'PGDATA=%q\n' "$PGDATA"
    printf 'PGUSER_OS=%q\n' "$PGUSER_OS"
    printf 'PORT=%q\n' "$port"
    printf 'PGBINDIR=%q\n' "$bindir"
    printf 'SOCKDIR=%q\n' "$DIR"
    printf 'PGSUPERUSER=%q\n' "$super"
  } >"$DIR/env"
}

cmd_stop() {
  local mode="$1"
  load_env
  if ! is_running; then
    echo "pg-cluster: $DIR is not running" >&2
    return 0
  fi
  as_owner "$PGCTL" -D "$PGDATA" -m "$mode" -w -t 60 stop >/dev/null || { log_tail; die "stop failed"; }
}

cmd_restart() {
  load_env
  as_owner "$PGCTL" -D "$PGDATA" -l "$DIR/server.log" -m fast -w -t 60 restart >/dev/null ||
    { log_tail; die "restart failed"; }
}

cmd_start_again() {
  load_env
  if is_running; then
    echo "pg-cluster: $DIR is already running" >&2
  else
    pg_start || { log_tail; die "the server in $DIR did not start (port $PORT taken?)"; }
  fi
  cat "$DIR/url"
}

cmd_destroy() {
  [ -e "$DIR" ] || return 0
  [ -d "$DIR" ] || die "$DIR is not a directory"
  if [ -f "$DIR/env" ]; then
    load_env
    if is_running; then
      as_owner "$PGCTL" -D "$PGDATA" -m immediate -w -t 60 stop >/dev/null || true
    fi
  elif [ -n "$(ls -A "$DIR")" ] && [ ! -f "$DIR/.pg-cluster" ]; then
    die "refusing to remove $DIR: not a cluster made by pg-cluster.sh"
  fi
  rm -rf -- "$DIR"
}

case "$CMD" in
  start) cmd_start ;;
  stop) cmd_stop fast ;;
  stop-now) cmd_stop immediate ;;
  restart) cmd_restart ;;
  start-again) cmd_start_again ;;
  destroy) cmd_destroy ;;
  url) load_env; cat "$DIR/url" ;;
  -h|--help|help) usage ;;
  *) echo "pg-cluster: unknown command '$CMD'" >&2; usage ;;
esac
