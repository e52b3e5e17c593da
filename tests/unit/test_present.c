/* test_present.c — the present layer with no terminal: milestone labels
 * (completed after the "as at" month; past due, in the same words in the
 * tree, the detail pane, the kiosk and the report), value → target, the
 * counts in each form with their meanings, the headers, the detail pane of
 * a metric with a breakdown, and the kiosk's lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "present.h"
#include "report.h"

#define YM(year, month) yearmonth_make(year, month)

/* The board, as at Mar 2024 (the newest reading):
 *   aim 1 "Care"
 *     objective 1.1 "Wards"
 *       1.1.1 milestone due Mar 2024: on track (Oct 2023), complete (May 2024)
 *       1.1.2 milestone due Mar 2024: at risk (Nov 2023), on track (Apr 2024)
 *       1.1.3 percent, up, 50 (Mar 2023) -> 90 by Mar 2024, by borough
 *       1.1.4 milestone due Mar 2024, no updates
 *       1.1.5 milestone due Dec 2023: off track (Dec 2023)
 */
struct present_board {
    struct board board;
    struct node nodes[7];
    struct metric metric;
    struct reading readings[8];
    struct milestone_update complete_late[2], back_on_track[2], off_track[1];
    struct board_status status;
};

static struct present_board *build_board(void)
{
    struct present_board *t = calloc(1, sizeof *t);
    assert_non_null(t);
    t->complete_late[0] = (struct milestone_update){.status = MILESTONE_ON_TRACK,
                                                    .period = YM(2023, 10)};
    t->complete_late[1] = (struct milestone_update){.status = MILESTONE_COMPLETE,
                                                    .period = YM(2024, 5)};
    t->back_on_track[0] = (struct milestone_update){.status = MILESTONE_AT_RISK,
                                                    .period = YM(2023, 11)};
    t->back_on_track[1] = (struct milestone_update){.status = MILESTONE_ON_TRACK,
                                                    .period = YM(2024, 4)};
    t->off_track[0] = (struct milestone_update){.status = MILESTONE_OFF_TRACK,
                                                .period = YM(2023, 12)};
    struct metric *m = &t->metric;
    m->code = "1.1.3";
    m->name = "Checks";
    m->unit = UNIT_PERCENT;
    m->direction = DIRECTION_UP;
    m->has_baseline = true;
    m->baseline = 50;
    m->baseline_period = YM(2023, 3);
    m->target = 90;
    m->target_period = YM(2024, 3);
    m->breakdown = "borough";
    m->spc = spc_default_settings();
    const double values[] = {80, 82, 81, 84, 86, 85.5};
    for (int i = 0; i < 6; i++)
        t->readings[i] = (struct reading){.period = YM(2023, 10) + i, .value = values[i]};
    t->readings[6] = (struct reading){.period = YM(2024, 3), .value = 60, .segment = "Barnet"};
    t->readings[7] = (struct reading){.period = YM(2024, 2), .value = 70, .segment = "Enfield"};
    m->readings = t->readings;
    m->reading_count = 8;

    struct node *n = t->nodes;
    n[0] = (struct node){.level = LEVEL_AIM, .code = "1", .title = "Care", .parent = NODE_NONE,
                         .subtree_end = 7};
    n[1] = (struct node){.level = LEVEL_OBJECTIVE, .code = "1.1", .title = "Wards", .parent = 0,
                         .subtree_end = 7, .depth = 1};
    n[2] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.1.1", .title = "Refurbish a ward",
                         .parent = 1, .subtree_end = 3, .depth = 2, .has_milestone = true,
                         .milestone = {.due = YM(2024, 3), .updates = t->complete_late,
                                       .update_count = 2}};
    n[3] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.1.2", .title = "Open a clinic",
                         .parent = 1, .subtree_end = 4, .depth = 2, .has_milestone = true,
                         .milestone = {.due = YM(2024, 3), .updates = t->back_on_track,
                                       .update_count = 2}};
    n[4] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.1.3", .title = "Health checks",
                         .parent = 1, .subtree_end = 5, .depth = 2, .metrics = m,
                         .metric_count = 1, .lead = "Chief Nurse"};
    n[5] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.1.4", .title = "A new strategy",
                         .parent = 1, .subtree_end = 6, .depth = 2, .has_milestone = true,
                         .milestone = {.due = YM(2024, 3)}};
    n[6] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.1.5", .title = "A late plan",
                         .parent = 1, .subtree_end = 7, .depth = 2, .has_milestone = true,
                         .milestone = {.due = YM(2023, 12), .updates = t->off_track,
                                       .update_count = 1}};
    t->board.code = "present";
    t->board.title = "Present test";
    t->board.reporting_period = "2023/24";
    t->board.nodes = n;
    t->board.node_count = 7;
    board_evaluate(&t->board, YEARMONTH_NONE, &t->status);
    assert_int_equal(t->status.as_at, YM(2024, 3));
    return t;
}

