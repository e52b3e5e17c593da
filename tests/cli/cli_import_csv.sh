#!/usr/bin/env bash
# `import --board CODE FILE.csv`: a readings CSV feed (docs/feeds.md). Every
# bad row located, nothing written on any error, one transaction, unchanged
# rows left alone, --dry-run, and progress only on a terminal.
. "$(dirname "$0")/lib.sh"

{ small_board_head; cat <<'YAML'; } >"$WORK/board.yaml"
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
            milestone: {due: 2024-03, status: at_risk}
YAML
run "$BOARDPACK" --db "$DB" import "$WORK/board.yaml"
expect_status 0 "the board"
audit_rows() { sql "$DB" "SELECT count(*) FROM audit"; }
label=$(store_label)
# numbers ROWS: each row's second column (a value) as a number, so that
# SQLite's 39.0 and PostgreSQL's 39 read alike.
numbers() { awk -F'|' -v OFS='|' '{ $2 = $2 + 0; print }'; }

# ---- A good feed ----------------------------------------------------------
printf 'metric,period,value\r\n1.1.1,2023-04,39\r\n1.1.1,2023-05,37\r\n1.1.2,2023-05,71.5\r\n' \
  >"$WORK/good.csv"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/good.csv"
expect_status 0 "good feed"
expect_err_equals "Imported $WORK/good.csv into $label: 3 new, 0 replaced, 0 unchanged." \
  "good feed: counts on stderr, and nothing else there (not a terminal: no progress)"
expect_equal "$OUT" "" "good feed: nothing on stdout"
expect_equal "$(sql "$DB" "SELECT period, value FROM readings ORDER BY id" | numbers | tr '|' '=' | paste -sd' ')" \
  "2023-04=39 2023-05=37 2023-05=71.5" "good feed: the readings"
expect_equal "$(sql "$DB" "SELECT action || ' ' || new_value FROM audit ORDER BY id DESC LIMIT 1")" \
  "import $WORK/good.csv: 3 readings (3 new, 0 replaced, 0 unchanged)" "one import audit row"
run "$BOARDPACK" --db "$DB" report --board small --format csv
expect_out_contains "deliverable,1.1.1,Waiting times,G,37,28,2023-05,," "report shows the feed"
expect_out_contains "deliverable,1.1.2,Seen in four weeks,R,71.5,90,2023-05,," "report: second metric"

# The same file again changes nothing, not even the audit log.
before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" import --board small "$WORK/good.csv"
expect_status 0 "the same feed twice"
expect_err_equals "Imported $WORK/good.csv into $label: 0 new, 0 replaced, 3 unchanged." \
  "second import: all unchanged"
expect_equal "$(store_fingerprint "$DB")" "$before" "second import writes nothing"

# ---- Columns in another order, segment and note, RFC 4180 quoting ----------
{
  printf '\xef\xbb\xbfnote,Segment,value,period,metric\n'
  printf '"waits, as reported by ""PAS""",,38,2023-05,1.1.1\n'
  printf ',Barnet,64,2023-05,1.1.2\n'
  printf '"Enfield, north",Enfield,"66.5",2023-05,1.1.2\n'
  printf '\n'
} >"$WORK/order.csv"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/order.csv"
expect_status 0 "header in another order"
expect_err_equals "Imported $WORK/order.csv into $label: 2 new, 1 replaced, 0 unchanged." \
  "other order: counts"
expect_equal "$(sql "$DB" "SELECT note FROM readings WHERE period = '2023-05' AND value = 38")" \
  'waits, as reported by "PAS"' "a quoted note with a comma and doubled quotes"
expect_equal "$(sql "$DB" "SELECT segment, value, coalesce(note, '-') FROM readings WHERE segment <> '' ORDER BY segment" | numbers)" \
  "Barnet|64|-
Enfield|66.5|Enfield, north" "segments and notes land"
expect_equal "$(sql "$DB" "SELECT old_value || ' -> ' || new_value FROM audit WHERE action = 'import-replace-reading'")" \
  "2023-05=37 -> 2023-05=38" "the replaced reading is audited with its old value"

