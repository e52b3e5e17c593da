#!/usr/bin/env bash
# The throwaway PostgreSQL machinery of tests/pg/pg-server.sh works on this
# machine: a primary starts, takes a database and answers psql; a streaming
# hot standby of it starts, receives a table created on the primary (polled
# for, at most PG_SMOKE_WAIT seconds, default 30) and refuses a write; both
# stop and their folders are gone. A server that cannot start fails this
# test; it never skips.
set -u
export LC_ALL=C.UTF-8 TZ=UTC
here=$(cd "$(dirname "$0")" && pwd)
server=$here/pg-server.sh
# shellcheck source=tests/pg/pg-server.sh
. "$server"

bindir=$(pg_bindir) || { echo "FAIL: no PostgreSQL server programs" >&2; exit 1; }
psql() { "$bindir/psql" "$@"; }

CHECKS=0
FAILURES=0
pass() { CHECKS=$((CHECKS + 1)); }
fail() {
  CHECKS=$((CHECKS + 1))
  FAILURES=$((FAILURES + 1))
  echo "FAIL: $*" >&2
}
finish() {
  echo "$((CHECKS - FAILURES)) of $CHECKS checks passed"
  [ "$FAILURES" -eq 0 ] || exit 1
  exit 0
}
# Without a server nothing else can be checked: say so and fail now.
fatal() {
  fail "$*"
  echo "$((CHECKS - FAILURES)) of $CHECKS checks passed"
  exit 1
}

primary=$(pg_tmpdir) || fatal "cannot make a folder for the primary"
standby=$(pg_tmpdir) || fatal "cannot make a folder for the standby"
stop_all() {
  pg_stop "$standby" || echo "FAIL: stopping the standby" >&2
  pg_stop "$primary" || echo "FAIL: stopping the primary" >&2
}
trap stop_all EXIT

# --- the primary ---
pg_start "$primary" >/dev/null || fatal "the primary did not start"
pass
[ -S "$(. "$primary/env" && echo "$PGHOST/.s.PGSQL.$PGPORT")" ] && pass ||
  fail "no socket for the primary in $primary"
pg_createdb "$primary" boardpack_smoke || fatal "createdb on the primary failed"
pass
uri=$(pg_uri "$primary" boardpack_smoke) || fatal "no URI for the primary"
case $uri in
  "postgresql:///boardpack_smoke?host=$primary&port="*"&user=boardpack_admin") pass ;;
  *) fail "the primary's URI is '$uri'" ;;
esac
out=$(psql -X -A -t -v ON_ERROR_STOP=1 "$uri" -c 'select 1' </dev/null 2>&1)
[ "$out" = 1 ] && pass || fail "psql 'select 1' on the primary gave '$out'"
# The variables of DIR/env reach the same server.
out=$( (pg_env "$primary" && psql -X -A -t -d boardpack_smoke -c 'select current_user' </dev/null) 2>&1)
[ "$out" = boardpack_admin ] && pass || fail "psql with pg_env's variables gave '$out'"
# No TCP: the server listens on its socket only.
out=$(psql -X -A -t "$uri" -c 'show listen_addresses' </dev/null 2>&1)
[ -z "$out" ] && pass || fail "listen_addresses is '$out', expected ''"

# --- the standby ---
pg_standby "$primary" "$standby" >/dev/null || fatal "the standby did not start"
pass
standby_uri=$(pg_uri "$standby" boardpack_smoke) || fatal "no URI for the standby"
[ "$standby_uri" != "$uri" ] && pass || fail "the standby has the primary's URI"
out=$(psql -X -A -t "$standby_uri" -c 'select pg_is_in_recovery()' </dev/null 2>&1)
[ "$out" = t ] && pass || fail "the standby is not in recovery: '$out'"

# A table made on the primary after the standby started reaches it.
psql -X -q -v ON_ERROR_STOP=1 "$uri" </dev/null >/dev/null \
  -c "create table smoke (id integer primary key, word text not null)" \
  -c "insert into smoke values (1, 'replicated')" && pass ||
  fail "cannot create the table on the primary"
wait_limit=${PG_SMOKE_WAIT:-30}
started=$SECONDS
out=
while :; do
  out=$(psql -X -A -t "$standby_uri" -c "select word from smoke where id = 1" </dev/null 2>/dev/null)
  [ "$out" = replicated ] && break
  [ $((SECONDS - started)) -lt "$wait_limit" ] || break
  sleep 0.1
done
[ "$out" = replicated ] && pass ||
  fail "the table made on the primary did not reach the standby within ${wait_limit}s (last answer '$out')"

# The standby refuses a write, in PostgreSQL's words.
err=$(psql -X -q -v ON_ERROR_STOP=1 "$standby_uri" -c "insert into smoke values (2, 'refused')" \
  </dev/null 2>&1 >/dev/null)
status=$?
[ "$status" -ne 0 ] && pass || fail "a write on the standby succeeded"
case $err in
  *"read-only transaction"*) pass ;;
  *) fail "the standby's refusal is '$err', expected a read-only transaction error" ;;
esac
out=$(psql -X -A -t "$uri" -c "select count(*) from smoke" </dev/null 2>&1)
[ "$out" = 1 ] && pass || fail "the primary holds $out rows, expected 1"

# --- stopping ---
trap - EXIT
pg_stop "$standby" && pass || fail "stopping the standby"
pg_stop "$primary" && pass || fail "stopping the primary"
[ ! -e "$standby" ] && [ ! -e "$primary" ] && pass || fail "a server's folder is left behind"
finish
