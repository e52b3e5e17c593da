/* screen_internal.h — what the browser (screen.c) and the kiosk (kiosk.c)
 * share: colours, text drawn by display width, status badges. Only the
 * screen layer includes this file, and only it includes curses. */
#ifndef BOARDPACK_SCREEN_INTERNAL_H
#define BOARDPACK_SCREEN_INTERNAL_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "chart.h"
#include "model.h"
#include "present.h"
#include "rules.h"
#include "screen.h"

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

/* Wraps UTF-8 text to `width` columns at spaces; calls `line` for each line
 * (a NUL-terminated copy). Returns the number of lines. */
typedef void (*screen_line_fn)(void *context, const char *line);
int screen_wrap(const char *text, int width, screen_line_fn line, void *context);

/* True once the terminal has hung up (checked when a timed read returns
 * early): the browser and the kiosk then end as on SIGHUP. */
bool screen_input_gone(void);

/* The clock, for kiosk headers and refresh timing, in milliseconds. */
long long screen_now_ms(void);

int kiosk_run(struct store *store, const struct screen_options *options, struct error *error);

#endif
