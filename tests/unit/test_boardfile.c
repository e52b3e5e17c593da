/* test_boardfile.c — board files: a good file reads into the right tree; every
 * kind of bad file gives its exact located message; hostile files are refused
 * without crashing; writing YAML and reading it back gives the same board;
 * CSV quoting; and every bundled file in data/ reads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boardfile.h"
#include "fixture.h"

static struct board *parse(const char *text)
{
    return fixture_parse(text, "t.yaml");
}

/* The file is refused with exactly this message (and status 65). */
static void assert_refused_length(const char *text, size_t length, const char *expected)
{
    struct board *board = (struct board *)0x1;
    struct error error = {0};
    bool ok = boardfile_read_bytes(text, length, "t.yaml", &board, &error);
    if (ok) {
        board_free(board);
        fail_msg("accepted, expected: %s", expected);
    }
    assert_ptr_equal(board, (struct board *)0x1); /* *out untouched */
    assert_int_equal(error.status, EXIT_DATA);
    assert_string_equal(error.message, expected);
}

static void assert_refused(const char *text, const char *expected)
{
    assert_refused_length(text, strlen(text), expected);
}

static char *write_yaml(const struct board *board)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    assert_non_null(out);
    struct error error = {0};
    if (!boardfile_write_yaml(board, out, &error))
        fail_msg("%s", error.message);
    fclose(out);
    return text;
}

/* A small whole board whose structure is valid, for error tests to extend:
 * line 11 is the metric of deliverable 1.1.1, line 14 the milestone 1.1.2. */
#define BASE                                                                         \
    "board: {code: b, title: \"T\"}\n"                                               \
    "aims:\n"                                                                        \
    "  - code: \"1\"\n"                                                              \
    "    title: \"Aim\"\n"                                                           \
    "    objectives:\n"                                                              \
    "      - code: \"1.1\"\n"                                                        \
    "        title: \"Objective\"\n"                                                 \
    "        deliverables:\n"                                                        \
    "          - code: \"1.1.1\"\n"                                                  \
    "            title: \"Deliverable\"\n"                                           \
    "            metric: {name: \"M\", unit: percent, direction: up, target: {value: 90}}\n" \
    "          - code: \"1.1.2\"\n"                                                  \
    "            title: \"Milestone\"\n"                                             \
    "            milestone: {due: 2024-03}\n"

/* ---- A good file ------------------------------------------------------- */

static void test_good_file_reads_into_the_tree(void **state)
{
    (void)state;
    struct board *board = parse(fixture_board);
    assert_string_equal(board->code, "test-board");
    assert_string_equal(board->title, "A test board – with £ and ’quotes’");
    assert_string_equal(board->reporting_period, "2023/24");
    assert_string_equal(board->purpose, "To test");
    assert_string_equal(board->vision, "Tests pass");
    assert_int_equal(board->value_count, 1);
    assert_string_equal(board->values[0].name, "We are kind");
    assert_string_equal(board->values[0].text, "We show empathy");
    assert_false(board->readings_only);
    assert_false(board->sample);
    assert_int_equal(board->where.line, 2);
    assert_int_equal(board->where.column, 3);

    static const struct {
        const char *code;
        enum level level;
        size_t parent, subtree_end, depth;
    } expected[] = {
        {"1", LEVEL_AIM, NODE_NONE, 4, 0},          {"1.1", LEVEL_OBJECTIVE, 0, 4, 1},
        {"1.1.1", LEVEL_DELIVERABLE, 1, 3, 2},      {"1.1.2", LEVEL_DELIVERABLE, 1, 4, 2},
        {"2", LEVEL_AIM, NODE_NONE, 7, 0},          {"2.1", LEVEL_OBJECTIVE, 4, 7, 1},
        {"2.1.1", LEVEL_DELIVERABLE, 5, 7, 2},
    };
    assert_int_equal(board->node_count, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(board->nodes[i].code, expected[i].code);
        assert_int_equal(board->nodes[i].level, expected[i].level);
        assert_int_equal(board->nodes[i].parent, expected[i].parent);
        assert_int_equal(board->nodes[i].subtree_end, expected[i].subtree_end);
        assert_int_equal(board->nodes[i].depth, expected[i].depth);
        assert_null(board->nodes[i].lead);
    }
    assert_string_equal(board->nodes[0].title, "First aim");
    assert_int_equal(board->nodes[0].where.line, 10);
    assert_int_equal(board->nodes[0].where.column, 5);

    const struct node *checks = &board->nodes[2];
    assert_int_equal(checks->metric_count, 1);
    const struct metric *metric = &checks->metrics[0];
    assert_string_equal(metric->code, "1.1.1"); /* a single metric takes its deliverable's code */
    assert_string_equal(metric->name, "Checks");
    assert_int_equal(metric->unit, UNIT_PERCENT);
    assert_int_equal(metric->direction, DIRECTION_UP);
    assert_true(metric->has_baseline);
    assert_true(metric->baseline == 58.5);
    assert_int_equal(metric->baseline_period, yearmonth_make(2023, 3));
    assert_true(metric->target == 75);
    assert_int_equal(metric->target_period, yearmonth_make(2024, 3));
    assert_string_equal(metric->breakdown, "borough");
    assert_false(metric->has_tolerance);
    assert_int_equal(metric->stale_months, 0);
    assert_int_equal(metric->trajectory_count, 0);
    struct spc_settings defaults = spc_default_settings();
    assert_memory_equal(&metric->spc, &defaults, sizeof defaults);
    assert_int_equal(metric->reading_count, 0); /* the store attaches readings */

    const struct node *apprenticeships = &board->nodes[3];
    assert_int_equal(apprenticeships->metric_count, 2);
    assert_string_equal(apprenticeships->metrics[0].code, "1.1.2a");
    assert_string_equal(apprenticeships->metrics[1].code, "1.1.2b");
    assert_int_equal(apprenticeships->metrics[1].unit, UNIT_COUNT);
    assert_true(apprenticeships->metrics[1].target == 225);

    const struct node *ward = &board->nodes[6];
    assert_true(ward->has_milestone);
    assert_int_equal(ward->metric_count, 0);
    assert_int_equal(ward->milestone.due, yearmonth_make(2024, 3));
    assert_int_equal(ward->milestone.update_count, 1);
    assert_int_equal(ward->milestone.updates[0].status, MILESTONE_ON_TRACK);
    assert_int_equal(ward->milestone.updates[0].period, YEARMONTH_NONE);

    assert_int_equal(board->reading_count, 4);
    const struct reading *reading = &board->readings[2];
    assert_string_equal(reading->metric_code, "1.1.1");
    assert_int_equal(reading->period, yearmonth_make(2023, 5));
    assert_true(reading->value == 55);
    assert_string_equal(reading->segment, "Barnet");
    assert_null(reading->note);
    assert_int_equal(reading->where.line, 40);
    assert_int_equal(reading->where.column, 5);
    assert_string_equal(board->readings[3].note, "from ESR");
    assert_true(board->readings[3].value == 120);
    board_free(board);
}

static void test_codes_may_be_plain_numbers(void **state)
{
    (void)state;
    struct board *board = parse("board: {code: 2023, title: T}\n"
                                "aims:\n"
                                "  - {code: 1, title: 2024,\n"
                                "     objectives: [{code: 1.10, title: x, deliverables: []}]}\n");
    assert_string_equal(board->code, "2023");
    assert_string_equal(board->nodes[0].code, "1");
    assert_string_equal(board->nodes[0].title, "2024");
    assert_string_equal(board->nodes[1].code, "1.10"); /* as written, not the number 1.1 */
    board_free(board);
}

