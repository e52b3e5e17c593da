#!/usr/bin/env bash
# Keeping a board in the browser (docs/keeping-a-board.md): on a fresh
# `init` store, the 2024/25 board gets its first deliverable and metric in
# a form (A), a reading (a), a changed target (E) that changes the status, a
# second deliverable beside it (S) moved up (K), retired (R, y), a reading
# removed with a reason (d); a bad value in a form gives the board file's
# message and writes nothing; u undoes each, back to the board as `init`
# made it; and a read-only session cannot reach the keys.
. "$(dirname "$0")/lib.sh"
run "$BOARDPACK" --db "$DB" init
[ "$STATUS" -eq 0 ] || fail "init: $ERR"
export_board() { "$BOARDPACK" --db "$DB" export --board nlft-2024-25; }
rag_of() { "$BOARDPACK" --db "$DB" report --board nlft-2024-25 --format csv |
           awk -F, -v code="$1" '$2 == code { print $4 }'; }
audit_rows() { sql "$DB" "SELECT count(*) FROM audit"; }
initial=$(export_board)

start 120 40 --board nlft-2024-25
wait_for "Strategic Objectives for 2024/25" "browser up on the 2024/25 board"
keys '?'
wait_for "Keys (press any key to close)" "help opens"
wait_for "add under the selected node: an objective, a deliverable, a metric (a form)" \
  "help lists A"
keys Escape
wait_gone "Keys (press any key to close)" "help closes"

# A on objective 1.1: a new deliverable, its code suggested.
keys / ; type_text "1.1"; keys Enter
wait_line "^ +. \[-\] 1\.1 We will provide" "1.1 selected"
keys A
wait_for "New deliverable under 1.1" "A opens the new deliverable's form"
wait_line "code +1\.1\.1( |$)" "the next free code is suggested"
type_text "EXAMPLE: a deliverable"; keys Tab
type_text "EXAMPLE: an executive lead"; keys Tab Tab
type_text "EXAMPLE: share of something"; keys Tab
# A bad unit is refused as the field is left, in the board file's words.
type_text "percnt"; keys Tab
wait_for "unknown unit 'percnt'; expected percent, count, number, days or ratio" \
  "a bad unit is refused when its field is left"
keys Up C-u; type_text "percent"; keys Tab
type_text "up"; keys Tab Tab Tab
type_text "80"; keys Tab
type_text "2025-03"; keys Enter
wait_for "Added deliverable 1.1.1. (u undoes)" "the deliverable is added"
wait_for "1.1.1 EXAMPLE: a deliverable" "the tree shows it"
export_board >"$WORK/added.yaml"
grep -q 'code: "1.1.1"' "$WORK/added.yaml" && pass || { OUT=$(cat "$WORK/added.yaml"); fail "export has 1.1.1"; }
grep -q 'unit: percent' "$WORK/added.yaml" && pass || fail "export has the metric's unit"
expect_equal "$(sql "$DB" "SELECT count(*) FROM audit WHERE node_code = '1.1.1' AND
                          action IN ('add-node', 'add-metric')")" "2" \
  "one audit row for the deliverable, one for its metric"

# A reading, then a target that makes it green: the status changes.
keys a C-u; type_text "2024-04 72.5"; keys Enter
wait_for "Recorded 1.1.1 2024-04 = 72.5." "a reading is recorded"
wait_line "\[R\] 1\.1\.1 EXAMPLE" "72.5 against 80 is red"
expect_equal "$(rag_of 1.1.1)" "R" "the report says red"
keys E
wait_for "Edit deliverable 1.1.1" "E opens the edit form"
wait_line "target +80( |$)" "the form shows the target"
# Down to the target (title, lead, objective, heading skipped, name, unit,
# direction, baseline, baseline month, target).
keys Down Down Down Down Down Down Down Down
keys C-u; type_text "150"; keys Tab
wait_for "a percentage must be between 0 and 100" "150% is refused as the field is left"
before=$(store_fingerprint "$DB")
keys Enter
wait_for "a percentage must be between 0 and 100" "saving is refused with the same message"
expect_equal "$(store_fingerprint "$DB")" "$before" "a refused form writes nothing"
keys Escape
wait_for "Nothing changed: the form was cancelled." "Esc cancels the form"
expect_equal "$(store_fingerprint "$DB")" "$before" "a cancelled form writes nothing"
keys E
wait_for "Edit deliverable 1.1.1" "the edit form again"
keys Down Down Down Down Down Down Down Down C-u
type_text "70"; keys Enter
wait_for "Saved 1.1.1: target. (u undoes)" "the target is saved"
wait_line "\[B\] 1\.1\.1 EXAMPLE" "72.5 against 70 is met: blue"
expect_equal "$(rag_of 1.1.1)" "B" "the report says met"
expect_equal "$(sql "$DB" "SELECT new_value FROM audit WHERE action = 'edit-metric'
                          AND node_code = '1.1.1'")" "target: 70 (2025-03)" "audited with its old and new value"

