/* present.c — the words of every front end in one place: the header, tree
 * rows, counts, "value → target", status sentences, milestone labels, the
 * detail pane and the kiosk's values, as text with meaning-tagged spans.
 * No curses, no SQL, no I/O: the screens and reports decide how it looks. */
#include "present.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


enum present_meaning present_rag_meaning(enum rag rag)
{
    return (unsigned)rag < RAG_COUNT ? (enum present_meaning)(PRESENT_RAG_GREY + (int)rag)
                                     : PRESENT_PLAIN;
}

const char *present_meaning_name(enum present_meaning meaning)
{
    static const char *const names[PRESENT_MEANING_COUNT] = {
        "plain",    "strong",   "dim",       "header",    "sample", "error",
        "rag-grey", "rag-blue", "rag-green", "rag-amber", "rag-red",
    };
    return (unsigned)meaning < PRESENT_MEANING_COUNT ? names[meaning] : "plain";
}

/* ---- Lines ----------------------------------------------------------------- */

void present_line_append(struct present_line *line, enum present_meaning meaning,
                         const char *text)
{
    size_t start = line->text.length;
    text_append(&line->text, text ? text : ""); /* always leaves data, "" at least */
    size_t length = line->text.length - start;
    if (length == 0)
        return;
    if (line->span_count && line->spans[line->span_count - 1].meaning == meaning &&
        line->spans[line->span_count - 1].start + line->spans[line->span_count - 1].length ==
            start) {
        line->spans[line->span_count - 1].length += length;
        return;
    }
    void *spans = line->spans;
    grow_array(&spans, &line->span_capacity, line->span_count + 1, sizeof *line->spans);
    line->spans = spans;
    line->spans[line->span_count++] = (struct present_span){start, length, meaning};
}

/* Appends the formatted text (cut at 1023 bytes). */
static void line_vappendf(struct present_line *line, enum present_meaning meaning,
                          const char *format, va_list arguments)
    __attribute__((format(printf, 3, 0)));

static void line_vappendf(struct present_line *line, enum present_meaning meaning,
                          const char *format, va_list arguments)
{
    char text[1024];
    vsnprintf(text, sizeof text, format, arguments);
    present_line_append(line, meaning, text);
}

void present_line_appendf(struct present_line *line, enum present_meaning meaning,
                          const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    line_vappendf(line, meaning, format, arguments);
    va_end(arguments);
}

enum present_meaning present_line_meaning(const struct present_line *line)
{
    return line->span_count ? line->spans[0].meaning : PRESENT_PLAIN;
}

void present_line_free(struct present_line *line)
{
    text_free(&line->text);
    free(line->spans);
    free(line->cells);
    memset(line, 0, sizeof *line);
}

struct present_line *present_lines_push(struct present_lines *lines)
{
    void *array = lines->lines;
    grow_array(&array, &lines->capacity, lines->count + 1, sizeof *lines->lines);
    lines->lines = array;
    struct present_line *line = &lines->lines[lines->count++];
    memset(line, 0, sizeof *line);
    return line;
}

void present_lines_free(struct present_lines *lines)
{
    for (size_t i = 0; i < lines->count; i++)
        present_line_free(&lines->lines[i]);
    free(lines->lines);
    memset(lines, 0, sizeof *lines);
}

char *present_lines_to_text(const struct present_lines *lines)
{
    struct text_buffer out = {0};
    text_append_length(&out, "", 0);
    for (size_t i = 0; i < lines->count; i++) {
        const struct present_line *line = &lines->lines[i];
        if (i)
            text_append(&out, "\n");
        if (line->cells) {
            struct text_buffer row = {0};
            for (int c = 0; c < line->cell_count; c++)
                text_append(&row, line->cells[c].text[0] ? line->cells[c].text : " ");
            while (row.length && row.data[row.length - 1] == ' ')
                row.data[--row.length] = '\0';
            if (row.data)
                text_append(&out, row.data);
            text_free(&row);
            continue;
        }
        if (line->wrap)
            text_append(&out, line->indent);
        if (line->text.data)
            text_append(&out, line->text.data);
    }
    if (!out.data)
        return xstrdup("");
    return out.data;
}

/* One line of one meaning. */
static struct present_line *add_text(struct present_lines *lines, enum present_meaning meaning,
                                     const char *text)
{
    struct present_line *line = present_lines_push(lines);
    present_line_append(line, meaning, text);
    return line;
}

static struct present_line *add_textf(struct present_lines *lines, enum present_meaning meaning,
                                      const char *format, ...) __attribute__((format(printf, 3, 4)));

static struct present_line *add_textf(struct present_lines *lines, enum present_meaning meaning,
                                      const char *format, ...)
{
    struct present_line *line = present_lines_push(lines);
    va_list arguments;
    va_start(arguments, format);
    line_vappendf(line, meaning, format, arguments);
    va_end(arguments);
    return line;
}

