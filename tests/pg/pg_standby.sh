#!/usr/bin/env bash
# Kiosks on a hot standby (docs/deployment.md): a primary and a streaming
# standby of it; a kiosk given the standby's URI (`--kiosk --db URI`) shows
# a `record` made on the primary within 1 s of the writer's exit (median of
# 5 writes, the pane read every 20 ms; the figures are printed). The
# standby takes no LISTEN, so the kiosk polls its change count (every
# 200 ms). A record against the standby is refused, in one sentence, and a
# browser on it opens READ-ONLY by itself. Two
# managers then record at once on two connections while the kiosk on the
# standby follows: every write lands and is audited, and the kiosk ends on
# both managers' last values.
# A server that cannot start fails this test; it never skips.
. "$(dirname "$0")/pg_lib.sh"
STANDBY_BAR_MS=${PG_STANDBY_BAR_MS:-1000}

new_server
PRIMARY=$DB
seed_store
[ "$STATUS" -eq 0 ] || fatal "init --sample on the primary failed: $ERR"
pass
STANDBY_DIR=$(pg_tmpdir) || fatal "cannot make a folder for the standby"
PG_DIRS+=("$STANDBY_DIR")
pg_standby "$PG_DIR" "$STANDBY_DIR" >/dev/null || fatal "the standby did not start"
pass
STANDBY=$(pg_uri "$STANDBY_DIR" boardpack) || fatal "no URI for the standby"
expect_equal "$(psql_value "$STANDBY" "SELECT pg_is_in_recovery()")" "t" "the standby is in recovery"

# The kiosk on the standby (lib.sh's start passes DB as BOARDPACK_DB; the
# URI is given with --db too, as a deployment would).
DB=$STANDBY
start 120 40 --kiosk --cycle 3600 --db "$STANDBY"
kiosk_pid
wait_line '1\.1\.2 .*85\.6% → 90% *$' "the kiosk on the standby shows the seeded reading"

figures=()
for value in 41.1 52.2 63.3 74.4 12.3; do
  pattern="1\\.1\\.2 .*${value//./\\.}% → 90% *\$"
  if ms=$(latency test "$pattern" "$BOARDPACK" --db "$PRIMARY" record 1.1.2 "$value" --period 2024-03); then
    pass
    figures+=("$ms")
  else
    OUT=$(screen_text)
    fail "the kiosk on the standby did not show $value recorded on the primary"
  fi
done
if [ "${#figures[@]}" -eq 5 ]; then
  standby_median=$(median "${figures[@]}")
  echo "standby kiosk refresh after a record on the primary (ms, 5 writes): ${figures[*]};" \
    "median ${standby_median} (bar ${STANDBY_BAR_MS})"
  if [ "$standby_median" -le "$STANDBY_BAR_MS" ]; then pass; else
    fail "the standby kiosk's median refresh was ${standby_median} ms, over ${STANDBY_BAR_MS} ms"
  fi
fi
wait_line '\[R\] 1\.1\.2' "the status follows on the standby's kiosk"
expect_running "the kiosk on the standby"

# The standby refuses a write, and says so.
run "$BOARDPACK" --db "$STANDBY" record 1.1.2 99 --period 2024-03
if [ "$STATUS" -ne 0 ]; then pass; else fail "a record on the standby succeeded"; fi
expect_err_contains "read-only" "a record on the standby is refused as read-only"
expect_err_contains "write on the primary" "a record on the standby says where to write"
expect_equal "$(psql_value "$PRIMARY" "SELECT r.value FROM readings r JOIN metrics m ON
  m.id = r.metric_id WHERE m.code = '1.1.2' AND r.period = '2024-03' AND r.segment = ''")" "12.3" \
  "the primary holds the last write"
# A browser pointed at the standby opens READ-ONLY by itself and says why;
# on the primary, EDIT.
expect_browser_mode "$STANDBY" READ-ONLY "a browser on the standby"
expect_browser_mode "$PRIMARY" EDIT "a browser on the primary"

# Two managers on two connections edit the board at once while the kiosk
# on the standby follows them: every write lands, the audit has a row for
# each, and the kiosk ends on both managers' last values.
audit_before=$(psql_value "$PRIMARY" "SELECT count(*) FROM audit")
audit_before_id=$(psql_value "$PRIMARY" "SELECT max(id) FROM audit")
manager() { # manager USER CODE VALUES...
  local who=$1 code=$2
  shift 2
  for value in "$@"; do
    BOARDPACK_USER=$who "$BOARDPACK" --db "$PRIMARY" record "$code" "$value" --period 2024-03 \
      >/dev/null 2>>"$WORK/manager-$who.err" || echo "$code $value" >>"$WORK/manager-$who.failed"
  done
}
manager first 1.1.2 81.1 82.2 83.3 84.4 85.5 86.6 87.7 88.8 &
first=$!
manager second 1.2.1 71.1 72.2 73.3 74.4 75.5 76.6 77.7 79.9 &
second=$!
wait "$first" "$second"
expect_equal "$(cat "$WORK"/manager-*.failed 2>/dev/null)" "" "both managers' writes all succeeded"
expect_equal "$(cat "$WORK"/manager-*.err 2>/dev/null)" "" "the managers' writes print nothing on stderr"
expect_equal "$(psql_value "$PRIMARY" "SELECT count(*) FROM audit") " "$((audit_before + 16)) " \
  "an audit row for every write of the two managers"
expect_equal "$(psql_value "$PRIMARY" "SELECT string_agg(node_code || '=' || n, ' ' ORDER BY
  node_code) FROM (SELECT node_code, count(*) AS n FROM audit WHERE id > $audit_before_id
  GROUP BY node_code) AS q")" "1.1.2=8 1.2.1=8" "eight audit rows for each manager's metric"
wait_line '1\.1\.2 .*88\.8% → 90% *$' "the standby's kiosk shows the first manager's last value"
wait_line '1\.2\.1 .*79\.9% → 80% *$' "the standby's kiosk shows the second manager's last value"

kill -TERM "$PID"
wait_exit "SIGTERM ends the kiosk"
expect_equal "$STATUS" "0" "the kiosk's exit status"
finish
