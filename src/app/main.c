/* main.c — the command line: parses the arguments of PRODUCT.md's contract,
 * finds or seeds the store, and hands each subcommand to its layer. */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <unistd.h>

#include "boardfile.h"
#include "bundled.h"
#include "command.h"
#include "config.h"
#include "pack.h"
#include "settings.h"
#include "report.h"
#include "rules.h"
#include "screen.h"
#include "store.h"
#include "util.h"

#define DEFAULT_BOARD "nlmhp-2023-24"

static const char usage_text[] =
    "Usage:\n"
    "  boardpack [--db PATH] [--board CODE] [--read-only] [--kiosk [--cycle SECONDS]]\n"
    "            [--no-color] [--ascii] [--no-mouse]       browse (the default command)\n"
    "  boardpack [--db PATH] init [--sample]                 create a store with the bundled boards\n"
    "  boardpack [--db PATH] import [--dry-run] [--board CODE] FILE...\n"
    "                                                        board files (.yaml), or readings CSV\n"
    "                                                        (.csv) for --board; one transaction\n"
    "  boardpack check FILE...                               validate only; writes nothing\n"
    "  boardpack [--db PATH] export [--board CODE] [--format yaml|csv]\n"
    "  boardpack [--db PATH] report [--board CODE] [--format text|csv|md]\n"
    "                               [--as-of YYYY-MM | --draft] [--changed]\n"
    "  boardpack [--db PATH] pack [--board CODE] [--month YYYY-MM] [--output FILE]\n"
    "                                                        the board pack: one HTML file to print\n"
    "  boardpack [--db PATH] record CODE VALUE [--period YYYY-MM] [--segment NAME] [--note TEXT]\n"
    "                                  [--reason TEXT]\n"
    "  boardpack [--db PATH] delete CODE --period YYYY-MM [--segment NAME] --reason TEXT\n"
    "                                                        remove a reading, saying why\n"
    "  boardpack [--db PATH] edit CODE FIELD [VALUE] [--board CODE]\n"
    "                                                        change one field of the board\n"
    "  boardpack [--db PATH] month [--board CODE]            the open month and what is still missing\n"
    "  boardpack [--db PATH] month open YYYY-MM [--board CODE]\n"
    "  boardpack [--db PATH] month publish YYYY-MM [--board CODE]\n"
    "  boardpack [--db PATH] backup FILE [--force]           a consistent copy while the store is in use\n"
    "  boardpack copy --from STORE --to STORE                a whole store into a new one\n"
    "                                  (SQLite or PostgreSQL, either way; history and audit too)\n"
    "  boardpack --help | --version\n";

static const char help_text[] =
    "\n"
    "boardpack browses an NHS trust's board pack: the strategy's aims, strategic\n"
    "objectives and deliverables, with RAG status and SPC charts from a SQLite store.\n"
    "\n"
    "Options:\n"
    "  --db STORE        the store: a SQLite file's path, or a PostgreSQL database\n"
    "                    as a postgresql:// or postgres:// URI or service=NAME\n"
    "                    (passwords from ~/.pgpass; docs/deployment.md)\n"
    "                    (default: $BOARDPACK_DB, else\n"
    "                    $XDG_DATA_HOME/boardpack/boardpack.db, else\n"
    "                    ~/.local/share/boardpack/boardpack.db)\n"
    "  --board CODE      the board to show (default nlmhp-2023-24)\n"
    "  --read-only       browse without any way to change the store\n"
    "  --kiosk           read-only meeting-room display that cycles through the aims;\n"
    "                    no key stops it: it ends on SIGTERM or SIGHUP, or on the\n"
    "                    quit sequence set in BOARDPACK_KIOSK_QUIT (docs/kiosk.md)\n"
    "  --cycle SECONDS   seconds per aim in kiosk mode, 1 to 86400 (default 20)\n"
    "  --no-color        no colours (also when NO_COLOR is set)\n"
    "  --ascii           ASCII only (automatic when the locale is not UTF-8)\n"
    "  --no-mouse        ignore the mouse\n"
    "  --format F        export: yaml or csv; report: text, csv or md\n"
    "  --as-of YYYY-MM   report that month: as published if it is, else as the store\n"
    "                    has it now (PROVISIONAL); the default is the newest\n"
    "                    published month (the working figures if none is)\n"
    "  --draft           report the working figures, with the open month (PROVISIONAL)\n"
    "  --changed         report only the rows whose status moved since the last\n"
    "                    published month, with their aims and objectives\n"
    "  --month YYYY-MM   pack: that month (as published if it is; default: the newest\n"
    "                    published month, else the provisional working figures)\n"
    "  --output FILE     pack: write FILE (replaced whole) instead of standard output\n"
    "  --period YYYY-MM  record: the month of the reading (default: the board's open\n"
    "                    month; with none open, --period is needed)\n"
    "  --segment NAME    record: a segment of the metric's breakdown (e.g. a borough),\n"
    "                    one it declares if its board file lists segments\n"
    "  --note TEXT       record: a note on the reading\n"
    "  --reason TEXT     record, import: why a published month is corrected (needed\n"
    "                    then); delete: why the reading is removed (always needed)\n"
    "  --sample          init: add the illustrative sample readings (SAMPLE DATA)\n"
    "  --dry-run         import: check and count what would change, write nothing\n"
    "  --force           backup: replace an existing FILE\n"
    "  --from STORE      copy: the store to copy (a path or a PostgreSQL URI)\n"
    "  --to STORE        copy: the new store (a path that does not exist yet, or an\n"
    "                    empty PostgreSQL database)\n"
    "\n"
    "edit FIELDs: title, lead, due (a milestone's month), retire, restore (no VALUE);\n"
    "a metric's name, unit, direction, baseline, target, tolerance, stale_after,\n"
    "breakdown, segments (\"Barnet, Camden\"), target_period, baseline_period,\n"
    "trajectory (\"2024-06: 70, 2024-09: 75\"), rebase (\"2024-01\"); parent (a move)\n"
    "and position (up, down, first, last). Each edit is checked as a board file\n"
    "is, audited and one transaction (docs/keeping-a-board.md).\n"
    "  --list-requests   the browser's requests, keys and help, one a line\n"
    "  --help            this help;  --version  the version\n"
    "\n"
    "Options may come before or after the command's arguments; -- ends them, so\n"
    "record 1.2.3 -5 and record 1.2.3 -- -5 both record minus five.\n"
    "\n"
    "Only the browser's first run on the default store (no --db, no BOARDPACK_DB)\n"
    "creates it, with the bundled boards and illustrative sample readings (shown as\n"
    "SAMPLE DATA); init creates one on purpose. Every other command on a store that\n"
    "does not exist says so and exits 66, creating nothing; import of a board file\n"
    "into a new path creates an empty store first.\n"
    "A FILE ending in .csv is a readings CSV: a header row naming metric, period and\n"
    "value (and optionally segment and note), one reading a row, for the board\n"
    "--board names (default nlmhp-2023-24). Every bad row is reported as\n"
    "FILE:LINE:COLUMN: error: ...; then nothing is written. Rows equal to the stored\n"
    "reading are left alone, so importing a feed twice changes nothing. CSV files\n"
    "and board files go in separate import commands (docs/feeds.md).\n"
    "Exit status: 0 ok, 2 usage, 65 bad data, 66 no store or file, 73 store or backup\n"
    "cannot be written (or init on a store with boards, backup onto a file without\n"
    "--force), 75 store busy.\n"
    "Months: month open YYYY-MM opens a month; readings, milestone updates and\n"
    "commentary default to it; month lists what is still missing, by lead; month\n"
    "publish YYYY-MM freezes it; a later correction needs --reason (docs/months.md).\n"
    "In the browser, press ? for every key; e edits a value in place, a adds a month.\n"
    "See boardpack(1) and docs/ for the board file format, RAG rules and keys.\n";

