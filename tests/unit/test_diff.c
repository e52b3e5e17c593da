/* test_diff.c — keeping a board: a changed board file applied as a
 * difference (and undone to the exact previous store), retiring and
 * restoring, the same file twice, a dry run, and `edit`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boardfile.h"
#include "command.h"
#include "rules.h"
#include "store.h"
#include "fixture.h"

/* What `export` writes: the whole board, retired nodes included. */
static char *export_text(struct store *store)
{
    struct board *board = NULL;
    struct error error = {0};
    assert_true(store_load_board_with_retired(store, "test-board", &board, &error));
    char *text = NULL;
    size_t length = 0;
    FILE *memory = open_memstream(&text, &length);
    assert_non_null(memory);
    assert_true(boardfile_write_yaml(board, memory, &error));
    fclose(memory);
    board_free(board);
    return text;
}

/* The fixture with `from` replaced by `to` (each must be there once). */
static char *changed_fixture(const char *const *pairs, size_t count)
{
    char *text = strdup(fixture_board);
    for (size_t i = 0; i < count; i++) {
        const char *from = pairs[2 * i], *to = pairs[2 * i + 1];
        char *at = strstr(text, from);
        assert_non_null(at);
        size_t head = (size_t)(at - text);
        char *next = xasprintf("%.*s%s%s", (int)head, text, to, at + strlen(from));
        free(text);
        text = next;
    }
    return text;
}

static bool import_text(struct store *store, const char *text, struct change *done,
                        struct error *error)
{
    struct board *board = NULL;
    if (!boardfile_read_bytes(text, strlen(text), "changed.yaml", &board, error))
        return false;
    const char *name = "changed.yaml";
    bool ok = command_import_boards(store, &board, &name, 1, false, NULL, done, error);
    board_free(board);
    return ok;
}

static long long audit_rows(const struct fixture *fixture)
{
    return fixture_query_number(fixture->path, "SELECT count(*) FROM audit");
}

/* A target changed, a deliverable added between two others (its row id is
 * the newest, but it stands in the middle of the tree), one left out
 * (retired), and a reading for the new metric. */
static const char *const change_pairs[] = {
    "target: {value: 75, period: 2024-03}, breakdown: borough}\n",
    "target: {value: 61, period: 2024-03}, breakdown: borough}\n"
    "          - code: \"1.1.3\"\n"
    "            title: \"A new deliverable\"\n"
    "            metric: {name: \"New\", unit: count, direction: up, target: {value: 10}}\n",
    "          - code: \"2.1.1\"\n"
    "            title: \"Refurbish a ward\"\n"
    "            milestone: {due: 2024-03, status: on_track}\n",
    "          - code: \"2.1.2\"\n"
    "            title: \"Open a ward\"\n"
    "            milestone: {due: 2024-06}\n",
    "  - {metric: \"1.1.2b\", period: 2023-05, value: 120, note: \"from ESR\"}\n",
    "  - {metric: \"1.1.2b\", period: 2023-05, value: 120, note: \"from ESR\"}\n"
    "  - {metric: \"1.1.3\", period: 2023-05, value: 4}\n",
};

