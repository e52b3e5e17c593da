/* screen_text.c — curses start and stop, colours, and text drawn by display
 * width: the primitives the browser and the kiosk share. */
#include <poll.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "screen_internal.h"
#include "util.h"

static bool ascii_mode;

void screen_set_ascii(bool ascii)
{
    ascii_mode = ascii;
}

/* Out of memory while curses owns the terminal: util calls this before its
 * message, so the message lands on a terminal that works. endwin only, not
 * screen_stop's clearing and refresh: the less that may need memory, the
 * better. */
static void restore_terminal(void)
{
    if (stdscr && !isendwin())
        endwin();
}

bool screen_start(const struct screen_options *options, struct screen_style *style,
                  struct error *error)
{
    const char *term = getenv("TERM");
    if (!term || !*term || strcmp(term, "dumb") == 0) {
        error_set(error, EXIT_USAGE,
                  "This terminal (TERM=%s) cannot show the %s; use a full-screen terminal, "
                  "or `boardpack report` for plain text.",
                  term && *term ? term : "unset",
                  options->mode == SCREEN_KIOSK ? "kiosk" : "browser");
        return false;
    }
    if (!isatty(0) || !isatty(1)) {
        error_set(error, EXIT_USAGE,
                  "The %s needs a terminal; use `boardpack report` for plain text.",
                  options->mode == SCREEN_KIOSK ? "kiosk" : "browser");
        return false;
    }
    SCREEN *screen = newterm(NULL, stdout, stdin);
    if (!screen) {
        error_set(error, EXIT_USAGE,
                  "The terminal type '%s' is unknown here; set TERM to one this system knows "
                  "(for example xterm-256color).",
                  term);
        return false;
    }
    set_term(screen);
    util_set_fatal_hook(restore_terminal);
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    meta(stdscr, TRUE);
    set_escdelay(25);
    intrflush(stdscr, FALSE);
    style->ascii = options->ascii;
    style->theme = options->theme;
    style->color = false;
    ascii_mode = options->ascii;
    if (!options->no_color && options->theme != THEME_MONOCHROME && has_colors()) {
        start_color();
        use_default_colors();
        style->color = true;
        short background = -1;
        if (options->theme == THEME_COLOUR_BLIND) {
            /* Never red against green: R is white on red (dark, reversed),
             * A yellow, G cyan, B blue; the letters carry it anyway. */
            init_pair(PAIR_RED, COLOR_WHITE, COLOR_RED);
            init_pair(PAIR_AMBER, COLOR_YELLOW, background);
            init_pair(PAIR_GREEN, COLOR_CYAN, background);
            init_pair(PAIR_BLUE, COLOR_BLUE, background);
        } else {
            init_pair(PAIR_RED, COLOR_RED, background);
            init_pair(PAIR_AMBER, COLOR_YELLOW, background);
            init_pair(PAIR_GREEN, COLOR_GREEN, background);
            init_pair(PAIR_BLUE, COLOR_BLUE, background);
        }
        init_pair(PAIR_GREY, COLOR_WHITE, background);
        init_pair(PAIR_HEADER, COLOR_WHITE, COLOR_BLUE);
        init_pair(PAIR_ERROR, COLOR_WHITE, COLOR_RED);
        init_pair(PAIR_SAMPLE, COLOR_BLACK, COLOR_YELLOW);
    }
    return true;
}

void screen_stop(void)
{
    util_set_fatal_hook(NULL);
    if (stdscr && !isendwin()) {
        /* endwin leaves the cursor at the start of the bottom line. Without
         * an alternate screen (vt100, the Linux console) the last frame
         * stays, and the shell's prompt would be printed over the rest of
         * that line: blank it first. */
        move(LINES - 1, 0);
        clrtoeol();
        refresh();
        endwin();
    }
    SCREEN *screen = set_term(NULL);
    if (screen)
        delscreen(screen);
}

