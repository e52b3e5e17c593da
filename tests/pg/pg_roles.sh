#!/usr/bin/env bash
# pg_roles.sh — the editor and viewer roles of docs/deployment.md, enforced
# by the server. The roles are made by running the document's own SQL
# blocks through psql, as it says (as the superuser, on the postgres
# database; the people's block without its interactive \password lines:
# this server trusts its socket). The owner runs init; a viewer reads, and
# every write of theirs is refused — by the server when they do not ask for
# --read-only (one sentence, non-zero status, nothing written), by our gate
# when they do, and by the server again when the store's write functions
# are called directly past the gate (tests/pg/viewer_write.c), and through
# psql. An editor writes, and cannot change the tables' shape.
. "$SOURCE_ROOT/tests/pg/pg_cli_lib.sh"
: "${VIEWER_WRITE:?set VIEWER_WRITE to tests/pg/viewer_write (meson does)}"

doc=$SOURCE_ROOT/docs/deployment.md
# sql_block TEXT: the document's ```sql block that holds TEXT.
sql_block() {
  awk -v want="$1" '
    /^```sql$/ { inside = 1; block = ""; next }
    /^```$/ && inside { inside = 0; if (index(block, want)) { printf "%s", block; exit } next }
    inside { block = block $0 "\n" }
  ' "$doc"
}
sql_block "CREATE ROLE boardpack_owner LOGIN;" >"$WORK/roles.sql"
sql_block "CREATE ROLE jsmith LOGIN IN ROLE boardpack_editor;" | grep -v '^\\password ' >"$WORK/people.sql"
grep -q 'GRANT SELECT ON TABLES TO boardpack_viewer' "$WORK/roles.sql" && pass ||
  fatal "the roles' SQL not found in docs/deployment.md: $(cat "$WORK/roles.sql")"
grep -q 'boardroom_kiosk' "$WORK/people.sql" && pass ||
  fatal "the people's SQL not found in docs/deployment.md: $(cat "$WORK/people.sql")"

admin_postgres=$(pg_uri "$PGDIR" postgres)
run "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin_postgres" -f "$WORK/roles.sql"
expect_status 0 "docs/deployment.md's roles SQL runs as documented (superuser, postgres database)"
expect_equal "$ERR" "" "the roles SQL: no error or warning"
run "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin_postgres" -f "$WORK/people.sql"
expect_status 0 "docs/deployment.md's people SQL runs"
[ "$STATUS" -eq 0 ] || fatal "cannot go on without the roles"

admin=$(pg_uri "$PGDIR" boardpack)
owner=$(pg_role_uri boardpack boardpack_owner)
editor=$(pg_role_uri boardpack jsmith)
viewer=$(pg_role_uri boardpack boardroom_kiosk)
expect_equal "$(pgsql "$admin" "SELECT pg_has_role('jsmith', 'boardpack_editor', 'member')::text || ' ' || pg_has_role('boardroom_kiosk', 'boardpack_viewer', 'member')::text || ' ' || pg_has_role('boardroom_kiosk', 'boardpack_editor', 'member')::text")" \
  "true true false" "jsmith is an editor, boardroom_kiosk a viewer only"

# The owner creates the store (init, as the document says, after the roles).
run "$BOARDPACK" --db "$owner" init --sample
expect_status 0 "init as the owner"
expect_err_contains 'Created the store postgresql database "boardpack"' "init as the owner says so"
expect_equal "$(pgsql "$admin" "SELECT tableowner FROM pg_tables WHERE tablename = 'readings'")" \
  "boardpack_owner" "the owner owns the tables"

counts() { pgsql "$admin" "SELECT (SELECT count(*) FROM audit) || ' ' || (SELECT count(*) FROM readings) || ' ' || (SELECT version FROM boardpack_changes) || ' ' || (SELECT count(*) FROM publications)"; }

# ---- The viewer -------------------------------------------------------------
run "$BOARDPACK" --db "$viewer" report
expect_status 0 "a viewer: report"
expect_out_contains "Year One Breakthrough Objectives for 2023/24" "a viewer: the report shows the board"
run "$BOARDPACK" --db "$viewer" export --format csv
expect_status 0 "a viewer: export"
run "$BOARDPACK" --db "$viewer" --read-only report
expect_status 0 "a viewer: --read-only report"
run "$BOARDPACK" --db "$viewer" month
expect_status 0 "a viewer: month"

