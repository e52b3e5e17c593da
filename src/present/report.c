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
};

static void fill_metric_row(struct row *row, const struct metric *metric,
                            const struct metric_status *status, yearmonth as_of, bool ascii)
{
    row->rag = status->rag;
    row->stale = status->stale;
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
     * measured rows, sample only when there is a value; empty otherwise)
     * and lead (docs/boardpack.1). */
    const char *stale = row->measured ? (row->stale ? "1" : "0") : "";
    const char *sample = row->value[0] ? (row->sample ? "1" : "0") : "";
    const char *fields[] = {level_name(row->level), row->code, row->title, rag, row->value,
                            row->target, row->period, spc_variation_code(row->variation),
                            spc_assurance_code(row->assurance), stale, sample,
                            row->lead ? row->lead : ""};
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
    fputc('\n', out);
    if (row->measured || row->milestone) {
        fprintf(out, "%*s", (int)(row->depth * 2 + 4), "");
        if (row->milestone) {
            fputs(row->milestone, out);
        } else {
            fputs(row->shown, out);
            if (row->period[0])
                fprintf(out, " (%s)", row->period);
            if (row->stale)
                fputs(" STALE", out);
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
    fprintf(out, " | %c | ", rag_letter(row->rag));
    if (row->milestone)
        write_markdown_cell(out, row->milestone);
    else if (row->measured)
        fprintf(out, "%s%s", row->shown, row->stale ? " (stale)" : "");
    else if (row->counted)
        write_counts(out, row->counts);
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

static void write_heading(FILE *out, enum report_format format, const struct board *board,
                          const struct board_status *status)
{
    char as_at[9];
    present_as_at(status->as_at, as_at);
    const char *sample = board->shows_sample ? "SAMPLE DATA (illustrative readings)" : NULL;
    switch (format) {
    case REPORT_CSV:
        fputs("level,code,title,rag,value,target,period,variation,assurance,stale,sample,lead\r\n",
              out);
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
        fputs("\n\n", out);
        break;
    case REPORT_MARKDOWN:
        fputs("# ", out);
        write_markdown_cell(out, board->title);
        fprintf(out, "\n\nBoard `%s`, as at %s.", board->code, as_at);
        if (sample)
            fprintf(out, " **%s.**", sample);
        fputs(" Deliverables: ", out);
        write_counts(out, status->board.counts);
        fputs(".\n\n| level | code | title | RAG | value → target | period | variation | "
              "assurance |\n|---|---|---|---|---|---|---|---|\n",
              out);
        break;
    }
}

bool report_write(const struct board *board, yearmonth as_of, enum report_format format,
                  bool ascii, FILE *out, struct error *error)
{
    struct board_status status;
    board_evaluate(board, as_of, &status);
    write_heading(out, format, board, &status);
    for (size_t i = 0; i < board->node_count; i++) {
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
        char milestone[160];
        if (node->has_milestone) {
            char due[9], label[96];
            yearmonth_label(node->milestone.due, due);
            present_milestone_label(&node->milestone, as_of, status.as_at, label, sizeof label);
            snprintf(milestone, sizeof milestone, "milestone: %s, due %s", label, due);
            row.milestone = milestone;
        }
        if (node->metric_count == 1)
            fill_metric_row(&row, &node->metrics[0], &status.metrics[i][0], as_of, ascii);
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
            write_row(out, format, &metric_row, ascii);
        }
    }
    board_status_free(&status, board->node_count);
    if (fflush(out) != 0 || ferror(out)) {
        error_set(error, EXIT_IO, "Cannot write the report.");
        return false;
    }
    return true;
}
