/* forms.c — the form overlay's widget: a box of labelled one-line fields
 * (a node's or a metric's, as a board file names them), moved between with
 * Up/Down/Tab, edited in place, saved with Enter or Ctrl-S. It knows nothing
 * of boards or the store: screen.c builds a form from a node and hands what
 * changed to the command layer, which validates and writes it. */
#include <stdlib.h>
#include <string.h>

#include "screen_internal.h"
#include "util.h"

void form_clear(struct form *form)
{
    for (int i = 0; i < form->count; i++) {
        struct form_field *field = &form->fields[i];
        free(field->code);
        free(field->original);
        free(field->text);
    }
    free(form->title);
    memset(form, 0, sizeof *form);
}

static void field_set(struct form_field *field, const char *text)
{
    field->length = 0;
    size_t length = text ? strlen(text) : 0, at = 0;
    while (at < length && field->length < FORM_TEXT_MAX) {
        wchar_t c;
        size_t n = utf8_decode(text + at, length - at, &c);
        if (!n) {
            c = (unsigned char)text[at];
            n = 1;
        }
        field->text[field->length++] = c;
        at += n;
    }
    field->text[field->length] = 0;
    field->cursor = field->length;
    field->scroll = 0;
}

void form_add_field(struct form *form, const char *label, const char *name, const char *code,
                    const char *value)
{
    if (form->count >= FORM_FIELDS_MAX)
        return;
    struct form_field *field = &form->fields[form->count++];
    memset(field, 0, sizeof *field);
    field->label = label;
    field->name = name;
    field->code = xstrdup(code);
    /* A heading's text is kept: it may be built in a caller's buffer. */
    field->original = xstrdup(name ? (value ? value : "") : label);
    field->text = xcalloc(FORM_TEXT_MAX + 1, sizeof *field->text);
    field_set(field, value);
    if (form->focus < 0 || (name && !form->fields[form->focus].name))
        form->focus = form->count - 1;
}

void form_add_heading(struct form *form, const char *label)
{
    form_add_field(form, label, NULL, NULL, NULL);
}

char *form_value(const struct form *form, int index)
{
    const struct form_field *field = &form->fields[index];
    struct text_buffer out = {0};
    text_append(&out, "");
    for (size_t i = 0; i < field->length; i++) {
        char bytes[4];
        text_append_length(&out, bytes, utf8_encode(field->text[i], bytes));
    }
    /* Spaces typed around a value are not part of it. */
    char *text = out.data;
    size_t start = strspn(text, " "), length = strlen(text + start);
    while (length && text[start + length - 1] == ' ')
        length--;
    memmove(text, text + start, length);
    text[length] = '\0';
    return text;
}

bool form_field_changed(const struct form *form, int index)
{
    if (!form->fields[index].name)
        return false;
    char *value = form_value(form, index);
    bool changed = strcmp(value, form->fields[index].original) != 0;
    free(value);
    return changed;
}

int form_find(const struct form *form, const char *name)
{
    for (int i = 0; i < form->count; i++)
        if (form->fields[i].name && strcmp(form->fields[i].name, name) == 0)
            return i;
    return -1;
}

/* The next field that takes a value, `step` away (headings are skipped). */
static int next_field(const struct form *form, int from, int step)
{
    for (int i = from + step; i >= 0 && i < form->count; i += step)
        if (form->fields[i].name)
            return i;
    return from;
}

static void edit_field(struct form *form, struct form_field *field, wint_t key, bool function)
{
    if (function) {
        switch (key) {
        case KEY_LEFT: if (field->cursor) field->cursor--; break;
        case KEY_RIGHT: if (field->cursor < field->length) field->cursor++; break;
        case KEY_HOME: field->cursor = 0; break;
        case KEY_END: field->cursor = field->length; break;
        case KEY_BACKSPACE:
            if (field->cursor) {
                memmove(&field->text[field->cursor - 1], &field->text[field->cursor],
                        (field->length - field->cursor + 1) * sizeof *field->text);
                field->cursor--;
                field->length--;
            }
            break;
        case KEY_DC:
            if (field->cursor < field->length) {
                memmove(&field->text[field->cursor], &field->text[field->cursor + 1],
                        (field->length - field->cursor) * sizeof *field->text);
                field->length--;
            }
            break;
        default: break;
        }
        return;
    }
    if (key == 127 || key == 8) {
        edit_field(form, field, KEY_BACKSPACE, true);
    } else if (key == CTRL('a')) {
        field->cursor = 0;
    } else if (key == CTRL('e')) {
        field->cursor = field->length;
    } else if (key == CTRL('u')) {
        field->length = field->cursor = field->scroll = 0;
        field->text[0] = 0;
    } else if (key < 0x20 || key == 0x7F || (key >= 0x80 && key < 0xA0)) {
        snprintf(form->message, sizeof form->message, "%s",
                 "Control characters cannot be typed here.");
        form->message_is_error = true;
    } else if (field->length < FORM_TEXT_MAX) {
        memmove(&field->text[field->cursor + 1], &field->text[field->cursor],
                (field->length - field->cursor + 1) * sizeof *field->text);
        field->text[field->cursor++] = (wchar_t)key;
        field->length++;
    }
}

