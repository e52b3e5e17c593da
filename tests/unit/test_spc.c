/* test_spc.c — the SPC engine against PRODUCT.md's definitions: limits, each
 * rule firing and each way it is broken, icons, assurance, run charts and
 * rebasing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "spc.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))
#define EPSILON 1e-9

/* PRODUCT.md's test vector. */
static const double test_vector[] = {1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1};

static void assert_near(double actual, double expected, double tolerance)
{
    if (fabs(actual - expected) > tolerance)
        fail_msg("%.12g is not within %g of %.12g", actual, tolerance, expected);
}

/* Analyses with the default settings, no target. */
static void analyse(const double *values, size_t count, enum spc_direction direction,
                    struct spc_result *result)
{
    struct spc_settings settings = spc_default_settings();
    assert_true(spc_analyse(values, NULL, count, direction, false, 0, &settings, result));
    assert_int_equal(result->count, count);
}

/* The rules of every point, compared with an expected list. */
static void assert_rules(const struct spc_result *result, const unsigned *expected)
{
    for (size_t i = 0; i < result->count; i++)
        if (result->points[i].rules != expected[i])
            fail_msg("point %zu: rules %#x, expected %#x", i, result->points[i].rules,
                     expected[i]);
}

static void assert_no_rules(const struct spc_result *result)
{
    for (size_t i = 0; i < result->count; i++)
        if (result->points[i].rules != 0)
            fail_msg("point %zu: rules %#x, expected none", i, result->points[i].rules);
}

static void defaults_are_documented_ones(void **state)
{
    (void)state;
    struct spc_settings settings = spc_default_settings();
    assert_int_equal(settings.minimum_points, 15);
    assert_int_equal(settings.shift_length, 7);
    assert_int_equal(settings.trend_length, 7);
    assert_false(settings.screen_moving_ranges);
    assert_int_equal(settings.rebase_count, 0);
    assert_int_equal(spc_conflict_rule(&settings), SPC_CONFLICT_CONCERN);
}

static void test_vector_gives_product_limits(void **state)
{
    (void)state;
    struct spc_result result;
    analyse(test_vector, COUNT(test_vector), SPC_HIGHER_IS_BETTER, &result);
    assert_true(result.has_limits);
    assert_near(result.mean, 35.0 / 18.0, EPSILON);
    assert_near(result.average_moving_range, 32.0 / 17.0, EPSILON);
    assert_near(result.mean, 1.94, 0.005);
    assert_near(result.upper_limit, 6.95, 0.005);
    assert_near(result.lower_limit, -3.06, 0.005);
    assert_near(result.upper_limit, 35.0 / 18.0 + 2.66 * 32.0 / 17.0, EPSILON);
    assert_near(result.lower_limit, 35.0 / 18.0 - 2.66 * 32.0 / 17.0, EPSILON);

    const struct spc_point *point = &result.points[7];
    double width = 2.66 * 32.0 / 17.0;
    assert_near(point->value, 1, 0);
    assert_near(point->mean, 35.0 / 18.0, EPSILON);
    assert_near(point->upper_two_sigma, 35.0 / 18.0 + width * 2 / 3, EPSILON);
    assert_near(point->lower_two_sigma, 35.0 / 18.0 - width * 2 / 3, EPSILON);
    assert_near(point->upper_one_sigma, 35.0 / 18.0 + width / 3, EPSILON);
    assert_near(point->lower_one_sigma, 35.0 / 18.0 - width / 3, EPSILON);

    /* Only the 10 is special: above the upper limit, and higher is better. */
    unsigned expected[COUNT(test_vector)] = {0};
    expected[4] = SPC_RULE_OUTSIDE_LIMITS;
    assert_rules(&result, expected);
    assert_true(result.points[4].high);
    assert_int_equal(result.points[4].meaning, SPC_IMPROVEMENT);
    assert_int_equal(result.points[3].meaning, SPC_COMMON);
    assert_int_equal(result.variation, SPC_VARIATION_COMMON);
    assert_int_equal(result.assurance, SPC_ASSURANCE_NONE);
    spc_result_free(&result);
}

static void screening_drops_large_moving_ranges(void **state)
{
    (void)state;
    struct spc_settings settings = spc_default_settings();
    settings.screen_moving_ranges = true;
    struct spc_result result;
    assert_true(spc_analyse(test_vector, NULL, COUNT(test_vector), SPC_HIGHER_IS_BETTER, false, 0,
                            &settings, &result));
    /* 3.267 · 32/17 = 6.15: the ranges 8 and 9 go, fifteen ranges of 1 stay. */
    assert_near(result.average_moving_range, 1.0, EPSILON);
    assert_near(result.mean, 35.0 / 18.0, EPSILON);
    assert_near(result.upper_limit, 4.60, 0.005);
    assert_near(result.lower_limit, -0.72, 0.005);
    assert_near(result.upper_limit, 35.0 / 18.0 + 2.66, EPSILON);
    assert_int_equal(result.points[4].rules, SPC_RULE_OUTSIDE_LIMITS);
    assert_int_equal(result.variation, SPC_VARIATION_COMMON);
    spc_result_free(&result);
}

/* Alternating 1 and 2, then a last value x chosen to land exactly on its own
 * upper limit: x = mean + 2.66·MR̄ where both include x. */
