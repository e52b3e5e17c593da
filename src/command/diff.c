/* diff.c — a changed board against the stored one: what a board file (or an
 * `edit`) would change, field by field, and the structure to make of it
 * (the file's tree, with what the file leaves out kept as retired). Pure:
 * no store, no clock; command.c applies and audits what this works out. */
#include <stdlib.h>
#include <string.h>

#include "command.h"

/* ---- Copies ------------------------------------------------------------ */

static void copy_metric(struct metric *out, const struct metric *metric)
{
    *out = *metric;
    out->code = xstrdup(metric->code);
    out->name = xstrdup(metric->name);
    out->breakdown = xstrdup(metric->breakdown);
    out->trajectory = NULL;
    if (metric->trajectory_count) {
        out->trajectory = xcalloc(metric->trajectory_count, sizeof *out->trajectory);
        memcpy(out->trajectory, metric->trajectory,
               metric->trajectory_count * sizeof *out->trajectory);
    }
    out->segments = NULL;
    if (metric->segment_count) {
        out->segments = xcalloc(metric->segment_count, sizeof *out->segments);
        for (size_t i = 0; i < metric->segment_count; i++)
            out->segments[i] = xstrdup(metric->segments[i]);
    }
    out->readings = NULL;
    out->reading_count = 0;
    out->readings_partial = false;
    out->id = 0;
}

/* A node's own fields, without metrics, activity or store state. */
static void copy_node_shell(struct node *out, const struct node *node, bool with_status)
{
    memset(out, 0, sizeof *out);
    out->level = node->level;
    out->code = xstrdup(node->code);
    out->title = xstrdup(node->title);
    out->lead = xstrdup(node->lead);
    out->has_milestone = node->has_milestone;
    out->milestone.due = node->milestone.due;
    out->retired = node->retired;
    out->where = node->where;
    /* The milestone's status in the tree (a board file's `status:`), which
     * a node added from a file starts with. */
    if (with_status && node->milestone.update_count && !node->milestone.updates[0].period &&
        !node->milestone.updates[0].note && !node->milestone.updates[0].entered_at) {
        out->milestone.updates = xcalloc(1, sizeof *out->milestone.updates);
        out->milestone.update_count = 1;
        out->milestone.updates[0].status = node->milestone.updates[0].status;
    }
}

/* ---- Looking codes up -------------------------------------------------- */

struct code_entry {
    const char *code;
    size_t node;                 /* index in its board */
    const struct metric *metric; /* NULL for a node */
};

static int compare_entries(const void *left, const void *right)
{
    return strcmp(((const struct code_entry *)left)->code,
                  ((const struct code_entry *)right)->code);
}

struct codes {
    struct code_entry *nodes, *metrics;
    size_t node_count, metric_count;
};

static void index_board(const struct board *board, struct codes *codes)
{
    size_t metrics = 0;
    for (size_t i = 0; i < board->node_count; i++)
        metrics += board->nodes[i].metric_count;
    codes->nodes = xcalloc(board->node_count + 1, sizeof *codes->nodes);
    codes->metrics = xcalloc(metrics + 1, sizeof *codes->metrics);
    codes->node_count = board->node_count;
    codes->metric_count = metrics;
    size_t at = 0;
    for (size_t i = 0; i < board->node_count; i++) {
        codes->nodes[i] = (struct code_entry){board->nodes[i].code, i, NULL};
        for (size_t m = 0; m < board->nodes[i].metric_count; m++)
            codes->metrics[at++] =
                (struct code_entry){board->nodes[i].metrics[m].code, i, &board->nodes[i].metrics[m]};
    }
    qsort(codes->nodes, codes->node_count, sizeof *codes->nodes, compare_entries);
    qsort(codes->metrics, codes->metric_count, sizeof *codes->metrics, compare_entries);
}

static void codes_free(struct codes *codes)
{
    free(codes->nodes);
    free(codes->metrics);
}

static const struct code_entry *find_code(const struct code_entry *entries, size_t count,
                                          const char *code)
{
    struct code_entry key = {.code = code};
    return bsearch(&key, entries, count, sizeof *entries, compare_entries);
}

static size_t node_of(const struct codes *codes, const char *code)
{
    const struct code_entry *entry = find_code(codes->nodes, codes->node_count, code);
    return entry ? entry->node : NODE_NONE;
}

