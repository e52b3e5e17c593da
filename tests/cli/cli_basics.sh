#!/usr/bin/env bash
# Help, version, usage errors, the store's default location and first-run
# seeding.
. "$(dirname "$0")/lib.sh"

run "$BOARDPACK" --help
expect_status 0 "--help"
expect_out_contains "boardpack [--db PATH] import [--dry-run] [--board CODE] FILE..." "--help lists import"
expect_out_contains "record CODE VALUE [--period YYYY-MM] [--segment NAME] [--note TEXT]" "--help lists record"

run "$BOARDPACK" --version
expect_status 0 "--version"
expect_out_contains "boardpack 0." "--version"

run "$BOARDPACK" --frobnicate
expect_status 2 "unknown option"
expect_err_contains "boardpack: unknown option --frobnicate." "unknown option message"

run "$BOARDPACK" frobnicate
expect_status 2 "unknown command"
expect_err_contains "unknown command 'frobnicate'" "unknown command message"

run "$BOARDPACK" report --format pdf
expect_status 2 "bad report format"
run "$BOARDPACK" report --as-of 2024-13
expect_status 2 "bad --as-of"
expect_err_contains "--as-of needs a month written YYYY-MM, not '2024-13'." "bad --as-of message"
# A PostgreSQL location with no server behind it fails in one sentence (without repeating the
# URI, which may hold a password) and nothing is created for it.
cd "$WORK" || exit 1
for location in 'postgresql://manager:secret@localhost/board' 'postgres://h/db' 'service=board'; do
  run "$BOARDPACK" --db "$location" report --format csv
  expect_status 66 "$location: no server there"
  expect_err_contains "Cannot open the PostgreSQL store: " "$location: one sentence"
  case $ERR in *secret*) fail "the password is repeated" ;; *) pass ;; esac
done
expect_equal "$(ls "$WORK" | grep -c -e '^postgres' -e '^service')" "0" "nothing is created for them"
cd - >/dev/null || exit 1
run "$BOARDPACK" --kiosk --cycle 0
expect_status 2 "bad --cycle"
run "$BOARDPACK" --db
expect_status 2 "--db without a value"
expect_err_contains "option --db needs a value." "--db without a value"

# None of the usage errors created a store.
expect_file_absent "$XDG_DATA_HOME/boardpack/boardpack.db" "usage errors write nothing"

# Only the interactive browser's first run on the default store creates it:
# a report, a browser with no terminal, --read-only and the kiosk say there
# is none and create nothing.
run "$BOARDPACK" report
expect_status 66 "report on a missing default store"
expect_err_equals "There is no store at $XDG_DATA_HOME/boardpack/boardpack.db; create one with boardpack init --sample, or import a board file." \
  "report on a missing default store: one sentence"
run "$BOARDPACK" --first-frame
expect_status 66 "a browser with no terminal on a missing default store"
in_terminal "$BOARDPACK" --read-only --first-frame
expect_status 66 "--read-only on a missing default store"
in_terminal "$BOARDPACK" --kiosk --first-frame
expect_status 66 "the kiosk on a missing default store"
expect_file_absent "$XDG_DATA_HOME/boardpack" "nothing is created for them, not even the folder"

# The browser's first run creates the default store with the bundled boards
# and the sample readings, privately, and says SAMPLE DATA.
in_terminal "$BOARDPACK" --first-frame
expect_status 0 "first run of the browser"
expect_out_contains "SAMPLE DATA" "first run's header says SAMPLE DATA"
run "$BOARDPACK" report
expect_status 0 "first report"
expect_out_contains "SAMPLE DATA" "first report shows sample data"
expect_out_contains "Year One Breakthrough Objectives" "first report shows the 2023/24 board"
store="$XDG_DATA_HOME/boardpack/boardpack.db"
if [ -f "$store" ]; then pass; else fail "store created under XDG_DATA_HOME"; fi
expect_equal "$(stat -c %a "$store")" "600" "store permissions"
expect_equal "$(stat -c %a "$XDG_DATA_HOME/boardpack")" "700" "store folder permissions"
expect_equal "$(sql "$store" 'SELECT count(*) FROM boards')" "4" "four bundled boards"
expect_equal "$(sql "$store" "SELECT group_concat(code, ' ') FROM (SELECT code FROM boards ORDER BY id)")" \
  "nlmhp-2023-24 nlft-2024-25 beh-2021-22 nlmhp-medium-long-term" "bundled board codes"
