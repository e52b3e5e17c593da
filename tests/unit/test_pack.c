/* test_pack.c — the board pack's SVG chart and icons (svg.c), compared with
 * expected files in tests/unit/expected/ like the terminal chart's, and
 * the HTML writer (pack.c): every text field escaped, the sections there.
 * BOARDPACK_UPDATE_EXPECTED=1 rewrites the expected files instead. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boardfile.h"
#include "command.h"
#include "store.h"
#include "fixture.h"
#include "pack.h"
#include "spc.h"
#include "svg.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static const double test_vector[] = {1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1};

static void periods_from(int *periods, size_t count, int year, int month, size_t gap_at)
{
    for (size_t i = 0; i < count; i++)
        periods[i] = year * 12 + month - 1 + (int)i + (gap_at && i >= gap_at ? 1 : 0);
}

static char *read_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return NULL;
    char *text = calloc(1, 1 << 20);
    assert_non_null(text);
    size_t length = fread(text, 1, (1 << 20) - 1, file);
    fclose(file);
    text[length] = '\0';
    return text;
}

/* The text is the expected file `name`, or becomes it when updating. */
static void assert_matches_file(const char *text, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/unit/expected/%s", TEST_SOURCE_DIR, name);
    const char *update = getenv("BOARDPACK_UPDATE_EXPECTED");
    if (update && *update) {
        FILE *file = fopen(path, "wb");
        assert_non_null(file);
        fputs(text, file);
        fclose(file);
        return;
    }
    char *expected = read_file(path);
    if (!expected)
        fail_msg("cannot open %s", path);
    if (strcmp(text, expected) != 0) {
        print_error("expected %s:\n%s\nrendered:\n%s\n", name, expected, text);
        free(expected);
        fail();
    }
    free(expected);
}

static void assert_chart_file(const double *values, const int *periods, size_t count,
                              enum spc_direction direction, bool has_target, double target,
                              const struct spc_settings *settings,
                              const struct svg_chart_options *options, const char *name)
{
    struct spc_result spc;
    assert_true(spc_analyse(values, periods, count, direction, has_target, target, settings, &spc));
    struct text_buffer out = {0};
    svg_chart(&spc, options, &out);
    assert_non_null(out.data);
    assert_matches_file(out.data, name);
    text_free(&out);
    spc_result_free(&spc);
}

static void test_escape(void **state)
{
    (void)state;
    struct text_buffer out = {0};
    markup_escape(&out, "<script>alert('x' & \"y\")</script> £ ok");
    assert_string_equal(out.data, "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)"
                                  "&lt;/script&gt; £ ok");
    text_free(&out);
    markup_escape(&out, "");
    assert_string_equal(out.data, "");
    markup_escape(&out, NULL);
    assert_string_equal(out.data, "");
    text_free(&out);
}

/* The test vector: limits, one point outside them. */
static void test_chart_test_vector(void **state)
{
    (void)state;
    int periods[COUNT(test_vector)];
    periods_from(periods, COUNT(test_vector), 2023, 4, 0);
    struct svg_chart_options options = {.title = "XmR chart of the test vector",
                                        .unit = UNIT_NUMBER};
    assert_chart_file(test_vector, periods, COUNT(test_vector), SPC_HIGHER_IS_BETTER, false, 0,
                      NULL, &options, "svg_test_vector.svg");
}

/* No reading for one month: the line breaks there; a target and a
 * trajectory are drawn. */
static void test_chart_gap_target_trajectory(void **state)
{
    (void)state;
    int periods[COUNT(test_vector)];
    periods_from(periods, COUNT(test_vector), 2023, 4, 10);
    struct trajectory_point trajectory[] = {{yearmonth_make(2023, 6), 3},
                                            {yearmonth_make(2024, 3), 5}};
    struct svg_chart_options options = {.title = "Gap, target & trajectory",
                                        .has_target = true,
                                        .target = 5,
                                        .trajectory = trajectory,
                                        .trajectory_count = COUNT(trajectory),
                                        .unit = UNIT_COUNT};
    assert_chart_file(test_vector, periods, COUNT(test_vector), SPC_HIGHER_IS_BETTER, true, 5,
                      NULL, &options, "svg_gap_target.svg");
}

