/* kiosk.c — the meeting-room display: a layout of views (kiosk_views) showing
 * one aim at a time, cycling, with a live clock and the "as at" month,
 * reloading when the store changes and keeping its last good frame when the
 * store cannot be read. It only reads: there is no write path here, and
 * no key does more than step or pause, except a quit sequence the room's
 * owner configures (docs/kiosk.md). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "command.h"
#include "rules.h"
#include "screen_internal.h"
#include "store.h"
#include "util.h"

#define KIOSK_POLL_MS 500          /* how often the store is checked */
#define KIOSK_BUSY_TIMEOUT_MS 200  /* a locked store shows as unreadable, not a frozen clock */
#define KIOSK_STALE_MONTHS DEFAULT_STALE_MONTHS /* as at more than this before this month: STALE */
#define KIOSK_KEY_BATCH 256        /* typed-ahead keys handled between two frames */
#define KIOSK_QUIT_MAX 64          /* bytes in BOARDPACK_KIOSK_QUIT */
#define KIOSK_MIN_WIDTH 30
#define KIOSK_MIN_HEIGHT 8

/* One screen line of the aim's body. Codes are borrowed from the board;
 * text and right are owned. */
struct kiosk_line {
    int badge; /* an enum rag drawn at badge_x, or -1 */
    int badge_x;
    const char *code;
    int code_x;
    char *text;
    int text_x, text_width;
    attr_t attr;
    char *right;
    int right_x, right_width;
    attr_t right_attr;
    size_t item;
    bool blank;
};

/* How tall an item is: its title's lines when wrapped in full, and its
 * values (beside the title, or on lines of their own). */
struct item_size {
    int title_lines;
    int values_beside;
    int values_below;
};

struct kiosk_layout {
    struct kiosk_line *lines;
    size_t count, capacity;
    size_t items;
    struct item_size *sizes; /* one per item */
    size_t size_capacity;
};

struct kiosk {
    struct screen_options options;
    struct screen_style style;

    /* The store: main.c lends us its connection and closes it after we
     * return; after any failure we stop using it and work through
     * connections of our own, which only we close. */
    struct store *borrowed;
    struct store *owned;
    struct store *store; /* borrowed, owned, or NULL while unreadable */
    char *path;
    struct store_mark mark; /* what the last good load saw */

    /* The last good load: kept on screen while the store is unreadable. */
    struct board *board;
    struct board_status status;
    size_t *aims; /* node indexes of the aims, in order */
    size_t aim_count;

    size_t aim;      /* the aim on screen */
    int page;        /* part of an aim too long for the screen */
    int page_count;  /* from the last frame's layout */
    /* The frame being drawn, laid out by the views' select functions before
     * anything is drawn, and freed once it is. */
    struct kiosk_layout layout;
    size_t *starts;   /* the first line of each part */
    int banner_lines; /* below the position line */
    int title_y;      /* the aim's title */
    int title_lines;  /* the most lines its title may take */
    int body_y;       /* the first line of the part shown */
    bool paused;
    long long next_cycle_ms;
    long long next_poll_ms;

    bool unreadable;
    char unreadable_since[16]; /* HH:MM:SS */
    char unreadable_why[512];

    int stale_months;
    char quit_sequence[KIOSK_QUIT_MAX + 1];
    size_t quit_length;
    char typed[KIOSK_QUIT_MAX];
    size_t typed_length;
    bool quit;
    bool hung_up;
    struct keymap keymap; /* the kiosk's own bindings: only its requests */
};

/* ---- Settings from the environment -------------------------------------- */

static bool read_settings(struct kiosk *k, struct error *error)
{
    k->stale_months = KIOSK_STALE_MONTHS;
    const char *stale = getenv("BOARDPACK_KIOSK_STALE_MONTHS");
    if (stale && *stale) {
        char *end;
        long months = strtol(stale, &end, 10);
        if (*end != '\0' || months < 0 || months > 1200) {
            error_set(error, EXIT_USAGE,
                      "BOARDPACK_KIOSK_STALE_MONTHS must be a whole number of months from 0 to "
                      "1200, not '%s'.",
                      stale);
            return false;
        }
        k->stale_months = (int)months;
    }
    const char *quit = getenv("BOARDPACK_KIOSK_QUIT");
    if (quit && *quit) {
        size_t length = strlen(quit);
        if (length > KIOSK_QUIT_MAX) {
            error_set(error, EXIT_USAGE,
                      "BOARDPACK_KIOSK_QUIT is %zu bytes long; the most a quit sequence may be "
                      "is %d.",
                      length, KIOSK_QUIT_MAX);
            return false;
        }
        memcpy(k->quit_sequence, quit, length + 1);
        k->quit_length = length;
    }
    return true;
}

