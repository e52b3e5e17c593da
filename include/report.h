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


#endif