/* A paragraph the front end wraps to its width, each piece after indent. */
static void add_wrapped(struct present_lines *lines, enum present_meaning meaning,
                        const char *indent, const char *text)
{
    struct present_line *line = add_text(lines, meaning, text);
    line->wrap = true;
    snprintf(line->indent, sizeof line->indent, "%s", indent);
}

static void add_cells(struct present_lines *lines, const struct cell_buffer *buffer, int row)
{
    struct present_line *line = present_lines_push(lines);
    line->cells = cell_buffer_copy_row(buffer, row);
    line->cell_count = buffer->width;
}

static const char *glyph(bool ascii, const char *unicode, const char *plain)
{
    return ascii ? plain : unicode;
}

/* ---- Words ----------------------------------------------------------------- */

enum rag present_milestone_label(const struct milestone *milestone, yearmonth as_of,
                                 yearmonth board_as_at, char *out, size_t size)
{
    yearmonth judged = milestone_as_at(milestone, as_of, board_as_at);
    enum milestone_status status = milestone_status_at(milestone, judged);
    enum rag rag = rag_for_milestone(milestone, judged);
    bool past_due = status != MILESTONE_COMPLETE && judged != YEARMONTH_NONE &&
                    milestone->due != YEARMONTH_NONE && judged > milestone->due;
    snprintf(out, size, "%s%s",
             milestone->update_count ? milestone_status_label(status) : "no update",
             past_due ? ", past due" : "");
    return rag;
}

const char *present_trend_mark(const struct metric *metric, bool ascii)
{
    const struct reading *series;
    size_t count = metric_series(metric, NULL, &series);
    if (count < 2)
        return " ";
    double last = series[count - 1].value, before = series[count - 2].value;
    if (last > before)
        return glyph(ascii, "\xe2\x86\x91", "^"); /* ↑ */
    if (last < before)
        return glyph(ascii, "\xe2\x86\x93", "v"); /* ↓ */
    return glyph(ascii, "\xe2\x86\x92", "="); /* → */
}

static void format_value(const struct metric *metric, double value, char *out, size_t size)
{
    unit_format_value(metric->unit, value, out, size);
}

void present_statistic(enum unit unit, double value, char *out, size_t size)
{
    double rounded = fabs(value) < 1e13 ? round(value * 100) / 100 : value;
    if (rounded == 0)
        rounded = 0; /* no "-0" */
    unit_format_value(unit == UNIT_COUNT ? UNIT_NUMBER : unit, rounded, out, size);
}

void present_value_against_target(const struct metric *metric, const struct metric_status *status,
                                  bool ascii, const char *missing, char *out, size_t size)
{
    char latest[48], target[48];
    format_value(metric, metric->target, target, sizeof target);
    if (status && status->has_reading)
        format_value(metric, status->latest, latest, sizeof latest);
    else
        snprintf(latest, sizeof latest, "%s", missing);
    snprintf(out, size, "%s %s %s", latest, glyph(ascii, "\xe2\x86\x92", "->"), target);
}

void present_counts(const struct rollup *rollup, enum present_counts_form form,
                    struct present_line *out)
{
    static const enum rag order[] = {RAG_RED, RAG_AMBER, RAG_GREEN, RAG_BLUE, RAG_GREY};
    const unsigned *counts = rollup->counts;
    present_line_append(out, PRESENT_PLAIN, ""); /* text, even with nothing counted */
    switch (form) {
    case PRESENT_COUNTS_TREE: {
        bool any = false;
        for (size_t k = 0; k < 4; k++) {
            if (!counts[order[k]])
                continue;
            if (any)
                present_line_append(out, PRESENT_PLAIN, " ");
            present_line_appendf(out, present_rag_meaning(order[k]), "%c%u",
                                 rag_letter(order[k]), counts[order[k]]);
            any = true;
        }
        break;
    }
    case PRESENT_COUNTS_SUMMARY:
        for (size_t k = 0; k < 5; k++)
            present_line_appendf(out, present_rag_meaning(order[k]), " %c %u",
                                 rag_letter(order[k]), counts[order[k]]);
        break;
    case PRESENT_COUNTS_BOARD:
        /* "- N": no data, counted as the aim's counts and the report count it. */
        present_line_appendf(out, PRESENT_PLAIN, "  | board R %u A %u G %u B %u - %u",
                             counts[RAG_RED], counts[RAG_AMBER], counts[RAG_GREEN],
                             counts[RAG_BLUE], counts[RAG_GREY]);
        break;
    case PRESENT_COUNTS_KIOSK:
        for (size_t k = 0; k < 5; k++) {
            if (order[k] == RAG_GREY && counts[RAG_GREY] == 0)
                continue;
            if (order[k] == RAG_GREY)
                present_line_appendf(out, PRESENT_RAG_GREY, "  no data %u", counts[RAG_GREY]);
            else
                present_line_appendf(out, present_rag_meaning(order[k]), "  %c %u",
                                     rag_letter(order[k]), counts[order[k]]);
        }
        break;
    case PRESENT_COUNTS_REPORT:
        for (size_t k = 0; k < 5; k++) {
            if (k)
                present_line_append(out, PRESENT_PLAIN, "  ");
            present_line_appendf(out, present_rag_meaning(order[k]), "%c %u",
                                 rag_letter(order[k]), counts[order[k]]);
        }
        break;
    case PRESENT_COUNTS_DETAIL:
        present_line_appendf(out, PRESENT_PLAIN,
                             "Deliverables: R %u, A %u, G %u, B %u, no data %u", counts[RAG_RED],
                             counts[RAG_AMBER], counts[RAG_GREEN], counts[RAG_BLUE],
                             counts[RAG_GREY]);
        break;
    }
}

