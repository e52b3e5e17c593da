#!/usr/bin/env bash
# Bad input, through the real binary: board files with every kind of mistake
# for `check` and `import`, and bad `record` arguments. Each gives exactly
# one line on stderr — `FILE:LINE:COLUMN: error: ...` for files, pointing at
# the bad spot, a plain sentence otherwise — exit status 65 (2 for usage),
# nothing on stdout, and the store byte-for-byte unchanged.
. "$(dirname "$0")/lib.sh"
# `... | refused`: the checks run in this shell, so their counts add up.
shopt -s lastpipe

seed_store   # a seeded store to protect
expect_status 0 "seed the store"
before=$(store_fingerprint "$DB")

# at_spot FILE LINE COLUMN TEXT: the file has TEXT starting at LINE:COLUMN
# (the files here are ASCII, so columns are bytes).
at_spot() {
  local found
  found=$(sed -n "${2}p" "$1" | cut -c"${3}"-)
  case "$found" in
  "$4"*) pass ;;
  *) fail "$(basename "$1"): $2:$3 holds '${found:0:20}', expected '$4'" ;;
  esac
}

# refused NAME LINE COLUMN SPOT MESSAGE < file: `check` and `import` both
# refuse the file with exactly FILE:LINE:COLUMN: error: MESSAGE, status 65,
# and LINE:COLUMN is where SPOT is written (no SPOT: not checked).
refused() {
  local name=$1 line=$2 column=$3 spot=$4 message=$5 file="$WORK/$1.yaml"
  cat >"$file"
  [ -n "$spot" ] && at_spot "$file" "$line" "$column" "$spot"
  run "$BOARDPACK" check "$file"
  expect_status 65 "$name: check status"
  expect_err_equals "$file:$line:$column: error: $message" "$name: check message"
  expect_equal "$OUT" "" "$name: check prints nothing on stdout"
  run "$BOARDPACK" --db "$DB" import "$file"
  expect_status 65 "$name: import status"
  expect_err_equals "$file:$line:$column: error: $message" "$name: import message"
  expect_equal "$OUT" "" "$name: import prints nothing on stdout"
  expect_equal "$(store_fingerprint "$DB")" "$before" "$name: store unchanged"
}

# refused_text NAME LINE COLUMN SPOT MESSAGE TEXT: refused, the file being
# TEXT with printf's escapes.
refused_text() {
  printf "$6" | refused "$1" "$2" "$3" "$4" "$5"
}

# A whole board, lines 1-22; the cases below add to it from line 23.
base() {
  small_board_head
  cat <<'YAML'
          - code: "1.1.1"
            title: "Health checks"
            metric: {name: "Checks", unit: percent, direction: up, target: {value: 75, period: 2024-03}}
          - code: "1.1.2"
            title: "Apprentices"
            metric: {name: "Apprentices", unit: count, direction: up, target: {value: 225, period: 2024-03}}
          - code: "1.1.3"
            title: "Waiting times"
            metric: {name: "Median wait", unit: days, direction: down, target: {value: 28, period: 2024-03}, breakdown: borough}
          - code: "1.1.4"
            title: "A new service"
            milestone: {due: 2024-03, status: at_risk}
YAML
}

# base_with SECTION ITEM...: the base board and SECTION listing each ITEM, one
# a line, from line 24.
base_with() {
  local section=$1
  shift
  base
  printf '%s:\n' "$section"
  printf '  - %s\n' "$@"
}

# refused_edit NAME LINE COLUMN SPOT MESSAGE SCRIPT: refused, the file being
# the base edited by the sed SCRIPT.
refused_edit() {
  sed "$6" <<<"$(base)" | refused "$1" "$2" "$3" "$4" "$5"
}

# refused_with NAME LINE COLUMN SPOT MESSAGE SECTION ITEM...: refused, the
# file being the base with SECTION listing each ITEM.
refused_with() {
  local name=$1 line=$2 column=$3 spot=$4 message=$5
  shift 5
  base_with "$@" | refused "$name" "$line" "$column" "$spot" "$message"
}

