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

/* A CSV file read one record at a time (RFC 4180: fields quoted with ",
 * quotes doubled, CRLF, LF or CR line ends, line breaks inside quotes; a
 * UTF-8 byte-order mark at the start is skipped, blank lines are no
 * records). Memory is one read block and the longest record, whatever
 * the file's length. It gives fields as text; the caller gives them their
 * meaning (a readings CSV: command_import_readings_csv, docs/feeds.md). */
struct csv_reader;
struct csv_row {
    size_t count;                 /* fields */
    const char *const *fields;    /* each NUL-terminated; valid until the next read */
    const size_t *lengths;
    const unsigned *lines;        /* where each field starts: its physical line */
    const unsigned *columns;      /* and its column (1-based, in characters) */
    unsigned line;                /* the physical line the record starts on */
};
enum csv_status {
    CSV_ROW,      /* *row holds the next record */
    CSV_END,      /* no more records */
    CSV_BAD_ROW,  /* this record is malformed (a located error); reading may go on */
    CSV_FAILED,   /* cannot go on: an unclosed quote (located), or a read error */
};
/* False (EXIT_NO_INPUT) if the file cannot be opened. */
bool csv_open_path(const char *path, struct csv_reader **out, struct error *error);
/* Reads `length` bytes that stay the caller's until csv_close. */
struct csv_reader *csv_open_bytes(const char *bytes, size_t length, const char *display_name);
enum csv_status csv_read_row(struct csv_reader *reader, struct csv_row *row, struct error *error);
/* The name errors use. */
const char *csv_name(const struct csv_reader *reader);
void csv_close(struct csv_reader *reader);

#endif
