#!/usr/bin/env bash
# pg_cli.sh — the command line on a PostgreSQL store reads and writes the
# same as on a SQLite file. `init --sample` creates the store in an empty
# database, is refused a second time, and is refused in a database that
# holds another table (creating nothing); then one sequence of commands —
# a board file imported, readings recorded, a month opened and published, a
# correction with its reason, a reading deleted, fields edited, CSV feeds,
# and bad input of each kind — runs on a SQLite file and on a PostgreSQL
# database, and every command's status, stdout and stderr, and the report,
# CSV report, export, month and pack after it, are the same on both (the
# store's name, and the times the rows were written, aside). Bad input
# writes nothing on PostgreSQL: the audit rows are counted through psql
# before and after. (The command line offers no undo — src/app/main.c keeps
# no undo record — so there is none to compare here.)
. "$SOURCE_ROOT/tests/pg/pg_cli_lib.sh"

# ---- init ---------------------------------------------------------------
first=$(pg_new_db first) || fatal "createdb first"
# A command other than init on an empty database: exit 66, nothing created.
run "$BOARDPACK" --db "$first" report
expect_status 66 "report on an empty database"
expect_err_equals "There is no boardpack store in postgresql database \"first\"; create one with boardpack init --sample, or import a board file." \
  "report on an empty database: one sentence"
expect_equal "$(pgsql "$first" "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")" \
  "0" "report on an empty database creates nothing"

run "$BOARDPACK" --db "$first" init --sample
expect_status 0 "init --sample on an empty database"
expect_err_equals "Created the store postgresql database \"first\" with the bundled boards and illustrative sample readings (SAMPLE DATA)." \
  "init --sample: says what it made, naming the database, not the URI"
case $ERR$OUT in
  *host=* | *"$PGDIR"* | *boardpack_admin*) fail "init shows the URI" ;;
  *) pass ;;
esac
expect_equal "$(pgsql "$first" "SELECT count(*) FROM boards")" \
  "$(ls "$SOURCE_ROOT"/data/*.yaml | grep -vc sample-readings)" "init --sample: every bundled board"
readings_first=$(pgsql "$first" "SELECT count(*) FROM readings")
[ "${readings_first:-0}" -gt 0 ] && pass || fail "init --sample: no sample readings ($readings_first)"
audit_first=$(pgsql "$first" "SELECT count(*) FROM audit")

for args in "init --sample" "init"; do
  # shellcheck disable=SC2086
  run "$BOARDPACK" --db "$first" $args
  expect_status 73 "$args again"
  expect_err_equals "The store postgresql database \"first\" already holds boards; init changes nothing (use import to update a board, or give another --db)." \
    "$args again: refused in one sentence"
  expect_equal "$(pgsql "$first" "SELECT count(*) FROM readings") $(pgsql "$first" "SELECT count(*) FROM audit")" \
    "$readings_first $audit_first" "$args again: nothing written"
done

# A database that holds a table of something else: refused, nothing made.
other=$(pg_new_db other) || fatal "createdb other"
pgsql "$other" "CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)" \
  "INSERT INTO patients VALUES (1, 'kept')" || fatal "a table in database other"
tables_other() {
  pgsql "$other" "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
}
tables_before=$(tables_other)
for args in "init" "init --sample"; do
  # shellcheck disable=SC2086
  run "$BOARDPACK" --db "$other" $args
  expect_status 65 "$args in a database holding another table"
  expect_err_equals "The postgresql database \"other\" already holds 1 other table or view; boardpack creates its store only in an empty database (or schema), and created nothing." \
    "$args in a database holding another table: one sentence saying so"
  expect_equal "$(tables_other)" "$tables_before" "$args there: no table, index or function created"
done
expect_equal "$(pgsql "$other" "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'")" \
  "0" "no function created in database other"
expect_equal "$(pgsql "$other" "SELECT name FROM patients")" "kept" "the other table's row is untouched"
run "$BOARDPACK" --db "$other" record 1.1.2 90 --period 2024-03
expect_status 66 "record in a database that is not a store"

