/* db_pg.c — store.c's statements on PostgreSQL, through libpq. A statement
 * runs with its parameters as text, so no SQL is ever built from input: its
 * first run in one round trip (PQexecParams), and from its second on as a
 * statement prepared once per connection (PQprepare, PQexecPrepared). The
 * rows come back whole and are read a row per step, as SQLite's are.
 * SQLite's "?N" parameters become "$N". */
#include "db_pg.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "util.h"

struct pg_connection {
    PGconn *conn;
    unsigned next_name;     /* names prepared statements s1, s2, ... */
    unsigned generation;    /* moves when the connection is made again */
    long long changes;      /* rows the last statement changed */
    char state[6];          /* SQLSTATE of the last failure, "" if none */
    char *message;          /* its message, the first line */
};

struct pg_statement {
    struct pg_connection *connection;
    char name[16];
    char *sql;              /* with $N parameters */
    bool prepared;          /* a named statement on the server, made at the */
    unsigned generation;    /* connection's generation, then */
    unsigned long runs;
    int parameter_count;
    char **values;          /* the bound parameters as text; NULL: SQL NULL */
    PGresult *result;       /* the rows of the run in hand */
    int row;                /* the row the columns read: the step's */
    int rows;
    bool ran;
};

static void remember_failure(struct pg_connection *connection, const PGresult *result)
{
    const char *state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
    if (!state)
        state = PQstatus(connection->conn) == CONNECTION_BAD ? "08006" : "XX000";
    snprintf(connection->state, sizeof connection->state, "%s", state);
    const char *text = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!text)
        text = PQerrorMessage(connection->conn);
    free(connection->message);
    connection->message = xstrdup(text ? text : "");
    char *newline = strchr(connection->message, '\n');
    if (newline)
        *newline = '\0';
}

static void forget_failure(struct pg_connection *connection)
{
    connection->state[0] = '\0';
}

/* libpq prints server notices (a NOTICE from CREATE ..., say) on stderr by
 * default; a terminal program must not. */
static void quiet_notice(void *context, const char *message)
{
    (void)context;
    (void)message;
}

struct pg_connection *pg_connect(const char *conninfo, char **message)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (!conn) {
        *message = xstrdup("out of memory");
        return NULL;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        /* libpq's message runs over lines and tabs: one line, ending in a
         * full stop. */
        const char *text = PQerrorMessage(conn);
        char *out = *message = xmalloc(strlen(text) + 2);
        for (const char *c = text; *c; c++) {
            bool space = *c == '\n' || *c == '\t' || *c == ' ';
            if (!space)
                *out++ = *c;
            else if (out > *message && out[-1] != ' ')
                *out++ = ' ';
        }
        while (out > *message && out[-1] == ' ')
            out--;
        if (out > *message && out[-1] != '.')
            *out++ = '.';
        *out = '\0';
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, quiet_notice, NULL);
    struct pg_connection *connection = xcalloc(1, sizeof *connection);
    connection->conn = conn;
    return connection;
}

bool pg_connect_again(struct pg_connection *connection, const char *conninfo, char **message)
{
    struct pg_connection *fresh = pg_connect(conninfo, message);
    if (!fresh)
        return false;
    PQfinish(connection->conn);
    connection->conn = fresh->conn;
    connection->generation++;
    connection->changes = 0;
    forget_failure(connection);
    free(fresh->message);
    free(fresh);
    return true;
}

void pg_disconnect(struct pg_connection *connection)
{
    if (!connection)
        return;
    PQfinish(connection->conn);
    free(connection->message);
    free(connection);
}

const char *pg_database_name(struct pg_connection *connection)
{
    return PQdb(connection->conn);
}

bool pg_exec(struct pg_connection *connection, const char *sql)
{
    PGresult *result = PQexec(connection->conn, sql);
    ExecStatusType status = PQresultStatus(result);
    bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (ok)
        forget_failure(connection);
    else
        remember_failure(connection, result);
    PQclear(result);
    return ok;
}

