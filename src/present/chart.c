/* chart.c — the SPC chart and sparklines as cells of text and meaning, in
 * braille and block elements or plain ASCII. Pure: the screen does the I/O. */
#include "chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util.h"

/* ---- the cell buffer ---- */

void cell_buffer_init(struct cell_buffer *buffer, int width, int height)
{
    if (width < 1 || height < 1) {
        *buffer = (struct cell_buffer){0};
        return;
    }
    buffer->width = width;
    buffer->height = height;
    buffer->cells = xcalloc((size_t)width * (size_t)height, sizeof *buffer->cells);
    cell_buffer_clear(buffer);
}

void cell_buffer_free(struct cell_buffer *buffer)
{
    if (!buffer)
        return;
    free(buffer->cells);
    *buffer = (struct cell_buffer){0};
}

void cell_buffer_clear(struct cell_buffer *buffer)
{
    if (!buffer->cells)
        return;
    for (size_t i = 0; i < (size_t)buffer->width * (size_t)buffer->height; i++)
        buffer->cells[i] = (struct cell){.text = " ", .meaning = CELL_PLAIN};
}

struct cell *cell_buffer_at(const struct cell_buffer *buffer, int x, int y)
{
    if (!buffer->cells || x < 0 || y < 0 || x >= buffer->width || y >= buffer->height)
        return NULL;
    return &buffer->cells[(size_t)y * (size_t)buffer->width + (size_t)x];
}

struct cell *cell_buffer_copy_row(const struct cell_buffer *buffer, int y)
{
    struct cell *row = xcalloc((size_t)buffer->width, sizeof *row);
    memcpy(row, buffer->cells + (size_t)y * (size_t)buffer->width,
           (size_t)buffer->width * sizeof *row);
    return row;
}

/* Copies one character into a cell ('?' for bytes that are not UTF-8);
 * returns the bytes consumed from text. */
static size_t put_character(struct cell *cell, const char *text, unsigned char meaning)
{
    wchar_t character;
    size_t length = utf8_decode(text, strnlen(text, 4), &character);
    if (cell) {
        if (length) {
            memcpy(cell->text, text, length);
            cell->text[length] = '\0';
        } else {
            strcpy(cell->text, "?");
        }
        cell->meaning = meaning;
    }
    return length ? length : 1;
}

void cell_buffer_put(struct cell_buffer *buffer, int x, int y, const char *character,
                     unsigned char meaning)
{
    if (character && character[0])
        put_character(cell_buffer_at(buffer, x, y), character, meaning);
}

int cell_buffer_put_text(struct cell_buffer *buffer, int x, int y, const char *text,
                         unsigned char meaning)
{
    int written = 0;
    if (!text || y < 0 || y >= buffer->height)
        return 0;
    while (*text && x < buffer->width) {
        struct cell *cell = cell_buffer_at(buffer, x, y);
        text += put_character(cell, text, meaning);
        if (cell)
            written++;
        x++;
    }
    return written;
}

static bool cell_is_blank(const struct cell *cell)
{
    return cell->text[0] == '\0' || strcmp(cell->text, " ") == 0;
}

char *cell_buffer_to_text(const struct cell_buffer *buffer)
{
    struct text_buffer text = {0};
    text_append(&text, "");
    for (int y = 0; y < buffer->height; y++) {
        if (y)
            text_append(&text, "\n");
        int end = buffer->width;
        while (end > 0 && cell_is_blank(cell_buffer_at(buffer, end - 1, y)))
            end--;
        for (int x = 0; x < end; x++) {
            const struct cell *cell = cell_buffer_at(buffer, x, y);
            text_append(&text, cell->text[0] ? cell->text : " ");
        }
    }
    return text.data;
}

/* ---- sparklines ---- */

