/* test_report.c — `boardpack report` on a small board built here: the CSV
 * contract of PRODUCT.md to the byte (header, one row per node in tree order,
 * the columns, R A G B -, CRLF, RFC 4180 quoting, variation and assurance
 * codes), the text and Markdown forms with their labels and glyphs, an
 * earlier "as of" month, and a write error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define YM(year, month) yearmonth_make(year, month)

/* The board:
 *   aim 1 "Care, closer to home"                          R (R 2, A 2)
 *     objective 1.1 'A "quoted" objective'               R
 *       1.1.1 percent, up, target 90, 16 readings 50/52   R; common cause, fails
 *       1.1.2 two metrics                                 A (worst of B and A)
 *         1.1.2a percent, up, target 9, 16 of 20/22       B; common cause, passes
 *         1.1.2b count, 100 -> 225 line, 4 readings       A; too few for SPC; stale
 *     objective "1.2" Waits and wards                     R
 *       1.2.1 "Median wait, in days", down, target 28     R; concern (high), hit or miss
 *       1.2.2 milestone at risk, due Mar 2024             A
 *   aim 2                                                 - (all grey)
 *     objective 2.1                                       -
 *       2.1.1 ratio with no direction, a last spike       -; neither (high)
 */
struct report_board {
    struct board board;
    struct node nodes[11];
    struct metric metrics[5];
    struct reading readings[5][16];
    struct milestone_update update;
};

static void alternate(struct reading *readings, size_t count, yearmonth first, double even,
                      double odd)
{
    for (size_t i = 0; i < count; i++)
        readings[i] = (struct reading){.period = first + (int)i, .value = i % 2 ? odd : even};
}

static struct report_board *build_board(void)
{
    struct report_board *t = calloc(1, sizeof *t);
    assert_non_null(t);
    /* Each metric's readings alternate between two values monthly from Dec
     * 2022, the sixteenth (Mar 2024) replaced by `last` where it is not 0. */
    static const struct {
        char *code, *name;
        enum unit unit;
        enum direction direction;
        double target, even, odd, last;
    } specs[5] = {
        {"1.1.1", "Checks", UNIT_PERCENT, DIRECTION_UP, 90, 50, 52, 0},
        {"1.1.2a", "Share", UNIT_PERCENT, DIRECTION_UP, 9, 20, 22, 0},
        {"1.1.2b", "Number", UNIT_COUNT, DIRECTION_UP, 225, 0, 0, 0}, /* its own, below */
        {"1.2.1", "Median wait", UNIT_DAYS, DIRECTION_DOWN, 28, 30, 31, 45},
        {"2.1.1", "Bed occupancy", UNIT_RATIO, DIRECTION_NONE, 1, 1.0, 1.2, 3},
    };
    struct metric *m = t->metrics;
    for (int i = 0; i < 5; i++) {
        m[i].spc = spc_default_settings();
        m[i].readings = t->readings[i];
        m[i].target_period = YM(2024, 3);
        m[i].code = specs[i].code;
        m[i].name = specs[i].name;
        m[i].unit = specs[i].unit;
        m[i].direction = specs[i].direction;
        m[i].target = specs[i].target;
        alternate(t->readings[i], 16, YM(2022, 12), specs[i].even, specs[i].odd);
        if (specs[i].last)
            t->readings[i][15] = (struct reading){.period = YM(2024, 3), .value = specs[i].last};
        m[i].reading_count = 16;
    }
    /* 1.1.2b: four readings on the line from its baseline. */
    m[2].has_baseline = true;
    m[2].baseline = 100;
    m[2].baseline_period = YM(2023, 3);
    const double counts[] = {100, 110, 118, 125};
    for (int i = 0; i < 4; i++)
        t->readings[2][i] = (struct reading){.period = YM(2023, 3) + i, .value = counts[i]};
    m[2].reading_count = 4;

    t->update = (struct milestone_update){.status = MILESTONE_AT_RISK, .period = YM(2023, 11)};

