/* pack.c — `boardpack pack`: the board pack as one self-contained HTML
 * document for A4 landscape. Words come from present.c, charts and icons
 * from svg.c, SPC from spc_result; this file only lays them out. */
#include "pack.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "present.h"
#include "rules.h"
#include "spc.h"
#include "svg.h"

#define VARIATION_COUNT (SPC_VARIATION_NEITHER_LOW + 1)
#define ASSURANCE_COUNT (SPC_ASSURANCE_HIT_OR_MISS + 1)

/* Everything the sections share: the board, its status and each metric's
 * SPC analysis, made once. */
struct pack {
    const struct board *board;
    const struct pack_options *options;
    struct board_status status;
    struct spc_result **spc; /* per node, one per metric (NULL if none) */
    bool *awaiting;          /* per node: not yet updated for the open month */
    struct text_buffer out;
};

static void put(struct pack *pack, const char *text) { text_append(&pack->out, text); }

static void putf(struct pack *pack, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct pack *pack, const char *format, ...)
{
    char text[1024];
    va_list arguments;
    va_start(arguments, format);
    int length = vsnprintf(text, sizeof text, format, arguments);
    va_end(arguments);
    if (length < 0)
        return;
    if ((size_t)length < sizeof text) {
        text_append(&pack->out, text);
        return;
    }
    char *long_text = xmalloc((size_t)length + 1);
    va_start(arguments, format);
    vsnprintf(long_text, (size_t)length + 1, format, arguments);
    va_end(arguments);
    text_append(&pack->out, long_text);
    free(long_text);
}

/* Text from the board or the present layer: always escaped. */
static void put_text(struct pack *pack, const char *text) { markup_escape(&pack->out, text); }

/* A node's anchor: "d-" and its code, escaped for an attribute. */
static void put_anchor(struct pack *pack, const struct node *node)
{
    put(pack, "d-");
    put_text(pack, node->code);
}

/* A present_line: each span in a class named by its meaning (plain bytes
 * and plain spans bare). */
static void put_line(struct pack *pack, const struct present_line *line)
{
    const char *text = line->text.data ? line->text.data : "";
    size_t at = 0, length = line->text.length;
    for (size_t s = 0; s < line->span_count; s++) {
        const struct present_span *span = &line->spans[s];
        if (span->start > at) {
            char *plain = xstrndup(text + at, span->start - at);
            put_text(pack, plain);
            free(plain);
        }
        char *part = xstrndup(text + span->start, span->length);
        if (span->meaning == PRESENT_PLAIN) {
            put_text(pack, part);
        } else {
            putf(pack, "<span class=\"%s\">", present_meaning_name(span->meaning));
            put_text(pack, part);
            put(pack, "</span>");
        }
        free(part);
        at = span->start + span->length;
    }
    if (at < length)
        put_text(pack, text + at);
}

/* A status badge: the letter in a coloured box, then its word, so the
 * status never rests on colour. */
static void put_status(struct pack *pack, enum rag rag)
{
    putf(pack, "<span class=\"badge %s\">%c</span> %s",
         present_meaning_name(present_rag_meaning(rag)), rag_letter(rag), rag_word(rag));
}

static void put_value(struct pack *pack, const struct metric *metric, double value)
{
    char text[48];
    unit_format_value(metric->unit, value, text, sizeof text);
    put_text(pack, text);
}

static void put_statistic(struct pack *pack, const struct metric *metric, double value)
{
    char text[48];
    present_statistic(metric->unit, value, text, sizeof text);
    put_text(pack, text);
}

static void put_month(struct pack *pack, yearmonth month)
{
    char text[9];
    present_as_at(month, text);
    put_text(pack, text);
}

/* ---- the style sheet ---- */