# ---- The same commands on SQLite and on PostgreSQL ---------------------------
{ small_board_head; cat <<'YAML'; } >"$WORK/small.yaml"
          - code: "1.1.1"
            title: "Waiting times"
            metric: {name: "Median wait", unit: days, direction: down,
                     baseline: {value: 40, period: 2023-03}, target: {value: 28, period: 2024-03}}
          - code: "1.1.2"
            title: "Seen in four weeks"
            metric: {name: "Seen", unit: percent, direction: up, breakdown: borough,
                     target: {value: 90, period: 2024-03}}
          - code: "1.1.3"
            title: "A new service"
            lead: "Chief Nurse"
            milestone: {due: 2024-03, status: at_risk}
YAML
printf 'metric,period,value\r\n1.1.1,2023-04,39\r\n1.1.1,2023-05,37\r\n1.1.2,2023-05,71.5\r\n' \
  >"$WORK/good.csv"
{
  printf '\xef\xbb\xbfnote,Segment,value,period,metric\n'
  printf '"waits, as reported by ""PAS""",,38,2023-05,1.1.1\n'
  printf ',Barnet,64,2023-05,1.1.2\n'
  printf '"Enfield, north",Enfield,"66.5",2023-05,1.1.2\n'
} >"$WORK/order.csv"
# A big feed: 24 months of three series.
{
  echo "metric,period,value,segment"
  for year in 2021 2022; do
    for month in 01 02 03 04 05 06 07 08 09 10 11 12; do
      echo "1.1.1,$year-$month,$((30 + 10#$month)),"
      echo "1.1.2,$year-$month,$((50 + 10#$month)).5,Camden"
      echo "1.1.2,$year-$month,$((60 + 10#$month)),Barnet"
    done
  done
} >"$WORK/big.csv"
cat >"$WORK/bad.csv" <<'CSV'
metric,period,value,segment
1.1.1,2023-06,35,
9.9,2023-06,35,
1.1.1,2023-13,35,
1.1.2,2023-06,101,Barnet
1.1.1,2023-07,35,Barnet
1.1.1,2023-08,35
1.1.1,2999-01,35,
1.1.1,2023-11,,
CSV
# The good rows first, one bad row last.
{ head -n 40 "$WORK/big.csv" | sed 's/^1.1.1,2021/1.1.1,2020/'; echo "1.1.2,2020-01,150,Camden"; } >"$WORK/last.csv"
sed '0,/unit: percent/ s/unit: percent/unit: percentt/' "$WORK/small.yaml" >"$WORK/bad-unit.yaml"
# The small board with 1.1.2's target changed and a deliverable added.
sed -e 's/target: {value: 90, period: 2024-03}/target: {value: 80, period: 2024-03}/' \
  "$WORK/small.yaml" >"$WORK/changed.yaml"
cat >>"$WORK/changed.yaml" <<'YAML'
          - code: "1.1.4"
            title: "Added later"
            metric: {name: "Added", unit: count, direction: up, target: {value: 10}}
YAML

# count_rows TABLE: rows in TABLE of $STORE, SQLite or PostgreSQL.
count_rows() {
  case $STORE in
    postgresql:*) pgsql "$STORE" "SELECT count(*) FROM $1" ;;
    *) sql "$STORE" "SELECT count(*) FROM $1" ;;
  esac
}

# step NAME ARGS...: boardpack ARGS on $STORE; its status, stdout and
# stderr kept in $OUTDIR/NAME.
step() {
  local name=$1
  shift
  "$BOARDPACK" --db "$STORE" "$@" >"$OUTDIR/$name.out" 2>"$OUTDIR/$name.err" </dev/null
  echo "status $?" >"$OUTDIR/$name.status"
}

# bad_step NAME ARGS...: a step that must write nothing: the audit and
# readings rows counted before and after (kept beside it, and compared).
bad_step() {
  local name=$1 before after
  before="$(count_rows audit) $(count_rows readings)"
  step "$@"
  after="$(count_rows audit) $(count_rows readings)"
  echo "$before -> $after" >"$OUTDIR/$name.counts"
}

