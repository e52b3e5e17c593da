/* screen.c — the browser: the aims → objectives → deliverables tree with a
 * status badge on every row, a detail pane for the selected node, and the
 * editing keys. It reads through the store and changes data only through
 * the command layer. Every key is a row of one request table, which also
 * writes the help screen and is the one gate for read-only and kiosk modes. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <wchar.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "report.h"
#include "screen_internal.h"
#include "store.h"
#include "util.h"

#define CTRL(letter) ((letter) & 0x1F)
#define POLL_MS 250          /* how often the store is checked for changes */
#define WIDE_LAYOUT 100      /* columns from which tree and detail sit side by side */
#define MIN_WIDTH 30
#define MIN_HEIGHT 8
#define EDIT_MAX 512         /* characters in an edit field */

/* ---- Requests: every key the browser knows, in one table ---------------- */

enum request {
    REQ_NONE,
    REQ_UP, REQ_DOWN, REQ_EXPAND, REQ_COLLAPSE, REQ_OPEN, REQ_CLOSE, REQ_EXPAND_ALL,
    REQ_FIRST, REQ_LAST, REQ_PAGE_UP, REQ_PAGE_DOWN, REQ_FOCUS,
    REQ_SEARCH, REQ_NEXT_MATCH, REQ_PREVIOUS_MATCH, REQ_FILTER,
    REQ_BOARDS, REQ_PERIOD, REQ_AUDIT, REQ_HELP, REQ_REDRAW, REQ_QUIT,
    /* Requests that change data: never bound in read-only or kiosk mode. */
    REQ_EDIT, REQ_ADD, REQ_SEGMENT, REQ_MILESTONE, REQ_COMMENT, REQ_UNDO, REQ_REDO,
};

struct request_info {
    enum request request;
    int keys[5];          /* 0-terminated */
    const char *key_text; /* as the help screen shows them */
    const char *help;
    bool mutates;
};

static const struct request_info requests[] = {
    {REQ_UP, {KEY_UP, 'k'}, "Up k", "move up", false},
    {REQ_DOWN, {KEY_DOWN, 'j'}, "Down j", "move down", false},
    {REQ_EXPAND, {KEY_RIGHT, 'l', '\r', '\n', KEY_ENTER}, "Right l Enter",
     "expand, or go into an expanded node", false},
    {REQ_COLLAPSE, {KEY_LEFT, 'h'}, "Left h", "collapse, or go to the parent", false},
    {REQ_OPEN, {'+'}, "+", "expand the selected node", false},
    {REQ_CLOSE, {'-'}, "-", "collapse the selected node", false},
    {REQ_EXPAND_ALL, {'*'}, "*", "expand everything (again: collapse to the aims)", false},
    {REQ_FIRST, {'g', KEY_HOME}, "g Home", "first row", false},
    {REQ_LAST, {'G', KEY_END}, "G End", "last row", false},
    {REQ_PAGE_UP, {KEY_PPAGE, CTRL('b')}, "PgUp", "page up", false},
    {REQ_PAGE_DOWN, {KEY_NPAGE, CTRL('f')}, "PgDn", "page down", false},
    {REQ_FOCUS, {'\t'}, "Tab", "move between the tree and the detail pane", false},
    {REQ_SEARCH, {'/'}, "/", "search codes and titles (Enter keeps, Esc returns)", false},
    {REQ_NEXT_MATCH, {'n'}, "n", "next match", false},
    {REQ_PREVIOUS_MATCH, {'N'}, "N", "previous match", false},
    {REQ_FILTER, {'f'}, "f", "filter by status: all, R only, R and A", false},
    {REQ_BOARDS, {'b'}, "b", "pick a board", false},
    {REQ_PERIOD, {'p'}, "p", "show the board as at an earlier month", false},
    {REQ_AUDIT, {'H'}, "H", "change history of the selected node", false},
    {REQ_HELP, {'?', KEY_F(1)}, "? F1", "this help", false},
    {REQ_REDRAW, {CTRL('l')}, "Ctrl-L", "redraw the screen", false},
    {REQ_QUIT, {'q'}, "q", "quit", false},
    {REQ_EDIT, {'e'}, "e", "edit the latest value in place (Enter commits, Esc cancels)", true},
    {REQ_ADD, {'a'}, "a", "add a reading for the next month (or type another YYYY-MM)", true},
    {REQ_SEGMENT, {'s'}, "s", "add or change a reading for one segment (e.g. a borough)", true},
    {REQ_MILESTONE, {'m'}, "m", "set a milestone's status", true},
    {REQ_COMMENT, {'c'}, "c", "write a commentary note on the selected node", true},
    {REQ_UNDO, {'u'}, "u", "undo this session's last change", true},
    {REQ_REDO, {CTRL('r')}, "Ctrl-R", "redo", true},
};
#define REQUEST_COUNT (sizeof requests / sizeof requests[0])

static bool mode_allows(enum screen_mode mode, const struct request_info *info)
{
    if (info->mutates && mode != SCREEN_EDIT)
        return false;
    if (mode == SCREEN_KIOSK && info->request == REQ_QUIT)
        return false;
    return true;
}

/* The one gate: a key maps to a request only if the mode allows it. */
static enum request request_for_key(enum screen_mode mode, int key)
{
    for (size_t i = 0; i < REQUEST_COUNT; i++)
        for (size_t k = 0; k < 5 && requests[i].keys[k]; k++)
            if (requests[i].keys[k] == key)
                return mode_allows(mode, &requests[i]) ? requests[i].request : REQ_NONE;
    return REQ_NONE;
}

static const struct request_info *request_info(enum request request)
{
    for (size_t i = 0; i < REQUEST_COUNT; i++)
        if (requests[i].request == request)
            return &requests[i];
    return NULL;
}

/* ---- State --------------------------------------------------------------- */

struct row {
    size_t node;
    int metric; /* -1: the node itself; else a metric of a multi-metric deliverable */
};

enum filter { FILTER_ALL, FILTER_RED, FILTER_RED_AMBER };
enum overlay { OVERLAY_NONE, OVERLAY_HELP, OVERLAY_BOARDS, OVERLAY_PERIOD, OVERLAY_MILESTONE,
               OVERLAY_SEGMENT, OVERLAY_AUDIT };
enum edit_kind { EDIT_NONE, EDIT_VALUE, EDIT_ADD, EDIT_SEGMENT, EDIT_COMMENT, EDIT_SEARCH };

struct edit_field {
    enum edit_kind kind;
    wchar_t text[EDIT_MAX + 1];
    size_t length, cursor, scroll;
    char *metric_code;
    char *segment;
    char *node_code;
    yearmonth period;
};

struct detail_line {
    char *text;
    attr_t attr;
    struct cell *cells; /* a chart row, when not NULL */
    int cell_count;
};

struct browser {
    struct store *store;
    struct screen_options options;
    struct screen_style style;
    char *board_code;
    struct board *board;
    struct board_status status;
    yearmonth as_of; /* NONE: the latest */
    struct store_mark mark; /* what the last load saw */

    bool *expanded;   /* per node */
    size_t *came_from; /* per node: the child we left it for (Left), or NODE_NONE */
    struct row *rows;
    size_t row_count, row_capacity;
    size_t cursor, top;
    bool focus_detail;
    int detail_scroll;
    enum filter filter;

    char search[128];
    size_t search_origin;

    struct edit_field edit;
    enum overlay overlay;
    int overlay_cursor, overlay_top;
    struct board_summary *boards;
    size_t board_count;
    struct audit_entry *audit;
    size_t audit_count;

    struct command_history history; /* this session's changes, for u and Ctrl-R */

    char message[512];
    bool message_is_error;
    bool quit;

    /* Layout of the last frame, for the mouse. */
    int tree_y, tree_height, tree_x, tree_width;
    int detail_y, detail_height, detail_x, detail_width;
    bool wide;

    struct detail_line *detail;
    size_t detail_count, detail_capacity;
};

static volatile sig_atomic_t terminate_requested;

static void on_terminate(int signal_number)
{
    (void)signal_number;
    terminate_requested = 1;
}

static void set_message(struct browser *b, bool is_error, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void search_from(struct browser *b, size_t start, int step, bool inclusive);

static void set_message(struct browser *b, bool is_error, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(b->message, sizeof b->message, format, arguments);
    va_end(arguments);
    b->message_is_error = is_error;
}

/* ---- Loading ------------------------------------------------------------- */

static void build_rows(struct browser *b);

static bool node_has_children(const struct browser *b, size_t index)
{
    const struct node *node = &b->board->nodes[index];
    if (node->metric_count > 1)
        return true;
    /* A lazily loaded node knows how many children it has before they are. */
    return node->children_loaded ? node->subtree_end > index + 1 : node->child_count > 0;
}

static void evaluate(struct browser *b)
{
    if (b->board->partial)
        board_evaluate_kept(b->board, &b->status);
    else
        board_evaluate(b->board, b->as_of, &b->status);
}

/* Loads the children of a node of a lazily loaded board (they arrive right
 * after it, so later node indexes move), keeping the per-node arrays and the
 * statuses in step. The rows must be built again after it. */
static bool load_children(struct browser *b, size_t index)
{
    struct board *board = b->board;
    if (board->nodes[index].children_loaded)
        return true;
    size_t before = board->node_count;
    struct error error = {0};
    if (!store_load_children(b->store, board, index, &error)) {
        set_message(b, true, "%s", error.message);
        return false;
    }
    size_t added = board->node_count - before;
    if (added == 0)
        return true;
    size_t at = index + 1;
    b->expanded = xrealloc(b->expanded, board->node_count * sizeof *b->expanded);
    b->came_from = xrealloc(b->came_from, board->node_count * sizeof *b->came_from);
    memmove(&b->expanded[at + added], &b->expanded[at], (before - at) * sizeof *b->expanded);
    memmove(&b->came_from[at + added], &b->came_from[at], (before - at) * sizeof *b->came_from);
    for (size_t i = at; i < at + added; i++) {
        b->expanded[i] = false;
        b->came_from[i] = NODE_NONE;
    }
    for (size_t i = 0; i < board->node_count; i++)
        if (b->came_from[i] != NODE_NONE && b->came_from[i] >= at)
            b->came_from[i] += added;
    /* While a load opens nodes the statuses wait for it to finish. */
    if (b->status.nodes) {
        board_status_free(&b->status, before);
        evaluate(b);
    }
    return true;
}

/* Opens a node, loading its children first if they are not yet. */
static bool expand_node(struct browser *b, size_t index)
{
    if (!load_children(b, index))
        return false;
    b->expanded[index] = true;
    return true;
}

static void default_expansion(struct browser *b)
{
    /* The aims open, showing their objectives; * opens everything. */
    for (size_t i = 0; i < b->board->node_count; i++) {
        b->expanded[i] = false;
        b->came_from[i] = NODE_NONE;
    }
    for (size_t i = 0; i < b->board->node_count; i++)
        if (b->board->nodes[i].level == LEVEL_AIM)
            expand_node(b, i);
}

static const char *selected_code(const struct browser *b)
{
    if (!b->board || b->cursor >= b->row_count)
        return NULL;
    const struct row *row = &b->rows[b->cursor];
    const struct node *node = &b->board->nodes[row->node];
    return row->metric >= 0 ? node->metrics[row->metric].code : node->code;
}

static void select_code(struct browser *b, const char *code);

/* What a reload carries over from one node: open or not, and the child we
 * left it for, by tree order and code (indexes change as subtrees load). */
struct kept_node {
    int tree_order;
    char *code;
    bool expanded;
    char *came_from;
};

static struct kept_node *keep_expansion(const struct browser *b, size_t *count)
{
    *count = 0;
    if (!b->board)
        return NULL;
    struct kept_node *kept = NULL;
    size_t capacity = 0;
    for (size_t i = 0; i < b->board->node_count; i++) {
        if (!b->expanded[i] && b->came_from[i] == NODE_NONE)
            continue;
        void *grown = kept;
        grow_array(&grown, &capacity, *count + 1, sizeof *kept);
        kept = grown;
        const struct node *node = &b->board->nodes[i];
        kept[(*count)++] = (struct kept_node){
            .tree_order = node->tree_order,
            .code = xstrdup(node->code),
            .expanded = b->expanded[i],
            .came_from = b->came_from[i] != NODE_NONE
                             ? xstrdup(b->board->nodes[b->came_from[i]].code)
                             : NULL,
        };
    }
    return kept;
}

/* Opens again the nodes that were open: both lists are in tree order, and
 * opening a node loads the children that the later entries may name. */
static void restore_expansion(struct browser *b, struct kept_node *kept, size_t count)
{
    for (size_t i = 0; i < b->board->node_count; i++) {
        b->expanded[i] = false;
        b->came_from[i] = NODE_NONE;
    }
    size_t k = 0;
    for (size_t i = 0; i < b->board->node_count && k < count; i++) {
        const struct node *node = &b->board->nodes[i];
        while (k < count && kept[k].tree_order < node->tree_order)
            k++;
        if (k < count && kept[k].tree_order == node->tree_order &&
            strcmp(kept[k].code, node->code) == 0 && kept[k].expanded)
            expand_node(b, i);
    }
    for (k = 0; k < count; k++) {
        if (!kept[k].came_from)
            continue;
        struct node *node = board_find_node(b->board, kept[k].code);
        struct node *child = board_find_node(b->board, kept[k].came_from);
        if (node && child)
            b->came_from[node - b->board->nodes] = (size_t)(child - b->board->nodes);
    }
}

static void free_kept(struct kept_node *kept, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(kept[i].code);
        free(kept[i].came_from);
    }
    free(kept);
}

