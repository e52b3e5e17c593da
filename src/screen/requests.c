/* requests.c — the request table (REQUEST_TABLE in screen_internal.h) made
 * into data: names, keymaps and the settings file's `bind:`, the help and
 * hint lines, and request_dispatch, the one place a request runs and so the
 * one read-only gate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screen_internal.h"
#include "util.h"

static const struct request_info table[] = {
#define REQUEST_ROW(id, name_, flags_, hint_at_, hint_, help_, ...)                            \
    {.request = REQ_##id, .name = #name_, .flags = (flags_), .hint_at = (hint_at_),            \
     .hint = (hint_), .help = (help_), .keys = {__VA_ARGS__}},
    REQUEST_TABLE(REQUEST_ROW)
#undef REQUEST_ROW
};
#define TABLE_SIZE (sizeof table / sizeof table[0])

/* Names as users write them: "move-up". */
static char names[TABLE_SIZE][32];

static void make_names(void)
{
    if (names[0][0])
        return;
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        snprintf(names[i], sizeof names[i], "%s", table[i].name);
        for (char *c = names[i]; *c; c++)
            if (*c == '_')
                *c = '-';
    }
}

const struct request_info *request_info(enum request request)
{
    if (request <= REQ_NONE || request >= REQUEST_COUNT)
        return NULL;
    return &table[request - 1];
}

static const char *request_name(const struct request_info *info)
{
    make_names();
    return names[info - table];
}

enum request request_named(const char *name)
{
    make_names();
    for (size_t i = 0; i < TABLE_SIZE; i++)
        if (strcmp(name, names[i]) == 0 || strcmp(name, table[i].name) == 0)
            return table[i].request;
    return REQ_NONE;
}

/* ---- Key names ------------------------------------------------------------ */

static const struct {
    int key;
    const char *name;
} key_names[] = {
    {KEY_UP, "Up"},       {KEY_DOWN, "Down"},   {KEY_LEFT, "Left"},   {KEY_RIGHT, "Right"},
    {KEY_HOME, "Home"},   {KEY_END, "End"},     {KEY_PPAGE, "PgUp"},  {KEY_NPAGE, "PgDn"},
    {KEY_ENTER, "Enter"}, {'\r', "Enter"},      {'\n', "Enter"},      {'\t', "Tab"},
    {' ', "Space"},       {KEY_DC, "Delete"},   {KEY_IC, "Insert"},   {KEY_BACKSPACE, "Backspace"},
};

void bound_key_name(int key, char *out, size_t size)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (key_names[i].key == key) {
            snprintf(out, size, "%s", key_names[i].name);
            return;
        }
    if (key >= KEY_F(1) && key <= KEY_F(12))
        snprintf(out, size, "F%d", key - KEY_F(0));
    else if (key > 0 && key < 0x20)
        snprintf(out, size, "Ctrl-%c", key + '@');
    else if (key > 0x20 && key < 0x7F)
        snprintf(out, size, "%c", key);
    else
        snprintf(out, size, "key %d", key);
}

int bound_key_parse(const char *name)
{
    if (name[0] && !name[1] && name[0] > 0x20 && name[0] < 0x7F)
        return name[0];
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strcmp(key_names[i].name, name) == 0)
            return key_names[i].key;
    if ((strncmp(name, "Ctrl-", 5) == 0 || strncmp(name, "C-", 2) == 0)) {
        const char *letter = name[1] == '-' ? name + 2 : name + 5;
        char c = letter[0];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        /* Ctrl-C, Ctrl-Z and Ctrl-\ stay the terminal's; Ctrl-[ is Esc and
         * Ctrl-I, Ctrl-M and Ctrl-J are Tab and Enter. */
        if (c >= 'A' && c <= 'Z' && !letter[1] && c != 'C' && c != 'Z' && c != 'I' && c != 'M' &&
            c != 'J')
            return c - '@';
        return -1;
    }
    if (name[0] == 'F' && name[1]) {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (!*end && n >= 1 && n <= 12)
            return KEY_F((int)n);
    }
    return -1;
}

/* ---- Keymaps -------------------------------------------------------------- */

static bool belongs(const struct request_info *info, bool kiosk)
{
    return ((info->flags & REQUEST_KIOSK) != 0) == kiosk;
}

void keymap_default(struct keymap *map, bool kiosk)
{
    memset(map, 0, sizeof *map);
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        if (!belongs(&table[i], kiosk))
            continue;
        for (size_t k = 0; k < REQUEST_KEYS_MAX && table[i].keys[k]; k++)
            map->keys[table[i].keys[k]] = table[i].request;
    }
}

enum request keymap_lookup(const struct keymap *map, int key)
{
    if (key <= 0 || key > KEY_MAX)
        return REQ_NONE;
    return map->keys[key];
}

