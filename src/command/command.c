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

/* Ends a command's transaction: keeps board_code's statuses (NULL: the
 * command kept them itself, as an import does for each board it touched)
 * and commits, or rolls everything back if any step failed, so a refused or
 * failed command writes nothing. */
/* The note checked, and the month parsed (this month when not given). */
static bool check_note_and_period(const char *note, const char *period_text, yearmonth *period,
                                  struct error *error)
{
    if (!command_check_note(note, error))
        return false;
    *period = yearmonth_current();
    return !period_text || command_parse_period(period_text, period, error);
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
                            const char *note, struct change *done, struct error *error)
{
    if (segment && (!*segment || !text_is_clean(segment, false))) {
        error_set(error, EXIT_DATA, "A segment name must be non-empty text on one line.");
        return false;
    }
    size_t characters;
    if (segment && !text_within_limit(segment, strlen(segment), TEXT_MAXIMUM_LABEL, &characters)) {
        error_set(error, EXIT_DATA,
                  "The segment name is %zu characters long; a segment may have at most %d.",
                  characters, TEXT_MAXIMUM_LABEL);
        return false;
    }
    yearmonth period;
    if (!check_note_and_period(note, period_text, &period, error))
        return false;

    /* Validate against the metric before taking the write lock, so a bad
     * value never blocks other writers. */
    struct metric_ref metric = {0};
    if (!store_find_metric(store, board_code, metric_code, &metric, error)) {
        explain_milestone(store, board_code, metric_code, error);
        return false;
    }
    double value;
    bool valid = command_parse_value(value_text, metric.unit, &value, error);
    if (valid && segment && !metric.breakdown) {
        error_set(error, EXIT_DATA,
                  "Metric '%s' has no breakdown, so its readings cannot have a segment.",
                  metric.code);
        valid = false;
    }
    if (valid && segment && !segments_include(metric.segments, metric.segment_count, segment)) {
        char suggestion[600];
        segment_suggestion(metric.segments, metric.segment_count, segment, suggestion,
                           sizeof suggestion);
        /* "did you mean 'Barnet'?" ends the sentence; a list needs a full stop. */
        bool asks = suggestion[0] && suggestion[strlen(suggestion) - 1] == '?';
        error_set(error, EXIT_DATA, "No segment '%s' for %s; %s%s", segment, metric.code,
                  suggestion, asks ? "" : ".");
        valid = false;
    }
    long long metric_id = metric.metric_id;
    metric_ref_free(&metric);
    if (!valid)
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
    };
    char now[32];
    current_timestamp(now);
    bool ok = store_put_reading(store, metric_id, period, segment, value, note,
                                current_user_name(), now, &change.had_old, &change.old_value,
                                error);
    if (ok) {
        char before[160] = "", after[160];
        if (change.had_old)
            describe_reading(period, segment, change.old_value, before, sizeof before);
        describe_reading(period, segment, value, after, sizeof after);
        ok = store_add_audit(store, current_user_name(), now,
                             change.had_old ? "replace-reading" : "record-reading", board_code,
                             metric_code, before[0] ? before : NULL, after, error);
    }
    if (!finish(store, board_code, ok, error)) {
        change_free(&change);
        return false;
    }
    hand_over(&change, done);
    return true;
}

bool command_set_milestone(struct store *store, const char *board_code, const char *node_code,
                           enum milestone_status status, const char *period_text,
                           const char *note, struct change *done, struct error *error)
{
    yearmonth period;
    if (!check_note_and_period(note, period_text, &period, error))
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
                              milestone_status_name(status), error);
    if (!finish(store, board_code, ok, error))
        return false;
    struct change change =
        node_change(CHANGE_MILESTONE, board_code, node_code, period, note, row_id);
    change.status = status;
    hand_over(&change, done);
    return true;
}

bool command_add_comment(struct store *store, const char *board_code, const char *node_code,
                         const char *text, const char *period_text, struct change *done,
                         struct error *error)
{
    if (!text || !*text) {
        error_set(error, EXIT_DATA, "Commentary cannot be empty.");
        return false;
    }
    yearmonth period;
    if (!check_note_and_period(text, period_text, &period, error))
        return false;
    long long node_id;
    if (!store_find_node(store, board_code, node_code, &node_id, NULL, error))
        return false;
    if (!begin_write(store, error))
        return false;
    long long row_id = 0;
    char now[32];
    current_timestamp(now);
    bool ok = store_add_comment(store, node_id, period, text, current_user_name(), now, &row_id,
                                error) &&
              store_add_audit(store, current_user_name(), now, "add-comment", board_code,
                              node_code, NULL, text, error);
    if (!finish(store, board_code, ok, error))
        return false;
    struct change change = node_change(CHANGE_COMMENT, board_code, node_code, period, text, row_id);
    hand_over(&change, done);
    return true;
}

