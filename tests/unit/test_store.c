/* test_store.c — the SQLite store: schema, import, loading back, single
 * writes, read-only access and the audit log. The tests look inside the file
 * with SQLite directly, as a reviewer with the sqlite3 shell would. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boardfile.h"
#include "command.h"
#include "fixture.h"
#include "rules.h"
#include "store.h"

static bool import_text(struct store *store, const char *text, struct error *error)
{
    struct board *board = fixture_parse(text, "fixture.yaml");
    const char *name = "fixture.yaml";
    /* Through the command layer, which keeps the statuses the store saves. */
    bool ok = command_import_boards(store, &board, &name, 1, false, NULL, NULL, error);
    board_free(board);
    return ok;
}

static void a_new_store_is_private_and_versioned(void **state)
{
    FIXTURE_SQLITE_ONLY();
    struct fixture *fixture = *state;
    struct stat info;
    assert_int_equal(stat(fixture->path, &info), 0);
    assert_int_equal(info.st_mode & 0777, 0600);
    assert_int_equal(store_schema_version(fixture->store), 8);
    assert_true(store_is_empty(fixture->store));
    assert_false(store_is_read_only(fixture->store));
    /* WAL, and STRICT tables that refuse a wrongly typed value. */
    sqlite3 *database;
    assert_int_equal(sqlite3_open(fixture->path, &database), SQLITE_OK);
    sqlite3_stmt *statement;
    assert_int_equal(sqlite3_prepare_v2(database, "PRAGMA journal_mode", -1, &statement, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(statement), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(statement, 0), "wal");
    sqlite3_finalize(statement);
    assert_int_not_equal(sqlite3_exec(database,
                                      "INSERT INTO boards (id, code, title, imported_at) "
                                      "VALUES ('not a number', 'x', 'y', 'z')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    sqlite3_close(database);
}

static void import_then_load_gives_the_board_back(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    assert_false(store_is_empty(fixture->store));
    struct board *board = NULL;
    assert_true(store_load_board(fixture->store, "test-board", YEARMONTH_NONE, &board, &error));
    assert_string_equal(board->title, "A test board – with £ and ’quotes’");
    assert_string_equal(board->reporting_period, "2023/24");
    assert_int_equal(board->value_count, 1);
    assert_string_equal(board->values[0].name, "We are kind");
    assert_int_equal(board->node_count, 7);
    const char *codes[] = {"1", "1.1", "1.1.1", "1.1.2", "2", "2.1", "2.1.1"};
    const size_t parents[] = {NODE_NONE, 0, 1, 1, NODE_NONE, 4, 5};
    const size_t ends[] = {4, 4, 3, 4, 7, 7, 7};
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(board->nodes[i].code, codes[i]);
        assert_int_equal(board->nodes[i].parent, parents[i]);
        assert_int_equal(board->nodes[i].subtree_end, ends[i]);
    }
    assert_int_equal(board->nodes[2].level, LEVEL_DELIVERABLE);
    struct metric *metric = &board->nodes[2].metrics[0];
    assert_string_equal(metric->code, "1.1.1");
    assert_true(metric->has_baseline);
    assert_true(metric->baseline == 58.5);
    assert_int_equal(metric->baseline_period, yearmonth_make(2023, 3));
    assert_true(metric->target == 75);
    assert_string_equal(metric->breakdown, "borough");
    assert_int_equal(metric->reading_count, 3);
    assert_null(metric->readings[0].segment);
    assert_true(metric->readings[1].value == 61.5);
    assert_string_equal(metric->readings[2].segment, "Barnet");
    /* Entered by whoever ran the import (the command layer says who). */
    assert_string_equal(metric->readings[0].entered_by, current_user_name());
    assert_int_equal(board->nodes[3].metric_count, 2);
    assert_string_equal(board->nodes[3].metrics[1].readings[0].note, "from ESR");
    assert_true(board->nodes[6].has_milestone);
    assert_int_equal(board->nodes[6].milestone.update_count, 1);
    assert_int_equal(board->nodes[6].milestone.updates[0].status, MILESTONE_ON_TRACK);
    assert_int_equal(board->as_at, yearmonth_make(2023, 5));
    assert_false(board->shows_sample);
    board_free(board);
}

/* The SPC conflict rule: the board's and each metric's own are kept (NULL
 * where the file sets none), and every load, full or lazy, hands the board's
 * to each metric as its fallback. */
static void spc_conflict_rules_are_kept(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    static const char text[] =
        "board: {code: c, title: T, spc: {conflict: improvement}}\n"
        "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
        "        deliverables: [{code: \"1.1.1\", title: x, metrics: [\n"
        "          {code: a, name: a, unit: count, direction: down, target: {value: 1}},\n"
        "          {code: b, name: b, unit: count, direction: up, target: {value: 1},\n"
        "           spc: {conflict: concern}}]}]}]}]\n";
    assert_true(import_text(fixture->store, text, &error));
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM boards "
                                          "WHERE spc_conflict = 'improvement'"),
                     1);
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM metrics "
                                          "WHERE spc_conflict IS NULL AND code = 'a'"),
                     1);
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM metrics "
                                          "WHERE spc_conflict = 'concern' AND code = 'b'"),
                     1);
    struct board *board = NULL;
    assert_true(store_load_board(fixture->store, "c", YEARMONTH_NONE, &board, &error));
    assert_int_equal(board->spc_conflict, SPC_CONFLICT_IMPROVEMENT);
    const struct metric *metrics = board->nodes[2].metrics;
    assert_int_equal(metrics[0].spc.conflict, SPC_CONFLICT_DEFAULT);
    assert_int_equal(metrics[0].spc.board_conflict, SPC_CONFLICT_IMPROVEMENT);
    assert_int_equal(spc_conflict_rule(&metrics[0].spc), SPC_CONFLICT_IMPROVEMENT);
    assert_int_equal(metrics[1].spc.conflict, SPC_CONFLICT_CONCERN);
    assert_int_equal(spc_conflict_rule(&metrics[1].spc), SPC_CONFLICT_CONCERN);
    board_free(board);

    assert_true(store_load_board_top(fixture->store, "c", &board, &error));
    assert_true(store_load_children(fixture->store, board, 0, &error));
    assert_true(store_load_children(fixture->store, board, 1, &error));
    assert_int_equal(board->node_count, 3);
    assert_int_equal(board->nodes[2].metrics[0].spc.board_conflict, SPC_CONFLICT_IMPROVEMENT);
    assert_int_equal(board->nodes[2].metrics[1].spc.conflict, SPC_CONFLICT_CONCERN);
    board_free(board);

    /* A board without the setting: NULL, and the default applies. */
    assert_true(import_text(fixture->store, fixture_board, &error));
    assert_int_equal(fixture_query_number(fixture->path,
                                          "SELECT count(*) FROM boards WHERE code = 'test-board' "
                                          "AND spc_conflict IS NULL"),
                     1);
    assert_true(store_load_board(fixture->store, "test-board", YEARMONTH_NONE, &board, &error));
    assert_int_equal(board->spc_conflict, SPC_CONFLICT_DEFAULT);
    assert_int_equal(spc_conflict_rule(&board->nodes[2].metrics[0].spc), SPC_CONFLICT_CONCERN);
    board_free(board);
}

