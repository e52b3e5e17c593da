/* spc.c — Making Data Count XmR analysis: limits per segment, the four
 * special-cause rules, and the variation and assurance icons. Pure: no I/O. */
#include "spc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The XmR constants: 2.66 = 3 / d2 (d2 = 1.128 for ranges of two points),
 * and 3.267 = D4, the upper limit of a moving range. */
#define LIMIT_FACTOR 2.66
#define MOVING_RANGE_CEILING_FACTOR 3.267

/* Readings are typed by people and means are computed, so "on the mean" or
 * "on the limit" must survive rounding in the last bits. */
static bool nearly_equal(double a, double b)
{
    double scale = fmax(1.0, fmax(fabs(a), fabs(b)));
    return fabs(a - b) <= 1e-9 * scale;
}

static bool clearly_above(double value, double line)
{
    return value > line && !nearly_equal(value, line);
}

static bool clearly_below(double value, double line)
{
    return value < line && !nearly_equal(value, line);
}

struct spc_settings spc_default_settings(void)
{
    return (struct spc_settings){
        .minimum_points = 15,
        .shift_length = 7,
        .trend_length = 7,
        .screen_moving_ranges = false,
        .rebase_count = 0,
        .conflict = SPC_CONFLICT_DEFAULT,
        .board_conflict = SPC_CONFLICT_DEFAULT,
    };
}

const char *spc_conflict_name(enum spc_conflict conflict)
{
    switch (conflict) {
    case SPC_CONFLICT_IMPROVEMENT:
        return "improvement";
    case SPC_CONFLICT_CONCERN:
        return "concern";
    case SPC_CONFLICT_DEFAULT:
        break;
    }
    return "";
}

bool spc_conflict_parse(const char *text, enum spc_conflict *out)
{
    if (strcmp(text, "improvement") == 0)
        *out = SPC_CONFLICT_IMPROVEMENT;
    else if (strcmp(text, "concern") == 0)
        *out = SPC_CONFLICT_CONCERN;
    else
        return false;
    return true;
}

static bool conflict_is_valid(enum spc_conflict conflict)
{
    return conflict == SPC_CONFLICT_DEFAULT || conflict == SPC_CONFLICT_IMPROVEMENT ||
           conflict == SPC_CONFLICT_CONCERN;
}

enum spc_conflict spc_conflict_rule(const struct spc_settings *settings)
{
    if (settings->conflict != SPC_CONFLICT_DEFAULT)
        return settings->conflict;
    if (settings->board_conflict != SPC_CONFLICT_DEFAULT)
        return settings->board_conflict;
    return SPC_CONFLICT_DEFAULT_RULE;
}

static bool settings_are_valid(const struct spc_settings *settings)
{
    return settings->minimum_points >= 2 && settings->shift_length >= 2 &&
           settings->trend_length >= 2 && settings->rebase_count >= 0 &&
           settings->rebase_count <= SPC_MAX_REBASES && conflict_is_valid(settings->conflict) &&
           conflict_is_valid(settings->board_conflict);
}

static bool period_starts_new_limits(const struct spc_settings *settings, int previous, int current)
{
    for (int r = 0; r < settings->rebase_count; r++)
        if (previous < settings->rebase_periods[r] && settings->rebase_periods[r] <= current)
            return true;
    return false;
}

/* Where each set of limits starts. A rebase applies to the first point whose
 * period is at or after the rebase period. A set of limits needs a moving
 * range, so a rebase that would leave a segment of one point is ignored: the
 * point stays with its neighbours. Returns the number of segments. */
static size_t find_segment_starts(const int *periods, size_t count,
                                  const struct spc_settings *settings,
                                  size_t starts[SPC_MAX_REBASES + 1])
{
    size_t segments = 1;
    starts[0] = 0;
    if (!periods)
        return segments;
    for (size_t i = 1; i < count && segments < SPC_MAX_REBASES + 1; i++) {
        if (!period_starts_new_limits(settings, periods[i - 1], periods[i]))
            continue;
        if (i - starts[segments - 1] < 2)
            continue;
        starts[segments++] = i;
    }
    if (segments > 1 && count - starts[segments - 1] < 2)
        segments--;
    return segments;
}

struct segment {
    size_t start, end; /* points [start, end) */
    double mean;
    double average_moving_range;
};

