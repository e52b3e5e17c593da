/* report.c — `boardpack report`: the board as a table for papers (text,
 * Markdown) and for scripts (CSV with the columns PRODUCT.md fixes). */
#include "report.h"

#include "present.h"

#include <stdlib.h>
#include <string.h>

bool report_format_parse(const char *text, enum report_format *out)
{
    if (strcmp(text, "text") == 0)
        *out = REPORT_TEXT;
    else if (strcmp(text, "csv") == 0)
        *out = REPORT_CSV;
    else if (strcmp(text, "md") == 0 || strcmp(text, "markdown") == 0)
        *out = REPORT_MARKDOWN;
    else
        return false;
    return true;
}

/* What one report row says, whatever the format. */
struct row {
    enum level level;
    const char *code;
    const char *title;
    enum rag rag;
    unsigned counts[RAG_COUNT];
    bool counted;
    bool stale;
    char value[48], target[48], period[8];
    bool measured;
    char shown[160]; /* "value → target", as present.h words it */
    enum spc_variation variation;
    enum spc_assurance assurance;
    const char *spc_conflict; /* spc_conflict_sentence: "" when none */
    const char *milestone;
    size_t depth;
    bool sample; /* the value shown is an illustrative sample reading */
    const char *lead;
    /* Reporting months (docs/months.md). */
    char previous[2];          /* its status in the published month before; "" if none */
    char movement[32];         /* present_movement's words: "↓ was G", "new", "" */
    const char *movement_code; /* for CSV: up, down, same, new or "" */
    bool awaiting;             /* not yet updated for the open month */
    char awaiting_text[64];    /* "awaiting Apr 2024 (last month R)" */
};

/* The row's movement since the published month before the one shown. */
static void fill_movement(struct row *row, const struct board *board, const struct node *node,
                          bool ascii)
{
    int movement = present_movement(board, node, row->rag, ascii, row->movement,
                                     sizeof row->movement);
    row->movement_code = "";
    if (!row->movement[0])
        return;
    if (!node->has_previous) {
        row->movement_code = "new";
        return;
    }
    row->previous[0] = rag_letter(node->previous_rag);
    row->movement_code = movement > 0 ? "up" : movement < 0 ? "down" : "same";
}

/* "awaiting Apr 2024 (last month R)": the status shown is the month
 * before the open one's (docs/rag.md). */
static void fill_awaiting(struct row *row, yearmonth open_month)
{
    row->awaiting = true;
    char month[9];
    yearmonth_label(open_month, month);
    snprintf(row->awaiting_text, sizeof row->awaiting_text, "awaiting %s (last month %c)", month,
             rag_letter(row->rag));
}

static void fill_metric_row(struct row *row, const struct metric *metric,
                            const struct metric_status *status, yearmonth as_of, bool ascii)
{
    row->rag = status->rag;
    row->stale = status->stale;
    row->awaiting = status->awaiting;
    row->measured = true;
    format_number_shortest(metric->target, 17, row->target, sizeof row->target);
    present_value_against_target(metric, status, ascii, "no reading", row->shown,
                                 sizeof row->shown);
    if (status->has_reading) {
        format_number_shortest(status->latest, 17, row->value, sizeof row->value);
        yearmonth_format(status->latest_period, row->period);
    }
    /* SPC over the same readings as the status: none after as_of. */
    const struct reading *series;
    size_t count = metric_series(metric, NULL, &series);
    for (size_t i = count; status->has_reading && i > 0; i--)
        if (series[i - 1].period == status->latest_period) {
            row->sample = series[i - 1].sample;
            break;
        }
    struct spc_result spc;
    metric_analyse_spc_at(metric, as_of, &spc);
    row->variation = spc.variation;
    row->assurance = spc.assurance;
    row->spc_conflict = spc_conflict_sentence(&spc);
    spc_result_free(&spc);
}

