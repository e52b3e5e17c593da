/* viewer_write.c — the server refuses a viewer's write even when our own
 * gate is bypassed (tests/pg/pg_roles.sh). It opens the store READ_WRITE
 * (no --read-only, no gate), takes the writers' lock with store_begin and
 * calls the store's write functions directly: store_put_reading, then
 * store_add_audit. Each must fail, and the error must be the server's
 * refusal ("the server refused: permission denied ..."), not ours.
 *
 *   viewer_write URI BOARD METRIC
 *
 * Prints one line per write ("put_reading: refused: MESSAGE") and exits 0
 * only if every write was refused by the server; 1 if one succeeded or
 * failed for another reason; 2 on a usage or set-up error. */
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "store.h"
#include "util.h"

/* A refusal from the server, as store.c words it (fail_pg: SQLSTATE 42501
 * insufficient_privilege, or 25006 read_only_sql_transaction). */
static bool server_refused(const struct error *error)
{
    return strstr(error->message, "the server refused: ") != NULL &&
           (strstr(error->message, "permission denied") != NULL ||
            strstr(error->message, "read-only transaction") != NULL);
}

/* One write attempt after store_begin: its outcome, the transaction rolled
 * back either way (nothing is ever committed). */
static bool refused(struct store *store, const char *what, bool ok, struct error *error)
{
    if (ok) {
        /* The write went through: commit would make it stick; never do. */
        store_rollback(store);
        printf("%s: NOT refused: the write succeeded\n", what);
        return false;
    }
    store_rollback(store);
    if (!server_refused(error)) {
        printf("%s: failed, but not by the server's refusal: %s\n", what, error->message);
        return false;
    }
    printf("%s: refused: %s\n", what, error->message);
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: viewer_write URI BOARD METRIC\n");
        return 2;
    }
    struct error error = {0};
    struct store *store = NULL;
    if (!store_open(argv[1], STORE_READ_WRITE, false, &store, &error)) {
        fprintf(stderr, "viewer_write: cannot open the store: %s\n", error.message);
        return 2;
    }
    if (store_is_read_only(store)) {
        fprintf(stderr, "viewer_write: the store opened read-only; the gate, not the server, "
                        "would refuse\n");
        store_close(store);
        return 2;
    }
    struct metric_ref metric = {0};
    if (!store_find_metric(store, argv[2], argv[3], &metric, &error)) {
        fprintf(stderr, "viewer_write: no metric %s on board %s: %s\n", argv[3], argv[2],
                error.message);
        store_close(store);
        return 2;
    }
    yearmonth period;
    yearmonth_parse("2024-03", &period);
    int failures = 0;

    /* store_begin itself is allowed (a viewer may take an advisory lock and
     * open a transaction): the refusal must come at the write. */
    error_clear(&error);
    if (!store_begin(store, &error)) {
        printf("store_begin: failed before any write: %s\n", error.message);
        failures++;
    } else {
        bool had_old = false;
        double old_value = 0;
        bool ok = store_put_reading(store, metric.metric_id, period, "", 12.5,
                                    "written past the gate", "viewer_write", "2024-04-01T00:00:00Z",
                                    &had_old, &old_value, &error);
        failures += !refused(store, "put_reading", ok, &error);
    }

    error_clear(&error);
    if (!store_begin(store, &error)) {
        printf("store_begin: failed before any write: %s\n", error.message);
        failures++;
    } else {
        bool ok = store_add_audit(store, "viewer_write", "2024-04-01T00:00:00Z", "record-reading",
                                  argv[2], argv[3], NULL, "2024-03=12.5", &error);
        failures += !refused(store, "add_audit", ok, &error);
    }

    metric_ref_free(&metric);
    store_close(store);
    return failures == 0 ? 0 : 1;
}