static void outside_limits_is_strictly_beyond(void **state)
{
    (void)state;
    double values[16];
    for (size_t i = 0; i < 15; i++)
        values[i] = i % 2 ? 2 : 1;
    double n = 16, sum = 22, ranges = 14, previous = 1;
    double x = (sum / n + 2.66 * (ranges - previous) / (n - 1)) / (1 - 1 / n - 2.66 / (n - 1));
    values[15] = x;
    struct spc_result result;
    analyse(values, 16, SPC_HIGHER_IS_BETTER, &result);
    assert_near(result.upper_limit, x, 1e-12);
    assert_no_rules(&result);
    assert_int_equal(result.variation, SPC_VARIATION_COMMON);
    spc_result_free(&result);

    values[15] = x + 0.01;
    analyse(values, 16, SPC_HIGHER_IS_BETTER, &result);
    unsigned expected[16] = {0};
    expected[15] = SPC_RULE_OUTSIDE_LIMITS;
    assert_rules(&result, expected);
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_HIGH);
    spc_result_free(&result);

    /* Below the lower limit: mirror the series. */
    for (size_t i = 0; i < 16; i++)
        values[i] = -values[i];
    analyse(values, 16, SPC_HIGHER_IS_BETTER, &result);
    assert_rules(&result, expected);
    assert_false(result.points[15].high);
    assert_int_equal(result.variation, SPC_VARIATION_CONCERN_LOW);
    spc_result_free(&result);
}

/* 3,1 four times, then seven at 2.5: the mean is 2.23, so the last seven are
 * one run above it. */
static const double shift_series[] = {3, 1, 3, 1, 3, 1, 3, 1, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5};

static void shift_of_seven_is_flagged(void **state)
{
    (void)state;
    struct spc_result result;
    analyse(shift_series, COUNT(shift_series), SPC_HIGHER_IS_BETTER, &result);
    assert_near(result.mean, 33.5 / 15, EPSILON);
    unsigned expected[COUNT(shift_series)] = {0};
    for (size_t i = 8; i < 15; i++)
        expected[i] = SPC_RULE_SHIFT;
    assert_rules(&result, expected);
    for (size_t i = 8; i < 15; i++) {
        assert_true(result.points[i].high);
        assert_int_equal(result.points[i].meaning, SPC_IMPROVEMENT);
    }
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_HIGH);
    spc_result_free(&result);

    /* Below the mean: mirrored. */
    double mirrored[COUNT(shift_series)];
    for (size_t i = 0; i < COUNT(shift_series); i++)
        mirrored[i] = -shift_series[i];
    analyse(mirrored, COUNT(mirrored), SPC_HIGHER_IS_BETTER, &result);
    assert_rules(&result, expected);
    assert_false(result.points[14].high);
    assert_int_equal(result.variation, SPC_VARIATION_CONCERN_LOW);
    spc_result_free(&result);
}

static void shift_of_six_is_not_flagged(void **state)
{
    (void)state;
    double values[COUNT(shift_series)];
    memcpy(values, shift_series, sizeof values);
    values[8] = 0.9; /* below the mean: six above remain */
    struct spc_result result;
    analyse(values, COUNT(values), SPC_HIGHER_IS_BETTER, &result);
    assert_no_rules(&result);
    assert_int_equal(result.variation, SPC_VARIATION_COMMON);
    spc_result_free(&result);

    /* With a shift length of six, the same six are a shift. */
    struct spc_settings settings = spc_default_settings();
    settings.shift_length = 6;
    assert_true(spc_analyse(values, NULL, COUNT(values), SPC_HIGHER_IS_BETTER, false, 0, &settings,
                            &result));
    unsigned expected[COUNT(shift_series)] = {0};
    for (size_t i = 9; i < 15; i++)
        expected[i] = SPC_RULE_SHIFT;
    assert_rules(&result, expected);
    spc_result_free(&result);
}

static void point_on_the_mean_breaks_a_shift(void **state)
{
    (void)state;
    /* The ninth value is the mean of all fifteen: 31/14. */
    double values[COUNT(shift_series)];
    memcpy(values, shift_series, sizeof values);
    values[8] = 31.0 / 14.0;
    struct spc_result result;
    analyse(values, COUNT(values), SPC_HIGHER_IS_BETTER, &result);
    assert_near(result.mean, values[8], EPSILON);
    assert_no_rules(&result);
    spc_result_free(&result);

    /* A reading typed to 13 digits of the mean is on it, though the computed
     * mean differs in the last bits (0.22142857142857333). */
    for (size_t i = 0; i < COUNT(values); i++)
        values[i] = shift_series[i] / 10;
    values[8] = 0.2214285714286;
    analyse(values, COUNT(values), SPC_HIGHER_IS_BETTER, &result);
    assert_true(values[8] > result.mean);
    assert_no_rules(&result);
    spc_result_free(&result);
}

/* 3,6 four times, then 1..7 rising: a trend of seven. */
static const double trend_series[] = {3, 6, 3, 6, 3, 6, 3, 6, 1, 2, 3, 4, 5, 6, 7};

static void trend_of_seven_is_flagged(void **state)
{
    (void)state;
    struct spc_result result;
    analyse(trend_series, COUNT(trend_series), SPC_LOWER_IS_BETTER, &result);
    unsigned expected[COUNT(trend_series)] = {0};
    for (size_t i = 8; i < 15; i++)
        expected[i] = SPC_RULE_TREND;
    assert_rules(&result, expected);
    /* A rising trend is on the high side even where it is below the mean. */
    assert_true(result.points[8].high);
    assert_int_equal(result.points[8].meaning, SPC_CONCERN);
    assert_int_equal(result.variation, SPC_VARIATION_CONCERN_HIGH);
    spc_result_free(&result);

    double falling[COUNT(trend_series)];
    for (size_t i = 0; i < COUNT(trend_series); i++)
        falling[i] = -trend_series[i];
    analyse(falling, COUNT(falling), SPC_LOWER_IS_BETTER, &result);
    assert_rules(&result, expected);
    assert_false(result.points[14].high);
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_LOW);
    spc_result_free(&result);
}

static void trend_is_broken_by_equal_neighbours(void **state)
{
    (void)state;
    const double values[] = {3, 6, 3, 6, 3, 6, 3, 6, 1, 2, 3, 3, 4, 5, 6};
    struct spc_result result;
    analyse(values, COUNT(values), SPC_HIGHER_IS_BETTER, &result);
    assert_near(result.mean, 4.0, EPSILON); /* the 4 is on the mean, too */
    assert_no_rules(&result);
    spc_result_free(&result);
}