static const struct metric *metric_of(const struct codes *codes, const char *code)
{
    const struct code_entry *entry = find_code(codes->metrics, codes->metric_count, code);
    return entry ? entry->metric : NULL;
}

/* ---- The structure to make: the file's tree, the rest retired ---------- */

struct merge {
    const struct board *stored, *file;
    struct codes stored_codes, file_codes;
    struct board *out;
    size_t capacity;
    yearmonth month;
};

static void retire(yearmonth *retired, yearmonth month)
{
    if (!*retired)
        *retired = month;
}

/* Appends a node (from the file, or a stored one the file leaves out) and,
 * after it, its children: the file's, then the stored ones the file leaves
 * out, in their stored order. */
static void merge_node(struct merge *merge, const struct node *node, bool from_file,
                       size_t parent)
{
    struct board *out = merge->out;
    if (out->node_count == merge->capacity) {
        merge->capacity = merge->capacity ? 2 * merge->capacity : 64;
        out->nodes = xrealloc(out->nodes, merge->capacity * sizeof *out->nodes);
    }
    size_t at = out->node_count++;
    struct node *copy = &out->nodes[at];
    copy_node_shell(copy, node, from_file);
    copy->parent = parent;
    copy->depth = parent == NODE_NONE ? 0 : out->nodes[parent].depth + 1;
    if (!from_file)
        retire(&copy->retired, merge->month);
    /* Metrics: the node's own, then (for a file's node) the stored ones of
     * the same deliverable that the file no longer lists. */
    size_t stored_index = node_of(&merge->stored_codes, node->code);
    const struct node *stored = stored_index == NODE_NONE ? NULL : &merge->stored->nodes[stored_index];
    size_t count = node->metric_count + (from_file && stored ? stored->metric_count : 0);
    copy->metrics = xcalloc(count + 1, sizeof *copy->metrics);
    for (size_t m = 0; m < node->metric_count; m++) {
        copy_metric(&copy->metrics[copy->metric_count], &node->metrics[m]);
        if (!from_file || copy->retired)
            retire(&copy->metrics[copy->metric_count].retired,
                   copy->retired ? copy->retired : merge->month);
        copy->metric_count++;
    }
    for (size_t m = 0; from_file && stored && m < stored->metric_count; m++) {
        if (metric_of(&merge->file_codes, stored->metrics[m].code))
            continue;
        copy_metric(&copy->metrics[copy->metric_count], &stored->metrics[m]);
        retire(&copy->metrics[copy->metric_count].retired, merge->month);
        copy->metric_count++;
    }
    if (from_file) {
        const struct board *file = merge->file;
        size_t index = (size_t)(node - file->nodes);
        size_t end = node->subtree_end > index ? node->subtree_end : index + 1;
        for (size_t j = index + 1; j < file->node_count && j < end; j++)
            if (file->nodes[j].parent == index)
                merge_node(merge, &file->nodes[j], true, at);
    }
    if (stored) {
        const struct board *board = merge->stored;
        size_t end = stored->subtree_end > stored_index ? stored->subtree_end : stored_index + 1;
        for (size_t j = stored_index + 1; j < board->node_count && j < end; j++)
            if (board->nodes[j].parent == stored_index &&
                node_of(&merge->file_codes, board->nodes[j].code) == NODE_NONE)
                merge_node(merge, &board->nodes[j], false, at);
    }
    merge->out->nodes[at].subtree_end = merge->out->node_count;
}

struct board *command_merge_board(const struct board *stored, const struct board *file,
                                  yearmonth retire_month)
{
    struct merge merge = {.stored = stored, .file = file, .month = retire_month};
    index_board(stored, &merge.stored_codes);
    index_board(file, &merge.file_codes);
    struct board *out = xcalloc(1, sizeof *out);
    merge.out = out;
    out->code = xstrdup(file->code);
    out->title = xstrdup(file->title);
    out->purpose = xstrdup(file->purpose);
    out->vision = xstrdup(file->vision);
    out->reporting_period = xstrdup(file->reporting_period);
    out->spc_conflict = file->spc_conflict;
    out->values = xcalloc(file->value_count + 1, sizeof *out->values);
    for (size_t i = 0; i < file->value_count; i++) {
        out->values[i].name = xstrdup(file->values[i].name);
        out->values[i].text = xstrdup(file->values[i].text);
    }
    out->value_count = file->value_count;
    for (size_t i = 0; i < file->node_count; i++)
        if (file->nodes[i].parent == NODE_NONE)
            merge_node(&merge, &file->nodes[i], true, NODE_NONE);
    for (size_t i = 0; i < stored->node_count; i++)
        if (stored->nodes[i].parent == NODE_NONE &&
            node_of(&merge.file_codes, stored->nodes[i].code) == NODE_NONE)
            merge_node(&merge, &stored->nodes[i], false, NODE_NONE);
    codes_free(&merge.stored_codes);
    codes_free(&merge.file_codes);
    return out;
}