static void write_csv_row(FILE *out, const struct row *row)
{
    char rag[2] = {rag_letter(row->rag), '\0'};
    /* The nine columns of the contract, then stale and sample (1 or 0 on
     * measured rows, sample only when there is a value; empty otherwise),
     * lead, and the month's: previous_rag, movement and awaiting
     * (docs/boardpack.1, docs/months.md). No "revised" column: a published
     * month's CSV stays the same, byte for byte, after corrections; the
     * text and Markdown reports and `boardpack month` carry the mark. */
    const char *stale = row->measured ? (row->stale ? "1" : "0") : "";
    const char *sample = row->value[0] ? (row->sample ? "1" : "0") : "";
    const char *fields[] = {level_name(row->level),
                            row->code,
                            row->title,
                            rag,
                            row->value,
                            row->target,
                            row->period,
                            spc_variation_code(row->variation),
                            spc_assurance_code(row->assurance),
                            stale,
                            sample,
                            row->lead ? row->lead : "",
                            row->previous,
                            row->movement_code ? row->movement_code : "",
                            row->awaiting ? "yes" : ""};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (i)
            fputc(',', out);
        csv_write_field(out, fields[i]);
    }
    fputs("\r\n", out);
}

static void write_counts(FILE *out, const unsigned counts[RAG_COUNT])
{
    struct rollup rollup = {0};
    memcpy(rollup.counts, counts, sizeof rollup.counts);
    struct present_line line = {0};
    present_counts(&rollup, PRESENT_COUNTS_REPORT, &line);
    fputs(line.text.data ? line.text.data : "", out);
    present_line_free(&line);
}

/* The variation icon and any conflict sentence; the assurance icon. Each
 * after `separator` when there is one to write. */
static void write_variation(FILE *out, const struct row *row, bool ascii, const char *separator)
{
    if (row->variation != SPC_VARIATION_NONE)
        fprintf(out, "%s%s %s", separator, spc_variation_glyph(row->variation, ascii),
                spc_variation_label(row->variation));
    if (row->spc_conflict && row->spc_conflict[0])
        fprintf(out, " [%s]", row->spc_conflict);
}

static void write_assurance(FILE *out, const struct row *row, bool ascii, const char *separator)
{
    if (row->assurance != SPC_ASSURANCE_NONE)
        fprintf(out, "%s%s %s", separator, spc_assurance_glyph(row->assurance, ascii),
                spc_assurance_label(row->assurance));
}


static void write_text_row(FILE *out, const struct row *row, bool ascii)
{
    fprintf(out, "%*s[%c] %s %s", (int)(row->depth * 2), "", rag_letter(row->rag), row->code,
            row->title);
    if (row->counted && row->level != LEVEL_DELIVERABLE) {
        fputs("  (", out);
        write_counts(out, row->counts);
        fputc(')', out);
    }
    if (row->movement[0])
        fprintf(out, "  %s", row->movement);
    fputc('\n', out);
    if (row->measured || row->milestone) {
        fprintf(out, "%*s", (int)(row->depth * 2 + 4), "");
        if (row->milestone) {
            fputs(row->milestone, out);
            if (row->awaiting)
                fprintf(out, "; %s", row->awaiting_text);
        } else {
            fputs(row->shown, out);
            if (row->period[0])
                fprintf(out, " (%s)", row->period);
            if (row->stale)
                fputs(" STALE", out);
            if (row->awaiting)
                fprintf(out, "; %s", row->awaiting_text);
            write_variation(out, row, ascii, "; ");
            write_assurance(out, row, ascii, "; ");
        }
        fputc('\n', out);
    }
}

/* Markdown table cells cannot hold '|' or line breaks. */
static void write_markdown_cell(FILE *out, const char *text)
{
    for (const char *c = text; *c; c++) {
        if (*c == '|')
            fputs("\\|", out);
        else if (*c == '\n' || *c == '\r')
            fputc(' ', out);
        else
            fputc(*c, out);
    }
}

static void write_markdown_row(FILE *out, const struct row *row, bool ascii)
{
    fputs("| ", out);
    write_markdown_cell(out, level_name(row->level));
    fputs(" | ", out);
    write_markdown_cell(out, row->code);
    fputs(" | ", out);
    if (row->level != LEVEL_DELIVERABLE && row->level != LEVEL_METRIC)
        fputs("**", out);
    write_markdown_cell(out, row->title);
    if (row->level != LEVEL_DELIVERABLE && row->level != LEVEL_METRIC)
        fputs("**", out);
    fprintf(out, " | %c", rag_letter(row->rag));
    if (row->movement[0])
        fprintf(out, " %s", row->movement);
    fputs(" | ", out);
    if (row->milestone)
        write_markdown_cell(out, row->milestone);
    else if (row->measured)
        fprintf(out, "%s%s", row->shown, row->stale ? " (stale)" : "");
    else if (row->counted)
        write_counts(out, row->counts);
    if (row->awaiting && (row->milestone || row->measured))
        fprintf(out, "; %s", row->awaiting_text);
    fprintf(out, " | %s | ", row->period);
    write_variation(out, row, ascii, "");
    fputs(" | ", out);
    write_assurance(out, row, ascii, "");
    fputs(" |\n", out);
}

