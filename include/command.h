/* command.h — every change to a store goes through here: validated, one
 * BEGIN IMMEDIATE transaction, an audit row, and an undo record. The
 * `record` subcommand and the browser's editor share these functions. */
#ifndef BOARDPACK_COMMAND_H
#define BOARDPACK_COMMAND_H

#include "model.h"
#include "store.h"
#include "util.h"

/* Validation shared by every write path. Each returns false with a
 * one-sentence message in *error (status EXIT_DATA). */
bool command_parse_value(const char *text, enum unit unit, double *out, struct error *error);
bool command_parse_period(const char *text, yearmonth *out, struct error *error);
bool command_check_note(const char *text, struct error *error);
/* A reading's fields checked as `record` checks them, for a metric already
 * found: the segment (NULL: the whole series; else text on one line, and
 * only for a metric with a breakdown), the note, the month (not in the
 * future) and the value in the metric's unit. On failure *at says which
 * field is at fault. */
enum reading_field {
    READING_FIELD_METRIC,
    READING_FIELD_PERIOD,
    READING_FIELD_VALUE,
    READING_FIELD_SEGMENT,
    READING_FIELD_NOTE,
};
bool command_check_reading(const struct metric_ref *metric, const char *value_text,
                           const char *period_text, const char *segment, const char *note,
                           double *value, yearmonth *period, enum reading_field *at,
                           struct error *error);

/* What an applied command did, so it can be undone (and redone). An
 * import (CHANGE_IMPORT) is one change made of parts, in the order it wrote
 * them: a CHANGE_READING part for every reading it put (new, or replacing
 * one: had_old and the old value, note, who, when and sample flag), a
 * CHANGE_MILESTONE or CHANGE_COMMENT part for every row it added (row_id),
 * a CHANGE_IMPORT part (board_code only) for every board it created, and a
 * CHANGE_STRUCTURE part for a board in the store whose structure it changed
 * (old_board and new_board: the structure before and after, as board
 * files; undo makes the store's structure old_board's again, removing what
 * the change added, redo new_board's). */
enum change_kind { CHANGE_READING, CHANGE_MILESTONE, CHANGE_COMMENT, CHANGE_IMPORT,
                   CHANGE_STRUCTURE };
struct change {
    enum change_kind kind;
    char *board_code;     /* an import: its first file's board */
    char *node_code;      /* metric code for readings; NULL for an import */
    char *segment;        /* readings only; NULL for the whole series */
    yearmonth period;
    /* Readings: before and after. */
    bool had_old;
    double old_value;
    char *old_note;
    char *old_entered_by; /* import parts: the replaced row as it was */
    char *old_entered_at;
    bool old_sample;
    double new_value;
    char *new_note;
    bool new_sample;      /* import parts: the sample flag written */
    /* Milestones and comments: the row written. */
    enum milestone_status status;
    char *text;           /* an import: its files' names, ", " between */
    long long row_id;
    /* An import: its parts (owned), and the newest audit row when it (or
     * its redo) was written, to tell whether a board it created has been
     * written to since. */
    struct change *parts;
    size_t part_count, part_capacity;
    long long audit_id;
    /* A correction to a published month, or a removal: its reason (NULL
     * otherwise). */
    char *reason;
    /* A reading removed (command_delete_reading): the old fields are the
     * reading as it was; undo puts it back, redo removes it again. */
    bool removal;
    /* A structure change: the board's structure before and after, as board
     * files (command_board_structure written by boardfile_write_yaml). */
    char *old_board, *new_board;
    /* A reading: the months before it its series has no reading for
     * (NONE if none), for the front ends to say so. */
    yearmonth gap_first, gap_last;
};
void change_free(struct change *change);