# The base itself is good: every refusal below is the case's own mistake.
base >"$WORK/base.yaml"
run "$BOARDPACK" check "$WORK/base.yaml"
expect_status 0 "the base board is good"
base_with readings '{metric: "1.1.1", period: 2023-04, value: 61}' >"$WORK/good.yaml"
run "$BOARDPACK" check "$WORK/good.yaml"
expect_status 0 "the base board with a reading is good"

# ---- YAML syntax ------------------------------------------------------------
refused_text syntax-indent 3 10 ': wrong' "invalid YAML: mapping values are not allowed in this context" 'board:\n  code: a\n    title: wrong indent\naims: []\n'
refused_text syntax-colon 2 10 ': b' "invalid YAML: mapping values are not allowed in this context" 'board:\n  code: a: b\naims: []\n'
refused_text syntax-tab 2 1 "$(printf '\t')" "invalid YAML: a tab here; YAML indents with spaces" 'board:\n\tcode: a\naims: []\n'
refused_text syntax-flow 2 5 ': []' "invalid YAML: did not find expected ',' or '}' while parsing a flow mapping started at line 1, column 8" 'board: {code: a, title: x\naims: []\n'
# An unterminated quote is found at the end of the file; the message names
# where the quote began (3:10).
refused_text syntax-quote 5 1 "" "invalid YAML: found unexpected end of stream while scanning a quoted scalar started at line 3, column 10" 'board:\n  code: a\n  title: "unterminated\naims: []\n'
at_spot "$WORK/syntax-quote.yaml" 3 10 '"unterminated'

# ---- Unknown keys -------------------------------------------------------------
refused_text unknown-board 3 3 'titel' "unknown key 'titel' in board; did you mean 'title'?" 'board:\n  code: a\n  titel: x\naims: []\n'
refused_text unknown-board-far 3 3 'colour' "unknown key 'colour' in board; expected code, title, period, purpose, vision, values, source, sample or spc" 'board:\n  code: a\n  colour: red\naims: []\n'
refused_text unknown-top 3 1 'aim:' "unknown key 'aim' at the top of the file; did you mean 'aims'?" 'board: {code: a, title: x}\naims: []\naim: []\n'
{ base; cat <<'YAML'; } | refused unknown-aim 25 5 'titel' "unknown key 'titel' in aim; did you mean 'title'?"
  - code: "2"
    objectives: []
    titel: "Aim two"
YAML
refused_edit unknown-metric 16 43 'units' "unknown key 'units' in metric; did you mean 'unit'?" 's/unit: count/units: count/'
refused_with unknown-reading 24 40 'vlaue' "unknown key 'vlaue' in reading; did you mean 'value'?" readings '{metric: "1.1.1", period: 2023-04, vlaue: 61}'

# ---- Duplicate keys -------------------------------------------------------------
refused_text duplicate-board 4 3 'code: b' "duplicate key 'code' in board; the first is at line 2" 'board:\n  code: a\n  title: x\n  code: b\naims: []\n'
refused_text duplicate-top 4 1 'readings' "duplicate key 'readings' at the top of the file; the first is at line 3" 'board: {code: a, title: x}\naims: []\nreadings: []\nreadings: []\n'
refused_edit duplicate-flow 13 68 'unit: count' "duplicate key 'unit' in metric; the first is at line 13" 's/direction: up, target: {value: 75/direction: up, unit: count, target: {value: 75/'
{ base; cat <<'YAML'; } | refused duplicate-trajectory 33 17 '2023-06: 15' "duplicate key '2023-06' in trajectory; the first is at line 31"
          - code: "1.1.5"
            title: "A trajectory"
            metric:
              name: "Share"
              unit: percent
              direction: up
              target: {value: 50, period: 2024-03}
              trajectory:
                2023-06: 10
                2023-09: 20
                2023-06: 15
