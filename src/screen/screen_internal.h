/* screen_internal.h — what the browser (screen.c) and the kiosk (kiosk.c)
 * share: colours, text drawn by display width, status badges; the request
 * table and its dispatch (requests.c); views and the overlay stack
 * (views.c); the one input point and loop (input.c). Only the screen layer
 * includes this file, and only it includes curses. */
#ifndef BOARDPACK_SCREEN_INTERNAL_H
#define BOARDPACK_SCREEN_INTERNAL_H

#include <curses.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "chart.h"
#include "model.h"
#include "present.h"
#include "rules.h"
#include "screen.h"
#include "settings.h"

/* Colour pairs. With colour off every pair is 0 and meaning is carried by
 * letters, glyphs and bold/reverse video alone. */
enum screen_pair {
    PAIR_NONE,
    PAIR_RED,
    PAIR_AMBER,
    PAIR_GREEN,
    PAIR_BLUE,
    PAIR_GREY,
    PAIR_HEADER,
    PAIR_ERROR,
    PAIR_SAMPLE,
    PAIR_COUNT
};

struct screen_style {
    bool color;
    bool ascii;
    enum theme theme;
};

/* Starts curses (raw keys, no echo, keypad, colours unless off). Returns
 * false with *error set if the terminal cannot be used. */
bool screen_start(const struct screen_options *options, struct screen_style *style,
                  struct error *error);
void screen_stop(void);

/* The attribute for a status or a chart cell meaning. */
attr_t screen_rag_attr(const struct screen_style *style, enum rag rag);
attr_t screen_cell_attr(const struct screen_style *style, unsigned char meaning);
attr_t screen_pair_attr(const struct screen_style *style, enum screen_pair pair);
/* The attribute for a meaning of present.h's text. */
attr_t screen_meaning_attr(const struct screen_style *style, enum present_meaning meaning);
/* Draws a line of present.h's text from (y, x) in at most `width` columns,
 * each span in its meaning's attribute (plain bytes in `base`), cut without
 * an ellipsis. Returns the number of columns drawn. */
int screen_put_spans(const struct screen_style *style, int y, int x, int width,
                     const struct present_line *line, attr_t base);

/* Draws UTF-8 text at (y, x) in at most `width` columns, measured by
 * display width (wcwidth), cut with an ellipsis when it does not fit. In
 * ASCII mode curly quotes, dashes and the like become their ASCII cousins.
 * Returns the number of columns drawn. */
int screen_put(int y, int x, int width, const char *text, attr_t attr);
/* The same without the ellipsis (for text already measured). */
int screen_put_clipped(int y, int x, int width, const char *text, attr_t attr);
/* Display width of UTF-8 text as screen_put would draw it. */
int screen_text_width(const struct screen_style *style, const char *text);
void screen_set_ascii(bool ascii);

/* Fills columns [x, x + width) of row y with spaces in `attr`. */
void screen_fill(int y, int x, int width, attr_t attr);

/* "[R]" style badge: 3 columns, colour plus letter. */
void screen_badge(const struct screen_style *style, int y, int x, enum rag rag);

/* The header bar on row 0, in the header's colours: the title at the left,
 * the right-hand text (as at, mode or clock) at the right, and SAMPLE DATA
 * before it while parts->sample, `sample_gap` blank columns after the title
 * and only while the title keeps `title_room` columns (the browser: 0, 0;
 * the kiosk keeps a gap and ten columns of title). */
void screen_header_bar(const struct screen_style *style, const struct present_header *parts,
                       int sample_gap, int title_room);
/* The screen of a terminal smaller than min_width x min_height: it says so
 * and what size to make it (both front ends, instead of their layouts). */
void screen_too_small(int min_width, int min_height);

/* Wraps UTF-8 text to `width` columns at spaces; calls `line` for each line
 * (a NUL-terminated copy). Returns the number of lines. */
typedef void (*screen_line_fn)(void *context, const char *line);
int screen_wrap(const char *text, int width, screen_line_fn line, void *context);

/* True once the terminal has hung up (checked when a timed read returns
 * early): the browser and the kiosk then end as on SIGHUP. */
bool screen_input_gone(void);

/* The clock, for kiosk headers and refresh timing, in milliseconds. */
long long screen_now_ms(void);


