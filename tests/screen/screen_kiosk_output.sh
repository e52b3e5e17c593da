#!/usr/bin/env bash
# What the kiosk writes to the terminal: no mouse tracking is ever switched
# on; once the first frame is up, a second passing sends only the clock, a
# change by another process only the cells it changes, and stepping to
# another aim redraws over the old one: never a screen clear, so nothing
# flickers. The bytes are read from the pane's output with tmux pipe-pane,
# started before the kiosk draws anything.
. "$(dirname "$0")/kiosk_lib.sh"
seed_store
OUTPUT="$WORK/terminal-output"
: >"$OUTPUT"

# The kiosk waits for the go file, so that the pipe is in place first.
cat >"$WORK/after-go" <<EOF
#!/bin/sh
while [ ! -e "$WORK/go" ]; do sleep 0.05; done
exec "\$@"
EOF
chmod 755 "$WORK/after-go"
SCREEN_RUNNER="$WORK/after-go" start 100 30 --kiosk --cycle 3600
"${TMUX_CMD[@]}" pipe-pane -t test -o "cat >>'$OUTPUT'"
touch "$WORK/go"
kiosk_pid
wait_line '1\.1\.2 .*85\.6% → 90% *$' "the first frame is up"

size() { stat -c %s "$OUTPUT"; }
# output_since OFFSET: the bytes written after OFFSET, control characters
# shown as \e and the like.
output_since() { tail -c +"$(($1 + 1))" "$OUTPUT" | od -An -c | tr -d ' \n'; }
# no_clear OFFSET WHAT: nothing after OFFSET clears the screen (ED 2, or
# home then ED, as the clear capability of xterm and screen sends it).
no_clear() {
  local bytes
  bytes=$(tail -c +"$(($1 + 1))" "$OUTPUT")
  if printf '%s' "$bytes" | grep -qaE $'\e\\[2J|\e\\[H\e\\[J|\e\\[1;1H\e\\[J'; then
    OUT=$(output_since "$1" | head -c 600)
    fail "$2: the screen was cleared"
  else
    pass
  fi
}

# written_at_most START LIMIT WHAT: what was written since START is no more
# than LIMIT bytes (the count is printed, WHAT naming it).
written_at_most() {
  local written=$(($(size) - $1))
  echo "$3: $written bytes"
  if [ "$written" -le "$2" ]; then pass; else
    OUT=$(output_since "$1" | head -c 600)
    fail "$3: $written bytes, more than $2"
  fi
}

# Mouse tracking (X10, button, any-event, SGR, urxvt) is never switched on.
if grep -qaE $'\e\\[\\?(9|1000|1001|1002|1003|1005|1006|1015)h' "$OUTPUT"; then
  fail "the kiosk switched mouse tracking on"
else
  pass
fi

# Three clock ticks with nothing else changing: the clock's digits only.
wait_clock_moves "the clock ticks"
start_at=$(size)
for _ in 1 2 3; do wait_clock_moves "the clock ticks"; done
written_at_most "$start_at" 300 "idle, 3 clock ticks (no more than the clock)"
no_clear "$start_at" "while idle"

# A reading recorded by another process: the value, its badge and the
# counts it moves, and nothing else.
start_at=$(size)
run "$BOARDPACK" --db "$DB" record 1.1.2 12.3 --period 2024-03
expect_status 0 "a writer records"
wait_line '1\.1\.2 .*12\.3% → 90% *$' "the change appears"
wait_clock_moves "the clock ticks after the change"
written_at_most "$start_at" 600 "change, one new reading and the clock"
no_clear "$start_at" "after a change"

# The same reading again (a commit that changes nothing on screen): the
# kiosk reloads, and sends nothing but the clock.
wait_clock_moves "the clock ticks"
start_at=$(size)
run "$BOARDPACK" --db "$DB" record 1.1.2 12.3 --period 2024-03
expect_status 0 "the writer records the same value"
wait_clock_moves "the clock ticks after the reload"
wait_clock_moves "and again"
written_at_most "$start_at" 250 "unchanged reload, 2 clock ticks"

# Stepping to the next aim draws it over the old one, without a clear.
start_at=$(size)
keys Right
wait_for "Aim 2 of 4" "Right steps to aim 2"
wait_line '\[G\] 2\.1\.2 ' "aim 2 is drawn"
no_clear "$start_at" "stepping to another aim"

kill -TERM "$PID"
wait_exit "SIGTERM ends the kiosk"
expect_equal "$STATUS" "0" "exit status"
finish
