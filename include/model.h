/* model.h — the board as every layer sees it: plain data and the small pure
 * helpers on its value types (months, units, directions, statuses). No I/O. */
#ifndef BOARDPACK_MODEL_H
#define BOARDPACK_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "spc.h"

/* A calendar month, counted as year * 12 + (month - 1); 0 means "none".
 * "2023-04" is 2023 * 12 + 3. */
typedef int yearmonth;

#define YEARMONTH_NONE 0
yearmonth yearmonth_make(int year, int month);
int yearmonth_year(yearmonth when);
int yearmonth_month(yearmonth when); /* 1..12 */
/* Parses exactly "YYYY-MM" (year 1900..9999, month 01..12). */
bool yearmonth_parse(const char *text, yearmonth *out);
/* Writes "YYYY-MM" into out (at least 8 bytes). */
void yearmonth_format(yearmonth when, char out[8]);
/* Writes "Oct 2023" into out (at least 9 bytes). */
void yearmonth_label(yearmonth when, char out[9]);
/* The month of a UTC time_t-like "now", for "not in the future" checks. */
yearmonth yearmonth_current(void);

enum unit { UNIT_PERCENT, UNIT_COUNT, UNIT_NUMBER, UNIT_DAYS, UNIT_RATIO };
const char *unit_name(enum unit unit);
bool unit_parse(const char *text, enum unit *out);
/* Whether a value is possible for the unit (a percentage in 0..100, a count
 * whole and not negative, days not negative, a ratio not negative). On false,
 * *why says what is wrong in a few words ("a percentage must be between 0 and
 * 100"). */
bool unit_accepts(enum unit unit, double value, const char **why);
/* Formats a value for people: "68.4%", "225", "12.5 days", "1.8". */
void unit_format_value(enum unit unit, double value, char *out, size_t size);

/* Which way is better. NONE only reaches SPC (no RAG without a direction). */
enum direction { DIRECTION_UP, DIRECTION_DOWN, DIRECTION_NONE };
const char *direction_name(enum direction direction);
bool direction_parse(const char *text, enum direction *out);

/* Ordered by severity, so roll-up can take the maximum. */
enum rag { RAG_GREY, RAG_BLUE, RAG_GREEN, RAG_AMBER, RAG_RED };
#define RAG_COUNT 5
char rag_letter(enum rag rag); /* '-', 'B', 'G', 'A', 'R' */
const char *rag_word(enum rag rag); /* "no data", "met", "on track", ... */

enum milestone_status {
    MILESTONE_NOT_STARTED,
    MILESTONE_ON_TRACK,
    MILESTONE_AT_RISK,
    MILESTONE_OFF_TRACK,
    MILESTONE_COMPLETE,
};
#define MILESTONE_STATUS_COUNT 5
const char *milestone_status_name(enum milestone_status status); /* "on_track" */
const char *milestone_status_label(enum milestone_status status); /* "on track" */
bool milestone_status_parse(const char *text, enum milestone_status *out);

/* The longest text each field of a board may hold, counted in characters
 * (UTF-8 code points, so "£" is one), in one place: the board-file reader,
 * the command layer (and so the browser's editor) all check against these.
 * docs/board-file.md lists which field has which limit. */
#define TEXT_MAXIMUM_CODE 64        /* a code (letters, digits, '.', '-', '_') */
#define TEXT_MAXIMUM_TITLE 500      /* a title; a metric's name; a value's name */
#define TEXT_MAXIMUM_LEAD 200       /* an executive lead; who entered something */
#define TEXT_MAXIMUM_LABEL 100      /* a reporting period, a breakdown, a segment */
#define TEXT_MAXIMUM_NOTE 4000      /* a note; a comment */
#define TEXT_MAXIMUM_STATEMENT 4000 /* purpose, vision, a value's text, source */
/* Whether `length` bytes of UTF-8 hold at most `maximum` characters;
 * *characters (if not NULL) gets how many they hold. */
bool text_within_limit(const char *text, size_t length, size_t maximum, size_t *characters);

enum level { LEVEL_AIM, LEVEL_OBJECTIVE, LEVEL_DELIVERABLE, LEVEL_METRIC };
const char *level_name(enum level level); /* "aim", "objective", ... */

/* Where something came from in a board file (0 when it did not). */
struct source_location {
    unsigned line;
    unsigned column;
};

