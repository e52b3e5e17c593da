/* test_chart.c — the cell buffer, the SPC chart and the sparkline, compared
 * with expected text (tests/unit/expected/) and checked cell by cell. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "spc.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static const double test_vector[] = {1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1};

/* The test vector from April 2023, higher is better. */
static void analyse_test_vector(struct spc_result *result)
{
    int periods[COUNT(test_vector)];
    for (size_t i = 0; i < COUNT(test_vector); i++)
        periods[i] = 2023 * 12 + 3 + (int)i;
    assert_true(spc_analyse(test_vector, periods, COUNT(test_vector), SPC_HIGHER_IS_BETTER, false,
                            0, NULL, result));
}

/* The test vector from April 2023 with no reading for February 2024: the
 * tenth reading is January's, the eleventh March's (months 0..18, no 10). */
static void analyse_test_vector_with_a_gap(struct spc_result *result)
{
    int periods[COUNT(test_vector)];
    for (size_t i = 0; i < COUNT(test_vector); i++)
        periods[i] = 2023 * 12 + 3 + (int)i + (i >= 10 ? 1 : 0);
    assert_true(spc_analyse(test_vector, periods, COUNT(test_vector), SPC_HIGHER_IS_BETTER, false,
                            0, NULL, result));
}

/* `count` values, one a month, analysed with the default settings. */
static void analyse_series(const double *values, size_t count, enum spc_direction direction,
                           struct spc_result *result)
{
    assert_true(spc_analyse(values, NULL, count, direction, false, 0, NULL, result));
}

static char *read_expected(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/unit/expected/%s", TEST_SOURCE_DIR, name);
    FILE *file = fopen(path, "rb");
    if (!file)
        fail_msg("cannot open %s", path);
    char *text = calloc(1, 65536);
    assert_non_null(text);
    size_t length = fread(text, 1, 65535, file);
    fclose(file);
    while (length && text[length - 1] == '\n') /* editors add one */
        text[--length] = '\0';
    return text;
}

static void assert_buffer_text(const struct cell_buffer *buffer, const char *expected)
{
    char *text = cell_buffer_to_text(buffer);
    if (strcmp(text, expected) != 0) {
        print_error("expected:\n%s\nrendered:\n%s\n", expected, text);
        free(text);
        fail();
    }
    free(text);
}

static void assert_buffer_matches_file(const struct cell_buffer *buffer, const char *name)
{
    char *expected = read_expected(name);
    assert_buffer_text(buffer, expected);
    free(expected);
}

static void render(const struct spc_result *result, int width, int height, bool ascii,
                   struct cell_buffer *out)
{
    struct chart_options options = chart_default_options();
    options.ascii = ascii;
    cell_buffer_init(out, width, height);
    chart_render(result, &options, out);
}

/* The chart of `result` at `width` x `height` shows `expected`. */
static void assert_chart_text(const struct spc_result *result, int width, int height, bool ascii,
                              const char *expected)
{
    struct cell_buffer buffer;
    render(result, width, height, ascii, &buffer);
    assert_buffer_text(&buffer, expected);
    cell_buffer_free(&buffer);
}

/* The chart of `result` at `width` x `height` is the expected file `name`. */
static void assert_chart_file(const struct spc_result *result, int width, int height, bool ascii,
                              const char *name)
{
    char *expected = read_expected(name);
    assert_chart_text(result, width, height, ascii, expected);
    free(expected);
}

/* The chart of `result` at `width` x `height` holds `expected` somewhere. */
static void assert_chart_has(const struct spc_result *result, int width, int height, bool ascii,
                             const char *expected)
{
    struct cell_buffer buffer;
    render(result, width, height, ascii, &buffer);
    char *text = cell_buffer_to_text(&buffer);
    cell_buffer_free(&buffer);
    if (!strstr(text, expected))
        fail_msg("no '%s' in:\n%s", expected, text);
    free(text);
}