/* Fewer than the minimum points: a run chart, no limits. */
static void test_run_chart(void **state)
{
    (void)state;
    static const double values[] = {60.1, 61.5, 62, 59.8, 63.2};
    int periods[COUNT(values)];
    periods_from(periods, COUNT(values), 2023, 4, 0);
    struct svg_chart_options options = {.title = "Run chart", .has_target = true, .target = 75,
                                        .unit = UNIT_PERCENT};
    assert_chart_file(values, periods, COUNT(values), SPC_HIGHER_IS_BETTER, true, 75, NULL,
                      &options, "svg_run_chart.svg");
    struct spc_result spc;
    assert_true(spc_analyse(values, periods, COUNT(values), SPC_HIGHER_IS_BETTER, true, 75, NULL,
                            &spc));
    struct text_buffer out = {0};
    svg_chart(&spc, &options, &out);
    assert_non_null(strstr(out.data, "Run chart of 5 readings"));
    assert_null(strstr(out.data, "stroke-dasharray=\"6 4\"")); /* no limits */
    text_free(&out);
    spc_result_free(&spc);
}

/* A rebase: the mean and limits step; a shift of concern (lower is
 * better, values rise) is orange; no direction is purple. */
static void test_rebase_and_meanings(void **state)
{
    (void)state;
    double values[30];
    for (size_t i = 0; i < 30; i++)
        values[i] = (i < 15 ? 10 : 20) + (double)(i % 3);
    int periods[30];
    periods_from(periods, 30, 2022, 1, 0);
    struct spc_settings settings = spc_default_settings();
    settings.rebase_periods[0] = yearmonth_make(2023, 4);
    settings.rebase_count = 1;
    struct svg_chart_options options = {.title = "Rebased", .unit = UNIT_DAYS};
    assert_chart_file(values, periods, 30, SPC_LOWER_IS_BETTER, false, 0, &settings, &options,
                      "svg_rebased.svg");
    assert_chart_file(values, periods, 30, SPC_LOWER_IS_BETTER, false, 0, NULL, &options,
                      "svg_concern.svg");
    assert_chart_file(values, periods, 30, SPC_NO_DIRECTION, false, 0, NULL, &options,
                      "svg_neither.svg");
}

static void test_empty_chart_is_nothing(void **state)
{
    (void)state;
    struct spc_result spc = {0};
    struct text_buffer out = {0};
    struct svg_chart_options options = {0};
    svg_chart(&spc, &options, &out);
    svg_chart(NULL, &options, &out);
    svg_variation_icon(SPC_VARIATION_NONE, 32, &out);
    svg_assurance_icon(SPC_ASSURANCE_NONE, 32, &out);
    assert_null(out.data);
}

static void test_icons(void **state)
{
    (void)state;
    struct text_buffer out = {0};
    for (int v = SPC_VARIATION_COMMON; v <= SPC_VARIATION_NEITHER_LOW; v++) {
        svg_variation_icon((enum spc_variation)v, 32, &out);
        text_append(&out, "\n");
    }
    for (int a = SPC_ASSURANCE_PASS; a <= SPC_ASSURANCE_HIT_OR_MISS; a++) {
        svg_assurance_icon((enum spc_assurance)a, 32, &out);
        text_append(&out, "\n");
    }
    assert_non_null(strstr(out.data, "<title>Variation: concern (low)</title>"));
    assert_non_null(strstr(out.data, "<title>Assurance: consistently fails</title>"));
    assert_matches_file(out.data, "svg_icons.svg");
    text_free(&out);
}