    struct node *n = t->nodes;
    n[0] = (struct node){.level = LEVEL_AIM, .code = "1", .title = "Care, closer to home",
                         .parent = NODE_NONE, .subtree_end = 8};
    n[1] = (struct node){.level = LEVEL_OBJECTIVE, .code = "1.1",
                         .title = "A \"quoted\" objective", .parent = 0, .subtree_end = 4,
                         .depth = 1};
    n[2] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.1.1",
                         .title = "Physical health checks", .parent = 1, .subtree_end = 3,
                         .depth = 2, .metrics = &m[0], .metric_count = 1};
    n[3] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.1.2", .title = "Apprenticeships",
                         .parent = 1, .subtree_end = 4, .depth = 2, .metrics = &m[1],
                         .metric_count = 2};
    n[4] = (struct node){.level = LEVEL_OBJECTIVE, .code = "1.2", .title = "Waits and wards",
                         .parent = 0, .subtree_end = 7, .depth = 1};
    n[5] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.2.1",
                         .title = "Median wait, in days", .parent = 4, .subtree_end = 6,
                         .depth = 2, .metrics = &m[3], .metric_count = 1};
    n[6] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.2.2", .title = "Refurbish a ward",
                         .parent = 4, .subtree_end = 7, .depth = 2, .has_milestone = true,
                         .milestone = {.due = YM(2024, 3), .updates = &t->update,
                                       .update_count = 1}};
    n[7] = (struct node){.level = LEVEL_AIM, .code = "2", .title = "Second aim",
                         .parent = NODE_NONE, .subtree_end = 10};
    n[8] = (struct node){.level = LEVEL_OBJECTIVE, .code = "2.1", .title = "Second objective",
                         .parent = 7, .subtree_end = 10, .depth = 1};
    n[9] = (struct node){.level = LEVEL_DELIVERABLE, .code = "2.1.1",
                         .title = "Bed occupancy ratio", .parent = 8, .subtree_end = 10,
                         .depth = 2, .metrics = &m[4], .metric_count = 1};
    t->board.code = "rep";
    t->board.title = "Report test, with \"quotes\"";
    t->board.reporting_period = "2023/24";
    t->board.nodes = n;
    t->board.node_count = 10;
    return t;
}

/* The report as one string (caller frees). */
static char *report(const struct board *board, yearmonth as_of, enum report_format format,
                    bool ascii)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    assert_non_null(out);
    struct error error = {0};
    if (!report_write(board, as_of, format, ascii, out, &error))
        fail_msg("%s", error.message);
    fclose(out);
    assert_int_equal(strlen(text), length); /* no NUL inside */
    return text;
}

/* A NULL-ended list of texts, for assert_report. */
#define TEXTS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The report (in ASCII if `ascii`) holds every text of `present` and none
 * of `absent` (either list may be NULL). */
static void assert_report_in(const struct board *board, yearmonth as_of,
                             enum report_format format, bool ascii, const char *const *present,
                             const char *const *absent)
{
    char *text = report(board, as_of, format, ascii);
    for (size_t i = 0; present && present[i]; i++)
        if (!strstr(text, present[i]))
            fail_msg("missing: %s\nin:\n%s", present[i], text);
    for (size_t i = 0; absent && absent[i]; i++)
        if (strstr(text, absent[i]))
            fail_msg("not expected: %s\nin:\n%s", absent[i], text);
    free(text);
}

static void assert_report(const struct board *board, yearmonth as_of, enum report_format format,
                          const char *const *present, const char *const *absent)
{
    assert_report_in(board, as_of, format, false, present, absent);
}

static void formats_parse(void **state)
{
    (void)state;
    const struct {
        const char *name;
        enum report_format format;
    } known[] = {{"csv", REPORT_CSV}, {"text", REPORT_TEXT}, {"md", REPORT_MARKDOWN},
                 {"markdown", REPORT_MARKDOWN}};
    enum report_format format;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        assert_true(report_format_parse(known[i].name, &format));
        assert_int_equal(format, known[i].format);
    }
    const char *unknown[] = {"CSV", "html", ""};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_false(report_format_parse(unknown[i], &format));
}

