/* test_rules.c — the RAG rules of PRODUCT.md, one by one: the expected value
 * (trajectory, else the baseline-to-target line, else the target), the
 * default tolerance, B/G/A/R for both directions with the tolerance edge
 * exactly, grey without readings, staleness, milestones and their due date,
 * the roll-up of deliverables into objectives and aims, the board's "as at"
 * month, and the one-sentence explanations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <string.h>

#include "model.h"
#include "rules.h"

#define YM(year, month) yearmonth_make(year, month)

/* A metric on the line from `baseline` in Mar 2023 to `target` in Mar 2024. */
static struct metric metric_on_a_line(char *code, char *name, enum unit unit,
                                      enum direction direction, double baseline, double target)
{
    struct metric metric = {
        .code = code,
        .name = name,
        .unit = unit,
        .direction = direction,
        .has_baseline = true,
        .baseline = baseline,
        .baseline_period = YM(2023, 3),
        .target = target,
        .target_period = YM(2024, 3),
    };
    return metric;
}

/* A percentage metric, up is better: 60% in Mar 2023 to 78% in Mar 2024,
 * so the line rises 1.5 points a month and expects 70.5% in Oct 2023. The
 * default tolerance is 5% of 78: 3.9 points. */
static struct metric line_metric(void)
{
    return metric_on_a_line("1.1.1", "Line", UNIT_PERCENT, DIRECTION_UP, 60, 78);
}

/* Days, down is better: 40 in Mar 2023 to 28 in Mar 2024, one day a month;
 * 34 expected in Sep 2023; default tolerance 5% of 28 = 1.4 days. */
static struct metric waiting_metric(void)
{
    return metric_on_a_line("1.1.2", "Median wait", UNIT_DAYS, DIRECTION_DOWN, 40, 28);
}

/* line_metric without its baseline, so with no line: it expects `target`. */
static struct metric target_only_metric(double target)
{
    struct metric metric = line_metric();
    metric.has_baseline = false;
    metric.baseline_period = YEARMONTH_NONE;
    metric.target = target;
    return metric;
}

/* The status of `metric` with one reading of `value` in `period`. */
static struct metric_status status_with(struct metric metric, yearmonth period, double value)
{
    struct reading reading = {.period = period, .value = value};
    metric.readings = &reading;
    metric.reading_count = 1;
    return rag_for_metric(&metric, YEARMONTH_NONE, period);
}

static enum rag rag_with(struct metric metric, yearmonth period, double value)
{
    return status_with(metric, period, value).rag;
}

/* --- the expected value --------------------------------------------------- */

static void expected_follows_the_line_from_baseline_to_target(void **state)
{
    (void)state;
    struct metric metric = line_metric();
    assert_float_equal(metric_expected_at(&metric, YM(2023, 3)), 60, 1e-9);
    assert_float_equal(metric_expected_at(&metric, YM(2023, 4)), 61.5, 1e-9);
    assert_float_equal(metric_expected_at(&metric, YM(2023, 10)), 70.5, 1e-9);
    assert_float_equal(metric_expected_at(&metric, YM(2024, 3)), 78, 1e-9);
    /* Before the baseline the baseline holds; after the target, the target. */
    assert_float_equal(metric_expected_at(&metric, YM(2022, 12)), 60, 1e-9);
    assert_float_equal(metric_expected_at(&metric, YM(2024, 9)), 78, 1e-9);
    /* Down is better: the line falls. */
    struct metric waiting = waiting_metric();
    assert_float_equal(metric_expected_at(&waiting, YM(2023, 9)), 34, 1e-9);
}

static void expected_follows_the_trajectory_when_given(void **state)
{
    (void)state;
    struct trajectory_point trajectory[] = {{YM(2023, 6), 62}, {YM(2023, 9), 66}};
    struct metric metric = line_metric();
    metric.baseline = 58.5;
    metric.target = 75;
    metric.trajectory = trajectory;
    metric.trajectory_count = 2;
    /* On the trajectory's own months, its values (the straight line from
     * 58.5 to 75 would expect 62.625 and 66.75). */
    assert_float_equal(metric_expected_at(&metric, YM(2023, 6)), 62, 1e-9);
    assert_float_equal(metric_expected_at(&metric, YM(2023, 9)), 66, 1e-9);
    /* Between its points, a straight line; from the baseline to its first
     * point, and from its last point to the target. */
    assert_float_equal(metric_expected_at(&metric, YM(2023, 7)), 62 + 4.0 / 3, 1e-9);
    assert_float_equal(metric_expected_at(&metric, YM(2023, 4)), 58.5 + 3.5 / 3, 1e-9);
    assert_float_equal(metric_expected_at(&metric, YM(2023, 12)), 70.5, 1e-9);
    assert_float_equal(metric_expected_at(&metric, YM(2024, 3)), 75, 1e-9);
    /* Without a baseline, the trajectory's first value holds before it. */
    metric.has_baseline = false;
    metric.baseline_period = YEARMONTH_NONE;
    assert_float_equal(metric_expected_at(&metric, YM(2023, 4)), 62, 1e-9);
    assert_float_equal(metric_expected_at(&metric, YM(2023, 7)), 62 + 4.0 / 3, 1e-9);
}