struct board *command_board_structure(const struct board *board)
{
    return command_merge_board(board, board, YEARMONTH_NONE);
}

/* ---- The difference, field by field ------------------------------------ */

void board_diff_free(struct board_diff *diff)
{
    for (size_t i = 0; i < diff->count; i++) {
        free(diff->changes[i].code);
        free(diff->changes[i].old_value);
        free(diff->changes[i].new_value);
    }
    free(diff->changes);
    memset(diff, 0, sizeof *diff);
}

static void add_change(struct board_diff *diff, enum board_change_kind kind, enum level level,
                       const char *code, const char *field, const char *old_value,
                       const char *new_value)
{
    void *items = diff->changes;
    grow_array(&items, &diff->capacity, diff->count + 1, sizeof *diff->changes);
    diff->changes = items;
    diff->changes[diff->count++] = (struct board_change){
        .kind = kind,
        .level = level,
        .code = xstrdup(code),
        .field = field,
        .old_value = xstrdup(old_value),
        .new_value = xstrdup(new_value),
    };
}

static void compare_text(struct board_diff *diff, enum level level, const char *code,
                         const char *field, const char *before, const char *after)
{
    if ((before == NULL) != (after == NULL) || (before && strcmp(before, after) != 0))
        add_change(diff, BOARD_CHANGE_FIELD, level, code, field, before, after);
}

static void number_text(bool present, double value, yearmonth period, char *out, size_t size)
{
    if (!present) {
        out[0] = '\0';
        return;
    }
    format_number_shortest(value, 17, out, size);
    if (period) {
        char month[8];
        yearmonth_format(period, month);
        size_t length = strlen(out);
        snprintf(out + length, size - length, " (%s)", month);
    }
}

static void compare_number(struct board_diff *diff, const char *code, const char *field,
                           bool has_before, double before, yearmonth before_period,
                           bool has_after, double after, yearmonth after_period)
{
    if (has_before == has_after && (!has_before || (before == after &&
                                                    before_period == after_period)))
        return;
    char old_text[64], new_text[64];
    number_text(has_before, before, before_period, old_text, sizeof old_text);
    number_text(has_after, after, after_period, new_text, sizeof new_text);
    add_change(diff, BOARD_CHANGE_FIELD, LEVEL_METRIC, code, field,
               has_before ? old_text : NULL, has_after ? new_text : NULL);
}

static void trajectory_text(const struct metric *metric, struct text_buffer *out)
{
    for (size_t i = 0; i < metric->trajectory_count; i++) {
        char month[8], value[32];
        yearmonth_format(metric->trajectory[i].period, month);
        format_number_shortest(metric->trajectory[i].value, 17, value, sizeof value);
        text_appendf(out, "%s%s: %s", i ? ", " : "", month, value);
    }
}

static void spc_text(const struct spc_settings *spc, struct text_buffer *out)
{
    text_appendf(out, "minimum_points %d, shift_length %d, trend_length %d, "
                      "screen_moving_ranges %s, conflict %s, rebase [",
                 spc->minimum_points, spc->shift_length, spc->trend_length,
                 spc->screen_moving_ranges ? "true" : "false",
                 spc->conflict == SPC_CONFLICT_DEFAULT ? "default"
                                                       : spc_conflict_name(spc->conflict));
    for (int i = 0; i < spc->rebase_count; i++) {
        char month[8];
        yearmonth_format(spc->rebase_periods[i], month);
        text_appendf(out, "%s%s", i ? ", " : "", month);
    }
    text_append(out, "]");
}

static void compare_built(struct board_diff *diff, const char *code, const char *field,
                          struct text_buffer *before, struct text_buffer *after)
{
    compare_text(diff, LEVEL_METRIC, code, field, before->data ? before->data : "",
                 after->data ? after->data : "");
    text_free(before);
    text_free(after);
}

static void month_text(yearmonth month, char out[8])
{
    out[0] = '\0';
    if (month)
        yearmonth_format(month, out);
}