/* ---- Time --------------------------------------------------------------- */

static void wall_clock(char out[16])
{
    time_t now = time(NULL);
    struct tm parts;
    if (!localtime_r(&now, &parts) || strftime(out, 16, "%H:%M:%S", &parts) == 0)
        snprintf(out, 16, "--:--:--");
}

static yearmonth current_month(void)
{
    time_t now = time(NULL);
    struct tm parts;
    if (!localtime_r(&now, &parts))
        return yearmonth_current();
    return yearmonth_make(parts.tm_year + 1900, parts.tm_mon + 1);
}

/* Milliseconds until the wall clock's next second, so the clock ticks on time. */
static int until_next_second(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return 1000 - (int)(now.tv_nsec / 1000000) + 2;
}

/* ---- The store ----------------------------------------------------------- */

static void free_board(struct kiosk *k)
{
    if (k->board) {
        board_status_free(&k->status, k->board->node_count);
        board_free(k->board);
    }
    k->board = NULL;
    free(k->aims);
    k->aims = NULL;
    k->aim_count = 0;
}

/* Loads the board afresh from the store in use, keeping the aim on screen
 * when it is still there. On failure the last good board stays. */
static bool load(struct kiosk *k, struct error *error)
{
    /* Mark first: a commit between the two then costs one more reload
     * instead of being missed. */
    struct store_mark mark;
    if (!store_mark(k->store, &mark)) {
        error_set(error, EXIT_NO_INPUT, "Cannot read the store %s.", k->path);
        return false;
    }
    /* The newest published month, as it was published (a copy of the
     * board kept by the publication); with none published yet, the working
     * figures, PROVISIONAL (command_load_view's VIEW_PUBLISHED, but with
     * the summary: each metric's latest readings have every status and
     * roll-up, at a cost that follows the board's nodes, not its readings). */
    struct board *board = NULL;
    bool published = false;
    if (!command_load_published(k->store, k->options.board_code, YEARMONTH_NONE, &board,
                                &published, error))
        return false;
    if (!published &&
        !store_load_board_summary(k->store, k->options.board_code, &board, error))
        return false;
    char *keep = NULL;
    if (k->board && k->aim < k->aim_count)
        keep = xstrdup(k->board->nodes[k->aims[k->aim]].code);
    free_board(k);
    k->board = board;
    board_evaluate(board, YEARMONTH_NONE, &k->status);
    k->aims = xcalloc(board->node_count ? board->node_count : 1, sizeof *k->aims);
    for (size_t i = 0; i < board->node_count; i++)
        if (board->nodes[i].level == LEVEL_AIM)
            k->aims[k->aim_count++] = i;
    bool found = false;
    for (size_t a = 0; keep && a < k->aim_count; a++) {
        if (strcmp(board->nodes[k->aims[a]].code, keep) == 0) {
            found = true;
            if (k->aim != a)
                k->page = 0;
            k->aim = a;
            break;
        }
    }
    if (!found && k->aim >= k->aim_count) {
        k->aim = 0;
        k->page = 0;
    }
    free(keep);
    k->mark = mark;
    return true;
}

/* Stops using the connection in use; a borrowed one stays open for main.c. */
static void drop_connection(struct kiosk *k)
{
    if (k->owned)
        store_close(k->owned);
    k->owned = NULL;
    k->store = NULL;
}

static void mark_unreadable(struct kiosk *k, const char *why)
{
    if (!k->unreadable) {
        k->unreadable = true;
        wall_clock(k->unreadable_since);
    }
    snprintf(k->unreadable_why, sizeof k->unreadable_why, "%s", why);
    /* Nobody at the screen need try again: the kiosk does, at every poll. */
    static const char advice[] = "; try again.";
    size_t length = strlen(k->unreadable_why), advice_length = sizeof advice - 1;
    if (length > advice_length &&
        strcmp(k->unreadable_why + length - advice_length, advice) == 0)
        snprintf(k->unreadable_why + length - advice_length, advice_length + 1, ".");
}

/* Opens a connection of our own and loads from it. */
static bool reopen(struct kiosk *k, struct error *error)
{
    drop_connection(k);
    struct store *store = NULL;
    /* Opening waits no longer for a lock than a read does: the clock must
     * not stop while the store is locked. */
    if (!store_open_waiting(k->path, STORE_READ_ONLY, false, KIOSK_BUSY_TIMEOUT_MS, &store,
                            error))
        return false;
    k->owned = k->store = store;
    if (!load(k, error)) {
        drop_connection(k);
        return false;
    }
    return true;
}

/* One poll: reload when another process has committed; notice a store
 * that was moved, replaced, deleted or damaged; retry one that was. Any
 * failure first tries a fresh connection, and only if that fails too does
 * the banner go up. */
