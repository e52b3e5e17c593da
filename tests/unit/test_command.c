/* test_command.c — the one write path: validation, one transaction per
 * change, the audit row, undo and redo, refused values writing nothing, and
 * a busy store reported in one sentence. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boardfile.h"
#include "command.h"
#include "fixture.h"
#include "report.h"
#include "rules.h"
#include "store.h"

static void assert_query(const char *path, const char *sql, const char *expected)
{
    char *text = fixture_query_text(path, sql);
    if (!expected) {
        assert_null(text);
    } else if (fixture_postgresql() && text) {
        char *want = strdup(expected);
        fixture_drop_point_zero(want);
        fixture_drop_point_zero(text);
        assert_string_equal(text, want);
        free(want);
    } else {
        assert_string_equal(text ? text : "(null)", expected);
    }
    free(text);
}

/* The newest audit row's `columns` (an SQL expression) read `expected`. */
static void assert_last_audit(const char *path, const char *columns, const char *expected)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM audit ORDER BY id DESC LIMIT 1", columns);
    assert_query(path, sql, expected);
}

static void values_are_checked_against_the_unit(void **state)
{
    (void)state;
    struct error error = {0};
    double value;
    assert_true(command_parse_value("68.4", UNIT_PERCENT, &value, &error));
    assert_true(value == 68.4);
    assert_true(command_parse_value(" 68.4% ", UNIT_PERCENT, &value, &error));
    assert_true(value == 68.4);
    assert_false(command_parse_value("101", UNIT_PERCENT, &value, &error));
    assert_string_equal(error.message, "A percentage must be between 0 and 100; 101 was refused.");
    assert_false(command_parse_value("2.5", UNIT_COUNT, &value, &error));
    assert_string_equal(error.message,
                        "A count must be a whole number, not negative; 2.5 was refused.");
    const char *not_numbers[] = {"", "abc", "1,5", "nan", "inf", "0x10", "12abc", "5%"};
    for (size_t i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++) {
        enum unit unit = strcmp(not_numbers[i], "5%") == 0 ? UNIT_COUNT : UNIT_NUMBER;
        assert_false(command_parse_value(not_numbers[i], unit, &value, &error));
    }
    assert_false(command_parse_value("abc", UNIT_NUMBER, &value, &error));
    assert_string_equal(error.message, "'abc' is not a number.");
    assert_true(command_parse_value("-0", UNIT_NUMBER, &value, &error));
    assert_false(signbit(value));
}

/* Regression (fuzz_values): a value of nothing but white space made the
 * length run below zero and read the byte before the text. Each value is a
 * heap copy of exactly its size, so ASan and valgrind see any stray read. */
static void white_space_alone_is_not_a_number(void **state)
{
    (void)state;
    const char *blanks[] = {" ", "\r", "\t \n", "  ", " % ", "%"};
    for (size_t i = 0; i < sizeof blanks / sizeof blanks[0]; i++) {
        for (int unit = UNIT_PERCENT; unit <= UNIT_RATIO; unit++) {
            char *text = strdup(blanks[i]);
            assert_non_null(text);
            struct error error = {0};
            double value;
            assert_false(command_parse_value(text, (enum unit)unit, &value, &error));
            assert_int_equal(error.status, EXIT_DATA);
            char expected[32];
            snprintf(expected, sizeof expected, "'%s' is not a number.", blanks[i]);
            assert_string_equal(error.message, expected);
            free(text);
        }
    }
}

static void periods_and_notes_are_checked(void **state)
{
    (void)state;
    struct error error = {0};
    yearmonth when;
    assert_true(command_parse_period("2023-10", &when, &error));
    assert_false(command_parse_period("2023-13", &when, &error));
    assert_string_equal(error.message,
                        "'2023-13' is not a month; write YYYY-MM, for example 2024-03.");
    assert_false(command_parse_period("9999-01", &when, &error));
    assert_string_equal(error.message,
                        "9999-01 is in the future; readings are for months that have begun.");
    assert_true(command_check_note("fine – with £", &error));
    assert_false(command_check_note("two\nlines", &error));
    assert_false(command_check_note("\x1b[31mred", &error));
    assert_false(command_check_note("\xff\xfe", &error));
}

/* Text of `count` copies of `piece`, a heap copy of exactly its size. */
static char *repeated(const char *piece, size_t count)
{
    struct text_buffer text = {0};
    text_append(&text, "");
    for (size_t i = 0; i < count; i++)
        text_append(&text, piece);
    return text.data;
}

/* A note or comment may have TEXT_MAXIMUM_NOTE characters, counted as
 * characters, not bytes: 4000 'é' (8000 bytes) pass, one more is refused. */
static void notes_have_a_maximum_length(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    char *longest = repeated("é", TEXT_MAXIMUM_NOTE);
    char *too_long = repeated("é", TEXT_MAXIMUM_NOTE + 1);
    assert_true(command_check_note(longest, &error));
    assert_false(command_check_note(too_long, &error));
    assert_int_equal(error.status, EXIT_DATA);
    assert_string_equal(error.message,
                        "The text is 4001 characters long; a note or comment may have at most "
                        "4000.");
    /* Every write path refuses it, and writes nothing. */
    error_clear(&error);
    assert_false(command_record_reading(fixture->store, "test-board", "1.1.1", "60", "2023-06",
                                        NULL, too_long, NULL, NULL, &error));
    assert_int_equal(error.status, EXIT_DATA);
    error_clear(&error);
    assert_false(command_set_milestone(fixture->store, "test-board", "2.1.1", MILESTONE_AT_RISK,
                                       "2023-06", too_long, NULL, NULL, &error));
    assert_int_equal(error.status, EXIT_DATA);
    error_clear(&error);
    assert_false(command_add_comment(fixture->store, "test-board", "1.1", too_long, "2023-06", NULL,
                                     NULL, &error));
    assert_string_equal(error.message,
                        "The text is 4001 characters long; a note or comment may have at most "
                        "4000.");
    assert_query(fixture->path, "SELECT count(*) FROM readings WHERE period = '2023-06'", "0");
    assert_query(fixture->path, "SELECT count(*) FROM commentary", "0");
    assert_true(command_add_comment(fixture->store, "test-board", "1.1", longest, "2023-06", NULL, NULL,
                                    &error));
    assert_query(fixture->path, "SELECT length(text) FROM commentary", "4000");
    free(longest);
    free(too_long);
}

static void recording_writes_the_reading_and_an_audit_row(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct change change = {0};
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "63.2", "2023-06",
                                       NULL, "checked", NULL, &change, &error));
    assert_false(change.had_old);
    assert_query(fixture->path, "SELECT value || ' ' || note FROM readings WHERE period = '2023-06'",
                 "63.2 checked");
    assert_last_audit(fixture->path,
                      "action || '|' || ifnull(old_value, '-') || '|' || new_value",
                      "record-reading|-|2023-06=63.2");
    change_free(&change);

    /* The same month again replaces, and the audit keeps the old value. */
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "64", "2023-06",
                                       NULL, NULL, NULL, &change, &error));
    assert_true(change.had_old);
    assert_true(change.old_value == 63.2);
    assert_query(fixture->path, "SELECT count(*) FROM readings WHERE period = '2023-06'", "1");
    assert_last_audit(fixture->path, "action || '|' || old_value || '|' || new_value",
                      "replace-reading|2023-06=63.2|2023-06=64");

    /* Undo puts the old value back, redo the new; both are audited. */
    assert_true(command_undo(fixture->store, &change, &error));
    assert_query(fixture->path, "SELECT value FROM readings WHERE period = '2023-06'", "63.2");
    assert_last_audit(fixture->path, "action", "undo-reading");
    assert_true(command_redo(fixture->store, &change, &error));
    assert_query(fixture->path, "SELECT value FROM readings WHERE period = '2023-06'", "64.0");
    assert_last_audit(fixture->path, "action", "redo-reading");
    change_free(&change);

    /* Undoing a first reading removes it. */
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "55.5", "2023-07",
                                       "Barnet", NULL, NULL, &change, &error));
    assert_query(fixture->path, "SELECT segment FROM readings WHERE period = '2023-07'", "Barnet");
    assert_true(command_undo(fixture->store, &change, &error));
    assert_query(fixture->path, "SELECT count(*) FROM readings WHERE period = '2023-07'", "0");
    change_free(&change);
}

