#!/usr/bin/env bash
# `import` and `check`: one transaction across files, nothing written on any
# error, `check` never touching a store.
. "$(dirname "$0")/lib.sh"

{ small_board_head; cat <<'YAML'; } >"$WORK/board.yaml"
          - code: "1.1.1"
            title: "Waiting times"
            metric: {name: "Median wait", unit: days, direction: down,
                     baseline: {value: 40, period: 2023-03}, target: {value: 28, period: 2024-03}}
          - code: "1.1.2"
            title: "A new service"
            milestone: {due: 2024-03, status: at_risk}
readings:
  - {metric: "1.1.1", period: 2023-04, value: 39}
YAML
cat >"$WORK/more.yaml" <<'YAML'
board: {code: small}
readings:
  - {metric: "1.1.1", period: 2023-05, value: 37}
YAML
cat >"$WORK/bad-ref.yaml" <<'YAML'
board: {code: small}
readings:
  - {metric: "1.1.1", period: 2023-06, value: 36}
  - {metric: "1.1.9", period: 2023-06, value: 36}
YAML

run "$BOARDPACK" check "$WORK/board.yaml" "$WORK/more.yaml"
expect_status 0 "check good files"
expect_file_absent "$XDG_DATA_HOME/boardpack" "check creates no store"

# On PostgreSQL the test's schema is still empty, a store not yet made (as
# the new path below is on SQLite): readings alone find no store and make
# none, and a board file whose import then fails leaves none behind.
if on_pg; then
  run "$BOARDPACK" --db "$DB" import "$WORK/more.yaml"
  expect_status 66 "readings into an empty PostgreSQL schema"
  expect_err_equals "There is no boardpack store in $(store_label); create one with boardpack init --sample, or import a board file." \
    "readings into an empty PostgreSQL schema: one sentence"
  expect_equal "$(pg_table_count)" "0" "readings into an empty PostgreSQL schema make no store"
  run "$BOARDPACK" --db "$DB" import "$WORK/board.yaml" "$WORK/bad-ref.yaml"
  expect_status 65 "a board file and a bad reference into an empty PostgreSQL schema"
  expect_equal "$(pg_table_count)" "0" "failed first import of a board file leaves no tables"
fi

run "$BOARDPACK" --db "$DB" import "$WORK/board.yaml" "$WORK/more.yaml"
expect_status 0 "import two files"
expect_err_contains "Imported 2 files (2 readings)" "import summary"
expect_equal "$(sql "$DB" 'SELECT count(*) FROM readings')" "2" "readings imported"
if ! on_pg; then # the SQLite file's mode; a PostgreSQL store's access is the server's roles
  expect_equal "$(stat -c %a "$DB")" "600" "imported store is private"
fi
# Through the command layer: an audit row per file, naming it, and the kept
# statuses (1.1.1 at 37 days against a 40-to-28 line: behind, so not grey).
expect_equal "$(sql "$DB" "SELECT action || ' ' || new_value FROM audit ORDER BY id" | paste -sd';')" \
  "import $WORK/board.yaml: 1 readings (0 replaced), 0 milestone updates, 0 comments;import $WORK/more.yaml: 1 readings (0 replaced), 0 milestone updates, 0 comments" \
  "one audit row per imported file"
expect_equal "$(sql "$DB" "SELECT count(*) FROM node_status")" "4" "statuses kept for every node"

# A readings file whose second row is bad writes nothing, first row included.
before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" import "$WORK/bad-ref.yaml"
expect_status 65 "bad reference"
expect_err_equals "$WORK/bad-ref.yaml:4:5: error: board 'small' has no metric '1.1.9'" "bad reference message"
expect_equal "$(store_fingerprint "$DB")" "$before" "bad reference writes nothing"

# The same board file again is a difference of nothing: it writes nothing,
# not even an audit row (docs/keeping-a-board.md).
run "$BOARDPACK" --db "$DB" import "$WORK/board.yaml"
expect_status 0 "board imported twice"
expect_equal "$(store_fingerprint "$DB")" "$before" "the same board again writes nothing"

# Readings alone into a new path: there is no store for them, and none is made.
run "$BOARDPACK" --db "$WORK/new.db" import "$WORK/more.yaml"
expect_status 66 "readings for a board that is not there"
expect_err_equals "There is no store at $WORK/new.db; create one with boardpack init --sample, or import a board file." \
  "readings into a new path: one sentence"
expect_file_absent "$WORK/new.db" "failed first import leaves no store"
expect_file_absent "$WORK/new.db-wal" "nor its -wal"
expect_file_absent "$WORK/new.db-shm" "nor its -shm"
# A board file into a new path makes the store first; if the import then
# fails, the store it made is removed again.
run "$BOARDPACK" --db "$WORK/new.db" import "$WORK/board.yaml" "$WORK/bad-ref.yaml"
expect_status 65 "a board file and a bad reference into a new path"
expect_file_absent "$WORK/new.db" "failed first import of a board file leaves no store"
expect_file_absent "$WORK/new.db-wal" "nor its -wal (board file)"

run "$BOARDPACK" --db "$DB" import "$WORK/missing.yaml"
expect_status 66 "missing file"

run "$BOARDPACK" --db "$DB" import
expect_status 2 "import without files"

# The same readings file twice: the second import changes no reading,
# milestone update or comment (they were added once).
cat >"$WORK/update.yaml" <<'YAML'
board: {code: small}
readings:
  - {metric: "1.1.1", period: 2023-05, value: 37}
milestone_updates:
  - {deliverable: "1.1.2", period: 2023-05, status: on_track, note: "Site agreed"}
commentary:
  - {node: "1.1", period: 2023-05, text: "Waits falling."}
YAML
activity() {
  sql "$DB" "SELECT period || value || entered_at FROM readings ORDER BY id"
  sql "$DB" "SELECT (SELECT count(*) FROM milestone_updates) || '|' || (SELECT count(*) FROM commentary)"
}
run "$BOARDPACK" --db "$DB" import "$WORK/update.yaml"
expect_status 0 "import updates"
first=$(activity)
run "$BOARDPACK" --db "$DB" import "$WORK/update.yaml"
expect_status 0 "import updates again"
expect_equal "$(activity)" "$first" "the same file twice adds nothing the second time"

# Readings and statuses from the file reach the report.
run "$BOARDPACK" --db "$DB" report --board small --format csv
expect_out_contains "deliverable,1.1.1,Waiting times,G,37,28,2023-05,," "measured row"
expect_out_contains "deliverable,1.1.2,A new service,G,,,,," "milestone row (on track since the update)"

finish