YAML

# ---- Wrong types ----------------------------------------------------------------
refused_text type-title 3 10 '[x]' "expected text for 'title', found a list" 'board:\n  code: a\n  title: [x]\naims: []\n'
refused_text type-aims 2 7 '{code' "expected a list for 'aims', found a mapping" 'board: {code: a, title: x}\naims: {code: "1"}\n'
refused_text type-boolean 1 26 'yes' "expected true or false for 'sample', found 'yes'" 'board: {code: a, sample: yes}\nreadings: []\n'
refused_with type-quoted-number 24 47 '"61"' "expected a number for 'value', found \"61\" in quotes" readings '{metric: "1.1.1", period: 2023-04, value: "61"}'
base_with readings 61 |
  refused type-item 24 5 '61' "expected a mapping for each item of 'readings', found '61'"
{ base; cat <<'YAML'; } | refused type-objectives 24 17 '"none"' "expected a list for 'objectives', found \"none\" in quotes"
  - code: "2"
    objectives: "none"
    title: "Aim two"
YAML
refused_with type-nan 24 47 '.nan' "expected a number for 'value', found '.nan'" readings '{metric: "1.1.1", period: 2023-04, value: .nan}'
refused_with type-huge 24 47 '1e999' "'1e999' is too large for a number" readings '{metric: "1.1.1", period: 2023-04, value: 1e999}'
{ base; cat <<'YAML'; } | refused type-empty-title 24 12 '""' "'title' is empty"
  - code: "2"
    title: ""
    objectives: []
YAML

# ---- Missing required fields ------------------------------------------------------
refused_text missing-board 1 1 'aims' "missing key 'board' at the top of the file" 'aims: []\n'
refused_text missing-aims 1 1 'board' "missing key 'aims' at the top of the file" 'board: {code: a, title: "x"}\n'
{ base; cat <<'YAML'; } | refused missing-title 23 5 'code: "2"' "missing key 'title' in aim '2'"
  - code: "2"
    objectives: []
YAML
refused_edit missing-unit 16 21 '{name' "missing key 'unit' in metric '1.1.2'" 's/unit: count, //'
refused_edit missing-due 22 24 '{status' "missing key 'due' in milestone" 's/milestone: {due: 2024-03, status: at_risk}/milestone: {status: at_risk}/'
refused_edit missing-measure 20 13 'code: "1.1.4"' "deliverable '1.1.4' needs one of 'metric', 'metrics' or 'milestone'" '22d'
refused_with missing-value 24 5 '{metric' "missing key 'value' in reading" readings '{metric: "1.1.1", period: 2023-04}'

# ---- Repeated codes ------------------------------------------------------------------
refused_edit repeated-code 17 19 '"1.1"' "code '1.1' is used twice; the first is at line 8" 's/code: "1.1.3"/code: "1.1"/'
{ base; cat <<'YAML'; } | refused repeated-metric-code 27 24 '"1.1.5a"' "code '1.1.5a' is used twice; the first is at line 26"
          - code: "1.1.5"
            title: "Two measures"
            metrics:
              - {code: "1.1.5a", name: "Share", unit: percent, direction: up, target: {value: 9}}
              - {code: "1.1.5a", name: "Number", unit: count, direction: up, target: {value: 225}}
YAML
refused_with repeated-reading 25 5 '{metric' "a reading for metric '1.1.1' in 2023-04 appears twice; the first is at line 24" readings '{metric: "1.1.1", period: 2023-04, value: 61}' '{metric: "1.1.1", period: 2023-04, value: 62}'