static void refused_values_leave_the_store_byte_for_byte_unchanged(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    size_t before_length, after_length;
    char *before = fixture_store_bytes(fixture->path, &before_length);
    struct {
        const char *metric, *value, *period, *segment, *note, *message;
    } cases[] = {
        {"1.1.1", "101", "2023-06", NULL, NULL,
         "A percentage must be between 0 and 100; 101 was refused."},
        {"1.1.1", "lots", "2023-06", NULL, NULL, "'lots' is not a number."},
        {"1.1.2b", "12.5", "2023-06", NULL, NULL,
         "A count must be a whole number, not negative; 12.5 was refused."},
        {"1.1.1", "60", "2023-6", NULL, NULL,
         "'2023-6' is not a month; write YYYY-MM, for example 2024-03."},
        {"1.1.2a", "5", "2023-06", "Barnet", NULL,
         "Metric '1.1.2a' has no breakdown, so its readings cannot have a segment."},
        {"1.1.1", "60", "2023-06", NULL, "bad\nnote",
         "The text contains control characters (such as a newline or an escape); write it on "
         "one line."},
        {"9.9.9", "60", "2023-06", NULL, NULL, "Board 'test-board' has no metric '9.9.9'."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_false(command_record_reading(fixture->store, "test-board", cases[i].metric,
                                            cases[i].value, cases[i].period, cases[i].segment,
                                            cases[i].note, NULL, NULL, &error));
        assert_string_equal(error.message, cases[i].message);
        assert_int_equal(error.status, EXIT_DATA);
    }
    char *after = fixture_store_bytes(fixture->path, &after_length);
    assert_int_equal(before_length, after_length);
    assert_memory_equal(before, after, before_length);
    free(before);
    free(after);
}

/* `record` (and the browser) may record only a segment the metric declares,
 * and is told which it most likely meant; a metric that declares none takes
 * any segment, as before. */
static void recording_an_undeclared_segment_is_refused(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    static const char text[] =
        "board: {code: s, title: T}\n"
        "aims: [{code: \"2\", title: x, objectives: [{code: \"2.1\", title: x,\n"
        "        deliverables: [{code: \"2.1.2\", title: x,\n"
        "          metric: {name: a, unit: percent, direction: up, target: {value: 75},\n"
        "           breakdown: borough, segments: [Barnet, Camden, Enfield]}}]}]}]\n";
    struct board *board = fixture_parse(text, "s.yaml");
    const char *name = "s.yaml";
    assert_true(command_import_boards(fixture->store, &board, &name, 1, false, NULL, NULL, &error));
    board_free(board);
    size_t before_length, after_length;
    char *before = fixture_store_bytes(fixture->path, &before_length);
    assert_false(command_record_reading(fixture->store, "s", "2.1.2", "61", "2023-06", "barnet",
                                        NULL, NULL, NULL, &error));
    assert_int_equal(error.status, EXIT_DATA);
    assert_string_equal(error.message, "No segment 'barnet' for 2.1.2; did you mean 'Barnet'?");
    assert_false(command_record_reading(fixture->store, "s", "2.1.2", "61", "2023-06", "Zzz",
                                        NULL, NULL, NULL, &error));
    assert_string_equal(error.message,
                        "No segment 'Zzz' for 2.1.2; expected 'Barnet', 'Camden' or 'Enfield'.");
    char *after = fixture_store_bytes(fixture->path, &after_length);
    assert_int_equal(before_length, after_length);
    assert_memory_equal(before, after, before_length);
    free(before);
    free(after);
    assert_true(command_record_reading(fixture->store, "s", "2.1.2", "61", "2023-06", "Camden",
                                       NULL, NULL, NULL, &error));
    /* The fixture's 1.1.1 has a breakdown and no segments list. */
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "61", "2023-06",
                                       "Anywhere", NULL, NULL, NULL, &error));
    assert_query(fixture->path, "SELECT count(*) FROM readings WHERE segment IN "
                                "('Camden', 'Anywhere')", "2");
}

static void milestones_and_commentary_are_audited_and_undoable(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct change change = {0};
    assert_false(command_set_milestone(fixture->store, "test-board", "1.1.1", MILESTONE_AT_RISK,
                                       "2023-06", NULL, NULL, NULL, &error));
    assert_string_equal(error.message, "'1.1.1' is not a milestone; only milestones have a status.");
    assert_true(command_set_milestone(fixture->store, "test-board", "2.1.1", MILESTONE_AT_RISK,
                                      "2023-06", "contractor late", NULL, &change, &error));
    assert_last_audit(fixture->path, "action || '|' || old_value || '|' || new_value",
                      "set-milestone|on_track|at_risk");
    assert_true(command_undo(fixture->store, &change, &error));
    assert_query(fixture->path, "SELECT count(*) FROM milestone_updates", "1");
    assert_true(command_redo(fixture->store, &change, &error));
    assert_query(fixture->path, "SELECT status FROM milestone_updates ORDER BY id DESC LIMIT 1",
                 "at_risk");
    change_free(&change);

    assert_false(command_add_comment(fixture->store, "test-board", "1.1", "", NULL, NULL, NULL, &error));
    assert_string_equal(error.message, "Commentary cannot be empty.");
    assert_true(command_add_comment(fixture->store, "test-board", "1.1",
                                    "Recovery plan agreed – see paper 4", "2023-06", NULL, &change,
                                    &error));
    assert_query(fixture->path, "SELECT text FROM commentary", "Recovery plan agreed – see paper 4");
    assert_true(command_undo(fixture->store, &change, &error));
    assert_query(fixture->path, "SELECT count(*) FROM commentary", "0");
    assert_last_audit(fixture->path, "action", "undo-add-comment");
    change_free(&change);
}

static void a_busy_store_is_reported_in_one_sentence(void **state)
{
    struct fixture *fixture = *state;
    if (fixture_postgresql()) {
        /* Another connection holds the writers' lock, as a writer does. */
        PGconn *other = PQconnectdb(fixture->path);
        assert_int_equal(PQstatus(other), CONNECTION_OK);
        PGresult *held = PQexec(other, "BEGIN; SELECT pg_advisory_xact_lock(7262936)");
        assert_int_equal(PQresultStatus(held), PGRES_TUPLES_OK);
        PQclear(held);
        store_set_busy_timeout(fixture->store, 200);
        struct error error = {0};
        assert_false(command_record_reading(fixture->store, "test-board", "1.1.1", "60",
                                            "2023-06", NULL, NULL, NULL, NULL, &error));
        assert_int_equal(error.status, EXIT_TEMPORARY);
        assert_non_null(strstr(error.message, "is busy (another program is writing to it); "
                                              "try again."));
        PQclear(PQexec(other, "ROLLBACK"));
        PQfinish(other);
        assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "60",
                                           "2023-06", NULL, NULL, NULL, NULL, &error));
        return;
    }
    sqlite3 *other;
    assert_int_equal(sqlite3_open(fixture->path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    store_set_busy_timeout(fixture->store, 200);
    struct error error = {0};
    assert_false(command_record_reading(fixture->store, "test-board", "1.1.1", "60", "2023-06",
                                        NULL, NULL, NULL, NULL, &error));
    assert_int_equal(error.status, EXIT_TEMPORARY);
    assert_non_null(strstr(error.message, "is busy (another program is writing to it); try "
                                          "again."));
    assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "60", "2023-06",
                                       NULL, NULL, NULL, NULL, &error));
}

/* The session's history lives in the command layer: undo and redo walk it
 * without a terminal, say which change they replayed, and a new change
 * forgets what could be redone. */
static void the_history_undoes_and_redoes_in_order(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct command_history history = {0};
    char message[600];
    const char *code = NULL;

    assert_false(command_history_can_undo(&history));
    assert_false(command_history_undo(&history, fixture->store, message, sizeof message, &code,
                                      &error));
    assert_string_equal(error.message, "Nothing to undo in this session.");
    error_clear(&error);

    struct change change = {0};
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "61", "2023-06",
                                       NULL, NULL, NULL, &change, &error));
    command_history_push(&history, &change);
    assert_null(change.node_code); /* the history took it */
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "62", "2023-07",
                                       NULL, NULL, NULL, &change, &error));
    command_history_push(&history, &change);
    assert_true(command_history_can_undo(&history));
    assert_false(command_history_can_redo(&history));

    assert_true(command_history_undo(&history, fixture->store, message, sizeof message, &code,
                                     &error));
    assert_string_equal(message, "Undid the reading for 1.1.1, Jul 2023 (62).");
    assert_string_equal(code, "1.1.1");
    assert_query(fixture->path, "SELECT count(*) FROM readings WHERE period = '2023-07'", "0");
    assert_true(command_history_undo(&history, fixture->store, message, sizeof message, &code,
                                     &error));
    assert_string_equal(message, "Undid the reading for 1.1.1, Jun 2023 (61).");
    assert_query(fixture->path, "SELECT count(*) FROM readings WHERE period = '2023-06'", "0");
    assert_false(command_history_can_undo(&history));

    assert_true(command_history_redo(&history, fixture->store, message, sizeof message, &code,
                                     &error));
    assert_string_equal(message, "Redid the reading for 1.1.1, Jun 2023 (61).");
    assert_query(fixture->path, "SELECT value FROM readings WHERE period = '2023-06'", "61.0");
    assert_true(command_history_can_redo(&history));

    /* A new change forgets the undone July reading. */
    assert_true(command_add_comment(fixture->store, "test-board", "1.1.1", "Data late.",
                                    "2023-06", NULL, &change, &error));
    command_history_push(&history, &change);
    assert_false(command_history_can_redo(&history));
    assert_false(command_history_redo(&history, fixture->store, message, sizeof message, &code,
                                      &error));
    assert_string_equal(error.message, "Nothing to redo.");
    error_clear(&error);
    assert_true(command_history_undo(&history, fixture->store, message, sizeof message, &code,
                                     &error));
    assert_string_equal(message, "Undid the commentary on 1.1.1 for Jun 2023.");
    assert_query(fixture->path, "SELECT count(*) FROM readings WHERE period = '2023-07'", "0");
    command_history_free(&history);
}

