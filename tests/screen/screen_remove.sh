#!/usr/bin/env bash
# Removing in the browser (d): a reading, a segment's reading, a comment and
# a milestone update, each with a reason; Esc at the reason writes nothing,
# an empty reason is refused, u and Ctrl-R undo and redo a removal, the
# change history shows it with its reason, and a read-only session cannot
# reach the key.
. "$(dirname "$0")/lib.sh"
seed_store
reading() { sql "$DB" "SELECT $(sql_g r.value) FROM readings r JOIN metrics m ON m.id = r.metric_id
                       WHERE m.code = '$1' AND r.period = '$2' AND r.segment = '${3:-}'"; }
comments() { sql "$DB" "SELECT count(*) FROM commentary c JOIN nodes n ON n.id = c.node_id
                        WHERE n.code = '$1'"; }
updates() { sql "$DB" "SELECT count(*) FROM milestone_updates u JOIN nodes n ON n.id = u.node_id
                       WHERE n.code = '$1'"; }
audit_rows() { sql "$DB" "SELECT count(*) FROM audit"; }

start 140 40
wait_for "[A] 1.1 We will" "browser up"
# ? lists the request (help is made from the request table).
keys '?'
wait_for "Keys (press any key to close)" "help opens"
wait_for "remove a reading, a segment's reading, a comment or a milestone update (asks why)" \
  "help lists d"
keys Escape
wait_gone "Keys (press any key to close)" "help closes"
keys / ; type_text "2.2.2"; keys Enter
wait_for "Deliverable 2.2.2" "2.2.2 selected"
wait_for "Latest     57.9% for Mar 2024" "the detail shows March's reading"

# The picker: readings newest first, the whole series before its segments.
keys d
wait_for "Remove (Enter picks; a reason is asked next)" "d opens the picker"
wait_line "^ .* 2024-03 57\.9 " "the whole series' March reading is offered"
wait_for "2024-03 Barnet 60.1" "a segment's March reading is offered"
first=$(screen_text | grep -oE '2024-0[0-9] [A-Za-z]* ?[0-9.]+' | head -1)
expect_equal "$first" "2024-03 57.9" "the newest reading comes first"

# Esc at the reason writes nothing.
keys Enter
wait_for "Why remove the reading for 2.2.2, Mar 2024 (57.9)?" "the reason is asked for"
before=$(store_fingerprint "$DB")
keys Escape
wait_for "Nothing removed." "Esc cancels"
expect_equal "$(store_fingerprint "$DB")" "$before" "Esc at the reason writes nothing"
expect_equal "$(reading 2.2.2 2024-03)" "57.9" "the reading is still there"

# An empty reason is refused in the command layer's words; the field stays.
keys d Enter
wait_for "Why remove the reading for 2.2.2, Mar 2024 (57.9)?" "the reason again"
keys Enter
wait_for "Removing a reading needs a reason." "an empty reason is refused"
expect_equal "$(reading 2.2.2 2024-03)" "57.9" "nothing removed without a reason"
type_text "typed against the wrong month"; keys Enter
wait_for "Removed the reading for 2.2.2, Mar 2024 (57.9). (u undoes)" "the reading is removed"
expect_equal "$(reading 2.2.2 2024-03)" "" "the reading is gone from the store"
wait_for "Latest     58% for Feb 2024" "the detail falls back to February"

# u brings it back, Ctrl-R removes it again.
keys u
wait_for "Undid the removal of the reading for 2.2.2, Mar 2024 (57.9)." "u undoes the removal"
wait_for "Latest     57.9% for Mar 2024" "the detail shows March again"
expect_equal "$(reading 2.2.2 2024-03)" "57.9" "undo puts the reading back"
keys C-r
wait_for "Redid the removal of the reading for 2.2.2, Mar 2024 (57.9)." "Ctrl-R redoes it"
wait_for "Latest     58% for Feb 2024" "the detail falls back to February again"
expect_equal "$(reading 2.2.2 2024-03)" "" "redo removes it again"

# A segment's reading: now the newest in the picker.
keys d
wait_for "Remove (Enter picks; a reason is asked next)" "the picker again"
keys Enter
wait_for "Why remove the reading for 2.2.2 Barnet, Mar 2024 (60.1)?" "Barnet's reading picked"
type_text "Barnet's figure was Camden's"; keys Enter
wait_for "Removed the reading for 2.2.2 Barnet, Mar 2024 (60.1). (u undoes)" \
  "the segment's reading is removed"
expect_equal "$(reading 2.2.2 2024-03 Barnet)" "" "Barnet's March reading is gone"
expect_equal "$(reading 2.2.2 2024-03 Camden)" "56" "the other segments stay"

# A comment added here, then removed (the newest comment: the last row).
comments_before=$(comments 2.2.2)
keys c; type_text "Meant for 2.2.1"; keys Enter
wait_for "Comment added to 2.2.2." "a comment is added"
keys d
wait_for "Remove (Enter picks; a reason is asked next)" "the picker with the comment"
keys G
wait_line "comment 2024-03: Meant for 2\.2\.1" "the comment is offered, after the readings"
keys Enter
wait_for "Why remove the comment on 2.2.2 for Mar 2024?" "the comment picked"
type_text "on the wrong deliverable"; keys Enter
wait_for "Removed the commentary on 2.2.2 for Mar 2024. (u undoes)" "the comment is removed"
expect_equal "$(comments 2.2.2)" "$comments_before" "the comment is gone from the store"

# The change history shows the removals with their reasons.
keys H
wait_for "Change history (newest first)" "the change history"
wait_line "remove-comment 2\.2\.2: Meant for 2\.2\.1, removed: on the wrong deliverable" \
  "the history shows the comment's removal and its reason"
wait_line "delete-reading 2\.2\.2: 2024-03=57\.9, removed: typed against the wrong month" \
  "the history shows the reading's removal and its reason"
keys Escape
wait_gone "Change history (newest first)" "the history closes"

# A milestone update.
keys / ; type_text "1.1.1"; keys Enter
wait_for "Deliverable 1.1.1" "milestone 1.1.1 selected"
updates_before=$(updates 1.1.1)
keys d
wait_line "milestone [0-9-]+ " "the milestone's updates are offered"
keys Enter
wait_line "Why remove 1\.1\.1's update " "a milestone update picked"
type_text "entered twice"; keys Enter
wait_line "Removed 1\.1\.1's status .*\(u undoes\)" "the milestone update is removed"
expect_equal "$(updates 1.1.1)" "$((updates_before - 1))" "the update is gone from the store"
keys u
wait_line "Undid the removal of 1\.1\.1's status" "u puts it back"
expect_equal "$(updates 1.1.1)" "$updates_before" "undo puts the update back"

keys q
wait_exit
expect_equal "$STATUS" "0" "the browser exits cleanly"
stop_tmux

# A removal in a published month is a correction: the same reason serves.
run "$BOARDPACK" --db "$DB" month publish 2024-03
expect_status 0 "publishing March"
start 140 40
wait_for "[A] 1.1 We will" "browser up after March is published"
keys / ; type_text "2.2.2"; keys Enter
wait_for "Deliverable 2.2.2" "2.2.2 selected once more"
keys d
wait_for "Remove (Enter picks; a reason is asked next)" "the picker on a published month"
keys Enter
wait_for "Mar 2024 is published, so this is a correction" "the prompt says it is a correction"
type_text "Camden's figure was a duplicate"; keys Enter
wait_for "Removed the reading for 2.2.2 Camden, Mar 2024 (56). A correction to a published month. (u undoes)" \
  "the correction is written with its reason"
expect_equal "$(reading 2.2.2 2024-03 Camden)" "" "Camden's March reading is gone"
expect_equal "$(sql "$DB" "SELECT what || ' ' || old_value || ' / ' || reason FROM revisions")" \
  "delete-reading 2024-03 Camden=56 / Camden's figure was a duplicate" \
  "the correction is kept as a revision with its reason"
keys q
wait_exit
stop_tmux

# Read-only: the key is refused at the one gate and nothing is written.
before=$(store_fingerprint "$DB")
rows=$(audit_rows)
start 140 40 --read-only
wait_for "READ-ONLY" "read-only browser up"
keys / ; type_text "2.2.2"; keys Enter
wait_for "Deliverable 2.2.2" "2.2.2 selected read-only"
keys d
wait_for "Read-only: remove a reading" "d refused when read-only"
if screen_has "Remove (Enter picks"; then OUT=$(screen_text); fail "no picker when read-only"
else pass; fi
keys q
wait_exit
expect_equal "$(store_fingerprint "$DB")" "$before" "a read-only session changes nothing"
expect_equal "$(audit_rows)" "$rows" "no audit row from a read-only session"
finish
