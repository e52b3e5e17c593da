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

/* What an applied command did, so it can be undone (and redone). */
enum change_kind { CHANGE_READING, CHANGE_MILESTONE, CHANGE_COMMENT };
struct change {
    enum change_kind kind;
    char *board_code;
    char *node_code;      /* metric code for readings */
    char *segment;        /* readings only; NULL for the whole series */
    yearmonth period;
    /* Readings: before and after. */
    bool had_old;
    double old_value;
    char *old_note;
    double new_value;
    char *new_note;
    /* Milestones and comments: the row written. */
    enum milestone_status status;
    char *text;
    long long row_id;
};
void change_free(struct change *change);

/* Records a reading (replacing any for the same period and segment). */
bool command_record_reading(struct store *store, const char *board_code, const char *metric_code,
                            const char *value_text, const char *period_text, const char *segment,
                            const char *note, struct change *done, struct error *error);
bool command_set_milestone(struct store *store, const char *board_code, const char *node_code,
                           enum milestone_status status, const char *period_text,
                           const char *note, struct change *done, struct error *error);
bool command_add_comment(struct store *store, const char *board_code, const char *node_code,
                         const char *text, const char *period_text, struct change *done,
                         struct error *error);
/* Undo and redo are themselves audited writes. */
bool command_undo(struct store *store, struct change *change, struct error *error);
bool command_redo(struct store *store, struct change *change, struct error *error);

#endif