static void test_metric_options(void **state)
{
    (void)state;
    struct board *board = parse(BASE "readings: []\n"
                                     "commentary: []\n");
    board_free(board);
    board = parse("board: {code: b, title: T, sample: true}\n"
                  "aims:\n"
                  "  - code: \"1\"\n"
                  "    title: \"Aim\"\n"
                  "    lead: \"Chief Executive\"\n"
                  "    objectives:\n"
                  "      - code: \"1.1\"\n"
                  "        title: \"Objective\"\n"
                  "        deliverables:\n"
                  "          - code: \"1.1.1\"\n"
                  "            title: \"Waits\"\n"
                  "            metric:\n"
                  "              name: \"Median wait\"\n"
                  "              unit: days\n"
                  "              direction: down\n"
                  "              trajectory: {2023-09: 35, 2023-06: 38.5}\n"
                  "              target: {value: 28}\n"
                  "              tolerance: 2.5\n"
                  "              stale_after: 6\n"
                  "              spc: {minimum_points: 20, shift_length: 8, trend_length: 6,\n"
                  "                    screen_moving_ranges: true, rebase: [2023-10, 2023-04],\n"
                  "                    conflict: improvement}\n"
                  "          - code: \"1.1.2\"\n"
                  "            title: \"Ward\"\n"
                  "            milestone: {due: 2024-03, status: at_risk}\n"
                  "readings:\n"
                  "  - {metric: \"1.1.1\", period: 2023-04, value: 39, note: \"\", by: ann,\n"
                  "     at: \"2023-05-02T09:30:00Z\", sample: false}\n"
                  "milestone_updates:\n"
                  "  - {deliverable: \"1.1.2\", status: complete}\n"
                  "commentary:\n"
                  "  - {node: \"1.1\", text: \"Fine\"}\n");
    const struct metric *metric = &board->nodes[2].metrics[0];
    assert_string_equal(board->nodes[0].lead, "Chief Executive");
    assert_int_equal(metric->unit, UNIT_DAYS);
    assert_int_equal(metric->direction, DIRECTION_DOWN);
    assert_false(metric->has_baseline);
    assert_int_equal(metric->target_period, YEARMONTH_NONE);
    assert_int_equal(metric->trajectory_count, 2); /* sorted by period */
    assert_int_equal(metric->trajectory[0].period, yearmonth_make(2023, 6));
    assert_true(metric->trajectory[0].value == 38.5);
    assert_int_equal(metric->trajectory[1].period, yearmonth_make(2023, 9));
    assert_true(metric->has_tolerance);
    assert_true(metric->tolerance == 2.5);
    assert_int_equal(metric->stale_months, 6);
    assert_int_equal(metric->spc.minimum_points, 20);
    assert_int_equal(metric->spc.shift_length, 8);
    assert_int_equal(metric->spc.trend_length, 6);
    assert_true(metric->spc.screen_moving_ranges);
    assert_int_equal(metric->spc.rebase_count, 2);
    assert_int_equal(metric->spc.rebase_periods[0], yearmonth_make(2023, 4));
    assert_int_equal(metric->spc.rebase_periods[1], yearmonth_make(2023, 10));
    assert_int_equal(metric->spc.conflict, SPC_CONFLICT_IMPROVEMENT);
    assert_int_equal(metric->spc.board_conflict, SPC_CONFLICT_DEFAULT);
    assert_int_equal(board->spc_conflict, SPC_CONFLICT_DEFAULT);
    /* A sample board marks everything it adds as sample, whatever the item says. */
    assert_true(board->sample);
    assert_true(board->readings[0].sample);
    assert_string_equal(board->readings[0].note, "");
    assert_string_equal(board->readings[0].entered_by, "ann");
    assert_string_equal(board->readings[0].entered_at, "2023-05-02T09:30:00Z");
    assert_true(board->nodes[3].milestone.updates[0].sample);
    assert_int_equal(board->nodes[3].milestone.updates[0].status, MILESTONE_AT_RISK);
    assert_int_equal(board->milestone_update_count, 1);
    assert_string_equal(board->milestone_updates[0].node_code, "1.1.2");
    assert_int_equal(board->milestone_updates[0].status, MILESTONE_COMPLETE);
    assert_int_equal(board->milestone_updates[0].period, YEARMONTH_NONE);
    assert_true(board->milestone_updates[0].sample);
    assert_int_equal(board->comment_count, 1);
    assert_string_equal(board->comments[0].node_code, "1.1");
    assert_string_equal(board->comments[0].text, "Fine");
    assert_int_equal(board->comments[0].where.line, 32);
    board_free(board);
}

static void test_readings_only_file(void **state)
{
    (void)state;
    struct board *board = parse(fixture_readings);
    assert_true(board->readings_only);
    assert_string_equal(board->code, "test-board");
    assert_null(board->title);
    assert_int_equal(board->node_count, 0);
    assert_int_equal(board->reading_count, 2);
    /* Codes are the store's to check: this file does not define 1.1.2a. */
    assert_string_equal(board->readings[1].metric_code, "1.1.2a");
    assert_true(board->readings[1].value == 4.5);
    assert_false(board->sample);
    board_free(board);

    board = parse("board: {code: b, sample: true}\n"
                  "milestone_updates:\n"
                  "  - {deliverable: \"9\", period: 2023-10, status: on_track, note: \"n\"}\n"
                  "commentary:\n"
                  "  - {node: \"9\", period: 2023-10, text: \"c\", by: bob}\n");
    assert_true(board->readings_only);
    assert_true(board->sample);
    assert_true(board->milestone_updates[0].sample);
    assert_true(board->comments[0].sample);
    assert_int_equal(board->comments[0].period, yearmonth_make(2023, 10));
    board_free(board);

    /* Duplicates are still the file's own business. */
    assert_refused("board: {code: b}\n"
                   "readings:\n"
                   "  - {metric: \"x\", period: 2023-04, value: 1}\n"
                   "  - {metric: \"x\", period: 2023-04, value: 2}\n",
                   "t.yaml:4:5: error: a reading for metric 'x' in 2023-04 appears twice; the "
                   "first is at line 3");
}

static void test_byte_order_mark_and_crlf(void **state)
{
    (void)state;
    struct board *board = parse("\xEF\xBB\xBF"
                                "board:\r\n  code: bom\r\n  title: \"With a BOM\"\r\naims: []\r\n");
    assert_string_equal(board->title, "With a BOM");
    assert_int_equal(board->where.line, 2);
    assert_int_equal(board->where.column, 3);
    board_free(board);
    /* Columns on the first line are not shifted by the mark. */
    assert_refused("\xEF\xBB\xBF" "board: {code: b, titel: x}\n",
                   "t.yaml:1:18: error: unknown key 'titel' in board; did you mean 'title'?");
}

/* ---- Errors, each with its exact message ------------------------------- */

static void test_syntax_errors(void **state)
{
    (void)state;
    assert_refused("board:\n  code: a\n  title: \"unterminated\naims: []\n",
                   "t.yaml:5:1: error: invalid YAML: found unexpected end of stream while "
                   "scanning a quoted scalar started at line 3, column 10");
    assert_refused("board:\n\tcode: a\n",
                   "t.yaml:2:1: error: invalid YAML: a tab here; YAML indents with spaces");
    assert_refused("board:\n  code: a\n    title: wrong indent\n",
                   "t.yaml:3:10: error: invalid YAML: mapping values are not allowed in this "
                   "context");
    assert_refused("board: {code: a, title: x\naims: []\n",
                   "t.yaml:2:5: error: invalid YAML: did not find expected ',' or '}' while "
                   "parsing a flow mapping started at line 1, column 8");
}

