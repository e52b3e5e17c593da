/* util.c — allocation, growable strings, errors, and text measurement shared
 * by every layer. Allocation failure ends the program here, in one place. */
#include "util.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

static void out_of_memory(void)
{
    static const char message[] = "boardpack: out of memory\n";
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

void current_timestamp(char out[32])
{
    time_t now = time(NULL);
    struct tm parts;
    gmtime_r(&now, &parts);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &parts);
}

/* Decodes one UTF-8 character; returns its length, or 0 if the bytes at
 * `text` do not start a valid, shortest-form character. */
static size_t utf8_decode(const unsigned char *text, size_t available, unsigned *code_point)
{
    if (available == 0)
        return 0;
    unsigned char lead = text[0];
    size_t length;
    unsigned value;
    if (lead < 0x80) {
        *code_point = lead;
        return 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        value = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        value = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        value = lead & 0x07;
    } else {
        return 0;
    }
    if (available < length)
        return 0;
    for (size_t i = 1; i < length; i++) {
        if ((text[i] & 0xC0) != 0x80)
            return 0;
        value = (value << 6) | (text[i] & 0x3F);
    }
    if ((length == 3 && value < 0x800) || (length == 4 && (value < 0x10000 || value > 0x10FFFF)) ||
        (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    *code_point = value;
    return length;
}

bool utf8_is_valid(const char *text, size_t length)
{
    const unsigned char *bytes = (const unsigned char *)text;
    size_t at = 0;
    while (at < length) {
        unsigned code_point;
        size_t used = utf8_decode(bytes + at, length - at, &code_point);
        if (!used)
            return false;
        at += used;
    }
    return true;
}

bool text_is_clean(const char *text, bool allow_tab)
{
    size_t length = strlen(text);
    const unsigned char *bytes = (const unsigned char *)text;
    size_t at = 0;
    while (at < length) {
        unsigned code_point;
        size_t used = utf8_decode(bytes + at, length - at, &code_point);
        if (!used)
            return false;
        if (code_point < 0x20 && !(allow_tab && code_point == '\t'))
            return false;
        if (code_point == 0x7F || (code_point >= 0x80 && code_point < 0xA0))
            return false;
        at += used;
    }
    return true;
}

size_t display_width(const char *text)
{
    size_t length = strlen(text);
    const unsigned char *bytes = (const unsigned char *)text;
    size_t at = 0, width = 0;
    while (at < length) {
        unsigned code_point;
        size_t used = utf8_decode(bytes + at, length - at, &code_point);
        if (!used) {
            width++;
            at++;
            continue;
        }
        int cells = wcwidth((wchar_t)code_point);
        /* Outside a UTF-8 locale wcwidth knows nothing beyond ASCII: count
         * such printable characters as one cell rather than none. */
        if (cells < 0)
            cells = code_point >= 0xA0 ? 1 : 0;
        width += (size_t)cells;
        at += used;
    }
    return width;
}