/* Records a reading (replacing any for the same period and segment).
 * Readings, milestone updates and commentary are for period_text's month,
 * or with NULL the board's open month (refused when no month is open:
 * never the calendar's). A write to a published month (at or before the
 * newest one published) is a correction: refused without a `reason`,
 * and kept with it (store_add_revision) so the month shows as revised
 * after publication (docs/months.md). */
bool command_record_reading(struct store *store, const char *board_code, const char *metric_code,
                            const char *value_text, const char *period_text, const char *segment,
                            const char *note, const char *reason, struct change *done,
                            struct error *error);
bool command_set_milestone(struct store *store, const char *board_code, const char *node_code,
                           enum milestone_status status, const char *period_text,
                           const char *note, const char *reason, struct change *done,
                           struct error *error);
bool command_add_comment(struct store *store, const char *board_code, const char *node_code,
                         const char *text, const char *period_text, const char *reason,
                         struct change *done, struct error *error);
/* Removes a reading (boardpack delete): the month must be given, and a
 * reason, which the audit row keeps with the old value (and a revision,
 * if the month is published). Refused if there is no such reading. */
bool command_delete_reading(struct store *store, const char *board_code, const char *metric_code,
                            const char *period_text, const char *segment, const char *reason,
                            struct change *done, struct error *error);
/* Removes a milestone update or a comment (its row id, as loaded), with a
 * reason: audited with the row as it was; undo puts it back as entered. */
bool command_remove_milestone_update(struct store *store, const char *board_code,
                                     const char *node_code, long long update_id,
                                     const char *reason, struct change *done,
                                     struct error *error);
bool command_remove_comment(struct store *store, const char *board_code, const char *node_code,
                            long long comment_id, const char *reason, struct change *done,
                            struct error *error);
/* Whether a write to `period` on the board would correct a published month
 * (and so needs a reason): for a front end to ask for one first. */
bool command_correction_needed(struct store *store, const char *board_code, yearmonth period,
                               bool *needed, struct error *error);
/* Imports parsed board files (boardpack import): one transaction for all of
 * them, an "import" audit row per file (with what it added and replaced;
 * "import-sample" for sample data), an "import-replace-reading" row for
 * every reading it changed, and the statuses of each board it touched,
 * worked out with the rules. A failure anywhere writes nothing. A row for
 * a published month is a correction: refused, located in its file, unless
 * `reason` is given, and then kept as a revision with it.
 *
 * With `done` (NULL: not wanted), the import is handed back as one
 * CHANGE_IMPORT change that command_undo takes back in one transaction:
 * replaced readings get their old rows again, new readings, milestone
 * updates and comments are removed, and a board the import created is
 * removed whole, unless anything has been written to it since (refused in
 * one sentence). command_redo puts it all back, except a created board:
 * redo of an import that created a board is refused (import the file
 * again). The command line passes NULL (it has no session to undo in); a
 * browser's import would push the change onto its command_history. An
 * import of thousands of readings makes a change of as many parts. */
bool command_import_boards(struct store *store, struct board *const *boards,
                           const char *const *file_names, size_t count, bool sample,
                           const char *reason, struct change *done, struct error *error);
/* ---- Changing a board in the store (docs/keeping-a-board.md) ----------- */

/* One change a board file (or an edit) makes to a board's structure.
 * Codes identify nodes and metrics; `code` is NULL for a field of the board
 * itself. Values are text, as the audit log keeps them. */
enum board_change_kind {
    BOARD_CHANGE_ADD,     /* new_value: its title (a metric: its name) */
    BOARD_CHANGE_FIELD,   /* `field` from old_value to new_value (NULL: not set) */
    BOARD_CHANGE_MOVE,    /* a new parent: old_value to new_value (NULL: the top) */
    BOARD_CHANGE_REORDER, /* another place among its siblings */
    BOARD_CHANGE_RETIRE,  /* new_value: the month */
    BOARD_CHANGE_RESTORE, /* old_value: the month it had been retired */
    BOARD_CHANGE_REMOVE,  /* gone altogether: only undoing an addition does this */
};
struct board_change {
    enum board_change_kind kind;
    enum level level; /* LEVEL_METRIC for a metric */
    char *code;
    const char *field; /* a static name: "title", "target", ... */
    char *old_value, *new_value;
};
struct board_diff {
    struct board_change *changes;
    size_t count, capacity;
};
void board_diff_free(struct board_diff *diff);
/* What changes between two structures of a board, in `after`'s tree order
 * (then what `after` no longer has). Pure. */
