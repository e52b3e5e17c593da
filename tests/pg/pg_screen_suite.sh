#!/usr/bin/env bash
# The screen suite's tests (tests/screen, in tmux), run again on
# PostgreSQL: a throwaway server, BOARDPACK_TEST_PG naming its database, and
# each test's store a schema of its own (tests/cli/lib.sh), which the
# browsers and kiosks are given as BOARDPACK_DB. Their checks about SQLite's
# file (its bytes, WAL, locks, permissions) are left out on PostgreSQL
# (on_pg); a test wholly about SQLite's file stays SQLite's. The soaks run
# short here. A server that cannot start fails this test; it never skips.
set -u
export LC_ALL=C.UTF-8 TZ=UTC
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/pg/pg-server.sh
. "$here/pg-server.sh"
server=$(pg_tmpdir) || { echo "FAIL: cannot make a folder for the server" >&2; exit 1; }
trap 'pg_stop "$server" >/dev/null 2>&1' EXIT
pg_start "$server" >/dev/null || { echo "FAIL: the PostgreSQL server did not start" >&2; exit 1; }
pg_createdb "$server" screen || { echo "FAIL: createdb failed" >&2; exit 1; }
BOARDPACK_TEST_PG=$(pg_uri "$server" screen)
PSQL=$(pg_bindir)/psql
export BOARDPACK_TEST_PG PSQL PGOPTIONS="-c client_min_messages=warning"
# The soaks' lengths (their defaults are the SQLite suite's): short here,
# to keep the whole run within about 6 minutes on a busy 2-core machine.
export SOAK_SECONDS=${SOAK_SECONDS:-10} STORM_KEYS=${STORM_KEYS:-2000} \
  MEMORY_SECONDS=${MEMORY_SECONDS:-15} EDIT_CRASH_ROUNDS=${EDIT_CRASH_ROUNDS:-30}
status=0
for test in "$@"; do
  if bash "$SOURCE_ROOT/tests/screen/$test.sh" >"$server/$test.log" 2>&1; then
    echo "ok   $test on PostgreSQL: $(tail -1 "$server/$test.log")"
  else
    echo "FAIL $test on PostgreSQL:"
    grep -A2 '^FAIL' "$server/$test.log" | head -40
    status=1
  fi
done
exit "$status"
