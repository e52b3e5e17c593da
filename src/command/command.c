/* command.c — the one write path: every change is validated here, written in
 * one BEGIN IMMEDIATE transaction with its audit row and the statuses it
 * moves (worked out here with the rules, kept by the store), and described
 * by a `struct change` that undo and redo replay. `record`, `import`,
 * first-run seeding and the browser's editor all come through here. */
#include "command.h"

#include "boardfile.h"
#include "bundled.h"
#include "rules.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool command_parse_value(const char *text, enum unit unit, double *out, struct error *error)
{
    if (!text || !*text) {
        error_set(error, EXIT_DATA, "Type a number.");
        return false;
    }
    size_t length = strlen(text);
    while (length && isspace((unsigned char)text[length - 1]))
        length--;
    /* Stop at the trimmed end: text of only spaces must not take length
     * below zero (found by fuzz_values: a lone "\r"). */
    const char *start = text;
    while (length && isspace((unsigned char)*start))
        start++, length--;
    /* People type percentages with the sign; accept it for percent metrics. */
    if (length && start[length - 1] == '%' && unit == UNIT_PERCENT)
        length--;
    char buffer[64];
    if (length == 0 || length >= sizeof buffer) {
        error_set(error, EXIT_DATA, "'%s' is not a number.", text);
        return false;
    }
    memcpy(buffer, start, length);
    buffer[length] = '\0';
    /* Only plain decimal numbers: strtod alone would take "inf", "nan" and hex. */
    for (size_t i = 0; i < length; i++) {
        char c = buffer[i];
        if (!(isdigit((unsigned char)c) || c == '.' || c == '-' || c == '+' || c == 'e' ||
              c == 'E')) {
            error_set(error, EXIT_DATA, "'%s' is not a number.", text);
            return false;
        }
    }
    char *end = NULL;
    errno = 0;
    double value = strtod(buffer, &end);
    if (end == buffer || *end != '\0' || errno == ERANGE || !isfinite(value)) {
        error_set(error, EXIT_DATA, "'%s' is not a number.", text);
        return false;
    }
    const char *why = NULL;
    if (!unit_accepts(unit, value, &why)) {
        /* Capitalise the reason as a sentence. */
        char sentence[128];
        snprintf(sentence, sizeof sentence, "%s", why);
        sentence[0] = (char)toupper((unsigned char)sentence[0]);
        error_set(error, EXIT_DATA, "%s; %s was refused.", sentence, buffer);
        return false;
    }
    *out = value == 0 ? 0 : value; /* no negative zero in the store */
    return true;
}

bool command_parse_period(const char *text, yearmonth *out, struct error *error)
{
    yearmonth when;
    if (!text || !yearmonth_parse(text, &when)) {
        error_set(error, EXIT_DATA, "'%s' is not a month; write YYYY-MM, for example 2024-03.",
                  text ? text : "");
        return false;
    }
    if (when > yearmonth_current()) {
        error_set(error, EXIT_DATA, "%s is in the future; readings are for months that have begun.",
                  text);
        return false;
    }
    *out = when;
    return true;
}

bool command_check_note(const char *text, struct error *error)
{
    if (!text)
        return true;
    if (!utf8_is_valid(text, strlen(text))) {
        error_set(error, EXIT_DATA, "The text is not valid UTF-8.");
        return false;
    }
    size_t characters;
    if (!text_within_limit(text, strlen(text), TEXT_MAXIMUM_NOTE, &characters)) {
        error_set(error, EXIT_DATA,
                  "The text is %zu characters long; a note or comment may have at most %d.",
                  characters, TEXT_MAXIMUM_NOTE);
        return false;
    }
    if (!text_is_clean(text, false)) {
        error_set(error, EXIT_DATA, "The text contains control characters (such as a newline or "
                                    "an escape); write it on one line.");
        return false;
    }
    return true;
}

void change_free(struct change *change)
{
    if (!change)
        return;
    free(change->board_code);
    free(change->node_code);
    free(change->segment);
    free(change->old_note);
    free(change->old_entered_by);
    free(change->old_entered_at);
    free(change->new_note);
    free(change->text);
    free(change->reason);
    free(change->old_board);
    free(change->new_board);
    for (size_t i = 0; i < change->part_count; i++)
        change_free(&change->parts[i]);
    free(change->parts);
    memset(change, 0, sizeof *change);
}

/* "2023-06 Barnet=61.5": a reading as the audit log keeps it, its value to
 * `digits` significant digits. */
static void format_reading(yearmonth period, const char *segment, double value, int digits,
                           char *out, size_t size)
{
    char month[8];
    yearmonth_format(period, month);
    snprintf(out, size, "%s%s%s=%.*g", month, segment ? " " : "", segment ? segment : "", digits,
             value);
}

static void describe_reading(yearmonth period, const char *segment, double value, char *out,
                             size_t size)
{
    format_reading(period, segment, value, 15, out, size);
}


/* Every write starts here. The front ends refuse mutating requests where
 * they are dispatched; this is the second line of defence behind them, so
 * a read-only or kiosk session reaches no write even through a bug there
 * (and the store, opened read-only, would refuse a third time). */
static bool begin_write(struct store *store, struct error *error)
{
    if (store_is_read_only(store)) {
        error_set(error, EXIT_CANNOT_CREATE,
                  "This store is open read-only; nothing can be changed here.");
        return false;
    }
    return store_begin(store, error);
}

/* Works out every status and roll-up of a board with the rules and has the
 * store keep them (it writes only the rows that moved). The load reads the
 * nodes, each metric's latest readings and the kept statuses: its cost
 * follows the board's nodes, not its readings. */
static bool keep_statuses(struct store *store, const char *board_code, struct error *error)
{
    struct board *board;
    if (!store_load_board_summary(store, board_code, &board, error))
        return false;
    struct board_status status;
    board_evaluate(board, YEARMONTH_NONE, &status);
    bool ok = store_save_statuses(store, board, &status, error);
    board_status_free(&status, board->node_count);
    board_free(board);
    return ok;
}

bool command_keep_missing_statuses(struct store *store, struct error *error)
{
    if (store_is_read_only(store))
        return true;
    struct board_summary *boards = NULL;
    size_t count = 0;
    if (!store_boards_without_statuses(store, &boards, &count, error))
        return false;
    bool ok = true;
    if (count) {
        ok = begin_write(store, error);
        for (size_t i = 0; ok && i < count; i++)
            ok = keep_statuses(store, boards[i].code, error);
        if (ok)
            ok = store_commit(store, error);
        else
            store_rollback(store);
    }
    board_summaries_free(boards, count);
    return ok;
}

/* The note checked, and the month a write is for: the one given, else the
 * board's open month (never the calendar's: docs/months.md). *months says
 * what is published, for corrections. */
static bool note_and_month(struct store *store, const char *board_code, const char *note,
                           const char *period_text, yearmonth *period,
                           struct board_months *months, struct error *error)
{
    if (!command_check_note(note, error) || !store_board_months(store, board_code, months, error))
        return false;
    if (period_text)
        return command_parse_period(period_text, period, error);
    if (months->open == YEARMONTH_NONE) {
        error_set(error, EXIT_DATA,
                  "No month is open on board '%s': give the month (--period YYYY-MM), or open "
                  "one (boardpack month open YYYY-MM).",
                  board_code);
        return false;
    }
    *period = months->open;
    return true;
}

/* Whether a write to `period` corrects a published month (one at or before
 * the newest published month), and if so that it gives a reason. */
static bool check_correction(const struct board_months *months, yearmonth period,
                             const char *reason, bool *correction, struct error *error)
{
    *correction = months->last_published != YEARMONTH_NONE && period != YEARMONTH_NONE &&
                  period <= months->last_published;
    if (!*correction)
        return true;
    if (!reason || !*reason) {
        char month[9], published[9];
        yearmonth_label(period, month);
        yearmonth_label(months->last_published, published);
        error_set(error, EXIT_DATA,
                  "%s has been published (the board is published up to %s); a correction to "
                  "it needs a reason.",
                  month, published);
        return false;
    }
    return command_check_note(reason, error);
}

bool command_correction_needed(struct store *store, const char *board_code, yearmonth period,
                               bool *needed, struct error *error)
{
    struct board_months months;
    if (!store_board_months(store, board_code, &months, error))
        return false;
    *needed = months.last_published != YEARMONTH_NONE && period != YEARMONTH_NONE &&
              period <= months.last_published;
    return true;
}

/* Keeps a correction to a published month, with its reason, beside the
 * audit row (in the write's transaction). */
static bool keep_revision(struct store *store, const char *board_code, yearmonth period,
                          const char *node_code, const char *what, const char *old_value,
                          const char *new_value, const char *reason, const char *now,
                          struct error *error)
{
    return store_add_revision(store, board_code, period, node_code, what, old_value, new_value,
                              reason, current_user_name(), now, error);
}

/* A milestone status or a comment written on a node, as a change. */
static struct change node_change(enum change_kind kind, const char *board_code,
                                 const char *node_code, yearmonth period, const char *text,
                                 long long row_id)
{
    return (struct change){
        .kind = kind,
        .board_code = xstrdup(board_code),
        .node_code = xstrdup(node_code),
        .period = period,
        .text = xstrdup(text),
        .row_id = row_id,
    };
}

/* Hands a written change to the caller, or frees it when not wanted. */
static void hand_over(struct change *change, struct change *done)
{
    if (done)
        *done = *change;
    else
        change_free(change);
}

static bool finish(struct store *store, const char *board_code, bool written,
                   struct error *error)
{
    /* The statuses and roll-ups the store keeps follow in the same
     * transaction, so a browser never sees a reading without its status. */
    if (!written || (board_code && !keep_statuses(store, board_code, error))) {
        store_rollback(store);
        return false;
    }
    return store_commit(store, error);
}

/* finish, then the change handed to the caller (or freed when the command
 * failed or nobody wants it). */
static bool finish_change(struct store *store, const char *board_code, bool ok,
                          struct change *change, struct change *done, struct error *error)
{
    if (!finish(store, board_code, ok, error)) {
        change_free(change);
        return false;
    }
    hand_over(change, done);
    return true;
}

static bool write_reading(struct store *store, const struct change *change, bool forward,
                          const char *action, struct error *error)
{
    struct metric_ref metric = {0};
    if (!store_find_metric(store, change->board_code, change->node_code, &metric, error))
        return false;
    char who_when[32];
    current_timestamp(who_when);
    const char *who = current_user_name();
    char before[160] = "", after[160] = "";
    bool ok;
    if (forward) {
        ok = store_put_reading(store, metric.metric_id, change->period, change->segment,
                               change->new_value, change->new_note, who, who_when, NULL, NULL,
                               error);
        if (change->had_old)
            describe_reading(change->period, change->segment, change->old_value, before,
                             sizeof before);
        describe_reading(change->period, change->segment, change->new_value, after, sizeof after);
    } else if (change->had_old) {
        ok = store_put_reading(store, metric.metric_id, change->period, change->segment,
                               change->old_value, change->old_note, who, who_when, NULL, NULL,
                               error);
        describe_reading(change->period, change->segment, change->new_value, before,
                         sizeof before);
        describe_reading(change->period, change->segment, change->old_value, after, sizeof after);
    } else {
        ok = store_delete_reading(store, metric.metric_id, change->period, change->segment, error);
        describe_reading(change->period, change->segment, change->new_value, before,
                         sizeof before);
    }
    metric_ref_free(&metric);
    return ok && store_add_audit(store, who, who_when, action, change->board_code,
                                 change->node_code, before[0] ? before : NULL,
                                 after[0] ? after : NULL, error);
}

/* A reading recorded against a milestone's code: say that it is one, and how
 * its status is set, rather than that the board has no such metric. */
static void explain_milestone(struct store *store, const char *board_code, const char *code,
                              struct error *error)
{
    long long node_id;
    bool is_milestone = false;
    struct error ignored = {0};
    if (error && error->status == EXIT_DATA &&
        store_find_node(store, board_code, code, &node_id, &is_milestone, &ignored) &&
        is_milestone)
        error_set(error, EXIT_DATA,
                  "'%s' is a milestone, which has a status rather than readings; set its "
                  "status with m in the browser, or import a file with milestone_updates.",
                  code);
}

bool command_record_reading(struct store *store, const char *board_code, const char *metric_code,
                            const char *value_text, const char *period_text, const char *segment,
                            const char *note, const char *reason, struct change *done,
                            struct error *error)
{
    /* Validate against the metric before taking the write lock, so a bad
     * value never blocks other writers: the checks a feed's rows get too. */
    struct metric_ref metric = {0};
    if (segment && (!*segment || !text_is_clean(segment, false))) {
        error_set(error, EXIT_DATA, "A segment name must be non-empty text on one line.");
        return false;
    }
    if (!store_find_metric(store, board_code, metric_code, &metric, error)) {
        explain_milestone(store, board_code, metric_code, error);
        return false;
    }
    double value;
    yearmonth checked_period = YEARMONTH_NONE;
    bool valid = command_check_reading(&metric, value_text, period_text, segment, note, &value,
                                       &checked_period, NULL, error);
    long long metric_id = metric.metric_id;
    metric_ref_free(&metric);
    if (!valid)
        return false;
    yearmonth period;
    struct board_months months;
    bool correction;
    if (!note_and_month(store, board_code, note, period_text, &period, &months, error) ||
        !check_correction(&months, period, reason, &correction, error))
        return false;

    if (!begin_write(store, error))
        return false;
    struct change change = {
        .kind = CHANGE_READING,
        .board_code = xstrdup(board_code),
        .node_code = xstrdup(metric_code),
        .segment = xstrdup(segment),
        .period = period,
        .new_value = value,
        .new_note = xstrdup(note),
        .reason = correction ? xstrdup(reason) : NULL,
    };
    char now[32];
    current_timestamp(now);
    /* Months the series has no reading for, up to this one: the front
     * ends say so (a gap, not a mistake, unless it is one). */
    struct metric series = {.id = metric_id};
    bool ok = store_load_metric_readings(store, &series, error);
    if (ok && !segment)
        metric_gap_before(&series, period, &change.gap_first, &change.gap_last);
    metric_free_readings(&series);
    ok = ok && store_put_reading(store, metric_id, period, segment, value, note,
                                 current_user_name(), now, &change.had_old, &change.old_value,
                                 error);
    if (ok) {
        char before[160] = "", after[160];
        if (change.had_old)
            describe_reading(period, segment, change.old_value, before, sizeof before);
        describe_reading(period, segment, value, after, sizeof after);
        ok = store_add_audit(store, current_user_name(), now,
                             change.had_old ? "replace-reading" : "record-reading", board_code,
                             metric_code, before[0] ? before : NULL, after, error) &&
             (!correction || keep_revision(store, board_code, period, metric_code, "reading",
                                           before[0] ? before : NULL, after, reason, now, error));
    }
    return finish_change(store, board_code, ok, &change, done, error);
}