void command_diff_boards(const struct board *before, const struct board *after,
                         struct board_diff *diff);
/* The structure a board file makes of a stored board (both structures,
 * nothing of their readings or activity): the file's tree and fields, and
 * every stored node and metric the file leaves out, kept in its place
 * (under its parent, after the file's children) and retired in
 * `retire_month` unless it already was. Pure; the caller frees it. */
struct board *command_merge_board(const struct board *stored, const struct board *file,
                                  yearmonth retire_month);
/* A board's structure alone (no readings, activity or store ids). */
struct board *command_board_structure(const struct board *board);
/* Puts a structure's nodes back in tree order (pre-order, each node's
 * children after it) after parents were changed or nodes appended: the
 * children of a node in the order of `rank` (one per node; NULL: their
 * present order), with depth, level, parent and subtree_end worked out
 * again. Pure. */
void command_reshape_board(struct board *board, const size_t *rank);

/* What an import would do, or did, to each board (command_import_plan). */
struct import_plan_board {
    char *code;
    bool created;                /* a new board */
    bool compared;               /* a whole file for a board in the store: `diff` says */
    size_t node_count;           /* a new board: its nodes */
    struct board_diff diff;      /* a board in the store: its structure's changes */
    size_t readings_new, readings_replaced, readings_unchanged;
    size_t comments_new, updates_new;
};
struct import_plan {
    struct import_plan_board *boards;
    size_t count, capacity;
};
void import_plan_free(struct import_plan *plan);
/* The plan as people read it, for each board already in the store that a
 * whole file changes (compared): a line per board ("board X: 1 deliverable
 * added (1.1.1), ...") and a line per change ("+ deliverable 1.1.1 "..."",
 * "~ 1.1 title: "old" -> "new"", "- retire 2.3.4", "> move 1.2.3 under
 * 1.3"). */
void import_plan_format(const struct import_plan *plan, struct text_buffer *out);
/* command_import_boards, but with dry_run it writes nothing (the import is
 * worked out in a transaction that is rolled back) and with `plan` (NULL:
 * not wanted) it says what it changes. */
bool command_import_plan(struct store *store, struct board *const *boards,
                         const char *const *file_names, size_t count, bool sample,
                         const char *reason, bool dry_run, struct import_plan *plan,
                         struct change *done, struct error *error);

/* boardpack edit: one field of one node or metric of a stored board set to
 * `value` (command_edit_fields lists them; "retire" and "restore" take no
 * value), applied as the difference between the board and its edited copy,
 * validated as a board file is (the same messages), one audited, undoable
 * transaction. */
bool command_edit(struct store *store, const char *board_code, const char *code,
                  const char *field, const char *value, struct import_plan *plan,
                  struct change *done, struct error *error);
extern const char *const command_edit_fields[];

/* Several fields at once, as ONE change (the browser's forms): each edit
 * as command_edit's, applied in order to one copy of the board, which is
 * then checked as a board file once and applied as one difference (one
 * transaction, one audit row per changed field, one undoable change).
 * Besides command_edit_fields, a form may use:
 *   add          CODE is a new aim, objective or deliverable; VALUE its
 *                parent's code ("" for an aim); set its title (and a
 *                deliverable's metric or due month) in the same call
 *   add_metric   CODE is a new metric of the deliverable VALUE; set its
 *                name, unit, direction and target in the same call
 *   parent       move a node to another parent of the same level (a
 *                metric: to another deliverable)
 *   position     up, down, first or last among its live siblings
 *   target_period, baseline_period   YYYY-MM ("" for none: target only)
 *   trajectory   "2024-06: 70, 2024-09: 75" ("" for none)
 *   rebase       "2024-01, 2024-06": the SPC rebase months ("" for none)
 * With dry_run the edits are checked and worked out, then rolled back
 * (a form checks a field as it is left). An edit that changes nothing
 * writes nothing. */
