/* svg.h — the SPC chart and the Making Data Count icons as inline SVG for
 * the board pack (pack.h): the terminal chart's sibling (chart.h), drawn
 * from the same spc_result, as text appended to a buffer. Pure: no I/O. */
#ifndef BOARDPACK_SVG_H
#define BOARDPACK_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "spc.h"
#include "util.h"

/* Appends text with & < > " ' written as character references, so a
 * field shows as text in HTML and SVG, in content and attribute values. */
void markup_escape(struct text_buffer *out, const char *text);

struct svg_chart_options {
    int width, height;    /* the viewBox; 0 means 720 by 250 */
    bool has_target;
    double target;
    const struct trajectory_point *trajectory; /* may be NULL */
    size_t trajectory_count;
    enum unit unit;       /* for the axis and the description */
    const char *title;    /* the chart's <title> (escaped here) */
};

/* An XmR chart (or a run chart when spc.has_limits is false): the
 * readings as points joined by a line that breaks at a month with no
 * reading, the mean and the process limits as steps where a rebase starts
 * new ones, the target and the trajectory, special-cause points coloured
 * as Making Data Count does (orange concern, blue improvement, purple no
 * direction, grey common cause), a value axis and month labels. One
 * <svg role="img"> with a <title> and a <desc> that says the same in
 * words. Nothing for an empty analysis. */
void svg_chart(const struct spc_result *spc, const struct svg_chart_options *options,
               struct text_buffer *out);

/* The variation and assurance icons in the Making Data Count style (our
 * own drawing), `size` pixels square, each an <svg role="img"> with a
 * <title> of its label and a <desc>; nothing for NONE. */
void svg_variation_icon(enum spc_variation variation, int size, struct text_buffer *out);
void svg_assurance_icon(enum spc_assurance assurance, int size, struct text_buffer *out);
/* What an icon means, in a sentence, for the key and the <desc>. */
const char *svg_variation_meaning(enum spc_variation variation);
const char *svg_assurance_meaning(enum spc_assurance assurance);

#endif