static void trend_of_six_is_not_flagged_unless_configured(void **state)
{
    (void)state;
    const double values[] = {3, 6, 3, 6, 3, 6, 3, 6, 6, 1, 2, 3, 4, 5, 6};
    struct spc_result result;
    analyse(values, COUNT(values), SPC_HIGHER_IS_BETTER, &result);
    assert_no_rules(&result);
    spc_result_free(&result);

    struct spc_settings settings = spc_default_settings();
    settings.trend_length = 6;
    assert_true(spc_analyse(values, NULL, COUNT(values), SPC_HIGHER_IS_BETTER, false, 0, &settings,
                            &result));
    unsigned expected[COUNT(values)] = {0};
    for (size_t i = 9; i < 15; i++)
        expected[i] = SPC_RULE_TREND;
    assert_rules(&result, expected);
    spc_result_free(&result);
}

/* Alternating 1 and 2 fourteen times, then four more points. */
static void with_tail(const double tail[4], double values[18])
{
    for (size_t i = 0; i < 14; i++)
        values[i] = i % 2 ? 2 : 1;
    memcpy(values + 14, tail, 4 * sizeof *tail);
}

/* The two-of-three rule as NHS England's SQL tool (step 4i) and
 * NHSRplotthedots have it: in three consecutive points all on one side of
 * the mean, two or three beyond the 2σ line but not beyond the process
 * limit. One window of three in each arrangement, after fourteen points
 * alternating 1 and 2 (the fourteenth, a 2, is above the mean, so each tail
 * starts with 1.5, below it, to keep the windows apart). */
static void analyse_tail(const double tail[4], enum spc_direction direction,
                         struct spc_result *result)
{
    double values[18];
    with_tail(tail, values);
    analyse(values, 18, direction, result);
}

static void two_of_three_near_near_near_are_all_flagged(void **state)
{
    (void)state;
    struct spc_result result;
    /* Mean 1.95, upper 2σ line 3.64, upper limit 4.48: three near. */
    analyse_tail((const double[]){1.5, 4.2, 4.2, 4.2}, SPC_HIGHER_IS_BETTER, &result);
    assert_near(result.mean, 1.95, 0.001);
    assert_near(result.points[0].upper_two_sigma, 3.640, 0.001);
    assert_near(result.upper_limit, 4.485, 0.001);
    unsigned expected[18] = {0};
    expected[15] = expected[16] = expected[17] = SPC_RULE_TWO_OF_THREE;
    assert_rules(&result, expected);
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_HIGH);
    spc_result_free(&result);
}

static void two_of_three_needs_the_third_point_on_the_same_side(void **state)
{
    (void)state;
    struct spc_result result;
    /* near, near, then a point below the mean (and a point below the mean
     * before them): mean 1.80, upper 2σ line 3.77, limit 4.76. Neither
     * window of three is on one side, so nothing is flagged. */
    analyse_tail((const double[]){1.5, 4.2, 4.2, 1.5}, SPC_HIGHER_IS_BETTER, &result);
    assert_true(result.points[15].value > result.points[15].upper_two_sigma);
    assert_true(result.points[16].value > result.points[16].upper_two_sigma);
    assert_true(result.points[14].value < result.mean);
    assert_true(result.points[17].value < result.mean);
    assert_no_rules(&result);
    assert_int_equal(result.variation, SPC_VARIATION_COMMON);
    spc_result_free(&result);
}

static void two_of_three_near_inside_near_on_one_side_is_flagged(void **state)
{
    (void)state;
    struct spc_result result;
    /* Mean 1.86, upper 2σ line 3.90, limit 4.92: 4.2, 2.5, 4.2 are all
     * above the mean, the 2.5 inside the 2σ line. The two near points are
     * flagged, not the one between them. */
    analyse_tail((const double[]){1.5, 4.2, 2.5, 4.2}, SPC_HIGHER_IS_BETTER, &result);
    assert_near(result.mean, 1.856, 0.001);
    assert_near(result.points[0].upper_two_sigma, 3.900, 0.001);
    unsigned expected[18] = {0};
    expected[15] = expected[17] = SPC_RULE_TWO_OF_THREE;
    assert_rules(&result, expected);
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_HIGH);
    spc_result_free(&result);

    /* The same on the low side, for a metric where lower is better. */
    double values[18];
    with_tail((const double[]){1.5, 4.2, 2.5, 4.2}, values);
    for (size_t i = 0; i < 18; i++)
        values[i] = -values[i];
    analyse(values, 18, SPC_LOWER_IS_BETTER, &result);
    assert_rules(&result, expected);
    assert_false(result.points[17].high);
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_LOW);
    spc_result_free(&result);
}

static void two_of_three_near_inside_near_across_the_mean_is_not_flagged(void **state)
{
    (void)state;
    struct spc_result result;
    /* The example: 4.2, 1.5, 4.2 around a mean of 1.80 (2σ line
     * 4.05, limit 5.18). The 1.5 is below the mean: common cause, as NHS
     * England's tools have it. */
    analyse_tail((const double[]){1.5, 4.2, 1.5, 4.2}, SPC_HIGHER_IS_BETTER, &result);
    assert_near(result.mean, 1.80, 0.001);
    assert_near(result.points[0].upper_two_sigma, 4.053, 0.001);
    assert_near(result.upper_limit, 5.180, 0.001);
    assert_true(result.points[15].value > result.points[15].upper_two_sigma);
    assert_true(result.points[17].value > result.points[17].upper_two_sigma);
    assert_no_rules(&result);
    assert_int_equal(result.variation, SPC_VARIATION_COMMON);
    spc_result_free(&result);

    /* A middle point exactly on the mean (30.9 / 17, which makes itself the
     * mean) is on neither side: nothing is flagged either. */
    analyse_tail((const double[]){1.5, 4.2, 30.9 / 17, 4.2}, SPC_HIGHER_IS_BETTER, &result);
    assert_near(result.mean, 30.9 / 17, 1e-12);
    assert_true(result.points[15].value > result.points[15].upper_two_sigma);
    assert_no_rules(&result);
    spc_result_free(&result);
}

