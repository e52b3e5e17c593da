#!/usr/bin/env bash
# The browser on the bundled 2023/24 board: layout, tree rows, navigation,
# search, filter, help and quitting, driven by keys in a 120x40 tmux pane.
. "$(dirname "$0")/lib.sh"
seed_store
start 120 40

# Layout: header, tree, detail pane, summary and hints.
wait_for "Year One Breakthrough Objectives for 2023/24" "header shows the board title"
wait_for "as at Mar 2024" "header shows the as-at month"
wait_for "SAMPLE DATA" "header flags sample readings"
wait_line "EDIT *$" "mode badge at the right of the header"
wait_for "Aim 1: R 3 A 5 G 2 B 1" "summary counts for the selected aim"
wait_for "?:help" "hint line"
# It opens with the aims expanded to their objectives.
wait_line '▾ \[R\] 1 We provide' "aims open"
wait_line '▸ \[A\] 1\.1 We will provide' "objectives shown, closed"
wait_gone "1.1.1 We will reduce" "deliverables hidden at first"
keys '*'
wait_for "1.1.1 We will reduce" "* opens everything"
# Rows: badge letter, code, title cut with an ellipsis, value against target.
wait_line '\[A\] 1\.1\.2 We will improve the percentage of .*… 85\.6% → 90% ↓' \
  "measured row shows latest value against target with trend"
wait_line '\[B\] 1\.4\.1 .* complete' "milestone row shows its status"
wait_line '▾ \[R\] 1 We provide consistently.*R3 A5 G2 B1' "aim row shows roll-up counts"
wait_cursor_on "[R] 1 We provide" "the cursor starts on the first aim"

# Moving: j/k and arrows, the detail pane follows.
keys j j j
wait_cursor_on "1.1.2" "j moves down"
wait_for "Metric: " "detail pane shows the metric"
wait_for "Target     90% by Mar 2024" "detail shows the target"
wait_line "A: 85.6% is 4.4 points below the 90% expected for" "detail explains the status"
wait_for "Recent     Oct 88.3%" "detail shows recent readings"
wait_for "SPC        " "detail shows the SPC icons"
keys Up
wait_cursor_on "1.1.1" "Up moves up"
# Left goes to the parent, Right returns to the child we came from.
keys Left
wait_cursor_on "[A] 1.1 We will provide" "Left goes to the parent"
keys Left
wait_line '▸ \[A\] 1\.1 We will' "Left again collapses"
wait_gone "1.1.1 We will reduce" "collapsed children are hidden"
keys Right
wait_for "1.1.1 We will reduce" "Right expands"
keys Right
wait_cursor_on "1.1.1" "Right on an open node returns to the child we came from"
keys G
wait_cursor_on "4." "G goes to the last row"
keys g
wait_cursor_on "[R] 1 We provide" "g goes to the first row"

# + - * and paging.
keys g
keys -
wait_line '▸ \[R\] 1 We provide' "- collapses the selected aim"
wait_gone "[A] 1.1 We will" "its objectives are hidden"
keys +
wait_for "[A] 1.1 We will" "+ expands it"
keys '*'
wait_gone "[A] 1.1 We will" "* on a fully open tree collapses to the aims"
wait_line '▸ \[R\] 4 ' "all four aims remain"
keys '*'
wait_for "[A] 3.2.3a" "* again expands everything, down to the metrics of 3.2.3"
keys End
wait_cursor_on "4." "End goes to the last row"
keys Home
wait_cursor_on "[R] 1 We provide" "Home goes to the first row"
keys PageDown
wait_cursor_on "3." "PgDn moves a page (36 rows) down"
keys PageUp
wait_cursor_on "[R] 1 We provide" "PgUp moves back"

# Search: incremental, Enter keeps, n/N move between matches.
keys /
wait_line '^/' "search prompt"
type_text "dialog"
wait_for "Deliverable 1.2.1" "incremental search finds Dialog+"
keys Enter
wait_gone "/dialog" "Enter closes the prompt"
keys /
type_text "staff"
keys Enter
first=$(cursor_line)
keys n
sleep 0.01
wait_line "." "screen still up"
second=$(cursor_line)
if [ "$first" != "$second" ]; then pass; else fail "n moves to another match ($first)"; fi
keys N
wait_cursor_on "$(printf '%s' "$first" | grep -oE '[0-9]+(\.[0-9]+)* ' | head -1)" "N returns"
keys /
type_text "no such words"
wait_for 'No match for "no such words"' "a search with no match says so"
keys Escape
wait_gone "/no such words" "Esc closes the search"

# Filter: R only keeps the ancestors of red deliverables.
keys f
wait_for "filter: R only" "filter R only"
wait_gone "[G] 2.1.1" "green rows hidden by the R filter"
wait_for "[R] 1.2.2" "red rows kept"
keys f
wait_for "filter: R and A" "filter R and A"
wait_for "[A] 1.1.2" "amber rows shown under R and A"
keys f
wait_for "[G] 2.1.1" "filter back to all"

# Help is generated from the request table.
keys '?'
wait_for "Keys (press any key to close)" "help opens"
wait_for "search codes and titles" "help lists search"
wait_for "edit the latest value in place" "help lists editing in edit mode"
keys x
wait_gone "Keys (press any key to close)" "any key closes help"

# Tab moves focus to the detail pane and back.
keys g j j j Tab
wait_for "Trend" "detail pane shows the sparkline row"
keys Tab
# A measured row with a baseline: physical health checks, 58.5% to 75%.
keys /
type_text "2.1.2"
keys Enter
wait_for "Baseline   58.5%" "detail shows the baseline from the seed"
keys q
wait_exit "q quits"
expect_equal "$STATUS" "0" "exit status after q"
finish
