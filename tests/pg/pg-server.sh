#!/usr/bin/env bash
# pg-server.sh — a throwaway PostgreSQL server for the tests: its own data
# folder, a Unix socket in a folder of its own, no TCP, trust authentication,
# gone again at the end. Nothing here is for real data.
#
# As a command:
#   pg-server.sh start DIR [PORT]          initdb DIR/data, start it; socket in DIR
#   pg-server.sh createdb DIR NAME         an empty database NAME on it
#   pg-server.sh standby DIR SDIR [PORT]   a streaming hot standby of DIR's server in SDIR
#   pg-server.sh uri DIR [NAME]            print the connection URI for database NAME
#   pg-server.sh stop DIR                  stop the server (pg_ctl -m fast) and remove DIR
#   pg-server.sh tmpdir                    print a new folder under /tmp to use as DIR
#   pg-server.sh bindir                    print the folder of initdb, pg_ctl, psql...
#
# Or sourced (`. tests/pg/pg-server.sh`), for the functions pg_start,
# pg_createdb, pg_standby, pg_uri, pg_stop (same arguments as above) and
# pg_bindir (the folder of initdb, pg_ctl, psql...) and pg_tmpdir (a new
# folder under /tmp), and pg_env DIR, which exports PGHOST, PGPORT and PGUSER of DIR's server into
# the calling shell. Sourcing runs nothing and changes no shell option.
#
# `start` and `standby` write DIR/env, a file for `.` (sh or bash):
#   export PGHOST=DIR PGPORT=PORT PGUSER=boardpack_admin PGDATABASE=postgres
#   pg_uri() -- prints postgresql:///NAME?host=DIR&port=PORT&user=boardpack_admin
# and print the export line on stdout, so `eval "$(pg-server.sh start DIR)"`
# works too. Progress and errors go to stderr.
#
# DIR should be a new or empty folder whose parents anyone may enter (a
# folder directly under /tmp: pg_tmpdir / `pg-server.sh tmpdir` makes one).
# Run as root (CI), the server runs as Debian's `postgres` system user (or,
# if there is none, a system user `boardpack-pg` made for it) and DIR is
# given to that user; root, like anyone on this machine, connects through
# the socket with trust authentication as the superuser boardpack_admin.
#
# Any failure prints what went wrong, and the server's log if there is one,
# and returns non-zero: a test that needs the server must fail then, never
# skip. Tests stop the server on exit:
#   trap 'tests/pg/pg-server.sh stop "$dir"' EXIT
#
# For speed the server runs with fsync=off (a crash of this machine loses
# the throwaway data, which nobody keeps); set PG_FSYNC=on before `start` to
# keep fsync on, e.g. for a crash-safety test.
#
# The server's programs are found in PG_BINDIR if set, else the newest
# /usr/lib/postgresql/*/bin holding initdb (Debian's layout), else PATH.

PG_SUPERUSER=boardpack_admin

# Everything below the public functions runs in a subshell (the functions'
# bodies are in parentheses), so `exit` there ends only that call.

# The caller's PG* settings (PGDATA, PGHOST, PGSERVICE...) must not steer
# these programs; our own PG_* settings stay.
_pg_clear_env() {
  local name
  for name in $(compgen -v PG); do
    case $name in PG_*) ;; *) unset "$name" ;; esac
  done
}

_pg_die() {
  echo "pg-server: $*" >&2
  exit 1
}

# The folder of initdb, pg_ctl, pg_basebackup and psql.
_pg_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then
    [ -x "$PG_BINDIR/initdb" ] || _pg_die "PG_BINDIR=$PG_BINDIR holds no initdb"
    echo "$PG_BINDIR"
    return
  fi
  local candidates
  candidates=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V)
  local bin found=
  for bin in $candidates; do
    [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && found=$bin
  done
  if [ -z "$found" ] && command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    found=$(dirname "$(command -v initdb)")
  fi
  [ -n "$found" ] || _pg_die "the PostgreSQL server is not installed (no initdb under" \
    "/usr/lib/postgresql/*/bin or on PATH; Debian: apt-get install postgresql, which" \
    "tools/run-tests installs)"
  echo "$found"
}

# The account the server runs as: this one, or if root a system user.
_pg_owner() {
  if [ "$(id -u)" -ne 0 ]; then
    id -un
    return
  fi
  if id -u postgres >/dev/null 2>&1; then
    echo postgres
    return
  fi
  if ! id -u boardpack-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      boardpack-pg >&2 || _pg_die "there is no postgres user and useradd boardpack-pg failed"
  fi
  echo boardpack-pg
}