static void two_of_three_does_not_count_points_beyond_the_limit(void **state)
{
    (void)state;
    struct spc_result result;
    /* 6 is beyond the limit (5.75), 5 near it (2σ line 4.47), 2.5 inside
     * the 2σ line but above the mean (1.92): one near point, so only rule 1
     * fires. */
    analyse_tail((const double[]){0, 6, 5, 2.5}, SPC_HIGHER_IS_BETTER, &result);
    assert_near(result.mean, 1.917, 0.001);
    assert_near(result.upper_limit, 5.750, 0.001);
    assert_near(result.points[0].upper_two_sigma, 4.472, 0.001);
    unsigned expected[18] = {0};
    expected[15] = SPC_RULE_OUTSIDE_LIMITS;
    assert_rules(&result, expected);
    assert_int_equal(result.variation, SPC_VARIATION_COMMON);
    spc_result_free(&result);

    /* 6, 4.8, 4.8 (limit 5.76, 2σ line 4.50): the two near points are
     * flagged; the point beyond the limit is the third point on their
     * side, flagged by rule 1 only. */
    analyse_tail((const double[]){-1, 6, 4.8, 4.8}, SPC_HIGHER_IS_BETTER, &result);
    assert_near(result.upper_limit, 5.764, 0.001);
    assert_near(result.points[0].upper_two_sigma, 4.502, 0.001);
    memset(expected, 0, sizeof expected);
    expected[15] = SPC_RULE_OUTSIDE_LIMITS;
    expected[16] = expected[17] = SPC_RULE_TWO_OF_THREE;
    assert_rules(&result, expected);
    spc_result_free(&result);
}

static void two_of_three_is_broken_by_distance_and_side(void **state)
{
    (void)state;
    double values[18];
    struct spc_result result;

    /* Three apart: no three consecutive points hold both. */
    with_tail((const double[]){4.2, 1.5, 1.5, 4.2}, values);
    analyse(values, 18, SPC_HIGHER_IS_BETTER, &result);
    assert_true(values[14] > result.points[14].upper_two_sigma);
    assert_true(values[17] > result.points[17].upper_two_sigma);
    assert_no_rules(&result);
    spc_result_free(&result);

    /* Near opposite limits. */
    with_tail((const double[]){1.5, 4.2, -1.2, 1.5}, values);
    analyse(values, 18, SPC_HIGHER_IS_BETTER, &result);
    assert_true(values[15] > result.points[15].upper_two_sigma);
    assert_true(values[16] < result.points[16].lower_two_sigma);
    assert_no_rules(&result);
    spc_result_free(&result);
}

static void icons_follow_the_direction(void **state)
{
    (void)state;
    struct spc_result result;
    analyse(shift_series, COUNT(shift_series), SPC_HIGHER_IS_BETTER, &result);
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_HIGH);
    spc_result_free(&result);
    analyse(shift_series, COUNT(shift_series), SPC_LOWER_IS_BETTER, &result);
    assert_int_equal(result.variation, SPC_VARIATION_CONCERN_HIGH);
    assert_int_equal(result.points[14].meaning, SPC_CONCERN);
    spc_result_free(&result);
    analyse(shift_series, COUNT(shift_series), SPC_NO_DIRECTION, &result);
    assert_int_equal(result.variation, SPC_VARIATION_NEITHER_HIGH);
    assert_int_equal(result.points[14].meaning, SPC_NEITHER);
    spc_result_free(&result);

    double low[COUNT(shift_series)];
    for (size_t i = 0; i < COUNT(shift_series); i++)
        low[i] = -shift_series[i];
    analyse(low, COUNT(low), SPC_HIGHER_IS_BETTER, &result);
    assert_int_equal(result.variation, SPC_VARIATION_CONCERN_LOW);
    spc_result_free(&result);
    analyse(low, COUNT(low), SPC_LOWER_IS_BETTER, &result);
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_LOW);
    spc_result_free(&result);
    analyse(low, COUNT(low), SPC_NO_DIRECTION, &result);
    assert_int_equal(result.variation, SPC_VARIATION_NEITHER_LOW);
    spc_result_free(&result);
}

/* Analyses with the default settings but the given conflict rule. */
static void analyse_with_conflict(const double *values, size_t count,
                                  enum spc_direction direction, enum spc_conflict conflict,
                                  struct spc_result *result)
{
    struct spc_settings settings = spc_default_settings();
    settings.conflict = conflict;
    assert_true(spc_analyse(values, NULL, count, direction, false, 0, &settings, result));
}

/* Ten points of 1 and 2, then 10 falling to 4: the last four are above the
 * mean (a shift, high) and falling (a trend, low). */
static const double shift_and_trend[] = {1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 10, 9, 8, 7, 6, 5, 4};

static void conflicting_rules_show_concern_by_default(void **state)
{
    (void)state;
    struct spc_result result;
    size_t count = COUNT(shift_and_trend);
    analyse(shift_and_trend, count, SPC_HIGHER_IS_BETTER, &result);
    const struct spc_point *last = &result.points[count - 1];
    assert_int_equal(last->rules, SPC_RULE_SHIFT | SPC_RULE_TREND);
    assert_true(last->conflict);
    assert_false(last->high); /* the falling trend: a concern when higher is better */
    assert_int_equal(last->meaning, SPC_CONCERN);
    assert_true(result.conflict);
    assert_int_equal(result.conflict_rule, SPC_CONFLICT_CONCERN);
    assert_int_equal(result.variation, SPC_VARIATION_CONCERN_LOW);
    assert_string_equal(spc_conflict_sentence(&result),
                        "improvement and concern rules both apply to the latest point; "
                        "this metric shows concern");
    spc_result_free(&result);

    analyse(shift_and_trend, count, SPC_LOWER_IS_BETTER, &result);
    assert_true(result.points[count - 1].high); /* above the mean: the concern */
    assert_int_equal(result.variation, SPC_VARIATION_CONCERN_HIGH);
    assert_true(result.conflict);
    spc_result_free(&result);

    /* Without a direction there is no improvement or concern to choose
     * between: the point's own side of the mean, and no conflict. */
    analyse(shift_and_trend, count, SPC_NO_DIRECTION, &result);
    assert_int_equal(result.variation, SPC_VARIATION_NEITHER_HIGH);
    assert_false(result.conflict);
    assert_false(result.points[count - 1].conflict);
    assert_string_equal(spc_conflict_sentence(&result), "");
    spc_result_free(&result);
}

