#!/usr/bin/env bash
# `boardpack record`: the command layer from the command line — a reading
# recorded and audited, a month replaced, refused values writing nothing.
. "$(dirname "$0")/lib.sh"

run "$BOARDPACK" --db "$DB" record 2.1.2 70 --period 2023-10
expect_status 66 "record needs an existing store"
if on_pg; then # a PostgreSQL store is its schema's tables, not a file
  expect_equal "$(pg_table_count)" \
    "0" "record creates no store"
else
  expect_file_absent "$DB" "record creates no store"
fi

seed_store   # seeds the store
expect_status 0 "seed"

run "$BOARDPACK" --db "$DB" record 2.1.2 71.5 --period 2024-04 --note "from the March extract"
expect_status 0 "record"
expect_out_contains "Recorded 2.1.2 2024-04 = 71.5." "record confirmation"
expect_equal "$(sql "$DB" "SELECT value || '|' || note || '|' || sample FROM readings r JOIN metrics m ON m.id = r.metric_id WHERE m.code = '2.1.2' AND r.period = '2024-04' AND r.segment = ''")" \
  "71.5|from the March extract|0" "stored reading"
expect_equal "$(sql "$DB" "SELECT action || '|' || coalesce(old_value, '-') || '|' || new_value || '|' || CASE WHEN who <> '' THEN 1 ELSE 0 END FROM audit ORDER BY id DESC LIMIT 1")" \
  "record-reading|-|2024-04=71.5|1" "audit row"

run "$BOARDPACK" --db "$DB" record 2.1.2 72 --period 2024-04
expect_status 0 "replace"
expect_out_contains "Recorded 2.1.2 2024-04 = 72 (was 71.5)." "replace confirmation"
expect_equal "$(sql "$DB" "SELECT count(*) FROM readings r JOIN metrics m ON m.id = r.metric_id WHERE m.code = '2.1.2' AND r.period = '2024-04' AND r.segment = ''")" "1" "one reading per month"
expect_equal "$(sql "$DB" "SELECT action || '|' || old_value || '|' || new_value FROM audit ORDER BY id DESC LIMIT 1")" \
  "replace-reading|2024-04=71.5|2024-04=72" "replace audited"

run "$BOARDPACK" --db "$DB" record 2.1.2 68 --period 2024-04 --segment Barnet
expect_status 0 "segment"
expect_out_contains "Recorded 2.1.2 2024-04 Barnet = 68." "segment confirmation"

before=$(store_fingerprint "$DB")
check_refused() { # check_refused "message" args...
  local message=$1; shift
  run "$BOARDPACK" --db "$DB" record "$@"
  expect_status 65 "refused: $*"
  expect_err_equals "$message" "refused message: $*"
}
check_refused "A percentage must be between 0 and 100; 120 was refused." 2.1.2 120 --period 2024-04
check_refused "'seventy' is not a number." 2.1.2 seventy --period 2024-04
check_refused "'2024-4' is not a month; write YYYY-MM, for example 2024-03." 2.1.2 70 --period 2024-4
check_refused "9999-01 is in the future; readings are for months that have begun." 2.1.2 70 --period 9999-01
check_refused "Board 'nlmhp-2023-24' has no metric '9.9.9'." 9.9.9 70 --period 2024-04
check_refused "The text contains control characters (such as a newline or an escape); write it on one line." \
  2.1.2 70 --period 2024-04 --note "$(printf 'two\nlines')"
check_refused "A count must be a whole number, not negative; 22.5 was refused." 3.2.3b 22.5 --period 2024-04
# 2.1.2 declares its boroughs: another segment is refused, with the one meant.
check_refused "No segment 'barnet' for 2.1.2; did you mean 'Barnet'?" 2.1.2 68 --period 2024-04 --segment barnet
check_refused "No segment 'Barnit' for 2.1.2; did you mean 'Barnet'?" 2.1.2 68 --period 2024-04 --segment Barnit
check_refused "No segment 'Zzz' for 2.1.2; expected 'Barnet', 'Camden', 'Enfield', 'Haringey' or 'Islington'." \
  2.1.2 68 --period 2024-04 --segment Zzz
expect_equal "$(store_fingerprint "$DB")" "$before" "refused values leave the store byte-for-byte unchanged"

run "$BOARDPACK" --db "$DB" record 2.1.2
expect_status 2 "record without a value"

# Never the calendar's month: with no month open, the month must be given,
# and nothing is written.
before=$(sql "$DB" 'SELECT count(*) FROM readings')
run "$BOARDPACK" --db "$DB" record 1.1.2 88
expect_status 65 "record without --period and no open month"
expect_err_contains "No month is open on board 'nlmhp-2023-24'" "says no month is open"
expect_equal "$(sql "$DB" 'SELECT count(*) FROM readings')" "$before" "nothing recorded"

# `boardpack delete`: a reading removed, saying why; refused without a
# month or a reason, or when there is no such reading, writing nothing.
before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" delete 2.1.2 --period 2024-04 --segment Barnet
expect_status 2 "delete without --reason"
expect_err_contains "delete needs --reason TEXT" "delete says a reason is needed"
run "$BOARDPACK" --db "$DB" delete 2.1.2 --reason "wrong month"
expect_status 2 "delete without --period"
run "$BOARDPACK" --db "$DB" delete 2.1.2 --period 2024-05 --reason "wrong month"
expect_status 65 "delete of a reading that is not there"
expect_err_equals "There is no reading for 2.1.2 in May 2024 to remove." "no such reading"
expect_equal "$(store_fingerprint "$DB")" "$before" "refused removals leave the store unchanged"
run "$BOARDPACK" --db "$DB" delete 2.1.2 --period 2024-04 --segment Barnet --reason "typed as Barnet; it was Enfield's"
expect_status 0 "delete"
expect_out_contains "Removed 2.1.2 2024-04 Barnet (was 68)." "delete confirmation"
expect_equal "$(sql "$DB" "SELECT count(*) FROM readings r JOIN metrics m ON m.id = r.metric_id WHERE m.code = '2.1.2' AND r.period = '2024-04' AND r.segment = 'Barnet'")" "0" "reading removed"
expect_equal "$(sql "$DB" "SELECT action || '|' || old_value || '|' || new_value FROM audit ORDER BY id DESC LIMIT 1")" \
  "delete-reading|2024-04 Barnet=68|removed: typed as Barnet; it was Enfield's" "removal audited with the old value and reason"

# A feed's segments are checked as record checks them.
printf 'metric,period,value,segment\n2.1.2,2024-03,70,barnet\n' >"$WORK/segment.csv"
before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" import "$WORK/segment.csv"
expect_status 65 "a feed's undeclared segment"
expect_err_equals "$WORK/segment.csv:2:18: error: no segment 'barnet' for 2.1.2; did you mean 'Barnet'?" \
  "the feed's segment error, located, with the suggestion"
expect_equal "$(store_fingerprint "$DB")" "$before" "the refused feed writes nothing"

finish
