/* screen.c — the browser (being written). */
#include "screen.h"

int screen_run(struct store *store, const struct screen_options *options, struct error *error)
{
    (void)store; (void)options;
    error_set(error, 1, "the browser is not built yet");
    return 1;
}
