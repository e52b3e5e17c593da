#!/usr/bin/env bash
# The detail pane says when improvement and concern rules both flag a
# metric's latest point, and which way its conflict rule went (docs/spc.md),
# on the small board of tests/cli/spc_conflict.yaml.
. "$(dirname "$0")/lib.sh"
"$BOARDPACK" --db "$DB" import "$SOURCE_ROOT/tests/cli/spc_conflict.yaml" >/dev/null 2>&1
start 120 40 --board spc-conflict
wait_for "SPC conflicts" "header shows the conflict board"
# The sentence wraps in the pane: its start, and its end on a later line.
sentence="improvement and concern rules both"

keys /
type_text "1.1.2"
keys Enter
wait_cursor_on "1.1.2" "search finds the metric with its own rule"
wait_for "SPC        ↑! concern (high) | ✗ consistently" "its icon is concern"
wait_for "$sentence" "the detail pane says both apply"
wait_for "apply to the latest point; this metric" "the sentence goes on"
wait_for "shows concern" "and says the metric shows concern"

keys /
type_text "1.1.1"
keys Enter
wait_cursor_on "1.1.1" "search finds the metric with the board's rule"
wait_for "SPC        ↓+ improvement (low) | ✗ consistently" "its icon is improvement"
wait_for "shows improvement" "the detail pane says it shows improvement"

keys /
type_text "1.1.3"
keys Enter
wait_cursor_on "1.1.3" "search finds the metric without a conflict"
wait_for "SPC        ~ common cause" "common cause"
wait_gone "$sentence" "no words without a conflict"

keys q
wait_exit "q quits"
expect_equal "$STATUS" "0" "exit status after q"
finish
