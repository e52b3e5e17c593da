#!/usr/bin/env bash
# The request table on screen: help's first screen holds the essentials,
# bind: in the settings file rebinds keys, the one write gate refuses edits
# in read-only mode and in an earlier month (whose badge says READ-ONLY);
# search says "Match 2 of 5" and says when nothing matches; the history
# overlay covers what is behind it; the summary counts no data; a long
# metric name wraps in the detail pane.
. "$(dirname "$0")/lib.sh"
seed_store

# Help: the essentials first (help, quit, move, open, search, edit).
start 80 24
wait_for "Aim 1:"
keys '?'
wait_for "Keys (press any key to close)" "help opens"
OUT=$(screen_text)
first=$(printf '%s\n' "$OUT" | sed -n '4,10p')
for want in "this help" "quit" "move up" "move down" "open: expand" "search codes" "edit the latest"; do
  case "$first" in *"$want"*) pass ;; *) fail "help's first lines show '$want'" ;; esac
done
keys x
wait_gone "Keys (press any key to close)" "help closes"

# Summary: the board's no-data count, as the report gives it ("- 5").
report=$("$BOARDPACK" --db "$DB" report | grep '^Deliverables:')
expect_equal "$report" "Deliverables: R 7  A 10  G 6  B 6  - 5" "the report's counts"
wait_for "| board R 7 A 10 G 6 B 6 - 5" "the summary line counts no data like the report"

# Search: where the match stands among all of them, and no match said so.
keys /
type_text "we will reduce"
wait_for 'Match 1 of ' "search says which match of how many"
total=$(screen_text | grep -oE 'Match 1 of [0-9]+' | grep -oE '[0-9]+$')
[ "${total:-0}" -ge 2 ] && pass || fail "several matches for 'we will reduce' ($total)"
keys Enter
wait_for "Match 1 of $total for \"we will reduce\"." "Enter keeps the match and its count"
keys n
wait_for "Match 2 of $total for \"we will reduce\"." "n says match 2"
keys N
wait_for "Match 1 of $total" "N goes back to match 1"
keys N
wait_for "Match $total of $total for" "N from the first match wraps to the last"
keys n
wait_for "Match 1 of $total for" "n from the last match wraps to the first"
keys g n
wait_for "Match 1 of $total for" "n from elsewhere counts afresh"
keys /
type_text "no such words anywhere"
wait_for 'No match for "no such words anywhere".' "no match is said"
keys Escape

# History overlay (H) at 80x24 covers its whole box: nothing of the tree
# or the detail pane shows through.
keys g H
wait_for "Change history (newest first)" "history opens"
box=$(screen_text | sed -n '4,21p' | cut -c4-77)
case "$box" in *"We will"*|*"["[RAGB]"]"*) fail "the history overlay shows what is behind it" ;; *) pass ;; esac
keys x
wait_gone "Change history" "history closes"

# An earlier month is read-only: the badge says so, and editing is refused
# at the one gate with a sentence.
keys p j Enter
wait_for "HISTORY" "as-at view"
wait_line "HISTORY as at [A-Z][a-z]+ [0-9]{4}  READ-ONLY *$" "the as-at view's badge is READ-ONLY, not EDIT"
keys '*' / ; type_text "1.1.2"; keys Enter e
wait_for "You are looking at an earlier month" "edit refused in an earlier month"
keys q
wait_exit "q quits"

# A long metric name wraps like a title instead of being cut.
stop_tmux
start 120 40
wait_for "Aim 1:"
keys '*' / ; type_text "1.1.2"; keys Enter
wait_for "Deliverable 1.1.2"
wait_line "│Metric: Positive feedback of patient experience,$" "metric name, first line"
wait_line "│Friends and Family Test \(FFT\)$" "metric name wraps onto a second line"
keys q
wait_exit

# bind: in the settings file: x quits, q does nothing; a read-only browser
# refuses edit at the gate, whatever key it is bound to.
mkdir -p "$XDG_CONFIG_HOME/boardpack"
printf 'bind:\n  x: quit\n  q: none\n  E: edit\n' >"$XDG_CONFIG_HOME/boardpack/config.yaml"
stop_tmux
SCREEN_ENV="XDG_CONFIG_HOME=$XDG_CONFIG_HOME" start 100 30 --read-only
wait_for "Aim 1:"
keys '?'
wait_for "Keys (press any key to close)" "help opens"
wait_line "^ *x +quit" "help shows the bound key"
wait_line "^ *e E +edit the latest.*not available" "help marks edit off in read-only mode"
keys Escape
keys '*' / ; type_text "1.1.2"; keys Enter E
wait_for "Read-only: edit the latest value in place" "a bound edit key is refused at the gate"
keys q
sleep 0.3
[ -f "$WORK/exit-status" ] && fail "q was unbound but quit" || pass
keys x
wait_exit "x quits"
expect_equal "$STATUS" "0" "exit status after x"
finish
