/* settings.h — the user's settings file, $XDG_CONFIG_HOME/boardpack/config.yaml
 * (or ~/.config/boardpack/config.yaml): read with libyaml, never written.
 * See docs/browser.md, "Colours and terminals". */
#ifndef BOARDPACK_SETTINGS_H
#define BOARDPACK_SETTINGS_H

#include <stdbool.h>

#include "util.h"

enum theme { THEME_DEFAULT, THEME_COLOUR_BLIND, THEME_MONOCHROME };

/* One `bind:` entry, KEY: REQUEST, kept as written with where it was
 * written; the screen layer, which knows the keys and requests, checks it. */
struct config_binding {
    char *key;
    char *request;
    unsigned key_line, key_column;
    unsigned request_line, request_column;
};

struct config {
    enum theme theme;
    struct config_binding *bindings; /* bind: KEY: REQUEST ... */
    size_t binding_count;
    bool ascii;       /* ascii: true */
    bool no_mouse;    /* mouse: false */
    char *path;       /* the file read, or NULL if there was none */
};

/* The settings file's path (the caller frees it), from $XDG_CONFIG_HOME or
 * $HOME; NULL if neither is set. */
char *config_default_path(void);

/* Reads the file at `path`. A missing file gives the defaults and true; a
 * file with any problem gives false and a located error
 * ("FILE:LINE:COLUMN: error: ..."). */
bool config_read(const char *path, struct config *out, struct error *error);

/* Parses settings already in memory (for tests); display_name names them in
 * errors. */
bool config_read_bytes(const char *bytes, size_t length, const char *display_name,
                       struct config *out, struct error *error);

void config_free(struct config *config);

const char *theme_name(enum theme theme);

#endif