static const char style_sheet[] =
    "<style>\n"
    "@page { size: A4 landscape; margin: 12mm; }\n"
    ":root { color: #1d1d1d; background: #ffffff; }\n"
    "body { font-family: Arial, 'Liberation Sans', Helvetica, sans-serif; font-size: 11pt;"
    " line-height: 1.35; margin: 0 auto; padding: 16px; max-width: 1040px; }\n"
    "main > section { border-top: 3px solid #005eb8; margin-top: 28px; padding-top: 8px; }\n"
    "main > section.cover { border-top: none; margin-top: 0; }\n"
    "h1 { font-size: 24pt; margin: 12px 0 6px; }\n"
    "h2 { font-size: 16pt; margin: 6px 0 6px; }\n"
    "h3 { font-size: 12.5pt; margin: 14px 0 4px; }\n"
    "p, dl, ul { margin: 4px 0; }\n"
    "a { color: #003f7d; }\n"
    "nav li { margin: 4px 0; }\n"
    "nav a, table.exceptions a { display: inline-block; min-height: 24px; line-height: 24px;"
    " min-width: 24px; }\n"
    "table { border-collapse: collapse; margin: 6px 0 10px; max-width: 100%; }\n"
    "caption { text-align: left; font-weight: bold; padding: 2px 0; }\n"
    "th, td { border: 1px solid #8c8c8c; padding: 2px 6px; text-align: left;"
    " vertical-align: top; }\n"
    "th { background: #e8edee; }\n"
    "td.number { text-align: right; font-variant-numeric: tabular-nums; }\n"
    "p, li, dd, td, th, h1, h2, h3 { overflow-wrap: break-word; }\n"
    "td.number, .badge, td.nowrap, table.data th { white-space: nowrap; }\n"
    ".cover .purpose { font-size: 13pt; }\n"
    ".cover .month { font-size: 20pt; font-weight: bold; margin-top: 18px; }\n"
    ".cover .standing { font-size: 16pt; font-weight: bold; }\n"
    ".sample-banner { display: inline-block; font-size: 28pt; font-weight: bold;"
    " color: #ffffff; background: #8a1538; padding: 6px 18px; margin: 14px 0 4px;"
    " letter-spacing: 0.05em; }\n"
    "span.sample { font-weight: bold; color: #8a1538; }\n"
    ".badge { display: inline-block; min-width: 1.4em; text-align: center; font-weight: bold;"
    " border-radius: 3px; padding: 0 4px; border: 1px solid #1d1d1d; }\n"
    ".rag-red { background: #b00020; color: #ffffff; }\n"
    ".rag-amber { background: #ffb81c; color: #1d1d1d; }\n"
    ".rag-green { background: #006b32; color: #ffffff; }\n"
    ".rag-blue { background: #005eb8; color: #ffffff; }\n"
    ".rag-grey { background: #5f6062; color: #ffffff; }\n"
    "span.rag-red, span.rag-amber, span.rag-green, span.rag-blue, span.rag-grey"
    " { padding: 0 3px; border-radius: 2px; }\n"
    ".strong { font-weight: bold; }\n"
    ".dim { color: #4d4d4d; }\n"
    ".path { color: #4d4d4d; margin-bottom: 0; }\n"
    ".code { font-family: 'DejaVu Sans Mono', 'Liberation Mono', monospace; }\n"
    "dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; }\n"
    "dl.facts dt { font-weight: bold; }\n"
    "dl.facts dd { margin: 0; }\n"
    ".icons { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; margin: 6px 0; }\n"
    ".icons span { display: inline-flex; gap: 6px; align-items: center; }\n"
    "svg.chart { display: block; width: 100%; max-width: 720px; height: auto; }\n"
    "svg.icon { flex: none; }\n"
    ".legend { font-size: 9.5pt; color: #333333; }\n"
    ".metric-body { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; }\n"
    ".metric-body > div { flex: 1 1 300px; min-width: 0; }\n"
    ".metric-body > div.chart-column { flex: 2 1 560px; }\n"
    "table.data { font-size: 9pt; }\n"
    "table.data td, table.data th { padding: 1px 5px; }\n"
    "@media print {\n"
    "  body { padding: 0; max-width: none; font-size: 10pt; }\n"
    "  main > section { break-before: page; border-top: none; margin-top: 0; padding-top: 0; }\n"
    "  main > section.cover { break-before: auto; }\n"
    "  #deliverables + section.deliverable { break-before: auto; }\n"
    "  table, svg, dl.facts, tr { break-inside: avoid; }\n"
    "  h2, h3 { break-after: avoid; }\n"
    "  a { color: inherit; text-decoration: none; }\n"
    "  svg.chart { max-width: 660px; }\n"
    "}\n"
    "</style>\n";

/* ---- cover ---- */

/* The month the pack is for: the published month it shows, else the
 * "as at" month. */
static yearmonth pack_month(const struct pack *pack)
{
    if (pack->board->months.published && pack->board->months.shown)
        return pack->board->months.shown;
    return pack->status.as_at;
}

static void write_cover(struct pack *pack)
{
    const struct board *board = pack->board;
    char text[512];
    put(pack, "<section class=\"cover\" aria-labelledby=\"cover-title\">\n");
    put(pack, "<h1 id=\"cover-title\">");
    put_text(pack, board->title ? board->title : board->code);
    put(pack, "</h1>\n<p class=\"board\">Board pack of board <span class=\"code\">");
    put_text(pack, board->code);
    put(pack, "</span>");
    if (board->reporting_period) {
        put(pack, ", ");
        put_text(pack, board->reporting_period);
    }
    put(pack, "</p>\n");
    if (board->purpose) {
        put(pack, "<p class=\"purpose\">");
        put_text(pack, board->purpose);
        put(pack, "</p>\n");
    }
    if (board->vision) {
        put(pack, "<p class=\"purpose\">");
        put_text(pack, board->vision);
        put(pack, "</p>\n");
    }
    put(pack, "<p class=\"month\">");
    put_month(pack, pack_month(pack));
    put(pack, "</p>\n");
    present_month_badge(board, &pack->status, text, sizeof text);
    if (text[0]) {
        put(pack, "<p class=\"standing\">");
        put_text(pack, text);
        put(pack, "</p>\n");
    }
    present_publication_line(board, text, sizeof text);
    if (text[0]) {
        put(pack, "<p>");
        put_text(pack, text);
        put(pack, "</p>\n");
    } else if (board_view_is_provisional(board, pack->status.as_at)) {
        put(pack, "<p>Provisional: these figures are not a published month and may still "
                  "change.</p>\n");
    }
    present_month_progress(&pack->status, text, sizeof text);
    if (text[0]) {
        put(pack, "<p>");
        put_text(pack, text);
        put(pack, "</p>\n");
    }
    put(pack, "<p>As at ");
    put_month(pack, pack->status.as_at);
    put(pack, ": the newest month with a reading.</p>\n");
    if (board->shows_sample)
        put(pack, "<p class=\"sample-banner\">SAMPLE DATA</p>\n<p><span class=\"sample\">Some "
                  "readings shown are illustrative sample data, not the trust's.</span></p>\n");
    put(pack, "<dl class=\"facts\"><dt>Store</dt><dd class=\"code\">");
    put_text(pack, pack->options->store ? pack->options->store : "");
    put(pack, "</dd><dt>Made at</dt><dd>");
    put_text(pack, pack->options->made_at ? pack->options->made_at : "");
    put(pack, "</dd></dl>\n");
    put(pack, "<nav aria-label=\"Contents\"><h2>Contents</h2><ul><li><a href=\"#summary\">Summary"
              "</a></li><li><a href=\"#exceptions\">Exceptions</a></li><li><a "
              "href=\"#deliverables\">Deliverables</a></li><li><a href=\"#key\">Key</a></li>"
              "</ul></nav>\n</section>\n");
}

