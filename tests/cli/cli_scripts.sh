#!/usr/bin/env bash
# Safe scripts (issue 15, items 7 and 8): commands on a store that does not
# exist say so and create nothing; `init` and `init --sample`; `check` says
# what it checked; the CSV report's columns after the nine of the contract;
# `backup` while a `record` loop writes, and its refusal to overwrite.
. "$(dirname "$0")/lib.sh"

NO_STORE="There is no store at $WORK/absent/store.db; create one with boardpack init --sample, or import a board file."

# --- A store that does not exist: one sentence, exit 66, nothing created. ---
cat >"$WORK/readings.yaml" <<'YAML'
board: {code: nlmhp-2023-24}
readings:
  - {metric: "1.1.2", period: 2024-04, value: 88}
YAML
missing() { # missing WHAT ARGS...: boardpack --db (a missing store) ARGS...
  local what=$1
  shift
  run "$BOARDPACK" --db "$WORK/absent/store.db" "$@"
  expect_status 66 "$what on a missing store"
  expect_err_equals "$NO_STORE" "$what on a missing store: one sentence"
  expect_file_absent "$WORK/absent" "$what on a missing store creates nothing, not even the folder"
}
missing report report
missing "report --format csv" report --format csv
missing export export
missing record record 1.1.2 88 --period 2024-04
missing "import of a readings file" import "$WORK/readings.yaml"
missing backup backup "$WORK/backup.db"
expect_file_absent "$WORK/backup.db" "a backup of a missing store writes no backup"
# The browser given a store, --read-only and the kiosk (on a terminal, so
# that only the missing store stops them).
for mode in "" --read-only --kiosk; do
  in_terminal "$BOARDPACK" --db "$WORK/absent/store.db" $mode --first-frame
  expect_status 66 "browser ${mode:-(edit)} on a missing store"
  expect_out_contains "$NO_STORE" "browser ${mode:-(edit)} on a missing store: one sentence"
  expect_file_absent "$WORK/absent" "browser ${mode:-(edit)} on a missing store creates nothing"
done
# The same through $BOARDPACK_DB.
BOARDPACK_DB="$WORK/absent/store.db" run "$BOARDPACK" report
expect_status 66 "report on a missing BOARDPACK_DB store"
expect_file_absent "$WORK/absent" "report on a missing BOARDPACK_DB store creates nothing"
# On PostgreSQL the test's own schema is still empty here: there is no store
# in it, which the same commands say in one sentence, making no table.
if on_pg; then
  NO_PG_STORE="There is no boardpack store in $(store_label); create one with boardpack init --sample, or import a board file."
  missing_pg() { # missing_pg WHAT ARGS...: boardpack --db (the empty schema) ARGS...
    local what=$1
    shift
    run "$BOARDPACK" --db "$DB" "$@"
    expect_status 66 "$what on an empty PostgreSQL schema"
    expect_err_equals "$NO_PG_STORE" "$what on an empty PostgreSQL schema: one sentence"
    expect_equal "$(pg_table_count)" \
      "0" "$what on an empty PostgreSQL schema creates no table"
  }
  missing_pg report report
  missing_pg export export
  missing_pg record record 1.1.2 88 --period 2024-04
  missing_pg "import of a readings file" import "$WORK/readings.yaml"
  missing_pg backup backup "$WORK/backup.db"
  expect_file_absent "$WORK/backup.db" "a backup of an empty PostgreSQL schema writes no backup"
  for mode in "" --read-only --kiosk; do
    in_terminal "$BOARDPACK" --db "$DB" $mode --first-frame
    expect_status 66 "browser ${mode:-(edit)} on an empty PostgreSQL schema"
    expect_out_contains "$NO_PG_STORE" "browser ${mode:-(edit)} on an empty PostgreSQL schema: one sentence"
  done
  BOARDPACK_DB="$DB" run "$BOARDPACK" report
  expect_status 66 "report on an empty PostgreSQL schema named by BOARDPACK_DB"
  expect_err_equals "$NO_PG_STORE" "report on an empty PostgreSQL schema named by BOARDPACK_DB: one sentence"
fi