/* ---- Imports and seeding ------------------------------------------------ */

struct import_tally {
    struct store *store;
    const char *who;
    const char *now;
    size_t replaced;
    struct change *change; /* the undo record being built; NULL: none wanted */
};

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

/* Told of every row an import writes: audits the readings it changed and
 * adds a part to the undo record for each row. */
static bool import_wrote(void *context, const struct store_written *written, struct error *error)
{
    struct import_tally *tally = context;
    const struct reading *reading = written->reading;
    if (written->kind == STORE_WROTE_READING && written->had_old &&
        written->old_value != reading->value &&
        !audit_replaced(tally, written->board_code, reading, written->old_value, error))
        return false;
    if (!tally->change)
        return true;
    struct change *part;
    switch (written->kind) {
    case STORE_WROTE_BOARD:
        add_part(tally->change, CHANGE_IMPORT, written->board_code);
        break;
    case STORE_WROTE_READING:
        part = add_part(tally->change, CHANGE_READING, written->board_code);
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
        part = add_row_part(tally->change, CHANGE_MILESTONE, written,
                            written->update->node_code, written->update->period,
                            written->update->note);
        part->status = written->update->status;
        break;
    case STORE_WROTE_COMMENT:
        add_row_part(tally->change, CHANGE_COMMENT, written, written->comment->node_code,
                     written->comment->period, written->comment->text);
        break;
    }
    return true;
}

/* Imports the boards, audits each file, and keeps the statuses of every
 * board it touched, all in the caller's transaction. */
static bool import_in_transaction(struct store *store, struct board *const *boards,
                                  const char *const *file_names, size_t count, bool sample,
                                  struct change *change, struct error *error)
{
    char now[32];
    current_timestamp(now);
    struct import_tally tally = {
        .store = store, .who = current_user_name(), .now = now, .change = change};
    for (size_t i = 0; i < count; i++) {
        const struct board *board = boards[i];
        tally.replaced = 0;
        if (!store_import_boards(store, &boards[i], &file_names[i], 1, sample, tally.who,
                                 import_wrote, &tally, error))
            return false;
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
                           struct change *done, struct error *error)
{
    if (!begin_write(store, error))
        return false;
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
    bool ok = import_in_transaction(store, boards, file_names, count, sample,
                                    done ? &change : NULL, error);
    if (!finish(store, NULL, ok, error)) {
        change_free(&change);
        return false;
    }
    hand_over(&change, done);
    return true;
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
    ok = ok && command_import_boards(store, boards, names, count, false, NULL, error);
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
    }
    return false;
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

/* Undo (forward false) or redo (forward true) one change, audited. */
static bool replay(struct store *store, struct change *change, bool forward, struct error *error)
{
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
        ok = write_reading(store, change, forward, forward ? "redo-reading" : "undo-reading",
                           error);
        break;
    case CHANGE_MILESTONE:
    case CHANGE_COMMENT: {
        /* The row written again (redo) or removed (undo), and the audit
         * row: its value, the status or the text, after or before. */
        bool milestone = change->kind == CHANGE_MILESTONE;
        const char *value = milestone ? milestone_status_name(change->status) : change->text;
        char action[32];
        snprintf(action, sizeof action, "%s-%s", forward ? "redo" : "undo",
                 milestone ? "set-milestone" : "add-comment");
        if (forward)
            ok = store_find_node(store, change->board_code, change->node_code, &node_id, NULL,
                                 error) &&
                 (milestone ? store_add_milestone_update(store, node_id, change->status,
                                                         change->period, change->text, who, now,
                                                         &change->row_id, error)
                            : store_add_comment(store, node_id, change->period, change->text,
                                                who, now, &change->row_id, error));
        else
            ok = milestone ? store_delete_milestone_update(store, change->row_id, error)
                           : store_delete_comment(store, change->row_id, error);
        ok = ok && store_add_audit(store, who, now, action, change->board_code, change->node_code,
                                   forward ? NULL : value, forward ? value : NULL, error);
        break;
    }
    case CHANGE_IMPORT:
        break; /* replay_import */
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
        snprintf(out, size, "the reading for %s%s%s%s%s (%g)", change->node_code,
                 segment ? " " : "", segment ? segment : "", *month ? ", " : "", month,
                 change->new_value);
        break;
    case CHANGE_MILESTONE:
        snprintf(out, size, "%s's status %s%s%s", change->node_code,
                 milestone_status_label(change->status), *month ? " for " : "", month);
        break;
    case CHANGE_COMMENT:
        snprintf(out, size, "the commentary on %s%s%s", change->node_code,
                 *month ? " for " : "", month);
        break;
    case CHANGE_IMPORT: {
        size_t counts[4];
        count_readings(change, NULL, counts);
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