attr_t screen_pair_attr(const struct screen_style *style, enum screen_pair pair)
{
    if (!style->color) {
        switch (pair) {
        case PAIR_HEADER:
        case PAIR_ERROR:
        case PAIR_SAMPLE:
            return A_REVERSE;
        default:
            return A_NORMAL;
        }
    }
    return COLOR_PAIR(pair);
}

attr_t screen_rag_attr(const struct screen_style *style, enum rag rag)
{
    static const enum screen_pair pairs[RAG_COUNT] = {PAIR_GREY, PAIR_BLUE, PAIR_GREEN,
                                                      PAIR_AMBER, PAIR_RED};
    if (!style->color) {
        /* Monochrome: each status its own video attribute, plus the letter. */
        static const attr_t plain[RAG_COUNT] = {A_DIM, A_UNDERLINE, A_NORMAL, A_BOLD,
                                                A_BOLD | A_REVERSE};
        return plain[rag];
    }
    return COLOR_PAIR(pairs[rag]) | (rag == RAG_GREY ? A_NORMAL : A_BOLD);
}

/* A chart cell's look by its meaning: a colour pair and attribute, and the
 * attribute alone when there is no colour (the glyph carries the meaning). */
static const struct {
    enum screen_pair pair;
    attr_t color, mono;
} cell_looks[CELL_MEANING_COUNT] = {
    [CELL_PLAIN] = {PAIR_NONE, A_NORMAL, A_NORMAL},
    [CELL_AXIS] = {PAIR_NONE, A_DIM, A_DIM},
    [CELL_DATA] = {PAIR_NONE, A_BOLD, A_BOLD},
    [CELL_MEAN] = {PAIR_NONE, A_NORMAL, A_NORMAL},
    [CELL_LIMIT] = {PAIR_GREY, A_DIM, A_DIM},
    [CELL_TARGET] = {PAIR_RED, A_NORMAL, A_NORMAL},
    [CELL_IMPROVEMENT] = {PAIR_BLUE, A_BOLD, A_BOLD},
    [CELL_CONCERN] = {PAIR_AMBER, A_BOLD, A_BOLD},
    [CELL_NEITHER] = {PAIR_NONE, A_BOLD, A_BOLD},
};

attr_t screen_cell_attr(const struct screen_style *style, unsigned char meaning)
{
    if (meaning >= CELL_MEANING_COUNT)
        return A_NORMAL;
    if (!style->color)
        return cell_looks[meaning].mono;
    attr_t pair = cell_looks[meaning].pair == PAIR_NONE ? 0 : COLOR_PAIR(cell_looks[meaning].pair);
    return pair | cell_looks[meaning].color;
}

attr_t screen_meaning_attr(const struct screen_style *style, enum present_meaning meaning)
{
    switch (meaning) {
    case PRESENT_STRONG:
        return A_BOLD;
    case PRESENT_DIM:
        return A_DIM;
    case PRESENT_HEADER:
        return screen_pair_attr(style, PAIR_HEADER) | A_BOLD;
    case PRESENT_SAMPLE:
        return screen_pair_attr(style, PAIR_SAMPLE) | A_BOLD;
    case PRESENT_ERROR:
        return screen_pair_attr(style, PAIR_ERROR) | A_BOLD;
    case PRESENT_RAG_GREY:
    case PRESENT_RAG_BLUE:
    case PRESENT_RAG_GREEN:
    case PRESENT_RAG_AMBER:
    case PRESENT_RAG_RED:
        return screen_rag_attr(style, (enum rag)(meaning - PRESENT_RAG_GREY));
    case PRESENT_PLAIN:
    case PRESENT_MEANING_COUNT:
        break;
    }
    return A_NORMAL;
}