static void test_file_shape_errors(void **state)
{
    (void)state;
    assert_refused("", "t.yaml:1:1: error: the file is empty; a board file starts with 'board:'");
    assert_refused("# only a comment\n",
                   "t.yaml:1:1: error: the file is empty; a board file starts with 'board:'");
    assert_refused("---\n", "t.yaml:2:1: error: the file is empty; a board file starts with "
                   "'board:'");
    assert_refused("- a\n- b\n", "t.yaml:1:1: error: expected a mapping that starts with "
                                 "'board:' at the top of the file, found a list");
    assert_refused("hello\n", "t.yaml:1:1: error: expected a mapping that starts with 'board:' "
                              "at the top of the file, found 'hello'");
    assert_refused("board: [a, b]\n", "t.yaml:1:8: error: expected a mapping for 'board', found "
                   "a list");
    assert_refused("board: {code: a, title: x}\naims: []\nreadings: \"not a list\"\n",
                   "t.yaml:3:11: error: expected a list for 'readings', found \"not a list\" in "
                   "quotes");
    assert_refused("aims: []\n", "t.yaml:1:1: error: missing key 'board' at the top of the file");
    assert_refused("board: {code: a, title: x}\n",
                   "t.yaml:1:1: error: missing key 'aims' at the top of the file");
    assert_refused("board: {code: a}\naims: []\n", "t.yaml:1:8: error: missing key 'title' in "
                   "board");
    assert_refused("aims: []\nboard: {code: a}\n", "t.yaml:2:8: error: missing key 'title' in "
                   "board");
    assert_refused("---\nboard: {code: a, title: x}\naims: []\n---\nboard: {code: b, title: y}\n",
                   "t.yaml:4:1: error: a board file holds one YAML document");
    assert_refused("board: {[a]: b}\n", "t.yaml:1:9: error: expected a key, found a list");
}

static void test_unknown_and_duplicate_keys(void **state)
{
    (void)state;
    assert_refused("board: {code: b, title: T}\n"
                   "aims:\n"
                   "  - code: \"1\"\n"
                   "    titel: \"Aim\"\n",
                   "t.yaml:4:5: error: unknown key 'titel' in aim; did you mean 'title'?");
    assert_refused("board: {code: b, title: T, colour: red}\n",
                   "t.yaml:1:28: error: unknown key 'colour' in board; expected code, title, "
                   "period, purpose, vision, values, source, sample or spc");
    assert_refused("board: {code: b, title: T}\naimz: []\n",
                   "t.yaml:2:1: error: unknown key 'aimz' at the top of the file; did you mean "
                   "'aims'?");
    assert_refused(BASE "reading:\n",
                   "t.yaml:15:1: error: unknown key 'reading' at the top of the file; did you "
                   "mean 'readings'?");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-04, valeu: 3}\n",
                   "t.yaml:16:40: error: unknown key 'valeu' in reading; did you mean 'value'?");
    assert_refused("board: {code: a, title: x, code: b}\naims: []\n",
                   "t.yaml:1:28: error: duplicate key 'code' in board; the first is at line 1");
    assert_refused("board: {code: a, title: x}\naims: []\naims: []\n",
                   "t.yaml:3:1: error: duplicate key 'aims' at the top of the file; the first is "
                   "at line 2");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-04, value: 3, value: 4}\n",
                   "t.yaml:16:50: error: duplicate key 'value' in reading; the first is at line "
                   "16");
}

static void test_wrong_types(void **state)
{
    (void)state;
    assert_refused("board: {code: a, title: [x]}\naims: []\n",
                   "t.yaml:1:25: error: expected text for 'title', found a list");
    assert_refused("board: {code: a, title: }\naims: []\n",
                   "t.yaml:1:25: error: expected text for 'title', found nothing");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-04, value: [1]}\n",
                   "t.yaml:16:47: error: expected a number for 'value', found a list");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-04, value: \"87\"}\n",
                   "t.yaml:16:47: error: expected a number for 'value', found \"87\" in quotes");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-04, value: nan}\n",
                   "t.yaml:16:47: error: expected a number for 'value', found 'nan'");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-04, value: .inf}\n",
                   "t.yaml:16:47: error: expected a number for 'value', found '.inf'");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-04, value: 0x1F}\n",
                   "t.yaml:16:47: error: expected a number for 'value', found '0x1F'");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-04, value: 1e999}\n",
                   "t.yaml:16:47: error: '1e999' is too large for a number");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-04, value: 1, sample: "
                        "yes}\n",
                   "t.yaml:16:58: error: expected true or false for 'sample', found 'yes'");
    assert_refused(BASE "readings:\n  - 87.1\n",
                   "t.yaml:16:5: error: expected a mapping for each item of 'readings', found "
                   "'87.1'");
    assert_refused("board: {code: a, title: x}\naims: [{code: \"1\", title: x, objectives: {}}]\n",
                   "t.yaml:2:42: error: expected a list for 'objectives', found a mapping");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x,\n"
                   "        metric: {name: n, unit: percentage, direction: up, target: {value: "
                   "1}}}]}]}]\n",
                   "t.yaml:4:33: error: unknown unit 'percentage'; expected percent, count, "
                   "number, days or ratio");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x, milestone: {due: 2024-03, "
                   "status: done}}]}]}]\n",
                   "t.yaml:3:84: error: unknown status 'done'; expected not_started, on_track, "
                   "at_risk, off_track or complete");
    assert_refused("board: {code: a, title: x, values: [{name: x}, \"y\"]}\naims: []\n",
                   "t.yaml:1:48: error: expected a mapping for each item of 'values', found \"y\" "
                   "in quotes");
    assert_refused("board: {code: a, title: x}\naims: []\nreadings:\n"
                   "  - {metric: x, period: 2023-04, value: 1, at: 2023-10-01}\n",
                   "t.yaml:4:48: error: '2023-10-01' is not a time; write YYYY-MM-DDTHH:MM:SSZ");
    assert_refused("board: {code: a, title: !!str x}\naims: []\n",
                   "t.yaml:1:25: error: tags are not allowed in board files");
}

static void test_missing_keys(void **state)
{
    (void)state;
    assert_refused("board: {code: b, title: T}\n"
                   "aims:\n"
                   "  - code: \"1\"\n"
                   "    objectives: []\n",
                   "t.yaml:3:5: error: missing key 'title' in aim '1'");
    assert_refused("board: {title: T}\naims: []\n", "t.yaml:1:8: error: missing key 'code' in "
                   "board");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x,\n"
                   "        metric: {name: n, direction: up, target: {value: 1}}}]}]}]\n",
                   "t.yaml:4:17: error: missing key 'unit' in metric '1.1.1'");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x,\n"
                   "        metrics: [{name: n, unit: count, direction: up, target: {value: "
                   "1}}]}]}]}]\n",
                   "t.yaml:4:19: error: missing key 'code' in metric");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x,\n"
                   "        metric: {name: n, unit: count, direction: up, target: {period: "
                   "2024-03}}}]}]}]\n",
                   "t.yaml:4:63: error: missing key 'value' in target");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-04}\n",
                   "t.yaml:16:5: error: missing key 'value' in reading");
    assert_refused(BASE "commentary:\n  - {node: \"1\"}\n",
                   "t.yaml:16:5: error: missing key 'text' in comment");
}

static void test_deliverable_measures(void **state)
{
    (void)state;
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x}]}]}]\n",
                   "t.yaml:3:24: error: deliverable '1.1.1' needs one of 'metric', 'metrics' or "
                   "'milestone'");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x, milestone: {due: 2024-03},\n"
                   "        metric: {name: n, unit: count, direction: up, target: {value: "
                   "1}}}]}]}]\n",
                   "t.yaml:4:9: error: deliverable '1.1.1' already has 'milestone'; a deliverable "
                   "has one of 'metric', 'metrics' or 'milestone'");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x,\n"
                   "        metric: {code: \"m\", name: n, unit: count, direction: up, target: "
                   "{value: 1}}}]}]}]\n",
                   "t.yaml:4:18: error: a single 'metric' takes its deliverable's code; use "
                   "'metrics' to give each metric a code");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x, metrics: []}]}]}]\n",
                   "t.yaml:3:59: error: 'metrics' lists no metric; list at least one");
}

static void test_codes(void **state)
{
    (void)state;
    assert_refused(BASE "          - code: \"1.1\"\n"
                        "            title: \"Again\"\n"
                        "            milestone: {due: 2024-03}\n",
                   "t.yaml:15:19: error: code '1.1' is used twice; the first is at line 6");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x,\n"
                   "        metrics: [{code: \"1.1\", name: n, unit: count, direction: up, "
                   "target: {value: 1}}]}]}]}]\n",
                   "t.yaml:4:26: error: code '1.1' is used twice; the first is at line 2");
    assert_refused("board: {code: \"my board\", title: x}\naims: []\n",
                   "t.yaml:1:15: error: code 'my board' may hold only letters, digits, '.', '-' "
                   "and '_'");
    assert_refused("board: {code: \"\", title: x}\naims: []\n", "t.yaml:1:15: error: 'code' is "
                   "empty");
    assert_refused("board: {code: "
                   "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij, "
                   "title: x}\naims: []\n",
                   "t.yaml:1:15: error: code 'abcdefghijabcdefghijabcdefghijabcdefghij...' is "
                   "longer than 64 characters");
}

