/* util.h — the small pieces every layer shares: allocation that never returns
 * NULL, growable strings, and the one error record that carries a located,
 * one-sentence message up to the user. */
#ifndef BOARDPACK_UTIL_H
#define BOARDPACK_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <wchar.h>

/* Exit statuses, as sysexits(3) and the command-line contract use them. */
enum exit_status {
    EXIT_OK = 0,
    EXIT_FAILURE_GENERAL = 1,
    EXIT_USAGE = 2,
    EXIT_DATA = 65,      /* bad input data */
    EXIT_NO_INPUT = 66,  /* a file or store that cannot be opened */
    EXIT_SOFTWARE = 70,  /* an internal error, allocation failure */
    EXIT_CANNOT_CREATE = 73,
    EXIT_IO = 74,
    EXIT_TEMPORARY = 75, /* the store stayed busy */
};

/* Allocation failure is handled here, in one place: a message and exit 70.
 * A layer that has taken over the terminal (the screen) registers a hook,
 * called once before the message, that gives the terminal back. */
void util_set_fatal_hook(void (*hook)(void));
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *pointer, size_t size);
/* Grows *array to hold at least `needed` items of `item_size`, doubling. */
void grow_array(void **array, size_t *capacity, size_t needed, size_t item_size);
char *xstrdup(const char *text);          /* NULL stays NULL */
char *xstrndup(const char *text, size_t length);
char *xasprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* A growable, always NUL-terminated string. */
struct text_buffer {
    char *data;
    size_t length;
    size_t capacity;
};
void text_append(struct text_buffer *buffer, const char *text);
void text_append_length(struct text_buffer *buffer, const char *text, size_t length);
void text_appendf(struct text_buffer *buffer, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void text_free(struct text_buffer *buffer);

/* The error every layer returns: a message ready for stderr (already located
 * as "FILE:LINE:COLUMN: error: ..." where there is a file) and the exit
 * status it deserves. */
struct error {
    int status;          /* an enum exit_status; 0 = no error */
    char message[1024];
};
void error_set(struct error *error, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void error_set_at(struct error *error, const char *file, unsigned line, unsigned column,
                  const char *format, ...) __attribute__((format(printf, 5, 6)));
void error_clear(struct error *error);

/* The login name of whoever runs us, for audit rows ("unknown" if none). */
const char *current_user_name(void);
/* The current time as "YYYY-MM-DDTHH:MM:SSZ" (UTC), for audit rows. */
void current_timestamp(char out[32]);
/* Whether text is such a time: the form with every field in range (year
 * 1900 to 9999, second 60 for a leap second), and a day its month has on
 * the calendar (no 31 April, no 29 February 2023). */
enum timestamp_check {
    TIMESTAMP_VALID,
    TIMESTAMP_MALFORMED,
    TIMESTAMP_NO_SUCH_DAY,
};
enum timestamp_check timestamp_check(const char *text);
/* Days in a month of the Gregorian calendar (month 1 to 12; 0 otherwise). */
int days_in_month(int year, int month);

/* ---- Text (src/util/text.c): the one copy of each text helper ---------- */

/* Decodes the UTF-8 character at `text` (at most `length` bytes) into *out;
 * returns its byte length, or 0 if the bytes do not start a valid,
 * shortest-form character up to U+10FFFF (no surrogates). Uses libc's
 * mbrtowc in a UTF-8 locale of its own, whatever the user's locale. */
size_t utf8_decode(const char *text, size_t length, wchar_t *out);
/* Encodes one character as UTF-8 into out; returns the byte count (1 to 4),
 * or 0 for a surrogate or anything beyond U+10FFFF. */
size_t utf8_encode(wchar_t character, char out[4]);
bool utf8_is_valid(const char *text, size_t length);
/* Characters (code points) in `length` bytes of UTF-8: the bytes that do
 * not continue a character (an invalid byte counts as one). */
size_t utf8_character_count(const char *text, size_t length);
/* C0 and C1 controls and DEL: never sent to a terminal or stored. */
bool character_is_control(wchar_t character);
/* Terminal cells of one character: libc's wcwidth in a UTF-8 locale (0 for
 * a combining mark, 2 for a wide character, -1 if unprintable). */
int character_width(wchar_t character);
/* Display width in terminal cells of a UTF-8 string, as the screen draws
 * it: wcwidth per character; a control character (drawn as a space), an
 * unprintable character or an invalid byte (drawn as U+FFFD) one cell each. */
size_t display_width(const char *text);
/* True if `text` is valid UTF-8 with no control characters (tab allowed if
 * allow_tab). */
bool text_is_clean(const char *text, bool allow_tab);

/* The shortest text, with at most most_digits significant digits, that
 * reads back (strtod) as exactly `value`, without an exponent in the range
 * people write by hand (90, not 9e+01). 17 digits give back every double;
 * 15 hide binary noise (0.1 + 0.2 shows as 0.3). */
void format_number_shortest(double value, int most_digits, char *out, size_t size);

/* The Levenshtein distance between two texts, byte by byte, with ASCII
 * letters compared without case ("Barnit" and "barnet" are 1 apart), for
 * "did you mean" suggestions. */
size_t edit_distance(const char *a, const char *b);

/* Writes one CSV field, RFC 4180: a field with a comma, quote, CR or LF is
 * quoted and its quotes doubled; NULL writes nothing. */
void csv_write_field(FILE *out, const char *text);

#endif