struct board_edit {
    const char *code;
    const char *field;
    const char *value; /* NULL for retire and restore */
};
bool command_edit_many(struct store *store, const char *board_code,
                       const struct board_edit *edits, size_t count, bool dry_run,
                       struct import_plan *plan, struct change *done, struct error *error);

/* A readings CSV feed (boardpack import --board CODE FILE.csv; the format
 * is docs/feeds.md): every row checked as `record` checks a reading
 * (command_check_reading) against the board's metrics, read once; then,
 * if no row of any file is bad, all of them written in one transaction:
 * a row whose value and note equal the stored reading's is left alone
 * (unchanged), others are new or replace the stored one
 * ("import-replace-reading" audit row, with the old value), an "import"
 * audit row per file with its counts, and the board's statuses. A feed
 * that changes nothing writes nothing, not even an audit row.
 *
 * Every bad row is a located error ("FILE:LINE:COLUMN: error: ..."),
 * handed to options.on_error up to options.error_limit (default 20) and
 * then once "... and N more errors"; the import then fails (EXIT_DATA,
 * *error the first of them) and writes nothing. With options.dry_run
 * everything is done and counted, then rolled back. The files are read
 * row by row: memory does not grow with their length. counts holds one
 * entry per file. With `done`, the import is handed back as one
 * CHANGE_IMPORT change of CHANGE_READING parts (for command_undo and
 * command_redo); NULL keeps no parts. */
struct feed_options {
    bool dry_run;
    const char *reason;    /* for rows that correct a published month; NULL: none */
    size_t error_limit;    /* located errors passed on; 0: 20 */
    void (*on_error)(void *context, const char *message);
    size_t progress_every; /* rows between calls of on_progress; 0: 100,000 */
    void (*on_progress)(void *context, const char *file, size_t rows);
    void *context;
};
struct feed_counts {
    size_t rows;           /* good rows read */
    size_t added, replaced, unchanged;
};
bool command_import_readings_csv(struct store *store, const char *board_code,
                                 const char *const *paths, size_t count,
                                 const struct feed_options *options, struct feed_counts *counts,
                                 struct change *done, struct error *error);
/* command_import_boards' dry run: the same import of board files, counted
 * and rolled back. counts[i] is file i's readings (new, replacing a
 * different one, or the same as the stored one); created[i] whether file
 * i would create its board; with `plan` (NULL: not wanted), what it would
 * change of each board already in the store (command_import_plan). Errors
 * as command_import_boards'. */
bool command_count_import_boards(struct store *store, struct board *const *boards,
                                 const char *const *file_names, size_t count,
                                 struct feed_counts *counts, bool *created,
                                 struct import_plan *plan, struct error *error);
/* Imports the bundled boards, and with sample_readings the illustrative
 * readings (marked as sample), into an empty store: command_import_boards
 * for all of them in one transaction. */
bool command_seed_store(struct store *store, bool sample_readings, struct error *error);
/* A first run: creates the store at `location` seeded with the bundled
 * boards, out of sight until it is complete (store_create_unpublished,
 * store_publish). If another first run got there first, its store stays. */
bool command_create_seeded_store(const char *location, bool sample_readings,
                                 struct error *error);
/* Works out and keeps the statuses of boards whose store has none yet (a
 * store from before statuses were kept), in one transaction. Call after a
 * read-write store_open; a read-only store is left as it is. */
bool command_keep_missing_statuses(struct store *store, struct error *error);