static void poll_store(struct kiosk *k)
{
    struct error error = {0};
    if (k->store) {
        if (!store_is_same(k->store)) {
            snprintf(error.message, sizeof error.message,
                     "The store file %s was moved, replaced or deleted.", k->path);
        } else {
            enum store_change change = store_changed_since(k->store, &k->mark);
            if (change == STORE_UNCHANGED) {
                return; /* nothing new */
            } else if (change == STORE_CHANGED) {
                if (load(k, &error)) {
                    k->unreadable = false;
                    return;
                }
            }
            /* The file changed with no commit seen (a checkpoint, or someone
             * writing over it): a fresh connection reads it with no cache. */
        }
    }
    if (reopen(k, &error)) {
        k->unreadable = false;
        return;
    }
    mark_unreadable(k, error.message[0] ? error.message : "The store cannot be read.");
}

/* ---- Keys ---------------------------------------------------------------- */

static void step(struct kiosk *k, int direction)
{
    if (k->aim_count == 0)
        return;
    if (k->page >= k->page_count)
        k->page = k->page_count > 0 ? k->page_count - 1 : 0;
    if (direction > 0) {
        if (k->page + 1 < k->page_count) {
            k->page++;
        } else {
            k->aim = (k->aim + 1) % k->aim_count;
            k->page = 0;
            k->page_count = 1; /* until the new aim is laid out */
        }
    } else if (k->page > 0) {
        k->page--;
    } else {
        k->aim = (k->aim + k->aim_count - 1) % k->aim_count;
        k->page = INT_MAX; /* the last part, clamped when laid out */
        k->page_count = 1;
    }
}

/* Keeps the last bytes typed and quits when they spell the sequence. */
static void type_for_quit(struct kiosk *k, wint_t key)
{
    if (!k->quit_length)
        return;
    char bytes[4];
    size_t count = utf8_encode((wchar_t)key, bytes);
    for (size_t i = 0; i < count; i++) {
        if (k->typed_length == k->quit_length) {
            memmove(k->typed, k->typed + 1, k->quit_length - 1);
            k->typed_length--;
        }
        k->typed[k->typed_length++] = bytes[i];
    }
    if (k->typed_length == k->quit_length &&
        memcmp(k->typed, k->quit_sequence, k->quit_length) == 0)
        k->quit = true;
}

/* The kiosk's requests (REQUEST_KIOSK rows of the request table): they
 * step through the aims and pause; none changes anything, and no other
 * request is bound here. */
static unsigned on_next_aim(void *context)
{
    struct kiosk *k = context;
    step(k, +1);
    k->next_cycle_ms = screen_now_ms() + (long long)k->options.cycle_seconds * 1000;
    return RESULT_REDRAW;
}

static unsigned on_previous_aim(void *context)
{
    struct kiosk *k = context;
    step(k, -1);
    k->next_cycle_ms = screen_now_ms() + (long long)k->options.cycle_seconds * 1000;
    return RESULT_REDRAW;
}

static unsigned on_pause(void *context)
{
    struct kiosk *k = context;
    k->paused = !k->paused;
    k->next_cycle_ms = screen_now_ms() + (long long)k->options.cycle_seconds * 1000;
    return RESULT_REDRAW;
}

static const request_handler kiosk_handlers[REQUEST_COUNT] = {
    [REQ_NEXT_AIM] = on_next_aim,
    [REQ_PREVIOUS_AIM] = on_previous_aim,
    [REQ_PAUSE] = on_pause,
};

/* Bound keys run their request; every other key, Ctrl-C, Ctrl-Z and Ctrl-\
 * included (raw mode makes them plain characters), is ignored unless it
 * continues the quit sequence. */
static void handle_key(struct kiosk *k, bool function, wint_t key)
{
    if (function)
        k->typed_length = 0; /* the sequence must be typed in a row */
    else
        type_for_quit(k, key);
    if (!function && key > 0x7F)
        return;
    /* No write gate (refusal) and nowhere to say why: dispatch refuses any
     * request that changes data, and none is bound or handled here. */
    struct request_target target = {.handlers = kiosk_handlers, .context = k, .has_row = true};
    request_dispatch(&target, keymap_lookup(&k->keymap, (int)key));
}

/* One event from the input point: keys, and the end of a wait (the clock,
 * polling and cycling are looked at after every batch). */
static bool kiosk_event(void *context, const struct input_event *event)
{
    struct kiosk *k = context;
    switch (event->kind) {
    case INPUT_HANGUP:
        k->hung_up = true; /* the terminal hung up without a SIGHUP: nobody can see it */
        return false;
    case INPUT_TICK:
    case INPUT_RESIZE: /* laid out again on the next frame */
    case INPUT_MOUSE:
        return true;
    case INPUT_KEY:
        break;
    }
    handle_key(k, event->function, event->key);
    return !k->quit;
}