/* The kept statuses (what the browser's first frame shows) equal a full
 * load evaluated afresh with the rules. */
static void assert_kept_statuses_are_fresh(struct store *store, const char *board_code)
{
    struct error error = {0};
    struct board *full, *kept;
    assert_true(store_load_board(store, board_code, YEARMONTH_NONE, &full, &error));
    assert_true(store_load_board_summary(store, board_code, &kept, &error));
    struct board_status fresh;
    board_evaluate(full, YEARMONTH_NONE, &fresh);
    assert_int_equal(full->node_count, kept->node_count);
    for (size_t i = 0; i < full->node_count; i++) {
        assert_true(kept->nodes[i].has_stored_status);
        assert_int_equal(kept->nodes[i].stored_rag, fresh.nodes[i].rag);
        assert_memory_equal(kept->nodes[i].stored_counts, fresh.nodes[i].counts,
                            sizeof fresh.nodes[i].counts);
        assert_int_equal(kept->nodes[i].stored_awaiting, fresh.nodes[i].awaiting);
    }
    struct board *top;
    assert_true(store_load_board_top(store, board_code, &top, &error));
    assert_true(top->has_stored_status);
    assert_int_equal(top->as_at, fresh.as_at);
    assert_int_equal(top->stored_rag, fresh.board.rag);
    assert_memory_equal(top->stored_counts, fresh.board.counts, sizeof fresh.board.counts);
    assert_int_equal(top->stored_awaiting, fresh.board.awaiting);
    board_status_free(&fresh, full->node_count);
    board_free(full);
    board_free(kept);
    board_free(top);
}

/* An import is one transaction with an audit row per file (naming it), a
 * row for every reading it changed, and the statuses it moved. */
static void an_import_is_audited_and_keeps_the_statuses(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    assert_query(fixture->path, "SELECT action || '|' || new_value FROM audit",
                 "import|fixture.yaml: 4 readings (0 replaced), 0 milestone updates, 0 comments");
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
    static const char readings[] = "board: {code: test-board}\n"
                                   "readings:\n"
                                   "  - {metric: \"1.1.1\", period: 2023-05, value: 20}\n"
                                   "  - {metric: \"1.1.1\", period: 2023-04, value: 60.1}\n"
                                   "  - {metric: \"1.1.2a\", period: 2023-06, value: 4.5}\n";
    struct board *board = fixture_parse(readings, "june.yaml");
    const char *name = "june.yaml";
    assert_true(command_import_boards(fixture->store, &board, &name, 1, false, NULL, NULL, &error));
    board_free(board);
    /* 2023-04 had the same value: not a change, not audited. */
    assert_query(fixture->path,
                 "SELECT group_concat(action || '|' || coalesce(node_code, '') || '|' || "
                 "coalesce(old_value, '') || '|' || new_value, ';') FROM "
                 "(SELECT * FROM audit WHERE id > 1 ORDER BY id) AS q",
                 "import-replace-reading|1.1.1|2023-05=61.5|2023-05=20;"
                 "import|||june.yaml: 3 readings (1 replaced), 0 milestone updates, 0 comments");
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
    assert_query(fixture->path,
                 "SELECT s.rag FROM node_status s JOIN nodes n ON n.id = s.node_id "
                 "WHERE n.code = '1.1.1'",
                 "4"); /* 20% against a 60% line: R */
}

/* Two files where the second is wrong: the first is not half-imported. */
static void a_failed_import_writes_nothing(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct board *boards[2] = {
        fixture_parse(fixture_readings, "good.yaml"),
        fixture_parse("board: {code: test-board}\nreadings:\n"
              "  - {metric: \"9.9.9\", period: 2023-06, value: 1}\n",
              "bad.yaml"),
    };
    const char *names[] = {"good.yaml", "bad.yaml"};
    size_t before_length, after_length;
    char *before = fixture_store_bytes(fixture->path, &before_length);
    assert_false(command_import_boards(fixture->store, boards, names, 2, false, NULL, NULL, &error));
    assert_string_equal(error.message,
                        "bad.yaml:3:5: error: board 'test-board' has no metric '9.9.9'");
    char *after = fixture_store_bytes(fixture->path, &after_length);
    assert_query(fixture->path, "SELECT count(*) FROM readings", "4");
    assert_query(fixture->path, "SELECT count(*) FROM audit", "1");
    assert_int_equal(before_length, after_length);
    assert_memory_equal(before, after, before_length);
    free(before);
    free(after);
    board_free(boards[0]);
    board_free(boards[1]);
}

/* First-run seeding goes through the same import: the bundled boards, their
 * audit rows, the sample readings marked as such, and fresh statuses. */
static void seeding_imports_the_bundled_boards_through_the_command_layer(void **state)
{
    FIXTURE_SQLITE_ONLY(); /* new store files by path; pg_cli.sh seeds PostgreSQL */
    struct fixture *fixture = *state;
    struct error error = {0};
    char path[192];
    snprintf(path, sizeof path, "%s/seeded/boardpack.db", fixture->directory);
    assert_true(command_create_seeded_store(path, true, &error));
    assert_query(path, "SELECT count(*) > 3 FROM boards", "1");
    assert_query(path, "SELECT count(*) FROM audit WHERE action = 'import-sample'", "1");
    assert_query(path,
                 "SELECT count(*) = (SELECT count(*) FROM boards) FROM audit "
                 "WHERE action = 'import'",
                 "1");
    assert_query(path, "SELECT min(sample) FROM readings", "1");
    struct store *store;
    assert_true(store_open(path, STORE_READ_ONLY, false, &store, &error));
    assert_kept_statuses_are_fresh(store, "nlmhp-2023-24");
    store_close(store);
    /* A second first run finds the store there and leaves it be. */
    assert_true(command_create_seeded_store(path, false, &error));
    assert_query(path, "SELECT count(*) FROM audit WHERE action = 'import-sample'", "1");
    /* init without sample readings: the boards, no readings. */
    snprintf(path, sizeof path, "%s/plain.db", fixture->directory);
    assert_true(command_create_seeded_store(path, false, &error));
    assert_query(path, "SELECT count(*) FROM readings", "0");
    assert_query(path, "SELECT count(*) FROM audit WHERE action = 'import-sample'", "0");
}

/* A store from before statuses were kept gets them on its first read-write
 * open by a command, worked out by the rules. */