static void expected_is_the_target_without_a_line(void **state)
{
    (void)state;
    /* No baseline (as in most of the 2023/24 board): the target itself. */
    struct metric metric = target_only_metric(90);
    assert_float_equal(metric_expected_at(&metric, YM(2023, 4)), 90, 1e-9);
    assert_float_equal(metric_expected_at(&metric, YM(2024, 3)), 90, 1e-9);
    /* A baseline but a target with no month: no line can be drawn. */
    metric = line_metric();
    metric.target_period = YEARMONTH_NONE;
    assert_float_equal(metric_expected_at(&metric, YM(2023, 10)), 78, 1e-9);
}

static void tolerance_defaults_to_five_percent_of_the_target(void **state)
{
    (void)state;
    assert_float_equal(DEFAULT_TOLERANCE_SHARE, 0.05, 1e-12);
    struct metric metric = line_metric();
    metric.target = 75;
    assert_float_equal(metric_tolerance(&metric), 3.75, 1e-9);
    metric.unit = UNIT_NUMBER;
    metric.target = -20; /* the magnitude */
    assert_float_equal(metric_tolerance(&metric), 1, 1e-9);
    metric.has_tolerance = true;
    metric.tolerance = 2;
    assert_float_equal(metric_tolerance(&metric), 2, 1e-9);
    metric.tolerance = 0;
    assert_float_equal(metric_tolerance(&metric), 0, 1e-9);
}

/* --- metric RAG ----------------------------------------------------------- */

static void up_is_better_blue_green_amber_red(void **state)
{
    (void)state;
    struct metric metric = line_metric();
    yearmonth oct = YM(2023, 10); /* 70.5 expected, tolerance 3.9 */
    assert_int_equal(rag_with(metric, oct, 80), RAG_BLUE);   /* beyond the target */
    assert_int_equal(rag_with(metric, oct, 78), RAG_BLUE);   /* exactly the target */
    assert_int_equal(rag_with(metric, oct, 77.9), RAG_GREEN);
    assert_int_equal(rag_with(metric, oct, 72), RAG_GREEN);
    assert_int_equal(rag_with(metric, oct, 70.5), RAG_GREEN); /* exactly on the line */
    assert_int_equal(rag_with(metric, oct, 70.4), RAG_AMBER);
    assert_int_equal(rag_with(metric, oct, 68.4), RAG_AMBER);
    assert_int_equal(rag_with(metric, oct, 66.6), RAG_AMBER); /* exactly 3.9 short */
    assert_int_equal(rag_with(metric, oct, 66.59), RAG_RED);
    assert_int_equal(rag_with(metric, oct, 50), RAG_RED);

    struct metric_status status = status_with(metric, oct, 68.4);
    assert_true(status.has_reading);
    assert_float_equal(status.latest, 68.4, 1e-9);
    assert_int_equal(status.latest_period, oct);
    assert_float_equal(status.expected, 70.5, 1e-9);
    assert_float_equal(status.shortfall, 2.1, 1e-9);
    assert_false(status.stale);
    status = status_with(metric, oct, 72);
    assert_float_equal(status.shortfall, -1.5, 1e-9); /* better: not positive */
}

static void down_is_better_blue_green_amber_red(void **state)
{
    (void)state;
    struct metric metric = waiting_metric();
    yearmonth sep = YM(2023, 9); /* 34 days expected, tolerance 1.4 */
    assert_int_equal(rag_with(metric, sep, 20), RAG_BLUE);
    assert_int_equal(rag_with(metric, sep, 28), RAG_BLUE);
    assert_int_equal(rag_with(metric, sep, 28.5), RAG_GREEN);
    assert_int_equal(rag_with(metric, sep, 34), RAG_GREEN);
    assert_int_equal(rag_with(metric, sep, 34.1), RAG_AMBER);
    assert_int_equal(rag_with(metric, sep, 35.4), RAG_AMBER); /* exactly 1.4 over */
    assert_int_equal(rag_with(metric, sep, 35.41), RAG_RED);
    assert_int_equal(rag_with(metric, sep, 40), RAG_RED);
    assert_float_equal(status_with(metric, sep, 35).shortfall, 1, 1e-9);
}

static void a_metric_tolerance_moves_the_amber_edge(void **state)
{
    (void)state;
    struct metric metric = line_metric();
    yearmonth oct = YM(2023, 10);
    metric.has_tolerance = true;
    metric.tolerance = 1;
    assert_int_equal(rag_with(metric, oct, 69.5), RAG_AMBER); /* exactly 1 short */
    assert_int_equal(rag_with(metric, oct, 69.4), RAG_RED);
    metric.tolerance = 0; /* no amber at all */
    assert_int_equal(rag_with(metric, oct, 70.5), RAG_GREEN);
    assert_int_equal(rag_with(metric, oct, 70.4), RAG_RED);
}