/* Retired, restored, or retired in another month. */
static void compare_retired(struct board_diff *diff, enum level level, const char *code,
                            yearmonth before, yearmonth after)
{
    char old_text[8], new_text[8];
    month_text(before, old_text);
    month_text(after, new_text);
    if (before == after)
        return;
    if (!before)
        add_change(diff, BOARD_CHANGE_RETIRE, level, code, "retired", NULL, new_text);
    else if (!after)
        add_change(diff, BOARD_CHANGE_RESTORE, level, code, "retired", old_text, NULL);
    else
        add_change(diff, BOARD_CHANGE_FIELD, level, code, "retired", old_text, new_text);
}

static void compare_metrics(struct board_diff *diff, const struct metric *a,
                            const struct metric *b, bool node_retiring)
{
    const char *code = b->code;
    compare_text(diff, LEVEL_METRIC, code, "name", a->name, b->name);
    compare_text(diff, LEVEL_METRIC, code, "unit", unit_name(a->unit), unit_name(b->unit));
    compare_text(diff, LEVEL_METRIC, code, "direction", direction_name(a->direction),
                 direction_name(b->direction));
    compare_number(diff, code, "baseline", a->has_baseline, a->baseline, a->baseline_period,
                   b->has_baseline, b->baseline, b->baseline_period);
    compare_number(diff, code, "target", true, a->target, a->target_period, true, b->target,
                   b->target_period);
    struct text_buffer before = {0}, after = {0};
    trajectory_text(a, &before);
    trajectory_text(b, &after);
    compare_built(diff, code, "trajectory", &before, &after);
    compare_number(diff, code, "tolerance", a->has_tolerance, a->tolerance, 0, b->has_tolerance,
                   b->tolerance, 0);
    compare_number(diff, code, "stale_after", a->stale_months != 0, a->stale_months, 0,
                   b->stale_months != 0, b->stale_months, 0);
    compare_text(diff, LEVEL_METRIC, code, "breakdown", a->breakdown, b->breakdown);
    for (size_t i = 0; i < a->segment_count; i++)
        text_appendf(&before, "%s%s", i ? ", " : "", a->segments[i]);
    for (size_t i = 0; i < b->segment_count; i++)
        text_appendf(&after, "%s%s", i ? ", " : "", b->segments[i]);
    compare_built(diff, code, "segments", &before, &after);
    spc_text(&a->spc, &before);
    spc_text(&b->spc, &after);
    compare_built(diff, code, "spc", &before, &after);
    if (!node_retiring)
        compare_retired(diff, LEVEL_METRIC, code, a->retired, b->retired);
}

static const char *parent_code(const struct board *board, const struct node *node)
{
    return node->parent == NODE_NONE ? NULL : board->nodes[node->parent].code;
}

static void values_text(const struct board *board, struct text_buffer *out)
{
    for (size_t i = 0; i < board->value_count; i++)
        text_appendf(out, "%s%s%s%s", i ? "; " : "", board->values[i].name,
                     board->values[i].text ? ": " : "",
                     board->values[i].text ? board->values[i].text : "");
}

/* The place of a node among those of its live siblings that both boards
 * have under the same parent (retired ones keep no order that matters). */
static size_t common_rank(const struct board *board, size_t index, const struct codes *other,
                          const struct board *other_board)
{
    const struct node *node = &board->nodes[index];
    size_t first = node->parent == NODE_NONE ? 0 : node->parent + 1, rank = 0;
    const char *parent = parent_code(board, node);
    for (size_t j = first; j < index; j++) {
        const struct node *sibling = &board->nodes[j];
        if (sibling->parent != node->parent || sibling->retired)
            continue;
        size_t there = node_of(other, sibling->code);
        if (there == NODE_NONE || other_board->nodes[there].retired)
            continue;
        const char *other_parent = parent_code(other_board, &other_board->nodes[there]);
        if ((parent == NULL) == (other_parent == NULL) &&
            (!parent || strcmp(parent, other_parent) == 0))
            rank++;
    }
    return rank;
}

/* A live metric's place among the live metrics of its deliverable that the
 * other structure's deliverable also has live (so adding or retiring one is
 * not also a reorder of the rest). */
