#!/usr/bin/env bash
# Security promises of docs/security.md: the store is private whatever the
# umask; no SQL is built from input (the only SQL is the statement table in
# src/store.c, and text that looks like SQL is stored as text); the program
# can run no shell or external command at all; reading commands leave the
# store byte-for-byte unchanged.
. "$(dirname "$0")/lib.sh"

# --- The store is private, whatever the umask. ---
(umask 000 && in_terminal "$BOARDPACK" --first-frame)
store="$XDG_DATA_HOME/boardpack/boardpack.db"
expect_equal "$(stat -c %a "$store" 2>&1)" "600" "first-run store is 0600 under umask 000"
expect_equal "$(stat -c %a "$XDG_DATA_HOME/boardpack" 2>&1)" "700" "store folder is 0700 under umask 000"
cat >"$WORK/tiny.yaml" <<'YAML'
board: {code: tiny, title: "Tiny"}
aims: []
YAML
(umask 000 && "$BOARDPACK" --db "$WORK/imported.db" import "$WORK/tiny.yaml" >/dev/null 2>&1)
expect_equal "$(stat -c %a "$WORK/imported.db" 2>&1)" "600" "imported store is 0600 under umask 000"
(umask 000 && "$BOARDPACK" --db "$WORK/init/store.db" init >/dev/null 2>&1)
expect_equal "$(stat -c %a "$WORK/init/store.db" "$WORK/init" 2>&1 | tr '\n' ' ')" "600 700 " \
  "init's store is 0600 and its folder 0700 under umask 000"

# The WAL and shared-memory files that sit beside the store while it is in
# use take the store's mode too. A reader holds the store open so they stay.
python3 - "$store" "$WORK/holding" <<'PYTHON' &
import os, sqlite3, sys, time
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
con.execute("SELECT count(*) FROM boards").fetchall()
open(sys.argv[2], "w").close()
for _ in range(100):
    if os.path.exists(sys.argv[2] + ".done"):
        break
    time.sleep(0.1)
PYTHON
holder=$!
for _ in $(seq 50); do [ -e "$WORK/holding" ] && break; sleep 0.1; done
(umask 000 && "$BOARDPACK" --db "$store" record 1.1.2 50 --period 2020-01 >/dev/null 2>&1)
for side in wal shm; do
  expect_equal "$(stat -c %a "$store-$side" 2>&1)" "600" "the store's -$side file is 0600 under umask 000"
done
touch "$WORK/holding.done"
wait "$holder"

# --- No SQL is built from input. ---
# Statically: only the store (src/store/) calls SQLite to prepare or run SQL;
# it prepares only the statement table, and sqlite3_exec runs only fixed text.
outside=$(grep -rlE --include='*.c' 'sqlite3_(prepare|exec)' "$SOURCE_ROOT"/src | grep -v '/src/store/')
expect_equal "$outside" "" "no SQL outside src/store/"
# (and prepare_once, which a copy calls with the fixed SQL of copy_tables)
expect_equal "$(grep -oE 'sqlite3_prepare[a-z0-9_]*\([^,]*,[^,]*' "$SOURCE_ROOT/src/store/store.c")" \
  "sqlite3_prepare_v3(store->database, statement_sql[id]