static void without_a_line_the_target_is_expected(void **state)
{
    (void)state;
    /* 1.1.2 of the 2023/24 board: FFT positive feedback, target 90%, no
     * baseline. Every month expects 90: G is the same as B, then 4.5 points
     * of amber. */
    struct metric metric = target_only_metric(90);
    assert_int_equal(rag_with(metric, YM(2023, 4), 90), RAG_BLUE);
    assert_int_equal(rag_with(metric, YM(2023, 4), 89.9), RAG_AMBER);
    assert_int_equal(rag_with(metric, YM(2023, 4), 85.5), RAG_AMBER);
    assert_int_equal(rag_with(metric, YM(2023, 4), 85.4), RAG_RED);
}

static void no_reading_is_grey(void **state)
{
    (void)state;
    struct metric metric = line_metric();
    struct metric_status status = rag_for_metric(&metric, YEARMONTH_NONE, YM(2024, 3));
    assert_int_equal(status.rag, RAG_GREY);
    assert_false(status.has_reading);
    assert_false(status.stale);
    /* Readings of a segment only are not the metric's series. */
    struct reading segment_only[] = {{.period = YM(2023, 10), .value = 80, .segment = "Barnet"}};
    metric.readings = segment_only;
    metric.reading_count = 1;
    status = rag_for_metric(&metric, YEARMONTH_NONE, YM(2024, 3));
    assert_int_equal(status.rag, RAG_GREY);
    assert_false(status.has_reading);
    /* Readings only after the month asked for do not count. */
    struct reading later[] = {{.period = YM(2023, 10), .value = 80}};
    metric.readings = later;
    status = rag_for_metric(&metric, YM(2023, 9), YM(2023, 9));
    assert_int_equal(status.rag, RAG_GREY);
    assert_false(status.has_reading);
    /* A metric with no direction has no status, even with a reading. */
    metric.direction = DIRECTION_NONE;
    status = rag_for_metric(&metric, YEARMONTH_NONE, YM(2023, 10));
    assert_true(status.has_reading);
    assert_int_equal(status.rag, RAG_GREY);
}

static void the_latest_reading_is_the_greatest_period_not_after_as_at(void **state)
{
    (void)state;
    struct metric metric = line_metric();
    /* The whole series, by period, then a segment. */
    struct reading readings[] = {
        {.period = YM(2023, 4), .value = 50},
        {.period = YM(2023, 5), .value = 63},
        {.period = YM(2023, 6), .value = 78},
        {.period = YM(2023, 7), .value = 99, .segment = "Barnet"},
    };
    metric.readings = readings;
    metric.reading_count = 4;
    struct metric_status status = rag_for_metric(&metric, YEARMONTH_NONE, YM(2023, 7));
    assert_int_equal(status.latest_period, YM(2023, 6));
    assert_int_equal(status.rag, RAG_BLUE);
    status = rag_for_metric(&metric, YM(2023, 5), YM(2023, 5));
    assert_int_equal(status.latest_period, YM(2023, 5));
    assert_float_equal(status.expected, 63, 1e-9);
    assert_int_equal(status.rag, RAG_GREEN);
    status = rag_for_metric(&metric, YM(2023, 4), YM(2023, 4));
    assert_int_equal(status.rag, RAG_RED); /* 50 against 61.5 */
}

static void stale_after_more_than_three_months(void **state)
{
    (void)state;
    assert_int_equal(DEFAULT_STALE_MONTHS, 3);
    struct metric metric = line_metric();
    struct reading reading = {.period = YM(2023, 11), .value = 75};
    metric.readings = &reading;
    metric.reading_count = 1;
    assert_false(rag_for_metric(&metric, YEARMONTH_NONE, YM(2023, 11)).stale);
    assert_false(rag_for_metric(&metric, YEARMONTH_NONE, YM(2024, 2)).stale); /* 3 behind */
    struct metric_status status = rag_for_metric(&metric, YEARMONTH_NONE, YM(2024, 3));
    assert_true(status.stale); /* 4 behind */
    assert_int_equal(status.rag, RAG_GREEN); /* stale is a flag, not a status */
    assert_false(rag_for_metric(&metric, YEARMONTH_NONE, YEARMONTH_NONE).stale);
    /* stale_after: 1 */
    metric.stale_months = 1;
    assert_false(rag_for_metric(&metric, YEARMONTH_NONE, YM(2023, 12)).stale);
    assert_true(rag_for_metric(&metric, YEARMONTH_NONE, YM(2024, 1)).stale);
}

/* --- milestones ------------------------------------------------------------ */

static struct milestone milestone_with(struct milestone_update *updates, size_t count)
{
    struct milestone milestone = {.due = YM(2024, 3), .updates = updates,
                                  .update_count = count};
    return milestone;
}

