/* boardfile_write.c — writes a board back out: as a board file through
 * libyaml's emitter (which boardfile_read_* reads back to the same board), and
 * its readings as CSV. docs/board-file.md is the format. */
#include "boardfile.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Numbers written with a '.' whatever the user's locale says; the reader
 * switches the same way. */
struct numeric_locale {
    locale_t c_locale;
    locale_t previous;
};

static void use_c_numbers(struct numeric_locale *saved)
{
    saved->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    saved->previous = saved->c_locale ? uselocale(saved->c_locale) : (locale_t)0;
}

static void restore_numbers(struct numeric_locale *saved)
{
    if (saved->c_locale) {
        uselocale(saved->previous);
        freelocale(saved->c_locale);
    }
}

/* ---- YAML -------------------------------------------------------------- */

struct writer {
    yaml_emitter_t emitter;
    const struct board *board;
    bool ok; /* false after the first failure; later calls do nothing */
};

static void emit(struct writer *writer, yaml_event_t *event, bool initialised)
{
    if (!initialised) {
        writer->ok = false;
        return;
    }
    if (!writer->ok) {
        yaml_event_delete(event);
        return;
    }
    /* The emitter owns the event from here, on success or failure. */
    if (!yaml_emitter_emit(&writer->emitter, event))
        writer->ok = false;
}

static void emit_scalar(struct writer *writer, const char *text, yaml_scalar_style_t style)
{
    yaml_event_t event;
    emit(writer, &event,
         yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1,
                                      1, style));
}

/* A mapping or a list, opened in flow style ({a: 1}, [a, b]) or block style,
 * and closed. */
enum collection { MAPPING, LIST };

static void begin(struct writer *writer, enum collection collection, bool flow)
{
    yaml_event_t event;
    if (collection == MAPPING)
        emit(writer, &event,
             yaml_mapping_start_event_initialize(&event, NULL, NULL, 1,
                                                 flow ? YAML_FLOW_MAPPING_STYLE
                                                      : YAML_BLOCK_MAPPING_STYLE));
    else
        emit(writer, &event,
             yaml_sequence_start_event_initialize(&event, NULL, NULL, 1,
                                                  flow ? YAML_FLOW_SEQUENCE_STYLE
                                                       : YAML_BLOCK_SEQUENCE_STYLE));
}

static void end(struct writer *writer, enum collection collection)
{
    yaml_event_t event;
    emit(writer, &event,
         collection == MAPPING ? yaml_mapping_end_event_initialize(&event)
                               : yaml_sequence_end_event_initialize(&event));
}

static void emit_key(struct writer *writer, const char *key)
{
    emit_scalar(writer, key, YAML_PLAIN_SCALAR_STYLE);
}