/* The cell at (`x`, `y`) of the chart of `result` at `width` x `height`. */
static struct cell chart_cell(const struct spc_result *result, int width, int height, bool ascii,
                              int x, int y)
{
    struct cell_buffer buffer;
    render(result, width, height, ascii, &buffer);
    struct cell cell = *cell_buffer_at(&buffer, x, y);
    cell_buffer_free(&buffer);
    return cell;
}

/* Whether a cell's meaning appears anywhere in the buffer with this text. */
static bool buffer_has(const struct cell_buffer *buffer, const char *text, unsigned char meaning)
{
    for (int y = 0; y < buffer->height; y++)
        for (int x = 0; x < buffer->width; x++) {
            const struct cell *cell = cell_buffer_at(buffer, x, y);
            if (strcmp(cell->text, text) == 0 && cell->meaning == meaning)
                return true;
        }
    return false;
}

static void cell_buffer_puts_clips_and_trims(void **state)
{
    (void)state;
    struct cell_buffer buffer;
    cell_buffer_init(&buffer, 5, 2);
    assert_int_equal(buffer.width, 5);
    assert_int_equal(cell_buffer_put_text(&buffer, 1, 0, "héllo wide", CELL_AXIS), 4);
    cell_buffer_put(&buffer, 0, 1, "█▁", CELL_DATA); /* only the first character */
    cell_buffer_put(&buffer, 5, 1, "x", CELL_DATA);  /* outside: nothing */
    cell_buffer_put(&buffer, -1, 0, "x", CELL_DATA);
    cell_buffer_put(&buffer, 0, 2, "x", CELL_DATA);
    assert_int_equal(cell_buffer_put_text(&buffer, 2, 1, "\xff" "a", CELL_PLAIN), 2);
    assert_int_equal(cell_buffer_put_text(&buffer, 0, 7, "never", CELL_PLAIN), 0);
    assert_int_equal(cell_buffer_put_text(&buffer, -2, 1, "ab", CELL_PLAIN), 0);
    assert_string_equal(cell_buffer_at(&buffer, 2, 0)->text, "é");
    assert_int_equal(cell_buffer_at(&buffer, 2, 0)->meaning, CELL_AXIS);
    assert_string_equal(cell_buffer_at(&buffer, 0, 1)->text, "█");
    assert_null(cell_buffer_at(&buffer, 5, 0));
    assert_null(cell_buffer_at(&buffer, 0, -1));
    assert_buffer_text(&buffer, " héll\n█ ?a");
    cell_buffer_clear(&buffer);
    assert_buffer_text(&buffer, "\n");
    cell_buffer_free(&buffer);
    assert_null(buffer.cells);

    /* Empty buffers are harmless everywhere. */
    cell_buffer_init(&buffer, 0, 3);
    assert_null(buffer.cells);
    cell_buffer_put(&buffer, 0, 0, "x", CELL_PLAIN);
    assert_int_equal(cell_buffer_put_text(&buffer, 0, 0, "x", CELL_PLAIN), 0);
    char *text = cell_buffer_to_text(&buffer);
    assert_string_equal(text, "");
    free(text);
    struct spc_result result;
    analyse_test_vector(&result);
    chart_render(&result, NULL, &buffer);
    chart_sparkline(test_vector, NULL, COUNT(test_vector), false, &buffer);
    spc_result_free(&result);
    cell_buffer_free(&buffer);
    cell_buffer_init(&buffer, -4, -4);
    assert_int_equal(buffer.width, 0);
    cell_buffer_free(&buffer);
}

/* The test vector's chart at 60x12 is its expected file. */
static void render_test_vector(bool ascii, struct spc_result *result, struct cell_buffer *buffer)
{
    analyse_test_vector(result);
    render(result, 60, 12, ascii, buffer);
    assert_buffer_matches_file(buffer, ascii ? "chart_60x12_ascii.txt" : "chart_60x12.txt");
}