static void missing_statuses_are_filled_by_the_command_layer(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    if (fixture_postgresql()) {
        free(fixture_pg_text(fixture->path, "DELETE FROM node_status; DELETE FROM board_status"));
    } else {
        sqlite3 *database;
        assert_int_equal(sqlite3_open(fixture->path, &database), SQLITE_OK);
        assert_int_equal(sqlite3_exec(database, "DELETE FROM node_status; DELETE FROM "
                                                "board_status",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(database);
    }
    assert_true(command_keep_missing_statuses(fixture->store, &error));
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
    /* Nothing missing: nothing written. */
    size_t before_length, after_length;
    char *before = fixture_store_bytes(fixture->path, &before_length);
    assert_true(command_keep_missing_statuses(fixture->store, &error));
    char *after = fixture_store_bytes(fixture->path, &after_length);
    assert_int_equal(before_length, after_length);
    assert_memory_equal(before, after, before_length);
    free(before);
    free(after);
}

/* The command layer is the second line of defence behind the front ends'
 * gate: on a store opened read-only every write is refused before it
 * begins, and the store is left as it was. */
static void a_read_only_store_refuses_every_command(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct store *reader = NULL;
    assert_true(store_open(fixture->path, STORE_READ_ONLY, false, &reader, &error));
    size_t before_length;
    char *before = fixture_store_bytes(fixture->path, &before_length);
    struct change change = {0};
    assert_false(command_record_reading(reader, "test-board", "1.1.1", "61", "2023-06", NULL,
                                        NULL, NULL, &change, &error));
    assert_string_equal(error.message, "This store is open read-only; nothing can be changed here.");
    error_clear(&error);
    assert_false(command_add_comment(reader, "test-board", "1.1.1", "Late.", "2023-06", NULL, &change,
                                     &error));
    assert_string_equal(error.message, "This store is open read-only; nothing can be changed here.");
    error_clear(&error);
    size_t after_length;
    char *after = fixture_store_bytes(fixture->path, &after_length);
    assert_int_equal(before_length, after_length);
    assert_memory_equal(before, after, before_length);
    free(before);
    free(after);
    store_close(reader);
}

/* ---- Undoing and redoing an import ------------------------------------ */

/* What the store holds, one query's rows after another: with `whole`,
 * every column of every row (who, when, ids, sample flags), the kept
 * statuses and how many rows each structural table has; without, the
 * readings, milestone updates and commentary by value only (a redo writes
 * them again by whoever redoes it, now). */
static char *store_rows(const char *path, bool whole)
{
    static const char *const everything[] = {
        "SELECT group_concat(x, ';') FROM (SELECT metric_id || '|' || period || '|' || segment "
        "|| '|' || value || '|' || coalesce(note, '-') || '|' || entered_by || '|' || entered_at "
        "|| '|' || sample AS x FROM readings ORDER BY metric_id, segment, period) AS q",
        "SELECT group_concat(x, ';') FROM (SELECT id || '|' || node_id || '|' || "
        "coalesce(period, '-') || '|' || status || '|' || coalesce(note, '-') || '|' || "
        "entered_by || '|' || entered_at || '|' || sample AS x FROM milestone_updates ORDER BY id) AS q",
        "SELECT group_concat(x, ';') FROM (SELECT id || '|' || node_id || '|' || "
        "coalesce(period, '-') || '|' || text || '|' || entered_by || '|' || entered_at || '|' || "
        "sample AS x FROM commentary ORDER BY id) AS q",
        "SELECT group_concat(x, ';') FROM (SELECT metric_id || '|' || coalesce(period, '-') || '|' "
        "|| coalesce(CAST(value AS TEXT), '-') || '|' || coalesce(CAST(previous_value AS TEXT), '-') || '|' || "
        "coalesce(newest_period, '-') AS x FROM metric_latest ORDER BY metric_id) AS q",
        "SELECT group_concat(x, ';') FROM (SELECT node_id || '|' || rag || '|' || grey || blue || "
        "green || amber || red || '|' || child_count AS x FROM node_status ORDER BY node_id) AS q",
        "SELECT group_concat(x, ';') FROM (SELECT board_id || '|' || coalesce(as_at, '-') || '|' "
        "|| rag || '|' || grey || blue || green || amber || red AS x FROM board_status "
        "ORDER BY board_id) AS q",
        "SELECT (SELECT count(*) FROM boards) || '|' || (SELECT count(*) FROM board_values) || '|' "
        "|| (SELECT count(*) FROM nodes) || '|' || (SELECT count(*) FROM metrics) || '|' || "
        "(SELECT count(*) FROM trajectory_points) || '|' || (SELECT count(*) FROM metric_rebases)",
    };
    static const char *const values[] = {
        "SELECT group_concat(x, ';') FROM (SELECT metric_id || '|' || period || '|' || segment "
        "|| '|' || value || '|' || coalesce(note, '-') || '|' || sample AS x FROM readings "
        "ORDER BY metric_id, segment, period) AS q",
        "SELECT group_concat(x, ';') FROM (SELECT node_id || '|' || coalesce(period, '-') || '|' "
        "|| status || '|' || coalesce(note, '-') AS x FROM milestone_updates ORDER BY id) AS q",
        "SELECT group_concat(x, ';') FROM (SELECT node_id || '|' || coalesce(period, '-') || '|' "
        "|| text AS x FROM commentary ORDER BY id) AS q",
    };
    const char *const *queries = whole ? everything : values;
    size_t count = whole ? sizeof everything / sizeof *everything : sizeof values / sizeof *values;
    struct text_buffer rows = {0};
    for (size_t i = 0; i < count; i++) {
        char *text = fixture_query_text(path, queries[i]);
        text_append(&rows, text ? text : "(none)");
        text_append(&rows, "\n");
        free(text);
    }
    return rows.data;
}

static void assert_rows_equal(const char *path, bool whole, const char *expected)
{
    char *rows = store_rows(path, whole);
    assert_string_equal(rows, expected);
    free(rows);
}

static const char june_readings[] =
    "board: {code: test-board}\n"
    "readings:\n"
    "  - {metric: \"1.1.1\", period: 2023-05, value: 20, note: \"revised\"}\n"
    "  - {metric: \"1.1.1\", period: 2023-06, value: 62.0}\n"
    "  - {metric: \"1.1.2a\", period: 2023-06, value: 4.5}\n"
    "milestone_updates:\n"
    "  - {deliverable: \"2.1.1\", period: 2023-06, status: at_risk, note: \"Builder late.\"}\n"
    "commentary:\n"
    "  - {node: \"1\", period: 2023-06, text: \"Checks fell in May.\"}\n";

/* An import over readings already there is one change: undo puts back the
 * replaced reading as it was and removes what was new, in one transaction
 * with one undo-import audit row; redo brings it back, and undoing again
 * finds the rows redo wrote. */
static void an_import_is_undone_and_redone(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    char *before = store_rows(fixture->path, true);
    struct board *board = fixture_parse(june_readings, "june.yaml");
    const char *name = "june.yaml";
    struct change change;
    assert_true(command_import_boards(fixture->store, &board, &name, 1, false, NULL, &change, &error));
    board_free(board);
    assert_int_equal(change.kind, CHANGE_IMPORT);
    assert_int_equal(change.part_count, 5);
    assert_int_equal(change.parts[0].kind, CHANGE_READING);
    assert_true(change.parts[0].had_old);
    assert_true(change.parts[0].old_value == 61.5);
    assert_null(change.parts[0].old_note);
    assert_false(change.parts[1].had_old);
    assert_int_equal(change.parts[3].kind, CHANGE_MILESTONE);
    assert_int_equal(change.parts[4].kind, CHANGE_COMMENT);
    assert_true(change.parts[3].row_id > 0 && change.parts[4].row_id > 0);
    char described[256];
    command_describe_change(&change, described, sizeof described);
    assert_string_equal(described, "the import of june.yaml (3 readings, 1 replaced)");
    char *imported = store_rows(fixture->path, false);

    assert_true(command_undo(fixture->store, &change, &error));
    assert_rows_equal(fixture->path, true, before);
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
    assert_query(fixture->path,
                 "SELECT count(*) || '|' || group_concat(old_value) FROM audit "
                 "WHERE action = 'undo-import'",
                 "1|june.yaml: 3 readings (1 replaced), 1 milestone updates, 1 comments");

    assert_true(command_redo(fixture->store, &change, &error));
    assert_rows_equal(fixture->path, false, imported);
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
    assert_last_audit(fixture->path, "action", "redo-import");

    /* The second undo removes the rows the redo added (their ids are new). */
    assert_true(command_undo(fixture->store, &change, &error));
    assert_rows_equal(fixture->path, true, before);
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
    change_free(&change);
    free(imported);
    free(before);
}

static const char new_board[] =
    "board:\n"
    "  code: new-board\n"
    "  title: \"A new board\"\n"
    "aims:\n"
    "  - code: \"1\"\n"
    "    title: \"An aim\"\n"
    "    objectives:\n"
    "      - code: \"1.1\"\n"
    "        title: \"An objective\"\n"
    "        deliverables:\n"
    "          - code: \"1.1.1\"\n"
    "            title: \"Checks\"\n"
    "            metric: {name: \"Checks\", unit: percent, direction: up,\n"
    "                     target: {value: 75, period: 2024-03}}\n"
    "          - code: \"1.1.2\"\n"
    "            title: \"A ward\"\n"
    "            milestone: {due: 2024-03, status: on_track}\n"
    "readings:\n"
    "  - {metric: \"1.1.1\", period: 2023-04, value: 60}\n"
    "commentary:\n"
    "  - {node: \"1\", period: 2023-04, text: \"Started.\"}\n";

/* An import that created a board is undone by removing the board whole
 * (with the readings the same import added elsewhere put back); its redo
 * is refused; and its undo is refused once the board has been written to. */
static void an_import_that_created_a_board_is_undone_by_removing_it(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    char *before = store_rows(fixture->path, true);
    struct board *boards[2] = {fixture_parse(new_board, "new.yaml"),
                               fixture_parse(fixture_readings, "july.yaml")};
    const char *names[] = {"new.yaml", "july.yaml"};
    struct change change;
    assert_true(command_import_boards(fixture->store, boards, names, 2, false, NULL, &change, &error));
    assert_int_equal(change.parts[0].kind, CHANGE_IMPORT);
    assert_string_equal(change.parts[0].board_code, "new-board");
    char described[256];
    command_describe_change(&change, described, sizeof described);
    assert_string_equal(described, "the import of new.yaml, july.yaml (3 readings, 0 replaced)");
    assert_query(fixture->path, "SELECT count(*) FROM boards", "2");

    assert_true(command_undo(fixture->store, &change, &error));
    assert_rows_equal(fixture->path, true, before);
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
    assert_query(fixture->path,
                 "SELECT group_concat(board_code || '|' || old_value, ';') FROM audit "
                 "WHERE action = 'undo-import'",
                 "new-board|new.yaml, july.yaml: 1 readings (0 replaced), 0 milestone updates, "
                 "1 comments, and the board it created;"
                 "test-board|new.yaml, july.yaml: 2 readings (0 replaced), 0 milestone updates, "
                 "0 comments");

    assert_false(command_redo(fixture->store, &change, &error));
    assert_string_equal(error.message,
                        "Cannot redo the import of new.yaml, july.yaml (3 readings, 0 replaced): "
                        "it created board 'new-board', which undo removed; import the file "
                        "again to bring it back.");
    error_clear(&error);
    assert_rows_equal(fixture->path, true, before);
    change_free(&change);

    /* Imported again, then written to: the undo would lose that write. */
    assert_true(command_import_boards(fixture->store, boards, names, 1, false, NULL, &change, &error));
    assert_true(command_record_reading(fixture->store, "new-board", "1.1.1", "61", "2023-05",
                                       NULL, NULL, NULL, NULL, &error));
    char *written = store_rows(fixture->path, true);
    assert_false(command_undo(fixture->store, &change, &error));
    assert_string_equal(error.message,
                        "Cannot undo the import of new.yaml (1 reading, 0 replaced): board "
                        "'new-board', which it created, has been changed since, and removing it "
                        "would lose those changes.");
    error_clear(&error);
    assert_rows_equal(fixture->path, true, written);
    assert_kept_statuses_are_fresh(fixture->store, "new-board");
    change_free(&change);
    free(written);
    free(before);
    board_free(boards[0]);
    board_free(boards[1]);
}

/* An import's change goes on a session's history like an edit. */
static void the_history_undoes_and_redoes_an_import(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct board *board = fixture_parse(fixture_readings, "july.yaml");
    const char *name = "july.yaml";
    struct change change;
    assert_true(command_import_boards(fixture->store, &board, &name, 1, false, NULL, &change, &error));
    board_free(board);
    struct command_history history = {0};
    command_history_push(&history, &change);
    char message[256];
    const char *code = "not set";
    assert_true(command_history_undo(&history, fixture->store, message, sizeof message, &code,
                                     &error));
    assert_string_equal(message, "Undid the import of july.yaml (2 readings, 0 replaced).");
    assert_null(code);
    assert_query(fixture->path, "SELECT count(*) FROM readings", "4");
    assert_true(command_history_redo(&history, fixture->store, message, sizeof message, &code,
                                     &error));
    assert_string_equal(message, "Redid the import of july.yaml (2 readings, 0 replaced).");
    assert_query(fixture->path, "SELECT count(*) FROM readings", "6");
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
    command_history_free(&history);
}

/* ---- Reporting months ---------------------------------------------------- */

static void an_open_month_is_the_default_month_of_every_write(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    assert_false(command_record_reading(fixture->store, "test-board", "1.1.1", "63", NULL, NULL,
                                        NULL, NULL, NULL, &error));
    assert_int_equal(error.status, EXIT_DATA);
    assert_string_equal(error.message, "No month is open on board 'test-board': give the month "
                                       "(--period YYYY-MM), or open one (boardpack month open "
                                       "YYYY-MM).");
    assert_false(command_open_month(fixture->store, "test-board", "9999-01", &error));
    assert_true(command_open_month(fixture->store, "test-board", "2023-06", &error));
    assert_last_audit(fixture->path, "action || ' ' || new_value", "open-month 2023-06");
    struct change change = {0};
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "63", NULL, NULL,
                                       NULL, NULL, &change, &error));
    assert_int_equal(change.period, yearmonth_make(2023, 6));
    change_free(&change);
    assert_true(command_set_milestone(fixture->store, "test-board", "2.1.1", MILESTONE_AT_RISK,
                                      NULL, NULL, NULL, NULL, &error));
    assert_true(command_add_comment(fixture->store, "test-board", "1.1", "On plan.", NULL, NULL,
                                    NULL, &error));
    assert_query(fixture->path, "SELECT group_concat(period) FROM (SELECT period FROM readings "
                                "WHERE value = 63 UNION ALL SELECT period FROM milestone_updates "
                                "WHERE status = 'at_risk' UNION ALL SELECT period FROM commentary) AS q",
                 "2023-06,2023-06,2023-06");
    /* A month with no readings before it says so. */
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "64", "2023-09",
                                       NULL, NULL, NULL, &change, &error));
    assert_int_equal(change.gap_first, yearmonth_make(2023, 7));
    assert_int_equal(change.gap_last, yearmonth_make(2023, 8));
    change_free(&change);
}