bool command_delete_reading(struct store *store, const char *board_code, const char *metric_code,
                            const char *period_text, const char *segment, const char *reason,
                            struct change *done, struct error *error)
{
    if (!reason || !*reason) {
        error_set(error, EXIT_DATA, "Removing a reading needs a reason.");
        return false;
    }
    if (!period_text) {
        error_set(error, EXIT_DATA, "Removing a reading needs its month.");
        return false;
    }
    yearmonth period;
    struct board_months months;
    bool correction;
    struct metric_ref metric = {0};
    if (!command_check_note(reason, error) ||
        !note_and_month(store, board_code, NULL, period_text, &period, &months, error) ||
        !check_correction(&months, period, reason, &correction, error))
        return false;
    if (!store_find_metric(store, board_code, metric_code, &metric, error)) {
        explain_milestone(store, board_code, metric_code, error);
        return false;
    }
    long long metric_id = metric.metric_id;
    metric_ref_free(&metric);
    if (!begin_write(store, error))
        return false;
    struct reading old;
    bool found = false;
    bool ok = store_get_reading(store, metric_id, period, segment, &old, &found, error);
    if (ok && !found) {
        char month[9];
        yearmonth_label(period, month);
        error_set(error, EXIT_DATA, "There is no reading for %s%s%s in %s to remove.", metric_code,
                  segment ? ", segment " : "", segment ? segment : "", month);
        ok = false;
    }
    struct change change = {0};
    if (ok) {
        change = (struct change){
            .kind = CHANGE_READING,
            .removal = true,
            .board_code = xstrdup(board_code),
            .node_code = xstrdup(metric_code),
            .segment = xstrdup(segment),
            .period = period,
            .had_old = true,
            .old_value = old.value,
            .old_note = old.note,
            .old_entered_by = old.entered_by,
            .old_entered_at = old.entered_at,
            .old_sample = old.sample,
            .new_value = old.value,
            .reason = xstrdup(reason),
        };
        free(old.segment);
        char now[32], before[160], removed[160];
        current_timestamp(now);
        describe_reading(period, segment, old.value, before, sizeof before);
        snprintf(removed, sizeof removed, "removed: %s", reason);
        ok = store_delete_reading(store, metric_id, period, segment, error) &&
             store_add_audit(store, current_user_name(), now, "delete-reading", board_code,
                             metric_code, before, removed, error) &&
             (!correction || keep_revision(store, board_code, period, metric_code,
                                           "delete-reading", before, NULL, reason, now, error));
    }
    return finish_change(store, board_code, ok, &change, done, error);
}

/* Removes a milestone update or a comment (row `row_id` of `node_code`),
 * with a reason: audited with the row as it was, undoable, a correction
 * when its month is published. */
static bool remove_row(struct store *store, enum change_kind kind, const char *board_code,
                       const char *node_code, long long row_id, const char *reason,
                       struct change *done, struct error *error)
{
    bool milestone = kind == CHANGE_MILESTONE;
    if (!reason || !*reason) {
        error_set(error, EXIT_DATA, "Removing %s needs a reason.",
                  milestone ? "a milestone update" : "commentary");
        return false;
    }
    struct board_months months;
    if (!command_check_note(reason, error) ||
        !store_board_months(store, board_code, &months, error))
        return false;
    if (!begin_write(store, error))
        return false;
    struct store_row row = {0};
    bool found = false;
    bool ok = store_get_row(store, milestone ? STORE_ROW_MILESTONE_UPDATE : STORE_ROW_COMMENT,
                            row_id, &row, &found, error);
    if (ok && (!found || strcmp(row.node_code, node_code) != 0)) {
        error_set(error, EXIT_DATA, "%s has no such %s to remove.", node_code,
                  milestone ? "milestone update" : "comment");
        ok = false;
    }
    bool correction = false;
    ok = ok && check_correction(&months, row.period, reason, &correction, error);
    struct change change = {0};
    if (ok) {
        change = (struct change){
            .kind = kind,
            .removal = true,
            .board_code = xstrdup(board_code),
            .node_code = xstrdup(node_code),
            .period = row.period,
            .status = row.status,
            .text = row.text,
            .old_entered_by = row.entered_by,
            .old_entered_at = row.entered_at,
            .row_id = row_id,
            .reason = xstrdup(reason),
        };
        row.text = row.entered_by = row.entered_at = NULL;
        char now[32];
        current_timestamp(now);
        const char *value = milestone ? milestone_status_name(change.status) : change.text;
        char *removed = xasprintf("removed: %s", reason);
        ok = (milestone ? store_delete_milestone_update(store, row_id, error)
                        : store_delete_comment(store, row_id, error)) &&
             store_add_audit(store, current_user_name(), now,
                             milestone ? "remove-milestone-update" : "remove-comment",
                             board_code, node_code, value, removed, error) &&
             (!correction ||
              keep_revision(store, board_code, change.period, node_code,
                            milestone ? "remove-milestone-update" : "remove-comment", value, NULL,
                            reason, now, error));
        free(removed);
    }
    store_row_free(&row);
    return finish_change(store, board_code, ok, &change, done, error);
}

bool command_remove_milestone_update(struct store *store, const char *board_code,
                                     const char *node_code, long long update_id,
                                     const char *reason, struct change *done,
                                     struct error *error)
{
    return remove_row(store, CHANGE_MILESTONE, board_code, node_code, update_id, reason, done,
                      error);
}

bool command_remove_comment(struct store *store, const char *board_code, const char *node_code,
                            long long comment_id, const char *reason, struct change *done,
                            struct error *error)
{
    return remove_row(store, CHANGE_COMMENT, board_code, node_code, comment_id, reason, done,
                      error);
}

/* A retired node keeps its history and takes no new milestone update or
 * commentary (as a retired metric takes no reading): restore it first. */
static bool check_node_live(struct store *store, const char *board_code, const char *node_code,
                            struct error *error)
{
    yearmonth retired;
    if (!store_node_retired(store, board_code, node_code, &retired, error))
        return false;
    if (retired == YEARMONTH_NONE)
        return true;
    char month[9];
    yearmonth_label(retired, month);
    error_set(error, EXIT_DATA,
              "'%s' was retired in %s; restore it first (boardpack edit %s restore).", node_code,
              month, node_code);
    return false;
}

bool command_set_milestone(struct store *store, const char *board_code, const char *node_code,
                           enum milestone_status status, const char *period_text,
                           const char *note, const char *reason, struct change *done,
                           struct error *error)
{
    yearmonth period;
    struct board_months months;
    bool correction;
    if (!note_and_month(store, board_code, note, period_text, &period, &months, error) ||
        !check_correction(&months, period, reason, &correction, error))
        return false;
    long long node_id;
    bool is_milestone = false;
    if (!store_find_node(store, board_code, node_code, &node_id, &is_milestone, error))
        return false;
    if (!is_milestone) {
        error_set(error, EXIT_DATA, "'%s' is not a milestone; only milestones have a status.",
                  node_code);
        return false;
    }
    if (!check_node_live(store, board_code, node_code, error))
        return false;
    if (!begin_write(store, error))
        return false;
    enum milestone_status old_status = MILESTONE_NOT_STARTED;
    bool had_old = false;
    long long row_id = 0;
    char now[32];
    current_timestamp(now);
    bool ok = store_latest_milestone_status(store, node_id, &old_status, &had_old, error) &&
              store_add_milestone_update(store, node_id, status, period, note,
                                         current_user_name(), now, &row_id, error) &&
              store_add_audit(store, current_user_name(), now, "set-milestone", board_code,
                              node_code, had_old ? milestone_status_name(old_status) : NULL,
                              milestone_status_name(status), error) &&
              (!correction ||
               keep_revision(store, board_code, period, node_code, "milestone",
                             had_old ? milestone_status_name(old_status) : NULL,
                             milestone_status_name(status), reason, now, error));
    if (!finish(store, board_code, ok, error))
        return false;
    struct change change =
        node_change(CHANGE_MILESTONE, board_code, node_code, period, note, row_id);
    change.status = status;
    change.reason = correction ? xstrdup(reason) : NULL;
    hand_over(&change, done);
    return true;
}

bool command_add_comment(struct store *store, const char *board_code, const char *node_code,
                         const char *text, const char *period_text, const char *reason,
                         struct change *done, struct error *error)
{
    if (!text || !*text) {
        error_set(error, EXIT_DATA, "Commentary cannot be empty.");
        return false;
    }
    yearmonth period;
    struct board_months months;
    bool correction;
    if (!note_and_month(store, board_code, text, period_text, &period, &months, error) ||
        !check_correction(&months, period, reason, &correction, error))
        return false;
    long long node_id;
    if (!store_find_node(store, board_code, node_code, &node_id, NULL, error) ||
        !check_node_live(store, board_code, node_code, error))
        return false;
    if (!begin_write(store, error))
        return false;
    long long row_id = 0;
    char now[32];
    current_timestamp(now);
    bool ok = store_add_comment(store, node_id, period, text, current_user_name(), now, &row_id,
                                error) &&
              store_add_audit(store, current_user_name(), now, "add-comment", board_code,
                              node_code, NULL, text, error) &&
              (!correction || keep_revision(store, board_code, period, node_code, "comment", NULL,
                                            text, reason, now, error));
    if (!finish(store, board_code, ok, error))
        return false;
    struct change change = node_change(CHANGE_COMMENT, board_code, node_code, period, text, row_id);
    change.reason = correction ? xstrdup(reason) : NULL;
    hand_over(&change, done);
    return true;
}

/* ---- Reporting months ------------------------------------------------------ */

bool command_open_month(struct store *store, const char *board_code, const char *month_text,
                        struct error *error)
{
    yearmonth month;
    struct board_months months;
    if (!command_parse_period(month_text, &month, error) ||
        !store_board_months(store, board_code, &months, error))
        return false;
    char label[9], published[9];
    yearmonth_label(month, label);
    yearmonth_label(months.last_published, published);
    if (months.last_published != YEARMONTH_NONE && month <= months.last_published) {
        error_set(error, EXIT_DATA,
                  "%s cannot be opened: the board is published up to %s (a correction to a "
                  "published month needs a reason instead).",
                  label, published);
        return false;
    }
    if (months.open == month) {
        error_set(error, EXIT_DATA, "%s is already the open month of board '%s'.", label,
                  board_code);
        return false;
    }
    if (!begin_write(store, error))
        return false;
    char now[32], before[8] = "", after[8];
    current_timestamp(now);
    if (months.open)
        yearmonth_format(months.open, before);
    yearmonth_format(month, after);
    bool ok = store_set_open_month(store, board_code, month, error) &&
              store_add_audit(store, current_user_name(), now, "open-month", board_code, NULL,
                              before[0] ? before : NULL, after, error);
    return finish(store, board_code, ok, error);
}

/* The board as of `month` written as a board file into memory: what a
 * publication keeps. */
static bool snapshot_of(struct store *store, const char *board_code, yearmonth month,
                        char **text, size_t *length, struct error *error)
{
    struct board *board;
    if (!store_load_board(store, board_code, month, &board, error))
        return false;
    *text = NULL;
    *length = 0;
    FILE *memory = open_memstream(text, length);
    bool ok = memory && boardfile_write_yaml(board, memory, error);
    if (memory && fclose(memory) != 0)
        ok = false;
    board_free(board);
    if (!ok) {
        if (!error->message[0])
            error_set(error, EXIT_SOFTWARE, "Cannot copy the board to publish it.");
        free(*text);
        *text = NULL;
    }
    return ok;
}

bool command_read_snapshot(const char *snapshot, size_t length, yearmonth month,
                           struct board **out, struct error *error)
{
    char name[40], label[9];
    yearmonth_label(month, label);
    snprintf(name, sizeof name, "the board as published for %s", label);
    if (!boardfile_read_bytes(snapshot, length, name, out, error))
        return false;
    board_attach_records(*out);
    (*out)->months.published = true;
    (*out)->months.shown = month;
    return true;
}

bool command_publish_month(struct store *store, const char *board_code, const char *month_text,
                           struct publish_summary *summary, struct error *error)
{
    yearmonth month;
    struct board_months months;
    memset(summary, 0, sizeof *summary);
    if (!command_parse_period(month_text, &month, error) ||
        !store_board_months(store, board_code, &months, error))
        return false;
    char label[9], published[9];
    yearmonth_label(month, label);
    yearmonth_label(months.last_published, published);
    if (month == months.last_published) {
        error_set(error, EXIT_DATA, "%s is already published on board '%s'.", label,
                  board_code);
        return false;
    }
    if (months.last_published != YEARMONTH_NONE && month < months.last_published) {
        error_set(error, EXIT_DATA,
                  "%s cannot be published: board '%s' is published up to %s, and months are "
                  "published in order.",
                  label, board_code, published);
        return false;
    }
    if (!begin_write(store, error))
        return false;
    char now[32], month_code[8];
    current_timestamp(now);
    yearmonth_format(month, month_code);
    char *snapshot = NULL;
    size_t length = 0;
    struct board *copy = NULL;
    struct board_status status = {0};
    /* The board as published is what was written, read back: showing the
     * month again later reads the same copy, so it shows the same. */
    bool ok = snapshot_of(store, board_code, month, &snapshot, &length, error) &&
              command_read_snapshot(snapshot, length, month, &copy, error);
    if (ok) {
        board_evaluate(copy, YEARMONTH_NONE, &status);
        for (size_t i = 0; i < copy->node_count; i++) {
            if (copy->nodes[i].level != LEVEL_DELIVERABLE)
                continue;
            summary->deliverables++;
            summary->updated += node_updated_for(&copy->nodes[i], month);
        }
        summary->board_rag = status.board.rag;
        ok = store_add_publication(store, board_code, month, current_user_name(), now, snapshot,
                                   length, copy, &status, error);
    }
    /* Publishing the open month (or a later one) closes it. */
    if (ok && months.open != YEARMONTH_NONE && months.open <= month) {
        summary->closed_open_month = true;
        ok = store_set_open_month(store, board_code, YEARMONTH_NONE, error);
    }
    ok = ok && store_add_audit(store, current_user_name(), now, "publish-month", board_code, NULL,
                               NULL, month_code, error);
    if (copy)
        board_status_free(&status, copy->node_count);
    board_free(copy);
    free(snapshot);
    summary->month = month;
    return finish(store, board_code, ok, error);
}

