#!/usr/bin/env bash
# pg_concurrent.sh — many writers on one PostgreSQL store, as
# tests/cli/cli_concurrent_record.sh does for SQLite: four processes each
# record 25 readings of their own at once, with a reader alongside; every
# write succeeds and is there afterwards, with one audit row each, the
# audit ids without gaps and in each writer's order. Two processes that
# record the same metric and month at once (held at the writers' lock,
# then let go together) serialise: the second says "(was ...)" with the
# first's value. A writer that finds the lock held past the busy timeout
# gives up in one sentence, writing nothing. A writer killed with SIGKILL
# in the middle of a big CSV feed leaves all of it or none, and the next
# command works.
. "$SOURCE_ROOT/tests/pg/pg_cli_lib.sh"

STORE=$(pg_new_db concurrent) || fatal "createdb concurrent"
q() { pgsql "$STORE" "$@"; }

# ---- Four first runs at once --------------------------------------------------
# Four `init --sample` on the empty database at once: all succeed, and the
# store is seeded once (as a SQLite file is: tests/cli/cli_concurrent_record.sh).
for n in 1 2 3 4; do
  "$BOARDPACK" --db "$STORE" init --sample >"$WORK/init-$n.out" 2>"$WORK/init-$n.err" </dev/null &
done
init_failed=0
for job in $(jobs -p); do wait "$job" || init_failed=$((init_failed + 1)); done
[ "$init_failed" = 0 ] || grep -H . "$WORK"/init-*.err >&2
expect_equal "$init_failed" "0" "four init --sample at once all succeed"
[ "$init_failed" = 0 ] || fatal "no store to write to"
expect_equal "$(grep -l '^Created the store postgresql database "concurrent" ' "$WORK"/init-*.err | wc -l)" "4" \
  "each init says it created the store"
expect_equal "$(q "SELECT count(*) || ' ' || count(DISTINCT code) FROM boards")" \
  "$(ls "$SOURCE_ROOT"/data/*.yaml | grep -vc sample-readings) $(ls "$SOURCE_ROOT"/data/*.yaml | grep -vc sample-readings)" \
  "each bundled board seeded once"
"$BOARDPACK" --db "$WORK/one.db" init --sample 2>/dev/null
expect_equal "$(q "SELECT count(*) FROM readings") $(q "SELECT count(*) FROM audit")" \
  "$(sql "$WORK/one.db" "SELECT count(*) FROM readings") $(sql "$WORK/one.db" "SELECT count(*) FROM audit")" \
  "the sample readings and audit rows once, as one init on SQLite makes them"