# --- init: the bundled boards, without sample readings. ---
run "$BOARDPACK" --db "$WORK/plain/store.db" init
expect_status 0 "init"
expect_err_equals "Created the store $WORK/plain/store.db with the bundled boards." "init says what it did"
expect_equal "$(sql "$WORK/plain/store.db" 'SELECT count(*) FROM boards')" "4" "init: four bundled boards"
expect_equal "$(sql "$WORK/plain/store.db" 'SELECT count(*) FROM readings')" "0" "init: no readings"
expect_equal "$(stat -c %a "$WORK/plain/store.db")" "600" "init: the store is private"
run "$BOARDPACK" --db "$WORK/plain/store.db" report
expect_status 0 "report after init"
case $OUT in *"SAMPLE DATA"*) fail "init without --sample shows no SAMPLE DATA" ;; *) pass ;; esac
run "$BOARDPACK" --db "$WORK/plain/store.db" report --format csv
printf '%s\n' "$OUT" | tr -d '\r' >"$WORK/plain.csv"
expect_equal "$(python3 -c 'import csv,sys; print(sorted({r["sample"] for r in csv.DictReader(open(sys.argv[1]))}))' "$WORK/plain.csv")" \
  "['']" "init: no row has a value, so the sample column is empty"

# --- init --sample: the same with the sample readings, marked. ---
seed_store
expect_status 0 "init --sample"
expect_err_equals "Created the store $(store_label) with the bundled boards and illustrative sample readings (SAMPLE DATA)." \
  "init --sample says what it did"
if [ "$(sql "$DB" 'SELECT count(*) FROM readings WHERE sample = 1')" -gt 100 ]; then pass; else
  fail "init --sample: sample readings"; fi
run "$BOARDPACK" --db "$DB" report
expect_out_contains "SAMPLE DATA" "init --sample: the report says SAMPLE DATA"

# --- init on a store that holds boards: refused, nothing written. ---
before=$(store_fingerprint "$DB")
for sample in "" --sample; do
  run "$BOARDPACK" --db "$DB" init $sample
  expect_status 73 "init ${sample} on a store with boards"
  expect_err_equals "The store $(store_label) already holds boards; init changes nothing (use import to update a board, or give another --db)." \
    "init ${sample} on a store with boards: one sentence"
done
expect_equal "$(store_fingerprint "$DB")" "$before" "a refused init writes nothing"
run "$BOARDPACK" --db "$DB" init extra
expect_status 2 "init takes no arguments"

# --- check: one line saying what it checked. ---
run "$BOARDPACK" check "$SOURCE_ROOT/data/nlmhp-2023-24.yaml"
expect_status 0 "check a bundled board"
expect_equal "$OUT" "$SOURCE_ROOT/data/nlmhp-2023-24.yaml: board nlmhp-2023-24, 4 aims, 12 objectives, 34 deliverables, 0 readings: no errors." \
  "check's one line for a board file"
run "$BOARDPACK" check "$WORK/readings.yaml" "$SOURCE_ROOT/data/beh-2021-22.yaml"
expect_equal "$OUT" "$WORK/readings.yaml: readings for board nlmhp-2023-24, 1 reading: no errors.
$SOURCE_ROOT/data/beh-2021-22.yaml: board beh-2021-22, 4 aims, 10 objectives, 0 deliverables, 0 readings: no errors." \
  "check's one line a file, readings-only files too"
expect_equal "$ERR" "" "check prints nothing on stderr when all is well"

# --- The CSV report's columns after the nine of the contract. ---
cat >"$WORK/lead.yaml" <<'YAML'
board: {code: led, title: "A led board"}
aims:
  - code: "1"
    title: "Aim"
    lead: "Chief Executive"
    objectives:
      - code: "1.1"
        title: "Objective"
        deliverables:
          - code: "1.1.1"
            title: "Measured"
            lead: "Chief Nurse, Quality"
            metric: {name: "Share", unit: percent, direction: up,
                     target: {value: 90, period: 2024-03}}
          - code: "1.1.2"
            title: "Quiet"
            metric: {name: "Count", unit: count, direction: up,
                     target: {value: 10, period: 2024-03}}
