/* store.h — the store: boards, readings, the audit log and the statuses kept
 * for speed. Callers name a store by a location string and never see how it
 * is kept: a SQLite file, or a PostgreSQL database (a postgresql:// or
 * postgres:// URI, or service=NAME). The only code that runs SQL is behind
 * this header; every statement is prepared and nothing is built from
 * input. The store
 * does not work out statuses: the command layer does, with the rules, and
 * hands them to store_save_statuses. */
#ifndef BOARDPACK_STORE_H
#define BOARDPACK_STORE_H

#include <stdbool.h>

#include "model.h"
#include "rules.h"
#include "util.h"

struct store;

enum store_access {
    STORE_READ_WRITE,
    STORE_READ_ONLY, /* nothing can be written through this connection */
};

/* True if `location` names a database server's store (a postgresql:// or
 * postgres:// URI, or a libpq service= string), not a file. */
bool store_is_server(const char *location);
/* The location as messages name it (to free): a file's path, or a
 * server's database, never a password a URI may carry. */
char *store_location_label(const char *location);

/* True if there is a store at `location` (it may still be unreadable). */
bool store_exists(const char *location);

/* Opens the store at `location` (today a file path). With create, a missing
 * store is created empty and private to its owner (and the folders above
 * it), and an older schema is upgraded. A read-write open of a store the
 * user may not write falls back to read-only; store_is_read_only tells (on
 * PostgreSQL, where the server's grants decide, store_may_write). */
bool store_open(const char *location, enum store_access access, bool create,
                struct store **out, struct error *error);
/* The same, waiting at most busy_timeout_ms for a lock while opening (and
 * after, until store_set_busy_timeout) instead of the default 5 s. */
bool store_open_waiting(const char *location, enum store_access access, bool create,
                        int busy_timeout_ms, struct store **out, struct error *error);
void store_close(struct store *store);
/* Closes a store and, if this connection created it (store_open with
 * create on a location with no store, or store_create_unpublished),
 * removes it again: for a first import that failed. Otherwise the same as
 * store_close. */
void store_discard(struct store *store);

/* A new, empty store that nobody else sees until store_publish puts it at
 * `location`: the first run fills it (seeding) and then publishes it, so
 * nobody sees a half-filled store. */
bool store_create_unpublished(const char *location, struct store **out, struct error *error);
/* Closes the store and puts it in place. If another store appeared at the
 * location meanwhile (two first runs at once), that one stays and this one
 * is dropped: still a success. Either way the connection is gone. */
bool store_publish(struct store *store, struct error *error);

/* Writes a consistent copy of the store (as it stood at one commit) to the
 * file `path`, while other programs read and write it: written beside
 * `path` under a temporary name, owner-only (0600), synced, then renamed
 * into place, so `path` is never half-written. An existing `path` is
 * refused (EXIT_CANNOT_CREATE) unless overwrite. */
bool store_backup(struct store *store, const char *path, bool overwrite, struct error *error);

/* Copies every row of `from` (boards, readings, history, publications,
 * audit: the whole store) into `to`, which must hold nothing, in one
 * transaction: between SQLite and PostgreSQL either way. Each table's rows
 * are counted on both sides before the commit. */
struct store_copy_options {
    void (*on_table)(void *context, const char *table, long long rows); /* NULL: quiet */
    void *context;
    long long *total_rows; /* NULL: not wanted */
};
bool store_copy(struct store *from, struct store *to, const struct store_copy_options *options,
                struct error *error);

/* How long a write waits for another writer before giving up (default 5 s). */
void store_set_busy_timeout(struct store *store, int milliseconds);
bool store_is_read_only(const struct store *store);
/* Whether this account can change the store at all: false if it is open
 * read-only, and on PostgreSQL if the server will refuse every write (a
 * viewer's login, a hot standby), which a read-write open does not find
 * out by itself. The browser opens READ-ONLY then; a command's write is
 * left to the server to refuse. One round trip on PostgreSQL. */
bool store_may_write(struct store *store);
/* The location the store was opened with. */
const char *store_path(const struct store *store);
/* True if the store holds no board yet. */
bool store_is_empty(struct store *store);
int store_schema_version(struct store *store);

/* Noticing change. A reader takes a mark before it loads, and at each poll
 * asks what happened since. The fields are the store's own: callers only
 * keep the mark and hand it back. */
