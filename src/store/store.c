/* store.c — the SQLite store, and the only file that holds SQL. Statements
 * are prepared once per connection from the table below and reused; no SQL
 * text is ever built from input. */
#include "store.h"

#include "db.h"
#include "db_pg.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 5000

/* Each migration takes the schema from version (index) to (index + 1); all
 * pending ones run in one transaction. Append, never edit. */
/* The columns of metric_latest for metric m, worked out from its readings. */
#define LATEST_COLUMNS \
    "(SELECT period FROM readings r WHERE r.metric_id = m.id AND r.segment = '' "\
    "  ORDER BY period DESC LIMIT 1), "\
    "(SELECT value FROM readings r WHERE r.metric_id = m.id AND r.segment = '' "\
    "  ORDER BY period DESC LIMIT 1), "\
    "(SELECT sample FROM readings r WHERE r.metric_id = m.id AND r.segment = '' "\
    "  ORDER BY period DESC LIMIT 1), "\
    "(SELECT period FROM readings r WHERE r.metric_id = m.id AND r.segment = '' "\
    "  ORDER BY period DESC LIMIT 1 OFFSET 1), "\
    "(SELECT value FROM readings r WHERE r.metric_id = m.id AND r.segment = '' "\
    "  ORDER BY period DESC LIMIT 1 OFFSET 1), "\
    "(SELECT sample FROM readings r WHERE r.metric_id = m.id AND r.segment = '' "\
    "  ORDER BY period DESC LIMIT 1 OFFSET 1), "\
    "(SELECT max(period) FROM readings r WHERE r.metric_id = m.id), "\
    "(SELECT max(sample) FROM readings r WHERE r.metric_id = m.id) "

/* The segments a metric declares for its breakdown (docs/board-file.md), in
 * the board file's order; a metric with none takes any segment. */
#define MIGRATION_METRIC_SEGMENTS                                                    \
    "CREATE TABLE metric_segments ("                                                 \
    "  metric_id INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"         \
    "  position INTEGER NOT NULL,"                                                   \
    "  name TEXT NOT NULL,"                                                          \
    "  PRIMARY KEY (metric_id, position),"                                           \
    "  UNIQUE (metric_id, name)"                                                     \
    ") STRICT;"

