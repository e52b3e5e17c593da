/* db.h — the store's statements on either database: a prepared statement
 * that binds parameters, steps through rows and reads columns the same way
 * whether it runs in SQLite or in PostgreSQL (db_pg.c). Only src/store
 * includes this; the SQL itself is store.c's. SQLite statements cost one
 * branch more than calling SQLite directly. */
#ifndef BOARDPACK_DB_H
#define BOARDPACK_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

/* What a step gave (SQLite's own numbers, so the SQLite path is direct). */
enum { DB_ROW = SQLITE_ROW, DB_DONE = SQLITE_DONE };

struct pg_connection;
struct pg_statement;

struct db_stmt {
    sqlite3_stmt *lite;       /* SQLite: the statement itself */
    struct pg_statement *pg;  /* PostgreSQL: see db_pg.c */
};

/* ---- PostgreSQL statements (db_pg.c) ---- */
struct pg_statement *pg_prepare(struct pg_connection *connection, const char *sql);
void pg_finalize(struct pg_statement *statement);
void pg_bind(struct pg_statement *statement, int index, const char *text, int length);
int pg_step(struct pg_statement *statement);
void pg_reset(struct pg_statement *statement);
void pg_clear_bindings(struct pg_statement *statement);
bool pg_is_null(struct pg_statement *statement, int column);
const char *pg_text(struct pg_statement *statement, int column);
int pg_bytes(struct pg_statement *statement, int column);
long long pg_integer(struct pg_statement *statement, int column);
double pg_real(struct pg_statement *statement, int column);

static inline void db_bind_int64(struct db_stmt *s, int index, long long value)
{
    if (s->lite) {
        sqlite3_bind_int64(s->lite, index, value);
        return;
    }
    char text[24];
    int length = snprintf(text, sizeof text, "%lld", value);
    pg_bind(s->pg, index, text, length);
}

static inline void db_bind_int(struct db_stmt *s, int index, int value)
{
    db_bind_int64(s, index, value);
}

static inline void db_bind_double(struct db_stmt *s, int index, double value)
{
    if (s->lite) {
        sqlite3_bind_double(s->lite, index, value);
        return;
    }
    /* 17 significant digits read back as the same double. */
    char text[40];
    int length = snprintf(text, sizeof text, "%.17g", value);
    pg_bind(s->pg, index, text, length);
}

/* `length` -1: up to the NUL. The text is copied. */
static inline void db_bind_text(struct db_stmt *s, int index, const char *text, int length)
{
    if (s->lite)
        sqlite3_bind_text(s->lite, index, text, length, SQLITE_TRANSIENT);
    else
        pg_bind(s->pg, index, text, length);
}

/* The same, but SQLite keeps the pointer: the text must outlive the step
 * (a hot path's, bound again every row). */
static inline void db_bind_static(struct db_stmt *s, int index, const char *text, int length)
{
    if (s->lite)
        sqlite3_bind_text(s->lite, index, text, length, SQLITE_STATIC);
    else
        pg_bind(s->pg, index, text, length);
}

static inline void db_bind_null(struct db_stmt *s, int index)
{
    if (s->lite)
        sqlite3_bind_null(s->lite, index);
    else
        pg_bind(s->pg, index, NULL, 0);
}

static inline int db_step(struct db_stmt *s)
{
    return s->lite ? sqlite3_step(s->lite) : pg_step(s->pg);
}

static inline void db_reset(struct db_stmt *s)
{
    if (s->lite)
        sqlite3_reset(s->lite);
    else
        pg_reset(s->pg);
}

static inline void db_clear_bindings(struct db_stmt *s)
{
    if (s->lite)
        sqlite3_clear_bindings(s->lite);
    else
        pg_clear_bindings(s->pg);
}

static inline bool db_column_is_null(struct db_stmt *s, int column)
{
    return s->lite ? sqlite3_column_type(s->lite, column) == SQLITE_NULL
                   : pg_is_null(s->pg, column);
}

/* NULL for NULL; valid until the next step or reset. */
static inline const char *db_column_text(struct db_stmt *s, int column)
{
    return s->lite ? (const char *)sqlite3_column_text(s->lite, column) : pg_text(s->pg, column);
}

static inline int db_column_bytes(struct db_stmt *s, int column)
{
    return s->lite ? sqlite3_column_bytes(s->lite, column) : pg_bytes(s->pg, column);
}

/* 0 for NULL; a PostgreSQL boolean reads as 1 or 0. */
static inline long long db_column_int64(struct db_stmt *s, int column)
{
    return s->lite ? sqlite3_column_int64(s->lite, column) : pg_integer(s->pg, column);
}

static inline int db_column_int(struct db_stmt *s, int column)
{
    return s->lite ? sqlite3_column_int(s->lite, column) : (int)pg_integer(s->pg, column);
}

static inline double db_column_double(struct db_stmt *s, int column)
{
    return s->lite ? sqlite3_column_double(s->lite, column) : pg_real(s->pg, column);
}

#endif
