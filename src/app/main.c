/* main.c — the command line: parses the arguments of PRODUCT.md's contract,
 * finds or seeds the store, and hands each subcommand to its layer. */
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boardfile.h"
#include "bundled.h"
#include "command.h"
#include "config.h"
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
    "  boardpack [--db PATH] import FILE...                  load board files (one transaction)\n"
    "  boardpack check FILE...                               validate only; writes nothing\n"
    "  boardpack [--db PATH] export [--board CODE] [--format yaml|csv]\n"
    "  boardpack [--db PATH] report [--board CODE] [--format text|csv|md] [--as-of YYYY-MM]\n"
    "  boardpack [--db PATH] record CODE VALUE [--period YYYY-MM] [--segment NAME] [--note TEXT]\n"
    "  boardpack --help | --version\n";

static const char help_text[] =
    "\n"
    "boardpack browses an NHS trust's board pack: the strategy's aims, strategic\n"
    "objectives and deliverables, with RAG status and SPC charts from a SQLite store.\n"
    "\n"
    "Options:\n"
    "  --db PATH         the store (default: $BOARDPACK_DB, else\n"
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
    "  --as-of YYYY-MM   report the board as it stood at the end of that month\n"
    "  --period YYYY-MM  record: the month of the reading (default: this month)\n"
    "  --segment NAME    record: a segment of the metric's breakdown (e.g. a borough)\n"
    "  --note TEXT       record: a note on the reading\n"
    "\n"
    "A store that does not exist yet is created when you browse or report, with the\n"
    "bundled boards and illustrative sample readings (shown as SAMPLE DATA).\n"
    "Exit status: 0 ok, 2 usage, 65 bad data, 66 no input, 75 store busy.\n"
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
    bool read_only, kiosk, no_color, ascii, no_mouse, first_frame;
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

static bool option_takes_value(const char *name)
{
    static const char *const valued[] = {"--db",     "--board",   "--format", "--as-of",
                                         "--period", "--segment", "--note",   "--cycle"};
    for (size_t i = 0; i < sizeof valued / sizeof valued[0]; i++)
        if (strcmp(name, valued[i]) == 0)
            return true;
    return false;
}

/* Options may come before or after the subcommand; "--" ends them. */
static int parse_arguments(int argc, char **argv, struct options *options, bool *exit_now)
{
    options->arguments = xcalloc((size_t)argc + 1, sizeof *options->arguments);
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *argument = argv[i];
        if (options_done || argument[0] != '-' || strcmp(argument, "-") == 0) {
            if (!options->command)
                options->command = argument;
            else
                options->arguments[options->argument_count++] = argument;
            continue;
        }
        if (strcmp(argument, "--") == 0) {
            options_done = true;
            continue;
        }
        /* Accept --name=value as well as --name value. */
        char name[32];
        const char *value = NULL;
        const char *equals = strchr(argument, '=');
        if (equals && (size_t)(equals - argument) < sizeof name) {
            memcpy(name, argument, (size_t)(equals - argument));
            name[equals - argument] = '\0';
            value = equals + 1;
        } else {
            snprintf(name, sizeof name, "%s", argument);
        }
        if (option_takes_value(name)) {
            if (!value) {
                if (i + 1 >= argc)
                    return usage_error("option %s needs a value.", name);
                value = argv[++i];
            }
        } else if (value) {
            return usage_error("option %s takes no value.", name);
        }
        if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
            fputs(usage_text, stdout);
            fputs(help_text, stdout);
            *exit_now = true;
            return EXIT_OK;
        } else if (strcmp(name, "--version") == 0) {
            printf("boardpack %s\n", BOARDPACK_VERSION);
            *exit_now = true;
            return EXIT_OK;
        } else if (strcmp(name, "--db") == 0) {
            options->database = value;
        } else if (strcmp(name, "--board") == 0) {
            options->board = value;
        } else if (strcmp(name, "--format") == 0) {
            options->format = value;
        } else if (strcmp(name, "--as-of") == 0) {
            options->as_of = value;
        } else if (strcmp(name, "--period") == 0) {
            options->period = value;
        } else if (strcmp(name, "--segment") == 0) {
            options->segment = value;
        } else if (strcmp(name, "--note") == 0) {
            options->note = value;
        } else if (strcmp(name, "--cycle") == 0) {
            char *end;
            errno = 0;
            long seconds = strtol(value, &end, 10);
            if (*value == '\0' || *end != '\0' || errno || seconds < 1 || seconds > 86400)
                return usage_error("--cycle needs a whole number of seconds from 1 to 86400, "
                                   "not '%s'.",
                                   value);
            options->cycle_seconds = (int)seconds;
        } else if (strcmp(name, "--read-only") == 0) {
            options->read_only = true;
        } else if (strcmp(name, "--kiosk") == 0) {
            options->kiosk = true;
        } else if (strcmp(name, "--no-color") == 0 || strcmp(name, "--no-colour") == 0) {
            options->no_color = true;
        } else if (strcmp(name, "--ascii") == 0) {
            options->ascii = true;
        } else if (strcmp(name, "--no-mouse") == 0) {
            options->no_mouse = true;
        } else if (strcmp(name, "--first-frame") == 0) {
            options->first_frame = true;
        } else {
            return usage_error("unknown option %s.", name);
        }
    }
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