static void conflicting_rules_show_improvement_when_set(void **state)
{
    (void)state;
    struct spc_result result;
    size_t count = COUNT(shift_and_trend);
    analyse_with_conflict(shift_and_trend, count, SPC_HIGHER_IS_BETTER,
                          SPC_CONFLICT_IMPROVEMENT, &result);
    assert_true(result.points[count - 1].high);
    assert_int_equal(result.points[count - 1].meaning, SPC_IMPROVEMENT);
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_HIGH);
    assert_true(result.conflict);
    assert_int_equal(result.conflict_rule, SPC_CONFLICT_IMPROVEMENT);
    assert_string_equal(spc_conflict_sentence(&result),
                        "improvement and concern rules both apply to the latest point; "
                        "this metric shows improvement");
    spc_result_free(&result);

    analyse_with_conflict(shift_and_trend, count, SPC_LOWER_IS_BETTER,
                          SPC_CONFLICT_IMPROVEMENT, &result);
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_LOW);
    spc_result_free(&result);

    /* Set to concern explicitly: the same as the default. */
    analyse_with_conflict(shift_and_trend, count, SPC_HIGHER_IS_BETTER, SPC_CONFLICT_CONCERN,
                          &result);
    assert_int_equal(result.variation, SPC_VARIATION_CONCERN_LOW);
    spc_result_free(&result);
}

/* The other case: a lower-is-better metric whose last point is far
 * above its upper limit, at the end of a falling run. Twenty points of 1
 * and 2, then 60 falling by 2 to 48: mean 15.1, upper limit 24.2. The 48 is
 * beyond the limit and part of a shift above the mean (high, a concern) and
 * of a falling trend (low, an improvement). */
static void point_beyond_the_upper_limit_on_a_falling_run(void **state)
{
    (void)state;
    double values[27];
    for (size_t i = 0; i < 20; i++)
        values[i] = i % 2 ? 2 : 1;
    for (size_t i = 0; i < 7; i++)
        values[20 + i] = 60 - 2.0 * (double)i;
    struct spc_result result;
    analyse(values, 27, SPC_LOWER_IS_BETTER, &result);
    assert_near(result.mean, 408.0 / 27, EPSILON);
    assert_near(result.upper_limit, 408.0 / 27 + 2.66 * 89.0 / 26, EPSILON);
    const struct spc_point *last = &result.points[26];
    assert_int_equal(last->rules, SPC_RULE_OUTSIDE_LIMITS | SPC_RULE_SHIFT | SPC_RULE_TREND);
    assert_int_equal(result.variation, SPC_VARIATION_CONCERN_HIGH);
    assert_true(result.conflict);
    spc_result_free(&result);

    analyse_with_conflict(values, 27, SPC_LOWER_IS_BETTER, SPC_CONFLICT_IMPROVEMENT, &result);
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_LOW);
    assert_true(result.conflict);
    spc_result_free(&result);

    /* Higher is better: the limit and the shift are improvements, the
     * falling trend a concern; still a conflict, still concern by default. */
    analyse(values, 27, SPC_HIGHER_IS_BETTER, &result);
    assert_int_equal(result.variation, SPC_VARIATION_CONCERN_LOW);
    spc_result_free(&result);
}

static void no_conflict_without_both_sides(void **state)
{
    (void)state;
    struct spc_result result;
    /* The shift example: one side only, whatever the rule. */
    analyse_with_conflict(shift_series, COUNT(shift_series), SPC_HIGHER_IS_BETTER,
                          SPC_CONFLICT_CONCERN, &result);
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_HIGH);
    assert_false(result.conflict);
    assert_string_equal(spc_conflict_sentence(&result), "");
    spc_result_free(&result);

    /* A conflict earlier in the series says nothing about the latest point. */
    double values[COUNT(shift_and_trend) + 1];
    memcpy(values, shift_and_trend, sizeof shift_and_trend);
    values[COUNT(shift_and_trend)] = 1.5;
    analyse(values, COUNT(values), SPC_HIGHER_IS_BETTER, &result);
    assert_true(result.points[COUNT(shift_and_trend) - 1].conflict);
    assert_false(result.conflict);
    assert_string_equal(spc_conflict_sentence(&result), "");
    spc_result_free(&result);

    /* A run chart has no icons and so no conflict. */
    analyse(shift_and_trend, 14, SPC_HIGHER_IS_BETTER, &result);
    assert_false(result.has_limits);
    assert_false(result.conflict);
    assert_string_equal(spc_conflict_sentence(&result), "");
    spc_result_free(&result);
    assert_string_equal(spc_conflict_sentence(NULL), "");
}

