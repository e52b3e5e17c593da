/* boardfile_read.c — reads a board file: libyaml's event parser builds a small
 * tree of located nodes one top-level section at a time, and each section is
 * validated into the model as soon as it is complete. docs/board-file.md is
 * the format; the first problem met, reading from the top, is the one reported. */
#include "boardfile.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Board files nest about eight levels; anything far deeper is hostile. */
#define MAXIMUM_DEPTH 64
/* Ten years of monthly points is 120; a bound keeps the duplicate check cheap. */
#define MAXIMUM_TRAJECTORY_POINTS 1200
#define MAXIMUM_KEYS 16
#define MAXIMUM_STALE_MONTHS 120
#define MAXIMUM_SPC_LENGTH 1000
/* A breakdown has a handful of segments (five boroughs); the bound keeps the
 * repeat check cheap. */
#define MAXIMUM_SEGMENTS 1000
/* A key longer than any key is no near miss of one. */
#define MAXIMUM_KEY_LENGTH 64

/* ---- The located tree ------------------------------------------------- */

enum tree_kind { TREE_SCALAR, TREE_LIST, TREE_MAPPING };

/* Nodes live in one array in document order, so a node's children are the
 * nodes after it up to `end`, and a finished section is dropped by
 * truncating the array (and the text arena) back to where it began. */
struct tree_node {
    enum tree_kind kind;
    bool plain;          /* a scalar written without quotes: numbers and booleans must be */
    unsigned line, column;
    size_t text;         /* the text arena's length when the node began: a scalar's text */
    size_t length;
    size_t end;          /* one past the last node of this subtree */
    size_t child_count;  /* a mapping counts keys and values */
};

/* ---- Code lookups ------------------------------------------------------ */

struct code_entry {
    char *code;
    size_t node;   /* index in board.nodes */
    size_t metric; /* index in the node's metrics, for metric codes */
    unsigned line; /* where the code was first written */
};

/* Open addressing on a hash of the code: boards of 10,000 deliverables must
 * not pay a quadratic price for "is this code new?". */
struct code_map {
    struct code_entry *entries;
    size_t capacity; /* a power of two, or 0 */
    size_t count;
};

/* Readings already in the file, by metric, segment and period; slots hold
 * the reading's index plus one (0 is empty). */
struct reading_set {
    size_t *slots;
    size_t capacity;
    size_t count;
};

/* Where the parts of a reading, milestone update or comment that refer to
 * the board were written, so a bad reference is reported at its own key's
 * value (the model keeps only where each item starts). */
struct reference_spots {
    struct source_location item;    /* the item itself */
    struct source_location code;    /* the metric, deliverable or node code */
    struct source_location value;   /* a reading's value */
    struct source_location segment; /* a reading's segment */
};

enum section {
    SECTION_BOARD,
    SECTION_AIMS,
    SECTION_READINGS,
    SECTION_MILESTONE_UPDATES,
    SECTION_COMMENTARY,
    SECTION_COUNT,
    SECTION_NONE = -1,
};
static const char *const section_keys[] = {"board", "aims", "readings", "milestone_updates",
                                           "commentary", NULL};

struct reader {
    const char *file_name;
    const unsigned char *bytes; /* the input, to locate encoding errors */
    size_t length;
    struct error *error;

    struct tree_node *nodes;
    size_t node_count, node_capacity;
    char *text;
    size_t text_length, text_capacity;
    size_t open[MAXIMUM_DEPTH]; /* the collections still open, outermost first */
    size_t open_count;

    int section; /* the top-level key whose value is being read */
    bool section_seen[SECTION_COUNT];
    unsigned section_line[SECTION_COUNT];
    struct source_location root;

    struct board *board;
    size_t node_array_capacity, value_capacity;
    size_t item_capacity[SECTION_COUNT]; /* board.readings, milestone_updates, comments */
    bool board_read, aims_read;
    bool board_has_structure; /* the board mapping holds more than code and sample */
    bool codes_known;         /* board and aims read: references are checked as they come */
    struct code_map node_codes;
    struct code_map metric_codes;
    struct reading_set readings_seen;
    /* For the streamed sections, one per item read: board.readings,
     * milestone_updates and comments. */
    struct reference_spots *spots[SECTION_COUNT];
    size_t spot_count[SECTION_COUNT], spot_capacity[SECTION_COUNT];
};

/* ---- Errors ------------------------------------------------------------ */

static bool fail_with_arguments(struct reader *reader, unsigned line, unsigned column,
                                const char *format, va_list arguments)
{
    char message[900];
    vsnprintf(message, sizeof message, format, arguments);
    error_set_at(reader->error, reader->file_name, line, column, "%s", message);
    return false;
}

