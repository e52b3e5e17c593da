/* rules.c — RAG status, roll-up and staleness, as docs/rag.md defines them:
 * pure functions of the model, with no I/O and no clock. */
#include "rules.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A point on the line the metric is expected to follow. */
struct anchor {
    yearmonth period;
    double value;
};

static double interpolate(struct anchor from, struct anchor to, yearmonth when)
{
    if (to.period <= from.period)
        return to.value;
    double share = (double)(when - from.period) / (double)(to.period - from.period);
    return from.value + (to.value - from.value) * share;
}

double metric_expected_at(const struct metric *metric, yearmonth when)
{
    /* Anchors in time order: the baseline, the trajectory, then the target. */
    struct anchor stack[64];
    struct anchor *anchors = stack;
    size_t needed = metric->trajectory_count + 2, count = 0;
    if (needed > sizeof stack / sizeof stack[0])
        anchors = xcalloc(needed, sizeof *anchors);
    if (metric->has_baseline && metric->baseline_period != YEARMONTH_NONE)
        anchors[count++] = (struct anchor){metric->baseline_period, metric->baseline};
    for (size_t i = 0; i < metric->trajectory_count; i++) {
        struct anchor point = {metric->trajectory[i].period, metric->trajectory[i].value};
        if (count && point.period <= anchors[count - 1].period)
            continue;
        anchors[count++] = point;
    }
    if (metric->target_period != YEARMONTH_NONE &&
        (!count || metric->target_period > anchors[count - 1].period))
        anchors[count++] = (struct anchor){metric->target_period, metric->target};

    double expected;
    bool has_line = count >= 2 || metric->trajectory_count > 0;
    if (!has_line || count == 0) {
        expected = metric->target;
    } else if (when <= anchors[0].period) {
        expected = anchors[0].value;
    } else if (when >= anchors[count - 1].period) {
        expected = anchors[count - 1].period == metric->target_period ? metric->target
                                                                     : anchors[count - 1].value;
    } else {
        size_t next = 1;
        while (next < count && anchors[next].period < when)
            next++;
        expected = interpolate(anchors[next - 1], anchors[next], when);
    }
    if (anchors != stack)
        free(anchors);
    return expected;
}

double metric_tolerance(const struct metric *metric)
{
    if (metric->has_tolerance)
        return metric->tolerance;
    return DEFAULT_TOLERANCE_SHARE * fabs(metric->target);
}

/* How far `value` is worse than `reference`, by the metric's direction:
 * positive when worse, zero or negative when on or better. */
static double shortfall(enum direction direction, double value, double reference)
{
    return direction == DIRECTION_UP ? reference - value : value - reference;
}

/* Readings and targets are typed to a decimal place or two; compare with a
 * hair of slack so that 70.5 is "on" an expected value computed as 70.49999. */
#define SLACK 1e-9

struct metric_status rag_for_metric(const struct metric *metric, yearmonth as_at,
                                    yearmonth board_as_at)
{
    struct metric_status status = {.rag = RAG_GREY};
    const struct reading *series;
    size_t count = metric_series(metric, NULL, &series);
    while (count && as_at != YEARMONTH_NONE && series[count - 1].period > as_at)
        count--;
    if (!count)
        return status;
    const struct reading *latest = &series[count - 1];
    status.has_reading = true;
    status.latest = latest->value;
    status.latest_period = latest->period;
    status.expected = metric_expected_at(metric, latest->period);
    int stale_limit = metric->stale_months > 0 ? metric->stale_months : DEFAULT_STALE_MONTHS;
    status.stale = board_as_at != YEARMONTH_NONE && board_as_at - latest->period > stale_limit;
    if (metric->direction == DIRECTION_NONE)
        return status; /* no status without a direction */
    status.shortfall = shortfall(metric->direction, latest->value, status.expected);
    if (shortfall(metric->direction, latest->value, metric->target) <= SLACK)
        status.rag = RAG_BLUE;
    else if (status.shortfall <= SLACK)
        status.rag = RAG_GREEN;
    else if (status.shortfall <= metric_tolerance(metric) + SLACK)
        status.rag = RAG_AMBER;
    else
        status.rag = RAG_RED;
    return status;
}

enum milestone_status milestone_status_at(const struct milestone *milestone, yearmonth as_at)
{
    enum milestone_status status = MILESTONE_NOT_STARTED;
    for (size_t i = 0; i < milestone->update_count; i++) {
        const struct milestone_update *update = &milestone->updates[i];
        if (as_at == YEARMONTH_NONE || update->period == YEARMONTH_NONE || update->period <= as_at)
            status = update->status;
    }
    return status;
}