static const char *const migrations[] = {
    /* 0 -> 1: the first schema. */
    "CREATE TABLE boards ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  title TEXT NOT NULL,"
    "  reporting_period TEXT,"
    "  purpose TEXT,"
    "  vision TEXT,"
    "  imported_at TEXT NOT NULL"
    ") STRICT;"
    "CREATE TABLE board_values ("
    "  board_id INTEGER NOT NULL REFERENCES boards(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  text TEXT,"
    "  PRIMARY KEY (board_id, position)"
    ") STRICT;"
    /* Aims, objectives and deliverables share one table: the tree is one
     * shape at every level. tree_order is the pre-order index. */
    "CREATE TABLE nodes ("
    "  id INTEGER PRIMARY KEY,"
    "  board_id INTEGER NOT NULL REFERENCES boards(id) ON DELETE CASCADE,"
    "  parent_id INTEGER REFERENCES nodes(id) ON DELETE CASCADE,"
    "  level TEXT NOT NULL CHECK (level IN ('aim', 'objective', 'deliverable')),"
    "  code TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  lead TEXT,"
    "  tree_order INTEGER NOT NULL,"
    "  milestone_due TEXT CHECK (milestone_due IS NULL OR milestone_due GLOB "
    "    '[0-9][0-9][0-9][0-9]-[01][0-9]'),"
    "  UNIQUE (board_id, code),"
    "  UNIQUE (board_id, tree_order)"
    ") STRICT;"
    "CREATE INDEX nodes_by_parent ON nodes(parent_id);"
    "CREATE VIEW aims AS SELECT * FROM nodes WHERE level = 'aim';"
    "CREATE VIEW objectives AS SELECT * FROM nodes WHERE level = 'objective';"
    "CREATE VIEW deliverables AS SELECT * FROM nodes WHERE level = 'deliverable';"
    "CREATE TABLE metrics ("
    "  id INTEGER PRIMARY KEY,"
    "  board_id INTEGER NOT NULL REFERENCES boards(id) ON DELETE CASCADE,"
    "  deliverable_id INTEGER NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  code TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  unit TEXT NOT NULL CHECK (unit IN ('percent', 'count', 'number', 'days', 'ratio')),"
    "  direction TEXT NOT NULL CHECK (direction IN ('up', 'down')),"
    "  baseline_value REAL,"
    "  baseline_period TEXT,"
    "  target_value REAL NOT NULL,"
    "  target_period TEXT,"
    "  tolerance REAL,"
    "  stale_months INTEGER,"
    "  breakdown TEXT,"
    "  spc_minimum_points INTEGER NOT NULL,"
    "  spc_shift_length INTEGER NOT NULL,"
    "  spc_trend_length INTEGER NOT NULL,"
    "  spc_screen_moving_ranges INTEGER NOT NULL,"
    "  UNIQUE (board_id, code)"
    ") STRICT;"
    "CREATE INDEX metrics_by_deliverable ON metrics(deliverable_id);"
    "CREATE TABLE metric_rebases ("
    "  metric_id INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
    "  period TEXT NOT NULL,"
    "  PRIMARY KEY (metric_id, period)"
    ") STRICT;"
    "CREATE TABLE trajectory_points ("
    "  metric_id INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
    "  period TEXT NOT NULL,"
    "  value REAL NOT NULL,"
    "  PRIMARY KEY (metric_id, period)"
    ") STRICT;"
    /* segment '' is the whole series, so the uniqueness below holds for it. */
    "CREATE TABLE readings ("
    "  id INTEGER PRIMARY KEY,"
    "  metric_id INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
    "  period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),"
    "  segment TEXT NOT NULL DEFAULT '',"
    "  value REAL NOT NULL,"
    "  note TEXT,"
    "  entered_by TEXT NOT NULL,"
    "  entered_at TEXT NOT NULL,"
    "  sample INTEGER NOT NULL DEFAULT 0 CHECK (sample IN (0, 1)),"
    "  UNIQUE (metric_id, segment, period)"
    ") STRICT;"
    "CREATE TABLE milestone_updates ("
    "  id INTEGER PRIMARY KEY,"
    "  node_id INTEGER NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,"
    "  period TEXT,"
    "  status TEXT NOT NULL CHECK (status IN ('not_started', 'on_track', 'at_risk',"
    "    'off_track', 'complete')),"
    "  note TEXT,"
    "  entered_by TEXT NOT NULL,"
    "  entered_at TEXT NOT NULL,"
    "  sample INTEGER NOT NULL DEFAULT 0 CHECK (sample IN (0, 1))"
    ") STRICT;"
    "CREATE INDEX milestone_updates_by_node ON milestone_updates(node_id, id);"
    "CREATE TABLE commentary ("
    "  id INTEGER PRIMARY KEY,"
    "  node_id INTEGER NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,"
    "  period TEXT,"
    "  text TEXT NOT NULL,"
    "  entered_by TEXT NOT NULL,"
    "  entered_at TEXT NOT NULL,"
    "  sample INTEGER NOT NULL DEFAULT 0 CHECK (sample IN (0, 1))"
    ") STRICT;"
    "CREATE INDEX commentary_by_node ON commentary(node_id, id);"
    /* Every change: who, when, what, old and new. Never updated or deleted. */
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL,"
    "  who TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  board_code TEXT NOT NULL,"
    "  node_code TEXT,"
    "  old_value TEXT,"
    "  new_value TEXT"
    ") STRICT;"
    "CREATE INDEX audit_by_node ON audit(board_code, node_code, id);",
    /* 1 -> 2: each metric's two latest readings, kept by the store on every
     * write, so that the browser's first frame reads one row per metric
     * instead of every reading (docs/performance.md). */
    "CREATE TABLE metric_latest ("
    "  metric_id INTEGER PRIMARY KEY REFERENCES metrics(id) ON DELETE CASCADE,"
    "  period TEXT,"
    "  value REAL,"
    "  sample INTEGER,"
    "  previous_period TEXT,"
    "  previous_value REAL,"
    "  previous_sample INTEGER,"
    "  newest_period TEXT," /* the newest month of any segment */
    "  any_sample INTEGER"
    ") STRICT;"
    "INSERT INTO metric_latest SELECT m.id, " LATEST_COLUMNS "FROM metrics m;",
    /* 2 -> 3: every node's status and roll-up counts, and each board's, kept
     * by the command layer after every change, so that the browser can
     * show a collapsed subtree's status without loading it. The rows are
     * filled by command_keep_missing_statuses (the rules are C, not SQL). */
    "CREATE TABLE node_status ("
    "  node_id INTEGER PRIMARY KEY REFERENCES nodes(id) ON DELETE CASCADE,"
    "  rag INTEGER NOT NULL,"
    "  grey INTEGER NOT NULL, blue INTEGER NOT NULL, green INTEGER NOT NULL,"
    "  amber INTEGER NOT NULL, red INTEGER NOT NULL,"
    "  child_count INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE board_status ("
    "  board_id INTEGER PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,"
    "  as_at TEXT,"
    "  shows_sample INTEGER NOT NULL,"
    "  rag INTEGER NOT NULL,"
    "  grey INTEGER NOT NULL, blue INTEGER NOT NULL, green INTEGER NOT NULL,"
    "  amber INTEGER NOT NULL, red INTEGER NOT NULL"
    ") STRICT;",
    /* 3 -> 4: a node's children in tree order straight from an index, so
     * opening a node reads its children, not the whole board. */
    "CREATE INDEX nodes_by_parent_in_order ON nodes(board_id, parent_id, tree_order);",
    /* 4 -> 5: the SPC conflict rule (docs/spc.md): a board's, for metrics
     * that set none, and a metric's own; NULL where the board file sets none. */
    "ALTER TABLE boards ADD COLUMN spc_conflict TEXT "
    "  CHECK (spc_conflict IN ('improvement', 'concern'));"
    "ALTER TABLE metrics ADD COLUMN spc_conflict TEXT "
    "  CHECK (spc_conflict IN ('improvement', 'concern'));",
    /* 5 -> 6: reporting months (docs/months.md). A board's open month; each
     * published month with the board as it was published (a board file,
     * read back to show the month again exactly) and every node's status
     * then (for movement); corrections made to published months, with
     * their reasons; and, among the kept statuses, how many deliverables
     * await the open month. */
    "ALTER TABLE boards ADD COLUMN open_month TEXT CHECK (open_month IS NULL OR "
    "  open_month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]');"
    "CREATE TABLE publications ("
    "  id INTEGER PRIMARY KEY,"
    "  board_id INTEGER NOT NULL REFERENCES boards(id) ON DELETE CASCADE,"
    "  month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),"
    "  published_by TEXT NOT NULL,"
    "  published_at TEXT NOT NULL,"
    "  snapshot TEXT NOT NULL,"
    "  UNIQUE (board_id, month)"
    ") STRICT;"
    /* node_code '' is the whole board. */
    "CREATE TABLE publication_statuses ("
    "  publication_id INTEGER NOT NULL REFERENCES publications(id) ON DELETE CASCADE,"
    "  node_code TEXT NOT NULL,"
    "  rag INTEGER NOT NULL,"
    "  PRIMARY KEY (publication_id, node_code)"
    ") STRICT;"
    "CREATE TABLE revisions ("
    "  id INTEGER PRIMARY KEY,"
    "  board_id INTEGER NOT NULL REFERENCES boards(id) ON DELETE CASCADE,"
    "  publication_id INTEGER NOT NULL REFERENCES publications(id) ON DELETE CASCADE,"
    "  period TEXT NOT NULL,"
    "  node_code TEXT NOT NULL,"
    "  what TEXT NOT NULL,"
    "  old_value TEXT,"
    "  new_value TEXT,"
    "  reason TEXT NOT NULL,"
    "  who TEXT NOT NULL,"
    "  at TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX revisions_by_board ON revisions(board_id, period);"
    "ALTER TABLE node_status ADD COLUMN awaiting INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE board_status ADD COLUMN awaiting INTEGER NOT NULL DEFAULT 0;",
    /* 6 -> 7: the segments each metric declares. */
    MIGRATION_METRIC_SEGMENTS,
    /* 7 -> 8: retiring (docs/keeping-a-board.md). The month a node or metric
     * left the board: views of that month on leave it out, while its
     * readings, milestone updates and commentary stay. NULL while live. */
    "ALTER TABLE nodes ADD COLUMN retired TEXT CHECK (retired IS NULL OR "
    "  retired GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]');"
    "ALTER TABLE metrics ADD COLUMN retired TEXT CHECK (retired IS NULL OR "
    "  retired GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]');",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* A search's test for one node: ?2 the text (in its code, title or a
 * metric's name, ignoring ASCII case), ?4 the least bad status wanted below
 * it (enum rag: 0 any, 1 B or worse, 2 G or worse, 3 A or R, 4 R). */
#define SEARCH_MATCHES                                                                         \
    "AND n.retired IS NULL "                                                                   \
    "AND (?4 <= 0 OR s.red > 0 OR (?4 <= 3 AND s.amber > 0) OR (?4 <= 2 AND s.green > 0) "     \
    "OR (?4 <= 1 AND s.blue > 0)) "                                                            \
    "AND (instr(lower(n.code), lower(?2)) > 0 OR instr(lower(n.title), lower(?2)) > 0 "        \
    "OR EXISTS (SELECT 1 FROM metrics m WHERE m.deliverable_id = n.id "                        \
    "AND instr(lower(m.name), lower(?2)) > 0)) "

/* A node's status in the published month movement is measured from: ?3
 * names that publication (NULL: none). */
#define PREVIOUS_STATUS_JOIN                                                                   \
    "LEFT JOIN publication_statuses ps ON ps.publication_id = ?3 AND ps.node_code = n.code "
/* A feed's batch: FEED_BATCH rows of INSERT_READINGS_IF_NEW's parameters. */
#define FEED_BATCH 32
#define FEED_TUPLE "(?, ?, ?, ?, ?, ?, ?, 0)"
#define FEED_TUPLES_4 FEED_TUPLE ", " FEED_TUPLE ", " FEED_TUPLE ", " FEED_TUPLE
#define FEED_TUPLES_16 FEED_TUPLES_4 ", " FEED_TUPLES_4 ", " FEED_TUPLES_4 ", " FEED_TUPLES_4
#define FEED_TUPLES_32 FEED_TUPLES_16 ", " FEED_TUPLES_16

/* Every statement the program runs, by name. */
#define STATEMENTS(X)                                                                          \
    X(BEGIN_IMMEDIATE, "BEGIN IMMEDIATE")                                                      \
    X(REFRESH_METRIC_LATEST, "INSERT OR REPLACE INTO metric_latest SELECT m.id, " LATEST_COLUMNS \
                             "FROM metrics m WHERE m.id = ?1")                                \
    X(REFRESH_BOARD_LATEST, "INSERT OR REPLACE INTO metric_latest SELECT m.id, " LATEST_COLUMNS \
                            "FROM metrics m WHERE m.board_id = ?1")                           \
    X(LOAD_LATEST_READINGS, "SELECT l.metric_id, l.period, l.value, l.sample, "               \
                            "l.previous_period, l.previous_value, l.previous_sample, "        \
                            "l.newest_period, l.any_sample FROM metric_latest l "            \
                            "JOIN metrics m ON m.id = l.metric_id WHERE m.board_id = ?1 "     \
                            "ORDER BY l.metric_id")                                           \
    X(LOAD_METRIC_READINGS, "SELECT period, segment, value, note, entered_by, entered_at, "   \
                            "sample FROM readings WHERE metric_id = ?1 "                      \
                            "ORDER BY segment, period")                                       \
    X(COMMIT, "COMMIT")                                                                        \
    X(FOREIGN_KEYS_OFF, "PRAGMA foreign_keys = OFF")                                          \
    X(FOREIGN_KEYS_ON, "PRAGMA foreign_keys = ON")                                            \
    X(ROLLBACK, "ROLLBACK")                                                                    \
    X(DATA_VERSION, "PRAGMA data_version")                                                     \
    X(USER_VERSION, "PRAGMA user_version")                                                     \
    X(COUNT_BOARDS, "SELECT count(*) FROM boards")                                             \
    X(LIST_BOARDS, "SELECT code, title FROM boards ORDER BY id")                               \
    X(FIND_BOARD, "SELECT id, title, reporting_period, purpose, vision, spc_conflict, "        \
                  "open_month, (SELECT max(month) FROM publications p WHERE p.board_id = b.id) " \
                  "FROM boards b WHERE code = ?1")                                             \
    X(SET_OPEN_MONTH, "UPDATE boards SET open_month = ?2 WHERE id = ?1")                       \
    X(KEPT_AS_AT, "SELECT as_at FROM board_status WHERE board_id = ?1")                        \
    X(PREVIOUS_PUBLICATION, "SELECT id, month FROM publications WHERE board_id = ?1 "         \
                            "AND month < ?2 ORDER BY month DESC LIMIT 1")                      \
    X(LIST_PUBLICATIONS, "SELECT p.id, p.month, p.published_by, p.published_at, "             \
                         "(SELECT count(*) FROM revisions r WHERE r.board_id = p.board_id "    \
                         "AND r.period <= p.month AND r.publication_id >= p.id) "              \
                         "FROM publications p WHERE p.board_id = ?1 ORDER BY p.month")          \
    X(PUBLICATION_SNAPSHOT, "SELECT snapshot FROM publications WHERE id = ?1")                 \
    X(INSERT_PUBLICATION, "INSERT INTO publications (board_id, month, published_by, "          \
                          "published_at, snapshot) VALUES (?1, ?2, ?3, ?4, ?5)")               \
    X(INSERT_PUBLICATION_STATUS, "INSERT INTO publication_statuses (publication_id, "          \
                                 "node_code, rag) VALUES (?1, ?2, ?3)")                        \
    X(LOAD_PUBLICATION_STATUSES, "SELECT node_code, rag FROM publication_statuses "           \
                                 "WHERE publication_id = ?1 ORDER BY node_code")               \
    X(INSERT_REVISION, "INSERT INTO revisions (board_id, publication_id, period, node_code, "   \
                       "what, old_value, new_value, reason, who, at) VALUES (?1, "              \
                       "(SELECT max(id) FROM publications WHERE board_id = ?1), "               \
                       "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                                      \
    X(LIST_REVISIONS, "SELECT r.period, r.node_code, r.what, r.old_value, r.new_value, "       \
                      "r.reason, r.who, r.at, p.month FROM revisions r "                       \
                      "JOIN publications p ON p.id = r.publication_id "                         \
                      "WHERE r.board_id = ?1 ORDER BY r.id")                                    \
    X(INSERT_BOARD, "INSERT INTO boards (code, title, reporting_period, purpose, vision, "      \
                    "imported_at, spc_conflict) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")          \
    X(INSERT_VALUE, "INSERT INTO board_values (board_id, position, name, text) "              \
                    "VALUES (?1, ?2, ?3, ?4)")                                                 \
    X(LOAD_VALUES, "SELECT name, text FROM board_values WHERE board_id = ?1 ORDER BY position") \
    X(INSERT_NODE, "INSERT INTO nodes (board_id, parent_id, level, code, title, lead, "         \
                   "tree_order, milestone_due, retired) "                                      \
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                              \
    /* ?2: nodes retired at or before this month are left out (NULL: none). */ \
    X(LOAD_NODES, "SELECT n.id, n.level, n.code, n.title, n.lead, n.milestone_due, "          \
                  "n.parent_id, n.tree_order, s.rag, s.grey, s.blue, s.green, s.amber, s.red, " \
                  "s.child_count, s.awaiting, ps.rag, n.retired FROM nodes n "                  \
                  "LEFT JOIN node_status s ON s.node_id = n.id " PREVIOUS_STATUS_JOIN          \
                  "WHERE n.board_id = ?1 AND (?2 IS NULL OR n.retired IS NULL "                 \
                  "OR n.retired > ?2) ORDER BY n.tree_order")                                  \
    X(LOAD_CHILD_NODES, "SELECT n.id, n.level, n.code, n.title, n.lead, n.milestone_due, "    \
                        "n.parent_id, n.tree_order, s.rag, s.grey, s.blue, s.green, s.amber, " \
                        "s.red, s.child_count, s.awaiting, ps.rag, n.retired FROM nodes n "     \
                        "LEFT JOIN node_status s ON s.node_id = n.id " PREVIOUS_STATUS_JOIN    \
                        "WHERE n.board_id = ?1 AND n.parent_id IS ?2 AND n.retired IS NULL "   \
                        "ORDER BY n.tree_order")                                                \
    X(UPDATE_BOARD, "UPDATE boards SET title = ?2, reporting_period = ?3, purpose = ?4, "      \
                    "vision = ?5, spc_conflict = ?6 WHERE id = ?1")                            \
    X(UPDATE_NODE, "UPDATE nodes SET parent_id = ?2, level = ?3, title = ?4, lead = ?5, "      \
                   "milestone_due = ?6, retired = ?7 WHERE id = ?1")                           \
    X(DELETE_NODE, "DELETE FROM nodes WHERE id = ?1")                                          \
    X(MAX_TREE_ORDER, "SELECT coalesce(max(tree_order), 0) FROM nodes WHERE board_id = ?1")    \
    /* Renumbering in two steps, past UNIQUE (board_id, tree_order). */                        \
    X(NEGATE_TREE_ORDER, "UPDATE nodes SET tree_order = -1 - tree_order WHERE board_id = ?1")  \
    X(SET_TREE_ORDER, "UPDATE nodes SET tree_order = ?2 WHERE id = ?1")                        \
    X(UPDATE_METRIC, "UPDATE metrics SET deliverable_id = ?2, position = ?3, code = ?4, "      \
                     "name = ?5, unit = ?6, direction = ?7, baseline_value = ?8, "             \
                     "baseline_period = ?9, target_value = ?10, target_period = ?11, "         \
                     "tolerance = ?12, stale_months = ?13, breakdown = ?14, "                  \
                     "spc_minimum_points = ?15, spc_shift_length = ?16, "                      \
                     "spc_trend_length = ?17, spc_screen_moving_ranges = ?18, "                \
                     "spc_conflict = ?19, retired = ?20 WHERE id = ?1")                        \
    X(DELETE_METRIC, "DELETE FROM metrics WHERE id = ?1")                                      \
    X(DELETE_METRIC_TRAJECTORY, "DELETE FROM trajectory_points WHERE metric_id = ?1")          \
    X(DELETE_METRIC_REBASES, "DELETE FROM metric_rebases WHERE metric_id = ?1")                \
    X(DELETE_METRIC_SEGMENTS, "DELETE FROM metric_segments WHERE metric_id = ?1")              \
    X(LOAD_CHILD_METRICS,                                                                      \
      "SELECT m.id, m.deliverable_id, m.code, m.name, m.unit, m.direction, m.baseline_value, " \
      "m.baseline_period, m.target_value, m.target_period, m.tolerance, m.stale_months, "      \
      "m.breakdown, m.spc_minimum_points, m.spc_shift_length, m.spc_trend_length, "            \
      "m.spc_screen_moving_ranges, m.spc_conflict, m.retired "                                 \
      "FROM nodes n JOIN metrics m ON m.deliverable_id = n.id "                                \
      "WHERE n.board_id = ?1 AND n.parent_id IS ?2 AND m.retired IS NULL "                     \
      "ORDER BY n.tree_order, m.position")                                                     \
    X(LOAD_CHILD_TRAJECTORIES, "SELECT t.metric_id, t.period, t.value FROM nodes n "          \
                               "JOIN metrics m ON m.deliverable_id = n.id "                    \
                               "JOIN trajectory_points t ON t.metric_id = m.id "               \
                               "WHERE n.board_id = ?1 AND n.parent_id IS ?2 "                  \
                               "ORDER BY t.metric_id, t.period")                               \
    X(LOAD_CHILD_REBASES, "SELECT r.metric_id, r.period FROM nodes n "                        \
                          "JOIN metrics m ON m.deliverable_id = n.id "                         \
                          "JOIN metric_rebases r ON r.metric_id = m.id "                       \
                          "WHERE n.board_id = ?1 AND n.parent_id IS ?2 "                       \
                          "ORDER BY r.metric_id, r.period")                                    \
    X(LOAD_CHILD_LATEST, "SELECT l.metric_id, l.period, l.value, l.sample, "                  \
                         "l.previous_period, l.previous_value, l.previous_sample, "           \
                         "l.newest_period, l.any_sample FROM nodes n "                        \
                         "JOIN metrics m ON m.deliverable_id = n.id "                         \
                         "JOIN metric_latest l ON l.metric_id = m.id "                        \
                         "WHERE n.board_id = ?1 AND n.parent_id IS ?2 ORDER BY l.metric_id")  \
    X(LOAD_CHILD_MILESTONE_UPDATES, "SELECT u.node_id, u.period, u.status, u.note, "          \
                                    "u.entered_by, u.entered_at, u.sample, u.id FROM nodes n " \
                                    "JOIN milestone_updates u ON u.node_id = n.id "            \
                                    "WHERE n.board_id = ?1 AND n.parent_id IS ?2 "             \
                                    "AND (u.period IS NULL OR u.period <= ?3) "                \
                                    "ORDER BY u.node_id, u.id")                                \
    X(LOAD_CHILD_COMMENTS, "SELECT c.node_id, c.period, c.text, c.entered_by, c.entered_at, " \
                           "c.sample, c.id FROM nodes n JOIN commentary c ON c.node_id = n.id " \
                           "WHERE n.board_id = ?1 AND n.parent_id IS ?2 "                      \
                           "AND (c.period IS NULL OR c.period <= ?3) ORDER BY c.node_id, c.id") \
    X(LOAD_BOARD_STATUS, "SELECT as_at, shows_sample, rag, grey, blue, green, amber, red, "   \
                         "awaiting FROM board_status WHERE board_id = ?1")                     \
    X(PUT_NODE_STATUS, "INSERT OR REPLACE INTO node_status (node_id, rag, grey, blue, green, " \
                       "amber, red, awaiting, child_count) "                                   \
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                          \
    X(PUT_BOARD_STATUS, "INSERT OR REPLACE INTO board_status (board_id, as_at, shows_sample, " \
                        "rag, grey, blue, green, amber, red, awaiting) "                        \
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")                    \
    X(BOARDS_WITHOUT_STATUS, "SELECT code, title FROM boards WHERE id NOT IN "                       \
                             "(SELECT board_id FROM board_status) ORDER BY id")               \
    X(SEARCH_NODES_FORWARD, "SELECT n.code FROM nodes n "                                \
                            "LEFT JOIN node_status s ON s.node_id = n.id "                     \
                            "WHERE n.board_id = ?1 AND n.tree_order > ?3 " SEARCH_MATCHES      \
                            "ORDER BY n.tree_order LIMIT 1")                                   \
    X(SEARCH_NODES_BACKWARD, "SELECT n.code FROM nodes n "                                    \
                             "LEFT JOIN node_status s ON s.node_id = n.id "                    \
                             "WHERE n.board_id = ?1 AND n.tree_order < ?3 " SEARCH_MATCHES     \
                             "ORDER BY n.tree_order DESC LIMIT 1")                             \
    X(SEARCH_COUNT, "SELECT count(*), coalesce(sum(n.tree_order <= ?3), 0) FROM nodes n "     \
                    "LEFT JOIN node_status s ON s.node_id = n.id "                             \
                    "WHERE n.board_id = ?1 " SEARCH_MATCHES)                                   \
    X(NODE_PARENT, "SELECT p.code, p.id FROM nodes n JOIN nodes p ON p.id = n.parent_id "     \
                   "WHERE n.board_id = ?1 AND n.code = ?2")                                    \
    X(FIND_NODE, "SELECT id, milestone_due IS NOT NULL, retired FROM nodes "                   \
                 "WHERE board_id = ?1 AND code = ?2")                                          \
    X(INSERT_METRIC,                                                                           \
      "INSERT INTO metrics (board_id, deliverable_id, position, code, name, unit, direction, " \
      "baseline_value, baseline_period, target_value, target_period, tolerance, stale_months, " \
      "breakdown, spc_minimum_points, spc_shift_length, spc_trend_length, "                    \
      "spc_screen_moving_ranges, spc_conflict, retired) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "  \
      "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)")                        \
    X(LOAD_METRICS,                                                                            \
      "SELECT m.id, m.deliverable_id, m.code, m.name, m.unit, m.direction, m.baseline_value, " \
      "m.baseline_period, m.target_value, m.target_period, m.tolerance, m.stale_months, "      \
      "m.breakdown, m.spc_minimum_points, m.spc_shift_length, m.spc_trend_length, "            \
      "m.spc_screen_moving_ranges, m.spc_conflict, m.retired "                                 \
      "FROM metrics m JOIN nodes n ON n.id = m.deliverable_id "                                \
      "WHERE m.board_id = ?1 AND (?2 IS NULL OR m.retired IS NULL OR m.retired > ?2) "         \
      "ORDER BY n.tree_order, m.position")                                                     \
    X(FIND_METRIC, "SELECT id, unit, code, breakdown, retired FROM metrics "                   \
                   "WHERE board_id = ?1 AND code = ?2")                                        \
    X(LATEST_MILESTONE_STATUS, "SELECT status FROM milestone_updates WHERE node_id = ?1 "      \
                               "ORDER BY id DESC LIMIT 1")                                     \
    X(LIST_METRIC_CODES, "SELECT code, id, unit, breakdown IS NOT NULL FROM metrics "          \
                         "WHERE board_id = ?1 ORDER BY code")                                  \
    X(INSERT_REBASE, "INSERT INTO metric_rebases (metric_id, period) VALUES (?1, ?2)")         \
    X(LOAD_REBASES, "SELECT r.metric_id, r.period FROM metric_rebases r JOIN metrics m "      \
                    "ON m.id = r.metric_id WHERE m.board_id = ?1 ORDER BY r.metric_id, r.period") \
    X(INSERT_SEGMENT, "INSERT INTO metric_segments (metric_id, position, name) "              \
                      "VALUES (?1, ?2, ?3)")                                                   \
    X(LOAD_SEGMENTS, "SELECT s.metric_id, s.name FROM metric_segments s JOIN metrics m "      \
                     "ON m.id = s.metric_id WHERE m.board_id = ?1 "                            \
                     "ORDER BY s.metric_id, s.position")                                       \
    X(LOAD_CHILD_SEGMENTS, "SELECT s.metric_id, s.name FROM nodes n "                         \
                           "JOIN metrics m ON m.deliverable_id = n.id "                        \
                           "JOIN metric_segments s ON s.metric_id = m.id "                     \
                           "WHERE n.board_id = ?1 AND n.parent_id IS ?2 "                      \
                           "ORDER BY s.metric_id, s.position")                                 \
    X(LOAD_METRIC_SEGMENTS, "SELECT name FROM metric_segments WHERE metric_id = ?1 "          \
                            "ORDER BY position")                                               \
    X(INSERT_TRAJECTORY, "INSERT INTO trajectory_points (metric_id, period, value) "          \
                         "VALUES (?1, ?2, ?3)")                                                \
    X(LOAD_TRAJECTORIES, "SELECT t.metric_id, t.period, t.value FROM trajectory_points t "    \
                         "JOIN metrics m ON m.id = t.metric_id WHERE m.board_id = ?1 "         \
                         "ORDER BY t.metric_id, t.period")                                     \
    X(FIND_READING, "SELECT value, note, entered_by, entered_at, sample FROM readings "        \
                    "WHERE metric_id = ?1 AND segment = ?2 AND period = ?3")                   \
    X(PUT_READING, "INSERT INTO readings (metric_id, period, segment, value, note, "           \
                   "entered_by, entered_at, sample) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "  \
                   "ON CONFLICT (metric_id, segment, period) DO UPDATE SET "                   \
                   "value = excluded.value, note = excluded.note, "                            \
                   "entered_by = excluded.entered_by, entered_at = excluded.entered_at, "      \
                   "sample = excluded.sample")                                                 \
    /* A feed's reading, only if there is none for its month and segment:      \
     * one index probe tells new from already there (changes()). */            \
    X(INSERT_READING_IF_NEW, "INSERT INTO readings (metric_id, period, segment, value, note, " \
                             "entered_by, entered_at, sample) "                               \
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0) "                        \
                             "ON CONFLICT (metric_id, segment, period) DO NOTHING")           \
    /* The same for a batch of a feed's rows in one statement (FEED_BATCH of    \
     * them); the rows it inserts get ids above the largest before it. */      \
    X(INSERT_READINGS_IF_NEW, "INSERT INTO readings (metric_id, period, segment, value, note, " \
                              "entered_by, entered_at, sample) VALUES " FEED_TUPLES_32        \
                              " ON CONFLICT (metric_id, segment, period) DO NOTHING")         \
    X(READINGS_LAST_ID, "SELECT coalesce(max(id), 0) FROM readings")                          \
    X(FIND_READING_ID, "SELECT id FROM readings WHERE metric_id = ?1 AND segment = ?2 "       \
                       "AND period = ?3")                                                      \
    X(LIST_METRIC_REFS, "SELECT id, unit, code, breakdown FROM metrics WHERE board_id = ?1 "  \
                        "ORDER BY code")                                                       \
    X(DELETE_READING, "DELETE FROM readings WHERE metric_id = ?1 AND segment = ?2 "            \
                      "AND period = ?3")                                                       \
    X(LOAD_READINGS, "SELECT r.metric_id, r.period, r.segment, r.value, r.note, "              \
                     "r.entered_by, r.entered_at, r.sample FROM readings r "                   \
                     "JOIN metrics m ON m.id = r.metric_id WHERE m.board_id = ?1 "             \
                     "AND r.period <= ?2 ORDER BY r.metric_id, r.segment, r.period")           \
    X(INSERT_MILESTONE_UPDATE, "INSERT INTO milestone_updates (node_id, period, status, note, " \
                               "entered_by, entered_at, sample) "                              \
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                          \
    X(DELETE_MILESTONE_UPDATE, "DELETE FROM milestone_updates WHERE id = ?1")                  \
    X(SAME_MILESTONE_UPDATE, "SELECT count(*) FROM milestone_updates WHERE node_id = ?1 "     \
                             "AND period IS ?2 AND status = ?3 AND note IS ?4")               \
    X(GET_MILESTONE_UPDATE, "SELECT n.code, u.period, u.status, u.note, u.entered_by, "       \
                            "u.entered_at FROM milestone_updates u "                          \
                            "JOIN nodes n ON n.id = u.node_id WHERE u.id = ?1")               \
    X(GET_COMMENT, "SELECT n.code, c.period, NULL, c.text, c.entered_by, c.entered_at "       \
                   "FROM commentary c JOIN nodes n ON n.id = c.node_id WHERE c.id = ?1")      \
    X(SAME_COMMENT, "SELECT count(*) FROM commentary WHERE node_id = ?1 AND period IS ?2 "    \
                    "AND text = ?3")                                                           \
    X(LOAD_MILESTONE_UPDATES, "SELECT u.node_id, u.period, u.status, u.note, u.entered_by, "    \
                              "u.entered_at, u.sample, u.id FROM milestone_updates u "         \
                              "JOIN nodes n ON n.id = u.node_id WHERE n.board_id = ?1 "        \
                              "AND (u.period IS NULL OR u.period <= ?2) "                      \
                              "ORDER BY u.node_id, u.id")                                      \
    X(INSERT_COMMENT, "INSERT INTO commentary (node_id, period, text, entered_by, entered_at, " \
                      "sample) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")                               \
    X(DELETE_COMMENT, "DELETE FROM commentary WHERE id = ?1")                                  \
    X(LOAD_COMMENTS, "SELECT c.node_id, c.period, c.text, c.entered_by, c.entered_at, "        \
                     "c.sample, c.id FROM commentary c JOIN nodes n ON n.id = c.node_id "      \
                     "WHERE n.board_id = ?1 AND (c.period IS NULL OR c.period <= ?2) "         \
                     "ORDER BY c.node_id, c.id")                                               \
    X(INSERT_AUDIT, "INSERT INTO audit (at, who, action, board_code, node_code, old_value, "   \
                    "new_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                          \
    X(AUDIT_FOR_NODE, "SELECT at, who, action, node_code, old_value, new_value FROM audit "    \
                      "WHERE board_code = ?1 AND (?2 IS NULL OR node_code = ?2) "              \
                      "ORDER BY id DESC")                                                      \
    X(AUDIT_LAST_ID, "SELECT coalesce(max(id), 0) FROM audit")                                 \
    X(AUDIT_COUNT_SINCE, "SELECT count(*) FROM audit WHERE board_code = ?1 AND id > ?2")       \
    /* A board removed whole (undoing the import that created it): the rows     \
     * that refer to others first, the board last. */                            \
    X(DELETE_BOARD_READINGS, "DELETE FROM readings WHERE metric_id IN "                        \
                             "(SELECT id FROM metrics WHERE board_id = ?1)")                   \
    X(DELETE_BOARD_LATEST, "DELETE FROM metric_latest WHERE metric_id IN "                     \
                           "(SELECT id FROM metrics WHERE board_id = ?1)")                     \
    X(DELETE_BOARD_TRAJECTORIES, "DELETE FROM trajectory_points WHERE metric_id IN "           \
                                 "(SELECT id FROM metrics WHERE board_id = ?1)")               \
    X(DELETE_BOARD_REBASES, "DELETE FROM metric_rebases WHERE metric_id IN "                   \
                            "(SELECT id FROM metrics WHERE board_id = ?1)")                    \
    X(DELETE_BOARD_SEGMENTS, "DELETE FROM metric_segments WHERE metric_id IN "                 \
                             "(SELECT id FROM metrics WHERE board_id = ?1)")                   \
    X(DELETE_BOARD_MILESTONE_UPDATES, "DELETE FROM milestone_updates WHERE node_id IN "        \
                                      "(SELECT id FROM nodes WHERE board_id = ?1)")            \
    X(DELETE_BOARD_COMMENTS, "DELETE FROM commentary WHERE node_id IN "                        \
                             "(SELECT id FROM nodes WHERE board_id = ?1)")                     \
    X(DELETE_BOARD_NODE_STATUS, "DELETE FROM node_status WHERE node_id IN "                    \
                                "(SELECT id FROM nodes WHERE board_id = ?1)")                  \
    X(DELETE_BOARD_METRICS, "DELETE FROM metrics WHERE board_id = ?1")                         \
    X(DELETE_BOARD_NODES, "DELETE FROM nodes WHERE board_id = ?1")                             \
    X(DELETE_BOARD_VALUES, "DELETE FROM board_values WHERE board_id = ?1")                     \
    X(DELETE_BOARD_STATUS, "DELETE FROM board_status WHERE board_id = ?1")                     \
    X(DELETE_BOARD, "DELETE FROM boards WHERE id = ?1")

enum statement_id {
#define STATEMENT_ID(name, sql) STATEMENT_##name,
    STATEMENTS(STATEMENT_ID)
#undef STATEMENT_ID
        STATEMENT_COUNT
};

static const char *const statement_sql[STATEMENT_COUNT] = {
#define STATEMENT_SQL(name, sql) sql,
    STATEMENTS(STATEMENT_SQL)
#undef STATEMENT_SQL
};

/* The statements whose PostgreSQL spelling differs (db_pg.c turns "?N"
 * into "$N" and "IS ?N" into "IS NOT DISTINCT FROM $N" for all). */
#define LATEST_UPSERT                                                                          \
    " ON CONFLICT (metric_id) DO UPDATE SET period = excluded.period, value = excluded.value, " \
    "sample = excluded.sample, previous_period = excluded.previous_period, "                   \
    "previous_value = excluded.previous_value, previous_sample = excluded.previous_sample, "   \
    "newest_period = excluded.newest_period, any_sample = excluded.any_sample"
static const char *const statement_sql_pg[STATEMENT_COUNT] = {
    [STATEMENT_USER_VERSION] = "SELECT max(version) FROM boardpack_schema",
    [STATEMENT_DATA_VERSION] = "SELECT version FROM boardpack_changes",
    [STATEMENT_REFRESH_METRIC_LATEST] = "INSERT INTO metric_latest SELECT m.id, " LATEST_COLUMNS
                                        "FROM metrics m WHERE m.id = ?1" LATEST_UPSERT,
    [STATEMENT_REFRESH_BOARD_LATEST] = "INSERT INTO metric_latest SELECT m.id, " LATEST_COLUMNS
                                       "FROM metrics m WHERE m.board_id = ?1" LATEST_UPSERT,
    [STATEMENT_PUT_NODE_STATUS] =
        "INSERT INTO node_status (node_id, rag, grey, blue, green, amber, red, awaiting, "
        "child_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (node_id) DO "
        "UPDATE SET rag = excluded.rag, grey = excluded.grey, blue = excluded.blue, "
        "green = excluded.green, amber = excluded.amber, red = excluded.red, "
        "awaiting = excluded.awaiting, child_count = excluded.child_count",
    [STATEMENT_PUT_BOARD_STATUS] =
        "INSERT INTO board_status (board_id, as_at, shows_sample, rag, grey, blue, green, amber, "
        "red, awaiting) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (board_id) "
        "DO UPDATE SET as_at = excluded.as_at, shows_sample = excluded.shows_sample, "
        "rag = excluded.rag, grey = excluded.grey, blue = excluded.blue, green = excluded.green, "
        "amber = excluded.amber, red = excluded.red, awaiting = excluded.awaiting",
    [STATEMENT_SEARCH_COUNT] = "SELECT count(*), coalesce(sum(CASE WHEN n.tree_order <= ?3 "
                               "THEN 1 ELSE 0 END), 0) FROM nodes n "
                               "LEFT JOIN node_status s ON s.node_id = n.id "
                               "WHERE n.board_id = ?1 " SEARCH_MATCHES,
};

struct store {
    sqlite3 *database;            /* a SQLite store, or */
    struct pg_connection *pg;     /* a PostgreSQL one */
    char *path;                   /* the location it was opened with */
    char *label;                  /* the store in messages (a URI may hold a password) */
    long long pg_version;         /* PostgreSQL: the change count last read */
    long long pg_polled_ms;       /* PostgreSQL: when it was read */
    int busy_ms;                  /* PostgreSQL: how long a writer waits for the lock */
    bool listening;               /* PostgreSQL: notified of commits (not on a standby) */
    bool pg_transaction;          /* PostgreSQL: begun here and not yet ended (a lost
                                     connection's own status no longer says) */
    long long pg_own_commits;     /* PostgreSQL: commits made through this connection */
    bool read_only;
    bool created;     /* this connection created the file (store_discard removes it) */
    bool feeding;     /* in a feed's transaction: foreign key checks are off */
    char *publish_to; /* an unpublished store's final path */
    bool identified;  /* the file's identity below is known */
    dev_t device;
    ino_t inode;
    struct db_stmt statements[STATEMENT_COUNT];
};

/* One sentence for a failed SQLite call, without leaking SQL to users. */
static bool fail_pg(struct store *store, struct error *error, const char *doing);

static bool fail(struct store *store, struct error *error, const char *doing)
{
    if (store->pg)
        return fail_pg(store, error, doing);
    int code = sqlite3_extended_errcode(store->database);
    int primary = code & 0xFF;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        error_set(error, EXIT_TEMPORARY,
                  "The store %s is busy (another program is writing to it); try again.",
                  store->label);
    else if (code == SQLITE_READONLY_DIRECTORY)
        /* A WAL store needs its -wal and -shm files; a reader who may not
         * create them in the folder can only use them once they exist. */
        error_set(error, EXIT_CANNOT_CREATE,
                  "The store %s cannot be read by this account: its -wal and -shm files are "
                  "missing and it may not create them (run any boardpack command as the "
                  "store's owner to create them; see docs/kiosk.md).",
                  store->label);
    else if (primary == SQLITE_READONLY)
        error_set(error, EXIT_CANNOT_CREATE, "The store %s is read-only here; cannot %s.",
                  store->label, doing);
    else if (primary == SQLITE_CANTOPEN && (sqlite3_system_errno(store->database) == EACCES ||
                                            sqlite3_system_errno(store->database) == EPERM))
        error_set(error, EXIT_NO_INPUT,
                  "Cannot open the store %s: this account may not read it, or its -wal or -shm "
                  "file (see docs/kiosk.md).",
                  store->label);
    else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
        error_set(error, EXIT_DATA, "The store %s is damaged or not a boardpack store.",
                  store->label);
    else if (primary == SQLITE_FULL)
        error_set(error, EXIT_IO, "The disk holding %s is full; cannot %s.", store->label, doing);
    else
        error_set(error, EXIT_SOFTWARE, "Cannot %s in %s: %s.", doing, store->label,
                  sqlite3_errmsg(store->database));
    return false;
}

static bool pg_reconnect(struct store *store, struct error *error);

static struct db_stmt *statement(struct store *store, enum statement_id id, struct error *error)
{
    /* Outside a transaction, a connection the server dropped is made again
     * (its statements are prepared again as they run). */
    if (store->pg && !store->pg_transaction && !pg_reconnect(store, error))
        return NULL;
    struct db_stmt *prepared = &store->statements[id];
    if (prepared->lite || prepared->pg) {
        db_reset(prepared);
        db_clear_bindings(prepared);
        return prepared;
    }
    if (store->pg) {
        const char *sql = statement_sql_pg[id] ? statement_sql_pg[id] : statement_sql[id];
        prepared->pg = pg_prepare(store->pg, sql);
    } else if (sqlite3_prepare_v3(store->database, statement_sql[id], -1,
                                  SQLITE_PREPARE_PERSISTENT, &prepared->lite, NULL) != SQLITE_OK) {
        prepared->lite = NULL;
    }
    if (!prepared->lite && !prepared->pg) {
        fail(store, error, "prepare a query");
        return NULL;
    }
    return prepared;
}

/* Rows the last statement inserted, changed or deleted. */
static long long db_changes(struct store *store)
{
    return store->pg ? pg_changes(store->pg) : sqlite3_changes(store->database);
}

static bool in_transaction(struct store *store)
{
    if (store->pg)
        return store->pg_transaction || pg_in_transaction(store->pg);
    return sqlite3_get_autocommit(store->database) == 0;
}

static bool execute_script(struct store *store, const char *sql, struct error *error,
                           const char *doing);

/* A consistent snapshot for a load: another process may commit between
 * its queries. */
static bool begin_read(struct store *store, struct error *error)
{
    if (store->pg && !pg_reconnect(store, error))
        return false;
    bool ok = execute_script(store,
                             store->pg ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN DEFERRED",
                             error, "read the board");
    if (store->pg)
        store->pg_transaction = ok;
    return ok;
}

static void end_read(struct store *store)
{
    if (store->pg) {
        pg_exec(store->pg, "COMMIT");
        store->pg_transaction = false;
    } else
        sqlite3_exec(store->database, "COMMIT", NULL, NULL, NULL);
}

static void bind_text(struct db_stmt *prepared, int index, const char *text)
{
    if (text)
        db_bind_text(prepared, index, text, -1);
    else
        db_bind_null(prepared, index);
}

/* Binds `count` texts to the parameters from `first` on. */
static void bind_texts(struct db_stmt *prepared, int first, const char *const *texts, int count)
{
    for (int i = 0; i < count; i++)
        bind_text(prepared, first + i, texts[i]);
}

static void bind_period(struct db_stmt *prepared, int index, yearmonth when)
{
    if (when == YEARMONTH_NONE) {
        db_bind_null(prepared, index);
        return;
    }
    char text[8];
    yearmonth_format(when, text);
    db_bind_text(prepared, index, text, 7);
}

static char *column_text(struct db_stmt *prepared, int index)
{
    const char *text = db_column_text(prepared, index);
    return text ? xstrdup((const char *)text) : NULL;
}

/* A column holding the name of an enum's value: "", which names none,
 * for NULL. */
static const char *column_name(struct db_stmt *prepared, int index)
{
    const char *text = db_column_text(prepared, index);
    return text ? text : "";
}

/* An SPC conflict rule, or SPC_CONFLICT_DEFAULT for NULL. */
static void column_conflict(struct db_stmt *prepared, int index, enum spc_conflict *out)
{
    if (!spc_conflict_parse(column_name(prepared, index), out))
        *out = SPC_CONFLICT_DEFAULT;
}


static yearmonth column_period(struct db_stmt *prepared, int index)
{
    const char *text = db_column_text(prepared, index);
    yearmonth when = YEARMONTH_NONE;
    if (text)
        yearmonth_parse((const char *)text, &when);
    return when;
}

/* Resets a statement after its last step, which gave `result`: neither a
 * row nor the end is a failure in `doing`. */
static bool finish(struct store *store, struct db_stmt *prepared, int result, struct error *error,
                   const char *doing)
{
    db_reset(prepared);
    if (result != DB_DONE && result != DB_ROW)
        return fail(store, error, doing);
    return true;
}

/* Runs a statement that returns no rows. */
static bool run(struct store *store, struct db_stmt *prepared, struct error *error,
                const char *doing)
{
    return finish(store, prepared, db_step(prepared), error, doing);
}

/* A statement with its first parameter bound to a row id. */
static struct db_stmt *statement_for(struct store *store, enum statement_id id, long long row_id,
                                   struct error *error)
{
    struct db_stmt *prepared = statement(store, id, error);
    if (prepared)
        db_bind_int64(prepared, 1, row_id);
    return prepared;
}

/* A statement on one board: its id first, then `text` (a code, or what to
 * search for). */
static struct db_stmt *statement_on_board(struct store *store, enum statement_id id,
                                        long long board_id, const char *text,
                                        struct error *error)
{
    struct db_stmt *prepared = statement_for(store, id, board_id, error);
    if (prepared)
        bind_text(prepared, 2, text);
    return prepared;
}

/* Steps a statement whose one row, if there is one, is a text. */
static bool step_text(struct store *store, struct db_stmt *prepared, char **out, bool *found,
                      struct error *error, const char *doing)
{
    int result = db_step(prepared);
    *found = result == DB_ROW;
    *out = *found ? column_text(prepared, 0) : NULL;
    return finish(store, prepared, result, error, doing);
}

/* Runs a statement that returns no rows and takes one row id. */
static bool run_for(struct store *store, enum statement_id id, long long row_id,
                    struct error *error, const char *doing)
{
    struct db_stmt *prepared = statement_for(store, id, row_id, error);
    return prepared && run(store, prepared, error, doing);
}

/* Runs an insert and hands back the new row's id when `row_id` is set. */
static bool insert(struct store *store, struct db_stmt *prepared, long long *row_id,
                   struct error *error, const char *doing)
{
    if (!run(store, prepared, error, doing))
        return false;
    if (!row_id)
        return true;
    if (!store->pg) {
        *row_id = sqlite3_last_insert_rowid(store->database);
        return true;
    }
    /* The id column's sequence, as last advanced by this session. */
    return pg_query_int64(store->pg, "SELECT lastval()", row_id) || fail(store, error, doing);
}

/* The array grown to hold an item after its first `count`, that item zeroed. */
static void *grow_one(void *array, size_t *capacity, size_t count, size_t size)
{
    grow_array(&array, capacity, count + 1, size);
    memset((char *)array + count * size, 0, size);
    return array;
}

/* Every row of a statement read into a new array by `read`, `size` bytes an
 * item; on a failure the items read so far go to `free_list`. */
struct row_list {
    size_t size;
    void (*read)(struct db_stmt *prepared, void *item);
    void (*free_list)(void *list, size_t count);
};

static bool read_rows(struct store *store, struct db_stmt *prepared, const struct row_list *how,
                      const char *doing, void **out, size_t *count, struct error *error)
{
    void *list = NULL;
    size_t used = 0, capacity = 0;
    int result;
    while ((result = db_step(prepared)) == DB_ROW) {
        list = grow_one(list, &capacity, used, how->size);
        how->read(prepared, (char *)list + used++ * how->size);
    }
    if (!finish(store, prepared, result, error, doing)) {
        how->free_list(list, used);
        return false;
    }
    *out = list;
    *count = used;
    return true;
}

static bool execute_script(struct store *store, const char *sql, struct error *error,
                           const char *doing)
{
    bool ok = store->pg ? pg_exec(store->pg, sql)
                        : sqlite3_exec(store->database, sql, NULL, NULL, NULL) == SQLITE_OK;
    return ok || fail(store, error, doing);
}

static int pragma_integer(struct store *store, enum statement_id id)
{
    struct db_stmt *prepared = statement(store, id, NULL);
    int value = -1;
    if (prepared && db_step(prepared) == DB_ROW)
        value = db_column_int(prepared, 0);
    if (prepared)
        db_reset(prepared);
    return value;
}

static bool migrate(struct store *store, struct error *error)
{
    int version = pragma_integer(store, STATEMENT_USER_VERSION);
    if (version < 0)
        return fail(store, error, "read the schema version");
    if (version > SCHEMA_VERSION) {
        error_set(error, EXIT_DATA,
                  "The store %s was written by a newer boardpack (schema %d; this one knows "
                  "up to %d).",
                  store->label, version, SCHEMA_VERSION);
        return false;
    }
    if (version == SCHEMA_VERSION)
        return true;
    if (store->read_only) {
        error_set(error, EXIT_DATA,
                  "The store %s needs upgrading (schema %d to %d), which a read-only open "
                  "cannot do.",
                  store->label, version, SCHEMA_VERSION);
        return false;
    }
    if (!execute_script(store, "BEGIN IMMEDIATE", error, "start the upgrade"))
        return false;
    /* Re-read under the write lock: another process may have migrated. */
    version = pragma_integer(store, STATEMENT_USER_VERSION);
    for (int step = version; step < SCHEMA_VERSION; step++) {
        if (!execute_script(store, migrations[step], error, "upgrade the schema")) {
            sqlite3_exec(store->database, "ROLLBACK", NULL, NULL, NULL);
            return false;
        }
    }
    /* PRAGMA takes no parameters; the number is ours, not input. */
    char set_version[48];
    snprintf(set_version, sizeof set_version, "PRAGMA user_version = %d", SCHEMA_VERSION);
    if (!execute_script(store, set_version, error, "record the schema version") ||
        !execute_script(store, "COMMIT", error, "finish the upgrade")) {
        sqlite3_exec(store->database, "ROLLBACK", NULL, NULL, NULL);
        return false;
    }
    return true;
}

/* mkdir -p with owner-only permissions, for a new store's folder. */
static bool make_directories(const char *path, struct error *error)
{
    char buffer[PATH_MAX];
    if (snprintf(buffer, sizeof buffer, "%s", path) >= (int)sizeof buffer) {
        error_set(error, EXIT_CANNOT_CREATE, "The path %s is too long.", path);
        return false;
    }
    for (char *slash = buffer + 1; *slash; slash++) {
        if (*slash != '/')
            continue;
        *slash = '\0';
        if (mkdir(buffer, 0700) != 0 && errno != EEXIST) {
            error_set(error, EXIT_CANNOT_CREATE, "Cannot create the folder %s: %s.", buffer,
                      strerror(errno));
            return false;
        }
        *slash = '/';
    }
    return true;
}

/* Creates the file with owner-only permissions before SQLite opens it, so
 * the store is never readable by others, whatever the umask. */
static bool create_private_file(const char *path, struct error *error)
{
    int descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (descriptor < 0) {
        if (errno == EEXIST)
            return true;
        error_set(error, EXIT_CANNOT_CREATE, "Cannot create the store %s: %s.", path,
                  strerror(errno));
        return false;
    }
    close(descriptor);
    return true;
}

/* ---- PostgreSQL ------------------------------------------------------ */

/* The PostgreSQL schema, the same tables and columns in the same order as
 * SQLite's at version PG_BASE_VERSION, plus: the schema's version, a count
 * of committed changes (for polling where notifications do not arrive) and
 * instr(), which the searches use. Text sorts by byte (COLLATE "C"), as in
 * SQLite. Ids are identities that a copy may set (BY DEFAULT). */
#define PG_TEXT "TEXT COLLATE \"C\""
#define PG_ID "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
#define PG_MONTH_CHECK(column) "CHECK (" column " ~ '^[0-9]{4}-[01][0-9]$')"
#define PG_BASE_VERSION 8
static const char pg_schema[] =
    "CREATE TABLE boardpack_schema (version INTEGER NOT NULL);"
    "CREATE TABLE boardpack_changes (version BIGINT NOT NULL);"
    "INSERT INTO boardpack_changes VALUES (0);"
    "CREATE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER "
    "  LANGUAGE sql IMMUTABLE STRICT AS 'SELECT strpos(haystack, needle)';"
    "CREATE TABLE boards ("
    "  id " PG_ID ","
    "  code " PG_TEXT " NOT NULL UNIQUE,"
    "  title " PG_TEXT " NOT NULL,"
    "  reporting_period " PG_TEXT ","
    "  purpose " PG_TEXT ","
    "  vision " PG_TEXT ","
    "  imported_at " PG_TEXT " NOT NULL,"
    "  spc_conflict " PG_TEXT " CHECK (spc_conflict IN ('improvement', 'concern')),"
    "  open_month " PG_TEXT " " PG_MONTH_CHECK("open_month")
    ");"
    "CREATE TABLE board_values ("
    "  board_id BIGINT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  name " PG_TEXT " NOT NULL,"
    "  text " PG_TEXT ","
    "  PRIMARY KEY (board_id, position)"
    ");"
    "CREATE TABLE nodes ("
    "  id " PG_ID ","
    "  board_id BIGINT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,"
    "  parent_id BIGINT REFERENCES nodes(id) ON DELETE CASCADE,"
    "  level " PG_TEXT " NOT NULL CHECK (level IN ('aim', 'objective', 'deliverable')),"
    "  code " PG_TEXT " NOT NULL,"
    "  title " PG_TEXT " NOT NULL,"
    "  lead " PG_TEXT ","
    "  tree_order INTEGER NOT NULL,"
    "  milestone_due " PG_TEXT " " PG_MONTH_CHECK("milestone_due") ","
    "  retired " PG_TEXT " " PG_MONTH_CHECK("retired") ","
    "  UNIQUE (board_id, code),"
    "  UNIQUE (board_id, tree_order)"
    ");"
    "CREATE INDEX nodes_by_parent ON nodes(parent_id);"
    "CREATE INDEX nodes_by_parent_in_order ON nodes(board_id, parent_id, tree_order);"
    "CREATE VIEW aims AS SELECT * FROM nodes WHERE level = 'aim';"
    "CREATE VIEW objectives AS SELECT * FROM nodes WHERE level = 'objective';"
    "CREATE VIEW deliverables AS SELECT * FROM nodes WHERE level = 'deliverable';"
    "CREATE TABLE metrics ("
    "  id " PG_ID ","
    "  board_id BIGINT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,"
    "  deliverable_id BIGINT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  code " PG_TEXT " NOT NULL,"
    "  name " PG_TEXT " NOT NULL,"
    "  unit " PG_TEXT " NOT NULL CHECK (unit IN ('percent', 'count', 'number', 'days', 'ratio')),"
    "  direction " PG_TEXT " NOT NULL CHECK (direction IN ('up', 'down')),"
    "  baseline_value DOUBLE PRECISION,"
    "  baseline_period " PG_TEXT ","
    "  target_value DOUBLE PRECISION NOT NULL,"
    "  target_period " PG_TEXT ","
    "  tolerance DOUBLE PRECISION,"
    "  stale_months INTEGER,"
    "  breakdown " PG_TEXT ","
    "  spc_minimum_points INTEGER NOT NULL,"
    "  spc_shift_length INTEGER NOT NULL,"
    "  spc_trend_length INTEGER NOT NULL,"
    "  spc_screen_moving_ranges INTEGER NOT NULL,"
    "  spc_conflict " PG_TEXT " CHECK (spc_conflict IN ('improvement', 'concern')),"
    "  retired " PG_TEXT " " PG_MONTH_CHECK("retired") ","
    "  UNIQUE (board_id, code)"
    ");"
    "CREATE INDEX metrics_by_deliverable ON metrics(deliverable_id);"
    "CREATE TABLE metric_rebases ("
    "  metric_id BIGINT NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
    "  period " PG_TEXT " NOT NULL,"
    "  PRIMARY KEY (metric_id, period)"
    ");"
    "CREATE TABLE trajectory_points ("
    "  metric_id BIGINT NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
    "  period " PG_TEXT " NOT NULL,"
    "  value DOUBLE PRECISION NOT NULL,"
    "  PRIMARY KEY (metric_id, period)"
    ");"
    "CREATE TABLE readings ("
    "  id " PG_ID ","
    "  metric_id BIGINT NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
    "  period " PG_TEXT " NOT NULL " PG_MONTH_CHECK("period") ","
    "  segment " PG_TEXT " NOT NULL DEFAULT '',"
    "  value DOUBLE PRECISION NOT NULL,"
    "  note " PG_TEXT ","
    "  entered_by " PG_TEXT " NOT NULL,"
    "  entered_at " PG_TEXT " NOT NULL,"
    "  sample INTEGER NOT NULL DEFAULT 0 CHECK (sample IN (0, 1)),"
    "  UNIQUE (metric_id, segment, period)"
    ");"
    "CREATE TABLE milestone_updates ("
    "  id " PG_ID ","
    "  node_id BIGINT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,"
    "  period " PG_TEXT ","
    "  status " PG_TEXT " NOT NULL CHECK (status IN ('not_started', 'on_track', 'at_risk',"
    "    'off_track', 'complete')),"
    "  note " PG_TEXT ","
    "  entered_by " PG_TEXT " NOT NULL,"
    "  entered_at " PG_TEXT " NOT NULL,"
    "  sample INTEGER NOT NULL DEFAULT 0 CHECK (sample IN (0, 1))"
    ");"
    "CREATE INDEX milestone_updates_by_node ON milestone_updates(node_id, id);"
    "CREATE TABLE commentary ("
    "  id " PG_ID ","
    "  node_id BIGINT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,"
    "  period " PG_TEXT ","
    "  text " PG_TEXT " NOT NULL,"
    "  entered_by " PG_TEXT " NOT NULL,"
    "  entered_at " PG_TEXT " NOT NULL,"
    "  sample INTEGER NOT NULL DEFAULT 0 CHECK (sample IN (0, 1))"
    ");"
    "CREATE INDEX commentary_by_node ON commentary(node_id, id);"
    "CREATE TABLE audit ("
    "  id " PG_ID ","
    "  at " PG_TEXT " NOT NULL,"
    "  who " PG_TEXT " NOT NULL,"
    "  action " PG_TEXT " NOT NULL,"
    "  board_code " PG_TEXT " NOT NULL,"
    "  node_code " PG_TEXT ","
    "  old_value " PG_TEXT ","
    "  new_value " PG_TEXT
    ");"
    "CREATE INDEX audit_by_node ON audit(board_code, node_code, id);"
    "CREATE TABLE metric_latest ("
    "  metric_id BIGINT PRIMARY KEY REFERENCES metrics(id) ON DELETE CASCADE,"
    "  period " PG_TEXT ","
    "  value DOUBLE PRECISION,"
    "  sample INTEGER,"
    "  previous_period " PG_TEXT ","
    "  previous_value DOUBLE PRECISION,"
    "  previous_sample INTEGER,"
    "  newest_period " PG_TEXT ","
    "  any_sample INTEGER"
    ");"
    "CREATE TABLE node_status ("
    "  node_id BIGINT PRIMARY KEY REFERENCES nodes(id) ON DELETE CASCADE,"
    "  rag INTEGER NOT NULL,"
    "  grey INTEGER NOT NULL, blue INTEGER NOT NULL, green INTEGER NOT NULL,"
    "  amber INTEGER NOT NULL, red INTEGER NOT NULL,"
    "  child_count INTEGER NOT NULL,"
    "  awaiting INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE TABLE board_status ("
    "  board_id BIGINT PRIMARY KEY REFERENCES boards(id) ON DELETE CASCADE,"
    "  as_at " PG_TEXT ","
    "  shows_sample INTEGER NOT NULL,"
    "  rag INTEGER NOT NULL,"
    "  grey INTEGER NOT NULL, blue INTEGER NOT NULL, green INTEGER NOT NULL,"
    "  amber INTEGER NOT NULL, red INTEGER NOT NULL,"
    "  awaiting INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE TABLE publications ("
    "  id " PG_ID ","
    "  board_id BIGINT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,"
    "  month " PG_TEXT " NOT NULL " PG_MONTH_CHECK("month") ","
    "  published_by " PG_TEXT " NOT NULL,"
    "  published_at " PG_TEXT " NOT NULL,"
    "  snapshot " PG_TEXT " NOT NULL,"
    "  UNIQUE (board_id, month)"
    ");"
    "CREATE TABLE publication_statuses ("
    "  publication_id BIGINT NOT NULL REFERENCES publications(id) ON DELETE CASCADE,"
    "  node_code " PG_TEXT " NOT NULL,"
    "  rag INTEGER NOT NULL,"
    "  PRIMARY KEY (publication_id, node_code)"
    ");"
    "CREATE TABLE revisions ("
    "  id " PG_ID ","
    "  board_id BIGINT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,"
    "  publication_id BIGINT NOT NULL REFERENCES publications(id) ON DELETE CASCADE,"
    "  period " PG_TEXT " NOT NULL,"
    "  node_code " PG_TEXT " NOT NULL,"
    "  what " PG_TEXT " NOT NULL,"
    "  old_value " PG_TEXT ","
    "  new_value " PG_TEXT ","
    "  reason " PG_TEXT " NOT NULL,"
    "  who " PG_TEXT " NOT NULL,"
    "  at " PG_TEXT " NOT NULL"
    ");"
    "CREATE INDEX revisions_by_board ON revisions(board_id, period);"
    "CREATE TABLE metric_segments ("
    "  metric_id BIGINT NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  name " PG_TEXT " NOT NULL,"
    "  PRIMARY KEY (metric_id, position),"
    "  UNIQUE (metric_id, name)"
    ");";
/* Each takes the PostgreSQL schema one version on from PG_BASE_VERSION, as
 * migrations[] does SQLite's: a new SQLite migration needs one here too. */
static const char *const pg_migrations[] = {NULL};
#define PG_MIGRATION_COUNT ((int)(sizeof pg_migrations / sizeof pg_migrations[0]) - 1)
_Static_assert(PG_BASE_VERSION + PG_MIGRATION_COUNT == SCHEMA_VERSION,
               "every SQLite migration needs its PostgreSQL one");
/* Every table of the store, those referred to last, for store_discard. */
static const char pg_drop[] =
    "DROP TABLE IF EXISTS metric_segments, revisions, publication_statuses, publications, "
    "board_status, node_status, metric_latest, audit, commentary, milestone_updates, "
    "readings, trajectory_points, metric_rebases, metrics, nodes, board_values, boards, "
    "boardpack_changes, boardpack_schema CASCADE;"
    "DROP FUNCTION IF EXISTS instr(TEXT, TEXT);";

/* All writers take this lock first, as SQLite's BEGIN IMMEDIATE does: one
 * writer at a time, so no write transaction can fail to serialise. */
#define PG_BEGIN_WRITE "BEGIN; SELECT pg_advisory_xact_lock(7262936)"
/* How often a reader asks for the change count: where notifications come,
 * in case they stop (a pooler in transaction mode drops them); on a
 * standby, which sends none, often enough to follow the primary. */
#define PG_POLL_MS 1000
#define PG_STANDBY_POLL_MS 200

static long long monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static bool fail_pg(struct store *store, struct error *error, const char *doing)
{
    const char *state = pg_error_state(store->pg);
    const char *message = pg_error_message(store->pg);
    if (pg_connection_lost(store->pg) || strncmp(state, "08", 2) == 0 ||
        strcmp(state, "57P01") == 0 || strcmp(state, "57P03") == 0)
        error_set(error, EXIT_TEMPORARY, "The store %s cannot be reached (%s); try again.",
                  store->label, message);
    else if (strcmp(state, "55P03") == 0 || strcmp(state, "40001") == 0 ||
             strcmp(state, "40P01") == 0)
        error_set(error, EXIT_TEMPORARY,
                  "The store %s is busy (another program is writing to it); try again.",
                  store->label);
    else if (strcmp(state, "25006") == 0)
        /* A hot standby, or a read-only transaction: the server's, not
         * this account's, doing. */
        error_set(error, EXIT_CANNOT_CREATE,
                  "The store %s is read-only here; cannot %s (the server refused: %s; a hot "
                  "standby takes no writes: write on the primary).",
                  store->label, doing, message);
    else if (strcmp(state, "42501") == 0)
        error_set(error, EXIT_CANNOT_CREATE,
                  "The store %s is read-only for this account; cannot %s (the server refused: "
                  "%s).",
                  store->label, doing, message);
    else if (strcmp(state, "53100") == 0)
        error_set(error, EXIT_IO, "The server holding %s is out of disk space; cannot %s.",
                  store->label, doing);
    else
        error_set(error, EXIT_SOFTWARE, "Cannot %s in %s: %s.", doing, store->label, message);
    return false;
}

static bool pg_set_lock_timeout(struct store *store, int milliseconds)
{
    struct pg_statement *set = pg_prepare(store->pg, "SELECT set_config('lock_timeout', ?1, false)");
    if (!set)
        return false;
    char text[24];
    snprintf(text, sizeof text, "%dms", milliseconds);
    pg_bind(set, 1, text, -1);
    bool ok = pg_step(set) == DB_ROW;
    pg_finalize(set);
    return ok;
}

/* What every connection sets first: quiet, waiting at most busy_ms for the
 * writers' lock, read-only if asked, and listening for changes. */
static bool pg_session(struct store *store, int busy_ms)
{
    /* A round trip each: the fixed settings, LISTEN, the lock's wait. */
    bool set = store->read_only
                   ? pg_exec(store->pg, "SET client_min_messages = warning; SET client_encoding = "
                                        "'UTF8'; SET default_transaction_read_only = on")
                   : pg_exec(store->pg, "SET client_min_messages = warning; SET client_encoding = "
                                        "'UTF8'");
    if (!set)
        return false;
    /* A hot standby takes no LISTEN: there the count is polled. */
    store->listening = pg_exec(store->pg, "LISTEN boardpack");
    if (!store->listening && strcmp(pg_error_state(store->pg), "25006") != 0)
        return false;
    return pg_set_lock_timeout(store, busy_ms);
}

static void forget_statements(struct store *store)
{
    for (int i = 0; i < STATEMENT_COUNT; i++) {
        sqlite3_finalize(store->statements[i].lite);
        pg_finalize(store->statements[i].pg);
        store->statements[i].lite = NULL;
        store->statements[i].pg = NULL;
    }
}

/* A connection the server dropped (a restart, a failover) is made again
 * in place (its statements are prepared again as they run); false if the
 * server is still out of reach, or if it dropped in the middle of a
 * transaction, which must end (roll back) first: nothing of it may go on
 * on a new connection. */
static bool pg_reconnect(struct store *store, struct error *error)
{
    if (!pg_connection_lost(store->pg))
        return true;
    if (store->pg_transaction) {
        error_set(error, EXIT_TEMPORARY,
                  "The store %s cannot be reached (the connection was lost in the middle of a "
                  "change, which was not saved); try again.",
                  store->label);
        return false;
    }
    char *message = NULL;
    if (!pg_connect_again(store->pg, store->path, &message)) {
        error_set(error, EXIT_TEMPORARY, "The store %s cannot be reached (%s); try again.",
                  store->label, message);
        free(message);
        return false;
    }
    return pg_session(store, store->busy_ms) || fail(store, error, "reconnect to the store");
}

static bool pg_has_schema(struct store *store, bool *has, struct error *error)
{
    long long found;
    if (!pg_query_int64(store->pg,
                        "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace "
                        "n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                        "AND c.relname = 'boardpack_schema'",
                        &found))
        return fail(store, error, "open the store");
    *has = found > 0;
    return true;
}

/* store_exists's connection, kept for the open that comes next (a command
 * asks whether the store exists, then opens it): one connection to the
 * server, not two. Its schema was found there. */
static struct pg_connection *pg_spare;
static char *pg_spare_location;
static long long pg_spare_version; /* its schema's version, read there */

static struct pg_connection *pg_take_spare(const char *location)
{
    struct pg_connection *spare = NULL;
    if (pg_spare && strcmp(pg_spare_location, location) == 0 && !pg_connection_lost(pg_spare))
        spare = pg_spare;
    else
        pg_disconnect(pg_spare);
    pg_spare = NULL;
    free(pg_spare_location);
    pg_spare_location = NULL;
    return spare;
}

/* Creates the schema in an empty database, or upgrades an older one, in
 * one transaction under the writers' lock. `known_version`, if not -1, is
 * the version just read on this connection (so the schema is there). */
static bool pg_migrate(struct store *store, bool create, long long known_version,
                       struct error *error)
{
    bool has = known_version >= 0;
    if (!has && !pg_has_schema(store, &has, error))
        return false;
    long long version = known_version;
    if (known_version < 0 && has &&
        !pg_query_int64(store->pg, "SELECT max(version) FROM boardpack_schema", &version))
        return fail(store, error, "read the schema version");
    if (has && version > SCHEMA_VERSION) {
        error_set(error, EXIT_DATA,
                  "The store %s was written by a newer boardpack (schema %lld; this one knows "
                  "up to %d).",
                  store->label, version, SCHEMA_VERSION);
        return false;
    }
    if (has && version == SCHEMA_VERSION)
        return true;
    if (!has && !create) {
        error_set(error, EXIT_NO_INPUT,
                  "There is no boardpack store in %s; create one with boardpack init --sample, "
                  "or import a board file.",
                  store->label);
        return false;
    }
    if (store->read_only) {
        error_set(error, EXIT_DATA, "The store %s needs %s, which a read-only open cannot do.",
                  store->label, has ? "upgrading" : "creating");
        return false;
    }
    if (!pg_exec(store->pg, PG_BEGIN_WRITE))
        return fail(store, error, "start the upgrade");
    bool ok = pg_has_schema(store, &has, error); /* again, under the lock */
    if (ok && !has) {
        long long others;
        ok = pg_query_int64(store->pg,
                            "SELECT count(*) FROM pg_catalog.pg_class c JOIN "
                            "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
                            "n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'p', 'm', 'f')",
                            &others) ||
             fail(store, error, "open the store");
        if (ok && others > 0) {
            /* The label is already "postgresql database \"NAME\"". */
            error_set(error, EXIT_DATA,
                      "The %s already holds %lld other %s; boardpack creates its store only "
                      "in an empty database (or schema), and created nothing.",
                      store->label, others, others == 1 ? "table or view" : "tables or views");
            ok = false;
        }
        ok = ok && (pg_exec(store->pg, pg_schema) || fail(store, error, "create the store"));
        char insert[64];
        snprintf(insert, sizeof insert, "INSERT INTO boardpack_schema VALUES (%d)",
                 PG_BASE_VERSION);
        ok = ok && (pg_exec(store->pg, insert) || fail(store, error, "create the store"));
        version = PG_BASE_VERSION;
        store->created = ok;
    } else if (ok) {
        ok = pg_query_int64(store->pg, "SELECT max(version) FROM boardpack_schema", &version) ||
             fail(store, error, "read the schema version");
    }
    for (long long step = version; ok && step < SCHEMA_VERSION; step++)
        ok = pg_exec(store->pg, pg_migrations[step - PG_BASE_VERSION]) ||
             fail(store, error, "upgrade the schema");
    if (ok && version < SCHEMA_VERSION) {
        char update[64];
        snprintf(update, sizeof update, "UPDATE boardpack_schema SET version = %d",
                 SCHEMA_VERSION);
        ok = pg_exec(store->pg, update) || fail(store, error, "record the schema version");
    }
    if (ok && !pg_exec(store->pg, "COMMIT"))
        ok = fail(store, error, "finish the upgrade");
    if (!ok) {
        store->created = false;
        pg_exec(store->pg, "ROLLBACK");
    }
    return ok;
}

static bool pg_open(const char *location, enum store_access access, bool create, int busy_ms,
                    struct store **out, struct error *error)
{
    char *message = NULL;
    struct pg_connection *connection = pg_take_spare(location);
    long long known_version = connection ? pg_spare_version : -1;
    if (!connection)
        connection = pg_connect(location, &message);
    if (!connection) {
        /* libpq's message names host and database, never the password. */
        error_set(error, EXIT_NO_INPUT, "Cannot open the PostgreSQL store: %s", message);
        free(message);
        return false;
    }
    struct store *store = xcalloc(1, sizeof *store);
    store->pg = connection;
    store->path = xstrdup(location);
    store->label = xasprintf("postgresql database \"%s\"", pg_database_name(connection));
    store->read_only = access == STORE_READ_ONLY;
    store->busy_ms = busy_ms;
    if (!pg_session(store, busy_ms)) {
        fail(store, error, "open the store");
        store_close(store);
        return false;
    }
    if (!pg_migrate(store, create, known_version, error)) {
        store_close(store);
        return false;
    }
    *out = store;
    return true;
}

/* A PostgreSQL location: a URI or a libpq service string. Never a file. */
static bool names_a_server(const char *location)
{
    return strncmp(location, "postgresql://", 13) == 0 ||
           strncmp(location, "postgres://", 11) == 0 || strncmp(location, "service=", 8) == 0;
}

bool store_is_server(const char *location)
{
    return names_a_server(location);
}

char *store_location_label(const char *location)
{
    return names_a_server(location) ? pg_location_label(location) : xstrdup(location);
}

bool store_exists(const char *location)
{
    if (names_a_server(location)) {
        /* A store is there if the database holds boardpack's schema. */
        char *message = NULL;
        pg_disconnect(pg_take_spare(""));
        struct pg_connection *connection = pg_connect(location, &message);
        free(message);
        if (!connection)
            return false;
        /* One query says both whether the schema is there and its
         * version; a database without it answers "undefined table". */
        long long version = -1;
        bool has = pg_query_int64(connection, "SELECT max(version) FROM boardpack_schema",
                                  &version);
        if (has) {
            pg_spare = connection;
            pg_spare_location = xstrdup(location);
            pg_spare_version = version;
        } else {
            pg_disconnect(connection);
        }
        return has;
    }
    struct stat info;
    return stat(location, &info) == 0;
}

/* The file's device and inode, to tell later whether the path still names it. */
static void remember_identity(struct store *store)
{
    struct stat info;
    store->identified = stat(store->path, &info) == 0;
    if (store->identified) {
        store->device = info.st_dev;
        store->inode = info.st_ino;
    }
}

bool store_open(const char *path, enum store_access access, bool create, struct store **out,
                struct error *error)
{
    return store_open_waiting(path, access, create, BUSY_TIMEOUT_MS, out, error);
}

bool store_open_waiting(const char *path, enum store_access access, bool create,
                        int busy_timeout_ms, struct store **out, struct error *error)
{
    if (names_a_server(path))
        return pg_open(path, access, create, busy_timeout_ms, out, error);
    struct stat info;
    bool exists = stat(path, &info) == 0;
    if (!exists && !create) {
        error_set(error, EXIT_NO_INPUT, "There is no store at %s.", path);
        return false;
    }
    if (exists && S_ISDIR(info.st_mode)) {
        error_set(error, EXIT_NO_INPUT, "The store path %s is a directory.", path);
        return false;
    }
    bool read_only = access == STORE_READ_ONLY;
    if (!read_only && exists && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0)
        read_only = true; /* the user may look but not change */
    if (!exists && (!make_directories(path, error) || !create_private_file(path, error)))
        return false;

    struct store *store = xcalloc(1, sizeof *store);
    store->path = xstrdup(path);
    store->label = xstrdup(path);
    store->read_only = read_only;
    store->created = !exists;
    int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &store->database, flags, NULL) != SQLITE_OK) {
        if (store->database)
            fail(store, error, "open the store");
        else
            error_set(error, EXIT_NO_INPUT, "Cannot open the store %s.", path);
        store_close(store);
        return false;
    }
    sqlite3_extended_result_codes(store->database, 1);
    sqlite3_busy_timeout(store->database, busy_timeout_ms);
    if (!read_only) {
        /* Keep -wal and -shm when the last connection closes (the WAL
         * emptied, see journal_size_limit below): a reader that may not
         * create files beside the store, such as a meeting-room kiosk's
         * account, can then always open it (docs/kiosk.md). */
        int persist = 1;
        sqlite3_file_control(store->database, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    }
    /* Refuse a file that is not SQLite before anything else touches it. */
    if (!execute_script(store, "PRAGMA foreign_keys = ON", error, "open the store")) {
        store_close(store);
        return false;
    }
    if (pragma_integer(store, STATEMENT_USER_VERSION) < 0) {
        fail(store, error, "open the store");
        store_close(store);
        return false;
    }
    if (!read_only) {
        /* WAL lets readers (a kiosk, a report) carry on while one writes;
         * synchronous FULL makes every acknowledged commit survive power loss. */
        if (!execute_script(store, "PRAGMA journal_mode = WAL", error, "open the store") ||
            !execute_script(store, "PRAGMA synchronous = FULL", error, "open the store") ||
            !execute_script(store, "PRAGMA journal_size_limit = 4194304", error,
                            "open the store")) {
            store_close(store);
            return false;
        }
    }
    if (!migrate(store, error)) {
        store_discard(store);
        return false;
    }
    if (read_only && !execute_script(store, "PRAGMA query_only = ON", error, "open the store")) {
        store_close(store);
        return false;
    }
    remember_identity(store);
    *out = store;
    return true;
}

/* Closes the connection; the caller frees or keeps the path. */
static void close_connection(struct store *store)
{
    forget_statements(store);
    sqlite3_close(store->database);
    store->database = NULL;
    pg_disconnect(store->pg);
    store->pg = NULL;
}

void store_close(struct store *store)
{
    if (!store)
        return;
    close_connection(store);
    free(store->path);
    free(store->label);
    free(store->publish_to);
    free(store);
}

/* Removes a store's file with its -wal and -shm. */
static void remove_files(const char *path)
{
    char *side = xasprintf("%s-wal", path);
    unlink(side);
    free(side);
    side = xasprintf("%s-shm", path);
    unlink(side);
    free(side);
    unlink(path);
}

void store_discard(struct store *store)
{
    if (!store)
        return;
    bool remove = store->created;
    if (store->pg) {
        /* The tables this connection created go again. */
        if (remove && !pg_exec(store->pg, pg_drop))
            pg_exec(store->pg, "ROLLBACK");
        store_close(store);
        return;
    }
    char *path = xstrdup(store->path);
    store_close(store);
    if (remove)
        remove_files(path);
    free(path);
}

bool store_create_unpublished(const char *location, struct store **out, struct error *error)
{
    /* A database server's store is created in one transaction; it is
     * seeded in place. */
    if (names_a_server(location))
        return store_open(location, STORE_READ_WRITE, true, out, error);
    /* Built beside its final path, under a name no other process uses. */
    char *building = xasprintf("%s.new-%ld", location, (long)getpid());
    remove_files(building); /* left by a crashed run with our process id */
    bool ok = store_open(building, STORE_READ_WRITE, true, out, error);
    free(building);
    if (ok)
        (*out)->publish_to = xstrdup(location);
    return ok;
}

bool store_publish(struct store *store, struct error *error)
{
    if (store->pg) {
        store_close(store);
        return true;
    }
    /* The last close checkpoints into the file (and empties the WAL). */
    close_connection(store);
    bool ok = true;
    /* link(2) never replaces: if another first run won, its store stays. */
    if (link(store->path, store->publish_to) != 0 && errno != EEXIST) {
        error_set(error, EXIT_CANNOT_CREATE, "Cannot create the store %s: %s.",
                  store->publish_to, strerror(errno));
        ok = false;
    }
    remove_files(store->path);
    store_close(store);
    return ok;
}

void store_set_busy_timeout(struct store *store, int milliseconds)
{
    if (store->pg) {
        store->busy_ms = milliseconds;
        pg_set_lock_timeout(store, milliseconds);
        return;
    }
    sqlite3_busy_timeout(store->database, milliseconds);
}

bool store_is_read_only(const struct store *store)
{
    return store->read_only;
}

bool store_may_write(struct store *store)
{
    if (store->read_only)
        return false;
    if (!store->pg)
        return true; /* a file this account may not write opened read-only */
    /* PostgreSQL: the server's grants decide (a viewer's login has SELECT
     * only) and a hot standby takes no write. A question that fails says
     * yes: the server still refuses any write it would not take. */
    long long may = 1;
    if (!pg_query_int64(store->pg,
                        "SELECT (has_table_privilege('readings', 'INSERT') "
                        "AND NOT pg_is_in_recovery())::int",
                        &may))
        return true;
    return may != 0;
}

const char *store_path(const struct store *store)
{
    return store->path;
}


bool store_is_empty(struct store *store)
{
    return pragma_integer(store, STATEMENT_COUNT_BOARDS) <= 0;
}

/* PRAGMA data_version: moves when another connection commits. */
static long long data_version(struct store *store)
{
    struct db_stmt *prepared = statement(store, STATEMENT_DATA_VERSION, NULL);
    long long version = -1;
    if (prepared && db_step(prepared) == DB_ROW)
        version = db_column_int64(prepared, 0);
    if (prepared)
        db_reset(prepared);
    return version;
}

/* The file's modification time and size: they move when it is written over
 * in place, which a connection's data_version may not show. */
static void file_state(const char *path, long long *modified_ns, long long *size)
{
    struct stat info;
    *modified_ns = *size = -1;
    if (stat(path, &info) == 0) {
        *modified_ns = (long long)info.st_mtim.tv_sec * 1000000000LL + info.st_mtim.tv_nsec;
        *size = (long long)info.st_size;
    }
}

bool store_mark(struct store *store, struct store_mark *mark)
{
    if (store->pg) {
        pg_take_notification(store->pg); /* what came before the mark is in it */
        mark->version = data_version(store);
        mark->modified_ns = 0;
        mark->size = store->pg_own_commits; /* ours since are not changes */
        store->pg_polled_ms = monotonic_ms();
        return mark->version >= 0;
    }
    mark->version = data_version(store);
    file_state(store->path, &mark->modified_ns, &mark->size);
    return mark->version >= 0;
}

int store_poll_ms(const struct store *store, int file_ms)
{
    /* Checking costs a read of the socket: nothing goes to the server. */
    return store->pg ? 100 : file_ms;
}

enum store_change store_changed_since(struct store *store, const struct store_mark *mark)
{
    if (store->pg) {
        /* A NOTIFY says at once; else the count is read every PG_POLL_MS
         * (a pooler in transaction mode drops notifications). */
        long long now = monotonic_ms();
        int every = store->listening ? PG_POLL_MS : PG_STANDBY_POLL_MS;
        if (!pg_take_notification(store->pg) && now - store->pg_polled_ms < every)
            return pg_connection_lost(store->pg) ? STORE_NEEDS_REOPEN : STORE_UNCHANGED;
        store->pg_polled_ms = now;
        long long version = data_version(store);
        if (version < 0)
            return STORE_NEEDS_REOPEN;
        long long ours = store->pg_own_commits - mark->size;
        return version - ours != mark->version ? STORE_CHANGED : STORE_UNCHANGED;
    }
    long long version = data_version(store);
    if (version < 0)
        return STORE_NEEDS_REOPEN;
    if (version != mark->version)
        return STORE_CHANGED;
    long long modified_ns, size;
    file_state(store->path, &modified_ns, &size);
    if (modified_ns != mark->modified_ns || size != mark->size)
        return STORE_NEEDS_REOPEN;
    return STORE_UNCHANGED;
}

bool store_is_same(struct store *store)
{
    if (store->pg)
        return true; /* a database, not a file that can be moved */
    struct stat info;
    return store->identified && stat(store->path, &info) == 0 && info.st_dev == store->device &&
           info.st_ino == store->inode;
}

int store_schema_version(struct store *store)
{
    return pragma_integer(store, STATEMENT_USER_VERSION);
}

bool store_begin(struct store *store, struct error *error)
{
    if (store->read_only) {
        error_set(error, EXIT_CANNOT_CREATE, "The store %s is open read-only; nothing was changed.",
                  store->label);
        return false;
    }
    if (store->pg) {
        if (!pg_reconnect(store, error))
            return false;
        if (pg_exec(store->pg, PG_BEGIN_WRITE)) {
            store->pg_transaction = true;
            return true;
        }
        fail(store, error, "start a change");
        pg_exec(store->pg, "ROLLBACK");
        return false;
    }
    struct db_stmt *prepared = statement(store, STATEMENT_BEGIN_IMMEDIATE, error);
    return prepared && run(store, prepared, error, "start a change");
}

/* The foreign key checks back on after a feed's transaction (a pragma
 * changes nothing inside a transaction, so it waits for the end). */
static void end_feed(struct store *store)
{
    if (store->feeding && !in_transaction(store)) {
        store->feeding = false;
        struct db_stmt *prepared = statement(store, STATEMENT_FOREIGN_KEYS_ON, NULL);
        if (prepared)
            run(store, prepared, NULL, "check references");
    }
}

bool store_begin_feed(struct store *store, struct error *error)
{
    if (store->read_only || store->pg)
        return store_begin(store, error);
    struct db_stmt *prepared = statement(store, STATEMENT_FOREIGN_KEYS_OFF, error);
    if (!prepared || !run(store, prepared, error, "start a change"))
        return false;
    store->feeding = true;
    if (store_begin(store, error))
        return true;
    end_feed(store);
    return false;
}

bool store_commit(struct store *store, struct error *error)
{
    if (store->pg) {
        /* Readers hear of the change (NOTIFY is sent at COMMIT) or see the
         * count move; a transaction that wrote nothing (an import of the
         * same file again) leaves the count alone, as it leaves a SQLite
         * file. */
        long long wrote = 1;
        bool ok = pg_query_int64(store->pg,
                                 "SELECT CASE WHEN txid_current_if_assigned() IS NULL THEN 0 "
                                 "ELSE 1 END",
                                 &wrote);
        if (ok && (wrote ? pg_exec(store->pg, "UPDATE boardpack_changes SET version = "
                                              "version + 1; NOTIFY boardpack; COMMIT")
                         : pg_exec(store->pg, "COMMIT"))) {
            store->pg_own_commits += wrote;
            store->pg_transaction = false;
            return true;
        }
        fail(store, error, "save the change");
        store_rollback(store);
        return false;
    }
    struct db_stmt *prepared = statement(store, STATEMENT_COMMIT, error);
    if (prepared && run(store, prepared, error, "save the change")) {
        end_feed(store);
        return true;
    }
    store_rollback(store);
    return false;
}

void store_rollback(struct store *store)
{
    if (store->pg) {
        if (pg_in_transaction(store->pg))
            pg_exec(store->pg, "ROLLBACK");
        store->pg_transaction = false;
        return;
    }
    if (!sqlite3_get_autocommit(store->database)) {
        struct db_stmt *prepared = statement(store, STATEMENT_ROLLBACK, NULL);
        if (prepared)
            run(store, prepared, NULL, "undo a failed change");
    }
    end_feed(store);
}

/* ---- Import ---------------------------------------------------------- */

static bool find_board_id(struct store *store, const char *code, long long *id, bool *found,
                          struct error *error)
{
    struct db_stmt *prepared = statement(store, STATEMENT_FIND_BOARD, error);
    if (!prepared)
        return false;
    bind_text(prepared, 1, code);
    int result = db_step(prepared);
    *found = result == DB_ROW;
    if (*found)
        *id = db_column_int64(prepared, 0);
    return finish(store, prepared, result, error, "look up a board");
}

/* The id of a board that must be in the store. */
static bool stored_board_id(struct store *store, const char *code, long long *id,
                            struct error *error)
{
    bool found;
    if (!find_board_id(store, code, id, &found, error))
        return false;
    if (!found)
        error_set(error, EXIT_DATA, "There is no board '%s' in the store.", code);
    return found;
}

/* Steps a statement that looks up a code on a board: true with a row in
 * hand, false (and the statement reset) without one. On no row, `missing`
 * says what was not found; a failure is in `doing`. */
static bool find_on_board(struct store *store, enum statement_id id, const char *board_code,
                          const char *code, const char *doing, const char *missing,
                          struct db_stmt **out, struct error *error)
{
    long long board_id;
    if (!stored_board_id(store, board_code, &board_id, error))
        return false;
    struct db_stmt *prepared = statement_on_board(store, id, board_id, code, error);
    if (!prepared)
        return false;
    int result = db_step(prepared);
    if (result == DB_ROW) {
        *out = prepared;
        return true;
    }
    if (finish(store, prepared, result, error, doing))
        error_set(error, EXIT_DATA, missing, board_code, code);
    return false;
}

static bool insert_milestone_update(struct store *store, long long node_id, yearmonth period,
                                    enum milestone_status status, const char *note,
                                    const char *who, const char *when, bool sample,
                                    long long *update_id, struct error *error, const char *doing)
{
    struct db_stmt *prepared =
        statement_for(store, STATEMENT_INSERT_MILESTONE_UPDATE, node_id, error);
    if (!prepared)
        return false;
    bind_period(prepared, 2, period);
    bind_texts(prepared, 3, (const char *const[]){milestone_status_name(status), note, who, when},
               4);
    db_bind_int(prepared, 7, sample);
    return insert(store, prepared, update_id, error, doing);
}

static bool insert_comment(struct store *store, long long node_id, yearmonth period,
                           const char *text, const char *who, const char *when, bool sample,
                           long long *comment_id, struct error *error, const char *doing)
{
    struct db_stmt *prepared = statement_for(store, STATEMENT_INSERT_COMMENT, node_id, error);
    if (!prepared)
        return false;
    bind_period(prepared, 2, period);
    bind_texts(prepared, 3, (const char *const[]){text, who, when}, 3);
    db_bind_int(prepared, 6, sample);
    return insert(store, prepared, comment_id, error, doing);
}

/* A metric of the node `node_id`, `order`th on it, with its trajectory and
 * SPC rebases. */
/* A metric's columns from ?2 on, as INSERT_METRIC and UPDATE_METRIC take
 * them. */
static void bind_metric(struct db_stmt *prepared, const struct metric *metric, size_t order,
                        long long node_id)
{
    db_bind_int64(prepared, 2, node_id);
    db_bind_int64(prepared, 3, (long long)order);
    bind_texts(prepared, 4,
               (const char *const[]){metric->code, metric->name, unit_name(metric->unit),
                                     direction_name(metric->direction)},
               4);
    if (metric->has_baseline) {
        db_bind_double(prepared, 8, metric->baseline);
        bind_period(prepared, 9, metric->baseline_period);
    }
    db_bind_double(prepared, 10, metric->target);
    bind_period(prepared, 11, metric->target_period);
    if (metric->has_tolerance)
        db_bind_double(prepared, 12, metric->tolerance);
    if (metric->stale_months)
        db_bind_int(prepared, 13, metric->stale_months);
    bind_text(prepared, 14, metric->breakdown);
    db_bind_int(prepared, 15, metric->spc.minimum_points);
    db_bind_int(prepared, 16, metric->spc.shift_length);
    db_bind_int(prepared, 17, metric->spc.trend_length);
    db_bind_int(prepared, 18, metric->spc.screen_moving_ranges);
    if (metric->spc.conflict != SPC_CONFLICT_DEFAULT)
        bind_text(prepared, 19, spc_conflict_name(metric->spc.conflict));
    else
        db_bind_null(prepared, 19);
    bind_period(prepared, 20, metric->retired);
}

/* A metric's trajectory and SPC rebases (none there yet). */
static bool insert_metric_series(struct store *store, const struct metric *metric,
                                 long long metric_id, struct error *error)
{
    struct db_stmt *prepared;
    for (size_t t = 0; t < metric->trajectory_count; t++) {
        if (!(prepared = statement_for(store, STATEMENT_INSERT_TRAJECTORY, metric_id, error)))
            return false;
        bind_period(prepared, 2, metric->trajectory[t].period);
        db_bind_double(prepared, 3, metric->trajectory[t].value);
        if (!run(store, prepared, error, "add a trajectory"))
            return false;
    }
    for (int r = 0; r < metric->spc.rebase_count; r++) {
        if (!(prepared = statement_for(store, STATEMENT_INSERT_REBASE, metric_id, error)))
            return false;
        bind_period(prepared, 2, metric->spc.rebase_periods[r]);
        if (!run(store, prepared, error, "add an SPC rebase"))
            return false;
    }
    for (size_t i = 0; i < metric->segment_count; i++) {
        if (!(prepared = statement_for(store, STATEMENT_INSERT_SEGMENT, metric_id, error)))
            return false;
        db_bind_int64(prepared, 2, (long long)i);
        bind_text(prepared, 3, metric->segments[i]);
        if (!run(store, prepared, error, "add a metric's segments"))
            return false;
    }
    return true;
}

static bool insert_metric(struct store *store, const struct metric *metric, size_t order,
                          long long board_id, long long node_id, long long *metric_id_out,
                          struct error *error)
{
    struct db_stmt *prepared = statement_for(store, STATEMENT_INSERT_METRIC, board_id, error);
    if (!prepared)
        return false;
    bind_metric(prepared, metric, order, node_id);
    long long metric_id;
    if (!insert(store, prepared, &metric_id, error, "add a metric"))
        return false;
    if (metric_id_out)
        *metric_id_out = metric_id;
    return insert_metric_series(store, metric, metric_id, error);
}

/* The board's node `i`, whose parent is already in (node_ids holds the ids
 * so far), with its milestone statuses and metrics. */
static bool insert_node(struct store *store, const struct board *board, size_t i,
                        long long board_id, long long *node_ids, long long tree_order_base,
                        bool with_metrics, const char *who, const char *now,
                        struct error *error)
{
    const struct node *node = &board->nodes[i];
    struct db_stmt *prepared = statement_for(store, STATEMENT_INSERT_NODE, board_id, error);
    if (!prepared)
        return false;
    if (node->parent == NODE_NONE)
        db_bind_null(prepared, 2);
    else
        db_bind_int64(prepared, 2, node_ids[node->parent]);
    bind_texts(prepared, 3,
               (const char *const[]){level_name(node->level), node->code, node->title, node->lead},
               4);
    db_bind_int64(prepared, 7, (long long)i + tree_order_base);
    if (node->has_milestone)
        bind_period(prepared, 8, node->milestone.due);
    else
        db_bind_null(prepared, 8);
    bind_period(prepared, 9, node->retired);
    if (!insert(store, prepared, &node_ids[i], error, "add the board's aims and objectives"))
        return false;
    for (size_t u = 0; u < node->milestone.update_count; u++) {
        const struct milestone_update *update = &node->milestone.updates[u];
        if (!insert_milestone_update(store, node_ids[i], update->period, update->status,
                                     update->note,
                                     update->entered_by ? update->entered_by : who,
                                     update->entered_at ? update->entered_at : now,
                                     update->sample || board->sample, NULL, error,
                                     "add a milestone status"))
            return false;
    }
    for (size_t m = 0; with_metrics && m < node->metric_count; m++)
        if (!insert_metric(store, &node->metrics[m], m, board_id, node_ids[i], NULL, error))
            return false;
    return true;
}

static bool insert_structure(struct store *store, const struct board *board, long long *board_id,
                             const char *now, struct error *error)
{
    struct db_stmt *prepared = statement(store, STATEMENT_INSERT_BOARD, error);
    if (!prepared)
        return false;
    bind_texts(prepared, 1,
               (const char *const[]){board->code, board->title, board->reporting_period,
                                     board->purpose, board->vision, now},
               6);
    if (board->spc_conflict != SPC_CONFLICT_DEFAULT)
        bind_text(prepared, 7, spc_conflict_name(board->spc_conflict));
    if (!insert(store, prepared, board_id, error, "add the board"))
        return false;

    for (size_t i = 0; i < board->value_count; i++) {
        if (!(prepared = statement_for(store, STATEMENT_INSERT_VALUE, *board_id, error)))
            return false;
        db_bind_int64(prepared, 2, (long long)i);
        bind_texts(prepared, 3, (const char *const[]){board->values[i].name, board->values[i].text},
                   2);
        if (!run(store, prepared, error, "add the board's values"))
            return false;
    }

    long long *node_ids = xcalloc(board->node_count ? board->node_count : 1, sizeof *node_ids);
    bool ok = true;
    for (size_t i = 0; ok && i < board->node_count; i++)
        ok = insert_node(store, board, i, *board_id, node_ids, 0, true, current_user_name(), now,
                         error);
    free(node_ids);
    return ok;
}

static void free_segments(char **segments, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(segments[i]);
    free(segments);
}

static void read_segment_name(struct db_stmt *prepared, void *item)
{
    *(char **)item = column_text(prepared, 0);
}

static void free_segment_list(void *list, size_t count)
{
    free_segments(list, count);
}

/* The segments one metric declares, in order (none: it takes any). */
static bool load_declared_segments(struct store *store, long long metric_id, char ***out,
                                   size_t *count, struct error *error)
{
    struct db_stmt *prepared =
        statement_for(store, STATEMENT_LOAD_METRIC_SEGMENTS, metric_id, error);
    if (!prepared)
        return false;
    static const struct row_list names = {sizeof(char *), read_segment_name, free_segment_list};
    void *list;
    if (!read_rows(store, prepared, &names, "read a metric's segments", &list, count, error))
        return false;
    *out = list;
    return true;
}

bool store_find_metric(struct store *store, const char *board_code, const char *metric_code,
                       struct metric_ref *out, struct error *error)
{
    struct db_stmt *prepared;
    if (!find_on_board(store, STATEMENT_FIND_METRIC, board_code, metric_code, "look up a metric",
                       "Board '%s' has no metric '%s'.", &prepared, error))
        return false;
    out->metric_id = db_column_int64(prepared, 0);
    if (!unit_parse(column_name(prepared, 1), &out->unit))
        out->unit = UNIT_NUMBER;
    out->code = column_text(prepared, 2);
    out->breakdown = column_text(prepared, 3);
    out->retired = column_period(prepared, 4);
    db_reset(prepared);
    out->segments = NULL;
    out->segment_count = 0;
    if (out->breakdown &&
        !load_declared_segments(store, out->metric_id, &out->segments, &out->segment_count,
                                error)) {
        metric_ref_free(out);
        return false;
    }
    return true;
}

void metric_ref_free(struct metric_ref *ref)
{
    free(ref->code);
    free(ref->breakdown);
    free_segments(ref->segments, ref->segment_count);
    ref->code = ref->breakdown = NULL;
    ref->segments = NULL;
    ref->segment_count = 0;
}

bool store_find_node(struct store *store, const char *board_code, const char *node_code,
                     long long *node_id, bool *is_milestone, struct error *error)
{
    struct db_stmt *prepared;
    if (!find_on_board(store, STATEMENT_FIND_NODE, board_code, node_code, "look up a node",
                       "Board '%s' has no aim, objective or deliverable '%s'.", &prepared, error))
        return false;
    *node_id = db_column_int64(prepared, 0);
    if (is_milestone)
        *is_milestone = db_column_int(prepared, 1) != 0;
    db_reset(prepared);
    return true;
}

bool store_node_retired(struct store *store, const char *board_code, const char *node_code,
                        yearmonth *retired, struct error *error)
{
    struct db_stmt *prepared;
    if (!find_on_board(store, STATEMENT_FIND_NODE, board_code, node_code, "look up a node",
                       "Board '%s' has no aim, objective or deliverable '%s'.", &prepared, error))
        return false;
    *retired = column_period(prepared, 2);
    db_reset(prepared);
    return true;
}

bool store_put_reading(struct store *store, long long metric_id, yearmonth period,
                       const char *segment, double value, const char *note, const char *who,
                       const char *when, bool *had_old, double *old_value, struct error *error)
{
    return store_put_reading_sample(store, metric_id, period, segment, value, note, who, when,
                                    false, had_old, old_value, error);
}

/* Keeps metric_latest in step with the readings (same transaction). */
static bool refresh_metric_latest(struct store *store, long long metric_id, struct error *error)
{
    return run_for(store, STATEMENT_REFRESH_METRIC_LATEST, metric_id, error,
                   "update the latest readings");
}

/* The stored reading for a metric, period and segment, into report's
 * had_old and old_* fields (the strings allocated, for the caller to free). */
static bool read_stored_reading(struct store *store, long long metric_id, yearmonth period,
                                const char *segment, struct store_written *report, char **note,
                                char **entered_by, char **entered_at, struct error *error)
{
    struct db_stmt *prepared = statement_for(store, STATEMENT_FIND_READING, metric_id, error);
    if (!prepared)
        return false;
    bind_text(prepared, 2, segment ? segment : "");
    bind_period(prepared, 3, period);
    int result = db_step(prepared);
    report->had_old = result == DB_ROW;
    if (report->had_old) {
        report->old_value = db_column_double(prepared, 0);
        report->old_note = *note = column_text(prepared, 1);
        report->old_entered_by = *entered_by = column_text(prepared, 2);
        report->old_entered_at = *entered_at = column_text(prepared, 3);
        report->old_sample = db_column_int(prepared, 4) != 0;
    }
    return finish(store, prepared, result, error, "read the current reading");
}

/* An import refreshes metric_latest once per board after all its readings
 * (refresh_latest false), not after each: per reading, the refresh reads the
 * metric's readings so far, which made a long history's import quadratic. */
bool store_get_reading(struct store *store, long long metric_id, yearmonth period,
                       const char *segment, struct reading *out, bool *found, struct error *error)
{
    struct store_written report = {0};
    char *note = NULL, *entered_by = NULL, *entered_at = NULL;
    if (!read_stored_reading(store, metric_id, period, segment, &report, &note, &entered_by,
                             &entered_at, error))
        return false;
    *found = report.had_old;
    memset(out, 0, sizeof *out);
    if (*found) {
        out->period = period;
        out->value = report.old_value;
        out->segment = segment ? xstrdup(segment) : NULL;
        out->note = note;
        out->entered_by = entered_by;
        out->entered_at = entered_at;
        out->sample = report.old_sample;
    }
    return true;
}

static bool put_reading(struct store *store, long long metric_id, yearmonth period,
                        const char *segment, double value, const char *note, const char *who,
                        const char *when, bool sample, bool *had_old, double *old_value,
                        bool refresh_latest, struct error *error)
{
    if (had_old) {
        struct store_written old = {0};
        char *old_note = NULL, *old_by = NULL, *old_at = NULL;
        bool ok = read_stored_reading(store, metric_id, period, segment, &old, &old_note,
                                      &old_by, &old_at, error);
        free(old_note);
        free(old_by);
        free(old_at);
        if (!ok)
            return false;
        *had_old = old.had_old;
        if (old.had_old && old_value)
            *old_value = old.old_value;
    }
    struct db_stmt *prepared;
    if (!(prepared = statement(store, STATEMENT_PUT_READING, error)))
        return false;
    db_bind_int64(prepared, 1, metric_id);
    bind_period(prepared, 2, period);
    bind_text(prepared, 3, segment ? segment : "");
    db_bind_double(prepared, 4, value);
    bind_text(prepared, 5, note);
    bind_text(prepared, 6, who);
    bind_text(prepared, 7, when);
    db_bind_int(prepared, 8, sample);
    return run(store, prepared, error, "save the reading") &&
           (!refresh_latest || refresh_metric_latest(store, metric_id, error));
}

bool store_put_reading_sample(struct store *store, long long metric_id, yearmonth period,
                              const char *segment, double value, const char *note,
                              const char *who, const char *when, bool sample, bool *had_old,
                              double *old_value, struct error *error)
{
    return put_reading(store, metric_id, period, segment, value, note, who, when, sample, had_old,
                       old_value, true, error);
}

void store_old_reading_free(struct store_old_reading *old)
{
    free(old->note);
    free(old->entered_by);
    free(old->entered_at);
    memset(old, 0, sizeof *old);
}

/* Two notes the same: both absent, or the same text. */
static bool same_note(const char *left, const char *right)
{
    return (!left && !right) || (left && right && strcmp(left, right) == 0);
}

bool store_put_feed_reading(struct store *store, long long metric_id, yearmonth period,
                            const char *segment, double value, const char *note,
                            const char *who, const char *when, enum store_put_result *result,
                            struct store_old_reading *old, struct error *error)
{
    store_old_reading_free(old);
    /* A feed's hot path, once per row: every parameter is bound each time
     * (so no clearing) and the texts are bound in place, not copied
     * (SQLITE_STATIC: they outlive the step, and the statement is reset
     * before this returns). */
    struct db_stmt *prepared = &store->statements[STATEMENT_INSERT_READING_IF_NEW];
    if (!prepared->lite && !prepared->pg &&
        !(prepared = statement(store, STATEMENT_INSERT_READING_IF_NEW, error)))
        return false;
    char month[8];
    yearmonth_format(period, month);
    db_bind_int64(prepared, 1, metric_id);
    db_bind_static(prepared, 2, month, 7);
    db_bind_static(prepared, 3, segment ? segment : "", -1);
    db_bind_double(prepared, 4, value);
    if (note)
        db_bind_static(prepared, 5, note, -1);
    else
        db_bind_null(prepared, 5);
    db_bind_static(prepared, 6, who, -1);
    db_bind_static(prepared, 7, when, -1);
    if (!run(store, prepared, error, "save the reading"))
        return false;
    if (db_changes(store) == 1) {
        *result = STORE_PUT_NEW;
        return true;
    }
    /* Already there: left alone if it says the same (and is the trust's,
     * not sample data), else replaced, its old row handed back. */
    struct store_written stored = {0};
    if (!read_stored_reading(store, metric_id, period, segment, &stored, &old->note,
                             &old->entered_by, &old->entered_at, error))
        return false;
    old->value = stored.old_value;
    old->sample = stored.old_sample;
    if (stored.had_old && stored.old_value == value && same_note(old->note, note) &&
        !stored.old_sample) {
        *result = STORE_PUT_UNCHANGED;
        return true;
    }
    *result = STORE_PUT_REPLACED;
    return put_reading(store, metric_id, period, segment, value, note, who, when, false, NULL,
                       NULL, false, error);
}

/* A feed's rows waiting to be written, FEED_BATCH to a statement: one
 * statement's cost (its cursors, its start and end) spread over many rows. */
struct store_feed {
    struct store *store;
    const char *who, *when;
    store_feed_written *told;
    void *context;
    struct store_feed_row rows[FEED_BATCH];
    bool inserted[FEED_BATCH];
    char months[FEED_BATCH][8];
    size_t count;
};

struct store_feed *store_feed_start(struct store *store, const char *who, const char *when,
                                    store_feed_written *told, void *context)
{
    struct store_feed *feed = xcalloc(1, sizeof *feed);
    *feed = (struct store_feed){
        .store = store, .who = who, .when = when, .told = told, .context = context};
    return feed;
}

static void clear_feed_rows(struct store_feed *feed)
{
    for (size_t i = 0; i < feed->count; i++) {
        free(feed->rows[i].segment);
        free(feed->rows[i].note);
    }
    feed->count = 0;
}

void store_feed_end(struct store_feed *feed)
{
    if (!feed)
        return;
    clear_feed_rows(feed);
    free(feed);
}

static bool read_number(struct store *store, enum statement_id statement_id, const char *text,
                        long long id, long long *out, const char *doing, struct error *error);

/* Whether a batch's row `i` was inserted by the batch: its stored row is
 * newer than the batch (an id above `last`), and no earlier row of the
 * batch has its month and segment (that one was inserted, this one met it). */
static bool inserted_by_batch(struct store_feed *feed, size_t i, long long last, bool *inserted,
                              struct error *error)
{
    const struct store_feed_row *row = &feed->rows[i];
    for (size_t j = 0; j < i; j++) {
        const struct store_feed_row *earlier = &feed->rows[j];
        if (earlier->metric_id == row->metric_id && earlier->period == row->period &&
            strcmp(earlier->segment ? earlier->segment : "", row->segment ? row->segment : "") ==
                0) {
            *inserted = false;
            return true;
        }
    }
    struct db_stmt *prepared = statement_for(feed->store, STATEMENT_FIND_READING_ID, row->metric_id,
                                           error);
    if (!prepared)
        return false;
    bind_text(prepared, 2, row->segment ? row->segment : "");
    bind_period(prepared, 3, row->period);
    int result = db_step(prepared);
    *inserted = result == DB_ROW && db_column_int64(prepared, 0) > last;
    return finish(feed->store, prepared, result, error, "read the readings");
}

/* The rows of a full batch in one statement; the rows it did not insert
 * (already there, or earlier in the same batch) one at a time after it. */
static bool insert_feed_batch(struct store_feed *feed, struct error *error)
{
    struct store *store = feed->store;
    long long last = 0;
    if (!read_number(store, STATEMENT_READINGS_LAST_ID, NULL, 0, &last, "read the readings",
                     error))
        return false;
    struct db_stmt *prepared = &store->statements[STATEMENT_INSERT_READINGS_IF_NEW];
    if (!prepared->lite && !prepared->pg &&
        !(prepared = statement(store, STATEMENT_INSERT_READINGS_IF_NEW, error)))
        return false;
    for (size_t i = 0; i < FEED_BATCH; i++) {
        const struct store_feed_row *row = &feed->rows[i];
        int at = (int)i * 7;
        yearmonth_format(row->period, feed->months[i]);
        db_bind_int64(prepared, at + 1, row->metric_id);
        db_bind_static(prepared, at + 2, feed->months[i], 7);
        db_bind_static(prepared, at + 3, row->segment ? row->segment : "", -1);
        db_bind_double(prepared, at + 4, row->value);
        if (row->note)
            db_bind_static(prepared, at + 5, row->note, -1);
        else
            db_bind_null(prepared, at + 5);
        db_bind_static(prepared, at + 6, feed->who, -1);
        db_bind_static(prepared, at + 7, feed->when, -1);
    }
    if (!run(store, prepared, error, "save the readings"))
        return false;
    /* All new (a first feed) or none (the same feed again) is the rule;
     * a mixed batch asks which of its rows it inserted. */
    int inserted = db_changes(store);
    for (size_t i = 0; i < FEED_BATCH; i++) {
        feed->inserted[i] = inserted == FEED_BATCH;
        if (inserted > 0 && inserted < FEED_BATCH &&
            !inserted_by_batch(feed, i, last, &feed->inserted[i], error))
            return false;
    }
    return true;
}

/* Writes the rows waiting and tells of each, in order. */
static bool flush_feed(struct store_feed *feed, struct error *error)
{
    bool ok = true;
    bool batched = feed->count == FEED_BATCH;
    if (batched)
        ok = insert_feed_batch(feed, error);
    struct store_old_reading old = {0};
    for (size_t i = 0; ok && i < feed->count; i++) {
        const struct store_feed_row *row = &feed->rows[i];
        enum store_put_result result = STORE_PUT_NEW;
        store_old_reading_free(&old);
        if (!batched || !feed->inserted[i])
            ok = store_put_feed_reading(feed->store, row->metric_id, row->period, row->segment,
                                        row->value, row->note, feed->who, feed->when, &result,
                                        &old, error);
        ok = ok && (!feed->told || feed->told(feed->context, row, result, &old, error));
    }
    store_old_reading_free(&old);
    clear_feed_rows(feed);
    return ok;
}

bool store_feed_put(struct store_feed *feed, long long metric_id, yearmonth period,
                    const char *segment, double value, const char *note, const void *tag,
                    struct error *error)
{
    feed->rows[feed->count++] = (struct store_feed_row){
        .metric_id = metric_id,
        .period = period,
        .segment = xstrdup(segment),
        .value = value,
        .note = xstrdup(note),
        .tag = tag,
    };
    return feed->count < FEED_BATCH || flush_feed(feed, error);
}

bool store_feed_flush(struct store_feed *feed, struct error *error)
{
    return flush_feed(feed, error);
}

bool store_refresh_latest(struct store *store, const char *board_code, struct error *error)
{
    long long board_id;
    return stored_board_id(store, board_code, &board_id, error) &&
           run_for(store, STATEMENT_REFRESH_BOARD_LATEST, board_id, error,
                   "update the latest readings");
}

void metric_refs_free(struct metric_ref *refs, size_t count)
{
    for (size_t i = 0; i < count; i++)
        metric_ref_free(&refs[i]);
    free(refs);
}

static void read_metric_ref(struct db_stmt *prepared, void *item)
{
    struct metric_ref *ref = item;
    ref->metric_id = db_column_int64(prepared, 0);
    if (!unit_parse(column_name(prepared, 1), &ref->unit))
        ref->unit = UNIT_NUMBER;
    ref->code = column_text(prepared, 2);
    ref->breakdown = column_text(prepared, 3);
}

static void free_metric_ref_list(void *list, size_t count)
{
    metric_refs_free(list, count);
}

bool store_list_metric_refs(struct store *store, const char *board_code, struct metric_ref **out,
                            size_t *count, struct error *error)
{
    long long board_id;
    if (!stored_board_id(store, board_code, &board_id, error))
        return false;
    struct db_stmt *prepared = statement_for(store, STATEMENT_LIST_METRIC_REFS, board_id, error);
    if (!prepared)
        return false;
    static const struct row_list refs = {sizeof **out, read_metric_ref, free_metric_ref_list};
    void *list = NULL;
    if (!read_rows(store, prepared, &refs, "list the board's metrics", &list, count, error))
        return false;
    /* The segments each metric with a breakdown declares, for the feed's
     * check (few metrics have a breakdown). */
    struct metric_ref *metrics = list;
    for (size_t i = 0; i < *count; i++) {
        metrics[i].segments = NULL;
        metrics[i].segment_count = 0;
        if (metrics[i].breakdown &&
            !load_declared_segments(store, metrics[i].metric_id, &metrics[i].segments,
                                    &metrics[i].segment_count, error)) {
            free_metric_ref_list(list, *count);
            return false;
        }
    }
    *out = list;
    return true;
}

bool store_delete_reading(struct store *store, long long metric_id, yearmonth period,
                          const char *segment, struct error *error)
{
    struct db_stmt *prepared = statement(store, STATEMENT_DELETE_READING, error);
    if (!prepared)
        return false;
    db_bind_int64(prepared, 1, metric_id);
    bind_text(prepared, 2, segment ? segment : "");
    bind_period(prepared, 3, period);
    return run(store, prepared, error, "remove the reading") &&
           refresh_metric_latest(store, metric_id, error);
}

bool store_add_milestone_update(struct store *store, long long node_id,
                                enum milestone_status status, yearmonth period, const char *note,
                                const char *who, const char *when, long long *update_id,
                                struct error *error)
{
    return insert_milestone_update(store, node_id, period, status, note, who, when, false,
                                   update_id, error, "save the milestone status");
}

bool store_latest_milestone_status(struct store *store, long long node_id,
                                   enum milestone_status *status, bool *found,
                                   struct error *error)
{
    struct db_stmt *prepared =
        statement_for(store, STATEMENT_LATEST_MILESTONE_STATUS, node_id, error);
    if (!prepared)
        return false;
    int result = db_step(prepared);
    *found = result == DB_ROW;
    if (*found && !milestone_status_parse(column_name(prepared, 0), status))
        *status = MILESTONE_NOT_STARTED;
    return finish(store, prepared, result, error, "read the milestone status");
}

bool store_get_row(struct store *store, enum store_row_kind kind, long long row_id,
                   struct store_row *out, bool *found, struct error *error)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *prepared = statement_for(
        store, kind == STORE_ROW_COMMENT ? STATEMENT_GET_COMMENT : STATEMENT_GET_MILESTONE_UPDATE,
        row_id, error);
    if (!prepared)
        return false;
    int result = db_step(prepared);
    *found = result == DB_ROW;
    if (*found) {
        out->node_code = column_text(prepared, 0);
        out->period = column_period(prepared, 1);
        const char *status = db_column_text(prepared, 2);
        if (status)
            milestone_status_parse(status, &out->status);
        out->text = column_text(prepared, 3);
        out->entered_by = column_text(prepared, 4);
        out->entered_at = column_text(prepared, 5);
    }
    return finish(store, prepared, result, error, "read the row");
}