# ---- Codes that refer to nothing ----------------------------------------------------
refused_with ref-metric 24 14 '"1.1.9"' "board 'small' has no metric '1.1.9'" readings '{metric: "1.1.9", period: 2023-04, value: 61}'
refused_with ref-milestone 24 19 '"1.1.1"' "board 'small' has no milestone '1.1.1'" milestone_updates '{deliverable: "1.1.1", period: 2023-10, status: on_track}'
refused_with ref-node 24 12 '"7"' "board 'small' has no aim, objective or deliverable '7'" commentary '{node: "7", period: 2023-10, text: "Hello"}'
refused_with ref-segment 24 60 'Barnet' "metric '1.1.1' has no breakdown, so its readings cannot have a segment" readings '{metric: "1.1.1", period: 2023-04, value: 61, segment: Barnet}'
# 1.1.3 declares its segments in these cases (line 19).
declare_segments='s/breakdown: borough}/breakdown: borough, segments: [Barnet, Camden]}/'
{ base | sed "$declare_segments"; printf 'readings:\n  - {metric: "1.1.3", period: 2023-04, value: 6, segment: camden}\n'; } |
  refused ref-undeclared-segment 24 59 'camden' "no segment 'camden' for 1.1.3; did you mean 'Camden'?"
refused_edit segments-twice 19 157 'Barnet]' "'Barnet' appears twice in 'segments'" 's/breakdown: borough}/breakdown: borough, segments: [Barnet, Camden, Barnet]}/'
refused_edit segments-no-breakdown 13 106 'segments' "metric '1.1.1' has no breakdown, so it cannot list segments" 's/target: {value: 75, period: 2024-03}}/target: {value: 75, period: 2024-03}, segments: [Barnet]}/'
# Readings before the structure are checked once it is read, and located
# at their own bad spot.
cat <<'YAML' | refused ref-before-aims 4 13 '"9.9"' "board 'b' has no metric '9.9'"
board: {code: b, title: "T"}
readings:
  - period: 2023-04
    metric: "9.9"
    value: 1
aims: []
YAML

# ---- Text longer than its limit (docs/board-file.md), in characters -------------------
long_title=$(printf 'x%.0s' $(seq 501))
refused_edit long-title 9 16 '"xxx' "the title of '1.1' is 501 characters long; at most 500" "s/\"Objective one\"/\"$long_title\"/"
long_note=$(printf 'é%.0s' $(seq 4001))
refused_with long-note 24 57 '"' "'note' is 4001 characters long; at most 4000" readings "{metric: \"1.1.1\", period: 2023-04, value: 61, note: \"$long_note\"}"
# Exactly at the limit is fine.
{ base | sed "s/\"Objective one\"/\"${long_title:1}\"/"; printf 'readings:\n  - {metric: "1.1.1", period: 2023-04, value: 61, note: "%s"}\n' "${long_note:1}"; } >"$WORK/at-limits.yaml"
run "$BOARDPACK" check "$WORK/at-limits.yaml"
expect_status 0 "a title of 500 and a note of 4000 characters are accepted"

# ---- Malformed periods ----------------------------------------------------------------
for period in 2023-13 2023-00 2023-4 2023-04-01 1899-12; do
  refused_with "period-$period" 24 31 "$period" "'$period' is not a month; write YYYY-MM" \
    readings "{metric: \"1.1.1\", period: $period, value: 61}"
done
refused_with period-words 24 31 '"April 2023"' "'April 2023' is not a month; write YYYY-MM" readings '{metric: "1.1.1", period: "April 2023", value: 61}'
refused_edit period-due 22 30 '2024/03' "'2024/03' is not a month; write YYYY-MM" 's|milestone: {due: 2024-03,|milestone: {due: 2024/03,|'
refused_edit period-baseline 13 100 '23-03' "'23-03' is not a month; write YYYY-MM" 's|target: {value: 75, period: 2024-03}|baseline: {value: 58.5, period: 23-03}, target: {value: 75}|'
refused_with time-at 24 55 '2023-10-01' "'2023-10-01' is not a time; write YYYY-MM-DDTHH:MM:SSZ" readings '{metric: "1.1.1", period: 2023-04, value: 61, at: 2023-10-01}'
# Times are checked against the calendar: no 29 February in 2023, no 31 April.
{ base; cat <<'YAML'; } | refused time-feb-29 24 55 '2023-02-29' "'2023-02-29T09:00:00Z' is not a date on the calendar: 2023-02 has 28 days"
readings:
  - {metric: "1.1.1", period: 2023-04, value: 61, at: 2023-02-29T09:00:00Z}
