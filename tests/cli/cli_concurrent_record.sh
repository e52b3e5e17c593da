#!/usr/bin/env bash
# Concurrency: several `boardpack record` loops and readers on one store at
# once. No write is lost, nobody sees a raw SQLite error, a writer that
# finds the store busy waits (the busy timeout is 5 s) and only then gives
# up with one sentence; several first runs at once seed one store.
. "$(dirname "$0")/lib.sh"

WRITERS=4
PER_WRITER=${CONCURRENT_WRITES:-60}
METRICS=(1.1.2 1.2.1 1.2.2 1.3.3 2.1.3 3.1.1 3.2.1 3.3.1)
SHARED_CODE=4.1.3
SHARED_PERIOD=2005-01
label=$(store_label)

# Several `init --sample` at once, each followed by a report: the store
# holds each bundled board once (link(2) lets one seed win), no init fails
# any other way, and the reports agree. Each waits at a start line until
# all four are ready, so most overlap; still, on a busy 2-core machine one
# can reach its check for a store only after another has made it (about
# 40 ms of work). Such an init finds the store made and refuses in its one
# sentence, status 73, which is right for a store that holds boards: so
# each init either made the store (status 0) or was late (73), and at least
# one made it.
for n in 1 2 3 4; do
  { touch "$WORK/ready-$n"
    until [ -e "$WORK/go" ]; do sleep 0.01; done
    "$BOARDPACK" --db "$DB" init --sample 2>"$WORK/init-$n.err"
    echo $? >"$WORK/init-$n.status"
    "$BOARDPACK" --db "$DB" report --format csv; } >"$WORK/first-$n.out" 2>"$WORK/first-$n.err" &
done
until [ "$(ls "$WORK" | grep -c '^ready-')" = 4 ]; do sleep 0.01; done
touch "$WORK/go"
first_failed=0
for job in $(jobs -p); do wait "$job" || first_failed=$((first_failed + 1)); done
created=0 late=0 other=0
for n in 1 2 3 4; do
  case "$(cat "$WORK/init-$n.status") $(cat "$WORK/init-$n.err")" in
    "0 Created the store $label with the bundled boards and illustrative sample readings (SAMPLE DATA).")
      created=$((created + 1)) ;;
    "73 The store $label already holds boards; init changes nothing (use import to update a board, or give another --db).")
      late=$((late + 1)) ;;
    *) other=$((other + 1)) ;;
  esac
done
echo "four init --sample at once: $created made the store, $late found it made"
# What an init said otherwise, for whoever reads the log.
[ "$other" = 0 ] || grep -H . "$WORK"/init-*.err >&2
expect_equal "$other" "0" "each of four inits at once made the store or found it made, in one sentence"
if [ "$created" -ge 1 ]; then pass; else fail "none of four inits at once made the store"; fi
expect_equal "$first_failed" "0" "the reports after four inits at once all succeed"
expect_equal "$(cat "$WORK"/first-*.err)" "" "four first runs at once print nothing on stderr"
expect_equal "$(cat "$WORK"/first-*.out | sort | uniq -c | awk '$1 != 4' | wc -l)" "0" \
  "four first runs at once report the same board"
expect_equal "$(sql "$DB" "SELECT count(*) - count(DISTINCT code) FROM boards")" "0" \
  "each bundled board seeded once"
expect_equal "$(sql "$DB" "SELECT count(*) FROM boards")" \
  "$(ls "$SOURCE_ROOT"/data/*.yaml | grep -vc sample-readings)" "every bundled board seeded"
if ! on_pg; then # SQLite's store is built in a file beside it, then linked into place
  expect_equal "$(ls "$WORK" | grep -c '\.new-')" "0" "no half-built store left behind"
fi

