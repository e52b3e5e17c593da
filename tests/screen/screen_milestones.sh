#!/usr/bin/env bash
# Milestone labels (issue 13): one function words a milestone for the tree,
# the detail pane, the kiosk and the reports, judged at the same month as
# its letter. 1.4.2 is completed in May 2024, after the board's "as at"
# month (Mar 2024): B and "complete" everywhere, not "[B] … on track".
# 1.1.1 is put back on track in Apr 2024, after its due month (Mar 2024):
# R and "on track, past due" everywhere.
. "$(dirname "$0")/kiosk_lib.sh"
seed_store
cat >"$WORK/updates.yaml" <<'YAML'
board: {code: nlmhp-2023-24}
milestone_updates:
  - {deliverable: "1.4.2", period: 2024-05, status: complete, note: "Ward reopened"}
  - {deliverable: "1.1.1", period: 2024-04, status: on_track, note: "Recovery plan agreed"}
YAML
run "$BOARDPACK" --db "$DB" import "$WORK/updates.yaml"
expect_status 0 "the updates import"

# The reports.
run "$BOARDPACK" --db "$DB" report --format text
expect_out_contains "milestone: complete, due Mar 2024" "report: completed after as at"
expect_out_contains "milestone: on track, past due, due Mar 2024" "report: past due"
run "$BOARDPACK" --db "$DB" report --format md
expect_out_contains "| 1.4.2 | We will refurbish Eden Ward" "markdown: 1.4.2's row"
expect_out_contains "| B | milestone: complete, due Mar 2024 |" "markdown: completed after as at"
expect_out_contains "| R | milestone: on track, past due, due Mar 2024 |" "markdown: past due"

# The browser: tree rows and the detail pane.
start 160 40
wait_for "Aim 1:"
keys '*'
wait_line '\[B\] 1\.4\.2 .* complete *│' "tree: completed after as at reads complete"
wait_line '\[R\] 1\.1\.1 .* on track, past due *│' "tree: past due says so"
keys / ; type_text "1.1.1"; keys Enter
wait_for "Deliverable 1.1.1  [R] off track" "detail: 1.1.1"
wait_for "R: due Mar 2024 and not complete (on track)." "detail: the sentence, at the same month"
wait_for "Status     on track, past due" "detail: the same words as the tree"
keys / ; type_text "1.4.2"; keys Enter
wait_for "Deliverable 1.4.2  [B] target met" "detail: 1.4.2"
wait_for "B: complete." "detail: complete, not on track"
wait_for "Status     complete" "detail: the same words as the tree"
wait_for "May 2024  complete: Ward reopened" "detail: the update in the history"
keys q
wait_exit

# The kiosk: aim 1 holds both.
stop_tmux
start 160 40 --kiosk --cycle 600
kiosk_pid
wait_for "Aim 1 of 4"
wait_line '\[B\] 1\.4\.2 .* complete *$' "kiosk: completed after as at reads complete"
wait_line '\[R\] 1\.1\.1 .* on track, past due *$' "kiosk: past due, the tree's words"
kill -TERM "$PID"
wait_exit "SIGTERM ends the kiosk"
finish