void store_row_free(struct store_row *row)
{
    free(row->node_code);
    free(row->text);
    free(row->entered_by);
    free(row->entered_at);
    memset(row, 0, sizeof *row);
}

bool store_delete_milestone_update(struct store *store, long long update_id, struct error *error)
{
    return run_for(store, STATEMENT_DELETE_MILESTONE_UPDATE, update_id, error,
                   "remove the milestone status");
}

bool store_add_comment(struct store *store, long long node_id, yearmonth period, const char *text,
                       const char *who, const char *when, long long *comment_id,
                       struct error *error)
{
    return insert_comment(store, node_id, period, text, who, when, false, comment_id, error,
                          "save the commentary");
}

bool store_delete_comment(struct store *store, long long comment_id, struct error *error)
{
    return run_for(store, STATEMENT_DELETE_COMMENT, comment_id, error, "remove the commentary");
}

bool store_delete_board(struct store *store, const char *board_code, struct error *error)
{
    static const enum statement_id in_order[] = {
        STATEMENT_DELETE_BOARD_READINGS,     STATEMENT_DELETE_BOARD_LATEST,
        STATEMENT_DELETE_BOARD_TRAJECTORIES, STATEMENT_DELETE_BOARD_REBASES,
        STATEMENT_DELETE_BOARD_SEGMENTS,
        STATEMENT_DELETE_BOARD_MILESTONE_UPDATES, STATEMENT_DELETE_BOARD_COMMENTS,
        STATEMENT_DELETE_BOARD_NODE_STATUS,  STATEMENT_DELETE_BOARD_METRICS,
        STATEMENT_DELETE_BOARD_NODES,        STATEMENT_DELETE_BOARD_VALUES,
        STATEMENT_DELETE_BOARD_STATUS,       STATEMENT_DELETE_BOARD,
    };
    long long board_id;
    if (!stored_board_id(store, board_code, &board_id, error))
        return false;
    for (size_t i = 0; i < sizeof in_order / sizeof in_order[0]; i++)
        if (!run_for(store, in_order[i], board_id, error, "remove the board"))
            return false;
    return true;
}