static void a_changed_board_is_a_difference_and_undo_restores_the_store(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    char *before = export_text(fixture->store);
    long long rows = audit_rows(fixture);
    char *changed = changed_fixture(change_pairs, 3);
    struct change change = {0};
    assert_true(import_text(fixture->store, changed, &change, &error));
    /* One row per change, and the import's own row. */
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM audit WHERE "
                                                         "action = 'edit-metric' AND node_code = "
                                                         "'1.1.1' AND old_value = 'target: 75 "
                                                         "(2024-03)' AND new_value = 'target: 61 "
                                                         "(2024-03)'"),
                     1);
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM audit WHERE "
                                                         "action IN ('add-node', 'add-metric') "
                                                         "AND node_code IN ('1.1.3', '2.1.2')"),
                     3);
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM audit WHERE "
                                                         "action = 'retire-node' AND node_code "
                                                         "= '2.1.1' AND new_value = '2023-06'"),
                     1);
    assert_int_equal(audit_rows(fixture), rows + 6);

    /* The working view: the new deliverable in the middle, with its metric
     * and reading (found by id though its id is out of tree order), and
     * the retired one gone; an earlier month still shows it. */
    struct board *board = NULL;
    assert_true(store_load_board(fixture->store, "test-board", YEARMONTH_NONE, &board, &error));
    assert_string_equal(board->nodes[3].code, "1.1.3");
    assert_int_equal(board->nodes[3].metric_count, 1);
    assert_int_equal(board->nodes[3].metrics[0].reading_count, 1);
    assert_string_equal(board->nodes[4].code, "1.1.2");
    assert_int_equal(board->nodes[4].metric_count, 2);
    assert_int_equal(board->nodes[4].metrics[1].reading_count, 1);
    assert_null(board_find_node(board, "2.1.1"));
    assert_non_null(board_find_node(board, "2.1.2"));
    board_free(board);
    assert_true(store_load_board(fixture->store, "test-board", yearmonth_make(2023, 5), &board,
                                 &error));
    assert_non_null(board_find_node(board, "2.1.1"));
    board_free(board);

    /* Export then import of the export changes nothing. */
    char *after = export_text(fixture->store);
    assert_non_null(strstr(after, "retired: 2023-06"));
    rows = audit_rows(fixture);
    assert_true(import_text(fixture->store, after, NULL, &error));
    assert_int_equal(audit_rows(fixture), rows);
    char *again = export_text(fixture->store);
    assert_string_equal(again, after);
    free(again);

    /* Undo brings back the exact previous board; redo the changed one. */
    assert_true(command_undo(fixture->store, &change, &error));
    char *undone = export_text(fixture->store);
    assert_string_equal(undone, before);
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM nodes WHERE code "
                                                         "IN ('1.1.3', '2.1.2')"),
                     0);
    assert_true(command_redo(fixture->store, &change, &error));
    char *redone = export_text(fixture->store);
    /* Redone by whoever redoes it, now: the reading's who and when differ. */
    assert_non_null(strstr(redone, "code: \"1.1.3\""));
    assert_non_null(strstr(redone, "retired: 2023-06"));
    assert_non_null(strstr(redone, "value: 61"));
    free(redone);
    free(undone);
    free(after);
    change_free(&change);
    free(changed);
    free(before);
}

/* Undo would remove what the change added, with what was written to it
 * since: refused once the board has been written to. */
static void undo_of_a_change_written_over_is_refused(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    char *changed = changed_fixture(change_pairs, 1);
    struct change change = {0}, reading = {0};
    assert_true(import_text(fixture->store, changed, &change, &error));
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.3", "5", "2023-06",
                                       NULL, NULL, NULL, &reading, &error));
    assert_false(command_undo(fixture->store, &change, &error));
    assert_non_null(strstr(error.message, "has been changed since"));
    assert_int_equal(fixture_query_number(fixture->path,
                                          "SELECT count(*) FROM nodes WHERE code = '1.1.3'"),
                     1);
    change_free(&reading);
    change_free(&change);
    free(changed);
}

static void the_same_file_twice_changes_nothing(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    char *before = export_text(fixture->store);
    long long rows = audit_rows(fixture);
    size_t length_before, length_after;
    char *bytes_before = fixture_store_bytes(fixture->path, &length_before);
    assert_true(import_text(fixture->store, fixture_board, NULL, &error));
    assert_int_equal(audit_rows(fixture), rows);
    char *after = export_text(fixture->store);
    assert_string_equal(after, before);
    char *bytes_after = fixture_store_bytes(fixture->path, &length_after);
    assert_int_equal(length_after, length_before);
    assert_memory_equal(bytes_after, bytes_before, length_before);
    free(bytes_before);
    free(bytes_after);
    free(after);
    free(before);
}