/* The segments a metric declares are kept in order, come back with every
 * load (full, summary, lazy) and with a metric's look-up, go when the board
 * goes, and a readings-only file's reading for another segment is refused
 * with a suggestion. */
static void declared_segments_are_kept_and_checked(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    static const char text[] =
        "board: {code: s, title: T}\n"
        "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
        "        deliverables: [{code: \"1.1.1\", title: x, metrics: [\n"
        "          {code: a, name: a, unit: count, direction: up, target: {value: 1},\n"
        "           breakdown: borough, segments: [Haringey, Barnet, \"Camden – south\"]},\n"
        "          {code: b, name: b, unit: count, direction: up, target: {value: 1},\n"
        "           breakdown: borough}]}]}]}]\n";
    assert_true(import_text(fixture->store, text, &error));
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM metric_segments"),
                     3);
    struct board *board = NULL;
    for (int load = 0; load < 3; load++) {
        if (load == 0)
            assert_true(store_load_board(fixture->store, "s", YEARMONTH_NONE, &board, &error));
        else if (load == 1)
            assert_true(store_load_board_summary(fixture->store, "s", &board, &error));
        else {
            assert_true(store_load_board_top(fixture->store, "s", &board, &error));
            assert_true(store_load_children(fixture->store, board, 0, &error));
            assert_true(store_load_children(fixture->store, board, 1, &error));
        }
        const struct metric *metrics = board->nodes[2].metrics;
        assert_int_equal(metrics[0].segment_count, 3);
        assert_string_equal(metrics[0].segments[0], "Haringey");
        assert_string_equal(metrics[0].segments[1], "Barnet");
        assert_string_equal(metrics[0].segments[2], "Camden – south");
        assert_int_equal(metrics[1].segment_count, 0);
        board_free(board);
    }
    struct metric_ref ref = {0};
    assert_true(store_find_metric(fixture->store, "s", "a", &ref, &error));
    assert_int_equal(ref.segment_count, 3);
    assert_string_equal(ref.segments[2], "Camden – south");
    metric_ref_free(&ref);

    /* Readings-only files: a declared segment, any segment where none are
     * declared, and an undeclared one refused (nothing written). */
    assert_true(import_text(fixture->store,
                            "board: {code: s}\n"
                            "readings:\n"
                            "  - {metric: a, period: 2023-07, value: 3, segment: Barnet}\n"
                            "  - {metric: b, period: 2023-07, value: 3, segment: Anywhere}\n",
                            &error));
    assert_false(import_text(fixture->store,
                             "board: {code: s}\n"
                             "readings:\n"
                             "  - {metric: a, period: 2023-08, value: 3, segment: Haringey}\n"
                             "  - {metric: a, period: 2023-08, value: 3, segment: haringey}\n",
                             &error));
    assert_string_equal(error.message, "fixture.yaml:4:5: error: no segment 'haringey' for a; "
                                       "did you mean 'Haringey'?");
    assert_false(import_text(fixture->store,
                             "board: {code: s}\n"
                             "readings:\n"
                             "  - {metric: a, period: 2023-08, value: 3, segment: Enfield}\n",
                             &error));
    assert_string_equal(error.message, "fixture.yaml:3:5: error: no segment 'Enfield' for a; "
                                       "expected 'Haringey', 'Barnet' or 'Camden – south'");
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM readings"), 2);

    assert_true(store_begin(fixture->store, &error));
    assert_true(store_delete_board(fixture->store, "s", &error));
    assert_true(store_commit(fixture->store, &error));
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM metric_segments"),
                     0);
}