void present_summary(const struct board *board, const struct board_status *status, size_t aim,
                     struct present_line *out)
{
    if (aim != NODE_NONE)
        present_line_appendf(out, PRESENT_STRONG, " Aim %s:", board->nodes[aim].code);
    else
        present_line_append(out, PRESENT_STRONG, " Board:");
    present_counts(aim != NODE_NONE ? &status->nodes[aim] : &status->board,
                   PRESENT_COUNTS_SUMMARY, out);
    present_counts(&status->board, PRESENT_COUNTS_BOARD, out);
}

/* The metric a row stands for: the one asked for, else a single-metric
 * deliverable's metric; NULL for anything else. */
static const struct metric *node_metric(const struct board *board,
                                        const struct board_status *status, size_t node,
                                        int metric, const struct metric_status **metric_status)
{
    const struct node *n = &board->nodes[node];
    size_t m;
    if (metric >= 0)
        m = (size_t)metric;
    else if (n->metric_count == 1)
        m = 0;
    else
        return NULL;
    if (metric_status)
        *metric_status = status->metrics[node] ? &status->metrics[node][m] : NULL;
    return &n->metrics[m];
}

void present_tree_right(const struct board *board, const struct board_status *status,
                        yearmonth as_of, size_t node, int metric, bool ascii, char *out,
                        size_t size)
{
    const struct node *n = &board->nodes[node];
    const struct metric_status *metric_status = NULL;
    const struct metric *m = node_metric(board, status, node, metric, &metric_status);
    if (size)
        out[0] = '\0';
    if (m) {
        char value[80];
        present_value_against_target(m, metric_status, ascii, "no data", value, sizeof value);
        snprintf(out, size, "%s %s", value, present_trend_mark(m, ascii));
    } else if (n->has_milestone) {
        present_milestone_label(&n->milestone, as_of, status->as_at, out, size);
    } else if (n->level != LEVEL_DELIVERABLE) {
        struct present_line line = {0};
        present_counts(&status->nodes[node], PRESENT_COUNTS_TREE, &line);
        snprintf(out, size, "%s", line.text.data ? line.text.data : "");
        present_line_free(&line);
    }
}

void present_tree_row(const struct board *board, const struct board_status *status,
                      yearmonth as_of, size_t node, int metric, bool ascii,
                      struct present_tree_row *out)
{
    const struct node *n = &board->nodes[node];
    out->rag = metric >= 0 ? status->metrics[node][metric].rag : status->nodes[node].rag;
    out->code = metric >= 0 ? n->metrics[metric].code : n->code;
    out->title = metric >= 0 ? n->metrics[metric].name : n->title;
    present_tree_right(board, status, as_of, node, metric, ascii, out->right, sizeof out->right);
    out->awaiting = false;
    out->movement[0] = '\0';
    if (metric >= 0) {
        out->awaiting = status->metrics[node] && status->metrics[node][metric].awaiting;
        return; /* movement is kept for nodes, not for each metric */
    }
    out->awaiting = n->level == LEVEL_DELIVERABLE && status->open_month != YEARMONTH_NONE &&
                    status->nodes[node].awaiting > 0;
    present_movement(board, n, out->rag, ascii, out->movement, sizeof out->movement);
}

enum rag present_status_reason(const struct board *board, const struct board_status *status,
                               yearmonth as_of, size_t node, int metric, char *out, size_t size)
{
    const struct node *n = &board->nodes[node];
    const struct metric_status *metric_status = NULL;
    const struct metric *m = node_metric(board, status, node, metric, &metric_status);
    if (size)
        out[0] = '\0';
    if (m && metric_status) {
        rag_explain_metric(m, metric_status, out, size);
        return metric_status->rag;
    }
    if (n->has_milestone) {
        yearmonth judged = milestone_as_at(&n->milestone, as_of, status->as_at);
        rag_explain_milestone(&n->milestone, judged, out, size);
        return rag_for_milestone(&n->milestone, judged);
    }
    return status->nodes[node].rag;
}

