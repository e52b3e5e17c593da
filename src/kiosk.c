/* kiosk.c — the meeting-room display (being written). */
#include "screen_internal.h"
#include "util.h"

int kiosk_run(struct store *store, const struct screen_options *options, struct error *error)
{
    (void)store;
    (void)options;
    error_set(error, EXIT_SOFTWARE, "Kiosk mode is not built yet.");
    return EXIT_SOFTWARE;
}