if [ "$(sql "$store" 'SELECT count(*) FROM readings WHERE sample = 1')" -gt 100 ]; then pass; else fail "sample readings seeded"; fi
expect_equal "$(sql "$store" 'PRAGMA user_version')" "8" "schema version"
expect_equal "$(sql "$store" 'PRAGMA integrity_check')" "ok" "integrity"
ls "$XDG_DATA_HOME/boardpack" | grep -q '\.new-' && fail "no seeding leftovers" || pass

# A schema 1 store (before metric_latest and the kept statuses) is upgraded on the first
# read-write open, and reports the same as before; a read-only open says it
# needs upgrading instead of guessing.
old_store="$WORK/v1.db"
cp "$store" "$old_store"
sqlite3 "$old_store" "DROP TABLE publication_statuses; DROP TABLE revisions; DROP TABLE publications; ALTER TABLE boards DROP COLUMN open_month; DROP TABLE metric_latest; DROP TABLE node_status; DROP TABLE board_status; DROP INDEX nodes_by_parent_in_order; ALTER TABLE boards DROP COLUMN spc_conflict; ALTER TABLE metrics DROP COLUMN spc_conflict; DROP TABLE metric_segments; ALTER TABLE nodes DROP COLUMN retired; ALTER TABLE metrics DROP COLUMN retired; PRAGMA user_version = 1;"
# (The text report: the write below makes 1.1.2's reading the trust's, so
# the CSV's sample column changes for it.)
report_v2=$("$BOARDPACK" --db "$store" report)
run "$BOARDPACK" --db "$old_store" --read-only --first-frame
expect_err_contains "needs upgrading (schema 1 to 8)" "read-only open of an old store"
run "$BOARDPACK" --db "$old_store" record 1.1.2 85.6 --period 2024-03
expect_status 0 "a write upgrades an old store"
expect_equal "$(sql "$old_store" 'PRAGMA user_version')" "8" "upgraded to schema 8"
expect_equal "$(sql "$old_store" 'SELECT count(*) FROM node_status')" "$(sql "$old_store" 'SELECT count(*) FROM nodes')" \
  "node_status filled for every node"
expect_equal "$(sql "$old_store" 'SELECT count(*) FROM board_status')" "4" "board_status filled for every board"
expect_equal "$(sql "$old_store" 'SELECT count(*) FROM metric_latest')" "$(sql "$old_store" 'SELECT count(*) FROM metrics')" \
  "metric_latest filled for every metric"
expect_equal "$("$BOARDPACK" --db "$old_store" report)" "$report_v2" "same report after the upgrade"

# Without XDG_DATA_HOME the store goes under ~/.local/share.
(unset XDG_DATA_HOME; in_terminal "$BOARDPACK" --first-frame; [ -f "$HOME/.local/share/boardpack/boardpack.db" ]) \
  && pass || fail "store under ~/.local/share"

# $BOARDPACK_DB beats XDG, and --db beats $BOARDPACK_DB; a store named
# either way is never seeded by the browser, only by init.
BOARDPACK_DB="$WORK/env.db" in_terminal "$BOARDPACK" --first-frame
expect_status 66 "the browser does not seed a store named by BOARDPACK_DB"
expect_file_absent "$WORK/env.db" "the browser creates nothing at BOARDPACK_DB"
BOARDPACK_DB="$WORK/env.db" run "$BOARDPACK" init --sample
expect_status 0 "BOARDPACK_DB init"
[ -f "$WORK/env.db" ] && pass || fail "BOARDPACK_DB used"
BOARDPACK_DB="$WORK/env.db" run "$BOARDPACK" --db "$WORK/flag.db" init
[ -f "$WORK/flag.db" ] && pass || fail "--db beats BOARDPACK_DB"

# Another board by --board; a board that is not there.
seed_store
run "$BOARDPACK" --db "$DB" report --board beh-2021-22
expect_status 0 "report on another board"
expect_out_contains "Excellence for service users" "BEH board"
run "$BOARDPACK" --db "$DB" report --board nope
expect_status 65 "unknown board"
expect_err_contains "There is no board 'nope' in the store" "unknown board message"

# Export and record need a store that exists.
run "$BOARDPACK" --db "$WORK/absent.db" export
expect_status 66 "export without a store"
expect_err_contains "There is no store at $WORK/absent.db" "export without a store message"
expect_file_absent "$WORK/absent.db" "export creates nothing"

finish