static void header_title(const struct board *board, struct present_header *out)
{
    const char *title = board->title ? board->title : board->code;
    if (board->reporting_period && !strstr(title, board->reporting_period))
        snprintf(out->title, sizeof out->title, " %s (%s)", title, board->reporting_period);
    else
        snprintf(out->title, sizeof out->title, " %s", title);
    out->sample = board->shows_sample;
    out->badge[0] = out->progress[0] = '\0';
}

void present_as_at(yearmonth as_at, char out[9])
{
    if (as_at)
        yearmonth_label(as_at, out);
    else
        snprintf(out, 9, "none");
}

void present_browser_header(const struct board *board, yearmonth as_at, bool history,
                            const char *mode, struct present_header *out)
{
    char month[9];
    present_as_at(as_at, month);
    header_title(board, out);
    snprintf(out->right, sizeof out->right, "%sas at %s  %s ", history ? "HISTORY " : "", month,
             mode);
}

void present_kiosk_header(const struct board *board, yearmonth as_at, const char *clock,
                          struct present_header *out)
{
    char month[9];
    present_as_at(as_at, month);
    header_title(board, out);
    snprintf(out->right, sizeof out->right, " as at %s   %s ", month, clock);
}

/* ---- Reporting months -------------------------------------------------------- */

void present_header_month(const struct board *board, const struct board_status *status,
                          struct present_header *out)
{
    present_month_badge(board, status, out->badge, sizeof out->badge);
    present_month_progress(status, out->progress, sizeof out->progress);
}

void present_month_progress(const struct board_status *status, char *out, size_t size)
{
    out[0] = '\0';
    if (status->open_month == YEARMONTH_NONE)
        return;
    unsigned total = 0;
    for (int rag = 0; rag < RAG_COUNT; rag++)
        total += status->board.counts[rag];
    char month[9];
    yearmonth_label(status->open_month, month);
    unsigned awaiting = status->board.awaiting < total ? status->board.awaiting : total;
    snprintf(out, size, "%s: %u of %u updated", month, total - awaiting, total);
}

void present_month_badge(const struct board *board, const struct board_status *status,
                         char *out, size_t size)
{
    if (board->months.published)
        snprintf(out, size, "%s", board->months.revisions ? "PUBLISHED, REVISED" : "PUBLISHED");
    else if (board_view_is_provisional(board, status->as_at))
        snprintf(out, size, "PROVISIONAL");
    else
        out[0] = '\0';
}

void present_publication_line(const struct board *board, char *out, size_t size)
{
    out[0] = '\0';
    if (!board->months.published)
        return;
    const char *at = board->months.published_at ? board->months.published_at : "";
    int used = snprintf(out, size, "Published %.10s by %s", at,
                        board->months.published_by ? board->months.published_by : "unknown");
    if (used > 0 && (size_t)used < size && board->months.revisions)
        used += snprintf(out + used, size - (size_t)used,
                         "; revised after publication (%u correction%s)", board->months.revisions,
                         board->months.revisions == 1 ? "" : "s");
    if (used > 0 && (size_t)used < size)
        snprintf(out + used, size - (size_t)used, ".");
}

int present_movement(const struct board *board, const struct node *node, enum rag now, bool ascii,
                     char *out, size_t size)
{
    out[0] = '\0';
    if (board->months.previous == YEARMONTH_NONE)
        return 0;
    if (!node->has_previous) {
        snprintf(out, size, "new");
        return 0;
    }
    int movement = rag_movement(node->previous_rag, now);
    const char *arrow = movement > 0   ? glyph(ascii, "↑", "^")
                        : movement < 0 ? glyph(ascii, "↓", "v")
                                       : "=";
    snprintf(out, size, "%s was %c", arrow, rag_letter(node->previous_rag));
    return movement;
}

static bool has_comment_for(const struct node *node, yearmonth month)
{
    for (size_t c = 0; c < node->comment_count; c++)
        if (node->comments[c].period == month)
            return true;
    return false;
}

size_t present_missing(const struct board *board, const struct board_status *status,
                       yearmonth month, struct present_missing **out)
{
    size_t count = 0;
    *out = NULL;
    if (month == YEARMONTH_NONE)
        return 0;
    struct present_missing *list = xcalloc(board->node_count ? board->node_count : 1,
                                           sizeof *list);
    for (size_t i = 0; i < board->node_count; i++) {
        const struct node *node = &board->nodes[i];
        if (node->level != LEVEL_DELIVERABLE)
            continue;
        struct present_missing item = {.node = i};
        if (node->has_milestone)
            item.milestone = !milestone_updated_for(&node->milestone, month);
        else
            item.readings = node->metric_count && !node_updated_for(node, month);
        enum rag rag = status->nodes[i].rag;
        item.commentary = (rag == RAG_RED || rag == RAG_AMBER) && !has_comment_for(node, month);
        if (item.readings || item.milestone || item.commentary)
            list[count++] = item;
    }
    *out = list;
    return count;
}