static enum rag kept_status(const struct fixture *fixture, const char *code)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT s.rag FROM node_status s JOIN nodes n ON n.id = s.node_id WHERE n.code = '%s'",
             code);
    return (enum rag)fixture_query_number(fixture->path, sql);
}

static void a_changed_target_changes_the_status(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    enum rag before = kept_status(fixture, "1.1.1");
    struct change change = {0};
    assert_true(command_edit(fixture->store, "test-board", "1.1.1", "target", "61", NULL,
                             &change, &error));
    enum rag after = kept_status(fixture, "1.1.1");
    assert_int_not_equal(before, after);
    assert_int_equal(after, RAG_BLUE); /* 61.5 against a target of 61: met */
    assert_true(command_undo(fixture->store, &change, &error));
    assert_int_equal(kept_status(fixture, "1.1.1"), before);
    change_free(&change);
}

/* Declaring segments is an edit of the metric, undone like any other. */
static void declared_segments_are_an_edit(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    char *before = export_text(fixture->store);
    struct change change = {0};
    assert_true(command_edit(fixture->store, "test-board", "1.1.1", "segments", "Barnet, Camden",
                             NULL, &change, &error));
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM audit WHERE "
                                                         "action = 'edit-metric' AND new_value = "
                                                         "'segments: Barnet, Camden'"),
                     1);
    char *after = export_text(fixture->store);
    assert_non_null(strstr(after, "Camden"));
    assert_true(command_undo(fixture->store, &change, &error));
    char *undone = export_text(fixture->store);
    assert_string_equal(undone, before);
    free(undone);
    free(after);
    free(before);
    change_free(&change);
}

static void a_dry_run_plans_and_writes_nothing(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    size_t length_before, length_after;
    char *bytes_before = fixture_store_bytes(fixture->path, &length_before);
    char *changed = changed_fixture(change_pairs, 3);
    struct board *board = fixture_parse(changed, "changed.yaml");
    const char *name = "changed.yaml";
    struct import_plan plan = {0};
    assert_true(command_import_plan(fixture->store, &board, &name, 1, false, NULL, true, &plan,
                                    NULL, &error));
    struct text_buffer text = {0};
    import_plan_format(&plan, &text);
    assert_non_null(strstr(text.data, "board test-board: 2 deliverables added (1.1.3, 2.1.2), "
                                      "1 metric added (1.1.3), 1 field changed (1.1.1 target)"));
    assert_non_null(strstr(text.data, "1 retired"));
    assert_non_null(strstr(text.data, "readings: 1 new, 0 replaced, 4 unchanged"));
    assert_non_null(strstr(text.data, "~ 1.1.1 target: \"75 (2024-03)\" -> \"61 (2024-03)\"\n"));
    assert_non_null(strstr(text.data, "+ deliverable 1.1.3 \"A new deliverable\"\n"));
    assert_non_null(strstr(text.data, "- retire 2.1.1 (from 2023-06)\n"));
    char *bytes_after = fixture_store_bytes(fixture->path, &length_after);
    assert_int_equal(length_after, length_before);
    assert_memory_equal(bytes_after, bytes_before, length_before);
    text_free(&text);
    import_plan_free(&plan);
    board_free(board);
    free(changed);
    free(bytes_before);
    free(bytes_after);
}

