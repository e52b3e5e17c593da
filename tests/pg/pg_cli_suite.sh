#!/usr/bin/env bash
# The command-line suite (tests/cli), run again on PostgreSQL: a throwaway
# server, BOARDPACK_TEST_PG naming its database, and each test's store ($DB)
# a schema of its own, read by `sql` (psql) and store_fingerprint (every
# table's rows) as on SQLite the file is. Meson runs all 18 files. What
# stays SQLite's is each test's own business, guarded there with on_pg: the
# checks of SQLite's file itself (its mode, WAL, -journal and seeding files,
# locks, .dump, PRAGMA integrity_check, backup's file handling), and the
# second stores and default store that a test names by a file path. A server
# that cannot start fails this test; it never skips.
#
# Each command on PostgreSQL opens a connection of its own (about 150 ms a
# write on a loaded 2-core machine, against 70 on SQLite), so the two
# write-heavy tests make fewer writes here unless the caller says otherwise:
# cli_crash_safety 300 attempts (1000 on SQLite), about half of them killed;
# cli_concurrent_record 24 rounds a writer (60), 192 writes by 4 at once.
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
export CRASH_ATTEMPTS=${CRASH_ATTEMPTS:-300} CONCURRENT_WRITES=${CONCURRENT_WRITES:-24}
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