static void milestone_statuses_map_to_rag(void **state)
{
    (void)state;
    const enum rag expected[MILESTONE_STATUS_COUNT] = {
        [MILESTONE_NOT_STARTED] = RAG_GREY, [MILESTONE_ON_TRACK] = RAG_GREEN,
        [MILESTONE_AT_RISK] = RAG_AMBER,    [MILESTONE_OFF_TRACK] = RAG_RED,
        [MILESTONE_COMPLETE] = RAG_BLUE,
    };
    for (int status = 0; status < MILESTONE_STATUS_COUNT; status++) {
        struct milestone_update update = {.status = (enum milestone_status)status};
        struct milestone milestone = milestone_with(&update, 1);
        /* Before the due month and in it. */
        assert_int_equal(rag_for_milestone(&milestone, YM(2023, 10)), expected[status]);
        assert_int_equal(rag_for_milestone(&milestone, YM(2024, 3)), expected[status]);
        /* Past due: red unless complete. */
        assert_int_equal(rag_for_milestone(&milestone, YM(2024, 4)),
                         status == MILESTONE_COMPLETE ? RAG_BLUE : RAG_RED);
        /* No month to judge by: never past due. */
        assert_int_equal(rag_for_milestone(&milestone, YEARMONTH_NONE), expected[status]);
    }
    /* No update at all is not started. */
    struct milestone milestone = milestone_with(NULL, 0);
    assert_int_equal(milestone_status_at(&milestone, YM(2023, 10)), MILESTONE_NOT_STARTED);
    assert_int_equal(rag_for_milestone(&milestone, YM(2023, 10)), RAG_GREY);
    assert_int_equal(rag_for_milestone(&milestone, YM(2024, 4)), RAG_RED);
}

static void milestone_updates_after_as_at_do_not_count(void **state)
{
    (void)state;
    struct milestone_update updates[] = {
        {.status = MILESTONE_ON_TRACK},                         /* no month: always counts */
        {.status = MILESTONE_AT_RISK, .period = YM(2023, 11)},
        {.status = MILESTONE_COMPLETE, .period = YM(2024, 2)},
    };
    struct milestone milestone = milestone_with(updates, 3);
    assert_int_equal(milestone_status_at(&milestone, YM(2023, 10)), MILESTONE_ON_TRACK);
    assert_int_equal(rag_for_milestone(&milestone, YM(2023, 10)), RAG_GREEN);
    assert_int_equal(milestone_status_at(&milestone, YM(2023, 11)), MILESTONE_AT_RISK);
    assert_int_equal(rag_for_milestone(&milestone, YM(2024, 1)), RAG_AMBER);
    assert_int_equal(rag_for_milestone(&milestone, YM(2024, 2)), RAG_BLUE);
    assert_int_equal(milestone_status_at(&milestone, YEARMONTH_NONE), MILESTONE_COMPLETE);
    /* Completed late is still complete. */
    assert_int_equal(rag_for_milestone(&milestone, YM(2024, 9)), RAG_BLUE);
}

static void milestones_are_judged_at_the_newest_month_known(void **state)
{
    (void)state;
    struct milestone_update updates[] = {{.status = MILESTONE_ON_TRACK, .period = YM(2024, 5)}};
    struct milestone milestone = milestone_with(updates, 1);
    /* A month asked for wins. */
    assert_int_equal(milestone_as_at(&milestone, YM(2023, 10), YM(2024, 1)), YM(2023, 10));
    /* Otherwise the later of the board's month and its own newest update. */
    assert_int_equal(milestone_as_at(&milestone, YEARMONTH_NONE, YM(2024, 1)), YM(2024, 5));
    assert_int_equal(milestone_as_at(&milestone, YEARMONTH_NONE, YM(2024, 8)), YM(2024, 8));
    struct milestone plain = milestone_with(NULL, 0);
    assert_int_equal(milestone_as_at(&plain, YEARMONTH_NONE, YM(2024, 1)), YM(2024, 1));
    assert_int_equal(milestone_as_at(&plain, YEARMONTH_NONE, YEARMONTH_NONE), YEARMONTH_NONE);
}

/* --- roll-up --------------------------------------------------------------- */

static struct rollup rollup_of(const enum rag *children, size_t count)
{
    struct rollup rollup = {0};
    for (size_t i = 0; i < count; i++)
        rollup_add(&rollup, children[i]);
    rollup_finish(&rollup);
    return rollup;
}