static const char *const block_levels[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
static const char *const ascii_levels[] = {"_", ".", "-", "~", "^"};

/* Where each of `count` readings sits on a time axis, in months after the
 * first: by its period when every reading has one (not YEARMONTH_NONE) and
 * each is later than the one before, so a month with no reading keeps its
 * place; else one reading a month, in order (spc_analyse allows no periods). */
static void place_by_month(const yearmonth *periods, size_t count, int *places)
{
    bool by_period = periods != NULL;
    for (size_t i = 0; by_period && i < count; i++)
        by_period = periods[i] > YEARMONTH_NONE && (i == 0 || periods[i] > periods[i - 1]);
    for (size_t i = 0; i < count; i++)
        places[i] = by_period ? periods[i] - periods[0] : (int)i;
}

/* Draws values[0..count) on row 0, one cell a month from column 0 (a month
 * with no reading stays blank); `periods` (or NULL) places them, `meanings`
 * (or NULL) gives each value's cell meaning, so special causes keep their
 * colour. */
static void draw_sparkline(const double *values, const yearmonth *periods,
                           const unsigned char *meanings, size_t count, bool ascii,
                           struct cell_buffer *out)
{
    cell_buffer_clear(out);
    if (!out->cells || !count)
        return;
    int *places = xcalloc(count, sizeof *places);
    place_by_month(periods, count, places);
    /* The latest out->width months, ending at the latest reading. */
    int start = places[count - 1] - (out->width - 1);
    if (start < 0)
        start = 0;
    size_t first = count;
    while (first > 0 && places[first - 1] >= start)
        first--;
    double least = INFINITY, greatest = -INFINITY;
    for (size_t i = first; i < count; i++) {
        if (!isfinite(values[i]))
            continue;
        least = fmin(least, values[i]);
        greatest = fmax(greatest, values[i]);
    }
    const char *const *levels = ascii ? ascii_levels : block_levels;
    size_t level_count = ascii ? sizeof ascii_levels / sizeof ascii_levels[0]
                               : sizeof block_levels / sizeof block_levels[0];
    for (size_t i = first; i < count; i++) {
        if (!isfinite(values[i]))
            continue;
        /* A flat series sits in the middle rather than on the floor. */
        size_t level = (level_count - 1) / 2;
        double fraction = (values[i] - least) / (greatest - least);
        if (greatest > least && fraction >= 0 && fraction <= 1)
            level = (size_t)floor(fraction * (double)(level_count - 1) + 0.5);
        cell_buffer_put(out, places[i] - start, 0, levels[level],
                        meanings ? meanings[i] : CELL_DATA);
    }
    free(places);
}

void chart_sparkline(const double *values, const yearmonth *periods, size_t count, bool ascii,
                     struct cell_buffer *out)
{
    draw_sparkline(values, periods, NULL, values ? count : 0, ascii, out);
}

/* ---- the SPC chart ---- */

struct chart_options chart_default_options(void)
{
    return (struct chart_options){.show_limits = true, .show_axis = true};
}

static unsigned char meaning_of_point(const struct spc_point *point)
{
    if (!point->rules)
        return CELL_DATA;
    switch (point->meaning) {
    case SPC_IMPROVEMENT:
        return CELL_IMPROVEMENT;
    case SPC_CONCERN:
        return CELL_CONCERN;
    case SPC_NEITHER:
        return CELL_NEITHER;
    case SPC_COMMON:
        break;
    }
    return CELL_DATA;
}

/* Which marker wins when two special causes share a cell: concern first. */
static int marker_rank(unsigned char meaning)
{
    return meaning == CELL_CONCERN ? 3 : meaning == CELL_IMPROVEMENT ? 2
                                     : meaning == CELL_NEITHER       ? 1
                                                                     : 0;
}

static const char *marker_glyph(unsigned char meaning, bool ascii)
{
    switch (meaning) {
    case CELL_IMPROVEMENT:
        return "+";
    case CELL_CONCERN:
        return "!";
    default:
        return ascii ? "*" : "◆";
    }
}

static const char *line_glyph(unsigned char meaning, bool ascii)
{
    switch (meaning) {
    case CELL_MEAN:
        return ascii ? "-" : "─";
    case CELL_LIMIT:
        return ascii ? "." : "┄";
    default:
        return ascii ? "=" : "═";
    }
}

/* Axis numbers: enough decimals to tell the lines apart, none wasted. */
static void format_axis_value(double value, char *out, size_t size)
{
    double magnitude = fabs(value);
    int decimals = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : 2;
    snprintf(out, size, "%.*f", decimals, value);
    if (strchr(out, '.')) {
        size_t length = strlen(out);
        while (length && out[length - 1] == '0')
            out[--length] = '\0';
        if (length && out[length - 1] == '.')
            out[--length] = '\0';
    }
    if (strcmp(out, "-0") == 0)
        strcpy(out, "0");
}

/* Where the chart goes in the buffer and how values map onto it. Positions
 * are in dots: braille has 2×4 dots a cell, ASCII one. */
struct layout {
    bool ascii;
    int plot_left, plot_width, plot_height;
    int axis_row;                /* the periods row, or -1 */
    int dots_across, dots_down;  /* per cell */
    double top, bottom;          /* the values at the top and bottom dots */
    size_t first, shown;         /* the points drawn */
    const int *places;           /* each point's month (place_by_month) */
    int first_month, months;     /* the months across, from the first drawn */
};

static int dot_row(const struct layout *layout, double value)
{
    int rows = layout->plot_height * layout->dots_down;
    double fraction = (layout->top - value) / (layout->top - layout->bottom);
    if (!(fraction >= 0)) /* also NaN, from readings near the double's range */
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    return (int)floor(fraction * (rows - 1) + 0.5);
}

static int cell_row(const struct layout *layout, double value)
{
    return dot_row(layout, value) / layout->dots_down;
}

/* The dot column of point i, at its month. */
static int dot_column(const struct layout *layout, size_t i)
{
    int columns = layout->plot_width * layout->dots_across;
    if (layout->months < 2)
        return 0;
    return (int)floor((double)(layout->places[i] - layout->first_month) * (columns - 1) /
                          (double)(layout->months - 1) +
                      0.5);
}

/* The value range: the readings and every line that will be drawn. */
static void find_scale(const struct spc_result *spc, const struct chart_options *options,
                       struct layout *layout)
{
    double top = -INFINITY, bottom = INFINITY;
    bool limits = spc->has_limits && options->show_limits;
    for (size_t i = layout->first; i < spc->count; i++) {
        const struct spc_point *point = &spc->points[i];
        top = fmax(top, fmax(point->value, point->mean));
        bottom = fmin(bottom, fmin(point->value, point->mean));
        if (limits) {
            top = fmax(top, point->upper_limit);
            bottom = fmin(bottom, point->lower_limit);
        }
    }
    if (options->has_target && isfinite(options->target)) {
        top = fmax(top, options->target);
        bottom = fmin(bottom, options->target);
    }
    if (top - bottom < 1e-9 * fmax(1.0, fabs(top))) {
        double pad = fabs(top) > 0 ? fabs(top) * 0.1 : 1;
        top += pad;
        bottom -= pad;
    }
    layout->top = top;
    layout->bottom = bottom;
}

struct axis_label {
    double value;
    unsigned char meaning;
    char text[32];
};

#define MOST_LABELS 6

/* The labels worth putting on the axis, most important first: the lines,
 * then the top and bottom of the scale where no line is labelled nearby. */
static size_t choose_labels(const struct spc_result *spc, const struct chart_options *options,
                            const struct layout *layout, struct axis_label labels[MOST_LABELS])
{
    size_t count = 0;
    labels[count++] = (struct axis_label){.value = spc->mean, .meaning = CELL_MEAN};
    if (options->has_target && isfinite(options->target))
        labels[count++] = (struct axis_label){.value = options->target, .meaning = CELL_TARGET};
    if (spc->has_limits && options->show_limits) {
        labels[count++] = (struct axis_label){.value = spc->upper_limit, .meaning = CELL_LIMIT};
        labels[count++] = (struct axis_label){.value = spc->lower_limit, .meaning = CELL_LIMIT};
    }
    labels[count++] = (struct axis_label){.value = layout->top, .meaning = CELL_AXIS};
    labels[count++] = (struct axis_label){.value = layout->bottom, .meaning = CELL_AXIS};
    for (size_t i = 0; i < count; i++)
        format_axis_value(labels[i].value, labels[i].text, sizeof labels[i].text);
    return count;
}

/* The horizontal lines, column by column, so a rebase shows as a step: each
 * column takes the lines of the latest point drawn at or before it. */
static void draw_lines(const struct spc_result *spc, const struct chart_options *options,
                       const struct layout *layout, struct cell_buffer *out)
{
    size_t owner = layout->first;
    for (int column = 0; column < layout->plot_width; column++) {
        while (owner + 1 < spc->count &&
               dot_column(layout, owner + 1) / layout->dots_across <= column)
            owner++;
        const struct spc_point *point = &spc->points[owner];
        int x = layout->plot_left + column;
        if (spc->has_limits && options->show_limits) {
            cell_buffer_put(out, x, cell_row(layout, point->upper_limit),
                            line_glyph(CELL_LIMIT, layout->ascii), CELL_LIMIT);
            cell_buffer_put(out, x, cell_row(layout, point->lower_limit),
                            line_glyph(CELL_LIMIT, layout->ascii), CELL_LIMIT);
        }
        cell_buffer_put(out, x, cell_row(layout, point->mean), line_glyph(CELL_MEAN, layout->ascii),
                        CELL_MEAN);
        if (options->has_target && isfinite(options->target))
            cell_buffer_put(out, x, cell_row(layout, options->target),
                            line_glyph(CELL_TARGET, layout->ascii), CELL_TARGET);
    }
}

/* Braille dot bits by (column, row) within a cell, as Unicode numbers them. */
static const unsigned char braille_bits[2][4] = {{0x01, 0x02, 0x04, 0x40},
                                                 {0x08, 0x10, 0x20, 0x80}};

static void set_dot(unsigned char *dots, const struct layout *layout, int x, int y)
{
    int column = x / 2, row = y / 4;
    if (column < 0 || row < 0 || column >= layout->plot_width || row >= layout->plot_height)
        return;
    dots[row * layout->plot_width + column] |= braille_bits[x % 2][y % 4];
}

/* A straight line of dots between two readings (Bresenham). */
static void draw_dot_line(unsigned char *dots, const struct layout *layout, int x0, int y0,
                          int x1, int y1)
{
    int dx = abs(x1 - x0), dy = -abs(y1 - y0);
    int step_x = x0 < x1 ? 1 : -1, step_y = y0 < y1 ? 1 : -1;
    int error = dx + dy;
    for (;;) {
        set_dot(dots, layout, x0, y0);
        if (x0 == x1 && y0 == y1)
            break;
        int doubled = 2 * error;
        if (doubled >= dy) {
            error += dy;
            x0 += step_x;
        }
        if (doubled <= dx) {
            error += dx;
            y0 += step_y;
        }
    }
}

static void put_braille(struct cell_buffer *out, int x, int y, unsigned char bits)
{
    char text[5] = {0};
    utf8_encode((wchar_t)(0x2800u + bits), text); /* U+2800..U+28FF */
    cell_buffer_put(out, x, y, text, CELL_DATA);
}

static void draw_readings(const struct spc_result *spc, const struct layout *layout,
                          struct cell_buffer *out)
{
    if (!layout->ascii) {
        unsigned char *dots = xcalloc((size_t)layout->plot_width * (size_t)layout->plot_height, 1);
        for (size_t i = layout->first; i < spc->count; i++) {
            const struct spc_point *point = &spc->points[i];
            int x = dot_column(layout, i), y = dot_row(layout, point->value);
            /* The line joins neighbouring months only: it breaks at a gap. */
            if (i == layout->first || layout->places[i] - layout->places[i - 1] > 1)
                set_dot(dots, layout, x, y);
            else
                draw_dot_line(dots, layout, dot_column(layout, i - 1),
                              dot_row(layout, point[-1].value), x, y);
        }
        for (int row = 0; row < layout->plot_height; row++)
            for (int column = 0; column < layout->plot_width; column++)
                if (dots[row * layout->plot_width + column])
                    put_braille(out, layout->plot_left + column, row,
                                dots[row * layout->plot_width + column]);
        free(dots);
    }
    /* Readings as dots (ASCII), then the special causes over everything. */
    for (size_t i = layout->first; i < spc->count; i++) {
        const struct spc_point *point = &spc->points[i];
        int x = layout->plot_left + dot_column(layout, i) / layout->dots_across;
        int y = cell_row(layout, point->value);
        unsigned char meaning = meaning_of_point(point);
        struct cell *cell = cell_buffer_at(out, x, y);
        if (!cell)
            continue;
        if (meaning != CELL_DATA) {
            if (marker_rank(meaning) > marker_rank(cell->meaning))
                cell_buffer_put(out, x, y, marker_glyph(meaning, layout->ascii), meaning);
        } else if (layout->ascii && marker_rank(cell->meaning) == 0) {
            cell_buffer_put(out, x, y, "o", CELL_DATA);
        }
    }
}

static void draw_value_axis(const struct spc_result *spc, const struct chart_options *options,
                            const struct layout *layout, struct cell_buffer *out)
{
    int axis_x = layout->plot_left - 1;
    for (int row = 0; row < layout->plot_height; row++)
        cell_buffer_put(out, axis_x, row, layout->ascii ? "|" : "│", CELL_AXIS);
    struct axis_label labels[MOST_LABELS];
    size_t count = choose_labels(spc, options, layout, labels);
    int rows_taken[MOST_LABELS];
    size_t taken = 0;
    for (size_t i = 0; i < count; i++) {
        int row = cell_row(layout, labels[i].value);
        /* A line's label needs its row free; a scale label needs a free row
         * either side too, or it crowds the line labels. */
        int clearance = labels[i].meaning == CELL_AXIS ? 2 : 1;
        bool room = true;
        for (size_t t = 0; t < taken; t++)
            room = room && abs(rows_taken[t] - row) >= clearance;
        int length = (int)strlen(labels[i].text);
        if (!room || length > axis_x)
            continue;
        rows_taken[taken++] = row;
        cell_buffer_put_text(out, axis_x - length, row, labels[i].text, labels[i].meaning);
    }
}

static void format_position(const struct spc_point *point, size_t number, char out[16])
{
    if (point->period > 0)
        yearmonth_format(point->period, out);
    else
        snprintf(out, 16, "%zu", number);
}

/* The bottom row: a corner, a rule, and the first and last periods under
 * their readings (point numbers when there are no periods). */
static void draw_period_axis(const struct spc_result *spc, const struct layout *layout,
                             struct cell_buffer *out)
{
    int row = layout->axis_row;
    if (layout->plot_left > 0)
        cell_buffer_put(out, layout->plot_left - 1, row, layout->ascii ? "+" : "└", CELL_AXIS);
    for (int column = 0; column < layout->plot_width; column++)
        cell_buffer_put(out, layout->plot_left + column, row, layout->ascii ? "-" : "─",
                        CELL_AXIS);
    char first[16], last[16];
    size_t last_index = layout->first + layout->shown - 1;
    format_position(&spc->points[layout->first], layout->first + 1, first);
    format_position(&spc->points[last_index], last_index + 1, last);
    int first_length = (int)strlen(first), last_length = (int)strlen(last);
    int last_x = layout->plot_left + layout->plot_width - last_length;
    if (last_x < layout->plot_left)
        return;
    cell_buffer_put_text(out, last_x, row, last, CELL_AXIS);
    if (layout->shown > 1 && layout->plot_left + first_length < last_x - 1)
        cell_buffer_put_text(out, layout->plot_left, row, first, CELL_AXIS);
}

static void render_as_sparkline(const struct spc_result *spc, const yearmonth *periods, bool ascii,
                                struct cell_buffer *out)
{
    double *values = xcalloc(spc->count, sizeof *values);
    unsigned char *meanings = xcalloc(spc->count, 1);
    for (size_t i = 0; i < spc->count; i++) {
        values[i] = spc->points[i].value;
        meanings[i] = meaning_of_point(&spc->points[i]);
    }
    draw_sparkline(values, periods, meanings, spc->count, ascii, out);
    free(values);
    free(meanings);
}

/* The chart proper, at least 3 rows by 8 columns; `periods` place the points. */
static void render_chart(const struct spc_result *spc, const yearmonth *periods,
                         const struct chart_options *options, struct cell_buffer *out)
{
    struct layout layout = {
        .ascii = options->ascii,
        .plot_height = out->height,
        .axis_row = -1,
        .dots_across = options->ascii ? 1 : 2,
        .dots_down = options->ascii ? 1 : 4,
    };
    if (options->show_axis && out->height >= 6) {
        layout.axis_row = out->height - 1;
        layout.plot_height = out->height - 1;
    }
    /* The value labels need a column of their own and leave room to plot. */
    int label_width = 0;
    if (options->show_axis) {
        /* Measured on the whole series' scale; labels that end up wider
         * than this are left out rather than cut. */
        struct axis_label labels[MOST_LABELS];
        find_scale(spc, options, &layout);
        size_t count = choose_labels(spc, options, &layout, labels);
        for (size_t i = 0; i < count; i++)
            if ((int)strlen(labels[i].text) > label_width)
                label_width = (int)strlen(labels[i].text);
        if (out->width - (label_width + 1) < 10)
            label_width = -1;
    }
    layout.plot_left = options->show_axis && label_width >= 0 ? label_width + 1 : 0;
    layout.plot_width = out->width - layout.plot_left;
    /* A dot column a month at most: the latest points within that many
     * months of the last, the axis starting at the first of them. */
    int *places = xcalloc(spc->count, sizeof *places);
    place_by_month(periods, spc->count, places);
    int capacity = layout.plot_width * layout.dots_across;
    int last_month = places[spc->count - 1];
    layout.first = spc->count - 1;
    while (layout.first > 0 && last_month - places[layout.first - 1] < capacity)
        layout.first--;
    layout.shown = spc->count - layout.first;
    layout.places = places;
    layout.first_month = places[layout.first];
    layout.months = last_month - layout.first_month + 1;
    find_scale(spc, options, &layout);

    draw_lines(spc, options, &layout, out);
    draw_readings(spc, &layout, out);
    if (layout.plot_left > 0)
        draw_value_axis(spc, options, &layout, out);
    if (layout.axis_row >= 0)
        draw_period_axis(spc, &layout, out);
    free(places);
}

void chart_render(const struct spc_result *spc, const struct chart_options *options,
                  struct cell_buffer *out)
{
    struct chart_options defaults = chart_default_options();
    if (!options)
        options = &defaults;
    cell_buffer_clear(out);
    if (!out->cells || !spc)
        return;
    if (!spc->count || !spc->points) {
        cell_buffer_put_text(out, 0, 0, "no readings", CELL_PLAIN);
        return;
    }
    yearmonth *periods = xcalloc(spc->count, sizeof *periods);
    for (size_t i = 0; i < spc->count; i++)
        periods[i] = spc->points[i].period;
    if (out->height < 3 || out->width < 8)
        render_as_sparkline(spc, periods, options->ascii, out);
    else
        render_chart(spc, periods, options, out);
    free(periods);
}