# _pg_as OWNER DIR CMD...: run CMD as OWNER from DIR (a folder OWNER may
# enter, so the server's programs never complain about root's cwd).
_pg_as() {
  local owner=$1 dir=$2
  shift 2
  if [ "$(id -un)" = "$owner" ]; then
    (cd "$dir" && "$@")
  else
    (cd "$dir" && runuser -u "$owner" -- "$@")
  fi
}

# _pg_absdir DIR: DIR made absolute; only characters safe in a config file,
# a URI and a shell word, and short enough for a socket path.
_pg_absdir() {
  local dir
  dir=$(realpath -m -- "$1") || _pg_die "cannot resolve folder '$1'"
  case $dir in
    *[!A-Za-z0-9._/-]*) _pg_die "folder '$dir' has characters other than A-Z a-z 0-9 . _ - /" ;;
  esac
  # sun_path holds 107 bytes; the socket is DIR/.s.PGSQL.PORT.
  [ "${#dir}" -le 80 ] || _pg_die "folder '$dir' is too long for a Unix socket path (80 characters at most)"
  echo "$dir"
}

# _pg_prepare DIR OWNER: make DIR (new or empty), give it to OWNER, mark it
# as ours (stop removes only marked folders) and check OWNER can enter it.
_pg_prepare() {
  local dir=$1 owner=$2
  if [ -e "$dir" ]; then
    [ -d "$dir" ] || _pg_die "$dir exists and is not a folder"
    [ -z "$(find "$dir" -mindepth 1 -maxdepth 1 ! -name .boardpack-pg-server)" ] ||
      _pg_die "$dir is not empty; give a new or empty folder"
  else
    mkdir -p "$dir" || _pg_die "cannot create $dir"
  fi
  : >"$dir/.boardpack-pg-server" || _pg_die "cannot write in $dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown "$owner:" "$dir" "$dir/.boardpack-pg-server" || _pg_die "cannot give $dir to $owner"
    chmod 0755 "$dir" || _pg_die "cannot chmod $dir"
    runuser -u "$owner" -- test -w "$dir" -a -x "$dir" ||
      _pg_die "the $owner user cannot enter $dir: one of its parent folders is private" \
        "(mktemp -d makes 0700 folders); put DIR directly under /tmp, e.g. with" \
        "'pg-server.sh tmpdir'"
  fi
}

_pg_free_port() {
  local dir=$1 port tries=0
  while :; do
    port=$((5433 + RANDOM % 20000))
    [ -e "$dir/.s.PGSQL.$port" ] || [ -e "$dir/.s.PGSQL.$port.lock" ] || break
    tries=$((tries + 1))
    [ "$tries" -lt 100 ] || _pg_die "no free port found for $dir"
  done
  echo "$port"
}

_pg_check_port() {
  case $1 in
    '' | *[!0-9]*) _pg_die "port '$1' is not a number" ;;
  esac
  [ "$1" -ge 1024 ] && [ "$1" -le 65535 ] || _pg_die "port $1 is not between 1024 and 65535"
}

# _pg_show_log FILE: the server's log on stderr, for a failure.
_pg_show_log() {
  if [ -s "$1" ]; then
    echo "pg-server: ---- $1 (last 60 lines) ----" >&2
    tail -n 60 "$1" >&2
    echo "pg-server: ---- end of $1 ----" >&2
  fi
}

