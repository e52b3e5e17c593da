#!/bin/bash
# cli_month.sh — reporting months on the command line (docs/months.md):
# writes default to the open month and never to the calendar; `month` lists
# what is still missing by lead; `month publish` freezes the month, so its
# report reads the same, byte for byte, after later drafts and corrections
# (apart from the line that says it was revised); a correction needs a
# reason; `report --draft`, --changed and the CSV's month columns.
. "$SOURCE_ROOT/tests/cli/lib.sh"

seed_store

# No month is open: a reading with no --period is refused, nothing written.
before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" record 1.1.2 90
expect_status 65 "record with no month open"
expect_err_contains "No month is open on board 'nlmhp-2023-24'" "record with no month open: says so"
expect_equal "$(store_fingerprint "$DB")" "$before" "record with no month open writes nothing"

run "$BOARDPACK" --db "$DB" month
expect_status 0 "month with none open"
expect_out_contains "No month is open" "month says none is open"
expect_out_contains "Nothing is published yet." "month says nothing is published"

# Usage and bad months.
run "$BOARDPACK" --db "$DB" month open
expect_status 2 "month open with no month"
run "$BOARDPACK" --db "$DB" month close 2024-04
expect_status 2 "month close is no action"
run "$BOARDPACK" --db "$DB" month open 2024-04 2024-05
expect_status 2 "month open with two months"
run "$BOARDPACK" --db "$DB" month open 2024-4
expect_status 65 "month open with a malformed month"
expect_equal "$(store_fingerprint "$DB")" "$before" "refused month commands write nothing"

# A missing store: exit 66, nothing created.
for action in "" "open 2024-04" "publish 2024-04"; do
  # shellcheck disable=SC2086
  run "$BOARDPACK" --db "$WORK/missing.db" month $action
  expect_status 66 "month $action on a missing store"
  expect_file_absent "$WORK/missing.db" "month $action on a missing store creates nothing"
done

# Open April: readings land there.
run "$BOARDPACK" --db "$DB" month open 2024-04
expect_status 0 "month open"
expect_equal "$OUT" "Opened Apr 2024 on board nlmhp-2023-24; readings, milestone updates and commentary now default to it." \
  "month open says what it did"

run "$BOARDPACK" --db "$DB" month
expect_out_contains "Open month: Apr 2024" "month names the open month"
expect_out_contains "Apr 2024: 0 of 34 updated" "the progress line"
expect_out_contains "Still missing for Apr 2024, by lead (34 deliverables):" "what is missing, counted"
expect_out_contains "  No lead (34)" "the bundled board's deliverables have no lead"
expect_out_contains "    1.1.2 needs reading 1.1.2" "a measured deliverable needs its reading"
expect_out_contains "    1.1.1 needs milestone update" "a milestone needs its update"
missing_before=$(printf '%s\n' "$OUT" | grep -c '^    .* needs reading')

run "$BOARDPACK" --db "$DB" record 1.1.2 90
expect_status 0 "record in the open month"
expect_out_contains "Recorded 1.1.2 2024-04 = 90." "the reading lands in the open month"
expect_equal "$(sql "$DB" "SELECT r.period FROM readings r JOIN metrics m ON m.id = r.metric_id WHERE m.code = '1.1.2' AND r.value = 90 AND r.sample = 0")" \
  "2024-04" "the store has it in Apr 2024"

run "$BOARDPACK" --db "$DB" month
expect_out_contains "Apr 2024: 1 of 34 updated" "the progress line counts the reading"
if printf '%s\n' "$OUT" | grep -q '^    1\.1\.2 needs reading'; then
  fail "1.1.2 still listed as needing a reading"
else
  pass
fi
missing_after=$(printf '%s\n' "$OUT" | grep -c '^    .* needs reading')
expect_equal "$missing_after" "$((missing_before - 1))" "one reading fewer is missing"

# A leads board: grouped by lead, no lead last.
cat >"$WORK/led.yaml" <<'YAML'
board:
  code: led
  title: "A led board"
