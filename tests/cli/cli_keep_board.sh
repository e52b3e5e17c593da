#!/usr/bin/env bash
# Keeping a board (docs/keeping-a-board.md): export, edit the file, import
# --dry-run (the plan, nothing written), import (the difference, audited),
# the same file again (nothing written, no audit row), `edit` from the
# command line, and bad input refused with a located error, writing nothing.
. "$(dirname "$0")/lib.sh"

seed_store
board=nlmhp-2023-24
run "$BOARDPACK" --db "$DB" export --board "$board"
expect_status 0 "export"
printf '%s\n' "$OUT" >"$WORK/board.yaml"

# 1.1.2's target from 90 to 80, a deliverable 1.1.3 after it, and 1.3.2
# (with its milestone updates) taken out.
sed -e '/code: "1.1.2"/,/target:/ s/target: {value: 90, period: 2024-03}/target: {value: 80, period: 2024-03}/' \
    -e '/^  - code: "1.2"$/i\
    - code: "1.1.3"\
      title: "An example deliverable (not the trust'"'"'s)"\
      metric: {name: "Example count", unit: count, direction: up, target: {value: 10}}' \
    -e '/"1.3.2"/,/milestone:/d' \
    -e '/deliverable: "1.3.2"/d' \
    "$WORK/board.yaml" >"$WORK/changed.yaml"
run "$BOARDPACK" check "$WORK/changed.yaml"
expect_status 0 "the edited file checks"

# The plan, and not a byte written.
before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" import --dry-run "$WORK/changed.yaml"
expect_status 0 "dry run"
expect_out_contains "board $board: 1 deliverable added (1.1.3), 1 metric added (1.1.3), 1 field changed (1.1.2 target)" "dry run: the counts"
expect_out_contains "1 retired" "dry run: the retired count"
expect_out_contains "readings: 0 new, 0 replaced, 696 unchanged" "dry run: readings"
expect_out_contains '~ 1.1.2 target: "90 (2024-03)" -> "80 (2024-03)"' "dry run: the target"
expect_out_contains '+ deliverable 1.1.3 "An example deliverable' "dry run: the addition"
expect_out_contains "- retire 1.3.2" "dry run: the retirement"
expect_equal "$(store_fingerprint "$DB")" "$before" "dry run writes nothing"

# The import applies it: the RAG in the report moves with the target.
rag() { "$BOARDPACK" --db "$DB" report --board "$board" --format csv | awk -F, -v code="$1" '$2 == code { print $4 }'; }
rag_before=$(rag 1.1.2)
audit_before=$(sql "$DB" "SELECT count(*) FROM audit")
run "$BOARDPACK" --db "$DB" import "$WORK/changed.yaml"
expect_status 0 "import of the changed file"
rag_after=$(rag 1.1.2)
[ "$rag_before" != "$rag_after" ] && pass || fail "the RAG of 1.1.2 moves with its target ($rag_before, $rag_after)"
expect_equal "$(sql "$DB" "SELECT count(*) FROM audit WHERE action = 'edit-metric' AND node_code = '1.1.2' AND new_value = 'target: 80 (2024-03)'")" "1" "the target change audited"
expect_equal "$(sql "$DB" "SELECT count(*) FROM audit WHERE action = 'retire-node' AND node_code = '1.3.2'")" "1" "the retirement audited"
expect_equal "$(sql "$DB" "SELECT count(*) FROM nodes WHERE code = '1.3.2' AND retired IS NOT NULL")" "1" "1.3.2 kept, retired"
expect_equal "$(sql "$DB" "SELECT count(*) FROM milestone_updates u JOIN nodes n ON n.id = u.node_id WHERE n.code = '1.3.2'")" \
  "$(grep -c 'deliverable: "1.3.2"' "$WORK/board.yaml")" "1.3.2's history kept"
expect_equal "$(rag 1.3.2)" "" "a retired deliverable is not in the report"
as_of_has() { "$BOARDPACK" --db "$DB" report --board "$board" --format csv --as-of "$2" | grep -c "^deliverable,$1,"; }
expect_equal "$(as_of_has 1.3.2 2024-03)" "1" "a month before its retirement still shows it"
expect_equal "$(as_of_has 1.3.2 2024-04)" "0" "its retirement month does not"