/* A statement giving one number, bound to `id` (and `text` if not NULL). */
static bool read_number(struct store *store, enum statement_id statement_id, const char *text,
                        long long id, long long *out, const char *doing, struct error *error)
{
    struct db_stmt *prepared = statement(store, statement_id, error);
    if (!prepared)
        return false;
    if (text) {
        bind_text(prepared, 1, text);
        db_bind_int64(prepared, 2, id);
    }
    int result = db_step(prepared);
    *out = result == DB_ROW ? db_column_int64(prepared, 0) : 0;
    return finish(store, prepared, result, error, doing);
}

bool store_last_audit_id(struct store *store, long long *id, struct error *error)
{
    return read_number(store, STATEMENT_AUDIT_LAST_ID, NULL, 0, id, "read the audit log", error);
}

bool store_audit_count_since(struct store *store, const char *board_code, long long after_id,
                             long long *count, struct error *error)
{
    return read_number(store, STATEMENT_AUDIT_COUNT_SINCE, board_code, after_id, count,
                       "read the audit log", error);
}

bool store_add_audit(struct store *store, const char *who, const char *when, const char *action,
                     const char *board_code, const char *node_code, const char *old_value,
                     const char *new_value, struct error *error)
{
    struct db_stmt *prepared = statement(store, STATEMENT_INSERT_AUDIT, error);
    if (!prepared)
        return false;
    bind_texts(prepared, 1,
               (const char *const[]){when, who, action, board_code, node_code, old_value,
                                     new_value},
               7);
    return run(store, prepared, error, "write the audit log");
}

