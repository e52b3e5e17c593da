/* csv_read.c — reads a CSV file one record at a time (RFC 4180: quoted
 * fields, doubled quotes, CRLF or LF, line breaks inside quotes), in a
 * fixed read buffer and one field buffer that grows to the longest record,
 * so a feed of a million rows costs the memory of one row. Each record
 * carries where it starts and where each field starts, for located errors.
 * It knows nothing of readings: src/command/command.c gives the fields
 * their meaning (docs/feeds.md). */
#include "boardfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A record is a few short fields; these bound a hostile file's cost (a
 * field is still read to its end, so the records after it stay in step). */
#define MAXIMUM_FIELD_BYTES 65536
#define MAXIMUM_FIELDS 64
#define READ_BLOCK 65536

struct csv_reader {
    FILE *file;             /* NULL when reading bytes */
    bool owns_file;
    char *name;             /* for errors */
    const unsigned char *bytes; /* the window being read: the block, or all the bytes */
    size_t at, end;
    unsigned char *block;
    bool at_eof;
    int read_errno;         /* a read failed: the errno */
    unsigned line, column;  /* of the next byte */
    bool started;           /* the byte-order mark has been looked for */
    /* The record being read: its fields' text, each ended by a NUL. */
    char *text;
    size_t text_length, text_capacity;
    size_t offsets[MAXIMUM_FIELDS];
    size_t lengths[MAXIMUM_FIELDS];
    unsigned lines[MAXIMUM_FIELDS], columns[MAXIMUM_FIELDS];
    const char *fields[MAXIMUM_FIELDS];
};

static struct csv_reader *new_reader(const char *name)
{
    struct csv_reader *reader = xcalloc(1, sizeof *reader);
    reader->name = xstrdup(name);
    reader->line = 1;
    reader->column = 1;
    return reader;
}

bool csv_open_path(const char *path, struct csv_reader **out, struct error *error)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        error_set(error, EXIT_NO_INPUT, "%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    struct csv_reader *reader = new_reader(path);
    reader->file = file;
    reader->owns_file = true;
    reader->block = xmalloc(READ_BLOCK);
    reader->bytes = reader->block;
    *out = reader;
    return true;
}

struct csv_reader *csv_open_bytes(const char *bytes, size_t length, const char *display_name)
{
    struct csv_reader *reader = new_reader(display_name);
    reader->bytes = (const unsigned char *)bytes;
    reader->end = length;
    reader->at_eof = true;
    return reader;
}

void csv_close(struct csv_reader *reader)
{
    if (!reader)
        return;
    if (reader->owns_file)
        fclose(reader->file);
    free(reader->block);
    free(reader->text);
    free(reader->name);
    free(reader);
}

const char *csv_name(const struct csv_reader *reader)
{
    return reader->name;
}

/* The next byte without taking it, or -1 at the end of the input. */
static int peek(struct csv_reader *reader)
{
    if (reader->at < reader->end)
        return reader->bytes[reader->at];
    if (reader->at_eof)
        return -1;
    size_t got = fread(reader->block, 1, READ_BLOCK, reader->file);
    if (got == 0) {
        reader->at_eof = true;
        if (ferror(reader->file))
            reader->read_errno = errno ? errno : EIO;
        return -1;
    }
    reader->at = 0;
    reader->end = got;
    return reader->bytes[0];
}

/* Takes the next byte (which peek has seen), keeping the line and column:
 * a line ends at LF, CRLF or a CR alone; a column counts characters, so a
 * UTF-8 continuation byte does not move it. */
static int take(struct csv_reader *reader)
{
    int c = peek(reader);
    if (c < 0)
        return c;
    reader->at++;
    if (c == '\n' || (c == '\r' && peek(reader) != '\n')) {
        reader->line++;
        reader->column = 1;
    } else if (c != '\r' && (c & 0xC0) != 0x80) {
        reader->column++;
    }
    return c;
}

static void add_byte(struct csv_reader *reader, char c)
{
    if (reader->text_length + 1 >= reader->text_capacity) {
        void *text = reader->text;
        grow_array(&text, &reader->text_capacity, reader->text_length + 2, 1);
        reader->text = text;
    }
    reader->text[reader->text_length++] = c;
}

/* The first problem of a record, kept while the record is read to its end
 * so that the next record starts in the right place. */
struct problem {
    bool found;
    unsigned line, column;
    char what[200];
};

static void note_problem(struct problem *problem, unsigned line, unsigned column,
                         const char *what)
{
    if (problem->found)
        return;
    problem->found = true;
    problem->line = line;
    problem->column = column;
    snprintf(problem->what, sizeof problem->what, "%s", what);
}

/* Takes the end of a record: CRLF, LF or CR (nothing at the end of input). */
static void take_line_end(struct csv_reader *reader)
{
    int c = take(reader);
    if (c == '\r' && peek(reader) == '\n')
        take(reader);
}

/* Appends one byte of a field, unless the field or the record is already
 * refused (the byte is then only passed over). */
static void keep(struct csv_reader *reader, struct problem *problem, size_t field, size_t start,
                 int c)
{
    if (field >= MAXIMUM_FIELDS)
        return;
    if (reader->text_length - start >= MAXIMUM_FIELD_BYTES) {
        note_problem(problem, reader->lines[field], reader->columns[field],
                     "the field is longer than 64 KB");
        return;
    }
    if (c == 0)
        note_problem(problem, reader->line, reader->column - 1 ? reader->column - 1 : 1,
                     "the file holds a NUL byte here");
    add_byte(reader, (char)c);
}

