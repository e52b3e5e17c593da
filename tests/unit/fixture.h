/* fixture.h — a small board used by the store, command and report tests:
 * two aims, a metric with a baseline, a multi-metric deliverable, a metric
 * with a borough breakdown, and a milestone. */
#ifndef BOARDPACK_TEST_FIXTURE_H
#define BOARDPACK_TEST_FIXTURE_H

static const char fixture_board[] =
    "board:\n"
    "  code: test-board\n"
    "  title: \"A test board – with £ and ’quotes’\"\n"
    "  period: \"2023/24\"\n"
    "  purpose: \"To test\"\n"
    "  vision: \"Tests pass\"\n"
    "  values:\n"
    "    - {name: \"We are kind\", text: \"We show empathy\"}\n"
    "aims:\n"
    "  - code: \"1\"\n"
    "    title: \"First aim\"\n"
    "    objectives:\n"
    "      - code: \"1.1\"\n"
    "        title: \"First objective\"\n"
    "        deliverables:\n"
    "          - code: \"1.1.1\"\n"
    "            title: \"Physical health checks\"\n"
    "            metric: {name: \"Checks\", unit: percent, direction: up,\n"
    "                     baseline: {value: 58.5, period: 2023-03},\n"
    "                     target: {value: 75, period: 2024-03}, breakdown: borough}\n"
    "          - code: \"1.1.2\"\n"
    "            title: \"Apprenticeships\"\n"
    "            metrics:\n"
    "              - {code: \"1.1.2a\", name: \"Share\", unit: percent, direction: up,\n"
    "                 target: {value: 9, period: 2024-03}}\n"
    "              - {code: \"1.1.2b\", name: \"Number\", unit: count, direction: up,\n"
    "                 target: {value: 225, period: 2024-03}}\n"
    "  - code: \"2\"\n"
    "    title: \"Second aim\"\n"
    "    objectives:\n"
    "      - code: \"2.1\"\n"
    "        title: \"Second objective\"\n"
    "        deliverables:\n"
    "          - code: \"2.1.1\"\n"
    "            title: \"Refurbish a ward\"\n"
    "            milestone: {due: 2024-03, status: on_track}\n"
    "readings:\n"
    "  - {metric: \"1.1.1\", period: 2023-04, value: 60.1}\n"
    "  - {metric: \"1.1.1\", period: 2023-05, value: 61.5}\n"
    "  - {metric: \"1.1.1\", period: 2023-05, value: 55, segment: Barnet}\n"
    "  - {metric: \"1.1.2b\", period: 2023-05, value: 120, note: \"from ESR\"}\n";

static const char fixture_readings[] =
    "board: {code: test-board}\n"
    "readings:\n"
    "  - {metric: \"1.1.1\", period: 2023-06, value: 62.0}\n"
    "  - {metric: \"1.1.2a\", period: 2023-06, value: 4.5}\n";

/* The board in `text`, read as the file `name`; a refusal fails the test.
 * (Include cmocka.h, string.h and boardfile.h first.) */
static inline struct board *fixture_parse(const char *text, const char *name)
{
    struct board *board = NULL;
    struct error error = {0};
    if (!boardfile_read_bytes(text, strlen(text), name, &board, &error))
        fail_msg("%s", error.message);
    return board;
}

#ifdef BOARDPACK_STORE_H
#include <libpq-fe.h>
#include <unistd.h>

/* The store tests run on SQLite files, and again on PostgreSQL when
 * BOARDPACK_TEST_PG names a database on a throwaway server (tests/pg/
 * pg_unit.sh starts one): each test then gets a schema of its own. */
static inline const char *fixture_postgresql(void)
{
    const char *base = getenv("BOARDPACK_TEST_PG");
    return base && *base ? base : NULL;
}

/* A test about SQLite's files (permissions, WAL, a file moved or written
 * over) says so and is skipped on PostgreSQL, which has none. */
#define FIXTURE_SQLITE_ONLY()                                                                   \
    do {                                                                                        \
        if (fixture_postgresql()) {                                                             \
            print_message("(a SQLite file's test: skipped on PostgreSQL)\n");                   \
            skip();                                                                             \
        }                                                                                       \
    } while (0)

/* Runs fixed SQL on a PostgreSQL connection string; the first row's first
 * column, or NULL. */