bool keymap_apply(struct keymap *map, bool kiosk, const struct config_binding *bindings,
                  size_t count, const char *file, struct error *error)
{
    for (size_t i = 0; i < count; i++) {
        const struct config_binding *bind = &bindings[i];
        int key = bound_key_parse(bind->key);
        if (key < 0) {
            error_set_at(error, file, bind->key_line, bind->key_column,
                         "'%s' is not a key boardpack knows (a letter, Up, PgDn, Enter, Tab, "
                         "Space, Home, F1-F12, Ctrl-A ...)",
                         bind->key);
            return false;
        }
        enum request request = REQ_NONE;
        if (strcmp(bind->request, "none") != 0) {
            request = request_named(bind->request);
            if (request == REQ_NONE) {
                error_set_at(error, file, bind->request_line, bind->request_column,
                             "'%s' is not a request; boardpack --list-requests names them, or "
                             "'none' unbinds the key",
                             bind->request);
                return false;
            }
        }
        /* One bind: section for both: each front end takes its own
         * requests' bindings (the kiosk's are next-aim, previous-aim and
         * pause, none of which changes anything). */
        if (request != REQ_NONE && !belongs(request_info(request), kiosk))
            continue;
        if (key <= KEY_MAX)
            map->keys[key] = request;
        /* Enter arrives as \r, \n or KEY_ENTER: bind them together. */
        if (key == KEY_ENTER)
            map->keys['\r'] = map->keys['\n'] = request;
    }
    return true;
}

void keymap_keys_text(const struct keymap *map, enum request request, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    char seen[8][16];
    int seen_count = 0;
    /* Function keys first ("Up k", "? F1" keep the defaults' look): the
     * default keys in their order, then any other bound key. */
    const struct request_info *info = request_info(request);
    int order[KEY_MAX + 1 + REQUEST_KEYS_MAX];
    int n = 0;
    for (size_t k = 0; info && k < REQUEST_KEYS_MAX && info->keys[k]; k++)
        order[n++] = info->keys[k];
    for (int key = 1; key <= KEY_MAX; key++)
        order[n++] = key;
    for (int i = 0; i < n; i++) {
        int key = order[i];
        if (key > KEY_MAX || map->keys[key] != request)
            continue;
        char name[16];
        bound_key_name(key, name, sizeof name);
        bool again = false;
        for (int s = 0; s < seen_count && !again; s++)
            again = strcmp(seen[s], name) == 0;
        if (again || seen_count == 8)
            continue;
        snprintf(seen[seen_count++], sizeof seen[0], "%s", name);
        used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%s",
                                 used ? " " : "", name);
        if (used >= size)
            break;
    }
}

/* ---- Dispatch ------------------------------------------------------------- */

unsigned request_dispatch(const struct request_target *target, enum request request)
{
    const struct request_info *info = request_info(request);
    if (!info || !target->handlers[request])
        return RESULT_UNHANDLED;
    if (info->flags & REQUEST_MUTATES) {
        const char *why = target->refusal
                              ? target->refusal(target->context, info, target->message,
                                                target->message_size)
                              : "This request changes data; nothing can be changed here.";
        if (why) {
            if (target->message && why != target->message)
                snprintf(target->message, target->message_size, "%s", why);
            return RESULT_HANDLED | RESULT_REDRAW | RESULT_REFUSED;
        }
    }
    if ((info->flags & REQUEST_NEEDS_ROW) && !target->has_row)
        return RESULT_HANDLED;
    if (target->view && target->view->request) {
        unsigned result = target->view->request(target->context, request);
        if (result != RESULT_UNHANDLED)
            return result;
    }
    return target->handlers[request](target->context);
}

/* ---- Help, hint, listing -------------------------------------------------- */

char **request_help_lines(const struct keymap *map, bool kiosk, bool writable, bool mouse,
                          int *count)
{
    char **lines = xcalloc(TABLE_SIZE + 2, sizeof *lines);
    *count = 0;
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        if (!belongs(&table[i], kiosk))
            continue;
        char keys[64];
        keymap_keys_text(map, table[i].request, keys, sizeof keys);
        if (!keys[0])
            continue; /* unbound in the settings file */
        bool on = writable || !(table[i].flags & REQUEST_MUTATES);
        lines[(*count)++] = xasprintf("%-14s %s%s", keys, table[i].help,
                                      on ? "" : "  (not available in this mode)");
    }
    if (mouse)
        lines[(*count)++] =
            xstrdup("mouse          click selects, click again expands, wheel scrolls");
    return lines;
}

void request_hint(bool writable, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int at = 1; at <= (int)TABLE_SIZE; at++)
        for (size_t i = 0; i < TABLE_SIZE; i++) {
            if (table[i].hint_at != at || !table[i].hint)
                continue;
            if (!writable && (table[i].flags & REQUEST_MUTATES))
                continue;
            used += (size_t)snprintf(out + used, used < size ? size - used : 0, " %s%s",
                                     table[i].hint, " ");
        }
    /* " ?:help  arrows/hjkl:move  ..." : one space before each, two between. */
    if (used && used < size)
        out[--used] = '\0';
    if (!writable)
        snprintf(out + used, used < size ? size - used : 0, "%s",
                 "  (read-only: editing keys off)");
}

void screen_list_requests(FILE *out)
{
    for (int kiosk = 0; kiosk < 2; kiosk++) {
        struct keymap map;
        keymap_default(&map, kiosk);
        for (size_t i = 0; i < TABLE_SIZE; i++) {
            if (!belongs(&table[i], kiosk))
                continue;
            char keys[64];
            keymap_keys_text(&map, table[i].request, keys, sizeof keys);
            fprintf(out, "%s\t%s\t%s\t%s\n", kiosk ? "kiosk" : "browser",
                    request_name(&table[i]), keys, table[i].help);
        }
    }
}