static void write_row(FILE *out, enum report_format format, const struct row *row, bool ascii)
{
    switch (format) {
    case REPORT_CSV:
        write_csv_row(out, row);
        break;
    case REPORT_TEXT:
        write_text_row(out, row, ascii);
        break;
    case REPORT_MARKDOWN:
        write_markdown_row(out, row, ascii);
        break;
    }
}

/* The month's standing: "PUBLISHED — Published 2024-05-03 by alice.",
 * "PROVISIONAL — Apr 2024: 12 of 34 updated"; "" when there is nothing to
 * say (working figures that are all published). */
static void month_line(const struct board *board, const struct board_status *status, bool ascii,
                       char *out, size_t size)
{
    char badge[32], publication[256], progress[96];
    present_month_badge(board, status, badge, sizeof badge);
    present_publication_line(board, publication, sizeof publication);
    present_month_progress(status, progress, sizeof progress);
    const char *dash = ascii ? " - " : " — ";
    snprintf(out, size, "%s%s%s%s%s", badge, badge[0] && publication[0] ? dash : "", publication,
             (badge[0] || publication[0]) && progress[0] ? dash : "", progress);
}

static const char *csv_header =
    "level,code,title,rag,value,target,period,variation,assurance,stale,sample,lead,"
    "previous_rag,movement,awaiting\r\n";

static void write_heading(FILE *out, const struct report_options *options,
                          const struct board *board, const struct board_status *status)
{
    enum report_format format = options->format;
    char month[512];
    month_line(board, status, options->ascii, month, sizeof month);
    char as_at[9];
    present_as_at(status->as_at, as_at);
    const char *sample = board->shows_sample ? "SAMPLE DATA (illustrative readings)" : NULL;
    switch (format) {
    case REPORT_CSV:
        fputs(csv_header, out);
        break;
    case REPORT_TEXT:
        fprintf(out, "%s\n", board->title);
        fprintf(out, "Board %s%s%s, as at %s\n", board->code,
                board->reporting_period ? ", " : "",
                board->reporting_period ? board->reporting_period : "", as_at);
        if (sample)
            fprintf(out, "%s\n", sample);
        fputs("Deliverables: ", out);
        write_counts(out, status->board.counts);
        fputc('\n', out);
        if (month[0])
            fprintf(out, "%s\n", month);
        fputc('\n', out);
        break;
    case REPORT_MARKDOWN:
        fputs("# ", out);
        write_markdown_cell(out, board->title);
        fprintf(out, "\n\nBoard `%s`, as at %s.", board->code, as_at);
        if (sample)
            fprintf(out, " **%s.**", sample);
        fputs(" Deliverables: ", out);
        write_counts(out, status->board.counts);
        fputs(".\n\n", out);
        if (month[0]) {
            fputs("**", out);
            write_markdown_cell(out, month);
            fputs("**\n\n", out);
        }
        fputs("| level | code | title | RAG | value → target | period | variation | "
              "assurance |\n|---|---|---|---|---|---|---|---|\n",
              out);
        break;
    }
}

/* Which nodes a --changed report shows: those whose status moved since the
 * published month before the one shown, or that are new since, and their
 * ancestors for context. */
static bool *changed_nodes(const struct board *board, const struct board_status *status,
                           size_t *moved)
{
    bool *shown = xcalloc(board->node_count ? board->node_count : 1, sizeof *shown);
    *moved = 0;
    for (size_t i = 0; i < board->node_count; i++) {
        char words[32];
        int movement = present_movement(board, &board->nodes[i], status->nodes[i].rag, false,
                                         words, sizeof words);
        if (movement != 0 || strcmp(words, "new") == 0) {
            shown[i] = true;
            (*moved)++;
        }
    }
    /* A parent comes before its children in tree order. */
    for (size_t i = board->node_count; i-- > 0;)
        if (shown[i] && board->nodes[i].parent != NODE_NONE)
            shown[board->nodes[i].parent] = true;
    return shown;
}

