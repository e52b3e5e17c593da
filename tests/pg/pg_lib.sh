# pg_lib.sh — what the PostgreSQL screen tests share, on top of
# tests/screen/kiosk_lib.sh: a throwaway server (tests/pg/pg-server.sh)
# stopped on exit, panes named by PANE (the kiosk in "test", as kiosk_lib.sh
# has it; a browser beside it), and the latency measure of
# screen_latency.py. A server that cannot start fails the test: never a skip.
. "$(dirname "${BASH_SOURCE[0]}")/../screen/kiosk_lib.sh"
PG_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/pg/pg-server.sh
. "$PG_HERE/pg-server.sh"
PG_DIRS=()
trap '"${TMUX_CMD[@]}" kill-server 2>/dev/null; pg_stop_all; rm -rf "$WORK"' EXIT
# The loaded 2-core machine: a wait for the screen may take a while.
SCREEN_TIMEOUT=${PG_SCREEN_TIMEOUT:-20}

# Standbys first (their folders were added last).
pg_stop_all() {
  local i
  for ((i = ${#PG_DIRS[@]} - 1; i >= 0; i--)); do
    pg_stop "${PG_DIRS[i]}" || echo "FAIL: stopping the server in ${PG_DIRS[i]}" >&2
  done
  PG_DIRS=()
}

# fatal WHAT: a failure after which nothing else can be checked.
fatal() {
  fail "$*"
  finish
  exit 1
}

# new_server: a started primary with database "boardpack"; sets PG_DIR and
# DB (its URI, which lib.sh's start passes as BOARDPACK_DB).
new_server() {
  PG_DIR=$(pg_tmpdir) || fatal "cannot make a folder for the server"
  PG_DIRS+=("$PG_DIR")
  pg_start "$PG_DIR" >/dev/null || fatal "the PostgreSQL server did not start"
  pg_createdb "$PG_DIR" boardpack || fatal "createdb on the server failed"
  DB=$(pg_uri "$PG_DIR" boardpack) || fatal "no URI for the server"
  pass
}

PSQL_BIN=$(pg_bindir)/psql || fatal "no psql"
# psql_value URI SQL: one value, or nothing and status 1 on failure.
psql_value() { "$PSQL_BIN" -X -A -t -q -v ON_ERROR_STOP=1 "$1" -c "$2" </dev/null; }

# The panes: lib.sh's screen functions read and type into PANE.
PANE=test
screen_text() { "${TMUX_CMD[@]}" capture-pane -p -t "$PANE"; }
keys() { "${TMUX_CMD[@]}" send-keys -t "$PANE" "$@"; }
type_text() { "${TMUX_CMD[@]}" send-keys -t "$PANE" -l -- "$1"; }

# start_browser WIDTH HEIGHT ARGS...: boardpack ARGS in a session "browser"
# beside the kiosk's; its exit status goes to $WORK/browser-exit.
start_browser() {
  local width=$1 height=$2 quoted
  shift 2
  rm -f "$WORK/browser-exit"
  quoted=$(printf '%q ' "$BOARDPACK" "$@")
  "${TMUX_CMD[@]}" new-session -d -s browser -x "$width" -y "$height" \
    "env LC_ALL=C.UTF-8 TZ=UTC HOME='$HOME' XDG_DATA_HOME='$XDG_DATA_HOME' BOARDPACK_DB='$DB' \
     $quoted 2>'$WORK/browser-stderr'; echo \$? >'$WORK/browser-exit'; sleep 600"
  "${TMUX_CMD[@]}" set-option -t browser -g remain-on-exit on >/dev/null 2>&1
}

# browser_pid: sets BROWSER_PID, the boardpack process in the browser pane.
browser_pid() {
  local shell child deadline=$((SECONDS + SCREEN_TIMEOUT))
  BROWSER_PID=
  while [ $SECONDS -lt $deadline ]; do
    shell=$("${TMUX_CMD[@]}" display-message -p -t browser '#{pane_pid}' 2>/dev/null)
    for child in $(ps -o pid= --ppid "${shell:-0}" 2>/dev/null); do
      if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = boardpack ]; then
        BROWSER_PID=$child
        return 0
      fi
    done
    sleep 0.05
  done
  fail "the browser process was not found"
  return 1
}

# latency PANE REGEX COMMAND...: runs COMMAND (a writer) and prints the
# milliseconds from its exit until PANE shows a line matching REGEX (the
# pane read every 20 ms); status non-zero if the writer failed or the
# screen did not change within SCREEN_TIMEOUT.
latency() {
  local pane=$1 regex=$2
  shift 2
  python3 "$PG_HERE/screen_latency.py" --socket "$SOCKET" --target "$pane" --regex "$regex" \
    --interval 0.02 --timeout "$SCREEN_TIMEOUT" -- "$@"
}

# median N...: the middle one of an odd count, the lower middle of an even.
median() { printf '%s\n' "$@" | sort -n | sed -n "$(((${#} + 1) / 2))p"; }