/* The deliverable's kept status in the working view. */
static struct board *working_board(struct fixture *fixture, struct board_status *status)
{
    struct error error = {0};
    struct board *board;
    assert_true(store_load_board(fixture->store, "test-board", YEARMONTH_NONE, &board, &error));
    board_evaluate(board, YEARMONTH_NONE, status);
    return board;
}

static void a_metric_not_yet_updated_awaits_the_open_month(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct board_status before;
    struct board *board = working_board(fixture, &before);
    size_t first = 0;
    while (strcmp(board->nodes[first].code, "1.1.1") != 0)
        first++;
    enum rag was = before.nodes[first].rag;
    assert_int_equal(before.board.awaiting, 0);
    board_status_free(&before, board->node_count);
    board_free(board);

    assert_true(command_open_month(fixture->store, "test-board", "2023-06", &error));
    struct board_status status;
    board = working_board(fixture, &status);
    assert_int_equal(status.as_at, yearmonth_make(2023, 6));
    assert_int_equal(status.open_month, yearmonth_make(2023, 6));
    /* Every deliverable awaits June and keeps May's status. */
    assert_int_equal(status.board.awaiting, 3);
    assert_true(status.metrics[first][0].awaiting);
    assert_false(status.metrics[first][0].stale);
    assert_int_equal(status.nodes[first].rag, was);
    board_status_free(&status, board->node_count);
    board_free(board);
    assert_kept_statuses_are_fresh(fixture->store, "test-board");

    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "40", NULL, NULL,
                                       NULL, NULL, NULL, &error));
    board = working_board(fixture, &status);
    assert_int_equal(status.board.awaiting, 2);
    assert_false(status.metrics[first][0].awaiting);
    assert_int_equal(status.nodes[first].rag, RAG_RED);
    board_status_free(&status, board->node_count);
    board_free(board);
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
}

/* A view's text report, as a string. */
static char *report_of(struct fixture *fixture, enum view_month view, yearmonth month)
{
    struct error error = {0};
    struct board *board;
    yearmonth at;
    assert_true(command_load_view(fixture->store, "test-board", view, month, &board, &at, &error));
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    assert_true(report_write(board, at, REPORT_CSV, true, out, &error));
    fclose(out);
    board_free(board);
    return text;
}