/* ---- Imports and seeding ------------------------------------------------ */

struct import_tally {
    struct store *store;
    const char *who;
    const char *now;
    size_t replaced;
    size_t written;        /* rows the file being imported wrote */
    struct import_plan_board *plan; /* its board's plan; NULL: not wanted */
    struct change *change; /* the undo record being built; NULL: none wanted */
    const char *file_name; /* the file being imported, for located errors */
    const char *reason;    /* for corrections to published months; may be NULL */
    char *months_board;    /* the board `months` is for */
    struct board_months months;
    struct feed_counts *counts; /* a dry run's counts for the file; NULL: none */
    bool *created;              /* and whether the file creates its board */
};

/* A row an import writes for a published month is a correction: refused
 * (at its place in the file) without the import's reason, else kept as a
 * revision with it. */
static bool import_correction(struct import_tally *tally, const struct store_written *written,
                              struct error *error)
{
    if (!tally->months_board || strcmp(tally->months_board, written->board_code) != 0) {
        free(tally->months_board);
        tally->months_board = xstrdup(written->board_code);
        if (!store_board_months(tally->store, written->board_code, &tally->months, error))
            return false;
    }
    yearmonth period;
    const char *code, *what;
    struct source_location where;
    char old_text[64] = "", new_text[512] = "";
    switch (written->kind) {
    case STORE_WROTE_READING:
        period = written->reading->period;
        code = written->reading->metric_code;
        where = written->reading->where;
        what = "reading";
        if (written->had_old)
            format_reading(period, written->reading->segment, written->old_value, 17, old_text,
                           sizeof old_text);
        format_reading(period, written->reading->segment, written->reading->value, 17, new_text,
                       sizeof new_text);
        break;
    case STORE_WROTE_MILESTONE_UPDATE:
        period = written->update->period;
        code = written->update->node_code;
        where = written->update->where;
        what = "milestone";
        snprintf(new_text, sizeof new_text, "%s", milestone_status_name(written->update->status));
        break;
    case STORE_WROTE_COMMENT:
        period = written->comment->period;
        code = written->comment->node_code;
        where = written->comment->where;
        what = "comment";
        snprintf(new_text, sizeof new_text, "%s", written->comment->text);
        break;
    default:
        return true;
    }
    bool correction = false;
    struct error refused = {0};
    if (!check_correction(&tally->months, period, tally->reason, &correction, &refused)) {
        size_t length = strlen(refused.message);
        if (length && refused.message[length - 1] == '.')
            length--;
        error_set_at(error, tally->file_name, where.line, where.column,
                     "%.*s; give one with import --reason TEXT", (int)length, refused.message);
        return false;
    }
    return !correction || keep_revision(tally->store, written->board_code, period, code, what,
                                        old_text[0] ? old_text : NULL, new_text, tally->reason,
                                        tally->now, error);
}

/* A new part of an import's change, for board_code. */
static struct change *add_part(struct change *change, enum change_kind kind,
                               const char *board_code)
{
    void *items = change->parts;
    grow_array(&items, &change->part_capacity, change->part_count + 1, sizeof *change->parts);
    change->parts = items;
    struct change *part = &change->parts[change->part_count++];
    *part = (struct change){.kind = kind, .board_code = xstrdup(board_code)};
    return part;
}

/* A part for a row an import added (a milestone update or a comment). */
static struct change *add_row_part(struct change *change, enum change_kind kind,
                                   const struct store_written *written, const char *node_code,
                                   yearmonth period, const char *text)
{
    struct change *part = add_part(change, kind, written->board_code);
    part->node_code = xstrdup(node_code);
    part->period = period;
    part->text = xstrdup(text);
    part->row_id = written->row_id;
    part->new_sample = written->sample;
    return part;
}

/* Audits a reading an import replaced with a different value. */
static bool audit_replaced(struct import_tally *tally, const char *board_code,
                           const struct reading *reading, double old_value, struct error *error)
{
    char old_text[64], new_text[64];
    format_reading(reading->period, reading->segment, old_value, 17, old_text, sizeof old_text);
    format_reading(reading->period, reading->segment, reading->value, 17, new_text,
                   sizeof new_text);
    tally->replaced++;
    return store_add_audit(tally->store, tally->who, tally->now,
                           "import-replace-reading", board_code, reading->metric_code, old_text,
                           new_text, error);
}

/* The undo record's part for a row an import wrote. */
static void add_written_part(struct change *change, const struct store_written *written)
{
    const struct reading *reading = written->reading;
    struct change *part;
    switch (written->kind) {
    case STORE_WROTE_BOARD:
        add_part(change, CHANGE_IMPORT, written->board_code);
        break;
    case STORE_WROTE_READING:
        part = add_part(change, CHANGE_READING, written->board_code);
        part->node_code = xstrdup(reading->metric_code);
        part->segment = xstrdup(reading->segment);
        part->period = reading->period;
        part->had_old = written->had_old;
        part->old_value = written->old_value;
        part->old_note = xstrdup(written->old_note);
        part->old_entered_by = xstrdup(written->old_entered_by);
        part->old_entered_at = xstrdup(written->old_entered_at);
        part->old_sample = written->old_sample;
        part->new_value = reading->value;
        part->new_note = xstrdup(reading->note);
        part->new_sample = written->sample;
        break;
    case STORE_WROTE_MILESTONE_UPDATE:
        part = add_row_part(change, CHANGE_MILESTONE, written,
                            written->update->node_code, written->update->period,
                            written->update->note);
        part->status = written->update->status;
        break;
    case STORE_WROTE_COMMENT:
        add_row_part(change, CHANGE_COMMENT, written, written->comment->node_code,
                     written->comment->period, written->comment->text);
        break;
    }
}

/* Told of every row an import writes: audits the readings it changed and
 * adds a part to the undo record for each row. */
static bool import_wrote(void *context, const struct store_written *written, struct error *error)
{
    struct import_tally *tally = context;
    const struct reading *reading = written->reading;
    if (!written->unchanged && !import_correction(tally, written, error))
        return false;
    if (tally->counts && written->kind == STORE_WROTE_READING) {
        bool same = written->had_old && written->old_value == reading->value &&
                    written->old_sample == written->sample &&
                    ((!written->old_note && !reading->note) ||
                     (written->old_note && reading->note &&
                      strcmp(written->old_note, reading->note) == 0));
        tally->counts->rows++;
        tally->counts->added += !written->had_old;
        tally->counts->replaced += written->had_old && !same;
        tally->counts->unchanged += same;
    }
    if (tally->created && written->kind == STORE_WROTE_BOARD)
        *tally->created = true;
    if (written->unchanged)
        return true; /* counted; nothing was written */
    if (written->kind != STORE_WROTE_BOARD)
        tally->written++;
    if (tally->plan) {
        if (written->kind == STORE_WROTE_READING)
            *(written->had_old ? &tally->plan->readings_replaced : &tally->plan->readings_new) += 1;
        else if (written->kind == STORE_WROTE_COMMENT)
            tally->plan->comments_new++;
        else if (written->kind == STORE_WROTE_MILESTONE_UPDATE)
            tally->plan->updates_new++;
    }
    if (written->kind == STORE_WROTE_READING && written->had_old &&
        written->old_value != reading->value &&
        !audit_replaced(tally, written->board_code, reading, written->old_value, error))
        return false;
    if (tally->change)
        add_written_part(tally->change, written);
    return true;
}

/* ---- A changed board: its structure as a difference -------------------- */

void import_plan_free(struct import_plan *plan)
{
    if (!plan)
        return;
    for (size_t i = 0; i < plan->count; i++) {
        free(plan->boards[i].code);
        board_diff_free(&plan->boards[i].diff);
    }
    free(plan->boards);
    memset(plan, 0, sizeof *plan);
}

static struct import_plan_board *plan_board(struct import_plan *plan, const char *code)
{
    if (!plan)
        return NULL;
    for (size_t i = 0; i < plan->count; i++)
        if (strcmp(plan->boards[i].code, code) == 0)
            return &plan->boards[i];
    void *items = plan->boards;
    grow_array(&items, &plan->capacity, plan->count + 1, sizeof *plan->boards);
    plan->boards = items;
    struct import_plan_board *board = &plan->boards[plan->count++];
    memset(board, 0, sizeof *board);
    board->code = xstrdup(code);
    return board;
}

/* A structure as a board file, for an undo record. */
static char *structure_text(const struct board *board, struct error *error)
{
    char *text = NULL;
    size_t length = 0;
    FILE *memory = open_memstream(&text, &length);
    bool ok = memory && boardfile_write_yaml(board, memory, error);
    if (memory && fclose(memory) != 0)
        ok = false;
    if (!ok) {
        if (!error->message[0])
            error_set(error, EXIT_SOFTWARE, "Cannot keep the board's structure for undo.");
        free(text);
        return NULL;
    }
    return text;
}

static const char *change_noun(enum level level)
{
    return level == LEVEL_METRIC ? "metric" : "node";
}

/* One audit row per change: "add-node", "edit-metric" ("target: 85" to
 * "target: 90"), "move-node", "reorder-node", "retire-node",
 * "restore-node", "remove-node" (undo of an addition); "edit-board" for the
 * board's own fields. */
static bool audit_structure(struct store *store, const char *board_code,
                            const struct board_diff *diff, const char *who, const char *now,
                            struct error *error)
{
    for (size_t i = 0; i < diff->count; i++) {
        const struct board_change *change = &diff->changes[i];
        char action[32];
        char *old_value = NULL, *new_value = NULL;
        static const char *const verbs[] = {
            [BOARD_CHANGE_ADD] = "add",         [BOARD_CHANGE_FIELD] = "edit",
            [BOARD_CHANGE_MOVE] = "move",       [BOARD_CHANGE_REORDER] = "reorder",
            [BOARD_CHANGE_RETIRE] = "retire",   [BOARD_CHANGE_RESTORE] = "restore",
            [BOARD_CHANGE_REMOVE] = "remove",
        };
        snprintf(action, sizeof action, "%s-%s", verbs[change->kind],
                 change->code ? change_noun(change->level) : "board");
        if (change->kind == BOARD_CHANGE_FIELD) {
            if (change->old_value)
                old_value = xasprintf("%s: %s", change->field, change->old_value);
            if (change->new_value)
                new_value = xasprintf("%s: %s", change->field, change->new_value);
        } else if (change->kind == BOARD_CHANGE_ADD) {
            new_value = xasprintf("%s: %s", level_name(change->level), change->new_value);
        } else {
            old_value = xstrdup(change->old_value);
            new_value = xstrdup(change->new_value);
        }
        bool ok = store_add_audit(store, who, now, action, board_code, change->code, old_value,
                                  new_value, error);
        free(old_value);
        free(new_value);
        if (!ok)
            return false;
    }
    return true;
}

/* The month a node or metric a file leaves out is retired in: the board's
 * open month, else the month after its newest reading, else this month. */
static yearmonth retire_month(const struct board_months *months, const struct board *board)
{
    if (months->open)
        return months->open;
    if (board->as_at)
        return board->as_at + 1;
    return yearmonth_current();
}

/* Makes a stored board's structure `target`'s (command_merge_board of the
 * file, or an edited copy), audited per change, with a CHANGE_STRUCTURE
 * part in `change` (NULL: none wanted). *changed says whether anything did. */
static bool apply_difference(struct store *store, const struct board *current,
                             const struct board *target, struct import_plan_board *plan,
                             struct change *change, const char *who, const char *now,
                             size_t *changed, struct error *error)
{
    struct board_diff diff;
    command_diff_boards(current, target, &diff);
    *changed = diff.count;
    bool ok = true;
    if (diff.count) {
        ok = store_apply_structure(store, current, target, who, error) &&
             audit_structure(store, current->code, &diff, who, now, error);
        if (ok && change) {
            struct board *before = command_board_structure(current);
            struct change *part = add_part(change, CHANGE_STRUCTURE, current->code);
            part->old_board = structure_text(before, error);
            part->new_board = structure_text(target, error);
            ok = part->old_board && part->new_board;
            board_free(before);
        }
    }
    if (plan) {
        board_diff_free(&plan->diff);
        plan->diff = diff;
    } else {
        board_diff_free(&diff);
    }
    return ok;
}

/* A whole board file for a board already in the store: its structure as a
 * difference, before its readings and activity go in. */
static bool import_structure(struct store *store, const struct board *file,
                             struct import_plan_board *plan, struct change *change,
                             const char *who, const char *now, size_t *changed,
                             struct error *error)
{
    struct board_months months;
    struct board *current;
    if (!store_board_months(store, file->code, &months, error) ||
        !store_load_board_structure(store, file->code, &current, error))
        return false;
    struct board *target = command_merge_board(current, file, retire_month(&months, current));
    if (plan)
        plan->compared = true;
    bool ok = apply_difference(store, current, target, plan, change, who, now, changed, error);
    board_free(target);
    board_free(current);
    return ok;
}

/* Whether the store has a board. */
static bool board_in_store(struct store *store, const char *code, bool *found,
                           struct error *error)
{
    struct board_months months;
    struct error missing = {0};
    *found = store_board_months(store, code, &months, &missing);
    if (!*found && missing.status != EXIT_DATA) {
        *error = missing;
        return false;
    }
    return true;
}

/* Imports the boards, audits each file, and keeps the statuses of every
 * board it touched, all in the caller's transaction. */