bool pg_in_transaction(struct pg_connection *connection)
{
    PGTransactionStatusType status = PQtransactionStatus(connection->conn);
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

bool pg_connection_lost(struct pg_connection *connection)
{
    return PQstatus(connection->conn) == CONNECTION_BAD;
}

long long pg_changes(struct pg_connection *connection)
{
    return connection->changes;
}

const char *pg_error_state(struct pg_connection *connection)
{
    return connection->state;
}

const char *pg_error_message(struct pg_connection *connection)
{
    return connection->message ? connection->message : "";
}

bool pg_take_notification(struct pg_connection *connection)
{
    if (PQconsumeInput(connection->conn) == 0) {
        remember_failure(connection, NULL);
        return false;
    }
    bool notified = false;
    PGnotify *notify;
    while ((notify = PQnotifies(connection->conn)) != NULL) {
        notified = true;
        PQfreemem(notify);
    }
    return notified;
}

/* "?N" becomes "$N" and a bare "?" the next number, outside quotes. */
static char *dollar_parameters(const char *sql, int *count)
{
    size_t length = strlen(sql);
    char *out = xmalloc(length * 20 + 1);
    char *at = out;
    int highest = 0, next = 1;
    bool quoted = false;
    for (const char *c = sql; *c; c++) {
        if (*c == '\'')
            quoted = !quoted;
        if (quoted || *c != '?') {
            *at++ = *c;
            continue;
        }
        /* SQLite's null-safe "x IS ?". For a column x: "(x = $N OR (x IS
         * NULL AND $N IS NULL))", which a plan made for the value in hand
         * (the server's custom plan) reduces to "x = value" or "x IS NULL",
         * both served by an index; "IS NOT DISTINCT FROM" never is (every
         * children load scanned the board's whole nodes table). */
        char column[64] = "";
        if (at - out >= 3 && strncmp(at - 3, "IS ", 3) == 0 &&
            (at - out == 3 || at[-4] == ' ' || at[-4] == '(')) {
            char *end = at - 4, *start = end;
            while (start > out && (isalnum((unsigned char)start[-1]) || start[-1] == '_' ||
                                   start[-1] == '.'))
                start--;
            size_t size = (size_t)(end - start);
            if (at - out > 3 && at[-4] == ' ' && size > 0 && size < sizeof column &&
                (start == out || start[-1] == ' ' || start[-1] == '(')) {
                memcpy(column, start, size);
                column[size] = '\0';
                at = start;
            } else {
                at += sprintf(at, "NOT DISTINCT FROM ");
            }
        }
        int number;
        if (c[1] >= '0' && c[1] <= '9') {
            char *end;
            number = (int)strtol(c + 1, &end, 10);
            c = end - 1;
        } else {
            number = next;
        }
        next = number + 1;
        if (number > highest)
            highest = number;
        /* "?N IS NULL" alone gives the server no type for $N: store.c
         * tests only texts so. */
        if (column[0])
            at += sprintf(at, "(%s = $%d OR (%s IS NULL AND $%d IS NULL))", column, number,
                          column, number);
        else if (strncmp(c + 1, " IS NULL", 8) == 0 || strncmp(c + 1, " IS NOT NULL", 12) == 0)
            at += sprintf(at, "CAST($%d AS TEXT)", number);
        else
            at += sprintf(at, "$%d", number);
    }
    *at = '\0';
    *count = highest;
    return out;
}

/* Prepares the statement on the connection as it is now. */
static bool prepare_on_server(struct pg_statement *statement)
{
    struct pg_connection *connection = statement->connection;
    snprintf(statement->name, sizeof statement->name, "s%u", ++connection->next_name);
    PGresult *result = PQprepare(connection->conn, statement->name, statement->sql,
                                 statement->parameter_count, NULL);
    bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    if (!ok)
        remember_failure(connection, result);
    PQclear(result);
    statement->prepared = ok;
    statement->generation = connection->generation;
    return ok;
}

/* Prepares the statement and runs it in one round trip (libpq's pipeline:
 * Parse, Bind, Execute, Sync): the run's result, or NULL with the failure
 * remembered. Where a pipeline cannot start, two round trips. */
static PGresult *prepare_and_run(struct pg_statement *statement, const char *const *values)
{
    struct pg_connection *connection = statement->connection;
    PGconn *conn = connection->conn;
    if (!PQenterPipelineMode(conn)) {
        if (!prepare_on_server(statement))
            return NULL;
        return PQexecPrepared(conn, statement->name, statement->parameter_count, values, NULL,
                              NULL, 0);
    }
    snprintf(statement->name, sizeof statement->name, "s%u", ++connection->next_name);
    PGresult *results[2] = {NULL, NULL};
    bool sent = PQsendPrepare(conn, statement->name, statement->sql, statement->parameter_count,
                              NULL) &&
                PQsendQueryPrepared(conn, statement->name, statement->parameter_count, values,
                                    NULL, NULL, 0) &&
                PQpipelineSync(conn);
    if (sent) {
        /* Each query's results end with a NULL; the Sync's follows. */
        for (int query = 0; query < 2; query++) {
            PGresult *result;
            while ((result = PQgetResult(conn)) != NULL) {
                if (!results[query])
                    results[query] = result;
                else
                    PQclear(result);
            }
        }
        PQclear(PQgetResult(conn)); /* PGRES_PIPELINE_SYNC */
    }
    PQexitPipelineMode(conn);
    statement->generation = connection->generation;
    statement->prepared = results[0] && PQresultStatus(results[0]) == PGRES_COMMAND_OK;
    if (!statement->prepared) {
        remember_failure(connection, results[0]);
        PQclear(results[0]);
        PQclear(results[1]);
        return NULL;
    }
    PQclear(results[0]);
    if (!results[1])
        remember_failure(connection, NULL);
    return results[1];
}

struct pg_statement *pg_prepare(struct pg_connection *connection, const char *sql)
{
    int count;
    struct pg_statement *statement = xcalloc(1, sizeof *statement);
    statement->connection = connection;
    char *text = dollar_parameters(sql, &count);
    statement->sql = xstrdup(text); /* kept, so no bigger than it is */
    free(text);
    statement->parameter_count = count;
    statement->values = xcalloc(count > 0 ? (size_t)count : 1, sizeof *statement->values);
    return statement;
}

void pg_clear_bindings(struct pg_statement *statement)
{
    for (int i = 0; i < statement->parameter_count; i++) {
        free(statement->values[i]);
        statement->values[i] = NULL;
    }
}

void pg_finalize(struct pg_statement *statement)
{
    if (!statement)
        return;
    PQclear(statement->result);
    pg_clear_bindings(statement);
    free(statement->values);
    free(statement->sql);
    free(statement);
}

void pg_bind(struct pg_statement *statement, int index, const char *text, int length)
{
    if (index < 1 || index > statement->parameter_count)
        return;
    char **slot = &statement->values[index - 1];
    free(*slot);
    *slot = NULL;
    if (!text)
        return;
    size_t size = length < 0 ? strlen(text) : (size_t)length;
    *slot = xmalloc(size + 1);
    memcpy(*slot, text, size);
    (*slot)[size] = '\0';
}

void pg_reset(struct pg_statement *statement)
{
    PQclear(statement->result);
    statement->result = NULL;
    statement->ran = false;
    statement->row = -1;
    statement->rows = 0;
}

int pg_step(struct pg_statement *statement)
{
    struct pg_connection *connection = statement->connection;
    if (!statement->ran) {
        statement->ran = true;
        /* The first run parses, binds and runs in one round trip (most
         * statements of a command run once); the second prepares a named
         * statement and runs it, in one round trip too; later runs use it.
         * Once per connection. */
        bool named = statement->prepared && statement->generation == connection->generation;
        const char *const *values = (const char *const *)statement->values;
        bool first = statement->runs++ == 0;
        if (named)
            statement->result = PQexecPrepared(connection->conn, statement->name,
                                               statement->parameter_count, values, NULL, NULL, 0);
        else if (first)
            statement->result = PQexecParams(connection->conn, statement->sql,
                                             statement->parameter_count, NULL, values, NULL, NULL,
                                             0);
        else if (!(statement->result = prepare_and_run(statement, values)))
            return SQLITE_ERROR;
        ExecStatusType status = PQresultStatus(statement->result);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            remember_failure(connection, statement->result);
            PQclear(statement->result);
            statement->result = NULL;
            return SQLITE_ERROR;
        }
        forget_failure(connection);
        const char *changed = PQcmdTuples(statement->result);
        connection->changes = changed && *changed ? atoll(changed) : 0;
        statement->rows = PQntuples(statement->result);
        statement->row = -1;
    }
    if (!statement->result)
        return SQLITE_ERROR;
    if (statement->row + 1 < statement->rows) {
        statement->row++;
        return DB_ROW;
    }
    return DB_DONE;
}