static void csv_is_the_contract_to_the_byte(void **state)
{
    (void)state;
    struct report_board *t = build_board();
    /* After the nine columns of the contract: stale, sample, lead, and the
     * month's previous_rag, movement and awaiting (empty: nothing published). */
    t->nodes[2].lead = "Chief Nurse, Quality";
    t->readings[3][15].sample = true; /* 1.2.1's latest, Mar 2024 */
    t->readings[0][14].sample = true; /* 1.1.1's Feb 2024: not its latest */
    char *text = report(&t->board, YEARMONTH_NONE, REPORT_CSV, false);
    assert_string_equal(
        text,
        "level,code,title,rag,value,target,period,variation,assurance,stale,sample,lead,"
        "previous_rag,movement,awaiting\r\n"
        "aim,1,\"Care, closer to home\",R,,,,,,,,,,,\r\n"
        "objective,1.1,\"A \"\"quoted\"\" objective\",R,,,,,,,,,,,\r\n"
        "deliverable,1.1.1,Physical health checks,R,52,90,2024-03,common,fail,0,0,"
        "\"Chief Nurse, Quality\",,,\r\n"
        "deliverable,1.1.2,Apprenticeships,A,,,,,,,,,,,\r\n"
        "metric,1.1.2a,Share,B,22,9,2024-03,common,pass,0,0,,,,\r\n"
        "metric,1.1.2b,Number,A,125,225,2023-06,,,1,0,,,,\r\n"
        "objective,1.2,Waits and wards,R,,,,,,,,,,,\r\n"
        "deliverable,1.2.1,\"Median wait, in days\",R,45,28,2024-03,concern-high,hit-or-miss,0,"
        "1,,,,\r\n"
        "deliverable,1.2.2,Refurbish a ward,A,,,,,,,,,,,\r\n"
        "aim,2,Second aim,-,,,,,,,,,,,\r\n"
        "objective,2.1,Second objective,-,,,,,,,,,,,\r\n"
        "deliverable,2.1.1,Bed occupancy ratio,-,3,1,2024-03,neither-high,,0,0,,,,\r\n");
    free(text);
    free(t);
}

static void csv_rows_have_fifteen_fields_and_crlf(void **state)
{
    (void)state;
    struct report_board *t = build_board();
    char *text = report(&t->board, YEARMONTH_NONE, REPORT_CSV, false);
    /* Every line ends CRLF; no bare LF or CR anywhere. */
    size_t lines = 0;
    for (const char *c = text; *c; c++) {
        if (*c == '\n') {
            assert_true(c > text && c[-1] == '\r');
            lines++;
        } else if (*c == '\r') {
            assert_int_equal(c[1], '\n');
        }
    }
    assert_int_equal(lines, 1 + 10 + 2); /* header, 10 nodes, 2 metric rows */
    /* Fourteen separators outside quotes on every line: the nine columns of
     * the contract, then stale, sample, lead, previous_rag, movement and
     * awaiting. */
    int commas = 0;
    bool quoted = false;
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            quoted = !quoted;
        else if (*c == ',' && !quoted)
            commas++;
        else if (*c == '\n') {
            assert_int_equal(commas, 14);
            commas = 0;
        }
    }
    free(text);
    free(t);
}

static void numbers_are_plain(void **state)
{
    (void)state;
    struct report_board *t = build_board();
    /* Round numbers never become 9e+01; long fractions read back exactly. */
    t->metrics[0].target = 100;
    t->readings[0][15].value = 0.1 + 0.2;
    t->metrics[1].target = 1200;
    assert_report(&t->board, YEARMONTH_NONE, REPORT_CSV,
                  TEXTS("\r\ndeliverable,1.1.1,Physical health checks,R,"
                        "0.30000000000000004,100,2024-03,",
                        "\r\nmetric,1.1.2a,Share,R,22,1200,2024-03,"),
                  TEXTS("e+"));
    assert_report(&t->board, YEARMONTH_NONE, REPORT_TEXT, TEXTS("0.3% → 100%", "22% → 1200%"),
                  TEXTS("e+"));
    free(t);
}

static void csv_fields_are_quoted_as_rfc_4180_says(void **state)
{
    (void)state;
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    const char *fields[] = {"plain", "a, b", "say \"hi\"", "two\nlines", "carriage\rreturn",
                            "", "’curly’ – £5", "\"", NULL};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        csv_write_field(out, fields[i]);
        fputc('|', out);
    }
    fclose(out);
    assert_string_equal(text, "plain|\"a, b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|"
                              "\"carriage\rreturn\"||’curly’ – £5|\"\"\"\"||");
    free(text);
}