/* ---- summary ---- */

static void write_summary(struct pack *pack)
{
    const struct board *board = pack->board;
    const struct board_status *status = &pack->status;
    char text[160];
    put(pack, "<section id=\"summary\" aria-labelledby=\"summary-title\">\n"
              "<h2 id=\"summary-title\">Summary</h2>\n<p>");
    struct present_line line = {0};
    present_counts(&status->board, PRESENT_COUNTS_DETAIL, &line);
    put_line(pack, &line);
    present_line_free(&line);
    put(pack, "</p>\n<table class=\"summary\"><caption>Aims and objectives</caption>\n<thead><tr>"
              "<th scope=\"col\">Code</th><th scope=\"col\">Aim or objective</th>"
              "<th scope=\"col\">Status</th><th scope=\"col\">Deliverables</th>"
              "<th scope=\"col\">Since last published</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < board->node_count; i++) {
        const struct node *node = &board->nodes[i];
        if (node->level != LEVEL_AIM && node->level != LEVEL_OBJECTIVE)
            continue;
        bool aim = node->level == LEVEL_AIM;
        put(pack, aim ? "<tr class=\"strong\"><th scope=\"row\">" : "<tr><td>");
        put_text(pack, node->code);
        put(pack, aim ? "</th><td>" : "</td><td>");
        put_text(pack, node->title);
        put(pack, "</td><td class=\"nowrap\">");
        put_status(pack, status->nodes[i].rag);
        put(pack, "</td><td class=\"nowrap\">");
        struct present_line counts = {0};
        present_counts(&status->nodes[i], PRESENT_COUNTS_REPORT, &counts);
        put_line(pack, &counts);
        present_line_free(&counts);
        put(pack, "</td><td>");
        present_movement(board, node, status->nodes[i].rag, false, text, sizeof text);
        put_text(pack, text[0] ? text : "-");
        put(pack, "</td></tr>\n");
    }
    put(pack, "</tbody></table>\n");

    /* The icon summary: how many measures show each icon. */
    unsigned variations[VARIATION_COUNT] = {0}, assurances[ASSURANCE_COUNT] = {0};
    unsigned measures = 0;
    for (size_t i = 0; i < board->node_count; i++)
        for (size_t m = 0; m < board->nodes[i].metric_count; m++) {
            const struct spc_result *spc = &pack->spc[i][m];
            measures++;
            if ((unsigned)spc->variation < VARIATION_COUNT)
                variations[spc->variation]++;
            if ((unsigned)spc->assurance < ASSURANCE_COUNT)
                assurances[spc->assurance]++;
        }
    putf(pack, "<h3>SPC icon summary</h3>\n<p>Of %u measure%s:</p>\n<div class=\"metric-body\">"
               "<div><table class=\"icons-table\"><caption>Variation</caption><thead><tr>"
               "<th scope=\"col\">Icon</th><th scope=\"col\">Variation</th>"
               "<th scope=\"col\">Measures</th></tr></thead><tbody>\n",
         measures, measures == 1 ? "" : "s");
    for (int v = SPC_VARIATION_COMMON; v < VARIATION_COUNT; v++) {
        put(pack, "<tr><td>");
        svg_variation_icon((enum spc_variation)v, 28, &pack->out);
        putf(pack, "</td><td>%s</td><td class=\"number\">%u</td></tr>\n",
             spc_variation_label((enum spc_variation)v), variations[v]);
    }
    putf(pack, "<tr><td>-</td><td>run chart (too few readings)</td><td class=\"number\">%u</td>"
               "</tr>\n</tbody></table></div>\n",
         variations[SPC_VARIATION_NONE]);
    put(pack, "<div><table class=\"icons-table\"><caption>Assurance</caption><thead><tr>"
              "<th scope=\"col\">Icon</th><th scope=\"col\">Assurance</th>"
              "<th scope=\"col\">Measures</th></tr></thead><tbody>\n");
    for (int a = SPC_ASSURANCE_PASS; a < ASSURANCE_COUNT; a++) {
        put(pack, "<tr><td>");
        svg_assurance_icon((enum spc_assurance)a, 28, &pack->out);
        putf(pack, "</td><td>%s</td><td class=\"number\">%u</td></tr>\n",
             spc_assurance_label((enum spc_assurance)a), assurances[a]);
    }
    putf(pack, "<tr><td>-</td><td>no assurance (no target or too few readings)</td>"
               "<td class=\"number\">%u</td></tr>\n</tbody></table></div></div>\n</section>\n",
         assurances[SPC_ASSURANCE_NONE]);
}