static void a_published_month_reads_the_same_after_corrections(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    assert_true(command_open_month(fixture->store, "test-board", "2023-06", &error));
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "63", NULL, NULL,
                                       NULL, NULL, NULL, &error));
    struct publish_summary summary;
    assert_true(command_publish_month(fixture->store, "test-board", "2023-06", &summary, &error));
    assert_int_equal(summary.deliverables, 3);
    assert_int_equal(summary.updated, 1);
    assert_true(summary.closed_open_month);
    assert_query(fixture->path, "SELECT open_month FROM boards WHERE code = 'test-board'", NULL);
    assert_false(command_publish_month(fixture->store, "test-board", "2023-06", &summary, &error));
    assert_string_equal(error.message, "Jun 2023 is already published on board 'test-board'.");
    assert_false(command_publish_month(fixture->store, "test-board", "2023-05", &summary, &error));
    assert_false(command_open_month(fixture->store, "test-board", "2023-06", &error));

    char *published = report_of(fixture, VIEW_PUBLISHED, YEARMONTH_NONE);
    char *as_of = report_of(fixture, VIEW_MONTH, yearmonth_make(2023, 6));
    assert_string_equal(published, as_of);
    struct board *board;
    bool found;
    assert_true(command_load_published(fixture->store, "test-board", YEARMONTH_NONE, &board, &found,
                                       &error));
    assert_true(found);
    assert_true(board->months.published);
    assert_int_equal(board->months.shown, yearmonth_make(2023, 6));
    assert_int_equal(board->months.revisions, 0);
    assert_non_null(board->months.published_by);
    board_free(board);

    /* A draft for July changes nothing in June as published. */
    assert_true(command_open_month(fixture->store, "test-board", "2023-07", &error));
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "70", NULL, NULL,
                                       NULL, NULL, NULL, &error));
    /* A correction to June needs a reason, and is kept with it. */
    size_t length_before;
    char *bytes_before = fixture_store_bytes(fixture->path, &length_before);
    assert_false(command_record_reading(fixture->store, "test-board", "1.1.1", "50", "2023-06",
                                        NULL, NULL, NULL, NULL, &error));
    assert_string_equal(error.message, "Jun 2023 has been published (the board is published up "
                                       "to Jun 2023); a correction to it needs a reason.");
    size_t length_after;
    char *bytes_after = fixture_store_bytes(fixture->path, &length_after);
    assert_int_equal(length_before, length_after);
    assert_memory_equal(bytes_before, bytes_after, length_before);
    free(bytes_before);
    free(bytes_after);
    struct change change = {0};
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "50", "2023-06",
                                       NULL, NULL, "Typed from the wrong sheet", &change, &error));
    assert_query(fixture->path, "SELECT period || ' ' || reason FROM revisions",
                 "2023-06 Typed from the wrong sheet");
    char *again = report_of(fixture, VIEW_PUBLISHED, YEARMONTH_NONE);
    assert_string_equal(published, again);
    assert_true(command_load_published(fixture->store, "test-board", yearmonth_make(2023, 6), &board,
                                       &found, &error));
    assert_int_equal(board->months.revisions, 1);
    board_free(board);
    /* The month as the store has it now differs. */
    struct board *live;
    assert_true(store_load_board(fixture->store, "test-board", yearmonth_make(2023, 6), &live,
                                 &error));
    const struct metric *metric = board_find_metric(live, "1.1.1", NULL);
    assert_true(metric_latest_reading(metric)->value == 50);
    board_free(live);
    /* Undoing the correction is a correction too, with its reason. */
    assert_true(command_undo(fixture->store, &change, &error));
    assert_query(fixture->path, "SELECT count(*) FROM revisions", "2");
    change_free(&change);
    free(published);
    free(as_of);
    free(again);
}

static void movement_is_measured_from_the_last_published_month(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct publish_summary summary;
    struct change before_publication = {0};
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "61.6", "2023-05",
                                       NULL, NULL, NULL, &before_publication, &error));
    assert_true(command_publish_month(fixture->store, "test-board", "2023-05", &summary, &error));
    /* A change made before May was published cannot be undone after. */
    assert_false(command_undo(fixture->store, &before_publication, &error));
    assert_string_equal(error.message, "Cannot undo the reading for 1.1.1, May 2023 (61.6): May "
                                       "2023 has been published since; correct it instead, with "
                                       "a reason.");
    change_free(&before_publication);
    /* Just published, with no month open, the working figures are May's:
     * nothing was published before May to move from. */
    struct board *just;
    yearmonth just_at;
    assert_true(command_load_view(fixture->store, "test-board", VIEW_WORKING, YEARMONTH_NONE,
                                  &just, &just_at, &error));
    assert_int_equal(just->months.previous, YEARMONTH_NONE);
    board_free(just);
    assert_true(command_open_month(fixture->store, "test-board", "2023-06", &error));
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "30", NULL, NULL,
                                       NULL, NULL, NULL, &error));
    struct board *board;
    yearmonth at;
    assert_true(command_load_view(fixture->store, "test-board", VIEW_WORKING, YEARMONTH_NONE,
                                  &board, &at, &error));
    assert_int_equal(board->months.previous, yearmonth_make(2023, 5));
    struct board_status status;
    board_evaluate(board, at, &status);
    const struct node *node = board_find_node(board, "1.1.1");
    size_t index = (size_t)(node - board->nodes);
    assert_true(node->has_previous);
    assert_int_equal(status.nodes[index].rag, RAG_RED);
    assert_int_equal(rag_movement(node->previous_rag, status.nodes[index].rag), -1);
    assert_true(board_view_is_provisional(board, status.as_at));
    board_status_free(&status, board->node_count);
    board_free(board);
    /* The lazily loaded tree carries the same previous statuses. */
    assert_true(store_load_board_top(fixture->store, "test-board", &board, &error));
    assert_true(board->nodes[0].has_previous);
    board_free(board);
    /* Published May shows as published, with no movement before it. */
    assert_true(command_load_view(fixture->store, "test-board", VIEW_PUBLISHED, YEARMONTH_NONE,
                                  &board, &at, &error));
    assert_false(board_view_is_provisional(board, yearmonth_make(2023, 5)));
    assert_false(board->nodes[0].has_previous);
    board_free(board);
}

static void a_removed_reading_is_audited_with_its_reason_and_undoable(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct change change = {0};
    assert_false(command_delete_reading(fixture->store, "test-board", "1.1.1", "2023-05", NULL,
                                        "", &change, &error));
    assert_string_equal(error.message, "Removing a reading needs a reason.");
    assert_false(command_delete_reading(fixture->store, "test-board", "1.1.1", "2023-07", NULL,
                                        "wrong month", &change, &error));
    assert_string_equal(error.message, "There is no reading for 1.1.1 in Jul 2023 to remove.");
    assert_true(command_delete_reading(fixture->store, "test-board", "1.1.1", "2023-05",
                                       "Barnet", "typed as the wrong borough", &change, &error));
    assert_query(fixture->path, "SELECT count(*) FROM readings WHERE segment = 'Barnet'", "0");
    assert_last_audit(fixture->path, "action || ' ' || old_value || ' ' || new_value",
                      "delete-reading 2023-05 Barnet=55 removed: typed as the wrong borough");
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
    struct command_history history = {0};
    command_history_push(&history, &change);
    char message[256];
    const char *code = NULL;
    assert_true(command_history_undo(&history, fixture->store, message, sizeof message, &code,
                                     &error));
    assert_string_equal(message,
                        "Undid the removal of the reading for 1.1.1 Barnet, May 2023 (55).");
    assert_query(fixture->path, "SELECT value FROM readings WHERE segment = 'Barnet'", "55.0");
    assert_true(command_history_redo(&history, fixture->store, message, sizeof message, &code,
                                     &error));
    assert_query(fixture->path, "SELECT count(*) FROM readings WHERE segment = 'Barnet'", "0");
    command_history_free(&history);
    /* In a published month the removal is a correction too. */
    struct publish_summary summary;
    assert_true(command_publish_month(fixture->store, "test-board", "2023-05", &summary, &error));
    assert_true(command_delete_reading(fixture->store, "test-board", "1.1.1", "2023-05", NULL,
                                       "not a real figure", NULL, &error));
    assert_query(fixture->path, "SELECT what || ' ' || reason FROM revisions",
                 "delete-reading not a real figure");
}

static void an_import_into_a_published_month_needs_a_reason(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct publish_summary summary;
    assert_true(command_publish_month(fixture->store, "test-board", "2023-06", &summary, &error));
    static const char late[] = "board: {code: test-board}\n"
                               "readings:\n"
                               "  - {metric: \"1.1.1\", period: 2023-07, value: 64}\n"
                               "  - {metric: \"1.1.1\", period: 2023-05, value: 61}\n";
    struct board *board = fixture_parse(late, "late.yaml");
    const char *name = "late.yaml";
    size_t length_before;
    char *before = fixture_store_bytes(fixture->path, &length_before);
    assert_false(command_import_boards(fixture->store, &board, &name, 1, false, NULL, NULL,
                                       &error));
    assert_string_equal(error.message,
                        "late.yaml:4:5: error: May 2023 has been published (the board is "
                        "published up to Jun 2023); a correction to it needs a reason; give one "
                        "with import --reason TEXT");
    size_t length_after;
    char *after = fixture_store_bytes(fixture->path, &length_after);
    assert_int_equal(length_before, length_after);
    assert_memory_equal(before, after, length_before);
    free(before);
    free(after);
    assert_true(command_import_boards(fixture->store, &board, &name, 1, false,
                                      "Late return from the borough", NULL, &error));
    assert_query(fixture->path, "SELECT period || ' ' || old_value || ' ' || new_value || ' ' || "
                                "reason FROM revisions",
                 "2023-05 2023-05=61.5 2023-05=61 Late return from the borough");
    board_free(board);
}