static void text_report_reads_without_colour(void **state)
{
    (void)state;
    struct report_board *t = build_board();
    char *text = report(&t->board, YEARMONTH_NONE, REPORT_TEXT, false);
    assert_string_equal(text,
                        "Report test, with \"quotes\"\n"
                        "Board rep, 2023/24, as at Mar 2024\n"
                        "Deliverables: R 2  A 2  G 0  B 0  - 1\n"
                        /* Nothing is published: the figures are provisional. */
                        "PROVISIONAL\n"
                        "\n"
                        "[R] 1 Care, closer to home  (R 2  A 2  G 0  B 0  - 0)\n"
                        "  [R] 1.1 A \"quoted\" objective  (R 1  A 1  G 0  B 0  - 0)\n"
                        "    [R] 1.1.1 Physical health checks\n"
                        "        52% → 90% (2024-03); ~ common cause; ✗ consistently fails\n"
                        "    [A] 1.1.2 Apprenticeships\n"
                        "      [B] 1.1.2a Share\n"
                        "          22% → 9% (2024-03); ~ common cause; ✓ consistently passes\n"
                        "      [A] 1.1.2b Number\n"
                        "          125 → 225 (2023-06) STALE\n"
                        "  [R] 1.2 Waits and wards  (R 1  A 1  G 0  B 0  - 0)\n"
                        "    [R] 1.2.1 Median wait, in days\n"
                        "        45 days → 28 days (2024-03); ↑! concern (high); ± hit or miss\n"
                        "    [A] 1.2.2 Refurbish a ward\n"
                        "        milestone: at risk, due Mar 2024\n"
                        "[-] 2 Second aim  (R 0  A 0  G 0  B 0  - 1)\n"
                        "  [-] 2.1 Second objective  (R 0  A 0  G 0  B 0  - 1)\n"
                        "    [-] 2.1.1 Bed occupancy ratio\n"
                        "        3 → 1 (2024-03); ↑ neither (high)\n");
    free(text);
    /* ASCII: the same words, ASCII glyphs, nothing above 0x7f but titles. */
    text = report(&t->board, YEARMONTH_NONE, REPORT_TEXT, true);
    assert_non_null(strstr(text, "        52% -> 90% (2024-03); ~ common cause; F consistently fails\n"));
    assert_non_null(strstr(text, "          22% -> 9% (2024-03); ~ common cause; P consistently passes\n"));
    assert_non_null(strstr(text, "        45 days -> 28 days (2024-03); ^! concern (high); P/F hit or miss\n"));
    assert_non_null(strstr(text, "        3 -> 1 (2024-03); ^ neither (high)\n"));
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        assert_true(*c < 0x80);
    free(text);
    free(t);
}

static void sample_data_is_flagged(void **state)
{
    (void)state;
    struct report_board *t = build_board();
    t->board.shows_sample = true;
    assert_report(&t->board, YEARMONTH_NONE, REPORT_TEXT,
                  TEXTS("as at Mar 2024\nSAMPLE DATA (illustrative readings)\nDeliverables:"),
                  NULL);
    assert_report(&t->board, YEARMONTH_NONE, REPORT_MARKDOWN,
                  TEXTS("**SAMPLE DATA (illustrative readings).**"), NULL);
    /* The CSV contract has no room for it: header first, unchanged. */
    char *text = report(&t->board, YEARMONTH_NONE, REPORT_CSV, false);
    assert_memory_equal(text, "level,code,title,rag,", 21);
    free(text);
    free(t);
}