/* Text and codes are always quoted, so "1", "true" or "2023-04" stay text. */
static void emit_text(struct writer *writer, const char *key, const char *text)
{
    if (!text)
        return;
    emit_key(writer, key);
    emit_scalar(writer, text, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static void emit_word(struct writer *writer, const char *key, const char *word)
{
    emit_key(writer, key);
    emit_scalar(writer, word, YAML_PLAIN_SCALAR_STYLE);
}

static void emit_number(struct writer *writer, const char *key, double value)
{
    char text[32];
    format_number_shortest(value, 17, text, sizeof text);
    emit_word(writer, key, text);
}

static void emit_whole_number(struct writer *writer, const char *key, int value)
{
    char text[16];
    snprintf(text, sizeof text, "%d", value);
    emit_word(writer, key, text);
}

static void emit_period(struct writer *writer, const char *key, yearmonth period)
{
    if (period == YEARMONTH_NONE)
        return;
    char text[8];
    yearmonth_format(period, text);
    emit_word(writer, key, text);
}

/* An item of readings, milestone_updates or commentary is a flow mapping
 * that starts with the code it is for and its month... */
static void begin_entry(struct writer *writer, const char *key, const char *code,
                        yearmonth period)
{
    begin(writer, MAPPING, true);
    emit_text(writer, key, code);
    emit_period(writer, "period", period);
}

/* ...and ends with by, at and sample. A sample board marks everything
 * sample when read, so only an item that differs from its board says so. */
static void end_entry(struct writer *writer, const char *by, const char *at, bool sample)
{
    emit_text(writer, "by", by);
    emit_text(writer, "at", at);
    if (sample && !writer->board->sample)
        emit_word(writer, "sample", "true");
    end(writer, MAPPING);
}

static void emit_board_mapping(struct writer *writer)
{
    const struct board *board = writer->board;
    emit_key(writer, "board");
    begin(writer, MAPPING, board->readings_only);
    emit_text(writer, "code", board->code);
    if (!board->readings_only) {
        emit_text(writer, "title", board->title);
        emit_text(writer, "period", board->reporting_period);
        emit_text(writer, "purpose", board->purpose);
        emit_text(writer, "vision", board->vision);
        if (board->value_count) {
            emit_key(writer, "values");
            begin(writer, LIST, false);
            for (size_t i = 0; i < board->value_count; i++) {
                begin(writer, MAPPING, true);
                emit_text(writer, "name", board->values[i].name);
                emit_text(writer, "text", board->values[i].text);
                end(writer, MAPPING);
            }
            end(writer, LIST);
        }
    }
    if (board->sample)
        emit_word(writer, "sample", "true");
    if (!board->readings_only && board->spc_conflict != SPC_CONFLICT_DEFAULT) {
        emit_key(writer, "spc");
        begin(writer, MAPPING, true);
        emit_word(writer, "conflict", spc_conflict_name(board->spc_conflict));
        end(writer, MAPPING);
    }
    end(writer, MAPPING);
}

static void emit_point(struct writer *writer, const char *key, double value, yearmonth period)
{
    emit_key(writer, key);
    begin(writer, MAPPING, true);
    emit_number(writer, "value", value);
    emit_period(writer, "period", period);
    end(writer, MAPPING);
}

/* Only the settings that differ from the defaults. */
static void emit_spc(struct writer *writer, const struct spc_settings *spc)
{
    struct spc_settings defaults = spc_default_settings();
    bool differs = spc->minimum_points != defaults.minimum_points ||
                   spc->shift_length != defaults.shift_length ||
                   spc->trend_length != defaults.trend_length ||
                   spc->screen_moving_ranges != defaults.screen_moving_ranges ||
                   spc->rebase_count > 0 || spc->conflict != SPC_CONFLICT_DEFAULT;
    if (!differs)
        return;
    emit_key(writer, "spc");
    begin(writer, MAPPING, true);
    if (spc->minimum_points != defaults.minimum_points)
        emit_whole_number(writer, "minimum_points", spc->minimum_points);
    if (spc->shift_length != defaults.shift_length)
        emit_whole_number(writer, "shift_length", spc->shift_length);
    if (spc->trend_length != defaults.trend_length)
        emit_whole_number(writer, "trend_length", spc->trend_length);
    if (spc->screen_moving_ranges != defaults.screen_moving_ranges)
        emit_word(writer, "screen_moving_ranges", spc->screen_moving_ranges ? "true" : "false");
    if (spc->rebase_count > 0) {
        emit_key(writer, "rebase");
        begin(writer, LIST, true);
        for (int i = 0; i < spc->rebase_count && i < SPC_MAX_REBASES; i++) {
            char text[8];
            yearmonth_format(spc->rebase_periods[i], text);
            emit_scalar(writer, text, YAML_PLAIN_SCALAR_STYLE);
        }
        end(writer, LIST);
    }
    if (spc->conflict != SPC_CONFLICT_DEFAULT)
        emit_word(writer, "conflict", spc_conflict_name(spc->conflict));
    end(writer, MAPPING);
}

static void emit_metric(struct writer *writer, const struct metric *metric, bool with_code,
                        yearmonth node_retired)
{
    begin(writer, MAPPING, false);
    if (with_code)
        emit_text(writer, "code", metric->code);
    emit_text(writer, "name", metric->name);
    emit_word(writer, "unit", unit_name(metric->unit));
    if (metric->direction != DIRECTION_NONE)
        emit_word(writer, "direction", direction_name(metric->direction));
    if (metric->has_baseline)
        emit_point(writer, "baseline", metric->baseline, metric->baseline_period);
    emit_point(writer, "target", metric->target, metric->target_period);
    if (metric->trajectory_count) {
        emit_key(writer, "trajectory");
        begin(writer, MAPPING, true);
        for (size_t i = 0; i < metric->trajectory_count; i++) {
            char period[8];
            yearmonth_format(metric->trajectory[i].period, period);
            emit_number(writer, period, metric->trajectory[i].value);
        }
        end(writer, MAPPING);
    }
    if (metric->has_tolerance)
        emit_number(writer, "tolerance", metric->tolerance);
    if (metric->stale_months)
        emit_whole_number(writer, "stale_after", metric->stale_months);
    emit_text(writer, "breakdown", metric->breakdown);
    if (metric->segment_count) {
        emit_key(writer, "segments");
        begin(writer, LIST, true);
        for (size_t i = 0; i < metric->segment_count; i++)
            emit_scalar(writer, metric->segments[i], YAML_DOUBLE_QUOTED_SCALAR_STYLE);
        end(writer, LIST);
    }
    emit_spc(writer, &metric->spc);
    /* A retired deliverable's metrics retire with it: said once, there. */
    if (metric->retired != node_retired)
        emit_period(writer, "retired", metric->retired);
    end(writer, MAPPING);
}

/* A milestone's first update goes in the tree as `status:` when that is all
 * it is (what a `status:` in a board file reads as); every other update is
 * written under milestone_updates. */
static bool first_update_is_tree_status(const struct board *board, const struct node *node)
{
    if (!node->has_milestone || node->milestone.update_count == 0)
        return false;
    const struct milestone_update *update = &node->milestone.updates[0];
    return update->period == YEARMONTH_NONE && !update->note && !update->entered_by &&
           !update->entered_at && update->sample == board->sample;
}

static void emit_deliverable_measure(struct writer *writer, const struct node *node)
{
    if (node->metric_count == 1 && node->metrics[0].code && node->code &&
        strcmp(node->metrics[0].code, node->code) == 0) {
        emit_key(writer, "metric");
        emit_metric(writer, &node->metrics[0], false, node->retired);
    } else if (node->metric_count > 0) {
        emit_key(writer, "metrics");
        begin(writer, LIST, false);
        for (size_t m = 0; m < node->metric_count; m++)
            emit_metric(writer, &node->metrics[m], true, node->retired);
        end(writer, LIST);
    } else if (node->has_milestone) {
        emit_key(writer, "milestone");
        begin(writer, MAPPING, true);
        emit_period(writer, "due", node->milestone.due);
        if (first_update_is_tree_status(writer->board, node))
            emit_word(writer, "status", milestone_status_name(node->milestone.updates[0].status));
        end(writer, MAPPING);
    }
}

/* The tree is pre-order, so walking it with a stack of open lists needs no
 * recursion: a node's list closes when the next node is not inside it. */
static void emit_aims(struct writer *writer)
{
    const struct board *board = writer->board;
    static const char *const child_lists[] = {"objectives", "deliverables"};
    size_t open_ends[3];
    size_t open_count = 0;
    emit_key(writer, "aims");
    begin(writer, LIST, false);
    for (size_t i = 0; i < board->node_count; i++) {
        const struct node *node = &board->nodes[i];
        while (open_count > 0 && i >= open_ends[open_count - 1]) {
            end(writer, LIST);
            end(writer, MAPPING);
            open_count--;
        }
        begin(writer, MAPPING, false);
        emit_text(writer, "code", node->code);
        emit_text(writer, "title", node->title);
        emit_text(writer, "lead", node->lead);
        if (node->level == LEVEL_DELIVERABLE || open_count >= 2) {
            emit_deliverable_measure(writer, node);
            emit_period(writer, "retired", node->retired);
            end(writer, MAPPING);
        } else {
            emit_period(writer, "retired", node->retired);
            emit_key(writer, child_lists[node->level == LEVEL_AIM ? 0 : 1]);
            begin(writer, LIST, false);
            open_ends[open_count++] = node->subtree_end > i ? node->subtree_end : i + 1;
        }
    }
    while (open_count > 0) {
        end(writer, LIST);
        end(writer, MAPPING);
        open_count--;
    }
    end(writer, LIST);
}

static void emit_reading(struct writer *writer, const char *metric_code,
                         const struct reading *reading)
{
    begin_entry(writer, "metric", metric_code, reading->period);
    emit_number(writer, "value", reading->value);
    emit_text(writer, "segment", reading->segment);
    emit_text(writer, "note", reading->note);
    end_entry(writer, reading->entered_by, reading->entered_at, reading->sample);
}

/* Opens the list `key` of `count` entries, unless it would be empty. */
static bool begin_list(struct writer *writer, const char *key, size_t count)
{
    if (!count)
        return false;
    emit_key(writer, key);
    begin(writer, LIST, false);
    return true;
}

static size_t attached_reading_count(const struct board *board)
{
    size_t count = board->reading_count;
    for (size_t i = 0; i < board->node_count; i++)
        for (size_t m = 0; m < board->nodes[i].metric_count; m++)
            count += board->nodes[i].metrics[m].reading_count;
    return count;
}

/* Readings attached to metrics (a board from the store), in tree order,
 * then those the board holds as a file listed them. */
static void emit_readings(struct writer *writer)
{
    const struct board *board = writer->board;
    if (!begin_list(writer, "readings", attached_reading_count(board)))
        return;
    for (size_t i = 0; i < board->node_count; i++)
        for (size_t m = 0; m < board->nodes[i].metric_count; m++) {
            const struct metric *metric = &board->nodes[i].metrics[m];
            for (size_t r = 0; r < metric->reading_count; r++)
                emit_reading(writer, metric->code, &metric->readings[r]);
        }
    for (size_t r = 0; r < board->reading_count; r++)
        emit_reading(writer, board->readings[r].metric_code, &board->readings[r]);
    end(writer, LIST);
}

static void emit_update(struct writer *writer, const char *node_code,
                        const struct milestone_update *update)
{
    begin_entry(writer, "deliverable", node_code, update->period);
    emit_word(writer, "status", milestone_status_name(update->status));
    emit_text(writer, "note", update->note);
    end_entry(writer, update->entered_by, update->entered_at, update->sample);
}

static void emit_milestone_updates(struct writer *writer)
{
    const struct board *board = writer->board;
    size_t count = board->milestone_update_count;
    for (size_t i = 0; i < board->node_count; i++)
        count += board->nodes[i].milestone.update_count -
                 (first_update_is_tree_status(board, &board->nodes[i]) ? 1 : 0);
    if (!begin_list(writer, "milestone_updates", count))
        return;
    for (size_t i = 0; i < board->node_count; i++) {
        const struct node *node = &board->nodes[i];
        size_t first = first_update_is_tree_status(board, node) ? 1 : 0;
        for (size_t u = first; u < node->milestone.update_count; u++)
            emit_update(writer, node->code, &node->milestone.updates[u]);
    }
    for (size_t u = 0; u < board->milestone_update_count; u++)
        emit_update(writer, board->milestone_updates[u].node_code, &board->milestone_updates[u]);
    end(writer, LIST);
}

static void emit_comment(struct writer *writer, const char *node_code,
                         const struct comment *comment)
{
    begin_entry(writer, "node", node_code, comment->period);
    emit_text(writer, "text", comment->text);
    end_entry(writer, comment->entered_by, comment->entered_at, comment->sample);
}

static void emit_commentary(struct writer *writer)
{
    const struct board *board = writer->board;
    size_t count = board->comment_count;
    for (size_t i = 0; i < board->node_count; i++)
        count += board->nodes[i].comment_count;
    if (!begin_list(writer, "commentary", count))
        return;
    for (size_t i = 0; i < board->node_count; i++)
        for (size_t c = 0; c < board->nodes[i].comment_count; c++)
            emit_comment(writer, board->nodes[i].code, &board->nodes[i].comments[c]);
    for (size_t c = 0; c < board->comment_count; c++)
        emit_comment(writer, board->comments[c].node_code, &board->comments[c]);
    end(writer, LIST);
}

bool boardfile_write_yaml(const struct board *board, FILE *out, struct error *error)
{
    struct writer writer = {.board = board, .ok = true};
    if (!yaml_emitter_initialize(&writer.emitter)) {
        error_set(error, EXIT_SOFTWARE, "Out of memory while writing the board file.");
        return false;
    }
    struct numeric_locale saved;
    use_c_numbers(&saved);
    yaml_emitter_set_output_file(&writer.emitter, out);
    yaml_emitter_set_encoding(&writer.emitter, YAML_UTF8_ENCODING);
    yaml_emitter_set_unicode(&writer.emitter, 1);
    yaml_emitter_set_width(&writer.emitter, -1); /* never fold a long title */
    yaml_emitter_set_indent(&writer.emitter, 2);

    yaml_event_t event;
    emit(&writer, &event, yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING));
    emit(&writer, &event, yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 1));
    begin(&writer, MAPPING, false);
    emit_board_mapping(&writer);
    if (!board->readings_only)
        emit_aims(&writer);
    emit_readings(&writer);
    emit_milestone_updates(&writer);
    emit_commentary(&writer);
    end(&writer, MAPPING);
    emit(&writer, &event, yaml_document_end_event_initialize(&event, 1));
    emit(&writer, &event, yaml_stream_end_event_initialize(&event));
    if (writer.ok && !yaml_emitter_flush(&writer.emitter))
        writer.ok = false;
    const char *problem = writer.emitter.problem;
    int reason = errno;
    bool output_failed = fflush(out) != 0 || ferror(out);
    if (output_failed)
        reason = errno;
    if (!writer.ok || output_failed) {
        if (output_failed || writer.emitter.error == YAML_WRITER_ERROR)
            error_set(error, EXIT_IO, "Could not write the board file: %s.", strerror(reason));
        else
            error_set(error, EXIT_SOFTWARE, "Could not write the board file: %s.",
                      problem ? problem : "the emitter failed");
    }
    yaml_emitter_delete(&writer.emitter);
    restore_numbers(&saved);
    return writer.ok && !output_failed;
}