/* ---- Requests (src/screen/requests.c) -------------------------------------
 * Every action either front end can take is one row of this table: its id,
 * its name (for the settings file's `bind:` and `--list-requests`; '_' is
 * shown as '-'), flags, its place on the hint line (0: not there) and the
 * hint, the keys as help shows them by default, the help text, and the
 * default keys. The order is the help screen's: the essentials first.
 * To add a request: add a row here and a handler named on_NAME in the front
 * end whose flag it carries (screen.c for the browser, kiosk.c for the
 * kiosk); help, the hint line, `--list-requests` and bindings follow. */
#define REQUEST_TABLE(R) \
    R(HELP, help, REQUEST_ESSENTIAL, 1, "?:help", "this help", '?', KEY_F(1)) \
    R(QUIT, quit, REQUEST_ESSENTIAL, 12, "q:quit", "quit", 'q') \
    R(UP, move_up, REQUEST_ESSENTIAL | REQUEST_NEEDS_ROW, 2, "arrows/hjkl:move", "move up", \
      KEY_UP, 'k') \
    R(DOWN, move_down, REQUEST_ESSENTIAL | REQUEST_NEEDS_ROW, 0, NULL, "move down", KEY_DOWN, 'j') \
    R(EXPAND, expand, REQUEST_ESSENTIAL | REQUEST_NEEDS_ROW, 0, NULL, \
      "open: expand, or go into an expanded node", KEY_RIGHT, 'l', '\r', '\n', KEY_ENTER) \
    R(SEARCH, search, REQUEST_ESSENTIAL | REQUEST_NEEDS_ROW, 3, "/:search", \
      "search codes and titles (Enter keeps, Esc returns)", '/') \
    R(EDIT, edit, REQUEST_ESSENTIAL | REQUEST_MUTATES | REQUEST_NEEDS_ROW, 5, "e:edit", \
      "edit the latest value in place (Enter commits, Esc cancels)", 'e') \
    R(COLLAPSE, collapse, REQUEST_NEEDS_ROW, 0, NULL, \
      "collapse, or go to the parent", KEY_LEFT, 'h') \
    R(NEXT_MATCH, next_match, REQUEST_NEEDS_ROW, 0, NULL, "next match", 'n') \
    R(PREVIOUS_MATCH, previous_match, REQUEST_NEEDS_ROW, 0, NULL, "previous match", 'N') \
    R(OPEN, open, REQUEST_NEEDS_ROW, 0, NULL, "expand the selected node", '+') \
    R(CLOSE, close, REQUEST_NEEDS_ROW, 0, NULL, "collapse the selected node", '-') \
    R(EXPAND_ALL, expand_all, REQUEST_NEEDS_ROW, 0, NULL, \
      "expand everything (again: collapse to the aims)", '*') \
    R(FIRST, first, REQUEST_NEEDS_ROW, 0, NULL, "first row", 'g', KEY_HOME) \
    R(LAST, last, REQUEST_NEEDS_ROW, 0, NULL, "last row", 'G', KEY_END) \
    R(PAGE_UP, page_up, REQUEST_NEEDS_ROW, 0, NULL, "page up", KEY_PPAGE, CTRL('b')) \
    R(PAGE_DOWN, page_down, REQUEST_NEEDS_ROW, 0, NULL, "page down", KEY_NPAGE, CTRL('f')) \
    R(FOCUS, focus, REQUEST_NEEDS_ROW, 0, NULL, "move between the tree and the detail pane", '\t') \
    R(FILTER, filter, 0, 4, "f:filter", "filter by status: all, R only, R and A", 'f') \
    R(BOARDS, boards, 0, 10, "b:boards", "pick a board", 'b') \
    R(PERIOD, as_at, 0, 11, "p:as at", "show the board as at an earlier month", 'p') \
    R(AUDIT, history, REQUEST_NEEDS_ROW, 0, NULL, "change history of the selected node", 'H') \
    R(REDRAW, redraw, 0, 0, NULL, "redraw the screen", CTRL('l')) \
    R(ADD, add, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 6, "a:add", \
      "add a reading for the next month (or type another YYYY-MM)", 'a') \
    R(SEGMENT, segment, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 0, NULL, \
      "add or change a reading for one segment (e.g. a borough)", 's') \
    R(MILESTONE, milestone, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 7, "m:milestone", \
      "set a milestone's status", 'm') \
    R(COMMENT, comment, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 8, "c:comment", \
      "write a commentary note on the selected node", 'c') \
    R(REMOVE, remove, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 0, NULL, \
      "remove a reading, a segment's reading, a comment or a milestone update (asks why)", 'd') \
    R(MISSING, missing, 0, 0, NULL, \
      "show only what the open month still awaits (again: everything)", 'M') \
    R(CHANGED, changed, 0, 0, NULL, \
      "show only what moved since the last published month (again: everything)", 'C') \
    R(OPEN_MONTH, open_month, REQUEST_MUTATES, 0, NULL, \
      "open a reporting month: writes then default to it (asks for YYYY-MM)", 'O') \
    R(PUBLISH_MONTH, publish_month, REQUEST_MUTATES, 0, NULL, \
      "publish a month: keep it as the board shows it (asks for YYYY-MM)", 'P') \
    R(FORM, form, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 0, NULL, \
      "edit the selected node in a form: title, lead, parent, due; a metric's target ...", 'E') \
    R(ADD_CHILD, add_child, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 0, NULL, \
      "add under the selected node: an objective, a deliverable, a metric (a form)", 'A') \
    R(ADD_SIBLING, add_sibling, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 0, NULL, \
      "add beside the selected node, at its level (on an aim: a new aim)", 'S') \
    R(MOVE_NODE_UP, move_node_up, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 0, NULL, \
      "move the selected node (or metric) up among its siblings", 'K') \
    R(MOVE_NODE_DOWN, move_node_down, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 0, NULL, \
      "move the selected node (or metric) down among its siblings", 'J') \
    R(RETIRE, retire, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 0, NULL, \
      "retire the selected node, or restore a retired one (asks y/n)", 'R') \
    R(UNDO, undo, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 9, "u:undo", \
      "undo this session's last change", 'u') \
    R(REDO, redo, REQUEST_MUTATES | REQUEST_NEEDS_ROW, 0, NULL, "redo", CTRL('r')) \
    R(NEXT_AIM, next_aim, REQUEST_KIOSK, 0, NULL, "next aim (or the next part of a long one)", \
      KEY_RIGHT, KEY_DOWN, KEY_NPAGE) \
    R(PREVIOUS_AIM, previous_aim, REQUEST_KIOSK, 0, NULL, "previous aim", KEY_LEFT, KEY_UP, \
      KEY_PPAGE) \
    R(PAUSE, pause, REQUEST_KIOSK, 0, NULL, "pause or resume the cycle", ' ')