/* ---- The detail ------------------------------------------------------------ */

void metric_analyse_spc(const struct metric *metric, struct spc_result *out)
{
    const struct reading *series;
    size_t count = metric_series(metric, NULL, &series);
    double *values = xcalloc(count ? count : 1, sizeof *values);
    int *periods = xcalloc(count ? count : 1, sizeof *periods);
    for (size_t i = 0; i < count; i++) {
        values[i] = series[i].value;
        periods[i] = series[i].period;
    }
    enum spc_direction direction = metric->direction == DIRECTION_UP     ? SPC_HIGHER_IS_BETTER
                                   : metric->direction == DIRECTION_DOWN ? SPC_LOWER_IS_BETTER
                                                                         : SPC_NO_DIRECTION;
    if (!spc_analyse(values, periods, count, direction, true, metric->target, &metric->spc, out))
        memset(out, 0, sizeof *out);
    free(values);
    free(periods);
}

void metric_analyse_spc_at(const struct metric *metric, yearmonth as_of, struct spc_result *out)
{
    /* The whole series comes first in metric.readings, so a shallow copy
     * with fewer readings is the series cut at as_of. */
    struct metric until = *metric;
    const struct reading *series;
    size_t count = metric_series(metric, NULL, &series);
    while (count && as_of != YEARMONTH_NONE && series[count - 1].period > as_of)
        count--;
    until.readings = (struct reading *)series;
    until.reading_count = count;
    metric_analyse_spc(&until, out);
}

void present_each_segment_latest(const struct metric *metric,
                                    void (*each)(const struct reading *reading, void *context),
                                    void *context)
{
    for (size_t r = 0; r < metric->reading_count; r++) {
        const struct reading *reading = &metric->readings[r];
        if (!reading->segment)
            continue;
        bool last_of_segment = r + 1 == metric->reading_count ||
                               !metric->readings[r + 1].segment ||
                               strcmp(metric->readings[r + 1].segment, reading->segment) != 0;
        if (last_of_segment)
            each(reading, context);
    }
}

struct spread {
    const struct metric *metric;
    double best, worst;
    const char *best_name, *worst_name;
};

static void widen_spread(const struct reading *reading, void *context)
{
    struct spread *spread = context;
    bool lower_better = spread->metric->direction == DIRECTION_DOWN;
    bool better = lower_better ? reading->value < spread->best : reading->value > spread->best;
    bool worse = lower_better ? reading->value > spread->worst : reading->value < spread->worst;
    if (!spread->best_name || better) {
        spread->best = reading->value;
        spread->best_name = reading->segment;
    }
    if (!spread->worst_name || worse) {
        spread->worst = reading->value;
        spread->worst_name = reading->segment;
    }
}

bool present_breakdown_spread(const struct metric *metric, char *out, size_t size)
{
    char value[48], other[48];
    struct spread spread = {.metric = metric};
    out[0] = '\0';
    if (!metric->breakdown)
        return false;
    present_each_segment_latest(metric, widen_spread, &spread);
    if (!spread.best_name || spread.best_name == spread.worst_name)
        return false;
    format_value(metric, spread.best, value, sizeof value);
    format_value(metric, spread.worst, other, sizeof other);
    snprintf(out, size, "Spread %.3g%s between %s (%s) and %s (%s)",
             fabs(spread.best - spread.worst), metric->unit == UNIT_PERCENT ? " points" : "",
             spread.best_name, value, spread.worst_name, other);
    return true;
}

struct breakdown_lines {
    const struct metric *metric;
    struct present_lines *out;
    bool any;
};

static void add_segment_line(const struct reading *reading, void *context)
{
    struct breakdown_lines *lines = context;
    char value[48], month[9];
    if (!lines->any)
        add_textf(lines->out, PRESENT_STRONG, "  By %s (latest)", lines->metric->breakdown);
    lines->any = true;
    format_value(lines->metric, reading->value, value, sizeof value);
    yearmonth_label(reading->period, month);
    add_textf(lines->out, PRESENT_PLAIN, "    %-22s %10s  %s", reading->segment, value, month);
}

void present_breakdown(const struct metric *metric, struct present_lines *out)
{
    char text[256], spread[240];
    if (!metric->breakdown)
        return;
    struct breakdown_lines lines = {.metric = metric, .out = out};
    present_each_segment_latest(metric, add_segment_line, &lines);
    if (lines.any && present_breakdown_spread(metric, spread, sizeof spread)) {
        snprintf(text, sizeof text, "    %s", spread);
        add_wrapped(out, PRESENT_PLAIN, "", text);
    }
}

void present_baseline(const struct metric *metric, char *out, size_t size)
{
    char value[48], month[9];
    out[0] = '\0';
    if (!metric->has_baseline)
        return;
    format_value(metric, metric->baseline, value, sizeof value);
    if (metric->baseline_period) {
        yearmonth_label(metric->baseline_period, month);
        snprintf(out, size, "%s (%s)", value, month);
    } else {
        snprintf(out, size, "%s", value);
    }
}