static inline char *fixture_pg_text(const char *conninfo, const char *sql)
{
    PGconn *connection = PQconnectdb(conninfo);
    if (PQstatus(connection) != CONNECTION_OK)
        fail_msg("cannot reach the test server: %s", PQerrorMessage(connection));
    PGresult *result = PQexec(connection, sql);
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(result));
    char *text = NULL;
    if (status == PGRES_TUPLES_OK && PQntuples(result) > 0 && !PQgetisnull(result, 0, 0))
        text = strdup(PQgetvalue(result, 0, 0));
    PQclear(result);
    PQfinish(connection);
    return text;
}

/* A new store in a private temporary folder (or a new schema), for the
 * store and command tests. (Include sqlite3.h, stdio.h, stdlib.h,
 * command.h and store.h first.) */
struct fixture {
    char directory[64];
    char path[512];
    char schema[64];
    struct store *store;
};

static inline struct fixture *fixture_open_store(void)
{
    static int made;
    struct fixture *fixture = calloc(1, sizeof *fixture);
    strcpy(fixture->directory, "/tmp/boardpack-test-XXXXXX");
    assert_non_null(mkdtemp(fixture->directory));
    const char *base = fixture_postgresql();
    if (base) {
        snprintf(fixture->schema, sizeof fixture->schema, "unit_%ld_%d", (long)getpid(), ++made);
        /* The tests' own queries are SQLite's: the two functions they use
         * that PostgreSQL spells otherwise, in the test's schema. */
        char sql[1024];
        snprintf(sql, sizeof sql,
                 "CREATE SCHEMA %1$s;"
                 "CREATE FUNCTION %1$s.ifnull(a anyelement, b anyelement) RETURNS anyelement "
                 "LANGUAGE sql IMMUTABLE AS 'SELECT coalesce(a, b)';"
                 "CREATE FUNCTION %1$s.group_concat_step(acc text, x text, sep text) "
                 "RETURNS text LANGUAGE sql IMMUTABLE AS "
                 "'SELECT CASE WHEN x IS NULL THEN acc WHEN acc IS NULL THEN x "
                 "ELSE acc || sep || x END';"
                 "CREATE AGGREGATE %1$s.group_concat(text, text) "
                 "(SFUNC = %1$s.group_concat_step, STYPE = text);"
                 "CREATE FUNCTION %1$s.group_concat_comma(acc text, x text) RETURNS text "
                 "LANGUAGE sql IMMUTABLE AS 'SELECT %1$s.group_concat_step(acc, x, '','')';"
                 "CREATE AGGREGATE %1$s.group_concat(text) "
                 "(SFUNC = %1$s.group_concat_comma, STYPE = text);",
                 fixture->schema);
        free(fixture_pg_text(base, sql));
        snprintf(fixture->path, sizeof fixture->path, "%s%soptions=-csearch_path%%3D%s", base,
                 strchr(base, '?') ? "&" : "?", fixture->schema);
    } else {
        snprintf(fixture->path, sizeof fixture->path, "%s/store.db", fixture->directory);
    }
    struct error error = {0};
    if (!store_open(fixture->path, STORE_READ_WRITE, true, &fixture->store, &error))
        fail_msg("%s", error.message);
    return fixture;
}

/* PostgreSQL's store, every row of every table, as text in a fixed order. */
static inline char *fixture_pg_rows(const char *conninfo)
{
    static const char *const tables[] = {
        "boardpack_schema", "boardpack_changes", "boards", "board_values", "nodes", "metrics",
        "metric_rebases", "trajectory_points", "metric_segments", "readings",
        "milestone_updates", "commentary", "audit", "metric_latest", "node_status",
        "board_status", "publications", "publication_statuses", "revisions"};
    struct text_buffer buffer = {0};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[192];
        snprintf(sql, sizeof sql,
                 "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM %s t",
                 tables[i]);
        char *rows = fixture_pg_text(conninfo, sql);
        text_appendf(&buffer, "%s:\n%s\n", tables[i], rows ? rows : "");
        free(rows);
    }
    return buffer.data;
}

/* The whole store (database and WAL) as bytes, to prove nothing changed.
 * The caller frees it. */