/* Opens the store for a command; `seed` creates and seeds a missing one,
 * `create_empty` creates an empty one (and reports it through *created so a
 * failed import can remove it again). */
static bool open_store(const struct options *options, enum store_access access, bool seed,
                       bool create_empty, struct store **store, char **path_out,
                       bool *created, struct error *error)
{
    char *path = store_location(options);
    *created = false;
    bool exists = store_exists(path);
    if (!exists && !seed && !create_empty) {
        error_set(error, EXIT_NO_INPUT,
                  "There is no store at %s (run boardpack once, or import a board file, to "
                  "create one).",
                  path);
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
    *created = create;
    *path_out = path;
    return true;
}

static int fail_with(const struct error *error)
{
    fprintf(stderr, "%s\n", error->message);
    return error->status ? error->status : EXIT_FAILURE_GENERAL;
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
        board_free(board);
    }
    return EXIT_OK;
}

static int run_import(const struct options *options)
{
    if (options->argument_count == 0)
        return usage_error("%s needs at least one FILE.", "import");
    int count = options->argument_count;
    struct board **boards = xcalloc((size_t)count, sizeof *boards);
    struct error error = {0};
    int status = EXIT_OK;
    /* Every file must read cleanly before the store is touched. */
    for (int i = 0; i < count && status == EXIT_OK; i++)
        if (!boardfile_read_path(options->arguments[i], &boards[i], &error))
            status = fail_with(&error);
    struct store *store = NULL;
    char *path = NULL;
    bool created = false;
    if (status == EXIT_OK &&
        !open_store(options, STORE_READ_WRITE, false, true, &store, &path, &created, &error))
        status = fail_with(&error);
    if (status == EXIT_OK) {
        bool ok = command_import_boards(store, boards, options->arguments, (size_t)count, false,
                                        &error);
        if (!ok)
            status = fail_with(&error);
        if (ok)
            store_close(store);
        else
            store_discard(store); /* removes the store only if this run created it */
        if (ok) {
            size_t readings = 0;
            for (int i = 0; i < count; i++)
                readings += boards[i]->reading_count;
            fprintf(stderr, "Imported %d file%s (%zu reading%s) into %s.\n", count,
                    count == 1 ? "" : "s", readings, readings == 1 ? "" : "s", path);
        }
    }
    for (int i = 0; i < count; i++)
        board_free(boards[i]);
    free(boards);
    free(path);
    return status;
}

static const char *board_code(const struct options *options)
{
    return options->board ? options->board : DEFAULT_BOARD;
}