static size_t metric_rank(const struct node *node, const struct metric *metric,
                          const struct node *other)
{
    size_t rank = 0;
    for (size_t m = 0; m < node->metric_count && &node->metrics[m] != metric; m++) {
        if (node->metrics[m].retired)
            continue;
        for (size_t o = 0; o < other->metric_count; o++)
            if (!other->metrics[o].retired &&
                strcmp(other->metrics[o].code, node->metrics[m].code) == 0) {
                rank++;
                break;
            }
    }
    return rank;
}

void command_diff_boards(const struct board *before, const struct board *after,
                         struct board_diff *diff)
{
    memset(diff, 0, sizeof *diff);
    struct codes old_codes, new_codes;
    index_board(before, &old_codes);
    index_board(after, &new_codes);
    compare_text(diff, LEVEL_AIM, NULL, "title", before->title, after->title);
    compare_text(diff, LEVEL_AIM, NULL, "period", before->reporting_period,
                 after->reporting_period);
    compare_text(diff, LEVEL_AIM, NULL, "purpose", before->purpose, after->purpose);
    compare_text(diff, LEVEL_AIM, NULL, "vision", before->vision, after->vision);
    struct text_buffer old_values = {0}, new_values = {0};
    values_text(before, &old_values);
    values_text(after, &new_values);
    compare_text(diff, LEVEL_AIM, NULL, "values", old_values.data ? old_values.data : "",
                 new_values.data ? new_values.data : "");
    text_free(&old_values);
    text_free(&new_values);
    compare_text(diff, LEVEL_AIM, NULL, "spc.conflict",
                 before->spc_conflict == SPC_CONFLICT_DEFAULT
                     ? NULL : spc_conflict_name(before->spc_conflict),
                 after->spc_conflict == SPC_CONFLICT_DEFAULT
                     ? NULL : spc_conflict_name(after->spc_conflict));
    for (size_t i = 0; i < after->node_count; i++) {
        const struct node *node = &after->nodes[i];
        size_t at = node_of(&old_codes, node->code);
        if (at == NODE_NONE) {
            add_change(diff, BOARD_CHANGE_ADD, node->level, node->code, NULL, NULL, node->title);
            for (size_t m = 0; m < node->metric_count; m++)
                add_change(diff, BOARD_CHANGE_ADD, LEVEL_METRIC, node->metrics[m].code, NULL,
                           NULL, node->metrics[m].name);
            continue;
        }
        const struct node *old = &before->nodes[at];
        const char *old_parent = parent_code(before, old), *new_parent = parent_code(after, node);
        if ((old_parent == NULL) != (new_parent == NULL) ||
            (old_parent && strcmp(old_parent, new_parent) != 0))
            add_change(diff, BOARD_CHANGE_MOVE, node->level, node->code, NULL, old_parent,
                       new_parent);
        else if (!old->retired && !node->retired &&
                 common_rank(before, at, &new_codes, after) !=
                     common_rank(after, i, &old_codes, before))
            add_change(diff, BOARD_CHANGE_REORDER, node->level, node->code, NULL, NULL,
                       new_parent);
        if (old->level != node->level)
            compare_text(diff, node->level, node->code, "level", level_name(old->level),
                         level_name(node->level));
        compare_text(diff, node->level, node->code, "title", old->title, node->title);
        compare_text(diff, node->level, node->code, "lead", old->lead, node->lead);
        char old_due[8] = "", new_due[8] = "";
        if (old->has_milestone)
            month_text(old->milestone.due, old_due);
        if (node->has_milestone)
            month_text(node->milestone.due, new_due);
        compare_text(diff, node->level, node->code, "due", old->has_milestone ? old_due : NULL,
                     node->has_milestone ? new_due : NULL);
        compare_retired(diff, node->level, node->code, old->retired, node->retired);
        bool retiring = !old->retired && node->retired;
        bool restoring = old->retired && !node->retired;
        for (size_t m = 0; m < node->metric_count; m++) {
            const struct metric *metric = &node->metrics[m];
            const struct code_entry *was =
                find_code(old_codes.metrics, old_codes.metric_count, metric->code);
            if (!was) {
                add_change(diff, BOARD_CHANGE_ADD, LEVEL_METRIC, metric->code, NULL, NULL,
                           metric->name);
                continue;
            }
            if (strcmp(before->nodes[was->node].code, node->code) != 0)
                add_change(diff, BOARD_CHANGE_MOVE, LEVEL_METRIC, metric->code, NULL,
                           before->nodes[was->node].code, node->code);
            else if (!was->metric->retired && !metric->retired &&
                     metric_rank(old, was->metric, node) != metric_rank(node, metric, old))
                add_change(diff, BOARD_CHANGE_REORDER, LEVEL_METRIC, metric->code, NULL, NULL,
                           node->code);
            compare_metrics(diff, was->metric, metric,
                            (retiring && metric->retired == node->retired) ||
                                (restoring && was->metric->retired == old->retired &&
                                 !metric->retired));
        }
    }
    /* What the new structure does not have at all (only an undo removes). */
    for (size_t i = 0; i < before->node_count; i++) {
        const struct node *node = &before->nodes[i];
        if (node_of(&new_codes, node->code) == NODE_NONE) {
            add_change(diff, BOARD_CHANGE_REMOVE, node->level, node->code, NULL, node->title,
                       NULL);
            continue;
        }
        for (size_t m = 0; m < node->metric_count; m++)
            if (!metric_of(&new_codes, node->metrics[m].code))
                add_change(diff, BOARD_CHANGE_REMOVE, LEVEL_METRIC, node->metrics[m].code, NULL,
                           node->metrics[m].name, NULL);
    }
    codes_free(&old_codes);
    codes_free(&new_codes);
}