static void conflict_rule_falls_back_from_metric_to_board_to_default(void **state)
{
    (void)state;
    struct spc_settings settings = spc_default_settings();
    assert_int_equal(settings.conflict, SPC_CONFLICT_DEFAULT);
    assert_int_equal(settings.board_conflict, SPC_CONFLICT_DEFAULT);
    assert_int_equal(spc_conflict_rule(&settings), SPC_CONFLICT_CONCERN);
    settings.board_conflict = SPC_CONFLICT_IMPROVEMENT;
    assert_int_equal(spc_conflict_rule(&settings), SPC_CONFLICT_IMPROVEMENT);
    settings.conflict = SPC_CONFLICT_CONCERN;
    assert_int_equal(spc_conflict_rule(&settings), SPC_CONFLICT_CONCERN);
    settings.board_conflict = SPC_CONFLICT_DEFAULT;
    settings.conflict = SPC_CONFLICT_IMPROVEMENT;
    assert_int_equal(spc_conflict_rule(&settings), SPC_CONFLICT_IMPROVEMENT);

    /* The board-wide setting reaches the analysis. */
    struct spc_result result;
    settings = spc_default_settings();
    settings.board_conflict = SPC_CONFLICT_IMPROVEMENT;
    assert_true(spc_analyse(shift_and_trend, NULL, COUNT(shift_and_trend),
                            SPC_HIGHER_IS_BETTER, false, 0, &settings, &result));
    assert_int_equal(result.variation, SPC_VARIATION_IMPROVEMENT_HIGH);
    spc_result_free(&result);

    enum spc_conflict parsed = SPC_CONFLICT_DEFAULT;
    assert_true(spc_conflict_parse("improvement", &parsed));
    assert_int_equal(parsed, SPC_CONFLICT_IMPROVEMENT);
    assert_true(spc_conflict_parse("concern", &parsed));
    assert_int_equal(parsed, SPC_CONFLICT_CONCERN);
    assert_false(spc_conflict_parse("Concern", &parsed));
    assert_false(spc_conflict_parse("", &parsed));
    assert_string_equal(spc_conflict_name(SPC_CONFLICT_IMPROVEMENT), "improvement");
    assert_string_equal(spc_conflict_name(SPC_CONFLICT_CONCERN), "concern");
    assert_string_equal(spc_conflict_name(SPC_CONFLICT_DEFAULT), "");
}

static enum spc_assurance assurance_for(enum spc_direction direction, double target)
{
    struct spc_result result;
    struct spc_settings settings = spc_default_settings();
    assert_true(spc_analyse(test_vector, NULL, COUNT(test_vector), direction, true, target,
                            &settings, &result));
    enum spc_assurance assurance = result.assurance;
    spc_result_free(&result);
    return assurance;
}

static void assurance_against_the_target(void **state)
{
    (void)state;
    double upper = 35.0 / 18.0 + 2.66 * 32.0 / 17.0;
    double lower = 35.0 / 18.0 - 2.66 * 32.0 / 17.0;

    assert_int_equal(assurance_for(SPC_HIGHER_IS_BETTER, -4), SPC_ASSURANCE_PASS);
    assert_int_equal(assurance_for(SPC_HIGHER_IS_BETTER, 8), SPC_ASSURANCE_FAIL);
    assert_int_equal(assurance_for(SPC_HIGHER_IS_BETTER, 2), SPC_ASSURANCE_HIT_OR_MISS);
    assert_int_equal(assurance_for(SPC_LOWER_IS_BETTER, 8), SPC_ASSURANCE_PASS);
    assert_int_equal(assurance_for(SPC_LOWER_IS_BETTER, -4), SPC_ASSURANCE_FAIL);
    assert_int_equal(assurance_for(SPC_LOWER_IS_BETTER, 2), SPC_ASSURANCE_HIT_OR_MISS);

    /* A target on a limit is on or beyond it: pass or fail, never hit or miss. */
    assert_int_equal(assurance_for(SPC_HIGHER_IS_BETTER, lower), SPC_ASSURANCE_PASS);
    assert_int_equal(assurance_for(SPC_HIGHER_IS_BETTER, upper), SPC_ASSURANCE_FAIL);
    assert_int_equal(assurance_for(SPC_LOWER_IS_BETTER, upper), SPC_ASSURANCE_PASS);
    assert_int_equal(assurance_for(SPC_LOWER_IS_BETTER, lower), SPC_ASSURANCE_FAIL);
    /* Just inside: hit or miss. */
    assert_int_equal(assurance_for(SPC_HIGHER_IS_BETTER, lower + 0.001),
                     SPC_ASSURANCE_HIT_OR_MISS);
    assert_int_equal(assurance_for(SPC_LOWER_IS_BETTER, upper - 0.001),
                     SPC_ASSURANCE_HIT_OR_MISS);

    /* No direction: no assurance. No target: none either. */
    assert_int_equal(assurance_for(SPC_NO_DIRECTION, 2), SPC_ASSURANCE_NONE);
    struct spc_result result;
    assert_true(spc_analyse(test_vector, NULL, COUNT(test_vector), SPC_HIGHER_IS_BETTER, false,
                            -4, NULL, &result));
    assert_int_equal(result.assurance, SPC_ASSURANCE_NONE);
    spc_result_free(&result);
}

static void fewer_points_than_the_minimum_make_a_run_chart(void **state)
{
    (void)state;
    struct spc_result result;
    /* Fourteen points, one of them wild: no limits, no rules, no icons. */
    assert_true(spc_analyse(test_vector, NULL, 14, SPC_HIGHER_IS_BETTER, true, 2, NULL, &result));
    assert_false(result.has_limits);
    assert_int_equal(result.count, 14);
    assert_near(result.mean, 29.0 / 14.0, EPSILON);
    assert_no_rules(&result);
    for (size_t i = 0; i < result.count; i++) {
        assert_int_equal(result.points[i].meaning, SPC_COMMON);
        assert_near(result.points[i].upper_limit, result.mean, 0);
    }
    assert_int_equal(result.variation, SPC_VARIATION_NONE);
    assert_int_equal(result.assurance, SPC_ASSURANCE_NONE);
    spc_result_free(&result);

    /* A lower minimum gives the same fourteen points limits. */
    struct spc_settings settings = spc_default_settings();
    settings.minimum_points = 14;
    assert_true(spc_analyse(test_vector, NULL, 14, SPC_HIGHER_IS_BETTER, true, 2, &settings,
                            &result));
    assert_true(result.has_limits);
    /* The mean is 2.07, so after the 10 every point is below it: a shift. */
    unsigned expected[14] = {0};
    expected[4] = SPC_RULE_OUTSIDE_LIMITS;
    for (size_t i = 5; i < 14; i++)
        expected[i] = SPC_RULE_SHIFT;
    assert_rules(&result, expected);
    assert_int_equal(result.variation, SPC_VARIATION_CONCERN_LOW);
    assert_int_equal(result.assurance, SPC_ASSURANCE_HIT_OR_MISS);
    spc_result_free(&result);

    /* No points at all. */
    assert_true(spc_analyse(NULL, NULL, 0, SPC_HIGHER_IS_BETTER, false, 0, NULL, &result));
    assert_false(result.has_limits);
    assert_int_equal(result.count, 0);
    assert_null(result.points);
    assert_int_equal(result.variation, SPC_VARIATION_NONE);
    spc_result_free(&result);
}

