/* svg.c — the SPC chart and the Making Data Count icons as inline SVG, from
 * the same spc_result as the terminal chart (chart.c). Coordinates are
 * written with one decimal, so the same series always gives the same text. */
#include "svg.h"

#include "present.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Colours that keep 3:1 against white (WCAG 2.2, non-text contrast). */
#define COLOUR_COMMON "#5f6062"
#define COLOUR_IMPROVEMENT "#005eb8"
#define COLOUR_CONCERN "#b34700"
#define COLOUR_NEITHER "#6a2c91"
#define COLOUR_TARGET "#a00030"
#define COLOUR_LINE "#3b3b3b"
#define COLOUR_LIMIT "#6b6b6b"
#define COLOUR_AXIS "#212121"

void markup_escape(struct text_buffer *out, const char *text)
{
    if (!text)
        return;
    text_append(out, "");
    const char *run = text;
    for (const char *c = text;; c++) {
        const char *reference = NULL;
        switch (*c) {
        case '&':
            reference = "&amp;";
            break;
        case '<':
            reference = "&lt;";
            break;
        case '>':
            reference = "&gt;";
            break;
        case '"':
            reference = "&quot;";
            break;
        case '\'':
            reference = "&#39;";
            break;
        case '\0':
            text_append_length(out, run, (size_t)(c - run));
            return;
        default:
            continue;
        }
        text_append_length(out, run, (size_t)(c - run));
        text_append(out, reference);
        run = c + 1;
    }
}

/* ---- the chart ---- */

struct frame {
    double left, top, width, height; /* the plot area */
    double value_top, value_bottom;
    int first_month, months;         /* places are months after first_month */
    int *places;
};

static double x_of(const struct frame *frame, int place)
{
    if (frame->months < 2)
        return frame->left + frame->width / 2;
    return frame->left + frame->width * (double)(place - frame->first_month) /
                             (double)(frame->months - 1);
}

static double y_of(const struct frame *frame, double value)
{
    double fraction = (frame->value_top - value) / (frame->value_top - frame->value_bottom);
    if (!(fraction >= 0))
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    return frame->top + frame->height * fraction;
}

/* A month's place on the axis: its period when every point has one, each
 * later than the one before (so a missing month keeps its place), else one
 * a month in order, as the terminal chart places them. */
static void place_points(const struct spc_result *spc, int *places)
{
    bool by_period = true;
    for (size_t i = 0; by_period && i < spc->count; i++)
        by_period = spc->points[i].period > YEARMONTH_NONE &&
                    (i == 0 || spc->points[i].period > spc->points[i - 1].period);
    for (size_t i = 0; i < spc->count; i++)
        places[i] = by_period ? spc->points[i].period : (int)i;
}