static void retiring_keeps_history_and_restoring_brings_it_back(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    long long readings = fixture_query_number(fixture->path, "SELECT count(*) FROM readings");
    assert_true(command_edit(fixture->store, "test-board", "1.1.2", "retire", NULL, NULL, NULL,
                             &error));
    /* The readings stay; the working view and the statuses leave it out;
     * a month before its retirement still shows it. */
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM readings"),
                     readings);
    struct board *board = NULL;
    assert_true(store_load_board(fixture->store, "test-board", YEARMONTH_NONE, &board, &error));
    assert_null(board_find_node(board, "1.1.2"));
    assert_null(board_find_metric(board, "1.1.2b", NULL));
    board_free(board);
    assert_true(store_load_board_summary(fixture->store, "test-board", &board, &error));
    assert_null(board_find_node(board, "1.1.2"));
    board_free(board);
    assert_true(store_load_board(fixture->store, "test-board", yearmonth_make(2023, 5), &board,
                                 &error));
    struct metric *metric = board_find_metric(board, "1.1.2b", NULL);
    assert_non_null(metric);
    assert_int_equal(metric->reading_count, 1);
    board_free(board);
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM audit WHERE "
                                                         "action = 'retire-node' AND node_code "
                                                         "= '1.1.2'"),
                     1);
    char *exported = export_text(fixture->store);
    assert_non_null(strstr(exported, "retired: 2023-06"));
    free(exported);

    /* No new readings for what is retired. */
    struct change refused = {0};
    assert_false(command_record_reading(fixture->store, "test-board", "1.1.2a", "5", "2023-06",
                                        NULL, NULL, NULL, &refused, &error));
    assert_non_null(strstr(error.message, "was retired in Jun 2023; restore it first"));
    /* Nor commentary, nor (for a retired milestone) a status. */
    assert_false(command_add_comment(fixture->store, "test-board", "1.1.2", "Late.", "2023-06",
                                     NULL, NULL, &error));
    assert_string_equal(error.message, "'1.1.2' was retired in Jun 2023; restore it first "
                                       "(boardpack edit 1.1.2 restore).");
    assert_true(command_edit(fixture->store, "test-board", "2.1.1", "retire", NULL, NULL, NULL,
                             &error));
    assert_false(command_set_milestone(fixture->store, "test-board", "2.1.1", MILESTONE_COMPLETE,
                                       "2023-06", NULL, NULL, NULL, &error));
    assert_non_null(strstr(error.message, "'2.1.1' was retired in"));
    assert_true(command_edit(fixture->store, "test-board", "2.1.1", "restore", NULL, NULL, NULL,
                             &error));
    assert_true(command_edit(fixture->store, "test-board", "1.1.2", "restore", NULL, NULL, NULL,
                             &error));
    /* One metric of several retires alone. */
    assert_true(command_edit(fixture->store, "test-board", "1.1.2a", "retire", NULL, NULL, NULL,
                             &error));
    assert_true(store_load_board(fixture->store, "test-board", YEARMONTH_NONE, &board, &error));
    assert_null(board_find_metric(board, "1.1.2a", NULL));
    assert_non_null(board_find_metric(board, "1.1.2b", NULL));
    board_free(board);
    assert_true(command_edit(fixture->store, "test-board", "1.1.2a", "restore", NULL, NULL, NULL,
                             &error));
    assert_true(store_load_board(fixture->store, "test-board", YEARMONTH_NONE, &board, &error));
    assert_non_null(board_find_metric(board, "1.1.2b", NULL));
    board_free(board);
}

static void bad_edits_are_refused_in_the_board_files_words_and_write_nothing(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    size_t length_before, length_after;
    char *bytes_before = fixture_store_bytes(fixture->path, &length_before);
    assert_false(command_edit(fixture->store, "test-board", "1.1.1", "unit", "percentt", NULL,
                              NULL, &error));
    assert_string_equal(error.message, "edit: error: unknown unit 'percentt'; expected percent, "
                                       "count, number, days or ratio");
    assert_false(command_edit(fixture->store, "test-board", "1.1.1", "colour", "red", NULL, NULL,
                              &error));
    assert_non_null(strstr(error.message, "unknown field 'colour'"));
    assert_false(command_edit(fixture->store, "test-board", "1.1.1", "target", "150", NULL, NULL,
                              &error));
    assert_non_null(strstr(error.message, "a percentage must be between 0 and 100"));
    assert_false(command_edit(fixture->store, "test-board", "9.9", "title", "x", NULL, NULL,
                              &error));
    assert_int_equal(error.status, EXIT_DATA);
    char *bytes_after = fixture_store_bytes(fixture->path, &length_after);
    assert_int_equal(length_after, length_before);
    assert_memory_equal(bytes_after, bytes_before, length_before);
    free(bytes_before);
    free(bytes_after);
}