static bool import_in_transaction(struct store *store, struct board *const *boards,
                                  const char *const *file_names, size_t count, bool sample,
                                  const char *reason, struct import_plan *plan,
                                  struct change *change, struct feed_counts *counts,
                                  bool *created, struct error *error)
{
    char now[32];
    current_timestamp(now);
    struct import_tally tally = {.store = store,
                                 .who = current_user_name(),
                                 .now = now,
                                 .change = change,
                                 .reason = reason};
    for (size_t i = 0; i < count; i++) {
        const struct board *board = boards[i];
        tally.replaced = 0;
        tally.written = 0;
        tally.file_name = file_names[i];
        tally.plan = plan_board(plan, board->code);
        tally.counts = counts ? &counts[i] : NULL;
        tally.created = created ? &created[i] : NULL;
        bool found = false;
        size_t changed = 0;
        /* Two whole files for one board in one import: which is meant? */
        for (size_t j = 0; j < i && !board->readings_only; j++)
            if (!boards[j]->readings_only && strcmp(boards[j]->code, board->code) == 0) {
                error_set_at(error, file_names[i], board->where.line, board->where.column,
                             "board '%s' is also given whole by %s in this import; import "
                             "one of them",
                             board->code, file_names[j]);
                return false;
            }
        if (!board_in_store(store, board->code, &found, error))
            return false;
        if (tally.plan && !found && !board->readings_only) {
            tally.plan->created = true;
            tally.plan->node_count = board->node_count;
        }
        if (found && !board->readings_only &&
            !import_structure(store, board, tally.plan, change, tally.who, now, &changed, error))
            return false;
        size_t readings_before = tally.plan ? tally.plan->readings_new +
                                                  tally.plan->readings_replaced : 0;
        bool imported = store_import_boards(store, &boards[i], &file_names[i], 1, sample,
                                            tally.who, import_wrote, &tally, error);
        free(tally.months_board);
        tally.months_board = NULL;
        if (!imported)
            return false;
        if (tally.plan)
            tally.plan->readings_unchanged +=
                board->reading_count - (tally.plan->readings_new + tally.plan->readings_replaced -
                                        readings_before);
        /* A file that changed nothing leaves no trace: importing the same
         * file twice writes nothing the second time, audit rows included. */
        if (found && changed == 0 && tally.written == 0)
            continue;
        /* Which file, and what it brought: what a manager looking back at
         * the change history needs to find the import again. */
        char *summary = xasprintf("%s: %zu readings (%zu replaced), %zu milestone updates, "
                                  "%zu comments",
                                  file_names[i], board->reading_count, tally.replaced,
                                  board->milestone_update_count, board->comment_count);
        bool audited = store_add_audit(store, tally.who, now,
                                       sample || board->sample ? "import-sample" : "import",
                                       board->code, NULL, NULL, summary, error);
        free(summary);
        if (!audited)
            return false;
    }
    /* Statuses once per board, however many files touched it. */
    for (size_t i = 0; i < count; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(boards[j]->code, boards[i]->code) == 0;
        if (!seen && !keep_statuses(store, boards[i]->code, error))
            return false;
    }
    return !change || store_last_audit_id(store, &change->audit_id, error);
}

bool command_import_boards(struct store *store, struct board *const *boards,
                           const char *const *file_names, size_t count, bool sample,
                           const char *reason, struct change *done, struct error *error)
{
    return command_import_plan(store, boards, file_names, count, sample, reason, false, NULL,
                               done, error);
}

bool command_import_plan(struct store *store, struct board *const *boards,
                         const char *const *file_names, size_t count, bool sample,
                         const char *reason, bool dry_run, struct import_plan *plan,
                         struct change *done, struct error *error)
{
    if (!begin_write(store, error))
        return false;
    if (dry_run) {
        /* Worked out for real, then rolled back: the plan is what the
         * import would do, to the row. */
        bool ok = import_in_transaction(store, boards, file_names, count, sample, reason, plan,
                                        NULL, NULL, NULL, error);
        store_rollback(store);
        return ok;
    }
    struct change change = {.kind = CHANGE_IMPORT};
    if (done) {
        struct text_buffer names = {0};
        for (size_t i = 0; i < count; i++) {
            if (i)
                text_append(&names, ", ");
            text_append(&names, file_names[i]);
        }
        change.text = names.data ? names.data : xstrdup("");
        change.board_code = xstrdup(count ? boards[0]->code : "");
    }
    bool ok = import_in_transaction(store, boards, file_names, count, sample, reason, plan,
                                    done ? &change : NULL, NULL, NULL, error);
    if (!finish(store, NULL, ok, error)) {
        change_free(&change);
        return false;
    }
    hand_over(&change, done);
    return true;
}

/* ---- boardpack edit ------------------------------------------------------ */

const char *const command_edit_fields[] = {
    "title", "lead", "due", "retire", "restore",                     /* nodes */
    "name", "unit", "direction", "baseline", "target", "tolerance", /* metrics */
    "stale_after", "breakdown", "segments",                         /* metrics */
    "target_period", "baseline_period", "trajectory", "rebase",      /* metrics */
    "parent", "position",                                            /* both */
    NULL,
};

static bool is_metric_field(const char *field)
{
    static const char *const fields[] = {"name",        "unit",          "direction",
                                         "baseline",    "target",        "tolerance",
                                         "stale_after", "breakdown",     "segments",
                                         "target_period", "baseline_period", "trajectory",
                                         "rebase",      NULL};
    for (size_t i = 0; fields[i]; i++)
        if (strcmp(field, fields[i]) == 0)
            return true;
    return false;
}

/* The errors `edit` gives for what a board file would refuse, in the same
 * words: "edit: error: ..." (the edit is checked as a board file named
 * "edit"). */
static bool edit_refused(struct error *error, const char *format, const char *a, const char *b)
{
    char message[512];
    snprintf(message, sizeof message, format, a, b);
    error_set(error, EXIT_DATA, "edit: error: %s", message);
    return false;
}

/* A number for a field, as a board file would have it. */
static bool edit_number(const char *field, const char *value, double *out, struct error *error)
{
    struct error parse = {0};
    if (!command_parse_value(value, UNIT_NUMBER, out, &parse))
        return edit_refused(error, "expected a number for '%s', found '%s'", field, value);
    return true;
}

/* Retires (month) or restores (NONE) a node, what is under it and its
 * metrics; restoring brings back only what was retired with it. */
static void set_retired(struct board *board, size_t index, yearmonth month)
{
    yearmonth was = board->nodes[index].retired;
    for (size_t i = index; i < board->nodes[index].subtree_end && i < board->node_count; i++) {
        struct node *node = &board->nodes[i];
        if (month ? node->retired != 0 : node->retired != was)
            continue;
        node->retired = month;
        for (size_t m = 0; m < node->metric_count; m++)
            if (month ? !node->metrics[m].retired : node->metrics[m].retired == was)
                node->metrics[m].retired = month;
    }
}

/* A list typed on one line: "a, b, c" calls `item` with each, trimmed. */
static bool each_item(const char *value, bool (*item)(void *context, const char *text),
                      void *context)
{
    for (const char *at = value; *at;) {
        size_t length = strcspn(at, ",");
        const char *start = at, *end = at + length;
        while (start < end && *start == ' ')
            start++;
        while (end > start && end[-1] == ' ')
            end--;
        char *text = xasprintf("%.*s", (int)(end - start), start);
        bool ok = item(context, text);
        free(text);
        if (!ok)
            return false;
        at += length + (at[length] == ',');
    }
    return true;
}

/* each_item's item: one declared segment more. */
static bool add_segment(void *context, const char *text)
{
    struct metric *metric = context;
    metric->segments =
        xrealloc(metric->segments, (metric->segment_count + 1) * sizeof *metric->segments);
    metric->segments[metric->segment_count++] = xstrdup(text);
    return true;
}

struct list_edit {
    struct metric *metric;
    struct error *error;
};

static int compare_points(const void *left, const void *right)
{
    const struct trajectory_point *a = left, *b = right;
    return (a->period > b->period) - (a->period < b->period);
}

/* "2024-06: 70": one month of a trajectory. */
static bool trajectory_item(void *context, const char *text)
{
    struct list_edit *edit = context;
    struct metric *metric = edit->metric;
    const char *colon = strchr(text, ':');
    char month[16] = "";
    if (colon && (size_t)(colon - text) < sizeof month)
        snprintf(month, sizeof month, "%.*s", (int)(colon - text), text);
    struct trajectory_point point;
    if (!colon || !yearmonth_parse(month, &point.period))
        return edit_refused(edit->error, "'%s' is not a month of the trajectory; write "
                                         "YYYY-MM: VALUE, YYYY-MM: VALUE%s", text, "");
    const char *number = colon + 1 + strspn(colon + 1, " ");
    if (!edit_number("trajectory", number, &point.value, edit->error))
        return false;
    metric->trajectory = xrealloc(metric->trajectory,
                                  (metric->trajectory_count + 1) * sizeof *metric->trajectory);
    metric->trajectory[metric->trajectory_count++] = point;
    return true;
}

static bool rebase_item(void *context, const char *text)
{
    struct list_edit *edit = context;
    struct spc_settings *spc = &edit->metric->spc;
    yearmonth month;
    if (!yearmonth_parse(text, &month))
        return edit_refused(edit->error, "'%s' is not a month; write YYYY-MM%s", text, "");
    if (spc->rebase_count >= SPC_MAX_REBASES)
        return edit_refused(edit->error, "'rebase' has more than %s months%s", "8", "");
    spc->rebase_periods[spc->rebase_count++] = month;
    return true;
}

/* A month field of a metric: "" clears it where it may be left out. */
static bool edit_month(const char *field, const char *value, bool may_be_empty, yearmonth *out,
                       struct error *error)
{
    if (!*value && may_be_empty) {
        *out = YEARMONTH_NONE;
        return true;
    }
    if (!yearmonth_parse(value, out))
        return edit_refused(error, "'%s' is not a month for '%s'; write YYYY-MM", value, field);
    return true;
}

/* Changes one field (of command_edit_fields' first kind) of a copy. */
static bool edit_one_field(struct board *copy, const char *code, const char *field,
                           const char *value, yearmonth month, struct error *error)
{
    bool takes_value = strcmp(field, "retire") != 0 && strcmp(field, "restore") != 0;
    if (takes_value && !value)
        return edit_refused(error, "'%s' needs a VALUE%s", field, "");
    if (!takes_value && value)
        return edit_refused(error, "'%s' takes no VALUE ('%s')", field, value);
    if (is_metric_field(field)) {
        struct metric *metric = board_find_metric(copy, code, NULL);
        if (!metric)
            return edit_refused(error, "board has no metric '%s' (for '%s')", code, field);
        double number;
        if (strcmp(field, "name") == 0) {
            free(metric->name);
            metric->name = xstrdup(value);
        } else if (strcmp(field, "unit") == 0) {
            if (!unit_parse(value, &metric->unit))
                return edit_refused(error, "unknown unit '%s'; expected %s", value,
                                    "percent, count, number, days or ratio");
        } else if (strcmp(field, "direction") == 0) {
            if (!direction_parse(value, &metric->direction) ||
                metric->direction == DIRECTION_NONE)
                return edit_refused(error, "unknown direction '%s'; expected %s", value,
                                    "up or down");
        } else if (strcmp(field, "breakdown") == 0) {
            free(metric->breakdown);
            metric->breakdown = *value ? xstrdup(value) : NULL;
        } else if (strcmp(field, "segments") == 0) {
            /* "Barnet, Camden, Enfield": the declared segments, in order;
             * empty: none declared (any segment is taken). */
            for (size_t i = 0; i < metric->segment_count; i++)
                free(metric->segments[i]);
            free(metric->segments);
            metric->segments = NULL;
            metric->segment_count = 0;
            each_item(value, add_segment, metric);
        } else if (strcmp(field, "stale_after") == 0) {
            if (!edit_number(field, value, &number, error))
                return false;
            if (number != (int)number || number < 1 || number > 120)
                return edit_refused(error, "'%s' is a whole number of months from 1 to 120, "
                                           "not %s", field, value);
            metric->stale_months = (int)number;
        } else if (strcmp(field, "tolerance") == 0 && !*value) {
            metric->has_tolerance = false;
        } else if (strcmp(field, "baseline") == 0 && !*value) {
            metric->has_baseline = false;
            metric->baseline = 0;
            metric->baseline_period = YEARMONTH_NONE;
        } else if (strcmp(field, "target_period") == 0) {
            return edit_month(field, value, true, &metric->target_period, error);
        } else if (strcmp(field, "baseline_period") == 0) {
            if (!metric->has_baseline && *value)
                return edit_refused(error, "metric '%s' has no baseline, so no '%s'", code,
                                    field);
            return !metric->has_baseline ||
                   edit_month(field, value, false, &metric->baseline_period, error);
        } else if (strcmp(field, "trajectory") == 0) {
            free(metric->trajectory);
            metric->trajectory = NULL;
            metric->trajectory_count = 0;
            struct list_edit edit = {metric, error};
            if (!each_item(value, trajectory_item, &edit))
                return false;
            if (metric->trajectory_count)
                qsort(metric->trajectory, metric->trajectory_count, sizeof *metric->trajectory,
                      compare_points);
            for (size_t i = 1; i < metric->trajectory_count; i++)
                if (metric->trajectory[i].period == metric->trajectory[i - 1].period) {
                    char text[8];
                    yearmonth_format(metric->trajectory[i].period, text);
                    return edit_refused(error, "duplicate key '%s' in trajectory%s", text, "");
                }
        } else if (strcmp(field, "rebase") == 0) {
            metric->spc.rebase_count = 0;
            struct list_edit edit = {metric, error};
            return each_item(value, rebase_item, &edit);
        } else {
            if (!edit_number(field, value, &number, error))
                return false;
            if (strcmp(field, "target") == 0) {
                metric->target = number;
            } else if (strcmp(field, "tolerance") == 0) {
                metric->has_tolerance = true;
                metric->tolerance = number;
            } else {
                metric->has_baseline = true;
                metric->baseline = number;
            }
        }
        return true;
    }
    struct node *node = board_find_node(copy, code);
    struct metric *metric = node ? NULL : board_find_metric(copy, code, &node);
    if (metric && (strcmp(field, "retire") == 0 || strcmp(field, "restore") == 0)) {
        /* One metric of a deliverable with several. */
        bool retire = field[2] == 't';
        if (retire ? metric->retired != 0 : metric->retired == 0)
            return edit_refused(error, retire ? "'%s' is already retired%s"
                                              : "'%s' is not retired%s", code, "");
        if (!retire && node->retired)
            return edit_refused(error, "'%s' is on '%s', which is retired: restore that first",
                                code, node->code);
        metric->retired = retire ? month : YEARMONTH_NONE;
        return true;
    }
    if (!node || metric)
        return edit_refused(error, "board has no aim, objective or deliverable '%s'%s", code, "");
    size_t index = (size_t)(node - copy->nodes);
    if (strcmp(field, "title") == 0) {
        free(node->title);
        node->title = xstrdup(value);
    } else if (strcmp(field, "lead") == 0) {
        free(node->lead);
        node->lead = *value ? xstrdup(value) : NULL;
    } else if (strcmp(field, "due") == 0) {
        if (!node->has_milestone && (node->level != LEVEL_DELIVERABLE || node->metric_count))
            return edit_refused(error, "'%s' is not a milestone, so it has no '%s'", code, field);
        node->has_milestone = true;
        if (!yearmonth_parse(value, &node->milestone.due))
            return edit_refused(error, "'%s' is not a month; write YYYY-MM%s", value, "");
    } else if (strcmp(field, "retire") == 0) {
        if (node->retired)
            return edit_refused(error, "'%s' is already retired%s", code, "");
        set_retired(copy, index, month);
    } else if (strcmp(field, "restore") == 0) {
        if (!node->retired)
            return edit_refused(error, "'%s' is not retired%s", code, "");
        if (node->parent != NODE_NONE && copy->nodes[node->parent].retired)
            return edit_refused(error, "'%s' is under '%s', which is retired: restore that first",
                                code, copy->nodes[node->parent].code);
        set_retired(copy, index, YEARMONTH_NONE);
    } else {
        return edit_refused(error, "unknown field '%s'; expected %s", field,
                            "title, lead, due, retire, restore, name, unit, direction, "
                            "baseline, target, tolerance, stale_after, breakdown, segments, "
                            "target_period, baseline_period, trajectory, rebase, parent or "
                            "position");
    }
    return true;
}