/* The mean and MR̄ of one segment, from its own points only. With screening,
 * moving ranges at or above 3.267·MR̄ are dropped and MR̄ is recomputed from
 * the rest, so one wild month does not widen the limits. */
static void segment_limits(const double *values, struct segment *segment, bool screen)
{
    double sum = 0;
    for (size_t i = segment->start; i < segment->end; i++)
        sum += values[i];
    segment->mean = sum / (double)(segment->end - segment->start);

    size_t ranges = segment->end - segment->start - 1;
    double total = 0;
    for (size_t i = segment->start + 1; i < segment->end; i++)
        total += fabs(values[i] - values[i - 1]);
    double average = ranges ? total / (double)ranges : 0;
    if (screen && average > 0) {
        double ceiling = MOVING_RANGE_CEILING_FACTOR * average;
        double kept_total = 0;
        size_t kept = 0;
        for (size_t i = segment->start + 1; i < segment->end; i++) {
            double range = fabs(values[i] - values[i - 1]);
            if (range < ceiling) {
                kept_total += range;
                kept++;
            }
        }
        if (kept)
            average = kept_total / (double)kept;
    }
    segment->average_moving_range = average;
}

static void give_points_their_limits(struct spc_point *points, const struct segment *segment)
{
    double width = LIMIT_FACTOR * segment->average_moving_range;
    for (size_t i = segment->start; i < segment->end; i++) {
        struct spc_point *point = &points[i];
        point->mean = segment->mean;
        point->upper_limit = segment->mean + width;
        point->lower_limit = segment->mean - width;
        point->upper_two_sigma = segment->mean + width * 2.0 / 3.0;
        point->lower_two_sigma = segment->mean - width * 2.0 / 3.0;
        point->upper_one_sigma = segment->mean + width / 3.0;
        point->lower_one_sigma = segment->mean - width / 3.0;
    }
}

/* Rules record the side they point to; a point can be flagged high by one
 * rule and low by another (a falling trend above the mean), resolved later. */
struct flags {
    unsigned high;
    unsigned low;
};

static void flag(struct flags *flags, size_t at, enum spc_rule rule, bool high)
{
    if (high)
        flags[at].high |= (unsigned)rule;
    else
        flags[at].low |= (unsigned)rule;
}

static void flag_points_outside_limits(const struct spc_point *points, const struct segment *segment,
                                       struct flags *flags)
{
    for (size_t i = segment->start; i < segment->end; i++) {
        if (clearly_above(points[i].value, points[i].upper_limit))
            flag(flags, i, SPC_RULE_OUTSIDE_LIMITS, true);
        else if (clearly_below(points[i].value, points[i].lower_limit))
            flag(flags, i, SPC_RULE_OUTSIDE_LIMITS, false);
    }
}

static int side_of_mean(const struct spc_point *point)
{
    if (clearly_above(point->value, point->mean))
        return 1;
    if (clearly_below(point->value, point->mean))
        return -1;
    return 0; /* on the mean: breaks a shift */
}

static void flag_run(struct flags *flags, size_t from, size_t to, enum spc_rule rule, bool high)
{
    for (size_t i = from; i < to; i++)
        flag(flags, i, rule, high);
}

static void flag_shifts(const struct spc_point *points, const struct segment *segment,
                        size_t shift_length, struct flags *flags)
{
    size_t run_start = segment->start;
    int run_side = 0;
    for (size_t i = segment->start; i <= segment->end; i++) {
        int side = i < segment->end ? side_of_mean(&points[i]) : 0;
        if (i < segment->end && side == run_side && side != 0)
            continue;
        if (run_side != 0 && i - run_start >= shift_length)
            flag_run(flags, run_start, i, SPC_RULE_SHIFT, run_side > 0);
        run_start = i;
        run_side = side;
    }
}

/* +1 if the point is higher than the one before, -1 if lower, 0 if equal. */
static int step_from_previous(const struct spc_point *points, size_t i)
{
    if (clearly_above(points[i].value, points[i - 1].value))
        return 1;
    if (clearly_below(points[i].value, points[i - 1].value))
        return -1;
    return 0;
}

static void flag_trends(const struct spc_point *points, const struct segment *segment,
                        size_t trend_length, struct flags *flags)
{
    /* A run of k steps the same way covers k + 1 points, from run_start. */
    size_t run_start = segment->start;
    int run_step = 0;
    for (size_t i = segment->start + 1; i <= segment->end; i++) {
        int step = i < segment->end ? step_from_previous(points, i) : 0;
        if (i < segment->end && step == run_step && step != 0)
            continue;
        if (run_step != 0 && i - run_start >= trend_length)
            flag_run(flags, run_start, i, SPC_RULE_TREND, run_step > 0);
        run_start = i - 1;
        run_step = step;
    }
}

