/* month.c — which month a view shows (docs/months.md): a published month
 * as it was published, a month as the store has it now, or the working
 * figures with the open month allowed for. Reads only; the writes are in
 * command.c. */
#include "command.h"

#include <stdlib.h>
#include <string.h>

/* The publication of `month`, if any: *found says. */
static bool find_publication(struct store *store, const char *board_code, yearmonth month,
                             struct publication *out, bool *found, struct error *error)
{
    struct publication *list = NULL;
    size_t count = 0;
    if (!store_list_publications(store, board_code, &list, &count, error))
        return false;
    *found = false;
    for (size_t i = 0; i < count; i++) {
        if (list[i].month == month || (month == YEARMONTH_NONE && i == count - 1)) {
            *out = list[i];
            list[i].published_by = list[i].published_at = NULL;
            *found = true;
        }
    }
    publications_free(list, count);
    return true;
}

bool command_load_published(struct store *store, const char *board_code, yearmonth month,
                            struct board **out, bool *found, struct error *error)
{
    struct publication publication = {0};
    if (!find_publication(store, board_code, month, &publication, found, error))
        return false;
    if (!*found)
        return true;
    char *snapshot = NULL;
    size_t length = 0;
    struct board_months months;
    struct board *board = NULL;
    bool ok = store_board_months(store, board_code, &months, error) &&
              store_publication_snapshot(store, publication.id, &snapshot, &length, error) &&
              command_read_snapshot(snapshot, length, publication.month, &board, error);
    free(snapshot);
    if (ok) {
        board->months.open = months.open;
        board->months.last_published = months.last_published;
        board->months.published_by = publication.published_by;
        board->months.published_at = publication.published_at;
        publication.published_by = publication.published_at = NULL;
        board->months.revisions = publication.revisions;
        ok = store_fill_previous(store, board, publication.month, error);
    }
    free(publication.published_by);
    free(publication.published_at);
    if (!ok) {
        board_free(board);
        return false;
    }
    *out = board;
    return true;
}

bool command_load_view(struct store *store, const char *board_code, enum view_month view,
                       yearmonth as_of, struct board **out, yearmonth *evaluate_at,
                       struct error *error)
{
    *evaluate_at = YEARMONTH_NONE;
    bool found = false;
    if (view != VIEW_WORKING) {
        /* A published month shows as it was published. */
        if (!command_load_published(store, board_code, view == VIEW_MONTH ? as_of : YEARMONTH_NONE,
                                    out, &found, error))
            return false;
        if (found)
            return true;
    }
    if (view == VIEW_MONTH) {
        if (!store_load_board(store, board_code, as_of, out, error))
            return false;
        (*out)->months.shown = as_of;
        *evaluate_at = as_of;
        return true;
    }
    /* The working figures: also what the newest-published view falls back
     * to on a board with nothing published (PROVISIONAL). */
    return store_load_board(store, board_code, YEARMONTH_NONE, out, error);
}