YAML
{ base; cat <<'YAML'; } | refused time-update-apr-31 24 67 '2024-04-31' "'2024-04-31T12:00:00Z' is not a date on the calendar: 2024-04 has 30 days"
milestone_updates:
  - {deliverable: "1.1.4", period: 2024-04, status: on_track, at: 2024-04-31T12:00:00Z}
YAML
{ base; cat <<'YAML'; } | refused time-comment-feb-31 24 54 '2024-02-31' "'2024-02-31T08:30:00Z' is not a date on the calendar: 2024-02 has 29 days"
commentary:
  - {node: "1.1", period: 2024-02, text: "Late", at: 2024-02-31T08:30:00Z}
YAML
leap="$WORK/leap-day.yaml"
{ base; cat <<'YAML'; } >"$leap"
readings:
  - {metric: "1.1.1", period: 2024-02, value: 61, at: 2024-02-29T23:59:60Z}
YAML
run "$BOARDPACK" check "$leap"
expect_status 0 "29 February 2024 (a leap year) with a leap second is a time"

# ---- Values out of range for the unit ----------------------------------------------------
refused_with range-percent-101 24 47 '101' "a percentage must be between 0 and 100 (metric '1.1.1' is measured in percent)" readings '{metric: "1.1.1", period: 2023-04, value: 101}'
refused_with range-percent-negative 24 47 '-0.5' "a percentage must be between 0 and 100 (metric '1.1.1' is measured in percent)" readings '{metric: "1.1.1", period: 2023-04, value: -0.5}'
refused_with range-count 24 47 '2.5' "a count must be a whole number, not negative (metric '1.1.2' is measured in count)" readings '{metric: "1.1.2", period: 2023-04, value: 2.5}'
# A reading written as a block: the error is on the value's own line.
{ base; cat <<'YAML'; } | refused range-days-block 27 12 '-1' "a number of days cannot be negative (metric '1.1.3' is measured in days)"
readings:
  - metric: "1.1.3"
    period: 2023-04
    segment: Barnet
    value: -1
YAML
refused_edit range-target 13 84 '101' "a percentage must be between 0 and 100 (the metric is measured in percent)" 's/target: {value: 75,/target: {value: 101,/'
refused_edit range-target-before-unit 13 38 '101' "a percentage must be between 0 and 100 (the metric is measured in percent)" 's/metric: {name: "Checks", unit: percent, direction: up, target: {value: 75, period: 2024-03}}/metric: {target: {value: 101}, name: "Checks", unit: percent, direction: up}/'
refused_edit range-tolerance 13 79 '-1' "'tolerance' cannot be negative" 's/direction: up, target: {value: 75/direction: up, tolerance: -1, target: {value: 75/'
refused_edit range-unit-word 13 44 'percentage' "unknown unit 'percentage'; expected percent, count, number, days or ratio" 's/unit: percent/unit: percentage/'
refused_edit range-status 22 47 'done' "unknown status 'done'; expected not_started, on_track, at_risk, off_track or complete" 's/status: at_risk/status: done/'

# ---- Several files: one bad file writes nothing from any ----------------------------------
printf 'board: {code: fresh, title: "A fresh board"}\naims: []\n' >"$WORK/fresh.yaml"
run "$BOARDPACK" --db "$DB" import "$WORK/fresh.yaml" "$WORK/range-percent-101.yaml"
expect_status 65 "good file then bad file"
expect_err_equals "$WORK/range-percent-101.yaml:24:47: error: a percentage must be between 0 and 100 (metric '1.1.1' is measured in percent)" \
  "good file then bad file: the bad file's message"