/* ---- Layout -------------------------------------------------------------- */

static struct kiosk_line *layout_push(struct kiosk_layout *layout)
{
    void *lines = layout->lines;
    grow_array(&lines, &layout->capacity, layout->count + 1, sizeof *layout->lines);
    layout->lines = lines;
    struct kiosk_line *line = &layout->lines[layout->count++];
    memset(line, 0, sizeof *line);
    line->badge = -1;
    line->item = layout->items;
    return line;
}

static void layout_free(struct kiosk_layout *layout)
{
    for (size_t i = 0; i < layout->count; i++) {
        free(layout->lines[i].text);
        free(layout->lines[i].right);
    }
    free(layout->lines);
    free(layout->sizes);
    memset(layout, 0, sizeof *layout);
}

/* An item's height when its title may take at most `limit` lines (0: all). */
static int item_height(const struct item_size *size, int limit)
{
    int title = limit > 0 && size->title_lines > limit ? limit : size->title_lines;
    return (title > size->values_beside ? title : size->values_beside) + size->values_below;
}

struct wrapped {
    char **lines;
    size_t count, capacity;
};

static void collect_line(void *context, const char *line)
{
    struct wrapped *wrapped = context;
    void *lines = wrapped->lines;
    grow_array(&lines, &wrapped->capacity, wrapped->count + 1, sizeof *wrapped->lines);
    wrapped->lines = lines;
    wrapped->lines[wrapped->count++] = xstrdup(line);
}

static void wrapped_free(struct wrapped *wrapped)
{
    for (size_t i = 0; i < wrapped->count; i++)
        free(wrapped->lines[i]);
    free(wrapped->lines);
    memset(wrapped, 0, sizeof *wrapped);
}

/* Wraps text to width in at most max_lines lines (0: no limit); the last
 * line then holds the rest, for screen_put to cut with an ellipsis. */
static void wrap_text(const char *text, int width, int max_lines, struct wrapped *out)
{
    memset(out, 0, sizeof *out);
    screen_wrap(text && *text ? text : " ", width, collect_line, out);
    if (max_lines > 0 && out->count > (size_t)max_lines) {
        struct text_buffer rest = {0};
        for (size_t i = (size_t)max_lines - 1; i < out->count; i++) {
            if (rest.length)
                text_append(&rest, " ");
            text_append(&rest, out->lines[i]);
            free(out->lines[i]);
        }
        out->count = (size_t)max_lines;
        out->lines[out->count - 1] = rest.data;
    }
}

static void free_texts(char **texts, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(texts[i]);
    free(texts);
}

/* Lays out one item (an objective or a deliverable): badge, code, the title
 * wrapped beside its code, and the values in a right-hand column (or on
 * lines of their own when the screen is narrow). */
static void layout_item(struct kiosk_layout *layout, int rag, int badge_x, const char *code,
                        int code_width, const char *title, attr_t attr, char **rights,
                        size_t right_count, attr_t right_attr, int right_column,
                        const int *limits)
{
    int max_lines = limits ? limits[layout->items] : 0;
    int code_x = badge_x + 4;
    int text_x = code_x + code_width + 2;
    int text_width = COLS - text_x - 1;
    bool beside = right_count && right_column > 0 && text_width - right_column - 2 >= 16;
    if (beside)
        text_width -= right_column + 2;
    if (text_width < 1)
        text_width = 1;
    struct wrapped wrapped;
    wrap_text(title, text_width, 0, &wrapped);
    void *sizes = layout->sizes;
    grow_array(&sizes, &layout->size_capacity, layout->items + 1, sizeof *layout->sizes);
    layout->sizes = sizes;
    layout->sizes[layout->items] = (struct item_size){
        .title_lines = (int)wrapped.count,
        .values_beside = beside ? (int)right_count : 0,
        .values_below = beside ? 0 : (int)right_count,
    };
    if (max_lines > 0 && wrapped.count > (size_t)max_lines) {
        wrapped_free(&wrapped);
        wrap_text(title, text_width, max_lines, &wrapped);
    }
    size_t rows = wrapped.count;
    if (beside && right_count > rows)
        rows = right_count;
    for (size_t j = 0; j < rows; j++) {
        struct kiosk_line *line = layout_push(layout);
        if (j == 0) {
            line->badge = rag;
            line->badge_x = badge_x;
            line->code = code;
            line->code_x = code_x;
        }
        line->text = j < wrapped.count ? xstrdup(wrapped.lines[j]) : NULL;
        line->text_x = text_x;
        line->text_width = text_width;
        line->attr = attr;
        if (beside && j < right_count) {
            line->right = xstrdup(rights[j]);
            line->right_x = COLS - 1 - right_column;
            line->right_width = right_column;
            line->right_attr = right_attr;
        }
    }
    for (size_t j = 0; !beside && j < right_count; j++) {
        struct kiosk_line *line = layout_push(layout);
        line->text = xstrdup(rights[j]);
        line->text_x = text_x;
        line->text_width = COLS - text_x - 1;
        line->attr = right_attr;
    }
    wrapped_free(&wrapped);
    layout->items++;
}