/* +1 or -1 if the point is beyond its 2σ line but not beyond the process
 * limit on that side; 0 otherwise. */
static int near_limit_side(const struct spc_point *point)
{
    if (clearly_above(point->value, point->upper_two_sigma) &&
        !clearly_above(point->value, point->upper_limit))
        return 1;
    if (clearly_below(point->value, point->lower_two_sigma) &&
        !clearly_below(point->value, point->lower_limit))
        return -1;
    return 0;
}

/* Rule 4, as NHS England's SQL tool (v2.1 on, step 4i) and NHSRplotthedots
 * have it: three consecutive points all on one side of the mean, two or
 * three of them beyond the 2σ line on that side but not beyond the process
 * limit. Those two or three are flagged. The third point, when it is not
 * itself near the limit, must still be on the same side of the mean: inside
 * the 2σ line, or beyond the limit (flagged by rule 1 instead). A point on
 * the mean is on neither side. A segment of two points has no such window. */
static void flag_two_of_three(const struct spc_point *points, const struct segment *segment,
                              struct flags *flags)
{
    for (size_t first = segment->start; first + 3 <= segment->end; first++) {
        int side = side_of_mean(&points[first]);
        if (side == 0 || side_of_mean(&points[first + 1]) != side ||
            side_of_mean(&points[first + 2]) != side)
            continue;
        size_t near = 0;
        for (size_t i = first; i < first + 3; i++)
            near += near_limit_side(&points[i]) == side;
        if (near < 2)
            continue;
        for (size_t i = first; i < first + 3; i++)
            if (near_limit_side(&points[i]) == side)
                flag(flags, i, SPC_RULE_TWO_OF_THREE, side > 0);
    }
}

static enum spc_meaning meaning_of_side(enum spc_direction direction, bool high)
{
    switch (direction) {
    case SPC_HIGHER_IS_BETTER:
        return high ? SPC_IMPROVEMENT : SPC_CONCERN;
    case SPC_LOWER_IS_BETTER:
        return high ? SPC_CONCERN : SPC_IMPROVEMENT;
    case SPC_NO_DIRECTION:
        break;
    }
    return SPC_NEITHER;
}

/* When rules disagree about a point's side, so that with a direction an
 * improvement rule and a concern rule both flag it (a falling trend above the
 * mean, a point beyond the upper limit at the end of a falling run), the
 * metric's conflict rule picks the side, as NHS England's SQL tool's
 * MetricConflictRule does, and the point records the conflict. Without a
 * direction neither side is better: the point's own side of the mean. */
static void label_point(struct spc_point *point, const struct flags *flags,
                        enum spc_direction direction, enum spc_conflict conflict)
{
    point->rules = flags->high | flags->low;
    point->conflict = false;
    if (!point->rules) {
        point->high = false;
        point->meaning = SPC_COMMON;
        return;
    }
    if (flags->high && flags->low) {
        bool improvement = conflict == SPC_CONFLICT_IMPROVEMENT;
        if (direction == SPC_HIGHER_IS_BETTER) {
            point->high = improvement;
            point->conflict = true;
        } else if (direction == SPC_LOWER_IS_BETTER) {
            point->high = !improvement;
            point->conflict = true;
        } else {
            point->high = point->value > point->mean;
        }
    } else {
        point->high = flags->high != 0;
    }
    point->meaning = meaning_of_side(direction, point->high);
}

static enum spc_variation variation_of_point(const struct spc_point *point)
{
    switch (point->meaning) {
    case SPC_COMMON:
        return SPC_VARIATION_COMMON;
    case SPC_IMPROVEMENT:
        return point->high ? SPC_VARIATION_IMPROVEMENT_HIGH : SPC_VARIATION_IMPROVEMENT_LOW;
    case SPC_CONCERN:
        return point->high ? SPC_VARIATION_CONCERN_HIGH : SPC_VARIATION_CONCERN_LOW;
    case SPC_NEITHER:
        break;
    }
    return point->high ? SPC_VARIATION_NEITHER_HIGH : SPC_VARIATION_NEITHER_LOW;
}