/* ---- exceptions ---- */

/* Why a deliverable is an exception, in words ("" if it is not one). */
static void exception_reasons(struct pack *pack, size_t index, struct text_buffer *why)
{
    const struct node *node = &pack->board->nodes[index];
    enum rag rag = pack->status.nodes[index].rag;
    char movement[64];
    bool stale = false, awaiting = pack->awaiting[index], concern = false, failing = false;
    for (size_t m = 0; m < node->metric_count; m++) {
        const struct metric_status *status = &pack->status.metrics[index][m];
        const struct spc_result *spc = &pack->spc[index][m];
        stale = stale || status->stale;
        awaiting = awaiting || status->awaiting;
        concern = concern || spc->variation == SPC_VARIATION_CONCERN_HIGH ||
                  spc->variation == SPC_VARIATION_CONCERN_LOW;
        failing = failing || spc->assurance == SPC_ASSURANCE_FAIL;
    }
    const char *reasons[6];
    size_t count = 0;
    if (rag == RAG_RED)
        reasons[count++] = "red";
    if (present_movement(pack->board, node, rag, false, movement, sizeof movement) < 0)
        reasons[count++] = "deteriorated since the last published month";
    if (stale)
        reasons[count++] = "stale";
    if (awaiting)
        reasons[count++] = "awaiting this month's update";
    if (concern)
        reasons[count++] = "special cause of concern";
    if (failing)
        reasons[count++] = "consistently failing the target";
    for (size_t r = 0; r < count; r++)
        text_appendf(why, "%s%s", r ? "; " : "", reasons[r]);
}

static void write_exceptions(struct pack *pack)
{
    const struct board *board = pack->board;
    put(pack, "<section id=\"exceptions\" aria-labelledby=\"exceptions-title\">\n"
              "<h2 id=\"exceptions-title\">Exceptions</h2>\n"
              "<p>Deliverables that are red, deteriorated since the last published month, stale "
              "or awaiting an update, showing a special cause of concern, or consistently "
              "failing their target. Each code links to its page.</p>\n");
    size_t count = 0;
    for (size_t i = 0; i < board->node_count; i++) {
        const struct node *node = &board->nodes[i];
        if (node->level != LEVEL_DELIVERABLE)
            continue;
        struct text_buffer why = {0};
        exception_reasons(pack, i, &why);
        if (why.length) {
            if (count++ == 0)
                put(pack, "<table class=\"exceptions\"><caption>Exceptions</caption><thead><tr>"
                          "<th scope=\"col\">Code</th><th scope=\"col\">Deliverable</th>"
                          "<th scope=\"col\">Status</th><th scope=\"col\">Why it is here</th>"
                          "<th scope=\"col\">Lead</th></tr></thead><tbody>\n");
            put(pack, "<tr><td><a href=\"#");
            put_anchor(pack, node);
            put(pack, "\">");
            put_text(pack, node->code);
            put(pack, "</a></td><td>");
            put_text(pack, node->title);
            put(pack, "</td><td class=\"nowrap\">");
            put_status(pack, pack->status.nodes[i].rag);
            put(pack, "</td><td>");
            put_text(pack, why.data);
            put(pack, "</td><td>");
            put_text(pack, node->lead ? node->lead : "");
            put(pack, "</td></tr>\n");
        }
        text_free(&why);
    }
    if (count)
        put(pack, "</tbody></table>\n");
    else
        put(pack, "<p>No exceptions this month.</p>\n");
    put(pack, "</section>\n");
}

/* ---- a deliverable ---- */

static void write_flags(struct pack *pack, const struct spc_point *point)
{
    if (!point->rules)
        return;
    put(pack, spc_meaning_label(point->meaning));
    put(pack, ":");
    static const enum spc_rule rules[] = {SPC_RULE_OUTSIDE_LIMITS, SPC_RULE_SHIFT, SPC_RULE_TREND,
                                          SPC_RULE_TWO_OF_THREE};
    bool first = true;
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++)
        if (point->rules & (unsigned)rules[r]) {
            putf(pack, "%s %s", first ? "" : ",", spc_rule_label(rules[r]));
            first = false;
        }
    if (point->conflict)
        put(pack, " (both improvement and concern rules)");
}