#ifndef CTRL
#define CTRL(letter) ((letter) & 0x1F)
#endif
#define REQUEST_KEYS_MAX 6

enum request {
    REQ_NONE,
#define REQUEST_ENUM(id, name, flags, hint_at, hint, help, ...) REQ_##id,
    REQUEST_TABLE(REQUEST_ENUM)
#undef REQUEST_ENUM
    REQUEST_COUNT
};

enum request_flag {
    REQUEST_MUTATES = 1,   /* changes data: refused at dispatch unless writable */
    REQUEST_NEEDS_ROW = 2, /* does nothing on an empty tree */
    REQUEST_ESSENTIAL = 4, /* on the help's first screen */
    REQUEST_KIOSK = 8,     /* the kiosk's (bound only there); else the browser's */
};

/* What a handler did, for the loop to act on (htop's handler results). */
enum request_result {
    RESULT_UNHANDLED = 0,
    RESULT_HANDLED = 1,
    RESULT_REDRAW = 2,  /* draw the frame again */
    RESULT_REPAINT = 4, /* clear the terminal and repaint everything (Ctrl-L) */
    RESULT_QUIT = 16,
    RESULT_REFUSED = 32, /* the gate said no; the message says why */
};

struct request_info {
    enum request request;
    const char *name; /* "move-up" */
    unsigned flags;
    int hint_at;
    const char *hint;
    const char *help;
    int keys[REQUEST_KEYS_MAX]; /* default keys, 0-terminated */
};

const struct request_info *request_info(enum request request);
/* A request by its name ("move-up", or "move_up"); REQ_NONE if unknown. */
enum request request_named(const char *name);

