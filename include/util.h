/* util.h — the small pieces every layer shares: allocation that never returns
 * NULL, growable strings, and the one error record that carries a located,
 * one-sentence message up to the user. */
#ifndef BOARDPACK_UTIL_H
#define BOARDPACK_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

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

/* Allocation failure is handled here, in one place: a message and exit 70. */
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

/* Display width in terminal cells of a UTF-8 string (wcwidth per character;
 * invalid bytes count one cell each). */
size_t display_width(const char *text);
/* True if `text` is valid UTF-8 with no control characters (tab allowed if
 * allow_tab). */
bool text_is_clean(const char *text, bool allow_tab);
bool utf8_is_valid(const char *text, size_t length);

#endif
