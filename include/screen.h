/* screen.h — the browser: the only layer that includes curses. It reads
 * through the store and model layers and changes data only through the
 * command layer. */
#ifndef BOARDPACK_SCREEN_H
#define BOARDPACK_SCREEN_H

#include <stdbool.h>
#include <stdio.h>

#include "settings.h"
#include "model.h"
#include "store.h"
#include "util.h"

enum screen_mode { SCREEN_EDIT, SCREEN_READ_ONLY, SCREEN_KIOSK };

struct screen_options {
    const char *board_code;   /* the board to open first */
    enum screen_mode mode;
    int cycle_seconds;        /* kiosk: seconds per aim (default 20) */
    bool no_color;            /* --no-color or NO_COLOR set */
    enum theme theme;         /* from the settings file */
    bool ascii;               /* --ascii, or the locale is not UTF-8 */
    bool no_mouse;
    bool first_frame_only;    /* draw one complete frame and exit (benchmarks) */
    const struct config_binding *bindings; /* the settings file's bind: */
    size_t binding_count;
    const char *settings_path; /* names the settings file in errors */
};

/* Every request of the browser and the kiosk, one a line: front end, name,
 * default keys, help (tab-separated), for `boardpack --list-requests` and
 * the test that keeps the man page complete. */
void screen_list_requests(FILE *out);

/* Runs the browser until the user quits. Returns an exit status; on failure
 * *error says why in one sentence. */
int screen_run(struct store *store, const struct screen_options *options, struct error *error);

#endif
