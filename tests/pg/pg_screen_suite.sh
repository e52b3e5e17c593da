#!/usr/bin/env bash
# The screen suite's tests (tests/screen, in tmux), run again on
# PostgreSQL: a throwaway server, BOARDPACK_TEST_PG naming its database, and
# each test's store a schema of its own (tests/cli/lib.sh), which the
# browsers and kiosks are given as BOARDPACK_DB. Their checks about SQLite's
# file (its bytes, WAL, locks, permissions) are left out on PostgreSQL
# (on_pg); a test wholly about SQLite's file stays SQLite's. The soaks run
# short here. A server that cannot start fails this test; it never skips.
# The soaks' lengths (their defaults are the SQLite suite's): short here,
# to keep the whole run within about 6 minutes on a busy 2-core machine.
export SOAK_SECONDS=${SOAK_SECONDS:-10} STORM_KEYS=${STORM_KEYS:-2000} \
  MEMORY_SECONDS=${MEMORY_SECONDS:-15} EDIT_CRASH_ROUNDS=${EDIT_CRASH_ROUNDS:-30}
exec bash "$(dirname "$0")/pg_suite.sh" screen "$@"
