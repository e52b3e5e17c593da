/* test_model.c — months, units, statuses, and the util layer's text buffer and
 * errors (its text helpers are in test_util.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util.h"

static void months_parse_and_format(void **state)
{
    (void)state;
    yearmonth when;
    assert_true(yearmonth_parse("2023-04", &when));
    assert_int_equal(when, 2023 * 12 + 3);
    assert_int_equal(yearmonth_year(when), 2023);
    assert_int_equal(yearmonth_month(when), 4);
    char text[8], label[9];
    yearmonth_format(when, text);
    assert_string_equal(text, "2023-04");
    yearmonth_label(yearmonth_make(2023, 10), label);
    assert_string_equal(label, "Oct 2023");
    yearmonth_format(YEARMONTH_NONE, text);
    assert_string_equal(text, "");
}

static void malformed_months_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {"2023-13", "2023-00", "2023-4", "23-04", "2023/04", "2023-04-01",
                         "abcd-ef", "", "1899-12", " 2023-04"};
    yearmonth when = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(yearmonth_parse(bad[i], &when));
    assert_int_equal(when, 0);
}

static void units_accept_only_their_range(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_true(unit_accepts(UNIT_PERCENT, 0, &why));
    assert_true(unit_accepts(UNIT_PERCENT, 100, &why));
    assert_false(unit_accepts(UNIT_PERCENT, 100.1, &why));
    assert_string_equal(why, "a percentage must be between 0 and 100");
    assert_false(unit_accepts(UNIT_PERCENT, -0.5, &why));
    assert_true(unit_accepts(UNIT_COUNT, 225, &why));
    assert_false(unit_accepts(UNIT_COUNT, 2.5, &why));
    assert_string_equal(why, "a count must be a whole number, not negative");
    assert_false(unit_accepts(UNIT_COUNT, -1, &why));
    assert_true(unit_accepts(UNIT_NUMBER, -4.5, &why));
    assert_false(unit_accepts(UNIT_DAYS, -1, &why));
    assert_false(unit_accepts(UNIT_RATIO, -0.1, &why));
    assert_true(unit_accepts(UNIT_RATIO, 1.8, &why));
}

static void values_format_for_people(void **state)
{
    (void)state;
    char text[64];
    unit_format_value(UNIT_PERCENT, 68.4, text, sizeof text);
    assert_string_equal(text, "68.4%");
    unit_format_value(UNIT_PERCENT, 75, text, sizeof text);
    assert_string_equal(text, "75%");
    unit_format_value(UNIT_COUNT, 225, text, sizeof text);
    assert_string_equal(text, "225");
    unit_format_value(UNIT_DAYS, 12.5, text, sizeof text);
    assert_string_equal(text, "12.5 days");
    unit_format_value(UNIT_RATIO, 1.8, text, sizeof text);
    assert_string_equal(text, "1.8");
}

static void names_round_trip(void **state)
{
    (void)state;
    enum unit unit;
    assert_true(unit_parse("days", &unit));
    assert_int_equal(unit, UNIT_DAYS);
    assert_false(unit_parse("Days", &unit));
    enum direction direction;
    assert_true(direction_parse("down", &direction));
    assert_int_equal(direction, DIRECTION_DOWN);
    assert_false(direction_parse("none", &direction));
    enum milestone_status status;
    for (int i = 0; i < MILESTONE_STATUS_COUNT; i++) {
        assert_true(milestone_status_parse(milestone_status_name(i), &status));
        assert_int_equal(status, i);
    }
    assert_false(milestone_status_parse("done", &status));
    assert_int_equal(rag_letter(RAG_RED), 'R');
    assert_int_equal(rag_letter(RAG_GREY), '-');
    assert_string_equal(level_name(LEVEL_OBJECTIVE), "objective");
}

static void readings_sort_whole_series_first(void **state)
{
    (void)state;
    struct metric metric = {0};
    struct reading readings[] = {
        {.period = 5, .segment = "Enfield"}, {.period = 2}, {.period = 1, .segment = "Barnet"},
        {.period = 1}, {.period = 3, .segment = "Barnet"},
    };
    metric.readings = readings;
    metric.reading_count = 5;
    metric_sort_readings(&metric);
    assert_null(readings[0].segment);
    assert_int_equal(readings[0].period, 1);
    assert_int_equal(readings[1].period, 2);
    assert_string_equal(readings[2].segment, "Barnet");
    assert_string_equal(readings[4].segment, "Enfield");
    const struct reading *series;
    assert_int_equal(metric_series(&metric, NULL, &series), 2);
    assert_int_equal(metric_latest_reading(&metric)->period, 2);
    assert_int_equal(metric_series(&metric, "Barnet", &series), 2);
    assert_int_equal(series[1].period, 3);
    assert_int_equal(metric_series(&metric, "Haringey", &series), 0);
}

/* A segment a metric does not declare: the one it most likely means, else
 * the declared ones; a metric that declares none takes any. */