/* The text report's line when a --changed report has no row to show. */
static void write_nothing_changed(FILE *out, const struct board *board)
{
    if (board->months.previous == YEARMONTH_NONE) {
        fputs("No month is published before this one: there is no movement to show.\n", out);
        return;
    }
    char month[9];
    yearmonth_label(board->months.previous, month);
    fprintf(out, "No status has moved since %s.\n", month);
}

bool report_write_with(const struct board *board, yearmonth as_of,
                       const struct report_options *options, FILE *out, struct error *error)
{
    enum report_format format = options->format;
    bool ascii = options->ascii;
    struct board_status status;
    board_evaluate(board, as_of, &status);
    write_heading(out, options, board, &status);
    size_t moved = 0;
    bool *shown = options->changed_only ? changed_nodes(board, &status, &moved) : NULL;
    for (size_t i = 0; i < board->node_count; i++) {
        if (shown && !shown[i])
            continue;
        const struct node *node = &board->nodes[i];
        struct row row = {
            .level = node->level,
            .code = node->code,
            .title = node->title,
            .rag = status.nodes[i].rag,
            .depth = node->depth,
            .counted = node->level != LEVEL_DELIVERABLE,
            .lead = node->lead,
        };
        memcpy(row.counts, status.nodes[i].counts, sizeof row.counts);
        fill_movement(&row, board, node, ascii);
        char milestone[160];
        if (node->has_milestone) {
            char due[9], label[96];
            yearmonth_label(node->milestone.due, due);
            /* A milestone awaiting the open month is judged, like its
             * letter, at the month before (docs/rag.md). */
            yearmonth judged = status.nodes[i].awaiting ? status.open_month - 1 : as_of;
            present_milestone_label(&node->milestone, judged, status.as_at, label, sizeof label);
            snprintf(milestone, sizeof milestone, "milestone: %s, due %s", label, due);
            row.milestone = milestone;
        }
        if (node->metric_count == 1)
            fill_metric_row(&row, &node->metrics[0], &status.metrics[i][0], as_of, ascii);
        if (node->level == LEVEL_DELIVERABLE && status.nodes[i].awaiting)
            fill_awaiting(&row, status.open_month);
        write_row(out, format, &row, ascii);
        for (size_t m = 0; node->metric_count > 1 && m < node->metric_count; m++) {
            const struct metric *metric = &node->metrics[m];
            struct row metric_row = {
                .level = LEVEL_METRIC,
                .code = metric->code,
                .title = metric->name,
                .depth = node->depth + 1,
                };
            fill_metric_row(&metric_row, metric, &status.metrics[i][m], as_of, ascii);
            if (metric_row.awaiting)
                fill_awaiting(&metric_row, status.open_month);
            write_row(out, format, &metric_row, ascii);
        }
    }
    if (shown && moved == 0 && format == REPORT_TEXT)
        write_nothing_changed(out, board);
    free(shown);
    board_status_free(&status, board->node_count);
    if (fflush(out) != 0 || ferror(out)) {
        error_set(error, EXIT_IO, "Cannot write the report.");
        return false;
    }
    return true;
}

bool report_write(const struct board *board, yearmonth as_of, enum report_format format,
                  bool ascii, FILE *out, struct error *error)
{
    struct report_options options = {.format = format, .ascii = ascii};
    return report_write_with(board, as_of, &options, out, error);
}

/* ---- boardpack month ------------------------------------------------------ */

/* Who chases a deliverable: its own lead, else its nearest ancestor's;
 * NULL if none has one. */
static const char *lead_of(const struct board *board, size_t index)
{
    for (size_t at = index; at != NODE_NONE; at = board->nodes[at].parent)
        if (board->nodes[at].lead && board->nodes[at].lead[0])
            return board->nodes[at].lead;
    return NULL;
}

/* Leads in name order, no lead last; within a lead, tree order (the
 * board index breaks ties, so the sort is stable). */
struct missing_entry {
    const struct present_missing *item;
    const char *lead;
};

static int compare_missing(const void *a, const void *b)
{
    const struct missing_entry *x = a, *y = b;
    if (!x->lead != !y->lead)
        return x->lead ? -1 : 1;
    int by_lead = x->lead ? strcmp(x->lead, y->lead) : 0;
    if (by_lead)
        return by_lead;
    return x->item->node < y->item->node ? -1 : x->item->node > y->item->node;
}