static void rollup_takes_the_worst_ignoring_grey(void **state)
{
    (void)state;
    assert_int_equal(rollup_of(NULL, 0).rag, RAG_GREY);
    enum rag greys[] = {RAG_GREY, RAG_GREY};
    assert_int_equal(rollup_of(greys, 2).rag, RAG_GREY);
    enum rag blue[] = {RAG_GREY, RAG_BLUE, RAG_GREY};
    assert_int_equal(rollup_of(blue, 3).rag, RAG_BLUE);
    enum rag green[] = {RAG_BLUE, RAG_GREEN, RAG_BLUE};
    assert_int_equal(rollup_of(green, 3).rag, RAG_GREEN);
    enum rag amber[] = {RAG_GREEN, RAG_AMBER, RAG_BLUE, RAG_GREY};
    assert_int_equal(rollup_of(amber, 4).rag, RAG_AMBER);
    enum rag red[] = {RAG_AMBER, RAG_GREY, RAG_RED, RAG_GREEN, RAG_BLUE};
    struct rollup rollup = rollup_of(red, 5);
    assert_int_equal(rollup.rag, RAG_RED);
    for (int rag = 0; rag < RAG_COUNT; rag++)
        assert_int_equal(rollup.counts[rag], 1);
    /* Something that is not a status is not counted. */
    rollup_add(&rollup, (enum rag)RAG_COUNT);
    unsigned total = 0;
    for (int rag = 0; rag < RAG_COUNT; rag++)
        total += rollup.counts[rag];
    assert_int_equal(total, 5);
}

/* A hand-built board:
 *   aim 1
 *     objective 1.1
 *       1.1.1  metric, G          (72% against 70.5% expected, Oct 2023)
 *       1.1.2  metric, R          (50 days against 34 expected, Sep 2023)
 *       1.1.3  metrics: A and grey -> A
 *     objective 1.2
 *       1.2.1  milestone, complete -> B
 *   aim 2
 *     objective 2.1
 *       2.1.1  milestone, not started, due 2024-03 -> grey (R once past due)
 */
struct test_board {
    struct board board;
    struct node nodes[10];
    struct metric metrics[4];
    struct reading readings[8];
    struct milestone_update updates[2];
};

static void build_board(struct test_board *t)
{
    memset(t, 0, sizeof *t);
    struct metric *m = t->metrics;
    struct reading *r = t->readings;
    m[0] = line_metric();
    r[0] = (struct reading){.period = YM(2023, 9), .value = 60};
    r[1] = (struct reading){.period = YM(2023, 10), .value = 72};
    m[0].readings = &r[0];
    m[0].reading_count = 2;
    m[1] = waiting_metric();
    m[1].code = "1.1.2";
    r[2] = (struct reading){.period = YM(2023, 9), .value = 50};
    r[3] = (struct reading){.period = YM(2023, 12), .value = 45, .segment = "Enfield"};
    m[1].readings = &r[2];
    m[1].reading_count = 2;
    m[2] = line_metric();
    m[2].code = "1.1.3a";
    r[4] = (struct reading){.period = YM(2023, 10), .value = 68.4};
    m[2].readings = &r[4];
    m[2].reading_count = 1;
    m[3] = line_metric();
    m[3].code = "1.1.3b";
    t->updates[0] = (struct milestone_update){.status = MILESTONE_ON_TRACK,
                                              .period = YM(2023, 6)};
    t->updates[1] = (struct milestone_update){.status = MILESTONE_COMPLETE,
                                              .period = YM(2023, 12)};
    struct node *n = t->nodes;
    n[0] = (struct node){.level = LEVEL_AIM, .code = "1", .title = "Aim one",
                         .parent = NODE_NONE, .subtree_end = 7};
    n[1] = (struct node){.level = LEVEL_OBJECTIVE, .code = "1.1", .title = "Objective 1.1",
                         .parent = 0, .subtree_end = 5, .depth = 1};
    n[2] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.1.1", .title = "Checks",
                         .parent = 1, .subtree_end = 3, .depth = 2, .metrics = &m[0],
                         .metric_count = 1};
    n[3] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.1.2", .title = "Waits",
                         .parent = 1, .subtree_end = 4, .depth = 2, .metrics = &m[1],
                         .metric_count = 1};
    n[4] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.1.3", .title = "Two",
                         .parent = 1, .subtree_end = 5, .depth = 2, .metrics = &m[2],
                         .metric_count = 2};
    n[5] = (struct node){.level = LEVEL_OBJECTIVE, .code = "1.2", .title = "Objective 1.2",
                         .parent = 0, .subtree_end = 7, .depth = 1};
    n[6] = (struct node){.level = LEVEL_DELIVERABLE, .code = "1.2.1", .title = "Ward",
                         .parent = 5, .subtree_end = 7, .depth = 2, .has_milestone = true,
                         .milestone = {.due = YM(2024, 3), .updates = t->updates,
                                       .update_count = 2}};
    n[7] = (struct node){.level = LEVEL_AIM, .code = "2", .title = "Aim two",
                         .parent = NODE_NONE, .subtree_end = 10};
    n[8] = (struct node){.level = LEVEL_OBJECTIVE, .code = "2.1", .title = "Objective 2.1",
                         .parent = 7, .subtree_end = 10, .depth = 1};
    n[9] = (struct node){.level = LEVEL_DELIVERABLE, .code = "2.1.1", .title = "Strategy",
                         .parent = 8, .subtree_end = 10, .depth = 2, .has_milestone = true,
                         .milestone = {.due = YM(2024, 3)}};
    t->board.code = "test";
    t->board.title = "Test";
    t->board.nodes = n;
    t->board.node_count = 10;
}