static void write_data_table(struct pack *pack, const struct metric *metric,
                             const struct spc_result *spc)
{
    put(pack, "<table class=\"data\"><caption>Readings of ");
    put_text(pack, metric->name ? metric->name : metric->code);
    put(pack, "</caption><thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Value</th>"
              "<th scope=\"col\">Mean</th><th scope=\"col\">Lower limit</th>"
              "<th scope=\"col\">Upper limit</th><th scope=\"col\">Flags</th></tr></thead>"
              "<tbody>\n");
    for (size_t i = 0; i < spc->count; i++) {
        const struct spc_point *point = &spc->points[i];
        put(pack, "<tr><th scope=\"row\">");
        if (point->period)
            put_month(pack, point->period);
        else
            putf(pack, "%zu", i + 1);
        put(pack, "</th><td class=\"number\">");
        put_value(pack, metric, point->value);
        put(pack, "</td><td class=\"number\">");
        put_statistic(pack, metric, point->mean);
        put(pack, "</td><td class=\"number\">");
        if (spc->has_limits)
            put_statistic(pack, metric, point->lower_limit);
        else
            put(pack, "-");
        put(pack, "</td><td class=\"number\">");
        if (spc->has_limits)
            put_statistic(pack, metric, point->upper_limit);
        else
            put(pack, "-");
        put(pack, "</td><td>");
        write_flags(pack, point);
        put(pack, "</td></tr>\n");
    }
    put(pack, "</tbody></table>\n");
}

struct breakdown_rows {
    struct pack *pack;
    const struct metric *metric;
    bool any;
};

static void write_segment_row(const struct reading *reading, void *context)
{
    struct breakdown_rows *rows = context;
    struct pack *pack = rows->pack;
    if (!rows->any) {
        put(pack, "<table class=\"breakdown\"><caption>By ");
        put_text(pack, rows->metric->breakdown);
        put(pack, " (latest)</caption><thead><tr><th scope=\"col\">");
        put_text(pack, rows->metric->breakdown);
        put(pack, "</th><th scope=\"col\">Value</th><th scope=\"col\">Month</th></tr>"
                  "</thead><tbody>\n");
    }
    rows->any = true;
    put(pack, "<tr><th scope=\"row\">");
    put_text(pack, reading->segment);
    put(pack, "</th><td class=\"number\">");
    put_value(pack, rows->metric, reading->value);
    put(pack, "</td><td>");
    put_month(pack, reading->period);
    put(pack, "</td></tr>\n");
}

static void write_breakdown(struct pack *pack, const struct metric *metric)
{
    if (!metric->breakdown)
        return;
    struct breakdown_rows rows = {.pack = pack, .metric = metric};
    present_each_segment_latest(metric, write_segment_row, &rows);
    if (!rows.any)
        return;
    put(pack, "</tbody></table>\n");
    char spread[256];
    if (present_breakdown_spread(metric, spread, sizeof spread)) {
        put(pack, "<p>");
        put_text(pack, spread);
        put(pack, ".</p>\n");
    }
}

static void write_icons(struct pack *pack, const struct spc_result *spc, const struct metric *metric)
{
    if (!spc->count)
        return;
    if (!spc->has_limits) {
        putf(pack, "<p>Run chart: %zu of %d readings needed for process limits and icons.</p>\n",
             spc->count, metric->spc.minimum_points);
        return;
    }
    put(pack, "<div class=\"icons\">");
    if (spc->variation != SPC_VARIATION_NONE) {
        put(pack, "<span>");
        svg_variation_icon(spc->variation, 44, &pack->out);
        put(pack, "Variation: ");
        put_text(pack, spc_variation_label(spc->variation));
        put(pack, "</span>");
    }
    if (spc->assurance != SPC_ASSURANCE_NONE) {
        put(pack, "<span>");
        svg_assurance_icon(spc->assurance, 44, &pack->out);
        put(pack, "Assurance: ");
        put_text(pack, spc_assurance_label(spc->assurance));
        put(pack, "</span>");
    }
    put(pack, "</div>\n");
    if (spc_conflict_sentence(spc)[0]) {
        put(pack, "<p>");
        put_text(pack, spc_conflict_sentence(spc));
        put(pack, ".</p>\n");
    }
}