static int run_export(const struct options *options)
{
    if (options->argument_count)
        return usage_error("export takes no FILE ('%s'); it writes to standard output.",
                           options->arguments[0]);
    const char *format = options->format ? options->format : "yaml";
    if (strcmp(format, "yaml") != 0 && strcmp(format, "csv") != 0)
        return usage_error("export --format is yaml or csv, not '%s'.", format);
    struct store *store;
    char *path;
    bool created;
    struct error error = {0};
    if (!open_store(options, STORE_READ_ONLY, false, false, &store, &path, &created, &error))
        return fail_with(&error);
    struct board *board = NULL;
    int status = EXIT_OK;
    if (!store_load_board(store, board_code(options), YEARMONTH_NONE, &board, &error))
        status = fail_with(&error);
    else if (!(strcmp(format, "yaml") == 0 ? boardfile_write_yaml(board, stdout, &error)
                                           : boardfile_write_csv(board, stdout, &error)))
        status = fail_with(&error);
    board_free(board);
    store_close(store);
    free(path);
    return status;
}

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
    struct store *store;
    char *path;
    bool created;
    struct error error = {0};
    if (!open_store(options, STORE_READ_ONLY, true, false, &store, &path, &created, &error))
        return fail_with(&error);
    struct board *board = NULL;
    int status = EXIT_OK;
    bool ascii = options->ascii || strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
    if (!store_load_board(store, board_code(options), as_of, &board, &error) ||
        !report_write(board, as_of, format, ascii, stdout, &error))
        status = fail_with(&error);
    board_free(board);
    store_close(store);
    free(path);
    return status;
}

static int run_record(const struct options *options)
{
    if (options->argument_count != 2)
        return usage_error("%s needs a CODE and a VALUE, e.g. boardpack record 2.1.2 68.4 "
                           "--period 2023-10.",
                           "record");
    struct store *store;
    char *path;
    bool created;
    struct error error = {0};
    if (!open_store(options, STORE_READ_WRITE, false, false, &store, &path, &created, &error))
        return fail_with(&error);
    int status = EXIT_OK;
    struct change change = {0};
    if (store_is_read_only(store)) {
        error_set(&error, EXIT_CANNOT_CREATE, "You may not write to the store %s; nothing was "
                                              "recorded.",
                  path);
        status = fail_with(&error);
    } else if (!command_record_reading(store, board_code(options), options->arguments[0],
                                       options->arguments[1], options->period, options->segment,
                                       options->note, &change, &error)) {
        status = fail_with(&error);
    } else {
        char month[8], shown[64], old[64];
        yearmonth_format(change.period, month);
        snprintf(shown, sizeof shown, "%.15g", change.new_value);
        snprintf(old, sizeof old, "%.15g", change.old_value);
        printf("Recorded %s %s%s%s = %s%s%s%s.\n", change.node_code, month,
               change.segment ? " " : "", change.segment ? change.segment : "", shown,
               change.had_old ? " (was " : "", change.had_old ? old : "",
               change.had_old ? ")" : "");
    }
    change_free(&change);
    store_close(store);
    free(path);
    return status;
}

static int run_browse(const struct options *options)
{
    if (options->argument_count)
        return usage_error("unexpected argument '%s'.", options->arguments[0]);
    struct store *store;
    char *path;
    bool created;
    struct error error = {0};
    if (options->cycle_seconds && !options->kiosk)
        return usage_error("%s applies only to the kiosk; add --kiosk.", "--cycle");
    bool read_only = options->read_only || options->kiosk;
    if (!open_store(options, read_only ? STORE_READ_ONLY : STORE_READ_WRITE, true, false, &store,
                    &path, &created, &error))
        return fail_with(&error);
    /* The settings file: read, never written; a bad one stops us with a
     * located error rather than being half-applied. */
    struct config config;
    char *config_path = config_default_path();
    bool config_ok = config_read(config_path, &config, &error);
    free(config_path);
    if (!config_ok) {
        store_close(store);
        free(path);
        return fail_with(&error);
    }
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
    };
    config_free(&config);
    int status = screen_run(store, &screen, &error);
    if (status != EXIT_OK && error.message[0])
        fprintf(stderr, "%s\n", error.message);
    store_close(store);
    free(path);
    return status;
}

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
    const char *command = options.command;
    if (!command || strcmp(command, "browse") == 0)
        status = run_browse(&options);
    else if (strcmp(command, "import") == 0)
        status = run_import(&options);
    else if (strcmp(command, "check") == 0)
        status = run_check(&options);
    else if (strcmp(command, "export") == 0)
        status = run_export(&options);
    else if (strcmp(command, "report") == 0)
        status = run_report(&options);
    else if (strcmp(command, "record") == 0)
        status = run_record(&options);
    else
        status = usage_error("unknown command '%s'.", command);
    free(options.arguments);
    return status;
}