static void chart_at_60_by_12_in_unicode(void **state)
{
    (void)state;
    struct spc_result result;
    struct cell_buffer buffer;
    render_test_vector(false, &result, &buffer);

    /* The 10 is marked as an improvement; the lines carry their meaning. */
    assert_string_equal(cell_buffer_at(&buffer, 18, 0)->text, "+");
    assert_int_equal(cell_buffer_at(&buffer, 18, 0)->meaning, CELL_IMPROVEMENT);
    assert_true(buffer_has(&buffer, "┄", CELL_LIMIT));
    assert_true(buffer_has(&buffer, "─", CELL_MEAN));
    assert_int_equal(cell_buffer_at(&buffer, 1, 2)->meaning, CELL_LIMIT); /* " 6.95" */
    assert_int_equal(cell_buffer_at(&buffer, 1, 6)->meaning, CELL_MEAN);  /* " 1.94" */
    assert_int_equal(cell_buffer_at(&buffer, 5, 0)->meaning, CELL_AXIS);
    spc_result_free(&result);
    cell_buffer_free(&buffer);
}

static void chart_at_60_by_12_in_ascii(void **state)
{
    (void)state;
    struct spc_result result;
    struct cell_buffer buffer;
    render_test_vector(true, &result, &buffer);
    assert_int_equal(cell_buffer_at(&buffer, 18, 0)->meaning, CELL_IMPROVEMENT);
    /* Nothing but ASCII. */
    char *text = cell_buffer_to_text(&buffer);
    for (const char *c = text; *c; c++)
        assert_true((unsigned char)*c < 0x80);
    free(text);
    spc_result_free(&result);
    cell_buffer_free(&buffer);
}

/* The sparkline of `values` drawn into `buffer` is `unicode`, and `ascii`
 * (unless NULL) in ASCII. */
static void assert_sparkline(struct cell_buffer *buffer, const double *values, size_t count,
                             const char *unicode, const char *ascii)
{
    chart_sparkline(values, NULL, count, false, buffer);
    assert_buffer_text(buffer, unicode);
    if (ascii) {
        chart_sparkline(values, NULL, count, true, buffer);
        assert_buffer_text(buffer, ascii);
    }
}

static void sparkline_at_20_by_1(void **state)
{
    (void)state;
    struct cell_buffer buffer;
    cell_buffer_init(&buffer, 20, 1);
    assert_sparkline(&buffer, test_vector, COUNT(test_vector), "▁▂▁▂█▁▂▁▂▁▂▁▂▁▂▁▂▁",
                     "____^_____________");
    cell_buffer_free(&buffer);

    /* A chart one row high is the sparkline, special causes keeping their
     * meaning. */
    struct spc_result result;
    analyse_test_vector(&result);
    render(&result, 20, 1, false, &buffer);
    assert_buffer_text(&buffer, "▁▂▁▂█▁▂▁▂▁▂▁▂▁▂▁▂▁");
    assert_int_equal(cell_buffer_at(&buffer, 4, 0)->meaning, CELL_IMPROVEMENT);
    assert_int_equal(cell_buffer_at(&buffer, 3, 0)->meaning, CELL_DATA);
    cell_buffer_free(&buffer);
    assert_chart_text(&result, 20, 1, true, "____^_____________");
    spc_result_free(&result);
}

static void sparkline_shows_the_latest_values(void **state)
{
    (void)state;
    const double values[] = {100, 0, 1, 2, 3, 4, 5, 6, 7};
    const double flat[] = {3, 3, 3};
    struct cell_buffer buffer;
    cell_buffer_init(&buffer, 8, 2);
    assert_sparkline(&buffer, values, COUNT(values), "▁▂▃▄▅▆▇█\n", "_..--~~^\n");
    assert_sparkline(&buffer, flat, COUNT(flat), "▄▄▄\n", NULL);
    assert_sparkline(&buffer, NULL, 5, "\n", NULL);
    cell_buffer_free(&buffer);
}