static void commentary_and_milestone_updates_are_removed_with_a_reason(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct change added = {0};
    assert_true(command_add_comment(fixture->store, "test-board", "1.1", "Wrong board.",
                                    "2023-05", NULL, &added, &error));
    char *entered = fixture_query_text(fixture->path, "SELECT entered_by || entered_at FROM "
                                                      "commentary WHERE text = 'Wrong board.'");
    struct change removed = {0};
    assert_false(command_remove_comment(fixture->store, "test-board", "1.1", added.row_id, "",
                                        &removed, &error));
    assert_string_equal(error.message, "Removing commentary needs a reason.");
    assert_false(command_remove_comment(fixture->store, "test-board", "1.1.1", added.row_id,
                                        "typo", &removed, &error));
    assert_string_equal(error.message, "1.1.1 has no such comment to remove.");
    assert_true(command_remove_comment(fixture->store, "test-board", "1.1", added.row_id,
                                       "meant for another board", &removed, &error));
    assert_query(fixture->path, "SELECT count(*) FROM commentary", "0");
    assert_last_audit(fixture->path, "action || ' ' || old_value || ' ' || new_value",
                      "remove-comment Wrong board. removed: meant for another board");
    assert_true(command_undo(fixture->store, &removed, &error));
    assert_query(fixture->path, "SELECT entered_by || entered_at FROM commentary", entered);
    assert_true(command_redo(fixture->store, &removed, &error));
    assert_query(fixture->path, "SELECT count(*) FROM commentary", "0");
    change_free(&added);
    change_free(&removed);
    free(entered);

    assert_true(command_set_milestone(fixture->store, "test-board", "2.1.1", MILESTONE_OFF_TRACK,
                                      "2023-05", NULL, NULL, &added, &error));
    assert_true(command_remove_milestone_update(fixture->store, "test-board", "2.1.1",
                                                added.row_id, "set on the wrong ward", &removed,
                                                &error));
    assert_query(fixture->path, "SELECT count(*) FROM milestone_updates WHERE status = 'off_track'",
                 "0");
    char message[200];
    command_describe_change(&removed, message, sizeof message);
    assert_string_equal(message, "the removal of 2.1.1's status off track for May 2023");
    assert_true(command_undo(fixture->store, &removed, &error));
    assert_query(fixture->path, "SELECT count(*) FROM milestone_updates WHERE status = 'off_track'",
                 "1");
    change_free(&added);
    change_free(&removed);
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
}

/* ---- A readings CSV feed ----------------------------------------------- */

/* Writes `text` to the file `path` (a feed for the test). */
static void write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
}

struct collected {
    struct text_buffer errors;
    size_t progress_calls;
};

static void collect_error(void *context, const char *message)
{
    struct collected *collected = context;
    text_append(&collected->errors, message);
    text_append(&collected->errors, "\n");
}

static void count_progress(void *context, const char *file, size_t rows)
{
    (void)file;
    (void)rows;
    ((struct collected *)context)->progress_calls++;
}

/* A feed is one change like a YAML import: new and replaced rows are its
 * parts (an unchanged row is none), undo puts the store back as it was,
 * redo writes them again; a dry run counts the same and writes nothing. */
static void a_csv_feed_is_counted_undone_and_redone(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    char feed[192];
    snprintf(feed, sizeof feed, "%s/june.csv", fixture->directory);
    write_file(feed, "metric,period,value,segment,note\r\n"
                     "1.1.1,2023-05,20,,revised\r\n"
                     "1.1.1,2023-06,62,,\r\n"
                     "1.1.1,2023-05,55,Barnet,\r\n"
                     "1.1.2a,2023-06,4.5,,\r\n");
    const char *paths[] = {feed};
    char *before = store_rows(fixture->path, true);
    size_t length_before;
    char *bytes_before = fixture_store_bytes(fixture->path, &length_before);

    struct collected collected = {0};
    struct feed_options options = {.dry_run = true, .on_error = collect_error,
                                   .on_progress = count_progress, .progress_every = 2,
                                   .context = &collected};
    struct feed_counts counts;
    assert_true(command_import_readings_csv(fixture->store, "test-board", paths, 1, &options,
                                            &counts, NULL, &error));
    assert_int_equal(counts.rows, 4);
    assert_int_equal(counts.added, 2);
    assert_int_equal(counts.replaced, 1);
    assert_int_equal(counts.unchanged, 1);
    assert_int_equal(collected.progress_calls, 2);
    size_t length_after;
    char *bytes_after = fixture_store_bytes(fixture->path, &length_after);
    assert_int_equal(length_after, length_before);
    assert_memory_equal(bytes_after, bytes_before, length_before);
    free(bytes_after);

    options.dry_run = false;
    struct change change;
    assert_true(command_import_readings_csv(fixture->store, "test-board", paths, 1, &options,
                                            &counts, &change, &error));
    assert_int_equal(counts.added, 2);
    assert_int_equal(change.kind, CHANGE_IMPORT);
    assert_int_equal(change.part_count, 3);
    assert_true(change.parts[0].had_old && change.parts[0].old_value == 61.5);
    assert_string_equal(change.parts[0].new_note, "revised");
    assert_false(change.parts[1].had_old);
    assert_string_equal(collected.errors.data ? collected.errors.data : "", "");
    char audited[512];
    snprintf(audited, sizeof audited,
             "import|-|%s: 4 readings (2 new, 1 replaced, 1 unchanged);"
             "import-replace-reading|2023-05=61.5|2023-05=20",
             feed);
    assert_query(fixture->path,
                 "SELECT group_concat(action || '|' || coalesce(old_value, '-') || '|' || "
                 "new_value, ';') FROM (SELECT * FROM audit ORDER BY id DESC LIMIT 2) AS q",
                 audited);
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
    char described[256];
    command_describe_change(&change, described, sizeof described);
    char *imported = store_rows(fixture->path, false);

    assert_true(command_undo(fixture->store, &change, &error));
    assert_rows_equal(fixture->path, true, before);
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
    assert_true(command_redo(fixture->store, &change, &error));
    assert_rows_equal(fixture->path, false, imported);
    assert_true(command_undo(fixture->store, &change, &error));
    assert_rows_equal(fixture->path, true, before);
    change_free(&change);

    /* The command line's form: no change wanted, no parts kept. */
    assert_true(command_import_readings_csv(fixture->store, "test-board", paths, 1, NULL,
                                            &counts, NULL, &error));
    assert_rows_equal(fixture->path, false, imported);
    /* Again: every row unchanged, and nothing written at all. */
    free(bytes_before);
    bytes_before = fixture_store_bytes(fixture->path, &length_before);
    assert_true(command_import_readings_csv(fixture->store, "test-board", paths, 1, NULL,
                                            &counts, NULL, &error));
    assert_int_equal(counts.unchanged, 4);
    bytes_after = fixture_store_bytes(fixture->path, &length_after);
    assert_int_equal(length_after, length_before);
    assert_memory_equal(bytes_after, bytes_before, length_before);
    free(bytes_after);
    free(bytes_before);
    free(imported);
    free(before);
    text_free(&collected.errors);
}

/* Every bad row is handed on, located, up to the limit and then counted;
 * the first is the error returned; nothing is written. */
static void a_bad_feed_reports_every_row_and_writes_nothing(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    char feed[192];
    snprintf(feed, sizeof feed, "%s/bad.csv", fixture->directory);
    write_file(feed, "value,metric,period\n"
                     "61,1.1.1,2023-07\n"
                     "x,1.1.1,2023-08\n"
                     "101,1.1.1,2023-09\n"
                     "5,2.1.1,2023-09\n"
                     "-1,1.1.2b,2023-09\n");
    const char *paths[] = {feed};
    size_t length_before;
    char *bytes_before = fixture_store_bytes(fixture->path, &length_before);
    struct collected collected = {0};
    struct feed_options options = {.error_limit = 3, .on_error = collect_error,
                                   .context = &collected};
    struct feed_counts counts;
    assert_false(command_import_readings_csv(fixture->store, "test-board", paths, 1, &options,
                                             &counts, NULL, &error));
    assert_int_equal(error.status, EXIT_DATA);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s:3:1: error: 'x' is not a number\n"
             "%s:4:1: error: a percentage must be between 0 and 100; 101 was refused\n"
             "%s:5:3: error: board 'test-board' has no metric '2.1.1'\n"
             "... and 1 more error\n",
             feed, feed, feed);
    assert_string_equal(collected.errors.data, expected);
    snprintf(expected, sizeof expected, "%s:3:1: error: 'x' is not a number", feed);
    assert_string_equal(error.message, expected);
    size_t length_after;
    char *bytes_after = fixture_store_bytes(fixture->path, &length_after);
    assert_int_equal(length_after, length_before);
    assert_memory_equal(bytes_after, bytes_before, length_before);
    free(bytes_after);
    free(bytes_before);
    text_free(&collected.errors);
}

