#!/usr/bin/env bash
# Inline editing: commit, cancel, refused values, adding a month, undo and
# redo, segments, milestones, commentary, the audit view; every write
# audited, a refused value leaving the store byte-for-byte unchanged.
. "$(dirname "$0")/lib.sh"
seed_store
me=$(id -un)
audit_count() { sql "$DB" "SELECT count(*) FROM audit"; }
latest() { # latest METRIC PERIOD [SEGMENT]
  sql "$DB" "SELECT $(sql_g r.value) FROM readings r JOIN metrics m ON m.id = r.metric_id
             WHERE m.code = '$1' AND r.period = '$2' AND r.segment = '${3:-}'"
}
start 120 40
wait_for "[A] 1.1 We will" "browser up"
keys / ; type_text "1.1.2"; keys Enter
wait_for "Deliverable 1.1.2" "1.1.2 selected"

# Edit in place: the field holds the current value.
keys e
wait_for "Mar 2024: 85.6" "e opens the field on the row with the current value"
before=$(store_fingerprint "$DB")
audits=$(audit_count)
# A refused value leaves the field open with a message; nothing is written.
keys C-u; type_text "abc"; keys Enter
wait_for "'abc' is not a number" "a non-number is refused"
wait_for "Mar 2024: abc" "the field stays open with what was typed"
keys C-u; type_text "101"; keys Enter
wait_for "A percentage must be between 0 and 100; 101 was refused." "out of range refused"
expect_equal "$(store_fingerprint "$DB")" "$before" "a refused value writes nothing"
expect_equal "$(audit_count)" "$audits" "no audit row for a refused value"
# Esc cancels and restores.
keys Escape
wait_line '1\.1\.2 .* 85\.6% → 90%' "Esc restores the row"
expect_equal "$(store_fingerprint "$DB")" "$before" "cancel writes nothing"
# Cursor keys, Backspace, Home/End inside the field: 85.6 -> 91.6 -> 91.5
keys e
wait_for "Mar 2024: 85.6" "field again"
keys Home Delete Delete; type_text "91"; keys End BSpace; type_text "5"; keys Enter
wait_line '\[B\] 1\.1\.2 .* 91\.5% → 90%' "Enter commits; status follows at once (B)"
wait_for "Recorded 1.1.2 2024-03 = 91.5 (was 85.6)." "commit message"
expect_equal "$(latest 1.1.2 2024-03)" "91.5" "value stored"
expect_equal "$(sql "$DB" "SELECT who || '|' || action || '|' || node_code || '|' || old_value || '|' || new_value FROM audit ORDER BY id DESC LIMIT 1")" \
  "$me|replace-reading|1.1.2|2024-03=85.6|2024-03=91.5" "audit row: who, action, node, old, new"
if sql "$DB" "SELECT at FROM audit ORDER BY id DESC LIMIT 1" | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'; then pass; else fail "audit row has a time"; fi

# Undo and redo are audited writes too.
keys u
wait_line '\[A\] 1\.1\.2 .* 85\.6% → 90%' "u undoes"
expect_equal "$(latest 1.1.2 2024-03)" "85.6" "undo restored the value"
expect_equal "$(sql "$DB" "SELECT action FROM audit ORDER BY id DESC LIMIT 1")" "undo-reading" "undo audited"
keys C-r
wait_line '\[B\] 1\.1\.2 .* 91\.5% → 90%' "Ctrl-R redoes"
expect_equal "$(sql "$DB" "SELECT action FROM audit ORDER BY id DESC LIMIT 1")" "redo-reading" "redo audited"

# Add a reading for the next month (the default), the monthly update.
keys a
wait_for "new (YYYY-MM value): 2024-04" "a proposes the month after the latest"
type_text "88"; keys Enter
wait_for "Recorded 1.1.2 2024-04 = 88." "added for 2024-04"
wait_for "as at Apr 2024" "the board moves on to the new month"
expect_equal "$(latest 1.1.2 2024-04)" "88" "new month stored"
# A future month is refused.
keys a
wait_for "new (YYYY-MM value):" "add again"
keys C-u; type_text "2099-01 50"; keys Enter
wait_for "2099-01 is in the future" "future month refused"
keys Escape