static void sparkline_leaves_a_missing_month_blank(void **state)
{
    (void)state;
    /* January, February, April and May 2024: no reading for March. */
    const double values[] = {1, 2, 3, 4};
    const yearmonth periods[] = {2024 * 12, 2024 * 12 + 1, 2024 * 12 + 3, 2024 * 12 + 4};
    struct cell_buffer buffer;
    cell_buffer_init(&buffer, 8, 1);
    chart_sparkline(values, periods, COUNT(values), false, &buffer);
    assert_buffer_text(&buffer, "▁▃ ▆█");
    assert_int_equal(cell_buffer_at(&buffer, 2, 0)->meaning, CELL_PLAIN);
    chart_sparkline(values, periods, COUNT(values), true, &buffer);
    assert_buffer_text(&buffer, "_. ~^");
    cell_buffer_free(&buffer);

    /* Four cells are the latest four months, February to May: the missing
     * month takes a cell, so January is left out (and the scale is 2..4). */
    cell_buffer_init(&buffer, 4, 1);
    chart_sparkline(values, periods, COUNT(values), false, &buffer);
    assert_buffer_text(&buffer, "▁ ▅█");
    /* Three are March to May, beginning with the missing month. */
    cell_buffer_free(&buffer);
    cell_buffer_init(&buffer, 3, 1);
    chart_sparkline(values, periods, COUNT(values), false, &buffer);
    assert_buffer_text(&buffer, " ▁█");
    cell_buffer_free(&buffer);

    /* Periods out of order (or missing) fall back to one value a month. */
    const yearmonth shuffled[] = {2024 * 12 + 3, 2024 * 12, 2024 * 12 + 1, 2024 * 12 + 4};
    cell_buffer_init(&buffer, 8, 1);
    chart_sparkline(values, shuffled, COUNT(values), false, &buffer);
    assert_buffer_text(&buffer, "▁▃▆█");
    cell_buffer_free(&buffer);

    /* A chart too small for the chart proper draws the same sparkline. */
    struct spc_result result;
    analyse_test_vector_with_a_gap(&result);
    render(&result, 20, 1, false, &buffer);
    assert_buffer_text(&buffer, "▁▂▁▂█▁▂▁▂▁ ▂▁▂▁▂▁▂▁");
    assert_int_equal(cell_buffer_at(&buffer, 4, 0)->meaning, CELL_IMPROVEMENT);
    cell_buffer_free(&buffer);
    spc_result_free(&result);
}

/* Whether column x of the chart holds a reading: a braille dot or a point. */
static bool column_has_reading(const struct cell_buffer *buffer, int x)
{
    for (int y = 0; y < buffer->height; y++) {
        unsigned char meaning = cell_buffer_at(buffer, x, y)->meaning;
        if (meaning == CELL_DATA || meaning == CELL_IMPROVEMENT || meaning == CELL_CONCERN ||
            meaning == CELL_NEITHER)
            return true;
    }
    return false;
}

static void chart_breaks_the_line_at_a_missing_month(void **state)
{
    (void)state;
    struct spc_result result;
    analyse_test_vector_with_a_gap(&result);
    assert_int_equal(result.count, 18); /* the analysis is over the readings */
    struct cell_buffer buffer;
    render(&result, 60, 12, false, &buffer);
    /* The plot starts at column 6 and has 108 dot columns for 19 months:
     * January 2024 (month 9) is at dot 54, cell 27, the missing February
     * at cell 29, March (month 11) at dot 65, cell 32. Nothing in between. */
    assert_true(column_has_reading(&buffer, 6 + 27));
    assert_true(column_has_reading(&buffer, 6 + 32));
    for (int x = 6 + 28; x < 6 + 32; x++)
        assert_false(column_has_reading(&buffer, x));
    /* The months either side are still joined to their neighbours. */
    for (int x = 6 + 20; x <= 6 + 27; x++)
        assert_true(column_has_reading(&buffer, x));
    for (int x = 6 + 32; x < 6 + 40; x++)
        assert_true(column_has_reading(&buffer, x));
    /* The axis runs April 2023 to October 2024, month by month. */
    assert_buffer_matches_file(&buffer, "chart_gap_60x12.txt");
    cell_buffer_free(&buffer);

    render(&result, 60, 12, true, &buffer);
    for (int x = 6 + 28; x < 6 + 32; x++)
        assert_false(column_has_reading(&buffer, x));
    assert_buffer_matches_file(&buffer, "chart_gap_60x12_ascii.txt");
    cell_buffer_free(&buffer);
    spc_result_free(&result);
}