/* Reporting months (docs/months.md). */
/* Opens a month on a board for readings, milestone updates and commentary
 * (the default month of every write): any month after the newest published
 * one. One audited transaction; the kept statuses then allow for it. */
bool command_open_month(struct store *store, const char *board_code, const char *month_text,
                        struct error *error);
struct publish_summary {
    yearmonth month;
    unsigned deliverables;   /* on the board */
    unsigned updated;        /* of them, updated for the month */
    enum rag board_rag;      /* the whole board's status as published */
    bool closed_open_month;  /* the month published was the open one (or later) */
};
/* Publishes a month: the board as of that month is kept (a board file,
 * with every node's status), who and when, in one audited transaction.
 * Months are published in order, each once; publishing the open month
 * closes it. Refused for a month at or before the newest published one. */
bool command_publish_month(struct store *store, const char *board_code, const char *month_text,
                           struct publish_summary *summary, struct error *error);
/* Reads a publication's copy of the board (store_publication_snapshot)
 * into a board that shows that month as published (months.published,
 * months.shown set; the caller fills the rest of months). */
bool command_read_snapshot(const char *snapshot, size_t length, yearmonth month,
                           struct board **out, struct error *error);

/* Which month a view shows. */
enum view_month {
    VIEW_PUBLISHED, /* the newest published month; the working figures if none is */
    VIEW_MONTH,     /* a given month: as published if it is, else as the store has it */
    VIEW_WORKING,   /* the working figures, allowing for the open month */
};
/* Loads a board as a view shows it, with board.months filled in (open,
 * last published, whether it shows a published month and who published
 * it, corrections since, and every node's status in the published month
 * before it, for movement). *evaluate_at is the as_of to hand
 * board_evaluate. */
bool command_load_view(struct store *store, const char *board_code, enum view_month view,
                       yearmonth as_of, struct board **out, yearmonth *evaluate_at,
                       struct error *error);
/* A published month as published (month NONE: the newest); *found false,
 * and nothing loaded, if it is not published. */
bool command_load_published(struct store *store, const char *board_code, yearmonth month,
                            struct board **out, bool *found, struct error *error);

/* Undo and redo are themselves audited writes ("undo-import" and
 * "redo-import", one row per board, for an import). */
bool command_undo(struct store *store, struct change *change, struct error *error);
bool command_redo(struct store *store, struct change *change, struct error *error);

/* One sentence naming a change, for undo's and redo's messages:
 * "the reading for 1.1.2, Apr 2023 (87.1)", "the import of june.yaml
 * (3 readings, 1 replaced)". */
void command_describe_change(const struct change *change, char *out, size_t size);

/* A session's history: the changes it applied, newest last, and those it
 * undid since, for redo. It lives here, not in the screen, so undo and redo
 * work (and are tested) without a terminal. */
struct command_history {
    struct change *undo;
    size_t undo_count, undo_capacity;
    struct change *redo;
    size_t redo_count, redo_capacity;
};
void command_history_free(struct command_history *history);
/* Remembers a change just applied (taking its fields; *change is zeroed)
 * and forgets what could be redone. */
void command_history_push(struct command_history *history, struct change *change);
bool command_history_can_undo(const struct command_history *history);
bool command_history_can_redo(const struct command_history *history);
/* Undoes the newest change (or redoes the newest undone one). On success
 * *message says which ("Undid the reading for 1.1.2, Apr 2023 (87.1).") and
 * *node_code names the node it touched (valid until the history changes;
 * NULL for an import, which touches many).
 * With nothing to undo or redo, false with a one-sentence error. */
bool command_history_undo(struct command_history *history, struct store *store,
                          char *message, size_t size, const char **node_code,
                          struct error *error);
bool command_history_redo(struct command_history *history, struct store *store,
                          char *message, size_t size, const char **node_code,
                          struct error *error);

#endif