/* Ten months alternating 1 and 2 from January 2023, then ten alternating
 * 11 and 12: a new process from November. */
static void rebase_series(double values[20], int periods[20])
{
    for (int i = 0; i < 20; i++) {
        values[i] = (i % 2 ? 2 : 1) + (i >= 10 ? 10 : 0);
        periods[i] = 2023 * 12 + i;
    }
}

static void rebasing_starts_new_limits(void **state)
{
    (void)state;
    double values[20];
    int periods[20];
    rebase_series(values, periods);
    struct spc_result result;

    /* Without a rebase, one set of limits and every point outside it. */
    assert_true(spc_analyse(values, periods, 20, SPC_HIGHER_IS_BETTER, false, 0, NULL, &result));
    assert_near(result.mean, 6.5, EPSILON);
    assert_near(result.average_moving_range, 27.0 / 19.0, EPSILON);
    for (size_t i = 0; i < 20; i++)
        assert_true(result.points[i].rules & SPC_RULE_OUTSIDE_LIMITS);
    spc_result_free(&result);

    struct spc_settings settings = spc_default_settings();
    settings.rebase_periods[settings.rebase_count++] = 2023 * 12 + 10;
    assert_true(spc_analyse(values, periods, 20, SPC_HIGHER_IS_BETTER, false, 0, &settings,
                            &result));
    for (size_t i = 0; i < 10; i++) {
        assert_near(result.points[i].mean, 1.5, EPSILON);
        assert_near(result.points[i].upper_limit, 1.5 + 2.66, EPSILON);
        assert_near(result.points[i].lower_limit, 1.5 - 2.66, EPSILON);
    }
    for (size_t i = 10; i < 20; i++) {
        assert_near(result.points[i].mean, 11.5, EPSILON);
        assert_near(result.points[i].upper_limit, 11.5 + 2.66, EPSILON);
    }
    assert_near(result.mean, 11.5, EPSILON);
    assert_near(result.average_moving_range, 1.0, EPSILON);
    assert_near(result.upper_limit, 14.16, EPSILON);
    assert_near(result.lower_limit, 8.84, EPSILON);
    assert_no_rules(&result);
    assert_int_equal(result.variation, SPC_VARIATION_COMMON);
    assert_int_equal(result.points[0].period, 2023 * 12);
    spc_result_free(&result);
}

static void rebase_in_a_gap_applies_to_the_next_point(void **state)
{
    (void)state;
    double values[20];
    int periods[20];
    rebase_series(values, periods);
    for (int i = 10; i < 20; i++)
        periods[i] += 2; /* two months missing before the eleventh point */
    struct spc_settings settings = spc_default_settings();
    settings.rebase_periods[settings.rebase_count++] = 2023 * 12 + 11;
    struct spc_result result;
    assert_true(spc_analyse(values, periods, 20, SPC_HIGHER_IS_BETTER, false, 0, &settings,
                            &result));
    assert_near(result.points[9].mean, 1.5, EPSILON);
    assert_near(result.points[10].mean, 11.5, EPSILON);
    spc_result_free(&result);
}

static void rebase_leaving_one_point_is_ignored(void **state)
{
    (void)state;
    double values[20];
    int periods[20];
    rebase_series(values, periods);
    struct spc_settings settings = spc_default_settings();
    settings.rebase_periods[settings.rebase_count++] = 2023 * 12 + 19; /* the last point */
    settings.rebase_periods[settings.rebase_count++] = 2023 * 12 + 1;  /* after the first */
    struct spc_result result;
    assert_true(spc_analyse(values, periods, 20, SPC_HIGHER_IS_BETTER, false, 0, &settings,
                            &result));
    for (size_t i = 0; i < 20; i++)
        assert_near(result.points[i].mean, 6.5, EPSILON);
    spc_result_free(&result);

    /* Without periods there is nothing to rebase at. */
    settings.rebase_count = 0;
    settings.rebase_periods[settings.rebase_count++] = 2023 * 12 + 10;
    assert_true(spc_analyse(values, NULL, 20, SPC_HIGHER_IS_BETTER, false, 0, &settings,
                            &result));
    assert_near(result.mean, 6.5, EPSILON);
    spc_result_free(&result);
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    struct spc_result result;
    assert_false(spc_analyse(test_vector, NULL, 18, SPC_HIGHER_IS_BETTER, false, 0, NULL, NULL));
    assert_false(spc_analyse(NULL, NULL, 3, SPC_HIGHER_IS_BETTER, false, 0, NULL, &result));
    assert_null(result.points);
    double with_nan[] = {1, 2, NAN};
    assert_false(spc_analyse(with_nan, NULL, 3, SPC_HIGHER_IS_BETTER, false, 0, NULL, &result));
    struct spc_settings settings = spc_default_settings();
    settings.shift_length = 1;
    assert_false(spc_analyse(test_vector, NULL, 18, SPC_HIGHER_IS_BETTER, false, 0, &settings,
                             &result));
    settings = spc_default_settings();
    settings.rebase_count = SPC_MAX_REBASES + 1;
    assert_false(spc_analyse(test_vector, NULL, 18, SPC_HIGHER_IS_BETTER, false, 0, &settings,
                             &result));
    settings = spc_default_settings();
    settings.minimum_points = 1;
    assert_false(spc_analyse(test_vector, NULL, 18, SPC_HIGHER_IS_BETTER, false, 0, &settings,
                             &result));
    settings = spc_default_settings();
    settings.conflict = (enum spc_conflict)7;
    assert_false(spc_analyse(test_vector, NULL, 18, SPC_HIGHER_IS_BETTER, false, 0, &settings,
                             &result));
    settings = spc_default_settings();
    settings.board_conflict = (enum spc_conflict)3;
    assert_false(spc_analyse(test_vector, NULL, 18, SPC_HIGHER_IS_BETTER, false, 0, &settings,
                             &result));
    spc_result_free(&result);
    spc_result_free(NULL);
}