/* More open nodes than this and a reload of the latest month loads the whole
 * tree at once (a summary) rather than one query per open node. */
#define LAZY_RELOAD_LIMIT 64

/* Loads (or reloads) the board, keeping the expansion and the selection of
 * the same board. The latest month loads lazily: the aims and the kept
 * statuses first, then each node's children as it opens (the cost follows
 * the screen, not the store); `everything` loads the whole tree's summary
 * instead (for opening everything). An earlier month needs every reading. */
static bool load_board_as(struct browser *b, const char *code, yearmonth as_of, bool everything,
                          struct error *error)
{
    size_t kept_count = 0;
    struct kept_node *kept = NULL;
    bool same_board = b->board && strcmp(b->board->code, code) == 0;
    if (same_board)
        kept = keep_expansion(b, &kept_count);
    if (as_of == YEARMONTH_NONE && same_board && !b->board->partial &&
        kept_count > LAZY_RELOAD_LIMIT)
        everything = true;
    struct board *board;
    bool loaded = as_of != YEARMONTH_NONE ? store_load_board(b->store, code, as_of, &board, error)
                  : everything            ? store_load_board_summary(b->store, code, &board, error)
                                          : store_load_board_top(b->store, code, &board, error);
    if (!loaded) {
        free_kept(kept, kept_count);
        return false;
    }
    char *keep = selected_code(b) ? xstrdup(selected_code(b)) : NULL;
    if (b->board) {
        board_status_free(&b->status, b->board->node_count);
        board_free(b->board);
    }
    b->board = board;
    if (code != b->board_code) {
        free(b->board_code);
        b->board_code = xstrdup(code);
    }
    b->as_of = as_of;
    free(b->expanded);
    free(b->came_from);
    size_t count = board->node_count ? board->node_count : 1;
    b->expanded = xcalloc(count, sizeof *b->expanded);
    b->came_from = xcalloc(count, sizeof *b->came_from);
    if (same_board) {
        restore_expansion(b, kept, kept_count);
    } else {
        default_expansion(b);
        b->cursor = b->top = 0;
        b->detail_scroll = 0;
    }
    free_kept(kept, kept_count);
    /* Once, for every node the expansion loaded. */
    evaluate(b);
    build_rows(b);
    if (keep && same_board)
        select_code(b, keep);
    free(keep);
    store_mark(b->store, &b->mark);
    return true;
}

static bool load_board(struct browser *b, const char *code, yearmonth as_of, struct error *error)
{
    return load_board_as(b, code, as_of, false, error);
}

/* ---- Rows ---------------------------------------------------------------- */

static bool passes_filter(const struct browser *b, size_t index)
{
    if (b->filter == FILTER_ALL)
        return true;
    const struct rollup *r = &b->status.nodes[index];
    unsigned wanted = r->counts[RAG_RED] + (b->filter == FILTER_RED_AMBER ? r->counts[RAG_AMBER] : 0);
    return wanted > 0;
}

static void push_row(struct browser *b, size_t node, int metric)
{
    size_t capacity = b->row_capacity;
    void *rows = b->rows;
    grow_array(&rows, &capacity, b->row_count + 1, sizeof *b->rows);
    b->rows = rows;
    b->row_capacity = capacity;
    b->rows[b->row_count++] = (struct row){node, metric};
}

static void build_rows(struct browser *b)
{
    b->row_count = 0;
    const struct board *board = b->board;
    for (size_t i = 0; i < board->node_count;) {
        const struct node *node = &board->nodes[i];
        if (!passes_filter(b, i)) {
            i = node->subtree_end;
            continue;
        }
        push_row(b, i, -1);
        if (node->metric_count > 1 && b->expanded[i])
            for (size_t m = 0; m < node->metric_count; m++)
                push_row(b, i, (int)m);
        i = b->expanded[i] ? i + 1 : node->subtree_end;
    }
    if (b->cursor >= b->row_count)
        b->cursor = b->row_count ? b->row_count - 1 : 0;
}

static void select_row(struct browser *b, size_t index)
{
    if (b->row_count == 0)
        return;
    if (index >= b->row_count)
        index = b->row_count - 1;
    if (index != b->cursor)
        b->detail_scroll = 0;
    b->cursor = index;
}

static size_t find_row(const struct browser *b, size_t node, int metric)
{
    for (size_t i = 0; i < b->row_count; i++)
        if (b->rows[i].node == node && b->rows[i].metric == metric)
            return i;
    return (size_t)-1;
}

/* Opens every ancestor of a node so that it has a row. */
static void reveal(struct browser *b, size_t node)
{
    /* The ancestors of a loaded node are loaded, so none moves. */
    for (size_t a = b->board->nodes[node].parent; a != NODE_NONE; a = b->board->nodes[a].parent)
        b->expanded[a] = true;
}

static void select_code(struct browser *b, const char *code)
{
    struct node *deliverable = NULL;
    struct node *node = board_find_node(b->board, code);
    int metric = -1;
    if (!node) {
        struct metric *found = board_find_metric(b->board, code, &deliverable);
        if (!found || !deliverable)
            return;
        node = deliverable;
        if (deliverable->metric_count > 1)
            metric = (int)(found - deliverable->metrics);
    }
    size_t index = (size_t)(node - b->board->nodes);
    size_t row = find_row(b, index, metric);
    if (row == (size_t)-1 && metric >= 0)
        row = find_row(b, index, -1);
    if (row != (size_t)-1)
        b->cursor = row;
}

/* ---- Formatting helpers ---------------------------------------------------- */

static const struct metric *row_metric(const struct browser *b, const struct row *row,
                                       const struct metric_status **status)
{
    const struct node *node = &b->board->nodes[row->node];
    size_t m;
    if (row->metric >= 0)
        m = (size_t)row->metric;
    else if (node->metric_count == 1)
        m = 0;
    else
        return NULL;
    if (status)
        *status = b->status.metrics[row->node] ? &b->status.metrics[row->node][m] : NULL;
    return &node->metrics[m];
}

static enum rag row_rag(const struct browser *b, const struct row *row)
{
    if (row->metric >= 0)
        return b->status.metrics[row->node][row->metric].rag;
    return b->status.nodes[row->node].rag;
}

static const char *glyph(const struct browser *b, const char *unicode, const char *ascii)
{
    return b->style.ascii ? ascii : unicode;
}

/* The trend mark: how the latest reading moved from the one before. */
static const char *trend_mark(const struct browser *b, const struct metric *metric)
{
    const struct reading *series;
    size_t count = metric_series(metric, NULL, &series);
    if (count < 2)
        return " ";
    double last = series[count - 1].value, before = series[count - 2].value;
    if (last > before)
        return glyph(b, "\xe2\x86\x91", "^"); /* ↑ */
    if (last < before)
        return glyph(b, "\xe2\x86\x93", "v"); /* ↓ */
    return glyph(b, "\xe2\x86\x92", "="); /* → */
}

static void format_value(const struct metric *metric, double value, char *out, size_t size)
{
    unit_format_value(metric->unit, value, out, size);
}

/* "68.4% → 75%" for a measured row. */
static void value_against_target(const struct browser *b, const struct metric *metric,
                                 const struct metric_status *status, char *out, size_t size)
{
    char latest[48], target[48];
    format_value(metric, metric->target, target, sizeof target);
    if (status && status->has_reading)
        format_value(metric, status->latest, latest, sizeof latest);
    else
        snprintf(latest, sizeof latest, "no data");
    snprintf(out, size, "%s %s %s", latest, glyph(b, "\xe2\x86\x92", "->"), target);
}

/* ---- Detail pane --------------------------------------------------------- */

static void detail_clear(struct browser *b)
{
    for (size_t i = 0; i < b->detail_count; i++) {
        free(b->detail[i].text);
        free(b->detail[i].cells);
    }
    b->detail_count = 0;
}

static struct detail_line *detail_push(struct browser *b)
{
    size_t capacity = b->detail_capacity;
    void *lines = b->detail;
    grow_array(&lines, &capacity, b->detail_count + 1, sizeof *b->detail);
    b->detail = lines;
    b->detail_capacity = capacity;
    struct detail_line *line = &b->detail[b->detail_count++];
    memset(line, 0, sizeof *line);
    return line;
}

static void detail_text(struct browser *b, attr_t attr, const char *text)
{
    struct detail_line *line = detail_push(b);
    line->text = xstrdup(text);
    line->attr = attr;
}