/* The same parent: siblings. */
static bool same_parent(const struct board *board, size_t a, size_t b)
{
    return board->nodes[a].parent == board->nodes[b].parent;
}

/* Moves a node up or down among its live siblings (or first or last). */
static bool edit_position(struct board *copy, size_t index, const char *value,
                          struct error *error)
{
    size_t n = copy->node_count;
    size_t *rank = xcalloc(n + 1, sizeof *rank);
    for (size_t i = 0; i < n; i++)
        rank[i] = 2 * i + 2;
    const char *code = copy->nodes[index].code;
    size_t other = NODE_NONE;
    bool up = strcmp(value, "up") == 0 || strcmp(value, "first") == 0;
    if (up || strcmp(value, "down") == 0 || strcmp(value, "last") == 0) {
        for (size_t i = 0; i < n; i++) {
            if (i == index || !same_parent(copy, i, index) || copy->nodes[i].retired)
                continue;
            if (up ? i < index : i > index) {
                bool nearer = other == NODE_NONE || (up ? i > other : i < other);
                if (value[0] == 'f' || value[0] == 'l')
                    nearer = other == NODE_NONE || (up ? i < other : i > other);
                if (nearer)
                    other = i;
            }
        }
    } else {
        free(rank);
        return edit_refused(error, "'%s' is not a position; expected %s", value,
                            "up, down, first or last");
    }
    if (other == NODE_NONE) {
        free(rank);
        return edit_refused(error, up ? "'%s' is already the first of its siblings%s"
                                      : "'%s' is already the last of its siblings%s",
                            code, "");
    }
    rank[index] = up ? rank[other] - 1 : rank[other] + 1;
    command_reshape_board(copy, rank);
    free(rank);
    return true;
}

/* A new parent for a node, of the level above it ("" for an aim). */
static bool edit_parent(struct board *copy, size_t index, const char *value,
                        struct error *error)
{
    struct node *node = &copy->nodes[index];
    size_t parent = NODE_NONE;
    if (*value) {
        struct node *found = board_find_node(copy, value);
        if (!found)
            return edit_refused(error, "board has no aim, objective or deliverable '%s'%s",
                                value, "");
        parent = (size_t)(found - copy->nodes);
    }
    bool fits = node->level == LEVEL_AIM
                    ? parent == NODE_NONE
                    : parent != NODE_NONE && copy->nodes[parent].level + 1 == node->level;
    if (!fits) {
        static const char *const above[] = {"nothing (an aim is at the top)", "an aim",
                                            "an objective"};
        return edit_refused(error, "'%s' can move only under %s", node->code,
                            above[node->level < 3 ? node->level : 2]);
    }
    if (parent == node->parent)
        return true;
    node->parent = parent;
    size_t n = copy->node_count;
    size_t *rank = xcalloc(n + 1, sizeof *rank);
    for (size_t i = 0; i < n; i++)
        rank[i] = i;
    rank[index] = n; /* last under its new parent */
    command_reshape_board(copy, rank);
    free(rank);
    return true;
}

/* A new node: CODE under the parent VALUE ("" for an aim), last of its
 * siblings, with nothing set yet (its title comes with it). */
static bool edit_add_node(struct board *copy, const char *code, const char *value,
                          struct error *error)
{
    if (board_find_node(copy, code) || board_find_metric(copy, code, NULL))
        return edit_refused(error, "board already has '%s'%s", code, "");
    size_t parent = NODE_NONE;
    if (*value) {
        struct node *found = board_find_node(copy, value);
        if (!found)
            return edit_refused(error, "board has no aim, objective or deliverable '%s'%s",
                                value, "");
        if (found->level == LEVEL_DELIVERABLE)
            return edit_refused(error, "'%s' is a deliverable: it takes metrics (add_metric), "
                                       "not '%s'", value, code);
        parent = (size_t)(found - copy->nodes);
    }
    copy->nodes = xrealloc(copy->nodes, (copy->node_count + 1) * sizeof *copy->nodes);
    struct node *node = &copy->nodes[copy->node_count];
    memset(node, 0, sizeof *node);
    node->code = xstrdup(code);
    node->parent = parent;
    node->metrics = xcalloc(1, sizeof *node->metrics);
    copy->node_count++;
    command_reshape_board(copy, NULL);
    return true;
}

/* A new metric CODE of the deliverable VALUE: its fields come with it. */
static bool edit_add_metric(struct board *copy, const char *code, const char *value,
                            struct error *error)
{
    if (board_find_metric(copy, code, NULL) ||
        (board_find_node(copy, code) && strcmp(code, value) != 0))
        return edit_refused(error, "board already has '%s'%s", code, "");
    struct node *node = board_find_node(copy, value);
    if (!node || node->level != LEVEL_DELIVERABLE)
        return edit_refused(error, "board has no deliverable '%s' (for metric '%s')", value,
                            code);
    node->metrics = xrealloc(node->metrics, (node->metric_count + 2) * sizeof *node->metrics);
    struct metric *metric = &node->metrics[node->metric_count++];
    memset(metric, 0, sizeof *metric);
    metric->code = xstrdup(code);
    metric->spc = spc_default_settings();
    return true;
}

/* A metric to another deliverable (VALUE), last of its metrics. */
static bool edit_metric_parent(struct board *copy, const char *code, const char *value,
                               struct error *error)
{
    struct node *from = NULL;
    struct metric *metric = board_find_metric(copy, code, &from);
    struct node *to = board_find_node(copy, value);
    if (!to || to->level != LEVEL_DELIVERABLE)
        return edit_refused(error, "board has no deliverable '%s' (for metric '%s')", value,
                            code);
    if (to == from)
        return true;
    struct metric moved = *metric;
    size_t at = (size_t)(metric - from->metrics);
    memmove(&from->metrics[at], &from->metrics[at + 1],
            (from->metric_count - at - 1) * sizeof *from->metrics);
    from->metric_count--;
    to->metrics = xrealloc(to->metrics, (to->metric_count + 2) * sizeof *to->metrics);
    to->metrics[to->metric_count++] = moved;
    return true;
}

/* Moves a metric up or down among its deliverable's live metrics (or
 * first or last). */
static bool edit_metric_position(struct board *copy, const char *code, const char *value,
                                 struct error *error)
{
    struct node *node = NULL;
    struct metric *metric = board_find_metric(copy, code, &node);
    size_t at = (size_t)(metric - node->metrics), other = (size_t)-1;
    bool up = strcmp(value, "up") == 0 || strcmp(value, "first") == 0;
    bool far = strcmp(value, "first") == 0 || strcmp(value, "last") == 0;
    if (!up && strcmp(value, "down") != 0 && strcmp(value, "last") != 0)
        return edit_refused(error, "'%s' is not a position; expected %s", value,
                            "up, down, first or last");
    for (size_t m = 0; m < node->metric_count; m++) {
        if (m == at || node->metrics[m].retired || (up ? m > at : m < at))
            continue;
        bool nearer = other == (size_t)-1 || (up == far ? m < other : m > other);
        if (nearer)
            other = m;
    }
    if (other == (size_t)-1)
        return edit_refused(error, up ? "'%s' is already the first of its siblings%s"
                                      : "'%s' is already the last of its siblings%s",
                            code, "");
    /* Taken out and put in the other's place: what lay between moves one on. */
    struct metric moved = *metric;
    if (other < at)
        memmove(&node->metrics[other + 1], &node->metrics[other],
                (at - other) * sizeof *node->metrics);
    else
        memmove(&node->metrics[at], &node->metrics[at + 1],
                (other - at) * sizeof *node->metrics);
    node->metrics[other] = moved;
    return true;
}

/* Changes one field of a copy of the board's structure. */
static bool edit_copy(struct board *copy, const char *code, const char *field, const char *value,
                      yearmonth month, struct error *error)
{
    if (strcmp(field, "add") == 0 || strcmp(field, "add_metric") == 0 ||
        strcmp(field, "parent") == 0 || strcmp(field, "position") == 0) {
        if (!value)
            return edit_refused(error, "'%s' needs a VALUE%s", field, "");
        if (field[0] == 'a')
            return field[3] ? edit_add_metric(copy, code, value, error)
                            : edit_add_node(copy, code, value, error);
        struct node *node = board_find_node(copy, code);
        if (!node && board_find_metric(copy, code, NULL))
            return field[1] == 'a' ? edit_metric_parent(copy, code, value, error)
                                   : edit_metric_position(copy, code, value, error);
        if (!node)
            return edit_refused(error, "board has no aim, objective or deliverable '%s'%s", code,
                                "");
        size_t index = (size_t)(node - copy->nodes);
        return field[1] == 'a' ? edit_parent(copy, index, value, error)
                               : edit_position(copy, index, value, error);
    }
    return edit_one_field(copy, code, field, value, month, error);
}

/* The edited copy written as a board file and read back: checked by the
 * board file's rules, with its messages. */
static bool edited_board(const struct board *copy, struct board **out, struct error *error)
{
    char *text = structure_text(copy, error);
    if (!text)
        return false;
    bool ok = boardfile_read_bytes(text, strlen(text), "edit", out, error);
    free(text);
    return ok;
}

/* A metric added by `add_metric` needs what a board file needs of it;
 * the copy's zeroes would pass for a unit, a direction and a target. */
static bool added_metrics_complete(const struct board_edit *edits, size_t count,
                                   struct error *error)
{
    static const char *const required[] = {"name", "unit", "direction", "target"};
    for (size_t i = 0; i < count; i++) {
        if (strcmp(edits[i].field, "add_metric") != 0)
            continue;
        for (size_t r = 0; r < 4; r++) {
            bool given = false;
            for (size_t j = i + 1; j < count && !given; j++)
                given = strcmp(edits[j].code, edits[i].code) == 0 &&
                        strcmp(edits[j].field, required[r]) == 0;
            if (!given) {
                error_set(error, EXIT_DATA, "edit: error: missing key '%s' in metric '%s'",
                          required[r], edits[i].code);
                return false;
            }
        }
    }
    return true;
}

static bool edit_in_transaction(struct store *store, const char *board_code,
                                const struct board_edit *edits, size_t count,
                                struct import_plan *plan, struct change *change,
                                struct error *error)
{
    struct board_months months;
    struct board *current = NULL, *copy = NULL, *target = NULL;
    if (!store_board_months(store, board_code, &months, error) ||
        !store_load_board_structure(store, board_code, &current, error))
        return false;
    copy = command_board_structure(current);
    struct import_plan_board *planned = plan_board(plan, board_code);
    if (planned)
        planned->compared = true;
    char now[32];
    current_timestamp(now);
    size_t changed = 0;
    const char *who = current_user_name();
    yearmonth month = retire_month(&months, current);
    bool ok = added_metrics_complete(edits, count, error);
    for (size_t i = 0; ok && i < count; i++)
        ok = edit_copy(copy, edits[i].code, edits[i].field, edits[i].value, month, error);
    /* The board file cannot say both (its writer would drop the milestone):
     * refused in the reader's words. */
    for (size_t i = 0; ok && i < copy->node_count; i++)
        if (copy->nodes[i].has_milestone && copy->nodes[i].metric_count) {
            error_set(error, EXIT_DATA,
                      "edit: error: deliverable '%s' already has 'milestone'; a deliverable "
                      "has one of 'metric', 'metrics' or 'milestone'",
                      copy->nodes[i].code);
            ok = false;
        }
    ok = ok && edited_board(copy, &target, error) &&
         apply_difference(store, current, target, planned, change, who, now, &changed,
                          error) &&
         (changed == 0 || keep_statuses(store, board_code, error)) &&
         (!change || store_last_audit_id(store, &change->audit_id, error));
    board_free(current);
    board_free(copy);
    board_free(target);
    return ok;
}

bool command_edit_many(struct store *store, const char *board_code,
                       const struct board_edit *edits, size_t count, bool dry_run,
                       struct import_plan *plan, struct change *done, struct error *error)
{
    if (!begin_write(store, error))
        return false;
    if (dry_run) {
        bool ok = edit_in_transaction(store, board_code, edits, count, plan, NULL, error);
        store_rollback(store);
        return ok;
    }
    struct change change = {.kind = CHANGE_IMPORT};
    change.board_code = xstrdup(board_code);
    /* "edit 1.1.1 target 85, target_period 2025-03": what the history shows. */
    struct text_buffer text = {0};
    text_append(&text, "edit");
    for (size_t i = 0; i < count; i++) {
        bool same = i && strcmp(edits[i].code, edits[i - 1].code) == 0;
        if (same)
            text_append(&text, ",");
        else
            text_appendf(&text, "%s %s", i ? ";" : "", edits[i].code);
        text_appendf(&text, " %s%s%s", edits[i].field, edits[i].value ? " " : "",
                     edits[i].value ? edits[i].value : "");
    }
    change.text = text.data;
    /* The node undo and redo show: the first one edited. */
    change.node_code = xstrdup(count ? edits[0].code : NULL);
    bool ok = edit_in_transaction(store, board_code, edits, count, plan,
                                  done ? &change : NULL, error);
    if (!finish(store, NULL, ok, error)) {
        change_free(&change);
        return false;
    }
    hand_over(&change, done);
    return true;
}