/* Pure: the difference between two boards, and the merge that keeps what a
 * file leaves out. */
static void the_difference_between_two_boards(void **state)
{
    (void)state;
    struct board *before = fixture_parse(fixture_board, "before.yaml");
    char *changed = changed_fixture(change_pairs, 2);
    struct board *file = fixture_parse(changed, "after.yaml");
    struct board *after = command_merge_board(before, file, yearmonth_make(2024, 4));
    struct node *kept = board_find_node(after, "2.1.1");
    assert_non_null(kept);
    assert_int_equal(kept->retired, yearmonth_make(2024, 4));
    struct board_diff diff;
    command_diff_boards(before, after, &diff);
    assert_int_equal(diff.count, 5); /* target; add 1.1.3 and its metric; add 2.1.2; retire */
    assert_int_equal(diff.changes[0].kind, BOARD_CHANGE_FIELD);
    assert_string_equal(diff.changes[0].field, "target");
    board_diff_free(&diff);
    /* And back: what was added goes, what was retired comes back. */
    struct board *structure = command_board_structure(before);
    command_diff_boards(after, structure, &diff);
    size_t removed = 0, restored = 0;
    for (size_t i = 0; i < diff.count; i++) {
        removed += diff.changes[i].kind == BOARD_CHANGE_REMOVE;
        restored += diff.changes[i].kind == BOARD_CHANGE_RESTORE;
    }
    assert_int_equal(removed, 2); /* 1.1.3 (its metric with it) and 2.1.2 */
    assert_int_equal(restored, 1);
    board_diff_free(&diff);
    board_free(structure);
    board_free(after);
    board_free(file);
    board_free(before);
    free(changed);
}

/* The browser's forms: several fields as one change, one audit row per
 * field, undone to the exact export. */
static void several_fields_are_one_change_undone_exactly(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    char *before = export_text(fixture->store);
    long long rows = audit_rows(fixture);
    const struct board_edit edits[] = {
        {"1.1.1", "target", "80"},
        {"1.1.1", "target_period", "2025-03"},
        {"1.1.1", "tolerance", "2.5"},
        {"1.1.1", "trajectory", "2024-09: 70, 2024-06: 65"},
        {"1.1.1", "rebase", "2023-05"},
        {"1.1", "lead", "Director of Nursing"},
    };
    struct change change = {0};
    assert_true(command_edit_many(fixture->store, "test-board", edits, 6, false, NULL, &change,
                                  &error));
    /* The target's value and month are one field, "target: 80 (2025-03)". */
    assert_int_equal(audit_rows(fixture), rows + 5);
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM audit WHERE "
                                                         "action = 'edit-metric' AND new_value = "
                                                         "'target: 80 (2025-03)'"),
                     1);
    char *after = export_text(fixture->store);
    assert_non_null(strstr(after, "2024-06: 65, 2024-09: 70"));
    assert_non_null(strstr(after, "rebase: [2023-05]"));
    assert_true(command_undo(fixture->store, &change, &error));
    char *undone = export_text(fixture->store);
    assert_string_equal(undone, before);
    free(undone);
    free(after);
    free(before);
    change_free(&change);
}