/* ---- The plan, as people read it --------------------------------------- */

static const char *kind_noun(enum level level, bool plural)
{
    static const char *const singular[] = {"aim", "objective", "deliverable", "metric"};
    static const char *const plurals[] = {"aims", "objectives", "deliverables", "metrics"};
    return plural ? plurals[level] : singular[level];
}

/* "1 deliverable added (1.1.1)": each level's additions, with their codes. */
static void format_additions(const struct board_diff *diff, struct text_buffer *out)
{
    for (int level = LEVEL_AIM; level <= LEVEL_METRIC; level++) {
        size_t count = 0;
        for (size_t i = 0; i < diff->count; i++)
            count += diff->changes[i].kind == BOARD_CHANGE_ADD &&
                     diff->changes[i].level == (enum level)level;
        if (!count)
            continue;
        text_appendf(out, "%zu %s added (", count, kind_noun((enum level)level, count != 1));
        size_t shown = 0;
        for (size_t i = 0; i < diff->count; i++)
            if (diff->changes[i].kind == BOARD_CHANGE_ADD &&
                diff->changes[i].level == (enum level)level)
                text_appendf(out, "%s%s", shown++ ? ", " : "", diff->changes[i].code);
        text_append(out, "), ");
    }
}

static size_t count_kind(const struct board_diff *diff, enum board_change_kind kind)
{
    size_t count = 0;
    for (size_t i = 0; i < diff->count; i++)
        count += diff->changes[i].kind == kind;
    return count;
}

static void format_change(const struct board_change *change, struct text_buffer *out)
{
    const char *code = change->code ? change->code : "board";
    const char *noun = kind_noun(change->level, false);
    switch (change->kind) {
    case BOARD_CHANGE_ADD:
        text_appendf(out, "+ %s %s \"%s\"\n", noun, code, change->new_value);
        break;
    case BOARD_CHANGE_FIELD:
        text_appendf(out, "~ %s %s: ", code, change->field);
        if (change->old_value)
            text_appendf(out, "\"%s\"", change->old_value);
        else
            text_append(out, "(none)");
        text_append(out, " -> ");
        if (change->new_value)
            text_appendf(out, "\"%s\"\n", change->new_value);
        else
            text_append(out, "(none)\n");
        break;
    case BOARD_CHANGE_MOVE:
        text_appendf(out, "> move %s%s under %s\n", change->level == LEVEL_METRIC ? "metric " : "",
                     code, change->new_value ? change->new_value : "the board");
        break;
    case BOARD_CHANGE_REORDER:
        text_appendf(out, "> reorder %s%s under %s\n",
                     change->level == LEVEL_METRIC ? "metric " : "", code,
                     change->new_value ? change->new_value : "the board");
        break;
    case BOARD_CHANGE_RETIRE:
        text_appendf(out, "- retire %s%s (from %s)\n", change->level == LEVEL_METRIC ? "metric " : "",
                     code, change->new_value);
        break;
    case BOARD_CHANGE_RESTORE:
        text_appendf(out, "+ restore %s%s (retired %s)\n",
                     change->level == LEVEL_METRIC ? "metric " : "", code, change->old_value);
        break;
    case BOARD_CHANGE_REMOVE:
        text_appendf(out, "- remove %s %s\n", noun, code);
        break;
    }
}