/* A deliverable's values (present_kiosk_values), the first followed by
 * the movement since the last published month when its status moved
 * ("↑ was R"; an unchanged or new one says nothing here). */
static size_t kiosk_values(const struct kiosk *k, size_t node, char ***texts)
{
    size_t count = present_kiosk_values(k->board, &k->status, node, k->style.ascii, texts);
    char movement[24];
    int moved = present_movement(k->board, &k->board->nodes[node], k->status.nodes[node].rag,
                                 k->style.ascii, movement, sizeof movement);
    if (count && moved != 0) {
        size_t length = strlen((*texts)[0]) + strlen(movement) + 3;
        char *joined = xmalloc(length);
        snprintf(joined, length, "%s  %s", (*texts)[0], movement);
        free((*texts)[0]);
        (*texts)[0] = joined;
    }
    return count;
}

/* The aim's objectives and deliverables. limits[i] caps item i's title
 * lines (NULL: no caps); blanks puts an empty line before each objective
 * but the first. */
static void layout_body(const struct kiosk *k, size_t aim, const int *limits, bool blanks,
                        struct kiosk_layout *out)
{
    const struct board *board = k->board;
    const struct node *aim_node = &board->nodes[aim];
    int objective_code = 1, deliverable_code = 1, right_width = 0;
    for (size_t i = aim + 1; i < aim_node->subtree_end; i++) {
        const struct node *node = &board->nodes[i];
        int width = screen_text_width(&k->style, node->code);
        if (node->level == LEVEL_OBJECTIVE && width > objective_code)
            objective_code = width;
        if (node->level != LEVEL_DELIVERABLE)
            continue;
        if (width > deliverable_code)
            deliverable_code = width;
        char **texts;
        size_t count = kiosk_values(k, i, &texts);
        for (size_t t = 0; t < count; t++) {
            int text_width = screen_text_width(&k->style, texts[t]);
            if (text_width > right_width)
                right_width = text_width;
        }
        free_texts(texts, count);
    }
    if (right_width > COLS / 3)
        right_width = COLS / 3;
    bool first = true;
    for (size_t i = aim + 1; i < aim_node->subtree_end; i++) {
        const struct node *node = &board->nodes[i];
        enum rag rag = k->status.nodes[i].rag;
        if (node->level == LEVEL_OBJECTIVE) {
            if (blanks && !first) {
                layout_push(out)->blank = true;
            }
            first = false;
            layout_item(out, (int)rag, 1, node->code, objective_code, node->title, A_BOLD, NULL, 0,
                        A_NORMAL, 0, limits);
        } else if (node->level == LEVEL_DELIVERABLE) {
            char **texts;
            size_t count = kiosk_values(k, i, &texts);
            layout_item(out, (int)rag, 5, node->code, deliverable_code, node->title, A_NORMAL,
                        texts, count, screen_rag_attr(&k->style, rag), right_width, limits);
            free_texts(texts, count);
        }
    }
}

/* Splits the body into pages of `rows` lines, never splitting an item
 * unless it is taller than a page. Fills starts[] (page_count entries). */
static int paginate(const struct kiosk_layout *layout, int rows, size_t **starts)
{
    size_t capacity = 0, count = 0;
    *starts = NULL;
    size_t i = 0;
    while (i < layout->count) {
        while (i < layout->count && layout->lines[i].blank)
            i++;
        if (i >= layout->count)
            break;
        void *array = *starts;
        grow_array(&array, &capacity, count + 1, sizeof **starts);
        *starts = array;
        (*starts)[count++] = i;
        int used = 0;
        while (i < layout->count) {
            size_t end = i + 1;
            while (end < layout->count && layout->lines[end].item == layout->lines[i].item &&
                   !layout->lines[end].blank)
                end++;
            int height = (int)(end - i);
            if (used + height > rows) {
                if (used == 0)
                    i = end; /* taller than a page: shown cut */
                break;
            }
            used += height;
            i = end;
        }
    }
    if (count == 0) {
        *starts = xcalloc(1, sizeof **starts);
        (*starts)[0] = 0;
        count = 1;
    }
    return (int)count;
}

