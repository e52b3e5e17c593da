/* spc.h — Making Data Count: XmR statistical process control, pure C, no I/O.
 * The definitions follow ../shared/PRODUCT.md and NHS England's SPC tool. */
#ifndef BOARDPACK_SPC_H
#define BOARDPACK_SPC_H

#include <stdbool.h>
#include <stddef.h>

#define SPC_MAX_REBASES 8

/* Which icon a point shows when rules on its improvement side and on its
 * concern side both flag it (NHS England's SQL tool calls this the metric's
 * MetricConflictRule). DEFAULT means "not set here": a metric's setting falls
 * back to its board's, and the board's to SPC_CONFLICT_DEFAULT_RULE. */
enum spc_conflict { SPC_CONFLICT_DEFAULT = 0, SPC_CONFLICT_IMPROVEMENT, SPC_CONFLICT_CONCERN };
/* The documented default, the cautious one (docs/spc.md says why). */
#define SPC_CONFLICT_DEFAULT_RULE SPC_CONFLICT_CONCERN
const char *spc_conflict_name(enum spc_conflict conflict); /* "improvement", "concern", "" */
bool spc_conflict_parse(const char *text, enum spc_conflict *out); /* not "" */

/* Per-metric settings; spc_default_settings() gives the documented defaults. */
struct spc_settings {
    int minimum_points;      /* below this, a run chart: default 15 */
    int shift_length;        /* points on one side of the mean: default 7 */
    int trend_length;        /* points each higher/lower: default 7 */
    bool screen_moving_ranges; /* drop MR >= 3.267 * mean MR: default off */
    /* Periods (as yearmonth values) at which a new set of limits starts. */
    int rebase_periods[SPC_MAX_REBASES];
    int rebase_count;
    enum spc_conflict conflict;       /* the metric's own setting: default not set */
    enum spc_conflict board_conflict; /* its board's, copied in by whoever loads the board */
};
struct spc_settings spc_default_settings(void);
/* The rule in force: the metric's, else the board's, else the default. */
enum spc_conflict spc_conflict_rule(const struct spc_settings *settings);

/* Which way is better, for labelling special causes (mirrors model.h's
 * enum direction without depending on it). */
enum spc_direction { SPC_HIGHER_IS_BETTER, SPC_LOWER_IS_BETTER, SPC_NO_DIRECTION };

enum spc_rule {
    SPC_RULE_NONE = 0,
    SPC_RULE_OUTSIDE_LIMITS = 1 << 0,
    SPC_RULE_SHIFT = 1 << 1,
    SPC_RULE_TREND = 1 << 2,
    SPC_RULE_TWO_OF_THREE = 1 << 3,
};

/* What a special cause means given the direction. */
enum spc_meaning { SPC_COMMON, SPC_IMPROVEMENT, SPC_CONCERN, SPC_NEITHER };

enum spc_variation {
    SPC_VARIATION_NONE = 0,       /* run chart: too few points */
    SPC_VARIATION_COMMON,
    SPC_VARIATION_IMPROVEMENT_HIGH,
    SPC_VARIATION_IMPROVEMENT_LOW,
    SPC_VARIATION_CONCERN_HIGH,
    SPC_VARIATION_CONCERN_LOW,
    SPC_VARIATION_NEITHER_HIGH,
    SPC_VARIATION_NEITHER_LOW,
};

enum spc_assurance {
    SPC_ASSURANCE_NONE = 0,  /* no target, no direction, or a run chart */
    SPC_ASSURANCE_PASS,      /* consistently passes */
    SPC_ASSURANCE_FAIL,      /* consistently fails */
    SPC_ASSURANCE_HIT_OR_MISS,
};

struct spc_point {
    double value;
    int period;              /* yearmonth, or 0 */
    double mean;             /* the limits in force at this point */
    double upper_limit, lower_limit;         /* mean ± 2.66·MR̄ */
    double upper_two_sigma, lower_two_sigma; /* mean ± (2/3)·2.66·MR̄ */
    double upper_one_sigma, lower_one_sigma; /* mean ± (1/3)·2.66·MR̄ */
    unsigned rules;          /* a set of enum spc_rule that flag this point */
    bool high;               /* the special cause is on the high side */
    enum spc_meaning meaning;
    /* Improvement and concern rules both flag it; the conflict rule chose. */
    bool conflict;
};

struct spc_result {
    bool has_limits;         /* false: a run chart (fewer than the minimum) */
    size_t count;
    struct spc_point *points; /* count of them; owned by the result */
    double mean;             /* of the last limit set */
    double average_moving_range;
    double upper_limit, lower_limit;
    enum spc_variation variation;
    enum spc_assurance assurance;
    bool conflict;           /* the last point's: see spc_conflict_sentence */
    enum spc_conflict conflict_rule; /* the rule in force (never DEFAULT) */
};

/* Analyses `count` values in time order (periods may be NULL). has_target
 * false means no assurance. Returns false only on bad arguments. The result
 * must be freed with spc_result_free. (See docs/spc.md.)
 * - settings NULL means spc_default_settings(); minimum_points, shift_length
 *   and trend_length below 2, a rebase_count outside 0..SPC_MAX_REBASES, a
 *   value that is not finite, or NULL values with a count are bad arguments.
 * - Fewer than minimum_points values: a run chart. Every line of every point
 *   is then the mean, no point is flagged, and there are no icons.
 * - A rebase period starts new limits at the first point in or after it
 *   (needs periods). Each segment's mean and MR̄ come from its own points and
 *   the rules do not run across a rebase; a rebase that would leave a segment
 *   of one point is ignored. The result's mean and limits are the last
 *   segment's.
 * - A point flagged by an improvement rule and a concern rule takes the side
 *   spc_conflict_rule(settings) gives and records the conflict; the result's
 *   conflict is the last point's. */
bool spc_analyse(const double *values, const int *periods, size_t count,
                 enum spc_direction direction, bool has_target, double target,
                 const struct spc_settings *settings, struct spc_result *out);
void spc_result_free(struct spc_result *result);

/* Icons in text: labels and glyphs that read without colour. */
const char *spc_variation_code(enum spc_variation v);   /* CSV: "concern-low", "" */
const char *spc_variation_label(enum spc_variation v);  /* "concern (low)" */
const char *spc_variation_glyph(enum spc_variation v, bool ascii);
const char *spc_assurance_code(enum spc_assurance a);   /* "pass", "hit-or-miss", "" */
const char *spc_assurance_label(enum spc_assurance a);  /* "consistently passes" */
const char *spc_assurance_glyph(enum spc_assurance a, bool ascii);
const char *spc_rule_label(enum spc_rule rule);          /* "shift", "trend", ... */
const char *spc_meaning_label(enum spc_meaning meaning); /* "improvement", ... */
/* When improvement and concern rules both flag the latest point, the one
 * sentence every view shows beside the variation icon: "improvement and
 * concern rules both apply to the latest point; this metric shows concern".
 * "" when they do not (or for a run chart). */
const char *spc_conflict_sentence(const struct spc_result *result);

#endif