sqlite3_prepare_v2(store->database, sql" "only the statement table is prepared"
# PostgreSQL (db_pg.c sends what store.c gives it): statements come from the
# tables or one fixed text; scripts are fixed text, the schema, or a number
# we format ourselves.
flat=$(tr '\n' ' ' <"$SOURCE_ROOT/src/store/store.c" | tr -s ' ')
bad_pg=$(grep -oE 'pg_(prepare|exec|query_int64)\([^,]*, ("[^"]*"( "[^"]*")*|[^,)]*)' <<<"$flat" |
  grep -vE ', ("[^"]*"( "[^"]*")*|sql|PG_BEGIN_WRITE|pg_schema|pg_drop|pg_identities_after_copy|pg_migrations\[step - PG_BASE_VERSION\]|insert|update)$')
expect_equal "$bad_pg" "" "PostgreSQL runs only fixed text and the statement tables"
bad_once=$(grep -oE 'prepare_once\([^,]*, [^,)]*' <<<"$flat" |
  grep -vE ', (const char \*sql|sql|table->(select|insert)_sql)$')
expect_equal "$bad_once" "" "a copy prepares only copy_tables' SQL"
bad_exec=$(grep -oE 'sqlite3_exec\([^,]*, [^,]*' "$SOURCE_ROOT/src/store/store.c" |
  grep -vE ', "(ROLLBACK|COMMIT)"$' | grep -vE ', sql$')
expect_equal "$bad_exec" "" "sqlite3_exec runs only fixed text"
bad_scripts=$(grep -oE 'execute_script\(store, [^,]*' "$SOURCE_ROOT/src/store/store.c" |
  grep -vE ', ("[A-Z][^"]*"|migrations\[step\]|set_version|sql)$')
expect_equal "$bad_scripts" "" "scripts are fixed text, migrations or the schema number"
bad_backup=$(grep -oE 'execute_on\([^,]*, [^)]*' "$SOURCE_ROOT/src/store/store.c" |
  grep -vE ', ("PRAGMA [^"]*"|const char \*sql)$')
expect_equal "$bad_backup" "" "the backup's pragmas are fixed text"
# The store's files are the store's business: nothing else stats, links or
# unlinks them, touches -wal/-shm, or runs a pragma (docs/architecture.md).
file_handling=$(grep -rlE --include='*.c' --include='*.h' \
  '\b(f?stat|lstat|unlink|link)\(|st_ino|-wal|-shm|PRAGMA|data_version' "$SOURCE_ROOT"/src |
  grep -v '/src/store/')
expect_equal "$file_handling" "" "no store file handling outside src/store/"

# Dynamically: text that looks like SQL is refused as a code or stored as
# plain text, and the tables are intact afterwards.
seed_store
expect_status 0 "seed"
before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" record "1.1.2' OR '1'='1" 50 --period 2020-01
expect_status 65 "a quoted code is no code"
expect_err_equals "Board 'nlmhp-2023-24' has no metric '1.1.2' OR '1'='1'." "quoted code message"
run "$BOARDPACK" --db "$DB" --board "x' OR 1=1; --" export --format csv
if [ "$STATUS" -ne 0 ]; then pass; else fail "a quoted board code found a board"; fi
expect_equal "$(printf '%s\n' "$ERR" | wc -l)" "1" "quoted board code: one line on stderr"
expect_equal "$(store_fingerprint "$DB")" "$before" "refused SQL-like input writes nothing"

injection="Barnet'); DROP TABLE readings; --"
# 2.1.2 declares its boroughs: the segment is refused as one it does not
# declare, text like any other.
run "$BOARDPACK" --db "$DB" record 2.1.2 51 --period 2020-01 --segment "$injection"
expect_status 65 "a SQL-like segment is no declared segment"
expect_err_contains "No segment '$injection' for 2.1.2; " "the SQL-like segment named as text"
expect_equal "$(store_fingerprint "$DB")" "$before" "a refused SQL-like segment writes nothing"
# A metric with a breakdown and no segments list takes any segment.
cat >"$WORK/any-segment.yaml" <<'YAML'
board: {code: any-segment, title: "Any segment"}
aims:
  - code: "1"
    title: "Aim"
    objectives:
      - code: "1.1"
        title: "Objective"
        deliverables:
          - code: "1.1.1"
            title: "By borough"
            metric: {name: "Checks", unit: percent, direction: up, target: {value: 75}, breakdown: borough}
YAML
run "$BOARDPACK" --db "$DB" import "$WORK/any-segment.yaml"
expect_status 0 "a board whose breakdown lists no segments"
run "$BOARDPACK" --db "$DB" --board any-segment record 1.1.1 51 --period 2020-01 --segment "$injection" \
  --note "'; DELETE FROM audit; --"
expect_status 0 "SQL-like segment and note are just text"
expect_equal "$(sql "$DB" "SELECT segment || '|' || note FROM readings WHERE period = '2020-01' AND value = 51")" \
  "$injection|'; DELETE FROM audit; --" "SQL-like text stored verbatim"
# Codes may hold only letters, digits, '.', '-' and '_', so a quoted code
# in a file is refused, located; titles are free text, stored as written.
cat >"$WORK/quoted-code.yaml" <<'YAML'
board:
  code: "q'); DROP TABLE boards; --"
  title: "Quoted code"
aims: []
YAML
before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" import "$WORK/quoted-code.yaml"
expect_status 65 "a quoted code in a file is refused"
expect_err_contains "quoted-code.yaml:2:9: error: code 'q'); DROP TABLE boards; --' may hold only" \
  "quoted code located"
expect_equal "$(store_fingerprint "$DB")" "$before" "a refused quoted code writes nothing"
cat >"$WORK/quoted.yaml" <<'YAML'
board:
  code: q-sql
  title: "Robert'); DROP TABLE nodes; --"
aims:
  - code: "1"
    title: "\"; DELETE FROM metrics; --"
    objectives: []
YAML
run "$BOARDPACK" --db "$DB" import "$WORK/quoted.yaml"
expect_status 0 "a board with SQL-like titles imports"
expect_equal "$(sql "$DB" "SELECT title FROM boards WHERE code = 'q-sql'")" \
  "Robert'); DROP TABLE nodes; --" "SQL-like board title stored verbatim"
if on_pg; then
  tables="SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name"
else
  tables="SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name"
fi
expect_equal "$(sql "$DB" "$tables IN ('boards', 'nodes', 'metrics', 'readings', 'audit')")" \
  "5" "every table still there"
run "$BOARDPACK" --db "$DB" --board q-sql report --format csv
expect_status 0 "report on the SQL-like board"
expect_out_contains 'aim,1,"""; DELETE FROM metrics; --",' "SQL-like aim title reported as text"
if ! on_pg; then # SQLite's check of its own file; PostgreSQL has no such pragma
  expect_equal "$(sqlite3 -batch "$DB" 'PRAGMA integrity_check')" "ok" "integrity after SQL-like input"
fi

# --- No shell or external command can run. ---
# The binary links none of the functions that start a program or a shell,
# so no key in any mode can reach one.
spawners=$(nm -D --undefined-only "$BOARDPACK" | awk '{print $NF}' | sed 's/@.*//' |
  grep -xE 'system|popen|fork|vfork|clone|clone3|execl|execle|execlp|execv|execve|execvp|execvpe|fexecve|posix_spawn|posix_spawnp|wordexp|dlopen' || true)
expect_equal "$spawners" "" "boardpack imports no exec, spawn, shell or dlopen function"
if nm -D --undefined-only "$BOARDPACK" | grep -q ' U \(malloc\|calloc\)'; then pass; else
  fail "nm could not list the binary's imports"; fi
# The environment's usual ways to name a program are never consulted.
expect_equal "$(grep -lE 'getenv\("(SHELL|EDITOR|VISUAL|PAGER|BROWSER)"\)' -r --include='*.c' "$SOURCE_ROOT"/src)" "" \
  "no SHELL, EDITOR, VISUAL, PAGER or BROWSER lookup"

# --- Reading never writes. ---
before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" report --format csv
expect_status 0 "report"
run "$BOARDPACK" --db "$DB" report --format md --as-of 2023-12
expect_status 0 "report as of"
run "$BOARDPACK" --db "$DB" export --format yaml
expect_status 0 "export"
expect_equal "$(store_fingerprint "$DB")" "$before" "report and export leave the store byte-for-byte unchanged"

finish