int screen_put_spans(const struct screen_style *style, int y, int x, int width,
                     const struct present_line *line, attr_t base)
{
    const char *text = line->text.data ? line->text.data : "";
    size_t at = 0;
    int used = 0;
    for (size_t s = 0; s <= line->span_count && used < width; s++) {
        /* Plain bytes before the span (or after the last), then the span. */
        size_t start = s < line->span_count ? line->spans[s].start : line->text.length;
        if (start > at) {
            char *plain = xstrndup(text + at, start - at);
            used += screen_put_clipped(y, x + used, width - used, plain, base);
            free(plain);
        }
        if (s == line->span_count || used >= width)
            break;
        char *part = xstrndup(text + start, line->spans[s].length);
        attr_t attr = line->spans[s].meaning == PRESENT_PLAIN
                          ? base
                          : screen_meaning_attr(style, line->spans[s].meaning);
        used += screen_put_clipped(y, x + used, width - used, part, attr);
        free(part);
        at = start + line->spans[s].length;
    }
    return used;
}

/* ASCII stand-ins for the characters the seeds use. */
static const char *ascii_for(wchar_t c)
{
    switch (c) {
    case 0x2018: case 0x2019: case 0x201B: case 0x2032: return "'";
    case 0x201C: case 0x201D: case 0x201F: case 0x2033: return "\"";
    case 0x2013: case 0x2014: case 0x2212: case 0x2010: case 0x2011: return "-";
    case 0x2026: return "...";
    case 0x00A3: return "GBP";
    case 0x20AC: return "EUR";
    case 0x00A0: case 0x2009: case 0x202F: return " ";
    case 0x2022: case 0x00B7: return "*";
    case 0x2192: return "->";
    case 0x2190: return "<-";
    case 0x2191: return "^";
    case 0x2193: return "v";
    case 0x2265: return ">=";
    case 0x2264: return "<=";
    case 0x00D7: return "x";
    case 0x00BD: return "1/2";
    case 0x00E9: case 0x00E8: return "e";
    default: return "?";
    }
}

/* Text as cells: wide characters with their widths, ready to draw. */
struct glyphs {
    wchar_t *chars;
    signed char *widths;
    size_t count;
    int width;
};

static void glyphs_from(const char *text, struct glyphs *out)
{
    size_t length = strlen(text);
    out->chars = xmalloc((length * 3 + 1) * sizeof *out->chars);
    out->widths = xmalloc(length * 3 + 1);
    out->count = 0;
    out->width = 0;
    size_t at = 0;
    while (at < length) {
        wchar_t c;
        size_t used = utf8_decode(text + at, length - at, &c);
        if (!used) {
            c = 0xFFFD; /* a byte that is not UTF-8 */
            used = 1;
        }
        at += used;
        if (character_is_control(c))
            c = ' '; /* never send a control character to the terminal */
        if (ascii_mode && c >= 0x80) {
            for (const char *a = ascii_for(c); *a; a++) {
                out->chars[out->count] = (wchar_t)*a;
                out->widths[out->count++] = 1;
                out->width++;
            }
            continue;
        }
        int w = character_width(c);
        if (w < 0) {
            c = ascii_mode ? '?' : 0xFFFD;
            w = 1;
        }
        out->chars[out->count] = c;
        out->widths[out->count++] = (signed char)w;
        out->width += w;
    }
    out->chars[out->count] = 0;
}

static void glyphs_free(struct glyphs *glyphs)
{
    free(glyphs->chars);
    free(glyphs->widths);
}

int screen_text_width(const struct screen_style *style, const char *text)
{
    if (!style->ascii)
        return (int)display_width(text);
    /* ASCII stand-ins may be wider than what they stand for ("..."). */
    bool saved = ascii_mode;
    ascii_mode = style->ascii;
    struct glyphs glyphs;
    glyphs_from(text, &glyphs);
    ascii_mode = saved;
    int width = glyphs.width;
    glyphs_free(&glyphs);
    return width;
}

static int put_glyphs(int y, int x, const struct glyphs *glyphs, size_t count, attr_t attr)
{
    int used = 0;
    if (count == 0)
        return 0;
    attr_t saved_attr;
    short saved_pair;
    attr_get(&saved_attr, &saved_pair, NULL);
    attrset(attr);
    mvaddnwstr(y, x, glyphs->chars, (int)count);
    attrset(saved_attr);
    for (size_t i = 0; i < count; i++)
        used += glyphs->widths[i];
    return used;
}