static void write_metric(struct pack *pack, const struct node *node, const struct metric *metric,
                         const struct metric_status *status, const struct spc_result *spc)
{
    char text[320], month[9];
    bool own_heading = node->metric_count > 1 || strcmp(metric->code, node->code) != 0;
    put(pack, "<h3>");
    if (own_heading) {
        put(pack, "Metric ");
        put_text(pack, metric->code);
        put(pack, ": ");
    } else {
        put(pack, "Metric: ");
    }
    put_text(pack, metric->name ? metric->name : metric->code);
    put(pack, "</h3>\n");
    if (node->metric_count > 1) {
        rag_explain_metric(metric, status, text, sizeof text);
        put(pack, "<p>");
        put_status(pack, status->rag);
        put(pack, " &#8212; ");
        put_text(pack, text);
        put(pack, "</p>\n");
    }
    put(pack, "<div class=\"metric-body\"><div>\n<dl class=\"facts\">");
    char fact[160];
    if (metric->has_baseline) {
        present_baseline(metric, fact, sizeof fact);
        put(pack, "<dt>Baseline</dt><dd>");
        put_text(pack, fact);
        put(pack, "</dd>");
    }
    present_target(metric, fact, sizeof fact);
    put(pack, "<dt>Target</dt><dd>");
    put_text(pack, fact);
    put(pack, "</dd>");
    if (metric->trajectory_count) {
        struct text_buffer trajectory = {0};
        present_trajectory(metric, &trajectory);
        put(pack, "<dt>Trajectory</dt><dd>");
        put_text(pack, trajectory.data);
        put(pack, "</dd>");
        text_free(&trajectory);
    }
    put(pack, "<dt>Latest</dt><dd>");
    if (status->has_reading) {
        put_value(pack, metric, status->latest);
        yearmonth_label(status->latest_period, month);
        putf(pack, " for %s", month);
        if (status->stale)
            put(pack, " (stale)");
        if (status->awaiting)
            put(pack, " (awaiting this month)");
    } else {
        put(pack, "no reading");
    }
    put(pack, "</dd></dl>\n");
    write_icons(pack, spc, metric);
    write_breakdown(pack, metric);
    put(pack, "</div>\n");
    if (spc->count) {
        put(pack, "<div class=\"chart-column\">");
        char title[320];
        snprintf(title, sizeof title, "%s chart of %s", spc->has_limits ? "XmR" : "Run",
                 metric->name ? metric->name : metric->code);
        struct svg_chart_options options = {
            .has_target = true,
            .target = metric->target,
            .trajectory = metric->trajectory,
            .trajectory_count = metric->trajectory_count,
            .unit = metric->unit,
            .title = title,
        };
        svg_chart(spc, &options, &pack->out);
        put(pack, "<p class=\"legend\">Grey dots: common cause; blue: special cause of "
                  "improvement; orange: concern; purple: no better direction. Solid line: mean; "
                  "dashed: process limits; red dotted: target and trajectory.</p>\n");
        write_data_table(pack, metric, spc);
        put(pack, "</div>");
    }
    put(pack, "</div>\n");
}

static void write_milestone(struct pack *pack, const struct node *node)
{
    const struct milestone *milestone = &node->milestone;
    char label[96], month[9];
    present_milestone_label(milestone, pack->options->evaluate_at, pack->status.as_at, label,
                            sizeof label);
    put(pack, "<h3>Milestone</h3>\n<dl class=\"facts\"><dt>Status</dt><dd>");
    put_text(pack, label);
    put(pack, "</dd>");
    if (milestone->due) {
        yearmonth_label(milestone->due, month);
        putf(pack, "<dt>Due</dt><dd>%s</dd>", month);
    }
    put(pack, "</dl>\n");
    if (!milestone->update_count) {
        put(pack, "<p>No updates yet.</p>\n");
        return;
    }
    put(pack, "<table class=\"history\"><caption>Milestone history (newest first)</caption>"
              "<thead><tr><th scope=\"col\">Month</th><th scope=\"col\">Status</th>"
              "<th scope=\"col\">Note</th><th scope=\"col\">By</th></tr></thead><tbody>\n");
    for (size_t u = milestone->update_count; u-- > 0;) {
        const struct milestone_update *update = &milestone->updates[u];
        put(pack, "<tr><td>");
        if (update->period)
            put_month(pack, update->period);
        else
            put_text(pack, update->entered_at ? update->entered_at : "");
        put(pack, "</td><td>");
        put_text(pack, milestone_status_label(update->status));
        put(pack, "</td><td>");
        put_text(pack, update->note ? update->note : "");
        if (update->sample)
            put(pack, " <span class=\"sample\">(sample)</span>");
        put(pack, "</td><td>");
        put_text(pack, update->entered_by ? update->entered_by : "");
        put(pack, "</td></tr>\n");
    }
    put(pack, "</tbody></table>\n");
}

static void write_commentary(struct pack *pack, const struct node *node)
{
    put(pack, "<h3>Commentary</h3>\n");
    if (!node->comment_count) {
        put(pack, "<p>No commentary.</p>\n");
        return;
    }
    put(pack, "<ul class=\"commentary\">\n");
    for (size_t c = node->comment_count; c-- > 0;) {
        const struct comment *comment = &node->comments[c];
        put(pack, "<li><p>");
        if (comment->period) {
            put(pack, "<strong>");
            put_month(pack, comment->period);
            put(pack, ":</strong> ");
        }
        put_text(pack, comment->text);
        if (comment->sample)
            put(pack, " <span class=\"sample\">(sample)</span>");
        put(pack, "</p><p class=\"dim\">");
        put_text(pack, comment->entered_by ? comment->entered_by : "unknown");
        if (comment->entered_at) {
            put(pack, ", ");
            put_text(pack, comment->entered_at);
        }
        put(pack, "</p></li>\n");
    }
    put(pack, "</ul>\n");
}