struct store_mark {
    long long version;
    long long modified_ns;
    long long size;
};
/* False if the store cannot be read. */
bool store_mark(struct store *store, struct store_mark *mark);
enum store_change {
    STORE_UNCHANGED,
    STORE_CHANGED,       /* another connection committed: load again */
    STORE_NEEDS_REOPEN,  /* changed with no commit this connection can see (the
                          * file written over in place), or unreadable: only a
                          * fresh connection (store_open) reads it reliably */
};
/* What happened since `mark`. A connection's own commits are not
 * STORE_CHANGED (the caller knows of them). STORE_NEEDS_REOPEN can also
 * follow a writer emptying its log into the file after it committed: opening
 * again then costs a little and reads the same data. */
enum store_change store_changed_since(struct store *store, const struct store_mark *mark);
/* How often a reader should call store_changed_since, in milliseconds:
 * `file_ms` (the caller's own choice) for a SQLite file; 100 for a
 * PostgreSQL store, where a commit is heard at once (NOTIFY) and asking
 * reads only what already arrived on the connection. */
int store_poll_ms(const struct store *store, int file_ms);
/* False once the location no longer names the store this connection opened:
 * it was moved, replaced or deleted (a reader should open it again). */
bool store_is_same(struct store *store);

/* Transactions: every write is one BEGIN IMMEDIATE ... COMMIT. */
bool store_begin(struct store *store, struct error *error);
bool store_commit(struct store *store, struct error *error);
void store_rollback(struct store *store);
/* store_begin for a feed of many readings (command_import_readings_csv):
 * SQLite's foreign key checks are off until the transaction's commit or
 * rollback. A feed writes only metric ids it has read from the store
 * under the same write lock, so the check cannot fail; made per row, it
 * costs a statement journal per row (a fifth of a feed's time). */
bool store_begin_feed(struct store *store, struct error *error);

/* What an import wrote, reported to the caller as it goes (in the import's
 * transaction) so that it can audit it and keep an undo record. Pointers
 * are valid only during the call. */
enum store_written_kind {
    STORE_WROTE_BOARD,            /* a board file created the board */
    STORE_WROTE_READING,          /* every reading put, new or replacing one */
    STORE_WROTE_MILESTONE_UPDATE, /* a milestone update added (row_id) */
    STORE_WROTE_COMMENT,          /* a comment added (row_id) */
};
struct store_written {
    enum store_written_kind kind;
    const char *board_code;
    const struct reading *reading;          /* STORE_WROTE_READING */
    bool sample;                            /* the row's sample flag as written */
    bool had_old;                           /* a reading was replaced: as it was */
    double old_value;
    const char *old_note, *old_entered_by, *old_entered_at;
    bool old_sample;
    const struct milestone_update *update;  /* STORE_WROTE_MILESTONE_UPDATE */
    const struct comment *comment;          /* STORE_WROTE_COMMENT */
    long long row_id;                       /* the update's or comment's row */
    bool unchanged; /* a reading the same as the stored one: not written, only told */
};
typedef bool store_import_written(void *context, const struct store_written *written,
                                  struct error *error);

/* Imports parsed board files in the current transaction. A readings-only
 * file adds readings to a board already in the store (or earlier in the
 * list); unknown metric codes are located errors against `file_names`.
 * It neither audits nor works out statuses: command_import_boards does,
 * told of every row it writes through `written` (NULL: not told). */
bool store_import_boards(struct store *store, struct board *const *boards,
                         const char *const *file_names, size_t count, bool sample,
                         const char *who, store_import_written *written, void *context,
                         struct error *error);

/* Board codes and titles, in the order they were first imported. */
struct board_summary {
    char *code;
    char *title;
};
bool store_list_boards(struct store *store, struct board_summary **out, size_t *count,
                       struct error *error);
void board_summaries_free(struct board_summary *list, size_t count);

/* Loads a whole board: nodes, metrics, readings (those not after as_of when
 * as_of is set), milestone updates and commentary. */
bool store_load_board(struct store *store, const char *code, yearmonth as_of,
                      struct board **out, struct error *error);

/* The whole board as kept, retired nodes and metrics included (each with
 * its `retired` month) and every reading: what `export` writes and what a
 * changed board file is compared with. store_load_board and the other loads
 * leave out what was retired at or before the month they show (the working
 * view: anything retired). */
bool store_load_board_with_retired(struct store *store, const char *code, struct board **out,
                                   struct error *error);