struct options {
    const char *database;
    const char *board;
    const char *format;
    const char *as_of;
    const char *period;
    const char *segment;
    const char *note;
    const char *reason;
    const char *month;
    const char *output;
    const char *made_at;
    const char *from, *to; /* copy */
    bool read_only, kiosk, no_color, ascii, no_mouse, first_frame, sample, force, dry_run;
    bool draft, changed; /* report: the working figures; only what moved */
    int cycle_seconds;
    const char *command;
    const char **arguments;
    int argument_count;
};

static int usage_error(const char *format, const char *detail)
{
    fprintf(stderr, "boardpack: ");
    fprintf(stderr, format, detail);
    fprintf(stderr, "\nRun 'boardpack --help' for usage.\n");
    return EXIT_USAGE;
}

/* Every option is long only but -h; the values start above any character. */
enum option_id {
    OPTION_HELP = 'h',
    OPTION_VERSION = 256,
    OPTION_DB,
    OPTION_BOARD,
    OPTION_FORMAT,
    OPTION_AS_OF,
    OPTION_PERIOD,
    OPTION_SEGMENT,
    OPTION_NOTE,
    OPTION_REASON,
    OPTION_CYCLE,
    OPTION_READ_ONLY,
    OPTION_KIOSK,
    OPTION_NO_COLOR,
    OPTION_ASCII,
    OPTION_NO_MOUSE,
    OPTION_FIRST_FRAME,
    OPTION_LIST_REQUESTS,
    OPTION_SAMPLE,
    OPTION_FORCE,
    OPTION_DRAFT,
    OPTION_CHANGED,
    OPTION_MONTH,
    OPTION_OUTPUT,
    OPTION_MADE_AT,
    OPTION_DRY_RUN,
    OPTION_FROM,
    OPTION_TO,
};

static const struct option long_options[] = {
    {"help", no_argument, NULL, OPTION_HELP},
    {"version", no_argument, NULL, OPTION_VERSION},
    {"db", required_argument, NULL, OPTION_DB},
    {"board", required_argument, NULL, OPTION_BOARD},
    {"format", required_argument, NULL, OPTION_FORMAT},
    {"as-of", required_argument, NULL, OPTION_AS_OF},
    {"period", required_argument, NULL, OPTION_PERIOD},
    {"segment", required_argument, NULL, OPTION_SEGMENT},
    {"note", required_argument, NULL, OPTION_NOTE},
    {"reason", required_argument, NULL, OPTION_REASON},
    {"cycle", required_argument, NULL, OPTION_CYCLE},
    {"read-only", no_argument, NULL, OPTION_READ_ONLY},
    {"kiosk", no_argument, NULL, OPTION_KIOSK},
    {"no-color", no_argument, NULL, OPTION_NO_COLOR},
    {"no-colour", no_argument, NULL, OPTION_NO_COLOR},
    {"ascii", no_argument, NULL, OPTION_ASCII},
    {"no-mouse", no_argument, NULL, OPTION_NO_MOUSE},
    {"first-frame", no_argument, NULL, OPTION_FIRST_FRAME},
    {"list-requests", no_argument, NULL, OPTION_LIST_REQUESTS},
    {"sample", no_argument, NULL, OPTION_SAMPLE},
    {"force", no_argument, NULL, OPTION_FORCE},
    {"draft", no_argument, NULL, OPTION_DRAFT},
    {"changed", no_argument, NULL, OPTION_CHANGED},
    {"month", required_argument, NULL, OPTION_MONTH},
    {"output", required_argument, NULL, OPTION_OUTPUT},
    {"made-at", required_argument, NULL, OPTION_MADE_AT},
    {"dry-run", no_argument, NULL, OPTION_DRY_RUN},
    {"from", required_argument, NULL, OPTION_FROM},
    {"to", required_argument, NULL, OPTION_TO},
    {NULL, 0, NULL, 0},
};

/* A value such as -5 or -.5 is an argument, not an option: `record 1.2.3
 * -5` records minus five, as `record 1.2.3 -- -5` does. */
static bool is_negative_number(const char *argument)
{
    return argument[0] == '-' &&
           ((argument[1] >= '0' && argument[1] <= '9') || argument[1] == '.');
}

/* The option as typed, without any "=value", for messages. */
static void typed_name(const char *argument, char name[32])
{
    size_t length = strcspn(argument, "=");
    if (length > 31)
        length = 31;
    memcpy(name, argument, length);
    name[length] = '\0';
}

/* Whole names only: getopt_long would take --per for --period, and an
 * abbreviation that works today could mean another option once one is
 * added. */
static bool is_whole_option_name(const char *name)
{
    if (strncmp(name, "--", 2) != 0)
        return false;
    for (const struct option *option = long_options; option->name; option++)
        if (strcmp(name + 2, option->name) == 0)
            return true;
    return false;
}

static void add_positional(struct options *options, const char *argument)
{
    if (!options->command)
        options->command = argument;
    else
        options->arguments[options->argument_count++] = argument;
}

/* Options may come before or after the subcommand and its arguments; "--"
 * ends them. getopt_long with a leading '-' hands back every other argument
 * in order (as 1), so the command is always the first of them. */
