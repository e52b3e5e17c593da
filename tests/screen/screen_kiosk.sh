#!/usr/bin/env bash
# Kiosk mode on the bundled 2023/24 board: the room layout (header, clock,
# position, counts, STALE banner), cycling, stepping and pausing, keys and
# signals that must not stop it, resizing, and the ways it may end.
. "$(dirname "$0")/kiosk_lib.sh"
seed_store

# Settings from the environment are checked before the screen starts.
BOARDPACK_KIOSK_STALE_MONTHS=soon run "$BOARDPACK" --db "$DB" --kiosk
expect_status 2 "a bad staleness limit is a usage error"
expect_err_contains "BOARDPACK_KIOSK_STALE_MONTHS must be a whole number of months" \
  "the error names the variable"
BOARDPACK_KIOSK_QUIT=$(printf 'x%.0s' {1..65}) run "$BOARDPACK" --db "$DB" --kiosk
expect_status 2 "an over-long quit sequence is a usage error"
run "$BOARDPACK" --db "$DB" --cycle 5
expect_status 2 "--cycle without --kiosk is a usage error"
expect_err_contains "--cycle applies only to the kiosk" "and says so"
# --help and the man page say what the kiosk does with its settings.
run "$BOARDPACK" --help
expect_out_contains "seconds per aim in kiosk mode, 1 to 86400 (default 20)" "--help: --cycle"
expect_out_contains "it ends on SIGTERM or SIGHUP" "--help: how the kiosk ends"
expect_out_contains "BOARDPACK_KIOSK_QUIT" "--help: the quit sequence"
for setting in BOARDPACK_KIOSK_QUIT BOARDPACK_KIOSK_STALE_MONTHS SIGTERM SIGHUP "default 20"; do
  for doc in docs/boardpack.1 docs/kiosk.md; do
    if grep -qF -- "$setting" "$SOURCE_ROOT/$doc"; then pass; else fail "$doc does not mention $setting"; fi
  done
done
for bad in 0 86401 -3 1.5 ten ""; do
  run "$BOARDPACK" --db "$DB" --kiosk --cycle "$bad"
  expect_status 2 "--cycle '$bad' is refused"
done

# ---- Layout, cycling, stepping, pausing ------------------------------------
start 120 40 --kiosk --cycle 1
kiosk_pid
wait_for "Year One Breakthrough Objectives for 2023/24" "header shows the board title"
wait_for "as at Mar 2024" "header shows the as-at month"
wait_for "SAMPLE DATA" "header flags sample readings"
wait_line '^ Year One.* [0-2][0-9]:[0-5][0-9]:[0-5][0-9] *$' "header ends with an HH:MM:SS clock"
wait_clock_moves "the clock ticks"
wait_line "STALE: the newest reading is for Mar 2024, more than 3 months before" \
  "sample data from 2023/24 is flagged stale (the staleness limit, 3 months by default)"
wait_line "Board  R [0-9]+  A [0-9]+  G [0-9]+  B [0-9]+" "footer shows the board's R/A/G/B counts"

# Cycling: every aim comes round, in order, and back to the first.
wait_for "Aim 2 of 4" "cycles to aim 2"
wait_for "Aim 3 of 4" "cycles to aim 3"
wait_for "Aim 4 of 4" "cycles to aim 4"
wait_for "Aim 1 of 4" "cycles back to aim 1"

# Space pauses: the aim stays while time passes.
keys Space
wait_for "PAUSED" "space pauses"
held=$(aim_shown)
sleep 2.5 # let more than two cycle periods pass
expect_equal "$(aim_shown)" "$held" "paused: the aim does not change"
expect_running "paused"

# While paused, step round to aim 1 and check its content.
for _ in $(seq $(((5 - held) % 4))); do keys Right; done
wait_for "Aim 1 of 4   R 3  A 5  G 2  B 1" "aim 1 with its deliverables' counts"
wait_line '\[R\] Aim 1  We provide consistently high-quality care, closer to home' \
  "the aim's title in full, with its badge"
wait_line '\[A\] 1\.1  We will provide high quality inpatient care in facilities in North London to any' \
  "objective with badge and code"
wait_line '\[A\] 1\.1\.2  We will improve the percentage of positive feedback of patient experience' \
  "deliverable with badge and code"
wait_for "Friends and Family Test (FFT) to the national target of 90%." \
  "a long title is wrapped, not cut, when there is room"
wait_line '85\.6% → 90% *$' "measured deliverable: latest value against target"
wait_line '\[B\] 1\.4\.1 .* complete *$' "milestone deliverable: its status in words"

# Arrows, Up/Down and PgUp/PgDn step while paused, both ways, wrapping.
keys Right
wait_for "Aim 2 of 4" "Right steps forward"
wait_line '\[G\] 2\.1\.2 .*70\.2% → 75% \(stale\) *$' \
  "a metric whose latest reading lags the as-at month is marked stale"
