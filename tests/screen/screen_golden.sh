#!/usr/bin/env bash
# Whole screens compared with expected files at 80x24, 40x12 and 200x50,
# and colours read back from the terminal emulator (tmux capture-pane -e):
# the default theme, NO_COLOR, and the colour-blind and monochrome themes.
# UPDATE_GOLDEN=1 rewrites the expected files (then read the diff!).
. "$(dirname "$0")/lib.sh"
seed_store
EXPECTED="$SOURCE_ROOT/tests/screen/expected"

# golden NAME: the screen must equal expected/NAME.txt (waits for it to
# settle on that text, so a slow first draw is not a failure).
golden() {
  local name=$1 file="$EXPECTED/$1.txt" deadline=$((SECONDS + SCREEN_TIMEOUT))
  if [ -n "${UPDATE_GOLDEN:-}" ]; then
    sleep 0.5
    screen_text >"$file"
    pass
    return
  fi
  while [ $SECONDS -lt $deadline ]; do
    if [ "$(screen_text)" = "$(cat "$file")" ]; then pass; return; fi
    sleep 0.05
  done
  OUT=$(diff <(screen_text) "$file")
  fail "screen $name differs from $file"
}

start 80 24
wait_for "Aim 1:"
golden main-80x24
keys '*' / ; type_text "2.1.2"; keys Enter
wait_for "[G] 2.1.2"
golden search-80x24
keys Tab
wait_for "Deliverable 2.1.2"
golden detail-80x24
keys q
wait_exit

stop_tmux
start 40 12
wait_for "Aim 1:"
golden main-40x12
keys f
wait_for "Showing R only"
golden filter-40x12
keys q
wait_exit

stop_tmux
start 200 50
wait_for "Aim 1:"
golden main-200x50
keys '*' / ; type_text "1.1.2"; keys Enter
wait_for "Deliverable 1.1.2"
golden detail-200x50
keys p j Enter
wait_for "HISTORY"
golden history-200x50
keys q
wait_exit

# Colours, as the terminal received them.
colour_of() { # colour_of LETTER: the SGR codes just before the badge "[LETTER]"
  "${TMUX_CMD[@]}" capture-pane -e -p -t test | grep -oE $'(\e\\[[0-9;]*m)+\\['"$1"'\]' | tail -1
}
# expect_badge LETTER SGR WHAT: the badge "[LETTER]" is drawn with SGR.
expect_badge() {
  case "$(colour_of "$1")" in *"$2"*) pass ;; *) fail "$3: $(colour_of "$1" | cat -v)" ;; esac
}
# expect_no_colour WHAT: no foreground or background colour on the screen.
expect_no_colour() {
  if "${TMUX_CMD[@]}" capture-pane -e -p -t test | grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7])m'; then
    fail "$1"; else pass; fi
}
# all_open: a fresh browser at 120x30 (SCREEN_ENV as set), every node open.
all_open() {
  stop_tmux
  start 120 30
  wait_for "[R] 1 We provide"
  keys '*'
  wait_for "[G] 2.1.1"
}

all_open
expect_badge R 31m "R badge red"
expect_badge G 32m "G badge green"
expect_badge A 33m "A badge yellow"
expect_badge B 34m "B badge blue"
keys q
wait_exit

SCREEN_ENV="NO_COLOR=1" all_open
expect_no_colour "NO_COLOR: no colour codes on the screen"
keys q
wait_exit

mkdir -p "$XDG_CONFIG_HOME/boardpack"
export XDG_CONFIG_HOME
printf 'theme: colour-blind\n' >"$XDG_CONFIG_HOME/boardpack/config.yaml"
SCREEN_ENV="XDG_CONFIG_HOME=$XDG_CONFIG_HOME" all_open
expect_badge G 36m "colour-blind G badge cyan"
expect_badge R 41m "colour-blind R badge on red"
keys q
wait_exit

printf 'theme: monochrome\n' >"$XDG_CONFIG_HOME/boardpack/config.yaml"
SCREEN_ENV="XDG_CONFIG_HOME=$XDG_CONFIG_HOME" all_open
expect_no_colour "monochrome: no colour codes"
expect_badge R 7m "monochrome R badge in reverse video"
keys q
wait_exit

# A bad settings file stops the browser with a located error.
printf 'theme: blue\n' >"$XDG_CONFIG_HOME/boardpack/config.yaml"
run "$BOARDPACK" --db "$DB"
expect_status 65 "bad settings file"
expect_err_equals "$XDG_CONFIG_HOME/boardpack/config.yaml:1:8: error: theme 'blue' is not one of default, colour-blind, monochrome" \
  "located settings error"
finish
