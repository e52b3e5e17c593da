/* present.h — the words every front end shows, made once: the loaded model
 * turned into UTF-8 text with meaning-tagged spans, never into curses calls
 * or SQL. The browser and the kiosk map meanings to terminal attributes, the
 * text and Markdown reports print the text alone, and the board-pack
 * document will map meanings to CSS classes. */
#ifndef BOARDPACK_PRESENT_H
#define BOARDPACK_PRESENT_H

#include <stdbool.h>
#include <stddef.h>

#include "chart.h"
#include "model.h"
#include "rules.h"
#include "util.h"

/* What a span of text means. The RAG meanings follow enum rag's order, so
 * present_rag_meaning(rag) is PRESENT_RAG_GREY + rag. Status is never
 * carried by a meaning alone: the text always holds the letter or words. */
enum present_meaning {
    PRESENT_PLAIN,
    PRESENT_STRONG,   /* headings, codes: bold on a terminal */
    PRESENT_DIM,      /* hints */
    PRESENT_HEADER,   /* the header bar */
    PRESENT_SAMPLE,   /* "SAMPLE DATA", and the kiosk's STALE banner */
    PRESENT_ERROR,
    PRESENT_RAG_GREY,
    PRESENT_RAG_BLUE,
    PRESENT_RAG_GREEN,
    PRESENT_RAG_AMBER,
    PRESENT_RAG_RED,
    PRESENT_MEANING_COUNT
};
enum present_meaning present_rag_meaning(enum rag rag);
/* A short name for a meaning, for style sheets and tests: "plain",
 * "strong", "dim", "header", "sample", "error", "rag-grey", "rag-blue",
 * "rag-green", "rag-amber", "rag-red". */
const char *present_meaning_name(enum present_meaning meaning);

/* A run of bytes of a line's text with one meaning. */
struct present_span {
    size_t start, length;
    enum present_meaning meaning;
};

/* One line: text and its spans (in order, not overlapping; bytes outside
 * every span are PRESENT_PLAIN). A line marked `wrap` is a paragraph: the
 * front end wraps it to its width, each piece after `indent`. A chart row
 * has `cells` (chart.h's cell meanings) instead of text. */
struct present_line {
    struct text_buffer text;
    struct present_span *spans;
    size_t span_count, span_capacity;
    bool wrap;
    char indent[16];
    struct cell *cells;
    int cell_count;
};

struct present_lines {
    struct present_line *lines;
    size_t count, capacity;
};

/* Appends text to a line as one span of `meaning`. */
void present_line_append(struct present_line *line, enum present_meaning meaning,
                         const char *text);
void present_line_appendf(struct present_line *line, enum present_meaning meaning,
                          const char *format, ...) __attribute__((format(printf, 3, 4)));
/* The meaning of a line's first span (PRESENT_PLAIN if none): the meaning
 * of the whole line for one-meaning lines such as the detail's. */
enum present_meaning present_line_meaning(const struct present_line *line);
void present_line_free(struct present_line *line);
/* A new empty line at the end. */
struct present_line *present_lines_push(struct present_lines *lines);
void present_lines_free(struct present_lines *lines);
/* The lines' text joined by '\n' (wrapped lines unwrapped, chart rows as
 * their characters), for tests and plain output. The caller frees it. */
char *present_lines_to_text(const struct present_lines *lines);

/* ---- Words ---------------------------------------------------------------- */

/* A milestone's label, the same words in the tree, the detail pane, the
 * kiosk and the reports: its status as the rules judge it (at as_of if
 * given, else at milestone_as_at: the later of the board's "as at" month
 * and the milestone's newest update), "no update" if it has none, with
 * ", past due" when the judged month is after the due month and it is not
 * complete: "complete", "on track", "on track, past due". Returns the
 * status letter the rules give at the same month. */
enum rag present_milestone_label(const struct milestone *milestone, yearmonth as_of,
                                 yearmonth board_as_at, char *out, size_t size);

/* "68.4% → 75%" (ASCII "->"); `missing` stands for the value when there is
 * no reading (the screens say "no data", the reports "no reading"). */
void present_value_against_target(const struct metric *metric, const struct metric_status *status,
                                  bool ascii, const char *missing, char *out, size_t size);
/* A statistic (a mean, a process limit) in the metric's unit, to two
 * decimals at most, a mean of counts not rounded to a whole one: "60.2%". */
void present_statistic(enum unit unit, double value, char *out, size_t size);
/* How the latest reading moved from the one before: "↑" "↓" "→" (ASCII
 * "^" "v" "="), or " " with fewer than two readings. */
const char *present_trend_mark(const struct metric *metric, bool ascii);

/* The R/A/G/B/no-data counts behind a roll-up, in each place's own form
 * (a later issue may make them one), each count a span of its status. */