static void free_board(struct present_board *t)
{
    board_status_free(&t->status, t->board.node_count);
    free(t);
}

static char *report(const struct board *board, enum report_format format)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    assert_non_null(out);
    struct error error = {0};
    assert_true(report_write(board, YEARMONTH_NONE, format, false, out, &error));
    fclose(out);
    return text;
}

static char *detail(const struct present_board *t, size_t node, int metric)
{
    struct present_detail_options options = {.ascii = false, .width = 60};
    struct present_lines lines = {0};
    present_detail_build(&t->board, &t->status, YEARMONTH_NONE, node, metric, &options, &lines);
    char *text = present_lines_to_text(&lines);
    present_lines_free(&lines);
    return text;
}

/* The milestone label of `node` looking at `as_of` with the board as at
 * `as_at` is `label`, with `rag`. */
static void assert_label(const struct present_board *t, size_t node, yearmonth as_of,
                         yearmonth as_at, const char *label, enum rag rag)
{
    char text[160];
    assert_int_equal(
        present_milestone_label(&t->nodes[node].milestone, as_of, as_at, text, sizeof text), rag);
    assert_string_equal(text, label);
}

/* The reason `node` has its status is `expected`, with `rag`. */
static void assert_reason(const struct present_board *t, size_t node, const char *expected,
                          enum rag rag)
{
    char reason[256];
    assert_int_equal(present_status_reason(&t->board, &t->status, YEARMONTH_NONE, node, -1, reason,
                                           sizeof reason),
                     rag);
    assert_string_equal(reason, expected);
}

/* The label a milestone has in the tree, the kiosk, the detail and the
 * report, checked to be the same words. */
static void same_words_everywhere(struct present_board *t, size_t node, const char *label,
                                  enum rag rag)
{
    char tree[160];
    assert_label(t, node, YEARMONTH_NONE, t->status.as_at, label, rag);
    assert_int_equal(t->status.nodes[node].rag, rag); /* the badge agrees */

    present_tree_right(&t->board, &t->status, YEARMONTH_NONE, node, -1, false, tree, sizeof tree);
    assert_string_equal(tree, label);

    char **values;
    assert_int_equal(present_kiosk_values(&t->board, &t->status, node, false, &values), 1);
    assert_string_equal(values[0], label);
    free(values[0]);
    free(values);

    char *pane = detail(t, node, -1);
    char *status_line = xasprintf("\n  Status     %s\n", label);
    assert_non_null(strstr(pane, status_line));
    free(status_line);
    free(pane);

    char *paper = report(&t->board, REPORT_TEXT);
    char *row = xasprintf("milestone: %s, due ", label);
    assert_non_null(strstr(paper, row));
    free(paper);
    paper = report(&t->board, REPORT_MARKDOWN);
    assert_non_null(strstr(paper, row));
    free(row);
    free(paper);
}

static void completed_after_as_at_reads_complete(void **state)
{
    (void)state;
    struct present_board *t = build_board();
    /* Completed in May 2024, after the board's Mar 2024: B and complete
     * (the tree used to say "[B] … on track"). */
    same_words_everywhere(t, 2, "complete", RAG_BLUE);
    char *pane = detail(t, 2, -1);
    assert_non_null(strstr(pane, "Deliverable 1.1.1  [B] target met\n"));
    assert_non_null(strstr(pane, "\nMilestone\n  B: complete.\n"));
    assert_non_null(strstr(pane, "  May 2024  complete\n"));
    free(pane);
    assert_reason(t, 2, "B: complete.", RAG_BLUE);
    free_board(t);
}