static void undeclared_segments_get_a_suggestion(void **state)
{
    (void)state;
    char *boroughs[] = {"Barnet", "Camden", "Enfield", "Haringey", "Islington"};
    assert_true(segments_include(boroughs, 5, "Camden"));
    assert_false(segments_include(boroughs, 5, "camden"));
    assert_true(segments_include(NULL, 0, "anything"));
    char said[200];
    segment_suggestion(boroughs, 5, "barnet", said, sizeof said);
    assert_string_equal(said, "did you mean 'Barnet'?");
    segment_suggestion(boroughs, 5, "Barnit", said, sizeof said);
    assert_string_equal(said, "did you mean 'Barnet'?");
    segment_suggestion(boroughs, 5, "Enfeild", said, sizeof said);
    assert_string_equal(said, "did you mean 'Enfield'?");
    segment_suggestion(boroughs, 5, "Zzz", said, sizeof said);
    assert_string_equal(said,
                        "expected 'Barnet', 'Camden', 'Enfield', 'Haringey' or 'Islington'");
    /* A one-letter name is no near miss of anything. */
    char *letters[] = {"A", "B"};
    segment_suggestion(letters, 2, "C", said, sizeof said);
    assert_string_equal(said, "expected 'A' or 'B'");
    /* A list too long for the space is cut at a whole name. */
    segment_suggestion(boroughs, 5, "Zzz", said, 40);
    assert_string_equal(said, "expected 'Barnet', 'Camden', ...");
}

/* Text limits count characters, not bytes. */
static void text_limits_count_characters(void **state)
{
    (void)state;
    size_t characters = 0;
    assert_true(text_within_limit("£5m", strlen("£5m"), 3, &characters));
    assert_int_equal(characters, 3);
    assert_false(text_within_limit("abcd", 4, 3, &characters));
    assert_int_equal(characters, 4);
    assert_true(text_within_limit("", 0, 0, NULL));
}

static void text_buffer_grows(void **state)
{
    (void)state;
    struct text_buffer buffer = {0};
    for (int i = 0; i < 1000; i++)
        text_appendf(&buffer, "%d,", i);
    assert_int_equal(buffer.length, strlen(buffer.data));
    assert_memory_equal(buffer.data, "0,1,2,", 6);
    text_free(&buffer);
    struct error error = {0};
    error_set_at(&error, "board.yaml", 3, 7, "unknown key '%s'", "titel");
    assert_string_equal(error.message, "board.yaml:3:7: error: unknown key 'titel'");
    assert_int_equal(error.status, EXIT_DATA);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(months_parse_and_format),
        cmocka_unit_test(malformed_months_are_refused),
        cmocka_unit_test(units_accept_only_their_range),
        cmocka_unit_test(values_format_for_people),
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(readings_sort_whole_series_first),
        cmocka_unit_test(text_buffer_grows),
        cmocka_unit_test(undeclared_segments_get_a_suggestion),
        cmocka_unit_test(text_limits_count_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