enum present_counts_form {
    PRESENT_COUNTS_TREE,    /* "R3 A5 G2 B1": the non-zero ones, no grey */
    PRESENT_COUNTS_SUMMARY, /* " R 3 A 5 G 2 B 1 - 0" */
    PRESENT_COUNTS_BOARD,   /* "  | board R 7 A 10 G 6 B 6" */
    PRESENT_COUNTS_KIOSK,   /* "  R 3  A 5  G 2  B 1" and "  no data N" when N > 0 */
    PRESENT_COUNTS_REPORT,  /* "R 3  A 5  G 2  B 1  - 0" */
    PRESENT_COUNTS_DETAIL,  /* "Deliverables: R 3, A 5, G 2, B 1, no data 0" */
};
void present_counts(const struct rollup *rollup, enum present_counts_form form,
                    struct present_line *out);

/* The browser's summary line: " Aim 1:" (strong) and the aim's counts,
 * or " Board:" and the board's when aim is NODE_NONE, then the board's
 * counts: " Aim 1: R 3 A 5 G 2 B 1 - 0  | board R 7 A 10 G 6 B 6". */
void present_summary(const struct board *board, const struct board_status *status, size_t aim,
                     struct present_line *out);

/* What a tree row shows at its right: for a measured row (a metric, or a
 * deliverable with one) "68.4% → 75% ↑"; for a milestone its label; for an
 * aim or objective its counts; else "". metric: an index into the node's
 * metrics, or -1 for the node itself. */
void present_tree_right(const struct board *board, const struct board_status *status,
                        yearmonth as_of, size_t node, int metric, bool ascii, char *out,
                        size_t size);

/* A tree row's words: its status, code and title (a metric row: the
 * metric's code and name; the title may be NULL) and the right-hand part
 * as present_tree_right words it. The front end adds the indent, the
 * open/closed marker and the badge's brackets. */
struct present_tree_row {
    enum rag rag;
    const char *code;  /* borrowed from the board */
    const char *title; /* borrowed; may be NULL */
    char right[96];
    /* Not yet updated for the open month (the status is then the month
     * before's), and the movement since the last published month
     * (present_movement's words, "" if none). */
    bool awaiting;
    char movement[24];
};
void present_tree_row(const struct board *board, const struct board_status *status,
                      yearmonth as_of, size_t node, int metric, bool ascii,
                      struct present_tree_row *out);

/* The one sentence on why a node or metric has its status (rag.md), e.g.
 * "A: 68.4% is 2.1 points below the 70.5% expected for Oct 2023."; for a
 * milestone judged at the same month as its letter. "" for an aim, an
 * objective or a multi-metric deliverable. Returns the status. */
enum rag present_status_reason(const struct board *board, const struct board_status *status,
                               yearmonth as_of, size_t node, int metric, char *out, size_t size);

/* The header bar's parts: the board's title (with its reporting period when
 * the title does not hold it), whether SAMPLE DATA shows, and the right-hand
 * part: the browser's "[HISTORY ]as at Mar 2024  EDIT " or the kiosk's
 * " as at Mar 2024   09:35:51 ". */
#define PRESENT_SAMPLE_TEXT " SAMPLE DATA "
struct present_header {
    char title[512];
    bool sample;
    char right[160];
    /* The reporting month (present_header_month): PROVISIONAL, PUBLISHED
     * or "", and the open month's progress or "". */
    char badge[32];
    char progress[64];
};
/* The "as at" month as every front end and report says it: "Mar 2024", or
 * "none" while the board has no reading. */
void present_as_at(yearmonth as_at, char out[9]);
void present_browser_header(const struct board *board, yearmonth as_at, bool history,
                            const char *mode, struct present_header *out);
void present_kiosk_header(const struct board *board, yearmonth as_at, const char *clock,
                          struct present_header *out);
/* Adds the month's badge (present_month_badge) and the open month's
 * progress (present_month_progress) to a header's parts. */
void present_header_month(const struct board *board, const struct board_status *status,
                          struct present_header *out);

/* ---- Reporting months (docs/months.md) ------------------------------------- */

/* "Apr 2024: 12 of 34 updated": the open month's progress in a working
 * view (status.open_month set); "" otherwise. */
void present_month_progress(const struct board_status *status, char *out, size_t size);
/* The month's standing, for headers: "PROVISIONAL" (not a published month
 * as published), "PUBLISHED" or "PUBLISHED, REVISED" (corrected after
 * publication); "" for working figures that are all published. */
void present_month_badge(const struct board *board, const struct board_status *status,
                         char *out, size_t size);
/* One sentence on a published month: "Published 2024-05-03 by alice; revised
 * after publication (1 correction)." "" if the view is not published. */
