#!/usr/bin/env bash
# `export` then `import` into an empty store gives back the same board: the
# second export is identical to the first, for every bundled board, with
# edits, segments and notes included.
. "$(dirname "$0")/lib.sh"

seed_store   # seeds
run "$BOARDPACK" --db "$DB" record 2.1.2 66.6 --period 2024-01 --segment "Haringey" --note 'note with "quotes", commas – and £'
expect_status 0 "record before export"

for board in nlmhp-2023-24 nlft-2024-25 beh-2021-22 nlmhp-medium-long-term; do
  run "$BOARDPACK" --db "$DB" export --board "$board"
  expect_status 0 "export $board"
  printf '%s\n' "$OUT" >"$WORK/$board.yaml"
  run "$BOARDPACK" check "$WORK/$board.yaml"
  expect_status 0 "exported $board passes check"
  run "$BOARDPACK" --db "$WORK/copy.db" import "$WORK/$board.yaml"
  expect_status 0 "import exported $board"
  run "$BOARDPACK" --db "$WORK/copy.db" export --board "$board"
  printf '%s\n' "$OUT" >"$WORK/$board.again.yaml"
  if cmp -s "$WORK/$board.yaml" "$WORK/$board.again.yaml"; then pass; else
    fail "round trip of $board"; diff "$WORK/$board.yaml" "$WORK/$board.again.yaml" | head -20 >&2
  fi
  # The reports agree too.
  a=$("$BOARDPACK" --db "$DB" report --board "$board" --format csv)
  b=$("$BOARDPACK" --db "$WORK/copy.db" report --board "$board" --format csv)
  expect_equal "$a" "$b" "reports agree for $board"
done

# Sample flags survive the trip.
expect_equal "$(sql "$WORK/copy.db" 'SELECT count(*) FROM readings WHERE sample = 1')" \
  "$(sql "$DB" 'SELECT count(*) FROM readings WHERE sample = 1')" "sample flags kept"
expect_equal "$(sql "$WORK/copy.db" "SELECT note FROM readings WHERE segment = 'Haringey' AND period = '2024-01'")" \
  'note with "quotes", commas – and £' "notes kept"

# Declared segments survive the trip, in order, and still refuse others.
grep -q '^        segments: \["Barnet", "Camden", "Enfield", "Haringey", "Islington"\]$' "$WORK/nlmhp-2023-24.yaml" \
  && pass || fail "export writes 2.1.2's segments"
# segments_of STORE: a line per metric, "code: segment, segment..." in order.
segments_of() {
  sql "$1" "SELECT m.id, m.code, s.name FROM metric_segments s JOIN metrics m ON m.id = s.metric_id ORDER BY m.code, m.id, s.position" |
    awk -F'|' '$1 != id { if (id != "") print line; id = $1; line = $2 ": " $3; next } { line = line ", " $3 }
      END { if (id != "") print line }'
}
expect_equal "$(segments_of "$WORK/copy.db")" "$(segments_of "$DB")" "segments kept by export and import"
expect_equal "$(sql "$WORK/copy.db" "SELECT count(*) FROM metric_segments")" "15" "three metrics' five segments each"
run "$BOARDPACK" --db "$WORK/copy.db" record 2.3.1 5 --period 2024-01 --segment "white"
expect_status 65 "the imported board still refuses an undeclared segment"
expect_err_equals "No segment 'white' for 2.3.1; did you mean 'White'?" "with a suggestion"

# CSV export: a header and one row per reading.
run "$BOARDPACK" --db "$DB" export --format csv
expect_status 0 "csv export"
expect_equal "$(printf '%s\n' "$OUT" | head -1 | tr -d '\r')" "board,metric,period,value,segment,note,entered_by,entered_at" "csv export header"
rows=$(printf '%s\n' "$OUT" | python3 -c "import csv,sys; print(len(list(csv.reader(sys.stdin))) - 1)")
expect_equal "$rows" "$(sql "$DB" "SELECT count(*) FROM readings r JOIN metrics m ON m.id = r.metric_id JOIN boards b ON b.id = m.board_id WHERE b.code = 'nlmhp-2023-24'")" "csv export rows"

run "$BOARDPACK" --db "$DB" export --format xml
expect_status 2 "bad export format"


# The SPC conflict rule, the board's and a metric's own, survives the trip.
run "$BOARDPACK" --db "$WORK/conflict.db" import "$SOURCE_ROOT/tests/cli/spc_conflict.yaml"
expect_status 0 "import the conflict board"
run "$BOARDPACK" --db "$WORK/conflict.db" export --board spc-conflict
printf '%s\n' "$OUT" >"$WORK/conflict.yaml"
expect_out_contains "  spc: {conflict: improvement}" "the board's rule is exported"
expect_equal "$(printf '%s\n' "$OUT" | grep -c 'spc: {conflict: ')" "2" "only the rules set are exported"
run "$BOARDPACK" --db "$WORK/conflict-copy.db" import "$WORK/conflict.yaml"
expect_status 0 "import the exported conflict board"
run "$BOARDPACK" --db "$WORK/conflict-copy.db" export --board spc-conflict
printf '%s\n' "$OUT" >"$WORK/conflict.again.yaml"
if cmp -s "$WORK/conflict.yaml" "$WORK/conflict.again.yaml"; then pass; else
  fail "round trip of the conflict board"; diff "$WORK/conflict.yaml" "$WORK/conflict.again.yaml" | head -20 >&2
fi
expect_equal "$("$BOARDPACK" --db "$WORK/conflict-copy.db" report --board spc-conflict)" \
  "$("$BOARDPACK" --db "$WORK/conflict.db" report --board spc-conflict)" "conflict reports agree"

finish