/* The metrics of one board by code, read once per imported file so that a
 * million readings cost a million binary searches, not two million queries. */
struct metric_lookup {
    char *code;
    long long id;
    enum unit unit;
    bool has_breakdown;
    /* The segments it declares, read when a reading first names one. */
    bool segments_loaded;
    char **segments;
    size_t segment_count;
};

static int compare_lookup(const void *key, const void *entry)
{
    return strcmp(key, ((const struct metric_lookup *)entry)->code);
}

static void free_lookups(struct metric_lookup *lookups, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(lookups[i].code);
        free_segments(lookups[i].segments, lookups[i].segment_count);
    }
    free(lookups);
}

/* Whether a reading's segment is one its metric declares (any is, when it
 * declares none); if not, a located error with a suggestion. */
static bool check_declared_segment(struct store *store, struct metric_lookup *metric,
                                   const struct reading *reading, const char *file_name,
                                   struct error *error)
{
    if (!metric->segments_loaded) {
        if (!load_declared_segments(store, metric->id, &metric->segments,
                                    &metric->segment_count, error))
            return false;
        metric->segments_loaded = true;
    }
    if (segments_include(metric->segments, metric->segment_count, reading->segment))
        return true;
    char suggestion[600];
    segment_suggestion(metric->segments, metric->segment_count, reading->segment, suggestion,
                       sizeof suggestion);
    error_set_at(error, file_name, reading->where.line, reading->where.column,
                 "no segment '%s' for %s; %s", reading->segment, metric->code, suggestion);
    return false;
}

static void read_lookup(struct db_stmt *prepared, void *item)
{
    struct metric_lookup *lookup = item;
    lookup->code = column_text(prepared, 0);
    lookup->id = db_column_int64(prepared, 1);
    if (!unit_parse(column_name(prepared, 2), &lookup->unit))
        lookup->unit = UNIT_NUMBER;
    lookup->has_breakdown = db_column_int(prepared, 3) != 0;
}

static void free_lookup_list(void *list, size_t count)
{
    free_lookups(list, count);
}

static bool list_metrics(struct store *store, long long board_id, struct metric_lookup **out,
                         size_t *count, struct error *error)
{
    struct db_stmt *prepared = statement_for(store, STATEMENT_LIST_METRIC_CODES, board_id, error);
    if (!prepared)
        return false;
    static const struct row_list lookups = {sizeof **out, read_lookup, free_lookup_list};
    void *list;
    if (!read_rows(store, prepared, &lookups, "list the board's metrics", &list, count, error))
        return false;
    *out = list;
    return true;
}

/* Import the dynamic part of a file (readings, milestone updates,
 * commentary) into a board already in the store. */
/* Whether the node already has this milestone update (status, month and
 * note) or comment (text and month): importing the same file twice adds it
 * once. */