bool command_edit(struct store *store, const char *board_code, const char *code,
                  const char *field, const char *value, struct import_plan *plan,
                  struct change *done, struct error *error)
{
    struct board_edit edit = {code, field, value};
    return command_edit_many(store, board_code, &edit, 1, false, plan, done, error);
}

bool command_count_import_boards(struct store *store, struct board *const *boards,
                                 const char *const *file_names, size_t count,
                                 struct feed_counts *counts, bool *created,
                                 struct import_plan *plan, struct error *error)
{
    memset(counts, 0, count * sizeof *counts);
    memset(created, 0, count * sizeof *created);
    if (!begin_write(store, error))
        return false;
    /* The import itself, structure differences included, then undone. */
    bool ok = import_in_transaction(store, boards, file_names, count, false, NULL, plan, NULL,
                                    counts, created, error);
    /* Counted: now nothing of it stays. */
    store_rollback(store);
    return ok;
}

bool command_seed_store(struct store *store, bool sample_readings, struct error *error)
{
    struct board **boards = xcalloc(bundled_file_count, sizeof *boards);
    const char **names = xcalloc(bundled_file_count, sizeof *names);
    size_t count = 0;
    bool ok = true;
    /* Structure first, then the sample readings that refer to it. */
    for (int pass = 0; ok && pass < 2; pass++) {
        for (size_t i = 0; ok && i < bundled_file_count; i++) {
            if (bundled_files[i].sample != (pass == 1) ||
                (bundled_files[i].sample && !sample_readings))
                continue;
            names[count] = bundled_files[i].name;
            ok = boardfile_read_bytes(bundled_files[i].bytes, bundled_files[i].length,
                                      names[count], &boards[count], error);
            if (ok && bundled_files[i].sample)
                boards[count]->sample = true;
            count += ok;
        }
    }
    ok = ok && command_import_boards(store, boards, names, count, false, NULL, NULL, error);
    for (size_t i = 0; i < count; i++)
        board_free(boards[i]);
    free(boards);
    free(names);
    return ok;
}

bool command_create_seeded_store(const char *location, bool sample_readings,
                                 struct error *error)
{
    struct store *store = NULL;
    if (!store_create_unpublished(location, &store, error))
        return false;
    if (!command_seed_store(store, sample_readings, error)) {
        store_discard(store);
        return false;
    }
    return store_publish(store, error);
}

/* ---- Readings CSV feeds --------------------------------------------- */

bool command_check_reading(const struct metric_ref *metric, const char *value_text,
                           const char *period_text, const char *segment, const char *note,
                           double *value, yearmonth *period, enum reading_field *at,
                           struct error *error)
{
    /* The checks, and their order, of command_record_reading (which
     * calls this). A NULL period_text leaves *period to the caller. */
    enum reading_field field = READING_FIELD_SEGMENT;
    size_t characters = 0;
    if (metric->retired) {
        /* A retired metric keeps its history and takes no new reading. */
        char month[9];
        yearmonth_label(metric->retired, month);
        error_set(error, EXIT_DATA,
                  "Metric '%s' was retired in %s; restore it first (boardpack edit %s restore).",
                  metric->code, month, metric->code);
        if (at)
            *at = READING_FIELD_METRIC;
        return false;
    }
    bool ok = !segment || (*segment && text_is_clean(segment, false));
    if (!ok)
        error_set(error, EXIT_DATA, "A segment name must be non-empty text on one line.");
    if (ok && segment &&
        !text_within_limit(segment, strlen(segment), TEXT_MAXIMUM_LABEL, &characters)) {
        error_set(error, EXIT_DATA,
                  "The segment name is %zu characters long; a segment may have at most %d.",
                  characters, TEXT_MAXIMUM_LABEL);
        ok = false;
    }
    if (ok) {
        field = READING_FIELD_NOTE;
        ok = command_check_note(note, error);
    }
    if (ok && period_text) {
        field = READING_FIELD_PERIOD;
        ok = command_parse_period(period_text, period, error);
    }
    if (ok) {
        field = READING_FIELD_VALUE;
        ok = command_parse_value(value_text, metric->unit, value, error);
    }
    if (ok && segment && !metric->breakdown) {
        field = READING_FIELD_SEGMENT;
        error_set(error, EXIT_DATA,
                  "Metric '%s' has no breakdown, so its readings cannot have a segment.",
                  metric->code);
        ok = false;
    }
    if (ok && segment && !segments_include(metric->segments, metric->segment_count, segment)) {
        field = READING_FIELD_SEGMENT;
        char suggestion[600];
        segment_suggestion(metric->segments, metric->segment_count, segment, suggestion,
                           sizeof suggestion);
        /* "did you mean 'Barnet'?" ends the sentence; a list needs a full stop. */
        bool asks = suggestion[0] && suggestion[strlen(suggestion) - 1] == '?';
        error_set(error, EXIT_DATA, "No segment '%s' for %s; %s%s", segment, metric->code,
                  suggestion, asks ? "" : ".");
        ok = false;
    }
    if (at)
        *at = field;
    return ok;
}

/* The columns of a readings CSV, by enum reading_field. */
static const char *const feed_columns[] = {"metric", "period", "value", "segment", "note"};
#define FEED_COLUMN_COUNT 5
#define FEED_REQUIRED_COLUMNS 3
#define FEED_DEFAULT_ERROR_LIMIT 20
#define FEED_DEFAULT_PROGRESS_EVERY 100000

/* One feed being imported: the board's metrics (read once), where each
 * column is, the counts and the errors so far. */
struct feed {
    struct store *store;
    const char *board_code;
    const struct feed_options *options;
    struct metric_ref *metrics;
    size_t metric_count;
    const char *who;
    char now[32];
    struct change *change; /* the undo record; NULL: none wanted */
    struct import_tally tally;
    struct store_feed *writer;
    size_t errors;
    struct error first;    /* the first located error */
    /* The current file. */
    const char *file;
    int position[FEED_COLUMN_COUNT]; /* column index of each field, or -1 */
    size_t width;                    /* fields a row must have */
    struct feed_counts *counts;
    struct board_months months;      /* what is published, for corrections */
};

/* A located error, passed on (up to the limit) and counted. */
static void feed_error(struct feed *feed, const struct error *located)
{
    if (feed->errors++ == 0)
        feed->first = *located;
    size_t limit = feed->options && feed->options->error_limit ? feed->options->error_limit
                                                                : FEED_DEFAULT_ERROR_LIMIT;
    if (feed->errors <= limit && feed->options && feed->options->on_error)
        feed->options->on_error(feed->options->context, located->message);
}

/* The command layer's sentences ("'x' is not a number.") as the tail of a
 * located error ("...: error: 'x' is not a number"). */
static void feed_error_at(struct feed *feed, unsigned line, unsigned column,
                          const struct error *sentence)
{
    char text[sizeof sentence->message];
    snprintf(text, sizeof text, "%s", sentence->message);
    size_t length = strlen(text);
    if (length && text[length - 1] == '.')
        text[--length] = '\0';
    if (isupper((unsigned char)text[0]) && (islower((unsigned char)text[1]) || text[1] == ' '))
        text[0] = (char)tolower((unsigned char)text[0]);
    struct error located = {0};
    error_set_at(&located, feed->file, line, column, "%s", text);
    feed_error(feed, &located);
}

static int compare_metric_code(const void *key, const void *entry)
{
    return strcmp(key, ((const struct metric_ref *)entry)->code);
}

/* Reads the header row into feed.position. HEADER_BAD after reporting
 * what is wrong with it (the file's rows cannot be read without it);
 * HEADER_FAILED with *error for a file that cannot be read. */
enum header_result { HEADER_OK, HEADER_BAD, HEADER_FAILED };

static enum header_result read_feed_header(struct feed *feed, struct csv_reader *reader,
                                           struct error *error)
{
    struct csv_row row;
    struct error located = {0};
    enum csv_status status = csv_read_row(reader, &row, &located);
    if (status == CSV_FAILED && located.status != EXIT_DATA) {
        *error = located;
        return HEADER_FAILED;
    }
    if (status == CSV_END)
        error_set_at(&located, feed->file, 1, 1,
                     "the file is empty; a readings CSV starts with a header row naming "
                     "metric, period and value");
    if (status != CSV_ROW) {
        feed_error(feed, &located);
        return HEADER_BAD;
    }
    for (size_t i = 0; i < FEED_COLUMN_COUNT; i++)
        feed->position[i] = -1;
    bool ok = true;
    for (size_t i = 0; i < row.count; i++) {
        /* Names are matched ignoring ASCII case and spaces around them. */
        const char *name = row.fields[i];
        size_t length = row.lengths[i];
        while (length && *name == ' ')
            name++, length--;
        while (length && name[length - 1] == ' ')
            length--;
        size_t column = 0;
        while (column < FEED_COLUMN_COUNT &&
               !(strlen(feed_columns[column]) == length &&
                 strncasecmp(name, feed_columns[column], length) == 0))
            column++;
        if (column == FEED_COLUMN_COUNT) {
            error_set_at(&located, feed->file, row.lines[i], row.columns[i],
                         "unknown column '%.*s' in the header; a readings CSV has metric, "
                         "period and value, and may have segment and note",
                         (int)(length > 64 ? 64 : length), name);
        } else if (feed->position[column] >= 0) {
            error_set_at(&located, feed->file, row.lines[i], row.columns[i],
                         "column '%s' appears twice in the header; the first is at column %u",
                         feed_columns[column], row.columns[feed->position[column]]);
        } else {
            feed->position[column] = (int)i;
            continue;
        }
        feed_error(feed, &located);
        ok = false;
    }
    for (size_t column = 0; column < FEED_REQUIRED_COLUMNS; column++) {
        if (feed->position[column] >= 0)
            continue;
        error_set_at(&located, feed->file, row.line, 1,
                     "the header has no '%s' column; a readings CSV names metric, period and "
                     "value (and may name segment and note) in its first row",
                     feed_columns[column]);
        feed_error(feed, &located);
        ok = false;
    }
    feed->width = row.count;
    return ok ? HEADER_OK : HEADER_BAD;
}

/* A row for a published month corrects it: without the feed's reason it is
 * a bad row (*sentence says why), unless it is the same as the stored
 * reading (then it changes nothing). False with *sentence empty: the store
 * failed (*error). */
static bool feed_may_write(struct feed *feed, const struct metric_ref *metric, yearmonth period,
                           const char *segment, double value, const char *note,
                           struct error *sentence, struct error *error)
{
    bool correction = false;
    const char *reason = feed->options ? feed->options->reason : NULL;
    struct error refused = {0};
    if (check_correction(&feed->months, period, reason, &correction, &refused))
        return true;
    struct reading stored;
    bool found = false;
    if (!store_get_reading(feed->store, metric->metric_id, period, segment, &stored, &found,
                           error))
        return false;
    bool same = found && stored.value == value && !stored.sample &&
                ((!stored.note && !note) || (stored.note && note && strcmp(stored.note, note) == 0));
    reading_free_fields(&stored);
    if (same)
        return true;
    (void)refused;
    char month[9], published[9];
    yearmonth_label(period, month);
    yearmonth_label(feed->months.last_published, published);
    error_set(sentence, EXIT_DATA,
              "a correction to %s, which is published (the board is published up to %s), needs "
              "a reason; give one with import --reason TEXT.",
              month, published);
    return false;
}

/* Every reading a feed writes goes through here, and only here: the one
 * place for a rule on what a feed may write. The store writes it in a
 * batch, and tells feed_written what came of it. */
static bool put_feed_reading(struct feed *feed, const struct metric_ref *metric,
                             yearmonth period, const char *segment, double value,
                             const char *note, struct error *error)
{
    return store_feed_put(feed->writer, metric->metric_id, period, segment, value, note, metric,
                          error);
}

/* What came of a reading put: counted, a replacement audited, and its part
 * of the undo record. */
static bool feed_written(void *context, const struct store_feed_row *row,
                         enum store_put_result result, const struct store_old_reading *old,
                         struct error *error)
{
    struct feed *feed = context;
    const struct metric_ref *metric = row->tag;
    feed->counts->added += result == STORE_PUT_NEW;
    feed->counts->replaced += result == STORE_PUT_REPLACED;
    feed->counts->unchanged += result == STORE_PUT_UNCHANGED;
    if (result == STORE_PUT_UNCHANGED)
        return true;
    struct reading reading = {
        .period = row->period,
        .value = row->value,
        .segment = row->segment,
        .note = row->note,
        .metric_code = metric->code,
    };
    bool replaced = result == STORE_PUT_REPLACED;
    if (replaced && !audit_replaced(&feed->tally, feed->board_code, &reading, old->value, error))
        return false;
    if (feed->months.last_published != YEARMONTH_NONE &&
        row->period <= feed->months.last_published) {
        char old_text[64] = "", new_text[64];
        if (replaced)
            format_reading(row->period, row->segment, old->value, 17, old_text, sizeof old_text);
        format_reading(row->period, row->segment, row->value, 17, new_text, sizeof new_text);
        if (!keep_revision(feed->store, feed->board_code, row->period, metric->code, "reading",
                           replaced ? old_text : NULL, new_text, feed->options->reason,
                           feed->now, error))
            return false;
    }
    if (feed->change) {
        struct store_written written = {
            .kind = STORE_WROTE_READING,
            .board_code = feed->board_code,
            .reading = &reading,
            .had_old = replaced,
            .old_value = replaced ? old->value : 0,
            .old_note = replaced ? old->note : NULL,
            .old_entered_by = replaced ? old->entered_by : NULL,
            .old_entered_at = replaced ? old->entered_at : NULL,
            .old_sample = replaced && old->sample,
        };
        add_written_part(feed->change, &written);
    }
    return true;
}

/* Checks one row and, while the feed has no error, writes it. False only
 * for a failure that ends the import (the store's); a bad row is counted
 * and reported. */