before=$(counts)
run "$BOARDPACK" --db "$viewer" record 1.1.2 70 --period 2024-03
[ "$STATUS" -ne 0 ] && pass || fail "a viewer's record succeeded"
expect_equal "$(printf '%s\n' "$ERR" | wc -l)" "1" "a viewer's record: one line"
expect_err_contains 'The store postgresql database "boardpack" is read-only for this account' \
  "a viewer's record: says the store is read-only for them"
expect_err_contains "the server refused: permission denied" "a viewer's record: the server's refusal"
case $ERR in
  *.) pass ;;
  *) fail "a viewer's record: the sentence ends in a full stop" ;;
esac
case $ERR in
  *host=* | *"$PGDIR"* | *INSERT* | *SELECT*) fail "a viewer's record: shows the URI or SQL" ;;
  *) pass ;;
esac
expect_equal "$OUT" "" "a viewer's record: nothing on stdout"
expect_equal "$(counts)" "$before" "a viewer's record: nothing written (audit, readings, change count)"
viewer_record_status=$STATUS

for args in "month open 2024-04" "delete 1.1.2 --period 2024-03 --reason because" \
            "edit 1.1 title Changed" "import --board nlmhp-2023-24 $WORK/feed.csv"; do
  printf 'metric,period,value\n1.1.2,2024-03,71\n' >"$WORK/feed.csv"
  # shellcheck disable=SC2086
  run "$BOARDPACK" --db "$viewer" $args
  [ "$STATUS" -ne 0 ] && pass || fail "a viewer's $args succeeded"
  expect_err_contains "the server refused: permission denied" "a viewer's $args: the server's refusal"
  expect_equal "$(counts)" "$before" "a viewer's $args: nothing written"
done

# The browser asks the server whether this login may write: a viewer's
# opens READ-ONLY by itself and says why; an editor's opens EDIT.
expect_browser_mode "$viewer" READ-ONLY "a viewer's browser"
expect_browser_mode "$editor" EDIT "an editor's browser"

# --read-only: our gate refuses before the server is asked to write.
run "$BOARDPACK" --db "$viewer" --read-only record 1.1.2 70 --period 2024-03
[ "$STATUS" -ne 0 ] && pass || fail "a viewer's --read-only record succeeded"
expect_equal "$(printf '%s\n' "$ERR" | wc -l)" "1" "--read-only record: one line"
case $ERR in
  *"server refused"*) fail "--read-only record: not refused by our gate; it reached the server (src/app/main.c: the write commands ignore --read-only): $ERR" ;;
  *) pass ;;
esac
expect_err_contains 'postgresql database "boardpack"' "--read-only record: names the store (not its URI)"
expect_equal "$(counts)" "$before" "--read-only record: nothing written"

# Past the gate: the store's write functions called directly, as a viewer.
run "$VIEWER_WRITE" "$viewer" nlmhp-2023-24 1.1.2
expect_status 0 "the server refuses a viewer's direct writes (viewer_write)"
expect_out_contains "put_reading: refused: " "store_put_reading: refused"
expect_out_contains "add_audit: refused: " "store_add_audit: refused"
expect_out_contains "(the server refused: permission denied for table readings)." \
  "store_put_reading: the server names the table"
expect_out_contains "(the server refused: permission denied for table audit)." \
  "store_add_audit: the server names the table"
expect_equal "$(counts)" "$before" "viewer_write: nothing written"
# viewer_write must fail when a write goes through: as the editor it does.
run "$VIEWER_WRITE" "$editor" nlmhp-2023-24 1.1.2
expect_status 1 "viewer_write as an editor: the writes go through (and are rolled back)"
expect_out_contains "put_reading: NOT refused" "viewer_write as an editor: put_reading not refused"
expect_equal "$(counts)" "$before" "viewer_write as an editor: rolled back, nothing kept"

# And any program: psql as the viewer.
run "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$viewer" \
  -c "INSERT INTO audit (at, who, action, board_code) VALUES ('x', 'x', 'x', 'x')"