sequence() {
  step 01-init init --sample
  step 02-import-board import "$WORK/small.yaml"
  bad_step 03-record-no-month record 1.1.2 90
  step 04-month-open month open 2024-04
  step 05-month month
  step 06-record record 1.1.2 90
  step 07-record-segment record 2.1.2 68 --segment Barnet --note "from the March extract"
  step 08-record-replace record 2.1.2 69 --segment Barnet
  step 09-record-period record 1.2.1 77 --period 2024-03 --note "late return"
  bad_step 10-record-bad-value record 2.1.2 120
  bad_step 11-record-bad-segment record 2.1.2 68 --segment Barnit
  bad_step 12-record-bad-metric record 9.9.9 1
  step 13-month-publish month publish 2024-04
  bad_step 14-publish-again month publish 2024-04
  step 15-month-open-may month open 2024-05
  step 16-record-may record 1.2.1 50
  bad_step 17-correction-no-reason record 1.1.2 80 --period 2024-04
  step 18-correction record 1.1.2 80 --period 2024-04 --reason "Typed from the wrong sheet"
  bad_step 19-delete-missing delete 2.1.2 --period 2024-05 --reason "wrong month"
  step 20-delete delete 2.1.2 --period 2024-04 --segment Barnet --reason "typed as Barnet; it was Enfield's"
  step 21-edit-title edit 1.1 title "An example title"
  step 22-edit-target edit 1.1.2 target 85
  step 23-edit-retire edit 1.3.3 retire
  bad_step 24-edit-bad-field edit 1.1.2 colour red
  bad_step 25-edit-bad-unit edit 1.1.2 unit percentt
  bad_step 26-edit-bad-code edit 9.9.9 title x
  step 27-feed import --board small "$WORK/good.csv"
  step 28-feed-again import --board small "$WORK/good.csv"
  step 29-feed-reorder import --board small "$WORK/order.csv"
  step 30-feed-big import --board small "$WORK/big.csv"
  bad_step 31-feed-bad import --board small "$WORK/bad.csv"
  bad_step 32-feed-bad-last import --board small "$WORK/last.csv"
  bad_step 33-board-bad-unit import "$WORK/bad-unit.yaml"
  bad_step 34-board-dry-run import --dry-run "$WORK/changed.yaml"
  step 35-board-changed import "$WORK/changed.yaml"
  step 36-board-same import "$WORK/changed.yaml"
  step 37-month-open-small month open 2023-06 --board small
  step 38-record-small record 1.1.2 70 --segment Camden --board small
  step 39-edit-small edit 1.1.3 lead "Chief Operating Officer" --board small
  # What the store holds now, read every way.
  step 50-report report
  step 51-report-csv report --format csv
  step 52-report-md report --format md
  step 53-report-draft report --draft
  step 54-report-draft-csv report --draft --format csv
  step 55-report-as-of report --as-of 2024-03
  step 56-report-changed report --draft --changed
  step 57-report-small report --board small --format csv
  step 58-export export
  step 59-export-csv export --format csv
  step 60-export-small export --board small
  step 61-month month
  step 62-month-small month --board small
  step 63-pack pack
  step 64-pack-april pack --month 2024-04
  step 65-pack-small pack --board small
  step 66-pack-file pack --month 2024-04 --output "$OUTDIR/pack.html"
}

SQLITE_DB=$WORK/sqlite.db
PG_DB=$(pg_new_db compare) || fatal "createdb compare"
mkdir -p "$WORK/sqlite" "$WORK/pg"
STORE=$SQLITE_DB OUTDIR=$WORK/sqlite sequence
STORE=$PG_DB OUTDIR=$WORK/pg sequence

