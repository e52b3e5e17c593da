#!/usr/bin/env bash
# Terminal edge cases, for the browser and the kiosk: TERM=vt100 and
# TERM=linux (no alternate screen), TERM=dumb, unset and unknown, no locale
# (LC_ALL=C, and no locale variable at all), NO_COLOR, and a storm of
# resizes down to 1x1 and back with keys in between. Each starts and works,
# or refuses with one clear sentence; and each leaves the terminal usable:
# the same stty settings as before, no alternate screen, mouse reporting or
# application keypad left on, the cursor visible, no escape sequence shown
# as text, and a shell prompt in the pane that echoes what is typed.
. "$(dirname "$0")/kiosk_lib.sh"
seed_store

# The pane runs a small shell script: it saves the terminal settings, runs
# boardpack, saves them again, then prompts and echoes one typed line.
cat >"$WORK/pane.sh" <<'EOF'
stty -g >"$WORK/stty-before"
"$BOARDPACK" --db "$DB" "$@" 2>"$WORK/stderr"
status=$?
stty -g >"$WORK/stty-after"
echo "$status" >"$WORK/exit-status"
printf 'shell> '
read -r line
printf 'you typed [%s]\n' "$line"
sleep 600
EOF

# start_term WIDTH HEIGHT "VAR=VALUE -u VAR ..." ARGS...: boardpack ARGS in a
# pane whose environment holds only what a login would (and the sanitisers'
# settings): TERM as tmux sets it and LC_ALL=C.UTF-8, changed by VAR=VALUE
# and left out by -u VAR.
start_term() {
  local width=$1 height=$2 words=($3)
  shift 3
  rm -f "$WORK"/{exit-status,stty-before,stty-after,stderr}
  local -A environment=([TERM]='"$TERM"' [LC_ALL]=C.UTF-8)
  local i
  for ((i = 0; i < ${#words[@]}; i++)); do
    if [ "${words[i]}" = -u ]; then
      i=$((i + 1)); unset "environment[${words[i]}]"
    else
      environment[${words[i]%%=*}]=$(printf %q "${words[i]#*=}")
    fi
  done
  [ -n "${UBSAN_OPTIONS:-}" ] && environment[UBSAN_OPTIONS]=$(printf %q "$UBSAN_OPTIONS")
  # Leaks inside ncurses and libgpm on odd terminals are not ours
  # (lsan.supp); the slow unwinder finds their frames in a dlopen'ed library.
  environment[ASAN_OPTIONS]=$(printf %q "${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0")
  environment[LSAN_OPTIONS]=$(printf %q "${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$SOURCE_ROOT/tests/screen/lsan.supp:print_suppressions=0")
  local assignments="" name
  for name in "${!environment[@]}"; do assignments+=" $name=${environment[$name]}"; done
  local arguments=""
  (($#)) && arguments=$(printf '%q ' "$@")
  "${TMUX_CMD[@]}" new-session -d -s test -x "$width" -y "$height" \
    "exec env -i PATH='$PATH' HOME='$HOME' XDG_DATA_HOME='$XDG_DATA_HOME' \
     XDG_CONFIG_HOME='$XDG_CONFIG_HOME' TZ=UTC WORK='$WORK' BOARDPACK='$BOARDPACK' DB='$DB' \
     $assignments bash '$WORK/pane.sh' $arguments"
}

flags() { "${TMUX_CMD[@]}" display-message -p -t test "$1"; }

# expect_usable WHAT: after boardpack has ended, the terminal is as it was.
expect_usable() {
  local what=$1
  expect_equal "$(cat "$WORK/stty-after" 2>/dev/null)" "$(cat "$WORK/stty-before" 2>/dev/null)" \
    "$what: stty settings restored"
  expect_equal "$(flags 'alt #{alternate_on} cursor #{cursor_flag} keypad #{keypad_flag}/#{keypad_cursor_flag} mouse #{mouse_any_flag}#{mouse_all_flag}#{mouse_button_flag}#{mouse_standard_flag}#{mouse_sgr_flag}#{mouse_utf8_flag} insert #{insert_flag} origin #{origin_flag} wrap #{wrap_flag}')" \
    "alt 0 cursor 1 keypad 0/0 mouse 000000 insert 0 origin 0 wrap 1" \
    "$what: no alternate screen, keypad or mouse mode left on, cursor shown"
  if screen_text | grep -qE '\[[0-9;?]+[A-Za-z]|\^\['; then
    OUT=$(screen_text); fail "$what: an escape sequence shown as text"
  else pass; fi
  type_text "all well"; keys Enter
  wait_for "you typed [all well]" "$what: the shell reads a typed line"
  wait_line '^shell> all well *$' "$what: the prompt and the echo on a clean line"
  stop_tmux
}

# no_colour: the pane's screen, with attributes, uses no colour.
uses_colour() {
  "${TMUX_CMD[@]}" capture-pane -p -e -t test |
    grep -qE $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|10[0-7]|[34]8;[25])[;m]'
}

# Not a terminal at all: one sentence naming what needs one.
for mode in browser kiosk; do
  args=()
  [ "$mode" = kiosk ] && args=(--kiosk)
  TERM=xterm run "$BOARDPACK" --db "$DB" "${args[@]}"
  expect_status 2 "$mode without a terminal"
  expect_err_equals "The $mode needs a terminal; use \`boardpack report\` for plain text." \
    "$mode without a terminal says so"
done

# ---- TERM=vt100 and TERM=linux: no alternate screen, their own keys ------
for term in vt100 linux; do
  start_term 100 30 "TERM=$term"
  wait_for "1 We provide" "browser starts with TERM=$term"
  keys / ; type_text "1.1.2"; keys Enter
  wait_for "Deliverable 1.1.2" "TERM=$term: search works"
  keys Up
  wait_cursor_on "1.1.1" "TERM=$term: Up moves"
  keys Down
  wait_cursor_on "1.1.2" "TERM=$term: Down moves"
  keys '?'
  wait_for "Keys (press" "TERM=$term: help opens"
  keys Escape
  wait_gone "Keys (press" "TERM=$term: help closes"
  keys q
  wait_exit "browser quits with TERM=$term"
  expect_equal "$STATUS" "0" "TERM=$term browser exit status"
  expect_equal "$(cat "$WORK/stderr")" "" "TERM=$term browser: nothing on stderr"
  expect_usable "TERM=$term browser"

  start_term 100 30 "TERM=$term" --kiosk --cycle 1
  kiosk_pid
  wait_for "Aim 1 of 4" "kiosk starts with TERM=$term"
  wait_for "Aim 2 of 4" "TERM=$term kiosk cycles"
  keys Right
  wait_for "Aim 3 of 4" "TERM=$term: arrow keys step the kiosk"
  kill -TERM "$PID"
  wait_exit "kiosk ends on SIGTERM with TERM=$term"
  expect_equal "$STATUS" "0" "TERM=$term kiosk exit status"
  expect_usable "TERM=$term kiosk"
done

# ---- TERM=dumb, empty, unset, unknown: one sentence, status 2 -----------
for mode in browser kiosk; do
  args=()
  [ "$mode" = kiosk ] && args=(--kiosk)
  for case in "TERM=dumb|(TERM=dumb) cannot show the $mode" "TERM=|(TERM=unset) cannot show the $mode" \
              "-u TERM|(TERM=unset) cannot show the $mode" \
              "TERM=no-such-terminal|'no-such-terminal' is unknown here"; do
    vars=${case%%|*} message=${case#*|}
    start_term 80 24 "$vars" "${args[@]}"
    wait_exit "$mode with $vars ends"
    expect_equal "$STATUS" "2" "$mode with $vars: usage status"
    ERR=$(cat "$WORK/stderr")
    expect_equal "$(printf '%s\n' "$ERR" | wc -l)" "1" "$mode with $vars: one line on stderr"
    expect_err_contains "$message" "$mode with $vars: says why"
    expect_usable "$mode with $vars"
  done
done

# ---- No locale: ASCII only, and it works -------------------------------
for locale in "LC_ALL=C" "-u LC_ALL -u LANG -u LC_CTYPE"; do
  start_term 100 30 "$locale"
  wait_for "1 We provide" "browser starts with $locale"
  keys j j
  wait_cursor_on "1.2" "browser moves with $locale"
  expect_ascii_screen "browser with $locale: only ASCII"
  keys q
  wait_exit "browser quits with $locale"
  expect_equal "$STATUS" "0" "browser with $locale exit status"
  expect_usable "browser with $locale"

  start_term 100 30 "$locale" --kiosk
  kiosk_pid
  wait_for "Aim 1 of 4" "kiosk starts with $locale"
  wait_line '[0-2][0-9]:[0-5][0-9]:[0-5][0-9] *$' "kiosk with $locale shows its clock"
  expect_ascii_screen "kiosk with $locale: only ASCII"
  kill -TERM "$PID"
  wait_exit "kiosk ends with $locale"
  expect_usable "kiosk with $locale"
done

# ---- NO_COLOR: no colour at all (an empty NO_COLOR changes nothing) -----
for mode in browser kiosk; do
  args=()
  [ "$mode" = kiosk ] && args=(--kiosk)
  start_term 100 30 "NO_COLOR=" "${args[@]}"
  wait_line "\[R\]" "$mode with an empty NO_COLOR"
  if uses_colour; then pass; else fail "$mode with an empty NO_COLOR still uses colour"; fi
  stop_tmux
  start_term 100 30 "NO_COLOR=1" "${args[@]}"
  wait_line "\[R\]" "$mode with NO_COLOR=1"
  if uses_colour; then
    OUT=$("${TMUX_CMD[@]}" capture-pane -p -e -t test | cat -v | head -5); fail "$mode with NO_COLOR=1 uses colour"
  else pass; fi
  if [ "$mode" = kiosk ]; then kiosk_pid; kill -TERM "$PID"; else keys q; fi
  wait_exit "$mode with NO_COLOR ends"
  expect_usable "$mode with NO_COLOR"
done

# ---- A storm of resizes, down to 1x1 and back, with keys in between ------
# Keys that open and close every overlay and field but write nothing.
RANDOM=${TERMINAL_SEED:-$$}
echo "resize storm seed $RANDOM"
storm() { # storm KEY...: 120 random sizes, a random key from the list after each
  local i
  for i in $(seq 120); do
    case $((RANDOM % 6)) in
      0) resize 1 1 ;;
      1) resize $((1 + RANDOM % 3)) $((1 + RANDOM % 60)) ;;
      2) resize $((1 + RANDOM % 200)) $((1 + RANDOM % 3)) ;;
      *) resize $((1 + RANDOM % 200)) $((1 + RANDOM % 60)) ;;
    esac
    keys "${@:$((1 + RANDOM % $#)):1}"
  done
}
before=$(store_fingerprint "$DB")
start_term 100 30 ""
wait_for "1 We provide" "browser before the storm"
storm j k Down Up Tab '?' Escape H x / Escape '*' g G p Escape b Escape f Escape NPage PPage Home End
resize 1 1
resize 100 30
keys Escape Escape g
wait_for "1 We provide" "browser redraws at full size after the storm"
expect_running_browser() { [ ! -s "$WORK/exit-status" ] && pass || fail "$1"; }
expect_running_browser "browser survived the storm"
keys q
wait_exit "browser quits after the storm"
expect_equal "$STATUS" "0" "browser exit status after the storm"
expect_equal "$(cat "$WORK/stderr")" "" "browser: nothing on stderr after the storm"
expect_equal "$(store_fingerprint "$DB")" "$before" "the storm's keys wrote nothing"
expect_usable "browser after the storm"

start_term 100 30 "" --kiosk --cycle 1
kiosk_pid
wait_for "Aim 1 of 4" "kiosk before the storm"
storm Right Left Space Up Down NPage PPage
resize 1 1
resize 100 30
wait_line "Aim [0-9] of 4" "kiosk redraws at full size after the storm"
expect_running "kiosk survived the storm"
kill -TERM "$PID"
wait_exit "kiosk ends after the storm"
expect_equal "$STATUS" "0" "kiosk exit status after the storm"
expect_equal "$(cat "$WORK/stderr")" "" "kiosk: nothing on stderr after the storm"
expect_usable "kiosk after the storm"
finish
