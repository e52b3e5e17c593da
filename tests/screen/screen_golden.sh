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
stop_tmux
start 120 30
wait_for "[R] 1 We provide"
keys '*'
wait_for "[G] 2.1.1"
case "$(colour_of R)" in *31m*) pass ;; *) fail "R badge red: $(colour_of R | cat -v)" ;; esac
case "$(colour_of G)" in *32m*) pass ;; *) fail "G badge green: $(colour_of G | cat -v)" ;; esac
case "$(colour_of A)" in *33m*) pass ;; *) fail "A badge yellow: $(colour_of A | cat -v)" ;; esac
case "$(colour_of B)" in *34m*) pass ;; *) fail "B badge blue: $(colour_of B | cat -v)" ;; esac
keys q
wait_exit

stop_tmux
SCREEN_ENV="NO_COLOR=1" start 120 30
wait_for "[R] 1 We provide"
keys '*'
wait_for "[G] 2.1.1"
if "${TMUX_CMD[@]}" capture-pane -e -p -t test | grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7])m'; then
  fail "NO_COLOR: no colour codes on the screen"; else pass; fi
keys q
wait_exit

mkdir -p "$XDG_CONFIG_HOME/boardpack"
export XDG_CONFIG_HOME
printf 'theme: colour-blind\n' >"$XDG_CONFIG_HOME/boardpack/config.yaml"
stop_tmux
SCREEN_ENV="XDG_CONFIG_HOME=$XDG_CONFIG_HOME" start 120 30
wait_for "[R] 1 We provide"
keys '*'
wait_for "[G] 2.1.1"
case "$(colour_of G)" in *36m*) pass ;; *) fail "colour-blind G badge cyan: $(colour_of G | cat -v)" ;; esac
case "$(colour_of R)" in *41m*) pass ;; *) fail "colour-blind R badge on red: $(colour_of R | cat -v)" ;; esac
keys q
wait_exit

printf 'theme: monochrome\n' >"$XDG_CONFIG_HOME/boardpack/config.yaml"
stop_tmux
SCREEN_ENV="XDG_CONFIG_HOME=$XDG_CONFIG_HOME" start 120 30
wait_for "[R] 1 We provide"
keys '*'
wait_for "[G] 2.1.1"
if "${TMUX_CMD[@]}" capture-pane -e -p -t test | grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7])m'; then
  fail "monochrome: no colour codes"; else pass; fi
case "$(colour_of R)" in *7m*) pass ;; *) fail "monochrome R badge in reverse video: $(colour_of R | cat -v)" ;; esac
keys q
wait_exit

# A bad settings file stops the browser with a located error.
printf 'theme: blue\n' >"$XDG_CONFIG_HOME/boardpack/config.yaml"
run "$BOARDPACK" --db "$DB"
expect_status 65 "bad settings file"
expect_err_equals "$XDG_CONFIG_HOME/boardpack/config.yaml:1:8: error: theme 'blue' is not one of default, colour-blind, monochrome" \
  "located settings error"
finish
