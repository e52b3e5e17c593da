#!/usr/bin/env bash
# Layout at different sizes: side by side when wide, switched when narrow,
# a clear "too small" screen down to 1x1 and back; ASCII and no-colour
# fallbacks; the board and "as at" pickers; the mouse.
. "$(dirname "$0")/lib.sh"
seed_store

# Narrow (80x24): the tree alone; Tab switches to the detail pane.
start 80 24
wait_for "[R] 1 We provide" "tree at 80x24"
wait_gone "Deliverables: R" "no detail pane beside a narrow tree"
keys j Tab
wait_for "Objective 1.1  [A]" "Tab shows the detail pane on a narrow screen"
keys Tab
wait_for "[R] 1 We provide" "Tab returns to the tree"

# Resize storm: down to 1x1 and back, never a crash.
for size in "40x10" "29x7" "10x3" "1x1" "2x2" "200x60" "30x8" "1x40" "150x1" "80x24"; do
  resize "${size%x*}" "${size#*x}"
done
resize 20 5
wait_for "Terminal too" "a tiny window says it is too small"
resize 1 1
resize 120 40
wait_for "Deliverables: R" "back to full size after the storm"
if [ ! -s "$WORK/exit-status" ]; then pass; else fail "still running after the resize storm"; fi

# Mouse: a press on a row selects it; a second press expands or collapses it.
# (X10 mouse report: ESC [ M, button+32, column+33, row+33.)
mouse_report() { printf "\\e[M\\x$(printf %x $1)\\x$(printf %x $((33 + $2)))\\x$(printf %x $((33 + $3)))"; }
click() { type_text "$(mouse_report 32 "$1" "$2")$(mouse_report 35 "$1" "$2")"; }
keys '*' g
wait_for "Aim 1  [R]" "first row selected before clicking"
click 10 2
wait_for "Objective 1.1  [A]" "click selects the row"
click 10 2
wait_line '▸ \[A\] 1\.1 We will' "a second click collapses it"
click 10 2
wait_line '▾ \[A\] 1\.1 We will' "a third click expands it again"

# Board picker: the four bundled boards.
keys b
wait_for "Boards" "board picker opens"
wait_for "nlft-2024-25" "2024/25 board listed"
wait_for "beh-2021-22" "BEH 2021-22 board listed"
wait_for "nlmhp-medium-long-term" "medium and long-term board listed"
keys j Enter
wait_for "Opened " "a board picked from the list opens"
keys b
wait_for "Boards" "picker again"
keys g Enter
wait_for "Year One Breakthrough Objectives" "back to the 2023/24 board"

# "As at" picker: the board as it stood at the end of an earlier month.
keys p
wait_for "Show the board as at the end of" "period picker opens"
keys j j j Enter
wait_for "HISTORY as at Jan 2024" "header shows the earlier month"
wait_for "Showing the board as it stood at the end of Jan 2024" "message says so"
keys e
wait_for "earlier month" "no editing while looking at history"
keys p g Enter
wait_for "as at Mar 2024" "back to the latest month"
keys q
wait_exit
expect_equal "$STATUS" "0" "quit after the layout tests"

# ASCII and no colour: letters and plain marks only.
stop_tmux
start 120 30 --ascii --no-color
keys '*'
wait_line '^- \[R\] 1 We provide .*\.\.\. R3 A5 G2 B1 \|' "ASCII markers, ellipsis and divider"
wait_for "85.6% -> 90% v" "ASCII arrows"
expect_ascii_screen "only ASCII on the screen with --ascii"
keys q
wait_exit

# No UTF-8 locale: ASCII by itself, the seed's curly quotes transliterated.
stop_tmux
SCREEN_LC_ALL=C start 120 30
wait_for "[R] 1 We provide" "starts in the C locale"
expect_ascii_screen "only ASCII in the C locale"
keys q
wait_exit

# TERM=dumb: a clear message, not garbage.
stop_tmux
SCREEN_TERM=dumb start 80 24
wait_exit "TERM=dumb ends"
expect_equal "$STATUS" "2" "TERM=dumb exits with the usage status"
if grep -q "cannot show the browser" "$WORK/stderr"; then pass; else fail "TERM=dumb message: $(cat "$WORK/stderr")"; fi
finish