struct reading {
    yearmonth period;
    double value;
    char *segment;    /* NULL for the whole (unsegmented) series */
    char *note;       /* may be NULL */
    char *entered_by; /* may be NULL */
    char *entered_at; /* "YYYY-MM-DDTHH:MM:SSZ", may be NULL */
    bool sample;      /* an illustrative reading, not the trust's */
    char *metric_code;             /* as written in the file */
    struct source_location where;  /* in the file, for errors */
};

struct trajectory_point {
    yearmonth period;
    double value;
};

struct metric {
    char *code;
    char *name;
    enum unit unit;
    enum direction direction;
    bool has_baseline;
    double baseline;
    yearmonth baseline_period;
    double target;
    yearmonth target_period;
    struct trajectory_point *trajectory; /* sorted by period */
    size_t trajectory_count;
    bool has_tolerance;
    double tolerance;  /* in the metric's units; default: see rules.h */
    char *breakdown;   /* a dimension, e.g. "borough"; NULL if none */
    /* The segments of the breakdown the metric declares, in the file's
     * order; none: any segment is taken (a file from before segments were
     * declared). */
    char **segments;
    size_t segment_count;
    int stale_months;  /* 0: the default (3) */
    struct spc_settings spc;
    /* Readings, sorted: the whole series first, by period, then each
     * segment's series by segment name and period. */
    struct reading *readings;
    size_t reading_count;
    long long id; /* row id in the store; 0 if not stored */
    bool readings_partial; /* only the latest whole-series readings are loaded */
    /* The month it was retired (no longer on the board from then on, its
     * readings kept); NONE while it is live. */
    yearmonth retired;
    struct source_location where;
};

struct milestone_update {
    enum milestone_status status;
    char *note;
    char *entered_by;
    char *entered_at;
    yearmonth period; /* the month the update is for; may be NONE */
    bool sample;
    long long id;
    char *node_code;               /* as written in the file */
    struct source_location where;  /* in the file, for errors */
};

struct milestone {
    yearmonth due;
    struct milestone_update *updates; /* oldest first; the last is current */
    size_t update_count;
};

struct comment {
    yearmonth period; /* the month it speaks to; may be NONE */
    char *text;
    char *entered_by;
    char *entered_at;
    bool sample;
    long long id;
    char *node_code;               /* as written in the file */
    struct source_location where;  /* in the file, for errors */
};

struct node {
    enum level level;
    char *code;
    char *title;
    char *lead;              /* may be NULL */
    size_t parent;           /* index in board.nodes; NODE_NONE for aims */
    size_t subtree_end;      /* one past the last descendant's index */
    size_t depth;            /* aims are 0 */
    /* Deliverables only: either metrics or a milestone. */
    struct metric *metrics;
    size_t metric_count;
    bool has_milestone;
    struct milestone milestone;
    struct comment *comments;
    size_t comment_count;
    long long id;            /* row id in the store; 0 if not stored */
    /* The month it was retired (hidden from views of that month on, its
     * history kept); NONE while it is live. */
    yearmonth retired;
    struct source_location where;
    /* A lazily loaded tree (board.partial): how many children the node has,
     * whether they are loaded, and the status the store keeps for it. */
    int tree_order;
    size_t child_count;
    bool children_loaded;
    bool has_stored_status;
    enum rag stored_rag;
    unsigned stored_counts[RAG_COUNT];
    unsigned stored_awaiting; /* deliverables below (or this one) awaiting the open month */
    size_t stored_child_count; /* the kept child count, to tell when it moved */
    /* Its status in the board's last published month before the one shown
     * (docs/months.md: movement); has_previous false if it had none. */
    bool has_previous;
    enum rag previous_rag;
};
#define NODE_NONE ((size_t)-1)

struct board_value {
    char *name;
    char *text;
};

/* A board's reporting months (docs/months.md): the month open for
 * readings, the months published, and which month a view shows. */
struct board_months {
    yearmonth open;           /* the open month; NONE if no month is open */
    yearmonth last_published; /* the newest published month; NONE if none */
    /* The view: */
    bool published;           /* it shows a published month as it was published */
    yearmonth shown;          /* that month (NONE: the working figures) */
    char *published_by;       /* who published it, and when (published views) */
    char *published_at;
    unsigned revisions;       /* corrections to it made after it was published */
    yearmonth previous;       /* the published month movement is measured from */
    long long previous_id;    /* the store's row for it; 0 if none */
};