static void a_readings_file_adds_to_a_stored_board(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    assert_true(import_text(fixture->store, fixture_readings, &error));
    struct board *board = NULL;
    assert_true(store_load_board(fixture->store, "test-board", YEARMONTH_NONE, &board, &error));
    assert_int_equal(board->nodes[2].metrics[0].reading_count, 4);
    assert_int_equal(board->as_at, yearmonth_make(2023, 6));
    board_free(board);
    /* As of May, June's readings are not there. */
    assert_true(store_load_board(fixture->store, "test-board", yearmonth_make(2023, 5), &board,
                                 &error));
    assert_int_equal(board->nodes[2].metrics[0].reading_count, 3);
    assert_int_equal(board->as_at, yearmonth_make(2023, 5));
    board_free(board);
}

static void unknown_codes_in_a_readings_file_are_located(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    long long before = fixture_query_number(fixture->path, "SELECT count(*) FROM readings");
    assert_false(import_text(fixture->store,
                             "board: {code: test-board}\n"
                             "readings:\n"
                             "  - {metric: \"1.1.1\", period: 2023-07, value: 63}\n"
                             "  - {metric: \"9.9\", period: 2023-07, value: 1}\n",
                             &error));
    assert_string_equal(error.message,
                        "fixture.yaml:4:5: error: board 'test-board' has no metric '9.9'");
    assert_int_equal(error.status, EXIT_DATA);
    /* The good first reading was rolled back with the bad second one. */
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM readings"), before);
}

/* A whole board file for a board already in the store brings only its
 * activity at this level (the command layer applies its structure first,
 * as a difference): importing it again writes no reading twice. */
static void a_board_already_there_takes_only_its_activity(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    int before = fixture_query_number(fixture->path, "SELECT count(*) FROM readings");
    int nodes = fixture_query_number(fixture->path, "SELECT count(*) FROM nodes");
    assert_true(import_text(fixture->store, fixture_board, &error));
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM readings"), before);
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM nodes"), nodes);
    assert_false(import_text(fixture->store, "board: {code: nothing-here}\nreadings: []\n",
                             &error));
    assert_non_null(strstr(error.message, "there is no board 'nothing-here'"));
}

static void putting_a_reading_replaces_and_reports_the_old(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct metric_ref metric = {0};
    assert_true(store_find_metric(fixture->store, "test-board", "1.1.1", &metric, &error));
    assert_int_equal(metric.unit, UNIT_PERCENT);
    assert_string_equal(metric.breakdown, "borough");
    bool had_old = true;
    double old = 0;
    assert_true(store_begin(fixture->store, &error));
    assert_true(store_put_reading(fixture->store, metric.metric_id, yearmonth_make(2023, 7),
                                  NULL, 64, NULL, "me", "2023-08-01T00:00:00Z", &had_old, &old,
                                  &error));
    assert_false(had_old);
    assert_true(store_put_reading(fixture->store, metric.metric_id, yearmonth_make(2023, 7),
                                  NULL, 65, "revised", "me", "2023-08-02T00:00:00Z", &had_old,
                                  &old, &error));
    assert_true(had_old);
    assert_true(old == 64);
    assert_true(store_commit(fixture->store, &error));
    assert_int_equal(fixture_query_number(fixture->path,
                                          "SELECT count(*) FROM readings WHERE period = '2023-07'"),
                     1);
    metric_ref_free(&metric);
    assert_false(store_find_metric(fixture->store, "test-board", "nope", &metric, &error));
    assert_string_equal(error.message, "Board 'test-board' has no metric 'nope'.");
    assert_false(store_find_metric(fixture->store, "no-board", "1.1.1", &metric, &error));
    assert_string_equal(error.message, "There is no board 'no-board' in the store.");
}


/* The browser's summary load (two latest readings per metric) must give the
 * same statuses, roll-ups and "as at" month as loading every reading, before
 * and after writes that move, replace and remove the latest reading. */