enum form_action form_key(struct form *form, const struct input_event *event, int *left)
{
    wint_t key = event->key;
    bool function = event->function;
    *left = form->focus;
    if (!function && key == 27)
        return FORM_CANCEL;
    if ((!function && (key == '\r' || key == '\n' || key == CTRL('s'))) ||
        (function && key == KEY_ENTER))
        return FORM_SAVE;
    int step = 0;
    if (function && (key == KEY_UP || key == KEY_BTAB))
        step = -1;
    else if ((function && key == KEY_DOWN) || (!function && key == '\t'))
        step = 1;
    if (step) {
        int to = next_field(form, form->focus, step);
        if (to == form->focus)
            return FORM_NONE;
        form->focus = to;
        return FORM_LEFT;
    }
    if (function && (key == KEY_RESIZE || key == KEY_MOUSE))
        return FORM_NONE;
    if (form->focus >= 0 && form->focus < form->count && form->fields[form->focus].name) {
        form->message[0] = '\0';
        edit_field(form, &form->fields[form->focus], key, function);
    }
    return FORM_NONE;
}

void form_draw(struct form *form, int *cursor_y, int *cursor_x)
{
    *cursor_y = *cursor_x = -1;
    int width = COLS - 4 < 78 ? COLS - 4 : 78;
    int height = form->count + 4 < LINES - 2 ? form->count + 4 : LINES - 2;
    if (width < 24 || height < 5)
        return;
    int x = (COLS - width) / 2, y = 1;
    int shown = height - 3; /* the title, the message and the keys take three */
    if (form->focus < form->top)
        form->top = form->focus;
    if (form->focus >= form->top + shown)
        form->top = form->focus - shown + 1;
    for (int i = 0; i < height; i++)
        screen_fill(y + i, x, width, A_REVERSE);
    screen_put(y, x + 1, width - 2, form->title, A_REVERSE | A_BOLD);
    const int label_width = 17;
    for (int i = 0; i < shown && form->top + i < form->count; i++) {
        int index = form->top + i;
        struct form_field *field = &form->fields[index];
        int row = y + 1 + i;
        if (!field->name) {
            screen_put(row, x + 2, width - 4, field->original, A_REVERSE | A_BOLD);
            continue;
        }
        bool on = index == form->focus;
        char label[64];
        snprintf(label, sizeof label, "%s%s", form_field_changed(form, index) ? "*" : " ",
                 field->label);
        screen_put(row, x + 1, label_width, label, A_REVERSE);
        int at = x + 1 + label_width, room = width - label_width - 2;
        attr_t attr = on ? (A_NORMAL | A_UNDERLINE) : A_REVERSE;
        screen_fill(row, at, room, attr);
        /* Keep the cursor inside the visible part of the field. */
        if (field->cursor < field->scroll)
            field->scroll = field->cursor;
        int columns = 0;
        for (size_t c = field->scroll; c < field->cursor; c++)
            columns += wcwidth(field->text[c]) > 0 ? wcwidth(field->text[c]) : 1;
        while (columns >= room && field->scroll < field->cursor) {
            columns -= wcwidth(field->text[field->scroll]) > 0 ? wcwidth(field->text[field->scroll])
                                                               : 1;
            field->scroll++;
        }
        attr_t saved;
        short pair;
        attr_get(&saved, &pair, NULL);
        attrset(attr);
        int drawn = 0;
        for (size_t c = field->scroll; c < field->length; c++) {
            int w = wcwidth(field->text[c]);
            if (w < 1)
                w = 1;
            if (drawn + w > room)
                break;
            wchar_t one[2] = {field->text[c], 0};
            mvaddwstr(row, at + drawn, one);
            drawn += w;
        }
        attrset(saved);
        if (on) {
            *cursor_y = row;
            *cursor_x = at + columns;
        }
    }
    screen_put(y + height - 2, x + 1, width - 2, form->message,
               form->message_is_error ? (A_REVERSE | A_BOLD) : A_REVERSE);
    screen_put(y + height - 1, x + 1, width - 2,
               "Up/Down/Tab: field  Enter or Ctrl-S: save  Esc: cancel  (*: changed)",
               A_REVERSE | A_DIM);
}
