/* util.c — allocation, growable strings and errors shared by every layer.
 * Allocation failure ends the program here, in one place. */
#include "util.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void (*fatal_hook)(void);

void util_set_fatal_hook(void (*hook)(void))
{
    fatal_hook = hook;
}

static void out_of_memory(void)
{
    static const char message[] = "boardpack: out of memory\n";
    /* The screen's hook puts the terminal back first, so the message lands
     * on a usable terminal rather than inside a curses screen. Cleared
     * before the call: a hook that runs out of memory itself must not loop. */
    void (*hook)(void) = fatal_hook;
    fatal_hook = NULL;
    if (hook)
        hook();
    /* No stdio: it may itself need memory. */
    if (write(STDERR_FILENO, message, sizeof message - 1) < 0) {
        /* Nothing more can be done. */
    }
    _exit(EXIT_SOFTWARE);
}

void *xmalloc(size_t size)
{
    void *pointer = malloc(size ? size : 1);
    if (!pointer)
        out_of_memory();
    return pointer;
}

void *xcalloc(size_t count, size_t size)
{
    void *pointer = calloc(count ? count : 1, size ? size : 1);
    if (!pointer)
        out_of_memory();
    return pointer;
}

void *xrealloc(void *pointer, size_t size)
{
    void *grown = realloc(pointer, size ? size : 1);
    if (!grown)
        out_of_memory();
    return grown;
}

void grow_array(void **array, size_t *capacity, size_t needed, size_t item_size)
{
    if (needed <= *capacity)
        return;
    size_t wanted = *capacity ? *capacity : 1;
    while (wanted < needed) {
        if (wanted > ((size_t)-1) / 2 / item_size)
            out_of_memory();
        wanted *= 2;
    }
    *array = xrealloc(*array, wanted * item_size);
    *capacity = wanted;
}

char *xstrdup(const char *text)
{
    return text ? xstrndup(text, strlen(text)) : NULL;
}

char *xstrndup(const char *text, size_t length)
{
    char *copy = xmalloc(length + 1);
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

char *xasprintf(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int length = vsnprintf(NULL, 0, format, arguments);
    va_end(arguments);
    if (length < 0)
        out_of_memory();
    char *text = xmalloc((size_t)length + 1);
    va_start(arguments, format);
    vsnprintf(text, (size_t)length + 1, format, arguments);
    va_end(arguments);
    return text;
}

void text_append_length(struct text_buffer *buffer, const char *text, size_t length)
{
    size_t capacity = buffer->capacity;
    void *data = buffer->data;
    grow_array(&data, &capacity, buffer->length + length + 1, 1);
    buffer->data = data;
    buffer->capacity = capacity;
    memcpy(buffer->data + buffer->length, text, length);
    buffer->length += length;
    buffer->data[buffer->length] = '\0';
}

void text_append(struct text_buffer *buffer, const char *text)
{
    text_append_length(buffer, text, strlen(text));
}

void text_appendf(struct text_buffer *buffer, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    int length = vsnprintf(NULL, 0, format, arguments);
    va_end(arguments);
    if (length < 0)
        return;
    size_t capacity = buffer->capacity;
    void *data = buffer->data;
    grow_array(&data, &capacity, buffer->length + (size_t)length + 1, 1);
    buffer->data = data;
    buffer->capacity = capacity;
    va_start(arguments, format);
    vsnprintf(buffer->data + buffer->length, (size_t)length + 1, format, arguments);
    va_end(arguments);
    buffer->length += (size_t)length;
}

void text_free(struct text_buffer *buffer)
{
    free(buffer->data);
    buffer->data = NULL;
    buffer->length = buffer->capacity = 0;
}

void error_set(struct error *error, int status, const char *format, ...)
{
    if (!error)
        return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error->message, sizeof error->message, format, arguments);
    va_end(arguments);
    error->status = status;
}

void error_set_at(struct error *error, const char *file, unsigned line, unsigned column,
                  const char *format, ...)
{
    if (!error)
        return;
    int used = snprintf(error->message, sizeof error->message, "%s:%u:%u: error: ",
                        file ? file : "-", line, column);
    if (used < 0 || (size_t)used >= sizeof error->message)
        used = 0;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error->message + used, sizeof error->message - (size_t)used, format, arguments);
    va_end(arguments);
    error->status = EXIT_DATA;
}

void error_clear(struct error *error)
{
    if (!error)
        return;
    error->status = 0;
    error->message[0] = '\0';
}

const char *current_user_name(void)
{
    static char name[64];
    if (name[0])
        return name;
    const char *found = NULL;
    struct passwd *entry = getpwuid(geteuid());
    if (entry && entry->pw_name && entry->pw_name[0])
        found = entry->pw_name;
    if (!found)
        found = getenv("LOGNAME");
    if (!found || !found[0])
        found = getenv("USER");
    if (!found || !found[0])
        found = "unknown";
    snprintf(name, sizeof name, "%s", found);
    return name;
}

int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[month - 1] + (month == 2 && leap);
}

/* The number in text[0, count) if all are digits and it is within
 * [minimum, maximum]; -1 otherwise. */
static int digits_in_range(const char *text, int count, int minimum, int maximum)
{
    int value = 0;
    for (int i = 0; i < count; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value >= minimum && value <= maximum ? value : -1;
}

enum timestamp_check timestamp_check(const char *text)
{
    if (strlen(text) != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':' || text[19] != 'Z')
        return TIMESTAMP_MALFORMED;
    int year = digits_in_range(text, 4, 1900, 9999);
    int month = digits_in_range(text + 5, 2, 1, 12);
    int day = digits_in_range(text + 8, 2, 1, 31);
    /* Second 60 is a leap second. */
    if (year < 0 || month < 0 || day < 0 || digits_in_range(text + 11, 2, 0, 23) < 0 ||
        digits_in_range(text + 14, 2, 0, 59) < 0 || digits_in_range(text + 17, 2, 0, 60) < 0)
        return TIMESTAMP_MALFORMED;
    return day <= days_in_month(year, month) ? TIMESTAMP_VALID : TIMESTAMP_NO_SUCH_DAY;
}

void current_timestamp(char out[32])
{
    time_t now = time(NULL);
    struct tm parts;
    gmtime_r(&now, &parts);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &parts);
}