static void import_bundled(struct store *store)
{
    const char *names[] = {TEST_DATA_DIR "/nlmhp-2023-24.yaml",
                           TEST_DATA_DIR "/sample-readings-2023-24.yaml"};
    struct board *boards[2];
    struct error error = {0};
    for (int i = 0; i < 2; i++)
        if (!boardfile_read_path(names[i], &boards[i], &error))
            fail_msg("%s", error.message);
    if (!command_import_boards(store, boards, names, 2, true, NULL, NULL, &error))
        fail_msg("%s", error.message);
    for (int i = 0; i < 2; i++)
        board_free(boards[i]);
}

/* A full load of the board evaluated afresh (a), and another load of it
 * with its statuses (b). */
struct loads {
    struct board *full, *other;
    struct board_status a, b;
};

/* The two loads give the board, each node and each metric the same status. */
static void assert_loads_agree(const struct loads *loads)
{
    const struct board_status *a = &loads->a, *b = &loads->b;
    assert_int_equal(a->as_at, b->as_at);
    assert_int_equal(loads->full->shows_sample, loads->other->shows_sample);
    assert_int_equal(a->board.rag, b->board.rag);
    assert_memory_equal(a->board.counts, b->board.counts, sizeof a->board.counts);
    assert_int_equal(loads->full->node_count, loads->other->node_count);
    for (size_t i = 0; i < loads->full->node_count; i++) {
        assert_int_equal(a->nodes[i].rag, b->nodes[i].rag);
        assert_memory_equal(a->nodes[i].counts, b->nodes[i].counts, sizeof a->nodes[i].counts);
        for (size_t m = 0; m < loads->full->nodes[i].metric_count; m++) {
            assert_int_equal(a->metrics[i][m].rag, b->metrics[i][m].rag);
            assert_int_equal(a->metrics[i][m].latest_period, b->metrics[i][m].latest_period);
            assert_true(a->metrics[i][m].latest == b->metrics[i][m].latest);
        }
    }
}

static void loads_free(struct loads *loads)
{
    board_status_free(&loads->a, loads->full->node_count);
    board_status_free(&loads->b, loads->other->node_count);
    board_free(loads->full);
    board_free(loads->other);
}

static void assert_summary_matches_full(struct store *store)
{
    struct error error = {0};
    struct loads loads;
    assert_true(store_load_board(store, "nlmhp-2023-24", YEARMONTH_NONE, &loads.full, &error));
    assert_true(store_load_board_summary(store, "nlmhp-2023-24", &loads.other, &error));
    board_evaluate(loads.full, YEARMONTH_NONE, &loads.a);
    board_evaluate(loads.other, YEARMONTH_NONE, &loads.b);
    assert_loads_agree(&loads);
    const struct board *full = loads.full;
    for (size_t i = 0; i < full->node_count; i++) {
        for (size_t m = 0; m < full->nodes[i].metric_count; m++) {
            const struct metric_status *x = &loads.a.metrics[i][m], *y = &loads.b.metrics[i][m];
            assert_int_equal(x->has_reading, y->has_reading);
            assert_int_equal(x->stale, y->stale);
            struct metric *metric = &loads.other->nodes[i].metrics[m];
            assert_true(metric->readings_partial);
            assert_true(metric->reading_count <= 2);
            /* Loading the rest gives exactly the full load's readings. */
            assert_true(store_load_metric_readings(store, metric, &error));
            const struct metric *whole = &full->nodes[i].metrics[m];
            assert_false(metric->readings_partial);
            assert_int_equal(metric->reading_count, whole->reading_count);
            for (size_t r = 0; r < whole->reading_count; r++) {
                assert_int_equal(metric->readings[r].period, whole->readings[r].period);
                assert_true(metric->readings[r].value == whole->readings[r].value);
                assert_true((metric->readings[r].segment == NULL) ==
                            (whole->readings[r].segment == NULL));
            }
        }
    }
    loads_free(&loads);
}

static void the_summary_load_agrees_with_the_full_load(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    import_bundled(fixture->store);
    assert_summary_matches_full(fixture->store);
    struct metric_ref metric = {0};
    assert_true(store_find_metric(fixture->store, "nlmhp-2023-24", "1.1.2", &metric, &error));
    bool had_old;
    double old;
    /* A new month (moves "as at" for the whole board), a replacement of the
     * latest, a segment reading further on, then removing them again. */
    assert_true(store_begin(fixture->store, &error));
    assert_true(store_put_reading(fixture->store, metric.metric_id, yearmonth_make(2024, 4), NULL,
                                  42, NULL, "me", "2024-05-01T00:00:00Z", &had_old, &old, &error));
    assert_true(store_commit(fixture->store, &error));
    assert_summary_matches_full(fixture->store);
    assert_true(store_begin(fixture->store, &error));
    assert_true(store_put_reading(fixture->store, metric.metric_id, yearmonth_make(2024, 4), NULL,
                                  95, NULL, "me", "2024-05-02T00:00:00Z", &had_old, &old, &error));
    assert_true(store_put_reading(fixture->store, metric.metric_id, yearmonth_make(2024, 6),
                                  "Camden", 50, NULL, "me", "2024-05-02T00:00:00Z", &had_old, &old,
                                  &error));
    assert_true(store_commit(fixture->store, &error));
    assert_summary_matches_full(fixture->store);
    assert_true(store_begin(fixture->store, &error));
    assert_true(store_delete_reading(fixture->store, metric.metric_id, yearmonth_make(2024, 4), NULL,
                                     &error));
    assert_true(store_delete_reading(fixture->store, metric.metric_id, yearmonth_make(2024, 6),
                                     "Camden", &error));
    assert_true(store_commit(fixture->store, &error));
    assert_summary_matches_full(fixture->store);
    metric_ref_free(&metric);
}

