/* db_pg.h — a PostgreSQL connection for the store (db_pg.c): connecting,
 * running store.c's fixed SQL, transactions, failures by SQLSTATE and
 * notifications. Statements are in db.h. Only src/store includes this. */
#ifndef BOARDPACK_DB_PG_H
#define BOARDPACK_DB_PG_H

#include <stdbool.h>

struct pg_connection;

/* NULL, with libpq's message in *message (to free), on failure. The
 * connection string is never repeated in it. */
struct pg_connection *pg_connect(const char *conninfo, char **message);
/* Makes a connection the server dropped again, in place: its statements
 * are prepared again when next run. False, the old one kept, with libpq's
 * message in *message (to free), if the server is still out of reach. */
bool pg_connect_again(struct pg_connection *connection, const char *conninfo, char **message);
void pg_disconnect(struct pg_connection *connection);
const char *pg_database_name(struct pg_connection *connection);
/* Runs fixed SQL (one or more statements, no parameters). */
bool pg_exec(struct pg_connection *connection, const char *sql);
/* Runs fixed SQL whose one row's first column is a number. */
bool pg_query_int64(struct pg_connection *connection, const char *sql, long long *out);
bool pg_in_transaction(struct pg_connection *connection);
bool pg_connection_lost(struct pg_connection *connection);
long long pg_changes(struct pg_connection *connection);
/* The last failure: its SQLSTATE ("" if the last call succeeded) and the
 * server's one-line message. */
const char *pg_error_state(struct pg_connection *connection);
const char *pg_error_message(struct pg_connection *connection);
/* True if a NOTIFY arrived since the last call (reads what the socket
 * holds; never waits). */
bool pg_take_notification(struct pg_connection *connection);
/* A PostgreSQL location named for messages: its database or service, never
 * its password. */
char *pg_location_label(const char *conninfo);

#endif
