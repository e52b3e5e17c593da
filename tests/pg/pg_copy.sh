#!/usr/bin/env bash
# boardpack copy moves a whole store between SQLite and PostgreSQL, either
# way, without losing a reading, a comment, a publication or an audit row:
# the bundled store with a month's work on it goes to a throwaway
# PostgreSQL server and back to a new SQLite file, and the file's SQL dump
# holds the original's rows, every one. A copy into a store that
# holds anything is refused and changes nothing; the copied PostgreSQL
# store takes new writes (its identities go on from the copied ids). A
# server that cannot start fails this test; it never skips.
set -u
# shellcheck source=tests/pg/pg_cli_lib.sh
. "$SOURCE_ROOT/tests/pg/pg_cli_lib.sh"
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then pass; else fail "$what"; fi
}

work=$WORK
uri=$(pg_new_db copied) || fatal "createdb failed"
busy=$(pg_new_db busy) || fatal "createdb failed"
psql() { "$PGBIN/psql" -X -A -t -v ON_ERROR_STOP=1 "$@" </dev/null; }

# A store with a month's work: readings, a published month, a correction
# with its reason, commentary, a milestone update, a removal.
original=$work/original.db
"$BOARDPACK" --db "$original" init --sample 2>/dev/null || fatal "init failed"
"$BOARDPACK" --db "$original" month open 2024-04 >/dev/null 2>&1 || fatal "month open failed"
"$BOARDPACK" --db "$original" record 1.1.2 91 --note "April's FFT" >/dev/null 2>&1 ||
  fatal "record failed"
"$BOARDPACK" --db "$original" record 1.2.1 79.5 >/dev/null 2>&1 || fatal "record failed"
"$BOARDPACK" --db "$original" month publish 2024-04 >/dev/null 2>&1 || fatal "publish failed"
"$BOARDPACK" --db "$original" record 1.1.2 90.5 --period 2024-04 \
  --reason "FFT return corrected by the ward" >/dev/null 2>&1 || fatal "correction failed"
"$BOARDPACK" --db "$original" delete 1.2.1 --period 2024-04 --reason "typed in the wrong month" \
  >/dev/null 2>&1 || fatal "delete failed"

out=$("$BOARDPACK" copy --from "$original" --to "$uri" 2>&1)
check "copy to PostgreSQL succeeds ($out)" test $? -eq 0
case $out in
  "Copied $original to postgresql database \"copied\": "*" rows, history and audit included.")
    pass ;;
  *) fail "copy says '$out'" ;;
esac
for command in "export" "report" "report --format csv" "report --draft" "month" \
  "report --as-of 2024-04"; do
  # shellcheck disable=SC2086
  check "'$command' is the same on the copy" \
    cmp -s <("$BOARDPACK" --db "$original" $command 2>&1) <("$BOARDPACK" --db "$uri" $command 2>&1)
done
for table in audit readings commentary milestone_updates publications revisions; do
  lite=$(sqlite3 "$original" "SELECT count(*) FROM $table")
  pg=$(psql "$uri" -c "SELECT count(*) FROM $table")
  check "$table: $lite rows in SQLite, $pg in PostgreSQL" test "$lite" = "$pg"
done
check "the audit has rows" test "$(psql "$uri" -c 'SELECT count(*) FROM audit')" -gt 5

# And back to a new file: the same rows, byte for byte in the dump.
back=$work/back.db
out=$("$BOARDPACK" copy --from "$uri" --to "$back" 2>&1)
check "copy back to SQLite succeeds ($out)" test $? -eq 0
# (sorted: a table keyed by two columns comes back in key order, not in
# the order its rows were first written)
check "the round trip's dump has the original's rows" \
  cmp -s <(sqlite3 "$original" .dump | sort) <(sqlite3 "$back" .dump | sort)
check "the round trip's export is the original's" \
  cmp -s <("$BOARDPACK" --db "$original" export) <("$BOARDPACK" --db "$back" export)
check "the copy is private to its owner" test "$(stat -c %a "$back")" = 600

# Refusals: into a store that holds something, the same store twice, a
# source that is not there; nothing is written.
before=$(sqlite3 "$back" .dump | md5sum)
"$BOARDPACK" copy --from "$uri" --to "$back" >/dev/null 2>"$work/err"
check "copy into a store with data exits 73" test $? -eq 73
check "and says why: $(cat "$work/err")" grep -q "already holds data" "$work/err"
check "and leaves it as it was" test "$(sqlite3 "$back" .dump | md5sum)" = "$before"
"$BOARDPACK" copy --from "$back" --to "$uri" >/dev/null 2>&1
check "copy into a PostgreSQL store with data exits 73" test $? -eq 73
"$BOARDPACK" copy --from "$uri" --to "$uri" >/dev/null 2>&1
check "copy onto itself is a usage error" test $? -eq 2
"$BOARDPACK" copy --from "$work/none.db" --to "$work/new.db" >/dev/null 2>&1
check "copy from no store exits 66" test $? -eq 66
check "and creates nothing" test ! -e "$work/new.db"
psql "$busy" -c "CREATE TABLE theirs (x integer)" >/dev/null || fatal "psql failed"
"$BOARDPACK" copy --from "$original" --to "$busy" >/dev/null 2>"$work/err"
check "copy into a database with other tables fails" test $? -ne 0
check "and says so: $(cat "$work/err")" grep -q "already holds 1 other table or view" "$work/err"
check "and adds none of ours" \
  test "$(psql "$busy" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 1

# The copied PostgreSQL store goes on: new rows take new ids.
out=$("$BOARDPACK" --db "$uri" record 1.1.2 92 --period 2024-05 2>&1)
check "a reading recorded on the copy ($out)" test $? -eq 0
check "and a comment" "$BOARDPACK" --db "$uri" export --format yaml >/dev/null
audit_ids=$(psql "$uri" -c "SELECT count(DISTINCT id) = count(*) FROM audit")
check "audit ids stay unique" test "$audit_ids" = t

finish
