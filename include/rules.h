/* rules.h — RAG status, roll-up and staleness, as docs/rag.md defines them.
 * Pure functions of the model: no I/O, no clock. */
#ifndef BOARDPACK_RULES_H
#define BOARDPACK_RULES_H

#include "model.h"

#define DEFAULT_STALE_MONTHS 3
/* Amber tolerance when a metric gives none: this share of the target's
 * magnitude, in the metric's own units (75% target -> 3.75 points). */
#define DEFAULT_TOLERANCE_SHARE 0.05

/* The value a metric is expected to have at a month: from the trajectory if
 * it has one, else a straight line from baseline to target, else the target. */
double metric_expected_at(const struct metric *metric, yearmonth when);
double metric_tolerance(const struct metric *metric);

struct metric_status {
    enum rag rag;
    bool has_reading;
    double latest;
    yearmonth latest_period;
    double expected;        /* at latest_period (valid if has_reading) */
    double shortfall;       /* how far worse than expected; <= 0 if not worse */
    bool stale;             /* latest is > stale limit behind as_at */
    /* The working view of a board with an open month (docs/rag.md): no
     * reading for that month yet. The status above is then the metric's
     * status as at the month before, and staleness is judged there too. */
    bool awaiting;
};

/* RAG for a metric's whole series as at a month (readings after `as_at` are
 * ignored; YEARMONTH_NONE means all). `board_as_at` is the board's newest
 * month with any reading, for staleness. */
struct metric_status rag_for_metric(const struct metric *metric, yearmonth as_at,
                                    yearmonth board_month);
/* Milestone RAG: complete B, on track G, at risk A, off track R, not started
 * grey, or R once past due and not complete. Updates after as_at ignored. */
enum rag rag_for_milestone(const struct milestone *milestone, yearmonth as_at);
/* The milestone's status as at a month (the last update not after it). */
enum milestone_status milestone_status_at(const struct milestone *milestone, yearmonth as_at);

/* Roll-up: the worst of the children (R > A > G > B), ignoring grey unless
 * all are grey, with the counts behind it. */
struct rollup {
    enum rag rag;
    unsigned counts[RAG_COUNT];
    /* Deliverables not yet updated for the open month (counted in `counts`
     * by their status as at the month before). */
    unsigned awaiting;
};
void rollup_add(struct rollup *rollup, enum rag child);
/* Sets rollup.rag from the counts. */
void rollup_finish(struct rollup *rollup);

/* Everything the screen and reports need about one board as at a month. */
struct board_status {
    yearmonth as_at;             /* the board's "as at" month */
    yearmonth open_month;        /* the open month the statuses allow for; NONE if none */
    struct rollup *nodes;        /* one per board.nodes entry */
    struct metric_status **metrics; /* per node, metric_count entries (NULL if none) */
    struct rollup board;         /* the whole board's deliverables */
};
/* as_of: YEARMONTH_NONE for "now" (all readings): the working figures,
 * which allow for the board's open month (board.months.open) unless the
 * board is a published month's copy. */
void board_evaluate(const struct board *board, yearmonth as_of, struct board_status *out);
/* The same for the latest month of a lazily loaded board (board.partial):
 * node and board roll-ups as the store keeps them (the command layer works
 * them out with board_evaluate after every write and the store saves them,
 * store_save_statuses), metric statuses from the metrics'
 * latest readings. Nodes whose children are not loaded still have their
 * whole subtree's counts. */
void board_evaluate_kept(const struct board *board, struct board_status *out);
void board_status_free(struct board_status *status, size_t node_count);
/* The board's "as at" month: the newest month with any reading (of any
 * segment) not after as_of; YEARMONTH_NONE if there is none. */
yearmonth board_as_at(const struct board *board, yearmonth as_of);
/* The month a milestone is judged at: as_of if given; otherwise the later of
 * the board's "as at" month and the milestone's own newest dated update (so
 * every update counts, and "past due" is judged at the newest month known). */
yearmonth milestone_as_at(const struct milestone *milestone, yearmonth as_of,
                          yearmonth board_month);

/* Whether a status moved for the better (1), the worse (-1) or neither (0:
 * the same, or either is grey) from `previous` to `now`: B > G > A > R. */
int rag_movement(enum rag previous, enum rag now);

/* Whether a milestone has an update dated `month` or later. */
bool milestone_updated_for(const struct milestone *milestone, yearmonth month);
/* Whether a deliverable is updated for a month: every metric has a
 * whole-series reading for it (or later), or its milestone an update (one
 * with neither has nothing to update). */
bool node_updated_for(const struct node *deliverable, yearmonth month);

/* Whether a view of the board is PROVISIONAL: it does not show a published
 * month as published, and shows a month after the newest published one (or
 * the working figures of an open month, or nothing is published). `as_at`
 * is the view's "as at" month. */
bool board_view_is_provisional(const struct board *board, yearmonth as_at);

/* One sentence on why a metric has its status, e.g.
 * "A: 68.4% is 2.1 points below the 70.5% expected for Oct 2023." */
void rag_explain_metric(const struct metric *metric, const struct metric_status *status,
                        char *out, size_t size);
void rag_explain_milestone(const struct milestone *milestone, yearmonth as_at,
                           char *out, size_t size);

#endif