static void a_deliverable_and_its_metric_are_added_moved_and_reordered(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    char *before = export_text(fixture->store);
    long long rows = audit_rows(fixture);
    const struct board_edit add[] = {
        {"1.1.3", "add", "1.1"},
        {"1.1.3", "title", "A new deliverable"},
        {"1.1.3", "lead", "Someone"},
        {"1.1.3", "add_metric", "1.1.3"},
        {"1.1.3", "name", "New"},
        {"1.1.3", "unit", "count"},
        {"1.1.3", "direction", "down"},
        {"1.1.3", "target", "10"},
    };
    struct change added = {0};
    assert_true(command_edit_many(fixture->store, "test-board", add, 8, false, NULL, &added,
                                  &error));
    assert_int_equal(audit_rows(fixture), rows + 2); /* add-node, add-metric */
    struct board *board = NULL;
    assert_true(store_load_board(fixture->store, "test-board", YEARMONTH_NONE, &board, &error));
    assert_string_equal(board->nodes[4].code, "1.1.3");
    assert_int_equal(board->nodes[4].metrics[0].direction, DIRECTION_DOWN);
    board_free(board);
    char *with_new = export_text(fixture->store);

    /* Up one place, and 2.1.1 under 1.1: one change. */
    const struct board_edit reshape[] = {
        {"1.1.3", "position", "up"},
        {"2.1.1", "parent", "1.1"},
    };
    struct change moved = {0};
    assert_true(command_edit_many(fixture->store, "test-board", reshape, 2, false, NULL, &moved,
                                  &error));
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM audit WHERE "
                                                         "action = 'move-node' AND "
                                                         "node_code = '2.1.1' AND new_value = "
                                                         "'1.1'"),
                     1);
    assert_true(fixture_query_number(fixture->path, "SELECT count(*) FROM audit WHERE action = "
                                                    "'reorder-node' AND node_code = '1.1.3'") ==
                1);
    assert_true(store_load_board(fixture->store, "test-board", YEARMONTH_NONE, &board, &error));
    assert_string_equal(board->nodes[3].code, "1.1.3");
    assert_string_equal(board->nodes[4].code, "1.1.2");
    assert_string_equal(board->nodes[5].code, "2.1.1");
    assert_int_equal(board->nodes[5].parent, 1);
    board_free(board);
    /* Already first; a deliverable cannot go under an aim. */
    const struct board_edit bad[] = {{"1.1.1", "position", "up"}, {"2.1.1", "parent", "2"}};
    assert_false(command_edit_many(fixture->store, "test-board", &bad[0], 1, false, NULL, NULL,
                                   &error));
    assert_string_equal(error.message, "edit: error: '1.1.1' is already the first of its "
                                       "siblings");
    assert_false(command_edit_many(fixture->store, "test-board", &bad[1], 1, false, NULL, NULL,
                                   &error));
    assert_string_equal(error.message, "edit: error: '2.1.1' can move only under an objective");

    /* A metric among its deliverable's metrics: one reorder row. */
    const struct board_edit metric_up = {"1.1.2b", "position", "up"};
    struct change reordered = {0};
    assert_true(command_edit_many(fixture->store, "test-board", &metric_up, 1, false, NULL,
                                  &reordered, &error));
    assert_int_equal(fixture_query_number(fixture->path, "SELECT count(*) FROM audit WHERE "
                                                         "action = 'reorder-metric'"),
                     2); /* 1.1.2b up is 1.1.2a down */
    char *exported = export_text(fixture->store);
    assert_true(strstr(exported, "1.1.2b") < strstr(exported, "1.1.2a"));
    free(exported);
    assert_true(command_undo(fixture->store, &reordered, &error));
    change_free(&reordered);
    assert_true(command_undo(fixture->store, &moved, &error));
    char *unmoved = export_text(fixture->store);
    assert_string_equal(unmoved, with_new);
    if (!command_undo(fixture->store, &added, &error))
        fail_msg("%s", error.message);
    char *undone = export_text(fixture->store);
    assert_string_equal(undone, before);
    free(undone);
    free(unmoved);
    free(with_new);
    free(before);
    change_free(&moved);
    change_free(&added);
}

