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
export CRASH_ATTEMPTS=${CRASH_ATTEMPTS:-300} CONCURRENT_WRITES=${CONCURRENT_WRITES:-24}
exec bash "$(dirname "$0")/pg_suite.sh" cli "$@"