# normalize LABEL [URI]: the store's name (and its URI, plain and as HTML
# writes it) and the times rows were written masked. The URI is checked
# for separately below.
normalize() {
  local label=$1 uri=${2:-}
  LABEL=$label URI=$uri perl -pe '
    BEGIN {
      ($html_label = $ENV{LABEL}) =~ s/&/&amp;/g;
      $html_label =~ s/"/&quot;/g;
      $label = quotemeta($ENV{LABEL}); $html_label = quotemeta($html_label);
      ($html = $ENV{URI}) =~ s/&/&amp;/g;
      $uri = quotemeta($ENV{URI}); $html = quotemeta($html);
    }
    s/$label/STORE/g;
    s/$html_label/STORE/g;
    if (length $uri) { s/$uri/STORE/g; s/$html/STORE/g; }
    s/\b(at|published_at): "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"/$1: "TIME"/g;
    s/\b[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\b/TIME/g;
  '
}
steps=0
for file in "$WORK"/sqlite/*; do
  name=${file##*/}
  [ "$name" != pack.html ] || continue
  steps=$((steps + 1))
  if [ ! -e "$WORK/pg/$name" ]; then
    fail "$name: not written on PostgreSQL"
    continue
  fi
  normalize "$SQLITE_DB" <"$file" >"$WORK/a"
  normalize 'postgresql database "compare"' "$PG_DB" <"$WORK/pg/$name" >"$WORK/b"
  if cmp -s "$WORK/a" "$WORK/b"; then
    pass
  else
    fail "$name differs between SQLite (<) and PostgreSQL (>): $(diff "$WORK/a" "$WORK/b" | head -8)"
  fi
done
echo "compared $steps outputs of the same commands on SQLite and PostgreSQL"
[ "$steps" -ge 150 ] && pass || fail "only $steps outputs compared"
normalize "$SQLITE_DB" <"$WORK/sqlite/pack.html" >"$WORK/a"
normalize 'postgresql database "compare"' "$PG_DB" <"$WORK/pg/pack.html" >"$WORK/b"
[ -s "$WORK/b" ] && cmp -s "$WORK/a" "$WORK/b" && pass ||
  fail "pack --output differs: $(diff "$WORK/a" "$WORK/b" | head -5)"

# The sequence did what it should (the same on both, so checked once, on
# PostgreSQL): the outcomes that matter, lest both be wrong alike.
expect_pg() { # expect_pg NAME STATUS TEXT: the step's status, and TEXT in its stdout or stderr
  local got
  got=$(cat "$WORK/pg/$1.status")
  expect_equal "$got" "status $2" "$1: status"
  if grep -qF -- "$3" "$WORK/pg/$1.out" "$WORK/pg/$1.err"; then pass; else
    fail "$1: '$3' not said: $(head -3 "$WORK/pg/$1.out" "$WORK/pg/$1.err")"
  fi
}
expect_pg 01-init 0 'Created the store postgresql database "compare"'
expect_pg 02-import-board 0 "Imported 1 file (0 readings) into "
expect_pg 03-record-no-month 65 "No month is open on board 'nlmhp-2023-24'"
expect_pg 06-record 0 "Recorded 1.1.2 2024-04 = 90."
expect_pg 08-record-replace 0 "Recorded 2.1.2 2024-04 Barnet = 69 (was 68)."
expect_pg 10-record-bad-value 65 "A percentage must be between 0 and 100; 120 was refused."
expect_pg 11-record-bad-segment 65 "did you mean 'Barnet'?"
expect_pg 13-month-publish 0 "Published Apr 2024 on board nlmhp-2023-24"
expect_pg 14-publish-again 65 "Apr 2024 is already published on board 'nlmhp-2023-24'."
expect_pg 17-correction-no-reason 65 "needs a reason. Give one with --reason TEXT."
expect_pg 18-correction 0 "Recorded 1.1.2 2024-04 = 80 (was 90)."
expect_pg 19-delete-missing 65 "There is no reading for 2.1.2 in May 2024 to remove."
expect_pg 20-delete 0 "Removed 2.1.2 2024-04 Barnet (was 69)."
expect_pg 21-edit-title 0 "~ 1.1 title:"
expect_pg 24-edit-bad-field 65 "unknown field 'colour'"
expect_pg 27-feed 0 "3 new, 0 replaced, 0 unchanged."
expect_pg 28-feed-again 0 "0 new, 0 replaced, 3 unchanged."
expect_pg 29-feed-reorder 0 "2 new, 1 replaced, 0 unchanged."
expect_pg 30-feed-big 0 "72 new, 0 replaced, 0 unchanged."
expect_pg 31-feed-bad 65 "$WORK/bad.csv:3:1: error: board 'small' has no metric '9.9'"
expect_pg 31-feed-bad 65 "$WORK/bad.csv:9:15: error: type a number"
expect_pg 32-feed-bad-last 65 "$WORK/last.csv:41:15: error: a percentage must be between 0 and 100; 150 was refused"
expect_pg 33-board-bad-unit 65 "$WORK/bad-unit.yaml:$(grep -n 'unit: percentt' "$WORK/bad-unit.yaml" | head -1 | cut -d: -f1):"
expect_pg 34-board-dry-run 0 '~ 1.1.2 target: "90 (2024-03)" -> "80 (2024-03)"'
expect_pg 63-pack 0 "<html"
# Bad input wrote nothing on PostgreSQL (psql's counts, before and after).
for file in "$WORK"/pg/*.counts; do
  name=${file##*/}
  read -r audit_before readings_before _ audit_after readings_after <"$file"
  expect_equal "$audit_after $readings_after" "$audit_before $readings_before" \
    "${name%.counts} on PostgreSQL: no audit or readings row written"
