/* text.c — the one copy of each text helper: UTF-8 decoding and encoding,
 * counting characters, display width, the shortest number text, edit
 * distance for suggestions, and RFC 4180 CSV quoting. */
#include "util.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Stored text is UTF-8 whatever the user's locale is, so decoding and
 * measuring use a UTF-8 locale object of their own (uselocale changes only
 * this thread, and only for the call). Made once, kept for the run. */
static locale_t utf8_locale(void)
{
    static locale_t locale;
    static bool tried;
    if (!tried) {
        tried = true;
        static const char *const names[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8", "en_GB.UTF-8"};
        for (size_t i = 0; !locale && i < sizeof names / sizeof names[0]; i++)
            locale = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
    }
    return locale;
}

/* Switches this thread to the UTF-8 locale; returns what to switch back to
 * (0 if there is no UTF-8 locale and nothing was switched). */
static locale_t enter_utf8(void)
{
    locale_t utf8 = utf8_locale();
    return utf8 ? uselocale(utf8) : (locale_t)0;
}

static void leave_utf8(locale_t previous)
{
    if (previous)
        uselocale(previous);
}

size_t utf8_decode(const char *text, size_t length, wchar_t *out)
{
    if (length == 0)
        return 0;
    unsigned char lead = (unsigned char)text[0];
    if (lead < 0x80) {
        *out = (wchar_t)lead;
        return 1;
    }
    locale_t previous = enter_utf8();
    mbstate_t state;
    memset(&state, 0, sizeof state);
    wchar_t character = 0;
    size_t used = mbrtowc(&character, text, length, &state);
    leave_utf8(previous);
    /* glibc also takes the old 5- and 6-byte forms beyond U+10FFFF; UTF-8
     * stops there. */
    if (used == (size_t)-1 || used == (size_t)-2 || used == 0 || used > 4 ||
        (unsigned long)character > 0x10FFFF)
        return 0;
    *out = character;
    return used;
}

size_t utf8_encode(wchar_t character, char out[4])
{
    unsigned long c = (unsigned long)character;
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c >= 0xD800 && c <= 0xDFFF)
        return 0; /* a surrogate is not a character */
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    if (c < 0x110000) {
        out[0] = (char)(0xF0 | (c >> 18));
        out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[3] = (char)(0x80 | (c & 0x3F));
        return 4;
    }
    return 0;
}

bool character_is_control(wchar_t character)
{
    return character < 0x20 || character == 0x7F || (character >= 0x80 && character < 0xA0);
}

int character_width(wchar_t character)
{
    if (character < 0x80)
        return character_is_control(character) ? -1 : 1;
    locale_t previous = enter_utf8();
    int cells = wcwidth(character);
    leave_utf8(previous);
    return cells;
}

/* True if text is UTF-8 throughout and, if refuse_controls, holds no
 * control character (but a tab if allow_tab). */
static bool text_passes(const char *text, size_t length, bool refuse_controls, bool allow_tab)
{
    size_t at = 0;
    while (at < length) {
        wchar_t character = (unsigned char)text[at];
        /* ASCII, nearly all of any board file, without a call per byte. */
        size_t used = character < 0x80 ? 1 : utf8_decode(text + at, length - at, &character);
        if (!used)
            return false;
        if (refuse_controls && character_is_control(character) &&
            !(allow_tab && character == '\t'))
            return false;
        at += used;
    }
    return true;
}

bool utf8_is_valid(const char *text, size_t length)
{
    return text_passes(text, length, false, false);
}

bool text_is_clean(const char *text, bool allow_tab)
{
    return text_passes(text, strlen(text), true, allow_tab);
}

size_t utf8_character_count(const char *text, size_t length)
{
    size_t count = 0;
    for (size_t i = 0; i < length; i++)
        count += ((unsigned char)text[i] & 0xC0) != 0x80;
    return count;
}

size_t display_width(const char *text)
{
    size_t length = strlen(text);
    size_t at = 0, width = 0;
    while (at < length) {
        wchar_t character;
        size_t used = utf8_decode(text + at, length - at, &character);
        if (!used) {
            width++; /* drawn as U+FFFD */
            at++;
            continue;
        }
        int cells = character_width(character);
        /* A control character is drawn as a space, an unprintable one as
         * U+FFFD: one cell each. */
        width += cells < 0 ? 1 : (size_t)cells;
        at += used;
    }
    return width;
}

void format_number_shortest(double value, int most_digits, char *out, size_t size)
{
    bool everyday = fabs(value) >= 1e-4 && fabs(value) < 1e15;
    for (int digits = 1; digits <= most_digits; digits++) {
        snprintf(out, size, "%.*g", digits, value);
        if (strtod(out, NULL) == value && !(everyday && strchr(out, 'e')))
            return;
    }
    snprintf(out, size, "%.*g", most_digits, value);
}

static char fold_case(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

size_t edit_distance(const char *a, const char *b)
{
    size_t a_length = strlen(a), b_length = strlen(b);
    /* Two rows of the table are enough: the one above and the one being filled. */
    size_t *previous = xcalloc(b_length + 1, sizeof *previous);
    size_t *current = xcalloc(b_length + 1, sizeof *current);
    for (size_t j = 0; j <= b_length; j++)
        previous[j] = j;
    for (size_t i = 1; i <= a_length; i++) {
        current[0] = i;
        for (size_t j = 1; j <= b_length; j++) {
            size_t substitute = previous[j - 1] + (fold_case(a[i - 1]) != fold_case(b[j - 1]));
            size_t insert = current[j - 1] + 1, delete = previous[j] + 1;
            size_t best = insert < delete ? insert : delete;
            current[j] = substitute < best ? substitute : best;
        }
        size_t *swap = previous;
        previous = current;
        current = swap;
    }
    size_t distance = previous[b_length];
    free(previous);
    free(current);
    return distance;
}

void csv_write_field(FILE *out, const char *text)
{
    if (!text)
        return;
    if (!strpbrk(text, ",\"\r\n")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}