# _pg_uri_encode TEXT: percent-encode all but unreserved characters and '/'.
_pg_uri_encode() {
  local text=$1 out='' c i
  for ((i = 0; i < ${#text}; i++)); do
    c=${text:i:1}
    case $c in
      [A-Za-z0-9._~/-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

# _pg_write_env DIR PORT: DIR/env, then the export line on stdout.
_pg_write_env() {
  local dir=$1 port=$2
  {
    echo "# The throwaway PostgreSQL server of tests/pg/pg-server.sh; . this file."
    echo "export PGHOST=$dir PGPORT=$port PGUSER=$PG_SUPERUSER PGDATABASE=postgres"
    echo "pg_uri() { printf 'postgresql:///%s?host=$(_pg_uri_encode "$dir")&port=$port&user=$PG_SUPERUSER\\n' \"\${1:-postgres}\"; }"
  } >"$dir/env.tmp" && mv -f "$dir/env.tmp" "$dir/env" || _pg_die "cannot write $dir/env"
  echo "export PGHOST=$dir PGPORT=$port PGUSER=$PG_SUPERUSER PGDATABASE=postgres"
}

# _pg_read_env DIR: sets PGHOST, PGPORT, PGUSER from DIR/env (in a subshell).
_pg_read_env() {
  [ -f "$1/env" ] || _pg_die "$1 holds no server started by pg-server.sh (no $1/env)"
  # shellcheck disable=SC1091
  . "$1/env"
}

# _pg_pg_ctl_start OWNER DIR: start DIR/data, log in DIR/log, wait for it.
_pg_ctl_start() {
  local owner=$1 dir=$2 bindir=$3
  if ! _pg_as "$owner" "$dir" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 120 start >"$dir/pg_ctl.out" 2>&1; then
    cat "$dir/pg_ctl.out" >&2
    _pg_show_log "$dir/log"
    _pg_die "the server in $dir/data did not start"
  fi
}

pg_bindir() ( # pg_bindir: print the folder of the server's programs (psql too)
  _pg_bindir
)

pg_tmpdir() ( # pg_tmpdir: print a new folder under /tmp for a server
  # Marked as ours at once, so that stop removes it even if start never ran.
  local dir
  dir=$(mktemp -d /tmp/boardpack-pg-XXXXXX) || _pg_die "mktemp failed"
  : >"$dir/.boardpack-pg-server" || _pg_die "cannot write in $dir"
  echo "$dir"
)

pg_start() ( # pg_start DIR [PORT]
  set -o pipefail
  [ $# -ge 1 ] && [ $# -le 2 ] || _pg_die "usage: pg-server.sh start DIR [PORT]"
  _pg_clear_env
  local dir port owner bindir
  dir=$(_pg_absdir "$1") || exit 1
  bindir=$(_pg_bindir) || exit 1
  owner=$(_pg_owner) || exit 1
  [ $# -eq 1 ] || _pg_check_port "$2" || exit 1
  _pg_prepare "$dir" "$owner" || exit 1
  if [ $# -eq 2 ]; then
    port=$2
  else
    port=$(_pg_free_port "$dir") || exit 1
  fi

  if ! _pg_as "$owner" "$dir" "$bindir/initdb" -D "$dir/data" -U "$PG_SUPERUSER" \
         -A trust --auth-local=trust --auth-host=reject --no-sync \
         -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    _pg_die "initdb failed in $dir/data (as $owner, $bindir/initdb)"
  fi
  # Later lines of postgresql.conf win over earlier ones.
  if ! _pg_as "$owner" "$dir" tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF
# --- tests/pg/pg-server.sh: a throwaway test server ---
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = ${PG_FSYNC:-off}
wal_level = replica
max_wal_senders = 5
wal_keep_size = '64MB'
hot_standby = on
max_connections = 40
shared_buffers = '32MB'
logging_collector = off
log_line_prefix = '%m [%p] %u@%d '
CONF
  then
    _pg_die "cannot write $dir/data/postgresql.conf"
  fi
  _pg_ctl_start "$owner" "$dir" "$bindir" || exit 1
  echo "pg-server: PostgreSQL $("$bindir/postgres" -V | awk '{print $3}') running as $owner," \
    "socket $dir/.s.PGSQL.$port, superuser $PG_SUPERUSER" >&2
  _pg_write_env "$dir" "$port"
)

pg_createdb() ( # pg_createdb DIR NAME
  [ $# -eq 2 ] || _pg_die "usage: pg-server.sh createdb DIR NAME"
  _pg_clear_env
  local dir bindir
  dir=$(_pg_absdir "$1") || exit 1
  bindir=$(_pg_bindir) || exit 1
  _pg_read_env "$dir" || exit 1
  "$bindir/createdb" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -- "$2" </dev/null ||
    _pg_die "createdb $2 failed on the server in $dir"
)

pg_standby() ( # pg_standby DIR STANDBYDIR [PORT]
  set -o pipefail
  [ $# -ge 2 ] && [ $# -le 3 ] || _pg_die "usage: pg-server.sh standby DIR STANDBYDIR [PORT]"
  _pg_clear_env
  local primary dir port owner bindir i state=
  primary=$(_pg_absdir "$1") || exit 1
  dir=$(_pg_absdir "$2") || exit 1
  [ "$primary" != "$dir" ] || _pg_die "the standby needs a folder of its own"
  bindir=$(_pg_bindir) || exit 1
  owner=$(_pg_owner) || exit 1
  _pg_read_env "$primary" || exit 1
  local primary_port=$PGPORT
  [ $# -eq 2 ] || _pg_check_port "$3" || exit 1
  _pg_prepare "$dir" "$owner" || exit 1
  if [ $# -eq 3 ]; then
    port=$3
  else
    port=$(_pg_free_port "$dir") || exit 1
    [ "$port" != "$primary_port" ] || port=$((port + 1))
  fi

  # -R writes primary_conninfo (the primary's socket) and standby.signal.
  if ! _pg_as "$owner" "$dir" timeout 300 "$bindir/pg_basebackup" -h "$primary" -p "$primary_port" \
         -U "$PG_SUPERUSER" -D "$dir/data" -R -X stream -c fast --no-sync \
         >"$dir/basebackup.log" 2>&1 </dev/null; then
    cat "$dir/basebackup.log" >&2
    _pg_show_log "$primary/log"
    _pg_die "pg_basebackup from the server in $primary failed"
  fi
  if ! _pg_as "$owner" "$dir" tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF
# --- tests/pg/pg-server.sh: the standby's own socket and port ---
unix_socket_directories = '$dir'
port = $port
hot_standby = on
CONF
  then
    _pg_die "cannot write $dir/data/postgresql.conf"
  fi
  [ -f "$dir/data/standby.signal" ] || _pg_die "pg_basebackup -R left no standby.signal in $dir/data"
  _pg_ctl_start "$owner" "$dir" "$bindir" || exit 1

  # Ready only once it is in recovery and its WAL receiver streams.
  for ((i = 0; i < 600; i++)); do
    state=$("$bindir/psql" -X -A -t -h "$dir" -p "$port" -U "$PG_SUPERUSER" -d postgres \
      -c "select pg_is_in_recovery()::text || ' ' || coalesce((select status from pg_stat_wal_receiver), 'none')" \
      </dev/null 2>/dev/null)
    [ "$state" = "true streaming" ] && break
    sleep 0.1
  done
  if [ "$state" != "true streaming" ]; then
    _pg_show_log "$dir/log"
    _pg_show_log "$primary/log"
    _pg_die "the standby in $dir is not streaming from $primary after 60 s (state: '${state:-no answer}')"
  fi
  echo "$primary" >"$dir/primary"
  echo "pg-server: hot standby of $primary streaming, socket $dir/.s.PGSQL.$port" >&2
  _pg_write_env "$dir" "$port"
)

pg_uri() ( # pg_uri DIR [NAME]
  [ $# -ge 1 ] && [ $# -le 2 ] || _pg_die "usage: pg-server.sh uri DIR [NAME]"
  local dir
  dir=$(_pg_absdir "$1") || exit 1
  _pg_read_env "$dir" || exit 1
  pg_uri "${2:-postgres}"
)

pg_env() { # pg_env DIR: export PGHOST, PGPORT, PGUSER, PGDATABASE here
  if [ ! -f "$1/env" ]; then
    echo "pg-server: $1 holds no server started by pg-server.sh (no $1/env)" >&2
    return 1
  fi
  # shellcheck disable=SC1091
  eval "$(grep '^export ' "$1/env")"
}

pg_stop() ( # pg_stop DIR
  [ $# -eq 1 ] || _pg_die "usage: pg-server.sh stop DIR"
  local dir owner bindir status=0
  dir=$(realpath -m -- "$1") || _pg_die "cannot resolve folder '$1'"
  [ -e "$dir" ] || exit 0
  [ -f "$dir/.boardpack-pg-server" ] ||
    _pg_die "$dir was not made by pg-server.sh (no .boardpack-pg-server); not removing it"
  if [ -f "$dir/data/postmaster.pid" ]; then
    bindir=$(_pg_bindir) || exit 1
    owner=$(stat -c %U "$dir/data")
    if ! _pg_as "$owner" "$dir" "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >"$dir/pg_ctl.out" 2>&1; then
      cat "$dir/pg_ctl.out" >&2
      _pg_show_log "$dir/log"
      echo "pg-server: fast stop of $dir/data failed; stopping it immediately" >&2
      _pg_as "$owner" "$dir" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >&2 || status=1
    fi
  fi
  if [ "$status" -ne 0 ]; then
    _pg_die "the server in $dir/data would not stop; $dir is left in place"
  fi
  rm -rf -- "$dir" || _pg_die "cannot remove $dir"
)

# Run as a command, not sourced.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  command=${1:-}
  shift || true
  case $command in
    start) pg_start "$@" ;;
    createdb) pg_createdb "$@" ;;
    standby) pg_standby "$@" ;;
    uri) pg_uri "$@" ;;
    stop) pg_stop "$@" ;;
    tmpdir) pg_tmpdir ;;
    bindir) pg_bindir ;;
    *)
      echo "usage: pg-server.sh start DIR [PORT] | createdb DIR NAME | standby DIR STANDBYDIR [PORT]" \
        "| uri DIR [NAME] | stop DIR | tmpdir | bindir" >&2
      exit 2 ;;
  esac
fi
