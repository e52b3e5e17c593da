#!/usr/bin/env bash
# Memory stays flat over a long simulated run: the kiosk cycles every second
# while another process records readings without pause (so it reloads at
# every poll),
# keys step it back and forth (each a new frame) and the terminal changes
# size; then the store is unreadable for a long spell, retried at every
# poll. Resident memory at the end is compared with that after a warm-up (a
# third of the run, while SQLite's page cache fills); a 4-minute run of the
# same churn levels off within about 100 kB. MEMORY_SECONDS sets the length
# (default 30), SLACK_KB the growth allowed (default 384). Under
# AddressSanitizer, whose quarantine grows resident memory by design, the
# comparison is skipped and LeakSanitizer checks the exit instead.
. "$(dirname "$0")/kiosk_lib.sh"
seed_store
SLACK_KB=${SLACK_KB:-384}
seconds=${MEMORY_SECONDS:-30}

start 100 30 --kiosk --cycle 1
kiosk_pid
wait_line "Aim [0-9] of 4" "the kiosk is up"

records=0
frames=0
rounds=0
# churn UNTIL: records, steps and resizes until SECONDS reaches UNTIL.
churn() {
  local until=$1 value
  while [ $SECONDS -lt "$until" ]; do
    value="$((RANDOM % 100)).$((RANDOM % 10))"
    # The writer is only the means; the count of its successes is checked below.
    "$BOARDPACK" --db "$DB" record 1.1.2 "$value" --period 2024-03 >/dev/null 2>&1 &&
      records=$((records + 1))
    keys Right Left Right Right Left Down Up NPage PPage Left
    frames=$((frames + 10))
    rounds=$((rounds + 1))
    if [ $((rounds % 10)) -eq 0 ]; then resize 80 24; else resize 100 30; fi
  done
}

warmup=$((seconds / 3))
churn $((SECONDS + warmup))
early=$(rss_kb)
churn $((SECONDS + seconds - warmup))
# A loaded machine (a sanitised build beside other jobs) records fewer in
# the time: churn on, up to twice as long again, until the kiosk has seen
# the 100 reloads the measurement needs.
give_up=$((SECONDS + 2 * seconds))
while [ "$records" -lt 100 ] && [ $SECONDS -lt "$give_up" ]; do
  churn $((SECONDS + 5))
done
late=$(rss_kb)
resize 100 30
echo "memory: VmRSS ${early} kB after ${warmup} s, ${late} kB after ${seconds} s;" \
  "$records readings recorded, $frames step keys"

if [ "$records" -ge 100 ]; then pass; else fail "only $records readings were recorded"; fi
expect_running "after the long run"
wait_clock_moves "the kiosk still ticks"
if is_sanitized; then
  echo "memory: AddressSanitizer build; resident memory not compared"
  pass
elif [ "$late" -le $((early + SLACK_KB)) ]; then
  pass
else
  fail "resident memory grew from $early kB to $late kB (more than $SLACK_KB kB)"
fi

# A long spell with the store unreadable: every poll (twice a second)
# retries, opening the store afresh, and fails: first with no file at all,
# then with a file that is not a store (SQLite opens it before refusing it);
# on PostgreSQL, with the schema renamed (a new connection each time), then
# a schema of its name that is not a store (kiosk_lib.sh's store_away).
# Neither file descriptors nor memory pile up, and it recovers.
spell=$((seconds / 3 > 4 ? seconds / 3 : 4))
fds_before=$(ls "/proc/$PID/fd" | wc -l)
rss_before=$(rss_kb)
store_away
wait_for "Store unreadable since" "the store moved away"
until=$((SECONDS + spell))
while [ $SECONDS -lt "$until" ]; do keys Right; sleep 0.5; done
store_junk
# (SQLite's sentence wraps at 100 columns before "boardpack store".)
wait_for "${NOT_A_STORE% boardpack store}" "a damaged file in its place"
until=$((SECONDS + spell))
while [ $SECONDS -lt "$until" ]; do keys Left; sleep 0.5; done
fds_during=$(ls "/proc/$PID/fd" | wc -l)
rss_after=$(rss_kb)
store_back
wait_gone "Store unreadable" "recovers after the long spell"
echo "unreadable for $((2 * spell)) s (about $((4 * spell)) retries): VmRSS ${rss_before} kB" \
  "before, ${rss_after} kB after; ${fds_before} file descriptors before, ${fds_during} during"
if [ "$fds_during" -le "$fds_before" ]; then pass; else
  fail "file descriptors grew from $fds_before to $fds_during while retrying"; fi
if is_sanitized || [ "$rss_after" -le $((rss_before + SLACK_KB)) ]; then pass; else
  fail "resident memory grew from $rss_before kB to $rss_after kB while retrying"; fi
expect_running "after the long spell"

kill -TERM "$PID"
wait_exit "SIGTERM ends the kiosk"
expect_equal "$STATUS" "0" "exit status (under the sanitizers: no leaks)"
finish