expect_equal "$(store_fingerprint "$DB")" "$before" "good file then bad file: store unchanged"
expect_equal "$(sql "$DB" "SELECT count(*) FROM boards WHERE code = 'fresh'")" "0" "the good file was not imported"

# ---- Readings-only files: checked against the store at import ----------------------------
# `check` cannot know the board, so it accepts these; `import` refuses them.
# The store locates these at the reading's line (its column is where the
# reading starts), so only FILE:LINE and the message are pinned here.
refused_at_import() { # NAME LINE MESSAGE < file
  local name=$1 line=$2 message=$3 file="$WORK/$1.yaml"
  cat >"$file"
  run "$BOARDPACK" check "$file"
  expect_status 0 "$name: check accepts a readings-only file"
  run "$BOARDPACK" --db "$DB" import "$file"
  expect_status 65 "$name: import status"
  case "$ERR" in
  "$file:$line:"[0-9]*": error: $message") pass ;;
  *) fail "$name: stderr is '$ERR', expected '$file:$line:COLUMN: error: $message'" ;;
  esac
  expect_equal "$(printf '%s\n' "$ERR" | wc -l)" "1" "$name: one line on stderr"
  expect_equal "$(store_fingerprint "$DB")" "$before" "$name: store unchanged"
}
printf 'board: {code: nlmhp-2023-24}\nreadings:\n  - {metric: "2.1.2", period: 2024-04, value: 101}\n' |
  refused_at_import readings-only-range 3 "a percentage must be between 0 and 100 (metric '2.1.2' is measured in percent)"
printf 'board: {code: nlmhp-2023-24}\nreadings:\n  - {metric: "9.9.9", period: 2024-04, value: 1}\n' |
  refused_at_import readings-only-metric 3 "board 'nlmhp-2023-24' has no metric '9.9.9'"
printf 'board: {code: nlmhp-2023-24}\nreadings:\n  - {metric: "1.1.2", period: 2024-04, value: 50, segment: Barnet}\n' |
  refused_at_import readings-only-segment 3 "metric '1.1.2' has no breakdown, so its readings cannot have a segment"
printf 'board: {code: nlmhp-2023-24}\nreadings:\n  - {metric: "2.2.2", period: 2024-04, value: 50, segment: Islingtn}\n' |
  refused_at_import readings-only-undeclared-segment 3 "no segment 'Islingtn' for 2.2.2; did you mean 'Islington'?"
printf 'board: {code: nlmhp-2023-24}\nmilestone_updates:\n  - {deliverable: "1.1.2", status: on_track}\n' |
  refused_at_import readings-only-milestone 3 "board 'nlmhp-2023-24' has no milestone '1.1.2'"
printf 'board: {code: no-such-board}\nreadings:\n  - {metric: "1.1.2", period: 2024-04, value: 50}\n' |
  refused_at_import readings-only-board 1 "there is no board 'no-such-board' in the store to add readings to"