static void markdown_report_is_a_table(void **state)
{
    (void)state;
    struct report_board *t = build_board();
    t->nodes[4].title = "Waits | wards";
    char *text = report(&t->board, YEARMONTH_NONE, REPORT_MARKDOWN, false);
    const char *head = "# Report test, with \"quotes\"\n\n"
                       "Board `rep`, as at Mar 2024. Deliverables: R 2  A 2  G 0  B 0  - 1.\n\n"
                       "**PROVISIONAL**\n\n"
                       "| level | code | title | RAG | value → target | period | variation | "
                       "assurance |\n|---|---|---|---|---|---|---|---|\n";
    assert_memory_equal(text, head, strlen(head));
    const char *rows[] = {
        "| aim | 1 | **Care, closer to home** | R | R 2  A 2  G 0  B 0  - 0 |  |  |  |\n",
        "| deliverable | 1.1.1 | Physical health checks | R | 52% → 90% | 2024-03 | ~ common "
        "cause | ✗ consistently fails |\n",
        "| deliverable | 1.1.2 | Apprenticeships | A |  |  |  |  |\n",
        "| metric | 1.1.2b | Number | A | 125 → 225 (stale) | 2023-06 |  |  |\n",
        "| objective | 1.2 | **Waits \\| wards** | R | R 1  A 1  G 0  B 0  - 0 |  |  |  |\n",
        "| deliverable | 1.2.1 | Median wait, in days | R | 45 days → 28 days | 2024-03 | ↑! "
        "concern (high) | ± hit or miss |\n",
        "| deliverable | 1.2.2 | Refurbish a ward | A | milestone: at risk, due Mar 2024 |  |  "
        "|  |\n",
        "| aim | 2 | **Second aim** | - | R 0  A 0  G 0  B 0  - 1 |  |  |  |\n",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!strstr(text, rows[i]))
            fail_msg("missing row: %s\nin:\n%s", rows[i], text);
    /* One table row per node and metric row. */
    size_t table_rows = 0;
    for (const char *line = strstr(text, "|---|"); (line = strchr(line, '\n')) && line[1];
         line++)
        table_rows++;
    assert_int_equal(table_rows, 12);
    free(text);
    free(t);
}

/* When improvement and concern rules both flag a metric's latest point, the
 * text and Markdown reports say so in words beside the icon, and which way
 * the metric's conflict rule went; the CSV keeps its nine columns. 1.2.1
 * (lower is better) becomes nine readings of 30 and 31, then 41 falling to
 * 35: a shift above the mean (a concern) and a falling trend (an
 * improvement) on the last point. */
static void spc_conflicts_are_said_in_words(void **state)
{
    (void)state;
    struct report_board *t = build_board();
    alternate(t->readings[3], 9, YM(2022, 12), 30, 31);
    for (int i = 0; i < 7; i++)
        t->readings[3][9 + i] = (struct reading){.period = YM(2023, 9) + i, .value = 41 - i};
    const char *sentence = "improvement and concern rules both apply to the latest point; "
                           "this metric shows ";
    char expected[256];
    snprintf(expected, sizeof expected,
             "        35 days → 28 days (2024-03); ↑! concern (high) [%sconcern]; ✗ "
             "consistently fails\n",
             sentence);
    assert_report(&t->board, YEARMONTH_NONE, REPORT_TEXT, TEXTS(expected), NULL);
    snprintf(expected, sizeof expected, "| ↑! concern (high) [%sconcern] | ✗ consistently fails |\n",
             sentence);
    assert_report(&t->board, YEARMONTH_NONE, REPORT_MARKDOWN, TEXTS(expected), NULL);
    assert_report(&t->board, YEARMONTH_NONE, REPORT_CSV,
                  TEXTS("\"Median wait, in days\",R,35,28,2024-03,concern-high,fail,0,0,,,,\r\n"),
                  TEXTS(sentence));

    /* The metric's rule set to improvement, or the board's (as a loader
     * copies it in): the improvement icon, and the sentence says so. */
    for (int how = 0; how < 2; how++) {
        t->metrics[3].spc = spc_default_settings();
        if (how == 0)
            t->metrics[3].spc.conflict = SPC_CONFLICT_IMPROVEMENT;
        else
            t->metrics[3].spc.board_conflict = SPC_CONFLICT_IMPROVEMENT;
        snprintf(expected, sizeof expected,
                 "        35 days -> 28 days (2024-03); v+ improvement (low) [%simprovement]; "
                 "F consistently fails\n",
                 sentence);
        assert_report_in(&t->board, YEARMONTH_NONE, REPORT_TEXT, true, TEXTS(expected), NULL);
    }

    /* An earlier month, when 1.2.1 was still a run chart: no icon, no words. */
    assert_report(&t->board, YM(2023, 12), REPORT_TEXT, NULL, TEXTS(sentence));
    free(t);
}

