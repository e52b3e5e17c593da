#!/usr/bin/env bash
# pg_suite.sh SUITE TEST... — the tests tests/SUITE/TEST.sh (SUITE cli or
# screen) run again on PostgreSQL: one throwaway server, BOARDPACK_TEST_PG
# naming a database on it, and each test's store a schema of its own
# (tests/cli/lib.sh). One line per test, "ok" or "FAIL" with its failed
# checks; exits 1 if any failed. A server that cannot start fails this
# run; it never skips. pg_cli_suite.sh and pg_screen_suite.sh call it with
# their suites' settings.
set -u
export LC_ALL=C.UTF-8 TZ=UTC
suite=${1:?usage: pg_suite.sh cli|screen TEST...}
shift
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/pg/pg-server.sh
. "$here/pg-server.sh"
server=$(pg_tmpdir) || { echo "FAIL: cannot make a folder for the server" >&2; exit 1; }
trap 'pg_stop "$server" >/dev/null 2>&1' EXIT
pg_start "$server" >/dev/null || { echo "FAIL: the PostgreSQL server did not start" >&2; exit 1; }
pg_createdb "$server" "$suite" || { echo "FAIL: createdb failed" >&2; exit 1; }
BOARDPACK_TEST_PG=$(pg_uri "$server" "$suite")
PSQL=$(pg_bindir)/psql
export BOARDPACK_TEST_PG PSQL PGOPTIONS="-c client_min_messages=warning"
status=0
for test in "$@"; do
  if bash "$SOURCE_ROOT/tests/$suite/$test.sh" >"$server/$test.log" 2>&1; then
    echo "ok   $test on PostgreSQL: $(tail -1 "$server/$test.log")"
  else
    echo "FAIL $test on PostgreSQL:"
    grep -A2 '^FAIL' "$server/$test.log" | head -40
    status=1
  fi
done
exit "$status"