# ---- Four writers and a reader ------------------------------------------------
WRITERS=4
PER_WRITER=25
METRICS=(1.1.2 1.2.1 1.2.2 1.3.3 2.1.3 3.1.1 3.2.1 3.3.1)
# writer W: PER_WRITER readings of W's own year (200W): metric i/12, month
# i%12 + 1. Logs "code period value status" per write, in order.
writer() {
  local w=$1 i code period value status
  for ((i = 0; i < PER_WRITER; i++)); do
    code=${METRICS[$(((i / 12 + w) % ${#METRICS[@]}))]}
    period=$(printf '%04d-%02d' $((2000 + w)) $((i % 12 + 1)))
    value=$(printf '%d.%d' $((w * 20 + i / 10)) $((i % 10)))
    nice -n 10 "$BOARDPACK" --db "$STORE" record "$code" "$value" --period "$period" \
      >>"$WORK/writer-$w.out" 2>>"$WORK/writer-$w.err" </dev/null
    status=$?
    echo "$code $period $value $status" >>"$WORK/writer-$w.log"
  done
}
reader() {
  while [ ! -e "$WORK/writers-done" ]; do
    nice -n 10 "$BOARDPACK" --db "$STORE" report --format csv >/dev/null 2>>"$WORK/reader.err" </dev/null
    echo $? >>"$WORK/reader.log"
  done
}

audit_max_before=$(q "SELECT coalesce(max(id), 0) FROM audit")
audit_count_before=$(q "SELECT count(*) FROM audit")
reader &
reader_pid=$!
writer_pids=()
for ((w = 1; w <= WRITERS; w++)); do
  writer "$w" &
  writer_pids+=($!)
done
for pid in "${writer_pids[@]}"; do wait "$pid"; done
touch "$WORK/writers-done"
wait "$reader_pid"

total=$((WRITERS * PER_WRITER))
expect_equal "$(cat "$WORK"/writer-*.log | wc -l)" "$total" "every write attempted"
expect_equal "$(cat "$WORK"/writer-*.log | awk '$4 != 0' | wc -l)" "0" \
  "every concurrent write exits 0 (the writers' lock is waited for)"
expect_equal "$(cat "$WORK"/writer-*.out | grep -c '^Recorded ')" "$total" "every write acknowledged"
expect_equal "$(cat "$WORK"/writer-*.err)" "" "writers print nothing on stderr"
reads=$(wc -l <"$WORK/reader.log")
[ "$reads" -gt 0 ] && pass || fail "no read ran while the writers wrote"
expect_equal "$(awk '$1 != 0' "$WORK/reader.log" | wc -l)" "0" "every concurrent read exits 0"
expect_equal "$(cat "$WORK/reader.err")" "" "readers print nothing on stderr"
echo "concurrency: $total writes by $WRITERS writers, $reads reads alongside"

# Every acknowledged reading is there, with its value.
"$BOARDPACK" --db "$STORE" export --format csv >"$WORK/export.csv"
expected=$(cat "$WORK"/writer-*.log | awk '$4 == 0 {print $1 "," $2 "," $3 + 0}' | sort)
stored=$(awk -F, '$1 == "nlmhp-2023-24" && $3 ~ /^200[1-4]-/ {print $2 "," $3 "," $4 + 0}' \
  "$WORK/export.csv" | sort)
if [ -n "$stored" ] && [ "$stored" = "$expected" ]; then pass; else
  fail "concurrent writes lost or wrong: $(diff <(echo "$expected") <(echo "$stored") | head -5)"
fi
expect_equal "$(q "SELECT count(*) FROM readings WHERE period BETWEEN '2001-01' AND '2004-12' AND sample = 0")" \
  "$total" "psql: one reading per write"

# One audit row per write; their ids follow on from the last without a
# gap; each writer's rows in the order it wrote them.
expect_equal "$(q "SELECT count(*) FROM audit")" "$((audit_count_before + total))" "one audit row per write"
expect_equal "$(q "SELECT count(*) || ' ' || min(id) || ' ' || max(id) FROM audit WHERE id > $audit_max_before")" \
  "$total $((audit_max_before + 1)) $((audit_max_before + total))" "the audit ids run on without a gap"
expect_equal "$(q "SELECT count(*) FROM audit WHERE id > $audit_max_before AND (action <> 'record-reading' OR old_value IS NOT NULL)")" \
  "0" "each is a new reading's audit row"
for ((w = 1; w <= WRITERS; w++)); do
  expect_equal "$(q "SELECT string_agg(node_code || ' ' || new_value, ',' ORDER BY id) FROM audit WHERE id > $audit_max_before AND new_value LIKE '$((2000 + w))-%'")" \
    "$(awk '{printf "%s%s %s=%s", (NR > 1 ? "," : ""), $1, $2, $3 + 0}' "$WORK/writer-$w.log")" \
    "writer $w's audit rows in the order it wrote"
done

# ---- The writers' lock, held by psql ------------------------------------------
# hold_lock: a psql session takes the writers' lock (store.c's
# PG_BEGIN_WRITE) and keeps it until release_lock.
LOCK_KEY=7262936
hold_lock() {
  rm -f "$WORK/lock.fifo" "$WORK/lock.out"
  mkfifo "$WORK/lock.fifo"
  "$PGBIN/psql" -X -q -A -t -d "$STORE" <"$WORK/lock.fifo" >"$WORK/lock.out" 2>&1 &
  lock_holder=$!
  exec 7>"$WORK/lock.fifo"
  echo "BEGIN; SELECT pg_advisory_xact_lock($LOCK_KEY); SELECT 'locked';" >&7
  wait_until 60 grep -q '^locked$' "$WORK/lock.out"
}
release_lock() {
  echo "COMMIT;" >&7
  exec 7>&-
  wait "$lock_holder"
}
waiting_for_lock() { # the number of sessions waiting for the writers' lock
  q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $LOCK_KEY AND NOT granted"
}

# Two writers of the same metric and month, let go together: one records,
# the other replaces it and says what it was.
race_round() { # race_round N PERIOD
  local n=$1 period=$2 started
  hold_lock || { fail "round $n: psql could not take the writers' lock: $(cat "$WORK/lock.out")"; return; }
  "$BOARDPACK" --db "$STORE" record 1.1.2 "6$n.25" --period "$period" >"$WORK/race-$n-a.out" 2>&1 </dev/null &
  local a=$!
  "$BOARDPACK" --db "$STORE" record 1.1.2 "7$n.5" --period "$period" >"$WORK/race-$n-b.out" 2>&1 </dev/null &
  local b=$!
  # Both waiting, or 3 s (the busy timeout is 5 s), whichever comes first.
  started=$SECONDS
  while [ "$(waiting_for_lock)" != 2 ] && [ $((SECONDS - started)) -lt 3 ]; do sleep 0.05; done
  [ "$(waiting_for_lock)" = 2 ] && both_waited=$((both_waited + 1))
  release_lock
  wait "$a"
  local status_a=$?
  wait "$b"
  local status_b=$?
  expect_equal "$status_a $status_b" "0 0" "round $n: both writers of the same reading exit 0"
  local said
  said=$(cat "$WORK/race-$n-a.out" "$WORK/race-$n-b.out" | sort)
  # One "Recorded ... = X." and one "Recorded ... = Y (was X).", either way round.
  case $said in
    "Recorded 1.1.2 $period = 6$n.25."$'\n'"Recorded 1.1.2 $period = 7$n.5 (was 6$n.25).")
      last=7$n.5 ;;
    "Recorded 1.1.2 $period = 6$n.25 (was 7$n.5)."$'\n'"Recorded 1.1.2 $period = 7$n.5.")
      last=6$n.25 ;;
    *) last=none ;;
  esac
  if [ "$last" != none ]; then pass; else
    fail "round $n: the second writer does not say '(was ...)' with the first's value: $said"
  fi
  expect_equal "$(q "SELECT r.value FROM readings r JOIN metrics m ON m.id = r.metric_id JOIN boards b ON b.id = m.board_id WHERE b.code = 'nlmhp-2023-24' AND m.code = '1.1.2' AND r.period = '$period' AND r.segment = ''")" \
    "$last" "round $n: the reading is the second writer's"
  expect_equal "$(q "SELECT string_agg(coalesce(old_value, '-') || ' ' || new_value, ',' ORDER BY id) FROM audit WHERE node_code = '1.1.2' AND new_value LIKE '$period=%'")" \
    "$(if [ "$last" = "7$n.5" ]; then echo "- $period=6$n.25,$period=6$n.25 $period=7$n.5"; else echo "- $period=7$n.5,$period=7$n.5 $period=6$n.25"; fi)" \
    "round $n: both audited, the replacement with the old value"
}
both_waited=0
race_round 1 2006-01
race_round 2 2006-02
race_round 3 2006-03
echo "same-reading races: $both_waited of 3 rounds had both writers waiting at the lock together"
[ "$both_waited" -ge 1 ] && pass || fail "in no round did both writers wait at the lock together"

# Held past the busy timeout (5 s): one sentence, status 75, nothing written.
before=$(q "SELECT count(*) FROM audit")
hold_lock || fail "psql could not take the writers' lock"
run "$BOARDPACK" --db "$STORE" record 1.1.2 62.5 --period 2006-04
release_lock
expect_status 75 "a writer gives up when the lock stays held"
expect_err_equals 'The store postgresql database "concurrent" is busy (another program is writing to it); try again.' \
  "busy: one sentence"
expect_equal "$(q "SELECT count(*) FROM audit")" "$before" "busy: nothing written"
run "$BOARDPACK" --db "$STORE" record 1.1.2 62.5 --period 2006-04
expect_status 0 "record once the lock is let go"

# ---- SIGKILL in the middle of a big feed --------------------------------------
cat >"$WORK/feed-board.yaml" <<'YAML'
board:
  code: feed
  title: "A board fed in bulk"
aims:
  - code: "1"
    title: "Aim one"
    objectives:
      - code: "1.1"
        title: "Objective one"
        deliverables:
          - code: "1.1.1"
            title: "By segment"
            metric: {name: "Seen", unit: percent, direction: up, breakdown: team,
                     target: {value: 90, period: 2024-03}}
YAML
run "$BOARDPACK" --db "$STORE" import "$WORK/feed-board.yaml"
expect_status 0 "the feed's board"
# 200 segments x 288 months: 57,600 rows, several seconds of writing.
FEED_ROWS=57600
awk 'BEGIN {
  print "metric,period,value,segment"
  for (s = 0; s < 200; s++)
    for (y = 2000; y < 2024; y++)
      for (m = 1; m <= 12; m++)
        printf "1.1.1,%d-%02d,%d.5,T%03d\n", y, m, (y * 12 + m + s) % 99, s
}' >"$WORK/big.csv"
feed_readings() {
  q "SELECT count(*) FROM readings r JOIN metrics m ON m.id = r.metric_id JOIN boards b ON b.id = m.board_id WHERE b.code = 'feed'"
}
feed_audits() { q "SELECT count(*) FROM audit WHERE board_code = 'feed'"; }
feed_audits_before=$(feed_audits)

# The feed is writing once its session holds the writers' lock and has
# begun inserting into readings (a row lock on the table, not committed).
feed_writing() {
  [ "$(q "SELECT count(*) FROM pg_locks a JOIN pg_locks r ON r.pid = a.pid WHERE a.locktype = 'advisory' AND a.objid = $LOCK_KEY AND a.granted AND r.locktype = 'relation' AND r.relation = 'readings'::regclass AND r.mode = 'RowExclusiveLock'")" = 1 ]
}
# (exec: the job is boardpack itself, so the SIGKILL reaches it.)
(exec "$BOARDPACK" --db "$STORE" import --board feed "$WORK/big.csv" >"$WORK/feed.out" 2>"$WORK/feed.err" </dev/null) &
feeder=$!
if wait_until 120 feed_writing; then pass; else fail "the feed never began writing: $(cat "$WORK/feed.err")"; fi
kill -9 "$feeder" 2>/dev/null
wait "$feeder"
feed_status=$?
expect_equal "$feed_status" "137" "the feed was killed (SIGKILL) before it finished"
count=$(feed_readings)
case $count in
  0) pass; echo "SIGKILL mid-feed: none of the feed kept" ;;
  "$FEED_ROWS") pass; echo "SIGKILL mid-feed: the feed had committed: all of it kept" ;;
  *) fail "after SIGKILL mid-feed the store holds $count of the feed's $FEED_ROWS readings" ;;
esac
expect_equal "$(feed_audits)" "$((feed_audits_before + (count > 0)))" "the feed's audit row goes with its readings"
expect_equal "$(cat "$WORK/feed.err")" "" "the killed feed said nothing (it never reported success)"

# The next command works: the killed session's lock is gone with it.
run "$BOARDPACK" --db "$STORE" record 1.1.1 50 --period 2024-01 --segment T000 --board feed
expect_status 0 "a record right after the SIGKILL"
run "$BOARDPACK" --db "$STORE" report --board feed --format csv
expect_status 0 "a report right after the SIGKILL"
run "$BOARDPACK" --db "$STORE" import --board feed "$WORK/big.csv"
expect_status 0 "the whole feed again"
expect_equal "$(feed_readings)" "$((FEED_ROWS + 1))" "the whole feed, all of it (and the one reading recorded after the SIGKILL)"
expect_equal "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = 'concurrent' AND state LIKE 'idle in transaction%'")" \
  "0" "no session left in a transaction"

finish