keys Down
wait_for "Aim 3 of 4" "Down steps forward"
keys NPage
wait_for "Aim 4 of 4" "PgDn steps forward"
keys Right
wait_for "Aim 1 of 4" "stepping forward wraps to the first aim"
keys Left
wait_for "Aim 4 of 4" "Left steps back, wrapping to the last aim"
keys Up
wait_for "Aim 3 of 4" "Up steps back"
keys PPage
wait_for "Aim 2 of 4" "PgUp steps back"
wait_for "PAUSED" "stepping keeps the pause"

# Keys that would stop, suspend, quit or change anything do nothing.
keys C-c C-z 'C-\' C-d C-s q Q Escape e u a m c b p / '?' Enter Tab BSpace DC F1 F10
wait_clock_moves "the clock still ticks after Ctrl-C, Ctrl-Z, Ctrl-\\, Ctrl-S, q, Esc, e, u..."
expect_running "after Ctrl-C, Ctrl-Z, Ctrl-\\, q, Esc and editing keys"
wait_for "Aim 2 of 4" "no key but the stepping keys moves the view"
wait_for "PAUSED" "still paused"
wait_gone "Keys (press" "no help overlay"
wait_gone "Read-only" "no editing message"

# The same signals sent with kill are ignored too.
for signal in INT QUIT TSTP PIPE; do
  kill -s "$signal" "$PID"
done
wait_clock_moves "the clock ticks after SIGINT, SIGQUIT, SIGTSTP and SIGPIPE"
expect_running "after SIGINT, SIGQUIT, SIGTSTP and SIGPIPE"

# Space again resumes cycling.
keys Space
wait_gone "PAUSED" "space resumes"
wait_for "Aim 3 of 4" "cycling resumes"

# Resizing down to one cell and back.
for size in "60 12" "29 7" "1 1" "2 2" "200 3" "5 40" "80 24" "120 40"; do
  resize ${size% *} ${size#* }
  sleep 0.1
done
resize 20 5
wait_for "Terminal too small" "a tiny terminal says so"
resize 1 1
sleep 0.3
expect_running "at 1x1"
resize 60 12
wait_line "Aim [0-9] of 4" "a small terminal still shows an aim"
resize 120 40
wait_line "Aim [0-9] of 4   R" "back to full size"
expect_running "after resizing"

# SIGTERM ends it cleanly with status 0.
kill -TERM "$PID"
wait_exit "SIGTERM ends the kiosk"
expect_equal "$STATUS" "0" "exit status after SIGTERM"
stop_session

# ---- SIGHUP, the quit sequence, the time zone, the staleness limit --------
SCREEN_ENV="BOARDPACK_KIOSK_QUIT=QUIT! BOARDPACK_KIOSK_STALE_MONTHS=1200 TZ=Asia/Kolkata" \
  start 100 30 --kiosk
kiosk_pid
wait_for "Aim 1 of 4" "kiosk with a quit sequence"
wait_gone "STALE" "no STALE banner within the configured limit"
expected=$(TZ=Asia/Kolkata date +%H:%M)
shown=$(header_clock)
later=$(TZ=Asia/Kolkata date +%H:%M)
if [ "${shown%:*}" = "$expected" ] || [ "${shown%:*}" = "$later" ]; then pass; else
  fail "the clock follows TZ: shows '$shown', expected '$expected'"; fi
type_text "quit"
type_text "QUIT"
keys Right
type_text "!"
wait_for "Aim 2 of 4" "the sequence must be typed in a row"
expect_running "an interrupted quit sequence does not quit"
type_text "QUI"
wait_clock_moves "still running with part of the sequence typed"
expect_running "part of the quit sequence"
type_text "T!"
wait_exit "the quit sequence ends the kiosk"
expect_equal "$STATUS" "0" "exit status after the quit sequence"
stop_session

started=$(date +%s%N)
start 80 24 --kiosk
kiosk_pid
wait_for "Aim 1 of 4" "kiosk for SIGHUP"
type_text "QUIT!"
wait_clock_moves "with no quit sequence configured, no keys quit"
expect_running "no quit sequence configured"
# With no --cycle, an aim stays 20 seconds.
SCREEN_TIMEOUT=30 wait_for "Aim 2 of 4" "the default cycle moves on"
elapsed=$((($(date +%s%N) - started) / 1000000))
echo "default cycle: aim 2 after ${elapsed} ms"
if [ "$elapsed" -ge 19500 ] && [ "$elapsed" -le 22000 ]; then pass; else
  fail "the default cycle took ${elapsed} ms, not 20 s"; fi
kill -HUP "$PID"
wait_exit "SIGHUP ends the kiosk"
expect_equal "$STATUS" "0" "exit status after SIGHUP"
finish