static bool already_there(struct store *store, enum statement_id id, long long node_id,
                          yearmonth period, const char *first, const char *second, bool *found,
                          struct error *error)
{
    struct db_stmt *prepared = statement_for(store, id, node_id, error);
    if (!prepared)
        return false;
    bind_period(prepared, 2, period);
    bind_text(prepared, 3, first);
    if (id == STATEMENT_SAME_MILESTONE_UPDATE)
        bind_text(prepared, 4, second);
    int result = db_step(prepared);
    *found = result == DB_ROW && db_column_int64(prepared, 0) > 0;
    return finish(store, prepared, result, error, "read the board's activity");
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool import_activity(struct store *store, const struct board *board, long long board_id,
                            bool board_is_new, const char *file_name, bool sample,
                            const char *who, const char *now, store_import_written *written,
                            void *context, size_t *readings_written, struct error *error)
{
    struct metric_lookup *metrics = NULL;
    size_t metric_count = 0;
    if (board->reading_count && !list_metrics(store, board_id, &metrics, &metric_count, error))
        return false;
    for (size_t i = 0; i < board->reading_count; i++) {
        const struct reading *reading = &board->readings[i];
        struct metric_lookup *metric =
            bsearch(reading->metric_code, metrics, metric_count, sizeof *metrics, compare_lookup);
        const char *why = NULL;
        if (!metric) {
            error_set_at(error, file_name, reading->where.line, reading->where.column,
                         "board '%s' has no metric '%s'", board->code, reading->metric_code);
        } else if (!unit_accepts(metric->unit, reading->value, &why)) {
            error_set_at(error, file_name, reading->where.line, reading->where.column,
                         "%s (metric '%s' is measured in %s)", why, metric->code,
                         unit_name(metric->unit));
        } else if (reading->segment && !metric->has_breakdown) {
            error_set_at(error, file_name, reading->where.line, reading->where.column,
                         "metric '%s' has no breakdown, so its readings cannot have a segment",
                         metric->code);
        }
        if (!metric || why || (reading->segment && !metric->has_breakdown) ||
            (reading->segment &&
             !check_declared_segment(store, metric, reading, file_name, error))) {
            free_lookups(metrics, metric_count);
            return false;
        }
        /* The reading as it was, if any, so the caller can audit and undo
         * (a board this file just created has none: no look-up). */
        struct store_written report = {
            .kind = STORE_WROTE_READING,
            .board_code = board->code,
            .reading = reading,
            .sample = sample || reading->sample,
        };
        char *old_note = NULL, *old_by = NULL, *old_at = NULL;
        bool ok = !written || board_is_new ||
                  read_stored_reading(store, metric->id, reading->period, reading->segment,
                                      &report, &old_note, &old_by, &old_at, error);
        /* The same reading again (value, note and sample flag) changes nothing. */
        bool unchanged = ok && report.had_old && report.old_value == reading->value &&
                         report.old_sample == report.sample && same_text(old_note, reading->note);
        ok = ok && (unchanged || put_reading(store, metric->id, reading->period, reading->segment,
                               reading->value, reading->note,
                               reading->entered_by ? reading->entered_by : who,
                               reading->entered_at ? reading->entered_at : now, report.sample,
                               NULL, NULL, false, error));
        report.unchanged = unchanged;
        ok = ok && (!written || written(context, &report, error));
        *readings_written += ok && !unchanged;
        free(old_note);
        free(old_by);
        free(old_at);
        if (!ok) {
            free_lookups(metrics, metric_count);
            return false;
        }
    }
    free_lookups(metrics, metric_count);
    for (size_t i = 0; i < board->milestone_update_count; i++) {
        const struct milestone_update *update = &board->milestone_updates[i];
        long long node_id;
        bool is_milestone = false;
        struct error lookup = {0};
        if (!store_find_node(store, board->code, update->node_code, &node_id, &is_milestone,
                             &lookup) ||
            !is_milestone) {
            if (lookup.status && lookup.status != EXIT_DATA) {
                *error = lookup;
                return false;
            }
            error_set_at(error, file_name, update->where.line, update->where.column,
                         "board '%s' has no milestone '%s'", board->code, update->node_code);
            return false;
        }
        struct store_written report = {.kind = STORE_WROTE_MILESTONE_UPDATE,
                                       .board_code = board->code,
                                       .update = update,
                                       .sample = sample || update->sample};
        bool found = false;
        if (!board_is_new &&
            !already_there(store, STATEMENT_SAME_MILESTONE_UPDATE, node_id, update->period,
                           milestone_status_name(update->status), update->note, &found, error))
            return false;
        if (found)
            continue;
        if (!insert_milestone_update(store, node_id, update->period, update->status, update->note,
                                     update->entered_by ? update->entered_by : who,
                                     update->entered_at ? update->entered_at : now,
                                     report.sample, &report.row_id, error,
                                     "save a milestone status") ||
            (written && !written(context, &report, error)))
            return false;
    }
    for (size_t i = 0; i < board->comment_count; i++) {
        const struct comment *comment = &board->comments[i];
        long long node_id;
        struct error lookup = {0};
        if (!store_find_node(store, board->code, comment->node_code, &node_id, NULL, &lookup)) {
            if (lookup.status == EXIT_DATA)
                error_set_at(error, file_name, comment->where.line, comment->where.column,
                             "board '%s' has no aim, objective or deliverable '%s'", board->code,
                             comment->node_code);
            else
                *error = lookup;
            return false;
        }
        struct store_written report = {.kind = STORE_WROTE_COMMENT,
                                       .board_code = board->code,
                                       .comment = comment,
                                       .sample = sample || comment->sample};
        bool found = false;
        if (!board_is_new && !already_there(store, STATEMENT_SAME_COMMENT, node_id, comment->period,
                                            comment->text, NULL, &found, error))
            return false;
        if (found)
            continue;
        if (!insert_comment(store, node_id, comment->period, comment->text,
                            comment->entered_by ? comment->entered_by : who,
                            comment->entered_at ? comment->entered_at : now, report.sample,
                            &report.row_id, error, "save commentary") ||
            (written && !written(context, &report, error)))
            return false;
    }
    return true;
}

bool store_import_boards(struct store *store, struct board *const *boards,
                         const char *const *file_names, size_t count, bool sample,
                         const char *who, store_import_written *written, void *context,
                         struct error *error)
{
    char now[32];
    current_timestamp(now);
    for (size_t i = 0; i < count; i++) {
        const struct board *board = boards[i];
        long long board_id = 0;
        bool found = false;
        if (!find_board_id(store, board->code, &board_id, &found, error))
            return false;
        if (board->readings_only) {
            if (!found) {
                error_set_at(error, file_names[i], board->where.line, board->where.column,
                             "there is no board '%s' in the store to add readings to",
                             board->code);
                return false;
            }
        } else if (!found) {
            struct store_written report = {.kind = STORE_WROTE_BOARD, .board_code = board->code};
            if (!insert_structure(store, board, &board_id, now, error) ||
                (written && !written(context, &report, error)))
                return false;
        }
        size_t readings_written = 0;
        if (!import_activity(store, board, board_id, !board->readings_only && !found,
                             file_names[i],
                             sample || board->sample, who, now, written, context,
                             &readings_written, error))
            return false;
        /* Kept rows are rewritten only when a reading moved them: a file
         * imported twice writes nothing the second time. */
        if ((readings_written || !found) &&
            !run_for(store, STATEMENT_REFRESH_BOARD_LATEST, board_id, error,
                     "update the latest readings"))
            return false;
    }
    return true;
}

/* ---- Changing a board's structure ----------------------------------- */

static int compare_node_pointers_by_code(const void *left, const void *right)
{
    return strcmp((*(const struct node *const *)left)->code,
                  (*(const struct node *const *)right)->code);
}

struct metric_entry {
    const struct metric *metric;
    const struct node *node; /* its deliverable */
    size_t order;            /* its position there */
};

static int compare_metric_entries_by_code(const void *left, const void *right)
{
    return strcmp(((const struct metric_entry *)left)->metric->code,
                  ((const struct metric_entry *)right)->metric->code);
}

/* A board's nodes and metrics sorted by code, for looking codes up. */
struct code_index {
    const struct node **nodes;
    size_t node_count;
    struct metric_entry *metrics;
    size_t metric_count;
};

static void index_codes(const struct board *board, struct code_index *index)
{
    size_t metrics = 0;
    for (size_t i = 0; i < board->node_count; i++)
        metrics += board->nodes[i].metric_count;
    index->nodes = xcalloc(board->node_count ? board->node_count : 1, sizeof *index->nodes);
    index->metrics = xcalloc(metrics ? metrics : 1, sizeof *index->metrics);
    index->node_count = board->node_count;
    index->metric_count = metrics;
    size_t at = 0;
    for (size_t i = 0; i < board->node_count; i++) {
        index->nodes[i] = &board->nodes[i];
        for (size_t m = 0; m < board->nodes[i].metric_count; m++)
            index->metrics[at++] =
                (struct metric_entry){&board->nodes[i].metrics[m], &board->nodes[i], m};
    }
    qsort(index->nodes, index->node_count, sizeof *index->nodes, compare_node_pointers_by_code);
    qsort(index->metrics, metrics, sizeof *index->metrics, compare_metric_entries_by_code);
}

static void code_index_free(struct code_index *index)
{
    free(index->nodes);
    free(index->metrics);
    memset(index, 0, sizeof *index);
}

static const struct node *indexed_node(const struct code_index *index, const char *code)
{
    struct node key = {.code = (char *)code};
    const struct node *pointer = &key;
    const struct node **found = bsearch(&pointer, index->nodes, index->node_count,
                                        sizeof *index->nodes, compare_node_pointers_by_code);
    return found ? *found : NULL;
}

static const struct metric_entry *indexed_metric(const struct code_index *index,
                                                 const char *code)
{
    struct metric key = {.code = (char *)code};
    struct metric_entry entry = {.metric = &key};
    return bsearch(&entry, index->metrics, index->metric_count, sizeof *index->metrics,
                   compare_metric_entries_by_code);
}

static bool same_number(bool has_a, double a, bool has_b, double b)
{
    return has_a == has_b && (!has_a || a == b);
}

/* Whether two metrics' definitions (not their series) are the same. */
static bool same_metric_row(const struct metric *a, const struct metric *b)
{
    return same_text(a->name, b->name) && a->unit == b->unit && a->direction == b->direction &&
           same_number(a->has_baseline, a->baseline, b->has_baseline, b->baseline) &&
           (!a->has_baseline || a->baseline_period == b->baseline_period) &&
           a->target == b->target && a->target_period == b->target_period &&
           same_number(a->has_tolerance, a->tolerance, b->has_tolerance, b->tolerance) &&
           a->stale_months == b->stale_months && same_text(a->breakdown, b->breakdown) &&
           a->spc.minimum_points == b->spc.minimum_points &&
           a->spc.shift_length == b->spc.shift_length &&
           a->spc.trend_length == b->spc.trend_length &&
           a->spc.screen_moving_ranges == b->spc.screen_moving_ranges &&
           a->spc.conflict == b->spc.conflict && a->retired == b->retired;
}

static bool same_trajectory(const struct metric *a, const struct metric *b)
{
    if (a->trajectory_count != b->trajectory_count)
        return false;
    for (size_t i = 0; i < a->trajectory_count; i++)
        if (a->trajectory[i].period != b->trajectory[i].period ||
            a->trajectory[i].value != b->trajectory[i].value)
            return false;
    return true;
}

static bool same_rebases(const struct metric *a, const struct metric *b)
{
    if (a->spc.rebase_count != b->spc.rebase_count)
        return false;
    for (int i = 0; i < a->spc.rebase_count; i++)
        if (a->spc.rebase_periods[i] != b->spc.rebase_periods[i])
            return false;
    return true;
}

static bool same_segments(const struct metric *a, const struct metric *b)
{
    if (a->segment_count != b->segment_count)
        return false;
    for (size_t i = 0; i < a->segment_count; i++)
        if (strcmp(a->segments[i], b->segments[i]) != 0)
            return false;
    return true;
}

static bool same_values(const struct board *a, const struct board *b)
{
    if (a->value_count != b->value_count)
        return false;
    for (size_t i = 0; i < a->value_count; i++)
        if (!same_text(a->values[i].name, b->values[i].name) ||
            !same_text(a->values[i].text, b->values[i].text))
            return false;
    return true;
}

static bool update_board_row(struct store *store, const struct board *current,
                             const struct board *target, struct error *error)
{
    if (!same_text(current->title, target->title) ||
        !same_text(current->reporting_period, target->reporting_period) ||
        !same_text(current->purpose, target->purpose) ||
        !same_text(current->vision, target->vision) ||
        current->spc_conflict != target->spc_conflict) {
        struct db_stmt *prepared = statement_for(store, STATEMENT_UPDATE_BOARD, current->id, error);
        if (!prepared)
            return false;
        bind_texts(prepared, 2,
                   (const char *const[]){target->title, target->reporting_period,
                                         target->purpose, target->vision},
                   4);
        if (target->spc_conflict != SPC_CONFLICT_DEFAULT)
            bind_text(prepared, 6, spc_conflict_name(target->spc_conflict));
        if (!run(store, prepared, error, "change the board"))
            return false;
    }
    if (same_values(current, target))
        return true;
    if (!run_for(store, STATEMENT_DELETE_BOARD_VALUES, current->id, error,
                 "change the board's values"))
        return false;
    for (size_t i = 0; i < target->value_count; i++) {
        struct db_stmt *prepared = statement_for(store, STATEMENT_INSERT_VALUE, current->id, error);
        if (!prepared)
            return false;
        db_bind_int64(prepared, 2, (long long)i);
        bind_texts(prepared, 3,
                   (const char *const[]){target->values[i].name, target->values[i].text}, 2);
        if (!run(store, prepared, error, "change the board's values"))
            return false;
    }
    return true;
}

/* A metric of the target on the deliverable `node_id`, `order`th: added,
 * or its row and series rewritten where they differ from `stored`. */
static bool put_metric(struct store *store, const struct metric *stored, long long stored_node,
                       size_t stored_order, const struct metric *metric, size_t order,
                       long long board_id, long long node_id, struct error *error)
{
    if (!stored)
        return insert_metric(store, metric, order, board_id, node_id, NULL, error);
    if (!same_metric_row(stored, metric) || stored_node != node_id || stored_order != order) {
        struct db_stmt *prepared = statement_for(store, STATEMENT_UPDATE_METRIC, stored->id, error);
        if (!prepared)
            return false;
        bind_metric(prepared, metric, order, node_id);
        if (!run(store, prepared, error, "change a metric"))
            return false;
    }
    bool trajectory = same_trajectory(stored, metric), rebases = same_rebases(stored, metric);
    bool segments = same_segments(stored, metric);
    if (trajectory && rebases && segments)
        return true;
    struct metric only = *metric; /* the series that differs */
    if (trajectory)
        only.trajectory_count = 0;
    else if (!run_for(store, STATEMENT_DELETE_METRIC_TRAJECTORY, stored->id, error,
                      "change a trajectory"))
        return false;
    if (rebases)
        only.spc.rebase_count = 0;
    else if (!run_for(store, STATEMENT_DELETE_METRIC_REBASES, stored->id, error,
                      "change the SPC settings"))
        return false;
    if (segments)
        only.segment_count = 0;
    else if (!run_for(store, STATEMENT_DELETE_METRIC_SEGMENTS, stored->id, error,
                      "change the declared segments"))
        return false;
    return insert_metric_series(store, &only, stored->id, error);
}

bool store_apply_structure(struct store *store, const struct board *current,
                           const struct board *target, const char *who, struct error *error)
{
    char now[32];
    current_timestamp(now);
    if (!update_board_row(store, current, target, error))
        return false;
    struct code_index stored, wanted;
    index_codes(current, &stored);
    index_codes(target, &wanted);
    long long *node_ids = xcalloc(target->node_count ? target->node_count : 1, sizeof *node_ids);
    bool ok = true, renumber = current->node_count != target->node_count;
    /* New nodes first take orders past every existing one. */
    long long base = 0;
    struct db_stmt *prepared = statement_for(store, STATEMENT_MAX_TREE_ORDER, current->id, error);
    if (!prepared) {
        ok = false;
    } else {
        int result = db_step(prepared);
        if (result == DB_ROW)
            base = db_column_int64(prepared, 0) + 1;
        ok = finish(store, prepared, result, error, "read the board's tree");
    }
    /* In tree order, so each node's parent is in place before it. */
    for (size_t i = 0; ok && i < target->node_count; i++) {
        const struct node *node = &target->nodes[i];
        const struct node *old = indexed_node(&stored, node->code);
        long long parent_id = node->parent == NODE_NONE ? 0 : node_ids[node->parent];
        if (!old) {
            renumber = true; /* its metrics follow, below */
            ok = insert_node(store, target, i, current->id, node_ids, base, false, who, now,
                             error);
        } else {
            node_ids[i] = old->id;
        long long old_parent = old->parent == NODE_NONE ? 0 : current->nodes[old->parent].id;
        renumber = renumber || old->tree_order != (int)i;
        if (old->level != node->level || old_parent != parent_id ||
            !same_text(old->title, node->title) || !same_text(old->lead, node->lead) ||
            old->has_milestone != node->has_milestone ||
            (node->has_milestone && old->milestone.due != node->milestone.due) ||
            old->retired != node->retired) {
            if (!(prepared = statement_for(store, STATEMENT_UPDATE_NODE, old->id, error))) {
                ok = false;
                break;
            }
            if (parent_id)
                db_bind_int64(prepared, 2, parent_id);
            bind_texts(prepared, 3,
                       (const char *const[]){level_name(node->level), node->title, node->lead},
                       3);
            if (node->has_milestone)
                bind_period(prepared, 6, node->milestone.due);
            bind_period(prepared, 7, node->retired);
            ok = run(store, prepared, error, "change the board's tree");
        }
        }
        for (size_t m = 0; ok && m < node->metric_count; m++) {
            const struct metric *metric = &node->metrics[m];
            const struct metric_entry *was = indexed_metric(&stored, metric->code);
            ok = put_metric(store, was ? was->metric : NULL, was ? was->node->id : 0,
                            was ? was->order : 0, metric, m, current->id, node_ids[i], error);
        }
    }
    /* What the target no longer has: metrics, then nodes, deepest first
     * (anything moved out from under them has moved already). */
    for (size_t i = 0; ok && i < current->node_count; i++)
        for (size_t m = 0; ok && m < current->nodes[i].metric_count; m++)
            if (!indexed_metric(&wanted, current->nodes[i].metrics[m].code))
                ok = run_for(store, STATEMENT_DELETE_METRIC, current->nodes[i].metrics[m].id,
                             error, "remove a metric");
    for (size_t i = current->node_count; ok && i-- > 0;)
        if (!indexed_node(&wanted, current->nodes[i].code)) {
            renumber = true;
            ok = run_for(store, STATEMENT_DELETE_NODE, current->nodes[i].id, error,
                         "remove a node");
        }
    if (ok && renumber) {
        ok = run_for(store, STATEMENT_NEGATE_TREE_ORDER, current->id, error,
                     "reorder the board's tree");
        for (size_t i = 0; ok && i < target->node_count; i++) {
            if (!(prepared = statement_for(store, STATEMENT_SET_TREE_ORDER, node_ids[i], error))) {
                ok = false;
                break;
            }
            db_bind_int64(prepared, 2, (long long)i);
            ok = run(store, prepared, error, "reorder the board's tree");
        }
    }
    ok = ok && run_for(store, STATEMENT_REFRESH_BOARD_LATEST, current->id, error,
                       "update the latest readings");
    free(node_ids);
    code_index_free(&stored);
    code_index_free(&wanted);
    return ok;
}

/* ---- Reading back ---------------------------------------------------- */

static bool load_board(struct store *store, const char *code, yearmonth as_of, bool summary,
                       bool top, bool with_retired, struct board **out, struct error *error);

static void read_summary(struct db_stmt *prepared, void *item)
{
    struct board_summary *summary = item;
    summary->code = column_text(prepared, 0);
    summary->title = column_text(prepared, 1);
}

static void free_summary_list(void *list, size_t count)
{
    board_summaries_free(list, count);
}

/* The boards (code and title) a statement lists. */
static bool list_summaries(struct store *store, enum statement_id id, const char *doing,
                           struct board_summary **out, size_t *count, struct error *error)
{
    struct db_stmt *prepared = statement(store, id, error);
    if (!prepared)
        return false;
    static const struct row_list summaries = {sizeof **out, read_summary, free_summary_list};
    void *list;
    if (!read_rows(store, prepared, &summaries, doing, &list, count, error))
        return false;
    *out = list;
    return true;
}

bool store_list_boards(struct store *store, struct board_summary **out, size_t *count,
                       struct error *error)
{
    return list_summaries(store, STATEMENT_LIST_BOARDS, "list the boards", out, count, error);
}

void board_summaries_free(struct board_summary *list, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(list[i].code);
        free(list[i].title);
    }
    free(list);
}

/* The position of `id` in a sorted array of ids, or NODE_NONE. */
static size_t find_by_id(const long long *ids, size_t count, long long id)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (ids[middle] < id)
            low = middle + 1;
        else
            high = middle;
    }
    return low < count && ids[low] == id ? low : NODE_NONE;
}

/* A board's nodes by row id, to attach child rows to their node. Ids are
 * handed out in tree order at import, but a node added to a board later
 * (a changed board file, `boardpack edit`) gets a greater id wherever it
 * stands in the tree, so the ids are sorted here, not assumed in order. */
struct node_index {
    long long *ids;    /* sorted */
    size_t *positions; /* each id's index in board.nodes */
    size_t count;
};

struct id_position {
    long long id;
    size_t position;
};

static int compare_id_positions(const void *left, const void *right)
{
    long long a = ((const struct id_position *)left)->id;
    long long b = ((const struct id_position *)right)->id;
    return (a > b) - (a < b);
}

static void index_nodes(const struct board *board, struct node_index *index)
{
    size_t count = board->node_count;
    struct id_position *pairs = xcalloc(count ? count : 1, sizeof *pairs);
    for (size_t i = 0; i < count; i++)
        pairs[i] = (struct id_position){board->nodes[i].id, i};
    qsort(pairs, count, sizeof *pairs, compare_id_positions);
    index->ids = xcalloc(count ? count : 1, sizeof *index->ids);
    index->positions = xcalloc(count ? count : 1, sizeof *index->positions);
    index->count = count;
    for (size_t i = 0; i < count; i++) {
        index->ids[i] = pairs[i].id;
        index->positions[i] = pairs[i].position;
    }
    free(pairs);
}

static void node_index_free(struct node_index *index)
{
    free(index->ids);
    free(index->positions);
    memset(index, 0, sizeof *index);
}

/* The index in board.nodes of the node with row id `id`, or NODE_NONE. */
static size_t find_node_by_id(const struct node_index *index, long long id)
{
    size_t at = find_by_id(index->ids, index->count, id);
    return at == NODE_NONE ? NODE_NONE : index->positions[at];
}

static int compare_node_codes(const void *left, const void *right)
{
    return strcmp((*(struct node *const *)left)->code, (*(struct node *const *)right)->code);
}

struct metric_index {
    long long *ids;           /* sorted */
    struct metric **metrics;  /* in the same order */
    size_t count;
};

static int compare_metric_entries(const void *left, const void *right)
{
    long long a = (*(struct metric *const *)left)->id, b = (*(struct metric *const *)right)->id;
    return (a > b) - (a < b);
}

static void index_metrics(struct board *board, struct metric_index *index)
{
    size_t total = 0;
    for (size_t i = 0; i < board->node_count; i++)
        total += board->nodes[i].metric_count;
    index->count = total;
    index->metrics = xcalloc(total ? total : 1, sizeof *index->metrics);
    index->ids = xcalloc(total ? total : 1, sizeof *index->ids);
    size_t at = 0;
    for (size_t i = 0; i < board->node_count; i++)
        for (size_t m = 0; m < board->nodes[i].metric_count; m++)
            index->metrics[at++] = &board->nodes[i].metrics[m];
    qsort(index->metrics, total, sizeof *index->metrics, compare_metric_entries);
    for (size_t i = 0; i < total; i++)
        index->ids[i] = index->metrics[i]->id;
}

/* What a load covers: a whole board, or the children of one node (the
 * aims when parent_id is 0). Each loader has a statement for each. */
struct scope {
    const char *hide_from; /* a whole load leaves out what was retired by this
                            * month ("YYYY-MM"; NULL: keeps everything) */
    long long board_id;
    bool children;
    long long parent_id;
    long long previous_publication; /* for movement; 0 if none */
};

static struct db_stmt *scoped_statement(struct store *store, const struct scope *scope,
                                      enum statement_id whole, enum statement_id children,
                                      struct error *error)
{
    struct db_stmt *prepared = statement(store, scope->children ? children : whole, error);
    if (!prepared)
        return NULL;
    db_bind_int64(prepared, 1, scope->board_id);
    if (scope->children) {
        if (scope->parent_id)
            db_bind_int64(prepared, 2, scope->parent_id);
        else
            db_bind_null(prepared, 2);
    }
    return prepared;
}

/* Steps to the next row whose first column names a loaded metric: that
 * metric, or NULL at the end (the last step's result in *result). */
static struct metric *next_metric_row(struct db_stmt *prepared, const struct metric_index *index,
                                      int *result)
{
    while ((*result = db_step(prepared)) == DB_ROW) {
        size_t at = find_by_id(index->ids, index->count, db_column_int64(prepared, 0));
        if (at != NODE_NONE)
            return index->metrics[at];
    }
    return NULL;
}

/* The index of the node a row's `column` names, or NODE_NONE. */
static size_t row_node(const struct node_index *node_ids, struct db_stmt *prepared, int column)
{
    return find_node_by_id(node_ids, db_column_int64(prepared, column));
}

/* Rows come grouped by the metric or node they belong to: the capacity of
 * that owner's array, for as long as its rows last. */
struct group {
    const void *owner;
    size_t capacity;
};

/* The owner's array of `count` items grown by one, zeroed. */
static void *grow_grouped(struct group *group, const void *owner, void *array, size_t count,
                          size_t size)
{
    if (owner != group->owner) {
        group->owner = owner;
        group->capacity = count;
    }
    return grow_one(array, &group->capacity, count, size);
}

/* A reading from a row's columns from `column` on: period, segment ('' for
 * the whole series), value, note, who, when and whether it is a sample. */
static void read_reading(struct db_stmt *prepared, int column, struct reading *reading)
{
    reading->period = column_period(prepared, column);
    const char *segment = db_column_text(prepared, column + 1);
    reading->segment = segment && segment[0] ? xstrdup(segment) : NULL;
    reading->value = db_column_double(prepared, column + 2);
    reading->note = column_text(prepared, column + 3);
    reading->entered_by = column_text(prepared, column + 4);
    reading->entered_at = column_text(prepared, column + 5);
    reading->sample = db_column_int(prepared, column + 6) != 0;
}

static void read_node(struct db_stmt *prepared, struct node *node, long long *parent)
{
    node->id = db_column_int64(prepared, 0);
    const char *level = db_column_text(prepared, 1);
    node->level = level && strcmp(level, "aim") == 0         ? LEVEL_AIM
                  : level && strcmp(level, "objective") == 0 ? LEVEL_OBJECTIVE
                                                             : LEVEL_DELIVERABLE;
    node->code = column_text(prepared, 2);
    node->title = column_text(prepared, 3);
    node->lead = column_text(prepared, 4);
    if (!db_column_is_null(prepared, 5)) {
        node->has_milestone = true;
        node->milestone.due = column_period(prepared, 5);
    }
    *parent =
        db_column_is_null(prepared, 6) ? 0 : db_column_int64(prepared, 6);
    node->tree_order = db_column_int(prepared, 7);
    if (!db_column_is_null(prepared, 8)) {
        node->has_stored_status = true;
        node->stored_rag = (enum rag)db_column_int(prepared, 8);
        for (int k = 0; k < RAG_COUNT; k++)
            node->stored_counts[k] = (unsigned)db_column_int(prepared, 9 + k);
        node->child_count = (size_t)db_column_int64(prepared, 14);
        node->stored_child_count = node->child_count;
        node->stored_awaiting = (unsigned)db_column_int(prepared, 15);
    }
    if (!db_column_is_null(prepared, 16)) {
        node->has_previous = true;
        node->previous_rag = (enum rag)db_column_int(prepared, 16);
    }
    node->retired = column_period(prepared, 17);
}

/* Leaves out (and frees) the nodes whose parent is not loaded: the
 * descendants of a retired node. `parents` holds each node's parent row
 * id (0 for an aim) and is compacted with the nodes. */
static void drop_orphans(struct board *board, long long *parents)
{
    struct node_index index;
    index_nodes(board, &index);
    bool *dropped = xcalloc(board->node_count ? board->node_count : 1, sizeof *dropped);
    size_t kept = 0;
    for (size_t i = 0; i < board->node_count; i++) {
        size_t parent = parents[i] ? find_node_by_id(&index, parents[i]) : NODE_NONE;
        dropped[i] = parents[i] && (parent == NODE_NONE || dropped[parent]);
        if (dropped[i]) {
            free(board->nodes[i].code);
            free(board->nodes[i].title);
            free(board->nodes[i].lead);
            continue;
        }
        board->nodes[kept] = board->nodes[i];
        parents[kept] = parents[i];
        kept++;
    }
    board->node_count = kept;
    free(dropped);
    node_index_free(&index);
}