/* The same at the cost of a summary load (each metric's two latest
 * readings, not all of them; board.as_at the newest month of any reading):
 * enough to compare a board's structure with a changed one. */
bool store_load_board_structure(struct store *store, const char *code, struct board **out,
                                struct error *error);

/* Makes a board's structure in the store (title, period, purpose, vision,
 * values, SPC conflict rule; its nodes and metrics with every field, their
 * parents, order and `retired` months; trajectories and SPC rebases) that
 * of `target`, in the current transaction, writing only what differs.
 * `current` is the board as store_load_board_structure (or _with_retired)
 * loaded it in the same transaction. Nodes and metrics `target` does not have are removed,
 * with their readings and activity (the command layer keeps retired ones
 * in its target, so this happens only to undo an addition). New nodes get
 * the milestone status their board file gives. Codes identify nodes and
 * metrics. */
bool store_apply_structure(struct store *store, const struct board *current,
                           const struct board *target, const char *who, struct error *error);

/* The same for the latest month, but each metric holds only its two latest
 * whole-series readings (readings_partial is set) and board.newest_reading
 * says how far any segment goes: enough for every status and roll-up, at a
 * cost that follows the number of nodes, not of readings. */
bool store_load_board_summary(struct store *store, const char *code, struct board **out,
                              struct error *error);

/* The top of a board, for a browser whose cost follows the screen: the
 * board, its aims (children_loaded false) with their stored statuses
 * (node.stored_rag, stored_counts, child_count) and the board's
 * (board.stored_*, as_at, shows_sample); board.partial is set. */
bool store_load_board_top(struct store *store, const char *code, struct board **out,
                          struct error *error);

/* Loads the children of board.nodes[index] (metrics with their latest
 * readings, milestone updates, commentary, stored statuses) into the board
 * right after it, in tree order. Indexes after `index` move. */
bool store_load_children(struct store *store, struct board *board, size_t index,
                         struct error *error);

/* Keeps the statuses it is given for a board loaded with
 * store_load_board_summary (every node, with its kept status) in the current
 * transaction: `status` is that board's board_evaluate. Only the rows that
 * differ from the kept ones are written. The command layer works them out
 * and calls this after each change and each import. */
bool store_save_statuses(struct store *store, const struct board *board,
                         const struct board_status *status, struct error *error);
/* Reporting months (docs/months.md). Writes run in the caller's
 * transaction; the command layer validates and audits them. */
/* A board's open month and newest published month (the other fields
 * zero). */
bool store_board_months(struct store *store, const char *board_code, struct board_months *out,
                        struct error *error);
/* Sets (or with YEARMONTH_NONE clears) a board's open month. */
bool store_set_open_month(struct store *store, const char *board_code, yearmonth month,
                          struct error *error);
struct publication {
    long long id;
    yearmonth month;
    char *published_by;
    char *published_at;
    unsigned revisions; /* corrections to it (or an earlier month) made since */
};
/* A board's published months, oldest first. */
bool store_list_publications(struct store *store, const char *board_code,
                             struct publication **out, size_t *count, struct error *error);
void publications_free(struct publication *list, size_t count);
/* The board as published (a board file), NUL-terminated, for the caller to
 * free. */
bool store_publication_snapshot(struct store *store, long long publication_id, char **snapshot,
                                size_t *length, struct error *error);
/* Records a publication: the month, who and when, the board as published
 * (`snapshot`, a board file) and the status of every node of `board` and
 * of the whole board (`status`, that board's board_evaluate). */
bool store_add_publication(struct store *store, const char *board_code, yearmonth month,
                           const char *who, const char *when, const char *snapshot,
                           size_t length, const struct board *board,
                           const struct board_status *status, struct error *error);
/* Sets every node's previous status (has_previous, previous_rag) and
 * board.months.previous to the newest published month before `before`
 * (YEARMONTH_NONE: the newest of all), matching nodes by code. For a board
 * not loaded from the store (a published month's copy). */
bool store_fill_previous(struct store *store, struct board *board, yearmonth before,
                         struct error *error);
/* A correction to a published month (period at or before the newest
 * published month), with its reason. */
bool store_add_revision(struct store *store, const char *board_code, yearmonth period,
                        const char *node_code, const char *what, const char *old_value,
                        const char *new_value, const char *reason, const char *who,
                        const char *when, struct error *error);