/* The target against the latest limits: a target on or beyond the limit on
 * the bad side is always met; on or beyond the good side, never met. */
static enum spc_assurance assurance_for_target(enum spc_direction direction, double target,
                                               double upper_limit, double lower_limit)
{
    bool at_or_below_lower = !clearly_above(target, lower_limit);
    bool at_or_above_upper = !clearly_below(target, upper_limit);
    switch (direction) {
    case SPC_HIGHER_IS_BETTER:
        if (at_or_below_lower)
            return SPC_ASSURANCE_PASS;
        if (at_or_above_upper)
            return SPC_ASSURANCE_FAIL;
        return SPC_ASSURANCE_HIT_OR_MISS;
    case SPC_LOWER_IS_BETTER:
        if (at_or_above_upper)
            return SPC_ASSURANCE_PASS;
        if (at_or_below_lower)
            return SPC_ASSURANCE_FAIL;
        return SPC_ASSURANCE_HIT_OR_MISS;
    case SPC_NO_DIRECTION:
        break;
    }
    return SPC_ASSURANCE_NONE;
}

/* Too few points: a run chart with its mean as the centre line. Every line of
 * every point is the mean, so nothing reads as a limit. */
static void make_run_chart(const double *values, struct spc_result *out)
{
    double sum = 0;
    for (size_t i = 0; i < out->count; i++)
        sum += values[i];
    out->mean = out->count ? sum / (double)out->count : 0;
    out->upper_limit = out->lower_limit = out->mean;
    for (size_t i = 0; i < out->count; i++) {
        struct spc_point *point = &out->points[i];
        point->mean = point->upper_limit = point->lower_limit = out->mean;
        point->upper_two_sigma = point->lower_two_sigma = out->mean;
        point->upper_one_sigma = point->lower_one_sigma = out->mean;
        point->meaning = SPC_COMMON;
    }
}

bool spc_analyse(const double *values, const int *periods, size_t count,
                 enum spc_direction direction, bool has_target, double target,
                 const struct spc_settings *settings, struct spc_result *out)
{
    if (!out)
        return false;
    *out = (struct spc_result){0};
    struct spc_settings defaults = spc_default_settings();
    if (!settings)
        settings = &defaults;
    if ((count && !values) || !settings_are_valid(settings))
        return false;
    if (direction != SPC_HIGHER_IS_BETTER && direction != SPC_LOWER_IS_BETTER &&
        direction != SPC_NO_DIRECTION)
        return false;
    for (size_t i = 0; i < count; i++)
        if (!isfinite(values[i]))
            return false;

    out->count = count;
    out->conflict_rule = spc_conflict_rule(settings);
    out->points = count ? xcalloc(count, sizeof *out->points) : NULL;
    for (size_t i = 0; i < count; i++) {
        out->points[i].value = values[i];
        out->points[i].period = periods ? periods[i] : 0;
    }
    if (count < (size_t)settings->minimum_points) {
        make_run_chart(values, out);
        return true;
    }

    size_t starts[SPC_MAX_REBASES + 1];
    size_t segment_count = find_segment_starts(periods, count, settings, starts);
    struct flags *flags = xcalloc(count, sizeof *flags);
    struct segment segment = {0};
    for (size_t s = 0; s < segment_count; s++) {
        segment.start = starts[s];
        segment.end = s + 1 < segment_count ? starts[s + 1] : count;
        segment_limits(values, &segment, settings->screen_moving_ranges);
        give_points_their_limits(out->points, &segment);
        /* Runs do not cross a rebase: each segment is its own process. */
        flag_points_outside_limits(out->points, &segment, flags);
        flag_shifts(out->points, &segment, (size_t)settings->shift_length, flags);
        flag_trends(out->points, &segment, (size_t)settings->trend_length, flags);
        flag_two_of_three(out->points, &segment, flags);
    }
    for (size_t i = 0; i < count; i++)
        label_point(&out->points[i], &flags[i], direction, out->conflict_rule);
    free(flags);

    const struct spc_point *last = &out->points[count - 1];
    out->has_limits = true;
    out->mean = segment.mean;
    out->average_moving_range = segment.average_moving_range;
    out->upper_limit = last->upper_limit;
    out->lower_limit = last->lower_limit;
    out->variation = variation_of_point(last);
    out->conflict = last->conflict;
    if (has_target && isfinite(target))
        out->assurance = assurance_for_target(direction, target, out->upper_limit,
                                              out->lower_limit);
    return true;
}

