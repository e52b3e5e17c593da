#!/usr/bin/env bash
# The kiosk stays current: a reading recorded by another process appears
# within the poll; a reading for this month clears the STALE banner; a store
# moved away, or replaced by a file that is not a store, brings up the
# "Store unreadable" banner over the last good frame, and the kiosk recovers
# by itself when the store comes back; and so does a store another program
# has locked, with the clock ticking throughout.
. "$(dirname "$0")/kiosk_lib.sh"
seed_store

start 120 40 --kiosk --cycle 3600
kiosk_pid
wait_line '1\.1\.2 .*85\.6% → 90% *$' "the kiosk shows the seeded reading"
wait_for "STALE" "sample data is stale"

# A writer in another process: the change shows within the poll (500 ms).
run "$BOARDPACK" --db "$DB" record 1.1.2 12.3 --period 2024-03
expect_status 0 "record in another process"
recorded=$(date +%s%N)
wait_line '1\.1\.2 .*12\.3% → 90% *$' "a recorded reading appears on the kiosk"
shown=$(date +%s%N)
latency=$(((shown - recorded) / 1000000))
echo "reload latency: ${latency} ms after the writer finished"
if [ "$latency" -le 2000 ]; then pass; else fail "the change took ${latency} ms to show"; fi
wait_line '\[R\] 1\.1\.2' "its status follows the new value"

# A reading for the current month makes the data current: STALE goes.
month=$(date +%Y-%m)
label=$(date +"%b %Y")
run "$BOARDPACK" --db "$DB" record 1.1.2 91 --period "$month"
expect_status 0 "record this month's reading"
wait_for "as at $label" "the header moves to this month"
wait_gone "STALE" "the STALE banner goes when the data is current"
wait_line '1\.1\.2 .*91% → 90% *$' "this month's reading shows"
fingerprint=$(store_fingerprint "$DB")

# Moved away (on PostgreSQL, the schema renamed): the banner says since
# when, over the last good frame.
store_away
wait_line "Store unreadable since [0-2][0-9]:[0-5][0-9]:[0-5][0-9]: $NO_STORE" \
  "moving the store away brings up the banner"
wait_line '1\.1\.2 .*91% → 90% *$' "the last good frame stays"
wait_for "Aim 1 of 4" "the position stays"
since=$(screen_text | grep -oE 'unreadable since [0-9:]+' | head -1)
wait_clock_moves "the clock keeps ticking while the store is unreadable"
expect_running "while the store is unreadable"
wait_for "$since" "the banner keeps the time it first failed"

# Back again: the kiosk recovers by itself.
store_back
wait_gone "Store unreadable" "the banner goes when the store is back"
wait_line '1\.1\.2 .*91% → 90% *$' "the data shows again"

# Replaced by something that is not a store: the banner again, then back.
store_away
store_junk
wait_line "Store unreadable since .*$NOT_A_STORE" "a damaged store brings up the banner"
wait_line '1\.1\.2 .*91% → 90% *$' "the last good frame stays over a damaged store"
store_back
wait_gone "Store unreadable" "recovers when the good store is back"
expect_equal "$(store_fingerprint "$DB")" "$fingerprint" \
  "the kiosk wrote nothing to the store while it was away and back"

# And after recovering it still follows the writer.
run "$BOARDPACK" --db "$DB" record 1.1.2 88.8 --period "$month"
expect_status 0 "record after recovering"
wait_line '1\.1\.2 .*88\.8% → 90% *$' "a change after recovering appears"
expect_running "after the store came back"

kill -TERM "$PID"
wait_exit "SIGTERM ends the kiosk"
expect_equal "$STATUS" "0" "exit status"
# SQLite's own check of its file.
if ! on_pg; then
  run sqlite3 -readonly "$DB" "PRAGMA integrity_check"
  expect_equal "$OUT" "ok" "the store passes the integrity check"
fi
stop_session

# SQLite's locks on its file (on PostgreSQL no writer blocks a reader).
if ! on_pg; then
  # Locked: another program holds the store's lock. (A WAL store cannot be
  # locked against a reader that is already connected, so this one is a copy
  # in rollback-journal mode, held under BEGIN EXCLUSIVE.) Reads and opens
  # wait at most 200 ms, so the banner goes up while the clock keeps ticking
  # and the keys still step; when the lock goes, so does the banner.
  LOCKED="$WORK/locked.db"
  sqlite3 "$DB" ".backup '$LOCKED'"
  run sqlite3 "$LOCKED" "PRAGMA journal_mode = DELETE"
  expect_equal "$OUT" "delete" "a rollback-journal copy of the store"
  DB="$LOCKED" start 120 40 --kiosk --cycle 3600
  kiosk_pid
  wait_line '1\.1\.2 .*88\.8% → 90% *$' "the kiosk shows the copy"
  python3 - "$LOCKED" "$WORK/lock-held" "$WORK/lock-release" <<'PYTHON' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
db.execute("ROLLBACK")
db.close()
PYTHON
  locker=$!
  while [ ! -e "$WORK/lock-held" ]; do sleep 0.05; done
  locked_at=$(date +%s%N)
  wait_line "Store unreadable since [0-2][0-9]:[0-5][0-9]:[0-5][0-9]: The store .* is busy \(another program is writing to" \
    "a locked store brings up the banner"
  echo "locked: banner after $((($(date +%s%N) - locked_at) / 1000000)) ms"
  wait_line '1\.1\.2 .*88\.8% → 90% *$' "the last good frame stays while the store is locked"
  # The clock ticks every second: sampled for 3.5 s it shows at least 3 times.
  clocks=$(for _ in $(seq 35); do header_clock; sleep 0.1; done | sort -u | wc -l)
  if [ "$clocks" -ge 3 ]; then pass; else fail "the clock showed only $clocks times in 3.5 s while locked"; fi
  keys Right
  wait_for "Aim 2 of 4" "the keys still step while the store is locked"
  expect_running "while the store is locked"
  touch "$WORK/lock-release"
  wait $locker
  wait_gone "Store unreadable" "the banner goes when the lock is released"
  run "$BOARDPACK" --db "$LOCKED" record 2.1.2 71.5 --period 2024-03
  expect_status 0 "record after the lock is released"
  wait_line '2\.1\.2 .*71\.5% → 75%' "and a change appears"
  kill -TERM "$PID"
  wait_exit "SIGTERM ends the kiosk"
  expect_equal "$STATUS" "0" "exit status"
fi
finish