# ---- `record`: a plain sentence, exit 65, nothing written --------------------------------
record_refused() { # MESSAGE ARGS...
  local message=$1
  shift
  run "$BOARDPACK" --db "$DB" record "$@"
  expect_status 65 "record $*"
  expect_err_equals "$message" "record $*: message"
  expect_equal "$OUT" "" "record $*: nothing on stdout"
  expect_equal "$(store_fingerprint "$DB")" "$before" "record $*: store unchanged"
}
record_refused "'seventy' is not a number." 2.1.2 seventy --period 2024-01
record_refused "'70abc' is not a number." 2.1.2 70abc --period 2024-01
record_refused "'70,5' is not a number." 2.1.2 70,5 --period 2024-01
record_refused "'0x10' is not a number." 2.1.2 0x10 --period 2024-01
record_refused "'nan' is not a number." 2.1.2 nan --period 2024-01
record_refused "'inf' is not a number." 2.1.2 inf --period 2024-01
record_refused "'1e999' is not a number." 2.1.2 1e999 --period 2024-01
record_refused "Type a number." 2.1.2 "" --period 2024-01
record_refused "A percentage must be between 0 and 100; 101 was refused." 2.1.2 101 --period 2024-01
record_refused "A percentage must be between 0 and 100; -1 was refused." 2.1.2 --period 2024-01 -- -1
record_refused "A count must be a whole number, not negative; 2.5 was refused." 3.2.3b 2.5 --period 2024-01
record_refused "9999-12 is in the future; readings are for months that have begun." 2.1.2 70 --period 9999-12
next_month=$(date -u -d "$(date -u +%Y-%m-01) +1 month" +%Y-%m)
record_refused "$next_month is in the future; readings are for months that have begun." 2.1.2 70 --period "$next_month"
record_refused "'2024-13' is not a month; write YYYY-MM, for example 2024-03." 2.1.2 70 --period 2024-13
record_refused "'2024-1' is not a month; write YYYY-MM, for example 2024-03." 2.1.2 70 --period 2024-1
record_refused "'2024-01-01' is not a month; write YYYY-MM, for example 2024-03." 2.1.2 70 --period 2024-01-01
record_refused "'January 2024' is not a month; write YYYY-MM, for example 2024-03." 2.1.2 70 --period "January 2024"
control="The text contains control characters (such as a newline or an escape); write it on one line."
record_refused "$control" 2.1.2 70 --period 2024-01 --note "$(printf 'two\nlines')"
record_refused "$control" 2.1.2 70 --period 2024-01 --note "$(printf 'clear \033[2J screen')"
record_refused "$control" 2.1.2 70 --period 2024-01 --note "$(printf 'a\ttab')"
record_refused "$control" 2.1.2 70 --period 2024-01 --note "$(printf 'bell \a')"
record_refused "$control" 2.1.2 70 --period 2024-01 --note "$(printf 'delete \177')"
record_refused "The text is not valid UTF-8." 2.1.2 70 --period 2024-01 --note "$(printf 'bad \303\050 byte')"
record_refused "The text is 4001 characters long; a note or comment may have at most 4000." 2.1.2 70 --period 2024-01 --note "$long_note"
record_refused "A segment name must be non-empty text on one line." 2.1.2 70 --period 2024-01 --segment "$(printf 'Bar\nnet')"
record_refused "Metric '1.1.2' has no breakdown, so its readings cannot have a segment." 1.1.2 70 --period 2024-01 --segment Barnet
record_refused "No segment 'barnet' for 2.1.2; did you mean 'Barnet'?" 2.1.2 70 --period 2024-01 --segment barnet
record_refused "Board 'nlmhp-2023-24' has no metric '9.9.9'." 9.9.9 70 --period 2024-01
# A milestone's code: it says what it is and how its status is set.
record_refused "'1.4.2' is a milestone, which has a status rather than readings; set its status with m in the browser, or import a file with milestone_updates." 1.4.2 70 --period 2024-01
record_refused "There is no board 'nope' in the store." 2.1.2 70 --period 2024-01 --board nope

# Usage mistakes are status 2, and write nothing either.
run "$BOARDPACK" --db "$DB" record 2.1.2
expect_status 2 "record without a value"
# A negative value is a value, with or without -- (here out of range).
record_refused "A percentage must be between 0 and 100; -1 was refused." 2.1.2 -1 --period 2024-01
record_refused "A percentage must be between 0 and 100; -1 was refused." --period 2024-01 2.1.2 -1
run "$BOARDPACK" --db "$DB" record 2.1.2 70 --colour red
expect_status 2 "record with an unknown option"
run "$BOARDPACK" --db "$DB" import
expect_status 2 "import without a file"
expect_equal "$(store_fingerprint "$DB")" "$before" "usage mistakes leave the store unchanged"

# `check` never creates a store, whatever it is given.
expect_file_absent "$XDG_DATA_HOME/boardpack" "check created no store"

finish