static void past_due_reads_the_same_everywhere(void **state)
{
    (void)state;
    struct present_board *t = build_board();
    /* Back on track in Apr 2024, after its due month: R, past due. */
    same_words_everywhere(t, 3, "on track, past due", RAG_RED);
    assert_reason(t, 3, "R: due Mar 2024 and not complete (on track).", RAG_RED);
    /* Off track and past due says both. */
    same_words_everywhere(t, 6, "off track, past due", RAG_RED);
    free_board(t);
}

static void labels_at_an_earlier_month_and_without_updates(void **state)
{
    (void)state;
    struct present_board *t = build_board();
    /* Looking at Dec 2023: 1.1.2 was at risk and not yet due. */
    assert_label(t, 3, YM(2023, 12), YM(2023, 12), "at risk", RAG_AMBER);
    /* 1.1.1 before its completion: on track. */
    assert_label(t, 2, YM(2024, 3), YM(2024, 3), "on track", RAG_GREEN);
    /* No update at all: said so; grey until due, then past due. */
    assert_label(t, 5, YM(2024, 3), YM(2024, 3), "no update", RAG_GREY);
    assert_label(t, 5, YM(2024, 4), YM(2024, 4), "no update, past due", RAG_RED);
    free_board(t);
}

static void value_against_target_and_trend(void **state)
{
    (void)state;
    struct present_board *t = build_board();
    char text[160];
    const struct metric_status *status = &t->status.metrics[4][0];
    present_value_against_target(&t->metric, status, false, "no data", text, sizeof text);
    assert_string_equal(text, "85.5% → 90%");
    present_value_against_target(&t->metric, status, true, "no data", text, sizeof text);
    assert_string_equal(text, "85.5% -> 90%");
    present_value_against_target(&t->metric, NULL, false, "no reading", text, sizeof text);
    assert_string_equal(text, "no reading → 90%");
    assert_string_equal(present_trend_mark(&t->metric, false), "↓");
    assert_string_equal(present_trend_mark(&t->metric, true), "v");
    present_tree_right(&t->board, &t->status, YEARMONTH_NONE, 4, -1, false, text, sizeof text);
    assert_string_equal(text, "85.5% → 90% ↓");
    struct present_tree_row row;
    present_tree_row(&t->board, &t->status, YEARMONTH_NONE, 4, -1, true, &row);
    assert_int_equal(row.rag, RAG_AMBER);
    assert_string_equal(row.code, "1.1.3");
    assert_string_equal(row.title, "Health checks");
    assert_string_equal(row.right, "85.5% -> 90% v");
    present_tree_row(&t->board, &t->status, YEARMONTH_NONE, 4, 0, false, &row);
    assert_string_equal(row.title, "Checks"); /* a metric row: the metric's name */
    present_tree_row(&t->board, &t->status, YEARMONTH_NONE, 1, -1, false, &row);
    assert_int_equal(row.rag, RAG_RED);
    assert_string_equal(row.right, "R2 A1 B1"); /* 1.1.4 has no update: grey, not counted */
    char **values;
    assert_int_equal(present_kiosk_values(&t->board, &t->status, 4, true, &values), 1);
    assert_string_equal(values[0], "85.5% -> 90%");
    free(values[0]);
    free(values);
    free_board(t);
}

static char *counts(const struct rollup *rollup, enum present_counts_form form,
                    struct present_line *line)
{
    memset(line, 0, sizeof *line);
    present_counts(rollup, form, line);
    return line->text.data;
}