static bool same_lead(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/* "reading 1.1.2a, reading 1.1.2b, milestone update, commentary": each
 * metric with no whole-series reading for the month (or later). */
static void write_needs(FILE *out, const struct node *node, const struct present_missing *item,
                        yearmonth month)
{
    const char *separator = "";
    for (size_t m = 0; item->readings && m < node->metric_count; m++) {
        const struct reading *latest = metric_latest_reading(&node->metrics[m]);
        if (latest && latest->period >= month)
            continue;
        fprintf(out, "%sreading %s", separator, node->metrics[m].code);
        separator = ", ";
    }
    if (item->milestone) {
        fprintf(out, "%smilestone update", separator);
        separator = ", ";
    }
    if (item->commentary)
        fprintf(out, "%scommentary", separator);
}

static void write_missing(FILE *out, const struct board *board, const struct board_status *status,
                          yearmonth month, bool ascii)
{
    char label[9];
    yearmonth_label(month, label);
    struct present_missing *list;
    size_t count = present_missing(board, status, month, &list);
    if (count == 0) {
        fprintf(out, "\nNothing is missing for %s.\n", label);
        free(list);
        return;
    }
    struct missing_entry *entries = xcalloc(count, sizeof *entries);
    for (size_t i = 0; i < count; i++)
        entries[i] = (struct missing_entry){&list[i], lead_of(board, list[i].node)};
    qsort(entries, count, sizeof *entries, compare_missing);
    fprintf(out, "\nStill missing for %s, by lead (%zu deliverable%s):\n", label, count,
            count == 1 ? "" : "s");
    for (size_t i = 0; i < count; i++) {
        if (i == 0 || !same_lead(entries[i - 1].lead, entries[i].lead)) {
            size_t in_group = 0;
            for (size_t j = i; j < count && same_lead(entries[j].lead, entries[i].lead); j++)
                in_group++;
            fprintf(out, "  %s (%zu)\n", entries[i].lead ? entries[i].lead : "No lead",
                    in_group);
        }
        const struct node *node = &board->nodes[entries[i].item->node];
        /* What it needs before its title, which may be long. */
        fprintf(out, "    %s needs ", node->code);
        write_needs(out, node, entries[i].item, month);
        fprintf(out, "%s%s\n", ascii ? " - " : " — ", node->title ? node->title : "");
    }
    free(entries);
    free(list);
}

bool report_write_month(const struct board *board, yearmonth as_of,
                        const struct report_publication *published, size_t count, bool ascii,
                        FILE *out, struct error *error)
{
    struct board_status status;
    board_evaluate(board, as_of, &status);
    char label[9];
    fprintf(out, "Board %s: %s\n", board->code, board->title ? board->title : "");
    if (board->months.open != YEARMONTH_NONE) {
        yearmonth_label(board->months.open, label);
        fprintf(out, "Open month: %s\n", label);
    } else {
        fputs("No month is open (boardpack month open YYYY-MM opens one).\n", out);
    }
    if (count) {
        const struct report_publication *last = &published[count - 1];
        yearmonth_label(last->month, label);
        fprintf(out, "Last published: %s, published %s by %s\n", label, last->at ? last->at : "",
                last->by ? last->by : "unknown");
    } else {
        fputs("Nothing is published yet.\n", out);
    }
    char progress[96];
    present_month_progress(&status, progress, sizeof progress);
    if (progress[0])
        fprintf(out, "%s\n", progress);
    if (board->months.open != YEARMONTH_NONE)
        write_missing(out, board, &status, board->months.open, ascii);
    if (count)
        fputs("\nPublished months:\n", out);
    for (size_t i = 0; i < count; i++) {
        yearmonth_label(published[i].month, label);
        fprintf(out, "  %s  published %s by %s", label, published[i].at ? published[i].at : "",
                published[i].by ? published[i].by : "unknown");
        if (published[i].revisions)
            fprintf(out, "; revised after publication (%u correction%s)", published[i].revisions,
                    published[i].revisions == 1 ? "" : "s");
        fputc('\n', out);
    }
    board_status_free(&status, board->node_count);
    if (fflush(out) != 0 || ferror(out)) {
        error_set(error, EXIT_IO, "Cannot write the month's summary.");
        return false;
    }
    return true;
}