/* ---- Views: the kiosk's layout -------------------------------------------
 * The header, the banners, the aim, the position line and the footer, drawn
 * in that order. The banners' and the aim's select functions lay the frame
 * out first (the position line shows how many parts the aim took); drawing
 * only draws. */

static int draw_counts(const struct kiosk *k, int y, int x, const struct rollup *rollup)
{
    struct present_line counts = {0};
    present_counts(rollup, PRESENT_COUNTS_KIOSK, &counts);
    if (x < COLS)
        x += screen_put_spans(&k->style, y, x, COLS - x, &counts, A_NORMAL);
    present_line_free(&counts);
    return x;
}

/* The browser's header bar with the kiosk's words: title, SAMPLE DATA
 * (kept a column from the title, and only while the title keeps ten),
 * as at and the clock. */
static void header_view_draw(void *context)
{
    const struct kiosk *k = context;
    char clock[16];
    wall_clock(clock);
    struct present_header parts;
    present_kiosk_header(k->board, k->status.as_at, clock, &parts);
    present_header_month(k->board, &k->status, &parts);
    screen_header_bar(&k->style, &parts, 1, 10);
}

/* A full-width banner of up to max_lines lines; returns the lines used.
 * With paint false it only measures. */
static int draw_banner(int y, int max_lines, const char *text, attr_t attr, bool paint)
{
    struct wrapped wrapped;
    wrap_text(text, COLS - 2, max_lines, &wrapped);
    int used = 0;
    for (size_t i = 0; i < wrapped.count && y + used < LINES; i++, used++) {
        if (!paint)
            continue;
        screen_fill(y + used, 0, COLS, attr);
        screen_put(y + used, 1, COLS - 2, wrapped.lines[i], attr);
    }
    wrapped_free(&wrapped);
    return used;
}

/* The unreadable and STALE banners from row 2; returns the lines used. */
static int draw_banners(const struct kiosk *k, bool paint)
{
    int y = 2, max_lines = LINES >= 16 ? 2 : 1, used = 0;
    if (k->unreadable) {
        char text[700];
        present_kiosk_unreadable_banner(k->unreadable_since, k->unreadable_why, text,
                                        sizeof text);
        used += draw_banner(y + used, max_lines, text,
                            screen_pair_attr(&k->style, PAIR_ERROR) | A_BOLD, paint);
    }
    char text[256];
    if (present_kiosk_stale_banner(k->status.as_at, current_month(), k->stale_months, text,
                                   sizeof text))
        used += draw_banner(y + used, max_lines, text,
                            screen_meaning_attr(&k->style, PRESENT_SAMPLE), paint);
    return used;
}

static void banners_view_select(void *context)
{
    struct kiosk *k = context;
    k->banner_lines = draw_banners(k, false);
}

static void banners_view_draw(void *context)
{
    draw_banners(context, true);
}

static void draw_line(const struct kiosk *k, int y, const struct kiosk_line *line)
{
    if (line->blank)
        return;
    if (line->badge >= 0 && line->badge_x + 3 <= COLS)
        screen_badge(&k->style, y, line->badge_x, (enum rag)line->badge);
    if (line->code)
        screen_put_clipped(y, line->code_x, COLS - line->code_x, line->code, line->attr | A_BOLD);
    if (line->text)
        screen_put(y, line->text_x, line->text_width, line->text, line->attr);
    if (line->right)
        screen_put(y, line->right_x, line->right_width, line->right, line->right_attr);
}

/* The aim's title: badge, "Aim N" and the title wrapped beside it.
 * Returns its lines; with paint false it only measures. */
static int draw_aim_title(const struct kiosk *k, int y, int max_lines, bool paint)
{
    size_t aim = k->aims[k->aim];
    const struct node *node = &k->board->nodes[aim];
    char label[64];
    present_kiosk_aim_label(node, label, sizeof label);
    int label_width = screen_text_width(&k->style, label);
    int text_x = 1 + 4 + label_width + 2;
    struct wrapped wrapped;
    wrap_text(node->title, COLS - text_x - 1, max_lines, &wrapped);
    if (paint) {
        screen_badge(&k->style, y, 1, k->status.nodes[aim].rag);
        screen_put_clipped(y, 5, COLS - 5, label, A_BOLD);
    }
    int used = 0;
    for (size_t i = 0; i < wrapped.count && y + used < LINES; i++, used++)
        if (paint)
            screen_put(y + used, text_x, COLS - text_x - 1, wrapped.lines[i], A_BOLD);
    wrapped_free(&wrapped);
    return used ? used : 1;
}

/* Lays out the aim on screen below the banners: full titles if they fit;
 * else every title gets one line and the spare rows go, a line at a time
 * and in order, to the titles that were cut; if even one line each is too
 * many, the aim goes in parts. */