# writer W: PER_WRITER rounds, each recording the writer's own month of one
# metric, then replacing the one shared reading. Logs "code period value
# status" per write.
writer() {
  local w=$1 i code period value status
  for ((i = 0; i < PER_WRITER; i++)); do
    code=${METRICS[$((i / 12 % ${#METRICS[@]}))]}
    period=$(printf '%04d-%02d' $((2000 + w)) $((i % 12 + 1)))
    value=$(printf '%d.%d' $((w * 20 + i / 10)) $((i % 10)))
    nice -n 10 "$BOARDPACK" --db "$DB" record "$code" "$value" --period "$period" \
      >>"$WORK/writer-$w.out" 2>>"$WORK/writer-$w.err"
    status=$?
    echo "$code $period $value $status" >>"$WORK/writer-$w.log"
    value=$(printf '%d.%03d' "$w" "$i")
    nice -n 10 "$BOARDPACK" --db "$DB" record "$SHARED_CODE" "$value" --period "$SHARED_PERIOD" \
      >>"$WORK/writer-$w.out" 2>>"$WORK/writer-$w.err"
    status=$?
    echo "$SHARED_CODE $SHARED_PERIOD $value $status" >>"$WORK/writer-$w.log"
  done
}

# reader NAME ARGS...: runs a read-only command until the writers finish.
reader() {
  local name=$1
  shift
  while [ ! -e "$WORK/writers-done" ]; do
    nice -n 10 "$BOARDPACK" --db "$DB" "$@" >/dev/null 2>>"$WORK/reader-$name.err"
    echo $? >>"$WORK/reader-$name.log"
  done
}

audit_before=$(sql "$DB" "SELECT count(*) FROM audit")
reader export export --format csv &
export_reader=$!
reader report report --format csv &
report_reader=$!
# The load runs at low priority (nice), so that tests running beside this
# one keep their pace; the writers still contend with each other.
writer_pids=()
for ((w = 1; w <= WRITERS; w++)); do
  writer "$w" &
  writer_pids+=($!)
done
for pid in "${writer_pids[@]}"; do wait "$pid"; done
touch "$WORK/writers-done"
wait "$export_reader" "$report_reader"

total=$((WRITERS * PER_WRITER * 2))
expect_equal "$(cat "$WORK"/writer-*.log | wc -l)" "$total" "every write attempted"
expect_equal "$(cat "$WORK"/writer-*.log | awk '$4 != 0' | wc -l)" "0" \
  "every concurrent write succeeded (busy is waited out, not reported)"
expect_equal "$(grep -c '^Recorded ' "$WORK"/writer-*.out | awk -F: '{s += $2} END {print s}')" \
  "$total" "every write acknowledged"
expect_equal "$(cat "$WORK"/writer-*.err)" "" "writers print nothing on stderr"
expect_equal "$(cat "$WORK"/reader-*.log | awk '$1 != 0' | wc -l)" "0" \
  "every concurrent read succeeded"
expect_equal "$(cat "$WORK"/reader-*.err)" "" "readers print nothing on stderr"
reads=$(cat "$WORK"/reader-*.log | wc -l)
if [ "$reads" -gt 0 ]; then pass; else fail "no reads ran while the writers wrote"; fi
if cat "$WORK"/*.err | grep -qiE 'sqlite|database is locked|database table is locked|disk I/O'; then
  fail "a raw SQLite error reached stderr: $(cat "$WORK"/*.err | grep -iE 'sqlite|locked' | head -3)"
else pass; fi
echo "concurrency: $total writes by $WRITERS writers, $reads reads alongside"

# No write lost: each writer's own readings are all there with their values.
"$BOARDPACK" --db "$DB" export --format csv >"$WORK/export.csv"
expected=$(cat "$WORK"/writer-*.log | grep -v "^$SHARED_CODE $SHARED_PERIOD " |
  awk '{print $1 "," $2 "," $3 + 0}' | sort)
stored=$(awk -F, '$1 == "nlmhp-2023-24" && $3 ~ /^200[1-4]-/ {print $2 "," $3 "," $4 + 0}' \
  "$WORK/export.csv" | sort)
if [ "$stored" = "$expected" ]; then pass; else
  fail "concurrent writes lost or wrong: $(diff <(echo "$expected") <(echo "$stored") | head -5)"; fi
expect_equal "$(sql "$DB" "SELECT count(*) FROM audit") " "$((audit_before + total)) " \
  "one audit row per write"
# The shared reading ends as some writer's last write, and every replacement
# of it was audited.
last_values=$(for ((w = 1; w <= WRITERS; w++)); do
  grep "^$SHARED_CODE $SHARED_PERIOD " "$WORK/writer-$w.log" | tail -1 | cut -d' ' -f3
done)
shared=$(awk -F, -v code="$SHARED_CODE" -v period="$SHARED_PERIOD" \
  '$1 == "nlmhp-2023-24" && $2 == code && $3 == period {print $4}' "$WORK/export.csv")
if printf '%s\n' "$last_values" | awk -v v="$shared" '$1 + 0 == v + 0 {found = 1} END {exit !found}'; then
  pass
else
  fail "the shared reading is $shared, not any writer's last value ($last_values)"
fi
expect_equal "$(sql "$DB" "SELECT count(*) FROM audit WHERE node_code = '$SHARED_CODE' AND new_value LIKE '$SHARED_PERIOD=%'")" \
  "$((WRITERS * PER_WRITER))" "every replacement of the shared reading audited"
if ! on_pg; then # SQLite's check of its own file; PostgreSQL has no such pragma
  expect_equal "$(sqlite3 -batch "$DB" 'PRAGMA integrity_check')" "ok" "integrity_check after the writers"
fi

# A writer that finds the store locked waits for it (the busy timeout)...
hold_lock() { # hold_lock SECONDS: holds the write lock for that long
  if on_pg; then
    # The writers' lock on PostgreSQL: the advisory lock that every boardpack
    # writer takes first (PG_BEGIN_WRITE in src/store/store.c), held by psql.
    printf '%s\n' "BEGIN;" "SELECT pg_advisory_xact_lock(7262936);" "\\! touch $WORK/locked" \
      "SELECT pg_sleep($1);" "ROLLBACK;" | "$PSQL" -X -q -o /dev/null "$DB" &
  else
    python3 - "$DB" "$1" "$WORK/locked" <<'PYTHON' &
import sqlite3, sys, time
db, seconds, ready = sys.argv[1], float(sys.argv[2]), sys.argv[3]
con = sqlite3.connect(db, isolation_level=None, timeout=10)
con.execute("BEGIN IMMEDIATE")
open(ready, "w").close()
time.sleep(seconds)
con.execute("ROLLBACK")
PYTHON
  fi
  holder=$!
  for _ in $(seq 100); do [ -e "$WORK/locked" ] && break; sleep 0.05; done
  rm -f "$WORK/locked"
}
hold_lock 1.5
started=$(date +%s.%N)
run "$BOARDPACK" --db "$DB" record 1.1.2 61.5 --period 2006-01
waited=$(echo "$(date +%s.%N) - $started" | bc 2>/dev/null || python3 -c "print($(date +%s.%N) - $started)")
wait "$holder"
expect_status 0 "record waits for a lock held for 1.5 s"
expect_out_contains "Recorded 1.1.2 2006-01 = 61.5." "record after waiting"
expect_equal "$ERR" "" "nothing on stderr after waiting"
if python3 -c "import sys; sys.exit(not float('$waited') >= 1.0)"; then pass; else
  fail "record did not wait for the lock (took ${waited}s)"; fi

# ...and only when it stays busy past the timeout does it give up, with one
# sentence and status 75, writing nothing.
before=$(sql "$DB" "SELECT count(*) FROM audit")
hold_lock 7
run "$BOARDPACK" --db "$DB" record 1.1.2 62.5 --period 2006-02
wait "$holder"
expect_status 75 "record gives up when the store stays busy"
expect_err_equals "The store $label is busy (another program is writing to it); try again." \
  "busy: one sentence"
expect_equal "$(sql "$DB" "SELECT count(*) FROM audit")" "$before" "busy: nothing written"
expect_equal "$(sql "$DB" "SELECT count(*) FROM readings r JOIN metrics m ON m.id = r.metric_id WHERE m.code = '1.1.2' AND r.period = '2006-02'")" \
  "0" "busy: no reading"

finish
