#!/usr/bin/env bash
# cli_pack.sh — boardpack pack: one self-contained HTML file, to standard
# output or through a temporary file renamed into place; the same month
# gives the same bytes; --month; errors.
. "$(dirname "$0")/lib.sh"

run "$BOARDPACK" --db "$DB" init --sample
expect_status 0 "init --sample"

export BOARDPACK_PACK_MADE_AT="2024-04-05 09:00 UTC"
run "$BOARDPACK" --db "$DB" pack
expect_status 0 "pack to standard output"
expect_out_contains "<!DOCTYPE html>" "pack is HTML"
expect_out_contains "@page { size: A4 landscape" "pack has the print style sheet"
expect_out_contains "Year One Breakthrough Objectives for 2023/24" "pack names the board"
expect_out_contains "PROVISIONAL" "nothing published: the working figures are provisional"
expect_out_contains '<p class="sample-banner">SAMPLE DATA</p>' "sample readings say SAMPLE DATA"
expect_out_contains "Made at</dt><dd>2024-04-05 09:00 UTC" "made-at from the environment"
# (as boardpack names it: a PostgreSQL store by its database; HTML-escaped)
expect_out_contains "<dd class=\"code\">$(store_label | sed 's/&/\&amp;/g; s/"/\&quot;/g; s/</\&lt;/g; s/>/\&gt;/g')</dd>" \
  "the cover names the store"
expect_out_contains 'href="#d-2.1.2"' "exceptions link to their page"
expect_out_contains '<svg class="chart" role="img"' "charts are inline SVG"
if printf '%s' "$OUT" | grep -qiE '<script|<link|src="http|href="http'; then
  fail "the pack loads or runs something"
else pass; fi
count=$(printf '%s' "$OUT" | grep -c '<section class="deliverable"')
expect_equal "$count" "34" "a section per deliverable of the 2023/24 board"

# Byte for byte: two runs, and --output, give the same file.
"$BOARDPACK" --db "$DB" pack >"$WORK/first.html" 2>/dev/null
"$BOARDPACK" --db "$DB" pack >"$WORK/second.html" 2>/dev/null
if cmp -s "$WORK/first.html" "$WORK/second.html"; then pass; else
  fail "two packs of the same month differ"; fi
run "$BOARDPACK" --db "$DB" pack --output "$WORK/out.html"
expect_status 0 "pack --output"
expect_equal "$OUT" "" "pack --output writes nothing to standard output"
if cmp -s "$WORK/first.html" "$WORK/out.html"; then pass; else
  fail "pack --output differs from standard output"; fi
leftovers=$(find "$WORK" -name 'out.html.tmp-*' | wc -l)
expect_equal "$leftovers" "0" "no temporary file left behind"
unset BOARDPACK_PACK_MADE_AT
"$BOARDPACK" --db "$DB" pack --made-at "fixed" >"$WORK/a.html"
"$BOARDPACK" --db "$DB" pack --made-at "fixed" >"$WORK/b.html"
if cmp -s "$WORK/a.html" "$WORK/b.html"; then pass; else fail "--made-at does not fix the pack"; fi

# --output replaces a file whole.
echo "old" >"$WORK/old.html"
run "$BOARDPACK" --db "$DB" pack --output "$WORK/old.html"
expect_status 0 "pack --output over a file"
if grep -q '^old$' "$WORK/old.html"; then fail "the old file survived"; else pass; fi

# A given month.
run "$BOARDPACK" --db "$DB" pack --month 2023-10
expect_status 0 "pack --month"
expect_out_contains '<p class="month">Oct 2023</p>' "pack --month shows that month"

# Errors.
run "$BOARDPACK" --db "$DB" pack --month 2023-13
expect_status 2 "pack --month bad"
expect_err_contains "--month needs a month written YYYY-MM" "pack --month bad says why"
run "$BOARDPACK" --db "$DB" pack extra
expect_status 2 "pack with an argument"
run "$BOARDPACK" --db "$DB" pack --output "$WORK/no/such/folder/pack.html"
expect_status 73 "pack --output into no folder"
expect_err_contains "Cannot write" "pack --output into no folder says why"
run "$BOARDPACK" --db "$WORK/none.db" pack
expect_status 66 "pack of no store"
run "$BOARDPACK" --db "$DB" pack --board no-such-board
if [ "$STATUS" -ne 0 ] && [ -n "$ERR" ]; then pass; else
  fail "pack of an unknown board: status $STATUS"; fi

# A published month: PUBLISHED, by whom and when; the same bytes after the
# next month's readings come in; the next month is PROVISIONAL.
PUB="$WORK/published.db"
export BOARDPACK_PACK_MADE_AT="fixed"
"$BOARDPACK" --db "$PUB" init --sample 2>/dev/null
"$BOARDPACK" --db "$PUB" month open 2024-04 >/dev/null 2>&1
"$BOARDPACK" --db "$PUB" record 2.1.2 70.5 >/dev/null 2>&1
run "$BOARDPACK" --db "$PUB" month publish 2024-04
expect_status 0 "month publish 2024-04"
"$BOARDPACK" --db "$PUB" pack >"$WORK/april-1.html"
expect_equal "$(grep -c '<p class="standing">PUBLISHED</p>' "$WORK/april-1.html")" "1" \
  "the pack of a published month says PUBLISHED"
expect_equal "$(grep -c '<p>Published [0-9-]* by ' "$WORK/april-1.html")" "1" \
  "the pack says who published it and when"
"$BOARDPACK" --db "$PUB" month open 2024-05 >/dev/null 2>&1
"$BOARDPACK" --db "$PUB" record 2.1.2 40 >/dev/null 2>&1
"$BOARDPACK" --db "$PUB" pack >"$WORK/april-2.html"
if cmp -s "$WORK/april-1.html" "$WORK/april-2.html"; then pass; else
  fail "the published month's pack changed when May's readings came in"; fi
run "$BOARDPACK" --db "$PUB" pack --month 2024-05
expect_out_contains '<p class="standing">PROVISIONAL</p>' "May's draft is PROVISIONAL"
expect_out_contains 'deteriorated since the last published month' "May's deterioration is an exception"
unset BOARDPACK_PACK_MADE_AT

# A store without sample readings: no SAMPLE DATA.
run "$BOARDPACK" --db "$WORK/plain.db" init
run "$BOARDPACK" --db "$WORK/plain.db" pack
expect_status 0 "pack of a board with no readings"
if printf '%s' "$OUT" | grep -q 'SAMPLE DATA'; then fail "SAMPLE DATA without a sample"; else pass; fi

finish