static void aim_view_select(void *context)
{
    struct kiosk *k = context;
    if (k->aim_count == 0)
        return;
    if (k->aim >= k->aim_count)
        k->aim = 0;
    bool roomy = LINES >= 16;
    int footer = LINES - 1;
    int y = 2 + k->banner_lines;
    k->title_lines = roomy ? 3 : 1;
    int spacers = roomy ? 2 : 0; /* blank lines around the aim's title */
    int rows = footer - y - draw_aim_title(k, y, k->title_lines, false) - spacers;
    if (rows < 1)
        rows = 1;

    struct kiosk_layout *layout = &k->layout;
    size_t aim = k->aims[k->aim];
    layout_body(k, aim, NULL, true, layout);
    if (layout->count > (size_t)rows) {
        rows += spacers; /* the blank lines go first */
        spacers = 0;
        size_t items = layout->items;
        struct item_size *sizes = xcalloc(items ? items : 1, sizeof *sizes);
        memcpy(sizes, layout->sizes, items * sizeof *sizes);
        int *limits = xcalloc(items ? items : 1, sizeof *limits);
        int total = 0, longest = 1;
        for (size_t i = 0; i < items; i++) {
            limits[i] = 1;
            total += item_height(&sizes[i], 1);
            if (sizes[i].title_lines > longest)
                longest = sizes[i].title_lines;
        }
        for (int level = 2; level <= longest && total < rows; level++) {
            for (size_t i = 0; i < items; i++) {
                if (sizes[i].title_lines < level)
                    continue;
                int more = item_height(&sizes[i], level) - item_height(&sizes[i], level - 1);
                if (total + more > rows)
                    continue;
                limits[i] = level;
                total += more;
            }
        }
        layout_free(layout);
        layout_body(k, aim, limits, false, layout);
        free(limits);
        free(sizes);
    }
    if (spacers)
        y++;
    k->title_y = y;
    y += draw_aim_title(k, y, k->title_lines, false);
    if (spacers)
        y++;
    k->body_y = y;
    k->page_count = paginate(layout, rows, &k->starts);
    if (k->page >= k->page_count)
        k->page = k->page_count - 1;
}

static void aim_view_draw(void *context)
{
    const struct kiosk *k = context;
    if (k->aim_count == 0)
        return;
    draw_aim_title(k, k->title_y, k->title_lines, true);
    const struct kiosk_layout *layout = &k->layout;
    size_t end = k->page + 1 < k->page_count ? k->starts[k->page + 1] : layout->count;
    int y = k->body_y, footer = LINES - 1;
    for (size_t i = k->starts[k->page]; i < end && y < footer; i++, y++)
        draw_line(k, y, &layout->lines[i]);
}

/* "Aim 2 of 4" (and the part), the aim's counts, and PAUSED. */
static void position_view_draw(void *context)
{
    const struct kiosk *k = context;
    int y = 1;
    if (k->aim_count == 0) {
        screen_put(y, 1, COLS - 2, "This board has no aims yet.", A_BOLD);
        return;
    }
    char where[96];
    present_kiosk_position(k->aim, k->aim_count, k->page, k->page_count, where, sizeof where);
    int x = screen_put(y, 0, COLS, where, A_BOLD);
    draw_counts(k, y, x + 1, &k->status.nodes[k->aims[k->aim]]);
    if (k->paused) {
        const char *paused = " PAUSED ";
        int width = (int)strlen(paused);
        if (COLS > width)
            screen_put_clipped(y, COLS - width - 1, width, paused, A_REVERSE | A_BOLD);
    }
}

/* The whole board's counts, and the presenter's two keys. */
static void footer_view_draw(void *context)
{
    const struct kiosk *k = context;
    if (k->aim_count == 0)
        return;
    int y = LINES - 1;
    int x = screen_put(y, 0, COLS, " Board", A_BOLD);
    x = draw_counts(k, y, x, &k->status.board);
    const char *hint = k->style.ascii ? " <- -> step   space pause "
                                      : " \xe2\x86\x90 \xe2\x86\x92 step   space pause ";
    int width = screen_text_width(&k->style, hint);
    if (COLS - x > width + 2)
        screen_put_clipped(y, COLS - width, width, hint, A_DIM);
}

static const struct view header_view = {.name = "header", .draw = header_view_draw};
static const struct view banners_view = {.name = "banners",
                                         .draw = banners_view_draw,
                                         .select = banners_view_select};
static const struct view aim_view = {.name = "aim",
                                     .draw = aim_view_draw,
                                     .select = aim_view_select};
static const struct view position_view = {.name = "position", .draw = position_view_draw};
static const struct view footer_view = {.name = "footer", .draw = footer_view_draw};