void present_target(const struct metric *metric, char *out, size_t size)
{
    char value[48], month[9];
    const char *better = metric->direction == DIRECTION_DOWN ? "lower" : "higher";
    format_value(metric, metric->target, value, sizeof value);
    if (metric->target_period) {
        yearmonth_label(metric->target_period, month);
        snprintf(out, size, "%s by %s (%s is better)", value, month, better);
    } else {
        snprintf(out, size, "%s (%s is better)", value, better);
    }
}

void present_trajectory(const struct metric *metric, struct text_buffer *out)
{
    char value[48], month[9];
    text_append(out, "");
    for (size_t t = 0; t < metric->trajectory_count; t++) {
        yearmonth_label(metric->trajectory[t].period, month);
        format_value(metric, metric->trajectory[t].value, value, sizeof value);
        text_appendf(out, "%s%s %s", t ? ", " : "", month, value);
    }
}

void present_metric_detail(const struct node *node, const struct metric *metric,
                           const struct metric_status *status,
                           const struct present_detail_options *options,
                           struct present_lines *out)
{
    char value[48];
    int width = options->width;
    bool ascii = options->ascii;
    /* A long metric name wraps, as titles do. */
    if (node->metric_count > 1 || strcmp(metric->code, node->code) != 0)
        add_textf(out, PRESENT_STRONG, "Metric %s: %s", metric->code,
                  metric->name ? metric->name : "")->wrap = true;
    else if (metric->name)
        add_textf(out, PRESENT_STRONG, "Metric: %s", metric->name)->wrap = true;
    if (status) {
        char why[256];
        rag_explain_metric(metric, status, why, sizeof why);
        add_wrapped(out, present_rag_meaning(status->rag), "  ", why);
    }
    char month[9], fact[160];
    if (metric->has_baseline) {
        present_baseline(metric, fact, sizeof fact);
        add_textf(out, PRESENT_PLAIN, "  Baseline   %s", fact);
    }
    present_target(metric, fact, sizeof fact);
    add_textf(out, PRESENT_PLAIN, "  Target     %s", fact);
    if (metric->trajectory_count) {
        struct text_buffer line = {0};
        text_append(&line, "  Trajectory ");
        present_trajectory(metric, &line);
        add_wrapped(out, PRESENT_PLAIN, "", line.data);
        text_free(&line);
    }
    const struct reading *series;
    size_t count = metric_series(metric, NULL, &series);
    if (status && status->has_reading) {
        format_value(metric, status->latest, value, sizeof value);
        yearmonth_label(status->latest_period, month);
        add_textf(out, PRESENT_PLAIN, "  Latest     %s for %s %s%s", value, month,
                  present_trend_mark(metric, ascii), status->stale ? "  (stale)" : "");
    } else {
        add_text(out, PRESENT_PLAIN, "  Latest     no readings yet");
    }
    if (count) {
        /* Recent readings, newest last. */
        struct text_buffer line = {0};
        text_append(&line, "  Recent     ");
        size_t first = count > 6 ? count - 6 : 0;
        for (size_t r = first; r < count; r++) {
            yearmonth_label(series[r].period, month);
            format_value(metric, series[r].value, value, sizeof value);
            text_appendf(&line, "%s%.3s %s", r > first ? ", " : "", month, value);
        }
        add_wrapped(out, PRESENT_PLAIN, "", line.data);
        text_free(&line);
        /* Sparkline of up to the last 36 months. */
        int spark = width - 13 < 36 ? width - 13 : 36;
        if (spark > 2) {
            double *values = xcalloc(count, sizeof *values);
            yearmonth *periods = xcalloc(count, sizeof *periods);
            for (size_t r = 0; r < count; r++) {
                values[r] = series[r].value;
                periods[r] = series[r].period;
            }
            struct cell_buffer buffer;
            cell_buffer_init(&buffer, width, 1);
            cell_buffer_put_text(&buffer, 0, 0, "  Trend      ", CELL_PLAIN);
            struct cell_buffer sparkline;
            cell_buffer_init(&sparkline, spark, 1);
            chart_sparkline(values, periods, count, ascii, &sparkline);
            for (int x = 0; x < spark; x++)
                *cell_buffer_at(&buffer, 13 + x, 0) = *cell_buffer_at(&sparkline, x, 0);
            add_cells(out, &buffer, 0);
            cell_buffer_free(&sparkline);
            cell_buffer_free(&buffer);
            free(values);
            free(periods);
        }
        /* The SPC chart and its icons. */
        struct spc_result spc;
        metric_analyse_spc(metric, &spc);
        if (spc.count) {
            if (spc.has_limits) {
                add_textf(out, PRESENT_PLAIN, "  SPC        %s %s | %s %s",
                          spc_variation_glyph(spc.variation, ascii),
                          spc_variation_label(spc.variation),
                          spc_assurance_glyph(spc.assurance, ascii),
                          spc_assurance_label(spc.assurance));
                if (spc_conflict_sentence(&spc)[0]) /* docs/spc.md: conflicts */
                    add_wrapped(out, PRESENT_PLAIN, "             ", spc_conflict_sentence(&spc));
            } else
                add_textf(out, PRESENT_PLAIN,
                          "  SPC        run chart: %zu of %d points needed for limits", spc.count,
                          metric->spc.minimum_points);
            int chart_width = width - 2, chart_height = 10;
            if (chart_width >= 20) {
                struct chart_options chart_options = chart_default_options();
                chart_options.ascii = ascii;
                chart_options.has_target = true;
                chart_options.target = metric->target;
                struct cell_buffer chart;
                cell_buffer_init(&chart, chart_width, chart_height);
                chart_render(&spc, &chart_options, &chart);
                struct cell_buffer line_cells;
                cell_buffer_init(&line_cells, width, 1);
                for (int y = 0; y < chart_height; y++) {
                    cell_buffer_clear(&line_cells);
                    for (int x = 0; x < chart_width; x++)
                        *cell_buffer_at(&line_cells, 2 + x, 0) = *cell_buffer_at(&chart, x, y);
                    add_cells(out, &line_cells, 0);
                }
                cell_buffer_free(&line_cells);
                cell_buffer_free(&chart);
            }
        }
        spc_result_free(&spc);
    }
    /* Per-segment latest values, with the spread between best and worst. */
    present_breakdown(metric, out);
    add_text(out, PRESENT_PLAIN, "");
}

