# pg_cli_lib.sh — shared by the pg suite's command-line tests: the cli tests'
# helpers (tests/cli/lib.sh: $WORK, run, expect_*, finish), a throwaway
# PostgreSQL server of tests/pg/pg-server.sh started for the test and
# stopped on exit, and psql on it. A server that cannot start fails the
# test (fatal); it never skips.
# shellcheck source=tests/cli/lib.sh
. "$SOURCE_ROOT/tests/cli/lib.sh"
# shellcheck source=tests/pg/pg-server.sh
. "$SOURCE_ROOT/tests/pg/pg-server.sh"

# fatal WHAT: one failed check, the count, and out: nothing else can run.
fatal() {
  fail "$*"
  finish
  exit 1
}

PGBIN=$(pg_bindir) || fatal "no PostgreSQL server programs (initdb, pg_ctl, psql)"
PGDIR=$(pg_tmpdir) || fatal "cannot make a folder for the PostgreSQL server"
pg_cleanup() {
  pg_stop "$PGDIR" || echo "FAIL: stopping the PostgreSQL server in $PGDIR" >&2
  rm -rf "$WORK"
}
trap pg_cleanup EXIT
pg_start "$PGDIR" >/dev/null || fatal "the PostgreSQL server did not start"

# pg_new_db NAME: an empty database NAME; prints its URI (as the superuser).
pg_new_db() {
  pg_createdb "$PGDIR" "$1" >&2 || return 1
  pg_uri "$PGDIR" "$1"
}

# pg_role_uri NAME ROLE: NAME's URI for login role ROLE.
pg_role_uri() {
  pg_uri "$PGDIR" "$1" | sed "s/&user=[^&]*/\&user=$2/"
}

# pgsql URI SQL...: psql, unaligned, tuples only, stopping at the first
# error; each SQL a -c of its own.
pgsql() {
  local uri=$1 arg
  shift
  local args=()
  for arg in "$@"; do args+=(-c "$arg"); done
  "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$uri" "${args[@]}" </dev/null
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s until it succeeds, for
# at most SECONDS; the status of its last run.
wait_until() {
  local limit=$1 started=$SECONDS
  shift
  until "$@"; do
    [ $((SECONDS - started)) -lt "$limit" ] || return 1
    sleep 0.1
  done
}