enum rag rag_for_milestone(const struct milestone *milestone, yearmonth as_at)
{
    enum milestone_status status = milestone_status_at(milestone, as_at);
    if (status == MILESTONE_COMPLETE)
        return RAG_BLUE;
    if (as_at != YEARMONTH_NONE && milestone->due != YEARMONTH_NONE && as_at > milestone->due)
        return RAG_RED;
    switch (status) {
    case MILESTONE_ON_TRACK:
        return RAG_GREEN;
    case MILESTONE_AT_RISK:
        return RAG_AMBER;
    case MILESTONE_OFF_TRACK:
        return RAG_RED;
    default:
        return RAG_GREY;
    }
}

void rollup_add(struct rollup *rollup, enum rag child)
{
    if ((unsigned)child < RAG_COUNT)
        rollup->counts[child]++;
}

void rollup_finish(struct rollup *rollup)
{
    rollup->rag = RAG_GREY;
    for (int rag = RAG_RED; rag > RAG_GREY; rag--) {
        if (rollup->counts[rag]) {
            rollup->rag = (enum rag)rag;
            return;
        }
    }
}

yearmonth board_as_at(const struct board *board, yearmonth as_of)
{
    /* PRODUCT.md: the "as at" month is the newest month with any reading
     * (any segment); milestone updates and commentary do not move it. */
    yearmonth newest = YEARMONTH_NONE;
    /* A summary load holds only the latest readings; the store says how far
     * the rest go. */
    if (as_of == YEARMONTH_NONE || board->newest_reading <= as_of)
        newest = board->newest_reading;
    for (size_t i = 0; i < board->node_count; i++) {
        const struct node *node = &board->nodes[i];
        for (size_t m = 0; m < node->metric_count; m++) {
            const struct metric *metric = &node->metrics[m];
            for (size_t r = 0; r < metric->reading_count; r++) {
                yearmonth when = metric->readings[r].period;
                if (when > newest && (as_of == YEARMONTH_NONE || when <= as_of))
                    newest = when;
            }
        }
    }
    return newest;
}

yearmonth milestone_as_at(const struct milestone *milestone, yearmonth as_of,
                          yearmonth board_month)
{
    if (as_of != YEARMONTH_NONE)
        return as_of;
    yearmonth when = board_month;
    for (size_t u = 0; u < milestone->update_count; u++)
        if (milestone->updates[u].period > when)
            when = milestone->updates[u].period;
    return when;
}

bool milestone_updated_for(const struct milestone *milestone, yearmonth month)
{
    for (size_t u = 0; u < milestone->update_count; u++)
        if (milestone->updates[u].period != YEARMONTH_NONE && milestone->updates[u].period >= month)
            return true;
    return false;
}

bool node_updated_for(const struct node *deliverable, yearmonth month)
{
    if (deliverable->has_milestone)
        return milestone_updated_for(&deliverable->milestone, month);
    for (size_t m = 0; m < deliverable->metric_count; m++) {
        const struct reading *latest = metric_latest_reading(&deliverable->metrics[m]);
        if (!latest || latest->period < month)
            return false;
    }
    return true;
}

/* A metric's status in the view: as at `as_of`; in the working view of a
 * board with an open month, a metric with no reading for that month yet is
 * awaiting it and keeps its status as at the month before. */
static struct metric_status metric_status_in_view(const struct metric *metric, yearmonth as_of,
                                                  yearmonth board_month, yearmonth open)
{
    if (open != YEARMONTH_NONE) {
        const struct reading *latest = metric_latest_reading(metric);
        if (!latest || latest->period < open) {
            struct metric_status status = rag_for_metric(metric, open - 1, open - 1);
            status.awaiting = true;
            return status;
        }
    }
    return rag_for_metric(metric, as_of, board_month);
}

/* A deliverable's own status as at a month: the worst of its metrics (each
 * metric's status kept in out->metrics[index]), or its milestone's; counted
 * once. */