# A line break inside quotes is read (the rows after it keep their line
# numbers), but a note is one line, as record's is.
printf 'metric,period,value,note\n1.1.1,2023-06,36,"two\nlines"\n1.1.1,2023-07,x,\n' >"$WORK/lines.csv"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/lines.csv"
expect_status 65 "a note over two lines"
expect_err_equals "$WORK/lines.csv:2:18: error: the text contains control characters (such as a newline or an escape); write it on one line
$WORK/lines.csv:4:15: error: 'x' is not a number" "a quoted line break: located, and the next row's line is right"

# ---- Every bad row, located; nothing written --------------------------------
cat >"$WORK/bad.csv" <<'CSV'
metric,period,value,segment
1.1.1,2023-06,35,
9.9,2023-06,35,
1.1.1,2023-13,35,
1.1.1,2023-06,-4,
1.1.2,2023-06,101,Barnet
1.1.1,2023-07,35,Barnet
1.1.1,2023-08,35
1.1.3,2023-06,1,
1.1.1,2999-01,35,
1.1.1,2023-09,"35"x,
1.1.1,2023-10,3"5,
1.1.1,2023-11,,
CSV
before=$(store_fingerprint "$DB")
audits=$(audit_rows)
run "$BOARDPACK" --db "$DB" import --board small "$WORK/bad.csv"
expect_status 65 "bad rows"
expect_err_equals "$WORK/bad.csv:3:1: error: board 'small' has no metric '9.9'
$WORK/bad.csv:4:7: error: '2023-13' is not a month; write YYYY-MM, for example 2024-03
$WORK/bad.csv:5:15: error: a number of days cannot be negative; -4 was refused
$WORK/bad.csv:6:15: error: a percentage must be between 0 and 100; 101 was refused
$WORK/bad.csv:7:18: error: metric '1.1.1' has no breakdown, so its readings cannot have a segment
$WORK/bad.csv:8:15: error: the row has 3 fields; the header has 4
$WORK/bad.csv:9:1: error: board 'small' has no metric '1.1.3'
$WORK/bad.csv:10:7: error: 2999-01 is in the future; readings are for months that have begun
$WORK/bad.csv:11:19: error: text after the closing quote of a field; a quoted field ends at its quote
$WORK/bad.csv:12:16: error: a double quote inside an unquoted field; quote the whole field and double the quote (\"\")
$WORK/bad.csv:13:15: error: type a number" "every bad row, one located line each"
expect_equal "$(store_fingerprint "$DB")" "$before" "bad rows: nothing written"
expect_equal "$(audit_rows)" "$audits" "bad rows: no audit row"

# One bad row, on the last line, after many good ones: still nothing written.
{
  echo "metric,period,value,segment"
  for month in 01 02 03 04 05 06 07 08 09 10 11 12; do
    echo "1.1.2,2022-$month,50,Camden"
    echo "1.1.2,2022-$month,51,"
  done
  printf '1.1.2,2022-12,50,Camden\n1.1.2,2023-01,150,Camden'
} >"$WORK/last.csv"
before=$(store_fingerprint "$DB")
if ! on_pg; then # SQLite's .dump; on PostgreSQL store_fingerprint already compares every row
  dump_before=$(sqlite3 "$DB" .dump | sha256sum)
fi
run "$BOARDPACK" --db "$DB" import --board small "$WORK/last.csv"
expect_status 65 "bad last row"
expect_err_equals "$WORK/last.csv:27:15: error: a percentage must be between 0 and 100; 150 was refused" \
  "bad last row: the one error (the row without a line end)"
expect_equal "$(store_fingerprint "$DB")" "$before" "bad last row: the store is byte for byte the same"
if ! on_pg; then # as above
  expect_equal "$(sqlite3 "$DB" .dump | sha256sum)" "$dump_before" "bad last row: same dump"
fi

# More than 20 bad rows: the first 20, then how many more.
{ echo "metric,period,value"; for i in $(seq 1 25); do echo "1.1.1,2023-04,bad$i"; done; } >"$WORK/many.csv"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/many.csv"
expect_status 65 "many bad rows"
expect_equal "$(printf '%s\n' "$ERR" | wc -l)" "21" "20 errors and one more line"
expect_equal "$(printf '%s\n' "$ERR" | tail -1)" "... and 5 more errors" "the count of the rest"
expect_equal "$(printf '%s\n' "$ERR" | sed -n 20p)" "$WORK/many.csv:21:15: error: 'bad20' is not a number" \
  "the 20th error"

# ---- Files that are not a feed -----------------------------------------------
: >"$WORK/empty.csv"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/empty.csv"
expect_status 65 "empty file"
expect_err_equals "$WORK/empty.csv:1:1: error: the file is empty; a readings CSV starts with a header row naming metric, period and value" "empty file: located"
printf 'metric,period,value\r\n' >"$WORK/header.csv"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/header.csv"
expect_status 65 "header only"
expect_err_equals "$WORK/header.csv:1:1: error: the file has a header row but no readings" "header only: located"
printf 'metric,period,value,colour,value\n1.1.1,2023-04,1,2,3\n' >"$WORK/header2.csv"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/header2.csv"
expect_status 65 "unknown and repeated columns"
expect_err_equals "$WORK/header2.csv:1:21: error: unknown column 'colour' in the header; a readings CSV has metric, period and value, and may have segment and note
$WORK/header2.csv:1:28: error: column 'value' appears twice in the header; the first is at column 15" \
  "header: every problem, located"
printf 'metric,value\n1.1.1,4\n' >"$WORK/header3.csv"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/header3.csv"
expect_status 65 "missing column"
expect_err_contains "$WORK/header3.csv:1:1: error: the header has no 'period' column" "missing column: located"
printf 'metric,period,value\n1.1.1,2023-04,"39\n' >"$WORK/open.csv"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/open.csv"
expect_status 65 "unterminated quote"
expect_err_equals "$WORK/open.csv:2:15: error: the quote that opens this field is never closed" "unterminated quote: where it opens"
printf 'metric,period,value,note\n1.1.1,2023-04,39,caf\xe9\n' >"$WORK/latin1.csv"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/latin1.csv"
expect_status 65 "invalid UTF-8"
expect_err_equals "$WORK/latin1.csv:2:18: error: the field is not valid UTF-8" "invalid UTF-8: the field"
expect_equal "$(store_fingerprint "$DB")" "$before" "refused files write nothing"

# ---- Dry run ------------------------------------------------------------------
printf 'metric,period,value\n1.1.1,2023-04,39\n1.1.1,2023-05,30\n1.1.1,2023-06,29\n' >"$WORK/dry.csv"
run "$BOARDPACK" --db "$DB" import --dry-run --board small "$WORK/dry.csv"
expect_status 0 "dry run"
expect_equal "$OUT" "dry run: $WORK/dry.csv: 3 readings: 1 new, 1 replaced, 1 unchanged; nothing written." \
  "dry run: the counts"
expect_equal "$(store_fingerprint "$DB")" "$before" "dry run writes nothing"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/dry.csv" --dry-run
expect_status 0 "dry run: the option after the file"
# A dry run of board files counts the same way, and says which board a file
# would create; into a new path it leaves no store behind.
run "$BOARDPACK" --db "$WORK/fresh.db" import --dry-run "$WORK/board.yaml"
expect_status 0 "dry run of a board file"
expect_equal "$OUT" "dry run: $WORK/board.yaml: would create board small; 0 readings: 0 new, 0 replaced, 0 unchanged; nothing written." \
  "dry run of a board file: what it would do"
expect_file_absent "$WORK/fresh.db" "dry run of a board file: no store created"
printf 'board: {code: small}\nreadings:\n  - {metric: "1.1.1", period: 2023-04, value: 39}\n  - {metric: "1.1.1", period: 2023-05, value: 31}\n  - {metric: "1.1.1", period: 2022-12, value: 41}\n' \
  >"$WORK/more.yaml"
run "$BOARDPACK" --db "$DB" import --dry-run "$WORK/more.yaml"
expect_status 0 "dry run of a readings file"
expect_equal "$OUT" "dry run: $WORK/more.yaml: 3 readings: 1 new, 1 replaced, 1 unchanged; nothing written." \
  "dry run of a readings file: the counts"
expect_equal "$(store_fingerprint "$DB")" "$before" "dry run of a readings file writes nothing"
run "$BOARDPACK" --db "$DB" import --dry-run "$WORK/board.yaml"
expect_status 0 "dry run of a board already there: a difference (docs/keeping-a-board.md)"
# The real run says the same.
run "$BOARDPACK" --db "$DB" import --board small "$WORK/dry.csv"
expect_err_equals "Imported $WORK/dry.csv into $label: 1 new, 1 replaced, 1 unchanged." \
  "the real run: the dry run's counts"

# ---- The command line ---------------------------------------------------------
run "$BOARDPACK" --db "$WORK/none.db" import --board small "$WORK/good.csv"
expect_status 66 "no store"
expect_err_equals "There is no store at $WORK/none.db; create one with boardpack init --sample, or import a board file." \
  "no store: one sentence"
expect_file_absent "$WORK/none.db" "no store: none created"
expect_file_absent "$WORK/none.db-wal" "no store: no -wal"
run "$BOARDPACK" --db "$DB" import --board nosuch "$WORK/good.csv"
expect_status 65 "unknown board"
expect_err_equals "There is no board 'nosuch' in the store." "unknown board: one sentence"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/board.yaml" "$WORK/good.csv"
expect_status 2 "board file and CSV in one import"
expect_err_contains "not both at once ('$WORK/good.csv' is a CSV)" "mixing: says which"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/missing.csv"
expect_status 66 "missing CSV file"
cp "$WORK/good.csv" "$WORK/UPPER.CSV"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/UPPER.CSV"
expect_status 0 ".CSV in capitals is a feed too"
# Without --board, the default board: this store has none of its metrics.
run "$BOARDPACK" --db "$DB" import "$WORK/good.csv"
expect_status 65 "default board not in the store"
expect_err_equals "There is no board 'nlmhp-2023-24' in the store." "the default board"

# ---- Progress: on a terminal only ---------------------------------------------
awk 'BEGIN { print "metric,period,value,segment";
  for (s = 1; s <= 400; s++) for (m = 0; m < 250; m++)
    printf "1.1.2,%04d-%02d,%d,S%d\n", 2000 + int(m / 12), m % 12 + 1, (s + m) % 100, s }' \
  >"$WORK/big.csv"