static void test_references(void **state)
{
    (void)state;
    assert_refused(BASE "readings:\n  - {metric: \"9.9\", period: 2023-04, value: 1}\n",
                   "t.yaml:16:14: error: board 'b' has no metric '9.9'");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-04, value: 1, segment: "
                        "Barnet}\n",
                   "t.yaml:16:59: error: metric '1.1.1' has no breakdown, so its readings cannot "
                   "have a segment");
    assert_refused(BASE "readings:\n"
                        "  - {metric: \"1.1.1\", period: 2023-04, value: 1}\n"
                        "  - {metric: \"1.1.1\", period: 2023-05, value: 1}\n"
                        "  - {metric: \"1.1.1\", period: 2023-04, value: 2}\n",
                   "t.yaml:18:5: error: a reading for metric '1.1.1' in 2023-04 appears twice; the "
                   "first is at line 16");
    assert_refused(BASE "milestone_updates:\n  - {deliverable: \"1.1.1\", status: on_track}\n",
                   "t.yaml:16:19: error: board 'b' has no milestone '1.1.1'");
    assert_refused(BASE "commentary:\n  - {node: \"7\", text: \"x\"}\n",
                   "t.yaml:16:12: error: board 'b' has no aim, objective or deliverable '7'");
    /* Items before the structure are checked once it is read; the nearest
     * the top is reported. */
    assert_refused("board: {code: b, title: T}\n"
                   "commentary:\n  - {node: \"7\", text: \"x\"}\n"
                   "readings:\n  - {metric: \"9.9\", period: 2023-04, value: 1}\n"
                   "aims: []\n",
                   "t.yaml:3:12: error: board 'b' has no aim, objective or deliverable '7'");
    assert_refused("readings:\n  - {metric: \"9.9\", period: 2023-04, value: 1}\n"
                   "aims: []\n"
                   "board: {code: b, title: T}\n",
                   "t.yaml:2:14: error: board 'b' has no metric '9.9'");
}

static void test_periods_and_values(void **state)
{
    (void)state;
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-13, value: 1}\n",
                   "t.yaml:16:31: error: '2023-13' is not a month; write YYYY-MM");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: April, value: 1}\n",
                   "t.yaml:16:31: error: 'April' is not a month; write YYYY-MM");
    assert_refused(BASE "readings:\n  - {metric: \"1.1.1\", period: 2023-04, value: 120}\n",
                   "t.yaml:16:47: error: a percentage must be between 0 and 100 (metric '1.1.1' is "
                   "measured in percent)");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x,\n"
                   "        metric: {name: n, target: {value: 2.5}, unit: count, direction: "
                   "up}}]}]}]\n",
                   "t.yaml:4:43: error: a count must be a whole number, not negative (the metric "
                   "is measured in count)");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x,\n"
                   "        metric: {name: n, unit: days, direction: up, target: {value: 2},\n"
                   "                 trajectory: {2023-04: 3, 2023-04: 4}}}]}]}]\n",
                   "t.yaml:5:43: error: duplicate key '2023-04' in trajectory; the first is at "
                   "line 5");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x,\n"
                   "        metric: {name: n, unit: days, direction: up, target: {value: 2},\n"
                   "                 tolerance: -1}}]}]}]\n",
                   "t.yaml:5:29: error: 'tolerance' cannot be negative");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x,\n"
                   "        metric: {name: n, unit: days, direction: up, target: {value: 2},\n"
                   "                 spc: {minimum_points: 1}}}]}]}]\n",
                   "t.yaml:5:40: error: expected a whole number from 2 to 1000 for "
                   "'minimum_points', found 1");
}

static void test_text_checks(void **state)
{
    (void)state;
    assert_refused("board: {code: a, title: \"bell\\a\"}\naims: []\n",
                   "t.yaml:1:25: error: 'title' contains a control character");
    assert_refused("board: {code: a, title: \"nul\\0here\"}\naims: []\n",
                   "t.yaml:1:25: error: 'title' contains a control character");
    assert_refused("board:\n  code: a\n  title: >\n    folded\n    text\naims: []\n",
                   "t.yaml:3:10: error: 'title' contains a line break; write it on one line");
    assert_refused("board: {code: a, title: \"\"}\naims: []\n",
                   "t.yaml:1:25: error: 'title' is empty");
}

/* `count` copies of `piece`, appended to `text`. */
static void append_repeated(struct text_buffer *text, const char *piece, size_t count)
{
    for (size_t i = 0; i < count; i++)
        text_append(text, piece);
}

/* A board whose objective '1.1' has the title, aim '1' the lead and the one
 * reading the note made of `count` copies of `piece` each (0: a short one). */
static char *board_with_long_text(size_t title, size_t lead, size_t note, const char *piece)
{
    struct text_buffer text = {0};
    text_append(&text, "board: {code: b, title: \"T\"}\n"
                       "aims:\n"
                       "  - code: \"1\"\n"
                       "    title: \"Aim\"\n"
                       "    lead: \"");
    append_repeated(&text, lead ? piece : "x", lead ? lead : 1);
    text_append(&text, "\"\n"
                       "    objectives:\n"
                       "      - code: \"1.1\"\n"
                       "        title: \"");
    append_repeated(&text, title ? piece : "x", title ? title : 1);
    text_append(&text, "\"\n"
                       "        deliverables:\n"
                       "          - code: \"1.1.1\"\n"
                       "            title: \"Deliverable\"\n"
                       "            metric: {name: \"M\", unit: percent, direction: up, "
                       "target: {value: 90}}\n"
                       "readings:\n"
                       "  - {metric: \"1.1.1\", period: 2023-04, value: 1, note: \"");
    append_repeated(&text, note ? piece : "x", note ? note : 1);
    text_append(&text, "\"}\n");
    return text.data;
}

/* Titles, leads and notes have maximum lengths in characters (model.h): one
 * more is a located error, exactly the maximum is fine, and a character of
 * several bytes counts once. */
static void test_text_limits(void **state)
{
    (void)state;
    char *text = board_with_long_text(TEXT_MAXIMUM_TITLE + 1, 0, 0, "x");
    assert_refused(text, "t.yaml:8:16: error: the title of '1.1' is 501 characters long; at "
                         "most 500");
    free(text);
    text = board_with_long_text(0, TEXT_MAXIMUM_LEAD + 1, 0, "é");
    assert_refused(text, "t.yaml:5:11: error: the lead of '1' is 201 characters long; at most "
                         "200");
    free(text);
    text = board_with_long_text(0, 0, TEXT_MAXIMUM_NOTE + 1, "x");
    assert_refused(text, "t.yaml:14:56: error: 'note' is 4001 characters long; at most 4000");
    free(text);
    assert_refused("board: {code: b, title: \"T\", period: "
                   "\"0123456789012345678901234567890123456789012345678901234567890123456789"
                   "0123456789012345678901234567890\"}\naims: []\n",
                   "t.yaml:1:38: error: 'period' is 101 characters long; at most 100");

    /* At the limits, in two-byte characters (twice as many bytes). */
    text = board_with_long_text(TEXT_MAXIMUM_TITLE, TEXT_MAXIMUM_LEAD, TEXT_MAXIMUM_NOTE, "é");
    struct board *board = parse(text);
    assert_int_equal(strlen(board->nodes[1].title), 2 * TEXT_MAXIMUM_TITLE);
    assert_int_equal(strlen(board->nodes[0].lead), 2 * TEXT_MAXIMUM_LEAD);
    assert_int_equal(strlen(board->readings[0].note), 2 * TEXT_MAXIMUM_NOTE);
    board_free(board);
    free(text);
}