static int put_text(int y, int x, int width, const char *text, attr_t attr, bool ellipsis)
{
    if (width <= 0 || !text || y < 0 || y >= LINES || x < 0 || x >= COLS)
        return 0;
    if (x + width > COLS)
        width = COLS - x;
    struct glyphs glyphs;
    glyphs_from(text, &glyphs);
    size_t count = glyphs.count;
    int used = glyphs.width;
    bool cut = used > width;
    if (cut) {
        int mark = ellipsis ? (ascii_mode ? (width >= 6 ? 3 : 0) : 1) : 0;
        int room = width - mark;
        used = 0;
        count = 0;
        while (count < glyphs.count && used + glyphs.widths[count] <= room)
            used += glyphs.widths[count++];
        /* Zero-width marks belong to the character before them. */
        while (count < glyphs.count && glyphs.widths[count] == 0)
            count++;
        int drawn = put_glyphs(y, x, &glyphs, count, attr);
        if (mark) {
            attr_t saved_attr;
            short saved_pair;
            attr_get(&saved_attr, &saved_pair, NULL);
            attrset(attr);
            if (ascii_mode)
                mvaddstr(y, x + drawn, "...");
            else
                mvaddwstr(y, x + drawn, L"\x2026");
            attrset(saved_attr);
            drawn += mark;
        }
        glyphs_free(&glyphs);
        return drawn;
    }
    int drawn = put_glyphs(y, x, &glyphs, count, attr);
    glyphs_free(&glyphs);
    return drawn;
}

int screen_put(int y, int x, int width, const char *text, attr_t attr)
{
    return put_text(y, x, width, text, attr, true);
}

int screen_put_clipped(int y, int x, int width, const char *text, attr_t attr)
{
    return put_text(y, x, width, text, attr, false);
}

void screen_fill(int y, int x, int width, attr_t attr)
{
    if (y < 0 || y >= LINES || x < 0 || x >= COLS)
        return;
    if (x + width > COLS)
        width = COLS - x;
    attr_t saved_attr;
    short saved_pair;
    attr_get(&saved_attr, &saved_pair, NULL);
    attrset(attr);
    mvhline(y, x, ' ', width);
    attrset(saved_attr);
}

void screen_badge(const struct screen_style *style, int y, int x, enum rag rag)
{
    char text[4] = {'[', rag_letter(rag), ']', '\0'};
    screen_put_clipped(y, x, 3, text, screen_rag_attr(style, rag));
}

int screen_wrap(const char *text, int width, screen_line_fn line, void *context)
{
    if (width < 1)
        width = 1;
    struct glyphs glyphs;
    glyphs_from(text, &glyphs);
    int lines = 0;
    size_t start = 0;
    /* Work in glyph indexes, then map back to a UTF-8 copy of each line. */
    while (start < glyphs.count || (lines == 0)) {
        size_t end = start, last_space = (size_t)-1;
        int used = 0;
        while (end < glyphs.count && used + glyphs.widths[end] <= width) {
            if (glyphs.chars[end] == ' ')
                last_space = end;
            used += glyphs.widths[end++];
        }
        size_t next = end;
        if (end < glyphs.count && last_space != (size_t)-1 && last_space > start) {
            end = last_space;
            next = last_space + 1;
        } else if (end == start && end < glyphs.count) {
            end = next = start + 1; /* one character wider than the line */
        }
        /* Encode glyphs[start, end) back to UTF-8, whatever the locale. */
        char *out = xmalloc((end - start) * 4 + 1);
        size_t n = 0;
        for (size_t i = start; i < end; i++)
            n += utf8_encode(glyphs.chars[i], out + n);
        out[n] = '\0';
        line(context, out);
        free(out);
        lines++;
        start = next;
        while (start < glyphs.count && glyphs.chars[start] == ' ')
            start++;
        if (start >= glyphs.count)
            break;
    }
    glyphs_free(&glyphs);
    return lines;
}

