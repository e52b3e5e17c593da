/* report.h — board reports for papers and scripts: text, CSV (the contract
 * in PRODUCT.md) and Markdown, with RAG and SPC icons for every node. */
#ifndef BOARDPACK_REPORT_H
#define BOARDPACK_REPORT_H

#include <stdio.h>

#include "model.h"
#include "rules.h"
#include "spc.h"
#include "util.h"

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_MARKDOWN };
bool report_format_parse(const char *text, enum report_format *out);

/* Writes the report of a loaded board as at `as_of` (NONE: the latest). */
bool report_write(const struct board *board, yearmonth as_of, enum report_format format,
                  bool ascii, FILE *out, struct error *error);

/* How a report is written. */
struct report_options {
    enum report_format format;
    bool ascii;
    /* Only the nodes whose status moved since the published month before
     * the one shown (or that are new since), with their ancestors for
     * context (docs/months.md). */
    bool changed_only;
};
/* The same, as `options` say. The board is a view as command_load_view
 * loads it (board.months says which month it shows and whether it is
 * published), `as_of` the month it hands back to evaluate at. */
bool report_write_with(const struct board *board, yearmonth as_of,
                       const struct report_options *options, FILE *out, struct error *error);

/* A published month, for report_write_month. */
struct report_publication {
    yearmonth month;
    const char *by, *at;
    unsigned revisions; /* corrections since it was published */
};
/* `boardpack month`: the open month, the newest published month, the open
 * month's progress, what is still missing for it by lead (the
 * deliverable's, else its nearest ancestor's; "No lead" last), and the
 * published months (oldest first). `board` is the working view
 * (command_load_view VIEW_WORKING), `as_of` the month it hands back. */
bool report_write_month(const struct board *board, yearmonth as_of,
                        const struct report_publication *published, size_t count, bool ascii,
                        FILE *out, struct error *error);

#endif