static int parse_arguments(int argc, char **argv, struct options *options, bool *exit_now)
{
    options->arguments = xcalloc((size_t)argc + 1, sizeof *options->arguments);
    opterr = 0; /* our own messages, below */
    optind = 1;
    for (;;) {
        if (optind < argc && is_negative_number(argv[optind])) {
            add_positional(options, argv[optind++]);
            continue;
        }
        /* The one short option, -h, ends the run, so getopt is never in
         * the middle of a cluster here: argv[at] is what it reads next. */
        int at = optind;
        int id = getopt_long(argc, argv, "-:h", long_options, NULL);
        if (id == -1)
            break;
        const char *value = optarg;
        if (id == 1) {
            add_positional(options, value);
            continue;
        }
        char name[32];
        bool is_long = strncmp(argv[at], "--", 2) == 0;
        if (is_long)
            typed_name(argv[at], name);
        else
            snprintf(name, sizeof name, "-%c", optopt > 0 && optopt < 128 ? optopt : '?');
        if (is_long && !is_whole_option_name(name))
            return usage_error("unknown option %s.", name);
        if (id == ':')
            return usage_error("option %s needs a value.", name);
        if (id == '?')
            return usage_error(is_long ? "option %s takes no value." : "unknown option %s.",
                               name);
        switch (id) {
        case OPTION_HELP:
            fputs(usage_text, stdout);
            fputs(help_text, stdout);
            *exit_now = true;
            return EXIT_OK;
        case OPTION_LIST_REQUESTS:
            /* Hidden: the request table, for the man page's test. */
            screen_list_requests(stdout);
            *exit_now = true;
            return EXIT_OK;
        case OPTION_VERSION:
            printf("boardpack %s\n", BOARDPACK_VERSION);
            *exit_now = true;
            return EXIT_OK;
        case OPTION_DB:
            options->database = value;
            break;
        case OPTION_BOARD:
            options->board = value;
            break;
        case OPTION_FORMAT:
            options->format = value;
            break;
        case OPTION_AS_OF:
            options->as_of = value;
            break;
        case OPTION_PERIOD:
            options->period = value;
            break;
        case OPTION_SEGMENT:
            options->segment = value;
            break;
        case OPTION_NOTE:
            options->note = value;
            break;
        case OPTION_REASON:
            options->reason = value;
            break;
        case OPTION_CYCLE: {
            char *end;
            errno = 0;
            long seconds = strtol(value, &end, 10);
            if (*value == '\0' || *end != '\0' || errno || seconds < 1 || seconds > 86400)
                return usage_error("--cycle needs a whole number of seconds from 1 to 86400, "
                                   "not '%s'.",
                                   value);
            options->cycle_seconds = (int)seconds;
            break;
        }
        case OPTION_READ_ONLY:
            options->read_only = true;
            break;
        case OPTION_KIOSK:
            options->kiosk = true;
            break;
        case OPTION_NO_COLOR:
            options->no_color = true;
            break;
        case OPTION_ASCII:
            options->ascii = true;
            break;
        case OPTION_NO_MOUSE:
            options->no_mouse = true;
            break;
        case OPTION_FIRST_FRAME:
            options->first_frame = true;
            break;
        case OPTION_SAMPLE:
            options->sample = true;
            break;
        case OPTION_FORCE:
            options->force = true;
            break;
        case OPTION_MONTH:
            options->month = value;
            break;
        case OPTION_FROM:
            options->from = value;
            break;
        case OPTION_TO:
            options->to = value;
            break;
        case OPTION_OUTPUT:
            options->output = value;
            break;
        case OPTION_MADE_AT:
            /* Hidden: fixes the pack's "made at" line for tests. */
            options->made_at = value;
            break;
        case OPTION_DRAFT:
            options->draft = true;
            break;
        case OPTION_CHANGED:
            options->changed = true;
            break;
        case OPTION_DRY_RUN:
            options->dry_run = true;
            break;
        default:
            return usage_error("unknown option %s.", name);
        }
    }
    /* After "--", everything left is an argument. */
    for (; optind < argc; optind++)
        add_positional(options, argv[optind]);
    return EXIT_OK;
}

/* --db, else $BOARDPACK_DB, else $XDG_DATA_HOME/boardpack/boardpack.db,
 * else ~/.local/share/boardpack/boardpack.db. */
static char *store_location(const struct options *options)
{
    if (options->database)
        return xstrdup(options->database);
    const char *from_environment = getenv("BOARDPACK_DB");
    if (from_environment && *from_environment)
        return xstrdup(from_environment);
    const char *data_home = getenv("XDG_DATA_HOME");
    if (data_home && data_home[0] == '/')
        return xasprintf("%s/boardpack/boardpack.db", data_home);
    const char *home = getenv("HOME");
    return xasprintf("%s/.local/share/boardpack/boardpack.db", home && *home ? home : ".");
}

/* A store opened for a command, and where it is. */
struct opened {
    struct store *store;
    char *path; /* the store as messages name it: a path, or a server's
                 * database, never a URI's password (store_location_label) */
};

/* True when no store was named (no --db, no $BOARDPACK_DB): the one case in
 * which the interactive browser's first run creates and seeds it. */
static bool uses_default_store(const struct options *options)
{
    const char *from_environment = getenv("BOARDPACK_DB");
    return !options->database && !(from_environment && *from_environment);
}

static void no_store_error(struct error *error, const char *path)
{
    if (store_is_server(path)) {
        /* Unreachable, refused, or no store in it: the open says which. */
        struct store *store = NULL;
        if (store_open(path, STORE_READ_ONLY, false, &store, error)) {
            store_close(store);
            error_set(error, EXIT_NO_INPUT, "The store appeared while opening it; try again.");
        }
        return;
    }
    error_set(error, EXIT_NO_INPUT,
              "There is no store at %s; create one with boardpack init --sample, or import a "
              "board file.",
              path);
}

/* Opens the store for a command; `seed` creates and seeds a missing one,
 * `create_empty` creates an empty one (store_discard removes it again after
 * a failed import). */
static bool open_store(const struct options *options, enum store_access access, bool seed,
                       bool create_empty, struct opened *out, struct error *error)
{
    char *path = store_location(options);
    struct store **store = &out->store;
    if (options->read_only)
        access = STORE_READ_ONLY; /* --read-only holds for every command */
    bool exists = store_exists(path);
    if (!exists && !seed && !create_empty) {
        no_store_error(error, path);
        free(path);
        return false;
    }
    if (!exists && seed && !command_create_seeded_store(path, true, error)) {
        free(path);
        return false;
    }
    bool create = !exists && !seed;
    if (!store_open(path, access, create, store, error)) {
        free(path);
        return false;
    }
    if (!command_keep_missing_statuses(*store, error)) {
        store_close(*store);
        free(path);
        return false;
    }
    out->path = store_location_label(path);
    free(path);
    return true;
}

/* An existing store opened to be written: one this account may only read
 * is refused in one sentence ("... nothing was recorded."), closed again. */
