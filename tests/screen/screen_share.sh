#!/usr/bin/env bash
# Sharing a store: a busy store never shows a raw SQLite error and keeps the
# typed value; a browser and a `record` loop writing the same metric lose
# nothing; a store the user may not write opens READ-ONLY by itself.
. "$(dirname "$0")/lib.sh"
seed_store
value_of() { sql "$DB" "SELECT $(sql_g r.value) FROM readings r JOIN metrics m ON m.id = r.metric_id
                        WHERE m.code = '$1' AND r.period = '$2' AND r.segment = ''"; }

start 120 40
wait_for "[A] 3.3 We will" "browser up"
keys / ; type_text "3.3.1"; keys Enter
wait_for "Deliverable 3.3.1" "3.3.1 selected"

# 1. Busy: another program holds the write lock for longer than the busy
# timeout (5 s). The browser waits, then says so in one sentence, and the
# typed value stays in the field; once the lock goes, Enter commits it.
# (On PostgreSQL the other program holds the readings table against
# writers, readers still welcome, in a transaction of its own.)
if on_pg; then
  "$PSQL" -X -q -v ON_ERROR_STOP=1 "$DB" >/dev/null <<SQL &
BEGIN;
LOCK TABLE readings IN EXCLUSIVE MODE;
\! touch '$WORK/locked'
SELECT pg_sleep(7);
ROLLBACK;
SQL
else
  python3 - "$DB" "$WORK/locked" <<'PYTHON' &
import sqlite3, sys, time, pathlib
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
pathlib.Path(sys.argv[2]).touch()
time.sleep(7)
db.execute("ROLLBACK")
PYTHON
fi
locker=$!
until [ -e "$WORK/locked" ]; do
  kill -0 "$locker" 2>/dev/null || { fail "the program to hold the lock ended before it held it"; break; }
  sleep 0.05
done
keys e C-u; type_text "37.1"; keys Enter
SCREEN_TIMEOUT=15 wait_for "is busy (another program is writing to it); try again." "busy told in one sentence"
wait_for "Mar 2024: 37.1" "the typed value stays in the field"
if screen_text | grep -qiE "sqlite|database is locked|lock timeout|canceling statement"; then fail "no raw SQLite or PostgreSQL error"; else pass; fi
wait $locker
keys Enter
wait_for "Recorded 3.3.1 2024-03 = 37.1" "Enter commits once the store is free"
expect_equal "$(value_of 3.3.1 2024-03)" "37.1" "value stored after the busy spell"

# 2. A browser and a record loop writing the same metric at once.
audits=$(sql "$DB" "SELECT count(*) FROM audit")
(
  for month in 01 02 03 04 05 06 07 08 09 10 11 12; do
    "$BOARDPACK" --db "$DB" record 3.3.1 "$((30 + 10#$month)).5" --period "2021-$month" \
      >>"$WORK/record.out" 2>>"$WORK/record.err" || echo "failed 2021-$month" >>"$WORK/record.err"
  done
) &
loop=$!
for value in 36.1 36.2 36.3 36.4 36.5; do
  keys e C-u; type_text "$value"; keys Enter
  wait_for "Recorded 3.3.1 2024-03 = $value" "browser write $value acknowledged"
done
wait $loop
expect_equal "$(cat "$WORK/record.err" 2>/dev/null)" "" "no record failed or printed an error"
for month in 01 02 03 04 05 06 07 08 09 10 11 12; do
  expect_equal "$(value_of 3.3.1 "2021-$month")" "$((30 + 10#$month)).5" "record 2021-$month kept"
done
expect_equal "$(value_of 3.3.1 2024-03)" "36.5" "the browser's last write kept"
expect_equal "$(sql "$DB" "SELECT count(*) FROM audit")" "$((audits + 17))" "one audit row per write"
if screen_text | grep -qiE "sqlite|database is locked|lock timeout|canceling statement"; then fail "no raw SQLite or PostgreSQL error on screen"; else pass; fi
keys q
wait_exit

# 3. A store the user may not write opens READ-ONLY by itself: here a
# SQLite file without write permission (a copy of the store, and the file's
# bytes compared), so SQLite's alone; tests/pg/pg_roles.sh has PostgreSQL's
# accounts that may only read.
if ! on_pg; then
  stop_tmux
  shared="$WORK/shared"
  mkdir -m 1777 "$shared"
  cp "$DB" "$shared/store.db"
  chmod 644 "$shared/store.db"
  chmod 755 "$WORK"
  DB="$shared/store.db"
  before=$(store_fingerprint "$DB")
  SCREEN_RUNNER="setpriv --reuid=nobody --regid=nogroup --clear-groups" start 120 40
  wait_line "READ-ONLY *$" "opens READ-ONLY for a user who may not write"
  wait_for "You may not change this store, so it is open read-only." "says why"
  keys j j e
  wait_for "Read-only: edit the latest value in place" "edit keys unavailable"
  keys q
  wait_exit
  expect_equal "$(store_fingerprint "$DB")" "$before" "store unchanged"
fi
finish