# S: a deliverable beside it, a milestone; K moves it above 1.1.1.
keys S
wait_for "New deliverable under 1.1" "S opens a form at the same level"
wait_line "code +1\.1\.2( |$)" "the next code is 1.1.2"
type_text "EXAMPLE: a milestone"; keys Tab Tab
type_text "2025-03"; keys Enter
wait_for "Added deliverable 1.1.2. (u undoes)" "the second deliverable is added"
keys K
wait_for "Moved 1.1.2 up. (u undoes)" "K moves it up"
first=$(screen_text | grep -oE '1\.1\.[12] EXAMPLE' | head -1)
expect_equal "$first" "1.1.2 EXAMPLE" "1.1.2 now comes first"
keys K
wait_for "'1.1.2' is already the first of its siblings" "K at the top says so"

# R: retire it, after a y.
keys R
wait_for "Retire or restore" "R opens the list"
keys Enter
wait_for "Retire 1.1.2? y: yes, any other key: no" "the retirement asks first"
keys y
wait_for "Retired 1.1.2. (u undoes)" "1.1.2 is retired"
wait_gone "1.1.2 EXAMPLE" "the tree leaves it out"
export_board | grep -q "retired: " && pass || fail "export keeps it, retired"

# d: the reading removed, with a reason.
keys / ; type_text "1.1.1"; keys Enter
keys d
wait_for "Remove (Enter picks; a reason is asked next)" "d opens the picker"
keys Enter
wait_for "Why remove the reading for 1.1.1, Apr 2024 (72.5)?" "the reason is asked"
type_text "typed against the wrong metric"; keys Enter
wait_for "Removed the reading for 1.1.1, Apr 2024 (72.5)." "the reading is removed"

# u undoes each, newest first.
keys u
wait_for "Undid the removal of the reading for 1.1.1, Apr 2024 (72.5)." "undo the removal"
expect_equal "$(rag_of 1.1.1)" "B" "the reading is back"
keys u
wait_for "Undid the edit 1.1.2 retire." "undo the retirement"
wait_for "1.1.2 EXAMPLE" "1.1.2 is back in the tree"
keys u
wait_for "Undid the edit 1.1.2 position up." "undo the move"
first=$(screen_text | grep -oE '1\.1\.[12] EXAMPLE' | head -1)
expect_equal "$first" "1.1.1 EXAMPLE" "1.1.1 first again"
keys u
wait_for "Undid the edit 1.1.2 add 1.1" "undo the second deliverable"
wait_gone "1.1.2 EXAMPLE" "1.1.2 is gone"
keys u
wait_for "Undid the edit 1.1.1 target 70." "undo the target"
wait_line "\[R\] 1\.1\.1 EXAMPLE" "red again"
expect_equal "$(rag_of 1.1.1)" "R" "the report says red again"
keys u
wait_for "Undid the reading for 1.1.1" "undo the reading"
keys u
wait_for "Undid the edit 1.1.1 add 1.1" "undo the first deliverable"
wait_gone "1.1.1 EXAMPLE" "1.1.1 is gone"
expect_equal "$(export_board)" "$initial" "the board exports as init made it"
keys q
wait_exit
stop_tmux

# Read-only: the keys are refused at the one gate; nothing is written.
before=$(store_fingerprint "$DB")
rows=$(audit_rows)
start 120 40 --board nlft-2024-25 --read-only
wait_for "READ-ONLY" "read-only browser up"
for key in E A S K J R; do
  keys "$key"
done
wait_for "Read-only: " "the form keys are refused when read-only"
if screen_has "Edit " || screen_has "New deliverable" || screen_has "Retire or restore"; then
  OUT=$(screen_text); fail "no form or list when read-only"
else pass; fi
keys q
wait_exit
expect_equal "$(store_fingerprint "$DB")" "$before" "a read-only session changes nothing"
expect_equal "$(audit_rows)" "$rows" "no audit row from a read-only session"
finish