static bool open_store_to_write(const struct options *options, const char *nothing_was,
                                struct opened *out, struct error *error)
{
    if (!open_store(options, STORE_READ_WRITE, false, false, out, error))
        return false;
    if (!store_is_read_only(out->store))
        return true;
    if (options->read_only)
        error_set(error, EXIT_CANNOT_CREATE,
                  "The store %s is open read-only (--read-only); nothing was %s.", out->path,
                  nothing_was);
    else
        error_set(error, EXIT_CANNOT_CREATE,
                  "You may not write to the store %s; nothing was %s.", out->path, nothing_was);
    store_close(out->store);
    free(out->path);
    out->path = NULL;
    return false;
}

/* Closes the store a command opened and hands back its exit status. */
static int close_opened(struct opened *opened, int status)
{
    store_close(opened->store);
    free(opened->path);
    return status;
}

static int fail_with(const struct error *error)
{
    fprintf(stderr, "%s\n", error->message);
    return error->status ? error->status : EXIT_FAILURE_GENERAL;
}

/* "3 aims", "1 aim". */
static void print_count(size_t count, const char *noun, const char *plural, bool comma)
{
    printf("%s%zu %s", comma ? ", " : "", count, count == 1 ? noun : plural);
}

/* check's one line on success: what it checked. */
static void print_checked(const char *file, const struct board *board)
{
    size_t per_level[LEVEL_METRIC + 1] = {0};
    for (size_t i = 0; i < board->node_count; i++)
        if (board->nodes[i].level <= LEVEL_METRIC)
            per_level[board->nodes[i].level]++;
    printf("%s: ", file);
    if (board->readings_only) {
        printf("readings for board %s, ", board->code);
    } else {
        printf("board %s", board->code);
        print_count(per_level[LEVEL_AIM], "aim", "aims", true);
        print_count(per_level[LEVEL_OBJECTIVE], "objective", "objectives", true);
        print_count(per_level[LEVEL_DELIVERABLE], "deliverable", "deliverables", true);
        fputs(", ", stdout);
    }
    print_count(board->reading_count, "reading", "readings", false);
    fputs(": no errors.\n", stdout);
}

static int run_check(const struct options *options)
{
    if (options->argument_count == 0)
        return usage_error("%s needs at least one FILE.", "check");
    for (int i = 0; i < options->argument_count; i++) {
        struct board *board = NULL;
        struct error error = {0};
        if (!boardfile_read_path(options->arguments[i], &board, &error))
            return fail_with(&error);
        print_checked(options->arguments[i], board);
        board_free(board);
    }
    return EXIT_OK;
}

/* A readings CSV by its name: FILE.csv, any case. */
static bool is_readings_csv(const char *path)
{
    size_t length = strlen(path);
    return length > 4 && strcasecmp(path + length - 4, ".csv") == 0;
}

static int run_import_csv(const struct options *options);

/* import --dry-run of board files: what each would do, and nothing kept
 * (a store this run created for it is removed again). */
static int dry_run_boards(const struct options *options, struct board **boards,
                          struct opened *opened)
{
    size_t count = (size_t)options->argument_count;
    struct feed_counts *counts = xcalloc(count, sizeof *counts);
    bool *created = xcalloc(count, sizeof *created);
    struct error error = {0};
    int status = EXIT_OK;
    struct import_plan plan = {0};
    if (command_count_import_boards(opened->store, boards, options->arguments, count, counts,
                                    created, &plan, &error)) {
        for (size_t i = 0; i < count; i++) {
            const struct feed_counts *c = &counts[i];
            printf("dry run: %s: ", options->arguments[i]);
            if (created[i])
                printf("would create board %s; ", boards[i]->code);
            printf("%zu reading%s: %zu new, %zu replaced, %zu unchanged; nothing written.\n",
                   c->rows, c->rows == 1 ? "" : "s", c->added, c->replaced, c->unchanged);
        }
        /* A board already in the store, changed by a whole file: the plan,
         * a line per board and one per change (docs/keeping-a-board.md). */
        struct text_buffer text = {0};
        import_plan_format(&plan, &text);
        if (text.data)
            fputs(text.data, stdout);
        text_free(&text);
    } else {
        status = fail_with(&error);
    }
    store_discard(opened->store); /* removes the store only if this run created it */
    import_plan_free(&plan);
    free(counts);
    free(created);
    return status;
}

static int run_import(const struct options *options)
{
    if (options->argument_count == 0)
        return usage_error("%s needs at least one FILE.", "import");
    int count = options->argument_count;
    int csv_files = 0;
    const char *a_csv = NULL;
    for (int i = 0; i < count; i++)
        if (is_readings_csv(options->arguments[i]))
            csv_files++, a_csv = a_csv ? a_csv : options->arguments[i];
    if (csv_files && csv_files < count)
        return usage_error("import takes board files or readings CSV files, not both at once "
                           "('%s' is a CSV); import them in two commands.",
                           a_csv);
    if (csv_files)
        return run_import_csv(options);

    struct board **boards = xcalloc((size_t)count, sizeof *boards);
    struct error error = {0};
    int status = EXIT_OK;
    /* Every file must read cleanly before the store is touched. */
    for (int i = 0; i < count && status == EXIT_OK; i++)
        if (!boardfile_read_path(options->arguments[i], &boards[i], &error))
            status = fail_with(&error);
    /* Only a board file may create a store: readings need a board. */
    bool any_board = false;
    for (int i = 0; i < count && status == EXIT_OK; i++)
        any_board = any_board || !boards[i]->readings_only;
    struct opened opened = {0};
    if (status == EXIT_OK &&
        !open_store(options, STORE_READ_WRITE, false, any_board, &opened, &error))
        status = fail_with(&error);
    if (status == EXIT_OK && options->dry_run) {
        status = dry_run_boards(options, boards, &opened);
    } else if (status == EXIT_OK) {
        /* No undo record: the command line has no session to undo in. */
        bool ok = command_import_boards(opened.store, boards, options->arguments, (size_t)count,
                                        false, options->reason, NULL, &error);
        if (!ok)
            status = fail_with(&error);
        if (ok)
            store_close(opened.store);
        else
            store_discard(opened.store); /* removes the store only if this run created it */
        if (ok) {
            size_t readings = 0;
            for (int i = 0; i < count; i++)
                readings += boards[i]->reading_count;
            fprintf(stderr, "Imported %d file%s (%zu reading%s) into %s.\n", count,
                    count == 1 ? "" : "s", readings, readings == 1 ? "" : "s", opened.path);
        }
    }
    for (int i = 0; i < count; i++)
        board_free(boards[i]);
    free(boards);
    free(opened.path);
    return status;
}

static const char *board_code(const struct options *options)
{
    return options->board ? options->board : DEFAULT_BOARD;
}