/* A step of about a fifth of the range: 1, 2 or 5 times a power of ten. */
static double nice_step(double range)
{
    double rough = range / 5;
    double power = pow(10, floor(log10(rough)));
    double fraction = rough / power;
    return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

static void format_axis_number(double value, char *out, size_t size)
{
    if (fabs(value) < 1e-9)
        value = 0;
    format_number_shortest(value, 6, out, size);
}

static void format_point_value(enum unit unit, double value, char *out, size_t size)
{
    present_statistic(unit, value, out, size);
}

static const char *point_colour(const struct spc_point *point)
{
    if (!point->rules)
        return COLOUR_COMMON;
    switch (point->meaning) {
    case SPC_IMPROVEMENT:
        return COLOUR_IMPROVEMENT;
    case SPC_CONCERN:
        return COLOUR_CONCERN;
    case SPC_NEITHER:
        return COLOUR_NEITHER;
    case SPC_COMMON:
        break;
    }
    return COLOUR_COMMON;
}

static void find_value_range(const struct spc_result *spc, const struct svg_chart_options *options,
                             const struct frame *frame, double *top, double *bottom)
{
    double high = -INFINITY, low = INFINITY;
    for (size_t i = 0; i < spc->count; i++) {
        const struct spc_point *point = &spc->points[i];
        high = fmax(high, fmax(point->value, point->mean));
        low = fmin(low, fmin(point->value, point->mean));
        if (spc->has_limits) {
            high = fmax(high, point->upper_limit);
            low = fmin(low, point->lower_limit);
        }
    }
    if (options->has_target && isfinite(options->target)) {
        high = fmax(high, options->target);
        low = fmin(low, options->target);
    }
    for (size_t t = 0; t < options->trajectory_count; t++) {
        const struct trajectory_point *point = &options->trajectory[t];
        if (point->period >= frame->first_month &&
            point->period < frame->first_month + frame->months) {
            high = fmax(high, point->value);
            low = fmin(low, point->value);
        }
    }
    if (high - low < 1e-9 * fmax(1.0, fabs(high))) {
        double pad = fabs(high) > 0 ? fabs(high) * 0.1 : 1;
        high += pad;
        low -= pad;
    }
    double pad = (high - low) * 0.05;
    *top = high + pad;
    *bottom = low - pad;
}

/* A horizontal line that follows each point's own value of a limit set
 * (mean, upper or lower limit), stepping where a rebase changes it. */
static void step_line(const struct spc_result *spc, const struct frame *frame,
                      double (*value_of)(const struct spc_point *), const char *style,
                      struct text_buffer *out)
{
    text_append(out, "<path d=\"");
    double previous = 0;
    for (size_t i = 0; i < spc->count; i++) {
        double x = x_of(frame, frame->places[i]);
        double y = y_of(frame, value_of(&spc->points[i]));
        if (i == 0)
            text_appendf(out, "M%.1f %.1f", frame->left, y);
        else if (fabs(y - previous) >= 0.05)
            text_appendf(out, "H%.1fV%.1f", (x_of(frame, frame->places[i - 1]) + x) / 2, y);
        previous = y;
    }
    text_appendf(out, "H%.1f\" fill=\"none\" %s/>\n", frame->left + frame->width, style);
}

static double mean_of(const struct spc_point *point) { return point->mean; }
static double upper_of(const struct spc_point *point) { return point->upper_limit; }
static double lower_of(const struct spc_point *point) { return point->lower_limit; }

/* The description: what the chart shows, in words, for a screen reader. */
static void describe_chart(const struct spc_result *spc, const struct svg_chart_options *options,
                           struct text_buffer *out)
{
    char first[9], last[9], value[48], other[48];
    yearmonth_label(spc->points[0].period, first);
    yearmonth_label(spc->points[spc->count - 1].period, last);
    struct text_buffer text = {0};
    if (spc->points[0].period > 0)
        text_appendf(&text, "%s of %zu readings from %s to %s. ",
                     spc->has_limits ? "XmR chart" : "Run chart", spc->count, first, last);
    else
        text_appendf(&text, "%s of %zu readings. ", spc->has_limits ? "XmR chart" : "Run chart",
                     spc->count);
    format_point_value(options->unit, spc->mean, value, sizeof value);
    text_appendf(&text, "Mean %s", value);
    if (spc->has_limits) {
        format_point_value(options->unit, spc->lower_limit, value, sizeof value);
        format_point_value(options->unit, spc->upper_limit, other, sizeof other);
        text_appendf(&text, ", process limits %s to %s", value, other);
    } else {
        text_append(&text, "; too few readings for process limits");
    }
    if (options->has_target) {
        format_point_value(options->unit, options->target, value, sizeof value);
        text_appendf(&text, ", target %s", value);
    }
    size_t special = 0;
    for (size_t i = 0; i < spc->count; i++)
        special += spc->points[i].rules != 0;
    text_appendf(&text, ". %zu special-cause point%s. The table below gives every reading.",
                 special, special == 1 ? "" : "s");
    markup_escape(out, text.data);
    text_free(&text);
}

void svg_chart(const struct spc_result *spc, const struct svg_chart_options *options,
               struct text_buffer *out)
{
    if (!spc || !spc->count || !spc->points)
        return;
    int width = options->width > 0 ? options->width : 640;
    int height = options->height > 0 ? options->height : 260;
    struct frame frame = {.left = 60, .top = 12, .width = width - 60 - 28,
                          .height = height - 12 - 30};
    frame.places = xcalloc(spc->count, sizeof *frame.places);
    place_points(spc, frame.places);
    frame.first_month = frame.places[0];
    frame.months = frame.places[spc->count - 1] - frame.places[0] + 1;
    find_value_range(spc, options, &frame, &frame.value_top, &frame.value_bottom);

    text_appendf(out,
                 "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                 "height=\"%d\"><title>",
                 width, height, width, height);
    markup_escape(out, options->title ? options->title : "SPC chart");
    text_append(out, "</title><desc>");
    describe_chart(spc, options, out);
    text_append(out, "</desc>\n");

    /* The value axis: gridlines at a nice step, labelled. */
    double step = nice_step(frame.value_top - frame.value_bottom);
    char label[48];
    text_appendf(out, "<g font-size=\"12\" fill=\"%s\" text-anchor=\"end\">\n", COLOUR_AXIS);
    for (double tick = ceil(frame.value_bottom / step) * step; tick <= frame.value_top + 1e-9;
         tick += step) {
        double y = y_of(&frame, tick);
        format_axis_number(tick, label, sizeof label);
        text_appendf(out,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>"
                     "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n",
                     frame.left, y, frame.left + frame.width, y, frame.left - 6, y + 4, label);
    }
    text_append(out, "</g>\n");
    /* The month axis: a label every few months, the last always. */
    int every = frame.months > 12 ? (frame.months + 11) / 12 : 1;
    text_appendf(out, "<g font-size=\"12\" fill=\"%s\" text-anchor=\"middle\">\n", COLOUR_AXIS);
    text_appendf(out,
                 "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
                 frame.left, frame.top + frame.height, frame.left + frame.width,
                 frame.top + frame.height, COLOUR_AXIS);
    bool by_period = spc->points[0].period > 0 && frame.places[0] == spc->points[0].period;
    for (int month = 0; month < frame.months; month++) {
        bool last = month == frame.months - 1;
        if (month % every != 0 && !last)
            continue;
        if (!last && frame.months - 1 - month < every / 2 + 1 && month != 0 && every > 1)
            continue; /* too near the last label */
        if (by_period) {
            char text[9];
            yearmonth_label(frame.first_month + month, text);
            snprintf(label, sizeof label, "%.3s %s", text, text + 6);
        } else {
            snprintf(label, sizeof label, "%d", month + 1);
        }
        double x = x_of(&frame, frame.first_month + month);
        text_appendf(out, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x,
                     frame.top + frame.height + 16, label);
    }
    text_append(out, "</g>\n");

    /* The lines: limits, mean, target, trajectory. */
    if (spc->has_limits) {
        step_line(spc, &frame, upper_of,
                  "stroke=\"" COLOUR_LIMIT "\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"", out);
        step_line(spc, &frame, lower_of,
                  "stroke=\"" COLOUR_LIMIT "\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"", out);
    }
    step_line(spc, &frame, mean_of, "stroke=\"" COLOUR_AXIS "\" stroke-width=\"1.5\"", out);
    if (options->has_target && isfinite(options->target)) {
        double y = y_of(&frame, options->target);
        text_appendf(out,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                     "stroke-width=\"2\" stroke-dasharray=\"2 3\"/>\n",
                     frame.left, y, frame.left + frame.width, y, COLOUR_TARGET);
    }
    bool any_trajectory = false;
    for (size_t t = 0; t < options->trajectory_count; t++) {
        const struct trajectory_point *point = &options->trajectory[t];
        if (!by_period || point->period < frame.first_month ||
            point->period >= frame.first_month + frame.months)
            continue;
        if (!any_trajectory)
            text_appendf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
                              "stroke-dasharray=\"1 3\" points=\"",
                         COLOUR_TARGET);
        text_appendf(out, "%s%.1f,%.1f", any_trajectory ? " " : "", x_of(&frame, point->period),
                     y_of(&frame, point->value));
        any_trajectory = true;
    }
    if (any_trajectory)
        text_append(out, "\"/>\n");

    /* The readings: a line that breaks where a month has no reading. */
    text_appendf(out, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" d=\"", COLOUR_LINE);
    for (size_t i = 0; i < spc->count; i++) {
        bool joined = i > 0 && frame.places[i] - frame.places[i - 1] == 1;
        text_appendf(out, "%s%.1f %.1f", joined ? "L" : "M", x_of(&frame, frame.places[i]),
                     y_of(&frame, spc->points[i].value));
    }
    text_append(out, "\"/>\n");
    for (size_t i = 0; i < spc->count; i++) {
        const struct spc_point *point = &spc->points[i];
        bool special = point->rules != 0;
        text_appendf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"%s/>\n",
                     x_of(&frame, frame.places[i]), y_of(&frame, point->value),
                     special ? "4.5" : "3.5", point_colour(point),
                     special ? " stroke=\"#000000\" stroke-width=\"0.75\"" : "");
    }
    text_append(out, "</svg>\n");
    free(frame.places);
}

/* ---- the icons ---- */

const char *svg_variation_meaning(enum spc_variation variation)
{
    switch (variation) {
    case SPC_VARIATION_COMMON:
        return "Common cause: no significant change; the variation is what the process usually "
               "shows.";
    case SPC_VARIATION_IMPROVEMENT_HIGH:
        return "Special cause of improving nature: significantly higher, and higher is better.";
    case SPC_VARIATION_IMPROVEMENT_LOW:
        return "Special cause of improving nature: significantly lower, and lower is better.";
    case SPC_VARIATION_CONCERN_HIGH:
        return "Special cause of concerning nature: significantly higher, and lower is better.";
    case SPC_VARIATION_CONCERN_LOW:
        return "Special cause of concerning nature: significantly lower, and higher is better.";
    case SPC_VARIATION_NEITHER_HIGH:
        return "Special cause, significantly higher, on a measure with no better direction.";
    case SPC_VARIATION_NEITHER_LOW:
        return "Special cause, significantly lower, on a measure with no better direction.";
    case SPC_VARIATION_NONE:
        break;
    }
    return "Run chart: too few readings for process limits, so no variation icon.";
}

const char *svg_assurance_meaning(enum spc_assurance assurance)
{
    switch (assurance) {
    case SPC_ASSURANCE_PASS:
        return "Consistently passes: the target lies beyond the process limit on the bad side, "
               "so the process will meet it unless something changes.";
    case SPC_ASSURANCE_FAIL:
        return "Consistently fails: the target lies beyond the process limit on the good side, "
               "so the process will not meet it unless something changes.";
    case SPC_ASSURANCE_HIT_OR_MISS:
        return "Hit or miss: the target lies between the process limits, so the process will "
               "meet it some months and miss it in others.";
    case SPC_ASSURANCE_NONE:
        break;
    }
    return "No assurance icon: no target, no direction or too few readings.";
}

static void icon_open(const char *label, const char *meaning, int size, struct text_buffer *out)
{
    text_appendf(out,
                 "<svg class=\"icon\" role=\"img\" viewBox=\"0 0 48 48\" width=\"%d\" "
                 "height=\"%d\"><title>",
                 size, size);
    markup_escape(out, label);
    text_append(out, "</title><desc>");
    markup_escape(out, meaning);
    text_append(out, "</desc>");
}

/* Five dots: flat and grey for common cause, the last two high or low. */
static void icon_dots(const char *colour, int direction, struct text_buffer *out)
{
    static const double xs[] = {12, 18, 24, 30, 36};
    for (int i = 0; i < 5; i++) {
        double y = 27;
        if (direction && i >= 3)
            y -= direction * (i == 3 ? 5 : 9);
        const char *fill = direction && i >= 3 ? colour : COLOUR_COMMON;
        text_appendf(out, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"2.6\" fill=\"%s\"/>", xs[i], y,
                     fill);
    }
}

void svg_variation_icon(enum spc_variation variation, int size, struct text_buffer *out)
{
    const char *colour = COLOUR_COMMON, *letter = "";
    int direction = 0;
    switch (variation) {
    case SPC_VARIATION_NONE:
        return;
    case SPC_VARIATION_COMMON:
        break;
    case SPC_VARIATION_IMPROVEMENT_HIGH:
        colour = COLOUR_IMPROVEMENT, letter = "H", direction = 1;
        break;
    case SPC_VARIATION_IMPROVEMENT_LOW:
        colour = COLOUR_IMPROVEMENT, letter = "L", direction = -1;
        break;
    case SPC_VARIATION_CONCERN_HIGH:
        colour = COLOUR_CONCERN, letter = "H", direction = 1;
        break;
    case SPC_VARIATION_CONCERN_LOW:
        colour = COLOUR_CONCERN, letter = "L", direction = -1;
        break;
    case SPC_VARIATION_NEITHER_HIGH:
        colour = COLOUR_NEITHER, letter = "H", direction = 1;
        break;
    case SPC_VARIATION_NEITHER_LOW:
        colour = COLOUR_NEITHER, letter = "L", direction = -1;
        break;
    }
    char label[96];
    snprintf(label, sizeof label, "Variation: %s", spc_variation_label(variation));
    icon_open(label, svg_variation_meaning(variation), size, out);
    text_appendf(out,
                 "<circle cx=\"24\" cy=\"24\" r=\"21\" fill=\"#ffffff\" stroke=\"%s\" "
                 "stroke-width=\"4\"/>",
                 colour);
    icon_dots(colour, direction, out);
    if (letter[0])
        text_appendf(out,
                     "<text x=\"24\" y=\"%d\" font-size=\"11\" font-weight=\"bold\" "
                     "text-anchor=\"middle\" fill=\"%s\">%s</text>",
                     direction > 0 ? 40 : 17, colour, letter);
    text_append(out, "</svg>");
}

void svg_assurance_icon(enum spc_assurance assurance, int size, struct text_buffer *out)
{
    const char *colour, *letter;
    switch (assurance) {
    case SPC_ASSURANCE_PASS:
        colour = COLOUR_IMPROVEMENT, letter = "P";
        break;
    case SPC_ASSURANCE_FAIL:
        colour = COLOUR_CONCERN, letter = "F";
        break;
    case SPC_ASSURANCE_HIT_OR_MISS:
        colour = COLOUR_COMMON, letter = "?";
        break;
    case SPC_ASSURANCE_NONE:
    default:
        return;
    }
    char label[96];
    snprintf(label, sizeof label, "Assurance: %s", spc_assurance_label(assurance));
    icon_open(label, svg_assurance_meaning(assurance), size, out);
    text_appendf(out,
                 "<circle cx=\"24\" cy=\"24\" r=\"21\" fill=\"#ffffff\" stroke=\"%s\" "
                 "stroke-width=\"4\"/>"
                 "<path d=\"M9 %s H39\" stroke=\"%s\" stroke-width=\"2\" fill=\"none\"/>"
                 "<text x=\"24\" y=\"%s\" font-size=\"18\" font-weight=\"bold\" "
                 "text-anchor=\"middle\" fill=\"%s\">%s</text></svg>",
                 colour, assurance == SPC_ASSURANCE_FAIL ? "14" : "34", colour,
                 assurance == SPC_ASSURANCE_FAIL ? "34" : "29", colour, letter);
}