/* Keys (a character below 0x80 or a curses KEY_ code) to requests: each
 * front end has its own. */
struct keymap {
    enum request keys[KEY_MAX + 1];
};
/* The defaults: the browser's requests, or the kiosk's. */
void keymap_default(struct keymap *map, bool kiosk);
enum request keymap_lookup(const struct keymap *map, int key);
/* Applies the settings file's `bind:` entries; a key or request that is not
 * known, or a request of the other front end, is a located error. */
bool keymap_apply(struct keymap *map, bool kiosk, const struct config_binding *bindings,
                  size_t count, const char *file, struct error *error);
/* "Up", "k", "Ctrl-R", "F1"; and back (-1 if not a key name). */
void bound_key_name(int key, char *out, size_t size);
int bound_key_parse(const char *name);
/* The keys bound to a request, as help shows them ("Up k"). */
void keymap_keys_text(const struct keymap *map, enum request request, char *out, size_t size);

typedef unsigned (*request_handler)(void *context);
/* Why a mutating request may not run now (NULL: it may); written into
 * `buffer`. The front end's one gate, asked only by request_dispatch. */
typedef const char *(*request_refusal)(void *context, const struct request_info *info,
                                       char *buffer, size_t size);
struct view;
struct request_target {
    const struct view *view;         /* the focused view: it may take a request first */
    const request_handler *handlers; /* indexed by request; NULL: not this front end's */
    request_refusal refusal;         /* NULL: every request that changes data is refused */
    void *context;
    bool has_row;
    char *message; /* where a refusal is written; NULL: nowhere */
    size_t message_size;
};
/* The one place requests run: the read-only gate (MUTATES), the empty-tree
 * check (NEEDS_ROW), the focused view's request function, then the
 * request's handler. */
unsigned request_dispatch(const struct request_target *target, enum request request);

/* The help screen's lines and the hint line, from the table. */
char **request_help_lines(const struct keymap *map, bool kiosk, bool writable, bool mouse,
                          int *count);
void request_hint(bool writable, char *out, size_t size);

/* ---- The input point (src/screen/input.c) ------------------------------- */

enum input_kind {
    INPUT_KEY,    /* a key: a character, or a curses KEY_ code if `function` */
    INPUT_MOUSE,  /* KEY_MOUSE: getmouse() has the event */
    INPUT_RESIZE, /* the terminal changed size: lay out again */
    INPUT_TICK,   /* the wait ended with no key: clocks, polling, cycling */
    INPUT_HANGUP, /* the terminal is gone (no SIGHUP came) */
};
struct input_event {
    enum input_kind kind;
    wint_t key;
    bool function;
};
/* Handles one event; false stops the draining of typed-ahead keys (quit). */
typedef bool (*input_handler)(void *context, const struct input_event *event);
struct input_point {
    int cursor_y, cursor_x; /* where the hardware cursor waits; -1: leave it */
    int wait_ms;            /* the longest wait for a key */
    int batch_limit;        /* typed-ahead keys handled before a frame; 0: all */
};
/* Updates the terminal, waits, and hands the key and the keys typed after
 * it (or a TICK or HANGUP) to `handle`. Both front ends wait only here. */
void input_wait(const struct input_point *point, input_handler handle, void *context);
/* Updates the terminal with the cursor at (y, x), without waiting. */
void input_show(int cursor_y, int cursor_x);

/* SIGTERM and SIGHUP end either front end's loop (input_loop); with
 * `ignore_interrupts` (the kiosk) SIGINT, SIGQUIT, SIGTSTP and SIGPIPE are
 * ignored, whether typed or sent. Restore puts back what was there. Caught
 * before curses starts (the kiosk), they get no curses handlers of their own. */
struct screen_signals {
    struct sigaction ending[2];
    struct sigaction interrupts[4];
    bool ignoring;
};
void screen_signals_catch(struct screen_signals *saved, bool ignore_interrupts);
void screen_signals_restore(const struct screen_signals *saved);

/* A front end (the browser, the kiosk) as the one loop sees it: a vtable,
 * like a view's, run on the front end's own state (input_loop's context). */