static void an_earlier_month_cuts_every_column(void **state)
{
    (void)state;
    struct report_board *t = build_board();
    /* As of Jun 2023: 1.1.1 has 7 readings (Dec 2022..Jun 2023), too few
     * for limits, so no variation or assurance; its latest is Jun's 50. */
    assert_report(&t->board, YM(2023, 6), REPORT_CSV,
                  TEXTS("\r\ndeliverable,1.1.1,Physical health checks,R,50,90,2023-06,,,0,0,,,,\r\n",
                        "\r\nmetric,1.1.2b,Number,A,125,225,2023-06,,,0,0,,,,\r\n",
                        /* The milestone's Nov update is not yet made: not started, grey. */
                        "\r\ndeliverable,1.2.2,Refurbish a ward,-,,,,,,,,,,,\r\n"),
                  TEXTS("2023-07", "2024-03"));
    assert_report(&t->board, YM(2023, 6), REPORT_TEXT,
                  TEXTS("as at Jun 2023\n", "milestone: not started, due Mar 2024\n"),
                  TEXTS("STALE")); /* 1.1.2b is current in Jun */
    /* Past the due month the milestone at risk is red. */
    assert_report(&t->board, YM(2024, 5), REPORT_CSV,
                  TEXTS("\r\ndeliverable,1.2.2,Refurbish a ward,R,,,,,,,,,,,\r\n"), NULL);
    free(t);
}

static void a_board_with_no_readings(void **state)
{
    (void)state;
    struct report_board *t = build_board();
    for (int i = 0; i < 5; i++)
        t->metrics[i].reading_count = 0;
    t->nodes[6].milestone.update_count = 0;
    assert_report(&t->board, YEARMONTH_NONE, REPORT_CSV,
                  TEXTS("\r\ndeliverable,1.1.1,Physical health checks,-,,90,,,,0,,,,,\r\n",
                        "\r\naim,1,\"Care, closer to home\",-,,,,,,,,,,,\r\n"),
                  NULL);
    assert_report(&t->board, YEARMONTH_NONE, REPORT_TEXT,
                  TEXTS("Board rep, 2023/24, as at none\n", "        no reading → 90%\n"), NULL);
    free(t);
}

/* The working view of an open month after a published one: movement since
 * it on each row, awaiting rows judged at the month before, the month line,
 * the CSV's month columns and --changed. Apr 2024 is open after Feb 2024
 * was published; every node had its present status then but 1.1.1 (G). */
static void an_open_month_shows_movement_and_awaiting(void **state)
{
    (void)state;
    struct report_board *t = build_board();
    struct board_status before;
    board_evaluate(&t->board, YEARMONTH_NONE, &before);
    for (size_t i = 0; i < t->board.node_count; i++) {
        t->nodes[i].has_previous = true;
        t->nodes[i].previous_rag = before.nodes[i].rag;
    }
    board_status_free(&before, t->board.node_count);
    t->nodes[2].previous_rag = RAG_GREEN;
    t->board.months = (struct board_months){.open = YM(2024, 4),
                                            .last_published = YM(2024, 2),
                                            .previous = YM(2024, 2)};
    assert_report(&t->board, YEARMONTH_NONE, REPORT_TEXT,
                  TEXTS("- 1\nPROVISIONAL — Apr 2024: 0 of 5 updated\n\n",
                        "    [R] 1.1.1 Physical health checks  ↓ was G\n"
                        "        52% → 90% (2024-03); awaiting Apr 2024 (last month R); ",
                        "  [R] 1.1 A \"quoted\" objective  (R 1  A 1  G 0  B 0  - 0)  = was R\n",
                        /* Judged at Mar 2024, as its letter is: not yet past due. */
                        "        milestone: at risk, due Mar 2024; awaiting Apr 2024 (last month "
                        "A)\n"),
                  TEXTS("past due"));
    assert_report(&t->board, YEARMONTH_NONE, REPORT_CSV,
                  TEXTS("\r\ndeliverable,1.1.1,Physical health checks,R,52,90,2024-03,common,fail,0,"
                        "0,,G,down,yes\r\n",
                        "\r\naim,1,\"Care, closer to home\",R,,,,,,,,,R,same,\r\n",
                        "\r\nmetric,1.1.2b,Number,A,125,225,2023-06,,,1,0,,,,yes\r\n"),
                  NULL);
    assert_report(&t->board, YEARMONTH_NONE, REPORT_MARKDOWN,
                  TEXTS("| Physical health checks | R ↓ was G | 52% → 90%; awaiting Apr 2024 "
                        "(last month R) |"),
                  NULL);
    /* --changed: 1.1.1 and its ancestors only. */
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    struct report_options options = {.format = REPORT_CSV, .changed_only = true};
    struct error error = {0};
    assert_true(report_write_with(&t->board, YEARMONTH_NONE, &options, out, &error));
    fclose(out);
    const char *rows = strchr(text, '\n') + 1;
    assert_memory_equal(rows, "aim,1,", 6);
    assert_non_null(strstr(rows, "\r\nobjective,1.1,"));
    assert_non_null(strstr(rows, "\r\ndeliverable,1.1.1,"));
    assert_null(strstr(rows, "1.1.2"));
    assert_null(strstr(rows, "aim,2,"));
    free(text);
    /* Nothing moved: the text report says so. */
    t->nodes[2].previous_rag = RAG_RED;
    text = NULL;
    out = open_memstream(&text, &length);
    options.format = REPORT_TEXT;
    assert_true(report_write_with(&t->board, YEARMONTH_NONE, &options, out, &error));
    fclose(out);
    assert_non_null(strstr(text, "\n\nNo status has moved since Feb 2024.\n"));
    free(text);
    free(t);
}