void present_publication_line(const struct board *board, char *out, size_t size);
/* A node's movement since the published month before the one shown:
 * "↑ was R" (better), "↓ was G" (worse), "= was A" (the same), "new" (no
 * status then); "" if nothing is published before it. ASCII: "^", "v".
 * Returns rag_movement's -1, 0 or 1. */
int present_movement(const struct board *board, const struct node *node, enum rag now, bool ascii,
                     char *out, size_t size);
/* What a deliverable still needs for the open month (docs/months.md):
 * readings (metric codes), a milestone update, commentary. Commentary is
 * wanted from a deliverable whose status is R or A and that has none dated
 * the month. */
struct present_missing {
    size_t node;        /* board.nodes index of the deliverable */
    bool readings;      /* some metric has no reading for the month */
    bool milestone;     /* no milestone update for the month */
    bool commentary;    /* R or A, and no commentary for the month */
};
/* Every deliverable of a fully loaded board that needs something for
 * `month`, in tree order; the caller frees *out. */
size_t present_missing(const struct board *board, const struct board_status *status,
                       yearmonth month, struct present_missing **out);

/* SPC over a metric's whole series, with the metric's own settings,
 * direction and target. Free the result with spc_result_free. */
void metric_analyse_spc(const struct metric *metric, struct spc_result *out);
/* The same over the readings up to as_of (YEARMONTH_NONE: all of them), as
 * a report or the pack of a month shows it. */
void metric_analyse_spc_at(const struct metric *metric, yearmonth as_of, struct spc_result *out);

/* ---- The detail of a node ------------------------------------------------- */

struct present_detail_options {
    bool ascii;
    int width; /* columns for the sparkline and the SPC chart rows */
};
/* Builds the detail pane of a node (metric -1) or of one metric of a
 * multi-metric deliverable: heading, title, lead, counts, for each metric
 * its status sentence, baseline, target, trajectory, latest and recent
 * readings, sparkline, SPC icons and chart, the breakdown with its spread;
 * a milestone's status sentence, label, due month and history; commentary.
 * Build it when the selection or the data changes and draw it many times:
 * it does not depend on the scroll position. Needs the metrics' full
 * readings (the caller loads them). Appends to *out. */
void present_detail_build(const struct board *board, const struct board_status *status,
                          yearmonth as_of, size_t node, int metric,
                          const struct present_detail_options *options,
                          struct present_lines *out);
/* One metric's sections of the detail (the part present_detail_build
 * repeats for each metric). */
void present_metric_detail(const struct node *node, const struct metric *metric,
                           const struct metric_status *status,
                           const struct present_detail_options *options,
                           struct present_lines *out);
/* A metric's facts as the detail pane and the board pack word them, without
 * their labels: the baseline "58.5% (Mar 2023)" ("" without one), the target
 * "75% by Mar 2024 (higher is better)", the trajectory "Jun 2023 60%, Mar
 * 2024 75%" (appended to out; nothing without one). */
void present_baseline(const struct metric *metric, char *out, size_t size);
void present_target(const struct metric *metric, char *out, size_t size);
void present_trajectory(const struct metric *metric, struct text_buffer *out);
/* The breakdown: each segment's latest value and month, and the spread
 * between the best and the worst ("    Spread 12.5 points between ..."). */
void present_breakdown(const struct metric *metric, struct present_lines *out);
/* Calls `each` with every segment's latest reading, in segment order. */
void present_each_segment_latest(const struct metric *metric,
                                 void (*each)(const struct reading *reading, void *context),
                                 void *context);
/* The spread sentence alone: "Spread 12.5 points between Barnet (80%) and
 * Enfield (67.5%)"; false (and "") without two segments that differ. */
bool present_breakdown_spread(const struct metric *metric, char *out, size_t size);

/* ---- The kiosk ------------------------------------------------------------- */

/* What a kiosk deliverable shows at its right: "value → target" for each
 * metric (with " (stale)"), or the milestone's label. Returns the number
 * of texts in *out (free each and the array). */
size_t present_kiosk_values(const struct board *board, const struct board_status *status,
                            size_t node, bool ascii, char ***out);
/* " Aim 2 of 4" or " Aim 2 of 4, part 1 of 2" (indexes from 0). */
void present_kiosk_position(size_t aim, size_t aim_count, int page, int page_count, char *out,
                            size_t size);
/* "Aim 1": the label before an aim's title. */
void present_kiosk_aim_label(const struct node *aim, char *out, size_t size);
/* "Store unreadable since 09:35:51: WHY". */
void present_kiosk_unreadable_banner(const char *since, const char *why, char *out, size_t size);
/* The STALE banner when the "as at" month is more than stale_months before
 * `now` (or there is no reading at all); false when not stale. */
bool present_kiosk_stale_banner(yearmonth as_at, yearmonth now, int stale_months, char *out,
                                size_t size);

#endif