static void counts_in_each_form(void **state)
{
    (void)state;
    struct rollup rollup = {.rag = RAG_RED, .counts = {[RAG_RED] = 3, [RAG_AMBER] = 5,
                                                       [RAG_GREEN] = 2, [RAG_BLUE] = 1}};
    struct present_line line;
    assert_string_equal(counts(&rollup, PRESENT_COUNTS_TREE, &line), "R3 A5 G2 B1");
    /* Each count carries its status; the spaces between are plain. */
    assert_int_equal(line.span_count, 7);
    assert_int_equal(line.spans[0].meaning, PRESENT_RAG_RED);
    assert_int_equal(line.spans[1].meaning, PRESENT_PLAIN);
    assert_int_equal(line.spans[6].meaning, PRESENT_RAG_BLUE);
    assert_int_equal(line.spans[6].start, 9);
    assert_int_equal(line.spans[6].length, 2);
    present_line_free(&line);
    assert_string_equal(counts(&rollup, PRESENT_COUNTS_SUMMARY, &line), " R 3 A 5 G 2 B 1 - 0");
    assert_int_equal(line.span_count, 5);
    assert_int_equal(present_line_meaning(&line), PRESENT_RAG_RED);
    assert_int_equal(line.spans[4].meaning, PRESENT_RAG_GREY);
    present_line_free(&line);
    assert_string_equal(counts(&rollup, PRESENT_COUNTS_BOARD, &line),
                        "  | board R 3 A 5 G 2 B 1 - 0");
    present_line_free(&line);
    assert_string_equal(counts(&rollup, PRESENT_COUNTS_KIOSK, &line), "  R 3  A 5  G 2  B 1");
    present_line_free(&line);
    rollup.counts[RAG_GREY] = 4;
    assert_string_equal(counts(&rollup, PRESENT_COUNTS_KIOSK, &line),
                        "  R 3  A 5  G 2  B 1  no data 4");
    present_line_free(&line);
    assert_string_equal(counts(&rollup, PRESENT_COUNTS_REPORT, &line), "R 3  A 5  G 2  B 1  - 4");
    present_line_free(&line);
    assert_string_equal(counts(&rollup, PRESENT_COUNTS_DETAIL, &line),
                        "Deliverables: R 3, A 5, G 2, B 1, no data 4");
    present_line_free(&line);
    assert_string_equal(present_meaning_name(present_rag_meaning(RAG_AMBER)), "rag-amber");
    assert_string_equal(present_meaning_name(PRESENT_SAMPLE), "sample");
    assert_string_equal(present_meaning_name(PRESENT_MEANING_COUNT), "plain");
    struct rollup none = {0};
    assert_string_equal(counts(&none, PRESENT_COUNTS_TREE, &line), "");
    present_line_free(&line);
}

static void summary_line(void **state)
{
    (void)state;
    struct present_board *t = build_board();
    struct present_line line = {0};
    present_summary(&t->board, &t->status, 0, &line);
    assert_string_equal(line.text.data, " Aim 1: R 2 A 1 G 0 B 1 - 1  | board R 2 A 1 G 0 B 1 - 1");
    assert_int_equal(present_line_meaning(&line), PRESENT_STRONG);
    assert_int_equal(line.spans[0].length, strlen(" Aim 1:"));
    present_line_free(&line);
    present_summary(&t->board, &t->status, NODE_NONE, &line);
    assert_string_equal(line.text.data, " Board: R 2 A 1 G 0 B 1 - 1  | board R 2 A 1 G 0 B 1 - 1");
    present_line_free(&line);
    free_board(t);
}

static void headers(void **state)
{
    (void)state;
    struct present_board *t = build_board();
    struct present_header header;
    present_browser_header(&t->board, YM(2024, 3), false, "EDIT", &header);
    assert_string_equal(header.title, " Present test (2023/24)");
    assert_false(header.sample);
    assert_string_equal(header.right, "as at Mar 2024  EDIT ");
    t->board.shows_sample = true;
    t->board.title = "Objectives for 2023/24";
    present_browser_header(&t->board, YM(2023, 12), true, "READ-ONLY", &header);
    assert_string_equal(header.title, " Objectives for 2023/24");
    assert_true(header.sample);
    assert_string_equal(header.right, "HISTORY as at Dec 2023  READ-ONLY ");
    present_kiosk_header(&t->board, YEARMONTH_NONE, "09:35:51", &header);
    assert_string_equal(header.right, " as at none   09:35:51 ");
    /* With no reading, "as at" reads the same in the browser, the kiosk
     * and the reports (which call present_as_at too). */
    present_browser_header(&t->board, YEARMONTH_NONE, false, "EDIT", &header);
    assert_string_equal(header.right, "as at none  EDIT ");
    char month[9];
    present_as_at(YEARMONTH_NONE, month);
    assert_string_equal(month, "none");
    present_as_at(YM(2024, 3), month);
    assert_string_equal(month, "Mar 2024");
    free_board(t);
}