struct front_end {
    int batch_limit;                   /* as input_point's */
    int (*wait_ms)(void *context);     /* until the next timer is due */
    input_handler event;               /* keys, resize, tick, hang-up */
    bool (*after)(void *context);      /* timers after a batch; true: draw a frame */
    void (*draw)(void *context, int *cursor_y, int *cursor_x); /* a frame, and the cursor */
    bool (*done)(void *context);       /* quit, a hung-up terminal (signals: the loop's) */
};
/* The loop both front ends run: a frame, then wait (input_wait), timers, a
 * frame when something changed, until done. */
void input_loop(const struct front_end *front, void *context);

/* ---- Views and overlays (src/screen/views.c) -----------------------------
 * A view is a pane of a layout (the browser's header, tree, detail,
 * summary and hint line; the kiosk's header, banners, aim, position line
 * and footer): it draws itself, may take a request first when it
 * has the focus (RESULT_UNHANDLED passes it on to the request's handler),
 * and hears when the selection changed (to load what it shows then, not
 * while drawing). Every member but draw may be NULL. To add a view: write
 * its functions, a `static const struct view` with designated initialisers,
 * and put it in the layout's list (browser_views in screen.c, kiosk_views in
 * kiosk.c). */
struct view {
    const char *name;
    void (*draw)(void *context);
    unsigned (*request)(void *context, enum request request);
    void (*select)(void *context);
};

/* An overlay is a {draw, key} screen on a stack above the views (help, the
 * pickers, the change history, the edit field, the search prompt): the top
 * one gets every key and places the cursor. `data` is the screen's own
 * description (a list's title, items and pick). To add one: a
 * `static const struct overlay_screen` (for a list, a `struct list_screen`
 * as its data) and an overlay_push where it opens. */
struct overlay_screen {
    const char *name;
    void (*draw)(void *context, const struct overlay_screen *self, int *cursor_y, int *cursor_x);
    unsigned (*key)(void *context, const struct overlay_screen *self,
                    const struct input_event *event);
    const void *data;
};
#define OVERLAY_DEPTH 4
struct overlay_stack {
    const struct overlay_screen *screens[OVERLAY_DEPTH];
    int depth;
};
void overlay_push(struct overlay_stack *stack, const struct overlay_screen *screen);
void overlay_pop(struct overlay_stack *stack);
const struct overlay_screen *overlay_top(const struct overlay_stack *stack);
/* Draws every overlay, bottom first; the top one places the cursor. */
void overlay_draw_all(const struct overlay_stack *stack, void *context, int *cursor_y,
                      int *cursor_x);
/* Draws the views of a layout in order; tells those that want it that the
 * selection may have changed. */
void views_draw(const struct view *const *views, size_t count, void *context);
void views_select(const struct view *const *views, size_t count, void *context);

/* ---- Forms (src/screen/forms.c) -----------------------------------------
 * A form is a box of labelled one-line fields; `name` is the command
 * layer's field (command_edit_many) and `code` the node or metric it
 * edits; a field without a name is a heading. The browser builds a form,
 * shows it as an overlay, and hands form_key's actions to the command
 * layer: LEFT (a field was left: check what changed), SAVE, CANCEL. */
#define FORM_FIELDS_MAX 32
#define FORM_TEXT_MAX 4000
struct form_field {
    const char *label, *name; /* static text; a heading's own is `original` */
    char *code, *original;
    wchar_t *text;
    size_t length, cursor, scroll;
};
struct form {
    char *title;
    struct form_field fields[FORM_FIELDS_MAX];
    int count, focus, top;
    char message[512];
    bool message_is_error;
};
enum form_action { FORM_NONE, FORM_LEFT, FORM_SAVE, FORM_CANCEL };
void form_clear(struct form *form);
void form_add_field(struct form *form, const char *label, const char *name, const char *code,
                    const char *value);
void form_add_heading(struct form *form, const char *label);
/* A field's value as typed, trimmed, as UTF-8 (the caller frees it). */
char *form_value(const struct form *form, int index);
bool form_field_changed(const struct form *form, int index);
int form_find(const struct form *form, const char *name); /* -1: none */
/* *left: the field that had the focus before the key. */
enum form_action form_key(struct form *form, const struct input_event *event, int *left);
void form_draw(struct form *form, int *cursor_y, int *cursor_x);

int kiosk_run(struct store *store, const struct screen_options *options, struct error *error);

#endif