static void milestone_detail(const struct board_status *status, yearmonth as_of,
                             const struct node *node, struct present_lines *out)
{
    const struct milestone *milestone = &node->milestone;
    char why[256], label[96], month[9], text[512];
    /* The sentence, the label and the letter are all judged at one month. */
    yearmonth judged = milestone_as_at(milestone, as_of, status->as_at);
    rag_explain_milestone(milestone, judged, why, sizeof why);
    enum rag rag = present_milestone_label(milestone, as_of, status->as_at, label, sizeof label);
    add_text(out, PRESENT_STRONG, "Milestone");
    add_wrapped(out, present_rag_meaning(rag), "  ", why);
    add_textf(out, PRESENT_PLAIN, "  Status     %s", label);
    if (milestone->due) {
        yearmonth_label(milestone->due, month);
        add_textf(out, PRESENT_PLAIN, "  Due        %s", month);
    }
    if (milestone->update_count == 0)
        add_text(out, PRESENT_PLAIN, "  No updates yet.");
    for (size_t u = milestone->update_count; u-- > 0;) {
        const struct milestone_update *update = &milestone->updates[u];
        if (update->period)
            yearmonth_label(update->period, month);
        else
            snprintf(month, sizeof month, "%.8s", update->entered_at ? update->entered_at : "");
        snprintf(text, sizeof text, "  %-9s %s%s%s%s", month,
                 milestone_status_label(update->status), update->note ? ": " : "",
                 update->note ? update->note : "", update->sample ? " (sample)" : "");
        add_wrapped(out, PRESENT_PLAIN, "", text);
    }
    add_text(out, PRESENT_PLAIN, "");
}

/* The reporting month's lines of a node's detail: what it awaits for the
 * open month, its movement since the last published month, and whether
 * the published month shown was revised after publication. */
static void month_detail(const struct board *board, const struct board_status *status,
                         size_t node_index, bool ascii, struct present_lines *out)
{
    const struct node *node = &board->nodes[node_index];
    const struct rollup *rollup = &status->nodes[node_index];
    char month[9], before[9];
    if (status->open_month != YEARMONTH_NONE && rollup->awaiting > 0) {
        yearmonth_label(status->open_month, month);
        yearmonth_label(status->open_month - 1, before);
        char text[160];
        if (node->level == LEVEL_DELIVERABLE)
            snprintf(text, sizeof text, "Awaiting %s: not yet updated; the status is %s's.",
                     month, before);
        else
            snprintf(text, sizeof text, "Awaiting %s: %u deliverable%s not yet updated.", month,
                     rollup->awaiting, rollup->awaiting == 1 ? "" : "s");
        add_wrapped(out, PRESENT_PLAIN, "", text);
    }
    char movement[24];
    present_movement(board, node, rollup->rag, ascii, movement, sizeof movement);
    if (movement[0]) {
        yearmonth_label(board->months.previous, before);
        add_textf(out, PRESENT_PLAIN, "Since %s (published): %s", before, movement);
    }
    if (board->months.published && board->months.revisions) {
        char line[256];
        present_publication_line(board, line, sizeof line);
        add_wrapped(out, PRESENT_PLAIN, "", line);
    }
}