/* Where a feed's located errors and progress go: stderr, progress only
 * when stderr is a terminal. */
struct feed_output {
    bool progress_shown;
    bool errors_shown;
};

static void print_feed_error(void *context, const char *message)
{
    struct feed_output *output = context;
    if (output->progress_shown) {
        fputc('\n', stderr);
        output->progress_shown = false;
    }
    fprintf(stderr, "%s\n", message);
    output->errors_shown = true;
}

static void print_feed_progress(void *context, const char *file, size_t rows)
{
    struct feed_output *output = context;
    fprintf(stderr, "\r%s: %zu rows read", file, rows);
    fflush(stderr);
    output->progress_shown = true;
}

/* boardpack import [--dry-run] [--board CODE] FILE.csv...: a feed of
 * readings for one board, which must be in the store already. */
static int run_import_csv(const struct options *options)
{
    struct opened opened;
    struct error error = {0};
    if (!open_store_to_write(options, "imported", &opened, &error))
        return fail_with(&error);
    size_t count = (size_t)options->argument_count;
    struct feed_counts *counts = xcalloc(count, sizeof *counts);
    struct feed_output output = {0};
    struct feed_options feed = {
        .dry_run = options->dry_run,
        .reason = options->reason,
        .on_error = print_feed_error,
        .on_progress = isatty(STDERR_FILENO) ? print_feed_progress : NULL,
        .context = &output,
    };
    int status = EXIT_OK;
    bool ok = command_import_readings_csv(opened.store, board_code(options), options->arguments,
                                          count, &feed, counts, NULL, &error);
    if (output.progress_shown)
        fputc('\n', stderr);
    if (!ok) {
        /* Bad rows went out as they were found; other failures here. */
        if (error.status == EXIT_DATA && output.errors_shown)
            status = EXIT_DATA;
        else
            status = fail_with(&error);
    }
    for (size_t i = 0; ok && i < count; i++) {
        const struct feed_counts *c = &counts[i];
        if (options->dry_run)
            printf("dry run: %s: %zu reading%s: %zu new, %zu replaced, %zu unchanged; nothing "
                   "written.\n",
                   options->arguments[i], c->rows, c->rows == 1 ? "" : "s", c->added,
                   c->replaced, c->unchanged);
        else
            fprintf(stderr, "Imported %s into %s: %zu new, %zu replaced, %zu unchanged.\n",
                    options->arguments[i], opened.path, c->added, c->replaced, c->unchanged);
    }
    free(counts);
    return close_opened(&opened, status);
}

/* Writes a board to standard output, as `how` says. */
typedef bool board_writer(const struct board *board, const void *how, struct error *error);
static bool write_export(const struct board *board, const void *how, struct error *error);

/* The board from the store (as of `as_of`), written by `write`; `seed`
 * seeds a missing store. The exit status. */
static int write_stored_board(const struct options *options, bool seed, yearmonth as_of,
                              board_writer *write, const void *how)
{
    struct opened opened;
    struct error error = {0};
    if (!open_store(options, STORE_READ_ONLY, seed, false, &opened, &error))
        return fail_with(&error);
    struct board *board = NULL;
    int status = EXIT_OK;
    /* An export keeps what is retired (with its month), so that importing
     * it back changes nothing. */
    bool whole = write == write_export && as_of == YEARMONTH_NONE;
    if (!(whole ? store_load_board_with_retired(opened.store, board_code(options), &board, &error)
                : store_load_board(opened.store, board_code(options), as_of, &board, &error)) ||
        !write(board, how, &error))
        status = fail_with(&error);
    board_free(board);
    return close_opened(&opened, status);
}

/* `how` is the export's format, "yaml" or "csv". */
static bool write_export(const struct board *board, const void *how, struct error *error)
{
    return strcmp(how, "yaml") == 0 ? boardfile_write_yaml(board, stdout, error)
                                    : boardfile_write_csv(board, stdout, error);
}

static int run_export(const struct options *options)
{
    if (options->argument_count)
        return usage_error("export takes no FILE ('%s'); it writes to standard output.",
                           options->arguments[0]);
    const char *format = options->format ? options->format : "yaml";
    if (strcmp(format, "yaml") != 0 && strcmp(format, "csv") != 0)
        return usage_error("export --format is yaml or csv, not '%s'.", format);
    return write_stored_board(options, false, YEARMONTH_NONE, write_export, format);
}

/* The newest published month by default (the working figures, marked
 * PROVISIONAL, while nothing is published); --as-of a month, as published
 * if it is; --draft the working figures with the open month. */
static int run_report(const struct options *options)
{
    if (options->argument_count)
        return usage_error("report takes no arguments ('%s').", options->arguments[0]);
    enum report_format format = REPORT_TEXT;
    if (options->format && !report_format_parse(options->format, &format))
        return usage_error("report --format is text, csv or md, not '%s'.", options->format);
    yearmonth as_of = YEARMONTH_NONE;
    if (options->as_of && !yearmonth_parse(options->as_of, &as_of))
        return usage_error("--as-of needs a month written YYYY-MM, not '%s'.", options->as_of);
    if (options->as_of && options->draft)
        return usage_error("report takes --as-of or --draft, not both (%s).", "--draft");
    enum view_month view = options->draft ? VIEW_WORKING : options->as_of ? VIEW_MONTH
                                                                         : VIEW_PUBLISHED;
    struct report_options how = {
        .format = format,
        .ascii = options->ascii || strcmp(nl_langinfo(CODESET), "UTF-8") != 0,
        .changed_only = options->changed,
    };
    struct opened opened;
    struct error error = {0};
    if (!open_store(options, STORE_READ_ONLY, false, false, &opened, &error))
        return fail_with(&error);
    struct board *board = NULL;
    yearmonth evaluate_at = YEARMONTH_NONE;
    int status = EXIT_OK;
    if (!command_load_view(opened.store, board_code(options), view, as_of, &board, &evaluate_at,
                           &error) ||
        !report_write_with(board, evaluate_at, &how, stdout, &error))
        status = fail_with(&error);
    board_free(board);
    return close_opened(&opened, status);
}

/* Whether a refused write was refused for want of a reason: a correction
 * to a published month (only a --period can name one: the open month is
 * never published), refused with the command layer's sentence for it (a
 * bad value or code for such a month is refused first, for that). */
static bool wants_reason(struct store *store, const struct options *options,
                         const struct error *refusal)
{
    yearmonth period;
    bool needed = false;
    struct error ignored = {0};
    return refusal->status == EXIT_DATA && options->period &&
           strstr(refusal->message, "needs a reason") &&
           yearmonth_parse(options->period, &period) &&
           command_correction_needed(store, board_code(options), period, &needed, &ignored) &&
           needed;
}