static bool load_nodes(struct store *store, struct board *board, const struct scope *scope,
                       struct node_index *node_ids_out, struct error *error)
{
    struct db_stmt *prepared =
        scoped_statement(store, scope, STATEMENT_LOAD_NODES, STATEMENT_LOAD_CHILD_NODES, error);
    if (!prepared)
        return false;
    if (!scope->children)
        bind_text(prepared, 2, scope->hide_from);
    if (scope->previous_publication)
        db_bind_int64(prepared, 3, scope->previous_publication);
    size_t capacity = 0;
    long long *parents = NULL;
    size_t parent_capacity = 0;
    int result;
    while ((result = db_step(prepared)) == DB_ROW) {
        board->nodes = grow_one(board->nodes, &capacity, board->node_count, sizeof *board->nodes);
        parents = grow_one(parents, &parent_capacity, board->node_count, sizeof *parents);
        read_node(prepared, &board->nodes[board->node_count], &parents[board->node_count]);
        board->node_count++;
    }
    if (!finish(store, prepared, result, error, "read the board's tree")) {
        free(parents);
        return false;
    }
    if (!scope->children)
        drop_orphans(board, parents);
    struct node_index ids;
    index_nodes(board, &ids);
    /* Parents, depths and subtree ends from the pre-order. A whole load has
     * every node's children; a children load leaves them to a later one. */
    for (size_t i = 0; i < board->node_count; i++) {
        board->nodes[i].children_loaded = !scope->children;
        if (!scope->children)
            board->nodes[i].child_count = 0;
    }
    for (size_t i = 0; i < board->node_count; i++) {
        struct node *node = &board->nodes[i];
        node->parent = parents[i] ? find_node_by_id(&ids, parents[i]) : NODE_NONE;
        if (!scope->children && node->parent != NODE_NONE)
            board->nodes[node->parent].child_count++;
        node->depth = node->parent == NODE_NONE ? 0 : board->nodes[node->parent].depth + 1;
        node->subtree_end = i + 1;
        for (size_t ancestor = node->parent; ancestor != NODE_NONE;
             ancestor = board->nodes[ancestor].parent)
            board->nodes[ancestor].subtree_end = i + 1;
    }
    free(parents);
    *node_ids_out = ids;
    return true;
}

static void read_metric(struct db_stmt *prepared, const struct board *board, struct metric *metric)
{
    metric->id = db_column_int64(prepared, 0);
    metric->code = column_text(prepared, 2);
    metric->name = column_text(prepared, 3);
    if (!unit_parse(column_name(prepared, 4), &metric->unit))
        metric->unit = UNIT_NUMBER;
    if (!direction_parse(column_name(prepared, 5), &metric->direction))
        metric->direction = DIRECTION_NONE;
    if (!db_column_is_null(prepared, 6)) {
        metric->has_baseline = true;
        metric->baseline = db_column_double(prepared, 6);
        metric->baseline_period = column_period(prepared, 7);
    }
    metric->target = db_column_double(prepared, 8);
    metric->target_period = column_period(prepared, 9);
    if (!db_column_is_null(prepared, 10)) {
        metric->has_tolerance = true;
        metric->tolerance = db_column_double(prepared, 10);
    }
    metric->stale_months = db_column_int(prepared, 11);
    metric->breakdown = column_text(prepared, 12);
    metric->spc = spc_default_settings();
    metric->spc.minimum_points = db_column_int(prepared, 13);
    metric->spc.shift_length = db_column_int(prepared, 14);
    metric->spc.trend_length = db_column_int(prepared, 15);
    metric->spc.screen_moving_ranges = db_column_int(prepared, 16) != 0;
    column_conflict(prepared, 17, &metric->spc.conflict);
    metric->spc.board_conflict = board->spc_conflict;
    metric->retired = column_period(prepared, 18);
}

static bool load_metrics(struct store *store, struct board *board, const struct scope *scope,
                         const struct node_index *node_ids, struct error *error)
{
    struct db_stmt *prepared = scoped_statement(store, scope, STATEMENT_LOAD_METRICS,
                                              STATEMENT_LOAD_CHILD_METRICS, error);
    if (!prepared)
        return false;
    if (!scope->children)
        bind_text(prepared, 2, scope->hide_from);
    size_t *capacities = xcalloc(board->node_count ? board->node_count : 1, sizeof *capacities);
    int result;
    while ((result = db_step(prepared)) == DB_ROW) {
        size_t at = row_node(node_ids, prepared, 1);
        if (at == NODE_NONE)
            continue;
        struct node *node = &board->nodes[at];
        node->metrics =
            grow_one(node->metrics, &capacities[at], node->metric_count, sizeof *node->metrics);
        read_metric(prepared, board, &node->metrics[node->metric_count++]);
    }
    free(capacities);
    return finish(store, prepared, result, error, "read the board's metrics");
}

static bool load_metric_details(struct store *store, struct board *board,
                                const struct scope *scope, const struct metric_index *index,
                                const char *as_of_text, bool summary, struct error *error)
{
    struct db_stmt *prepared = scoped_statement(store, scope, STATEMENT_LOAD_TRAJECTORIES,
                                              STATEMENT_LOAD_CHILD_TRAJECTORIES, error);
    if (!prepared)
        return false;
    int result;
    struct group group = {0};
    struct metric *metric;
    while ((metric = next_metric_row(prepared, index, &result))) {
        metric->trajectory = grow_grouped(&group, metric, metric->trajectory,
                                          metric->trajectory_count, sizeof *metric->trajectory);
        metric->trajectory[metric->trajectory_count].period = column_period(prepared, 1);
        metric->trajectory[metric->trajectory_count].value = db_column_double(prepared, 2);
        metric->trajectory_count++;
    }
    if (!finish(store, prepared, result, error, "read the trajectories"))
        return false;

    if (!(prepared = scoped_statement(store, scope, STATEMENT_LOAD_REBASES,
                                      STATEMENT_LOAD_CHILD_REBASES, error)))
        return false;
    while ((metric = next_metric_row(prepared, index, &result))) {
        struct spc_settings *settings = &metric->spc;
        if (settings->rebase_count < SPC_MAX_REBASES)
            settings->rebase_periods[settings->rebase_count++] = column_period(prepared, 1);
    }
    if (!finish(store, prepared, result, error, "read the SPC settings"))
        return false;

    if (!(prepared = scoped_statement(store, scope, STATEMENT_LOAD_SEGMENTS,
                                      STATEMENT_LOAD_CHILD_SEGMENTS, error)))
        return false;
    group = (struct group){0};
    while ((metric = next_metric_row(prepared, index, &result))) {
        metric->segments = grow_grouped(&group, metric, metric->segments, metric->segment_count,
                                        sizeof *metric->segments);
        metric->segments[metric->segment_count++] = column_text(prepared, 1);
    }
    if (!finish(store, prepared, result, error, "read the metrics' segments"))
        return false;

    if (summary)
        return true; /* load_latest_readings gives the latest two instead */
    if (!(prepared = statement(store, STATEMENT_LOAD_READINGS, error)))
        return false;
    db_bind_int64(prepared, 1, scope->board_id);
    bind_text(prepared, 2, as_of_text);
    group = (struct group){0};
    while ((metric = next_metric_row(prepared, index, &result))) {
        metric->readings = grow_grouped(&group, metric, metric->readings, metric->reading_count,
                                        sizeof *metric->readings);
        struct reading *reading = &metric->readings[metric->reading_count++];
        read_reading(prepared, 1, reading);
        if (reading->sample)
            board->shows_sample = true;
        if (reading->period > board->as_at)
            board->as_at = reading->period;
    }
    /* SQL sorted '' (the whole series) first, then segments by name, as
     * metric_sort_readings would; nothing more to do. */
    return finish(store, prepared, result, error, "read the readings");
}

static void read_update(struct db_stmt *prepared, struct milestone_update *update)
{
    update->period = column_period(prepared, 1);
    if (!milestone_status_parse(column_name(prepared, 2), &update->status))
        update->status = MILESTONE_NOT_STARTED;
    update->note = column_text(prepared, 3);
    update->entered_by = column_text(prepared, 4);
    update->entered_at = column_text(prepared, 5);
    update->sample = db_column_int(prepared, 6) != 0;
    update->id = db_column_int64(prepared, 7);
}

static void read_comment(struct db_stmt *prepared, struct comment *comment)
{
    comment->period = column_period(prepared, 1);
    comment->text = column_text(prepared, 2);
    comment->entered_by = column_text(prepared, 3);
    comment->entered_at = column_text(prepared, 4);
    comment->sample = db_column_int(prepared, 5) != 0;
    comment->id = db_column_int64(prepared, 6);
}

static bool load_activity(struct store *store, struct board *board, const struct scope *scope,
                          const struct node_index *node_ids, const char *as_of_text, struct error *error)
{
    int as_of_parameter = scope->children ? 3 : 2;
    struct db_stmt *prepared = scoped_statement(store, scope, STATEMENT_LOAD_MILESTONE_UPDATES,
                                              STATEMENT_LOAD_CHILD_MILESTONE_UPDATES, error);
    if (!prepared)
        return false;
    bind_text(prepared, as_of_parameter, as_of_text);
    int result;
    struct group group = {0};
    while ((result = db_step(prepared)) == DB_ROW) {
        size_t at = row_node(node_ids, prepared, 0);
        if (at == NODE_NONE)
            continue;
        struct milestone *milestone = &board->nodes[at].milestone;
        milestone->updates = grow_grouped(&group, milestone, milestone->updates,
                                          milestone->update_count, sizeof *milestone->updates);
        struct milestone_update *update = &milestone->updates[milestone->update_count++];
        read_update(prepared, update);
        if (update->period > board->as_at)
            board->as_at = update->period;
    }
    if (!finish(store, prepared, result, error, "read the milestone statuses"))
        return false;

    if (!(prepared = scoped_statement(store, scope, STATEMENT_LOAD_COMMENTS,
                                      STATEMENT_LOAD_CHILD_COMMENTS, error)))
        return false;
    bind_text(prepared, as_of_parameter, as_of_text);
    group = (struct group){0};
    while ((result = db_step(prepared)) == DB_ROW) {
        size_t at = row_node(node_ids, prepared, 0);
        if (at == NODE_NONE)
            continue;
        struct node *node = &board->nodes[at];
        node->comments = grow_grouped(&group, node, node->comments, node->comment_count,
                                      sizeof *node->comments);
        read_comment(prepared, &node->comments[node->comment_count++]);
    }
    return finish(store, prepared, result, error, "read the commentary");
}

/* The summary's readings: each metric's two latest whole-series readings,
 * from metric_latest, instead of every reading. */
static void add_latest(struct metric *metric, struct db_stmt *prepared, int column)
{
    if (db_column_is_null(prepared, column))
        return;
    struct reading *reading = &metric->readings[metric->reading_count++];
    memset(reading, 0, sizeof *reading);
    reading->period = column_period(prepared, column);
    reading->value = db_column_double(prepared, column + 1);
    reading->sample = db_column_int(prepared, column + 2) != 0;
}

static bool load_latest_readings(struct store *store, struct board *board,
                                 const struct scope *scope, const struct metric_index *index,
                                 struct error *error)
{
    struct db_stmt *prepared = scoped_statement(store, scope, STATEMENT_LOAD_LATEST_READINGS,
                                              STATEMENT_LOAD_CHILD_LATEST, error);
    if (!prepared)
        return false;
    int result;
    struct metric *metric;
    while ((metric = next_metric_row(prepared, index, &result))) {
        metric->readings = xcalloc(2, sizeof *metric->readings);
        add_latest(metric, prepared, 4); /* the one before, first: oldest first */
        add_latest(metric, prepared, 1);
        if (metric->reading_count == 2 && metric->readings[0].period == 0) {
            metric->readings[0] = metric->readings[1];
            metric->reading_count = 1;
        }
        metric->readings_partial = true;
        yearmonth newest = column_period(prepared, 7);
        if (newest > board->newest_reading)
            board->newest_reading = newest;
        if (db_column_int(prepared, 8))
            board->shows_sample = true;
    }
    if (!finish(store, prepared, result, error, "read the latest readings"))
        return false;
    if (board->newest_reading > board->as_at)
        board->as_at = board->newest_reading;
    return true;
}

/* Nodes, metrics and what hangs off them, for a scope. */
static bool load_parts(struct store *store, struct board *board, const struct scope *scope,
                       const char *as_of_text, bool summary, struct error *error)
{
    struct node_index node_ids = {0};
    struct metric_index index = {0};
    bool ok = load_nodes(store, board, scope, &node_ids, error) &&
              load_metrics(store, board, scope, &node_ids, error);
    if (ok) {
        index_metrics(board, &index);
        ok = load_metric_details(store, board, scope, &index, as_of_text, summary, error) &&
             (!summary || load_latest_readings(store, board, scope, &index, error)) &&
             load_activity(store, board, scope, &node_ids, as_of_text, error);
    }
    free(index.ids);
    free(index.metrics);
    node_index_free(&node_ids);
    return ok;
}

static void read_whole_reading(struct db_stmt *prepared, void *item)
{
    read_reading(prepared, 0, item);
}

static void free_reading_list(void *list, size_t count)
{
    struct reading *readings = list;
    for (size_t i = 0; i < count; i++)
        reading_free_fields(&readings[i]);
    free(readings);
}

bool store_load_metric_readings(struct store *store, struct metric *metric, struct error *error)
{
    struct db_stmt *prepared =
        statement_for(store, STATEMENT_LOAD_METRIC_READINGS, metric->id, error);
    if (!prepared)
        return false;
    static const struct row_list readings = {sizeof *metric->readings, read_whole_reading,
                                             free_reading_list};
    void *list;
    size_t count;
    if (!read_rows(store, prepared, &readings, "read the readings", &list, &count, error))
        return false;
    free_reading_list(metric->readings, metric->reading_count);
    metric->readings = list;
    metric->reading_count = count;
    metric->readings_partial = false;
    return true;
}

bool store_load_board(struct store *store, const char *code, yearmonth as_of, struct board **out,
                      struct error *error)
{
    return load_board(store, code, as_of, false, false, false, out, error);
}

bool store_load_board_with_retired(struct store *store, const char *code, struct board **out,
                                   struct error *error)
{
    return load_board(store, code, YEARMONTH_NONE, false, false, true, out, error);
}

bool store_load_board_structure(struct store *store, const char *code, struct board **out,
                                struct error *error)
{
    return load_board(store, code, YEARMONTH_NONE, true, false, true, out, error);
}

bool store_load_board_summary(struct store *store, const char *code, struct board **out,
                              struct error *error)
{
    return load_board(store, code, YEARMONTH_NONE, true, false, false, out, error);
}

bool store_load_board_top(struct store *store, const char *code, struct board **out,
                          struct error *error)
{
    return load_board(store, code, YEARMONTH_NONE, false, true, false, out, error);
}

bool store_load_children(struct store *store, struct board *board, size_t index,
                         struct error *error)
{
    struct node *parent = &board->nodes[index];
    /* A deliverable (or any node the kept statuses say is a leaf) has none. */
    if (parent->has_stored_status && parent->child_count == 0)
        parent->children_loaded = true;
    if (parent->children_loaded)
        return true;
    struct board *children = xcalloc(1, sizeof *children);
    children->spc_conflict = board->spc_conflict; /* for the metrics' fallback */
    struct scope scope = {.board_id = board->id, .children = true, .parent_id = parent->id,
                          .previous_publication = board->months.previous_id};
    bool reading = !in_transaction(store);
    if (reading && !begin_read(store, error)) {
        board_free(children);
        return false;
    }
    bool ok = load_parts(store, children, &scope, "9999-12", true, error);
    if (reading)
        end_read(store);
    if (ok)
        board_insert_children(board, index, children);
    board_free(children);
    return ok;
}

static bool load_board_status(struct store *store, struct board *board, struct error *error)
{
    struct db_stmt *prepared = statement_for(store, STATEMENT_LOAD_BOARD_STATUS, board->id, error);
    if (!prepared)
        return false;
    int result = db_step(prepared);
    if (result == DB_ROW) {
        board->has_stored_status = true;
        board->as_at = board->newest_reading = column_period(prepared, 0);
        board->shows_sample = db_column_int(prepared, 1) != 0;
        board->stored_rag = (enum rag)db_column_int(prepared, 2);
        for (int k = 0; k < RAG_COUNT; k++)
            board->stored_counts[k] = (unsigned)db_column_int(prepared, 3 + k);
        board->stored_awaiting = (unsigned)db_column_int(prepared, 8);
    }
    if (!finish(store, prepared, result, error, "read the board's status"))
        return false;
    board->partial = true;
    return true;
}

/* Sets board.months.previous (and its row id) to the newest published month
 * before `before` (NONE: any). */
static bool find_previous_publication(struct store *store, struct board *board, yearmonth before,
                                      struct error *error)
{
    struct db_stmt *prepared = statement_for(store, STATEMENT_PREVIOUS_PUBLICATION, board->id, error);
    if (!prepared)
        return false;
    char text[8] = "9999-13";
    if (before != YEARMONTH_NONE)
        yearmonth_format(before, text);
    bind_text(prepared, 2, text);
    int result = db_step(prepared);
    board->months.previous = YEARMONTH_NONE;
    board->months.previous_id = 0;
    if (result == DB_ROW) {
        board->months.previous_id = db_column_int64(prepared, 0);
        board->months.previous = column_period(prepared, 1);
    }
    return finish(store, prepared, result, error, "read the published months");
}

static bool load_board(struct store *store, const char *code, yearmonth as_of, bool summary,
                       bool top, bool with_retired, struct board **out, struct error *error)
{
    struct db_stmt *prepared = statement(store, STATEMENT_FIND_BOARD, error);
    if (!prepared)
        return false;
    bind_text(prepared, 1, code);
    int result = db_step(prepared);
    if (result != DB_ROW) {
        db_reset(prepared);
        if (result == DB_DONE) {
            error_set(error, EXIT_DATA, "There is no board '%s' in the store %s.", code,
                      store->label);
            return false;
        }
        return fail(store, error, "read the board");
    }
    struct board *board = xcalloc(1, sizeof *board);
    board->id = db_column_int64(prepared, 0);
    board->code = xstrdup(code);
    board->title = column_text(prepared, 1);
    board->reporting_period = column_text(prepared, 2);
    board->purpose = column_text(prepared, 3);
    board->vision = column_text(prepared, 4);
    column_conflict(prepared, 5, &board->spc_conflict);
    board->months.open = column_period(prepared, 6);
    board->months.last_published = column_period(prepared, 7);
    db_reset(prepared);

    /* A consistent snapshot: another process may commit between queries. */
    bool reading = !in_transaction(store);
    if (reading && !begin_read(store, error)) {
        board_free(board);
        return false;
    }

    bool ok = true;
    if (!(prepared = statement(store, STATEMENT_LOAD_VALUES, error))) {
        ok = false;
    } else {
        db_bind_int64(prepared, 1, board->id);
        size_t capacity = 0;
        while ((result = db_step(prepared)) == DB_ROW) {
            board->values =
                grow_one(board->values, &capacity, board->value_count, sizeof *board->values);
            board->values[board->value_count].name = column_text(prepared, 0);
            board->values[board->value_count].text = column_text(prepared, 1);
            board->value_count++;
        }
        ok = finish(store, prepared, result, error, "read the board's values");
    }

    char as_of_text[8] = "9999-12";
    if (as_of != YEARMONTH_NONE)
        yearmonth_format(as_of, as_of_text);
    /* Movement is measured from the newest published month before the one
     * shown: before as_of, or before the open month of the working view. */
    yearmonth shown = as_of != YEARMONTH_NONE ? as_of : board->months.open;
    if (ok && shown == YEARMONTH_NONE) {
        /* The working figures with no month open show the "as at" month:
         * movement is from the published month before it (the statuses
         * kept for the board say which month that is). */
        struct db_stmt *kept = statement_for(store, STATEMENT_KEPT_AS_AT, board->id, error);
        ok = kept != NULL;
        if (ok) {
            int stepped = db_step(kept);
            if (stepped == DB_ROW)
                shown = column_period(kept, 0);
            ok = finish(store, kept, stepped, error, "read the board's status");
        }
    }
    ok = ok && find_previous_publication(store, board, shown, error);
    /* The top of a lazily loaded board: the aims, and the stored statuses. */
    struct scope scope = {.board_id = board->id, .children = top,
                          .previous_publication = board->months.previous_id,
                          .hide_from = with_retired ? NULL : as_of_text};
    ok = ok && load_parts(store, board, &scope, as_of_text, summary || top, error);
    if (ok && top)
        ok = load_board_status(store, board, error);
    if (reading)
        end_read(store);
    if (!ok) {
        board_free(board);
        return false;
    }
    *out = board;
    return true;
}


/* ---- Kept statuses ------------------------------------------------------ */

static bool put_status_row(struct store *store, enum statement_id id, long long row_id,
                           const char *as_at, bool sample, const struct rollup *rollup,
                           size_t child_count, struct error *error)
{
    struct db_stmt *prepared = statement(store, id, error);
    if (!prepared)
        return false;
    int column = 1;
    db_bind_int64(prepared, column++, row_id);
    if (id == STATEMENT_PUT_BOARD_STATUS) {
        bind_text(prepared, column++, as_at);
        db_bind_int(prepared, column++, sample);
    }
    db_bind_int(prepared, column++, (int)rollup->rag);
    for (int k = 0; k < RAG_COUNT; k++)
        db_bind_int64(prepared, column++, rollup->counts[k]);
    db_bind_int64(prepared, column++, rollup->awaiting);
    if (id == STATEMENT_PUT_NODE_STATUS)
        db_bind_int64(prepared, column++, (long long)child_count);
    return run(store, prepared, error, "keep the statuses");
}

bool store_save_statuses(struct store *store, const struct board *board,
                         const struct board_status *status, struct error *error)
{
    bool ok = true;
    for (size_t i = 0; ok && i < board->node_count; i++) {
        const struct node *node = &board->nodes[i];
        const struct rollup *rollup = &status->nodes[i];
        /* Only rows that changed are written (the load read the old ones). */
        if (node->has_stored_status && node->stored_rag == rollup->rag &&
            node->stored_awaiting == rollup->awaiting &&
            node->stored_child_count == node->child_count &&
            memcmp(node->stored_counts, rollup->counts, sizeof rollup->counts) == 0)
            continue;
        ok = put_status_row(store, STATEMENT_PUT_NODE_STATUS, node->id, NULL, false, rollup,
                            node->child_count, error);
    }
    char as_at[8] = "";
    if (status->as_at)
        yearmonth_format(status->as_at, as_at);
    /* The board's row too, only if it moved. */
    struct db_stmt *prepared = ok ? statement_for(store, STATEMENT_LOAD_BOARD_STATUS, board->id,
                                                error)
                                : NULL;
    if (!prepared)
        return false;
    int result = db_step(prepared);
    bool same = false;
    if (result == DB_ROW) {
        same = column_period(prepared, 0) == status->as_at &&
               (db_column_int(prepared, 1) != 0) == board->shows_sample &&
               db_column_int(prepared, 2) == (int)status->board.rag &&
               (unsigned)db_column_int(prepared, 8) == status->board.awaiting;
        for (int k = 0; same && k < RAG_COUNT; k++)
            same = (unsigned)db_column_int(prepared, 3 + k) == status->board.counts[k];
    }
    if (!finish(store, prepared, result, error, "read the board's status"))
        return false;
    if (same)
        return true;
    return ok && put_status_row(store, STATEMENT_PUT_BOARD_STATUS, board->id,
                                status->as_at ? as_at : NULL, board->shows_sample,
                                &status->board, 0, error);
}

/* ---- Reporting months ---------------------------------------------------- */

bool store_set_open_month(struct store *store, const char *board_code, yearmonth month,
                          struct error *error)
{
    long long board_id;
    if (!stored_board_id(store, board_code, &board_id, error))
        return false;
    struct db_stmt *prepared = statement_for(store, STATEMENT_SET_OPEN_MONTH, board_id, error);
    if (!prepared)
        return false;
    bind_period(prepared, 2, month);
    return run(store, prepared, error, "open the month");
}

bool store_board_months(struct store *store, const char *board_code, struct board_months *out,
                        struct error *error)
{
    struct db_stmt *prepared = statement(store, STATEMENT_FIND_BOARD, error);
    if (!prepared)
        return false;
    bind_text(prepared, 1, board_code);
    int result = db_step(prepared);
    memset(out, 0, sizeof *out);
    if (result == DB_ROW) {
        out->open = column_period(prepared, 6);
        out->last_published = column_period(prepared, 7);
    } else if (result == DB_DONE) {
        db_reset(prepared);
        error_set(error, EXIT_DATA, "There is no board '%s' in the store.", board_code);
        return false;
    }
    return finish(store, prepared, result, error, "read the board's months");
}

static void read_publication(struct db_stmt *prepared, void *item)
{
    struct publication *publication = item;
    publication->id = db_column_int64(prepared, 0);
    publication->month = column_period(prepared, 1);
    publication->published_by = column_text(prepared, 2);
    publication->published_at = column_text(prepared, 3);
    publication->revisions = (unsigned)db_column_int(prepared, 4);
}

void publications_free(struct publication *list, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(list[i].published_by);
        free(list[i].published_at);
    }
    free(list);
}

static void free_publication_list(void *list, size_t count)
{
    publications_free(list, count);
}

bool store_list_publications(struct store *store, const char *board_code,
                             struct publication **out, size_t *count, struct error *error)
{
    long long board_id;
    if (!stored_board_id(store, board_code, &board_id, error))
        return false;
    struct db_stmt *prepared = statement_for(store, STATEMENT_LIST_PUBLICATIONS, board_id, error);
    if (!prepared)
        return false;
    static const struct row_list rows = {sizeof **out, read_publication, free_publication_list};
    void *list;
    if (!read_rows(store, prepared, &rows, "read the published months", &list, count, error))
        return false;
    *out = list;
    return true;
}

bool store_publication_snapshot(struct store *store, long long publication_id, char **snapshot,
                                size_t *length, struct error *error)
{
    struct db_stmt *prepared =
        statement_for(store, STATEMENT_PUBLICATION_SNAPSHOT, publication_id, error);
    if (!prepared)
        return false;
    int result = db_step(prepared);
    if (result == DB_ROW) {
        const char *text = db_column_text(prepared, 0);
        *length = (size_t)db_column_bytes(prepared, 0);
        *snapshot = xmalloc(*length + 1);
        memcpy(*snapshot, text ? text : "", *length);
        (*snapshot)[*length] = '\0';
    } else if (result == DB_DONE) {
        db_reset(prepared);
        error_set(error, EXIT_DATA, "The store %s has no such published month.", store->label);
        return false;
    }
    return finish(store, prepared, result, error, "read a published month");
}