readings:
  - {metric: "1.1.1", period: 2024-03, value: 91}
  - {metric: "1.1.2", period: 2023-06, value: 4}
YAML
run "$BOARDPACK" --db "$WORK/led.db" import "$WORK/lead.yaml"
expect_status 0 "import the led board"
run "$BOARDPACK" --db "$WORK/led.db" report --board led --format csv
expect_equal "$(printf '%s\n' "$OUT" | tr -d '\r')" \
  'level,code,title,rag,value,target,period,variation,assurance,stale,sample,lead,previous_rag,movement,awaiting
aim,1,Aim,R,,,,,,,,Chief Executive,,,
objective,1.1,Objective,R,,,,,,,,,,,
deliverable,1.1.1,Measured,B,91,90,2024-03,,,0,0,"Chief Nurse, Quality",,,
deliverable,1.1.2,Quiet,R,4,10,2023-06,,,1,0,,,,' "stale, sample, lead and the month's columns after the nine"
# On the sample store: 1.1.2's latest is a sample reading until the trust's
# own replaces it.
sample_of() { # sample_of CODE: the sample column of CODE's row
  "$BOARDPACK" --db "$DB" report --format csv | tr -d '\r' |
    python3 -c 'import csv,sys; print([r["sample"] for r in csv.DictReader(sys.stdin) if r["code"] == sys.argv[1]][0])' "$1"
}
expect_equal "$(sample_of 1.1.2)" "1" "a sample reading is marked in the sample column"
run "$BOARDPACK" --db "$DB" record 1.1.2 86.1 --period 2024-03
expect_equal "$(sample_of 1.1.2)" "0" "the trust's own reading is not"

# --- backup: a consistent copy while a record loop writes. ---
# backup copies SQLite's file. On PostgreSQL it refuses, writing nothing, and
# points to pg_dump or boardpack copy; copy to a file is then the consistent
# copy that the loop below takes.
if on_pg; then
  run "$BOARDPACK" --db "$DB" backup "$WORK/backup.db"
  expect_status 2 "backup of a PostgreSQL store"
  expect_err_equals "boardpack backup copies a SQLite store; back up $(store_label) with pg_dump (docs/deployment.md), or copy it to a file with boardpack copy." \
    "backup of a PostgreSQL store: one sentence"
  expect_file_absent "$WORK/backup.db" "backup of a PostgreSQL store writes no file"
  take_copy() { "$BOARDPACK" copy --from "$DB" --to "$1"; }
  copy_said="Copied $(store_label) to "
else
  take_copy() { "$BOARDPACK" --db "$DB" backup "$1"; }
  copy_said="Backed up $DB to "
fi
# The loop records a new month each time and notes each one acknowledged
# (exit 0) in acked.txt, after the command returned.
: >"$WORK/acked.txt"
(
  end=$((SECONDS + 3))
  month=0
  while [ $SECONDS -lt $end ]; do
    period=$(printf '19%02d-%02d' $((month / 12 + 10)) $((month % 12 + 1)))
    if "$BOARDPACK" --db "$DB" record 2.1.2 "$((month % 90)).5" --period "$period" >/dev/null 2>&1; then
      echo "$period $((month % 90)).5" >>"$WORK/acked.txt"
    fi
    month=$((month + 1))
  done
) &
loop=$!
backups=0
backup_failures=0
while kill -0 "$loop" 2>/dev/null; do
  backups=$((backups + 1))
  cp "$WORK/acked.txt" "$WORK/acked-before-$backups.txt" # acknowledged before the backup began
  if ! take_copy "$WORK/backup-$backups.db" 2>>"$WORK/backup.err"; then
    backup_failures=$((backup_failures + 1))
  fi
done
wait "$loop"
echo "backup during a record loop: $backups backups, $(wc -l <"$WORK/acked.txt") readings recorded"
expect_equal "$backup_failures" "0" "every backup during the record loop succeeded"
expect_equal "$(awk -v said="$copy_said" 'index($0, said) != 1' "$WORK/backup.err" | wc -l)" "0" \
  "backups print only their one line"
if [ "$backups" -ge 2 ] && [ "$(wc -l <"$WORK/acked.txt")" -ge 5 ]; then pass; else
  fail "the loop ran ($backups backups, $(wc -l <"$WORK/acked.txt") readings)"; fi