void spc_result_free(struct spc_result *result)
{
    if (!result)
        return;
    free(result->points);
    result->points = NULL;
    result->count = 0;
}

/* The icons in words and glyphs. A glyph says the side with an arrow and the
 * judgement with a mark ("+" improvement, "!" concern, none for neither), so
 * it reads without colour; the ASCII set keeps the same shapes. */
struct icon_text {
    const char *code;
    const char *label;
    const char *glyph;
    const char *ascii_glyph;
};

static const struct icon_text variation_texts[] = {
    [SPC_VARIATION_NONE] = {"", "", "", ""},
    [SPC_VARIATION_COMMON] = {"common", "common cause", "~", "~"},
    [SPC_VARIATION_IMPROVEMENT_HIGH] = {"improvement-high", "improvement (high)", "↑+", "^+"},
    [SPC_VARIATION_IMPROVEMENT_LOW] = {"improvement-low", "improvement (low)", "↓+", "v+"},
    [SPC_VARIATION_CONCERN_HIGH] = {"concern-high", "concern (high)", "↑!", "^!"},
    [SPC_VARIATION_CONCERN_LOW] = {"concern-low", "concern (low)", "↓!", "v!"},
    [SPC_VARIATION_NEITHER_HIGH] = {"neither-high", "neither (high)", "↑", "^"},
    [SPC_VARIATION_NEITHER_LOW] = {"neither-low", "neither (low)", "↓", "v"},
};

static const struct icon_text assurance_texts[] = {
    [SPC_ASSURANCE_NONE] = {"", "", "", ""},
    [SPC_ASSURANCE_PASS] = {"pass", "consistently passes", "✓", "P"},
    [SPC_ASSURANCE_FAIL] = {"fail", "consistently fails", "✗", "F"},
    [SPC_ASSURANCE_HIT_OR_MISS] = {"hit-or-miss", "hit or miss", "±", "P/F"},
};

static const struct icon_text *variation_text(enum spc_variation v)
{
    size_t at = (size_t)v;
    return &variation_texts[at < sizeof variation_texts / sizeof variation_texts[0] ? at : 0];
}

static const struct icon_text *assurance_text(enum spc_assurance a)
{
    size_t at = (size_t)a;
    return &assurance_texts[at < sizeof assurance_texts / sizeof assurance_texts[0] ? at : 0];
}

const char *spc_variation_code(enum spc_variation v)
{
    return variation_text(v)->code;
}

const char *spc_variation_label(enum spc_variation v)
{
    return variation_text(v)->label;
}

const char *spc_variation_glyph(enum spc_variation v, bool ascii)
{
    return ascii ? variation_text(v)->ascii_glyph : variation_text(v)->glyph;
}

const char *spc_assurance_code(enum spc_assurance a)
{
    return assurance_text(a)->code;
}

const char *spc_assurance_label(enum spc_assurance a)
{
    return assurance_text(a)->label;
}

const char *spc_assurance_glyph(enum spc_assurance a, bool ascii)
{
    return ascii ? assurance_text(a)->ascii_glyph : assurance_text(a)->glyph;
}

const char *spc_rule_label(enum spc_rule rule)
{
    switch (rule) {
    case SPC_RULE_NONE:
        return "";
    case SPC_RULE_OUTSIDE_LIMITS:
        return "outside the limits";
    case SPC_RULE_SHIFT:
        return "shift";
    case SPC_RULE_TREND:
        return "trend";
    case SPC_RULE_TWO_OF_THREE:
        return "two of three near a limit";
    }
    return "";
}

const char *spc_conflict_sentence(const struct spc_result *result)
{
    if (!result || !result->has_limits || !result->conflict)
        return "";
    if (result->conflict_rule == SPC_CONFLICT_IMPROVEMENT)
        return "improvement and concern rules both apply to the latest point; this metric "
               "shows improvement";
    return "improvement and concern rules both apply to the latest point; this metric shows "
           "concern";
}

const char *spc_meaning_label(enum spc_meaning meaning)
{
    switch (meaning) {
    case SPC_COMMON:
        return "common cause";
    case SPC_IMPROVEMENT:
        return "improvement";
    case SPC_CONCERN:
        return "concern";
    case SPC_NEITHER:
        return "neither";
    }
    return "";
}