/* A metric with a breakdown by borough that declares its segments; line 12
 * lists them, and readings may follow from line 13. */
#define SEGMENTED(segments)                                                          \
    "board: {code: b, title: \"T\"}\n"                                               \
    "aims:\n"                                                                        \
    "  - code: \"2\"\n"                                                              \
    "    title: \"Aim\"\n"                                                           \
    "    objectives:\n"                                                              \
    "      - code: \"2.1\"\n"                                                        \
    "        title: \"Objective\"\n"                                                 \
    "        deliverables:\n"                                                        \
    "          - code: \"2.1.2\"\n"                                                  \
    "            title: \"Checks\"\n"                                                \
    "            metric: {name: \"M\", unit: percent, direction: up, target: {value: 75},\n" \
    "                     breakdown: borough, segments: " segments "}\n"
#define BOROUGHS "[Barnet, Camden, Enfield, Haringey, Islington]"

static void test_declared_segments(void **state)
{
    (void)state;
    struct board *board = parse(SEGMENTED(BOROUGHS)
                                "readings:\n"
                                "  - {metric: \"2.1.2\", period: 2023-04, value: 61, segment: "
                                "Camden}\n");
    const struct metric *metric = &board->nodes[2].metrics[0];
    assert_int_equal(metric->segment_count, 5);
    assert_string_equal(metric->segments[0], "Barnet");
    assert_string_equal(metric->segments[4], "Islington");
    board_free(board);
    /* Without a list, a breakdown takes any segment, as before segments. */
    board = parse(BASE "          - code: \"1.1.3\"\n"
                       "            title: \"By borough\"\n"
                       "            metric: {name: \"M\", unit: count, direction: up, "
                       "target: {value: 1}, breakdown: borough}\n"
                       "readings:\n"
                       "  - {metric: \"1.1.3\", period: 2023-04, value: 1, segment: Anywhere}\n");
    assert_int_equal(board->nodes[4].metrics[0].segment_count, 0);
    board_free(board);

    /* A reading for a segment the metric does not declare. */
    assert_refused(SEGMENTED(BOROUGHS) "readings:\n"
                   "  - {metric: \"2.1.2\", period: 2023-04, value: 61, segment: barnet}\n",
                   "t.yaml:14:60: error: no segment 'barnet' for 2.1.2; did you mean 'Barnet'?");
    assert_refused(SEGMENTED(BOROUGHS) "readings:\n"
                   "  - {metric: \"2.1.2\", period: 2023-04, value: 61, segment: Barnit}\n",
                   "t.yaml:14:60: error: no segment 'Barnit' for 2.1.2; did you mean 'Barnet'?");
    assert_refused(SEGMENTED(BOROUGHS) "readings:\n"
                   "  - {metric: \"2.1.2\", period: 2023-04, value: 61, segment: Zzz}\n",
                   "t.yaml:14:60: error: no segment 'Zzz' for 2.1.2; expected 'Barnet', "
                   "'Camden', 'Enfield', 'Haringey' or 'Islington'");
    /* Readings before the structure are checked once it is read. */
    assert_refused("readings:\n"
                   "  - {metric: \"2.1.2\", period: 2023-04, value: 61, segment: Camdem}\n"
                   SEGMENTED(BOROUGHS),
                   "t.yaml:2:60: error: no segment 'Camdem' for 2.1.2; did you mean 'Camden'?");

    /* The list itself. */
    assert_refused(SEGMENTED("[Barnet, Camden, Barnet]"),
                   "t.yaml:12:69: error: 'Barnet' appears twice in 'segments'");
    assert_refused(SEGMENTED("[]"), "t.yaml:12:52: error: 'segments' lists no segment; list at "
                                    "least one");
    assert_refused(SEGMENTED("[Barnet, \"\"]"), "t.yaml:12:61: error: 'segment' is empty");
    assert_refused(SEGMENTED("Barnet"),
                   "t.yaml:12:52: error: expected a list for 'segments', found 'Barnet'");
    assert_refused(SEGMENTED("[\"0123456789012345678901234567890123456789012345678901234567890"
                             "1234567890123456789012345678901234567890\"]"),
                   "t.yaml:12:53: error: 'segment' is 101 characters long; at most 100");
    assert_refused(BASE "          - code: \"1.1.3\"\n"
                        "            title: \"No breakdown\"\n"
                        "            metric: {name: \"M\", unit: count, direction: up, "
                        "target: {value: 1}, segments: [Barnet]}\n",
                   "t.yaml:17:81: error: metric '1.1.3' has no breakdown, so it cannot list "
                   "segments");
}

static void test_encoding_errors(void **state)
{
    (void)state;
    assert_refused("board: {code: a, title: \"bad \xC3\x28 byte\"}\naims: []\n",
                   "t.yaml:1:30: error: the file is not valid UTF-8 here (invalid trailing UTF-8 "
                   "octet)");
    /* Columns count characters: '£' and '’' are one each. */
    assert_refused("board: {code: a, title: \"£’ ok\"}\naims: []\n# \xFF\xFE\n",
                   "t.yaml:3:3: error: the file is not valid UTF-8 here (invalid leading UTF-8 "
                   "octet)");
    assert_refused("board: {code: a, title: \"x\"}\n\x07",
                   "t.yaml:2:1: error: the file holds a control character (U+0007) here, which "
                   "YAML does not allow");
    assert_refused_length("board: {code: a}\n\0", 18,
                          "t.yaml:2:1: error: the file holds a control character (U+0000) here, "
                          "which YAML does not allow");
}

static void test_aliases_and_anchors(void **state)
{
    (void)state;
    assert_refused("board: &b {code: a, title: x}\naims: []\n",
                   "t.yaml:1:8: error: anchors are not allowed in board files");
    assert_refused("board: *b\n", "t.yaml:1:8: error: aliases are not allowed in board files");
    /* Billion laughs: refused at the first anchor, before anything expands. */
    struct text_buffer bomb = {0};
    text_append(&bomb, "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
                       "\"lol\"]\n");
    const char *previous = "a";
    static const char *const levels[] = {"b", "c", "d", "e", "f", "g", "h", "i"};
    for (size_t level = 0; level < 8; level++) {
        text_appendf(&bomb, "%s: &%s [", levels[level], levels[level]);
        for (int i = 0; i < 9; i++)
            text_appendf(&bomb, "*%s%s", previous, i < 8 ? "," : "]\n");
        previous = levels[level];
    }
    text_append(&bomb, "board: *i\n");
    assert_refused(bomb.data, "t.yaml:1:1: error: unknown key 'a' at the top of the file; "
                              "expected board, aims, readings, milestone_updates or commentary");
    text_free(&bomb);
    text_append(&bomb, "board: {code: a, title: x}\naims: []\nreadings: &r []\n");
    assert_refused(bomb.data, "t.yaml:3:11: error: anchors are not allowed in board files");
    text_free(&bomb);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    struct text_buffer deep = {0};
    for (int i = 0; i < 100000; i++)
        text_append(&deep, "[");
    for (int i = 0; i < 100000; i++)
        text_append(&deep, "]");
    char *brackets = xstrdup(deep.data);
    text_free(&deep);
    /* 'board' must be a mapping, and that is known at its first '['. */
    text_appendf(&deep, "board: %s\n", brackets);
    assert_refused(deep.data, "t.yaml:1:8: error: expected a mapping for 'board', found a list");
    text_free(&deep);
    /* A list's items are checked when it ends, so here depth is met first:
     * the root mapping is the first level, so the 64th '[' is one too many. */
    text_appendf(&deep, "aims: %s\n", brackets);
    assert_refused(deep.data, "t.yaml:1:70: error: the file nests deeper than 64 levels");
    text_free(&deep);
    free(brackets);

    text_append(&deep, "board:\n");
    for (int depth = 1; depth < 5000; depth++) {
        for (int i = 0; i < depth; i++)
            text_append(&deep, "  ");
        text_append(&deep, "k:\n");
    }
    assert_refused(deep.data, "t.yaml:65:129: error: the file nests deeper than 64 levels");
    text_free(&deep);

    /* Sixty-three levels are merely odd: the board checks say what is wrong. */
    text_append(&deep, "board: {code: a, title: x}\naims: []\nreadings: [{note: ");
    for (int i = 0; i < 60; i++)
        text_append(&deep, "[");
    for (int i = 0; i < 60; i++)
        text_append(&deep, "]");
    text_append(&deep, "}]\n");
    assert_refused(deep.data, "t.yaml:3:19: error: expected text for 'note', found a list");
    text_free(&deep);
}