static void detail_textf(struct browser *b, attr_t attr, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void detail_textf(struct browser *b, attr_t attr, const char *format, ...)
{
    char text[1024];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(text, sizeof text, format, arguments);
    va_end(arguments);
    detail_text(b, attr, text);
}

struct wrap_context {
    struct browser *browser;
    attr_t attr;
    const char *indent;
};

static void wrap_line(void *context, const char *text)
{
    struct wrap_context *wrap = context;
    char *line = xasprintf("%s%s", wrap->indent, text);
    detail_text(wrap->browser, wrap->attr, line);
    free(line);
}

static void detail_wrapped(struct browser *b, attr_t attr, const char *indent, const char *text,
                           int width)
{
    struct wrap_context context = {b, attr, indent};
    screen_wrap(text, width - (int)strlen(indent), wrap_line, &context);
}

static void detail_cells(struct browser *b, const struct cell_buffer *buffer, int row)
{
    struct detail_line *line = detail_push(b);
    line->cells = xcalloc((size_t)buffer->width, sizeof *line->cells);
    memcpy(line->cells, buffer->cells + (size_t)row * (size_t)buffer->width,
           (size_t)buffer->width * sizeof *line->cells);
    line->cell_count = buffer->width;
}

static void detail_metric(struct browser *b, const struct node *node, const struct metric *metric,
                          const struct metric_status *status, int width)
{
    char text[256], value[48], other[48];
    attr_t bold = A_BOLD;
    if (node->metric_count > 1 || strcmp(metric->code, node->code) != 0)
        detail_textf(b, bold, "Metric %s: %s", metric->code, metric->name ? metric->name : "");
    else if (metric->name)
        detail_textf(b, bold, "Metric: %s", metric->name);
    if (status) {
        char why[256];
        rag_explain_metric(metric, status, why, sizeof why);
        detail_wrapped(b, screen_rag_attr(&b->style, status->rag), "  ", why, width);
    }
    char month[9];
    if (metric->has_baseline) {
        format_value(metric, metric->baseline, value, sizeof value);
        if (metric->baseline_period) {
            yearmonth_label(metric->baseline_period, month);
            detail_textf(b, A_NORMAL, "  Baseline   %s (%s)", value, month);
        } else {
            detail_textf(b, A_NORMAL, "  Baseline   %s", value);
        }
    }
    format_value(metric, metric->target, value, sizeof value);
    if (metric->target_period) {
        yearmonth_label(metric->target_period, month);
        detail_textf(b, A_NORMAL, "  Target     %s by %s (%s is better)", value, month,
                     metric->direction == DIRECTION_DOWN ? "lower" : "higher");
    } else {
        detail_textf(b, A_NORMAL, "  Target     %s (%s is better)", value,
                     metric->direction == DIRECTION_DOWN ? "lower" : "higher");
    }
    if (metric->trajectory_count) {
        struct text_buffer line = {0};
        text_append(&line, "  Trajectory ");
        for (size_t t = 0; t < metric->trajectory_count; t++) {
            yearmonth_label(metric->trajectory[t].period, month);
            format_value(metric, metric->trajectory[t].value, value, sizeof value);
            text_appendf(&line, "%s%s %s", t ? ", " : "", month, value);
        }
        detail_wrapped(b, A_NORMAL, "", line.data, width);
        text_free(&line);
    }
    const struct reading *series;
    size_t count = metric_series(metric, NULL, &series);
    if (status && status->has_reading) {
        format_value(metric, status->latest, value, sizeof value);
        yearmonth_label(status->latest_period, month);
        detail_textf(b, A_NORMAL, "  Latest     %s for %s %s%s", value, month, trend_mark(b, metric),
                     status->stale ? "  (stale)" : "");
    } else {
        detail_text(b, A_NORMAL, "  Latest     no readings yet");
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
        detail_wrapped(b, A_NORMAL, "", line.data, width);
        text_free(&line);
        /* Sparkline of up to the last 36 readings. */
        int spark = width - 13 < 36 ? width - 13 : 36;
        if (spark > 2) {
            double *values = xcalloc(count, sizeof *values);
            for (size_t r = 0; r < count; r++)
                values[r] = series[r].value;
            struct cell_buffer buffer;
            cell_buffer_init(&buffer, width, 1);
            cell_buffer_put_text(&buffer, 0, 0, "  Trend      ", CELL_PLAIN);
            struct cell_buffer sparkline;
            cell_buffer_init(&sparkline, spark, 1);
            chart_sparkline(values, count, b->style.ascii, &sparkline);
            for (int x = 0; x < spark; x++)
                *cell_buffer_at(&buffer, 13 + x, 0) = *cell_buffer_at(&sparkline, x, 0);
            detail_cells(b, &buffer, 0);
            cell_buffer_free(&sparkline);
            cell_buffer_free(&buffer);
            free(values);
        }
        /* The SPC chart and its icons. */
        struct spc_result spc;
        metric_analyse_spc(metric, &spc);
        if (spc.count) {
            if (spc.has_limits)
                detail_textf(b, A_NORMAL, "  SPC        %s %s | %s %s",
                             spc_variation_glyph(spc.variation, b->style.ascii),
                             spc_variation_label(spc.variation),
                             spc_assurance_glyph(spc.assurance, b->style.ascii),
                             spc_assurance_label(spc.assurance));
            else
                detail_textf(b, A_NORMAL, "  SPC        run chart: %zu of %d points needed for limits",
                             spc.count, metric->spc.minimum_points);
            int chart_width = width - 2, chart_height = 10;
            if (chart_width >= 20) {
                struct chart_options options = chart_default_options();
                options.ascii = b->style.ascii;
                options.has_target = true;
                options.target = metric->target;
                struct cell_buffer chart;
                cell_buffer_init(&chart, chart_width, chart_height);
                chart_render(&spc, &options, &chart);
                struct cell_buffer line;
                cell_buffer_init(&line, width, 1);
                for (int y = 0; y < chart_height; y++) {
                    cell_buffer_clear(&line);
                    for (int x = 0; x < chart_width; x++)
                        *cell_buffer_at(&line, 2 + x, 0) = *cell_buffer_at(&chart, x, y);
                    detail_cells(b, &line, 0);
                }
                cell_buffer_free(&line);
                cell_buffer_free(&chart);
            }
        }
        spc_result_free(&spc);
    }
    /* Per-segment latest values, with the spread between best and worst. */
    if (metric->breakdown) {
        const char *last_segment = NULL;
        bool any = false;
        double best = 0, worst = 0;
        const char *best_name = NULL, *worst_name = NULL;
        for (size_t r = 0; r < metric->reading_count; r++) {
            const struct reading *reading = &metric->readings[r];
            if (!reading->segment)
                continue;
            bool last_of_segment = r + 1 == metric->reading_count ||
                                   !metric->readings[r + 1].segment ||
                                   strcmp(metric->readings[r + 1].segment, reading->segment) != 0;
            if (!last_of_segment)
                continue;
            if (!any)
                detail_textf(b, A_BOLD, "  By %s (latest)", metric->breakdown);
            any = true;
            format_value(metric, reading->value, value, sizeof value);
            yearmonth_label(reading->period, month);
            detail_textf(b, A_NORMAL, "    %-22s %10s  %s", reading->segment, value, month);
            bool better = metric->direction == DIRECTION_DOWN ? reading->value < best
                                                              : reading->value > best;
            bool worse = metric->direction == DIRECTION_DOWN ? reading->value > worst
                                                             : reading->value < worst;
            if (!best_name || better) {
                best = reading->value;
                best_name = reading->segment;
            }
            if (!worst_name || worse) {
                worst = reading->value;
                worst_name = reading->segment;
            }
            last_segment = reading->segment;
        }
        (void)last_segment;
        if (any && best_name != worst_name) {
            format_value(metric, best, value, sizeof value);
            format_value(metric, worst, other, sizeof other);
            snprintf(text, sizeof text, "    Spread %.3g%s between %s (%s) and %s (%s)",
                     fabs(best - worst), metric->unit == UNIT_PERCENT ? " points" : "", best_name,
                     value, worst_name, other);
            detail_wrapped(b, A_NORMAL, "", text, width);
        }
    }
    detail_text(b, A_NORMAL, "");
}

/* Loads every reading of a node's metrics, for the detail pane, the
 * segment picker and the SPC chart. */
static void ensure_full_readings(struct browser *b, size_t node_index)
{
    struct node *node = &b->board->nodes[node_index];
    for (size_t m = 0; m < node->metric_count; m++) {
        if (!node->metrics[m].readings_partial)
            continue;
        struct error error = {0};
        if (!store_load_metric_readings(b->store, &node->metrics[m], &error))
            set_message(b, true, "%s", error.message);
    }
}

static void build_detail(struct browser *b, int width)
{
    detail_clear(b);
    if (b->row_count)
        ensure_full_readings(b, b->rows[b->cursor].node);
    if (b->row_count == 0) {
        detail_text(b, A_NORMAL, b->filter == FILTER_ALL ? "This board has no aims."
                                                         : "Nothing matches the filter (f).");
        return;
    }
    const struct row *row = &b->rows[b->cursor];
    const struct node *node = &b->board->nodes[row->node];
    const struct rollup *rollup = &b->status.nodes[row->node];
    char text[512];
    if (row->metric >= 0) {
        const struct metric *metric = &node->metrics[row->metric];
        detail_textf(b, A_BOLD, "Metric %s of deliverable %s", metric->code, node->code);
        detail_wrapped(b, A_NORMAL, "", node->title, width);
        detail_text(b, A_NORMAL, "");
        detail_metric(b, node, metric, &b->status.metrics[row->node][row->metric], width);
        return;
    }
    const char *level = level_name(node->level);
    snprintf(text, sizeof text, "%c%s %s  [%c] %s", toupper((unsigned char)level[0]), level + 1,
             node->code, rag_letter(rollup->rag), rag_word(rollup->rag));
    detail_text(b, screen_rag_attr(&b->style, rollup->rag), text);
    detail_wrapped(b, A_BOLD, "", node->title, width);
    if (node->lead)
        detail_textf(b, A_NORMAL, "Lead: %s", node->lead);
    detail_text(b, A_NORMAL, "");
    if (node->level != LEVEL_DELIVERABLE) {
        snprintf(text, sizeof text, "Deliverables: R %u, A %u, G %u, B %u, no data %u",
                 rollup->counts[RAG_RED], rollup->counts[RAG_AMBER], rollup->counts[RAG_GREEN],
                 rollup->counts[RAG_BLUE], rollup->counts[RAG_GREY]);
        detail_text(b, A_NORMAL, text);
        detail_text(b, A_NORMAL, "");
    }
    for (size_t m = 0; m < node->metric_count; m++)
        detail_metric(b, node, &node->metrics[m],
                      b->status.metrics[row->node] ? &b->status.metrics[row->node][m] : NULL,
                      width);
    if (node->has_milestone) {
        const struct milestone *milestone = &node->milestone;
        char why[256], month[9];
        rag_explain_milestone(milestone, b->status.as_at, why, sizeof why);
        detail_text(b, A_BOLD, "Milestone");
        detail_wrapped(b, screen_rag_attr(&b->style, rollup->rag), "  ", why, width);
        if (milestone->due) {
            yearmonth_label(milestone->due, month);
            detail_textf(b, A_NORMAL, "  Due        %s", month);
        }
        if (milestone->update_count == 0)
            detail_text(b, A_NORMAL, "  No updates yet.");
        for (size_t u = milestone->update_count; u-- > 0;) {
            const struct milestone_update *update = &milestone->updates[u];
            if (update->period)
                yearmonth_label(update->period, month);
            else
                snprintf(month, sizeof month, "%.8s", update->entered_at ? update->entered_at : "");
            snprintf(text, sizeof text, "  %-9s %s%s%s%s", month,
                     milestone_status_label(update->status), update->note ? ": " : "",
                     update->note ? update->note : "", update->sample ? " (sample)" : "");
            detail_wrapped(b, A_NORMAL, "", text, width);
        }
        detail_text(b, A_NORMAL, "");
    }
    if (node->comment_count) {
        detail_text(b, A_BOLD, "Commentary");
        for (size_t c = node->comment_count; c-- > 0;) {
            const struct comment *comment = &node->comments[c];
            char month[9] = "";
            if (comment->period)
                yearmonth_label(comment->period, month);
            snprintf(text, sizeof text, "  %s%s%s%s%s", month, month[0] ? ": " : "", comment->text,
                     comment->entered_by ? " - " : "", comment->entered_by ? comment->entered_by : "");
            detail_wrapped(b, A_NORMAL, "", text, width);
        }
    }
}

/* ---- Drawing ------------------------------------------------------------- */

static void draw_header(struct browser *b)
{
    attr_t header = screen_pair_attr(&b->style, PAIR_HEADER) | A_BOLD;
    screen_fill(0, 0, COLS, header);
    char right[160], month[9] = "none";
    if (b->status.as_at)
        yearmonth_label(b->status.as_at, month);
    const char *mode = b->options.mode == SCREEN_EDIT        ? "EDIT"
                       : b->options.mode == SCREEN_READ_ONLY ? "READ-ONLY"
                                                             : "KIOSK";
    snprintf(right, sizeof right, "%sas at %s  %s ", b->as_of ? "HISTORY " : "", month, mode);
    int sample_width = b->board->shows_sample ? 13 : 0;
    int right_width = (int)strlen(right);
    int left_width = COLS - right_width - sample_width - 1;
    char left[512];
    if (b->board->reporting_period && b->board->title &&
        !strstr(b->board->title, b->board->reporting_period))
        snprintf(left, sizeof left, " %s (%s)", b->board->title ? b->board->title : b->board->code,
                 b->board->reporting_period);
    else
        snprintf(left, sizeof left, " %s", b->board->title ? b->board->title : b->board->code);
    screen_put(0, 0, left_width, left, header);
    if (sample_width && COLS >= right_width + sample_width)
        screen_put_clipped(0, COLS - right_width - sample_width - 1, sample_width, " SAMPLE DATA ",
                           screen_pair_attr(&b->style, PAIR_SAMPLE) | A_BOLD);
    screen_put_clipped(0, COLS - right_width > 0 ? COLS - right_width : 0, COLS, right, header);
}

static void draw_tree_row(struct browser *b, size_t index, int y)
{
    const struct row *row = &b->rows[index];
    const struct node *node = &b->board->nodes[row->node];
    bool selected = index == b->cursor;
    attr_t base = selected ? (b->focus_detail ? A_BOLD : A_REVERSE) : A_NORMAL;
    int x = b->tree_x, width = b->tree_width;
    screen_fill(y, x, width, base);
    int indent = (int)node->depth * 2 + (row->metric >= 0 ? 2 : 0);
    if (indent > width / 3)
        indent = width / 3;
    int col = x + indent;
    const char *marker = " ";
    if (row->metric < 0 && node_has_children(b, row->node))
        marker = b->expanded[row->node] ? glyph(b, "\xe2\x96\xbe", "-") : glyph(b, "\xe2\x96\xb8", "+");
    col += screen_put_clipped(y, col, x + width - col, marker, base);
    col += screen_put_clipped(y, col, x + width - col, " ", base);
    enum rag rag = row_rag(b, row);
    if (col + 3 <= x + width) {
        screen_badge(&b->style, y, col, rag);
        if (selected && !b->focus_detail)
            mvchgat(y, col, 3, screen_rag_attr(&b->style, rag) | A_REVERSE,
                    (short)PAIR_NUMBER(screen_rag_attr(&b->style, rag)), NULL);
        col += 4;
    }
    /* The right-hand part: value against target, milestone status or counts. */
    char right[96] = "";
    const struct metric_status *status = NULL;
    const struct metric *metric = row_metric(b, row, &status);
    bool editing = b->edit.kind != EDIT_NONE && b->edit.kind != EDIT_SEARCH &&
                   b->edit.kind != EDIT_COMMENT && selected;
    if (metric) {
        char value[80];
        value_against_target(b, metric, status, value, sizeof value);
        snprintf(right, sizeof right, "%s %s", value, trend_mark(b, metric));
    } else if (node->has_milestone) {
        enum milestone_status ms = milestone_status_at(&node->milestone, b->status.as_at);
        snprintf(right, sizeof right, "%s", node->milestone.update_count
                                               ? milestone_status_label(ms)
                                               : "no update");
    } else if (node->level != LEVEL_DELIVERABLE) {
        const struct rollup *r = &b->status.nodes[row->node];
        size_t used = 0;
        static const enum rag order[] = {RAG_RED, RAG_AMBER, RAG_GREEN, RAG_BLUE};
        for (size_t k = 0; k < 4; k++)
            if (r->counts[order[k]])
                used += (size_t)snprintf(right + used, sizeof right - used, "%s%c%u",
                                         used ? " " : "", rag_letter(order[k]),
                                         r->counts[order[k]]);
    }
    int right_width = screen_text_width(&b->style, right);
    int title_room = x + width - col;
    if (editing)
        right_width = 0; /* the field is drawn over the row by draw_edit */
    else if (right_width && title_room - right_width - 2 >= 8)
        title_room -= right_width + 2;
    else
        right_width = 0;
    const char *code = row->metric >= 0 ? node->metrics[row->metric].code : node->code;
    int code_width = screen_put_clipped(y, col, title_room, code, base | A_BOLD);
    col += code_width + 1;
    title_room -= code_width + 1;
    const char *title = row->metric >= 0 ? node->metrics[row->metric].name : node->title;
    if (title && title_room > 0)
        screen_put(y, col, title_room, title, base);
    if (right_width)
        screen_put_clipped(y, x + width - right_width - 1, right_width, right, base);
}

static void draw_tree(struct browser *b)
{
    int height = b->tree_height;
    if (height <= 0)
        return;
    if (b->cursor < b->top)
        b->top = b->cursor;
    if (b->cursor >= b->top + (size_t)height)
        b->top = b->cursor - (size_t)height + 1;
    if (b->top + (size_t)height > b->row_count)
        b->top = b->row_count > (size_t)height ? b->row_count - (size_t)height : 0;
    for (int i = 0; i < height; i++) {
        size_t index = b->top + (size_t)i;
        if (index < b->row_count)
            draw_tree_row(b, index, b->tree_y + i);
    }
    if (b->row_count == 0)
        screen_put(b->tree_y, b->tree_x + 1, b->tree_width - 1,
                   b->filter == FILTER_ALL ? "No aims on this board."
                                           : "Nothing matches the filter; press f to change it.",
                   A_NORMAL);
}

static void draw_detail(struct browser *b)
{
    int height = b->detail_height, width = b->detail_width;
    if (height <= 0 || width <= 0)
        return;
    build_detail(b, width - 1);
    int max_scroll = (int)b->detail_count - height;
    if (max_scroll < 0)
        max_scroll = 0;
    if (b->detail_scroll > max_scroll)
        b->detail_scroll = max_scroll;
    if (b->detail_scroll < 0)
        b->detail_scroll = 0;
    for (int i = 0; i < height; i++) {
        size_t index = (size_t)(b->detail_scroll + i);
        if (index >= b->detail_count)
            break;
        const struct detail_line *line = &b->detail[index];
        int y = b->detail_y + i;
        if (line->cells) {
            for (int c = 0; c < line->cell_count && c < width - 1; c++)
                screen_put_clipped(y, b->detail_x + 1 + c, 1, line->cells[c].text,
                                   screen_cell_attr(&b->style, line->cells[c].meaning));
        } else {
            screen_put(y, b->detail_x + 1, width - 1, line->text, line->attr);
        }
    }
    if (max_scroll > 0 && b->focus_detail) {
        char where[32];
        snprintf(where, sizeof where, " %d/%d ", b->detail_scroll + 1, max_scroll + 1);
        screen_put_clipped(b->detail_y + height - 1, b->detail_x + width - (int)strlen(where),
                           (int)strlen(where), where, A_REVERSE);
    }
}

static void draw_summary(struct browser *b, int y)
{
    screen_fill(y, 0, COLS, A_NORMAL);
    const struct rollup *r = &b->status.board;
    char label[256];
    size_t aim = NODE_NONE;
    if (b->row_count) {
        aim = b->rows[b->cursor].node;
        while (b->board->nodes[aim].parent != NODE_NONE)
            aim = b->board->nodes[aim].parent;
        r = &b->status.nodes[aim];
        snprintf(label, sizeof label, " Aim %s:", b->board->nodes[aim].code);
    } else {
        snprintf(label, sizeof label, " Board:");
    }
    int x = screen_put(y, 0, COLS, label, A_BOLD);
    static const enum rag order[] = {RAG_RED, RAG_AMBER, RAG_GREEN, RAG_BLUE, RAG_GREY};
    for (size_t k = 0; k < 5 && x < COLS; k++) {
        char part[32];
        snprintf(part, sizeof part, " %c %u", rag_letter(order[k]), r->counts[order[k]]);
        x += screen_put_clipped(y, x, COLS - x, part, screen_rag_attr(&b->style, order[k]));
    }
    const struct rollup *all = &b->status.board;
    char board_part[96];
    snprintf(board_part, sizeof board_part, "  | board R %u A %u G %u B %u", all->counts[RAG_RED],
             all->counts[RAG_AMBER], all->counts[RAG_GREEN], all->counts[RAG_BLUE]);
    x += screen_put_clipped(y, x, COLS - x, board_part, A_NORMAL);
    if (b->filter != FILTER_ALL) {
        const char *filter = b->filter == FILTER_RED ? "  filter: R only" : "  filter: R and A";
        screen_put_clipped(y, x, COLS - x, filter, A_BOLD);
    }
}

static void draw_hint(struct browser *b, int y)
{
    screen_fill(y, 0, COLS, A_NORMAL);
    if (b->message[0]) {
        attr_t attr = b->message_is_error ? screen_pair_attr(&b->style, PAIR_ERROR) | A_BOLD : A_BOLD;
        screen_put(y, 0, COLS, b->message, attr);
        return;
    }
    const char *hint =
        b->options.mode == SCREEN_EDIT
            ? " ?:help  arrows/hjkl:move  /:search  f:filter  e:edit  a:add  m:milestone  "
              "c:comment  u:undo  b:boards  p:as at  q:quit"
            : " ?:help  arrows/hjkl:move  /:search  f:filter  b:boards  p:as at  q:quit  "
              "(read-only: editing keys off)";
    screen_put(y, 0, COLS, hint, A_DIM);
}

/* The edit field, drawn where its value lives: on the selected row for
 * readings, on the bottom line for search and commentary. Returns the
 * screen position of the text cursor. */
static void draw_edit(struct browser *b, int *cursor_y, int *cursor_x)
{
    struct edit_field *e = &b->edit;
    const char *label;
    char label_buffer[96];
    int y, x, width;
    switch (e->kind) {
    case EDIT_SEARCH:
        label = "/";
        y = LINES - 1;
        x = 0;
        width = COLS;
        break;
    case EDIT_COMMENT:
        snprintf(label_buffer, sizeof label_buffer, "Comment on %s: ", e->node_code);
        label = label_buffer;
        y = LINES - 1;
        x = 0;
        width = COLS;
        break;
    default: {
        if (e->kind == EDIT_SEGMENT)
            snprintf(label_buffer, sizeof label_buffer, "%s YYYY-MM value: ", e->segment);
        else if (e->kind == EDIT_ADD)
            snprintf(label_buffer, sizeof label_buffer, "new (YYYY-MM value): ");
        else {
            char month[9];
            yearmonth_label(e->period, month);
            snprintf(label_buffer, sizeof label_buffer, "%s: ", month);
        }
        label = label_buffer;
        int row_y = b->tree_y + (int)(b->cursor - b->top);
        y = row_y;
        width = (int)strlen(label) + 14;
        if (width > b->tree_width)
            width = b->tree_width;
        x = b->tree_x + b->tree_width - width;
        break;
    }
    }
    if (y < 0 || y >= LINES || width <= 0) {
        *cursor_y = *cursor_x = -1;
        return;
    }
    screen_fill(y, x, width, A_NORMAL);
    int used = screen_put_clipped(y, x, width, label, A_BOLD);
    int field = width - used;
    if (field < 2) {
        *cursor_y = y;
        *cursor_x = x + used;
        return;
    }
    /* Keep the cursor inside the visible window of the field. */
    if (e->cursor < e->scroll)
        e->scroll = e->cursor;
    size_t columns = 0;
    for (size_t i = e->scroll; i < e->cursor; i++)
        columns += (size_t)(wcwidth(e->text[i]) > 0 ? wcwidth(e->text[i]) : 1);
    while (columns >= (size_t)field && e->scroll < e->cursor) {
        columns -= (size_t)(wcwidth(e->text[e->scroll]) > 0 ? wcwidth(e->text[e->scroll]) : 1);
        e->scroll++;
    }
    screen_fill(y, x + used, field, A_UNDERLINE);
    int drawn = 0;
    attr_t saved;
    short pair;
    attr_get(&saved, &pair, NULL);
    attrset(A_UNDERLINE | A_BOLD);
    for (size_t i = e->scroll; i < e->length; i++) {
        int w = wcwidth(e->text[i]);
        if (w < 1)
            w = 1;
        if (drawn + w > field)
            break;
        wchar_t one[2] = {e->text[i], 0};
        mvaddwstr(y, x + used + drawn, one);
        drawn += w;
    }
    attrset(saved);
    *cursor_y = y;
    *cursor_x = x + used + (int)columns;
}

static void draw_overlay_list(struct browser *b, const char *title, const char *const *items,
                              int count, bool selectable)
{
    /* 72 columns, or as wide as the longest item (an audit row with long
     * old and new values) where the terminal has room. */
    int wanted = 72;
    for (int i = 0; i < count; i++) {
        int item = screen_text_width(&b->style, items[i]) + 4;
        if (item > wanted)
            wanted = item;
    }
    int width = COLS - 4 < wanted ? COLS - 4 : wanted;
    int height = LINES - 4;
    if (width < 10 || height < 3)
        return;
    int x = (COLS - width) / 2, y = 2;
    int shown = height - 2;
    if (b->overlay_cursor >= count)
        b->overlay_cursor = count ? count - 1 : 0;
    if (b->overlay_cursor < 0)
        b->overlay_cursor = 0;
    if (b->overlay_cursor < b->overlay_top)
        b->overlay_top = b->overlay_cursor;
    if (b->overlay_cursor >= b->overlay_top + shown)
        b->overlay_top = b->overlay_cursor - shown + 1;
    if (!selectable && b->overlay_top > count - shown)
        b->overlay_top = count - shown > 0 ? count - shown : 0;
    for (int i = 0; i < height; i++)
        screen_fill(y + i, x, width, A_REVERSE);
    screen_put(y, x + 1, width - 2, title, A_REVERSE | A_BOLD);
    for (int i = 0; i < shown; i++) {
        int index = b->overlay_top + i;
        if (index >= count)
            break;
        bool on = selectable && index == b->overlay_cursor;
        attr_t attr = on ? A_NORMAL | A_BOLD : A_REVERSE;
        screen_fill(y + 1 + i, x + 1, width - 2, attr);
        screen_put(y + 1 + i, x + 2, width - 4, items[index], attr);
    }
    screen_put(y + height - 1, x + 1, width - 2,
               selectable ? "Up/Down choose, Enter picks, Esc closes"
                          : "Up/Down scroll, any other key closes",
               A_REVERSE | A_DIM);
}

/* Text for each overlay, freshly built (the lists are short). */
static char **overlay_items(struct browser *b, int *count, const char **title, bool *selectable)
{
    char **items = NULL;
    *count = 0;
    *selectable = true;
    switch (b->overlay) {
    case OVERLAY_HELP: {
        *title = "Keys (press any key to close)";
        *selectable = false;
        items = xcalloc(REQUEST_COUNT + 2, sizeof *items);
        for (size_t i = 0; i < REQUEST_COUNT; i++) {
            bool on = mode_allows(b->options.mode, &requests[i]);
            items[(*count)++] = xasprintf("%-14s %s%s", requests[i].key_text, requests[i].help,
                                          on ? "" : "  (not available in this mode)");
        }
        if (!b->options.no_mouse)
            items[(*count)++] = xstrdup("mouse          click selects, click again expands, wheel scrolls");
        break;
    }
    case OVERLAY_BOARDS:
        *title = "Boards";
        items = xcalloc(b->board_count + 1, sizeof *items);
        for (size_t i = 0; i < b->board_count; i++)
            items[(*count)++] = xasprintf("%s %-24s %s",
                                          strcmp(b->boards[i].code, b->board_code) == 0 ? "*" : " ",
                                          b->boards[i].code, b->boards[i].title);
        break;
    case OVERLAY_PERIOD: {
        *title = "Show the board as at the end of";
        yearmonth newest = board_as_at(b->board, YEARMONTH_NONE);
        /* The board as loaded may be historical: look at every reading. */
        yearmonth oldest = newest;
        for (size_t i = 0; i < b->board->node_count; i++)
            for (size_t m = 0; m < b->board->nodes[i].metric_count; m++) {
                const struct metric *metric = &b->board->nodes[i].metrics[m];
                for (size_t r = 0; r < metric->reading_count; r++)
                    if (metric->readings[r].period < oldest)
                        oldest = metric->readings[r].period;
            }
        /* A summary or lazy load holds only the latest readings: offer five
         * years. */
        if (b->board->partial && newest - 59 < oldest)
            oldest = newest - 59;
        for (size_t i = 0; i < b->board->node_count; i++)
            for (size_t m = 0; m < b->board->nodes[i].metric_count; m++)
                if (b->board->nodes[i].metrics[m].readings_partial && newest - 59 < oldest)
                    oldest = newest - 59;
        int months = newest && oldest ? newest - oldest + 1 : 0;
        if (b->as_of && b->as_of > newest)
            months = 0;
        items = xcalloc((size_t)months + 2, sizeof *items);
        items[(*count)++] = xstrdup("the latest month (live)");
        for (int i = 0; i < months; i++) {
            char label[9];
            yearmonth_label(newest - i, label);
            items[(*count)++] = xstrdup(label);
        }
        break;
    }
    case OVERLAY_MILESTONE:
        *title = "Milestone status";
        items = xcalloc(MILESTONE_STATUS_COUNT, sizeof *items);
        for (int i = 0; i < MILESTONE_STATUS_COUNT; i++)
            items[(*count)++] = xstrdup(milestone_status_label((enum milestone_status)i));
        break;
    case OVERLAY_SEGMENT: {
        *title = "Segment";
        const struct metric *metric = row_metric(b, &b->rows[b->cursor], NULL);
        items = xcalloc(metric ? metric->reading_count + 1 : 1, sizeof *items);
        for (size_t r = 0; metric && r < metric->reading_count; r++) {
            const struct reading *reading = &metric->readings[r];
            if (!reading->segment)
                continue;
            if (*count && strcmp(items[*count - 1], reading->segment) == 0)
                continue;
            items[(*count)++] = xstrdup(reading->segment);
        }
        break;
    }
    case OVERLAY_AUDIT:
        *title = "Change history (newest first)";
        *selectable = false;
        items = xcalloc(b->audit_count + 1, sizeof *items);
        for (size_t i = 0; i < b->audit_count; i++) {
            const struct audit_entry *a = &b->audit[i];
            items[(*count)++] = xasprintf("%s %s %s %s: %s -> %s", a->at, a->who, a->action,
                                          a->node_code ? a->node_code : "",
                                          a->old_value ? a->old_value : "-",
                                          a->new_value ? a->new_value : "-");
        }
        if (*count == 0)
            items[(*count)++] = xstrdup("No changes recorded for this node.");
        break;
    default:
        break;
    }
    return items;
}

static void free_items(char **items, int count)
{
    for (int i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

static void layout(struct browser *b)
{
    int body_y = 1, body_height = LINES - 3;
    b->wide = COLS >= WIDE_LAYOUT;
    if (b->wide) {
        b->tree_x = 0;
        b->tree_width = COLS * 11 / 20;
        b->detail_x = b->tree_width;
        b->detail_width = COLS - b->tree_width;
        b->tree_y = b->detail_y = body_y;
        b->tree_height = b->detail_height = body_height;
    } else if (b->focus_detail) {
        b->tree_height = 0;
        b->tree_width = COLS;
        b->tree_x = 0;
        b->tree_y = body_y;
        b->detail_x = 0;
        b->detail_width = COLS;
        b->detail_y = body_y;
        b->detail_height = body_height;
    } else {
        b->tree_x = 0;
        b->tree_width = COLS;
        b->tree_y = body_y;
        b->tree_height = body_height;
        b->detail_height = 0;
        b->detail_width = 0;
    }
}

static void draw_too_small(void)
{
    erase();
    const char *lines[] = {"Terminal too small", "make it at least 30x8"};
    for (int i = 0; i < 2 && i < LINES; i++)
        screen_put(i, 0, COLS, lines[i], i == 0 ? A_BOLD : A_NORMAL);
    move(0, 0);
}

static void draw(struct browser *b)
{
    if (COLS < MIN_WIDTH || LINES < MIN_HEIGHT) {
        draw_too_small();
        refresh();
        return;
    }
    erase();
    layout(b);
    draw_header(b);
    draw_tree(b);
    if (b->detail_width > 0 && b->detail_height > 0) {
        if (b->wide)
            for (int y = 0; y < b->detail_height; y++)
                screen_put_clipped(b->detail_y + y, b->detail_x, 1,
                                   glyph(b, "\xe2\x94\x82", "|"), A_DIM); /* │ */
        draw_detail(b);
    }
    draw_summary(b, LINES - 2);
    draw_hint(b, LINES - 1);
    if (b->edit.kind != EDIT_NONE && b->message[0]) {
        /* The field owns a line; its message goes just above it. */
        int y = (b->edit.kind == EDIT_SEARCH || b->edit.kind == EDIT_COMMENT) ? LINES - 2 : LINES - 1;
        screen_fill(y, 0, COLS, A_NORMAL);
        screen_put(y, 0, COLS, b->message,
                   (b->message_is_error ? screen_pair_attr(&b->style, PAIR_ERROR) : A_NORMAL) | A_BOLD);
    }
    int cursor_y = -1, cursor_x = -1;
    if (b->overlay != OVERLAY_NONE) {
        int count;
        const char *title = "";
        bool selectable;
        char **items = overlay_items(b, &count, &title, &selectable);
        draw_overlay_list(b, title, (const char *const *)items, count, selectable);
        free_items(items, count);
        cursor_y = 3 + b->overlay_cursor - b->overlay_top;
        cursor_x = (COLS - (COLS - 4 < 72 ? COLS - 4 : 72)) / 2 + 1;
    } else if (b->edit.kind != EDIT_NONE) {
        draw_edit(b, &cursor_y, &cursor_x);
    } else if (b->focus_detail && b->detail_height > 0) {
        cursor_y = b->detail_y;
        cursor_x = b->detail_x + 1;
    } else if (b->row_count) {
        /* The hardware cursor sits on the selected row's badge, so screen
         * readers and magnifiers follow the selection. */
        const struct node *node = &b->board->nodes[b->rows[b->cursor].node];
        cursor_y = b->tree_y + (int)(b->cursor - b->top);
        int indent = (int)node->depth * 2 + (b->rows[b->cursor].metric >= 0 ? 2 : 0);
        if (indent > b->tree_width / 3)
            indent = b->tree_width / 3;
        cursor_x = b->tree_x + indent + 2;
    }
    if (cursor_y >= 0 && cursor_y < LINES && cursor_x >= 0 && cursor_x < COLS)
        move(cursor_y, cursor_x);
    refresh();
}

/* ---- Edits --------------------------------------------------------------- */

static void edit_set_text(struct edit_field *e, const char *text)
{
    e->length = 0;
    const unsigned char *s = (const unsigned char *)text;
    mbstate_t state = {0};
    while (*s && e->length < EDIT_MAX) {
        wchar_t c;
        size_t n = mbrtowc(&c, (const char *)s, strlen((const char *)s), &state);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
            c = *s;
            n = 1;
            memset(&state, 0, sizeof state);
        }
        e->text[e->length++] = c;
        s += n;
    }
    e->text[e->length] = 0;
    e->cursor = e->length;
    e->scroll = 0;
}

static char *edit_text(const struct edit_field *e)
{
    struct text_buffer out = {0};
    text_append(&out, "");
    for (size_t i = 0; i < e->length; i++) {
        char bytes[MB_LEN_MAX + 1];
        mbstate_t state = {0};
        size_t n = wcrtomb(bytes, e->text[i], &state);
        if (n == (size_t)-1) {
            /* Not representable in this locale: keep it as UTF-8 anyway. */
            unsigned c = (unsigned)e->text[i];
            n = 0;
            if (c < 0x800) {
                bytes[n++] = (char)(0xC0 | (c >> 6));
                bytes[n++] = (char)(0x80 | (c & 0x3F));
            } else {
                bytes[n++] = (char)(0xE0 | ((c >> 12) & 0x0F));
                bytes[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
                bytes[n++] = (char)(0x80 | (c & 0x3F));
            }
        }
        text_append_length(&out, bytes, n);
    }
    char *text = out.data;
    return text;
}

static void edit_close(struct browser *b)
{
    free(b->edit.metric_code);
    free(b->edit.segment);
    free(b->edit.node_code);
    memset(&b->edit, 0, sizeof b->edit);
}

static void edit_open(struct browser *b, enum edit_kind kind, const char *text)
{
    edit_close(b);
    b->edit.kind = kind;
    edit_set_text(&b->edit, text);
    b->message[0] = '\0';
}

/* The write path re-checks the gate: nothing reaches the command layer in
 * read-only or kiosk mode, whatever led here. */
static bool may_write(struct browser *b)
{
    if (b->options.mode != SCREEN_EDIT || store_is_read_only(b->store)) {
        set_message(b, true, "This store is open read-only; nothing can be changed here.");
        return false;
    }
    if (b->as_of) {
        set_message(b, true, "You are looking at an earlier month; press p and pick the latest "
                             "to make changes.");
        return false;
    }
    return true;
}

static void reload_after_write(struct browser *b)
{
    struct error error = {0};
    if (!load_board(b, b->board_code, b->as_of, &error))
        set_message(b, true, "%s", error.message);
}

/* Enter in an edit field: validate and commit, or leave the field open
 * with a one-line message. */
static void edit_commit(struct browser *b)
{
    struct edit_field *e = &b->edit;
    char *text = edit_text(e);
    struct error error = {0};
    struct change change = {0};
    bool done = false;
    if (e->kind == EDIT_SEARCH) {
        edit_close(b);
        free(text);
        b->message[0] = '\0';
        return;
    }
    if (!may_write(b)) {
        edit_close(b);
        free(text);
        return;
    }
    if (e->kind == EDIT_VALUE) {
        char period[8];
        yearmonth_format(e->period, period);
        done = command_record_reading(b->store, b->board_code, e->metric_code, text, period, NULL,
                                      NULL, &change, &error);
    } else if (e->kind == EDIT_ADD || e->kind == EDIT_SEGMENT) {
        /* "YYYY-MM VALUE", or just a value for the default month. */
        char *space = text + strspn(text, " ");
        char *value = space;
        char period[16] = "";
        char *gap = strchr(space, ' ');
        if (gap) {
            size_t length = (size_t)(gap - space);
            if (length >= sizeof period)
                length = sizeof period - 1;
            memcpy(period, space, length);
            period[length] = '\0';
            value = gap + strspn(gap, " ");
        } else {
            yearmonth_format(e->period, period);
        }
        if (!*value) {
            error_set(&error, EXIT_DATA, "Type a value after the month, for example %s 68.4.",
                      period);
        } else {
            done = command_record_reading(b->store, b->board_code, e->metric_code, value, period,
                                          e->kind == EDIT_SEGMENT ? e->segment : NULL, NULL,
                                          &change, &error);
        }
    } else if (e->kind == EDIT_COMMENT) {
        if (!text[strspn(text, " ")]) {
            error_set(&error, EXIT_DATA, "A comment needs some text; Esc cancels.");
        } else {
            char month[8];
            yearmonth_format(b->status.as_at ? b->status.as_at : yearmonth_current(), month);
            done = command_add_comment(b->store, b->board_code, e->node_code, text, month, &change,
                                       &error);
        }
    }
    free(text);
    if (!done) {
        set_message(b, true, "%s", error.message);
        return; /* the field stays open with what was typed */
    }
    char month[8];
    yearmonth_format(change.period, month);
    if (change.kind == CHANGE_READING) {
        char shown[48], old[48];
        snprintf(shown, sizeof shown, "%g", change.new_value);
        snprintf(old, sizeof old, "%g", change.old_value);
        set_message(b, false, "Recorded %s %s%s%s = %s%s%s%s. (u undoes)", change.node_code, month,
                    change.segment ? " " : "", change.segment ? change.segment : "", shown,
                    change.had_old ? " (was " : "", change.had_old ? old : "",
                    change.had_old ? ")" : "");
    } else {
        set_message(b, false, "Comment added to %s. (u undoes)", change.node_code);
    }
    command_history_push(&b->history, &change);
    edit_close(b);
    reload_after_write(b);
}

static void edit_key(struct browser *b, wint_t key, bool is_function)
{
    struct edit_field *e = &b->edit;
    if (!is_function && (key == 27)) {
        bool search = e->kind == EDIT_SEARCH;
        edit_close(b);
        b->message[0] = '\0';
        if (search && b->search_origin < b->row_count)
            select_row(b, b->search_origin);
        return;
    }
    if ((!is_function && (key == '\r' || key == '\n')) || (is_function && key == KEY_ENTER)) {
        edit_commit(b);
        return;
    }
    bool changed = false;
    if (is_function) {
        switch (key) {
        case KEY_LEFT: if (e->cursor) e->cursor--; break;
        case KEY_RIGHT: if (e->cursor < e->length) e->cursor++; break;
        case KEY_HOME: e->cursor = 0; break;
        case KEY_END: e->cursor = e->length; break;
        case KEY_BACKSPACE:
            if (e->cursor) {
                memmove(&e->text[e->cursor - 1], &e->text[e->cursor],
                        (e->length - e->cursor + 1) * sizeof *e->text);
                e->cursor--;
                e->length--;
                changed = true;
            }
            break;
        case KEY_DC:
            if (e->cursor < e->length) {
                memmove(&e->text[e->cursor], &e->text[e->cursor + 1],
                        (e->length - e->cursor) * sizeof *e->text);
                e->length--;
                changed = true;
            }
            break;
        default: break;
        }
    } else if (key == 127 || key == 8) {
        if (e->cursor) {
            memmove(&e->text[e->cursor - 1], &e->text[e->cursor],
                    (e->length - e->cursor + 1) * sizeof *e->text);
            e->cursor--;
            e->length--;
            changed = true;
        }
    } else if (key == CTRL('a')) {
        e->cursor = 0;
    } else if (key == CTRL('e')) {
        e->cursor = e->length;
    } else if (key == CTRL('u')) {
        e->length = e->cursor = e->scroll = 0;
        e->text[0] = 0;
        changed = true;
    } else if (key < 0x20 || key == 0x7F || (key >= 0x80 && key < 0xA0)) {
        set_message(b, true, "Control characters (such as Tab) cannot be typed here.");
    } else {
        if (e->length < EDIT_MAX) {
            memmove(&e->text[e->cursor + 1], &e->text[e->cursor],
                    (e->length - e->cursor + 1) * sizeof *e->text);
            e->text[e->cursor++] = (wchar_t)key;
            e->length++;
            changed = true;
        }
    }
    if (changed && e->kind != EDIT_SEARCH)
        b->message[0] = '\0';
    if (changed && e->kind == EDIT_SEARCH) {
        char *text = edit_text(e);
        snprintf(b->search, sizeof b->search, "%s", text);
        free(text);
        /* Incremental: jump to the first match from where the search began. */
        search_from(b, b->search_origin < b->row_count ? b->rows[b->search_origin].node : 0, 1,
                    true);
    }
}

/* ---- Search ---------------------------------------------------------------- */

static bool contains_folded(const char *haystack, const char *needle)
{
    if (!haystack)
        return false;
    size_t length = strlen(needle);
    for (const char *h = haystack; *h; h++) {
        size_t i = 0;
        while (i < length && h[i] &&
               tolower((unsigned char)h[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == length)
            return true;
    }
    return false;
}

static bool node_matches(const struct browser *b, size_t index, const char *needle)
{
    const struct node *node = &b->board->nodes[index];
    if (contains_folded(node->code, needle) || contains_folded(node->title, needle))
        return true;
    for (size_t m = 0; m < node->metric_count; m++)
        if (contains_folded(node->metrics[m].name, needle))
            return true;
    return false;
}

/* Opens the ancestors of a node that may not be loaded yet (the store says
 * who they are, top down) and returns its index, or NODE_NONE. */
static size_t reveal_code(struct browser *b, const char *code)
{
    char **chain = NULL;
    size_t depth = 0, capacity = 0;
    char *current = xstrdup(code);
    bool ok = true;
    while (ok && current) {
        void *grown = chain;
        grow_array(&grown, &capacity, depth + 1, sizeof *chain);
        chain = grown;
        chain[depth++] = current;
        bool found = false;
        struct error error = {0};
        char *parent = NULL;
        ok = store_node_parent(b->store, b->board->id, current, &parent, &found, &error);
        if (!ok)
            set_message(b, true, "%s", error.message);
        current = found ? parent : NULL;
    }
    size_t index = NODE_NONE;
    for (size_t k = depth; ok && k-- > 0;) {
        struct node *node = board_find_node(b->board, chain[k]);
        if (!node)
            break;
        index = (size_t)(node - b->board->nodes);
        if (k > 0 && !expand_node(b, index))
            index = NODE_NONE;
    }
    for (size_t k = 0; k < depth; k++)
        free(chain[k]);
    free(chain);
    return ok ? index : NODE_NONE;
}

/* Search in a lazily loaded board: the store finds the match, in tree order
 * from the start node's place, wrapping round once. */
static void search_stored(struct browser *b, size_t start, int step, bool inclusive)
{
    const struct node *from = &b->board->nodes[start];
    int order = from->tree_order + (inclusive ? -step : 0);
    bool forward = step > 0;
    char *code = NULL;
    bool found = false;
    struct error error = {0};
    for (int attempt = 0; attempt < 2 && !found; attempt++) {
        if (!store_search_node(b->store, b->board->id, b->search, order, forward,
                               b->filter == FILTER_RED         ? RAG_RED
                               : b->filter == FILTER_RED_AMBER ? RAG_AMBER
                                                               : RAG_GREY,
                               &code, &found, &error)) {
            set_message(b, true, "%s", error.message);
            return;
        }
        order = forward ? -1 : INT_MAX;
    }
    if (!found) {
        set_message(b, true, "No match for \"%s\".", b->search);
        return;
    }
    size_t index = reveal_code(b, code);
    free(code);
    if (index == NODE_NONE)
        return;
    build_rows(b);
    size_t row = find_row(b, index, -1);
    if (row != (size_t)-1) {
        select_row(b, row);
        b->message[0] = '\0';
    }
}

/* Finds the next node (in tree order, wrapping) matching the search, from
 * `start` (inclusive if `inclusive`) in `step` direction; opens its
 * ancestors and selects it. */
static void search_from(struct browser *b, size_t start, int step, bool inclusive)
{
    size_t count = b->board->node_count;
    if (!b->search[0] || count == 0)
        return;
    if (b->board->partial) {
        search_stored(b, start, step, inclusive);
        return;
    }
    for (size_t k = inclusive ? 0 : 1; k <= count; k++) {
        size_t index = (start + count + (size_t)((long)step * (long)k) % count) % count;
        if (step < 0)
            index = (start + count * (k / count + 1) - k) % count;
        if (!passes_filter(b, index) || !node_matches(b, index, b->search))
            continue;
        reveal(b, index);
        build_rows(b);
        size_t row = find_row(b, index, -1);
        if (row != (size_t)-1) {
            select_row(b, row);
            b->message[0] = '\0';
            return;
        }
    }
    set_message(b, true, "No match for \"%s\".", b->search);
}

/* ---- Requests -------------------------------------------------------------- */

static void open_overlay(struct browser *b, enum overlay overlay)
{
    b->overlay = overlay;
    b->overlay_cursor = b->overlay_top = 0;
}

static const struct metric *selected_metric(struct browser *b)
{
    if (b->row_count == 0)
        return NULL;
    struct row *row = &b->rows[b->cursor];
    const struct node *node = &b->board->nodes[row->node];
    if (row->metric < 0 && node->metric_count > 1) {
        /* Open the deliverable and move to its first metric. */
        size_t index = row->node;
        expand_node(b, index);
        build_rows(b);
        select_row(b, find_row(b, index, 0));
        row = &b->rows[b->cursor];
    }
    return row_metric(b, row, NULL);
}

static void start_value_edit(struct browser *b, enum edit_kind kind)
{
    const struct metric *metric = selected_metric(b);
    if (!metric) {
        set_message(b, true, "Only measured rows have values; choose a deliverable with a metric.");
        return;
    }
    const struct reading *latest = metric_latest_reading(metric);
    char text[64] = "";
    yearmonth period;
    if (kind == EDIT_VALUE) {
        if (!latest) {
            kind = EDIT_ADD; /* nothing to edit yet: add the first reading */
        } else {
            period = latest->period;
            snprintf(text, sizeof text, "%.15g", latest->value);
        }
    }
    if (kind == EDIT_ADD) {
        yearmonth current = yearmonth_current();
        period = latest ? latest->period + 1 : current;
        if (period > current)
            period = current;
        yearmonth_format(period, text);
        strcat(text, " ");
    }
    edit_open(b, kind, text);
    b->edit.metric_code = xstrdup(metric->code);
    b->edit.period = period;
}

static void do_undo(struct browser *b, bool redo)
{
    if (!may_write(b))
        return;
    struct error error = {0};
    char message[600];
    const char *touched = NULL;
    bool ok = redo ? command_history_redo(&b->history, b->store, message, sizeof message,
                                          &touched, &error)
                   : command_history_undo(&b->history, b->store, message, sizeof message,
                                          &touched, &error);
    if (!ok) {
        set_message(b, true, "%s", error.message);
        return;
    }
    set_message(b, false, "%s", message);
    char *code = xstrdup(touched);
    reload_after_write(b);
    select_code(b, code);
    free(code);
}

static void expand_all(struct browser *b, bool expand)
{
    if (expand && b->board->partial) {
        /* Everything is about to show: load the whole tree in one go. */
        struct error error = {0};
        if (!load_board_as(b, b->board_code, b->as_of, true, &error)) {
            set_message(b, true, "%s", error.message);
            return;
        }
    }
    char *keep = selected_code(b) ? xstrdup(selected_code(b)) : NULL;
    for (size_t i = 0; i < b->board->node_count; i++)
        b->expanded[i] = expand;
    build_rows(b);
    if (keep && expand)
        select_code(b, keep);
    free(keep);
}

static void perform(struct browser *b, enum request request)
{
    /* Every request that changes data is re-checked here as well. */
    const struct request_info *info = request_info(request);
    if (info && !mode_allows(b->options.mode, info))
        return;
    if (b->row_count == 0 && request != REQ_QUIT && request != REQ_HELP &&
        request != REQ_FILTER && request != REQ_BOARDS && request != REQ_PERIOD &&
        request != REQ_REDRAW) {
        return;
    }
    size_t page = b->tree_height > 1 ? (size_t)b->tree_height - 1 : 1;
    struct row *row = b->row_count ? &b->rows[b->cursor] : NULL;
    if (b->focus_detail && b->detail_height > 0) {
        switch (request) {
        case REQ_UP: b->detail_scroll--; return;
        case REQ_DOWN: b->detail_scroll++; return;
        case REQ_PAGE_UP: b->detail_scroll -= b->detail_height - 1; return;
        case REQ_PAGE_DOWN: b->detail_scroll += b->detail_height - 1; return;
        case REQ_FIRST: b->detail_scroll = 0; return;
        case REQ_LAST: b->detail_scroll = 1 << 20; return;
        case REQ_COLLAPSE: b->focus_detail = false; return;
        default: break;
        }
    }
    switch (request) {
    case REQ_UP:
        if (b->cursor > 0)
            select_row(b, b->cursor - 1);
        break;
    case REQ_DOWN:
        select_row(b, b->cursor + 1);
        break;
    case REQ_EXPAND: {
        if (row->metric >= 0)
            break;
        size_t node = row->node;
        if (!node_has_children(b, node))
            break;
        if (!b->expanded[node]) {
            expand_node(b, node);
            build_rows(b);
            break;
        }
        /* Already open: go back to the child we came from, else the first. */
        size_t target = b->came_from[node];
        size_t index = target != NODE_NONE ? find_row(b, target, -1) : (size_t)-1;
        if (index == (size_t)-1)
            index = b->cursor + 1 < b->row_count ? b->cursor + 1 : b->cursor;
        select_row(b, index);
        break;
    }
    case REQ_COLLAPSE: {
        size_t node = row->node;
        if (row->metric < 0 && node_has_children(b, node) && b->expanded[node]) {
            b->expanded[node] = false;
            build_rows(b);
            select_row(b, find_row(b, node, -1));
            break;
        }
        size_t parent = row->metric >= 0 ? node : b->board->nodes[node].parent;
        if (parent == NODE_NONE)
            break;
        b->came_from[parent] = row->metric >= 0 ? NODE_NONE : node;
        size_t index = find_row(b, parent, -1);
        if (index != (size_t)-1)
            select_row(b, index);
        break;
    }
    case REQ_OPEN:
        if (row->metric < 0 && node_has_children(b, row->node)) {
            expand_node(b, row->node);
            build_rows(b);
        }
        break;
    case REQ_CLOSE: {
        size_t node = row->node;
        if (row->metric >= 0 || !b->expanded[node] || !node_has_children(b, node))
            node = row->metric >= 0 ? node : b->board->nodes[node].parent;
        if (node == NODE_NONE)
            break;
        b->expanded[node] = false;
        build_rows(b);
        select_row(b, find_row(b, node, -1));
        break;
    }
    case REQ_EXPAND_ALL: {
        bool all_open = true;
        for (size_t i = 0; i < b->board->node_count && all_open; i++)
            if (node_has_children(b, i) && !b->expanded[i])
                all_open = false;
        size_t node = row->node;
        expand_all(b, !all_open);
        if (all_open) {
            while (b->board->nodes[node].parent != NODE_NONE)
                node = b->board->nodes[node].parent;
            select_row(b, find_row(b, node, -1));
        }
        break;
    }
    case REQ_FIRST: select_row(b, 0); break;
    case REQ_LAST: select_row(b, b->row_count - 1); break;
    case REQ_PAGE_UP: select_row(b, b->cursor > page ? b->cursor - page : 0); break;
    case REQ_PAGE_DOWN: select_row(b, b->cursor + page); break;
    case REQ_FOCUS:
        b->focus_detail = !b->focus_detail;
        break;
    case REQ_SEARCH:
        b->search_origin = b->cursor;
        edit_open(b, EDIT_SEARCH, "");
        break;
    case REQ_NEXT_MATCH:
    case REQ_PREVIOUS_MATCH:
        if (!b->search[0]) {
            set_message(b, true, "No search yet; press / to search.");
            break;
        }
        search_from(b, row->node, request == REQ_NEXT_MATCH ? 1 : -1, false);
        break;
    case REQ_FILTER: {
        char *keep = selected_code(b) ? xstrdup(selected_code(b)) : NULL;
        b->filter = (enum filter)((b->filter + 1) % 3);
        build_rows(b);
        if (keep)
            select_code(b, keep);
        free(keep);
        set_message(b, false, "%s",
                    b->filter == FILTER_ALL ? "Showing every status."
                    : b->filter == FILTER_RED ? "Showing R only (with their aims and objectives)."
                                              : "Showing R and A (with their aims and objectives).");
        break;
    }
    case REQ_BOARDS: {
        struct error error = {0};
        board_summaries_free(b->boards, b->board_count);
        b->boards = NULL;
        b->board_count = 0;
        if (!store_list_boards(b->store, &b->boards, &b->board_count, &error)) {
            set_message(b, true, "%s", error.message);
            break;
        }
        open_overlay(b, OVERLAY_BOARDS);
        for (size_t i = 0; i < b->board_count; i++)
            if (strcmp(b->boards[i].code, b->board_code) == 0)
                b->overlay_cursor = (int)i;
        break;
    }
    case REQ_PERIOD:
        open_overlay(b, OVERLAY_PERIOD);
        break;
    case REQ_AUDIT: {
        struct error error = {0};
        audit_entries_free(b->audit, b->audit_count);
        b->audit = NULL;
        b->audit_count = 0;
        struct audit_entry *all;
        size_t count;
        if (!store_audit_log(b->store, b->board_code, NULL, &all, &count, &error)) {
            set_message(b, true, "%s", error.message);
            break;
        }
        /* Keep the rows about this node, its metrics and what lies under it
         * (loaded first, if the board loads lazily). */
        size_t at = row->node;
        for (size_t i = at; i < b->board->nodes[at].subtree_end; i++)
            if (!load_children(b, i))
                break;
        build_rows(b);
        row = &b->rows[b->cursor];
        const struct node *node = &b->board->nodes[row->node];
        b->audit = xcalloc(count ? count : 1, sizeof *b->audit);
        for (size_t i = 0; i < count; i++) {
            bool mine = false;
            for (size_t n = row->node; n < node->subtree_end && !mine; n++) {
                const struct node *each = &b->board->nodes[n];
                mine = all[i].node_code && strcmp(all[i].node_code, each->code) == 0;
                for (size_t m = 0; m < each->metric_count && !mine; m++)
                    mine = all[i].node_code && strcmp(all[i].node_code, each->metrics[m].code) == 0;
            }
            if (mine) {
                b->audit[b->audit_count++] = all[i];
                memset(&all[i], 0, sizeof all[i]);
            }
        }
        audit_entries_free(all, count);
        open_overlay(b, OVERLAY_AUDIT);
        break;
    }
    case REQ_HELP:
        open_overlay(b, OVERLAY_HELP);
        break;
    case REQ_REDRAW:
        clearok(curscr, TRUE);
        break;
    case REQ_QUIT:
        b->quit = true;
        break;
    case REQ_EDIT:
        if (may_write(b))
            start_value_edit(b, EDIT_VALUE);
        break;
    case REQ_ADD:
        if (may_write(b))
            start_value_edit(b, EDIT_ADD);
        break;
    case REQ_SEGMENT: {
        if (!may_write(b))
            break;
        const struct metric *metric = selected_metric(b);
        if (!metric || !metric->breakdown) {
            set_message(b, true, "This row has no breakdown by segment.");
            break;
        }
        ensure_full_readings(b, b->rows[b->cursor].node);
        open_overlay(b, OVERLAY_SEGMENT);
        break;
    }
    case REQ_MILESTONE:
        if (!may_write(b))
            break;
        if (!b->board->nodes[row->node].has_milestone || row->metric >= 0) {
            set_message(b, true, "Only milestone deliverables have a status to set.");
            break;
        }
        open_overlay(b, OVERLAY_MILESTONE);
        b->overlay_cursor = (int)milestone_status_at(&b->board->nodes[row->node].milestone,
                                                     b->status.as_at);
        break;
    case REQ_COMMENT:
        if (!may_write(b))
            break;
        edit_open(b, EDIT_COMMENT, "");
        b->edit.node_code = xstrdup(b->board->nodes[row->node].code);
        break;
    case REQ_UNDO: do_undo(b, false); break;
    case REQ_REDO: do_undo(b, true); break;
    case REQ_NONE: break;
    }
}

static void overlay_pick(struct browser *b)
{
    struct error error = {0};
    int pick = b->overlay_cursor;
    enum overlay overlay = b->overlay;
    b->overlay = OVERLAY_NONE;
    switch (overlay) {
    case OVERLAY_BOARDS:
        if (pick >= 0 && (size_t)pick < b->board_count) {
            char *code = xstrdup(b->boards[pick].code);
            if (!load_board(b, code, YEARMONTH_NONE, &error))
                set_message(b, true, "%s", error.message);
            else
                set_message(b, false, "Opened %s.", code);
            free(code);
        }
        break;
    case OVERLAY_PERIOD: {
        yearmonth newest = board_as_at(b->board, YEARMONTH_NONE);
        if (b->as_of) {
            /* Reload live first so the list's months are the full range. */
            if (!load_board(b, b->board_code, YEARMONTH_NONE, &error)) {
                set_message(b, true, "%s", error.message);
                break;
            }
            newest = board_as_at(b->board, YEARMONTH_NONE);
        }
        yearmonth as_of = pick <= 0 ? YEARMONTH_NONE : newest - (pick - 1);
        if (!load_board(b, b->board_code, as_of, &error))
            set_message(b, true, "%s", error.message);
        else if (as_of) {
            char label[9];
            yearmonth_label(as_of, label);
            set_message(b, false, "Showing the board as it stood at the end of %s (read-only).",
                        label);
        } else {
            set_message(b, false, "Showing the latest month.");
        }
        break;
    }
    case OVERLAY_MILESTONE: {
        if (!may_write(b))
            break;
        struct change change = {0};
        const struct node *node = &b->board->nodes[b->rows[b->cursor].node];
        /* The update is for the month the pack reports ("as at"). */
        char month[8];
        yearmonth_format(b->status.as_at ? b->status.as_at : yearmonth_current(), month);
        if (!command_set_milestone(b->store, b->board_code, node->code,
                                   (enum milestone_status)pick, month, NULL, &change, &error)) {
            set_message(b, true, "%s", error.message);
            break;
        }
        set_message(b, false, "Milestone %s set to %s. (u undoes)", node->code,
                    milestone_status_label((enum milestone_status)pick));
        command_history_push(&b->history, &change);
        reload_after_write(b);
        break;
    }
    case OVERLAY_SEGMENT: {
        int count;
        const char *title;
        bool selectable;
        b->overlay = OVERLAY_SEGMENT;
        char **items = overlay_items(b, &count, &title, &selectable);
        b->overlay = OVERLAY_NONE;
        const struct metric *metric = row_metric(b, &b->rows[b->cursor], NULL);
        if (pick >= 0 && pick < count && metric) {
            const char *segment = items[pick];
            const struct reading *series;
            size_t n = metric_series(metric, segment, &series);
            yearmonth period = n ? series[n - 1].period : yearmonth_current();
            char text[64], month[8];
            yearmonth_format(period, month);
            if (n)
                snprintf(text, sizeof text, "%s %.15g", month, series[n - 1].value);
            else
                snprintf(text, sizeof text, "%s ", month);
            edit_open(b, EDIT_SEGMENT, text);
            b->edit.metric_code = xstrdup(metric->code);
            b->edit.segment = xstrdup(segment);
            b->edit.period = period;
        }
        free_items(items, count);
        break;
    }
    default:
        break;
    }
}

static void overlay_key(struct browser *b, int key, bool is_function)
{
    int count;
    const char *title;
    bool selectable;
    char **items = overlay_items(b, &count, &title, &selectable);
    free_items(items, count);
    int page = LINES - 7 > 1 ? LINES - 7 : 1;
    if (is_function || key == 'j' || key == 'k' || key == 'g' || key == 'G') {
        int move = 0;
        switch (key) {
        case KEY_UP: case 'k': move = -1; break;
        case KEY_DOWN: case 'j': move = 1; break;
        case KEY_PPAGE: move = -page; break;
        case KEY_NPAGE: move = page; break;
        case KEY_HOME: case 'g': move = -count; break;
        case KEY_END: case 'G': move = count; break;
        case KEY_ENTER: if (selectable) { overlay_pick(b); return; } break;
        case KEY_RESIZE: return;
        case KEY_MOUSE: return;
        default: break;
        }
        if (move) {
            if (selectable) {
                b->overlay_cursor += move;
                if (b->overlay_cursor < 0)
                    b->overlay_cursor = 0;
                if (b->overlay_cursor >= count)
                    b->overlay_cursor = count - 1;
            } else {
                b->overlay_top += move;
                if (b->overlay_top < 0)
                    b->overlay_top = 0;
            }
            return;
        }
    }
    if (selectable && (key == '\r' || key == '\n')) {
        overlay_pick(b);
        return;
    }
    b->overlay = OVERLAY_NONE;
}

/* ---- Mouse ----------------------------------------------------------------- */

static void mouse_click(struct browser *b, int y, int x);

static void mouse_event(struct browser *b)
{
    MEVENT event;
    if (getmouse(&event) != OK)
        return;
    if (event.bstate & BUTTON4_PRESSED) {
        if (event.x >= b->detail_x && b->detail_width > 0 && b->wide)
            b->detail_scroll -= 3;
        else
            select_row(b, b->cursor > 3 ? b->cursor - 3 : 0);
        return;
    }
#ifdef BUTTON5_PRESSED
    if (event.bstate & BUTTON5_PRESSED) {
        if (event.x >= b->detail_x && b->detail_width > 0 && b->wide)
            b->detail_scroll += 3;
        else
            select_row(b, b->cursor + 3);
        return;
    }
#endif
    /* Clicks that arrive together may be merged into a double or triple
     * click: each counts as one more "click again". */
    int clicks = (event.bstate & BUTTON1_TRIPLE_CLICKED)   ? 3
                 : (event.bstate & BUTTON1_DOUBLE_CLICKED) ? 2
                 : (event.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) ? 1
                                                                         : 0;
    for (int i = 0; i < clicks; i++)
        mouse_click(b, event.y, event.x);
}

static void mouse_click(struct browser *b, int y, int x)
{
    MEVENT event = {.y = y, .x = x};
    if (b->tree_height > 0 && event.y >= b->tree_y && event.y < b->tree_y + b->tree_height &&
        event.x >= b->tree_x && event.x < b->tree_x + b->tree_width) {
        size_t index = b->top + (size_t)(event.y - b->tree_y);
        if (index >= b->row_count)
            return;
        b->focus_detail = false;
        if (index == b->cursor) {
            const struct row *row = &b->rows[index];
            if (row->metric < 0 && node_has_children(b, row->node)) {
                size_t node = row->node;
                if (b->expanded[node])
                    b->expanded[node] = false;
                else
                    expand_node(b, node);
                build_rows(b);
                select_row(b, find_row(b, node, -1));
            }
        } else {
            select_row(b, index);
        }
    } else if (b->detail_height > 0 && event.x >= b->detail_x && event.y >= b->detail_y &&
               event.y < b->detail_y + b->detail_height) {
        b->focus_detail = true;
    }
}

/* ---- Main loop ------------------------------------------------------------- */

static void browser_free(struct browser *b)
{
    if (b->board) {
        board_status_free(&b->status, b->board->node_count);
        board_free(b->board);
    }
    detail_clear(b);
    free(b->detail);
    free(b->rows);
    free(b->expanded);
    free(b->came_from);
    free(b->board_code);
    edit_close(b);
    board_summaries_free(b->boards, b->board_count);
    audit_entries_free(b->audit, b->audit_count);
    command_history_free(&b->history);
}

static void handle_key(struct browser *b, int status, wint_t key)
{
    bool is_function = status == KEY_CODE_YES;
    if (is_function && key == KEY_RESIZE)
        return;
    if (is_function && key == KEY_MOUSE) {
        if (b->overlay == OVERLAY_NONE && b->edit.kind == EDIT_NONE)
            mouse_event(b);
        else {
            MEVENT event;
            getmouse(&event);
        }
        return;
    }
    if (b->edit.kind != EDIT_NONE) {
        edit_key(b, key, is_function);
        return;
    }
    if (b->overlay != OVERLAY_NONE) {
        overlay_key(b, (int)key, is_function);
        return;
    }
    if (!is_function && key == 27) { /* Esc: leave the detail pane, clear a message */
        b->focus_detail = false;
        b->message[0] = '\0';
        return;
    }
    if (!is_function && key > 0x7F)
        return;
    enum request request = request_for_key(b->options.mode, (int)key);
    if (request == REQ_NONE) {
        /* A known editing key in a read-only mode: say why nothing happens. */
        for (size_t i = 0; i < REQUEST_COUNT; i++)
            for (size_t k = 0; k < 5 && requests[i].keys[k]; k++)
                if (requests[i].keys[k] == (int)key && requests[i].mutates)
                    set_message(b, true, "Read-only: %s is not available here.",
                                requests[i].help);
        return;
    }
    if (b->message_is_error || request != REQ_REDRAW)
        b->message[0] = '\0';
    perform(b, request);
}

int screen_run(struct store *store, const struct screen_options *options, struct error *error)
{
    if (options->mode == SCREEN_KIOSK)
        return kiosk_run(store, options, error);
    struct browser browser = {0};
    struct browser *b = &browser;
    b->store = store;
    b->options = *options;
    if (store_is_read_only(store) && b->options.mode == SCREEN_EDIT)
        b->options.mode = SCREEN_READ_ONLY;
    b->style.ascii = options->ascii;
    screen_set_ascii(options->ascii);
    if (!load_board(b, options->board_code, YEARMONTH_NONE, error)) {
        browser_free(b);
        return error->status ? error->status : EXIT_DATA;
    }
    if (!screen_start(options, &b->style, error)) {
        browser_free(b);
        return error->status;
    }
    struct sigaction action = {0};
    action.sa_handler = on_terminate;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
    if (!options->no_mouse) {
        /* Presses, not clicks: with no click interval a press acts at once. */
        mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON1_CLICKED |
                  BUTTON1_DOUBLE_CLICKED | BUTTON1_TRIPLE_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
                      | BUTTON5_PRESSED
#endif
                  ,
                  NULL);
        mouseinterval(0);
    }
    curs_set(1);
    if (store_is_read_only(store) && options->mode == SCREEN_EDIT)
        set_message(b, false, "You may not change this store, so it is open read-only.");
    draw(b);
    if (options->first_frame_only) {
        screen_stop();
        browser_free(b);
        return EXIT_OK;
    }
    timeout(POLL_MS);
    long long last_poll = screen_now_ms();
    while (!b->quit && !terminate_requested) {
        wint_t key;
        long long asked = screen_now_ms();
        int status = get_wch(&key);
        bool redraw = false;
        if (status != ERR) {
            handle_key(b, status, key);
            redraw = true;
        } else if (screen_now_ms() - asked < POLL_MS / 2 && screen_input_gone()) {
            break; /* the terminal hung up without a SIGHUP */
        }
        /* Another process's writes: reload when the store's version moves. */
        long long now = screen_now_ms();
        if (now - last_poll >= POLL_MS || status == ERR) {
            last_poll = now;
            if (store_changed_since(store, &b->mark) != STORE_UNCHANGED) {
                struct error reload = {0};
                if (!load_board(b, b->board_code, b->as_of, &reload))
                    set_message(b, true, "%s", reload.message);
                redraw = true;
            }
        }
        /* Draw once the typed-ahead keys are all handled. */
        if (redraw) {
            timeout(0);
            while (!b->quit && (status = get_wch(&key)) != ERR)
                handle_key(b, status, key);
            timeout(POLL_MS);
            if (b->quit)
                break;
            draw(b);
        }
    }
    screen_stop();
    browser_free(b);
    return EXIT_OK;
}
