#!/usr/bin/env bash
# The command-line suite's tests that speak to the store only through
# boardpack and `sql` (tests/cli/lib.sh), run again on PostgreSQL: a
# throwaway server, BOARDPACK_TEST_PG naming its database, and each test's
# store a schema of its own. The tests about SQLite's files (their bytes,
# permissions, WAL, locks, backups) stay SQLite's. A server that cannot
# start fails this test; it never skips.
set -u
export LC_ALL=C.UTF-8 TZ=UTC
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/pg/pg-server.sh
. "$here/pg-server.sh"
server=$(pg_tmpdir) || { echo "FAIL: cannot make a folder for the server" >&2; exit 1; }
trap 'pg_stop "$server" >/dev/null 2>&1' EXIT
pg_start "$server" >/dev/null || { echo "FAIL: the PostgreSQL server did not start" >&2; exit 1; }
pg_createdb "$server" cli || { echo "FAIL: createdb failed" >&2; exit 1; }
BOARDPACK_TEST_PG=$(pg_uri "$server" cli)
PSQL=$(pg_bindir)/psql
export BOARDPACK_TEST_PG PSQL PGOPTIONS="-c client_min_messages=warning"
status=0
for test in "$@"; do
  if bash "$SOURCE_ROOT/tests/cli/$test.sh" >"$server/$test.log" 2>&1; then
    echo "ok   $test on PostgreSQL: $(tail -1 "$server/$test.log")"
  else
    echo "FAIL $test on PostgreSQL:"
    grep -A2 '^FAIL' "$server/$test.log" | head -40
    status=1
  fi
done
exit "$status"