/* A board whose every text field holds markup. */
static const char hostile_board[] =
    "board:\n"
    "  code: hostile\n"
    "  title: \"<script>alert(1)</script> & Co's \\\"board\\\"\"\n"
    "  period: \"2023/24 <b>\"\n"
    "  purpose: \"<i>purpose</i> & more\"\n"
    "  vision: \"<img src=x onerror=alert(2)>\"\n"
    "aims:\n"
    "  - code: \"1\"\n"
    "    title: \"Aim <script>\"\n"
    "    objectives:\n"
    "      - code: \"1.1\"\n"
    "        title: \"Objective & <u>\"\n"
    "        deliverables:\n"
    "          - code: \"1.1.1\"\n"
    "            title: \"<script>steal()</script> & checks\"\n"
    "            lead: \"Dr <b>Lead</b> & 'Co'\"\n"
    "            metric: {name: \"Checks <em>\", unit: percent, direction: up,\n"
    "                     target: {value: 75, period: 2024-03}, breakdown: \"<bor>\"}\n"
    "          - code: \"1.1.2\"\n"
    "            title: \"Ward\"\n"
    "            milestone: {due: 2024-03, status: on_track}\n"
    "readings:\n"
    "  - {metric: \"1.1.1\", period: 2023-04, value: 60.1}\n"
    "  - {metric: \"1.1.1\", period: 2023-05, value: 61.5}\n"
    "  - {metric: \"1.1.1\", period: 2023-05, value: 55, segment: \"<Barnet>\"}\n"
    "  - {metric: \"1.1.1\", period: 2023-05, value: 57, segment: \"Camden & Co\"}\n"
    "milestone_updates:\n"
    "  - {deliverable: \"1.1.2\", period: 2023-05, status: at_risk, note: \"<blink>late</blink>\"}\n"
    "commentary:\n"
    "  - {node: \"1.1.1\", period: 2023-05, text: \"<script>x()</script> & fine\"}\n";

static char *write_pack(struct board *board, const char *store, const char *made_at)
{
    struct pack_options options = {.store = store, .made_at = made_at};
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    assert_non_null(out);
    struct error error = {0};
    assert_true(pack_write(board, &options, out, &error));
    fclose(out);
    return text;
}

static void test_pack_escapes_every_field(void **state)
{
    (void)state;
    struct board *board = fixture_parse(hostile_board, "hostile.yaml");
    board_attach_records(board);
    char *html = write_pack(board, "/tmp/<store>&.db", "<made>");
    /* No markup from the board reaches the document as markup. */
    static const char *const raw[] = {"<script", "<b>", "<i>", "<img", "<u>", "<em>", "<bor>",
                                      "<Barnet>", "<blink>", "<store>", "<made>", "Co's", "s \"board",
                                      "& Co", "& checks", "& more", "& fine"};
    for (size_t i = 0; i < COUNT(raw); i++)
        if (strstr(html, raw[i]))
            fail_msg("'%s' reached the pack unescaped", raw[i]);
    static const char *const escaped[] = {
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co&#39;s &quot;board&quot;",
        "&lt;script&gt;steal()&lt;/script&gt; &amp; checks",
        "Dr &lt;b&gt;Lead&lt;/b&gt; &amp; &#39;Co&#39;",
        "&lt;img src=x onerror=alert(2)&gt;",
        "&lt;Barnet&gt;",
        "&lt;blink&gt;late&lt;/blink&gt;",
        "&lt;script&gt;x()&lt;/script&gt; &amp; fine",
        "/tmp/&lt;store&gt;&amp;.db",
    };
    for (size_t i = 0; i < COUNT(escaped); i++)
        if (!strstr(html, escaped[i]))
            fail_msg("no '%s' in the pack", escaped[i]);
    /* Self-contained and printable. */
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    assert_non_null(strstr(html, "@page { size: A4 landscape"));
    assert_non_null(strstr(html, "id=\"d-1.1.1\""));
    assert_non_null(strstr(html, "href=\"#d-1.1.1\""));
    assert_non_null(strstr(html, "<h2 id=\"summary-title\">Summary</h2>"));
    assert_non_null(strstr(html, "<h2 id=\"key-title\">Key</h2>"));
    free(html);
    board_free(board);
}

/* The same board gives the same bytes; SAMPLE DATA shows when a sample
 * reading does. */
