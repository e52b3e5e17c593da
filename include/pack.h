/* pack.h — the board pack: one self-contained HTML document (inline CSS and
 * SVG, no scripts) of a loaded board for a month, made to be printed on A4
 * landscape: cover, summary, exceptions, a section per deliverable with its
 * SPC chart and icons, and a key (docs/pack.md). Words come from the
 * presentation layer (present.h), charts from svg.h. No SQL, no curses. */
#ifndef BOARDPACK_PACK_H
#define BOARDPACK_PACK_H

#include <stdio.h>

#include "model.h"
#include "util.h"

struct pack_options {
    yearmonth evaluate_at; /* the as_of command_load_view gave */
    const char *store;     /* where the board came from, for the cover */
    const char *made_at;   /* when the pack was made, as people read it */
};

/* Writes the pack of a fully loaded board (command_load_view). */
bool pack_write(const struct board *board, const struct pack_options *options, FILE *out,
                struct error *error);

#endif