# A segment reading from the breakdown (2.1.2 by borough).
keys / ; type_text "2.1.2"; keys Enter
wait_for "Deliverable 2.1.2" "2.1.2 selected"
keys s
wait_for "Segment" "segment picker"
wait_for "Camden" "boroughs listed"
keys j Enter
wait_for "Camden YYYY-MM value: 2023-11 67.7" "segment field holds its latest reading"
keys C-u; type_text "2023-12 69.1"; keys Enter
wait_for "Recorded 2.1.2 2023-12 Camden = 69.1." "segment reading recorded"
expect_equal "$(latest 2.1.2 2023-12 Camden)" "69.1" "segment stored"

# A milestone's status from the picker.
keys / ; type_text "1.1.1"; keys Enter
wait_for "Deliverable 1.1.1" "milestone selected"
keys m
wait_for "Milestone status" "milestone picker"
keys G Enter
wait_for "Milestone 1.1.1 set to complete." "milestone set"
wait_line '\[B\] 1\.1\.1 .* complete' "badge follows"
expect_equal "$(sql "$DB" "SELECT action FROM audit ORDER BY id DESC LIMIT 1")" "set-milestone" "milestone audited"

# Commentary with wide characters and more text than the field shows.
keys c
wait_for "Comment on 1.1.1:" "comment field"
type_text "Opened 12 beds — £1.2m; 日本語 ok. This note is long enough to scroll inside the field well past its width on the screen"
keys Enter
wait_for "Comment added to 1.1.1." "comment saved"
keys Tab
wait_for "Commentary" "commentary in the detail pane"
wait_for "Opened 12 beds — £1.2m; 日本語 ok." "wide characters kept"
keys Tab
expect_equal "$(sql "$DB" "SELECT text FROM commentary ORDER BY id DESC LIMIT 1")" \
  "Opened 12 beds — £1.2m; 日本語 ok. This note is long enough to scroll inside the field well past its width on the screen" "comment stored whole"
keys c; type_text $'bad\t'
wait_for "Control characters (such as Tab) cannot be typed here." "control characters refused in notes"
keys Escape
# A comment one character over the limit (docs/board-file.md) reaches the
# command layer, is refused in its sentence and stays in the field; the
# field holds no more than that, and says so.
comments_before=$(sql "$DB" "SELECT count(*) FROM commentary")
keys c; type_text "$(printf 'é%.0s' $(seq 4001))"
keys Enter
wait_for "The text is 4001 characters long; a note or comment may have at most 4000." "an overlong comment refused"
type_text "x"
wait_for "The field is full; a comment may have at most 4000 characters." "a full field says so"
keys BSpace BSpace Enter
wait_for "Comment added to 1.1.1." "a comment of 4000 characters saved"
expect_equal "$(sql "$DB" "SELECT count(*) - $comments_before FROM commentary")" "1" "only the comment that fits is stored"
expect_equal "$(sql "$DB" "SELECT length(text) FROM commentary ORDER BY id DESC LIMIT 1")" "3999" "the comment as cut"

# The audit view for a node.
keys H
wait_for "Change history (newest first)" "audit view"
wait_for "$me add-comment 1.1.1" "comment in history"
wait_for "set-milestone 1.1.1" "milestone in history"
# As wide as the terminal allows, so the new value is not cut at 72 columns.
wait_for "日本語 ok. This note is long enough" "history shows long values where there is room"
keys q
wait_gone "Change history" "closes"

# Another process's write appears within the poll (well under 2 s).
keys / ; type_text "3.3.1"; keys Enter
wait_for "Deliverable 3.3.1" "3.3.1 selected"
"$BOARDPACK" --db "$DB" record 3.3.1 37.7 --period 2024-03 >/dev/null
wait_line '3\.3\.1 .* 37\.7% → 38%' "a record from another process shows up"

keys q
wait_exit
expect_equal "$STATUS" "0" "quit"

# Read-only: the editing keys do nothing and say why; nothing is written.
before=$(store_fingerprint "$DB")
stop_tmux
start 120 40 --read-only
wait_line "READ-ONLY *$" "READ-ONLY badge"
keys j j j e
wait_for "Read-only: edit the latest value in place" "e explains it is off"
keys a u m c C-r
keys '?'
wait_for "(not available in this mode)" "help marks editing keys as unavailable"
keys x q
wait_exit
expect_equal "$(store_fingerprint "$DB")" "$before" "read-only browsing writes nothing"
finish