static void run_chart_has_no_limits(void **state)
{
    (void)state;
    const double values[] = {5, 7, 6, 9, 8, 10};
    struct spc_result result;
    analyse_series(values, COUNT(values), SPC_LOWER_IS_BETTER, &result);
    assert_false(result.has_limits);
    struct cell_buffer buffer;
    struct chart_options options = chart_default_options();
    options.has_target = true;
    options.target = 6;
    cell_buffer_init(&buffer, 30, 6);
    chart_render(&result, &options, &buffer);
    assert_buffer_matches_file(&buffer, "run_chart_30x6.txt");
    assert_false(buffer_has(&buffer, "┄", CELL_LIMIT));
    assert_true(buffer_has(&buffer, "═", CELL_TARGET));
    assert_int_equal(cell_buffer_at(&buffer, 2, 3)->meaning, CELL_TARGET);
    spc_result_free(&result);
    cell_buffer_free(&buffer);
}

static void rebased_limits_step(void **state)
{
    (void)state;
    double values[20];
    int periods[20];
    for (int i = 0; i < 20; i++) {
        values[i] = (i % 2 ? 2 : 1) + (i >= 10 ? 10 : 0);
        periods[i] = 2023 * 12 + i;
    }
    struct spc_settings settings = spc_default_settings();
    settings.rebase_periods[settings.rebase_count++] = 2023 * 12 + 10;
    struct spc_result result;
    assert_true(spc_analyse(values, periods, 20, SPC_HIGHER_IS_BETTER, false, 0, &settings,
                            &result));
    assert_chart_file(&result, 40, 10, true, "rebased_40x10_ascii.txt");
    spc_result_free(&result);
}

static void special_causes_read_without_colour(void **state)
{
    (void)state;
    struct spc_result result;
    const double shift[] = {3, 1, 3, 1, 3, 1, 3, 1, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5};
    analyse_series(shift, COUNT(shift), SPC_LOWER_IS_BETTER, &result);
    assert_chart_file(&result, 40, 8, true, "special_causes_40x8_ascii.txt");
    assert_int_equal(chart_cell(&result, 40, 8, true, 25, 3).meaning, CELL_CONCERN);
    spc_result_free(&result);

    analyse_series(shift, COUNT(shift), SPC_NO_DIRECTION, &result);
    struct cell neither = chart_cell(&result, 40, 8, false, 25, 3);
    assert_string_equal(neither.text, "◆");
    assert_int_equal(neither.meaning, CELL_NEITHER);
    spc_result_free(&result);
}

static void long_series_show_the_latest_points(void **state)
{
    (void)state;
    struct spc_result result;
    double values[100];
    for (size_t i = 0; i < 100; i++)
        values[i] = (double)(i % 7);
    analyse_series(values, 100, SPC_HIGHER_IS_BETTER, &result);
    /* 24 columns hold the last 24 of 100 points. */
    assert_chart_has(&result, 30, 8, true, "+77-------------------100");
    assert_chart_has(&result, 30, 8, false, "└53───────────────────100");
    spc_result_free(&result);

    /* The same, a month each from January 2016 with no reading for July
     * 2023 (month 90): 25 columns hold the latest 25 months, 2022-04 to
     * 2024-04, so 24 readings, where they once held the latest 25 readings
     * from 2022-03. */
    int periods[99];
    for (int i = 0; i < 99; i++) {
        values[i] = (double)(i % 7);
        periods[i] = 2016 * 12 + i + (i >= 90 ? 1 : 0);
    }
    assert_true(spc_analyse(values, periods, 99, SPC_HIGHER_IS_BETTER, false, 0, NULL, &result));
    assert_chart_has(&result, 31, 8, true, "+2022-04-----------2024-04");
    spc_result_free(&result);
}

