# lib.sh — shared helpers for the screen tests: the real binary in a tmux
# pane of a fixed size, keys sent with send-keys, and the screen read back
# with capture-pane. Waits poll the screen; nothing sleeps blindly.
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
command -v tmux >/dev/null || { echo "tmux is needed for the screen tests" >&2; exit 1; }

SOCKET="boardpack-test-$$"
TMUX_CMD=(tmux -L "$SOCKET" -f /dev/null)
# The tmux server goes at exit, then whatever tests/cli/lib.sh set to run
# (removing $WORK; on PostgreSQL, dropping the test's schema first).
CLI_EXIT=$(trap -p EXIT)
CLI_EXIT=${CLI_EXIT#"trap -- "}
eval "CLI_EXIT=${CLI_EXIT%" EXIT"}"
trap '"${TMUX_CMD[@]}" kill-server 2>/dev/null; eval "$CLI_EXIT"' EXIT
SCREEN_TIMEOUT=${SCREEN_TIMEOUT:-10}

# sanitizer_check: under the AddressSanitizer build, a report (a leak, a
# memory error, undefined behaviour) from the last run fails the test.
sanitizer_check() {
  if [ -f "$WORK/stderr" ] && grep -qE "Sanitizer|runtime error:" "$WORK/stderr"; then
    ERR=$(grep -m5 -E "Sanitizer|runtime error:|#[0-9] " "$WORK/stderr")
    fail "sanitizer report from the program"
    : >"$WORK/stderr"
  fi
}

# start WIDTH HEIGHT ARGS...: runs boardpack ARGS in a WIDTHxHEIGHT pane.
# The pane stays after the program exits so its last screen can be read,
# and the exit status is kept in $WORK/exit-status.
start() {
  local width=$1 height=$2
  shift 2
  sanitizer_check
  rm -f "$WORK/exit-status"
  local quoted
  quoted=$(printf '%q ' "$BOARDPACK" "$@")
  "${TMUX_CMD[@]}" new-session -d -s test -x "$width" -y "$height" \
    "env LC_ALL=${SCREEN_LC_ALL:-C.UTF-8} TZ=UTC ${SCREEN_TERM:+TERM=$SCREEN_TERM} \
     HOME='$HOME' XDG_DATA_HOME='$XDG_DATA_HOME' BOARDPACK_DB='$DB' ${SCREEN_ENV:-} \
     ${SCREEN_RUNNER:-} $quoted 2>'$WORK/stderr'; echo \$? >'$WORK/exit-status'; sleep 600"
  "${TMUX_CMD[@]}" set-option -t test -g remain-on-exit on >/dev/null 2>&1
}

# stop_tmux: ends the tmux server and waits until it is gone, so that the
# next start cannot race a dying server.
stop_tmux() {
  "${TMUX_CMD[@]}" kill-server 2>/dev/null
  while "${TMUX_CMD[@]}" has-session 2>/dev/null; do sleep 0.05; done
}

screen_text() { "${TMUX_CMD[@]}" capture-pane -p -t test; }

keys() { "${TMUX_CMD[@]}" send-keys -t test "$@"; }
# type_text TEXT: sends TEXT literally.
type_text() { "${TMUX_CMD[@]}" send-keys -t test -l -- "$1"; }

resize() { "${TMUX_CMD[@]}" resize-window -t test -x "$1" -y "$2" 2>/dev/null; }

# poll WHAT SHOW CONDITION...: runs CONDITION every 50 ms until it succeeds
# (a pass) or SCREEN_TIMEOUT runs out: a failure named WHAT, showing what
# the command SHOW prints and the program's stderr.
poll() {
  local what=$1 show=$2 deadline=$((SECONDS + SCREEN_TIMEOUT))
  shift 2
  while [ $SECONDS -lt $deadline ]; do
    if "$@"; then pass; return 0; fi
    sleep 0.05
  done
  OUT=$("$show")
  ERR=$(cat "$WORK/stderr" 2>/dev/null)
  fail "$what"
  return 1
}

screen_has() { screen_text | grep -qF -- "$1"; }
screen_lacks() { ! screen_has "$1"; }
screen_has_line() { screen_text | grep -qE -- "$1"; }

# wait_for TEXT [what]: waits until TEXT (fixed string) is on the screen.
wait_for() {
  poll "${2:-"screen shows '$1'"} (waited ${SCREEN_TIMEOUT}s for '$1')" screen_text \
    screen_has "$1"
}

# wait_gone TEXT [what]: waits until TEXT is no longer on the screen.
wait_gone() { poll "${2:-"screen no longer shows '$1'"}" screen_text screen_lacks "$1"; }

# wait_line REGEX [what]: waits until a line matches an extended regex.
wait_line() { poll "${2:-"a line matches '$1'"}" screen_text screen_has_line "$1"; }

# expect_ascii_screen WHAT: nothing above 0x7F on the screen.
expect_ascii_screen() {
  if screen_text | grep -qP '[^\x00-\x7F]'; then OUT=$(screen_text); fail "$1"; else pass; fi
}

# The row the terminal cursor is on (the browser keeps it on the selection).
cursor_line() {
  local y
  y=$("${TMUX_CMD[@]}" display-message -p -t test '#{cursor_y}')
  screen_text | sed -n "$((y + 1))p"
}

cursor_on() { cursor_line | grep -qF -- "$1"; }
cursor_and_screen() { printf 'cursor line: %s\n%s' "$(cursor_line)" "$(screen_text)"; }

# wait_cursor_on TEXT: waits until the cursor's row contains TEXT.
wait_cursor_on() { poll "${2:-"cursor on '$1'"}" cursor_and_screen cursor_on "$1"; }

# wait_exit [what]: waits for the program to end; sets STATUS.
wait_exit() {
  local what=${1:-program exits} deadline=$((SECONDS + SCREEN_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    if [ -s "$WORK/exit-status" ]; then
      STATUS=$(cat "$WORK/exit-status")
      pass
      sanitizer_check
      return 0
    fi
    sleep 0.05
  done
  STATUS=-1
  OUT=$(screen_text)
  fail "$what"
  return 1
}

# seed_store (tests/cli/lib.sh) makes the store before the browser starts:
# a browser given a store (BOARDPACK_DB) never creates one.

# sql_g EXPR: SQL giving the number EXPR as SQLite's printf('%g') does; on
# PostgreSQL, the float's own text (the same for the values in these tests).
sql_g() {
  if on_pg; then printf '(%s)::text' "$1"; else printf "printf('%%g', %s)" "$1"; fi
}