void import_plan_format(const struct import_plan *plan, struct text_buffer *out)
{
    for (size_t b = 0; b < plan->count; b++) {
        const struct import_plan_board *board = &plan->boards[b];
        const struct board_diff *diff = &board->diff;
        if (!board->compared)
            continue; /* new boards and readings alone: the counts say it all */
        text_appendf(out, "board %s: ", board->code);
        if (board->created) {
            text_appendf(out, "new board (%zu aims, objectives and deliverables); ",
                         board->node_count);
        } else {
            format_additions(diff, out);
            size_t fields = count_kind(diff, BOARD_CHANGE_FIELD);
            text_appendf(out, "%zu field%s changed", fields, fields == 1 ? "" : "s");
            if (fields) {
                text_append(out, " (");
                size_t shown = 0;
                for (size_t i = 0; i < diff->count; i++)
                    if (diff->changes[i].kind == BOARD_CHANGE_FIELD)
                        text_appendf(out, "%s%s %s", shown++ ? "; " : "",
                                     diff->changes[i].code ? diff->changes[i].code : "board",
                                     diff->changes[i].field);
                text_append(out, ")");
            }
            text_appendf(out, ", %zu moved, %zu reordered, %zu retired, %zu restored; ",
                         count_kind(diff, BOARD_CHANGE_MOVE),
                         count_kind(diff, BOARD_CHANGE_REORDER),
                         count_kind(diff, BOARD_CHANGE_RETIRE),
                         count_kind(diff, BOARD_CHANGE_RESTORE));
        }
        text_appendf(out, "readings: %zu new, %zu replaced, %zu unchanged; commentary: %zu new; "
                          "milestone updates: %zu new\n",
                     board->readings_new, board->readings_replaced, board->readings_unchanged,
                     board->comments_new, board->updates_new);
        for (size_t i = 0; i < diff->count; i++)
            format_change(&diff->changes[i], out);
    }
}

/* ---- Reshaping a structure (command_edit_many) ------------------------- */

struct ranked {
    size_t index, rank;
};

static int compare_ranked(const void *left, const void *right)
{
    const struct ranked *a = left, *b = right;
    return a->rank < b->rank ? -1 : a->rank > b->rank;
}

struct reshape {
    const struct board *board;
    struct ranked *order;  /* every node, by rank */
    size_t *first, *next;  /* per node (and the top, at node_count): children by rank */
    struct node *out;
    size_t count;
};

static size_t reshape_emit(struct reshape *shape, size_t old, size_t parent, size_t depth)
{
    size_t at = shape->count++;
    shape->out[at] = shape->board->nodes[old];
    shape->out[at].parent = parent;
    shape->out[at].depth = depth;
    shape->out[at].level = depth < LEVEL_METRIC ? (enum level)depth : LEVEL_DELIVERABLE;
    for (size_t child = shape->first[old]; child != NODE_NONE; child = shape->next[child])
        reshape_emit(shape, child, at, depth + 1);
    shape->out[at].subtree_end = shape->count;
    return at;
}

void command_reshape_board(struct board *board, const size_t *rank)
{
    size_t n = board->node_count;
    struct reshape shape = {.board = board};
    shape.order = xcalloc(n + 1, sizeof *shape.order);
    shape.first = xcalloc(n + 1, sizeof *shape.first);
    shape.next = xcalloc(n + 1, sizeof *shape.next);
    shape.out = xcalloc(n + 1, sizeof *shape.out);
    for (size_t i = 0; i < n; i++)
        shape.order[i] = (struct ranked){i, rank ? rank[i] : i};
    qsort(shape.order, n, sizeof *shape.order, compare_ranked);
    /* Children lists by rank: walked backwards, each goes in front. */
    for (size_t i = 0; i <= n; i++)
        shape.first[i] = shape.next[i] = NODE_NONE;
    for (size_t i = n; i-- > 0;) {
        size_t node = shape.order[i].index;
        size_t parent = board->nodes[node].parent;
        size_t list = parent == NODE_NONE || parent >= n ? n : parent;
        shape.next[node] = shape.first[list];
        shape.first[list] = node;
    }
    for (size_t top = shape.first[n]; top != NODE_NONE; top = shape.next[top])
        reshape_emit(&shape, top, NODE_NONE, 0);
    free(board->nodes);
    board->nodes = shape.out;
    board->node_count = shape.count;
    free(shape.order);
    free(shape.first);
    free(shape.next);
}
