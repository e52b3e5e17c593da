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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "report.h"
#include "screen_internal.h"
#include "store.h"
#include "util.h"

#define POLL_MS 250          /* how often the store is checked for changes */
#define WIDE_LAYOUT 100      /* columns from which tree and detail sit side by side */
#define MIN_WIDTH 30
#define MIN_HEIGHT 8
/* Characters an edit field holds: one more than the longest comment, so a
 * comment one character too long reaches the command layer, which refuses
 * it in a sentence (and the field stays open to be cut), rather than being
 * cut short unseen. */
#define EDIT_MAX (TEXT_MAXIMUM_NOTE + 1)

/* ---- State --------------------------------------------------------------- */

struct row {
    size_t node;
    int metric; /* -1: the node itself; else a metric of a multi-metric deliverable */
};

/* f cycles the first three; M and C turn the last two on and off. */
enum filter { FILTER_ALL, FILTER_RED, FILTER_RED_AMBER, FILTER_MISSING, FILTER_CHANGED };
enum edit_kind {
    EDIT_NONE,
    EDIT_VALUE,
    EDIT_ADD,
    EDIT_SEGMENT,
    EDIT_COMMENT,
    EDIT_SEARCH,
    EDIT_OPEN_MONTH, /* the month to open */
    EDIT_PUBLISH,    /* the month to publish */
    EDIT_REASON,     /* why a published month is corrected, or why something is removed
                      * (the write waits in `pending`) */
};

/* The fields typed on the bottom line rather than over the selected row. */
static bool edit_on_bottom_line(enum edit_kind kind)
{
    return kind == EDIT_SEARCH || kind == EDIT_COMMENT || kind == EDIT_OPEN_MONTH ||
           kind == EDIT_PUBLISH || kind == EDIT_REASON;
}

/* A write waiting for its reason: a correction to a published month, or a
 * removal (which always has one). */
enum pending_kind {
    PENDING_NONE,
    PENDING_READING,
    PENDING_MILESTONE,
    PENDING_COMMENT,
    PENDING_REMOVE_READING,   /* code, segment and period name the reading */
    PENDING_REMOVE_MILESTONE, /* code and row_id name the update */
    PENDING_REMOVE_COMMENT,   /* code and row_id name the comment */
};
struct pending_write {
    enum pending_kind kind;
    char *code;    /* the metric (readings) or the node */
    char *segment; /* readings only; NULL for the whole series */
    char *text;    /* the value, or the comment; a removal: what it removes, for the prompt */
    enum milestone_status status;
    yearmonth period;
    long long row_id; /* a milestone update or comment to remove */
};

/* A row of the retire request's list: retire the selection or restore. */
struct retire_offer {
    char *code, *node_code; /* node_code: the node to show afterwards */
    bool restore;
    char *label;
};

/* A row of the remove request's picker: what it shows, and the removal. */
struct removal_offer {
    char *label;
    struct pending_write write;
};

static bool pending_is_removal(const struct pending_write *p)
{
    return p->kind == PENDING_REMOVE_READING || p->kind == PENDING_REMOVE_MILESTONE ||
           p->kind == PENDING_REMOVE_COMMENT;
}

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
    struct pending_write pending;
    struct overlay_stack overlays; /* help, pickers, history, edit field, search prompt */
    int overlay_cursor, overlay_top;
    struct board_summary *boards;
    size_t board_count;
    struct audit_entry *audit;
    size_t audit_count;
    /* What the remove request offers on the selected node (d), newest first. */
    struct removal_offer *removals;
    size_t removal_count;

    /* The form open (E, A, S): what it edits or adds. */
    struct form form;
    char *form_code;
    bool form_adding;
    enum level form_level;
    struct retire_offer *retire_offers; /* R's list */
    size_t retire_count;
    int retire_pick;

    struct command_history history; /* this session's changes, for u and Ctrl-R */
    struct keymap keymap;           /* keys to requests: the table's, then bind: */

    char message[512];
    bool message_is_error;
    bool reload_failed; /* the message is a failed reload's, nothing since */
    bool quit;
    /* The loop's state between input events. */
    bool redraw, ticked, hung_up;
    long long last_poll;

    /* Layout of the last frame, for the mouse. */
    int tree_y, tree_height, tree_x, tree_width;
    int detail_y, detail_height, detail_x, detail_width;
    bool wide;
    int cursor_at_y, cursor_at_x; /* where the hardware cursor waits */

    struct detail_line *detail;
    size_t detail_count, detail_capacity;
    /* The detail lines are built (readings loaded, SPC worked out) once for
     * each selection, width and load, and kept: what they were built for. */
    unsigned long generation; /* moves on with every load */
    unsigned long loads;      /* moves on with every load of the board */
    struct match_count {      /* the last search's "Match 2 of 5" */
        char term[128];
        int filter, position, total;
        unsigned long loads;
        char *code;           /* the match it was said for */
    } match;
    bool detail_built;
    size_t detail_node;
    int detail_metric, detail_built_width, detail_filter;
    size_t detail_rows;
    unsigned long detail_generation;
};

static void set_message(struct browser *b, bool is_error, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void search_from(struct browser *b, size_t start, int step, bool inclusive);
static unsigned say_error(struct browser *b, const struct error *error);
static bool browser_writable(const struct browser *b);

static void set_message(struct browser *b, bool is_error, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(b->message, sizeof b->message, format, arguments);
    va_end(arguments);
    b->message_is_error = is_error;
    b->reload_failed = false;
}

/* A failed read or write says why on the message line. */
static unsigned say_error(struct browser *b, const struct error *error)
{
    set_message(b, true, "%s", error->message);
    return RESULT_REDRAW;
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
        say_error(b, &error);
        return false;
    }
    size_t added = board->node_count - before;
    if (added == 0)
        return true;
    b->generation++;
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
    /* What moved is known only for the nodes loaded: that filter loads all. */
    if (as_of == YEARMONTH_NONE && b->filter == FILTER_CHANGED)
        everything = true;
    /* The mark is taken before the load: a write between the two is then
     * seen at the next poll (a reload too many at worst), where a mark
     * taken after the load would hide it for good. */
    struct store_mark mark;
    store_mark(b->store, &mark);
    struct board *board;
    yearmonth evaluate_at;
    /* An earlier month shows as published if it was (PUBLISHED, the copy
     * its publication kept), else as the store has it. */
    bool loaded = as_of != YEARMONTH_NONE
                      ? command_load_view(b->store, code, VIEW_MONTH, as_of, &board, &evaluate_at,
                                          error)
                  : everything ? store_load_board_summary(b->store, code, &board, error)
                               : store_load_board_top(b->store, code, &board, error);
    if (!loaded) {
        free_kept(kept, kept_count);
        return false;
    }
    /* A published month's copy is read from a board file: all of it is
     * there, and nothing is to be loaded from the store under its nodes. */
    if (!board->partial)
        for (size_t i = 0; i < board->node_count; i++)
            board->nodes[i].children_loaded = true;
    char *keep = selected_code(b) ? xstrdup(selected_code(b)) : NULL;
    if (b->board) {
        board_status_free(&b->status, b->board->node_count);
        board_free(b->board);
    }
    b->generation++;
    b->loads++;
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
    b->mark = mark;
    return true;
}

static bool load_board(struct browser *b, const char *code, yearmonth as_of, struct error *error)
{
    return load_board_as(b, code, as_of, false, error);
}

/* ---- Rows ---------------------------------------------------------------- */

/* The least status a node must have below it to pass the filter, as the
 * store's search and count take it (RAG_GREY: every node). */
static enum rag filter_least_status(const struct browser *b)
{
    return b->filter == FILTER_RED ? RAG_RED : b->filter == FILTER_RED_AMBER ? RAG_AMBER : RAG_GREY;
}

/* Whether a node's status moved since the last published month, or it is
 * new since then (present_movement's words). */
static bool node_moved(const struct browser *b, size_t index)
{
    char words[24];
    int movement = present_movement(b->board, &b->board->nodes[index], b->status.nodes[index].rag,
                                    true, words, sizeof words);
    return movement != 0 || strcmp(words, "new") == 0;
}

