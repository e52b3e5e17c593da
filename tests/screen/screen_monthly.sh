#!/usr/bin/env bash
# The monthly update: every 2023/24 metric gets next month's reading from the
# keyboard without leaving the tree (/ to find the row, a to add, Enter), and
# the statuses, roll-ups and audit log follow each change.
. "$(dirname "$0")/lib.sh"
seed_store
me=$(id -un)
metrics=$(sql "$DB" "SELECT m.code || ' ' || n.code FROM metrics m JOIN nodes n ON n.id = m.deliverable_id
                     JOIN boards b ON b.id = m.board_id WHERE b.code = 'nlmhp-2023-24'
                     ORDER BY n.tree_order, m.position")
count=$(printf '%s\n' "$metrics" | wc -l)
expect_equal "$count" "15" "the 2023/24 board has 15 metrics"
audits=$(sql "$DB" "SELECT count(*) FROM audit")

start 120 40
wait_for "[A] 1.1 We will" "browser up"
previous_deliverable=""
while read -r metric deliverable; do
  next=$(sql "$DB" "SELECT max(r.period) FROM readings r JOIN metrics m ON m.id = r.metric_id
                    WHERE m.code = '$metric' AND r.segment = ''")
  next=$(date -u -d "$next-01 +1 month" +%Y-%m)
  if [ "$deliverable" = "$previous_deliverable" ]; then
    keys j            # the deliverable's next metric, one row down
  else
    keys /; type_text "$deliverable"; keys Enter
  fi
  previous_deliverable=$deliverable
  keys a
  wait_for "new (YYYY-MM value): $next" "$metric: a proposes $next"
  type_text "42"; keys Enter
  wait_for "Recorded $metric $next = 42." "$metric: recorded for $next"
done <<<"$metrics"
expect_equal "$(sql "$DB" "SELECT count(*) FROM audit")" "$((audits + 15))" "15 audited changes"
expect_equal "$(sql "$DB" "SELECT count(DISTINCT node_code) FROM audit WHERE who = '$me' AND action = 'record-reading'")" \
  "15" "each metric's change is in the audit log under the user's name"
# 42% is far below every percentage target: the statuses followed.
keys g
wait_line '\[R\] 1\.1\.2 .* 42% → 90%' "1.1.2 turned red at once"
wait_for "as at Apr 2024" "the board moved on to April"
keys q
wait_exit
# And the report agrees with what the screen showed.
report=$("$BOARDPACK" --db "$DB" report --format csv | tr -d '\r')
if printf '%s\n' "$report" | grep -q '^deliverable,1.1.2,.*,R,42,90,2024-04,'; then pass; else
  fail "report shows 1.1.2 at 42 for 2024-04"; fi
finish
