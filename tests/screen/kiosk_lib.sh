# kiosk_lib.sh — helpers the kiosk screen tests share, on top of lib.sh:
# the kiosk's process id, checks that it is still running, and its clock.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# kiosk_pid: the boardpack process in the pane (the pane shell's child).
# Sets PID; waits until the process has started.
kiosk_pid() {
  local shell deadline=$((SECONDS + SCREEN_TIMEOUT))
  PID=
  while [ $SECONDS -lt $deadline ]; do
    shell=$("${TMUX_CMD[@]}" display-message -p -t test '#{pane_pid}' 2>/dev/null)
    if [ -n "$shell" ]; then
      for child in $(ps -o pid= --ppid "$shell"); do
        if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = boardpack ]; then PID=$child; return 0; fi
      done
    fi
    sleep 0.05
  done
  fail "the kiosk process was not found"
  return 1
}

# expect_running WHAT: the kiosk has neither exited nor been stopped.
expect_running() {
  local state
  state=$(awk '{print $3}' "/proc/$PID/stat" 2>/dev/null)
  if [ ! -s "$WORK/exit-status" ] && [ -n "$state" ] && [ "$state" != T ] && [ "$state" != Z ]; then
    pass
  else
    OUT=$(screen_text)
    fail "$1: the kiosk is not running (state '${state:-gone}', exit $(cat "$WORK/exit-status" 2>/dev/null))"
  fi
}

# header_clock: the HH:MM:SS clock at the right of the header line.
header_clock() { screen_text | head -1 | grep -oE '[0-2][0-9]:[0-5][0-9]:[0-5][0-9]' | tail -1; }

# wait_clock_moves WHAT: waits until the clock shows a time other than now.
wait_clock_moves() {
  local before deadline=$((SECONDS + SCREEN_TIMEOUT))
  before=$(header_clock)
  while [ $SECONDS -lt $deadline ]; do
    local now
    now=$(header_clock)
    if [ -n "$now" ] && [ "$now" != "$before" ]; then pass; return 0; fi
    sleep 0.05
  done
  OUT=$(screen_text)
  fail "$1 (the clock stayed at '$before')"
  return 1
}

# aim_shown: the N of "Aim N of M" on the position line.
aim_shown() { screen_text | sed -n 2p | grep -oE 'Aim [0-9]+ of' | grep -oE '[0-9]+'; }

# stop_session: ends the tmux session so another start can follow.
stop_session() { "${TMUX_CMD[@]}" kill-session -t test 2>/dev/null; }

# rss_kb: the kiosk's resident memory in kB.
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$PID/status"; }

# Built with AddressSanitizer? Its quarantine makes resident memory grow by
# design, so memory checks then rely on LeakSanitizer at exit instead.
is_sanitized() { grep -q asan "/proc/$PID/maps" 2>/dev/null; }

# The store made unreadable under a running kiosk, and back. SQLite: the
# file moved aside, then a file that is not a store put in its place.
# PostgreSQL: the test's schema renamed, then a schema of that name whose
# boardpack_schema is not boardpack's. NO_STORE and NOT_A_STORE: the
# banner's reason for each.
if on_pg; then
  NO_STORE="There is no boardpack store in"
  NOT_A_STORE="Cannot read the schema version in"
  store_psql() { "$PSQL" -X -q -v ON_ERROR_STOP=1 "$BOARDPACK_TEST_PG" -c "$1" </dev/null >/dev/null; }
  store_away() { store_psql "ALTER SCHEMA $PG_SCHEMA RENAME TO ${PG_SCHEMA}_away"; }
  store_junk() {
    store_psql "CREATE SCHEMA $PG_SCHEMA; CREATE TABLE $PG_SCHEMA.boardpack_schema (note text);
                INSERT INTO $PG_SCHEMA.boardpack_schema VALUES ('not a boardpack store')"
  }
  store_back() {
    store_psql "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE; ALTER SCHEMA ${PG_SCHEMA}_away RENAME TO $PG_SCHEMA"
  }
else
  NO_STORE="There is no store at"
  NOT_A_STORE="is damaged or not a boardpack store"
  store_away() { mv "$DB" "$DB.away"; }
  store_junk() { printf 'this is not a boardpack store, nor any SQLite database at all.\n%.0s' {1..100} >"$DB"; }
  store_back() { rm -f "$DB" && mv "$DB.away" "$DB"; }
fi