/* A lazily loaded board, opened node by node, shows the same tree and the
 * same statuses (from the kept ones) as a full load evaluated afresh. */
static void assert_lazy_matches_full(struct store *store)
{
    struct error error = {0};
    struct loads loads;
    assert_true(store_load_board(store, "nlmhp-2023-24", YEARMONTH_NONE, &loads.full, &error));
    assert_true(store_load_board_top(store, "nlmhp-2023-24", &loads.other, &error));
    const struct board *full = loads.full;
    struct board *lazy = loads.other;
    assert_true(lazy->partial);
    /* Only the aims at first, each knowing how many children it has. */
    size_t aims = 0;
    for (size_t i = 0; i < full->node_count; i++)
        aims += full->nodes[i].level == LEVEL_AIM;
    assert_int_equal(lazy->node_count, aims);
    for (size_t i = 0; i < lazy->node_count; i++) {
        assert_false(lazy->nodes[i].children_loaded);
        assert_true(lazy->nodes[i].child_count > 0);
    }
    for (size_t i = 0; i < lazy->node_count; i++)
        assert_true(store_load_children(store, lazy, i, &error));
    assert_int_equal(lazy->node_count, full->node_count);
    for (size_t i = 0; i < full->node_count; i++) {
        const struct node *x = &full->nodes[i], *y = &lazy->nodes[i];
        assert_string_equal(x->code, y->code);
        assert_int_equal(x->parent, y->parent);
        assert_int_equal(x->depth, y->depth);
        assert_int_equal(x->subtree_end, y->subtree_end);
        assert_int_equal(x->metric_count, y->metric_count);
        assert_int_equal(x->milestone.update_count, y->milestone.update_count);
        assert_int_equal(x->comment_count, y->comment_count);
    }
    board_evaluate(full, YEARMONTH_NONE, &loads.a);
    board_evaluate_kept(lazy, &loads.b);
    assert_loads_agree(&loads);
    loads_free(&loads);
}

static void the_kept_statuses_follow_each_write(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    import_bundled(fixture->store);
    assert_lazy_matches_full(fixture->store);
    /* A new month far below target (R, and "as at" moves for every metric),
     * then one on target in its place, then undoing both: the command layer
     * works out the statuses with the rules in each write's transaction and
     * the store keeps them; each time they equal a fresh full evaluation. */
    struct command_history history = {0};
    const char *values[] = {"5", "95"};
    for (int k = 0; k < 2; k++) {
        struct change change = {0};
        assert_true(command_record_reading(fixture->store, "nlmhp-2023-24", "1.1.2", values[k],
                                           "2024-04", NULL, NULL, NULL, &change, &error));
        command_history_push(&history, &change);
        assert_lazy_matches_full(fixture->store);
    }
    char message[256];
    for (int k = 0; k < 2; k++) {
        assert_true(command_history_undo(&history, fixture->store, message, sizeof message, NULL,
                                         &error));
        assert_lazy_matches_full(fixture->store);
    }
    command_history_free(&history);
}

/* The store keeps what it is given: statuses worked out by hand land in
 * node_status as they are, and only rows that differ are written. */
static void the_store_saves_the_statuses_it_is_given(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    import_bundled(fixture->store);
    struct board *board;
    assert_true(store_begin(fixture->store, &error));
    assert_true(store_load_board_summary(fixture->store, "nlmhp-2023-24", &board, &error));
    struct board_status status;
    board_evaluate(board, YEARMONTH_NONE, &status);
    status.nodes[0].rag = RAG_BLUE; /* not what the rules say */
    status.nodes[0].counts[RAG_BLUE] = 99;
    assert_true(store_save_statuses(fixture->store, board, &status, &error));
    assert_true(store_commit(fixture->store, &error));
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT rag * 1000 + blue FROM node_status WHERE node_id = %lld",
             board->nodes[0].id);
    assert_int_equal(fixture_query_number(fixture->path, sql), RAG_BLUE * 1000 + 99);
    board_status_free(&status, board->node_count);
    board_free(board);
}