/* The kiosk's layout, laid out and drawn in this order. */
static const struct view *const kiosk_views[] = {&header_view, &banners_view, &aim_view,
                                                 &position_view, &footer_view};
#define KIOSK_VIEW_COUNT (sizeof kiosk_views / sizeof kiosk_views[0])

static void draw(struct kiosk *k)
{
    if (COLS < KIOSK_MIN_WIDTH || LINES < KIOSK_MIN_HEIGHT) {
        screen_too_small(KIOSK_MIN_WIDTH, KIOSK_MIN_HEIGHT);
    } else {
        erase();
        views_select(kiosk_views, KIOSK_VIEW_COUNT, k);
        views_draw(kiosk_views, KIOSK_VIEW_COUNT, k);
        layout_free(&k->layout);
        free(k->starts);
        k->starts = NULL;
    }
    refresh();
}

/* ---- The loop ------------------------------------------------------------ */

/* The kiosk as the input loop sees it: its timers are the clock's second,
 * polling the store and cycling the aims. */
static int kiosk_wait(void *context)
{
    const struct kiosk *k = context;
    long long now = screen_now_ms();
    long long wait = until_next_second();
    if (k->next_poll_ms - now < wait)
        wait = k->next_poll_ms - now;
    if (!k->paused && k->next_cycle_ms - now < wait)
        wait = k->next_cycle_ms - now;
    return wait < 0 ? 0 : (int)wait;
}

static bool kiosk_done(void *context)
{
    struct kiosk *k = context;
    return k->quit || k->hung_up;
}

static bool kiosk_after(void *context)
{
    struct kiosk *k = context;
    long long now = screen_now_ms();
    if (now >= k->next_poll_ms) {
        poll_store(k);
        k->next_poll_ms = screen_now_ms() + (k->store ? store_poll_ms(k->store, KIOSK_POLL_MS) : KIOSK_POLL_MS);
    }
    if (!k->paused && now >= k->next_cycle_ms) {
        step(k, +1);
        k->next_cycle_ms = now + (long long)k->options.cycle_seconds * 1000;
    }
    return true; /* the clock moves: a frame after every wake (it writes only what changed) */
}

static void kiosk_frame(void *context, int *cursor_y, int *cursor_x)
{
    draw(context);
    /* The cursor stays hidden (curs_set(0)): nothing is focused. */
    *cursor_y = *cursor_x = -1;
}

static const struct front_end kiosk_front_end = {
    .batch_limit = KIOSK_KEY_BATCH,
    .wait_ms = kiosk_wait,
    .event = kiosk_event,
    .after = kiosk_after,
    .draw = kiosk_frame,
    .done = kiosk_done,
};

int kiosk_run(struct store *store, const struct screen_options *options, struct error *error)
{
    struct kiosk kiosk = {0};
    struct kiosk *k = &kiosk;
    k->options = *options;
    if (k->options.cycle_seconds < 1)
        k->options.cycle_seconds = 20;
    k->borrowed = k->store = store;
    k->path = xstrdup(store_path(store));
    k->style.ascii = options->ascii;
    screen_set_ascii(options->ascii);
    tzset(); /* once: the clock follows TZ */
    if (!read_settings(k, error)) {
        free(k->path);
        return error->status;
    }
    keymap_default(&k->keymap, true);
    if (!keymap_apply(&k->keymap, true, options->bindings, options->binding_count,
                      options->settings_path, error)) {
        free(k->path);
        return error->status;
    }
    store_set_busy_timeout(store, KIOSK_BUSY_TIMEOUT_MS);
    if (!load(k, error)) {
        free_board(k);
        free(k->path);
        return error->status ? error->status : EXIT_DATA;
    }

    /* Interrupt, quit and suspend do nothing, from the keyboard (raw mode)
     * or from kill; only SIGTERM and SIGHUP end the kiosk. Set before
     * curses starts, so it installs no handlers of its own for them. */
    struct screen_signals signals;
    screen_signals_catch(&signals, true);

    int status = EXIT_OK;
    if (!screen_start(&k->options, &k->style, error)) {
        status = error->status;
    } else {
        mousemask(0, NULL);
        curs_set(0);
        long long now = screen_now_ms();
        k->next_cycle_ms = now + (long long)k->options.cycle_seconds * 1000;
        k->next_poll_ms = now + (k->store ? store_poll_ms(k->store, KIOSK_POLL_MS) : KIOSK_POLL_MS);
        if (options->first_frame_only)
            draw(k);
        else
            input_loop(&kiosk_front_end, k);
        screen_stop();
    }
    screen_signals_restore(&signals);
    drop_connection(k);
    free_board(k);
    free(k->path);
    return status;
}