/* record and a feed refuse the same things with the same words. */
static void a_reading_is_checked_as_record_checks_it(void **state)
{
    (void)state;
    struct metric_ref percent = {.metric_id = 1, .unit = UNIT_PERCENT, .code = "1.1.1"};
    struct metric_ref borough = {.metric_id = 2, .unit = UNIT_COUNT, .code = "1.1.2",
                                 .breakdown = "borough"};
    struct error error = {0};
    double value;
    yearmonth period;
    enum reading_field at;
    assert_true(command_check_reading(&percent, "87.1%", "2023-04", NULL, "fine", &value,
                                      &period, &at, &error));
    assert_true(value == 87.1);
    assert_false(command_check_reading(&percent, "5", "2023-04", "Barnet", NULL, &value, &period,
                                       &at, &error));
    assert_int_equal(at, READING_FIELD_SEGMENT);
    assert_string_equal(error.message,
                        "Metric '1.1.1' has no breakdown, so its readings cannot have a segment.");
    assert_true(command_check_reading(&borough, "5", "2023-04", "Barnet", NULL, &value, &period,
                                      &at, &error));
    assert_false(command_check_reading(&borough, "5.5", "2023-04", NULL, NULL, &value, &period,
                                       &at, &error));
    assert_int_equal(at, READING_FIELD_VALUE);
    assert_false(command_check_reading(&borough, "5", "2023-4", NULL, NULL, &value, &period, &at,
                                       &error));
    assert_int_equal(at, READING_FIELD_PERIOD);
    assert_false(command_check_reading(&borough, "5", "2023-04", NULL, "a\nb", &value, &period,
                                       &at, &error));
    assert_int_equal(at, READING_FIELD_NOTE);
    assert_false(command_check_reading(&borough, "5", "2023-04", "", NULL, &value, &period, &at,
                                       &error));
    assert_int_equal(at, READING_FIELD_SEGMENT);
}

/* The store writes a feed in batches; what comes of each row is still what
 * row-by-row writing would make of it, in a batch that mixes new rows,
 * rows already there and a row given twice (the later one wins). */
static void a_feed_in_batches_counts_as_row_by_row(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    char feed[192];
    snprintf(feed, sizeof feed, "%s/batches.csv", fixture->directory);
    struct text_buffer text = {0};
    text_append(&text, "metric,period,value,segment,note\n");
    for (int month = 0; month < 40; month++) {
        /* 2020-01 to 2023-04; the last is the stored 60.1. */
        text_appendf(&text, "1.1.1,%d-%02d,%s,,\n", 2020 + month / 12, month % 12 + 1,
                     month == 39 ? "60.1" : month == 1 ? "5" : "50");
        if (month == 1)
            text_append(&text, "1.1.1,2020-02,7,,twice\n");
    }
    text_append(&text, "1.1.2b,2023-05,120,,from ESR\n1.1.1,2023-05,61.5,Barnet,\n");
    write_file(feed, text.data);
    text_free(&text);
    const char *paths[] = {feed};
    char *before = store_rows(fixture->path, true);
    struct feed_counts counts;
    struct change change;
    assert_true(command_import_readings_csv(fixture->store, "test-board", paths, 1, NULL, &counts,
                                            &change, &error));
    assert_int_equal(counts.rows, 43);
    assert_int_equal(counts.added, 39);
    assert_int_equal(counts.replaced, 2);
    assert_int_equal(counts.unchanged, 2);
    assert_int_equal(change.part_count, 41);
    /* The row given twice: new, then replaced by its second value. */
    assert_false(change.parts[1].had_old);
    assert_true(change.parts[2].had_old && change.parts[2].old_value == 5 &&
                change.parts[2].new_value == 7);
    assert_true(change.parts[40].had_old && change.parts[40].old_value == 55);
    assert_query(fixture->path,
                 "SELECT value || '|' || note FROM readings WHERE period = '2020-02'", "7.0|twice");
    assert_query(fixture->path, "SELECT count(*) FROM readings", "43");
    assert_kept_statuses_are_fresh(fixture->store, "test-board");
    assert_true(command_undo(fixture->store, &change, &error));
    assert_rows_equal(fixture->path, true, before);
    change_free(&change);
    free(before);
}

/* A dry run of board files: the import's counts, and the store byte for
 * byte as it was. */
static void a_dry_run_of_board_files_counts_and_writes_nothing(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    struct board *boards[2] = {fixture_parse(june_readings, "june.yaml"),
                               fixture_parse(fixture_readings, "july.yaml")};
    const char *names[2] = {"june.yaml", "july.yaml"};
    size_t length_before;
    char *bytes_before = fixture_store_bytes(fixture->path, &length_before);
    struct feed_counts counts[2];
    bool created[2];
    assert_true(command_count_import_boards(fixture->store, boards, names, 2, counts, created, NULL,
                                            &error));
    assert_int_equal(counts[0].rows, 3);
    assert_int_equal(counts[0].added, 2);
    assert_int_equal(counts[0].replaced, 1);
    /* July's readings are June's own 2023-06 ones again: the same. */
    assert_int_equal(counts[1].unchanged, 2);
    assert_false(created[0] || created[1]);
    size_t length_after;
    char *bytes_after = fixture_store_bytes(fixture->path, &length_after);
    assert_int_equal(length_after, length_before);
    assert_memory_equal(bytes_after, bytes_before, length_before);
    free(bytes_after);
    free(bytes_before);
    board_free(boards[0]);
    board_free(boards[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values_are_checked_against_the_unit),
        cmocka_unit_test(white_space_alone_is_not_a_number),
        cmocka_unit_test(periods_and_notes_are_checked),
        FIXTURE_TEST_WITH_BOARD(notes_have_a_maximum_length),
        FIXTURE_TEST_WITH_BOARD(recording_writes_the_reading_and_an_audit_row),
        FIXTURE_TEST_WITH_BOARD(refused_values_leave_the_store_byte_for_byte_unchanged),
        FIXTURE_TEST_WITH_BOARD(recording_an_undeclared_segment_is_refused),
        FIXTURE_TEST_WITH_BOARD(milestones_and_commentary_are_audited_and_undoable),
        FIXTURE_TEST_WITH_BOARD(an_import_is_audited_and_keeps_the_statuses),
        FIXTURE_TEST_WITH_BOARD(a_failed_import_writes_nothing),
        FIXTURE_TEST_WITH_BOARD(seeding_imports_the_bundled_boards_through_the_command_layer),
        FIXTURE_TEST_WITH_BOARD(missing_statuses_are_filled_by_the_command_layer),
        FIXTURE_TEST_WITH_BOARD(a_read_only_store_refuses_every_command),
        FIXTURE_TEST_WITH_BOARD(the_history_undoes_and_redoes_in_order),
        FIXTURE_TEST_WITH_BOARD(a_busy_store_is_reported_in_one_sentence),
        FIXTURE_TEST_WITH_BOARD(an_import_is_undone_and_redone),
        FIXTURE_TEST_WITH_BOARD(an_import_that_created_a_board_is_undone_by_removing_it),
        FIXTURE_TEST_WITH_BOARD(the_history_undoes_and_redoes_an_import),
        FIXTURE_TEST_WITH_BOARD(an_open_month_is_the_default_month_of_every_write),
        FIXTURE_TEST_WITH_BOARD(a_metric_not_yet_updated_awaits_the_open_month),
        FIXTURE_TEST_WITH_BOARD(a_published_month_reads_the_same_after_corrections),
        FIXTURE_TEST_WITH_BOARD(movement_is_measured_from_the_last_published_month),
        FIXTURE_TEST_WITH_BOARD(a_removed_reading_is_audited_with_its_reason_and_undoable),
        FIXTURE_TEST_WITH_BOARD(an_import_into_a_published_month_needs_a_reason),
        FIXTURE_TEST_WITH_BOARD(commentary_and_milestone_updates_are_removed_with_a_reason),
        FIXTURE_TEST_WITH_BOARD(a_csv_feed_is_counted_undone_and_redone),
        FIXTURE_TEST_WITH_BOARD(a_bad_feed_reports_every_row_and_writes_nothing),
        FIXTURE_TEST_WITH_BOARD(a_feed_in_batches_counts_as_row_by_row),
        FIXTURE_TEST_WITH_BOARD(a_dry_run_of_board_files_counts_and_writes_nothing),
        cmocka_unit_test(a_reading_is_checked_as_record_checks_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