static void test_huge_scalar_and_many_readings(void **state)
{
    (void)state;
    struct text_buffer big = {0};
    text_append(&big, "board:\n  code: a\n  title: \"");
    for (int i = 0; i < 200000; i++)
        text_append(&big, "xxxxxxxxxx");
    text_append(&big, "\"\n  bogus: 1\n");
    /* Two million characters are read, then refused for their length. */
    assert_refused(big.data,
                   "t.yaml:3:10: error: 'title' is 2000000 characters long; at most 500");
    text_free(&big);

    text_append(&big, "board: {code: many}\nreadings:\n");
    for (int i = 0; i < 20000; i++)
        text_appendf(&big, "  - {metric: \"m%d\", period: 2023-01, value: %d}\n", i % 7, i);
    struct board *board = NULL;
    struct error error = {0};
    assert_false(boardfile_read_bytes(big.data, big.length, "t.yaml", &board, &error));
    assert_string_equal(error.message, "t.yaml:10:5: error: a reading for metric 'm0' in 2023-01 "
                                       "appears twice; the first is at line 3");
    text_free(&big);

    text_append(&big, "board: {code: many}\nreadings:\n");
    for (int i = 0; i < 20000; i++)
        text_appendf(&big, "  - {metric: \"m%d\", period: %04d-%02d, value: %d}\n", i % 7,
                     2000 + i / 12 % 7000, i % 12 + 1, i);
    board = parse(big.data);
    assert_int_equal(board->reading_count, 20000);
    assert_true(board->readings[19999].value == 19999);
    board_free(board);
    text_free(&big);
}

static void test_missing_file(void **state)
{
    (void)state;
    struct board *board = NULL;
    struct error error = {0};
    assert_false(boardfile_read_path("/nonexistent/board.yaml", &board, &error));
    assert_null(board);
    assert_int_equal(error.status, EXIT_NO_INPUT);
    assert_string_equal(error.message, "/nonexistent/board.yaml: cannot open: No such file or "
                                       "directory");
}

/* ---- Round trip ------------------------------------------------------------ */