# Again: nothing written, no audit row, the same export.
run "$BOARDPACK" --db "$DB" export --board "$board"
printf '%s\n' "$OUT" >"$WORK/after.yaml"
grep -q 'retired: ' "$WORK/after.yaml" && pass || fail "export writes retired:"
audit_after=$(sql "$DB" "SELECT count(*) FROM audit")
run "$BOARDPACK" --db "$DB" import "$WORK/changed.yaml"
expect_status 0 "the same file again"
expect_equal "$(sql "$DB" "SELECT count(*) FROM audit")" "$audit_after" "the same file again: no audit row"
run "$BOARDPACK" --db "$DB" import "$WORK/after.yaml"
expect_status 0 "the export imported back"
expect_equal "$(sql "$DB" "SELECT count(*) FROM audit")" "$audit_after" "the export imported back: no audit row"
run "$BOARDPACK" --db "$DB" export --board "$board"
printf '%s\n' "$OUT" >"$WORK/again.yaml"
cmp -s "$WORK/after.yaml" "$WORK/again.yaml" && pass || fail "export unchanged by importing it again"

# edit from the command line.
run "$BOARDPACK" --db "$DB" edit 1.1 title "An example title" --board "$board"
expect_status 0 "edit a title"
expect_out_contains '~ 1.1 title:' "edit says what changed"
expect_equal "$(sql "$DB" "SELECT n.title FROM nodes n JOIN boards b ON b.id = n.board_id WHERE b.code = '$board' AND n.code = '1.1'")" \
  "An example title" "the title changed"
expect_equal "$(sql "$DB" "SELECT count(*) FROM audit WHERE action = 'edit-node' AND node_code = '1.1'")" "1" "edit audited"
run "$BOARDPACK" --db "$DB" edit 1.3.3 retire --board "$board"
expect_status 0 "edit: retire"
expect_equal "$(rag 1.3.3)" "" "retired by edit: not in the report"
run "$BOARDPACK" --db "$DB" edit 1.3.3 restore --board "$board"
expect_status 0 "edit: restore"
[ -n "$(rag 1.3.3)" ] && pass || fail "restored: back in the report"

# Bad input: a located error, and nothing written.
before=$(store_fingerprint "$DB")
sed '0,/unit: percent/ s/unit: percent/unit: percentt/' "$WORK/changed.yaml" >"$WORK/bad-unit.yaml"
line=$(grep -n 'unit: percentt' "$WORK/bad-unit.yaml" | head -1 | cut -d: -f1)
run "$BOARDPACK" --db "$DB" import --dry-run "$WORK/bad-unit.yaml"
expect_status 65 "a bad unit: dry run refused"
expect_err_contains "$WORK/bad-unit.yaml:$line:" "a bad unit: located"
expect_err_contains "unknown unit 'percentt'" "a bad unit: the board file's words"
run "$BOARDPACK" --db "$DB" import "$WORK/bad-unit.yaml"
expect_status 65 "a bad unit: refused"
run "$BOARDPACK" --db "$DB" edit 1.1.2 colour red --board "$board"
expect_status 65 "an unknown FIELD"
expect_err_contains "unknown field 'colour'" "an unknown FIELD: says so"
run "$BOARDPACK" --db "$DB" edit 1.1.2 unit percentt --board "$board"
expect_status 65 "edit: a bad unit"
expect_err_equals "edit: error: unknown unit 'percentt'; expected percent, count, number, days or ratio" "edit: a bad unit, in the board file's words"
run "$BOARDPACK" --db "$DB" edit 1.1.2 target 150 --board "$board"
expect_status 65 "edit: a target out of range"
expect_err_contains "a percentage must be between 0 and 100" "edit: out of range, as a board file says"
run "$BOARDPACK" --db "$DB" edit 9.9.9 title "x" --board "$board"
expect_status 65 "edit: an unknown code"
expect_equal "$(store_fingerprint "$DB")" "$before" "bad input writes nothing"

finish