aims:
  - code: "1"
    title: "Aim"
    objectives:
      - code: "1.1"
        title: "Objective"
        lead: "Chief Operating Officer"
        deliverables:
          - code: "1.1.1"
            title: "Measured"
            lead: "Chief Nurse"
            metric: {name: "Share", unit: percent, direction: up,
                     target: {value: 90, period: 2024-03}}
          - code: "1.1.2"
            title: "Inherits the objective's lead"
            metric: {name: "Count", unit: count, direction: up,
                     target: {value: 10, period: 2024-03}}
      - code: "1.2"
        title: "Nobody's"
        deliverables:
          - code: "1.2.1"
            title: "Orphan"
            milestone: {due: 2024-06}
readings:
  - {metric: "1.1.1", period: 2024-03, value: 91}
YAML
run "$BOARDPACK" --db "$DB" import "$WORK/led.yaml"
expect_status 0 "import the led board"
run "$BOARDPACK" --db "$DB" month open 2024-04 --board led
expect_status 0 "open a month on the led board"
run "$BOARDPACK" --db "$DB" month --board led
expect_equal "$(printf '%s\n' "$OUT" | sed -n '/^Still missing/,$p')" "Still missing for Apr 2024, by lead (3 deliverables):
  Chief Nurse (1)
    1.1.1 needs reading 1.1.1 — Measured
  Chief Operating Officer (1)
    1.1.2 needs reading 1.1.2 — Inherits the objective's lead
  No lead (1)
    1.2.1 needs milestone update — Orphan" "missing by lead, no lead last"

# Publish April.
run "$BOARDPACK" --db "$DB" month publish 2024-04
expect_status 0 "month publish"
expect_out_contains "Published Apr 2024 on board nlmhp-2023-24: 1 of 34 deliverables updated; the board is " \
  "month publish says what it published"
expect_out_contains "The next month is not open yet: boardpack month open 2024-05." "and what comes next"
run "$BOARDPACK" --db "$DB" month publish 2024-04
expect_status 65 "publishing a month twice"
expect_err_equals "Apr 2024 is already published on board 'nlmhp-2023-24'." "publishing twice: the command layer's sentence"
run "$BOARDPACK" --db "$DB" month
expect_out_contains "Last published: Apr 2024, published " "month names the last published month"
expect_out_contains "  Apr 2024  published " "month lists the published months"

run "$BOARDPACK" --db "$DB" report
expect_status 0 "the default report"
published=$OUT
expect_out_contains "PUBLISHED — Published " "the default report shows the published month"
run "$BOARDPACK" --db "$DB" report --as-of 2024-04
expect_equal "$OUT" "$published" "report equals report --as-of the published month"
run "$BOARDPACK" --db "$DB" report --format csv
published_csv=$OUT

# A later draft and a correction.
run "$BOARDPACK" --db "$DB" month open 2024-05
expect_status 0 "open May"
run "$BOARDPACK" --db "$DB" record 1.2.1 50
expect_status 0 "a May reading"
expect_out_contains "No reading for 1.2.1 in Apr 2024; a chart shows the gap." "record says when it leaves a gap"

before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" record 1.1.2 80 --period 2024-04
expect_status 65 "a correction without a reason"
expect_err_equals "Apr 2024 has been published (the board is published up to Apr 2024); a correction to it needs a reason. Give one with --reason TEXT." \
  "a correction without a reason: the sentence and the hint"
expect_equal "$(store_fingerprint "$DB")" "$before" "a correction without a reason changes nothing"
run "$BOARDPACK" --db "$DB" record 1.1.2 abc --period 2024-04
expect_status 65 "a bad value for a published month"
expect_err_equals "'abc' is not a number." "a bad value for a published month: no --reason hint"
run "$BOARDPACK" --db "$DB" record 1.1.2 80 --period 2024-04 --reason ""
expect_status 65 "a correction with an empty reason"
expect_err_contains "needs a reason. Give one with --reason TEXT." "an empty reason is no reason"
expect_equal "$(store_fingerprint "$DB")" "$before" "refused corrections change nothing"