static void assert_counts(const struct rollup *rollup, unsigned red, unsigned amber,
                          unsigned green, unsigned blue, unsigned grey)
{
    assert_int_equal(rollup->counts[RAG_RED], red);
    assert_int_equal(rollup->counts[RAG_AMBER], amber);
    assert_int_equal(rollup->counts[RAG_GREEN], green);
    assert_int_equal(rollup->counts[RAG_BLUE], blue);
    assert_int_equal(rollup->counts[RAG_GREY], grey);
}

static void board_rolls_deliverables_up_to_objectives_and_aims(void **state)
{
    (void)state;
    struct test_board t;
    build_board(&t);
    struct board_status status;
    board_evaluate(&t.board, YEARMONTH_NONE, &status);
    /* As at the newest reading of any kind: Enfield's, in Dec 2023. */
    assert_int_equal(status.as_at, YM(2023, 12));
    assert_int_equal(status.nodes[2].rag, RAG_GREEN);
    assert_int_equal(status.nodes[3].rag, RAG_RED);
    assert_int_equal(status.nodes[4].rag, RAG_AMBER); /* A and grey: grey ignored */
    assert_int_equal(status.metrics[4][0].rag, RAG_AMBER);
    assert_int_equal(status.metrics[4][1].rag, RAG_GREY);
    assert_int_equal(status.nodes[6].rag, RAG_BLUE);
    assert_int_equal(status.nodes[9].rag, RAG_GREY);
    assert_null(status.metrics[0]);
    assert_null(status.metrics[6]);
    /* A deliverable counts itself once; objectives and aims count their
     * deliverables (not metrics, not objectives). */
    assert_counts(&status.nodes[4], 0, 1, 0, 0, 0);
    assert_int_equal(status.nodes[1].rag, RAG_RED);
    assert_counts(&status.nodes[1], 1, 1, 1, 0, 0);
    assert_int_equal(status.nodes[5].rag, RAG_BLUE);
    assert_counts(&status.nodes[5], 0, 0, 0, 1, 0);
    assert_int_equal(status.nodes[0].rag, RAG_RED);
    assert_counts(&status.nodes[0], 1, 1, 1, 1, 0);
    assert_int_equal(status.nodes[8].rag, RAG_GREY); /* all grey: grey */
    assert_counts(&status.nodes[8], 0, 0, 0, 0, 1);
    assert_int_equal(status.nodes[7].rag, RAG_GREY);
    assert_int_equal(status.board.rag, RAG_RED);
    assert_counts(&status.board, 1, 1, 1, 1, 1);
    /* Stale is judged against the board's month: 1.1.1's Oct reading is
     * two months behind Dec, not stale. */
    assert_false(status.metrics[2][0].stale);
    board_status_free(&status, t.board.node_count);
    assert_null(status.nodes);
}

static void board_as_of_an_earlier_month(void **state)
{
    (void)state;
    struct test_board t;
    build_board(&t);
    struct board_status status;
    board_evaluate(&t.board, YM(2023, 9), &status);
    assert_int_equal(status.as_at, YM(2023, 9));
    assert_int_equal(status.nodes[2].rag, RAG_RED);   /* 60 against 69 expected */
    assert_int_equal(status.nodes[4].rag, RAG_GREY);  /* its reading is Oct's */
    assert_int_equal(status.nodes[6].rag, RAG_GREEN); /* on track until Dec */
    board_status_free(&status, t.board.node_count);

    /* Past the due month, the milestone that never started is red, and
     * so is its objective and aim. */
    board_evaluate(&t.board, YM(2024, 4), &status);
    assert_int_equal(status.as_at, YM(2023, 12)); /* no reading after Dec */
    assert_int_equal(status.nodes[9].rag, RAG_RED);
    assert_int_equal(status.nodes[8].rag, RAG_RED);
    assert_int_equal(status.nodes[7].rag, RAG_RED);
    assert_int_equal(status.nodes[6].rag, RAG_BLUE);
    /* Staleness is judged against the board's month (Dec, from the
     * readings), not the month asked for: Oct is two months behind. */
    assert_false(status.metrics[2][0].stale);
    board_status_free(&status, t.board.node_count);
}