static void icons_have_codes_labels_and_glyphs(void **state)
{
    (void)state;
    const struct {
        enum spc_variation variation;
        const char *code, *label, *glyph, *ascii;
    } variations[] = {
        {SPC_VARIATION_NONE, "", "", "", ""},
        {SPC_VARIATION_COMMON, "common", "common cause", "~", "~"},
        {SPC_VARIATION_IMPROVEMENT_HIGH, "improvement-high", "improvement (high)", "↑+", "^+"},
        {SPC_VARIATION_IMPROVEMENT_LOW, "improvement-low", "improvement (low)", "↓+", "v+"},
        {SPC_VARIATION_CONCERN_HIGH, "concern-high", "concern (high)", "↑!", "^!"},
        {SPC_VARIATION_CONCERN_LOW, "concern-low", "concern (low)", "↓!", "v!"},
        {SPC_VARIATION_NEITHER_HIGH, "neither-high", "neither (high)", "↑", "^"},
        {SPC_VARIATION_NEITHER_LOW, "neither-low", "neither (low)", "↓", "v"},
    };
    for (size_t i = 0; i < COUNT(variations); i++) {
        assert_string_equal(spc_variation_code(variations[i].variation), variations[i].code);
        assert_string_equal(spc_variation_label(variations[i].variation), variations[i].label);
        assert_string_equal(spc_variation_glyph(variations[i].variation, false),
                            variations[i].glyph);
        assert_string_equal(spc_variation_glyph(variations[i].variation, true),
                            variations[i].ascii);
    }
    const struct {
        enum spc_assurance assurance;
        const char *code, *label, *glyph, *ascii;
    } assurances[] = {
        {SPC_ASSURANCE_NONE, "", "", "", ""},
        {SPC_ASSURANCE_PASS, "pass", "consistently passes", "✓", "P"},
        {SPC_ASSURANCE_FAIL, "fail", "consistently fails", "✗", "F"},
        {SPC_ASSURANCE_HIT_OR_MISS, "hit-or-miss", "hit or miss", "±", "P/F"},
    };
    for (size_t i = 0; i < COUNT(assurances); i++) {
        assert_string_equal(spc_assurance_code(assurances[i].assurance), assurances[i].code);
        assert_string_equal(spc_assurance_label(assurances[i].assurance), assurances[i].label);
        assert_string_equal(spc_assurance_glyph(assurances[i].assurance, false),
                            assurances[i].glyph);
        assert_string_equal(spc_assurance_glyph(assurances[i].assurance, true),
                            assurances[i].ascii);
    }
    /* Out-of-range values read as "none" rather than crash. */
    assert_string_equal(spc_variation_code((enum spc_variation)99), "");
    assert_string_equal(spc_assurance_label((enum spc_assurance)99), "");
    assert_string_equal(spc_rule_label(SPC_RULE_SHIFT), "shift");
    assert_string_equal(spc_rule_label(SPC_RULE_OUTSIDE_LIMITS), "outside the limits");
    assert_string_equal(spc_rule_label(SPC_RULE_TREND), "trend");
    assert_string_equal(spc_rule_label(SPC_RULE_TWO_OF_THREE), "two of three near a limit");
    assert_string_equal(spc_meaning_label(SPC_CONCERN), "concern");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_documented_ones),
        cmocka_unit_test(test_vector_gives_product_limits),
        cmocka_unit_test(screening_drops_large_moving_ranges),
        cmocka_unit_test(outside_limits_is_strictly_beyond),
        cmocka_unit_test(shift_of_seven_is_flagged),
        cmocka_unit_test(shift_of_six_is_not_flagged),
        cmocka_unit_test(point_on_the_mean_breaks_a_shift),
        cmocka_unit_test(trend_of_seven_is_flagged),
        cmocka_unit_test(trend_is_broken_by_equal_neighbours),
        cmocka_unit_test(trend_of_six_is_not_flagged_unless_configured),
        cmocka_unit_test(two_of_three_near_near_near_are_all_flagged),
        cmocka_unit_test(two_of_three_needs_the_third_point_on_the_same_side),
        cmocka_unit_test(two_of_three_near_inside_near_on_one_side_is_flagged),
        cmocka_unit_test(two_of_three_near_inside_near_across_the_mean_is_not_flagged),
        cmocka_unit_test(two_of_three_does_not_count_points_beyond_the_limit),
        cmocka_unit_test(two_of_three_is_broken_by_distance_and_side),
        cmocka_unit_test(icons_follow_the_direction),
        cmocka_unit_test(conflicting_rules_show_concern_by_default),
        cmocka_unit_test(conflicting_rules_show_improvement_when_set),
        cmocka_unit_test(point_beyond_the_upper_limit_on_a_falling_run),
        cmocka_unit_test(no_conflict_without_both_sides),
        cmocka_unit_test(conflict_rule_falls_back_from_metric_to_board_to_default),
        cmocka_unit_test(assurance_against_the_target),
        cmocka_unit_test(fewer_points_than_the_minimum_make_a_run_chart),
        cmocka_unit_test(rebasing_starts_new_limits),
        cmocka_unit_test(rebase_in_a_gap_applies_to_the_next_point),
        cmocka_unit_test(rebase_leaving_one_point_is_ignored),
        cmocka_unit_test(bad_arguments_are_refused),
        cmocka_unit_test(icons_have_codes_labels_and_glyphs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