static void search_and_parents_come_from_the_store(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    import_bundled(fixture->store);
    struct board *top;
    assert_true(store_load_board_top(fixture->store, "nlmhp-2023-24", &top, &error));
    char *code = NULL;
    bool found = false;
    /* Forward from the start finds the first match in tree order; a metric's
     * name counts; backward from the end finds the last; case is ignored. */
    assert_true(store_search_node(fixture->store, top->id, "SMI", -1, true, RAG_GREY, &code,
                                  &found, &error));
    assert_true(found);
    assert_non_null(code);
    char *first = code;
    assert_true(store_search_node(fixture->store, top->id, "smi", -1, true, RAG_GREY, &code,
                                  &found, &error));
    assert_true(found);
    assert_string_equal(code, first);
    free(code);
    assert_true(store_search_node(fixture->store, top->id, "no such words anywhere", -1, true,
                                  RAG_GREY, &code, &found, &error));
    assert_false(found);
    assert_null(code);
    /* The parent chain of a deliverable ends at its aim. */
    char *parent = NULL;
    assert_true(store_node_parent(fixture->store, top->id, "1.1.2", &parent, &found, &error));
    assert_true(found);
    assert_string_equal(parent, "1.1");
    free(parent);
    assert_true(store_node_parent(fixture->store, top->id, "1.1", &parent, &found, &error));
    assert_true(found);
    assert_string_equal(parent, "1");
    free(parent);
    assert_true(store_node_parent(fixture->store, top->id, "1", &parent, &found, &error));
    assert_false(found);
    free(first);
    board_free(top);
}

static void read_only_stores_refuse_writes(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct store *reader;
    assert_true(store_open(fixture->path, STORE_READ_ONLY, false, &reader, &error));
    assert_true(store_is_read_only(reader));
    assert_false(store_begin(reader, &error));
    assert_non_null(strstr(error.message, "read-only"));
    struct board *board;
    assert_true(store_load_board(reader, "test-board", YEARMONTH_NONE, &board, &error));
    board_free(board);
    store_close(reader);
    /* A store the user may not write opens read-only by itself. */
    if (geteuid() != 0) {
        chmod(fixture->path, 0400);
        assert_true(store_open(fixture->path, STORE_READ_WRITE, false, &reader, &error));
        assert_true(store_is_read_only(reader));
        store_close(reader);
        chmod(fixture->path, 0600);
    }
}

static void missing_and_foreign_files_are_refused(void **state)
{
    FIXTURE_SQLITE_ONLY();
    struct fixture *fixture = *state;
    struct error error = {0};
    struct store *other;
    char path[192];
    snprintf(path, sizeof path, "%s/absent.db", fixture->directory);
    assert_false(store_open(path, STORE_READ_WRITE, false, &other, &error));
    assert_int_equal(error.status, EXIT_NO_INPUT);
    snprintf(path, sizeof path, "%s/not-a-store.db", fixture->directory);
    FILE *file = fopen(path, "w");
    fputs("this is not SQLite, just text that is long enough to have a header ......\n", file);
    fclose(file);
    assert_false(store_open(path, STORE_READ_WRITE, false, &other, &error));
    assert_non_null(strstr(error.message, "damaged or not a boardpack store"));
}

