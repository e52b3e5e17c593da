# lib.sh — shared helpers for the command-line tests: a private temporary
# folder and store for each test, `run` to capture a command's output and
# status, and checks that count passes and failures.
set -u
: "${BOARDPACK:?set BOARDPACK to the binary}"
: "${SOURCE_ROOT:?set SOURCE_ROOT to the source tree}"
export LC_ALL=C.UTF-8 TZ=UTC
WORK=$(mktemp -d /tmp/boardpack-cli-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config"
unset BOARDPACK_DB NO_COLOR
mkdir -p "$HOME"
DB="$WORK/store.db"
# On PostgreSQL (tests/pg/pg_cli_suite.sh sets BOARDPACK_TEST_PG to a
# database of its throwaway server): the test's store is a schema of its
# own in that database, and `sql` asks psql.
if [ -n "${BOARDPACK_TEST_PG:-}" ]; then
  PG_SCHEMA=cli_$$_$RANDOM
  "$PSQL" -X -q -v ON_ERROR_STOP=1 "$BOARDPACK_TEST_PG" -c "CREATE SCHEMA $PG_SCHEMA" </dev/null ||
    { echo "FAIL: cannot make a schema on the test server" >&2; exit 1; }
  trap '"$PSQL" -X -q "$BOARDPACK_TEST_PG" -c "DROP SCHEMA $PG_SCHEMA CASCADE" </dev/null \
    >/dev/null 2>&1; rm -rf "$WORK"' EXIT
  DB="$BOARDPACK_TEST_PG&options=-csearch_path%3D$PG_SCHEMA"
fi
FAILURES=0
CHECKS=0

# on_pg: true when this run's store is on PostgreSQL. A check about
# SQLite's file itself (its bytes, mode, WAL, locks) runs only when not.
on_pg() { [ -n "${BOARDPACK_TEST_PG:-}" ]; }

# run CMD...: sets OUT, ERR and STATUS.
run() {
  "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
  STATUS=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

pass() { CHECKS=$((CHECKS + 1)); }
fail() {
  CHECKS=$((CHECKS + 1))
  FAILURES=$((FAILURES + 1))
  echo "FAIL: $*" >&2
  echo "  stdout: ${OUT:-}" | head -5 >&2
  echo "  stderr: ${ERR:-}" | head -5 >&2
}

expect_status() { # expect_status N what
  if [ "$STATUS" -eq "$1" ]; then pass; else fail "$2: status $STATUS, expected $1"; fi
}
expect_out_contains() {
  if printf '%s' "$OUT" | grep -qF -- "$1"; then pass; else fail "$2: stdout lacks '$1'"; fi
}
expect_err_contains() {
  if printf '%s' "$ERR" | grep -qF -- "$1"; then pass; else fail "$2: stderr lacks '$1'"; fi
}
expect_err_equals() {
  if [ "$ERR" = "$1" ]; then pass; else fail "$2: stderr is '$ERR', expected '$1'"; fi
}
expect_equal() { # expect_equal actual expected what
  if [ "$1" = "$2" ]; then pass; else fail "$3: '$1', expected '$2'"; fi
}
expect_file_absent() {
  if [ ! -e "$1" ]; then pass; else fail "$2: $1 exists"; fi
}

# The first ten lines of board "small": one aim, one objective, and the key
# `deliverables:`, whose items the caller writes.
small_board_head() {
  cat <<'YAML'
board:
  code: small
  title: "A small board"
aims:
  - code: "1"
    title: "Aim one"
    objectives:
      - code: "1.1"
        title: "Objective one"
        deliverables:
YAML
}

# seed_store [STORE]: a store ($DB by default) with the bundled boards and
# the sample readings, as `init --sample` makes it. Only the browser's first
# run on the default store seeds by itself; a test that needs a seeded store
# it names says so with this.
# Sets OUT, ERR and STATUS as `run` does.
seed_store() {
  run "$BOARDPACK" --db "${1:-$DB}" init --sample
  [ "$STATUS" -eq 0 ] || echo "seed_store: $ERR" >&2
}

# in_terminal CMD...: runs CMD on a pseudo-terminal of 80x24 (for the
# browser's --first-frame) and sets OUT (what it drew) and STATUS.
in_terminal() {
  OUT=$(python3 - "$@" <<'PYTHON'
import fcntl, os, pty, select, struct, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    os.environ["TERM"] = "xterm"
    os.execv(sys.argv[1], sys.argv[1:])
out, deadline = b"", time.time() + 20
while time.time() < deadline:
    if select.select([fd], [], [], 0.5)[0]:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
PYTHON
)
  STATUS=$?
}

# expect_browser_mode STORE MODE WHAT: the browser's first frame on STORE
# (in_terminal) shows MODE, EDIT or READ-ONLY (and not the other); a
# READ-ONLY it chose by itself also says why.
expect_browser_mode() {
  in_terminal "$BOARDPACK" --db "$1" --first-frame
  expect_status 0 "$3: first frame"
  local other=READ-ONLY
  [ "$2" = EDIT ] || other=EDIT
  case $OUT in
    *"$other"*) fail "$3 opened $other, not $2" ;;
    *"$2"*) pass ;;
    *) fail "$3: no $2 in its first frame" ;;
  esac
  if [ "$2" = READ-ONLY ]; then
    expect_out_contains "You may not change this store, so it is open read-only." "$3 says why"
  fi
}

# A checksum of the store and its WAL, to prove that nothing was written; on
# PostgreSQL (the test's own store, $DB) a checksum of every table's rows.
store_fingerprint() {
  if on_pg && [ "$1" = "$DB" ]; then
    sql "$1" "SELECT md5(coalesce(string_agg(table_name || E'\\n' || query_to_xml(
      format('SELECT t::text AS r FROM %I t ORDER BY 1', table_name), false, false, '')::text,
      E'\\n' ORDER BY table_name), '')) FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
  else
    cat "$1" "$1-wal" 2>/dev/null | sha256sum | cut -d' ' -f1
  fi
}

# pg_table_count: the tables in $DB's schema on PostgreSQL (0: no store
# made there yet).
pg_table_count() {
  sql "$DB" "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
}

# store_label: how boardpack names $DB in its messages; a PostgreSQL store
# by its database, never its URI (which may hold a password).
store_label() {
  if on_pg; then
    printf 'postgresql database "%s"\n' "$(sql "$DB" 'SELECT current_database()')"
  else
    printf '%s\n' "$DB"
  fi
}

# sql DB QUERY: one query through the sqlite3 shell, read-only (psql for $DB
# on PostgreSQL; its output the same: columns split by |, NULL as nothing).
sql() {
  if [ -n "${BOARDPACK_TEST_PG:-}" ] && [ "$1" = "$DB" ]; then
    "$PSQL" -X -A -t -q "$1" -c "$2" </dev/null
  else
    sqlite3 -readonly -batch -noheader "$1" "$2"
  fi
}

finish() {
  echo "$((CHECKS - FAILURES)) of $CHECKS checks passed"
  [ "$FAILURES" -eq 0 ]
}