static inline char *fixture_store_bytes(const char *path, size_t *length)
{
    if (fixture_postgresql()) {
        char *rows = fixture_pg_rows(path);
        *length = strlen(rows);
        return rows;
    }
    struct text_buffer buffer = {0};
    const char *suffixes[] = {"", "-wal"};
    for (size_t i = 0; i < 2; i++) {
        char name[192];
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        FILE *file = fopen(name, "rb");
        if (!file)
            continue;
        char chunk[4096];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, file)) > 0)
            text_append_length(&buffer, chunk, got);
        fclose(file);
    }
    *length = buffer.length;
    return buffer.data;
}

static inline int fixture_set_up(void **state)
{
    *state = fixture_open_store();
    return 0;
}

/* The store with the fixture board imported through the command layer,
 * which keeps the statuses the store saves (include command.h too). */
static inline int fixture_set_up_with_board(void **state)
{
    struct fixture *fixture = fixture_open_store();
    struct board *board = fixture_parse(fixture_board, "fixture.yaml");
    const char *name = "fixture.yaml";
    struct error error = {0};
    assert_true(command_import_boards(fixture->store, &board, &name, 1, false, NULL, NULL, &error));
    board_free(board);
    *state = fixture;
    return 0;
}

static inline int fixture_tear_down(void **state)
{
    struct fixture *fixture = *state;
    store_close(fixture->store);
    if (fixture->schema[0]) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", fixture->schema);
        free(fixture_pg_text(fixture_postgresql(), sql));
    }
    char command[256];
    snprintf(command, sizeof command, "rm -rf '%s'", fixture->directory);
    assert_int_equal(system(command), 0);
    free(fixture);
    return 0;
}

/* A test on a new store, or on one holding the fixture board. */
#define FIXTURE_TEST(test) cmocka_unit_test_setup_teardown(test, fixture_set_up, fixture_tear_down)
#define FIXTURE_TEST_WITH_BOARD(test)                                                           \
    cmocka_unit_test_setup_teardown(test, fixture_set_up_with_board, fixture_tear_down)

/* Runs one query on the file, as a reviewer with the sqlite3 shell would,
 * and hands its first row's first column to `read`. */
static inline void fixture_query(const char *path, const char *sql,
                                 void (*read)(sqlite3_stmt *statement, int step, void *out),
                                 void *out)
{
    sqlite3 *database;
    assert_int_equal(sqlite3_open_v2(path, &database, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *statement;
    assert_int_equal(sqlite3_prepare_v2(database, sql, -1, &statement, NULL), SQLITE_OK);
    read(statement, sqlite3_step(statement), out);
    sqlite3_finalize(statement);
    sqlite3_close(database);
}

static inline void fixture_read_text(sqlite3_stmt *statement, int step, void *out)
{
    const unsigned char *text = step == SQLITE_ROW ? sqlite3_column_text(statement, 0) : NULL;
    *(char **)out = text ? strdup((const char *)text) : NULL;
}

static inline void fixture_read_number(sqlite3_stmt *statement, int step, void *out)
{
    assert_int_equal(step, SQLITE_ROW);
    *(long long *)out = sqlite3_column_int64(statement, 0);
}

/* The first column of the query's first row as text (NULL for none). */
static inline char *fixture_query_text(const char *path, const char *sql)
{
    if (fixture_postgresql())
        return fixture_pg_text(path, sql);
    char *text = NULL;
    fixture_query(path, sql, fixture_read_text, &text);
    return text;
}

/* A query's text as SQLite writes it: PostgreSQL writes a whole real
 * without SQLite's ".0" (61, not 61.0), so on PostgreSQL the ".0" after a
 * whole number is dropped from both sides before they are compared. */
static inline void fixture_drop_point_zero(char *text)
{
    char *out = text;
    for (char *c = text; *c; c++) {
        if (c[0] == '.' && c[1] == '0' && (c[2] < '0' || c[2] > '9') && c > text &&
            c[-1] >= '0' && c[-1] <= '9') {
            c++;
            continue;
        }
        *out++ = *c;
    }
    *out = '\0';
}

/* The first column of the query's first row, which must exist, as a number. */
static inline long long fixture_query_number(const char *path, const char *sql)
{
    if (fixture_postgresql()) {
        char *text = fixture_pg_text(path, sql);
        assert_non_null(text);
        long long value = atoll(text);
        free(text);
        return value;
    }
    long long value = 0;
    fixture_query(path, sql, fixture_read_number, &value);
    return value;
}
#endif

#endif