/* ---- CSV ---------------------------------------------------------------- */

static void write_csv_field(FILE *out, const char *text, bool last)
{
    csv_write_field(out, text);
    fputs(last ? "\r\n" : ",", out);
}

static void write_csv_reading(FILE *out, const char *board_code, const char *metric_code,
                              const struct reading *reading)
{
    char period[8], value[32];
    yearmonth_format(reading->period, period);
    format_number_shortest(reading->value, 17, value, sizeof value);
    write_csv_field(out, board_code, false);
    write_csv_field(out, metric_code, false);
    write_csv_field(out, period, false);
    write_csv_field(out, value, false);
    write_csv_field(out, reading->segment, false);
    write_csv_field(out, reading->note, false);
    write_csv_field(out, reading->entered_by, false);
    write_csv_field(out, reading->entered_at, true);
}

bool boardfile_write_csv(const struct board *board, FILE *out, struct error *error)
{
    struct numeric_locale saved;
    use_c_numbers(&saved);
    fputs("board,metric,period,value,segment,note,entered_by,entered_at\r\n", out);
    for (size_t i = 0; i < board->node_count; i++)
        for (size_t m = 0; m < board->nodes[i].metric_count; m++) {
            const struct metric *metric = &board->nodes[i].metrics[m];
            for (size_t r = 0; r < metric->reading_count; r++)
                write_csv_reading(out, board->code, metric->code, &metric->readings[r]);
        }
    for (size_t r = 0; r < board->reading_count; r++)
        write_csv_reading(out, board->code, board->readings[r].metric_code, &board->readings[r]);
    restore_numbers(&saved);
    if (fflush(out) != 0 || ferror(out)) {
        error_set(error, EXIT_IO, "Could not write the readings: %s.", strerror(errno));
        return false;
    }
    return true;
}