static void a_newer_schema_is_refused(void **state)
{
    FIXTURE_SQLITE_ONLY();
    struct fixture *fixture = *state;
    sqlite3 *database;
    assert_int_equal(sqlite3_open(fixture->path, &database), SQLITE_OK);
    assert_int_equal(sqlite3_exec(database, "PRAGMA user_version = 99", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(database);
    struct store *other;
    struct error error = {0};
    assert_false(store_open(fixture->path, STORE_READ_WRITE, false, &other, &error));
    assert_non_null(strstr(error.message, "newer boardpack (schema 99"));
}

static void the_audit_log_lists_changes_newest_first(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    assert_true(store_begin(fixture->store, &error));
    assert_true(store_add_audit(fixture->store, "ann", "2024-01-01T00:00:00Z", "record-reading",
                                "test-board", "1.1.1", NULL, "2023-07=64", &error));
    assert_true(store_add_audit(fixture->store, "bob", "2024-01-02T00:00:00Z", "replace-reading",
                                "test-board", "1.1.1", "2023-07=64", "2023-07=65", &error));
    assert_true(store_commit(fixture->store, &error));
    struct audit_entry *entries;
    size_t count;
    assert_true(store_audit_log(fixture->store, "test-board", "1.1.1", &entries, &count, &error));
    assert_int_equal(count, 2);
    assert_string_equal(entries[0].who, "bob");
    assert_string_equal(entries[0].old_value, "2023-07=64");
    assert_string_equal(entries[1].action, "record-reading");
    assert_null(entries[1].old_value);
    audit_entries_free(entries, count);
    /* The import itself was audited too. */
    assert_true(store_audit_log(fixture->store, "test-board", NULL, &entries, &count, &error));
    assert_int_equal(count, 3);
    assert_string_equal(entries[2].action, "import");
    audit_entries_free(entries, count);
}

/* A search for "at least A" finds only nodes with an A or R deliverable
 * at or below them, by the kept statuses; "at least R" only those with R. */
static void search_keeps_to_a_minimum_status(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    import_bundled(fixture->store);
    struct board *full;
    assert_true(store_load_board(fixture->store, "nlmhp-2023-24", YEARMONTH_NONE, &full, &error));
    struct board_status status;
    board_evaluate(full, YEARMONTH_NONE, &status);
    const enum rag minimums[] = {RAG_GREY, RAG_AMBER, RAG_RED};
    for (size_t k = 0; k < 3; k++) {
        /* Every node matches "" : walk them all in tree order. */
        size_t found_count = 0, expected = 0;
        for (size_t i = 0; i < full->node_count; i++) {
            const unsigned *counts = status.nodes[i].counts;
            expected += minimums[k] == RAG_GREY ||
                        counts[RAG_RED] > 0 || (minimums[k] == RAG_AMBER && counts[RAG_AMBER] > 0);
        }
        int order = -1;
        for (;;) {
            char *code = NULL;
            bool found = false;
            assert_true(store_search_node(fixture->store, full->id, "", order, true, minimums[k],
                                          &code, &found, &error));
            if (!found)
                break;
            const struct node *node = board_find_node(full, code);
            assert_non_null(node);
            size_t index = (size_t)(node - full->nodes);
            const unsigned *counts = status.nodes[index].counts;
            if (minimums[k] == RAG_RED)
                assert_true(counts[RAG_RED] > 0);
            if (minimums[k] == RAG_AMBER)
                assert_true(counts[RAG_RED] + counts[RAG_AMBER] > 0);
            order = (int)index;
            found_count++;
            free(code);
        }
        assert_int_equal(found_count, expected);
        /* The sample readings have some R, and not everything is R. */
        assert_true(expected > 0);
        if (minimums[k] != RAG_GREY)
            assert_true(expected < full->node_count);
    }
    board_status_free(&status, full->node_count);
    board_free(full);
}

static void another_connections_write_is_a_change_and_our_own_is_not(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct store_mark mark;
    assert_true(store_mark(fixture->store, &mark));
    assert_int_equal(store_changed_since(fixture->store, &mark), STORE_UNCHANGED);
    /* Our own write: the caller knows about it already. */
    assert_true(import_text(fixture->store, fixture_board, &error));
    assert_true(store_mark(fixture->store, &mark));
    struct change change = {0};
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "70", "2023-08",
                                       NULL, NULL, NULL, &change, &error));
    change_free(&change);
    assert_int_not_equal(store_changed_since(fixture->store, &mark), STORE_CHANGED);
    assert_true(store_mark(fixture->store, &mark));
    /* Another connection's commit. */
    struct store *writer;
    assert_true(store_open(fixture->path, STORE_READ_WRITE, false, &writer, &error));
    assert_true(command_record_reading(writer, "test-board", "1.1.1", "71", "2023-09", NULL, NULL, NULL,
                                       &change, &error));
    change_free(&change);
    store_close(writer);
    /* PostgreSQL tells by a notification, which comes a moment after the
     * commit, or by the change count read at most a second later. */
    enum store_change seen = store_changed_since(fixture->store, &mark);
    for (int waited = 0; fixture_postgresql() && seen == STORE_UNCHANGED && waited < 3000;
         waited += 10) {
        usleep(10000);
        seen = store_changed_since(fixture->store, &mark);
    }
    assert_int_equal(seen, STORE_CHANGED);
    assert_true(store_mark(fixture->store, &mark));
    assert_int_equal(store_changed_since(fixture->store, &mark), STORE_UNCHANGED);
}

/* A store moved away, replaced by another file, or deleted is no longer
 * "the same store"; one left alone, or only written to, still is. */
static void the_store_knows_when_its_location_names_another(void **state)
{
    FIXTURE_SQLITE_ONLY();
    struct fixture *fixture = *state;
    struct error error = {0};
    struct store *reader;
    assert_true(store_open(fixture->path, STORE_READ_ONLY, false, &reader, &error));
    assert_true(store_is_same(reader));
    struct change change = {0};
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "70", "2023-08",
                                       NULL, NULL, NULL, &change, &error));
    change_free(&change);
    assert_true(store_is_same(reader));
    /* Replaced: a copy renamed over it. */
    char copy[192], command[512];
    snprintf(copy, sizeof copy, "%s/copy.db", fixture->directory);
    snprintf(command, sizeof command, "cp '%s' '%s' && mv '%s' '%s'", fixture->path, copy, copy,
             fixture->path);
    assert_int_equal(system(command), 0);
    assert_false(store_is_same(reader));
    store_close(reader);
    /* A fresh open of the replacement is the same store again. */
    assert_true(store_open(fixture->path, STORE_READ_ONLY, false, &reader, &error));
    assert_true(store_is_same(reader));
    /* Deleted (moved away). */
    snprintf(command, sizeof command, "mv '%s' '%s'", fixture->path, copy);
    assert_int_equal(system(command), 0);
    assert_false(store_is_same(reader));
    store_close(reader);
}