static bool feed_row(struct feed *feed, const struct csv_row *row, struct error *error)
{
    if (row->count != feed->width) {
        struct error located = {0};
        size_t at = row->count < feed->width ? row->count - 1 : feed->width;
        error_set_at(&located, feed->file, row->lines[at], row->columns[at],
                     "the row has %zu field%s; the header has %zu", row->count,
                     row->count == 1 ? "" : "s", feed->width);
        feed_error(feed, &located);
        return true;
    }
    const char *field[FEED_COLUMN_COUNT] = {0};
    for (size_t column = 0; column < FEED_COLUMN_COUNT; column++)
        if (feed->position[column] >= 0 && row->lengths[feed->position[column]])
            field[column] = row->fields[feed->position[column]];
    int metric_at = feed->position[READING_FIELD_METRIC];
    const struct metric_ref *metric =
        field[READING_FIELD_METRIC]
            ? bsearch(field[READING_FIELD_METRIC], feed->metrics, feed->metric_count,
                      sizeof *feed->metrics, compare_metric_code)
            : NULL;
    struct error sentence = {0};
    enum reading_field at = READING_FIELD_METRIC;
    double value = 0;
    yearmonth period = YEARMONTH_NONE;
    if (!field[READING_FIELD_METRIC])
        error_set(&sentence, EXIT_DATA, "The metric is empty; give a metric's code.");
    else if (!metric)
        error_set(&sentence, EXIT_DATA, "Board '%s' has no metric '%.64s'.", feed->board_code,
                  field[READING_FIELD_METRIC]);
    bool good = metric && command_check_reading(metric, field[READING_FIELD_VALUE],
                                                field[READING_FIELD_PERIOD],
                                                field[READING_FIELD_SEGMENT],
                                                field[READING_FIELD_NOTE], &value, &period, &at,
                                                &sentence);
    if (good && !feed_may_write(feed, metric, period, field[READING_FIELD_SEGMENT], value,
                                field[READING_FIELD_NOTE], &sentence, error)) {
        if (!sentence.status)
            return false; /* the store failed */
        good = false;
        at = READING_FIELD_PERIOD;
    }
    if (good) {
        feed->counts->rows++;
        if (feed->errors)
            return true; /* nothing more is written: the import will be rolled back */
        return put_feed_reading(feed, metric, period, field[READING_FIELD_SEGMENT], value,
                                field[READING_FIELD_NOTE], error);
    }
    int index = feed->position[at] >= 0 ? feed->position[at] : metric_at;
    feed_error_at(feed, row->lines[index], row->columns[index], &sentence);
    return true;
}

/* One file of a feed: its header, then every row. False only for a
 * failure that ends the import; bad rows are counted in feed.errors. */
static bool feed_file(struct feed *feed, const char *path, struct error *error)
{
    struct csv_reader *reader;
    if (!csv_open_path(path, &reader, error))
        return false;
    feed->file = path;
    enum header_result header = read_feed_header(feed, reader, error);
    bool ok = header != HEADER_FAILED;
    size_t every = feed->options && feed->options->progress_every
                       ? feed->options->progress_every
                       : FEED_DEFAULT_PROGRESS_EVERY;
    size_t seen = 0;
    while (header == HEADER_OK) {
        struct csv_row row;
        struct error located = {0};
        enum csv_status status = csv_read_row(reader, &row, &located);
        if (status == CSV_END) {
            if (seen == 0) {
                error_set_at(&located, path, 1, 1,
                             "the file has a header row but no readings");
                feed_error(feed, &located);
            }
            break;
        }
        if (status == CSV_FAILED) {
            if (located.status == EXIT_DATA)
                feed_error(feed, &located);
            else
                *error = located, ok = false;
            break;
        }
        seen++;
        if (status == CSV_BAD_ROW) {
            feed_error(feed, &located);
        } else if (!feed_row(feed, &row, error)) {
            ok = false;
            break;
        }
        if (seen % every == 0 && feed->options && feed->options->on_progress)
            feed->options->on_progress(feed->options->context, path, seen);
    }
    csv_close(reader);
    /* The rows still waiting, so that they count for this file. */
    return ok && store_feed_flush(feed->writer, error);
}

/* The import's audit row for one file of a feed. */
static bool audit_feed_file(struct feed *feed, const char *path, const struct feed_counts *counts,
                            struct error *error)
{
    char *summary = xasprintf("%s: %zu readings (%zu new, %zu replaced, %zu unchanged)", path,
                              counts->rows, counts->added, counts->replaced, counts->unchanged);
    bool ok = store_add_audit(feed->store, feed->who, feed->now, "import", feed->board_code, NULL,
                              NULL, summary, error);
    free(summary);
    return ok;
}

bool command_import_readings_csv(struct store *store, const char *board_code,
                                 const char *const *paths, size_t count,
                                 const struct feed_options *options, struct feed_counts *counts,
                                 struct change *done, struct error *error)
{
    struct change change = {.kind = CHANGE_IMPORT};
    struct feed feed = {
        .store = store,
        .board_code = board_code,
        .options = options,
        .who = current_user_name(),
        .change = done ? &change : NULL,
    };
    current_timestamp(feed.now);
    feed.tally = (struct import_tally){
        .store = store, .who = feed.who, .now = feed.now, .change = feed.change};
    memset(counts, 0, count * sizeof *counts);
    if (done) {
        struct text_buffer names = {0};
        for (size_t i = 0; i < count; i++) {
            if (i)
                text_append(&names, ", ");
            text_append(&names, paths[i]);
        }
        change.text = names.data ? names.data : xstrdup("");
        change.board_code = xstrdup(board_code);
    }
    bool dry_run = options && options->dry_run;
    /* The write lock first, so the counts are those of the store the
     * rows are written into (a dry run's too: it is rolled back). */
    bool began = !store_is_read_only(store) ? store_begin_feed(store, error)
                                            : begin_write(store, error);
    bool ok = began && store_list_metric_refs(store, board_code, &feed.metrics,
                                              &feed.metric_count, error) &&
              store_board_months(store, board_code, &feed.months, error);
    feed.writer = store_feed_start(store, feed.who, feed.now, feed_written, &feed);
    for (size_t i = 0; ok && i < count; i++) {
        feed.counts = &counts[i];
        ok = feed_file(&feed, paths[i], error);
    }
    store_feed_end(feed.writer);
    if (ok && feed.errors) {
        size_t limit = options && options->error_limit ? options->error_limit
                                                       : FEED_DEFAULT_ERROR_LIMIT;
        if (feed.errors > limit && options && options->on_error) {
            char more[64];
            snprintf(more, sizeof more, "... and %zu more error%s", feed.errors - limit,
                     feed.errors - limit == 1 ? "" : "s");
            options->on_error(options->context, more);
        }
        *error = feed.first;
        error->status = EXIT_DATA;
        ok = false;
    }
    size_t written = 0;
    for (size_t i = 0; ok && i < count; i++)
        written += counts[i].added + counts[i].replaced;
    /* Nothing new: nothing at all is written, not even an audit row, so a
     * feed imported twice leaves the store as the first import left it. */
    for (size_t i = 0; ok && written && i < count; i++)
        ok = audit_feed_file(&feed, paths[i], &counts[i], error);
    ok = ok && (!written || (store_refresh_latest(store, board_code, error) &&
                             keep_statuses(store, board_code, error)));
    ok = ok && (!done || store_last_audit_id(store, &change.audit_id, error));
    metric_refs_free(feed.metrics, feed.metric_count);
    if (began && (!ok || dry_run || !written))
        store_rollback(store);
    else if (began)
        ok = store_commit(store, error);
    if (!ok) {
        change_free(&change);
        return false;
    }
    hand_over(&change, done);
    return true;
}

/* ---- Undoing and redoing an import ---------------------------------- */

/* True if the import created board_code (so undo removes it whole). */
/* The boards an import touched, each once, and whether it created them:
 * one pass over its parts (a board has many parts; an import few boards). */
struct touched_board {
    const char *code;
    bool created;
};

static size_t touched_boards(const struct change *change, struct touched_board **out)
{
    struct touched_board *boards = NULL;
    size_t count = 0, capacity = 0;
    for (size_t i = 0; i < change->part_count; i++) {
        const struct change *part = &change->parts[i];
        size_t at = 0;
        while (at < count && strcmp(boards[at].code, part->board_code) != 0)
            at++;
        if (at == count) {
            void *items = boards;
            grow_array(&items, &capacity, count + 1, sizeof *boards);
            boards = items;
            boards[count++] = (struct touched_board){.code = part->board_code};
        }
        boards[at].created = boards[at].created || part->kind == CHANGE_IMPORT;
    }
    *out = boards;
    return count;
}

static bool board_was_created(const struct touched_board *boards, size_t count,
                              const char *board_code)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(boards[i].code, board_code) == 0)
            return boards[i].created;
    return false;
}

/* The readings an import put, and how many of them replaced a different
 * value (as its audit rows count them), on board_code (NULL: all). */
static void count_readings(const struct change *change, const char *board_code,
                           size_t counts[4])
{
    memset(counts, 0, 4 * sizeof *counts);
    for (size_t i = 0; i < change->part_count; i++) {
        const struct change *part = &change->parts[i];
        if (board_code && strcmp(part->board_code, board_code) != 0)
            continue;
        if (part->kind == CHANGE_READING) {
            counts[0]++;
            counts[1] += part->had_old && part->old_value != part->new_value;
        } else if (part->kind == CHANGE_MILESTONE) {
            counts[2]++;
        } else if (part->kind == CHANGE_COMMENT) {
            counts[3]++;
        }
    }
}

/* Makes a board's structure the one a CHANGE_STRUCTURE part kept from
 * before it (undo: what the change added goes, with what was written to it)
 * or after it (redo), audited per change. */
static bool restore_structure(struct store *store, const struct change *part, bool forward,
                              struct error *error)
{
    const char *text = forward ? part->new_board : part->old_board;
    struct board *target = NULL, *current = NULL;
    if (!boardfile_read_bytes(text, strlen(text), forward ? "the board after the change"
                                                         : "the board before the change",
                              &target, error) ||
        !store_load_board_structure(store, part->board_code, &current, error)) {
        board_free(target);
        return false;
    }
    char now[32];
    current_timestamp(now);
    size_t changed;
    bool ok = apply_difference(store, current, target, NULL, NULL, current_user_name(), now,
                               &changed, error);
    board_free(target);
    board_free(current);
    return ok;
}

/* Takes back one part of an import (not on a board it created: that goes
 * whole). A replaced reading gets its old row again, as it was. */
static bool undo_part(struct store *store, const struct change *part, struct error *error)
{
    struct metric_ref metric = {0};
    bool ok;
    switch (part->kind) {
    case CHANGE_READING:
        if (!store_find_metric(store, part->board_code, part->node_code, &metric, error))
            return false;
        if (part->had_old)
            ok = store_put_reading_sample(store, metric.metric_id, part->period, part->segment,
                                          part->old_value, part->old_note, part->old_entered_by,
                                          part->old_entered_at, part->old_sample, NULL, NULL,
                                          error);
        else
            ok = store_delete_reading(store, metric.metric_id, part->period, part->segment,
                                      error);
        metric_ref_free(&metric);
        return ok;
    case CHANGE_MILESTONE:
        return store_delete_milestone_update(store, part->row_id, error);
    case CHANGE_COMMENT:
        return store_delete_comment(store, part->row_id, error);
    case CHANGE_IMPORT:
        return store_delete_board(store, part->board_code, error);
    case CHANGE_STRUCTURE:
        return restore_structure(store, part, false, error);
    }
    return false;
}

/* Writes one part of an import again, by whoever redoes it, now; added
 * rows get new ids, which the part keeps for the next undo. */
static bool redo_part(struct store *store, struct change *part, const char *who,
                      const char *now, struct error *error)
{
    struct metric_ref metric = {0};
    long long node_id;
    bool ok;
    switch (part->kind) {
    case CHANGE_READING:
        if (!store_find_metric(store, part->board_code, part->node_code, &metric, error))
            return false;
        ok = store_put_reading_sample(store, metric.metric_id, part->period, part->segment,
                                      part->new_value, part->new_note, who, now,
                                      part->new_sample, NULL, NULL, error);
        metric_ref_free(&metric);
        return ok;
    case CHANGE_MILESTONE:
        return store_find_node(store, part->board_code, part->node_code, &node_id, NULL,
                               error) &&
               store_add_milestone_update(store, node_id, part->status, part->period,
                                          part->text, who, now, &part->row_id, error);
    case CHANGE_COMMENT:
        return store_find_node(store, part->board_code, part->node_code, &node_id, NULL,
                               error) &&
               store_add_comment(store, node_id, part->period, part->text, who, now,
                                 &part->row_id, error);
    case CHANGE_IMPORT:
        break; /* refused before the transaction */
    case CHANGE_STRUCTURE:
        return restore_structure(store, part, true, error);
    }
    return false;
}

/* Whether undoing a structure change is safe though the board was written
 * to since (a later change and its undo, a reading): its structure is still
 * exactly what the change made, and nothing the undo would remove (what the
 * change added) has a reading, a milestone update or a comment. */
static bool structure_undo_is_safe(struct store *store, const struct change *part, bool *safe,
                                   struct error *error)
{
    *safe = false;
    struct board *made = NULL, *before = NULL, *now = NULL, *structure = NULL;
    struct board_diff since = {0}, undo = {0};
    bool ok = boardfile_read_bytes(part->new_board, strlen(part->new_board),
                                   "the board after the change", &made, error) &&
              boardfile_read_bytes(part->old_board, strlen(part->old_board),
                                   "the board before the change", &before, error) &&
              store_load_board_with_retired(store, part->board_code, &now, error);
    if (ok) {
        structure = command_board_structure(now);
        command_diff_boards(made, structure, &since);
        command_diff_boards(made, before, &undo);
        *safe = since.count == 0;
        for (size_t i = 0; *safe && i < undo.count; i++) {
            const struct board_change *change = &undo.changes[i];
            if (change->kind != BOARD_CHANGE_REMOVE)
                continue;
            struct node *node = NULL;
            const struct metric *metric =
                change->level == LEVEL_METRIC ? board_find_metric(now, change->code, &node)
                                              : NULL;
            if (metric)
                *safe = metric->reading_count == 0;
            else if ((node = board_find_node(now, change->code)) != NULL) {
                /* A removed node goes with its metrics. */
                *safe = node->comment_count == 0 &&
                        node->milestone.update_count <=
                            (size_t)(node->milestone.update_count &&
                                     !node->milestone.updates[0].entered_at);
                for (size_t m = 0; *safe && m < node->metric_count; m++)
                    *safe = node->metrics[m].reading_count == 0;
            }
        }
    }
    board_diff_free(&since);
    board_diff_free(&undo);
    board_free(structure);
    board_free(now);
    board_free(before);
    board_free(made);
    return ok;
}