static void board_as_at_counts_readings_only(void **state)
{
    (void)state;
    struct test_board t;
    build_board(&t);
    assert_int_equal(board_as_at(&t.board, YEARMONTH_NONE), YM(2023, 12)); /* the segment */
    assert_int_equal(board_as_at(&t.board, YM(2023, 11)), YM(2023, 10));
    assert_int_equal(board_as_at(&t.board, YM(2023, 1)), YEARMONTH_NONE);
    /* A milestone update for a later month does not move the "as at"
     * month (PRODUCT.md: the newest month with any reading), so it does not
     * make every metric stale... */
    t.updates[1].period = YM(2024, 6);
    assert_int_equal(board_as_at(&t.board, YEARMONTH_NONE), YM(2023, 12));
    struct board_status status;
    board_evaluate(&t.board, YEARMONTH_NONE, &status);
    assert_int_equal(status.as_at, YM(2023, 12));
    assert_false(status.metrics[2][0].stale);
    /* ...but it still counts for its milestone. */
    assert_int_equal(status.nodes[6].rag, RAG_BLUE);
    board_status_free(&status, t.board.node_count);
    /* An on-track update made after the due month is past due. */
    t.updates[1].status = MILESTONE_ON_TRACK;
    board_evaluate(&t.board, YEARMONTH_NONE, &status);
    assert_int_equal(status.nodes[6].rag, RAG_RED);
    board_status_free(&status, t.board.node_count);
    /* Staleness across the board: readings moved on to Mar 2024 for 1.1.3a
     * leave 1.1.1 (Oct) more than 3 months behind. */
    t.readings[4].period = YM(2024, 3);
    board_evaluate(&t.board, YEARMONTH_NONE, &status);
    assert_int_equal(status.as_at, YM(2024, 3));
    assert_true(status.metrics[2][0].stale);
    assert_true(status.metrics[3][0].stale);  /* Sep: 6 behind */
    assert_false(status.metrics[4][0].stale); /* Mar itself */
    board_status_free(&status, t.board.node_count);
}

static void an_empty_board_is_grey(void **state)
{
    (void)state;
    struct board board = {.code = "empty"};
    struct board_status status;
    board_evaluate(&board, YEARMONTH_NONE, &status);
    assert_int_equal(status.as_at, YEARMONTH_NONE);
    assert_int_equal(status.board.rag, RAG_GREY);
    assert_counts(&status.board, 0, 0, 0, 0, 0);
    board_status_free(&status, 0);
}

/* --- explanations ------------------------------------------------------------ */

static void assert_explains(struct metric metric, yearmonth period, double value,
                            yearmonth board_month, const char *expected)
{
    struct reading reading = {.period = period, .value = value};
    metric.readings = &reading;
    metric.reading_count = 1;
    struct metric_status status = rag_for_metric(&metric, YEARMONTH_NONE, board_month);
    char text[256];
    rag_explain_metric(&metric, &status, text, sizeof text);
    assert_string_equal(text, expected);
}