bool store_add_publication(struct store *store, const char *board_code, yearmonth month,
                           const char *who, const char *when, const char *snapshot,
                           size_t length, const struct board *board,
                           const struct board_status *status, struct error *error)
{
    long long board_id, publication_id;
    if (!stored_board_id(store, board_code, &board_id, error))
        return false;
    struct db_stmt *prepared = statement_for(store, STATEMENT_INSERT_PUBLICATION, board_id, error);
    if (!prepared)
        return false;
    bind_period(prepared, 2, month);
    bind_text(prepared, 3, who);
    bind_text(prepared, 4, when);
    db_bind_static(prepared, 5, snapshot, (int)length);
    if (!insert(store, prepared, &publication_id, error, "publish the month"))
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i <= board->node_count; i++) {
        bool whole = i == board->node_count;
        if (!(prepared = statement_for(store, STATEMENT_INSERT_PUBLICATION_STATUS,
                                       publication_id, error)))
            return false;
        bind_text(prepared, 2, whole ? "" : board->nodes[i].code);
        db_bind_int(prepared, 3, (int)(whole ? status->board.rag : status->nodes[i].rag));
        ok = run(store, prepared, error, "publish the month");
    }
    return ok;
}

static bool assign_previous(struct store *store, struct board *board, struct db_stmt *prepared,
                            struct error *error)
{
    /* Rows come sorted by code; so are the nodes looked up here. */
    size_t count = board->node_count;
    struct node **by_code = xcalloc(count ? count : 1, sizeof *by_code);
    for (size_t i = 0; i < count; i++)
        by_code[i] = &board->nodes[i];
    qsort(by_code, count, sizeof *by_code, compare_node_codes);
    int result;
    size_t at = 0;
    while ((result = db_step(prepared)) == DB_ROW) {
        const char *code = db_column_text(prepared, 0);
        while (at < count && code && strcmp(by_code[at]->code, code) < 0)
            at++;
        if (at < count && code && strcmp(by_code[at]->code, code) == 0) {
            by_code[at]->has_previous = true;
            by_code[at]->previous_rag = (enum rag)db_column_int(prepared, 1);
        }
    }
    free(by_code);
    return finish(store, prepared, result, error, "read a published month's statuses");
}

bool store_fill_previous(struct store *store, struct board *board, yearmonth before,
                         struct error *error)
{
    for (size_t i = 0; i < board->node_count; i++)
        board->nodes[i].has_previous = false;
    if (!board->id) {
        long long board_id;
        if (!stored_board_id(store, board->code, &board_id, error))
            return false;
        board->id = board_id;
    }
    if (!find_previous_publication(store, board, before, error))
        return false;
    if (!board->months.previous_id)
        return true;
    struct db_stmt *prepared = statement_for(store, STATEMENT_LOAD_PUBLICATION_STATUSES,
                                           board->months.previous_id, error);
    return prepared && assign_previous(store, board, prepared, error);
}

bool store_add_revision(struct store *store, const char *board_code, yearmonth period,
                        const char *node_code, const char *what, const char *old_value,
                        const char *new_value, const char *reason, const char *who,
                        const char *when, struct error *error)
{
    long long board_id;
    if (!stored_board_id(store, board_code, &board_id, error))
        return false;
    struct db_stmt *prepared = statement_for(store, STATEMENT_INSERT_REVISION, board_id, error);
    if (!prepared)
        return false;
    bind_period(prepared, 2, period);
    const char *texts[] = {node_code, what, old_value, new_value, reason, who, when};
    bind_texts(prepared, 3, texts, 7);
    return run(store, prepared, error, "record the correction");
}

static void read_revision(struct db_stmt *prepared, void *item)
{
    struct revision *revision = item;
    revision->period = column_period(prepared, 0);
    revision->node_code = column_text(prepared, 1);
    revision->what = column_text(prepared, 2);
    revision->old_value = column_text(prepared, 3);
    revision->new_value = column_text(prepared, 4);
    revision->reason = column_text(prepared, 5);
    revision->who = column_text(prepared, 6);
    revision->at = column_text(prepared, 7);
    revision->after_month = column_period(prepared, 8);
}

void revisions_free(struct revision *list, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        struct revision *revision = &list[i];
        free(revision->node_code);
        free(revision->what);
        free(revision->old_value);
        free(revision->new_value);
        free(revision->reason);
        free(revision->who);
        free(revision->at);
    }
    free(list);
}

static void free_revision_list(void *list, size_t count)
{
    revisions_free(list, count);
}

bool store_list_revisions(struct store *store, const char *board_code, struct revision **out,
                          size_t *count, struct error *error)
{
    long long board_id;
    if (!stored_board_id(store, board_code, &board_id, error))
        return false;
    struct db_stmt *prepared = statement_for(store, STATEMENT_LIST_REVISIONS, board_id, error);
    if (!prepared)
        return false;
    static const struct row_list rows = {sizeof **out, read_revision, free_revision_list};
    void *list;
    if (!read_rows(store, prepared, &rows, "read the corrections", &list, count, error))
        return false;
    *out = list;
    return true;
}

bool store_boards_without_statuses(struct store *store, struct board_summary **out,
                                   size_t *count, struct error *error)
{
    return list_summaries(store, STATEMENT_BOARDS_WITHOUT_STATUS, "read the boards", out, count,
                          error);
}

/* A search of one board for `text` from the node at `tree_order`, with
 * one more parameter (the least status, or the filter). */
static struct db_stmt *search_statement(struct store *store, enum statement_id id,
                                      long long board_id, const char *text, int tree_order,
                                      int limit, struct error *error)
{
    struct db_stmt *prepared = statement_on_board(store, id, board_id, text, error);
    if (prepared) {
        db_bind_int(prepared, 3, tree_order);
        db_bind_int(prepared, 4, limit);
    }
    return prepared;
}

bool store_search_node(struct store *store, long long board_id, const char *text, int tree_order,
                       bool forward, enum rag at_least, char **code, bool *found,
                       struct error *error)
{
    /* Walks the (board, tree order) index from the start and stops at the
     * first match, so a near match costs little whatever the board's size. */
    struct db_stmt *prepared = search_statement(
        store, forward ? STATEMENT_SEARCH_NODES_FORWARD : STATEMENT_SEARCH_NODES_BACKWARD,
        board_id, text, tree_order, (int)at_least, error);
    return prepared && step_text(store, prepared, code, found, error, "search the board");
}

bool store_count_matches(struct store *store, long long board_id, const char *text,
                         int tree_order, enum rag at_least, int *position, int *total,
                         struct error *error)
{
    struct db_stmt *prepared =
        search_statement(store, STATEMENT_SEARCH_COUNT, board_id, text, tree_order,
                         (int)at_least, error);
    if (!prepared)
        return false;
    int result = db_step(prepared);
    *total = result == DB_ROW ? db_column_int(prepared, 0) : 0;
    *position = result == DB_ROW ? db_column_int(prepared, 1) : 0;
    return finish(store, prepared, result, error, "search the board");
}

static bool lookup_code(struct store *store, enum statement_id id, long long board_id,
                        const char *code, char **out, bool *found, struct error *error)
{
    struct db_stmt *prepared = statement_on_board(store, id, board_id, code, error);
    return prepared && step_text(store, prepared, out, found, error, "read the board's tree");
}

bool store_node_parent(struct store *store, long long board_id, const char *code, char **parent,
                       bool *found, struct error *error)
{
    return lookup_code(store, STATEMENT_NODE_PARENT, board_id, code, parent, found, error);
}

static void read_audit_entry(struct db_stmt *prepared, void *item)
{
    struct audit_entry *entry = item;
    entry->at = column_text(prepared, 0);
    entry->who = column_text(prepared, 1);
    entry->action = column_text(prepared, 2);
    entry->node_code = column_text(prepared, 3);
    entry->old_value = column_text(prepared, 4);
    entry->new_value = column_text(prepared, 5);
}

static void free_audit_list(void *list, size_t count)
{
    audit_entries_free(list, count);
}

bool store_audit_log(struct store *store, const char *board_code, const char *node_code,
                     struct audit_entry **out, size_t *count, struct error *error)
{
    struct db_stmt *prepared = statement(store, STATEMENT_AUDIT_FOR_NODE, error);
    if (!prepared)
        return false;
    bind_text(prepared, 1, board_code);
    bind_text(prepared, 2, node_code);
    static const struct row_list entries = {sizeof **out, read_audit_entry, free_audit_list};
    void *list;
    if (!read_rows(store, prepared, &entries, "read the audit log", &list, count, error))
        return false;
    *out = list;
    return true;
}

void audit_entries_free(struct audit_entry *list, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(list[i].at);
        free(list[i].who);
        free(list[i].action);
        free(list[i].node_code);
        free(list[i].old_value);
        free(list[i].new_value);
    }
    free(list);
}

/* ---- Backups ------------------------------------------------------------ */

/* Copies the store into `destination` (an open, empty SQLite file) with
 * SQLite's online backup API in one step: one read transaction, so the copy
 * is the store as it stood at one commit, while writers carry on (WAL). A
 * busy or locked source is waited out, as a write would be. */
static bool copy_pages(struct store *store, sqlite3 *destination, struct error *error)
{
    sqlite3_backup *backup = sqlite3_backup_init(destination, "main", store->database, "main");
    if (!backup) {
        error_set(error, EXIT_CANNOT_CREATE, "Cannot back up the store %s: %s.", store->label,
                  sqlite3_errmsg(destination));
        return false;
    }
    int result;
    int waited_ms = 0;
    while ((result = sqlite3_backup_step(backup, -1)) == SQLITE_BUSY ||
           result == SQLITE_LOCKED) {
        if (waited_ms >= BUSY_TIMEOUT_MS)
            break;
        sqlite3_sleep(50);
        waited_ms += 50;
    }
    sqlite3_backup_finish(backup);
    if (result == SQLITE_DONE)
        return true;
    int primary = result & 0xFF;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        error_set(error, EXIT_TEMPORARY,
                  "The store %s is busy (another program is writing to it); try again.",
                  store->label);
    else if (primary == SQLITE_FULL)
        error_set(error, EXIT_IO, "The disk is full; cannot back up the store %s.", store->label);
    else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
        error_set(error, EXIT_DATA, "The store %s is damaged or not a boardpack store.",
                  store->label);
    else
        error_set(error, EXIT_CANNOT_CREATE, "Cannot back up the store %s: %s.", store->label,
                  sqlite3_errstr(result));
    return false;
}

/* Runs fixed text (a pragma) on a connection that is not a store's: the
 * backup being written. */
static bool execute_on(sqlite3 *database, const char *sql)
{
    return sqlite3_exec(database, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* The folder holding `path`, for fsync after a rename. */
static void sync_folder_of(const char *path)
{
    char *folder = xstrdup(path);
    char *slash = strrchr(folder, '/');
    if (!slash)
        strcpy(folder, ".");
    else if (slash == folder)
        slash[1] = '\0';
    else
        *slash = '\0';
    int descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (descriptor >= 0) {
        fsync(descriptor);
        close(descriptor);
    }
    free(folder);
}

bool store_backup(struct store *store, const char *path, bool overwrite, struct error *error)
{
    if (store->pg) {
        (void)path;
        (void)overwrite;
        error_set(error, EXIT_USAGE,
                  "boardpack backup copies a SQLite store; back up %s with pg_dump "
                  "(docs/deployment.md), or copy it to a file with boardpack copy.",
                  store->label);
        return false;
    }
    if (names_a_server(path)) {
        error_set(error, EXIT_USAGE,
                  "boardpack backup writes a SQLite file; to fill a PostgreSQL store from this "
                  "one, use boardpack copy.");
        return false;
    }
    struct stat info;
    if (lstat(path, &info) == 0) {
        if (S_ISDIR(info.st_mode)) {
            error_set(error, EXIT_CANNOT_CREATE,
                      "%s is a folder; give the name of the backup file to write.", path);
            return false;
        }
        if (!overwrite) {
            error_set(error, EXIT_CANNOT_CREATE,
                      "There is already a file at %s; add --force to replace it.", path);
            return false;
        }
    }
    /* Written beside its final name, under a name no other process uses,
     * then renamed into place: FILE is never half-written. */
    char *building = xasprintf("%s.tmp-%ld", path, (long)getpid());
    remove_files(building);
    char *journal = xasprintf("%s-journal", building);
    unlink(journal);
    int descriptor = open(building, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (descriptor < 0) {
        error_set(error, EXIT_CANNOT_CREATE, "Cannot write the backup %s: %s.", path,
                  strerror(errno));
        free(journal);
        free(building);
        return false;
    }
    close(descriptor);
    sqlite3 *destination = NULL;
    bool ok = sqlite3_open_v2(building, &destination,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK;
    if (!ok)
        error_set(error, EXIT_CANNOT_CREATE, "Cannot write the backup %s: %s.", path,
                  destination ? sqlite3_errmsg(destination) : "out of memory");
    /* A backup is one self-contained file: no -wal or -shm beside it. */
    if (ok && !execute_on(destination, "PRAGMA synchronous = FULL")) {
        error_set(error, EXIT_CANNOT_CREATE, "Cannot write the backup %s: %s.", path,
                  sqlite3_errmsg(destination));
        ok = false;
    }
    ok = ok && copy_pages(store, destination, error);
    if (ok && !execute_on(destination, "PRAGMA journal_mode = DELETE")) {
        error_set(error, EXIT_CANNOT_CREATE, "Cannot write the backup %s: %s.", path,
                  sqlite3_errmsg(destination));
        ok = false;
    }
    if (destination && sqlite3_close(destination) != SQLITE_OK && ok) {
        error_set(error, EXIT_CANNOT_CREATE, "Cannot write the backup %s.", path);
        ok = false;
    }
    if (ok) {
        /* SQLite synced the pages; make sure of the file before it is named. */
        descriptor = open(building, O_RDONLY | O_CLOEXEC);
        if (descriptor < 0 || fsync(descriptor) != 0) {
            error_set(error, EXIT_IO, "Cannot write the backup %s: %s.", path, strerror(errno));
            ok = false;
        }
        if (descriptor >= 0)
            close(descriptor);
    }
    if (ok) {
        /* Without --force, link(2) refuses a file that appeared meanwhile;
         * with it, rename(2) replaces FILE in one step. */
        int result = overwrite ? rename(building, path) : link(building, path);
        if (result != 0) {
            if (errno == EEXIST)
                error_set(error, EXIT_CANNOT_CREATE,
                          "There is already a file at %s; add --force to replace it.", path);
            else
                error_set(error, EXIT_CANNOT_CREATE, "Cannot write the backup %s: %s.", path,
                          strerror(errno));
            ok = false;
        }
    }
    remove_files(building); /* after link(2), or after a failure */
    unlink(journal);
    if (ok)
        sync_folder_of(path);
    free(journal);
    free(building);
    return ok;
}

/* ---- Copying a whole store ------------------------------------------- */

/* Every table, in an order that puts each row after the rows it refers to
 * (nodes in tree order: a parent comes before its children), each with
 * its columns' kinds (i an integer, r a real, t a text), the query that
 * reads it and the insert that writes it. */
struct copy_table {
    const char *name;
    const char *kinds;
    const char *select_sql;
    const char *insert_sql;
    const char *count_sql;
};
static const struct copy_table copy_tables[] = {
    {"boards", "itttttttt",
     "SELECT id, code, title, reporting_period, purpose, vision, imported_at, spc_conflict, open_month FROM boards ORDER BY id",
     "INSERT INTO boards (id, code, title, reporting_period, purpose, vision, imported_at, spc_conflict, open_month) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
     "SELECT count(*) FROM boards"},
    {"board_values", "iitt",
     "SELECT board_id, position, name, text FROM board_values ORDER BY board_id, position",
     "INSERT INTO board_values (board_id, position, name, text) VALUES (?, ?, ?, ?)",
     "SELECT count(*) FROM board_values"},
    {"nodes", "iiittttitt",
     "SELECT id, board_id, parent_id, level, code, title, lead, tree_order, milestone_due, retired FROM nodes ORDER BY board_id, tree_order",
     "INSERT INTO nodes (id, board_id, parent_id, level, code, title, lead, tree_order, milestone_due, retired) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
     "SELECT count(*) FROM nodes"},
    {"metrics", "iiiittttrtrtritiiiitt",
     "SELECT id, board_id, deliverable_id, position, code, name, unit, direction, baseline_value, baseline_period, target_value, target_period, tolerance, stale_months, breakdown, spc_minimum_points, spc_shift_length, spc_trend_length, spc_screen_moving_ranges, spc_conflict, retired FROM metrics ORDER BY id",
     "INSERT INTO metrics (id, board_id, deliverable_id, position, code, name, unit, direction, baseline_value, baseline_period, target_value, target_period, tolerance, stale_months, breakdown, spc_minimum_points, spc_shift_length, spc_trend_length, spc_screen_moving_ranges, spc_conflict, retired) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
     "SELECT count(*) FROM metrics"},
    {"metric_rebases", "it",
     "SELECT metric_id, period FROM metric_rebases ORDER BY metric_id, period",
     "INSERT INTO metric_rebases (metric_id, period) VALUES (?, ?)",
     "SELECT count(*) FROM metric_rebases"},
    {"trajectory_points", "itr",
     "SELECT metric_id, period, value FROM trajectory_points ORDER BY metric_id, period",
     "INSERT INTO trajectory_points (metric_id, period, value) VALUES (?, ?, ?)",
     "SELECT count(*) FROM trajectory_points"},
    {"metric_segments", "iit",
     "SELECT metric_id, position, name FROM metric_segments ORDER BY metric_id, position",
     "INSERT INTO metric_segments (metric_id, position, name) VALUES (?, ?, ?)",
     "SELECT count(*) FROM metric_segments"},
    {"readings", "iittrttti",
     "SELECT id, metric_id, period, segment, value, note, entered_by, entered_at, sample FROM readings ORDER BY id",
     "INSERT INTO readings (id, metric_id, period, segment, value, note, entered_by, entered_at, sample) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
     "SELECT count(*) FROM readings"},
    {"milestone_updates", "iittttti",
     "SELECT id, node_id, period, status, note, entered_by, entered_at, sample FROM milestone_updates ORDER BY id",
     "INSERT INTO milestone_updates (id, node_id, period, status, note, entered_by, entered_at, sample) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
     "SELECT count(*) FROM milestone_updates"},
    {"commentary", "iitttti",
     "SELECT id, node_id, period, text, entered_by, entered_at, sample FROM commentary ORDER BY id",
     "INSERT INTO commentary (id, node_id, period, text, entered_by, entered_at, sample) VALUES (?, ?, ?, ?, ?, ?, ?)",
     "SELECT count(*) FROM commentary"},
    {"audit", "ittttttt",
     "SELECT id, at, who, action, board_code, node_code, old_value, new_value FROM audit ORDER BY id",
     "INSERT INTO audit (id, at, who, action, board_code, node_code, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
     "SELECT count(*) FROM audit"},
    {"metric_latest", "itritriti",
     "SELECT metric_id, period, value, sample, previous_period, previous_value, previous_sample, newest_period, any_sample FROM metric_latest ORDER BY metric_id",
     "INSERT INTO metric_latest (metric_id, period, value, sample, previous_period, previous_value, previous_sample, newest_period, any_sample) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
     "SELECT count(*) FROM metric_latest"},
    {"node_status", "iiiiiiiii",
     "SELECT node_id, rag, grey, blue, green, amber, red, child_count, awaiting FROM node_status ORDER BY node_id",
     "INSERT INTO node_status (node_id, rag, grey, blue, green, amber, red, child_count, awaiting) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
     "SELECT count(*) FROM node_status"},
    {"board_status", "itiiiiiiii",
     "SELECT board_id, as_at, shows_sample, rag, grey, blue, green, amber, red, awaiting FROM board_status ORDER BY board_id",
     "INSERT INTO board_status (board_id, as_at, shows_sample, rag, grey, blue, green, amber, red, awaiting) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
     "SELECT count(*) FROM board_status"},
    {"publications", "iitttt",
     "SELECT id, board_id, month, published_by, published_at, snapshot FROM publications ORDER BY id",
     "INSERT INTO publications (id, board_id, month, published_by, published_at, snapshot) VALUES (?, ?, ?, ?, ?, ?)",
     "SELECT count(*) FROM publications"},
    {"publication_statuses", "iti",
     "SELECT publication_id, node_code, rag FROM publication_statuses ORDER BY publication_id, node_code",
     "INSERT INTO publication_statuses (publication_id, node_code, rag) VALUES (?, ?, ?)",
     "SELECT count(*) FROM publication_statuses"},
    {"revisions", "iiitttttttt",
     "SELECT id, board_id, publication_id, period, node_code, what, old_value, new_value, reason, who, at FROM revisions ORDER BY id",
     "INSERT INTO revisions (id, board_id, publication_id, period, node_code, what, old_value, new_value, reason, who, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
     "SELECT count(*) FROM revisions"},
};

/* After rows were copied in with their ids, PostgreSQL's identities go on
 * from the largest (SQLite's rowids do so by themselves). */
static const char pg_identities_after_copy[] =
    "SELECT setval(pg_get_serial_sequence('boards', 'id'), "
    "  (SELECT coalesce(max(id), 0) + 1 FROM boards), false);"
    "SELECT setval(pg_get_serial_sequence('nodes', 'id'), "
    "  (SELECT coalesce(max(id), 0) + 1 FROM nodes), false);"
    "SELECT setval(pg_get_serial_sequence('metrics', 'id'), "
    "  (SELECT coalesce(max(id), 0) + 1 FROM metrics), false);"
    "SELECT setval(pg_get_serial_sequence('readings', 'id'), "
    "  (SELECT coalesce(max(id), 0) + 1 FROM readings), false);"
    "SELECT setval(pg_get_serial_sequence('milestone_updates', 'id'), "
    "  (SELECT coalesce(max(id), 0) + 1 FROM milestone_updates), false);"
    "SELECT setval(pg_get_serial_sequence('commentary', 'id'), "
    "  (SELECT coalesce(max(id), 0) + 1 FROM commentary), false);"
    "SELECT setval(pg_get_serial_sequence('audit', 'id'), "
    "  (SELECT coalesce(max(id), 0) + 1 FROM audit), false);"
    "SELECT setval(pg_get_serial_sequence('publications', 'id'), "
    "  (SELECT coalesce(max(id), 0) + 1 FROM publications), false);"
    "SELECT setval(pg_get_serial_sequence('revisions', 'id'), "
    "  (SELECT coalesce(max(id), 0) + 1 FROM revisions), false);";

/* A statement prepared for one use (a copy's), outside the cache. */
static bool prepare_once(struct store *store, const char *sql, struct db_stmt *out,
                         struct error *error)
{
    memset(out, 0, sizeof *out);
    if (store->pg)
        out->pg = pg_prepare(store->pg, sql);
    else if (sqlite3_prepare_v2(store->database, sql, -1, &out->lite, NULL) != SQLITE_OK)
        out->lite = NULL;
    return out->lite || out->pg || fail(store, error, "prepare a query");
}

static void finalize_once(struct db_stmt *prepared)
{
    sqlite3_finalize(prepared->lite);
    pg_finalize(prepared->pg);
    memset(prepared, 0, sizeof *prepared);
}

static bool count_rows(struct store *store, const char *sql, long long *count,
                       struct error *error)
{
    struct db_stmt prepared;
    if (!prepare_once(store, sql, &prepared, error))
        return false;
    int result = db_step(&prepared);
    *count = result == DB_ROW ? db_column_int64(&prepared, 0) : 0;
    bool ok = result == DB_ROW || fail(store, error, "count the rows");
    finalize_once(&prepared);
    return ok;
}

/* One table's rows, read from `from` and written to `to` column by column
 * in their own kinds, so that a real, a text and a NULL arrive as they
 * left. */
static bool copy_table(struct store *from, struct store *to, const struct copy_table *table,
                       long long *rows, struct error *error)
{
    struct db_stmt reader, writer;
    if (!prepare_once(from, table->select_sql, &reader, error))
        return false;
    if (!prepare_once(to, table->insert_sql, &writer, error)) {
        finalize_once(&reader);
        return false;
    }
    int columns = (int)strlen(table->kinds);
    bool ok = true;
    int result;
    *rows = 0;
    while (ok && (result = db_step(&reader)) == DB_ROW) {
        for (int c = 0; c < columns; c++) {
            if (db_column_is_null(&reader, c))
                db_bind_null(&writer, c + 1);
            else if (table->kinds[c] == 'i')
                db_bind_int64(&writer, c + 1, db_column_int64(&reader, c));
            else if (table->kinds[c] == 'r')
                db_bind_double(&writer, c + 1, db_column_double(&reader, c));
            else
                db_bind_text(&writer, c + 1, db_column_text(&reader, c),
                             db_column_bytes(&reader, c));
        }
        ok = run(to, &writer, error, "write the copy");
        (*rows)++;
    }
    if (ok && result != DB_DONE)
        ok = fail(from, error, "read the store to copy");
    finalize_once(&reader);
    finalize_once(&writer);
    return ok;
}

bool store_copy(struct store *from, struct store *to, const struct store_copy_options *options,
                struct error *error)
{
    size_t table_count = sizeof copy_tables / sizeof copy_tables[0];
    /* Only into a store that holds nothing: a copy is the whole store. */
    for (size_t i = 0; i < table_count; i++) {
        long long rows;
        if (!count_rows(to, copy_tables[i].count_sql, &rows, error))
            return false;
        if (rows > 0) {
            error_set(error, EXIT_CANNOT_CREATE,
                      "The store %s already holds data (%lld rows of %s); copy fills only a "
                      "new, empty store.",
                      to->label, rows, copy_tables[i].name);
            return false;
        }
    }
    if (!begin_read(from, error))
        return false;
    bool ok = store_begin(to, error);
    long long total = 0;
    for (size_t i = 0; ok && i < table_count; i++) {
        long long rows = 0, there = 0;
        ok = copy_table(from, to, &copy_tables[i], &rows, error) &&
             count_rows(to, copy_tables[i].count_sql, &there, error);
        if (ok && there != rows) {
            error_set(error, EXIT_SOFTWARE, "The copy of %s holds %lld rows, not %lld.",
                      copy_tables[i].name, there, rows);
            ok = false;
        }
        total += rows;
        if (ok && options && options->on_table)
            options->on_table(options->context, copy_tables[i].name, rows);
    }
    if (ok && to->pg && !pg_exec(to->pg, pg_identities_after_copy))
        ok = fail(to, error, "set the copy's identities");
    if (ok)
        ok = store_commit(to, error);
    else
        store_rollback(to);
    end_read(from);
    if (ok && options && options->total_rows)
        *options->total_rows = total;
    return ok;
}