void present_detail_build(const struct board *board, const struct board_status *status,
                          yearmonth as_of, size_t node_index, int metric,
                          const struct present_detail_options *options,
                          struct present_lines *out)
{
    const struct node *node = &board->nodes[node_index];
    const struct rollup *rollup = &status->nodes[node_index];
    char text[512];
    if (metric >= 0) {
        const struct metric *m = &node->metrics[metric];
        add_textf(out, PRESENT_STRONG, "Metric %s of deliverable %s", m->code, node->code);
        add_wrapped(out, PRESENT_PLAIN, "", node->title);
        add_text(out, PRESENT_PLAIN, "");
        present_metric_detail(node, m, &status->metrics[node_index][metric], options, out);
        return;
    }
    const char *level = level_name(node->level);
    snprintf(text, sizeof text, "%c%s %s  [%c] %s", toupper((unsigned char)level[0]), level + 1,
             node->code, rag_letter(rollup->rag), rag_word(rollup->rag));
    add_text(out, present_rag_meaning(rollup->rag), text);
    add_wrapped(out, PRESENT_STRONG, "", node->title);
    if (node->lead)
        add_textf(out, PRESENT_PLAIN, "Lead: %s", node->lead);
    month_detail(board, status, node_index, options->ascii, out);
    add_text(out, PRESENT_PLAIN, "");
    if (node->level != LEVEL_DELIVERABLE) {
        present_counts(rollup, PRESENT_COUNTS_DETAIL, present_lines_push(out));
        add_text(out, PRESENT_PLAIN, "");
    }
    for (size_t m = 0; m < node->metric_count; m++)
        present_metric_detail(node, &node->metrics[m],
                              status->metrics[node_index] ? &status->metrics[node_index][m] : NULL,
                              options, out);
    if (node->has_milestone)
        milestone_detail(status, as_of, node, out);
    if (node->comment_count) {
        add_text(out, PRESENT_STRONG, "Commentary");
        for (size_t c = node->comment_count; c-- > 0;) {
            const struct comment *comment = &node->comments[c];
            char month[9] = "";
            if (comment->period)
                yearmonth_label(comment->period, month);
            snprintf(text, sizeof text, "  %s%s%s%s%s", month, month[0] ? ": " : "",
                     comment->text, comment->entered_by ? " - " : "",
                     comment->entered_by ? comment->entered_by : "");
            add_wrapped(out, PRESENT_PLAIN, "", text);
        }
    }
}

/* ---- The kiosk ------------------------------------------------------------- */

size_t present_kiosk_values(const struct board *board, const struct board_status *status,
                            size_t index, bool ascii, char ***out)
{
    const struct node *node = &board->nodes[index];
    *out = NULL;
    if (node->metric_count) {
        char **texts = xcalloc(node->metric_count, sizeof *texts);
        for (size_t m = 0; m < node->metric_count; m++) {
            const struct metric *metric = &node->metrics[m];
            const struct metric_status *metric_status =
                status->metrics[index] ? &status->metrics[index][m] : NULL;
            char value[128];
            present_value_against_target(metric, metric_status, ascii, "no data", value,
                                         sizeof value);
            texts[m] = xasprintf("%s%s", value,
                                 metric_status && metric_status->stale ? " (stale)" : "");
        }
        *out = texts;
        return node->metric_count;
    }
    if (node->has_milestone) {
        char label[96];
        present_milestone_label(&node->milestone, YEARMONTH_NONE, status->as_at, label,
                                sizeof label);
        char **texts = xcalloc(1, sizeof *texts);
        texts[0] = xstrdup(label);
        *out = texts;
        return 1;
    }
    return 0;
}

void present_kiosk_position(size_t aim, size_t aim_count, int page, int page_count, char *out,
                            size_t size)
{
    if (page_count > 1)
        snprintf(out, size, " Aim %zu of %zu, part %d of %d", aim + 1, aim_count, page + 1,
                 page_count);
    else
        snprintf(out, size, " Aim %zu of %zu", aim + 1, aim_count);
}

void present_kiosk_aim_label(const struct node *aim, char *out, size_t size)
{
    snprintf(out, size, "Aim %s", aim->code);
}

void present_kiosk_unreadable_banner(const char *since, const char *why, char *out, size_t size)
{
    snprintf(out, size, "Store unreadable since %s: %s", since, why);
}

bool present_kiosk_stale_banner(yearmonth as_at, yearmonth now, int stale_months, char *out,
                                size_t size)
{
    if (!(as_at == YEARMONTH_NONE || now - as_at > stale_months))
        return false;
    char newest[9], today[9];
    yearmonth_label(now, today);
    if (as_at == YEARMONTH_NONE) {
        snprintf(out, size, "STALE: this board has no readings yet.");
    } else {
        yearmonth_label(as_at, newest);
        snprintf(out, size, "STALE: the newest reading is for %s, more than %d month%s before %s.",
                 newest, stale_months, stale_months == 1 ? "" : "s", today);
    }
    return true;
}