struct board {
    char *code;
    char *title;   /* NULL in a readings-only file */
    char *purpose;
    char *vision;
    char *reporting_period; /* e.g. "2023/24", optional */
    struct board_value *values;
    size_t value_count;
    /* Aims, objectives, deliverables in pre-order (tree order); metrics are
     * not nodes here but hang off their deliverable. */
    struct node *nodes;
    size_t node_count;
    /* Readings as a file lists them (before they are attached to metrics);
     * store_load_board leaves this empty and fills metric.readings. */
    struct reading *readings;
    size_t reading_count;
    /* Likewise the file's top-level milestone_updates and commentary. */
    struct milestone_update *milestone_updates;
    size_t milestone_update_count;
    struct comment *comments;
    size_t comment_count;
    bool sample;            /* board.sample: everything this file adds is illustrative */
    /* board.spc.conflict: the conflict rule of every metric that sets none
     * (SPC_CONFLICT_DEFAULT: not set); copied into each metric's
     * spc.board_conflict by whoever reads the board. */
    enum spc_conflict spc_conflict;
    bool readings_only;     /* the file held only board.code and readings */
    yearmonth as_at;        /* newest month with any reading (<= as-of) */
    yearmonth newest_reading; /* the store's newest month of any reading, when the
                               * readings are not all loaded (summary loads) */
    bool shows_sample;      /* some reading shown is sample data */
    /* Loaded lazily (store_load_board_top): only some nodes are here, and
     * the statuses are the store's. */
    bool partial;
    bool has_stored_status;
    enum rag stored_rag;
    unsigned stored_counts[RAG_COUNT];
    unsigned stored_awaiting;
    struct board_months months;
    long long id;
    struct source_location where;
};

void board_free(struct board *board);
/* Moves the nodes of `children` (a board holding only the children of
 * board.nodes[parent], in tree order, with parent NODE_NONE at their top)
 * into the board right after the parent, fixing parents, depths and
 * subtree ends; leaves `children` empty. */
void board_insert_children(struct board *board, size_t parent, struct board *children);
/* Frees a metric's readings (and nothing else of it). */
void metric_free_readings(struct metric *metric);
/* Frees what a reading owns (not the reading itself). */
void reading_free_fields(struct reading *reading);
/* Finds a metric by code (a single-metric deliverable's metric carries the
 * deliverable's code); NULL if none. */
struct metric *board_find_metric(const struct board *board, const char *code,
                                 struct node **deliverable);
struct node *board_find_node(const struct board *board, const char *code);
/* The latest reading of a metric's whole series (greatest period), or NULL. */
const struct reading *metric_latest_reading(const struct metric *metric);
/* The whole series (segment NULL) as a contiguous range of metric.readings. */
size_t metric_series(const struct metric *metric, const char *segment,
                     const struct reading **first);
/* Whether a metric with these declared segments takes readings for
 * `segment`: any, when it declares none; else only one it declares, exactly. */
bool segments_include(char *const *segments, size_t count, const char *segment);
/* What to say of a segment that is not declared, after "no segment 'x' for
 * 2.1.2; ": "did you mean 'Barnet'?" (a declared segment that differs only
 * in case, else the closest by edit distance when it is close), or else
 * "expected 'Barnet', 'Camden' or 'Enfield'" (cut short with "..." when the
 * list does not fit). */
void segment_suggestion(char *const *segments, size_t count, const char *segment, char *out,
                        size_t size);
/* Sorts metric.readings into the order documented above. */
void metric_sort_readings(struct metric *metric);
/* Moves what a board file lists at its top level (readings, milestone
 * updates, commentary) onto its metrics and nodes, as a store load would
 * have them, and sorts them. For a board read back from a file (a
 * published month's copy). Entries naming no known metric or node are
 * dropped. */
void board_attach_records(struct board *board);
/* Whether a metric's whole series has no reading for some month between
 * its newest reading before `period` and `period`: *first and *last are the
 * missing months (false if none, or no earlier reading). */
bool metric_gap_before(const struct metric *metric, yearmonth period, yearmonth *first,
                       yearmonth *last);

#endif