/* "No reading for 1.1.2 in Jan 2024 – Feb 2024 (2 months); a chart shows
 * the gap." when the reading leaves months without one before it. */
static void print_gap(const struct change *change)
{
    if (change->gap_first == YEARMONTH_NONE)
        return;
    bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    char first[9], last[9], segment[128] = "";
    yearmonth_label(change->gap_first, first);
    yearmonth_label(change->gap_last, last);
    if (change->segment)
        snprintf(segment, sizeof segment, " (%s)", change->segment);
    int months = change->gap_last - change->gap_first + 1;
    if (months == 1)
        printf("No reading for %s%s in %s; a chart shows the gap.\n", change->node_code,
               segment, first);
    else
        printf("No reading for %s%s in %s %s %s (%d months); a chart shows the gap.\n",
               change->node_code, segment, first, utf8 ? "–" : "-", last, months);
}

static int run_record(const struct options *options)
{
    if (options->argument_count != 2)
        return usage_error("%s needs a CODE and a VALUE, e.g. boardpack record 2.1.2 68.4 "
                           "--period 2023-10.",
                           "record");
    struct opened opened;
    struct error error = {0};
    if (!open_store_to_write(options, "recorded", &opened, &error))
        return fail_with(&error);
    int status = EXIT_OK;
    struct change change = {0};
    if (!command_record_reading(opened.store, board_code(options), options->arguments[0],
                                       options->arguments[1], options->period, options->segment,
                                       options->note, options->reason, &change, &error)) {
        /* The hint is the command line's: the browser asks for a reason. */
        if ((!options->reason || !options->reason[0]) &&
            wants_reason(opened.store, options, &error)) {
            fprintf(stderr, "%s Give one with --reason TEXT.\n", error.message);
            status = error.status;
        } else {
            status = fail_with(&error);
        }
    } else {
        char month[8], shown[64], old[64];
        yearmonth_format(change.period, month);
        snprintf(shown, sizeof shown, "%.15g", change.new_value);
        snprintf(old, sizeof old, "%.15g", change.old_value);
        printf("Recorded %s %s%s%s = %s%s%s%s.\n", change.node_code, month,
               change.segment ? " " : "", change.segment ? change.segment : "", shown,
               change.had_old ? " (was " : "", change.had_old ? old : "",
               change.had_old ? ")" : "");
        print_gap(&change);
    }
    change_free(&change);
    return close_opened(&opened, status);
}

/* boardpack delete CODE --period YYYY-MM [--segment NAME] --reason TEXT:
 * a reading typed against the wrong month or segment, removed, with its
 * reason kept beside the old value in the audit log. */
static int run_delete(const struct options *options)
{
    if (options->argument_count != 1)
        return usage_error("%s needs one CODE, e.g. boardpack delete 2.1.2 --period 2023-10 "
                           "--reason \"typed against the wrong month\".",
                           "delete");
    if (!options->period)
        return usage_error("%s needs --period YYYY-MM: the month of the reading to remove.",
                           "delete");
    if (!options->reason)
        return usage_error("%s needs --reason TEXT: why the reading is removed.", "delete");
    struct opened opened;
    struct error error = {0};
    if (!open_store(options, STORE_READ_WRITE, false, false, &opened, &error))
        return fail_with(&error);
    int status = EXIT_OK;
    struct change change = {0};
    if (!command_delete_reading(opened.store, board_code(options), options->arguments[0],
                                options->period, options->segment, options->reason, &change,
                                &error)) {
        status = fail_with(&error);
    } else {
        char month[8];
        yearmonth_format(change.period, month);
        printf("Removed %s %s%s%s (was %.15g).\n", change.node_code, month,
               change.segment ? " " : "", change.segment ? change.segment : "",
               change.old_value);
    }
    change_free(&change);
    return close_opened(&opened, status);
}

/* boardpack month: the open month, the published ones, and what is still
 * missing for the open month, by lead (docs/months.md). */
static int show_month(const struct options *options)
{
    struct opened opened;
    struct error error = {0};
    if (!open_store(options, STORE_READ_ONLY, false, false, &opened, &error))
        return fail_with(&error);
    struct board *board = NULL;
    yearmonth evaluate_at = YEARMONTH_NONE;
    struct publication *list = NULL;
    size_t count = 0;
    int status = EXIT_OK;
    if (!command_load_view(opened.store, board_code(options), VIEW_WORKING, YEARMONTH_NONE, &board,
                           &evaluate_at, &error) ||
        !store_list_publications(opened.store, board_code(options), &list, &count, &error)) {
        status = fail_with(&error);
    } else {
        struct report_publication *published = xcalloc(count ? count : 1, sizeof *published);
        for (size_t i = 0; i < count; i++)
            published[i] = (struct report_publication){list[i].month, list[i].published_by,
                                                       list[i].published_at, list[i].revisions};
        bool ascii = options->ascii || strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
        if (!report_write_month(board, evaluate_at, published, count, ascii, stdout, &error))
            status = fail_with(&error);
        free(published);
    }
    publications_free(list, count);
    board_free(board);
    return close_opened(&opened, status);
}

/* boardpack month open|publish YYYY-MM: one line on success. */
static int change_month(const struct options *options, bool publish)
{
    const char *month_text = options->arguments[1];
    const char *code = board_code(options);
    struct opened opened;
    struct error error = {0};
    if (!open_store_to_write(options, "changed", &opened, &error))
        return fail_with(&error);
    int status = EXIT_OK;
    struct publish_summary summary;
    struct board_months months = {0};
    if (!publish) {
        if (command_open_month(opened.store, code, month_text, &error)) {
            char label[9];
            yearmonth month;
            yearmonth_parse(month_text, &month);
            yearmonth_label(month, label);
            printf("Opened %s on board %s; readings, milestone updates and commentary now "
                   "default to it.\n",
                   label, code);
        } else {
            status = fail_with(&error);
        }
    } else if (!command_publish_month(opened.store, code, month_text, &summary, &error) ||
               !store_board_months(opened.store, code, &months, &error)) {
        status = fail_with(&error);
    } else {
        char label[9], next[9];
        yearmonth_label(summary.month, label);
        printf("Published %s on board %s: %u of %u deliverables updated; the board is %c.", label,
               code, summary.updated, summary.deliverables, rag_letter(summary.board_rag));
        if (months.open == YEARMONTH_NONE) {
            yearmonth_format(summary.month + 1, next);
            printf(" The next month is not open yet: boardpack month open %s.\n", next);
        } else {
            yearmonth_label(months.open, next);
            printf(" %s is open.\n", next);
        }
    }
    return close_opened(&opened, status);
}