static bool fail_at(struct reader *reader, unsigned line, unsigned column, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
static bool fail_at(struct reader *reader, unsigned line, unsigned column, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fail_with_arguments(reader, line, column, format, arguments);
    va_end(arguments);
    return false;
}

static bool fail_at_node(struct reader *reader, size_t node, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail_at_node(struct reader *reader, size_t node, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    fail_with_arguments(reader, reader->nodes[node].line, reader->nodes[node].column, format,
                        arguments);
    va_end(arguments);
    return false;
}

/* ---- Scalars ----------------------------------------------------------- */

static const char *scalar_text(const struct reader *reader, size_t node)
{
    return reader->text + reader->nodes[node].text;
}

static bool scalar_equals(const struct reader *reader, size_t node, const char *word)
{
    size_t length = strlen(word);
    return reader->nodes[node].kind == TREE_SCALAR && reader->nodes[node].length == length &&
           memcmp(scalar_text(reader, node), word, length) == 0;
}

/* `key:` with nothing after it, or `~`/`null`, written plain. */
static bool scalar_is_nothing(const struct reader *reader, size_t node)
{
    const struct tree_node *scalar = &reader->nodes[node];
    if (scalar->kind != TREE_SCALAR || !scalar->plain)
        return false;
    return scalar->length == 0 || scalar_equals(reader, node, "~") ||
           scalar_equals(reader, node, "null") || scalar_equals(reader, node, "Null") ||
           scalar_equals(reader, node, "NULL");
}

/* A short, printable copy of some text for a message: at most 40 bytes, cut
 * at a character boundary, control characters shown as '?'. */
static const char *shown_text(const char *text, size_t length, char out[64])
{
    size_t limit = length > 40 ? 40 : length;
    while (limit < length && limit > 0 && ((unsigned char)text[limit] & 0xC0) == 0x80)
        limit--;
    size_t used = 0;
    for (size_t i = 0; i < limit; i++) {
        unsigned char byte = (unsigned char)text[i];
        out[used++] = (byte < 0x20 || byte == 0x7F) ? '?' : (char)byte;
    }
    if (limit < length) {
        memcpy(out + used, "...", 3);
        used += 3;
    }
    out[used] = '\0';
    return out;
}

static const char *shown(const struct reader *reader, size_t node, char out[64])
{
    return shown_text(scalar_text(reader, node), reader->nodes[node].length, out);
}

/* What a node is, for "expected X, found Y". */
static const char *describe_found(const struct reader *reader, size_t node, char out[80])
{
    const struct tree_node *found = &reader->nodes[node];
    char text[64];
    if (found->kind == TREE_LIST)
        return "a list";
    if (found->kind == TREE_MAPPING)
        return "a mapping";
    if (scalar_is_nothing(reader, node))
        return "nothing";
    if (found->plain)
        snprintf(out, 80, "'%s'", shown(reader, node, text));
    else
        snprintf(out, 80, "\"%s\" in quotes", shown(reader, node, text));
    return out;
}

static bool fail_expected(struct reader *reader, size_t node, const char *what, const char *key)
{
    char found[80];
    return fail_at_node(reader, node, "expected %s for '%s', found %s", what, key,
                        describe_found(reader, node, found));
}

static bool fail_expected_item(struct reader *reader, size_t node, const char *what,
                               const char *list)
{
    char found[80];
    return fail_at_node(reader, node, "expected %s for each item of '%s', found %s", what, list,
                        describe_found(reader, node, found));
}

static bool expect_kind(struct reader *reader, size_t node, enum tree_kind kind, const char *key)
{
    if (reader->nodes[node].kind == kind)
        return true;
    return fail_expected(reader, node, kind == TREE_LIST ? "a list" : "a mapping", key);
}

/* Free text: one line, no control characters, at most `maximum` characters
 * (a TEXT_MAXIMUM_ limit). `owner` is the code of the aim, objective,
 * deliverable or metric it belongs to, when known, for the message ("the
 * title of '1.2' is 612 characters long; at most 500"). */
static bool read_text(struct reader *reader, size_t node, const char *key, bool may_be_empty,
                      size_t maximum, const char *owner, char **out)
{
    const struct tree_node *scalar = &reader->nodes[node];
    if (scalar->kind != TREE_SCALAR || scalar_is_nothing(reader, node))
        return fail_expected(reader, node, "text", key);
    const char *text = scalar_text(reader, node);
    if (scalar->length == 0 && !may_be_empty)
        return fail_at_node(reader, node, "'%s' is empty", key);
    if (memchr(text, '\n', scalar->length) || memchr(text, '\r', scalar->length))
        return fail_at_node(reader, node, "'%s' contains a line break; write it on one line",
                            key);
    if (memchr(text, '\0', scalar->length) || !text_is_clean(text, false))
        return fail_at_node(reader, node, "'%s' contains a control character", key);
    size_t characters;
    if (!text_within_limit(text, scalar->length, maximum, &characters)) {
        if (owner)
            return fail_at_node(reader, node, "the %s of '%s' is %zu characters long; at most %zu",
                                key, owner, characters, maximum);
        return fail_at_node(reader, node, "'%s' is %zu characters long; at most %zu", key,
                            characters, maximum);
    }
    *out = xstrndup(text, scalar->length);
    return true;
}

static bool is_code_character(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_';
}

/* Codes may be plain or quoted: `code: 1` is the code "1". */
static bool read_code(struct reader *reader, size_t node, const char *key, char **out)
{
    const struct tree_node *scalar = &reader->nodes[node];
    char text[64];
    if (scalar->kind != TREE_SCALAR || scalar_is_nothing(reader, node))
        return fail_expected(reader, node, "a code", key);
    if (scalar->length == 0)
        return fail_at_node(reader, node, "'%s' is empty", key);
    if (scalar->length > TEXT_MAXIMUM_CODE)
        return fail_at_node(reader, node, "code '%s' is longer than %d characters",
                            shown(reader, node, text), TEXT_MAXIMUM_CODE);
    const char *code = scalar_text(reader, node);
    for (size_t i = 0; i < scalar->length; i++)
        if (!is_code_character(code[i]))
            return fail_at_node(reader, node,
                                "code '%s' may hold only letters, digits, '.', '-' and '_'",
                                shown(reader, node, text));
    *out = xstrndup(code, scalar->length);
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Decimal numbers only: no hex, no nan or inf, no YAML 1.1 oddities. */
static bool looks_like_number(const char *text)
{
    const char *at = text;
    size_t digits = 0;
    if (*at == '+' || *at == '-')
        at++;
    for (; is_digit(*at); at++)
        digits++;
    if (*at == '.')
        for (at++; is_digit(*at); at++)
            digits++;
    if (!digits)
        return false;
    if (*at == 'e' || *at == 'E') {
        at++;
        if (*at == '+' || *at == '-')
            at++;
        if (!is_digit(*at))
            return false;
        while (is_digit(*at))
            at++;
    }
    return *at == '\0';
}

static bool read_number(struct reader *reader, size_t node, const char *key, double *out)
{
    const struct tree_node *scalar = &reader->nodes[node];
    if (scalar->kind != TREE_SCALAR || !scalar->plain || scalar_is_nothing(reader, node) ||
        strlen(scalar_text(reader, node)) != scalar->length ||
        !looks_like_number(scalar_text(reader, node)))
        return fail_expected(reader, node, "a number", key);
    double value = strtod(scalar_text(reader, node), NULL);
    if (!isfinite(value)) {
        char text[64];
        return fail_at_node(reader, node, "'%s' is too large for a number",
                            shown(reader, node, text));
    }
    *out = value;
    return true;
}

static bool read_whole_number(struct reader *reader, size_t node, const char *key, int minimum,
                              int maximum, int *out)
{
    double value;
    if (!read_number(reader, node, key, &value))
        return false;
    if (value != floor(value) || value < minimum || value > maximum) {
        char text[64];
        return fail_at_node(reader, node,
                            "expected a whole number from %d to %d for '%s', found %s", minimum,
                            maximum, key, shown(reader, node, text));
    }
    *out = (int)value;
    return true;
}

static bool read_boolean(struct reader *reader, size_t node, const char *key, bool *out)
{
    const struct tree_node *scalar = &reader->nodes[node];
    if (scalar->kind == TREE_SCALAR && scalar->plain && scalar_equals(reader, node, "true"))
        *out = true;
    else if (scalar->kind == TREE_SCALAR && scalar->plain && scalar_equals(reader, node, "false"))
        *out = false;
    else
        return fail_expected(reader, node, "true or false", key);
    return true;
}

static bool read_period(struct reader *reader, size_t node, const char *key, yearmonth *out)
{
    const struct tree_node *scalar = &reader->nodes[node];
    if (scalar->kind != TREE_SCALAR || scalar_is_nothing(reader, node))
        return fail_expected(reader, node, "a month (YYYY-MM)", key);
    if (strlen(scalar_text(reader, node)) != scalar->length ||
        !yearmonth_parse(scalar_text(reader, node), out)) {
        char text[64];
        return fail_at_node(reader, node, "'%s' is not a month; write YYYY-MM",
                            shown(reader, node, text));
    }
    return true;
}

/* "YYYY-MM-DDTHH:MM:SSZ", the form audit rows use. */
static bool read_timestamp(struct reader *reader, size_t node, const char *key, char **out)
{
    const struct tree_node *scalar = &reader->nodes[node];
    if (scalar->kind != TREE_SCALAR || scalar_is_nothing(reader, node))
        return fail_expected(reader, node, "a time (YYYY-MM-DDTHH:MM:SSZ)", key);
    const char *text = scalar_text(reader, node);
    enum timestamp_check check =
        scalar->length == 20 ? timestamp_check(text) : TIMESTAMP_MALFORMED;
    char shown_value[64];
    if (check == TIMESTAMP_MALFORMED)
        return fail_at_node(reader, node, "'%s' is not a time; write YYYY-MM-DDTHH:MM:SSZ",
                            shown(reader, node, shown_value));
    if (check == TIMESTAMP_NO_SUCH_DAY)
        return fail_at_node(reader, node, "'%s' is not a date on the calendar: %.7s has %d days",
                            shown(reader, node, shown_value), text,
                            days_in_month(atoi(text), atoi(text + 5)));
    *out = xstrndup(text, scalar->length);
    return true;
}

/* A word from a fixed set (unit, direction, status); `parse` says whether
 * it is one, `choices` lists them for the message. */
static bool read_choice(struct reader *reader, size_t node, const char *key, const char *choices,
                        bool (*parse)(struct reader *, const char *, void *), void *out)
{
    const struct tree_node *scalar = &reader->nodes[node];
    char text[64];
    if (scalar->kind != TREE_SCALAR || scalar_is_nothing(reader, node))
        return fail_expected(reader, node, choices, key);
    if (strlen(scalar_text(reader, node)) != scalar->length ||
        !parse(reader, scalar_text(reader, node), out))
        return fail_at_node(reader, node, "unknown %s '%s'; expected %s", key,
                            shown(reader, node, text), choices);
    return true;
}

static bool parse_unit(struct reader *reader, const char *text, void *out)
{
    (void)reader;
    return unit_parse(text, out);
}

static bool parse_direction(struct reader *reader, const char *text, void *out)
{
    (void)reader;
    return direction_parse(text, out);
}

static bool parse_status(struct reader *reader, const char *text, void *out)
{
    (void)reader;
    return milestone_status_parse(text, out);
}

static const char unit_choices[] = "percent, count, number, days or ratio";
static const char direction_choices[] = "up or down";
static const char status_choices[] = "not_started, on_track, at_risk, off_track or complete";

static bool parse_conflict(struct reader *reader, const char *text, void *out)
{
    (void)reader;
    return spc_conflict_parse(text, out);
}
static const char conflict_choices[] = "improvement or concern";

/* ---- Mappings: keys in order, each known and once -------------------- */

struct key_walk {
    size_t mapping;
    size_t next;              /* the next key's node */
    const char *context;      /* "aim", for messages */
    const char *keys[MAXIMUM_KEYS + 1]; /* the keys this mapping may hold, NULL-terminated */
    unsigned long seen;       /* one bit per key */
    unsigned first_line[MAXIMUM_KEYS];
    bool failed;
};

static void walk_begin(struct key_walk *walk, size_t mapping, const char *context,
                       const char *const *keys)
{
    memset(walk, 0, sizeof *walk);
    walk->mapping = mapping;
    walk->next = mapping + 1;
    walk->context = context;
    for (size_t i = 0; keys[i]; i++)
        walk->keys[i] = keys[i];
}

/* "code, title, lead or objectives" */
static void list_words(const char *const *words, char *out, size_t size)
{
    size_t count = 0, used = 0;
    while (words[count])
        count++;
    out[0] = '\0';
    for (size_t i = 0; i < count && used < size; i++) {
        const char *separator = i == 0 ? "" : i + 1 == count ? " or " : ", ";
        int written = snprintf(out + used, size - used, "%s%s", separator, words[i]);
        if (written < 0)
            break;
        used += (size_t)written;
    }
}

static bool fail_unknown_key(struct reader *reader, size_t key, const char *context,
                             const char *const *keys)
{
    char text[64];
    shown(reader, key, text);
    const char *closest = NULL;
    size_t closest_distance = 3;
    for (size_t i = 0; reader->nodes[key].length <= MAXIMUM_KEY_LENGTH && keys[i]; i++) {
        size_t distance = edit_distance(scalar_text(reader, key), keys[i]);
        if (distance < closest_distance && distance < reader->nodes[key].length) {
            closest = keys[i];
            closest_distance = distance;
        }
    }
    if (closest)
        return fail_at_node(reader, key, "unknown key '%s' %s; did you mean '%s'?", text, context,
                            closest);
    char expected[300];
    list_words(keys, expected, sizeof expected);
    return fail_at_node(reader, key, "unknown key '%s' %s; expected %s", text, context, expected);
}

static int find_word(const struct reader *reader, size_t node, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (scalar_equals(reader, node, words[i]))
            return i;
    return -1;
}

/* The next key/value pair of the mapping; false at the end, or with the
 * error set (walk->failed) for an unknown or repeated key. */
static bool walk_next(struct reader *reader, struct key_walk *walk, int *key, size_t *value)
{
    if (walk->next >= reader->nodes[walk->mapping].end)
        return false;
    size_t key_node = walk->next;
    size_t value_node = reader->nodes[key_node].end;
    walk->next = reader->nodes[value_node].end;
    int found = find_word(reader, key_node, walk->keys);
    walk->failed = true;
    if (found < 0)
        return fail_unknown_key(reader, key_node, walk->context, walk->keys);
    if (walk->seen & (1UL << found)) {
        char text[64];
        return fail_at_node(reader, key_node, "duplicate key '%s' %s; the first is at line %u",
                            shown(reader, key_node, text), walk->context,
                            walk->first_line[found]);
    }
    walk->failed = false;
    walk->seen |= 1UL << found;
    walk->first_line[found] = reader->nodes[key_node].line;
    *key = found;
    *value = value_node;
    return true;
}

static bool walk_has(const struct key_walk *walk, int key)
{
    return (walk->seen >> key) & 1;
}

/* Reports the first required key missing, at the mapping; `code` names the
 * thing when it is known ("missing key 'title' in aim '1'"). */
static bool walk_require(struct reader *reader, const struct key_walk *walk,
                         unsigned long required, const char *code)
{
    for (int i = 0; walk->keys[i]; i++) {
        if (((required >> i) & 1) && !walk_has(walk, i)) {
            if (code)
                return fail_at_node(reader, walk->mapping, "missing key '%s' %s '%s'",
                                    walk->keys[i], walk->context, code);
            return fail_at_node(reader, walk->mapping, "missing key '%s' %s", walk->keys[i],
                                walk->context);
        }
    }
    return true;
}

#define KEY(k) (1UL << (k))

/* ---- Mappings read by a table ------------------------------------------ */

/* The board mapping, its values, milestones, spc settings and the items of
 * readings, milestone_updates and commentary are read by tables of fields
 * (board_fields, spc_fields, ...). To add a key to one of them, add its name
 * to the enum beside the table and a row: a FIELD_ kind and the member it
 * fills, or FIELD_OTHER and a function that reads the value into the record
 * (read_rebase, read_milestone_status). read_fields does the rest: unknown,
 * repeated and missing keys, each reported at its own line and column. */

static struct source_location location_of(const struct reader *reader, size_t node)
{
    struct source_location where = {reader->nodes[node].line, reader->nodes[node].column};
    return where;
}

/* How one key's value is read into its member of a record. */
enum field_kind {
    FIELD_CODE,          /* char *, a code */
    FIELD_TEXT,          /* char *, text that may not be empty, at most `maximum` characters */
    FIELD_TEXT_OR_EMPTY, /* char *, text that may be empty, at most `maximum` characters */
    FIELD_PERIOD,        /* yearmonth */
    FIELD_NUMBER,        /* double */
    FIELD_WHOLE_NUMBER,  /* int, from `minimum` to `maximum` */
    FIELD_TIMESTAMP,     /* char *, YYYY-MM-DDTHH:MM:SSZ */
    FIELD_BOOLEAN,       /* bool */
    FIELD_STATUS,        /* enum milestone_status */
    FIELD_CONFLICT,      /* enum spc_conflict: improvement or concern */
    FIELD_OTHER,         /* `read` does the work */
};

/* Where a value that refers to the board was written, as an offset into
 * struct reference_spots plus one (0: not noted). */
#define SPOT(member) (offsetof(struct reference_spots, member) + 1)

/* One key a mapping may hold; a table of them ends with a NULL key and its
 * order is the order of the keys in messages ("expected code, title or ..."). */
struct field {
    const char *key;
    enum field_kind kind;
    size_t member; /* offsetof the member it fills in the record */
    bool required;
    size_t spot;   /* SPOT(...) or 0 */
    int minimum, maximum; /* a whole number's range; text's most characters */
    bool (*read)(struct reader *reader, size_t value, void *record); /* FIELD_OTHER */
};

static bool read_field(struct reader *reader, const struct field *field, size_t value,
                       void *record)
{
    void *member = (char *)record + field->member;
    switch (field->kind) {
    case FIELD_CODE:
        return read_code(reader, value, field->key, member);
    case FIELD_TEXT:
        return read_text(reader, value, field->key, false, (size_t)field->maximum, NULL, member);
    case FIELD_TEXT_OR_EMPTY:
        return read_text(reader, value, field->key, true, (size_t)field->maximum, NULL, member);
    case FIELD_PERIOD:
        return read_period(reader, value, field->key, member);
    case FIELD_NUMBER:
        return read_number(reader, value, field->key, member);
    case FIELD_WHOLE_NUMBER:
        return read_whole_number(reader, value, field->key, field->minimum, field->maximum,
                                 member);
    case FIELD_TIMESTAMP:
        return read_timestamp(reader, value, field->key, member);
    case FIELD_BOOLEAN:
        return read_boolean(reader, value, field->key, member);
    case FIELD_STATUS:
        return read_choice(reader, value, field->key, status_choices, parse_status, member);
    case FIELD_CONFLICT:
        return read_choice(reader, value, field->key, conflict_choices, parse_conflict, member);
    case FIELD_OTHER:
        break;
    }
    return field->read(reader, value, record);
}

/* Reads the keys of `mapping` into `record` as `fields` says, noting in
 * `spots` (if any) where the values that refer to the board were written,
 * and reports the first required key missing. `walk` is left for the
 * caller's own checks. */
static bool read_fields(struct reader *reader, size_t mapping, const char *context,
                        const struct field *fields, void *record,
                        struct reference_spots *spots, struct key_walk *walk)
{
    const char *keys[MAXIMUM_KEYS + 1] = {NULL};
    unsigned long required = 0;
    for (int i = 0; fields[i].key; i++) {
        keys[i] = fields[i].key;
        required |= fields[i].required ? KEY(i) : 0;
    }
    walk_begin(walk, mapping, context, keys);
    int key;
    size_t value;
    while (walk_next(reader, walk, &key, &value)) {
        if (spots && fields[key].spot)
            *(struct source_location *)((char *)spots + fields[key].spot - 1) =
                location_of(reader, value);
        if (!read_field(reader, &fields[key], value, record))
            return false;
    }
    return !walk->failed && walk_require(reader, walk, required, NULL);
}

/* ---- Code maps ----------------------------------------------------------- */

static uint64_t hash_bytes(uint64_t hash, const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        hash ^= (unsigned char)text[i];
        hash *= 1099511628211ULL;
    }
    return hash;
}

static const uint64_t hash_start = 14695981039346656037ULL;

static struct code_entry *code_map_find(const struct code_map *map, const char *code)
{
    if (!map->capacity)
        return NULL;
    size_t mask = map->capacity - 1;
    for (size_t slot = hash_bytes(hash_start, code, strlen(code)) & mask;;
         slot = (slot + 1) & mask) {
        struct code_entry *entry = &map->entries[slot];
        if (!entry->code)
            return NULL;
        if (strcmp(entry->code, code) == 0)
            return entry;
    }
}

static void code_map_insert(struct code_entry *entries, size_t capacity, struct code_entry entry)
{
    size_t mask = capacity - 1;
    size_t slot = hash_bytes(hash_start, entry.code, strlen(entry.code)) & mask;
    while (entries[slot].code)
        slot = (slot + 1) & mask;
    entries[slot] = entry;
}

static void code_map_add(struct code_map *map, const char *code, size_t node, size_t metric,
                         unsigned line)
{
    if ((map->count + 1) * 2 > map->capacity) {
        size_t capacity = map->capacity ? map->capacity * 2 : 64;
        struct code_entry *entries = xcalloc(capacity, sizeof *entries);
        for (size_t i = 0; i < map->capacity; i++)
            if (map->entries[i].code)
                code_map_insert(entries, capacity, map->entries[i]);
        free(map->entries);
        map->entries = entries;
        map->capacity = capacity;
    }
    struct code_entry entry = {xstrdup(code), node, metric, line};
    code_map_insert(map->entries, map->capacity, entry);
    map->count++;
}

static void code_map_free(struct code_map *map)
{
    for (size_t i = 0; i < map->capacity; i++)
        free(map->entries[i].code);
    free(map->entries);
}

static uint64_t hash_reading(const struct reading *reading)
{
    uint64_t hash = hash_bytes(hash_start, reading->metric_code, strlen(reading->metric_code) + 1);
    if (reading->segment)
        hash = hash_bytes(hash, reading->segment, strlen(reading->segment) + 1);
    return hash_bytes(hash, (const char *)&reading->period, sizeof reading->period);
}

static bool same_series_and_period(const struct reading *a, const struct reading *b)
{
    if (a->period != b->period || strcmp(a->metric_code, b->metric_code) != 0)
        return false;
    if (!a->segment || !b->segment)
        return a->segment == b->segment;
    return strcmp(a->segment, b->segment) == 0;
}

static void reading_set_insert(size_t *slots, size_t capacity, const struct reading *readings,
                               size_t index)
{
    size_t mask = capacity - 1;
    size_t slot = hash_reading(&readings[index]) & mask;
    while (slots[slot])
        slot = (slot + 1) & mask;
    slots[slot] = index + 1;
}

/* Adds reading `index`; returns the index of an earlier reading for the same
 * metric, segment and period, or (size_t)-1 if it is the first. */
static size_t reading_set_add(struct reading_set *set, const struct reading *readings, size_t index)
{
    if (set->capacity) {
        size_t mask = set->capacity - 1;
        for (size_t slot = hash_reading(&readings[index]) & mask; set->slots[slot];
             slot = (slot + 1) & mask)
            if (same_series_and_period(&readings[set->slots[slot] - 1], &readings[index]))
                return set->slots[slot] - 1;
    }
    if ((set->count + 1) * 2 > set->capacity) {
        size_t capacity = set->capacity ? set->capacity * 2 : 256;
        size_t *slots = xcalloc(capacity, sizeof *slots);
        for (size_t i = 0; i < set->capacity; i++)
            if (set->slots[i])
                reading_set_insert(slots, capacity, readings, set->slots[i] - 1);
        free(set->slots);
        set->slots = slots;
        set->capacity = capacity;
    }
    reading_set_insert(set->slots, set->capacity, readings, index);
    set->count++;
    return (size_t)-1;
}

/* ---- Growing the board's arrays ---------------------------------------- */

static void *grow(void *array, size_t *capacity, size_t needed, size_t item_size)
{
    grow_array(&array, capacity, needed, item_size);
    return array;
}

/* Adds one zeroed item at the end of an array of `*count` items and counts
 * it; returns the array, which may have moved. */
static void *grow_by_one(void *array, size_t *capacity, size_t *count, size_t item_size)
{
    array = grow(array, capacity, *count + 1, item_size);
    memset((char *)array + *count * item_size, 0, item_size);
    (*count)++;
    return array;
}

/* ---- The board mapping --------------------------------------------------- */

enum { VALUE_NAME, VALUE_TEXT };
static const struct field value_fields[] = {
    [VALUE_NAME] = {"name", FIELD_TEXT, offsetof(struct board_value, name), .required = true,
                    .maximum = TEXT_MAXIMUM_TITLE},
    [VALUE_TEXT] = {"text", FIELD_TEXT_OR_EMPTY, offsetof(struct board_value, text),
                    .maximum = TEXT_MAXIMUM_STATEMENT},
    {NULL},
};

static bool read_board_values(struct reader *reader, size_t list, void *record)
{
    struct board *board = record;
    if (!expect_kind(reader, list, TREE_LIST, "values"))
        return false;
    for (size_t item = list + 1; item < reader->nodes[list].end; item = reader->nodes[item].end) {
        if (reader->nodes[item].kind != TREE_MAPPING)
            return fail_expected_item(reader, item, "a mapping", "values");
        board->values = grow_by_one(board->values, &reader->value_capacity, &board->value_count,
                                    sizeof *board->values);
        struct board_value *value = &board->values[board->value_count - 1];
        struct key_walk walk;
        if (!read_fields(reader, item, "in a board value", value_fields, value, NULL, &walk))
            return false;
    }
    return true;
}

/* Checked like any text; the model has nowhere to keep it. */
static bool read_source(struct reader *reader, size_t value, void *record)
{
    (void)record;
    char *source = NULL;
    bool ok = read_text(reader, value, "source", true, TEXT_MAXIMUM_STATEMENT, NULL, &source);
    free(source);
    return ok;
}

/* board.spc: only the settings that make sense for a whole board. */
static const struct field board_spc_fields[] = {
    [0] = {"conflict", FIELD_CONFLICT, offsetof(struct board, spc_conflict)},
    {NULL},
};

static bool read_board_spc(struct reader *reader, size_t value, void *record)
{
    struct key_walk walk;
    return expect_kind(reader, value, TREE_MAPPING, "spc") &&
           read_fields(reader, value, "in board spc", board_spc_fields, record, NULL, &walk);
}

enum { BOARD_CODE, BOARD_TITLE, BOARD_PERIOD, BOARD_PURPOSE, BOARD_VISION, BOARD_VALUES,
       BOARD_SOURCE, BOARD_SAMPLE, BOARD_SPC };
static const struct field board_fields[] = {
    [BOARD_CODE] = {"code", FIELD_CODE, offsetof(struct board, code), .required = true},
    [BOARD_TITLE] = {"title", FIELD_TEXT, offsetof(struct board, title),
                     .maximum = TEXT_MAXIMUM_TITLE},
    [BOARD_PERIOD] = {"period", FIELD_TEXT, offsetof(struct board, reporting_period),
                      .maximum = TEXT_MAXIMUM_LABEL},
    [BOARD_PURPOSE] = {"purpose", FIELD_TEXT_OR_EMPTY, offsetof(struct board, purpose),
                       .maximum = TEXT_MAXIMUM_STATEMENT},
    [BOARD_VISION] = {"vision", FIELD_TEXT_OR_EMPTY, offsetof(struct board, vision),
                      .maximum = TEXT_MAXIMUM_STATEMENT},
    [BOARD_VALUES] = {"values", FIELD_OTHER, .read = read_board_values},
    [BOARD_SOURCE] = {"source", FIELD_OTHER, .read = read_source},
    [BOARD_SAMPLE] = {"sample", FIELD_BOOLEAN, offsetof(struct board, sample)},
    [BOARD_SPC] = {"spc", FIELD_OTHER, .read = read_board_spc},
    {NULL},
};

static bool read_board(struct reader *reader, size_t mapping)
{
    struct board *board = reader->board;
    board->where = location_of(reader, mapping);
    struct key_walk walk;
    if (!read_fields(reader, mapping, "in board", board_fields, board, NULL, &walk))
        return false;
    reader->board_has_structure = walk.seen & ~(KEY(BOARD_CODE) | KEY(BOARD_SAMPLE));
    if ((reader->board_has_structure || reader->section_seen[SECTION_AIMS]) &&
        !walk_require(reader, &walk, KEY(BOARD_TITLE), NULL))
        return false;
    return true;
}

/* ---- Aims, objectives, deliverables ------------------------------------ */

static size_t add_node(struct reader *reader, enum level level, size_t parent, size_t mapping)
{
    struct board *board = reader->board;
    board->nodes = grow_by_one(board->nodes, &reader->node_array_capacity, &board->node_count,
                               sizeof *board->nodes);
    size_t index = board->node_count - 1;
    struct node *node = &board->nodes[index];
    node->level = level;
    node->parent = parent;
    node->depth = (size_t)level;
    node->subtree_end = index + 1;
    node->where = location_of(reader, mapping);
    return index;
}

/* Every code of aims, objectives, deliverables and listed metrics is unique
 * in the board (a single metric shares its deliverable's code). */
static bool check_code_is_new(struct reader *reader, size_t code_node, const char *code)
{
    const struct code_entry *earlier = code_map_find(&reader->node_codes, code);
    if (!earlier)
        earlier = code_map_find(&reader->metric_codes, code);
    if (earlier)
        return fail_at_node(reader, code_node, "code '%s' is used twice; the first is at line %u",
                            code, earlier->line);
    return true;
}

/* A node's or a listed metric's `code:`, new in the board, into `map`. */
static bool read_new_code(struct reader *reader, size_t value, struct code_map *map,
                          size_t node_index, size_t metric_index, char **out)
{
    char *code = NULL;
    if (!read_code(reader, value, "code", &code))
        return false;
    if (!check_code_is_new(reader, value, code)) {
        free(code);
        return false;
    }
    code_map_add(map, code, node_index, metric_index, reader->nodes[value].line);
    *out = code;
    return true;
}

static bool read_node_code(struct reader *reader, size_t value, size_t index)
{
    return read_new_code(reader, value, &reader->node_codes, index, 0,
                         &reader->board->nodes[index].code);
}

/* Values of a metric that must suit its unit, checked once the unit is
 * known (the unit may come after the baseline in the mapping). */
struct unit_check {
    size_t node;
    double value;
};

struct unit_checks {
    struct unit_check *pending;
    size_t count, capacity;
    bool unit_known;
    enum unit unit;
};

static bool check_in_unit(struct reader *reader, struct unit_checks *checks, size_t node,
                          double value)
{
    if (!checks->unit_known) {
        checks->pending = grow(checks->pending, &checks->capacity, checks->count + 1,
                               sizeof *checks->pending);
        checks->pending[checks->count++] = (struct unit_check){node, value};
        return true;
    }
    const char *why;
    if (!unit_accepts(checks->unit, value, &why))
        return fail_at_node(reader, node, "%s (the metric is measured in %s)", why,
                            unit_name(checks->unit));
    return true;
}

static bool unit_now_known(struct reader *reader, struct unit_checks *checks, enum unit unit)
{
    checks->unit_known = true;
    checks->unit = unit;
    for (size_t i = 0; i < checks->count; i++)
        if (!check_in_unit(reader, checks, checks->pending[i].node, checks->pending[i].value))
            return false;
    return true;
}

enum { POINT_VALUE, POINT_PERIOD };
static const char *const point_keys[] = {"value", "period", NULL};

/* baseline: {value, period} (both required); target: period optional. */
static bool read_point(struct reader *reader, size_t mapping, const char *name, bool needs_period,
                       struct unit_checks *checks, double *value, yearmonth *period)
{
    if (!expect_kind(reader, mapping, TREE_MAPPING, name))
        return false;
    char context[32];
    snprintf(context, sizeof context, "in %s", name);
    struct key_walk walk;
    walk_begin(&walk, mapping, context, point_keys);
    int key;
    size_t field;
    while (walk_next(reader, &walk, &key, &field)) {
        bool ok = key == POINT_VALUE
                      ? read_number(reader, field, "value", value) &&
                            check_in_unit(reader, checks, field, *value)
                      : read_period(reader, field, "period", period);
        if (!ok)
            return false;
    }
    return !walk.failed &&
           walk_require(reader, &walk, KEY(POINT_VALUE) | (needs_period ? KEY(POINT_PERIOD) : 0),
                        NULL);
}

static int compare_points(const void *left, const void *right)
{
    const struct trajectory_point *a = left, *b = right;
    return (a->period > b->period) - (a->period < b->period);
}

static bool read_trajectory(struct reader *reader, size_t mapping, struct metric *metric,
                            struct unit_checks *checks)
{
    if (!expect_kind(reader, mapping, TREE_MAPPING, "trajectory"))
        return false;
    size_t count = reader->nodes[mapping].child_count / 2;
    if (count > MAXIMUM_TRAJECTORY_POINTS)
        return fail_at_node(reader, mapping, "'trajectory' has more than %d points",
                            MAXIMUM_TRAJECTORY_POINTS);
    metric->trajectory = xcalloc(count, sizeof *metric->trajectory);
    unsigned lines[MAXIMUM_TRAJECTORY_POINTS];
    for (size_t key = mapping + 1; key < reader->nodes[mapping].end;) {
        size_t value = reader->nodes[key].end;
        struct trajectory_point *point = &metric->trajectory[metric->trajectory_count];
        if (!read_period(reader, key, "trajectory", &point->period))
            return false;
        for (size_t i = 0; i < metric->trajectory_count; i++) {
            if (metric->trajectory[i].period == point->period) {
                char text[64];
                return fail_at_node(reader, key,
                                    "duplicate key '%s' in trajectory; the first is at line %u",
                                    shown(reader, key, text), lines[i]);
            }
        }
        char label[16];
        yearmonth_format(point->period, label);
        if (!read_number(reader, value, label, &point->value) ||
            !check_in_unit(reader, checks, value, point->value))
            return false;
        lines[metric->trajectory_count++] = reader->nodes[key].line;
        key = reader->nodes[value].end;
    }
    qsort(metric->trajectory, metric->trajectory_count, sizeof *metric->trajectory,
          compare_points);
    return true;
}

static int compare_periods(const void *left, const void *right)
{
    const int *a = left, *b = right;
    return (*a > *b) - (*a < *b);
}

static bool read_rebase(struct reader *reader, size_t list, void *record)
{
    struct spc_settings *spc = record;
    if (!expect_kind(reader, list, TREE_LIST, "rebase"))
        return false;
    for (size_t item = list + 1; item < reader->nodes[list].end; item = reader->nodes[item].end) {
        if (spc->rebase_count == SPC_MAX_REBASES)
            return fail_at_node(reader, item, "'rebase' lists more than %d periods",
                                SPC_MAX_REBASES);
        yearmonth period;
        if (!read_period(reader, item, "rebase", &period))
            return false;
        for (int i = 0; i < spc->rebase_count; i++) {
            if (spc->rebase_periods[i] == period) {
                char text[64];
                return fail_at_node(reader, item, "'%s' appears twice in 'rebase'",
                                    shown(reader, item, text));
            }
        }
        spc->rebase_periods[spc->rebase_count++] = period;
    }
    qsort(spc->rebase_periods, (size_t)spc->rebase_count, sizeof *spc->rebase_periods,
          compare_periods);
    return true;
}

/* Keys are added here and read by read_field, or by a function of their own
 * (FIELD_OTHER) like read_rebase. */
enum { SPC_MINIMUM_POINTS, SPC_SHIFT_LENGTH, SPC_TREND_LENGTH, SPC_SCREEN, SPC_REBASE,
       SPC_CONFLICT };
static const struct field spc_fields[] = {
    [SPC_MINIMUM_POINTS] = {"minimum_points", FIELD_WHOLE_NUMBER, offsetof(struct spc_settings, minimum_points),
     .minimum = 2, .maximum = MAXIMUM_SPC_LENGTH},
    [SPC_SHIFT_LENGTH] = {"shift_length", FIELD_WHOLE_NUMBER, offsetof(struct spc_settings, shift_length),
     .minimum = 2, .maximum = MAXIMUM_SPC_LENGTH},
    [SPC_TREND_LENGTH] = {"trend_length", FIELD_WHOLE_NUMBER, offsetof(struct spc_settings, trend_length),
     .minimum = 2, .maximum = MAXIMUM_SPC_LENGTH},
    [SPC_SCREEN] = {"screen_moving_ranges", FIELD_BOOLEAN,
                    offsetof(struct spc_settings, screen_moving_ranges)},
    [SPC_REBASE] = {"rebase", FIELD_OTHER, .read = read_rebase},
    [SPC_CONFLICT] = {"conflict", FIELD_CONFLICT, offsetof(struct spc_settings, conflict)},
    {NULL},
};

static bool read_spc(struct reader *reader, size_t mapping, struct spc_settings *spc)
{
    struct key_walk walk;
    return expect_kind(reader, mapping, TREE_MAPPING, "spc") &&
           read_fields(reader, mapping, "in spc", spc_fields, spc, NULL, &walk);
}

/* segments: [Barnet, Camden, ...]: at least one, each text within the
 * label limit, none twice. */
static bool read_segments(struct reader *reader, size_t list, struct metric *metric)
{
    if (!expect_kind(reader, list, TREE_LIST, "segments"))
        return false;
    size_t count = reader->nodes[list].child_count;
    if (count == 0)
        return fail_at_node(reader, list, "'segments' lists no segment; list at least one");
    if (count > MAXIMUM_SEGMENTS)
        return fail_at_node(reader, list, "'segments' lists more than %d segments",
                            MAXIMUM_SEGMENTS);
    metric->segments = xcalloc(count, sizeof *metric->segments);
    for (size_t item = list + 1; item < reader->nodes[list].end; item = reader->nodes[item].end) {
        char *name = NULL;
        if (!read_text(reader, item, "segment", false, TEXT_MAXIMUM_LABEL, NULL, &name))
            return false;
        for (size_t i = 0; i < metric->segment_count; i++) {
            if (strcmp(metric->segments[i], name) == 0) {
                char text[64];
                free(name);
                return fail_at_node(reader, item, "'%s' appears twice in 'segments'",
                                    shown(reader, item, text));
            }
        }
        metric->segments[metric->segment_count++] = name;
    }
    return true;
}

enum { METRIC_CODE, METRIC_NAME, METRIC_UNIT, METRIC_DIRECTION, METRIC_BASELINE, METRIC_TARGET,
       METRIC_TRAJECTORY, METRIC_TOLERANCE, METRIC_STALE_AFTER, METRIC_BREAKDOWN, METRIC_SEGMENTS,
       METRIC_SPC, METRIC_RETIRED };
static const char *const metric_keys[] = {"code",        "name",      "unit",     "direction",
                                          "baseline",    "target",    "trajectory", "tolerance",
                                          "stale_after", "breakdown", "segments", "spc",
                                          "retired",
                                          NULL};

/* The value of one key of a metric's mapping. */
static bool read_metric_field(struct reader *reader, int key, size_t value, size_t node_index,
                              size_t metric_index, bool single, struct unit_checks *checks)
{
    /* Looked up afresh each time, like NODE below: board.nodes moves as it grows. */
#define METRIC (&reader->board->nodes[node_index].metrics[metric_index])
    switch (key) {
    case METRIC_CODE:
        if (single)
            return fail_at_node(reader, value - 1,
                                "a single 'metric' takes its deliverable's code; use "
                                "'metrics' to give each metric a code");
        return read_new_code(reader, value, &reader->metric_codes, node_index, metric_index,
                             &METRIC->code);
    case METRIC_NAME:
        return read_text(reader, value, "name", false, TEXT_MAXIMUM_TITLE, METRIC->code,
                         &METRIC->name);
    case METRIC_UNIT:
        return read_choice(reader, value, "unit", unit_choices, parse_unit, &METRIC->unit) &&
               unit_now_known(reader, checks, METRIC->unit);
    case METRIC_DIRECTION:
        return read_choice(reader, value, "direction", direction_choices, parse_direction,
                           &METRIC->direction);
    case METRIC_BASELINE:
        METRIC->has_baseline = true;
        return read_point(reader, value, "baseline", true, checks, &METRIC->baseline,
                          &METRIC->baseline_period);
    case METRIC_TARGET:
        return read_point(reader, value, "target", false, checks, &METRIC->target,
                          &METRIC->target_period);
    case METRIC_TRAJECTORY:
        return read_trajectory(reader, value, METRIC, checks);
    case METRIC_TOLERANCE:
        METRIC->has_tolerance = true;
        if (!read_number(reader, value, "tolerance", &METRIC->tolerance))
            return false;
        if (METRIC->tolerance < 0)
            return fail_at_node(reader, value, "'tolerance' cannot be negative");
        return true;
    case METRIC_STALE_AFTER:
        return read_whole_number(reader, value, "stale_after", 1, MAXIMUM_STALE_MONTHS,
                                 &METRIC->stale_months);
    case METRIC_BREAKDOWN:
        return read_text(reader, value, "breakdown", false, TEXT_MAXIMUM_LABEL, METRIC->code,
                         &METRIC->breakdown);
    case METRIC_SEGMENTS:
        return read_segments(reader, value, METRIC);
    case METRIC_SPC:
        return read_spc(reader, value, &METRIC->spc);
    case METRIC_RETIRED:
        return read_period(reader, value, "retired", &METRIC->retired);
    }
    return true;
#undef METRIC
}

static bool read_metric_fields(struct reader *reader, size_t mapping, size_t node_index,
                               size_t metric_index, bool single, struct unit_checks *checks)
{
    struct key_walk walk;
    walk_begin(&walk, mapping, "in metric", metric_keys);
    int key;
    size_t value, segments_key = 0;
    while (walk_next(reader, &walk, &key, &value)) {
        if (key == METRIC_SEGMENTS)
            segments_key = value - 1;
        if (!read_metric_field(reader, key, value, node_index, metric_index, single, checks))
            return false;
    }
    if (walk.failed)
        return false;
    const struct metric *metric = &reader->board->nodes[node_index].metrics[metric_index];
    /* Segments divide a breakdown: without one they mean nothing. */
    if (walk_has(&walk, METRIC_SEGMENTS) && !metric->breakdown) {
        if (metric->code)
            return fail_at_node(reader, segments_key,
                                "metric '%s' has no breakdown, so it cannot list segments",
                                metric->code);
        return fail_at_node(reader, segments_key,
                            "this metric has no breakdown, so it cannot list segments");
    }
    unsigned long required = KEY(METRIC_NAME) | KEY(METRIC_UNIT) | KEY(METRIC_DIRECTION) |
                             KEY(METRIC_TARGET) | (single ? 0 : KEY(METRIC_CODE));
    return walk_require(reader, &walk, required,
                        reader->board->nodes[node_index].metrics[metric_index].code);
}

static bool read_metric(struct reader *reader, size_t mapping, size_t node_index,
                        size_t metric_index, bool single)
{
    struct metric *metric = &reader->board->nodes[node_index].metrics[metric_index];
    metric->spc = spc_default_settings();
    metric->where = location_of(reader, mapping);
    struct unit_checks checks = {0};
    bool ok = read_metric_fields(reader, mapping, node_index, metric_index, single, &checks);
    free(checks.pending);
    return ok;
}

/* The status in the tree is the milestone's first update, for no particular
 * month. */
static bool read_milestone_status(struct reader *reader, size_t value, void *record)
{
    struct milestone *milestone = record;
    enum milestone_status status;
    if (!read_choice(reader, value, "status", status_choices, parse_status, &status))
        return false;
    milestone->updates = xcalloc(1, sizeof *milestone->updates);
    milestone->update_count = 1;
    milestone->updates[0].status = status;
    milestone->updates[0].where = location_of(reader, value);
    return true;
}

enum { MILESTONE_DUE, MILESTONE_STATUS };
static const struct field milestone_fields[] = {
    [MILESTONE_DUE] = {"due", FIELD_PERIOD, offsetof(struct milestone, due), .required = true},
    [MILESTONE_STATUS] = {"status", FIELD_OTHER, .read = read_milestone_status},
    {NULL},
};

static bool read_milestone(struct reader *reader, size_t mapping, size_t node_index)
{
    struct node *node = &reader->board->nodes[node_index];
    node->has_milestone = true;
    struct key_walk walk;
    return read_fields(reader, mapping, "in milestone", milestone_fields, &node->milestone, NULL,
                       &walk);
}

/* Aims, objectives and deliverables all start with these keys (and may end
 * with `retired`). */
enum { HEADING_CODE, HEADING_TITLE, HEADING_LEAD };

static bool read_heading(struct reader *reader, int key, size_t value, size_t index)
{
    if (key == HEADING_CODE)
        return read_node_code(reader, value, index);
    struct node *node = &reader->board->nodes[index];
    if (key > HEADING_LEAD)
        return read_period(reader, value, "retired", &node->retired);
    return key == HEADING_TITLE
               ? read_text(reader, value, "title", false, TEXT_MAXIMUM_TITLE, node->code,
                           &node->title)
               : read_text(reader, value, "lead", false, TEXT_MAXIMUM_LEAD, node->code,
                           &node->lead);
}

enum { DELIVERABLE_CODE = HEADING_CODE, DELIVERABLE_TITLE = HEADING_TITLE,
       DELIVERABLE_LEAD = HEADING_LEAD, DELIVERABLE_METRIC, DELIVERABLE_METRICS,
       DELIVERABLE_MILESTONE, DELIVERABLE_RETIRED };
static const char *const deliverable_keys[] = {"code",   "title",     "lead",    "metric",
                                               "metrics", "milestone", "retired", NULL};

static bool read_deliverable(struct reader *reader, size_t mapping, size_t parent)
{
    size_t index = add_node(reader, LEVEL_DELIVERABLE, parent, mapping);
    /* Looked up afresh each time: board.nodes moves as later nodes are added. */
#define NODE (&reader->board->nodes[index])
    struct key_walk walk;
    walk_begin(&walk, mapping, "in deliverable", deliverable_keys);
    int key, measure = -1;
    size_t value, code_node = 0;
    while (walk_next(reader, &walk, &key, &value)) {
        bool ok = true;
        if (key >= DELIVERABLE_METRIC && key <= DELIVERABLE_MILESTONE && measure >= 0) {
            if (NODE->code)
                return fail_at_node(reader, value - 1,
                                    "deliverable '%s' already has '%s'; a deliverable has one of "
                                    "'metric', 'metrics' or 'milestone'",
                                    NODE->code, deliverable_keys[measure]);
            return fail_at_node(reader, value - 1,
                                "this deliverable already has '%s'; a deliverable has one of "
                                "'metric', 'metrics' or 'milestone'",
                                deliverable_keys[measure]);
        }
        switch (key) {
        case DELIVERABLE_CODE:
            code_node = value;
            ok = read_heading(reader, key, value, index);
            break;
        case DELIVERABLE_TITLE:
        case DELIVERABLE_LEAD:
        case DELIVERABLE_RETIRED:
            ok = read_heading(reader, key, value, index);
            break;
        case DELIVERABLE_METRIC:
            measure = key;
            if (!expect_kind(reader, value, TREE_MAPPING, "metric"))
                return false;
            NODE->metrics = xcalloc(1, sizeof *NODE->metrics);
            NODE->metric_count = 1;
            /* The code is known now if it came first, as it normally does. */
            NODE->metrics[0].code = xstrdup(NODE->code);
            ok = read_metric(reader, value, index, 0, true);
            break;
        case DELIVERABLE_METRICS: {
            measure = key;
            if (!expect_kind(reader, value, TREE_LIST, "metrics"))
                return false;
            size_t count = reader->nodes[value].child_count;
            if (count == 0)
                return fail_at_node(reader, value, "'metrics' lists no metric; list at least one");
            NODE->metrics = xcalloc(count, sizeof *NODE->metrics);
            for (size_t item = value + 1; ok && item < reader->nodes[value].end;
                 item = reader->nodes[item].end) {
                if (reader->nodes[item].kind != TREE_MAPPING)
                    return fail_expected_item(reader, item, "a mapping", "metrics");
                ok = read_metric(reader, item, index, NODE->metric_count++, false);
            }
            break;
        }
        case DELIVERABLE_MILESTONE:
            measure = key;
            ok = expect_kind(reader, value, TREE_MAPPING, "milestone") &&
                 read_milestone(reader, value, index);
            break;
        }
        if (!ok)
            return false;
    }
    if (walk.failed ||
        !walk_require(reader, &walk, KEY(DELIVERABLE_CODE) | KEY(DELIVERABLE_TITLE), NODE->code))
        return false;
    if (measure < 0)
        return fail_at_node(reader, mapping,
                            "deliverable '%s' needs one of 'metric', 'metrics' or 'milestone'",
                            NODE->code);
    if (measure == DELIVERABLE_METRIC) {
        if (!NODE->metrics[0].code)
            NODE->metrics[0].code = xstrdup(NODE->code);
        code_map_add(&reader->metric_codes, NODE->code, index, 0, reader->nodes[code_node].line);
    }
    /* A retired deliverable's metrics retire with it, unless retired before. */
    for (size_t m = 0; m < NODE->metric_count; m++)
        if (NODE->retired && (!NODE->metrics[m].retired || NODE->metrics[m].retired > NODE->retired))
            NODE->metrics[m].retired = NODE->retired;
    return true;
#undef NODE
}

/* Aims and objectives share these positions; the fourth key is the list of
 * children. */
enum { BRANCH_CODE = HEADING_CODE, BRANCH_TITLE = HEADING_TITLE, BRANCH_LEAD = HEADING_LEAD,
       BRANCH_CHILDREN, BRANCH_RETIRED };
static const char *const aim_keys[] = {"code", "title", "lead", "objectives", "retired", NULL};
static const char *const objective_keys[] = {"code", "title", "lead", "deliverables", "retired",
                                             NULL};

/* Aims and objectives have the same shape: code, title, lead and a list of
 * children of the next level. */
static bool read_branch(struct reader *reader, size_t mapping, enum level level, size_t parent)
{
    bool is_aim = level == LEVEL_AIM;
    const char *const *keys = is_aim ? aim_keys : objective_keys;
    const char *children = keys[BRANCH_CHILDREN];
    size_t index = add_node(reader, level, parent, mapping);
    /* Looked up afresh each time: board.nodes moves as children are added. */
#define NODE (&reader->board->nodes[index])
    struct key_walk walk;
    walk_begin(&walk, mapping, is_aim ? "in aim" : "in objective", keys);
    int key;
    size_t value;
    while (walk_next(reader, &walk, &key, &value)) {
        bool ok = true;
        switch (key) {
        case BRANCH_CODE:
        case BRANCH_TITLE:
        case BRANCH_LEAD:
        case BRANCH_RETIRED:
            ok = read_heading(reader, key, value, index);
            break;
        case BRANCH_CHILDREN:
            if (!expect_kind(reader, value, TREE_LIST, children))
                return false;
            for (size_t item = value + 1; ok && item < reader->nodes[value].end;
                 item = reader->nodes[item].end) {
                if (reader->nodes[item].kind != TREE_MAPPING)
                    return fail_expected_item(reader, item, "a mapping", children);
                ok = is_aim ? read_branch(reader, item, LEVEL_OBJECTIVE, index)
                            : read_deliverable(reader, item, index);
            }
            break;
        }
        if (!ok)
            return false;
    }
    if (walk.failed ||
        !walk_require(reader, &walk, KEY(BRANCH_CODE) | KEY(BRANCH_TITLE) | KEY(BRANCH_CHILDREN),
                      NODE->code))
        return false;
    NODE->subtree_end = reader->board->node_count;
    return true;
#undef NODE
}

static bool read_aims(struct reader *reader, size_t list)
{
    for (size_t item = list + 1; item < reader->nodes[list].end; item = reader->nodes[item].end) {
        if (reader->nodes[item].kind != TREE_MAPPING)
            return fail_expected_item(reader, item, "a mapping", "aims");
        if (!read_branch(reader, item, LEVEL_AIM, NODE_NONE))
            return false;
    }
    return true;
}

/* ---- Readings, milestone updates, commentary --------------------------- */

/* Who entered an item, when, and whether it is sample data: the last keys of
 * a reading, a milestone update and a comment alike. */
#define AUDIT_FIELDS(record)                                                              \
    {.key = "by", .kind = FIELD_TEXT, .member = offsetof(record, entered_by),             \
     .maximum = TEXT_MAXIMUM_LEAD},                                                       \
    {.key = "at", .kind = FIELD_TIMESTAMP, .member = offsetof(record, entered_at)},       \
    {.key = "sample", .kind = FIELD_BOOLEAN, .member = offsetof(record, sample)}

enum { READING_METRIC, READING_PERIOD, READING_VALUE, READING_SEGMENT, READING_NOTE };
static const struct field reading_fields[] = {
    [READING_METRIC] = {"metric", FIELD_CODE, offsetof(struct reading, metric_code),
                        .required = true, .spot = SPOT(code)},
    [READING_PERIOD] = {"period", FIELD_PERIOD, offsetof(struct reading, period),
                        .required = true},
    [READING_VALUE] = {"value", FIELD_NUMBER, offsetof(struct reading, value), .required = true,
                       .spot = SPOT(value)},
    [READING_SEGMENT] = {"segment", FIELD_TEXT, offsetof(struct reading, segment),
                         .spot = SPOT(segment), .maximum = TEXT_MAXIMUM_LABEL},
    [READING_NOTE] = {"note", FIELD_TEXT_OR_EMPTY, offsetof(struct reading, note),
                      .maximum = TEXT_MAXIMUM_NOTE},
    AUDIT_FIELDS(struct reading),
    {NULL},
};

/* Cross-references need the whole structure, which may come later in the
 * file; these report into `error` so the earliest of several can win. */
static bool check_reading_reference(struct reader *reader, size_t index, struct error *error)
{
    const struct reading *reading = &reader->board->readings[index];
    const struct reference_spots *spots = &reader->spots[SECTION_READINGS][index];
    const struct code_entry *entry = code_map_find(&reader->metric_codes, reading->metric_code);
    const char *why = NULL;
    if (!entry) {
        error_set_at(error, reader->file_name, spots->code.line, spots->code.column,
                     "board '%s' has no metric '%s'", reader->board->code,
                     reading->metric_code);
        return false;
    }
    const struct metric *metric = &reader->board->nodes[entry->node].metrics[entry->metric];
    if (!unit_accepts(metric->unit, reading->value, &why)) {
        error_set_at(error, reader->file_name, spots->value.line, spots->value.column,
                     "%s (metric '%s' is measured in %s)", why, metric->code,
                     unit_name(metric->unit));
        return false;
    }
    if (reading->segment && !metric->breakdown) {
        error_set_at(error, reader->file_name, spots->segment.line, spots->segment.column,
                     "metric '%s' has no breakdown, so its readings cannot have a segment",
                     metric->code);
        return false;
    }
    if (reading->segment &&
        !segments_include(metric->segments, metric->segment_count, reading->segment)) {
        char suggestion[600];
        segment_suggestion(metric->segments, metric->segment_count, reading->segment,
                           suggestion, sizeof suggestion);
        error_set_at(error, reader->file_name, spots->segment.line, spots->segment.column,
                     "no segment '%s' for %s; %s", reading->segment, metric->code, suggestion);
        return false;
    }
    return true;
}

static void *add_reading(struct board *board, size_t *capacity)
{
    board->readings = grow_by_one(board->readings, capacity, &board->reading_count,
                                  sizeof *board->readings);
    return &board->readings[board->reading_count - 1];
}

/* The duplicate check needs the whole reading: metric, segment and period. */
static bool check_reading_is_new(struct reader *reader, size_t mapping, size_t index)
{
    const struct board *board = reader->board;
    const struct reading *reading = &board->readings[index];
    size_t first = reading_set_add(&reader->readings_seen, board->readings, index);
    if (first == (size_t)-1)
        return true;
    char period[8];
    yearmonth_format(reading->period, period);
    if (reading->segment)
        return fail_at_node(reader, mapping,
                            "a reading for metric '%s', segment '%s', in %s appears twice; "
                            "the first is at line %u",
                            reading->metric_code, reading->segment, period,
                            board->readings[first].where.line);
    return fail_at_node(reader, mapping,
                        "a reading for metric '%s' in %s appears twice; the first is at "
                        "line %u",
                        reading->metric_code, period, board->readings[first].where.line);
}

enum { UPDATE_DELIVERABLE, UPDATE_PERIOD, UPDATE_STATUS, UPDATE_NOTE };
static const struct field update_fields[] = {
    [UPDATE_DELIVERABLE] = {"deliverable", FIELD_CODE, offsetof(struct milestone_update, node_code),
                            .required = true, .spot = SPOT(code)},
    [UPDATE_PERIOD] = {"period", FIELD_PERIOD, offsetof(struct milestone_update, period)},
    [UPDATE_STATUS] = {"status", FIELD_STATUS, offsetof(struct milestone_update, status),
                       .required = true},
    [UPDATE_NOTE] = {"note", FIELD_TEXT_OR_EMPTY, offsetof(struct milestone_update, note),
                     .maximum = TEXT_MAXIMUM_NOTE},
    AUDIT_FIELDS(struct milestone_update),
    {NULL},
};

static bool check_update_reference(struct reader *reader, size_t index, struct error *error)
{
    const struct milestone_update *update = &reader->board->milestone_updates[index];
    const struct source_location where = reader->spots[SECTION_MILESTONE_UPDATES][index].code;
    const struct code_entry *entry = code_map_find(&reader->node_codes, update->node_code);
    if (entry && reader->board->nodes[entry->node].has_milestone)
        return true;
    error_set_at(error, reader->file_name, where.line, where.column,
                 "board '%s' has no milestone '%s'", reader->board->code, update->node_code);
    return false;
}

static void *add_update(struct board *board, size_t *capacity)
{
    board->milestone_updates = grow_by_one(board->milestone_updates, capacity,
                                           &board->milestone_update_count,
                                           sizeof *board->milestone_updates);
    return &board->milestone_updates[board->milestone_update_count - 1];
}

enum { COMMENT_NODE, COMMENT_PERIOD, COMMENT_TEXT };
static const struct field comment_fields[] = {
    [COMMENT_NODE] = {"node", FIELD_CODE, offsetof(struct comment, node_code), .required = true,
                      .spot = SPOT(code)},
    [COMMENT_PERIOD] = {"period", FIELD_PERIOD, offsetof(struct comment, period)},
    [COMMENT_TEXT] = {"text", FIELD_TEXT, offsetof(struct comment, text), .required = true,
                      .maximum = TEXT_MAXIMUM_NOTE},
    AUDIT_FIELDS(struct comment),
    {NULL},
};

static bool check_comment_reference(struct reader *reader, size_t index, struct error *error)
{
    const struct comment *comment = &reader->board->comments[index];
    const struct source_location where = reader->spots[SECTION_COMMENTARY][index].code;
    if (code_map_find(&reader->node_codes, comment->node_code))
        return true;
    error_set_at(error, reader->file_name, where.line, where.column,
                 "board '%s' has no aim, objective or deliverable '%s'", reader->board->code,
                 comment->node_code);
    return false;
}

static void *add_comment(struct board *board, size_t *capacity)
{
    board->comments = grow_by_one(board->comments, capacity, &board->comment_count,
                                  sizeof *board->comments);
    return &board->comments[board->comment_count - 1];
}

/* The sections read item by item, each item a flat mapping read by a table;
 * the other sections' entries are empty. */
struct stream {
    const char *context; /* "in reading", for messages */
    const struct field *fields;
    /* Adds an empty record to the board, the array's capacity in `capacity`. */
    void *(*add)(struct board *board, size_t *capacity);
    size_t where; /* offsetof the record's where */
    /* Checks the item's references to the board, once codes are known. */
    bool (*check)(struct reader *reader, size_t index, struct error *error);
};
static const struct stream streams[SECTION_COUNT] = {
    [SECTION_READINGS] = {"in reading", reading_fields, add_reading,
                          offsetof(struct reading, where), check_reading_reference},
    [SECTION_MILESTONE_UPDATES] = {"in milestone update", update_fields, add_update,
                                   offsetof(struct milestone_update, where),
                                   check_update_reference},
    [SECTION_COMMENTARY] = {"in comment", comment_fields, add_comment,
                            offsetof(struct comment, where), check_comment_reference},
};

static bool earlier(struct source_location where, struct source_location best)
{
    return where.line < best.line || (where.line == best.line && where.column < best.column);
}

/* Once board and aims are both read, check every item read before them and
 * report the one nearest the top: the first bad item of each section. */
static bool check_earlier_references(struct reader *reader)
{
    struct error found = {0};
    struct source_location best = {(unsigned)-1, (unsigned)-1};
    for (int section = 0; section < SECTION_COUNT; section++) {
        for (size_t i = 0; streams[section].check && i < reader->spot_count[section]; i++) {
            struct error candidate = {0};
            if (streams[section].check(reader, i, &candidate))
                continue;
            if (earlier(reader->spots[section][i].item, best)) {
                found = candidate;
                best = reader->spots[section][i].item;
            }
            break;
        }
    }
    if (found.status) {
        *reader->error = found;
        return false;
    }
    return true;
}

static void codes_may_now_be_known(struct reader *reader)
{
    reader->codes_known = reader->board_read && reader->aims_read;
}

/* One item of readings, milestone_updates or commentary, complete. */
static bool read_streamed_item(struct reader *reader, size_t mapping)
{
    int section = reader->section;
    const struct stream *stream = &streams[section];
    if (reader->nodes[mapping].kind != TREE_MAPPING)
        return fail_expected_item(reader, mapping, "a mapping", section_keys[section]);
    reader->spots[section] = grow_by_one(reader->spots[section], &reader->spot_capacity[section],
                                         &reader->spot_count[section],
                                         sizeof *reader->spots[section]);
    size_t index = reader->spot_count[section] - 1;
    struct reference_spots *spots = &reader->spots[section][index];
    spots->item = location_of(reader, mapping);
    void *record = stream->add(reader->board, &reader->item_capacity[section]);
    *(struct source_location *)((char *)record + stream->where) = spots->item;
    struct key_walk walk;
    if (!read_fields(reader, mapping, stream->context, stream->fields, record, spots, &walk))
        return false;
    if (section == SECTION_READINGS && !check_reading_is_new(reader, mapping, index))
        return false;
    return !reader->codes_known || stream->check(reader, index, reader->error);
}

/* ---- Sections ------------------------------------------------------------ */

static bool section_is_streamed(int section)
{
    return section >= 0 && streams[section].fields != NULL;
}

/* A top-level key: known, once, and remembered as the section now open. */
static bool begin_section(struct reader *reader, size_t key)
{
    int section = find_word(reader, key, section_keys);
    if (section < 0)
        return fail_unknown_key(reader, key, "at the top of the file", section_keys);
    if (reader->section_seen[section]) {
        char text[64];
        return fail_at_node(reader, key,
                            "duplicate key '%s' at the top of the file; the first is at line %u",
                            shown(reader, key, text), reader->section_line[section]);
    }
    reader->section_seen[section] = true;
    reader->section_line[section] = reader->nodes[key].line;
    reader->section = section;
    if (section == SECTION_AIMS && reader->board_read && !reader->board->title)
        return fail_at(reader, reader->board->where.line, reader->board->where.column,
                       "missing key 'title' in board");
    return true;
}

/* The section's value has the right shape from its first event on, so a
 * wrong type is reported before anything inside it. */
static bool check_section_kind(struct reader *reader, size_t value)
{
    enum tree_kind wanted = reader->section == SECTION_BOARD ? TREE_MAPPING : TREE_LIST;
    return expect_kind(reader, value, wanted, section_keys[reader->section]);
}

static bool read_section(struct reader *reader, size_t value)
{
    bool ok = true;
    if (reader->section == SECTION_BOARD) {
        ok = read_board(reader, value);
        reader->board_read = true;
    } else if (reader->section == SECTION_AIMS) {
        ok = read_aims(reader, value);
        reader->aims_read = true;
    } else {
        return true;
    }
    if (!ok)
        return false;
    bool were_known = reader->codes_known;
    codes_may_now_be_known(reader);
    return were_known || !reader->codes_known || check_earlier_references(reader);
}

static void mark_all_sample(struct board *board)
{
    for (size_t i = 0; i < board->reading_count; i++)
        board->readings[i].sample = true;
    for (size_t i = 0; i < board->milestone_update_count; i++)
        board->milestone_updates[i].sample = true;
    for (size_t i = 0; i < board->comment_count; i++)
        board->comments[i].sample = true;
    for (size_t i = 0; i < board->node_count; i++)
        for (size_t u = 0; u < board->nodes[i].milestone.update_count; u++)
            board->nodes[i].milestone.updates[u].sample = true;
}

static bool finish_root(struct reader *reader)
{
    struct board *board = reader->board;
    if (!reader->section_seen[SECTION_BOARD])
        return fail_at(reader, reader->root.line, reader->root.column,
                       "missing key 'board' at the top of the file");
    if (reader->board_has_structure && !reader->section_seen[SECTION_AIMS])
        return fail_at(reader, reader->root.line, reader->root.column,
                       "missing key 'aims' at the top of the file");
    board->readings_only = !reader->section_seen[SECTION_AIMS];
    if (board->sample)
        mark_all_sample(board);
    for (size_t i = 0; i < board->node_count; i++)
        for (size_t m = 0; m < board->nodes[i].metric_count; m++)
            board->nodes[i].metrics[m].spc.board_conflict = board->spc_conflict;
    return true;
}

/* ---- Events into the tree ----------------------------------------------- */

static size_t tree_add(struct reader *reader, enum tree_kind kind, const yaml_event_t *event)
{
    reader->nodes = grow_by_one(reader->nodes, &reader->node_capacity, &reader->node_count,
                                sizeof *reader->nodes);
    size_t index = reader->node_count - 1;
    struct tree_node *node = &reader->nodes[index];
    node->kind = kind;
    node->line = (unsigned)event->start_mark.line + 1;
    node->column = (unsigned)event->start_mark.column + 1;
    node->text = reader->text_length;
    node->end = index + 1;
    if (kind == TREE_SCALAR) {
        size_t length = event->data.scalar.length;
        node->plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        node->length = length;
        reader->text =
            grow(reader->text, &reader->text_capacity, reader->text_length + length + 1, 1);
        memcpy(reader->text + reader->text_length, event->data.scalar.value, length);
        reader->text[reader->text_length + length] = '\0';
        reader->text_length += length + 1;
    }
    return index;
}

static void tree_truncate(struct reader *reader, size_t index)
{
    reader->text_length = reader->nodes[index].text;
    reader->node_count = index;
}

/* A node is complete: a finished top-level value is read and dropped, and so
 * is each finished item of readings, milestone_updates and commentary, so a
 * file of a million readings never holds more than one in the tree. */
static bool end_node(struct reader *reader, size_t index)
{
    if (reader->open_count == 1) {
        bool ok = read_section(reader, index);
        tree_truncate(reader, index - 1);
        reader->nodes[reader->open[0]].child_count -= 2;
        reader->section = SECTION_NONE;
        return ok;
    }
    if (reader->open_count == 2 && section_is_streamed(reader->section)) {
        bool ok = read_streamed_item(reader, index);
        tree_truncate(reader, index);
        reader->nodes[reader->open[1]].child_count--;
        return ok;
    }
    return true;
}

static bool begin_node(struct reader *reader, const yaml_event_t *event)
{
    unsigned line = (unsigned)event->start_mark.line + 1;
    unsigned column = (unsigned)event->start_mark.column + 1;
    const yaml_char_t *anchor = NULL, *tag = NULL;
    enum tree_kind kind;
    if (event->type == YAML_SCALAR_EVENT) {
        kind = TREE_SCALAR;
        anchor = event->data.scalar.anchor;
        tag = event->data.scalar.tag;
    } else if (event->type == YAML_SEQUENCE_START_EVENT) {
        kind = TREE_LIST;
        anchor = event->data.sequence_start.anchor;
        tag = event->data.sequence_start.tag;
    } else {
        kind = TREE_MAPPING;
        anchor = event->data.mapping_start.anchor;
        tag = event->data.mapping_start.tag;
    }
    if (anchor)
        return fail_at(reader, line, column, "anchors are not allowed in board files");
    if (tag)
        return fail_at(reader, line, column, "tags are not allowed in board files");

    if (reader->open_count == 0) {
        size_t root = tree_add(reader, kind, event);
        if (kind == TREE_SCALAR && scalar_is_nothing(reader, root))
            return fail_at(reader, line, column,
                           "the file is empty; a board file starts with 'board:'");
        if (kind != TREE_MAPPING) {
            char found[80];
            return fail_at(reader, line, column,
                           "expected a mapping that starts with 'board:' at the top of the file, "
                           "found %s",
                           describe_found(reader, root, found));
        }
        reader->root.line = line;
        reader->root.column = column;
        reader->open[reader->open_count++] = root;
        return true;
    }

    size_t parent = reader->open[reader->open_count - 1];
    bool is_key = reader->nodes[parent].kind == TREE_MAPPING &&
                  reader->nodes[parent].child_count % 2 == 0;
    if (is_key && kind != TREE_SCALAR)
        return fail_at(reader, line, column, "expected a key, found %s",
                       kind == TREE_LIST ? "a list" : "a mapping");
    if (kind != TREE_SCALAR && reader->open_count == MAXIMUM_DEPTH)
        return fail_at(reader, line, column, "the file nests deeper than %d levels",
                       MAXIMUM_DEPTH);
    size_t index = tree_add(reader, kind, event);
    reader->nodes[parent].child_count++;
    if (reader->open_count == 1) {
        if (is_key)
            return begin_section(reader, index);
        if (!check_section_kind(reader, index))
            return false;
    }
    if (kind != TREE_SCALAR) {
        reader->open[reader->open_count++] = index;
        return true;
    }
    return end_node(reader, index);
}

static bool end_collection(struct reader *reader)
{
    size_t index = reader->open[--reader->open_count];
    reader->nodes[index].end = reader->node_count;
    if (reader->open_count == 0)
        return finish_root(reader);
    return end_node(reader, index);
}

/* ---- Syntax and encoding errors ---------------------------------------- */

/* libyaml gives a byte offset for encoding errors; turn it into a line and
 * a column counted in characters, as its marks are. */
static void locate_offset(const struct reader *reader, size_t offset, unsigned *line,
                          unsigned *column)
{
    *line = 1;
    *column = 1;
    if (offset > reader->length)
        offset = reader->length;
    for (size_t i = 0; i < offset; i++) {
        unsigned char byte = reader->bytes[i];
        bool lone_carriage_return =
            byte == '\r' && (i + 1 >= reader->length || reader->bytes[i + 1] != '\n');
        if (byte == '\n' || lone_carriage_return) {
            (*line)++;
            *column = 1;
        } else if ((byte & 0xC0) != 0x80 && byte != '\r') {
            (*column)++;
        }
    }
}

static bool fail_syntax(struct reader *reader, const yaml_parser_t *parser)
{
    const char *problem = parser->problem ? parser->problem : "unknown problem";
    if (parser->error == YAML_MEMORY_ERROR) {
        error_set(reader->error, EXIT_SOFTWARE, "%s: out of memory while reading the file.",
                  reader->file_name);
        return false;
    }
    if (parser->error == YAML_READER_ERROR) {
        size_t offset = parser->problem_offset;
        /* Point at the start of a broken sequence, not at its second byte. */
        if (strstr(problem, "trailing")) {
            size_t back = 0;
            while (offset > 0 && back < 3 && (reader->bytes[offset - 1] & 0xC0) == 0x80) {
                offset--;
                back++;
            }
            if (offset > 0 && reader->bytes[offset - 1] >= 0xC0)
                offset--;
        }
        unsigned line, column;
        locate_offset(reader, offset, &line, &column);
        if (strstr(problem, "control characters"))
            return fail_at(reader, line, column,
                           "the file holds a control character (U+%04X) here, which YAML does not "
                           "allow",
                           (unsigned)parser->problem_value);
        if (strstr(problem, "UTF-8") || strstr(problem, "Unicode"))
            return fail_at(reader, line, column, "the file is not valid UTF-8 here (%s)", problem);
        return fail_at(reader, line, column, "the file cannot be read as text (%s)", problem);
    }
    unsigned line = (unsigned)parser->problem_mark.line + 1;
    unsigned column = (unsigned)parser->problem_mark.column + 1;
    /* The commonest slip: a tab where YAML wants spaces. */
    size_t at = 0;
    for (unsigned l = 1; l < line && at < reader->length; at++)
        if (reader->bytes[at] == '\n')
            l++;
    for (unsigned c = 1; c < column && at < reader->length; at++)
        if ((reader->bytes[at] & 0xC0) != 0x80)
            c++;
    while (at < reader->length && (reader->bytes[at] & 0xC0) == 0x80)
        at++;
    if (at < reader->length && reader->bytes[at] == '\t')
        return fail_at(reader, line, column, "invalid YAML: a tab here; YAML indents with spaces");
    if (parser->context)
        return fail_at(reader, line, column, "invalid YAML: %s %s started at line %u, column %u",
                       problem, parser->context, (unsigned)parser->context_mark.line + 1,
                       (unsigned)parser->context_mark.column + 1);
    return fail_at(reader, line, column, "invalid YAML: %s", problem);
}

static bool read_events(struct reader *reader, yaml_parser_t *parser)
{
    bool seen_document = false;
    for (;;) {
        yaml_event_t event;
        if (!yaml_parser_parse(parser, &event))
            return fail_syntax(reader, parser);
        bool ok = true, done = false;
        switch (event.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (seen_document)
                ok = fail_at(reader, (unsigned)event.start_mark.line + 1,
                             (unsigned)event.start_mark.column + 1,
                             "a board file holds one YAML document");
            seen_document = true;
            break;
        case YAML_ALIAS_EVENT:
            ok = fail_at(reader, (unsigned)event.start_mark.line + 1,
                         (unsigned)event.start_mark.column + 1,
                         "aliases are not allowed in board files");
            break;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            ok = begin_node(reader, &event);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            ok = end_collection(reader);
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&event);
        if (!ok)
            return false;
        if (done)
            break;
    }
    if (!seen_document)
        return fail_at(reader, 1, 1, "the file is empty; a board file starts with 'board:'");
    return true;
}

/* ---- Entry points ---------------------------------------------------------- */

bool boardfile_read_bytes(const char *bytes, size_t length, const char *display_name,
                          struct board **out, struct error *error)
{
    /* Numbers are read with a '.' whatever the user's locale says. */
    locale_t numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t previous = numeric ? uselocale(numeric) : (locale_t)0;

    /* libyaml counts a byte-order mark as a column; people do not. */
    if (length >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0) {
        bytes += 3;
        length -= 3;
    }
    struct reader reader = {0};
    reader.file_name = display_name;
    reader.bytes = (const unsigned char *)bytes;
    reader.length = length;
    reader.error = error;
    reader.section = SECTION_NONE;
    reader.board = xcalloc(1, sizeof *reader.board);

    bool ok = false;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        error_set(error, EXIT_SOFTWARE, "%s: out of memory while reading the file.", display_name);
    } else {
        yaml_parser_set_input_string(&parser, (const unsigned char *)bytes, length);
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
        ok = read_events(&reader, &parser);
        yaml_parser_delete(&parser);
    }

    free(reader.nodes);
    free(reader.text);
    code_map_free(&reader.node_codes);
    code_map_free(&reader.metric_codes);
    free(reader.readings_seen.slots);
    for (int section = 0; section < SECTION_COUNT; section++)
        free(reader.spots[section]);
    if (ok)
        *out = reader.board;
    else
        board_free(reader.board);

    if (numeric) {
        uselocale(previous);
        freelocale(numeric);
    }
    return ok;
}

bool boardfile_read_path(const char *path, struct board **out, struct error *error)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        error_set(error, EXIT_NO_INPUT, "%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    struct text_buffer contents = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, file)) > 0)
        text_append_length(&contents, chunk, got);
    if (ferror(file)) {
        int reason = errno;
        fclose(file);
        text_free(&contents);
        error_set(error, EXIT_NO_INPUT, "%s: cannot read: %s", path, strerror(reason));
        return false;
    }
    fclose(file);
    bool ok = boardfile_read_bytes(contents.data ? contents.data : "", contents.length, path, out,
                                   error);
    text_free(&contents);
    return ok;
}