/* Refuses what cannot be replayed, in one sentence: redo of a created
 * board (the change does not keep the parsed board), and undo of one that
 * has been written to since the import. */
static bool import_can_replay(struct store *store, const struct change *change, bool forward,
                              struct error *error)
{
    char described[512];
    command_describe_change(change, described, sizeof described);
    for (size_t i = 0; i < change->part_count; i++) {
        const struct change *part = &change->parts[i];
        /* Undoing a structure change removes what it added, with anything
         * written to it since: refused once the board has been written to. */
        if (part->kind == CHANGE_STRUCTURE && !forward) {
            long long since = 0;
            if (!store_audit_count_since(store, part->board_code, change->audit_id, &since,
                                         error))
                return false;
            bool safe = since == 0;
            if (!safe && !structure_undo_is_safe(store, part, &safe, error))
                return false;
            if (!safe) {
                error_set(error, EXIT_DATA,
                          "Cannot undo %s: board '%s' has been changed since, and undoing it "
                          "could lose those changes.",
                          described, part->board_code);
                return false;
            }
            continue;
        }
        if (part->kind != CHANGE_IMPORT)
            continue;
        if (forward) {
            error_set(error, EXIT_DATA,
                      "Cannot redo %s: it created board '%s', which undo removed; import the "
                      "file again to bring it back.",
                      described, part->board_code);
            return false;
        }
        long long since = 0;
        if (!store_audit_count_since(store, part->board_code, change->audit_id, &since, error))
            return false;
        if (since > 0) {
            error_set(error, EXIT_DATA,
                      "Cannot undo %s: board '%s', which it created, has been changed since, "
                      "and removing it would lose those changes.",
                      described, part->board_code);
            return false;
        }
    }
    return true;
}

/* Undo (forward false) or redo (forward true) an import: every part, an
 * "undo-import" or "redo-import" audit row and the kept statuses for each
 * board it touched (a removed board has none), in one transaction. */
static bool replay_import(struct store *store, struct change *change, bool forward,
                          struct error *error)
{
    if (!begin_write(store, error))
        return false;
    const char *who = current_user_name();
    char now[32];
    current_timestamp(now);
    bool ok = import_can_replay(store, change, forward, error);
    struct touched_board *boards = NULL;
    size_t board_count = touched_boards(change, &boards);
    if (forward) {
        for (size_t i = 0; ok && i < change->part_count; i++)
            ok = redo_part(store, &change->parts[i], who, now, error);
    } else {
        /* Newest first, so a reading written twice gets its first old row. */
        for (size_t i = change->part_count; ok && i-- > 0;) {
            const struct change *part = &change->parts[i];
            if (part->kind == CHANGE_IMPORT ||
                !board_was_created(boards, board_count, part->board_code))
                ok = undo_part(store, part, error);
        }
    }
    /* Each board touched once: its audit row and its statuses (an import
     * that wrote nothing still audits its undo, on its first board). */
    size_t steps = board_count ? board_count
                               : (change->board_code && *change->board_code ? 1 : 0);
    for (size_t i = 0; ok && i < steps; i++) {
        const char *board_code = board_count ? boards[i].code : change->board_code;
        bool removed = !forward && board_count && boards[i].created;
        size_t counts[4];
        count_readings(change, board_code, counts);
        char *summary = xasprintf("%s: %zu readings (%zu replaced), %zu milestone updates, "
                                  "%zu comments%s",
                                  change->text, counts[0], counts[1], counts[2], counts[3],
                                  removed ? ", and the board it created" : "");
        ok = store_add_audit(store, who, now, forward ? "redo-import" : "undo-import",
                             board_code, NULL, forward ? NULL : summary,
                             forward ? summary : NULL, error) &&
             (removed || keep_statuses(store, board_code, error));
        free(summary);
    }
    free(boards);
    ok = ok && store_last_audit_id(store, &change->audit_id, error);
    if (!ok) {
        store_rollback(store);
        return false;
    }
    return store_commit(store, error);
}

/* Undo puts a removed reading back as it was; redo removes it again. */
static bool replay_removal(struct store *store, const struct change *change, bool forward,
                           const char *who, const char *now, struct error *error)
{
    struct metric_ref metric = {0};
    if (!store_find_metric(store, change->board_code, change->node_code, &metric, error))
        return false;
    char value[160];
    describe_reading(change->period, change->segment, change->old_value, value, sizeof value);
    bool ok = forward ? store_delete_reading(store, metric.metric_id, change->period,
                                             change->segment, error)
                      : store_put_reading_sample(store, metric.metric_id, change->period,
                                                 change->segment, change->old_value,
                                                 change->old_note, change->old_entered_by,
                                                 change->old_entered_at, change->old_sample,
                                                 NULL, NULL, error);
    metric_ref_free(&metric);
    return ok && store_add_audit(store, who, now,
                                 forward ? "redo-delete-reading" : "undo-delete-reading",
                                 change->board_code, change->node_code, forward ? value : NULL,
                                 forward ? NULL : value, error);
}

/* Undoing or redoing a change to a published month is itself a correction:
 * allowed for a change that was one (its reason carries over, kept as a
 * revision), refused for one made before the month was published. */
static bool replay_allowed(struct store *store, const struct change *change, bool forward,
                           bool *correction, struct error *error)
{
    *correction = false;
    struct board_months months;
    if (!change->board_code || !*change->board_code)
        return true;
    if (!store_board_months(store, change->board_code, &months, error)) {
        /* A board an undone import removed: import_can_replay says why. */
        if (change->kind == CHANGE_IMPORT && error->status == EXIT_DATA) {
            memset(error, 0, sizeof *error);
            return true;
        }
        return false;
    }
    if (months.last_published == YEARMONTH_NONE)
        return true;
    yearmonth touched = change->kind == CHANGE_IMPORT ? YEARMONTH_NONE : change->period;
    for (size_t i = 0; i < change->part_count; i++)
        if (change->parts[i].kind != CHANGE_IMPORT && change->parts[i].kind != CHANGE_STRUCTURE &&
            (touched == YEARMONTH_NONE || change->parts[i].period < touched))
            touched = change->parts[i].period;
    if (touched == YEARMONTH_NONE || touched > months.last_published)
        return true;
    if (change->reason && change->kind != CHANGE_IMPORT) {
        *correction = true;
        return true;
    }
    char described[512], month[9];
    command_describe_change(change, described, sizeof described);
    yearmonth_label(touched, month);
    error_set(error, EXIT_DATA,
              "Cannot %s %s: %s has been published since; correct it instead, with a reason.",
              forward ? "redo" : "undo", described, month);
    return false;
}

/* Undo (forward false) or redo (forward true) one change, audited. */
static bool replay(struct store *store, struct change *change, bool forward, struct error *error)
{
    bool correction;
    if (!replay_allowed(store, change, forward, &correction, error))
        return false;
    if (change->kind == CHANGE_IMPORT)
        return replay_import(store, change, forward, error);
    if (!begin_write(store, error))
        return false;
    const char *who = current_user_name();
    char now[32];
    current_timestamp(now);
    bool ok = false;
    long long node_id;
    switch (change->kind) {
    case CHANGE_READING:
        if (change->removal)
            ok = replay_removal(store, change, forward, who, now, error);
        else
            ok = write_reading(store, change, forward, forward ? "redo-reading" : "undo-reading",
                               error);
        break;
    case CHANGE_MILESTONE:
    case CHANGE_COMMENT: {
        /* The row written again (redo) or removed (undo), and the audit
         * row: its value, the status or the text, after or before. A
         * removal goes the other way, and its undo puts the row back as
         * it was entered. */
        bool milestone = change->kind == CHANGE_MILESTONE;
        const char *value = milestone ? milestone_status_name(change->status) : change->text;
        bool insert = change->removal ? !forward : forward;
        const char *by = change->removal ? change->old_entered_by : who;
        const char *at = change->removal ? change->old_entered_at : now;
        char action[40];
        snprintf(action, sizeof action, "%s-%s", forward ? "redo" : "undo",
                 change->removal ? (milestone ? "remove-milestone-update" : "remove-comment")
                                 : (milestone ? "set-milestone" : "add-comment"));
        if (insert)
            ok = store_find_node(store, change->board_code, change->node_code, &node_id, NULL,
                                 error) &&
                 (milestone ? store_add_milestone_update(store, node_id, change->status,
                                                         change->period, change->text, by, at,
                                                         &change->row_id, error)
                            : store_add_comment(store, node_id, change->period, change->text,
                                                by, at, &change->row_id, error));
        else
            ok = milestone ? store_delete_milestone_update(store, change->row_id, error)
                           : store_delete_comment(store, change->row_id, error);
        ok = ok && store_add_audit(store, who, now, action, change->board_code, change->node_code,
                                   insert ? NULL : value, insert ? value : NULL, error);
        break;
    }
    case CHANGE_IMPORT:
    case CHANGE_STRUCTURE:
        break; /* replay_import */
    }
    if (ok && correction) {
        char *reason = xasprintf("%s: %s", forward ? "redone" : "undone", change->reason);
        char old_text[160] = "", new_text[160] = "";
        if (change->kind == CHANGE_READING && change->removal) {
            describe_reading(change->period, change->segment, change->old_value,
                             forward ? old_text : new_text, sizeof old_text);
        } else if (change->kind == CHANGE_READING) {
            if (forward || change->had_old)
                describe_reading(change->period, change->segment,
                                 forward ? change->new_value : change->old_value, new_text,
                                 sizeof new_text);
            describe_reading(change->period, change->segment,
                             forward ? change->old_value : change->new_value, old_text,
                             sizeof old_text);
        }
        ok = keep_revision(store, change->board_code, change->period, change->node_code,
                           change->kind == CHANGE_READING     ? "reading"
                           : change->kind == CHANGE_MILESTONE ? "milestone"
                                                              : "comment",
                           old_text[0] ? old_text : NULL, new_text[0] ? new_text : NULL, reason,
                           now, error);
        free(reason);
    }
    return finish(store, change->board_code, ok, error);
}

bool command_undo(struct store *store, struct change *change, struct error *error)
{
    return replay(store, change, false, error);
}

bool command_redo(struct store *store, struct change *change, struct error *error)
{
    return replay(store, change, true, error);
}

void command_describe_change(const struct change *change, char *out, size_t size)
{
    char month[9] = "";
    if (change->period)
        yearmonth_label(change->period, month);
    const char *segment = change->segment;
    switch (change->kind) {
    case CHANGE_READING:
        snprintf(out, size, "%sthe reading for %s%s%s%s%s (%g)",
                 change->removal ? "the removal of " : "", change->node_code,
                 segment ? " " : "", segment ? segment : "", *month ? ", " : "", month,
                 change->new_value);
        break;
    case CHANGE_MILESTONE:
        snprintf(out, size, "%s%s's status %s%s%s",
                 change->removal ? "the removal of " : "", change->node_code,
                 milestone_status_label(change->status), *month ? " for " : "", month);
        break;
    case CHANGE_COMMENT:
        snprintf(out, size, "%sthe commentary on %s%s%s",
                 change->removal ? "the removal of " : "", change->node_code,
                 *month ? " for " : "", month);
        break;
    case CHANGE_STRUCTURE:
        snprintf(out, size, "the change to board %s", change->board_code);
        break;
    case CHANGE_IMPORT: {
        size_t counts[4];
        count_readings(change, NULL, counts);
        if (change->text && strncmp(change->text, "edit ", 5) == 0) {
            snprintf(out, size, "the %s", change->text);
            break;
        }
        snprintf(out, size, "the import of %s (%zu reading%s, %zu replaced)",
                 change->text ? change->text : "a file", counts[0], counts[0] == 1 ? "" : "s",
                 counts[1]);
        break;
    }
    }
}

static void push_onto(struct change **stack, size_t *count, size_t *capacity,
                      struct change *change)
{
    void *items = *stack;
    grow_array(&items, capacity, *count + 1, sizeof **stack);
    *stack = items;
    (*stack)[(*count)++] = *change;
    memset(change, 0, sizeof *change);
}

static void forget(struct change *stack, size_t *count)
{
    for (size_t i = 0; i < *count; i++)
        change_free(&stack[i]);
    *count = 0;
}

void command_history_free(struct command_history *history)
{
    forget(history->undo, &history->undo_count);
    forget(history->redo, &history->redo_count);
    free(history->undo);
    free(history->redo);
    memset(history, 0, sizeof *history);
}

void command_history_push(struct command_history *history, struct change *change)
{
    forget(history->redo, &history->redo_count);
    push_onto(&history->undo, &history->undo_count, &history->undo_capacity, change);
}

bool command_history_can_undo(const struct command_history *history)
{
    return history->undo_count > 0;
}

bool command_history_can_redo(const struct command_history *history)
{
    return history->redo_count > 0;
}

/* Replays the top of one stack and moves it onto the other. */
static bool history_step(struct command_history *history, struct store *store, bool redo,
                         char *message, size_t size, const char **node_code,
                         struct error *error)
{
    struct change *from = redo ? history->redo : history->undo;
    size_t *from_count = redo ? &history->redo_count : &history->undo_count;
    if (*from_count == 0) {
        error_set(error, EXIT_DATA, redo ? "Nothing to redo." : "Nothing to undo in this session.");
        return false;
    }
    struct change *change = &from[*from_count - 1];
    if (!(redo ? command_redo(store, change, error) : command_undo(store, change, error)))
        return false;
    char described[512];
    command_describe_change(change, described, sizeof described);
    snprintf(message, size, "%s %s.", redo ? "Redid" : "Undid", described);
    struct change moved = *change;
    (*from_count)--;
    if (redo)
        push_onto(&history->undo, &history->undo_count, &history->undo_capacity, &moved);
    else
        push_onto(&history->redo, &history->redo_count, &history->redo_capacity, &moved);
    const struct change *top = redo ? &history->undo[history->undo_count - 1]
                                    : &history->redo[history->redo_count - 1];
    if (node_code)
        *node_code = top->node_code;
    return true;
}

bool command_history_undo(struct command_history *history, struct store *store,
                          char *message, size_t size, const char **node_code,
                          struct error *error)
{
    return history_step(history, store, false, message, size, node_code, error);
}

bool command_history_redo(struct command_history *history, struct store *store,
                          char *message, size_t size, const char **node_code,
                          struct error *error)
{
    return history_step(history, store, true, message, size, node_code, error);
}
