/* chart.h — SPC charts and sparklines drawn into a buffer of cells (text and
 * meaning), never to the terminal: the screen copies buffers, tests read them. */
#ifndef BOARDPACK_CHART_H
#define BOARDPACK_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "spc.h"

/* What a cell shows, so the screen can colour it (or not: every meaning also
 * has its own glyph). Values from CELL_MEANING_COUNT up are free for other
 * users of the buffer. */
enum cell_meaning {
    CELL_PLAIN,
    CELL_AXIS,        /* the axis lines and their labels */
    CELL_DATA,        /* a reading, or the line between readings */
    CELL_MEAN,
    CELL_LIMIT,       /* the process limits */
    CELL_TARGET,
    CELL_IMPROVEMENT, /* a special-cause point, by what it means */
    CELL_CONCERN,
    CELL_NEITHER,
    CELL_MEANING_COUNT
};

/* One character cell: one UTF-8 character (one column wide), NUL-terminated. */
struct cell {
    char text[8];
    unsigned char meaning;
};

struct cell_buffer {
    int width, height;
    struct cell *cells; /* height rows of width cells; NULL when empty */
};

/* Sizes below 1 make an empty buffer, which every function accepts. */
void cell_buffer_init(struct cell_buffer *buffer, int width, int height);
void cell_buffer_free(struct cell_buffer *buffer);
/* Every cell back to a plain space. */
void cell_buffer_clear(struct cell_buffer *buffer);
/* The cell at (x, y), or NULL outside the buffer. */
struct cell *cell_buffer_at(const struct cell_buffer *buffer, int x, int y);
/* A new copy of row y's buffer->width cells (free() it). */
struct cell *cell_buffer_copy_row(const struct cell_buffer *buffer, int y);
/* Writes the first character of `character`; outside the buffer, nothing. */
void cell_buffer_put(struct cell_buffer *buffer, int x, int y, const char *character,
                     unsigned char meaning);
/* Writes text one character per cell from (x, y), clipped at the right edge;
 * returns the number of cells written. Invalid UTF-8 shows as '?'. */
int cell_buffer_put_text(struct cell_buffer *buffer, int x, int y, const char *text,
                         unsigned char meaning);
/* The rows joined by '\n' (none after the last), trailing spaces trimmed;
 * for tests and plain output. The caller frees the text. */
char *cell_buffer_to_text(const struct cell_buffer *buffer);

struct chart_options {
    bool ascii;       /* ASCII only: no braille, blocks or box drawing */
    bool show_limits; /* the process limits, when the analysis has them */
    bool show_axis;   /* value labels at the left and periods below, if room */
    bool has_target;
    double target;
};
/* Unicode, limits and axis on, no target. */
struct chart_options chart_default_options(void);

/* Draws the analysis into the whole of `out` (its size is the chart's size):
 * the readings as a braille line (ASCII: 'o' dots), the mean, the limits and
 * the target as lines, special-cause points as '+' improvement, '!' concern
 * or '◆' ('*') neither, and a left axis labelling the lines when there is
 * room. Points sit at their months (the points' periods; one a month when
 * they have none), and the line breaks where a month has no reading. When
 * the months would need more dot columns than there are, the latest points
 * that fit are shown. Fewer than 3 rows or 8 columns give a sparkline on the
 * first row (one cell a month, as chart_sparkline). NULL options mean
 * chart_default_options(). */
void chart_render(const struct spc_result *spc, const struct chart_options *options,
                  struct cell_buffer *out);

/* A one-row sparkline, one cell a month, of the latest `out->width` months
 * ending at the last value (left-aligned when there are fewer), in block
 * elements ▁..█ or ASCII "_.-~^", scaled from the least to the greatest value
 * shown; a month with no value is a blank cell. values[i] is for periods[i]
 * (in time order); NULL periods (or any YEARMONTH_NONE, or periods out of
 * order) mean one value a month. Clears the rest of `out`. */
void chart_sparkline(const double *values, const yearmonth *periods, size_t count, bool ascii,
                     struct cell_buffer *out);

#endif