static int run_month(const struct options *options)
{
    if (options->argument_count == 0)
        return show_month(options);
    const char *action = options->arguments[0];
    bool publish = strcmp(action, "publish") == 0;
    if (!publish && strcmp(action, "open") != 0)
        return usage_error("month takes open or publish and a month (YYYY-MM), not '%s'.",
                           action);
    if (options->argument_count != 2)
        return usage_error(publish ? "month %s needs one month, e.g. boardpack month publish "
                                     "2024-04."
                                   : "month %s needs one month, e.g. boardpack month open "
                                     "2024-04.",
                           action);
    return change_month(options, publish);
}

/* boardpack pack [--board CODE] [--month YYYY-MM] [--output FILE]: the board
 * pack (docs/pack.md) of the newest published month, or of --month; to
 * standard output, or to FILE through a temporary file renamed into place,
 * so a reader never sees half a pack. */
static int run_pack(const struct options *options)
{
    if (options->argument_count)
        return usage_error("pack takes no arguments ('%s'); use --output FILE.",
                           options->arguments[0]);
    yearmonth month = YEARMONTH_NONE;
    if (options->month && !yearmonth_parse(options->month, &month))
        return usage_error("--month needs a month written YYYY-MM, not '%s'.", options->month);
    if (options->output && !options->output[0])
        return usage_error("%s needs a file name.", "--output");
    char made_at[64];
    const char *fixed = options->made_at ? options->made_at : getenv("BOARDPACK_PACK_MADE_AT");
    if (fixed && *fixed)
        snprintf(made_at, sizeof made_at, "%s", fixed);
    else
        current_timestamp(made_at);
    struct opened opened;
    struct error error = {0};
    if (!open_store(options, STORE_READ_ONLY, false, false, &opened, &error))
        return fail_with(&error);
    struct board *board = NULL;
    yearmonth evaluate_at = YEARMONTH_NONE;
    if (!command_load_view(opened.store, board_code(options), month ? VIEW_MONTH : VIEW_PUBLISHED,
                           month, &board, &evaluate_at, &error))
        return close_opened(&opened, fail_with(&error));
    struct pack_options pack = {.evaluate_at = evaluate_at, .store = opened.path,
                                .made_at = made_at};
    int status = EXIT_OK;
    if (!options->output) {
        if (!pack_write(board, &pack, stdout, &error))
            status = fail_with(&error);
    } else {
        char *temporary = xasprintf("%s.tmp-XXXXXX", options->output);
        int descriptor = mkstemp(temporary);
        FILE *file = descriptor >= 0 ? fdopen(descriptor, "w") : NULL;
        if (!file) {
            if (descriptor >= 0) {
                close(descriptor);
                remove(temporary);
            }
            error_set(&error, EXIT_CANNOT_CREATE, "Cannot write %s: %s.", options->output,
                      strerror(errno));
            status = fail_with(&error);
        } else {
            /* mkstemp makes it 0600; a pack is a document to share. */
            mode_t mask = umask(0);
            umask(mask);
            fchmod(descriptor, 0666 & ~mask);
            bool ok = pack_write(board, &pack, file, &error);
            if (fclose(file) != 0 && ok) {
                error_set(&error, EXIT_IO, "Cannot write %s.", options->output);
                ok = false;
            }
            if (ok && rename(temporary, options->output) != 0) {
                error_set(&error, EXIT_CANNOT_CREATE, "Cannot write %s: %s.", options->output,
                          strerror(errno));
                ok = false;
            }
            if (!ok) {
                remove(temporary);
                status = fail_with(&error);
            }
        }
        free(temporary);
    }
    board_free(board);
    return close_opened(&opened, status);
}

/* boardpack edit CODE FIELD [VALUE]: one field of the board changed, as
 * the difference between the board and its edited copy. */
static int run_edit(const struct options *options)
{
    if (options->argument_count < 2 || options->argument_count > 3)
        return usage_error("%s needs a CODE, a FIELD and (but for retire and restore) a VALUE, "
                           "e.g. boardpack edit 1.1.2 target 90.",
                           "edit");
    struct opened opened;
    struct error error = {0};
    if (!open_store(options, STORE_READ_WRITE, false, false, &opened, &error))
        return fail_with(&error);
    int status = EXIT_OK;
    struct import_plan plan = {0};
    if (!command_edit(opened.store, board_code(options), options->arguments[0],
                      options->arguments[1],
                      options->argument_count == 3 ? options->arguments[2] : NULL, &plan, NULL,
                      &error)) {
        status = fail_with(&error);
    } else if (plan.count && plan.boards[0].diff.count) {
        struct text_buffer text = {0};
        import_plan_format(&plan, &text);
        /* The changes alone: the counts line is for imports. */
        const char *changes = text.data ? strchr(text.data, '\n') : NULL;
        fputs(changes ? changes + 1 : "", stdout);
        text_free(&text);
    } else {
        puts("Nothing to change: the board already says that.");
    }
    import_plan_free(&plan);
    return close_opened(&opened, status);
}

/* boardpack init [--sample]: a new store with the bundled boards (and the
 * sample readings). An existing store that holds boards is refused; an
 * empty one (say, created by hand) is filled. */
static int run_init(const struct options *options)
{
    if (options->argument_count)
        return usage_error("init takes no arguments ('%s').", options->arguments[0]);
    struct error error = {0};
    char *path = store_location(options);
    char *label = store_location_label(path);
    bool ok;
    if (!store_exists(path)) {
        ok = command_create_seeded_store(path, options->sample, &error);
        /* Opened once to write, as the first run's browser does, so the
         * files a reader needs beside the store are there for readers that
         * may not create them, such as a kiosk's account (docs/kiosk.md). */
        struct store *store = NULL;
        if (ok && store_open(path, STORE_READ_WRITE, false, &store, &error))
            store_close(store);
    } else {
        struct store *store = NULL;
        ok = store_open(path, STORE_READ_WRITE, false, &store, &error);
        if (ok && store_is_read_only(store)) {
            error_set(&error, EXIT_CANNOT_CREATE, "You may not write to the store %s; nothing "
                                                  "was created.",
                      label);
            ok = false;
        } else if (ok && !store_is_empty(store)) {
            error_set(&error, EXIT_CANNOT_CREATE,
                      "The store %s already holds boards; init changes nothing (use import to "
                      "update a board, or give another --db).",
                      label);
            ok = false;
        } else if (ok) {
            ok = command_seed_store(store, options->sample, &error);
        }
        store_close(store);
    }
    int status = EXIT_OK;
    if (ok)
        fprintf(stderr, "Created the store %s with the bundled boards%s.\n", label,
                options->sample ? " and illustrative sample readings (SAMPLE DATA)" : "");
    else
        status = fail_with(&error);
    free(label);
    free(path);
    return status;
}