struct revision {
    yearmonth period;      /* the month corrected */
    char *node_code;
    char *what;            /* "reading", "milestone", "comment", "delete-reading" */
    char *old_value, *new_value;
    char *reason, *who, *at;
    yearmonth after_month; /* the newest month published when it was made */
};
/* A board's corrections to published months, oldest first. */
bool store_list_revisions(struct store *store, const char *board_code, struct revision **out,
                          size_t *count, struct error *error);
void revisions_free(struct revision *list, size_t count);

/* Boards with no kept statuses yet (stores from before schema 3), for the
 * command layer to fill (command_keep_missing_statuses). */
bool store_boards_without_statuses(struct store *store, struct board_summary **out,
                                   size_t *count, struct error *error);

/* The first node after (forward) or before the one at `tree_order` whose
 * code, title or metric names contain `text` (case-insensitive) and that has
 * at least one deliverable below it (or is one) whose kept status is
 * `at_least` or worse (R > A > G > B; RAG_GREY: any node). *found false if
 * none. */
bool store_search_node(struct store *store, long long board_id, const char *text, int tree_order,
                       bool forward, enum rag at_least, char **code, bool *found,
                       struct error *error);

/* How many nodes match a search (as store_search_node), and how many of
 * them come at or before `tree_order`: "match 2 of 5". */
bool store_count_matches(struct store *store, long long board_id, const char *text,
                         int tree_order, enum rag at_least, int *position, int *total,
                         struct error *error);

/* The code of a node's parent (*found false for an aim). */
bool store_node_parent(struct store *store, long long board_id, const char *code, char **parent,
                       bool *found, struct error *error);

/* Replaces a metric's readings with all of them (every segment), e.g. for
 * the detail pane of a summary-loaded board; clears readings_partial. */
bool store_load_metric_readings(struct store *store, struct metric *metric, struct error *error);

/* Single writes, used by the command layer inside a transaction. Each
 * returns the old value through *old so the command can audit it. */
struct metric_ref {
    long long metric_id;
    enum unit unit;
    char *code;
    char *breakdown; /* NULL if the metric has no segments */
    yearmonth retired; /* the month it was retired; NONE while live */
    char **segments; /* the segments it declares; none: any is taken */
    size_t segment_count;
};
void metric_ref_free(struct metric_ref *ref);
bool store_find_metric(struct store *store, const char *board_code, const char *metric_code,
                       struct metric_ref *out, struct error *error);
bool store_find_node(struct store *store, const char *board_code, const char *node_code,
                     long long *node_id, bool *is_milestone, struct error *error);
/* The month a node was retired in (YEARMONTH_NONE while it is live). */
bool store_node_retired(struct store *store, const char *board_code, const char *node_code,
                        yearmonth *retired, struct error *error);
/* Puts a reading (replacing one for the same metric, period and segment).
 * *had_old says whether one was replaced, *old_value its value. */
bool store_put_reading(struct store *store, long long metric_id, yearmonth period,
                       const char *segment, double value, const char *note, const char *who,
                       const char *when, bool *had_old, double *old_value,
                       struct error *error);
/* The same, marking the reading as illustrative sample data or not. */
bool store_put_reading_sample(struct store *store, long long metric_id, yearmonth period,
                              const char *segment, double value, const char *note,
                              const char *who, const char *when, bool sample, bool *had_old,
                              double *old_value, struct error *error);
/* The stored reading for a metric, month and segment (NULL: the whole
 * series): *found false if none. Free it with reading_free_fields. */
bool store_get_reading(struct store *store, long long metric_id, yearmonth period,
                       const char *segment, struct reading *out, bool *found, struct error *error);

/* A reading from a feed (a readings CSV), in the current transaction: put
 * if the month and segment have none (STORE_PUT_NEW), left alone if the
 * stored one has the same value and note and is not sample data
 * (STORE_PUT_UNCHANGED, nothing written), else replaced
 * (STORE_PUT_REPLACED). *old holds the stored reading when there was one
 * (freed and refilled by each call; free the last with
 * store_old_reading_free). metric_latest is not refreshed per reading:
 * call store_refresh_latest once after the feed, in the same transaction. */