static void assert_text_equal(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

/* Who entered an entry, when, whether it is sample data, and the code it is
 * for (the member `code`): alike in readings, milestone updates and comments. */
#define assert_entries_equal(a, b, code)                     \
    do {                                                     \
        assert_text_equal((a)->entered_by, (b)->entered_by); \
        assert_text_equal((a)->entered_at, (b)->entered_at); \
        assert_int_equal((a)->sample, (b)->sample);          \
        assert_text_equal((a)->code, (b)->code);             \
    } while (0)

static void assert_readings_equal(const struct reading *a, const struct reading *b)
{
    assert_int_equal(a->period, b->period);
    assert_true(a->value == b->value);
    assert_text_equal(a->segment, b->segment);
    assert_text_equal(a->note, b->note);
    assert_entries_equal(a, b, metric_code);
}

static void assert_updates_equal(const struct milestone_update *a, const struct milestone_update *b)
{
    assert_int_equal(a->status, b->status);
    assert_text_equal(a->note, b->note);
    assert_int_equal(a->period, b->period);
    assert_entries_equal(a, b, node_code);
}

static void assert_comments_equal(const struct comment *a, const struct comment *b)
{
    assert_int_equal(a->period, b->period);
    assert_text_equal(a->text, b->text);
    assert_entries_equal(a, b, node_code);
}

static void assert_metrics_equal(const struct metric *a, const struct metric *b)
{
    assert_text_equal(a->code, b->code);
    assert_text_equal(a->name, b->name);
    assert_int_equal(a->unit, b->unit);
    assert_int_equal(a->direction, b->direction);
    assert_int_equal(a->has_baseline, b->has_baseline);
    assert_true(a->baseline == b->baseline);
    assert_int_equal(a->baseline_period, b->baseline_period);
    assert_true(a->target == b->target);
    assert_int_equal(a->target_period, b->target_period);
    assert_int_equal(a->trajectory_count, b->trajectory_count);
    for (size_t i = 0; i < a->trajectory_count; i++) {
        assert_int_equal(a->trajectory[i].period, b->trajectory[i].period);
        assert_true(a->trajectory[i].value == b->trajectory[i].value);
    }
    assert_int_equal(a->has_tolerance, b->has_tolerance);
    assert_true(a->tolerance == b->tolerance);
    assert_text_equal(a->breakdown, b->breakdown);
    assert_int_equal(a->segment_count, b->segment_count);
    for (size_t i = 0; i < a->segment_count; i++)
        assert_string_equal(a->segments[i], b->segments[i]);
    assert_int_equal(a->stale_months, b->stale_months);
    assert_memory_equal(&a->spc, &b->spc, sizeof a->spc);
    assert_int_equal(a->reading_count, b->reading_count);
    for (size_t i = 0; i < a->reading_count; i++)
        assert_readings_equal(&a->readings[i], &b->readings[i]);
}

/* Everything but where things were in the file. */
static void assert_boards_equal(const struct board *a, const struct board *b)
{
    assert_text_equal(a->code, b->code);
    assert_text_equal(a->title, b->title);
    assert_text_equal(a->purpose, b->purpose);
    assert_text_equal(a->vision, b->vision);
    assert_text_equal(a->reporting_period, b->reporting_period);
    assert_int_equal(a->value_count, b->value_count);
    for (size_t i = 0; i < a->value_count; i++) {
        assert_text_equal(a->values[i].name, b->values[i].name);
        assert_text_equal(a->values[i].text, b->values[i].text);
    }
    assert_int_equal(a->sample, b->sample);
    assert_int_equal(a->spc_conflict, b->spc_conflict);
    assert_int_equal(a->readings_only, b->readings_only);
    assert_int_equal(a->node_count, b->node_count);
    for (size_t i = 0; i < a->node_count; i++) {
        const struct node *x = &a->nodes[i], *y = &b->nodes[i];
        assert_int_equal(x->level, y->level);
        assert_text_equal(x->code, y->code);
        assert_text_equal(x->title, y->title);
        assert_text_equal(x->lead, y->lead);
        assert_int_equal(x->parent, y->parent);
        assert_int_equal(x->subtree_end, y->subtree_end);
        assert_int_equal(x->depth, y->depth);
        assert_int_equal(x->metric_count, y->metric_count);
        for (size_t m = 0; m < x->metric_count; m++)
            assert_metrics_equal(&x->metrics[m], &y->metrics[m]);
        assert_int_equal(x->has_milestone, y->has_milestone);
        assert_int_equal(x->milestone.due, y->milestone.due);
        assert_int_equal(x->milestone.update_count, y->milestone.update_count);
        for (size_t u = 0; u < x->milestone.update_count; u++)
            assert_updates_equal(&x->milestone.updates[u], &y->milestone.updates[u]);
        assert_int_equal(x->comment_count, y->comment_count);
        for (size_t c = 0; c < x->comment_count; c++)
            assert_comments_equal(&x->comments[c], &y->comments[c]);
    }
    assert_int_equal(a->reading_count, b->reading_count);
    for (size_t i = 0; i < a->reading_count; i++)
        assert_readings_equal(&a->readings[i], &b->readings[i]);
    assert_int_equal(a->milestone_update_count, b->milestone_update_count);
    for (size_t i = 0; i < a->milestone_update_count; i++)
        assert_updates_equal(&a->milestone_updates[i], &b->milestone_updates[i]);
    assert_int_equal(a->comment_count, b->comment_count);
    for (size_t i = 0; i < a->comment_count; i++)
        assert_comments_equal(&a->comments[i], &b->comments[i]);
}

/* read(write(board)) == board, and writing again gives the same text. */
static void assert_round_trip(const struct board *board)
{
    char *written = write_yaml(board);
    struct board *again = NULL;
    struct error error = {0};
    if (!boardfile_read_bytes(written, strlen(written), "written.yaml", &again, &error))
        fail_msg("%s\n--- written ---\n%s", error.message, written);
    assert_boards_equal(board, again);
    char *rewritten = write_yaml(again);
    assert_string_equal(written, rewritten);
    free(rewritten);
    free(written);
    board_free(again);
}

static const char rich_board[] =
    "board:\n"
    "  code: rich\n"
    "  title: \"Trust’s objectives – 2023/24, costing £5m\"\n"
    "  period: \"2023/24\"\n"
    "  purpose: \"\"\n"
    "  vision: \"true\"\n"
    "  values: [{name: \"Kind\"}, {name: \"Bold\", text: \"We say \\\"yes\\\": often\"}]\n"
    "  source: \"ignored\"\n"
    "  spc: {conflict: improvement}\n"
    "aims:\n"
    "  - code: 1\n"
    "    title: \"123\"\n"
    "    lead: \"Chief Nurse\"\n"
    "    objectives:\n"
    "      - code: \"1.1\"\n"
    "        title: \"Objective: with a colon # and hash\"\n"
    "        deliverables:\n"
    "          - code: \"1.1.1\"\n"
    "            title: \"Checks\"\n"
    "            metric: {name: \"Checks\", unit: percent, direction: up,\n"
    "                     baseline: {value: 58.5, period: 2023-03},\n"
    "                     target: {value: 75, period: 2024-03}, breakdown: \"borough\",\n"
    "                     segments: [\"Barnet, north\", Camden],\n"
    "                     trajectory: {2023-06: 62.123456789012345, 2023-09: 0.1},\n"
    "                     tolerance: 1e-7, stale_after: 4,\n"
    "                     spc: {minimum_points: 12, screen_moving_ranges: true, rebase: "
    "[2023-04], conflict: concern}}\n"
    "          - code: \"1.1.2\"\n"
    "            title: \"Two measures\"\n"
    "            metrics:\n"
    "              - {code: \"1.1.2a\", name: \"Share\", unit: ratio, direction: down, target: "
    "{value: 0.3333333333333333}}\n"
    "              - {code: \"007\", name: \"Number\", unit: count, direction: up, target: "
    "{value: 1e20}}\n"
    "          - code: \"1.1.3\"\n"
    "            title: \"Ward\"\n"
    "            milestone: {due: 2024-03, status: off_track}\n"
    "      - code: \"1.2\"\n"
    "        title: \"Empty\"\n"
    "        deliverables: []\n"
    "  - code: \"2\"\n"
    "    title: \"Second\"\n"
    "    objectives: []\n"
    "readings:\n"
    "  - {metric: \"1.1.1\", period: 2023-04, value: 60.1}\n"
    "  - {metric: \"1.1.1\", period: 2023-04, value: 55, segment: \"Barnet, north\",\n"
    "     note: \"note with \\\"quotes\\\", commas – and £\", by: \"ann\", at: "
    "2023-05-01T10:00:00Z}\n"
    "  - {metric: \"007\", period: 2023-05, value: -0.0, sample: true}\n"
    "  - {metric: \"1.1.2a\", period: 2023-05, value: 0.1, note: \"\"}\n"
    "milestone_updates:\n"
    "  - {deliverable: \"1.1.3\", period: 2023-10, status: at_risk, note: \"Behind\", by: bob}\n"
    "  - {deliverable: \"1.1.3\", status: complete, sample: true}\n"
    "commentary:\n"
    "  - {node: \"1\", period: 2023-10, text: \"Aim 1 – fine ’n’ dandy\"}\n"
    "  - {node: \"1.1.3\", text: \"Late\", by: \"cat\", at: \"2023-11-30T23:59:59Z\", sample: "
    "true}\n";

/* The SPC conflict rule: a metric's own, else the board's (copied into each
 * metric whatever the order of the file's sections), else not set. */
static void test_spc_conflict_settings(void **state)
{
    (void)state;
    static const char aims[] =
        "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
        "        deliverables: [{code: \"1.1.1\", title: x, metrics: [\n"
        "          {code: a, name: a, unit: count, direction: down, target: {value: 1}},\n"
        "          {code: b, name: b, unit: count, direction: up, target: {value: 1},\n"
        "           spc: {conflict: improvement}},\n"
        "          {code: c, name: c, unit: count, direction: up, target: {value: 1},\n"
        "           spc: {conflict: concern}}]}]}]}]\n";
    char text[1024];
    snprintf(text, sizeof text, "board: {code: b, title: T, spc: {conflict: improvement}}\n%s",
             aims);
    struct board *board = parse(text);
    const struct node *node = &board->nodes[2];
    assert_int_equal(board->spc_conflict, SPC_CONFLICT_IMPROVEMENT);
    assert_int_equal(node->metrics[0].spc.conflict, SPC_CONFLICT_DEFAULT);
    assert_int_equal(node->metrics[1].spc.conflict, SPC_CONFLICT_IMPROVEMENT);
    assert_int_equal(node->metrics[2].spc.conflict, SPC_CONFLICT_CONCERN);
    for (size_t m = 0; m < 3; m++)
        assert_int_equal(node->metrics[m].spc.board_conflict, SPC_CONFLICT_IMPROVEMENT);
    assert_int_equal(spc_conflict_rule(&node->metrics[0].spc), SPC_CONFLICT_IMPROVEMENT);
    assert_int_equal(spc_conflict_rule(&node->metrics[2].spc), SPC_CONFLICT_CONCERN);
    assert_round_trip(board);
    board_free(board);

    /* The board after its aims. */
    snprintf(text, sizeof text, "%sboard: {code: b, title: T, spc: {conflict: concern}}\n", aims);
    board = parse(text);
    assert_int_equal(board->nodes[2].metrics[0].spc.board_conflict, SPC_CONFLICT_CONCERN);
    assert_int_equal(board->nodes[2].metrics[1].spc.board_conflict, SPC_CONFLICT_CONCERN);
    assert_int_equal(spc_conflict_rule(&board->nodes[2].metrics[1].spc),
                     SPC_CONFLICT_IMPROVEMENT);
    board_free(board);

    /* No setting anywhere: the default, concern. */
    snprintf(text, sizeof text, "board: {code: b, title: T}\n%s", aims);
    board = parse(text);
    assert_int_equal(board->spc_conflict, SPC_CONFLICT_DEFAULT);
    assert_int_equal(spc_conflict_rule(&board->nodes[2].metrics[0].spc), SPC_CONFLICT_CONCERN);
    board_free(board);

    /* Located errors. */
    assert_refused("board: {code: b, title: T, spc: {conflict: worse}}\naims: []\n",
                   "t.yaml:1:44: error: unknown conflict 'worse'; expected improvement or "
                   "concern");
    assert_refused("board: {code: b, title: T, spc: {conflict: [concern]}}\naims: []\n",
                   "t.yaml:1:44: error: expected improvement or concern for 'conflict', found a "
                   "list");
    assert_refused("board: {code: b, title: T, spc: concern}\naims: []\n",
                   "t.yaml:1:33: error: expected a mapping for 'spc', found 'concern'");
    assert_refused("board: {code: b, title: T, spc: {minimum_points: 12}}\naims: []\n",
                   "t.yaml:1:34: error: unknown key 'minimum_points' in board spc; expected "
                   "conflict");
    assert_refused("board: {code: b, title: T, spc: {conflict: concern, conflict: improvement}}\n"
                   "aims: []\n",
                   "t.yaml:1:53: error: duplicate key 'conflict' in board spc; the first is at "
                   "line 1");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x,\n"
                   "        metric: {name: n, unit: count, direction: up, target: {value: 1},\n"
                   "                 spc: {conflict: Improvement}}}]}]}]\n",
                   "t.yaml:5:34: error: unknown conflict 'Improvement'; expected improvement or "
                   "concern");
    assert_refused("board: {code: a, title: x}\n"
                   "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                   "        deliverables: [{code: \"1.1.1\", title: x,\n"
                   "        metric: {name: n, unit: count, direction: up, target: {value: 1},\n"
                   "                 spc: {conflict: concern, conflct: concern}}}]}]}]\n",
                   "t.yaml:5:43: error: unknown key 'conflct' in spc; did you mean 'conflict'?");
}

static void test_round_trip(void **state)
{
    (void)state;
    struct board *board = parse(rich_board);
    assert_int_equal(board->nodes[3].metric_count, 2);
    assert_round_trip(board);
    board_free(board);

    board = parse(fixture_board);
    assert_round_trip(board);
    board_free(board);

    board = parse(fixture_readings);
    assert_round_trip(board);
    board_free(board);

    board = parse("board: {code: s, title: \"Sample\", sample: true}\n"
                  "aims: [{code: \"1\", title: x, objectives: [{code: \"1.1\", title: x,\n"
                  "        deliverables: [{code: \"1.1.1\", title: x, milestone: {due: 2024-03, "
                  "status: on_track}}]}]}]\n"
                  "milestone_updates: [{deliverable: \"1.1.1\", status: complete}]\n");
    assert_round_trip(board);
    board_free(board);
}

/* A board as the store loads it: readings on their metrics, updates and
 * comments on their nodes, every entry with who and when. */
static void test_round_trip_of_a_stored_board(void **state)
{
    (void)state;
    struct board *board = parse(fixture_board);
    struct metric *metric = board_find_metric(board, "1.1.1", NULL);
    metric->readings = xcalloc(board->reading_count, sizeof *metric->readings);
    for (size_t i = 0; i < board->reading_count; i++) {
        struct reading *from = &board->readings[i];
        if (strcmp(from->metric_code, "1.1.1") != 0)
            continue;
        struct reading *to = &metric->readings[metric->reading_count++];
        *to = *from;
        to->segment = xstrdup(from->segment);
        to->note = xstrdup("it’s, \"fine\"");
        to->entered_by = xstrdup("ann");
        to->entered_at = xstrdup("2023-06-01T00:00:00Z");
        to->metric_code = NULL;
    }
    metric_sort_readings(metric);
    struct node *ward = board_find_node(board, "2.1.1");
    ward->milestone.updates[0].entered_by = xstrdup("bob");
    ward->milestone.updates[0].entered_at = xstrdup("2023-06-02T00:00:00Z");
    ward->comments = xcalloc(1, sizeof *ward->comments);
    ward->comment_count = 1;
    ward->comments[0].text = xstrdup("Going well");
    ward->comments[0].period = yearmonth_make(2023, 7);
    ward->comments[0].sample = true;
    for (size_t i = 0; i < board->reading_count; i++) {
        free(board->readings[i].segment);
        free(board->readings[i].note);
        free(board->readings[i].metric_code);
    }
    board->reading_count = 0;

    char *written = write_yaml(board);
    struct board *again = parse(written);
    /* Read back, they are the file's lists, in tree order. */
    assert_int_equal(again->reading_count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(again->readings[i].metric_code, "1.1.1");
        struct reading expected = metric->readings[i];
        expected.metric_code = again->readings[i].metric_code;
        assert_readings_equal(&again->readings[i], &expected);
    }
    assert_null(again->readings[0].segment); /* the whole series first */
    assert_int_equal(again->milestone_update_count, 1);
    assert_int_equal(again->nodes[6].milestone.update_count, 0);
    assert_string_equal(again->milestone_updates[0].node_code, "2.1.1");
    assert_string_equal(again->milestone_updates[0].entered_by, "bob");
    assert_int_equal(again->milestone_updates[0].status, MILESTONE_ON_TRACK);
    assert_int_equal(again->comment_count, 1);
    assert_string_equal(again->comments[0].node_code, "2.1.1");
    assert_true(again->comments[0].sample);
    assert_int_equal(again->comments[0].period, yearmonth_make(2023, 7));
    free(written);
    board_free(again);
    board_free(board);
}

static void test_numbers_round_trip_exactly(void **state)
{
    (void)state;
    static const double values[] = {0, 1, 90, 87.1, 0.1, 1.0 / 3, 2.0 / 3, 58.5, 1e-7,
                                    123456789.123, 1e15, 1e20, 4.9406564584124654e-324,
                                    1.7976931348623157e308, 99.99999999999999,
                                    0.30000000000000004};
    struct board *board = parse("board: {code: n}\n");
    board->readings = xcalloc(sizeof values / sizeof *values, sizeof *board->readings);
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        struct reading *reading = &board->readings[board->reading_count++];
        reading->metric_code = xstrdup("m");
        reading->period = yearmonth_make(2000 + (int)i, 1);
        reading->value = values[i];
    }
    char *written = write_yaml(board);
    assert_non_null(strstr(written, "value: 90}"));
    assert_non_null(strstr(written, "value: 87.1}"));
    assert_non_null(strstr(written, "value: 0.3333333333333333}"));
    struct board *again = parse(written);
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        assert_memory_equal(&again->readings[i].value, &values[i], sizeof values[i]);
    free(written);
    board_free(again);
    board_free(board);
}

/* ---- CSV ----------------------------------------------------------------------- */

static void test_csv(void **state)
{
    (void)state;
    struct board *board = parse(rich_board);
    /* A line break cannot come from a file, but may from elsewhere. */
    free(board->readings[3].note);
    board->readings[3].note = xstrdup("two\r\nlines");
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    struct error error = {0};
    assert_true(boardfile_write_csv(board, out, &error));
    fclose(out);
    assert_string_equal(text,
                        "board,metric,period,value,segment,note,entered_by,entered_at\r\n"
                        "rich,1.1.1,2023-04,60.1,,,,\r\n"
                        "rich,1.1.1,2023-04,55,\"Barnet, north\",\"note with \"\"quotes\"\", "
                        "commas – and £\",ann,2023-05-01T10:00:00Z\r\n"
                        "rich,007,2023-05,-0,,,,\r\n"
                        "rich,1.1.2a,2023-05,0.1,,\"two\r\nlines\",,\r\n");
    free(text);
    board_free(board);
}

/* ---- The bundled data ------------------------------------------------------ */

static void test_every_data_file_reads(void **state)
{
    (void)state;
    DIR *directory = opendir(TEST_DATA_DIR);
    if (!directory)
        skip();
    struct dirent *entry;
    int files = 0;
    while ((entry = readdir(directory))) {
        size_t length = strlen(entry->d_name);
        if (length < 6 || strcmp(entry->d_name + length - 5, ".yaml") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, entry->d_name);
        struct board *board = NULL;
        struct error error = {0};
        if (!boardfile_read_path(path, &board, &error))
            fail_msg("%s", error.message);
        assert_round_trip(board);
        board_free(board);
        files++;
    }
    closedir(directory);
    assert_true(files > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file_reads_into_the_tree),
        cmocka_unit_test(test_codes_may_be_plain_numbers),
        cmocka_unit_test(test_metric_options),
        cmocka_unit_test(test_spc_conflict_settings),
        cmocka_unit_test(test_readings_only_file),
        cmocka_unit_test(test_byte_order_mark_and_crlf),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_file_shape_errors),
        cmocka_unit_test(test_unknown_and_duplicate_keys),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_missing_keys),
        cmocka_unit_test(test_deliverable_measures),
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_periods_and_values),
        cmocka_unit_test(test_text_checks),
        cmocka_unit_test(test_text_limits),
        cmocka_unit_test(test_declared_segments),
        cmocka_unit_test(test_encoding_errors),
        cmocka_unit_test(test_aliases_and_anchors),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_huge_scalar_and_many_readings),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_of_a_stored_board),
        cmocka_unit_test(test_numbers_round_trip_exactly),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_every_data_file_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
