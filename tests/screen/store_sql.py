"""store_sql.py — the screen tests' read-only look at the store from Python
(screen_soak.sh, screen_edit_crash.sh): a SQLite file through the sqlite3
module; on PostgreSQL (BOARDPACK_TEST_PG set, tests/cli/lib.sh), the
test's schema through psql ($PSQL), one call a query.

    con = connect(db)                  # db: $DB, a file or a URI
    con.execute(sql, params).fetchone() / .fetchall()
    con.close()

Placeholders are `?`; on PostgreSQL each is filled in as a quoted literal
(the tests' own values only). There every value comes back as text (None for
NULL): compare with str(), or convert with int().
"""
import os
import sqlite3
import subprocess

ON_PG = bool(os.environ.get("BOARDPACK_TEST_PG"))
_FIELD, _RECORD, _NULL = "\x1f", "\x1e", "\x01NULL\x01"


def fixed3(expression):
    """SQL for EXPRESSION as text with 3 decimals, as printf('%.3f')."""
    if ON_PG:
        return f"round(({expression})::numeric, 3)::text"
    return f"printf('%.3f', {expression})"


def literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


class _Result:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return self.rows

    def __iter__(self):
        return iter(self.rows)


class _Psql:
    def __init__(self, uri):
        self.uri = uri

    def execute(self, sql, params=()):
        parts = sql.split("?")
        if len(parts) != len(params) + 1:
            raise ValueError(f"{len(params)} values for {len(parts) - 1} placeholders: {sql}")
        text = parts[0] + "".join(literal(p) + rest for p, rest in zip(params, parts[1:]))
        done = subprocess.run(
            [os.environ["PSQL"], "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-F", _FIELD, "-R", _RECORD, "-P", "null=" + _NULL, self.uri, "-c", text],
            stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"psql: {done.stderr.strip()} in: {text}")
        out = done.stdout
        if out.endswith("\n"):
            out = out[:-1]
        rows = []
        for record in out.split(_RECORD) if out else []:
            rows.append(tuple(None if f == _NULL else f for f in record.split(_FIELD)))
        return _Result(rows)

    def close(self):
        pass


def connect(db):
    """The store DB, read-only."""
    if ON_PG:
        return _Psql(db)
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)
