/* boardfile.h — board files (YAML, through libyaml): read and validate them
 * into the model, and write a board back out as YAML (libyaml's emitter) or
 * CSV. docs/board-file.md documents every key. */
#ifndef BOARDPACK_BOARDFILE_H
#define BOARDPACK_BOARDFILE_H

#include <stdio.h>

#include "model.h"
#include "util.h"

/* Reads and validates one board file. On any problem returns false with a
 * located error ("FILE:LINE:COLUMN: error: ...", status EXIT_DATA, or
 * EXIT_NO_INPUT if the file cannot be read) and *out untouched. Validation
 * covers YAML syntax, unknown and duplicate keys, wrong types, missing
 * fields, repeated codes, readings whose metric the file does not define
 * (unless the file is readings-only: then the store checks), malformed
 * periods and values out of range for their unit. `display_name` is the name
 * errors use (normally the path). */
bool boardfile_read_path(const char *path, struct board **out, struct error *error);
bool boardfile_read_bytes(const char *bytes, size_t length, const char *display_name,
                          struct board **out, struct error *error);

/* Writes a loaded board (with its readings, milestone updates and
 * commentary) as a board file that boardfile_read_* reads back to the same
 * board. Returns false on an output error. */
bool boardfile_write_yaml(const struct board *board, FILE *out, struct error *error);
/* One row per reading: board,metric,period,value,segment,note,entered_by,entered_at */
bool boardfile_write_csv(const struct board *board, FILE *out, struct error *error);

#endif