/* A published month as published: its badge and who published it, and the
 * same words once it has been corrected since (REVISED). */
static void a_published_month_says_so(void **state)
{
    (void)state;
    struct report_board *t = build_board();
    t->board.months = (struct board_months){.last_published = YM(2024, 3), .published = true,
                                            .shown = YM(2024, 3), .published_by = "alice",
                                            .published_at = "2024-04-05T10:00:00Z"};
    assert_report(&t->board, YEARMONTH_NONE, REPORT_TEXT,
                  TEXTS("- 1\nPUBLISHED — Published 2024-04-05 by alice.\n\n"), NULL);
    t->board.months.revisions = 2;
    assert_report_in(&t->board, YEARMONTH_NONE, REPORT_TEXT, true,
                     TEXTS("- 1\nPUBLISHED, REVISED - Published 2024-04-05 by alice; revised "
                           "after publication (2 corrections).\n\n"),
                     NULL);
    assert_report(&t->board, YEARMONTH_NONE, REPORT_MARKDOWN,
                  TEXTS("\n\n**PUBLISHED, REVISED — Published 2024-04-05 by alice; revised after "
                        "publication (2 corrections).**\n\n| level"),
                  NULL);
    free(t);
}

static void a_write_error_is_reported(void **state)
{
    (void)state;
    FILE *full = fopen("/dev/full", "w");
    if (!full)
        skip();
    struct report_board *t = build_board();
    struct error error = {0};
    assert_false(report_write(&t->board, YEARMONTH_NONE, REPORT_CSV, false, full, &error));
    assert_int_equal(error.status, EXIT_IO);
    assert_string_equal(error.message, "Cannot write the report.");
    fclose(full);
    free(t);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_parse),
        cmocka_unit_test(csv_is_the_contract_to_the_byte),
        cmocka_unit_test(csv_rows_have_fifteen_fields_and_crlf),
        cmocka_unit_test(numbers_are_plain),
        cmocka_unit_test(csv_fields_are_quoted_as_rfc_4180_says),
        cmocka_unit_test(text_report_reads_without_colour),
        cmocka_unit_test(sample_data_is_flagged),
        cmocka_unit_test(markdown_report_is_a_table),
        cmocka_unit_test(spc_conflicts_are_said_in_words),
        cmocka_unit_test(an_earlier_month_cuts_every_column),
        cmocka_unit_test(a_board_with_no_readings),
        cmocka_unit_test(an_open_month_shows_movement_and_awaiting),
        cmocka_unit_test(a_published_month_says_so),
        cmocka_unit_test(a_write_error_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