/* The reporting month's words in the header, a tree row and the detail:
 * PROVISIONAL and the open month's progress, awaiting, movement. */
static void month_words(void **state)
{
    (void)state;
    struct present_board *t = build_board();
    struct present_header header;
    present_browser_header(&t->board, YM(2024, 3), false, "EDIT", &header);
    present_header_month(&t->board, &t->status, &header);
    assert_string_equal(header.badge, "PROVISIONAL"); /* nothing is published */
    assert_string_equal(header.progress, "");         /* no month is open */
    struct present_tree_row row;
    present_tree_row(&t->board, &t->status, YEARMONTH_NONE, 4, -1, true, &row);
    assert_false(row.awaiting);
    assert_string_equal(row.movement, "");

    /* April open, 1.1.3 not yet updated; February published, 1.1.3 was R. */
    t->status.open_month = YM(2024, 4);
    t->status.nodes[4].awaiting = 1;
    t->status.nodes[1].awaiting = 1;
    t->status.board.awaiting = 1;
    t->board.months.open = YM(2024, 4);
    t->board.months.last_published = YM(2024, 2);
    t->board.months.previous = YM(2024, 2);
    t->board.nodes[4].has_previous = true;
    t->board.nodes[4].previous_rag = RAG_RED;
    present_header_month(&t->board, &t->status, &header);
    unsigned total = 0;
    for (int rag = 0; rag < RAG_COUNT; rag++)
        total += t->status.board.counts[rag];
    char expected[64];
    snprintf(expected, sizeof expected, "Apr 2024: %u of %u updated", total - 1, total);
    assert_string_equal(header.progress, expected);
    assert_string_equal(header.badge, "PROVISIONAL");
    present_tree_row(&t->board, &t->status, YEARMONTH_NONE, 4, -1, true, &row);
    assert_true(row.awaiting);
    assert_string_equal(row.movement, "^ was R"); /* A now */
    present_tree_row(&t->board, &t->status, YEARMONTH_NONE, 1, -1, false, &row);
    assert_false(row.awaiting); /* an objective: its rows say counts */
    assert_string_equal(row.movement, "new");

    struct present_detail_options options = {.ascii = true, .width = 60};
    struct present_lines lines = {0};
    present_detail_build(&t->board, &t->status, YEARMONTH_NONE, 4, -1, &options, &lines);
    char *text = present_lines_to_text(&lines);
    assert_non_null(strstr(text, "Lead: Chief Nurse\n"
                                 "Awaiting Apr 2024: not yet updated; the status is Mar 2024's.\n"
                                 "Since Feb 2024 (published): ^ was R\n"));
    free(text);
    present_lines_free(&lines);
    present_detail_build(&t->board, &t->status, YEARMONTH_NONE, 1, -1, &options, &lines);
    text = present_lines_to_text(&lines);
    assert_non_null(strstr(text, "Awaiting Apr 2024: 1 deliverable not yet updated.\n"
                                 "Since Feb 2024 (published): new\n"));
    free(text);
    present_lines_free(&lines);
    free_board(t);
}