[ "$STATUS" -ne 0 ] && pass || fail "psql as the viewer: INSERT into audit succeeded"
expect_err_contains "permission denied for table audit" "psql as the viewer: INSERT refused"
run "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$viewer" -c "UPDATE readings SET value = 0"
expect_err_contains "permission denied for table readings" "psql as the viewer: UPDATE refused"
run "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$viewer" -c "DELETE FROM audit"
expect_err_contains "permission denied for table audit" "psql as the viewer: DELETE refused"
expect_equal "$(counts)" "$before" "psql as the viewer: nothing written"

# ---- The editor ---------------------------------------------------------------
run "$BOARDPACK" --db "$editor" record 1.1.2 70 --period 2024-03
expect_status 0 "an editor: record"
expect_out_contains "Recorded 1.1.2 2024-03 = 70 (was " "an editor: record says so"
read -r audit_before readings_before version_before publications_before <<<"$before"
read -r audit_after readings_after version_after publications_after <<<"$(counts)"
expect_equal "$audit_after $readings_after $publications_after" \
  "$((audit_before + 1)) $readings_before $publications_before" "an editor's record: one audit row, the reading replaced"
[ "$version_after" -gt "$version_before" ] && pass || fail "an editor's record moves the change count"
expect_equal "$(pgsql "$admin" "SELECT r.value FROM readings r JOIN metrics m ON m.id = r.metric_id WHERE m.code = '1.1.2' AND r.period = '2024-03' AND r.segment = ''")" \
  "70" "an editor's reading is stored"
run "$BOARDPACK" --db "$editor" record 2.1.2 55 --period 2024-04 --segment Barnet
expect_status 0 "an editor: a new reading (a new row, its identity)"
run "$BOARDPACK" --db "$editor" month open 2024-04
expect_status 0 "an editor: month open"
run "$BOARDPACK" --db "$editor" import --board nlmhp-2023-24 "$WORK/feed.csv"
expect_status 0 "an editor: a CSV feed"
run "$BOARDPACK" --db "$editor" edit 1.1 title "Changed by an editor"
expect_status 0 "an editor: edit"
run "$BOARDPACK" --db "$editor" month publish 2024-04
expect_status 0 "an editor: month publish"
run "$BOARDPACK" --db "$editor" delete 2.1.2 --period 2024-04 --segment Barnet --reason "a test"
expect_status 0 "an editor: delete (a correction of a published month, with its reason)"
run "$BOARDPACK" --db "$editor" init
expect_status 73 "an editor: init on the store is refused (it holds boards)"
# An editor who asks for --read-only writes nothing either: the gate.
before=$(counts)
run "$BOARDPACK" --db "$editor" --read-only record 1.1.2 71 --period 2024-03 --reason "read-only test"
[ "$STATUS" -ne 0 ] && pass ||
  fail "an editor's --read-only record wrote (src/app/main.c: the write commands ignore --read-only)"
expect_equal "$(counts)" "$before" "an editor's --read-only record: nothing written"

# The viewer sees the editor's changes.
run "$BOARDPACK" --db "$viewer" report --draft --format csv
expect_status 0 "a viewer: the report after the editor's changes"
expect_out_contains "objective,1.1,Changed by an editor," "a viewer sees the editor's edit"
run "$BOARDPACK" --db "$viewer" month
expect_out_contains "Last published: Apr 2024" "a viewer sees the editor's publication"

# The editor changes rows, not the tables' shape (docs/deployment.md).
for statement in "CREATE TABLE mine (id INTEGER)" "TRUNCATE readings" "DROP TABLE audit" \
                 "ALTER TABLE readings ADD COLUMN x INTEGER"; do
  run "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$editor" -c "$statement"
  [ "$STATUS" -ne 0 ] && pass || fail "an editor could run: $statement"
  case $ERR in
    *"permission denied"* | *"must be owner of table"*) pass ;;
    *) fail "an editor's $statement: not the server's refusal" ;;
  esac
done
expect_equal "$(pgsql "$admin" "SELECT count(*) FROM pg_tables WHERE tablename = 'mine'")" "0" \
  "no table created by the editor"
[ "$(pgsql "$admin" "SELECT count(*) FROM readings")" -gt 0 ] && pass || fail "the readings survived"

# The viewer's failed record left nothing behind: no lock, no open
# transaction; the editor's record went through after it.
[ "$viewer_record_status" -ne 0 ] && pass || fail "the viewer's record"
finish
