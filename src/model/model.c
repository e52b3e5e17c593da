/* model.c — the value types of the board (months, units, directions,
 * statuses) and the few lookups every layer needs on a loaded board. */
#include "model.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

yearmonth yearmonth_make(int year, int month)
{
    return year * 12 + (month - 1);
}

int yearmonth_year(yearmonth when)
{
    return when / 12;
}

int yearmonth_month(yearmonth when)
{
    return when % 12 + 1;
}

bool yearmonth_parse(const char *text, yearmonth *out)
{
    if (!text || strlen(text) != 7 || text[4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (text[i] < '0' || text[i] > '9'))
            return false;
    int year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    int month = (text[5] - '0') * 10 + (text[6] - '0');
    if (year < 1900 || month < 1 || month > 12)
        return false;
    *out = yearmonth_make(year, month);
    return true;
}

void yearmonth_format(yearmonth when, char out[8])
{
    if (when == YEARMONTH_NONE) {
        out[0] = '\0';
        return;
    }
    unsigned year = (unsigned)yearmonth_year(when) % 10000, month = (unsigned)yearmonth_month(when);
    out[0] = (char)('0' + year / 1000);
    out[1] = (char)('0' + year / 100 % 10);
    out[2] = (char)('0' + year / 10 % 10);
    out[3] = (char)('0' + year % 10);
    out[4] = '-';
    out[5] = (char)('0' + month / 10);
    out[6] = (char)('0' + month % 10);
    out[7] = '\0';
}

void yearmonth_label(yearmonth when, char out[9])
{
    static const char names[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (when == YEARMONTH_NONE) {
        out[0] = '\0';
        return;
    }
    char digits[8];
    yearmonth_format(when, digits);
    memcpy(out, names[yearmonth_month(when) - 1], 3);
    out[3] = ' ';
    memcpy(out + 4, digits, 4);
    out[8] = '\0';
}

yearmonth yearmonth_current(void)
{
    time_t now = time(NULL);
    struct tm parts;
    gmtime_r(&now, &parts);
    return yearmonth_make(parts.tm_year + 1900, parts.tm_mon + 1);
}

/* Where `text` is among the first `count` of `names`; -1 if it is not. */
static int name_index(const char *const *names, int count, const char *text)
{
    for (int i = 0; i < count; i++)
        if (strcmp(text, names[i]) == 0)
            return i;
    return -1;
}

/* An enum's pair of functions from its table of `count` names: PREFIX_name,
 * its name (`fallback` outside the table), and PREFIX_parse, the value a
 * name stands for (false for none). */
#define NAMED_ENUM(type, prefix, names, count, fallback)                                        \
    const char *prefix##_name(type value)                                                       \
    {                                                                                           \
        return (unsigned)value < (unsigned)(count) ? names[value] : fallback;                   \
    }                                                                                           \
    bool prefix##_parse(const char *text, type *out)                                            \
    {                                                                                           \
        int found = name_index(names, (int)(count), text);                                      \
        if (found >= 0)                                                                         \
            *out = (type)found;                                                                 \
        return found >= 0;                                                                      \
    }

static const char *const unit_names[] = {"percent", "count", "number", "days", "ratio"};

/* unit_name and unit_parse. */
NAMED_ENUM(enum unit, unit, unit_names, 5, "number")

bool unit_accepts(enum unit unit, double value, const char **why)
{
    const char *problem = NULL;
    if (!isfinite(value))
        problem = "a value must be a finite number";
    else if (unit == UNIT_PERCENT && (value < 0 || value > 100))
        problem = "a percentage must be between 0 and 100";
    else if (unit == UNIT_COUNT && (value < 0 || value != floor(value)))
        problem = "a count must be a whole number, not negative";
    else if (unit == UNIT_DAYS && value < 0)
        problem = "a number of days cannot be negative";
    else if (unit == UNIT_RATIO && value < 0)
        problem = "a ratio cannot be negative";
    if (why)
        *why = problem;
    return problem == NULL;
}

void unit_format_value(enum unit unit, double value, char *out, size_t size)
{
    char number[40];
    if (unit == UNIT_COUNT)
        snprintf(number, sizeof number, "%.0f", value);
    else if (fabs(value) >= 1e15)
        snprintf(number, sizeof number, "%.4g", value);
    else
        format_number_shortest(value, 15, number, sizeof number);
    switch (unit) {
    case UNIT_PERCENT:
        snprintf(out, size, "%s%%", number);
        break;
    case UNIT_DAYS:
        snprintf(out, size, "%s %s", number, value == 1 ? "day" : "days");
        break;
    default:
        snprintf(out, size, "%s", number);
        break;
    }
}

static const char *const direction_names[] = {"up", "down"};

/* direction_name and direction_parse. */
NAMED_ENUM(enum direction, direction, direction_names, DIRECTION_NONE, "none")

char rag_letter(enum rag rag)
{
    static const char letters[RAG_COUNT] = {'-', 'B', 'G', 'A', 'R'};
    return (unsigned)rag < RAG_COUNT ? letters[rag] : '?';
}

const char *rag_word(enum rag rag)
{
    static const char *const words[RAG_COUNT] = {"no data", "target met", "on track",
                                                 "slightly off track", "off track"};
    return (unsigned)rag < RAG_COUNT ? words[rag] : "unknown";
}

static const char *const milestone_names[] = {"not_started", "on_track", "at_risk", "off_track",
                                              "complete"};
static const char *const milestone_labels[] = {"not started", "on track", "at risk",
                                               "off track", "complete"};

/* milestone_status_name and milestone_status_parse. */
NAMED_ENUM(enum milestone_status, milestone_status, milestone_names, MILESTONE_STATUS_COUNT,
           "not_started")

const char *milestone_status_label(enum milestone_status status)
{
    return (unsigned)status < MILESTONE_STATUS_COUNT ? milestone_labels[status] : "not started";
}

bool text_within_limit(const char *text, size_t length, size_t maximum, size_t *characters)
{
    size_t count = utf8_character_count(text, length);
    if (characters)
        *characters = count;
    return count <= maximum;
}

bool segments_include(char *const *segments, size_t count, const char *segment)
{
    if (count == 0)
        return true;
    for (size_t i = 0; i < count; i++)
        if (strcmp(segments[i], segment) == 0)
            return true;
    return false;
}

/* A near miss is at most this many edits away (and fewer than its length). */
#define SEGMENT_NEAR_MISS 2

void segment_suggestion(char *const *segments, size_t count, const char *segment, char *out,
                        size_t size)
{
    /* Edit distance folds ASCII case, so a segment that differs only in
     * case is 0 away and always wins; the first declared wins a tie. A
     * name far longer than any segment is no near miss (and not worth
     * the table). */
    size_t length = strlen(segment);
    const char *closest = NULL;
    size_t closest_distance = SEGMENT_NEAR_MISS + 1;
    for (size_t i = 0; length <= 4 * TEXT_MAXIMUM_LABEL && i < count; i++) {
        size_t distance = edit_distance(segment, segments[i]);
        if (distance < closest_distance && distance < length) {
            closest = segments[i];
            closest_distance = distance;
        }
    }
    if (closest) {
        snprintf(out, size, "did you mean '%s'?", closest);
        return;
    }
    size_t used = (size_t)snprintf(out, size, "expected ");
    for (size_t i = 0; i < count && used < size; i++) {
        const char *separator = i == 0 ? "" : i + 1 == count ? " or " : ", ";
        int written = snprintf(out + used, size - used, "%s'%s'", separator, segments[i]);
        /* Every name but the last leaves room for ", ..." after it. */
        size_t room = i + 1 == count ? 0 : 5;
        if (written < 0 || used + (size_t)written + room >= size) {
            out[used] = '\0';
            if (used + 5 < size)
                snprintf(out + used, size - used, "%s...", i == 0 ? "" : ", ");
            break;
        }
        used += (size_t)written;
    }
}

const char *level_name(enum level level)
{
    static const char *const names[] = {"aim", "objective", "deliverable", "metric"};
    return (unsigned)level < 4 ? names[level] : "node";
}

/* Frees each of `count` items of `size` bytes with `free_item`, then the array. */
static void free_items(void *items, size_t count, size_t size, void (*free_item)(void *item))
{
    for (size_t i = 0; i < count; i++)
        free_item((char *)items + i * size);
    free(items);
}

/* What a reading, a milestone update and a comment own alike: a note (a
 * comment's text), who entered it and when, and the code it is for. */
static void entry_free(char *note, char *entered_by, char *entered_at, char *code)
{
    free(note);
    free(entered_by);
    free(entered_at);
    free(code);
}

void reading_free_fields(struct reading *reading)
{
    free(reading->segment);
    entry_free(reading->note, reading->entered_by, reading->entered_at, reading->metric_code);
}

static void reading_free(void *item)
{
    reading_free_fields(item);
}

static void milestone_update_free(void *item)
{
    struct milestone_update *update = item;
    entry_free(update->note, update->entered_by, update->entered_at, update->node_code);
}

static void comment_free(void *item)
{
    struct comment *comment = item;
    entry_free(comment->text, comment->entered_by, comment->entered_at, comment->node_code);
}

static void value_free(void *item)
{
    struct board_value *value = item;
    free(value->name);
    free(value->text);
}

static void metric_free(void *item)
{
    struct metric *metric = item;
    free(metric->code);
    free(metric->name);
    free(metric->trajectory);
    free(metric->breakdown);
    for (size_t i = 0; i < metric->segment_count; i++)
        free(metric->segments[i]);
    free(metric->segments);
    free_items(metric->readings, metric->reading_count, sizeof *metric->readings, reading_free);
}

static void node_free(void *item)
{
    struct node *node = item;
    free(node->code);
    free(node->title);
    free(node->lead);
    free_items(node->metrics, node->metric_count, sizeof *node->metrics, metric_free);
    free_items(node->milestone.updates, node->milestone.update_count,
               sizeof *node->milestone.updates, milestone_update_free);
    free_items(node->comments, node->comment_count, sizeof *node->comments, comment_free);
}

void board_free(struct board *board)
{
    if (!board)
        return;
    free_items(board->values, board->value_count, sizeof *board->values, value_free);
    free_items(board->nodes, board->node_count, sizeof *board->nodes, node_free);
    free_items(board->readings, board->reading_count, sizeof *board->readings, reading_free);
    free_items(board->milestone_updates, board->milestone_update_count,
               sizeof *board->milestone_updates, milestone_update_free);
    free_items(board->comments, board->comment_count, sizeof *board->comments, comment_free);
    free(board->code);
    free(board->title);
    free(board->purpose);
    free(board->vision);
    free(board->reporting_period);
    free(board->months.published_by);
    free(board->months.published_at);
    free(board);
}

struct metric *board_find_metric(const struct board *board, const char *code,
                                 struct node **deliverable)
{
    for (size_t i = 0; i < board->node_count; i++) {
        struct node *node = &board->nodes[i];
        for (size_t m = 0; m < node->metric_count; m++) {
            if (strcmp(node->metrics[m].code, code) == 0) {
                if (deliverable)
                    *deliverable = node;
                return &node->metrics[m];
            }
        }
    }
    return NULL;
}

struct node *board_find_node(const struct board *board, const char *code)
{
    for (size_t i = 0; i < board->node_count; i++)
        if (strcmp(board->nodes[i].code, code) == 0)
            return &board->nodes[i];
    return NULL;
}

static int compare_segments(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL); /* the whole series first */
    return strcmp(a, b);
}

static int compare_readings(const void *left, const void *right)
{
    const struct reading *a = left, *b = right;
    int by_segment = compare_segments(a->segment, b->segment);
    if (by_segment)
        return by_segment;
    return (a->period > b->period) - (a->period < b->period);
}

void metric_sort_readings(struct metric *metric)
{
    if (metric->reading_count > 1)
        qsort(metric->readings, metric->reading_count, sizeof *metric->readings,
              compare_readings);
}

size_t metric_series(const struct metric *metric, const char *segment,
                     const struct reading **first)
{
    size_t start = 0;
    while (start < metric->reading_count &&
           compare_segments(metric->readings[start].segment, segment) < 0)
        start++;
    size_t end = start;
    while (end < metric->reading_count &&
           compare_segments(metric->readings[end].segment, segment) == 0)
        end++;
    *first = metric->readings + start;
    return end - start;
}

const struct reading *metric_latest_reading(const struct metric *metric)
{
    const struct reading *series;
    size_t count = metric_series(metric, NULL, &series);
    return count ? &series[count - 1] : NULL;
}

void board_insert_children(struct board *board, size_t parent, struct board *children)
{
    size_t count = children->node_count;
    board->nodes[parent].children_loaded = true;
    if (count == 0)
        return;
    size_t at = parent + 1;
    board->nodes = xrealloc(board->nodes, (board->node_count + count) * sizeof *board->nodes);
    memmove(&board->nodes[at + count], &board->nodes[at],
            (board->node_count - at) * sizeof *board->nodes);
    memcpy(&board->nodes[at], children->nodes, count * sizeof *board->nodes);
    board->node_count += count;
    /* Indexes at or after `at` moved by `count`; the new nodes' indexes are
     * relative to the children board. */
    for (size_t i = 0; i < board->node_count; i++) {
        struct node *node = &board->nodes[i];
        if (i >= at && i < at + count) {
            node->parent = node->parent == NODE_NONE ? parent : node->parent + at;
            node->subtree_end += at;
            node->depth = board->nodes[node->parent].depth + 1;
        } else {
            if (node->parent != NODE_NONE && node->parent >= at)
                node->parent += count;
            /* The parent and its ancestors end at or after `at`; subtrees
             * before the parent end before it; moved nodes end after it. */
            if (node->subtree_end >= at)
                node->subtree_end += count;
        }
    }
    /* Depths of deeper new nodes follow their (new) parents, in order. */
    for (size_t i = at; i < at + count; i++)
        board->nodes[i].depth = board->nodes[board->nodes[i].parent].depth + 1;
    free(children->nodes);
    children->nodes = NULL;
    children->node_count = 0;
}

/* Appends *item (of `size` bytes) to a growable array, taking its fields. */
static void append_item(void **items, size_t *count, size_t size, void *item)
{
    *items = xrealloc(*items, (*count + 1) * size);
    memcpy((char *)*items + *count * size, item, size);
    (*count)++;
    memset(item, 0, size);
}

void board_attach_records(struct board *board)
{
    for (size_t i = 0; i < board->reading_count; i++) {
        struct reading *reading = &board->readings[i];
        struct metric *metric = reading->metric_code
                                    ? board_find_metric(board, reading->metric_code, NULL)
                                    : NULL;
        if (metric)
            append_item((void **)&metric->readings, &metric->reading_count,
                        sizeof *metric->readings, reading);
        else
            reading_free_fields(reading);
    }
    free(board->readings);
    board->readings = NULL;
    board->reading_count = 0;
    for (size_t i = 0; i < board->milestone_update_count; i++) {
        struct milestone_update *update = &board->milestone_updates[i];
        struct node *node = update->node_code ? board_find_node(board, update->node_code) : NULL;
        if (node && node->has_milestone)
            append_item((void **)&node->milestone.updates, &node->milestone.update_count,
                        sizeof *node->milestone.updates, update);
        else
            milestone_update_free(update);
    }
    free(board->milestone_updates);
    board->milestone_updates = NULL;
    board->milestone_update_count = 0;
    for (size_t i = 0; i < board->comment_count; i++) {
        struct comment *comment = &board->comments[i];
        struct node *node = comment->node_code ? board_find_node(board, comment->node_code) : NULL;
        if (node)
            append_item((void **)&node->comments, &node->comment_count, sizeof *node->comments,
                        comment);
        else
            comment_free(comment);
    }
    free(board->comments);
    board->comments = NULL;
    board->comment_count = 0;
    for (size_t i = 0; i < board->node_count; i++) {
        for (size_t m = 0; m < board->nodes[i].metric_count; m++) {
            struct metric *metric = &board->nodes[i].metrics[m];
            metric_sort_readings(metric);
            for (size_t r = 0; r < metric->reading_count; r++)
                board->shows_sample = board->shows_sample || metric->readings[r].sample;
        }
    }
}

bool metric_gap_before(const struct metric *metric, yearmonth period, yearmonth *first,
                       yearmonth *last)
{
    const struct reading *series;
    size_t count = metric_series(metric, NULL, &series);
    yearmonth before = YEARMONTH_NONE;
    for (size_t i = 0; i < count; i++)
        if (series[i].period < period)
            before = series[i].period;
    if (before == YEARMONTH_NONE || period - before < 2)
        return false;
    *first = before + 1;
    *last = period - 1;
    return true;
}

void metric_free_readings(struct metric *metric)
{
    free_items(metric->readings, metric->reading_count, sizeof *metric->readings, reading_free);
    metric->readings = NULL;
    metric->reading_count = 0;
}