static struct rollup deliverable_status(const struct node *node, size_t index, yearmonth as_of,
                                        struct board_status *out)
{
    struct rollup own = {0};
    yearmonth open = out->open_month;
    bool awaiting = false;
    if (node->metric_count) {
        out->metrics[index] = xcalloc(node->metric_count, sizeof **out->metrics);
        for (size_t m = 0; m < node->metric_count; m++) {
            out->metrics[index][m] =
                metric_status_in_view(&node->metrics[m], as_of, out->as_at, open);
            awaiting = awaiting || out->metrics[index][m].awaiting;
            rollup_add(&own, out->metrics[index][m].rag);
        }
        rollup_finish(&own);
    } else if (node->has_milestone) {
        if (open != YEARMONTH_NONE && !milestone_updated_for(&node->milestone, open)) {
            awaiting = true;
            own.rag = rag_for_milestone(&node->milestone, open - 1);
        } else {
            own.rag = rag_for_milestone(&node->milestone,
                                        milestone_as_at(&node->milestone, as_of, out->as_at));
        }
    }
    memset(own.counts, 0, sizeof own.counts);
    own.counts[own.rag] = 1;
    own.awaiting = awaiting;
    return own;
}

/* An empty status for the board as of `as_of`, with room for every node. */
static void status_begin(const struct board *board, yearmonth as_of, struct board_status *out)
{
    size_t count = board->node_count;
    memset(out, 0, sizeof *out);
    out->as_at = board_as_at(board, as_of);
    if (as_of == YEARMONTH_NONE && !board->months.published &&
        board->months.open != YEARMONTH_NONE) {
        out->open_month = board->months.open;
        if (out->as_at < out->open_month)
            out->as_at = out->open_month;
    }
    out->nodes = xcalloc(count ? count : 1, sizeof *out->nodes);
    out->metrics = xcalloc(count ? count : 1, sizeof *out->metrics);
}

void board_evaluate(const struct board *board, yearmonth as_of, struct board_status *out)
{
    size_t count = board->node_count;
    /* A published month's copy is seen as at that month. */
    if (as_of == YEARMONTH_NONE && board->months.published)
        as_of = board->months.shown;
    status_begin(board, as_of, out);
    /* Deliverables first: each is the worst of its metrics, or its milestone. */
    for (size_t i = 0; i < count; i++) {
        const struct node *node = &board->nodes[i];
        if (node->level != LEVEL_DELIVERABLE)
            continue;
        struct rollup own = deliverable_status(node, i, as_of, out);
        out->nodes[i] = own;
        /* Count the deliverable once in every ancestor and in the board. */
        for (size_t ancestor = node->parent; ancestor != NODE_NONE;
             ancestor = board->nodes[ancestor].parent) {
            rollup_add(&out->nodes[ancestor], own.rag);
            out->nodes[ancestor].awaiting += own.awaiting;
        }
        rollup_add(&out->board, own.rag);
        out->board.awaiting += own.awaiting;
    }
    for (size_t i = 0; i < count; i++)
        if (board->nodes[i].level != LEVEL_DELIVERABLE)
            rollup_finish(&out->nodes[i]);
    rollup_finish(&out->board);
}

void board_evaluate_kept(const struct board *board, struct board_status *out)
{
    size_t count = board->node_count;
    status_begin(board, YEARMONTH_NONE, out);
    for (size_t i = 0; i < count; i++) {
        const struct node *node = &board->nodes[i];
        if (node->level == LEVEL_DELIVERABLE) {
            /* The metrics' statuses for the rows; the deliverable's own as a
             * fallback should the store not keep it (it should). */
            out->nodes[i] = deliverable_status(node, i, YEARMONTH_NONE, out);
        }
        if (node->has_stored_status) {
            out->nodes[i].rag = node->stored_rag;
            memcpy(out->nodes[i].counts, node->stored_counts, sizeof out->nodes[i].counts);
            out->nodes[i].awaiting = node->stored_awaiting;
        }
    }
    if (board->has_stored_status) {
        out->board.rag = board->stored_rag;
        memcpy(out->board.counts, board->stored_counts, sizeof out->board.counts);
        out->board.awaiting = board->stored_awaiting;
    }
}

int rag_movement(enum rag previous, enum rag now)
{
    /* Better first: B, G, A, R (enum rag orders them the other way). */
    if (previous == RAG_GREY || now == RAG_GREY || previous == now)
        return 0;
    return now < previous ? 1 : -1;
}

bool board_view_is_provisional(const struct board *board, yearmonth as_at)
{
    if (board->months.published)
        return false;
    return board->months.last_published == YEARMONTH_NONE || as_at == YEARMONTH_NONE ||
           as_at > board->months.last_published || board->months.open != YEARMONTH_NONE;
}