/* A store written over in place (same file, new bytes) with no commit the
 * connection saw asks to be opened again. */
static void a_store_written_over_in_place_needs_reopening(void **state)
{
    FIXTURE_SQLITE_ONLY();
    struct fixture *fixture = *state;
    struct error error = {0};
    struct store *reader;
    assert_true(store_open(fixture->path, STORE_READ_ONLY, false, &reader, &error));
    struct store_mark mark;
    assert_true(store_mark(reader, &mark));
    FILE *file = fopen(fixture->path, "ab");
    assert_non_null(file);
    fputc(0, file);
    fclose(file);
    assert_true(store_is_same(reader));
    assert_int_equal(store_changed_since(reader, &mark), STORE_NEEDS_REOPEN);
    store_close(reader);
}

/* store_discard removes only a store its connection created. */
static void discarding_removes_only_a_store_just_created(void **state)
{
    FIXTURE_SQLITE_ONLY();
    struct fixture *fixture = *state;
    struct error error = {0};
    char path[192];
    snprintf(path, sizeof path, "%s/new/deeper/fresh.db", fixture->directory);
    assert_false(store_exists(path));
    struct store *fresh;
    assert_true(store_open(path, STORE_READ_WRITE, true, &fresh, &error)); /* folders too */
    assert_true(store_exists(path));
    store_discard(fresh);
    assert_false(store_exists(path));
    char wal[208];
    snprintf(wal, sizeof wal, "%s-wal", path);
    assert_int_not_equal(access(wal, F_OK), 0);
    /* An existing store is only closed. */
    struct store *existing;
    assert_true(store_open(fixture->path, STORE_READ_WRITE, false, &existing, &error));
    store_discard(existing);
    assert_true(store_exists(fixture->path));
}

/* An unpublished store is out of sight until published; a store already at
 * the location wins over it. */
static void an_unpublished_store_appears_only_when_published(void **state)
{
    FIXTURE_SQLITE_ONLY();
    struct fixture *fixture = *state;
    struct error error = {0};
    char path[192];
    snprintf(path, sizeof path, "%s/published.db", fixture->directory);
    struct store *building;
    assert_true(store_create_unpublished(path, &building, &error));
    assert_true(import_text(building, fixture_board, &error));
    assert_false(store_exists(path));
    assert_true(store_publish(building, &error));
    assert_true(store_exists(path));
    struct store *opened;
    assert_true(store_open(path, STORE_READ_ONLY, false, &opened, &error));
    assert_false(store_is_empty(opened));
    store_close(opened);
    /* Only the store itself is left in the folder (and its -wal, -shm). */
    char command[256];
    snprintf(command, sizeof command, "test -z \"$(ls '%s' | grep new-)\"", fixture->directory);
    assert_int_equal(system(command), 0);
    /* A second one loses to the first: the fixture's empty store stays. */
    assert_true(store_create_unpublished(fixture->path, &building, &error));
    assert_true(import_text(building, fixture_board, &error));
    assert_true(store_publish(building, &error));
    assert_true(store_open(fixture->path, STORE_READ_ONLY, false, &opened, &error));
    assert_true(store_is_empty(opened));
    store_close(opened);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(a_new_store_is_private_and_versioned),
        FIXTURE_TEST_WITH_BOARD(import_then_load_gives_the_board_back),
        FIXTURE_TEST(spc_conflict_rules_are_kept),
        FIXTURE_TEST(declared_segments_are_kept_and_checked),
        FIXTURE_TEST_WITH_BOARD(a_readings_file_adds_to_a_stored_board),
        FIXTURE_TEST_WITH_BOARD(unknown_codes_in_a_readings_file_are_located),
        FIXTURE_TEST_WITH_BOARD(a_board_already_there_takes_only_its_activity),
        FIXTURE_TEST_WITH_BOARD(putting_a_reading_replaces_and_reports_the_old),
        FIXTURE_TEST(the_summary_load_agrees_with_the_full_load),
        FIXTURE_TEST(the_kept_statuses_follow_each_write),
        FIXTURE_TEST(search_and_parents_come_from_the_store),
        FIXTURE_TEST_WITH_BOARD(read_only_stores_refuse_writes),
        FIXTURE_TEST(missing_and_foreign_files_are_refused),
        FIXTURE_TEST(a_newer_schema_is_refused),
        FIXTURE_TEST_WITH_BOARD(the_audit_log_lists_changes_newest_first),
        FIXTURE_TEST(the_store_saves_the_statuses_it_is_given),
        FIXTURE_TEST(search_keeps_to_a_minimum_status),
        FIXTURE_TEST(another_connections_write_is_a_change_and_our_own_is_not),
        FIXTURE_TEST_WITH_BOARD(the_store_knows_when_its_location_names_another),
        FIXTURE_TEST_WITH_BOARD(a_store_written_over_in_place_needs_reopening),
        FIXTURE_TEST(discarding_removes_only_a_store_just_created),
        FIXTURE_TEST(an_unpublished_store_appears_only_when_published),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