static bool passes_filter(const struct browser *b, size_t index)
{
    if (b->filter == FILTER_ALL)
        return true;
    const struct rollup *r = &b->status.nodes[index];
    if (b->filter == FILTER_MISSING)
        return b->status.open_month != YEARMONTH_NONE && r->awaiting > 0;
    if (b->filter == FILTER_CHANGED) {
        /* The whole tree is loaded while this filter is on (load_board_as). */
        for (size_t i = index; i < b->board->nodes[index].subtree_end; i++)
            if (node_moved(b, i))
                return true;
        return false;
    }
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

static const char *glyph(const struct browser *b, const char *unicode, const char *ascii)
{
    return b->style.ascii ? ascii : unicode;
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
    line->cells = cell_buffer_copy_row(buffer, row);
    line->cell_count = buffer->width;
}

/* Copies present.h's lines into the pane, wrapping paragraphs to width and
 * turning meanings into attributes. */
static void detail_from_present(struct browser *b, const struct present_lines *lines, int width)
{
    for (size_t i = 0; i < lines->count; i++) {
        const struct present_line *line = &lines->lines[i];
        if (line->cells) {
            struct cell_buffer row = {.width = line->cell_count, .height = 1,
                                      .cells = line->cells};
            detail_cells(b, &row, 0);
            continue;
        }
        attr_t attr = screen_meaning_attr(&b->style, present_line_meaning(line));
        const char *text = line->text.data ? line->text.data : "";
        if (line->wrap)
            detail_wrapped(b, attr, line->indent, text, width);
        else
            detail_text(b, attr, text);
    }
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
            say_error(b, &error);
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
    struct present_detail_options options = {.ascii = b->style.ascii, .width = width};
    struct present_lines lines = {0};
    present_detail_build(b->board, &b->status, b->as_of, row->node, row->metric, &options,
                         &lines);
    detail_from_present(b, &lines, width);
    present_lines_free(&lines);
}

/* ---- Drawing ------------------------------------------------------------- */

static void draw_header(struct browser *b)
{
    /* An earlier month cannot be changed: it is read-only, and says so. */
    const char *mode = b->options.mode == SCREEN_EDIT && !b->as_of ? "EDIT"
                       : b->options.mode == SCREEN_KIOSK          ? "KIOSK"
                                                                  : "READ-ONLY";
    struct present_header parts;
    present_browser_header(b->board, b->status.as_at, b->as_of != YEARMONTH_NONE, mode, &parts);
    present_header_month(b->board, &b->status, &parts);
    screen_header_bar(&b->style, &parts, 0, 0);
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
    struct present_tree_row words;
    present_tree_row(b->board, &b->status, b->as_of, row->node, row->metric, b->style.ascii,
                     &words);
    enum rag rag = words.rag;
    if (col + 3 <= x + width) {
        screen_badge(&b->style, y, col, rag);
        if (selected && !b->focus_detail)
            mvchgat(y, col, 3, screen_rag_attr(&b->style, rag) | A_REVERSE,
                    (short)PAIR_NUMBER(screen_rag_attr(&b->style, rag)), NULL);
        col += 4;
    }
    /* The right-hand part: value against target, milestone status or
     * counts; before it "awaiting" (the open month has no update yet: the
     * badge is the month before's), after it the movement since the last
     * published month, each while the title keeps room. */
    char right[160];
    const char *right_forms[3];
    int form_count = 0;
    char with_movement[160], with_awaiting[128];
    snprintf(with_awaiting, sizeof with_awaiting, "%s%s%s", words.awaiting ? "awaiting" : "",
             words.awaiting && words.right[0] ? " " : "", words.right);
    snprintf(with_movement, sizeof with_movement, "%s%s%s", with_awaiting,
             with_awaiting[0] && words.movement[0] ? "  " : "", words.movement);
    /* In the tree only a move shows ("= was A" stays in the detail). */
    if (words.movement[0] && words.movement[0] != '=')
        right_forms[form_count++] = with_movement;
    if (words.awaiting)
        right_forms[form_count++] = with_awaiting;
    right_forms[form_count++] = words.right;
    bool editing = b->edit.kind != EDIT_NONE && !edit_on_bottom_line(b->edit.kind) && selected;
    int title_room = x + width - col;
    int right_width = 0;
    right[0] = '\0';
    for (int f = 0; f < form_count && !editing; f++) {
        int w = screen_text_width(&b->style, right_forms[f]);
        /* The plain form keeps 8 columns of title; the fuller ones 20. */
        if (w && title_room - w - 2 >= (f == form_count - 1 ? 8 : 20)) {
            snprintf(right, sizeof right, "%s", right_forms[f]);
            right_width = w;
            break;
        }
    }
    if (right_width)
        title_room -= right_width + 2;
    int code_width = screen_put_clipped(y, col, title_room, words.code, base | A_BOLD);
    col += code_width + 1;
    title_room -= code_width + 1;
    if (words.title && title_room > 0)
        screen_put(y, col, title_room, words.title, base);
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

/* Builds the detail lines when the selection (or the width, or the
 * board's load) has changed since they were built: drawing only draws. */
static void detail_update(struct browser *b)
{
    int width = b->detail_width;
    if (b->detail_height <= 0 || width <= 0)
        return;
    size_t node = b->row_count ? b->rows[b->cursor].node : NODE_NONE;
    int metric = b->row_count ? b->rows[b->cursor].metric : -1;
    if (b->detail_built && b->detail_node == node && b->detail_metric == metric &&
        b->detail_built_width == width && b->detail_generation == b->generation &&
        b->detail_filter == (int)b->filter && b->detail_rows == b->row_count)
        return;
    build_detail(b, width - 1);
    b->detail_built = true;
    b->detail_node = node;
    b->detail_metric = metric;
    b->detail_built_width = width;
    b->detail_generation = b->generation;
    b->detail_filter = (int)b->filter;
    b->detail_rows = b->row_count;
}

static void draw_detail(struct browser *b)
{
    int height = b->detail_height, width = b->detail_width;
    if (height <= 0 || width <= 0)
        return;
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
    size_t aim = NODE_NONE;
    if (b->row_count) {
        aim = b->rows[b->cursor].node;
        while (b->board->nodes[aim].parent != NODE_NONE)
            aim = b->board->nodes[aim].parent;
    }
    struct present_line summary = {0};
    present_summary(b->board, &b->status, aim, &summary);
    int x = screen_put_spans(&b->style, y, 0, COLS, &summary, A_NORMAL);
    present_line_free(&summary);
    if (b->filter != FILTER_ALL) {
        char filter[64], month[9] = "";
        if (b->filter == FILTER_MISSING && b->status.open_month)
            yearmonth_label(b->status.open_month, month);
        else if (b->filter == FILTER_CHANGED && b->board->months.previous)
            yearmonth_label(b->board->months.previous, month);
        snprintf(filter, sizeof filter, "  filter: %s%s",
                 b->filter == FILTER_RED         ? "R only"
                 : b->filter == FILTER_RED_AMBER ? "R and A"
                 : b->filter == FILTER_MISSING   ? "awaiting "
                                                 : "changed since ",
                 month);
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
    char hint[256];
    request_hint(browser_writable(b), hint, sizeof hint);
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
    case EDIT_OPEN_MONTH:
    case EDIT_PUBLISH:
    case EDIT_REASON: {
        char month[9] = "";
        if (e->period)
            yearmonth_label(e->period, month);
        if (e->kind == EDIT_COMMENT)
            snprintf(label_buffer, sizeof label_buffer, "Comment on %s: ", e->node_code);
        else if (e->kind == EDIT_OPEN_MONTH)
            snprintf(label_buffer, sizeof label_buffer, "Open month (YYYY-MM): ");
        else if (e->kind == EDIT_PUBLISH)
            snprintf(label_buffer, sizeof label_buffer,
                     "Publish month (YYYY-MM; Enter publishes, Esc cancels): ");
        else if (pending_is_removal(&b->pending))
            snprintf(label_buffer, sizeof label_buffer, "Why remove %s? ", b->pending.text);
        else
            snprintf(label_buffer, sizeof label_buffer,
                     "%s is published; reason for the correction: ", month);
        label = label_buffer;
        y = LINES - 1;
        x = 0;
        width = COLS;
        break;
    }
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
                              int count, bool selectable, int *cursor_y, int *cursor_x)
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
    if (width < 10 || height < 3) {
        *cursor_y = *cursor_x = -1;
        return;
    }
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
    /* The cursor on the chosen row, inside the box however wide it is. */
    *cursor_y = y + 1 + b->overlay_cursor - b->overlay_top;
    *cursor_x = x + 1;
}

/* The lists the overlays show, freshly built (they are short). */
static char **help_items(struct browser *b, int *count)
{
    char **items = NULL;
    *count = 0;
    items = request_help_lines(&b->keymap, false, browser_writable(b), !b->options.no_mouse,
                               count);
    return items;
}

static char **boards_items(struct browser *b, int *count)
{
    char **items = NULL;
    *count = 0;
    items = xcalloc(b->board_count + 1, sizeof *items);
    for (size_t i = 0; i < b->board_count; i++)
        items[(*count)++] = xasprintf("%s %-24s %s",
                                      strcmp(b->boards[i].code, b->board_code) == 0 ? "*" : " ",
                                      b->boards[i].code, b->boards[i].title);
    return items;
}

static char **period_items(struct browser *b, int *count)
{
    char **items = NULL;
    *count = 0;
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
    return items;
}

static char **milestone_items(struct browser *b, int *count)
{
    (void)b;
    char **items = NULL;
    *count = 0;
    items = xcalloc(MILESTONE_STATUS_COUNT, sizeof *items);
    for (int i = 0; i < MILESTONE_STATUS_COUNT; i++)
        items[(*count)++] = xstrdup(milestone_status_label((enum milestone_status)i));
    return items;
}

/* The segments a metric declares, in its board file's order (so one with no
 * reading yet can have its first); where it declares none, those it has
 * readings for. */
static char **segment_items(struct browser *b, int *count)
{
    char **items = NULL;
    *count = 0;
    const struct metric *metric = row_metric(b, &b->rows[b->cursor], NULL);
    if (metric && metric->segment_count) {
        items = xcalloc(metric->segment_count, sizeof *items);
        for (size_t i = 0; i < metric->segment_count; i++)
            items[(*count)++] = xstrdup(metric->segments[i]);
        return items;
    }
    items = xcalloc(metric ? metric->reading_count + 1 : 1, sizeof *items);
    for (size_t r = 0; metric && r < metric->reading_count; r++) {
        const struct reading *reading = &metric->readings[r];
        if (!reading->segment)
            continue;
        if (*count && strcmp(items[*count - 1], reading->segment) == 0)
            continue;
        items[(*count)++] = xstrdup(reading->segment);
    }
    return items;
}

static char **removal_items(struct browser *b, int *count)
{
    char **items = xcalloc(b->removal_count + 1, sizeof *items);
    *count = 0;
    for (size_t i = 0; i < b->removal_count; i++)
        items[(*count)++] = xstrdup(b->removals[i].label);
    return items;
}

static char **history_items(struct browser *b, int *count)
{
    char **items = NULL;
    *count = 0;
    items = xcalloc(b->audit_count + 1, sizeof *items);
    for (size_t i = 0; i < b->audit_count; i++) {
        const struct audit_entry *a = &b->audit[i];
        /* A removal keeps what it removed as the old value and "removed:
         * REASON" as the new: "delete-reading 2.2.2: 2024-03=57.9, removed:
         * typed in the wrong month" reads better than an arrow. */
        bool removal = a->action && (strncmp(a->action, "delete-", 7) == 0 ||
                                      strncmp(a->action, "remove-", 7) == 0);
        if (removal && a->old_value && a->new_value) {
            items[(*count)++] = xasprintf("%s %s %s %s: %s, %s", a->at, a->who, a->action,
                                          a->node_code ? a->node_code : "", a->old_value,
                                          a->new_value);
            continue;
        }
        items[(*count)++] = xasprintf("%s %s %s %s: %s -> %s", a->at, a->who, a->action,
                                      a->node_code ? a->node_code : "",
                                      a->old_value ? a->old_value : "-",
                                      a->new_value ? a->new_value : "-");
    }
    if (*count == 0)
        items[(*count)++] = xstrdup("No changes recorded for this node.");
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

/* ---- Views: the browser's layout ---------------------------------------------- */

static void header_view_draw(void *context)
{
    draw_header(context);
}

static void tree_view_draw(void *context)
{
    draw_tree(context);
}

static void detail_view_draw(void *context)
{
    struct browser *b = context;
    if (b->detail_width <= 0 || b->detail_height <= 0)
        return;
    if (b->wide)
        for (int y = 0; y < b->detail_height; y++)
            screen_put_clipped(b->detail_y + y, b->detail_x, 1, glyph(b, "\xe2\x94\x82", "|"),
                               A_DIM); /* │ */
    draw_detail(b);
}

/* With the focus, the detail pane takes the moving requests: they scroll. */
static unsigned detail_view_request(void *context, enum request request)
{
    struct browser *b = context;
    switch (request) {
    case REQ_UP: b->detail_scroll--; break;
    case REQ_DOWN: b->detail_scroll++; break;
    case REQ_PAGE_UP: b->detail_scroll -= b->detail_height - 1; break;
    case REQ_PAGE_DOWN: b->detail_scroll += b->detail_height - 1; break;
    case REQ_FIRST: b->detail_scroll = 0; break;
    case REQ_LAST: b->detail_scroll = 1 << 20; break;
    case REQ_COLLAPSE: b->focus_detail = false; break;
    default: return RESULT_UNHANDLED;
    }
    return RESULT_HANDLED | RESULT_REDRAW;
}

/* The selection changed (or the board, or the width): load the readings
 * and build the lines now, not while drawing. */
static void detail_view_select(void *context)
{
    struct browser *b = context;
    layout(b);
    detail_update(b);
}

static void summary_view_draw(void *context)
{
    draw_summary(context, LINES - 2);
}

static void hint_view_draw(void *context)
{
    draw_hint(context, LINES - 1);
}

static const struct view header_view = {.name = "header", .draw = header_view_draw};
static const struct view tree_view = {.name = "tree", .draw = tree_view_draw};
static const struct view detail_view = {.name = "detail",
                                        .draw = detail_view_draw,
                                        .request = detail_view_request,
                                        .select = detail_view_select};
static const struct view summary_view = {.name = "summary", .draw = summary_view_draw};
static const struct view hint_view = {.name = "hint", .draw = hint_view_draw};

/* The browser's layout, drawn in this order. */
static const struct view *const browser_views[] = {&header_view, &tree_view, &detail_view,
                                                   &summary_view, &hint_view};
#define BROWSER_VIEW_COUNT (sizeof browser_views / sizeof browser_views[0])

/* The view that takes requests first: the detail pane while it has the
 * focus, else the tree (whose requests are the table's handlers). */
static const struct view *focused_view(const struct browser *b)
{
    return b->focus_detail && b->detail_height > 0 ? &detail_view : &tree_view;
}

/* Before a frame: tell the views the selection may have changed. */
static void views_prepare(struct browser *b)
{
    if (COLS >= MIN_WIDTH && LINES >= MIN_HEIGHT)
        views_select(browser_views, BROWSER_VIEW_COUNT, b);
}

static void draw(struct browser *b)
{
    if (COLS < MIN_WIDTH || LINES < MIN_HEIGHT) {
        screen_too_small(MIN_WIDTH, MIN_HEIGHT);
        b->cursor_at_y = b->cursor_at_x = 0; /* input_show parks the cursor there */
        return;
    }
    erase();
    /* The views have laid out the panes and loaded what they show
     * (views_prepare, before every frame); here they only draw. */
    views_draw(browser_views, BROWSER_VIEW_COUNT, b);
    if (b->edit.kind != EDIT_NONE && b->message[0]) {
        /* The field owns a line; its message goes just above it. */
        int y = edit_on_bottom_line(b->edit.kind) ? LINES - 2 : LINES - 1;
        screen_fill(y, 0, COLS, A_NORMAL);
        screen_put(y, 0, COLS, b->message,
                   (b->message_is_error ? screen_pair_attr(&b->style, PAIR_ERROR) : A_NORMAL) | A_BOLD);
    }
    int cursor_y = -1, cursor_x = -1;
    if (overlay_top(&b->overlays)) {
        overlay_draw_all(&b->overlays, b, &cursor_y, &cursor_x);
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
    /* The input point parks the hardware cursor here and updates the
     * terminal (input_wait). */
    b->cursor_at_y = cursor_y;
    b->cursor_at_x = cursor_x;
}

/* ---- Edits --------------------------------------------------------------- */

static void edit_set_text(struct edit_field *e, const char *text)
{
    e->length = 0;
    size_t length = strlen(text), at = 0;
    /* Stored text is UTF-8 whatever the locale; a stray byte is kept as
     * the character of the same number. */
    while (at < length && e->length < EDIT_MAX) {
        wchar_t c;
        size_t n = utf8_decode(text + at, length - at, &c);
        if (!n) {
            c = (unsigned char)text[at];
            n = 1;
        }
        e->text[e->length++] = c;
        at += n;
    }
    e->text[e->length] = 0;
    e->cursor = e->length;
    e->scroll = 0;
}

static char *edit_text(const struct edit_field *e)
{
    struct text_buffer out = {0};
    text_append(&out, "");
    /* Written as UTF-8, as the store keeps text, whatever the locale. */
    for (size_t i = 0; i < e->length; i++) {
        char bytes[4];
        text_append_length(&out, bytes, utf8_encode(e->text[i], bytes));
    }
    char *text = out.data;
    return text;
}

static void edit_draw(void *context, const struct overlay_screen *self, int *cursor_y,
                      int *cursor_x);
static unsigned edit_screen_key(void *context, const struct overlay_screen *self,
                                const struct input_event *event);
/* The edit field (a value, a new reading, a segment's reading, a comment)
 * and the search prompt: the same field, two screens. */
static const struct overlay_screen edit_screen = {
    .name = "edit", .draw = edit_draw, .key = edit_screen_key};
static const struct overlay_screen search_screen = {
    .name = "search", .draw = edit_draw, .key = edit_screen_key};

static void edit_close(struct browser *b)
{
    const struct overlay_screen *top = overlay_top(&b->overlays);
    if (top == &edit_screen || top == &search_screen)
        overlay_pop(&b->overlays);
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
    overlay_push(&b->overlays, kind == EDIT_SEARCH ? &search_screen : &edit_screen);
    b->message[0] = '\0';
}

static void reload_after_write(struct browser *b)
{
    struct error error = {0};
    if (!load_board(b, b->board_code, b->as_of, &error))
        say_error(b, &error);
}

static void pending_free(struct pending_write *pending)
{
    free(pending->code);
    free(pending->segment);
    free(pending->text);
    memset(pending, 0, sizeof *pending);
}

/* The month a milestone update or a comment is for: the open month if one
 * is open, else the month the pack reports ("as at"). */
static yearmonth default_write_month(const struct browser *b)
{
    if (b->board->months.open != YEARMONTH_NONE)
        return b->board->months.open;
    return b->status.as_at ? b->status.as_at : yearmonth_current();
}

static bool pending_apply(struct browser *b, const struct pending_write *p, const char *reason,
                          struct change *change, struct error *error)
{
    char period[8];
    yearmonth_format(p->period, period);
    switch (p->kind) {
    case PENDING_READING:
        return command_record_reading(b->store, b->board_code, p->code, p->text, period,
                                      p->segment, NULL, reason, change, error);
    case PENDING_MILESTONE:
        return command_set_milestone(b->store, b->board_code, p->code, p->status, period, NULL,
                                     reason, change, error);
    case PENDING_COMMENT:
        return command_add_comment(b->store, b->board_code, p->code, p->text, period, reason,
                                   change, error);
    case PENDING_REMOVE_READING:
        return command_delete_reading(b->store, b->board_code, p->code, period, p->segment,
                                      reason, change, error);
    case PENDING_REMOVE_MILESTONE:
        return command_remove_milestone_update(b->store, b->board_code, p->code, p->row_id,
                                               reason, change, error);
    case PENDING_REMOVE_COMMENT:
        return command_remove_comment(b->store, b->board_code, p->code, p->row_id, reason,
                                      change, error);
    case PENDING_NONE:
        break;
    }
    error_set(error, EXIT_SOFTWARE, "Nothing to write.");
    return false;
}

/* Says what a write did (and the months a reading left without one),
 * keeps it for undo and shows the board again. */
static void write_done(struct browser *b, struct change *change)
{
    char month[8];
    yearmonth_format(change->period, month);
    const char *correction = change->reason ? " A correction, kept with its reason." : "";
    if (change->removal) {
        /* "Removed the reading for 1.1.2, Apr 2024 (87.1)." */
        struct change removed = *change;
        removed.removal = false;
        char described[600];
        command_describe_change(&removed, described, sizeof described);
        bool published = false;
        struct error ignored = {0};
        if (change->period != YEARMONTH_NONE)
            command_correction_needed(b->store, b->board_code, change->period, &published,
                                      &ignored);
        set_message(b, false, "Removed %s.%s (u undoes)", described,
                    published ? " A correction to a published month." : "");
    } else if (change->kind == CHANGE_READING) {
        char shown[48], old[48], gap[64] = "";
        snprintf(shown, sizeof shown, "%g", change->new_value);
        snprintf(old, sizeof old, "%g", change->old_value);
        if (change->gap_first != YEARMONTH_NONE) {
            char first[9], last[9];
            yearmonth_label(change->gap_first, first);
            yearmonth_label(change->gap_last, last);
            if (change->gap_first == change->gap_last)
                snprintf(gap, sizeof gap, " No reading for %s.", first);
            else
                snprintf(gap, sizeof gap, " No readings for %s to %s.", first, last);
        }
        set_message(b, false, "Recorded %s %s%s%s = %s%s%s%s.%s%s (u undoes)", change->node_code,
                    month, change->segment ? " " : "", change->segment ? change->segment : "",
                    shown, change->had_old ? " (was " : "", change->had_old ? old : "",
                    change->had_old ? ")" : "", gap, correction);
    } else if (change->kind == CHANGE_MILESTONE) {
        set_message(b, false, "Milestone %s set to %s.%s (u undoes)", change->node_code,
                    milestone_status_label(change->status), correction);
    } else {
        set_message(b, false, "Comment added to %s.%s (u undoes)", change->node_code, correction);
    }
    command_history_push(&b->history, change);
    reload_after_write(b);
}

/* Runs a write (taking *p), or, when it would correct a published month,
 * keeps it and asks for the reason first (the field that opens says so).
 * False, with the field left as it was, if the write was refused. */
static bool write_or_ask_reason(struct browser *b, struct pending_write *p, struct error *error)
{
    bool needed = false;
    if (!command_correction_needed(b->store, b->board_code, p->period, &needed, error)) {
        pending_free(p);
        return false;
    }
    if (needed) {
        pending_free(&b->pending);
        b->pending = *p;
        memset(p, 0, sizeof *p);
        edit_open(b, EDIT_REASON, "");
        b->edit.period = b->pending.period;
        char label[9];
        yearmonth_label(b->pending.period, label);
        set_message(b, false, "%s is published: say why it is corrected (Esc writes nothing).",
                    label);
        return true;
    }
    struct change change = {0};
    bool done = pending_apply(b, p, NULL, &change, error);
    pending_free(p);
    if (!done)
        return false;
    edit_close(b);
    write_done(b, &change);
    return true;
}

/* The month typed in a month field, trimmed. */
static void typed_month(const char *text, char *out, size_t size)
{
    const char *start = text + strspn(text, " ");
    size_t length = strlen(start);
    while (length && start[length - 1] == ' ')
        length--;
    snprintf(out, size, "%.*s", (int)length, start);
}

/* Enter in a month field: open or publish the month typed. */
static bool month_commit(struct browser *b, const char *text, struct error *error)
{
    char month_text[32];
    typed_month(text, month_text, sizeof month_text);
    yearmonth month;
    if (!command_parse_period(month_text, &month, error))
        return false;
    char label[9];
    yearmonth_label(month, label);
    if (b->edit.kind == EDIT_OPEN_MONTH) {
        if (!command_open_month(b->store, b->board_code, month_text, error))
            return false;
        edit_close(b);
        reload_after_write(b);
        char progress[64];
        present_month_progress(&b->status, progress, sizeof progress);
        set_message(b, false,
                    "Opened %s: readings, milestones and commentary go to it by default. %s.",
                    label, progress);
        return true;
    }
    struct publish_summary summary = {0};
    if (!command_publish_month(b->store, b->board_code, month_text, &summary, error))
        return false;
    edit_close(b);
    if (b->filter == FILTER_MISSING && summary.closed_open_month)
        b->filter = FILTER_ALL; /* nothing awaits a closed month */
    reload_after_write(b);
    set_message(b, false, "Published %s: %u of %u deliverables updated, board %c%s.", label,
                summary.updated, summary.deliverables, rag_letter(summary.board_rag),
                summary.closed_open_month ? "; the month is closed" : "");
    return true;
}

/* Enter in an edit field: validate and commit, or leave the field open
 * with a one-line message. */
static void edit_commit(struct browser *b)
{
    struct edit_field *e = &b->edit;
    char *text = edit_text(e);
    struct error error = {0};
    bool done = false;
    if (e->kind == EDIT_SEARCH) {
        /* Enter keeps the match, and "Match 2 of 5" stays until the next key. */
        edit_close(b);
        free(text);
        if (b->message_is_error)
            b->message[0] = '\0';
        return;
    }
    /* The field was opened by a request that passed the write gate
     * (request_dispatch); the command layer and the store, opened read-only
     * in read-only modes, refuse a write again. */
    struct pending_write write = {.kind = PENDING_NONE};
    if (e->kind == EDIT_OPEN_MONTH || e->kind == EDIT_PUBLISH) {
        done = month_commit(b, text, &error);
    } else if (e->kind == EDIT_REASON && pending_is_removal(&b->pending)) {
        /* The command layer refuses an empty reason in its own words. */
        char *reason = text + strspn(text, " ");
        size_t length = strlen(reason);
        while (length && reason[length - 1] == ' ')
            reason[--length] = '\0';
        struct change change = {0};
        done = pending_apply(b, &b->pending, reason, &change, &error);
        if (done) {
            pending_free(&b->pending);
            edit_close(b);
            write_done(b, &change);
        }
    } else if (e->kind == EDIT_REASON) {
        if (!text[strspn(text, " ")]) {
            error_set(&error, EXIT_DATA,
                      "A correction to a published month needs a reason; Esc writes nothing.");
        } else {
            struct change change = {0};
            done = pending_apply(b, &b->pending, text, &change, &error);
            if (done) {
                pending_free(&b->pending);
                edit_close(b);
                write_done(b, &change);
            }
        }
    } else if (e->kind == EDIT_VALUE) {
        write = (struct pending_write){.kind = PENDING_READING, .code = xstrdup(e->metric_code),
                                       .text = xstrdup(text), .period = e->period};
        done = write_or_ask_reason(b, &write, &error);
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
        yearmonth month;
        if (!*value) {
            error_set(&error, EXIT_DATA, "Type a value after the month, for example %s 68.4.",
                      period);
        } else if (command_parse_period(period, &month, &error)) {
            write = (struct pending_write){
                .kind = PENDING_READING,
                .code = xstrdup(e->metric_code),
                .segment = e->kind == EDIT_SEGMENT ? xstrdup(e->segment) : NULL,
                .text = xstrdup(value),
                .period = month};
            done = write_or_ask_reason(b, &write, &error);
        }
    } else if (e->kind == EDIT_COMMENT) {
        if (!text[strspn(text, " ")]) {
            error_set(&error, EXIT_DATA, "A comment needs some text; Esc cancels.");
        } else {
            write = (struct pending_write){.kind = PENDING_COMMENT,
                                           .code = xstrdup(e->node_code),
                                           .text = xstrdup(text),
                                           .period = default_write_month(b)};
            done = write_or_ask_reason(b, &write, &error);
        }
    }
    free(text);
    if (!done)
        say_error(b, &error); /* the field stays open with what was typed */
}

static void edit_key(struct browser *b, wint_t key, bool is_function)
{
    struct edit_field *e = &b->edit;
    if (!is_function && (key == 27)) {
        bool search = e->kind == EDIT_SEARCH;
        bool reason = e->kind == EDIT_REASON;
        bool removal = pending_is_removal(&b->pending);
        edit_close(b);
        b->message[0] = '\0';
        if (reason) {
            pending_free(&b->pending);
            set_message(b, false, removal ? "Nothing removed."
                                          : "Nothing written: the correction was cancelled.");
        }
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
        } else {
            set_message(b, true, "The field is full; a comment may have at most %d characters.",
                        TEXT_MAXIMUM_NOTE);
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

static void edit_draw(void *context, const struct overlay_screen *self, int *cursor_y,
                      int *cursor_x)
{
    (void)self;
    draw_edit(context, cursor_y, cursor_x);
}

static unsigned edit_screen_key(void *context, const struct overlay_screen *self,
                                const struct input_event *event)
{
    (void)self;
    edit_key(context, event->key, event->function);
    return RESULT_REDRAW;
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
            say_error(b, &error);
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

/* Says where the selected match (node `index`) stands among all of them:
 * "Match 2 of 5". A new search counts them (in the store, for a lazily
 * loaded board); n and N from the last match only step the count, so
 * stepping through matches costs no more than the search itself. `from` is
 * the code of the node the step started from, NULL for a new search. */
static void say_match(struct browser *b, size_t index, int step, const char *from)
{
    struct match_count *m = &b->match;
    const char *code = b->board->nodes[index].code;
    if (from && m->code && m->total > 0 && m->loads == b->loads && m->filter == (int)b->filter &&
        strcmp(m->term, b->search) == 0 && strcmp(m->code, from) == 0) {
        m->position = ((m->position - 1 + step) % m->total + m->total) % m->total + 1;
    } else if (b->board->partial) {
        struct error error = {0};
        if (!store_count_matches(b->store, b->board->id, b->search,
                                 b->board->nodes[index].tree_order, filter_least_status(b),
                                 &m->position, &m->total, &error)) {
            say_error(b, &error);
            return;
        }
    } else {
        m->position = m->total = 0;
        for (size_t i = 0; i < b->board->node_count; i++)
            if (passes_filter(b, i) && node_matches(b, i, b->search)) {
                m->total++;
                if (i <= index)
                    m->position++;
            }
    }
    snprintf(m->term, sizeof m->term, "%s", b->search);
    m->filter = (int)b->filter;
    m->loads = b->loads;
    free(m->code);
    m->code = xstrdup(code);
    set_message(b, false, "Match %d of %d for \"%s\".", m->position, m->total, b->search);
}

/* Search in a lazily loaded board: the store finds the match, in tree order
 * from the start node's place, wrapping round once. */
static void search_stored(struct browser *b, size_t start, int step, bool inclusive)
{
    const struct node *from = &b->board->nodes[start];
    /* Opening the match's ancestors moves nodes: keep the start's code. */
    char from_code[128] = "";
    if (!inclusive)
        snprintf(from_code, sizeof from_code, "%s", from->code);
    int order = from->tree_order + (inclusive ? -step : 0);
    bool forward = step > 0;
    char *code = NULL;
    bool found = false;
    struct error error = {0};
    for (int attempt = 0; attempt < 2 && !found; attempt++) {
        if (!store_search_node(b->store, b->board->id, b->search, order, forward,
                               filter_least_status(b), &code, &found, &error)) {
            say_error(b, &error);
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
        say_match(b, index, step, inclusive ? NULL : from_code);
    }
}

/* Finds the next node (in tree order, wrapping) matching the search, from
 * `start` (inclusive if `inclusive`) in `step` direction; opens its
 * ancestors and selects it. */
static void search_from(struct browser *b, size_t start, int step, bool inclusive)
{
    size_t count = b->board->node_count;
    if (!b->search[0]) {
        b->message[0] = '\0';
        return;
    }
    if (count == 0) {
        set_message(b, true, "No match for \"%s\": the board is empty.", b->search);
        return;
    }
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
            say_match(b, index, step, inclusive ? NULL : b->board->nodes[start].code);
            return;
        }
    }
    set_message(b, true, "No match for \"%s\".", b->search);
}

/* ---- Requests -------------------------------------------------------------- */

/* ---- Overlays ---------------------------------------------------------------
 * {draw, key} screens on b->overlays. A list overlay's data is a
 * list_screen: its title, whether a row can be picked, its rows and what a
 * pick does. */

struct list_screen {
    const char *title;
    bool selectable;
    char **(*items)(struct browser *b, int *count);
    void (*pick)(struct browser *b, int pick);
};

static void pick_board(struct browser *b, int pick)
{
    struct error error = {0};
    if (pick >= 0 && (size_t)pick < b->board_count) {
        char *code = xstrdup(b->boards[pick].code);
        if (!load_board(b, code, YEARMONTH_NONE, &error))
            say_error(b, &error);
        else
            set_message(b, false, "Opened %s.", code);
        free(code);
    }
}

static void pick_period(struct browser *b, int pick)
{
    struct error error = {0};
    yearmonth newest = board_as_at(b->board, YEARMONTH_NONE);
    if (b->as_of) {
        /* Reload live first so the list's months are the full range. */
        if (!load_board(b, b->board_code, YEARMONTH_NONE, &error)) {
            say_error(b, &error);
            return;
        }
        newest = board_as_at(b->board, YEARMONTH_NONE);
    }
    yearmonth as_of = pick <= 0 ? YEARMONTH_NONE : newest - (pick - 1);
    if (!load_board(b, b->board_code, as_of, &error))
        say_error(b, &error);
    else if (as_of) {
        char label[9];
        yearmonth_label(as_of, label);
        set_message(b, false, "Showing the board as it stood at the end of %s (read-only).",
                    label);
    } else {
        set_message(b, false, "Showing the latest month.");
    }
}

/* The milestone picker is opened only by the milestone request, which the
 * write gate let through. */
static void pick_milestone(struct browser *b, int pick)
{
    struct error error = {0};
    const struct node *node = &b->board->nodes[b->rows[b->cursor].node];
    /* The update is for the open month, else the month the pack reports
     * ("as at"); a published month's asks for a reason first. */
    struct pending_write write = {.kind = PENDING_MILESTONE,
                                  .code = xstrdup(node->code),
                                  .status = (enum milestone_status)pick,
                                  .period = default_write_month(b)};
    if (!write_or_ask_reason(b, &write, &error))
        say_error(b, &error);
}

static void pick_segment(struct browser *b, int pick)
{
    int count;
    char **items = segment_items(b, &count);
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
}

/* The removal picked (opened only by the remove request, which the write
 * gate let through): ask why, then remove it (edit_commit). */
static void pick_removal(struct browser *b, int pick)
{
    if (pick < 0 || (size_t)pick >= b->removal_count)
        return;
    const struct pending_write *offer = &b->removals[pick].write;
    pending_free(&b->pending);
    b->pending = (struct pending_write){.kind = offer->kind,
                                        .code = xstrdup(offer->code),
                                        .segment = xstrdup(offer->segment),
                                        .text = xstrdup(offer->text),
                                        .status = offer->status,
                                        .period = offer->period,
                                        .row_id = offer->row_id};
    edit_open(b, EDIT_REASON, "");
    b->edit.period = offer->period;
    bool published = false;
    struct error ignored = {0};
    if (offer->period != YEARMONTH_NONE)
        command_correction_needed(b->store, b->board_code, offer->period, &published, &ignored);
    char month[9] = "";
    if (published)
        yearmonth_label(offer->period, month);
    set_message(b, false, "Say why %s is removed%s%s%s (Enter removes it, Esc writes nothing).",
                offer->text, published ? ": " : "", month,
                published ? " is published, so this is a correction" : "");
}

static void list_draw(void *context, const struct overlay_screen *self, int *cursor_y,
                      int *cursor_x)
{
    struct browser *b = context;
    const struct list_screen *list = self->data;
    int count;
    char **items = list->items(b, &count);
    draw_overlay_list(b, list->title, (const char *const *)items, count, list->selectable,
                      cursor_y, cursor_x);
    free_items(items, count);
}

static unsigned list_key(void *context, const struct overlay_screen *self,
                         const struct input_event *event)
{
    struct browser *b = context;
    const struct list_screen *list = self->data;
    int key = (int)event->key;
    bool is_function = event->function;
    int count = 0;
    char **items = list->items(b, &count);
    free_items(items, count);
    int page = LINES - 7 > 1 ? LINES - 7 : 1;
    bool pick = false;
    if (is_function || key == 'j' || key == 'k' || key == 'g' || key == 'G') {
        int move = 0;
        switch (key) {
        case KEY_UP: case 'k': move = -1; break;
        case KEY_DOWN: case 'j': move = 1; break;
        case KEY_PPAGE: move = -page; break;
        case KEY_NPAGE: move = page; break;
        case KEY_HOME: case 'g': move = -count; break;
        case KEY_END: case 'G': move = count; break;
        case KEY_ENTER: pick = list->selectable; break;
        case KEY_RESIZE: return RESULT_REDRAW;
        case KEY_MOUSE: return RESULT_HANDLED;
        default: break;
        }
        if (move) {
            if (list->selectable) {
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
            return RESULT_REDRAW;
        }
    }
    if (list->selectable && !is_function && (key == '\r' || key == '\n'))
        pick = true;
    /* Any other key closes the list; Enter picks (after it has closed, so a
     * pick may open another overlay, such as the segment's edit field). */
    overlay_pop(&b->overlays);
    if (pick && list->pick)
        list->pick(b, b->overlay_cursor);
    return RESULT_REDRAW;
}

static const struct list_screen help_list = {
    .title = "Keys (press any key to close)", .selectable = false, .items = help_items};
static const struct list_screen boards_list = {
    .title = "Boards", .selectable = true, .items = boards_items, .pick = pick_board};
static const struct list_screen period_list = {.title = "Show the board as at the end of",
                                               .selectable = true,
                                               .items = period_items,
                                               .pick = pick_period};
static const struct list_screen milestone_list = {
    .title = "Milestone status", .selectable = true, .items = milestone_items,
    .pick = pick_milestone};
static const struct list_screen segment_list = {
    .title = "Segment", .selectable = true, .items = segment_items, .pick = pick_segment};
static const struct list_screen removal_list = {
    .title = "Remove (Enter picks; a reason is asked next)", .selectable = true,
    .items = removal_items, .pick = pick_removal};
static const struct list_screen history_list = {
    .title = "Change history (newest first)", .selectable = false, .items = history_items};

static const struct overlay_screen help_screen = {
    .name = "help", .draw = list_draw, .key = list_key, .data = &help_list};
static const struct overlay_screen boards_screen = {
    .name = "boards", .draw = list_draw, .key = list_key, .data = &boards_list};
static const struct overlay_screen period_screen = {
    .name = "as-at", .draw = list_draw, .key = list_key, .data = &period_list};
static const struct overlay_screen milestone_screen = {
    .name = "milestone", .draw = list_draw, .key = list_key, .data = &milestone_list};
static const struct overlay_screen segment_screen = {
    .name = "segment", .draw = list_draw, .key = list_key, .data = &segment_list};
static const struct overlay_screen removal_screen = {
    .name = "remove", .draw = list_draw, .key = list_key, .data = &removal_list};
static const struct overlay_screen history_screen = {
    .name = "history", .draw = list_draw, .key = list_key, .data = &history_list};

/* The form (E, A, S), the retire-or-restore list (R) and its y/n. */
static void form_overlay_draw(void *context, const struct overlay_screen *self, int *cursor_y,
                              int *cursor_x);
static unsigned form_overlay_key(void *context, const struct overlay_screen *self,
                                 const struct input_event *event);
static void confirm_draw(void *context, const struct overlay_screen *self, int *cursor_y,
                         int *cursor_x);
static unsigned confirm_key(void *context, const struct overlay_screen *self,
                            const struct input_event *event);
static char **retire_items(struct browser *b, int *count);
static void pick_retire(struct browser *b, int pick);
static const struct overlay_screen form_screen = {
    .name = "form", .draw = form_overlay_draw, .key = form_overlay_key};
static const struct overlay_screen confirm_screen = {
    .name = "confirm", .draw = confirm_draw, .key = confirm_key};
static const struct list_screen retire_list = {
    .title = "Retire or restore (Enter picks; y confirms next)", .selectable = true,
    .items = retire_items, .pick = pick_retire};
static const struct overlay_screen retire_screen = {
    .name = "retire", .draw = list_draw, .key = list_key, .data = &retire_list};

static void open_overlay(struct browser *b, const struct overlay_screen *screen)
{
    overlay_push(&b->overlays, screen);
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

/* e and a: the latest value, or the next month's, in an edit field on the row. */
static unsigned start_value_edit(struct browser *b, enum edit_kind kind)
{
    const struct metric *metric = selected_metric(b);
    if (!metric) {
        set_message(b, true, "Only measured rows have values; choose a deliverable with a metric.");
        return RESULT_REDRAW;
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
    if (kind == EDIT_ADD && b->board->months.open != YEARMONTH_NONE) {
        period = b->board->months.open; /* the open month's reading */
        yearmonth_format(period, text);
        strcat(text, " ");
    } else if (kind == EDIT_ADD) {
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
    return RESULT_REDRAW;
}

/* u and Ctrl-R: undo or redo this session's last change, and show its row. */
static unsigned do_undo(struct browser *b, bool redo)
{
    struct error error = {0};
    char message[600];
    const char *touched = NULL;
    bool ok = redo ? command_history_redo(&b->history, b->store, message, sizeof message,
                                          &touched, &error)
                   : command_history_undo(&b->history, b->store, message, sizeof message,
                                          &touched, &error);
    if (!ok)
        return say_error(b, &error);
    set_message(b, false, "%s", message);
    char *code = xstrdup(touched);
    reload_after_write(b);
    select_code(b, code);
    free(code);
    return RESULT_REDRAW;
}

static void expand_all(struct browser *b, bool expand)
{
    if (expand && b->board->partial) {
        /* Everything is about to show: load the whole tree in one go. */
        struct error error = {0};
        if (!load_board_as(b, b->board_code, b->as_of, true, &error)) {
            say_error(b, &error);
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

/* Handlers: one per browser request of REQUEST_TABLE, run only through
 * request_dispatch (so the read-only gate and the empty-tree check have been
 * passed). Each says what happened rather than setting flags. */

static size_t page_rows(const struct browser *b)
{
    return b->tree_height > 1 ? (size_t)b->tree_height - 1 : 1;
}

static unsigned on_move_up(void *context)
{
    struct browser *b = context;
    if (b->cursor > 0)
        select_row(b, b->cursor - 1);
    return RESULT_REDRAW;
}

static unsigned on_move_down(void *context)
{
    struct browser *b = context;
    select_row(b, b->cursor + 1);
    return RESULT_REDRAW;
}

static unsigned on_expand(void *context)
{
    struct browser *b = context;
    struct row *row = &b->rows[b->cursor];
    if (row->metric >= 0)
        return RESULT_HANDLED;
    size_t node = row->node;
    if (!node_has_children(b, node))
        return RESULT_HANDLED;
    if (!b->expanded[node]) {
        expand_node(b, node);
        build_rows(b);
        return RESULT_REDRAW;
    }
    /* Already open: go back to the child we came from, else the first. */
    size_t target = b->came_from[node];
    size_t index = target != NODE_NONE ? find_row(b, target, -1) : (size_t)-1;
    if (index == (size_t)-1)
        index = b->cursor + 1 < b->row_count ? b->cursor + 1 : b->cursor;
    select_row(b, index);
    return RESULT_REDRAW;
}

static unsigned on_collapse(void *context)
{
    struct browser *b = context;
    struct row *row = &b->rows[b->cursor];
    size_t node = row->node;
    if (row->metric < 0 && node_has_children(b, node) && b->expanded[node]) {
        b->expanded[node] = false;
        build_rows(b);
        select_row(b, find_row(b, node, -1));
        return RESULT_REDRAW;
    }
    size_t parent = row->metric >= 0 ? node : b->board->nodes[node].parent;
    if (parent == NODE_NONE)
        return RESULT_HANDLED;
    b->came_from[parent] = row->metric >= 0 ? NODE_NONE : node;
    size_t index = find_row(b, parent, -1);
    if (index != (size_t)-1)
        select_row(b, index);
    return RESULT_REDRAW;
}

static unsigned on_open(void *context)
{
    struct browser *b = context;
    struct row *row = &b->rows[b->cursor];
    if (row->metric < 0 && node_has_children(b, row->node)) {
        expand_node(b, row->node);
        build_rows(b);
    }
    return RESULT_REDRAW;
}

static unsigned on_close(void *context)
{
    struct browser *b = context;
    struct row *row = &b->rows[b->cursor];
    size_t node = row->node;
    if (row->metric >= 0 || !b->expanded[node] || !node_has_children(b, node))
        node = row->metric >= 0 ? node : b->board->nodes[node].parent;
    if (node == NODE_NONE)
        return RESULT_HANDLED;
    b->expanded[node] = false;
    build_rows(b);
    select_row(b, find_row(b, node, -1));
    return RESULT_REDRAW;
}

static unsigned on_expand_all(void *context)
{
    struct browser *b = context;
    bool all_open = true;
    for (size_t i = 0; i < b->board->node_count && all_open; i++)
        if (node_has_children(b, i) && !b->expanded[i])
            all_open = false;
    size_t node = b->rows[b->cursor].node;
    expand_all(b, !all_open);
    if (all_open) {
        while (b->board->nodes[node].parent != NODE_NONE)
            node = b->board->nodes[node].parent;
        select_row(b, find_row(b, node, -1));
    }
    return RESULT_REDRAW;
}

static unsigned on_first(void *context)
{
    struct browser *b = context;
    select_row(b, 0);
    return RESULT_REDRAW;
}

static unsigned on_last(void *context)
{
    struct browser *b = context;
    select_row(b, b->row_count - 1);
    return RESULT_REDRAW;
}

static unsigned on_page_up(void *context)
{
    struct browser *b = context;
    size_t page = page_rows(b);
    select_row(b, b->cursor > page ? b->cursor - page : 0);
    return RESULT_REDRAW;
}

static unsigned on_page_down(void *context)
{
    struct browser *b = context;
    select_row(b, b->cursor + page_rows(b));
    return RESULT_REDRAW;
}

static unsigned on_focus(void *context)
{
    struct browser *b = context;
    b->focus_detail = !b->focus_detail;
    return RESULT_REDRAW;
}

static unsigned on_search(void *context)
{
    struct browser *b = context;
    b->search_origin = b->cursor;
    edit_open(b, EDIT_SEARCH, "");
    return RESULT_REDRAW;
}

static unsigned search_step(struct browser *b, int step)
{
    if (!b->search[0]) {
        set_message(b, true, "No search yet; press / to search.");
        return RESULT_REDRAW;
    }
    search_from(b, b->rows[b->cursor].node, step, false);
    return RESULT_REDRAW;
}

static unsigned on_next_match(void *context)
{
    return search_step(context, 1);
}

static unsigned on_previous_match(void *context)
{
    return search_step(context, -1);
}

static unsigned on_filter(void *context)
{
    struct browser *b = context;
    char *keep = selected_code(b) ? xstrdup(selected_code(b)) : NULL;
    b->filter = b->filter == FILTER_ALL ? FILTER_RED
                : b->filter == FILTER_RED ? FILTER_RED_AMBER
                                          : FILTER_ALL;
    build_rows(b);
    if (keep)
        select_code(b, keep);
    free(keep);
    set_message(b, false, "%s",
                b->filter == FILTER_ALL ? "Showing every status."
                : b->filter == FILTER_RED ? "Showing R only (with their aims and objectives)."
                                          : "Showing R and A (with their aims and objectives).");
    return RESULT_REDRAW;
}

/* M and C: a filter of the reporting month's, on and off. */
static unsigned toggle_month_filter(struct browser *b, enum filter filter)
{
    if (filter == FILTER_MISSING && b->status.open_month == YEARMONTH_NONE &&
        b->filter != FILTER_MISSING) {
        set_message(b, true, "No month is open: nothing awaits an update (O opens one).");
        return RESULT_REDRAW;
    }
    if (filter == FILTER_CHANGED && b->board->months.previous == YEARMONTH_NONE &&
        b->filter != FILTER_CHANGED) {
        set_message(b, true, "No month is published before this one: nothing to compare with.");
        return RESULT_REDRAW;
    }
    char *keep = selected_code(b) ? xstrdup(selected_code(b)) : NULL;
    b->filter = b->filter == filter ? FILTER_ALL : filter;
    if (b->filter == FILTER_CHANGED && b->board->partial) {
        struct error error = {0};
        if (!load_board_as(b, b->board_code, b->as_of, true, &error)) {
            free(keep);
            b->filter = FILTER_ALL;
            return say_error(b, &error);
        }
    }
    if (b->filter != FILTER_ALL)
        for (size_t i = 0; i < b->board->node_count; i++)
            if (passes_filter(b, i) && b->board->nodes[i].level != LEVEL_DELIVERABLE &&
                !expand_node(b, i))
                break;
    build_rows(b);
    if (keep)
        select_code(b, keep);
    free(keep);
    char month[9] = "";
    if (b->filter == FILTER_MISSING)
        yearmonth_label(b->status.open_month, month);
    else if (b->filter == FILTER_CHANGED)
        yearmonth_label(b->board->months.previous, month);
    if (b->filter == FILTER_MISSING)
        set_message(b, false, "Showing what still awaits %s (%u deliverables; M again: all).",
                    month, b->status.board.awaiting);
    else if (b->filter == FILTER_CHANGED)
        set_message(b, false, "Showing what moved since %s, published (C again: all).", month);
    else
        set_message(b, false, "Showing every status.");
    return RESULT_REDRAW;
}

static unsigned on_missing(void *context)
{
    return toggle_month_filter(context, FILTER_MISSING);
}

static unsigned on_changed(void *context)
{
    return toggle_month_filter(context, FILTER_CHANGED);
}

/* The newest month the board knows of: open, published, or with a reading. */
static yearmonth newest_month(const struct browser *b)
{
    yearmonth newest = b->status.as_at;
    if (b->board->months.open > newest)
        newest = b->board->months.open;
    if (b->board->months.last_published > newest)
        newest = b->board->months.last_published;
    return newest;
}

static unsigned on_open_month(void *context)
{
    struct browser *b = context;
    yearmonth month = newest_month(b) ? newest_month(b) + 1 : yearmonth_current();
    char text[8];
    yearmonth_format(month, text);
    edit_open(b, EDIT_OPEN_MONTH, text);
    return RESULT_REDRAW;
}

static unsigned on_publish_month(void *context)
{
    struct browser *b = context;
    /* The open month, else the newest month with readings. */
    yearmonth month = b->board->months.open ? b->board->months.open : b->status.as_at;
    char text[8] = "";
    if (month)
        yearmonth_format(month, text);
    edit_open(b, EDIT_PUBLISH, text);
    return RESULT_REDRAW;
}

static unsigned on_boards(void *context)
{
    struct browser *b = context;
    struct error error = {0};
    struct board_summary *boards;
    size_t count;
    if (!store_list_boards(b->store, &boards, &count, &error))
        return say_error(b, &error);
    board_summaries_free(b->boards, b->board_count);
    b->boards = boards;
    b->board_count = count;
    open_overlay(b, &boards_screen);
    for (size_t i = 0; i < b->board_count; i++)
        if (strcmp(b->boards[i].code, b->board_code) == 0)
            b->overlay_cursor = (int)i;
    return RESULT_REDRAW;
}

static unsigned on_as_at(void *context)
{
    open_overlay(context, &period_screen);
    return RESULT_REDRAW;
}

static unsigned on_history(void *context)
{
    struct browser *b = context;
    struct error error = {0};
    struct audit_entry *all;
    size_t count;
    if (!store_audit_log(b->store, b->board_code, NULL, &all, &count, &error))
        return say_error(b, &error);
    /* Keep the rows about this node, its metrics and what lies under it
     * (loaded first, if the board loads lazily). */
    size_t at = b->rows[b->cursor].node;
    for (size_t i = at; i < b->board->nodes[at].subtree_end; i++)
        if (!load_children(b, i))
            break;
    build_rows(b);
    const struct row *row = &b->rows[b->cursor];
    const struct node *node = &b->board->nodes[row->node];
    audit_entries_free(b->audit, b->audit_count);
    b->audit = xcalloc(count ? count : 1, sizeof *b->audit);
    b->audit_count = 0;
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
    open_overlay(b, &history_screen);
    return RESULT_REDRAW;
}

static unsigned on_help(void *context)
{
    open_overlay(context, &help_screen);
    return RESULT_REDRAW;
}

static unsigned on_redraw(void *context)
{
    (void)context;
    return RESULT_REPAINT;
}

static unsigned on_quit(void *context)
{
    (void)context;
    return RESULT_QUIT;
}

static unsigned on_edit(void *context)
{
    return start_value_edit(context, EDIT_VALUE);
}

static unsigned on_add(void *context)
{
    return start_value_edit(context, EDIT_ADD);
}

static unsigned on_segment(void *context)
{
    struct browser *b = context;
    const struct metric *metric = selected_metric(b);
    if (!metric || !metric->breakdown) {
        set_message(b, true, "This row has no breakdown by segment.");
        return RESULT_REDRAW;
    }
    ensure_full_readings(b, b->rows[b->cursor].node);
    open_overlay(b, &segment_screen);
    return RESULT_REDRAW;
}

static unsigned on_milestone(void *context)
{
    struct browser *b = context;
    const struct row *row = &b->rows[b->cursor];
    if (!b->board->nodes[row->node].has_milestone || row->metric >= 0) {
        set_message(b, true, "Only milestone deliverables have a status to set.");
        return RESULT_REDRAW;
    }
    open_overlay(b, &milestone_screen);
    b->overlay_cursor =
        (int)milestone_status_at(&b->board->nodes[row->node].milestone, b->status.as_at);
    return RESULT_REDRAW;
}

static unsigned on_comment(void *context)
{
    struct browser *b = context;
    edit_open(b, EDIT_COMMENT, "");
    b->edit.node_code = xstrdup(b->board->nodes[b->rows[b->cursor].node].code);
    return RESULT_REDRAW;
}

static void removals_free(struct browser *b)
{
    for (size_t i = 0; i < b->removal_count; i++) {
        free(b->removals[i].label);
        pending_free(&b->removals[i].write);
    }
    free(b->removals);
    b->removals = NULL;
    b->removal_count = 0;
}

static void offer_removal(struct browser *b, char *label, struct pending_write write)
{
    b->removals = xrealloc(b->removals, (b->removal_count + 1) * sizeof *b->removals);
    b->removals[b->removal_count++] = (struct removal_offer){.label = label, .write = write};
}

/* Newest first; in a month, the whole series before its segments, and
 * segments by name. */
static int reading_newest_first(const void *left, const void *right)
{
    const struct reading *a = *(const struct reading *const *)left;
    const struct reading *b = *(const struct reading *const *)right;
    if (a->period != b->period)
        return a->period < b->period ? 1 : -1;
    if (!a->segment || !b->segment)
        return a->segment ? 1 : b->segment ? -1 : 0;
    return strcmp(a->segment, b->segment);
}

/* The readings the picker offers: the newest; older ones are for
 * `boardpack delete`. */
#define REMOVAL_READINGS_MAX 60

/* d: what can be removed from the selected node (its metrics' readings,
 * whole series and segments; its milestone updates; its commentary),
 * newest first, in a picker; the pick asks for a reason (pick_removal). */
static unsigned on_remove(void *context)
{
    struct browser *b = context;
    removals_free(b);
    const struct row *row = &b->rows[b->cursor];
    size_t index = row->node;
    ensure_full_readings(b, index);
    const struct node *node = &b->board->nodes[index];
    size_t first = row->metric >= 0 ? (size_t)row->metric : 0;
    size_t last = row->metric >= 0 ? first + 1 : node->metric_count;
    bool several = last - first > 1;
    size_t total = 0;
    for (size_t m = first; m < last; m++)
        total += node->metrics[m].reading_count;
    const struct reading **readings = xcalloc(total + 1, sizeof *readings);
    const struct metric **owners = xcalloc(total + 1, sizeof *owners);
    size_t count = 0;
    for (size_t m = first; m < last; m++)
        for (size_t r = 0; r < node->metrics[m].reading_count; r++)
            readings[count++] = &node->metrics[m].readings[r];
    qsort(readings, count, sizeof *readings, reading_newest_first);
    /* Each reading's metric, found again after the sort. */
    for (size_t i = 0; i < count; i++)
        for (size_t m = first; m < last && !owners[i]; m++)
            if (readings[i] >= node->metrics[m].readings &&
                readings[i] < node->metrics[m].readings + node->metrics[m].reading_count)
                owners[i] = &node->metrics[m];
    for (size_t i = 0; i < count && i < REMOVAL_READINGS_MAX; i++) {
        const struct reading *reading = readings[i];
        char month[8], label[9];
        yearmonth_format(reading->period, month);
        yearmonth_label(reading->period, label);
        const char *segment = reading->segment;
        offer_removal(b,
                      xasprintf("%s%s%s %s%s%g", several ? owners[i]->code : "",
                                several ? " " : "", month, segment ? segment : "",
                                segment ? " " : "", reading->value),
                      (struct pending_write){
                          .kind = PENDING_REMOVE_READING,
                          .code = xstrdup(owners[i]->code),
                          .segment = xstrdup(segment),
                          .text = xasprintf("the reading for %s%s%s, %s (%g)", owners[i]->code,
                                            segment ? " " : "", segment ? segment : "", label,
                                            reading->value),
                          .period = reading->period});
    }
    free(readings);
    free(owners);
    if (node->has_milestone && row->metric < 0)
        for (size_t u = node->milestone.update_count; u-- > 0;) {
            const struct milestone_update *update = &node->milestone.updates[u];
            char month[8] = "-", label[9] = "";
            if (update->period != YEARMONTH_NONE) {
                yearmonth_format(update->period, month);
                yearmonth_label(update->period, label);
            }
            const char *status = milestone_status_label(update->status);
            offer_removal(b,
                          xasprintf("milestone %s %s%s%s", month, status,
                                    update->note ? ": " : "", update->note ? update->note : ""),
                          (struct pending_write){
                              .kind = PENDING_REMOVE_MILESTONE,
                              .code = xstrdup(node->code),
                              .text = xasprintf("%s's update %s%s%s", node->code, status,
                                                *label ? " for " : "", label),
                              .status = update->status,
                              .period = update->period,
                              .row_id = update->id});
        }
    for (size_t c = node->comment_count; c-- > 0;) {
        const struct comment *comment = &node->comments[c];
        char month[8] = "-", label[9] = "";
        if (comment->period != YEARMONTH_NONE) {
            yearmonth_format(comment->period, month);
            yearmonth_label(comment->period, label);
        }
        offer_removal(b, xasprintf("comment %s: %s", month, comment->text ? comment->text : ""),
                      (struct pending_write){
                          .kind = PENDING_REMOVE_COMMENT,
                          .code = xstrdup(node->code),
                          .text = xasprintf("the comment on %s%s%s", node->code,
                                            *label ? " for " : "", label),
                          .period = comment->period,
                          .row_id = comment->id});
    }
    if (!b->removal_count) {
        set_message(b, true,
                    "Nothing to remove on %s: it has no readings, milestone updates or "
                    "commentary.",
                    row->metric >= 0 ? node->metrics[row->metric].code : node->code);
        return RESULT_REDRAW;
    }
    open_overlay(b, &removal_screen);
    return RESULT_REDRAW;
}

static unsigned on_undo(void *context)
{
    return do_undo(context, false);
}

static unsigned on_redo(void *context)
{
    return do_undo(context, true);
}

/* ---- Keeping the board: forms, adding, reordering, retiring ----------------
 * Every change here is one command_edit_many (or command_edit): the board
 * file's checks and messages, one transaction, an audit row per field, one
 * undoable change on this session's history. The store's structure (retired
 * nodes included) is read when a form opens, for the values it shows, the
 * codes it suggests and what may be restored. */

static bool load_structure(struct browser *b, struct board **out)
{
    struct error error = {0};
    if (!store_load_board_structure(b->store, b->board_code, out, &error)) {
        say_error(b, &error);
        return false;
    }
    return true;
}

/* The board file's message without the place in the checked copy
 * ("edit:12:7: error: "), which means nothing in a form. */
static const char *form_error_text(const struct error *error)
{
    const char *at = strstr(error->message, "error: ");
    return at && strncmp(error->message, "edit", 4) == 0 ? at + 7 : error->message;
}

static void form_say(struct browser *b, bool is_error, const char *text)
{
    snprintf(b->form.message, sizeof b->form.message, "%s", text);
    b->form.message_is_error = is_error;
}

static void number_field(char *out, size_t size, bool present, double value)
{
    out[0] = '\0';
    if (present)
        format_number_shortest(value, 15, out, size);
}

static void month_field(char out[8], yearmonth month)
{
    out[0] = '\0';
    if (month)
        yearmonth_format(month, out);
}

static void add_metric_fields(struct form *form, const char *code, const struct metric *metric)
{
    char number[64], month[8];
    struct text_buffer list = {0};
    form_add_field(form, "name", "name", code, metric ? metric->name : NULL);
    form_add_field(form, "unit", "unit", code, metric ? unit_name(metric->unit) : NULL);
    form_add_field(form, "direction", "direction", code,
                   metric && metric->direction != DIRECTION_NONE
                       ? direction_name(metric->direction) : NULL);
    number_field(number, sizeof number, metric && metric->has_baseline,
                 metric ? metric->baseline : 0);
    form_add_field(form, "baseline", "baseline", code, number);
    month_field(month, metric && metric->has_baseline ? metric->baseline_period : 0);
    form_add_field(form, "baseline month", "baseline_period", code, month);
    number_field(number, sizeof number, metric != NULL, metric ? metric->target : 0);
    form_add_field(form, "target", "target", code, number);
    month_field(month, metric ? metric->target_period : 0);
    form_add_field(form, "target month", "target_period", code, month);
    number_field(number, sizeof number, metric && metric->has_tolerance,
                 metric ? metric->tolerance : 0);
    form_add_field(form, "tolerance", "tolerance", code, number);
    for (size_t i = 0; metric && i < metric->trajectory_count; i++) {
        yearmonth_format(metric->trajectory[i].period, month);
        format_number_shortest(metric->trajectory[i].value, 15, number, sizeof number);
        text_appendf(&list, "%s%s: %s", i ? ", " : "", month, number);
    }
    form_add_field(form, "trajectory", "trajectory", code, list.data);
    text_free(&list);
    form_add_field(form, "breakdown", "breakdown", code, metric ? metric->breakdown : NULL);
    for (size_t i = 0; metric && i < metric->segment_count; i++)
        text_appendf(&list, "%s%s", i ? ", " : "", metric->segments[i]);
    form_add_field(form, "segments", "segments", code, list.data);
    text_free(&list);
    for (int i = 0; metric && i < metric->spc.rebase_count; i++) {
        yearmonth_format(metric->spc.rebase_periods[i], month);
        text_appendf(&list, "%s%s", i ? ", " : "", month);
    }
    form_add_field(form, "SPC rebase", "rebase", code, list.data);
    text_free(&list);
    number_field(number, sizeof number, metric && metric->stale_months,
                 metric ? metric->stale_months : 0);
    form_add_field(form, "stale after", "stale_after", code, number);
}

static void close_form(struct browser *b)
{
    if (overlay_top(&b->overlays) == &form_screen)
        overlay_pop(&b->overlays);
    form_clear(&b->form);
    free(b->form_code);
    b->form_code = NULL;
    b->form_adding = false;
}

static void open_form(struct browser *b)
{
    overlay_push(&b->overlays, &form_screen);
    b->message[0] = '\0';
}

/* The selected node, and the metric its row stands for (a metric row, or
 * a deliverable's single metric), in the store's structure. */
static bool selected_in_structure(struct browser *b, const struct board *structure,
                                  const struct node **node, const struct metric **metric)
{
    const struct row *row = &b->rows[b->cursor];
    const struct node *shown = &b->board->nodes[row->node];
    *node = board_find_node(structure, shown->code);
    *metric = NULL;
    if (!*node)
        return false;
    if (row->metric >= 0 && (size_t)row->metric < shown->metric_count)
        *metric = board_find_metric(structure, shown->metrics[row->metric].code, NULL);
    else if ((*node)->metric_count == 1)
        *metric = &(*node)->metrics[0];
    return true;
}

/* E: the selected node's fields, and its metric's. */
static unsigned on_form(void *context)
{
    struct browser *b = context;
    struct board *structure = NULL;
    if (!load_structure(b, &structure))
        return RESULT_REDRAW;
    const struct node *node;
    const struct metric *metric;
    if (!selected_in_structure(b, structure, &node, &metric)) {
        board_free(structure);
        return RESULT_REDRAW;
    }
    close_form(b);
    struct form *form = &b->form;
    bool metric_row = b->rows[b->cursor].metric >= 0;
    form->title = xasprintf("Edit %s %s", metric_row ? "metric" : level_name(node->level),
                            metric_row ? metric->code : node->code);
    b->form_code = xstrdup(node->code);
    if (!metric_row) {
        form_add_field(form, "title", "title", node->code, node->title);
        form_add_field(form, "lead", "lead", node->code, node->lead);
        if (node->level != LEVEL_AIM)
            form_add_field(form, node->level == LEVEL_OBJECTIVE ? "aim" : "objective", "parent",
                           node->code, structure->nodes[node->parent].code);
        if (node->level == LEVEL_DELIVERABLE && (node->has_milestone || !node->metric_count)) {
            char due[8];
            month_field(due, node->has_milestone ? node->milestone.due : 0);
            form_add_field(form, "milestone due", "due", node->code, due);
        }
    }
    if (metric) {
        char heading[96];
        snprintf(heading, sizeof heading, "Metric %s", metric->code);
        if (!metric_row)
            form_add_heading(form, heading);
        add_metric_fields(form, metric->code, metric);
        if (metric_row)
            form_add_field(form, "deliverable", "parent", metric->code, node->code);
    }
    board_free(structure);
    open_form(b);
    return RESULT_REDRAW;
}

/* The next code under a parent ("1.2" -> "1.2.4"; the top -> "5"): one
 * past the largest last number of its children, retired ones included. */
static char *next_code(const struct board *structure, const struct node *parent)
{
    long largest = 0;
    for (size_t i = 0; i < structure->node_count; i++) {
        const struct node *node = &structure->nodes[i];
        bool child = parent ? node->parent == (size_t)(parent - structure->nodes)
                            : node->parent == NODE_NONE;
        if (!child)
            continue;
        const char *last = strrchr(node->code, '.');
        long number = strtol(last ? last + 1 : node->code, NULL, 10);
        if (number > largest)
            largest = number;
    }
    return parent ? xasprintf("%s.%ld", parent->code, largest + 1) : xasprintf("%ld", largest + 1);
}

/* A new metric's code: the deliverable's own for its first, else the
 * deliverable's with the next free letter ("1.2.3b"). */
static char *next_metric_code(const struct board *structure, const struct node *deliverable)
{
    if (!deliverable->metric_count)
        return xstrdup(deliverable->code);
    for (char letter = 'a'; letter <= 'z'; letter++) {
        char *code = xasprintf("%s%c", deliverable->code, letter);
        if (!board_find_metric(structure, code, NULL) && !board_find_node(structure, code))
            return code;
        free(code);
    }
    return xasprintf("%s-%zu", deliverable->code, deliverable->metric_count + 1);
}

/* A and S: a form for a new node (or metric) under `parent` (NULL: an aim). */
static unsigned open_add_form(struct browser *b, const struct board *structure,
                              const struct node *parent, enum level level)
{
    close_form(b);
    struct form *form = &b->form;
    b->form_adding = true;
    b->form_level = level;
    char *code = level == LEVEL_METRIC ? next_metric_code(structure, parent)
                                       : next_code(structure, parent);
    form->title = xasprintf("New %s%s%s (Enter adds it; fields as in a board file)",
                            level_name(level), parent ? " under " : "", parent ? parent->code : "");
    form_add_field(form, "code", "code", NULL, code);
    if (level != LEVEL_AIM)
        form_add_field(form, level == LEVEL_METRIC ? "deliverable"
                             : level == LEVEL_DELIVERABLE ? "objective" : "aim",
                       "parent", NULL, parent->code);
    if (level != LEVEL_METRIC) {
        form_add_field(form, "title", "title", NULL, NULL);
        form_add_field(form, "lead", "lead", NULL, NULL);
    }
    if (level == LEVEL_DELIVERABLE) {
        form_add_field(form, "milestone due", "due", NULL, NULL);
        form_add_heading(form, "Or a metric (leave its name empty for a milestone):");
    }
    if (level >= LEVEL_DELIVERABLE)
        add_metric_fields(form, NULL, NULL);
    /* The form starts on the first field to fill in. */
    form->focus = form_find(form, level == LEVEL_METRIC ? "name" : "title");
    free(code);
    open_form(b);
    return RESULT_REDRAW;
}

static unsigned add_from_selection(struct browser *b, bool beside)
{
    struct board *structure = NULL;
    if (!load_structure(b, &structure))
        return RESULT_REDRAW;
    const struct node *node;
    const struct metric *metric;
    unsigned result = RESULT_REDRAW;
    if (selected_in_structure(b, structure, &node, &metric)) {
        bool metric_row = b->rows[b->cursor].metric >= 0;
        if (beside && metric_row)
            result = open_add_form(b, structure, node, LEVEL_METRIC);
        else if (beside)
            result = open_add_form(b, structure,
                                   node->parent == NODE_NONE ? NULL
                                                             : &structure->nodes[node->parent],
                                   node->level);
        else
            result = open_add_form(b, structure, node,
                                   node->level == LEVEL_DELIVERABLE ? LEVEL_METRIC
                                                                    : (enum level)(node->level + 1));
    }
    board_free(structure);
    return result;
}

static unsigned on_add_child(void *context)
{
    return add_from_selection(context, false);
}

static unsigned on_add_sibling(void *context)
{
    return add_from_selection(context, true);
}

/* The edits a form makes: an edit form's changed fields; an add form's
 * "add" (or "add_metric") and every field filled in. With `placeholders`
 * (a field just left, in an add form) a required field still empty gets a
 * stand-in, so only what was typed is checked. */
struct form_edits {
    struct board_edit edits[FORM_FIELDS_MAX + 2];
    char *values[FORM_FIELDS_MAX + 2];
    size_t count;
    char *code, *parent;
};

static void form_edits_free(struct form_edits *out)
{
    for (size_t i = 0; i < out->count; i++)
        free(out->values[i]);
    free(out->code);
    free(out->parent);
    memset(out, 0, sizeof *out);
}

static void push_edit(struct form_edits *out, const char *code, const char *field, char *value)
{
    out->values[out->count] = value;
    out->edits[out->count++] = (struct board_edit){code, field, value};
}

static bool is_metric_field_name(const char *name)
{
    static const char *const names[] = {"name",          "unit",      "direction", "baseline",
                                        "baseline_period", "target",  "target_period",
                                        "tolerance",     "trajectory", "breakdown", "segments",
                                        "rebase",        "stale_after", NULL};
    for (size_t i = 0; names[i]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

static void form_edits_of(const struct browser *b, bool placeholders, struct form_edits *out)
{
    const struct form *form = &b->form;
    memset(out, 0, sizeof *out);
    if (!b->form_adding) {
        for (int i = 0; i < form->count; i++)
            if (form_field_changed(form, i))
                push_edit(out, form->fields[i].code, form->fields[i].name, form_value(form, i));
        return;
    }
    out->code = form_value(form, form_find(form, "code"));
    int parent = form_find(form, "parent");
    out->parent = parent >= 0 ? form_value(form, parent) : xstrdup("");
    bool metric = b->form_level == LEVEL_METRIC;
    bool has_due = false;
    for (int i = 0; i < form->count; i++) {
        const char *name = form->fields[i].name;
        if (!name || !is_metric_field_name(name))
            continue;
        char *value = form_value(form, i);
        metric = metric || *value;
        free(value);
    }
    if (b->form_level != LEVEL_METRIC)
        push_edit(out, out->code, "add", xstrdup(out->parent));
    if (metric)
        push_edit(out, out->code, "add_metric",
                  xstrdup(b->form_level == LEVEL_METRIC ? out->parent : out->code));
    for (int i = 0; i < form->count; i++) {
        const char *name = form->fields[i].name;
        if (!name || strcmp(name, "code") == 0 || strcmp(name, "parent") == 0)
            continue;
        char *value = form_value(form, i);
        bool required = strcmp(name, "title") == 0 ||
                        (metric && (strcmp(name, "name") == 0 || strcmp(name, "unit") == 0 ||
                                    strcmp(name, "direction") == 0 ||
                                    strcmp(name, "target") == 0));
        if (!*value && placeholders && required) {
            free(value);
            value = xstrdup(strcmp(name, "unit") == 0        ? "number"
                            : strcmp(name, "direction") == 0 ? "up"
                            : strcmp(name, "target") == 0    ? "0"
                                                             : "-");
        }
        if (!*value || (!metric && is_metric_field_name(name))) {
            free(value);
            continue;
        }
        has_due = has_due || strcmp(name, "due") == 0;
        push_edit(out, out->code, name, value);
    }
    if (placeholders && b->form_level == LEVEL_DELIVERABLE && !metric && !has_due)
        push_edit(out, out->code, "due", xstrdup("2000-01"));
}

/* A field was left: check what the form would change so far (a dry run:
 * nothing written), and say what is wrong in the board file's words. */
static void form_check(struct browser *b, int left)
{
    struct form *form = &b->form;
    if (left < 0 || left >= form->count || !form->fields[left].name)
        return;
    char *value = form_value(form, left);
    bool empty = !*value;
    free(value);
    if (b->form_adding ? empty : !form_field_changed(form, left))
        return;
    struct form_edits edits;
    form_edits_of(b, true, &edits);
    struct error error = {0};
    if (edits.count &&
        !command_edit_many(b->store, b->board_code, edits.edits, edits.count, true, NULL, NULL,
                           &error))
        form_say(b, true, form_error_text(&error));
    else
        form_say(b, false, "");
    form_edits_free(&edits);
}

/* After a change of the structure: the board again, the node shown. */
static void show_after_change(struct browser *b, const char *node_code, const char *code)
{
    reload_after_write(b);
    if (!node_code || !b->board)
        return;
    struct node *node = board_find_node(b->board, node_code);
    size_t index = node ? (size_t)(node - b->board->nodes) : reveal_code(b, node_code);
    if (index == NODE_NONE)
        return;
    reveal(b, index);
    build_rows(b);
    select_code(b, code ? code : node_code);
}

static void form_save(struct browser *b)
{
    struct form_edits edits;
    form_edits_of(b, false, &edits);
    if (!edits.count) {
        close_form(b);
        set_message(b, false, "Nothing changed.");
        form_edits_free(&edits);
        return;
    }
    struct error error = {0};
    struct change change = {0};
    if (!command_edit_many(b->store, b->board_code, edits.edits, edits.count, false, NULL,
                           &change, &error)) {
        /* The form stays open with what was typed; nothing was written. */
        form_say(b, true, form_error_text(&error));
        form_edits_free(&edits);
        return;
    }
    char *node_code = NULL;
    if (b->form_adding) {
        set_message(b, false, "Added %s %s. (u undoes)", level_name(b->form_level), edits.code);
        node_code = xstrdup(b->form_level == LEVEL_METRIC ? edits.parent : edits.code);
    } else {
        struct text_buffer fields = {0};
        for (size_t i = 0; i < edits.count; i++)
            text_appendf(&fields, "%s%s", i ? ", " : "", edits.edits[i].field);
        set_message(b, false, "Saved %s: %s. (u undoes)", b->form.fields[0].code ?
                    b->form.fields[0].code : b->form_code, fields.data);
        text_free(&fields);
        node_code = xstrdup(b->form_code);
    }
    char *code = xstrdup(b->form_adding ? edits.code : NULL);
    form_edits_free(&edits);
    close_form(b);
    command_history_push(&b->history, &change);
    show_after_change(b, node_code, code);
    free(code);
    free(node_code);
}

static void form_overlay_draw(void *context, const struct overlay_screen *self, int *cursor_y,
                              int *cursor_x)
{
    (void)self;
    struct browser *b = context;
    form_draw(&b->form, cursor_y, cursor_x);
}

static unsigned form_overlay_key(void *context, const struct overlay_screen *self,
                                 const struct input_event *event)
{
    (void)self;
    struct browser *b = context;
    int left = -1;
    switch (form_key(&b->form, event, &left)) {
    case FORM_CANCEL:
        close_form(b);
        set_message(b, false, "Nothing changed: the form was cancelled.");
        break;
    case FORM_SAVE:
        form_save(b); /* checks the whole form; a refusal keeps it open */
        break;
    case FORM_LEFT:
        form_check(b, left);
        break;
    case FORM_NONE:
        break;
    }
    return RESULT_REDRAW;
}

/* One edit of the selected node at once (reorder, retire, restore). */
static void edit_now(struct browser *b, const char *code, const char *node_code,
                     const char *field, const char *done)
{
    struct error error = {0};
    struct change change = {0};
    if (!command_edit(b->store, b->board_code, code, field, NULL, NULL, &change, &error)) {
        set_message(b, true, "%s", form_error_text(&error));
        return;
    }
    set_message(b, false, "%s (u undoes)", done);
    command_history_push(&b->history, &change);
    show_after_change(b, node_code, code);
}

static unsigned move_among_siblings(struct browser *b, const char *where)
{
    const struct row *row = &b->rows[b->cursor];
    const struct node *node = &b->board->nodes[row->node];
    /* A metric row moves among its deliverable's metrics. */
    char *code = xstrdup(row->metric >= 0 ? node->metrics[row->metric].code : node->code);
    char *node_code = xstrdup(node->code);
    struct error error = {0};
    struct change change = {0};
    const struct board_edit edit = {code, "position", where};
    if (!command_edit_many(b->store, b->board_code, &edit, 1, false, NULL, &change, &error)) {
        set_message(b, true, "%s", form_error_text(&error));
    } else {
        set_message(b, false, "Moved %s %s. (u undoes)", code, where);
        command_history_push(&b->history, &change);
        show_after_change(b, node_code, code);
    }
    free(code);
    free(node_code);
    return RESULT_REDRAW;
}

static unsigned on_move_node_up(void *context)
{
    return move_among_siblings(context, "up");
}

static unsigned on_move_node_down(void *context)
{
    return move_among_siblings(context, "down");
}

/* R: what may be retired (the selection) or restored (anything retired),
 * a list; the pick asks y/n before anything is written. */
static void retire_offers_free(struct browser *b)
{
    for (size_t i = 0; i < b->retire_count; i++) {
        free(b->retire_offers[i].code);
        free(b->retire_offers[i].node_code);
        free(b->retire_offers[i].label);
    }
    free(b->retire_offers);
    b->retire_offers = NULL;
    b->retire_count = 0;
}

static void offer_retire(struct browser *b, const char *code, const char *node_code,
                         bool restore, char *label)
{
    b->retire_offers = xrealloc(b->retire_offers,
                                (b->retire_count + 1) * sizeof *b->retire_offers);
    b->retire_offers[b->retire_count++] = (struct retire_offer){
        xstrdup(code), xstrdup(node_code), restore, label};
}

static char **retire_items(struct browser *b, int *count)
{
    char **items = xcalloc(b->retire_count + 1, sizeof *items);
    for (size_t i = 0; i < b->retire_count; i++)
        items[i] = xstrdup(b->retire_offers[i].label);
    *count = (int)b->retire_count;
    return items;
}

static void pick_retire(struct browser *b, int pick)
{
    if (pick < 0 || (size_t)pick >= b->retire_count)
        return;
    b->retire_pick = pick;
    overlay_push(&b->overlays, &confirm_screen);
}

static void confirm_draw(void *context, const struct overlay_screen *self, int *cursor_y,
                         int *cursor_x)
{
    (void)self;
    struct browser *b = context;
    const struct retire_offer *offer = &b->retire_offers[b->retire_pick];
    char text[600];
    snprintf(text, sizeof text, "%s %s? y: yes, any other key: no", offer->restore ? "Restore"
                                                                                  : "Retire",
             offer->code);
    screen_fill(LINES - 1, 0, COLS, A_NORMAL);
    int used = screen_put(LINES - 1, 0, COLS, text, A_BOLD);
    *cursor_y = LINES - 1;
    *cursor_x = used < COLS ? used : COLS - 1;
}

static unsigned confirm_key(void *context, const struct overlay_screen *self,
                            const struct input_event *event)
{
    (void)self;
    struct browser *b = context;
    overlay_pop(&b->overlays);
    const struct retire_offer *offer = &b->retire_offers[b->retire_pick];
    if (event->function || (event->key != 'y' && event->key != 'Y')) {
        set_message(b, false, "Nothing %s.", offer->restore ? "restored" : "retired");
        retire_offers_free(b);
        return RESULT_REDRAW;
    }
    char done[200];
    snprintf(done, sizeof done, "%s %s.", offer->restore ? "Restored" : "Retired", offer->code);
    char *code = xstrdup(offer->code), *node_code = xstrdup(offer->node_code);
    bool restore = offer->restore;
    retire_offers_free(b);
    edit_now(b, code, node_code, restore ? "restore" : "retire", done);
    free(code);
    free(node_code);
    return RESULT_REDRAW;
}

static unsigned on_retire(void *context)
{
    struct browser *b = context;
    struct board *structure = NULL;
    if (!load_structure(b, &structure))
        return RESULT_REDRAW;
    retire_offers_free(b);
    const struct node *node;
    const struct metric *metric;
    if (selected_in_structure(b, structure, &node, &metric)) {
        bool metric_row = b->rows[b->cursor].metric >= 0;
        if (metric_row)
            offer_retire(b, metric->code, node->code, false,
                         xasprintf("Retire metric %s %s", metric->code, metric->name));
        else
            offer_retire(b, node->code, node->code, false,
                         xasprintf("Retire %s %s %s%s", level_name(node->level), node->code,
                                   node->title,
                                   node->level == LEVEL_DELIVERABLE ? ""
                                                                    : " (and what is under it)"));
    }
    for (size_t i = 0; i < structure->node_count; i++) {
        const struct node *retired = &structure->nodes[i];
        char month[9];
        if (retired->retired && (retired->parent == NODE_NONE ||
                                 !structure->nodes[retired->parent].retired)) {
            yearmonth_label(retired->retired, month);
            offer_retire(b, retired->code, retired->code, true,
                         xasprintf("Restore %s %s %s (retired %s)", level_name(retired->level),
                                   retired->code, retired->title, month));
        }
        for (size_t m = 0; !retired->retired && m < retired->metric_count; m++)
            if (retired->metrics[m].retired) {
                yearmonth_label(retired->metrics[m].retired, month);
                offer_retire(b, retired->metrics[m].code, retired->code, true,
                             xasprintf("Restore metric %s %s (retired %s)",
                                       retired->metrics[m].code, retired->metrics[m].name,
                                       month));
            }
    }
    board_free(structure);
    open_overlay(b, &retire_screen);
    return RESULT_REDRAW;
}

/* The browser's handlers, by request; the kiosk's rows stay NULL. */
static const request_handler browser_handlers[REQUEST_COUNT] = {
    [REQ_HELP] = on_help,
    [REQ_QUIT] = on_quit,
    [REQ_UP] = on_move_up,
    [REQ_DOWN] = on_move_down,
    [REQ_EXPAND] = on_expand,
    [REQ_COLLAPSE] = on_collapse,
    [REQ_SEARCH] = on_search,
    [REQ_EDIT] = on_edit,
    [REQ_NEXT_MATCH] = on_next_match,
    [REQ_PREVIOUS_MATCH] = on_previous_match,
    [REQ_OPEN] = on_open,
    [REQ_CLOSE] = on_close,
    [REQ_EXPAND_ALL] = on_expand_all,
    [REQ_FIRST] = on_first,
    [REQ_LAST] = on_last,
    [REQ_PAGE_UP] = on_page_up,
    [REQ_PAGE_DOWN] = on_page_down,
    [REQ_FOCUS] = on_focus,
    [REQ_FILTER] = on_filter,
    [REQ_BOARDS] = on_boards,
    [REQ_PERIOD] = on_as_at,
    [REQ_AUDIT] = on_history,
    [REQ_REDRAW] = on_redraw,
    [REQ_ADD] = on_add,
    [REQ_SEGMENT] = on_segment,
    [REQ_MILESTONE] = on_milestone,
    [REQ_COMMENT] = on_comment,
    [REQ_REMOVE] = on_remove,
    [REQ_MISSING] = on_missing,
    [REQ_CHANGED] = on_changed,
    [REQ_OPEN_MONTH] = on_open_month,
    [REQ_PUBLISH_MONTH] = on_publish_month,
    [REQ_UNDO] = on_undo,
    [REQ_REDO] = on_redo,
    [REQ_FORM] = on_form,
    [REQ_ADD_CHILD] = on_add_child,
    [REQ_ADD_SIBLING] = on_add_sibling,
    [REQ_MOVE_NODE_UP] = on_move_node_up,
    [REQ_MOVE_NODE_DOWN] = on_move_node_down,
    [REQ_RETIRE] = on_retire,
};

/* Whether this session may change the store at all, and whether it may
 * now (not while it shows an earlier month): for the gate below, help and
 * the hint line. */
static bool browser_may_change_store(const struct browser *b)
{
    return b->options.mode == SCREEN_EDIT && !store_is_read_only(b->store);
}

static bool browser_writable(const struct browser *b)
{
    return browser_may_change_store(b) && !b->as_of;
}

/* The browser's one write gate, asked by request_dispatch before any
 * request that changes data. */
static const char *write_refusal(void *context, const struct request_info *info, char *buffer,
                                 size_t size)
{
    struct browser *b = context;
    if (browser_writable(b))
        return NULL;
    if (browser_may_change_store(b))
        return "You are looking at an earlier month; press p and pick the latest to make "
               "changes.";
    snprintf(buffer, size, "Read-only: %s is not available here.", info->help);
    return buffer;
}

static unsigned perform(struct browser *b, enum request request)
{
    struct request_target target = {
        .view = focused_view(b),
        .handlers = browser_handlers,
        .refusal = write_refusal,
        .context = b,
        .has_row = b->row_count > 0,
        .message = b->message,
        .message_size = sizeof b->message,
    };
    size_t before = strlen(b->message);
    unsigned result = request_dispatch(&target, request);
    if (result & RESULT_REFUSED)
        b->message_is_error = true;
    if (strlen(b->message) != before && !(result & ~(unsigned)RESULT_HANDLED))
        result |= RESULT_REDRAW;
    return result;
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
    pending_free(&b->pending);
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
    removals_free(b);
    close_form(b);
    retire_offers_free(b);
    command_history_free(&b->history);
    free(b->match.code);
}

static unsigned handle_key(struct browser *b, int status, wint_t key)
{
    bool is_function = status == KEY_CODE_YES;
    if (is_function && key == KEY_RESIZE)
        return RESULT_REDRAW;
    const struct overlay_screen *top = overlay_top(&b->overlays);
    if (is_function && key == KEY_MOUSE) {
        if (!top)
            mouse_event(b);
        else {
            MEVENT event;
            getmouse(&event);
        }
        return RESULT_REDRAW;
    }
    /* The top overlay takes every key. */
    if (top) {
        struct input_event event = {.kind = INPUT_KEY, .key = key, .function = is_function};
        return top->key(b, top, &event);
    }
    if (!is_function && key == 27) { /* Esc: leave the detail pane, clear a message */
        b->focus_detail = false;
        b->message[0] = '\0';
        return RESULT_REDRAW;
    }
    if (!is_function && key > 0x7F)
        return RESULT_REDRAW;
    enum request request = keymap_lookup(&b->keymap, (int)key);
    if (request == REQ_NONE)
        return 0;
    if (b->message_is_error || request != REQ_REDRAW)
        b->message[0] = '\0';
    return perform(b, request);
}

static void act(struct browser *b, unsigned result);

/* The browser as the input loop sees it. */
static int browser_wait(void *context)
{
    struct browser *b = context;
    b->redraw = false;
    return POLL_MS; /* polling for other programs' writes is a tick */
}

static bool browser_done(void *context)
{
    struct browser *b = context;
    return b->quit || b->hung_up;
}

/* After a batch of keys, or a tick: another program's writes reload the
 * board (checked at most every POLL_MS while keys come). */
static bool browser_after(void *context)
{
    struct browser *b = context;
    long long now = screen_now_ms();
    if (now - b->last_poll >= store_poll_ms(b->store, POLL_MS) || b->ticked) {
        b->last_poll = now;
        b->ticked = false;
        if (store_changed_since(b->store, &b->mark) != STORE_UNCHANGED) {
            struct error reload = {0};
            if (!load_board(b, b->board_code, b->as_of, &reload)) {
                set_message(b, true, "%s", reload.message);
                b->reload_failed = true;
            } else if (b->reload_failed) {
                /* The reload that said why it failed now works: say so,
                 * unless something else has been said since. */
                set_message(b, false, "The store can be read again; the board is up to date.");
            }
            b->redraw = true;
        }
    }
    return b->redraw;
}

static void views_prepare(struct browser *b);

static void browser_frame(void *context, int *cursor_y, int *cursor_x)
{
    struct browser *b = context;
    views_prepare(b);
    draw(b);
    *cursor_y = b->cursor_at_y;
    *cursor_x = b->cursor_at_x;
}

/* One event from the input point. */
static bool browser_event(void *context, const struct input_event *event)
{
    struct browser *b = context;
    switch (event->kind) {
    case INPUT_TICK:
        b->ticked = true;
        return true;
    case INPUT_HANGUP:
        b->hung_up = true; /* the terminal hung up without a SIGHUP */
        return false;
    case INPUT_RESIZE:
        b->redraw = true; /* laid out again by the next frame */
        return true;
    case INPUT_MOUSE:
    case INPUT_KEY:
        break;
    }
    act(b, handle_key(b, event->function ? KEY_CODE_YES : OK, event->key));
    b->redraw = true;
    return !b->quit;
}

/* What the loop does with a handler's result. */
static void act(struct browser *b, unsigned result)
{
    if (result & RESULT_QUIT)
        b->quit = true;
    if (result & RESULT_REPAINT)
        clearok(curscr, TRUE);
}

/* The browser's loop: its one timer is polling the store. */
static const struct front_end browser_front_end = {
    .wait_ms = browser_wait,
    .event = browser_event,
    .after = browser_after,
    .draw = browser_frame,
    .done = browser_done,
};

int screen_run(struct store *store, const struct screen_options *options, struct error *error)
{
    if (options->mode == SCREEN_KIOSK)
        return kiosk_run(store, options, error);
    struct browser browser = {0};
    struct browser *b = &browser;
    b->store = store;
    b->options = *options;
    /* A store this account may not change (a file it may not write, a
     * viewer's login to a server, a hot standby) opens READ-ONLY. */
    bool may_not_write = options->mode == SCREEN_EDIT && !store_may_write(store);
    if (may_not_write)
        b->options.mode = SCREEN_READ_ONLY;
    b->style.ascii = options->ascii;
    screen_set_ascii(options->ascii);
    keymap_default(&b->keymap, false);
    if (!keymap_apply(&b->keymap, false, options->bindings, options->binding_count,
                      options->settings_path, error)) {
        error->status = EXIT_DATA;
        browser_free(b);
        return error->status;
    }
    if (!load_board(b, options->board_code, YEARMONTH_NONE, error)) {
        browser_free(b);
        return error->status ? error->status : EXIT_DATA;
    }
    if (!screen_start(options, &b->style, error)) {
        browser_free(b);
        return error->status;
    }
    struct screen_signals signals;
    screen_signals_catch(&signals, false);
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
    if (may_not_write)
        set_message(b, false, "You may not change this store, so it is open read-only.");
    if (options->first_frame_only) {
        views_prepare(b);
        draw(b);
        input_show(b->cursor_at_y, b->cursor_at_x);
        screen_stop();
        screen_signals_restore(&signals);
        browser_free(b);
        return EXIT_OK;
    }
    b->last_poll = screen_now_ms();
    input_loop(&browser_front_end, b);
    screen_stop();
    screen_signals_restore(&signals);
    browser_free(b);
    return EXIT_OK;
}