/* Takes the run of plain bytes (no comma, quote, line end or NUL) that
 * starts the rest of an unquoted field, a block at a time: most of a feed
 * is such runs, so this is the loop that matters for speed. */
static void take_plain_run(struct csv_reader *reader, struct problem *problem, size_t field,
                           size_t start)
{
    static bool plain[256];
    static bool plain_known;
    if (!plain_known) {
        for (int c = 0; c < 256; c++)
            plain[c] = c != ',' && c != '"' && c != '\n' && c != '\r' && c != 0;
        plain_known = true;
    }
    while (peek(reader) >= 0) {
        const unsigned char *from = reader->bytes + reader->at, *end = reader->bytes + reader->end;
        const unsigned char *to = from;
        unsigned characters = 0;
        while (to < end && plain[*to]) {
            characters += (*to & 0xC0) != 0x80;
            to++;
        }
        size_t length = (size_t)(to - from);
        if (field < MAXIMUM_FIELDS) {
            if (reader->text_length - start + length > MAXIMUM_FIELD_BYTES) {
                note_problem(problem, reader->lines[field], reader->columns[field],
                             "the field is longer than 64 KB");
            } else {
                void *text = reader->text;
                grow_array(&text, &reader->text_capacity, reader->text_length + length + 2, 1);
                reader->text = text;
                memcpy(reader->text + reader->text_length, from, length);
                reader->text_length += length;
            }
        }
        reader->at += length;
        reader->column += characters;
        if (to < end)
            return;
    }
}

enum csv_status csv_read_row(struct csv_reader *reader, struct csv_row *row, struct error *error)
{
    if (!reader->started) {
        reader->started = true;
        /* A UTF-8 byte-order mark (spreadsheets write one) is not data. */
        if (peek(reader) == 0xEF && reader->end - reader->at >= 3 &&
            memcmp(reader->bytes + reader->at, "\xEF\xBB\xBF", 3) == 0)
            reader->at += 3;
    }
    for (;;) {
        if (peek(reader) < 0) {
            if (reader->read_errno) {
                error_set(error, EXIT_NO_INPUT, "%s: cannot read: %s", reader->name,
                          strerror(reader->read_errno));
                return CSV_FAILED;
            }
            return CSV_END;
        }
        struct problem problem = {0};
        reader->text_length = 0;
        size_t count = 0;
        unsigned line = reader->line;
        bool any_quoted = false;
        bool record_done = false;
        while (!record_done) {
            size_t field = count++;
            size_t start = reader->text_length;
            if (field < MAXIMUM_FIELDS) {
                reader->offsets[field] = start;
                reader->lines[field] = reader->line;
                reader->columns[field] = reader->column;
            } else {
                note_problem(&problem, reader->line, reader->column,
                             "the row has more than 64 fields");
            }
            unsigned field_line = reader->line, field_column = reader->column;
            bool quoted = peek(reader) == '"';
            if (quoted) {
                any_quoted = true;
                take(reader);
                for (;;) {
                    int c = take(reader);
                    if (c < 0) {
                        if (reader->read_errno)
                            error_set(error, EXIT_NO_INPUT, "%s: cannot read: %s", reader->name,
                                      strerror(reader->read_errno));
                        else
                            error_set_at(error, reader->name, field_line, field_column,
                                         "the quote that opens this field is never closed");
                        return CSV_FAILED;
                    }
                    if (c == '"') {
                        if (peek(reader) != '"')
                            break;
                        take(reader);
                    }
                    keep(reader, &problem, field, start, c);
                }
            }
            /* Unquoted text, or whatever follows a closing quote (refused,
             * but read as text so that the record ends where it should). */
            for (;;) {
                if (!quoted)
                    take_plain_run(reader, &problem, field, start);
                int c = peek(reader);
                if (c < 0 || c == '\n' || c == '\r') {
                    record_done = true;
                    break;
                }
                if (c == ',') {
                    take(reader);
                    break;
                }
                if (quoted)
                    note_problem(&problem, reader->line, reader->column,
                                 "text after the closing quote of a field; a quoted field "
                                 "ends at its quote");
                else if (c == '"')
                    note_problem(&problem, reader->line, reader->column,
                                 "a double quote inside an unquoted field; quote the whole "
                                 "field and double the quote (\"\")");
                take(reader);
                keep(reader, &problem, field, start, c);
            }
            if (field < MAXIMUM_FIELDS) {
                reader->lengths[field] = reader->text_length - start;
                add_byte(reader, '\0');
            }
        }
        take_line_end(reader);
        /* A blank line is no record (a file may end with one, or several). */
        if (count == 1 && reader->lengths[0] == 0 && !any_quoted && !problem.found)
            continue;
        size_t kept = count < MAXIMUM_FIELDS ? count : MAXIMUM_FIELDS;
        for (size_t i = 0; i < kept && !problem.found; i++)
            if (!utf8_is_valid(reader->text + reader->offsets[i], reader->lengths[i]))
                note_problem(&problem, reader->lines[i], reader->columns[i],
                             "the field is not valid UTF-8");
        if (problem.found) {
            error_set_at(error, reader->name, problem.line, problem.column, "%s", problem.what);
            row->line = line;
            row->count = 0;
            return CSV_BAD_ROW;
        }
        for (size_t i = 0; i < kept; i++)
            reader->fields[i] = reader->text + reader->offsets[i];
        row->count = kept;
        row->fields = reader->fields;
        row->lengths = reader->lengths;
        row->lines = reader->lines;
        row->columns = reader->columns;
        row->line = line;
        return CSV_ROW;
    }
}