static void metric_explanations(void **state)
{
    (void)state;
    struct metric metric = line_metric();
    struct metric waiting = waiting_metric();
    yearmonth oct = YM(2023, 10), sep = YM(2023, 9);
    const struct {
        const struct metric *metric;
        yearmonth period;
        double value;
        yearmonth board_month;
        const char *expected;
    } cases[] = {
        {&metric, oct, 68.4, oct,
         "A: 68.4% is 2.1 points below the 70.5% expected for Oct 2023, within tolerance."},
        {&metric, oct, 60, oct, "R: 60% is 10.5 points below the 70.5% expected for Oct 2023."},
        {&metric, oct, 69.5, oct,
         "A: 69.5% is 1 point below the 70.5% expected for Oct 2023, within tolerance."},
        {&metric, oct, 72, oct, "G: 72% is on or above the 70.5% expected for Oct 2023."},
        {&metric, oct, 78.5, oct, "B: 78.5% meets the 78% target."},
        /* Stale: a sentence more. */
        {&metric, oct, 72, YM(2024, 2),
         "G: 72% is on or above the 70.5% expected for Oct 2023. "
         "Stale: the latest reading is from Oct 2023."},
        /* Down is better: above is worse; days are days. */
        {&waiting, sep, 35, sep,
         "A: 35 days is 1 day above the 34 days expected for Sep 2023, within tolerance."},
        {&waiting, sep, 40, sep, "R: 40 days is 6 days above the 34 days expected for Sep 2023."},
        {&waiting, sep, 33, sep, "G: 33 days is on or below the 34 days expected for Sep 2023."},
        {&waiting, sep, 27, sep, "B: 27 days meets the 28 days target."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_explains(*cases[i].metric, cases[i].period, cases[i].value, cases[i].board_month,
                        cases[i].expected);
    /* A count's expected value between whole numbers is shown as it is, so
     * the gap adds up: 100 + 12.5 = 112.5 (25 a month from 0 to 225). */
    struct metric count = {.unit = UNIT_COUNT, .direction = DIRECTION_UP, .has_baseline = true,
                           .baseline = 0, .baseline_period = YM(2023, 3), .target = 225,
                           .target_period = YM(2024, 3), .has_tolerance = true,
                           .tolerance = 20};
    assert_explains(count, YM(2023, 9), 100, YM(2023, 9),
                    "A: 100 is 12.5 below the 112.5 expected for Sep 2023, within tolerance.");
    /* A gap too small for one decimal place is shown with more, never as 0:
     * 63.3% against 63.333...% expected. */
    struct metric thirds = line_metric();
    thirds.target = 70; /* 60 to 70 over 12 months: 63.333 in Jul 2023 */
    assert_explains(thirds, YM(2023, 7), 63.3, YM(2023, 7),
                    "A: 63.3% is 0.03 points below the 63.33% expected for Jul 2023, "
                    "within tolerance.");
    /* No reading; no direction. */
    struct metric_status none = {.rag = RAG_GREY};
    char text[128];
    rag_explain_metric(&metric, &none, text, sizeof text);
    assert_string_equal(text, "-: no reading yet.");
    metric.direction = DIRECTION_NONE;
    assert_explains(metric, oct, 72, oct, "-: 72% in Oct 2023; no status without a direction.");
    /* A short buffer is cut, never overrun. */
    struct metric_status status = {.rag = RAG_RED, .has_reading = true, .latest = 60,
                                   .latest_period = oct, .expected = 70.5, .shortfall = 10.5,
                                   .stale = true};
    char small[16];
    memset(small, 'x', sizeof small);
    rag_explain_metric(&metric, &status, small, 12);
    assert_int_equal(strlen(small), 11);
    assert_int_equal(small[12], 'x');
}

static void assert_milestone_explains(enum milestone_status status, bool has_update,
                                      yearmonth as_at, const char *expected)
{
    struct milestone_update update = {.status = status, .period = YM(2023, 6)};
    struct milestone milestone = milestone_with(&update, has_update ? 1 : 0);
    char text[128];
    rag_explain_milestone(&milestone, as_at, text, sizeof text);
    assert_string_equal(text, expected);
}

static void milestone_explanations(void **state)
{
    (void)state;
    yearmonth before = YM(2023, 10), after = YM(2024, 4);
    assert_milestone_explains(MILESTONE_NOT_STARTED, false, before, "-: not started; due Mar 2024.");
    assert_milestone_explains(MILESTONE_NOT_STARTED, true, before, "-: not started; due Mar 2024.");
    assert_milestone_explains(MILESTONE_ON_TRACK, true, before, "G: on track, due Mar 2024.");
    assert_milestone_explains(MILESTONE_AT_RISK, true, before, "A: at risk, due Mar 2024.");
    assert_milestone_explains(MILESTONE_OFF_TRACK, true, before, "R: off track, due Mar 2024.");
    assert_milestone_explains(MILESTONE_COMPLETE, true, before, "B: complete.");
    assert_milestone_explains(MILESTONE_NOT_STARTED, false, after,
                              "R: due Mar 2024 and not complete (not started).");
    assert_milestone_explains(MILESTONE_ON_TRACK, true, after,
                              "R: due Mar 2024 and not complete (on track).");
    assert_milestone_explains(MILESTONE_AT_RISK, true, after,
                              "R: due Mar 2024 and not complete (at risk).");
    assert_milestone_explains(MILESTONE_OFF_TRACK, true, after, "R: off track, due Mar 2024.");
    assert_milestone_explains(MILESTONE_COMPLETE, true, after, "B: complete.");
    /* An update for a month after the one asked about does not count. */
    assert_milestone_explains(MILESTONE_COMPLETE, true, YM(2023, 5),
                              "-: not started; due Mar 2024.");
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expected_follows_the_line_from_baseline_to_target),
        cmocka_unit_test(expected_follows_the_trajectory_when_given),
        cmocka_unit_test(expected_is_the_target_without_a_line),
        cmocka_unit_test(tolerance_defaults_to_five_percent_of_the_target),
        cmocka_unit_test(up_is_better_blue_green_amber_red),
        cmocka_unit_test(down_is_better_blue_green_amber_red),
        cmocka_unit_test(a_metric_tolerance_moves_the_amber_edge),
        cmocka_unit_test(without_a_line_the_target_is_expected),
        cmocka_unit_test(no_reading_is_grey),
        cmocka_unit_test(the_latest_reading_is_the_greatest_period_not_after_as_at),
        cmocka_unit_test(stale_after_more_than_three_months),
        cmocka_unit_test(milestone_statuses_map_to_rag),
        cmocka_unit_test(milestone_updates_after_as_at_do_not_count),
        cmocka_unit_test(milestones_are_judged_at_the_newest_month_known),
        cmocka_unit_test(rollup_takes_the_worst_ignoring_grey),
        cmocka_unit_test(board_rolls_deliverables_up_to_objectives_and_aims),
        cmocka_unit_test(board_as_of_an_earlier_month),
        cmocka_unit_test(board_as_at_counts_readings_only),
        cmocka_unit_test(an_empty_board_is_grey),
        cmocka_unit_test(metric_explanations),
        cmocka_unit_test(milestone_explanations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
