#!/usr/bin/env bash
# The month from the browser: open April 2024 (O), enter two readings with a
# and see the header's "N of M updated" rise (c and m write to it too),
# see what is still missing (M),
# publish it (P); a kiosk started before shows PROVISIONAL, then switches to
# the published month by itself. A correction to the published month asks
# for a reason first: Esc writes nothing, Enter writes it with the reason.
. "$(dirname "$0")/kiosk_lib.sh"
seed_store
reading() { sql "$DB" "SELECT $(sql_g r.value) FROM readings r JOIN metrics m ON m.id = r.metric_id
                       WHERE m.code = '$1' AND r.period = '$2' AND r.segment = ''"; }

# The kiosk runs in a session of its own beside the browser's.
start_kiosk() {
  "${TMUX_CMD[@]}" new-session -d -s kiosk -x 120 -y 30 \
    "env LC_ALL=C.UTF-8 TZ=UTC HOME='$HOME' BOARDPACK_DB='$DB' ${SCREEN_RUNNER:-} \
     $(printf '%q' "$BOARDPACK") --kiosk 2>'$WORK/kiosk-stderr'; sleep 600"
}
kiosk_text() { "${TMUX_CMD[@]}" capture-pane -p -t kiosk; }
kiosk_header_has() { kiosk_text | head -1 | grep -qF -- "$1"; }
kiosk_header_lacks() { ! kiosk_header_has "$1"; }
kiosk_wait_for() { poll "kiosk: $2" kiosk_text kiosk_header_has "$1"; }
kiosk_wait_gone() { poll "kiosk: $2" kiosk_text kiosk_header_lacks "$1"; }
# updated: the N of the header's "Apr 2024: N of M updated".
updated() { screen_text | head -1 | grep -oE 'Apr 2024: [0-9]+ of' | grep -oE '[0-9]+ of' | grep -oE '[0-9]+'; }

start_kiosk
kiosk_wait_for "PROVISIONAL" "nothing is published yet: PROVISIONAL"

start 140 40
wait_for "[A] 1.1 We will" "browser up"
wait_line "^ .*PROVISIONAL  as at Mar 2024  EDIT" "the browser's header says PROVISIONAL"

# Open April: the field proposes the month after the newest.
keys O
wait_for "Open month (YYYY-MM): 2024-04" "O proposes Apr 2024"
keys Enter
wait_line "^ .*Apr 2024: 0 of [0-9]+ updated  PROVISIONAL  as at Apr 2024" "April opened, 0 updated"
total=$(screen_text | head -1 | grep -oE 'of [0-9]+ updated' | grep -oE '[0-9]+')
expect_equal "$(sql "$DB" "SELECT open_month FROM boards WHERE code = 'nlmhp-2023-24'")" "2024-04" \
  "the open month is stored"
wait_for "Awaiting Apr 2024: 11 deliverables not yet updated." "the detail says what aim 1 awaits"

# Two readings with a: it proposes the open month.
keys '*'
wait_line "\] 1\.1\.2 .* awaiting " "deliverables not yet updated say awaiting"
keys / ; type_text "1.1.2"; keys Enter
wait_for "Deliverable 1.1.2" "1.1.2 selected"
keys a
wait_for "new (YYYY-MM value): 2024-04" "a proposes the open month"
type_text "88"; keys Enter
wait_for "Recorded 1.1.2 2024-04 = 88." "first reading recorded"
wait_for "Apr 2024: 1 of $total updated" "the count rises to 1"
keys / ; type_text "3.3.1"; keys Enter
wait_for "Deliverable 3.3.1" "3.3.1 selected"
keys a
wait_for "new (YYYY-MM value): 2024-04" "a proposes the open month again"
type_text "36"; keys Enter
wait_for "Recorded 3.3.1 2024-04 = 36." "second reading recorded"
wait_for "Apr 2024: 2 of $total updated" "the count rises to 2: two fewer missing"
expect_equal "$(reading 1.1.2 2024-04)/$(reading 3.3.1 2024-04)" "88/36" "both readings stored"

# Commentary and a milestone update go to the open month too.
keys c; type_text "Chased the lead for April"; keys Enter
wait_for "Comment added to 3.3.1." "c adds a comment"
expect_equal "$(sql "$DB" "SELECT c.period FROM commentary c JOIN nodes n ON n.id = c.node_id
                           WHERE n.code = '3.3.1' AND c.text = 'Chased the lead for April'")" \
  "2024-04" "the comment is for the open month"
keys / ; type_text "1.1.1"; keys Enter
wait_for "Deliverable 1.1.1" "milestone 1.1.1 selected"
keys m
wait_for "Milestone status" "the milestone picker"
keys Enter
wait_for "Milestone 1.1.1 set to" "m sets the milestone"
expect_equal "$(sql "$DB" "SELECT u.period FROM milestone_updates u JOIN nodes n ON n.id = u.node_id
                           WHERE n.code = '1.1.1' ORDER BY u.id DESC LIMIT 1")" \
  "2024-04" "the milestone update is for the open month"
wait_for "Apr 2024: 3 of $total updated" "the milestone counts as updated"

# M: only what April still awaits; the updated rows are gone.
keys M
wait_for "filter: awaiting Apr 2024" "the missing filter is on"
if screen_text | grep -qE '\] (1\.1\.1|1\.1\.2|3\.3\.1) '; then
  OUT=$(screen_text); fail "the updated deliverables are not listed as missing"
else pass; fi
keys M
wait_for "Showing every status." "M again shows everything"

# The kiosk is still provisional: nothing is published.
if kiosk_header_has "PROVISIONAL"; then pass; else OUT=$(kiosk_text); fail "kiosk still PROVISIONAL"; fi

# Publish April from the browser.
keys P
wait_for "Publish month (YYYY-MM; Enter publishes, Esc cancels): 2024-04" "P proposes the open month"
keys Enter
wait_for "Published Apr 2024: 3 of $total deliverables updated" "published, with its summary"
expect_equal "$(sql "$DB" "SELECT count(*) FROM publications WHERE month = '2024-04'")" "1" \
  "the publication is stored"
SCREEN_TIMEOUT=15 kiosk_wait_for "PUBLISHED" "the kiosk switches to the published month"
kiosk_wait_gone "PROVISIONAL" "the kiosk no longer says PROVISIONAL"
if kiosk_text | head -1 | grep -qF "as at Apr 2024"; then pass; else
  OUT=$(kiosk_text); fail "the kiosk shows Apr 2024"; fi

# A correction to the published month asks why; Esc writes nothing.
keys / ; type_text "1.1.2"; keys Enter
wait_for "Deliverable 1.1.2" "1.1.2 selected again"
keys e
wait_for "Apr 2024: 88" "e edits the April value"
keys C-u; type_text "89"; keys Enter
wait_for "Apr 2024 is published; reason for the correction:" "a reason is asked for"
keys Escape
wait_for "Nothing written: the correction was cancelled." "Esc cancels"
expect_equal "$(reading 1.1.2 2024-04)" "88" "nothing written after Esc"
keys e
wait_for "Apr 2024: 88" "e again"
keys C-u; type_text "89"; keys Enter
wait_for "reason for the correction:" "the reason again"
type_text "the feed was a day short"; keys Enter
wait_for "Recorded 1.1.2 2024-04 = 89 (was 88). A correction, kept with its reason." \
  "the correction is written with its reason"
expect_equal "$(reading 1.1.2 2024-04)" "89" "the corrected value is stored"
SCREEN_TIMEOUT=15 kiosk_wait_for "PUBLISHED, REVISED" "the kiosk says the month was revised"

# A reading that leaves months without one says so; the kiosk keeps
# showing April as published while later figures come in.
keys / ; type_text "3.3.1"; keys Enter
wait_for "Deliverable 3.3.1" "3.3.1 selected again"
keys a C-u; type_text "2024-07 40"; keys Enter
wait_for "Recorded 3.3.1 2024-07 = 40. No readings for May 2024 to Jun 2024." "the gap is said"
wait_line "^ .*PROVISIONAL  as at Jul 2024  EDIT" "the browser's working figures are PROVISIONAL"
# A negative check: the kiosk polls every 500 ms, so it has two seconds to
# (wrongly) move to July; it is looked at every 100 ms meanwhile.
until_seconds=$((SECONDS + 2))
while [ $SECONDS -lt $until_seconds ] && kiosk_text | head -1 | grep -qF "as at Apr 2024"; do
  sleep 0.1
done
if kiosk_text | head -1 | grep -qF "PUBLISHED, REVISED  as at Apr 2024"; then pass; else
  OUT=$(kiosk_text); fail "the kiosk still shows April as published"; fi

# The browser's earlier month (p) shows April as published.
keys p
wait_for "Show the board as at the end of" "the month picker"
keys j j j j Enter
wait_line "^ .*PUBLISHED, REVISED  HISTORY as at Apr 2024  READ-ONLY" "April shows as published in the browser"

keys q
wait_exit
expect_equal "$STATUS" "0" "the browser exits cleanly"
# Read-only: opening and publishing a month are refused at the one gate.
before=$(store_fingerprint "$DB")
stop_tmux
start 140 40 --read-only
wait_for "READ-ONLY" "read-only browser up"
keys O
wait_for "Read-only: open a reporting month" "O refused when read-only"
keys P
wait_for "Read-only: publish a month" "P refused when read-only"
keys q
wait_exit
expect_equal "$(store_fingerprint "$DB")" "$before" "a read-only session changes nothing"
if grep -qE "Sanitizer|runtime error:" "$WORK/kiosk-stderr" 2>/dev/null; then
  ERR=$(head -5 "$WORK/kiosk-stderr"); fail "sanitizer report from the kiosk"
else pass; fi
finish