static void a_bad_form_is_refused_in_the_board_files_words_and_writes_nothing(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    size_t length_before, length_after;
    char *bytes_before = fixture_store_bytes(fixture->path, &length_before);
    const struct board_edit no_target[] = {
        {"1.1.3", "add", "1.1"},         {"1.1.3", "title", "New"},
        {"1.1.3", "add_metric", "1.1.3"}, {"1.1.3", "name", "New"},
        {"1.1.3", "unit", "count"},      {"1.1.3", "direction", "up"},
    };
    assert_false(command_edit_many(fixture->store, "test-board", no_target, 6, false, NULL, NULL,
                                   &error));
    assert_string_equal(error.message, "edit: error: missing key 'target' in metric '1.1.3'");
    /* Without a title: the board file's own message. */
    const struct board_edit no_title[] = {{"1.1.4", "add", "1.1"},
                                          {"1.1.4", "due", "2025-03"}};
    assert_false(command_edit_many(fixture->store, "test-board", no_title, 2, false, NULL, NULL,
                                   &error));
    assert_non_null(strstr(error.message, "missing key 'title'"));
    const struct board_edit out_of_range[] = {{"1.1.1", "lead", "Someone"},
                                              {"1.1.1", "target", "150"}};
    assert_false(command_edit_many(fixture->store, "test-board", out_of_range, 2, false, NULL,
                                   NULL, &error));
    assert_non_null(strstr(error.message, "a percentage must be between 0 and 100"));
    /* A metric for a milestone deliverable: the file would lose the milestone. */
    const struct board_edit both[] = {{"2.1.1", "add_metric", "2.1.1"}, {"2.1.1", "name", "N"},
                                      {"2.1.1", "unit", "count"},       {"2.1.1", "direction", "up"},
                                      {"2.1.1", "target", "1"}};
    assert_false(command_edit_many(fixture->store, "test-board", both, 5, false, NULL, NULL,
                                   &error));
    assert_string_equal(error.message, "edit: error: deliverable '2.1.1' already has "
                                       "'milestone'; a deliverable has one of 'metric', "
                                       "'metrics' or 'milestone'");
    const struct board_edit bad_trajectory[] = {{"1.1.1", "trajectory", "June: 5"}};
    assert_false(command_edit_many(fixture->store, "test-board", bad_trajectory, 1, false, NULL,
                                   NULL, &error));
    assert_non_null(strstr(error.message, "'June: 5' is not a month of the trajectory"));
    /* A dry run of a good form: checked, and nothing written either. */
    assert_true(command_edit_many(fixture->store, "test-board", out_of_range, 1, true, NULL, NULL,
                                  &error));
    char *bytes_after = fixture_store_bytes(fixture->path, &length_after);
    assert_int_equal(length_after, length_before);
    assert_memory_equal(bytes_after, bytes_before, length_before);
    free(bytes_before);
    free(bytes_after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_difference_between_two_boards),
        FIXTURE_TEST_WITH_BOARD(a_changed_board_is_a_difference_and_undo_restores_the_store),
        FIXTURE_TEST_WITH_BOARD(undo_of_a_change_written_over_is_refused),
        FIXTURE_TEST_WITH_BOARD(the_same_file_twice_changes_nothing),
        FIXTURE_TEST_WITH_BOARD(a_changed_target_changes_the_status),
        FIXTURE_TEST_WITH_BOARD(declared_segments_are_an_edit),
        FIXTURE_TEST_WITH_BOARD(a_dry_run_plans_and_writes_nothing),
        FIXTURE_TEST_WITH_BOARD(retiring_keeps_history_and_restoring_brings_it_back),
        FIXTURE_TEST_WITH_BOARD(bad_edits_are_refused_in_the_board_files_words_and_write_nothing),
        FIXTURE_TEST_WITH_BOARD(several_fields_are_one_change_undone_exactly),
        FIXTURE_TEST_WITH_BOARD(a_deliverable_and_its_metric_are_added_moved_and_reordered),
        FIXTURE_TEST_WITH_BOARD(a_bad_form_is_refused_in_the_board_files_words_and_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