done
# The audit log itself: the same rows in the same order on both.
audit_sql="SELECT action || '|' || board_code || '|' || coalesce(node_code, '-') || '|' || coalesce(old_value, '-') || '|' || coalesce(new_value, '-') || '|' || who FROM audit ORDER BY id"
sql "$SQLITE_DB" "$audit_sql" >"$WORK/audit-sqlite"
pgsql "$PG_DB" "$audit_sql" >"$WORK/audit-pg"
[ -s "$WORK/audit-pg" ] && cmp -s "$WORK/audit-sqlite" "$WORK/audit-pg" && pass ||
  fail "the audit logs differ: $(diff "$WORK/audit-sqlite" "$WORK/audit-pg" | head -5)"
for table in readings publications revisions milestone_updates commentary nodes metrics; do
  expect_equal "$(pgsql "$PG_DB" "SELECT count(*) FROM $table")" "$(sql "$SQLITE_DB" "SELECT count(*) FROM $table")" \
    "$table: as many rows on PostgreSQL as on SQLite"
done
expect_equal "$(pgsql "$PG_DB" "SELECT count(*) FROM revisions WHERE reason = 'Typed from the wrong sheet'")" "1" \
  "the correction's reason kept"

# ---- The URI is never shown ---------------------------------------------------
# A URI may hold a password: messages and the pack name the database, as
# init's and the errors' do (docs/deployment.md keeps passwords out of
# the command line, but a user may still write one there).
secret=never-shown-s3cret
with_password="$PG_DB&password=$secret"
shown_uri() { # shown_uri WHAT ARGS...: boardpack ARGS on the URI with a password
  local what=$1
  shift
  run "$BOARDPACK" --db "$with_password" "$@"
  case $OUT$ERR in
    *"$secret"* | *"host="*) fail "$what shows the URI (and its password): $(printf '%s\n' "$ERR$OUT" | grep -m1 -e "$secret" -e 'host=')" ;;
    *) pass ;;
  esac
}
shown_uri "report" report
shown_uri "a refused record" record 2.1.2 120
expect_err_equals "A percentage must be between 0 and 100; 120 was refused." "a refused record on the URI with a password"
shown_uri "import of a board file" import "$WORK/changed.yaml"
expect_equal "$ERR" "Imported 1 file (0 readings) into postgresql database \"compare\"." \
  "import of a board file names the database"
shown_uri "import of a CSV feed" import --board small "$WORK/good.csv"
expect_equal "$ERR" "Imported $WORK/good.csv into postgresql database \"compare\": 0 new, 1 replaced, 2 unchanged." \
  "import of a CSV feed names the database"
shown_uri "pack" pack --month 2024-04
expect_out_contains '<dt>Store</dt><dd class="code">postgresql database &quot;compare&quot;</dd>' \
  "the pack names the database"
with_password=$(printf '%s' "$with_password" | sed 's/port=[0-9]*/port=1/')
shown_uri "an unreachable server" report
expect_status 66 "an unreachable server"

finish