bad=0
for n in $(seq 1 "$backups"); do
  copy="$WORK/backup-$n.db"
  # (-wal first: the sqlite3 shell's read of a store in WAL mode, as a copy
  # is, leaves one)
  [ ! -e "$copy-wal" ] || bad=$((bad + 1))
  [ "$(sqlite3 -readonly "$copy" 'PRAGMA integrity_check')" = ok ] || { bad=$((bad + 1)); continue; }
  [ "$(stat -c %a "$copy")" = 600 ] || bad=$((bad + 1))
  "$BOARDPACK" --db "$copy" export --format csv >"$WORK/backup-$n.csv" || { bad=$((bad + 1)); continue; }
  while read -r period value; do
    grep -q "^nlmhp-2023-24,2.1.2,$period,$value," "$WORK/backup-$n.csv" || bad=$((bad + 1))
  done <"$WORK/acked-before-$n.txt"
done
expect_equal "$bad" "0" "each of $backups backups passes integrity_check, is 0600 with no -wal, and holds every reading acknowledged before it began"
run take_copy "$WORK/backup-after.db"
expect_status 0 "a backup after the loop"
if on_pg; then
  expect_err_contains "$copy_said$WORK/backup-after.db: " "the copy says what it did"
else
  expect_err_equals "Backed up $DB to $WORK/backup-after.db." "backup says what it did"
fi
expect_equal "$("$BOARDPACK" --db "$WORK/backup-after.db" export --format csv)" \
  "$("$BOARDPACK" --db "$DB" export --format csv)" "a backup after the loop holds everything the store does"
ls "$WORK" | grep -q '\.tmp-' && fail "no temporary backup files left" || pass
# A backup is a store: it opens and reports as the store does.
run "$BOARDPACK" --db "$WORK/backup-after.db" report --format csv
expect_status 0 "a backup reports"
expect_equal "$OUT" "$("$BOARDPACK" --db "$DB" report --format csv)" "and reports as the store does"

run "$BOARDPACK" --db "$DB" backup
expect_status 2 "backup needs a FILE"

# --- backup refuses to overwrite without --force. ---
# (backup's own file handling, which a PostgreSQL store never reaches: it is
# refused above.)
if ! on_pg; then
  before=$(sha256sum <"$WORK/backup-1.db")
  run "$BOARDPACK" --db "$DB" backup "$WORK/backup-1.db"
  expect_status 73 "backup over an existing file"
  expect_err_equals "There is already a file at $WORK/backup-1.db; add --force to replace it." \
    "backup over an existing file: one sentence"
  expect_equal "$(sha256sum <"$WORK/backup-1.db")" "$before" "the existing file is untouched"
  run "$BOARDPACK" --db "$DB" backup "$WORK/backup-1.db" --force
  expect_status 0 "backup --force replaces it"
  expect_equal "$(sqlite3 -readonly "$WORK/backup-1.db" 'SELECT count(*) FROM readings')" \
    "$(sql "$DB" 'SELECT count(*) FROM readings')" "the replaced backup is the store now"
  expect_equal "$(stat -c %a "$WORK/backup-1.db")" "600" "a replaced backup is 0600"
  (umask 000 && "$BOARDPACK" --db "$DB" backup "$WORK/umask.db" >/dev/null 2>&1)
  expect_equal "$(stat -c %a "$WORK/umask.db")" "600" "a backup is 0600 under umask 000"
  run "$BOARDPACK" --db "$DB" backup "$WORK"
  expect_status 73 "backup onto a folder"
  run "$BOARDPACK" --db "$DB" backup "$WORK/no/such/folder/b.db"
  expect_status 73 "backup into a missing folder"
  expect_file_absent "$WORK/no" "a failed backup creates no folder"
  # The replaced backup opens and reports as the store does.
  run "$BOARDPACK" --db "$WORK/backup-1.db" report --format csv
  expect_status 0 "a replaced backup reports"
  expect_equal "$OUT" "$("$BOARDPACK" --db "$DB" report --format csv)" "and reports as the store does"
fi

finish