static bool has_column(struct pg_statement *statement, int column)
{
    return statement->result && statement->row >= 0 && statement->row < statement->rows &&
           column >= 0 && column < PQnfields(statement->result);
}

bool pg_is_null(struct pg_statement *statement, int column)
{
    return !has_column(statement, column) ||
           PQgetisnull(statement->result, statement->row, column);
}

const char *pg_text(struct pg_statement *statement, int column)
{
    if (pg_is_null(statement, column))
        return NULL;
    return PQgetvalue(statement->result, statement->row, column);
}

int pg_bytes(struct pg_statement *statement, int column)
{
    if (pg_is_null(statement, column))
        return 0;
    return PQgetlength(statement->result, statement->row, column);
}

long long pg_integer(struct pg_statement *statement, int column)
{
    const char *text = pg_text(statement, column);
    if (!text)
        return 0;
    if (text[0] == 't' && text[1] == '\0')
        return 1;
    if (text[0] == 'f' && text[1] == '\0')
        return 0;
    if (strpbrk(text, ".eE"))
        return (long long)strtod(text, NULL);
    return strtoll(text, NULL, 10);
}

double pg_real(struct pg_statement *statement, int column)
{
    const char *text = pg_text(statement, column);
    return text ? strtod(text, NULL) : 0.0;
}

bool pg_query_int64(struct pg_connection *connection, const char *sql, long long *out)
{
    PGresult *result = PQexec(connection->conn, sql);
    bool ok = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1 &&
              PQnfields(result) >= 1;
    if (ok) {
        forget_failure(connection);
        *out = PQgetisnull(result, 0, 0) ? 0 : atoll(PQgetvalue(result, 0, 0));
    } else {
        remember_failure(connection, result);
    }
    PQclear(result);
    return ok;
}

char *pg_location_label(const char *conninfo)
{
    PQconninfoOption *options = PQconninfoParse(conninfo, NULL);
    const char *database = NULL, *service = NULL;
    for (PQconninfoOption *option = options; option && option->keyword; option++) {
        if (option->val && strcmp(option->keyword, "dbname") == 0)
            database = option->val;
        else if (option->val && strcmp(option->keyword, "service") == 0)
            service = option->val;
    }
    char *label = database ? xasprintf("postgresql database \"%s\"", database)
                  : service ? xasprintf("postgresql service \"%s\"", service)
                            : xstrdup("the postgresql database");
    PQconninfoFree(options);
    return label;
}