static void test_pack_is_reproducible(void **state)
{
    (void)state;
    struct board *board = fixture_parse(fixture_board, "fixture.yaml");
    board_attach_records(board);
    char *first = write_pack(board, "store.db", "2024-04-05 09:00 UTC");
    char *second = write_pack(board, "store.db", "2024-04-05 09:00 UTC");
    assert_string_equal(first, second);
    assert_null(strstr(first, "SAMPLE DATA"));
    assert_non_null(strstr(first, "Made at</dt><dd>2024-04-05 09:00 UTC"));
    board->shows_sample = true;
    char *sample = write_pack(board, "store.db", "x");
    assert_non_null(strstr(sample, "<p class=\"sample-banner\">SAMPLE DATA</p>"));
    free(first);
    free(second);
    free(sample);
    board_free(board);
}

/* The pack of a view of the fixture store. */
static char *pack_of_view(struct fixture *fixture, enum view_month view, yearmonth month)
{
    struct error error = {0};
    struct board *board;
    yearmonth at;
    assert_true(command_load_view(fixture->store, "test-board", view, month, &board, &at, &error));
    struct pack_options options = {.evaluate_at = at, .store = "store.db", .made_at = "fixed"};
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    assert_true(pack_write(board, &options, out, &error));
    fclose(out);
    board_free(board);
    return text;
}

/* A published month: PUBLISHED with who and when on the cover, the same
 * bytes whether asked for as the newest published month or by its month,
 * and still the same after a later month's drafts; the later month is
 * PROVISIONAL. */
static void test_pack_of_a_published_month(void **state)
{
    struct fixture *fixture = *state;
    struct error error = {0};
    assert_true(command_open_month(fixture->store, "test-board", "2023-06", &error));
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "63", NULL, NULL,
                                       NULL, NULL, NULL, &error));
    struct publish_summary summary;
    assert_true(command_publish_month(fixture->store, "test-board", "2023-06", &summary, &error));
    char *published = pack_of_view(fixture, VIEW_PUBLISHED, YEARMONTH_NONE);
    assert_non_null(strstr(published, "<p class=\"standing\">PUBLISHED</p>"));
    assert_non_null(strstr(published, "<p>Published "));
    assert_non_null(strstr(published, "<p class=\"month\">Jun 2023</p>"));
    assert_null(strstr(published, "PROVISIONAL"));
    char *by_month = pack_of_view(fixture, VIEW_MONTH, yearmonth_make(2023, 6));
    assert_string_equal(published, by_month);

    assert_true(command_open_month(fixture->store, "test-board", "2023-07", &error));
    assert_true(command_record_reading(fixture->store, "test-board", "1.1.1", "40", NULL, NULL,
                                       NULL, NULL, NULL, &error));
    char *again = pack_of_view(fixture, VIEW_PUBLISHED, YEARMONTH_NONE);
    assert_string_equal(published, again);
    char *july = pack_of_view(fixture, VIEW_MONTH, yearmonth_make(2023, 7));
    assert_non_null(strstr(july, "<p class=\"standing\">PROVISIONAL</p>"));
    assert_non_null(strstr(july, "<p class=\"month\">Jul 2023</p>"));
    /* 40% after June's 63%: worse since the published month, an exception. */
    assert_non_null(strstr(july, "deteriorated since the last published month"));
    assert_non_null(strstr(july, "<a href=\"#d-1.1.1\">1.1.1</a>"));
    free(published);
    free(by_month);
    free(again);
    free(july);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_chart_test_vector),
        cmocka_unit_test(test_chart_gap_target_trajectory),
        cmocka_unit_test(test_run_chart),
        cmocka_unit_test(test_rebase_and_meanings),
        cmocka_unit_test(test_empty_chart_is_nothing),
        cmocka_unit_test(test_icons),
        cmocka_unit_test(test_pack_escapes_every_field),
        cmocka_unit_test(test_pack_is_reproducible),
        FIXTURE_TEST_WITH_BOARD(test_pack_of_a_published_month),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