run "$BOARDPACK" --db "$DB" import --board small --dry-run "$WORK/big.csv"
expect_status 0 "100,000 rows, stderr not a terminal"
expect_equal "$ERR" "" "no progress when stderr is not a terminal"
expect_out_contains "100000 readings: 100000 new" "100,000 rows counted"
in_terminal "$BOARDPACK" --db "$DB" import --board small --dry-run "$WORK/big.csv"
expect_status 0 "100,000 rows on a terminal"
if printf '%s' "$OUT" | grep -q "big.csv: 100000 rows read"; then pass; else
  fail "progress on a terminal: '$OUT'"; fi

# ---- A feed into a published month is a correction ----------------------------
run "$BOARDPACK" --db "$DB" month publish 2023-05 --board small
expect_status 0 "publish May"
printf 'metric,period,value\n1.1.1,2023-05,37\n1.1.1,2023-06,36\n' >"$WORK/same-may.csv"
run "$BOARDPACK" --db "$DB" import --board small "$WORK/same-may.csv"
expect_status 0 "a published month's reading fed again unchanged needs no reason"
printf 'metric,period,value\n1.1.1,2023-06,35\n1.1.1,2023-05,38\n' >"$WORK/fix-may.csv"
before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" import --board small "$WORK/fix-may.csv"
expect_status 65 "a correction to May without a reason"
expect_err_equals "$WORK/fix-may.csv:3:7: error: a correction to May 2023, which is published (the board is published up to May 2023), needs a reason; give one with import --reason TEXT" \
  "the correction is located at its month"
expect_equal "$(store_fingerprint "$DB")" "$before" "a refused correction writes nothing"
run "$BOARDPACK" --db "$DB" import --board small --reason "warehouse re-run" "$WORK/fix-may.csv"
expect_status 0 "a correction to May with a reason"
expect_equal "$(sql "$DB" "SELECT period || ' ' || old_value || ' ' || new_value || ' ' || reason FROM revisions")" \
  "2023-05 2023-05=37 2023-05=38 warehouse re-run" "kept as a revision with its reason"

finish