void board_status_free(struct board_status *status, size_t node_count)
{
    for (size_t i = 0; i < node_count && status->metrics; i++)
        free(status->metrics[i]);
    free(status->metrics);
    free(status->nodes);
    memset(status, 0, sizeof *status);
}

/* A non-negative number with at most `decimals` places, no trailing zeros. */
static void plain_decimal(double value, int decimals, char *out, size_t size)
{
    snprintf(out, size, "%.*f", decimals, value);
    char *point = strchr(out, '.');
    if (!point)
        return;
    char *end = out + strlen(out);
    while (end > point + 1 && end[-1] == '0')
        *--end = '\0';
    if (end == point + 1)
        *point = '\0';
}

/* "2.1 points" for percentages, "3 days" or "4.5" for other units. */
static void describe_gap(const struct metric *metric, double gap, int decimals, char *out,
                         size_t size)
{
    char number[32];
    plain_decimal(gap, decimals, number, sizeof number);
    bool one = strcmp(number, "1") == 0;
    if (metric->unit == UNIT_PERCENT)
        snprintf(out, size, "%s point%s", number, one ? "" : "s");
    else if (metric->unit == UNIT_DAYS)
        snprintf(out, size, "%s day%s", number, one ? "" : "s");
    else
        snprintf(out, size, "%s", number);
}

static double round_to(double value, int decimals)
{
    double scale = pow(10, decimals);
    return round(value * scale) / scale;
}

void rag_explain_metric(const struct metric *metric, const struct metric_status *status,
                        char *out, size_t size)
{
    if (!status->has_reading) {
        snprintf(out, size, "-: no reading yet.");
        return;
    }
    char latest[48], expected[48], target[48], month[9], gap[48];
    unit_format_value(metric->unit, status->latest, latest, sizeof latest);
    unit_format_value(metric->unit, metric->target, target, sizeof target);
    /* The expected value is a computed line: one decimal place is enough,
     * unless the gap would then read as nothing. The gap is worked out from
     * the numbers shown, so the sentence adds up. A count's expected value
     * may fall between whole numbers, so it is shown as a plain number. */
    int decimals = 1;
    double shown = round_to(status->expected, decimals);
    double difference = round_to(fabs(status->latest - shown), decimals);
    while ((status->rag == RAG_AMBER || status->rag == RAG_RED) && difference == 0 &&
           decimals < 6) {
        decimals++;
        shown = round_to(status->expected, decimals);
        difference = round_to(fabs(status->latest - shown), decimals);
    }
    unit_format_value(metric->unit == UNIT_COUNT ? UNIT_NUMBER : metric->unit, shown, expected,
                      sizeof expected);
    yearmonth_label(status->latest_period, month);
    int used = 0;
    bool up = metric->direction == DIRECTION_UP;
    switch (status->rag) {
    case RAG_BLUE:
        used = snprintf(out, size, "B: %s meets the %s target.", latest, target);
        break;
    case RAG_GREEN:
        used = snprintf(out, size, "G: %s is on or %s the %s expected for %s.", latest,
                        up ? "above" : "below", expected, month);
        break;
    case RAG_AMBER:
    case RAG_RED:
        describe_gap(metric, difference, decimals, gap, sizeof gap);
        used = snprintf(out, size, "%c: %s is %s %s the %s expected for %s%s", rag_letter(status->rag),
                        latest, gap, up ? "below" : "above", expected, month,
                        status->rag == RAG_AMBER ? ", within tolerance." : ".");
        break;
    default:
        used = snprintf(out, size, "-: %s in %s; no status without a direction.", latest, month);
        break;
    }
    if (status->stale && used > 0 && (size_t)used < size)
        snprintf(out + used, size - (size_t)used, " Stale: the latest reading is from %s.", month);
}

void rag_explain_milestone(const struct milestone *milestone, yearmonth as_at, char *out,
                           size_t size)
{
    char due[9] = "";
    yearmonth_label(milestone->due, due);
    enum milestone_status status = milestone_status_at(milestone, as_at);
    enum rag rag = rag_for_milestone(milestone, as_at);
    if (status == MILESTONE_COMPLETE)
        snprintf(out, size, "B: complete.");
    else if (rag == RAG_RED && status != MILESTONE_OFF_TRACK)
        snprintf(out, size, "R: due %s and not complete (%s).", due,
                 milestone_status_label(status));
    else if (rag == RAG_GREY)
        snprintf(out, size, "-: not started; due %s.", due);
    else
        snprintf(out, size, "%c: %s, due %s.", rag_letter(rag), milestone_status_label(status),
                 due);
}