run "$BOARDPACK" --db "$DB" record 1.1.2 80 --period 2024-04 --reason "Typed from the wrong sheet"
expect_status 0 "a correction with a reason"
expect_out_contains "Recorded 1.1.2 2024-04 = 80 (was 90)." "the correction is recorded"

run "$BOARDPACK" --db "$DB" report
expect_status 0 "the published report after a draft and a correction"
printf '%s\n' "$published" >"$WORK/published.txt"
printf '%s\n' "$OUT" >"$WORK/again.txt"
expect_equal "$(diff "$WORK/published.txt" "$WORK/again.txt" | grep '^[<>]')" \
  "< PUBLISHED — Published $(date -u +%Y-%m-%d) by $(id -un).
> PUBLISHED, REVISED — Published $(date -u +%Y-%m-%d) by $(id -un); revised after publication (1 correction)." \
  "the published report differs only in the revised mark"
run "$BOARDPACK" --db "$DB" report --format csv
expect_equal "$OUT" "$published_csv" "the published CSV is byte for byte the same"
run "$BOARDPACK" --db "$DB" month
expect_out_contains "  Apr 2024  published " "month still lists April"
expect_out_contains "; revised after publication (1 correction)" "month marks April revised"

# The draft.
run "$BOARDPACK" --db "$DB" report --draft
expect_status 0 "report --draft"
expect_out_contains "PROVISIONAL — May 2024: 1 of 34 updated" "the draft is provisional, with its progress"
expect_out_contains "awaiting May 2024 (last month " "awaiting metrics say so"
expect_out_contains "↓ was B" "movement since April"
run "$BOARDPACK" --db "$DB" report --draft --as-of 2024-05
expect_status 2 "--draft and --as-of together"

run "$BOARDPACK" --db "$DB" report --draft --format csv
expect_status 0 "report --draft --format csv"
header=$(printf '%s\n' "$OUT" | head -1 | tr -d '\r')
expect_equal "$header" "level,code,title,rag,value,target,period,variation,assurance,stale,sample,lead,previous_rag,movement,awaiting" \
  "csv: the month's columns after the nine, stale, sample and lead"
row=$(printf '%s\n' "$OUT" | tr -d '\r' | python3 -c '
import csv, sys
for r in csv.DictReader(sys.stdin):
    if r["code"] == "1.1.2":
        print(r["rag"], r["previous_rag"], r["movement"], r["awaiting"] or "-")')
expect_equal "$row" "R B down yes" "csv: 1.1.2 was B, is R, awaits May"

# --changed: only rows that moved, with their ancestors.
run "$BOARDPACK" --db "$DB" report --draft --changed --format csv
expect_status 0 "report --changed"
moved=$(printf '%s\n' "$OUT" | tr -d '\r' | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
bad = [r["code"] for r in rows if r["level"] == "deliverable" and r["movement"] not in ("up", "down", "new")]
print(len(rows), "unmoved deliverables:", " ".join(bad) or "none")')
expect_equal "${moved#* }" "unmoved deliverables: none" "--changed shows only deliverables that moved"
all=$("$BOARDPACK" --db "$DB" report --draft --format csv | wc -l)
[ "${moved%% *}" -gt 0 ] && [ "${moved%% *}" -lt "$all" ] && pass ||
  fail "--changed shows some rows, not all: ${moved%% *} of $all"
run "$BOARDPACK" --db "$DB" report --draft --changed
expect_out_contains "[R] 1 " "--changed keeps the ancestors for context"
expect_out_contains "1.1.2 " "--changed shows 1.1.2, which moved"
run "$BOARDPACK" --db "$DB" report --changed
expect_status 0 "report --changed on the first published month"
expect_out_contains "No month is published before this one: there is no movement to show." \
  "--changed with nothing before says so"

finish