static void write_deliverable(struct pack *pack, size_t index)
{
    const struct board *board = pack->board;
    const struct node *node = &board->nodes[index];
    char text[320];
    put(pack, "<section class=\"deliverable\" id=\"");
    put_anchor(pack, node);
    put(pack, "\" aria-labelledby=\"h-");
    put_anchor(pack, node);
    put(pack, "\">\n<p class=\"path\">");
    /* Its aim and objective, from the root down. */
    size_t parents[8], depth = 0;
    for (size_t p = node->parent; p != NODE_NONE && depth < 8; p = board->nodes[p].parent)
        parents[depth++] = p;
    while (depth-- > 0) {
        const struct node *parent = &board->nodes[parents[depth]];
        put_text(pack, parent->level == LEVEL_AIM ? "Aim " : "Objective ");
        put_text(pack, parent->code);
        put(pack, ": ");
        put_text(pack, parent->title);
        if (depth)
            put(pack, " &#8250; ");
    }
    put(pack, "</p>\n<h2 id=\"h-");
    put_anchor(pack, node);
    put(pack, "\"><span class=\"code\">");
    put_text(pack, node->code);
    put(pack, "</span> ");
    put_text(pack, node->title);
    put(pack, "</h2>\n<p>");
    enum rag rag = pack->status.nodes[index].rag;
    put_status(pack, rag);
    present_status_reason(board, &pack->status, pack->options->evaluate_at, index, -1, text,
                          sizeof text);
    if (text[0]) {
        put(pack, " &#8212; ");
        put_text(pack, text);
    }
    present_movement(board, node, rag, false, text, sizeof text);
    if (text[0]) {
        put(pack, " <span class=\"dim\">(since the last published month: ");
        put_text(pack, text);
        put(pack, ")</span>");
    }
    put(pack, "</p>\n<p><strong>Lead:</strong> ");
    put_text(pack, node->lead ? node->lead : "none named");
    put(pack, "</p>\n");
    for (size_t m = 0; m < node->metric_count; m++)
        write_metric(pack, node, &node->metrics[m], &pack->status.metrics[index][m],
                     &pack->spc[index][m]);
    if (node->has_milestone)
        write_milestone(pack, node);
    write_commentary(pack, node);
    put(pack, "</section>\n");
}

/* ---- key ---- */

static void write_spc_settings(struct pack *pack)
{
    /* The distinct settings in force, each with how many measures use it. */
    struct setting {
        int minimum, shift, trend;
        bool screened;
        enum spc_conflict conflict;
        unsigned measures;
    } settings[16];
    size_t count = 0;
    unsigned others = 0;
    const struct board *board = pack->board;
    for (size_t i = 0; i < board->node_count; i++)
        for (size_t m = 0; m < board->nodes[i].metric_count; m++) {
            const struct spc_settings *spc = &board->nodes[i].metrics[m].spc;
            struct setting one = {spc->minimum_points, spc->shift_length, spc->trend_length,
                                  spc->screen_moving_ranges, spc_conflict_rule(spc), 1};
            size_t s = 0;
            while (s < count &&
                   !(settings[s].minimum == one.minimum && settings[s].shift == one.shift &&
                     settings[s].trend == one.trend && settings[s].screened == one.screened &&
                     settings[s].conflict == one.conflict))
                s++;
            if (s < count)
                settings[s].measures++;
            else if (count < sizeof settings / sizeof settings[0])
                settings[count++] = one;
            else
                others++;
        }
    if (!count) {
        struct spc_settings defaults = spc_default_settings();
        settings[count++] = (struct setting){defaults.minimum_points, defaults.shift_length,
                                             defaults.trend_length, defaults.screen_moving_ranges,
                                             spc_conflict_rule(&defaults), 0};
    }
    put(pack, "<ul>\n");
    for (size_t s = 0; s < count; s++)
        putf(pack,
             "<li>%u measure%s: process limits from %d readings (fewer give a run chart with no "
             "limits or icons); a point outside the limits; a shift of %d points on one side of "
             "the mean; a trend of %d points each higher or lower than the last; two of three "
             "points beyond two sigma on one side; moving ranges %s; where improvement and "
             "concern rules both flag a point it shows %s.</li>\n",
             settings[s].measures, settings[s].measures == 1 ? "" : "s", settings[s].minimum,
             settings[s].shift, settings[s].trend,
             settings[s].screened ? "screened (3.267 times the mean moving range)"
                                  : "not screened",
             spc_conflict_name(settings[s].conflict));
    if (others)
        putf(pack, "<li>%u more measures with other settings.</li>\n", others);
    put(pack, "</ul>\n");
}

