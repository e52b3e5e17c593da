#!/usr/bin/env bash
# The store's and the command layer's unit tests (tests/unit/test_store,
# test_command, test_diff) again on PostgreSQL: a throwaway server, and
# BOARDPACK_TEST_PG naming its database, where each test takes a schema of
# its own (tests/unit/fixture.h). Tests about SQLite's files say so and
# are skipped there. A server that cannot start fails this test; it never
# skips.
set -u
export LC_ALL=C.UTF-8 TZ=UTC
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/pg/pg-server.sh
. "$here/pg-server.sh"
[ $# -ge 1 ] || { echo "usage: pg_unit.sh TEST-EXECUTABLE..." >&2; exit 2; }

server=$(pg_tmpdir) || { echo "FAIL: cannot make a folder for the server" >&2; exit 1; }
trap 'pg_stop "$server" >/dev/null 2>&1' EXIT
pg_start "$server" >/dev/null || { echo "FAIL: the PostgreSQL server did not start" >&2; exit 1; }
pg_createdb "$server" unit || { echo "FAIL: createdb failed" >&2; exit 1; }
BOARDPACK_TEST_PG=$(pg_uri "$server" unit)
export BOARDPACK_TEST_PG
export PGOPTIONS="-c client_min_messages=warning"
status=0
for test in "$@"; do
  echo "== $(basename "$test") on PostgreSQL"
  "$test" || status=1
done
exit "$status"