static void metric_detail_with_breakdown(void **state)
{
    (void)state;
    struct present_board *t = build_board();
    struct present_detail_options options = {.ascii = true, .width = 60};
    struct present_lines lines = {0};
    present_detail_build(&t->board, &t->status, YEARMONTH_NONE, 4, -1, &options, &lines);
    char *text = present_lines_to_text(&lines);
    assert_non_null(strstr(text, "Deliverable 1.1.3  [A] slightly off track\n"
                                 "Health checks\n"
                                 "Lead: Chief Nurse\n"
                                 "\n"
                                 "Metric: Checks\n"));
    assert_non_null(strstr(text, "\n  Baseline   50% (Mar 2023)\n"
                                 "  Target     90% by Mar 2024 (higher is better)\n"
                                 "  Latest     85.5% for Mar 2024 v\n"
                                 "  Recent     Oct 80%, Nov 82%, Dec 81%, Jan 84%, Feb 86%, Mar 85.5%\n"
                                 "  Trend      "));
    assert_non_null(strstr(text, "\n  SPC        run chart: 6 of 15 points needed for limits\n"));
    assert_non_null(strstr(text, "\n  By borough (latest)\n"
                                 "    Barnet                        60%  Mar 2024\n"
                                 "    Enfield                       70%  Feb 2024\n"
                                 "    Spread 10 points between Enfield (70%) and Barnet (60%)\n"));
    free(text);
    /* Meanings: the heading in its status, the title and metric strong, the
     * sentence a paragraph in its status, the chart rows as cells. */
    assert_int_equal(present_line_meaning(&lines.lines[0]), PRESENT_RAG_AMBER);
    assert_int_equal(present_line_meaning(&lines.lines[1]), PRESENT_STRONG);
    assert_true(lines.lines[1].wrap);
    assert_int_equal(present_line_meaning(&lines.lines[4]), PRESENT_STRONG);
    assert_int_equal(present_line_meaning(&lines.lines[5]), PRESENT_RAG_AMBER);
    assert_true(lines.lines[5].wrap);
    assert_string_equal(lines.lines[5].indent, "  ");
    bool chart = false;
    for (size_t i = 0; i < lines.count; i++)
        if (lines.lines[i].cells) {
            chart = true;
            assert_int_equal(lines.lines[i].cell_count, 60);
        }
    assert_true(chart);
    present_lines_free(&lines);
    free_board(t);
}

/* The detail pane's sparkline is one cell a month: with no reading for
 * October 2023 (the first is September's), the second cell is blank. */
static void metric_detail_sparkline_leaves_a_missing_month_blank(void **state)
{
    (void)state;
    struct present_board *t = build_board();
    t->readings[0].period = YM(2023, 9);
    struct present_detail_options options = {.ascii = true, .width = 60};
    struct present_lines lines = {0};
    present_detail_build(&t->board, &t->status, YEARMONTH_NONE, 4, -1, &options, &lines);
    char *text = present_lines_to_text(&lines);
    assert_non_null(strstr(text, "\n  Trend      _ ..~^^\n"));
    free(text);
    present_lines_free(&lines);
    free_board(t);
}

static void kiosk_lines(void **state)
{
    (void)state;
    char text[256];
    present_kiosk_position(1, 4, 0, 1, text, sizeof text);
    assert_string_equal(text, " Aim 2 of 4");
    present_kiosk_position(1, 4, 1, 3, text, sizeof text);
    assert_string_equal(text, " Aim 2 of 4, part 2 of 3");
    assert_false(present_kiosk_stale_banner(YM(2024, 3), YM(2024, 6), 3, text, sizeof text));
    assert_true(present_kiosk_stale_banner(YM(2024, 3), YM(2024, 7), 3, text, sizeof text));
    assert_string_equal(text,
                        "STALE: the newest reading is for Mar 2024, more than 3 months before Jul 2024.");
    assert_true(present_kiosk_stale_banner(YEARMONTH_NONE, YM(2024, 7), 1, text, sizeof text));
    assert_string_equal(text, "STALE: this board has no readings yet.");
    present_kiosk_unreadable_banner("09:35:51", "database is locked.", text, sizeof text);
    assert_string_equal(text, "Store unreadable since 09:35:51: database is locked.");
    struct node aim = {.level = LEVEL_AIM, .code = "3"};
    present_kiosk_aim_label(&aim, text, sizeof text);
    assert_string_equal(text, "Aim 3");
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(completed_after_as_at_reads_complete),
        cmocka_unit_test(past_due_reads_the_same_everywhere),
        cmocka_unit_test(labels_at_an_earlier_month_and_without_updates),
        cmocka_unit_test(value_against_target_and_trend),
        cmocka_unit_test(counts_in_each_form),
        cmocka_unit_test(summary_line),
        cmocka_unit_test(headers),
        cmocka_unit_test(month_words),
        cmocka_unit_test(metric_detail_with_breakdown),
        cmocka_unit_test(metric_detail_sparkline_leaves_a_missing_month_blank),
        cmocka_unit_test(kiosk_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