static void write_key(struct pack *pack)
{
    put(pack, "<section id=\"key\" aria-labelledby=\"key-title\">\n<h2 id=\"key-title\">Key</h2>\n"
              "<h3>Status (RAG)</h3>\n<table><caption>Status letters</caption><thead><tr>"
              "<th scope=\"col\">Letter</th><th scope=\"col\">For a metric</th>"
              "<th scope=\"col\">For a milestone</th></tr></thead><tbody>\n");
    static const struct {
        enum rag rag;
        const char *metric, *milestone;
    } rows[] = {
        {RAG_BLUE, "the final target is met", "complete"},
        {RAG_GREEN, "on or better than expected for the month", "on track"},
        {RAG_AMBER, "worse than expected, but within tolerance", "at risk"},
        {RAG_RED, "worse than expected, beyond tolerance", "off track, or past due and not complete"},
        {RAG_GREY, "no reading yet", "not started (and not yet due)"},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        put(pack, "<tr><td>");
        put_status(pack, rows[r].rag);
        putf(pack, "</td><td>%s</td><td>%s</td></tr>\n", rows[r].metric, rows[r].milestone);
    }
    put(pack, "</tbody></table>\n<p>The value expected for a month comes from the trajectory, "
              "else a straight line from baseline to target, else the target. An aim or "
              "objective takes the worst status of its deliverables (R, then A, G, B), ignoring "
              "those with no data. A reading more than the stale limit (3 months unless set) "
              "behind the board's \"as at\" month is stale.</p>\n"
              "<h3>SPC rules in force</h3>\n");
    write_spc_settings(pack);
    put(pack, "<h3>Icons</h3>\n<table><caption>Variation and assurance icons</caption><thead><tr>"
              "<th scope=\"col\">Icon</th><th scope=\"col\">Name</th>"
              "<th scope=\"col\">Meaning</th></tr></thead><tbody>\n");
    for (int v = SPC_VARIATION_COMMON; v < VARIATION_COUNT; v++) {
        put(pack, "<tr><td>");
        svg_variation_icon((enum spc_variation)v, 32, &pack->out);
        putf(pack, "</td><td>%s</td><td>%s</td></tr>\n",
             spc_variation_label((enum spc_variation)v),
             svg_variation_meaning((enum spc_variation)v));
    }
    for (int a = SPC_ASSURANCE_PASS; a < ASSURANCE_COUNT; a++) {
        put(pack, "<tr><td>");
        svg_assurance_icon((enum spc_assurance)a, 32, &pack->out);
        putf(pack, "</td><td>%s</td><td>%s</td></tr>\n",
             spc_assurance_label((enum spc_assurance)a),
             svg_assurance_meaning((enum spc_assurance)a));
    }
    put(pack, "</tbody></table>\n</section>\n");
}

/* ---- the document ---- */

bool pack_write(const struct board *board, const struct pack_options *options, FILE *out,
                struct error *error)
{
    struct pack pack = {.board = board, .options = options};
    board_evaluate(board, options->evaluate_at, &pack.status);
    pack.spc = xcalloc(board->node_count ? board->node_count : 1, sizeof *pack.spc);
    for (size_t i = 0; i < board->node_count; i++) {
        const struct node *node = &board->nodes[i];
        if (!node->metric_count)
            continue;
        pack.spc[i] = xcalloc(node->metric_count, sizeof **pack.spc);
        for (size_t m = 0; m < node->metric_count; m++)
            metric_analyse_spc_at(&node->metrics[m], options->evaluate_at, &pack.spc[i][m]);
    }

    /* What the open month still needs, as the month's summary counts it. */
    pack.awaiting = xcalloc(board->node_count ? board->node_count : 1, sizeof *pack.awaiting);
    struct present_missing *missing;
    size_t missing_count = present_missing(board, &pack.status, pack.status.open_month, &missing);
    for (size_t i = 0; i < missing_count; i++)
        pack.awaiting[missing[i].node] = missing[i].readings || missing[i].milestone;
    free(missing);

    put(&pack, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta name=\"generator\" content=\"boardpack\">\n<title>Board pack: ");
    put_text(&pack, board->title ? board->title : board->code);
    put(&pack, ", ");
    put_month(&pack, pack_month(&pack));
    put(&pack, "</title>\n");
    put(&pack, style_sheet);
    put(&pack, "</head>\n<body>\n<main>\n");
    write_cover(&pack);
    write_summary(&pack);
    write_exceptions(&pack);
    put(&pack, "<section id=\"deliverables\" aria-labelledby=\"deliverables-title\">\n"
               "<h2 id=\"deliverables-title\">Deliverables</h2>\n<p>One page for each "
               "deliverable, in the order of the strategy.</p>\n</section>\n");
    for (size_t i = 0; i < board->node_count; i++)
        if (board->nodes[i].level == LEVEL_DELIVERABLE)
            write_deliverable(&pack, i);
    write_key(&pack);
    put(&pack, "</main>\n</body>\n</html>\n");

    bool ok = fwrite(pack.out.data, 1, pack.out.length, out) == pack.out.length;
    for (size_t i = 0; i < board->node_count; i++) {
        for (size_t m = 0; pack.spc[i] && m < board->nodes[i].metric_count; m++)
            spc_result_free(&pack.spc[i][m]);
        free(pack.spc[i]);
    }
    free(pack.spc);
    free(pack.awaiting);
    text_free(&pack.out);
    board_status_free(&pack.status, board->node_count);
    if (!ok || fflush(out) != 0 || ferror(out)) {
        error_set(error, EXIT_IO, "Cannot write the board pack.");
        return false;
    }
    return true;
}