enum store_put_result { STORE_PUT_NEW, STORE_PUT_REPLACED, STORE_PUT_UNCHANGED };
struct store_old_reading {
    double value;
    char *note, *entered_by, *entered_at;
    bool sample;
};
void store_old_reading_free(struct store_old_reading *old);
bool store_put_feed_reading(struct store *store, long long metric_id, yearmonth period,
                            const char *segment, double value, const char *note,
                            const char *who, const char *when, enum store_put_result *result,
                            struct store_old_reading *old, struct error *error);
/* A feed's readings in batches: store_feed_put queues a reading, and
 * writes the queue, many readings to a statement, once it is full;
 * store_feed_flush writes what is left. Each reading, in the order put,
 * is then handed to `told` with what store_put_feed_reading would have
 * made of it (new, replaced with *old as it was, or unchanged), as if
 * they had been put one at a time. `tag` is the caller's, handed back. */
struct store_feed;
struct store_feed_row {
    long long metric_id;
    yearmonth period;
    char *segment; /* NULL: the whole series */
    double value;
    char *note;
    const void *tag;
};
typedef bool store_feed_written(void *context, const struct store_feed_row *row,
                                enum store_put_result result,
                                const struct store_old_reading *old, struct error *error);
struct store_feed *store_feed_start(struct store *store, const char *who, const char *when,
                                    store_feed_written *told, void *context);
bool store_feed_put(struct store_feed *feed, long long metric_id, yearmonth period,
                    const char *segment, double value, const char *note, const void *tag,
                    struct error *error);
bool store_feed_flush(struct store_feed *feed, struct error *error);
void store_feed_end(struct store_feed *feed);
/* Brings a board's metric_latest up to its readings (after a feed). */
bool store_refresh_latest(struct store *store, const char *board_code, struct error *error);
/* Every metric of a board, sorted by code (strcmp order), read once so a
 * feed of a million rows looks its codes up in memory. */
bool store_list_metric_refs(struct store *store, const char *board_code, struct metric_ref **out,
                            size_t *count, struct error *error);
void metric_refs_free(struct metric_ref *refs, size_t count);
bool store_delete_reading(struct store *store, long long metric_id, yearmonth period,
                          const char *segment, struct error *error);
bool store_add_milestone_update(struct store *store, long long node_id,
                                enum milestone_status status, yearmonth period,
                                const char *note, const char *who, const char *when,
                                long long *update_id, struct error *error);
/* The latest status recorded for a milestone; *found false if none. */
bool store_latest_milestone_status(struct store *store, long long node_id,
                                   enum milestone_status *status, bool *found,
                                   struct error *error);
/* A milestone update's or comment's row, as stored. */
enum store_row_kind { STORE_ROW_MILESTONE_UPDATE, STORE_ROW_COMMENT };
struct store_row {
    char *node_code;
    yearmonth period;
    enum milestone_status status; /* milestone updates */
    char *text;                   /* the update's note, or the comment */
    char *entered_by, *entered_at;
};
bool store_get_row(struct store *store, enum store_row_kind kind, long long row_id,
                   struct store_row *out, bool *found, struct error *error);
void store_row_free(struct store_row *row);
bool store_delete_milestone_update(struct store *store, long long update_id,
                                   struct error *error);
bool store_add_comment(struct store *store, long long node_id, yearmonth period,
                       const char *text, const char *who, const char *when,
                       long long *comment_id, struct error *error);
bool store_delete_comment(struct store *store, long long comment_id, struct error *error);
/* Removes a board whole: its readings, metrics, nodes, milestone updates,
 * commentary, kept statuses and the board, in the current transaction (for
 * undoing the import that created it). Audit rows stay. */
bool store_delete_board(struct store *store, const char *board_code, struct error *error);
bool store_add_audit(struct store *store, const char *who, const char *when,
                     const char *action, const char *board_code, const char *node_code,
                     const char *old_value, const char *new_value, struct error *error);

/* The newest audit row's id (0 if none), and how many rows a board has
 * after a given id: whether anything was written to it since. */
bool store_last_audit_id(struct store *store, long long *id, struct error *error);
bool store_audit_count_since(struct store *store, const char *board_code, long long after_id,
                             long long *count, struct error *error);

struct audit_entry {
    char *at;
    char *who;
    char *action;
    char *node_code;
    char *old_value;
    char *new_value;
};
/* Audit rows for a node of a board (node_code NULL: all), newest first. */
bool store_audit_log(struct store *store, const char *board_code, const char *node_code,
                     struct audit_entry **out, size_t *count, struct error *error);
void audit_entries_free(struct audit_entry *list, size_t count);

#endif
