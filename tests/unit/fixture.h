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
/* A new store in a private temporary folder, for the store and command
 * tests. (Include sqlite3.h, stdio.h, stdlib.h, command.h and store.h first.) */
struct fixture {
    char directory[64];
    char path[128];
    struct store *store;
};

static inline struct fixture *fixture_open_store(void)
{
    struct fixture *fixture = calloc(1, sizeof *fixture);
    strcpy(fixture->directory, "/tmp/boardpack-test-XXXXXX");
    assert_non_null(mkdtemp(fixture->directory));
    snprintf(fixture->path, sizeof fixture->path, "%s/store.db", fixture->directory);
    struct error error = {0};
    assert_true(store_open(fixture->path, STORE_READ_WRITE, true, &fixture->store, &error));
    return fixture;
}

/* The whole store (database and WAL) as bytes, to prove nothing changed.
 * The caller frees it. */
static inline char *fixture_store_bytes(const char *path, size_t *length)
{
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
    char *text = NULL;
    fixture_query(path, sql, fixture_read_text, &text);
    return text;
}

/* The first column of the query's first row, which must exist, as a number. */
static inline long long fixture_query_number(const char *path, const char *sql)
{
    long long value = 0;
    fixture_query(path, sql, fixture_read_number, &value);
    return value;
}
#endif

#endif