/* boardpack backup FILE [--force]: a consistent copy while others use it. */
static int run_backup(const struct options *options)
{
    if (options->argument_count != 1 || !options->arguments[0][0])
        return usage_error("%s needs one FILE to write, e.g. boardpack backup "
                           "boardpack-2024-03.db.",
                           "backup");
    struct opened opened;
    struct error error = {0};
    if (!open_store(options, STORE_READ_ONLY, false, false, &opened, &error))
        return fail_with(&error);
    int status = EXIT_OK;
    if (store_backup(opened.store, options->arguments[0], options->force, &error))
        fprintf(stderr, "Backed up %s to %s.\n", opened.path, options->arguments[0]);
    else
        status = fail_with(&error);
    return close_opened(&opened, status);
}

/* Progress of a long copy, on a terminal only. */
static void show_copied_table(void *context, const char *table, long long rows)
{
    (void)context;
    fprintf(stderr, "\r\033[Kcopied %s: %lld rows", table, rows);
}

/* boardpack copy --from STORE --to STORE: a whole store (boards, readings,
 * history, publications and audit) into a new one, SQLite or PostgreSQL
 * either way, in one transaction. */
static int run_copy(const struct options *options)
{
    if (options->argument_count)
        return usage_error("copy takes no arguments ('%s'); give --from and --to.",
                           options->arguments[0]);
    if (!options->from || !options->from[0] || !options->to || !options->to[0])
        return usage_error("%s needs --from STORE and --to STORE, e.g. boardpack copy --from "
                           "boardpack.db --to postgresql:///boardpack.",
                           "copy");
    if (strcmp(options->from, options->to) == 0)
        return usage_error("copy needs two different stores (--from and --to are both %s).",
                           store_is_server(options->to) ? "the same database" : options->to);
    struct error error = {0};
    struct store *from = NULL, *to = NULL;
    if (!store_exists(options->from)) {
        if (!store_is_server(options->from)) {
            error_set(&error, EXIT_NO_INPUT, "There is no store at %s.", options->from);
            return fail_with(&error);
        }
        /* Unreachable, refused or empty: the open says which. */
        if (store_open(options->from, STORE_READ_ONLY, false, &from, &error))
            store_close(from);
        return fail_with(&error);
    }
    if (!store_open(options->from, STORE_READ_ONLY, false, &from, &error))
        return fail_with(&error);
    bool fresh = !store_exists(options->to);
    bool ok = fresh ? store_create_unpublished(options->to, &to, &error)
                    : store_open(options->to, STORE_READ_WRITE, false, &to, &error);
    long long total = 0;
    struct store_copy_options copy = {.total_rows = &total};
    if (isatty(2))
        copy.on_table = show_copied_table;
    ok = ok && store_copy(from, to, &copy, &error);
    if (copy.on_table)
        fprintf(stderr, "\r\033[K");
    char *from_label = store_location_label(options->from);
    char *to_label = store_location_label(options->to);
    if (ok && fresh)
        ok = store_publish(to, &error);
    else if (ok)
        store_close(to);
    else if (fresh)
        store_discard(to);
    else
        store_close(to);
    store_close(from);
    int status = EXIT_OK;
    if (ok)
        fprintf(stderr, "Copied %s to %s: %lld rows, history and audit included.\n",
                from_label, to_label, total);
    else
        status = fail_with(&error);
    free(from_label);
    free(to_label);
    return status;
}

static int run_browse(const struct options *options)
{
    if (options->argument_count)
        return usage_error("unexpected argument '%s'.", options->arguments[0]);
    struct opened opened;
    struct error error = {0};
    if (options->cycle_seconds && !options->kiosk)
        return usage_error("%s applies only to the kiosk; add --kiosk.", "--cycle");
    bool read_only = options->read_only || options->kiosk;
    /* Only the interactive browser's first run on the default store seeds
     * it (not one without a terminal, which cannot start); a named store,
     * the kiosk and --read-only create nothing. */
    bool seed = !read_only && uses_default_store(options) && isatty(0) && isatty(1);
    if (!open_store(options, read_only ? STORE_READ_ONLY : STORE_READ_WRITE, seed, false, &opened,
                    &error))
        return fail_with(&error);
    /* The settings file: read, never written; a bad one stops us with a
     * located error rather than being half-applied. */
    struct config config;
    char *config_path = config_default_path();
    bool config_ok = config_read(config_path, &config, &error);
    free(config_path);
    if (!config_ok)
        return close_opened(&opened, fail_with(&error));
    const char *no_color = getenv("NO_COLOR");
    struct screen_options screen = {
        .board_code = board_code(options),
        /* A store the user may not write is opened read-only by the store
         * layer; the browser then says so and switches to READ-ONLY. */
        .mode = options->kiosk ? SCREEN_KIOSK : read_only ? SCREEN_READ_ONLY : SCREEN_EDIT,
        .cycle_seconds = options->cycle_seconds ? options->cycle_seconds : 20,
        .no_color = options->no_color || (no_color && *no_color),
        .theme = config.theme,
        .ascii = options->ascii || config.ascii || strcmp(nl_langinfo(CODESET), "UTF-8") != 0,
        .no_mouse = options->no_mouse || config.no_mouse || options->kiosk,
        .first_frame_only = options->first_frame,
        .bindings = config.bindings,
        .binding_count = config.binding_count,
        .settings_path = config.path,
    };
    int status = screen_run(opened.store, &screen, &error);
    config_free(&config);
    if (status != EXIT_OK && error.message[0])
        fprintf(stderr, "%s\n", error.message);
    return close_opened(&opened, status);
}

/* The subcommands, by name. */
static const struct subcommand {
    const char *name;
    int (*run)(const struct options *options);
} subcommands[] = {
    {"browse", run_browse}, {"init", run_init},     {"backup", run_backup},
    {"import", run_import}, {"check", run_check},   {"export", run_export},
    {"report", run_report}, {"record", run_record},
    {"month", run_month},      {"delete", run_delete},
    {"pack", run_pack},         {"edit", run_edit},       {"copy", run_copy},
};

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C"); /* values are written and read with a '.' */
    struct options options = {0};
    bool exit_now = false;
    int status = parse_arguments(argc, argv, &options, &exit_now);
    if (status != EXIT_OK || exit_now) {
        free(options.arguments);
        return status;
    }
    /* The browser when no command is named. */
    const char *command = options.command ? options.command : "browse";
    const struct subcommand *found = NULL;
    for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands && !found; i++)
        if (strcmp(command, subcommands[i].name) == 0)
            found = &subcommands[i];
    status = found ? found->run(&options) : usage_error("unknown command '%s'.", command);
    free(options.arguments);
    return status;
}