void screen_header_bar(const struct screen_style *style, const struct present_header *parts,
                       int sample_gap, int title_room)
{
    attr_t header = screen_pair_attr(style, PAIR_HEADER) | A_BOLD;
    screen_fill(0, 0, COLS, header);
    /* From the right: what the front end says (as at, mode or clock), the
     * month's badge, the open month's progress, SAMPLE DATA, the title.
     * The badge always shows (as the right-hand part does); the progress
     * only while the title keeps ten columns, SAMPLE DATA while it keeps
     * `title_room`; the title takes what is left. */
    char right[sizeof parts->right];
    snprintf(right, sizeof right, "%s", parts->right);
    char badge[40] = "", progress[72] = "";
    if (parts->badge[0])
        snprintf(badge, sizeof badge, "%s%s", parts->badge, parts->right[0] == ' ' ? " " : "  ");
    /* Too narrow for both: "as at Mar 2024" says "Mar 2024" (the badge stays). */
    char *as_at = strstr(right, "as at ");
    if (as_at && (int)(strlen(right) + strlen(badge)) + 1 > COLS)
        memmove(as_at, as_at + 6, strlen(as_at + 6) + 1);
    int right_width = (int)strlen(right);
    if (parts->progress[0])
        snprintf(progress, sizeof progress, "%s  ", parts->progress);
    int badge_width = (int)strlen(badge);
    int progress_width = screen_text_width(style, progress);
    int sample_width = parts->sample ? (int)strlen(PRESENT_SAMPLE_TEXT) : 0;
    int fixed = right_width + badge_width + 1;
    if (sample_width && COLS - fixed - sample_width - sample_gap < title_room)
        sample_width = 0; /* the title keeps its room; SAMPLE DATA goes */
    int sample_room = sample_width ? sample_width + sample_gap : 0;
    int progress_room = title_room > 10 ? title_room : 10;
    if (progress_width && COLS - fixed - sample_room - progress_width < progress_room)
        progress_width = 0; /* it goes first */
    int title_width = COLS - fixed - sample_room - progress_width;
    screen_put(0, 0, title_width, parts->title, header);
    int x = COLS - right_width - badge_width - progress_width;
    if (sample_width)
        screen_put_clipped(0, x - sample_width - 1, sample_width, PRESENT_SAMPLE_TEXT,
                           screen_meaning_attr(style, PRESENT_SAMPLE));
    if (progress_width && x >= 0)
        screen_put_clipped(0, x, progress_width, progress, header);
    x += progress_width;
    /* PROVISIONAL stands out as SAMPLE DATA does; the word carries it. */
    if (badge_width && x >= 0)
        screen_put_clipped(0, x, (int)strlen(parts->badge), badge,
                           strcmp(parts->badge, "PROVISIONAL") == 0
                               ? screen_meaning_attr(style, PRESENT_SAMPLE)
                               : header);
    screen_put_clipped(0, COLS - right_width > 0 ? COLS - right_width : 0, COLS, right, header);
}

void screen_too_small(int min_width, int min_height)
{
    erase();
    char advice[64];
    snprintf(advice, sizeof advice, "make it at least %dx%d", min_width, min_height);
    const char *lines[] = {"Terminal too small", advice};
    for (int i = 0; i < 2 && i < LINES; i++)
        screen_put(i, 0, COLS, lines[i], i == 0 ? A_BOLD : A_NORMAL);
}

bool screen_input_gone(void)
{
    /* A terminal that has gone away (its window closed with no SIGHUP to
     * us) reads as end of file at once, every time: without this check the
     * main loops would spin. */
    struct pollfd input = {.fd = fileno(stdin), .events = POLLIN};
    if (poll(&input, 1, 0) <= 0)
        return false;
    return (input.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

long long screen_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}