static void empty_analysis_says_so(void **state)
{
    (void)state;
    struct spc_result result;
    analyse_series(NULL, 0, SPC_HIGHER_IS_BETTER, &result);
    assert_chart_text(&result, 20, 5, false, "no readings\n\n\n\n");
    spc_result_free(&result);
}

/* Every cell holds exactly one well-formed UTF-8 character. */
static void assert_cells_are_single_characters(const struct cell_buffer *buffer)
{
    for (int y = 0; y < buffer->height; y++)
        for (int x = 0; x < buffer->width; x++) {
            const unsigned char *text = (const unsigned char *)cell_buffer_at(buffer, x, y)->text;
            size_t length = text[0] < 0x80 ? 1 : text[0] >= 0xF0 ? 4 : text[0] >= 0xE0 ? 3 : 2;
            assert_int_equal(strlen((const char *)text), length);
            for (size_t i = 1; i < length; i++)
                assert_int_equal(text[i] & 0xC0, 0x80);
        }
}

static void any_size_renders_safely(void **state)
{
    (void)state;
    struct spc_result results[6];
    analyse_test_vector(&results[0]);
    analyse_test_vector_with_a_gap(&results[4]);
    /* Two readings 8,000 years apart: the months between are never walked. */
    const double far[] = {1, 2};
    const int far_periods[] = {1900 * 12, 9999 * 12 + 11};
    assert_true(spc_analyse(far, far_periods, 2, SPC_NO_DIRECTION, false, 0, NULL, &results[5]));
    analyse_series(test_vector, 5, SPC_NO_DIRECTION, &results[1]);
    const double one[] = {-1e12};
    analyse_series(one, 1, SPC_LOWER_IS_BETTER, &results[2]);
    /* Readings at the edge of a double: the sums overflow to infinity. */
    double extreme[16];
    for (size_t i = 0; i < COUNT(extreme); i++)
        extreme[i] = i % 2 ? 1.7e308 : -1.7e308;
    analyse_series(extreme, COUNT(extreme), SPC_HIGHER_IS_BETTER, &results[3]);
    for (size_t r = 0; r < COUNT(results); r++)
        for (int width = 1; width <= 70; width += (width < 24 ? 1 : 7))
            for (int height = 1; height <= 20; height++)
                for (int mode = 0; mode < 4; mode++) {
                    struct chart_options options = chart_default_options();
                    options.ascii = mode & 1;
                    options.has_target = mode & 2;
                    options.target = 1e9;
                    options.show_axis = width % 2;
                    struct cell_buffer buffer;
                    cell_buffer_init(&buffer, width, height);
                    chart_render(&results[r], &options, &buffer);
                    assert_cells_are_single_characters(&buffer);
                    cell_buffer_free(&buffer);
                }
    for (size_t r = 0; r < COUNT(results); r++)
        spc_result_free(&results[r]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cell_buffer_puts_clips_and_trims),
        cmocka_unit_test(chart_at_60_by_12_in_unicode),
        cmocka_unit_test(chart_at_60_by_12_in_ascii),
        cmocka_unit_test(sparkline_at_20_by_1),
        cmocka_unit_test(sparkline_shows_the_latest_values),
        cmocka_unit_test(sparkline_leaves_a_missing_month_blank),
        cmocka_unit_test(chart_breaks_the_line_at_a_missing_month),
        cmocka_unit_test(run_chart_has_no_limits),
        cmocka_unit_test(rebased_limits_step),
        cmocka_unit_test(special_causes_read_without_colour),
        cmocka_unit_test(long_series_show_the_latest_points),
        cmocka_unit_test(empty_analysis_says_so),
        cmocka_unit_test(any_size_renders_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
