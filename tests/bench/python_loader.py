#!/usr/bin/python3
"""The baseline for `boardpack import`: the loader a user would otherwise
write in Python: PyYAML's C loader (yaml.CSafeLoader, libyaml underneath)
reads each board file whole, and the sqlite3 module writes the board, its
tree, metrics, readings, milestone updates and commentary into the same
tables as boardpack's store, in one transaction.

    python_loader.py STORE FILE...

It is honest but not gold-plated: executemany with prepared inserts, one
transaction, the same tables, keys and uniqueness as boardpack's schema
(so SQLite maintains the same indexes), and the obvious checks a script gets
for free (a KeyError on a missing key, a unique-constraint error on a
duplicate reading). It does not do what boardpack's reader does besides:
located error messages, unknown and duplicate key checks, unit ranges, UTF-8
and text checks. Needs PyYAML built with libyaml (Debian's python3-yaml)."""
import datetime
import getpass
import os
import sqlite3
import sys

import yaml

# boardpack's tables (src/store.c, schema 1) without its views; STRICT and
# the same keys, so both write the same rows into the same b-trees.
SCHEMA = """
CREATE TABLE boards (
  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
  reporting_period TEXT, purpose TEXT, vision TEXT, imported_at TEXT NOT NULL) STRICT;
CREATE TABLE board_values (
  board_id INTEGER NOT NULL REFERENCES boards(id), position INTEGER NOT NULL,
  name TEXT NOT NULL, text TEXT, PRIMARY KEY (board_id, position)) STRICT;
CREATE TABLE nodes (
  id INTEGER PRIMARY KEY, board_id INTEGER NOT NULL REFERENCES boards(id),
  parent_id INTEGER REFERENCES nodes(id), level TEXT NOT NULL, code TEXT NOT NULL,
  title TEXT NOT NULL, lead TEXT, tree_order INTEGER NOT NULL, milestone_due TEXT,
  UNIQUE (board_id, code), UNIQUE (board_id, tree_order)) STRICT;
CREATE INDEX nodes_by_parent ON nodes(parent_id);
CREATE TABLE metrics (
  id INTEGER PRIMARY KEY, board_id INTEGER NOT NULL REFERENCES boards(id),
  deliverable_id INTEGER NOT NULL REFERENCES nodes(id), position INTEGER NOT NULL,
  code TEXT NOT NULL, name TEXT NOT NULL, unit TEXT NOT NULL, direction TEXT NOT NULL,
  baseline_value REAL, baseline_period TEXT, target_value REAL NOT NULL,
  target_period TEXT, tolerance REAL, stale_months INTEGER, breakdown TEXT,
  UNIQUE (board_id, code)) STRICT;
CREATE INDEX metrics_by_deliverable ON metrics(deliverable_id);
CREATE TABLE trajectory_points (
  metric_id INTEGER NOT NULL REFERENCES metrics(id), period TEXT NOT NULL,
  value REAL NOT NULL, PRIMARY KEY (metric_id, period)) STRICT;
CREATE TABLE readings (
  id INTEGER PRIMARY KEY, metric_id INTEGER NOT NULL REFERENCES metrics(id),
  period TEXT NOT NULL, segment TEXT NOT NULL DEFAULT '', value REAL NOT NULL,
  note TEXT, entered_by TEXT NOT NULL, entered_at TEXT NOT NULL,
  sample INTEGER NOT NULL DEFAULT 0, UNIQUE (metric_id, segment, period)) STRICT;
CREATE TABLE milestone_updates (
  id INTEGER PRIMARY KEY, node_id INTEGER NOT NULL REFERENCES nodes(id), period TEXT,
  status TEXT NOT NULL, note TEXT, entered_by TEXT NOT NULL, entered_at TEXT NOT NULL,
  sample INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE INDEX milestone_updates_by_node ON milestone_updates(node_id, id);
CREATE TABLE commentary (
  id INTEGER PRIMARY KEY, node_id INTEGER NOT NULL REFERENCES nodes(id), period TEXT,
  text TEXT NOT NULL, entered_by TEXT NOT NULL, entered_at TEXT NOT NULL,
  sample INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE INDEX commentary_by_node ON commentary(node_id, id);
"""


def text(value):
    return None if value is None else str(value)


def load(connection, path, who, now):
    with open(path, "rb") as stream:
        document = yaml.load(stream, Loader=yaml.CSafeLoader)
    board = document["board"]
    sample = 1 if board.get("sample") else 0
    cursor = connection.cursor()
    if "aims" in document:
        cursor.execute(
            "INSERT INTO boards (code, title, reporting_period, purpose, vision, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (str(board["code"]), board["title"], text(board.get("period")),
             board.get("purpose"), board.get("vision"), now))
        board_id = cursor.lastrowid
        cursor.executemany(
            "INSERT INTO board_values (board_id, position, name, text) VALUES (?, ?, ?, ?)",
            [(board_id, i, v["name"], v.get("text")) for i, v in enumerate(board.get("values", []))])
        order = 0

        def node(parent, level, item):
            nonlocal order
            order += 1
            milestone = item.get("milestone")
            cursor.execute(
                "INSERT INTO nodes (board_id, parent_id, level, code, title, lead, tree_order, "
                "milestone_due) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (board_id, parent, level, str(item["code"]), item["title"], item.get("lead"),
                 order, text(milestone["due"]) if milestone else None))
            return cursor.lastrowid

        metric_rows = []
        for aim in document["aims"]:
            aim_id = node(None, "aim", aim)
            for objective in aim["objectives"]:
                objective_id = node(aim_id, "objective", objective)
                for deliverable in objective["deliverables"]:
                    deliverable_id = node(objective_id, "deliverable", deliverable)
                    if "metric" in deliverable:
                        metrics = [dict(deliverable["metric"], code=deliverable["code"])]
                    else:
                        metrics = deliverable.get("metrics", [])
                    for position, metric in enumerate(metrics):
                        metric_rows.append((deliverable_id, position, metric))
                    milestone = deliverable.get("milestone")
                    if milestone and "status" in milestone:
                        cursor.execute(
                            "INSERT INTO milestone_updates (node_id, period, status, note, "
                            "entered_by, entered_at, sample) VALUES (?, NULL, ?, NULL, ?, ?, ?)",
                            (deliverable_id, milestone["status"], who, now, sample))
        for deliverable_id, position, metric in metric_rows:
            baseline = metric.get("baseline") or {}
            target = metric["target"]
            cursor.execute(
                "INSERT INTO metrics (board_id, deliverable_id, position, code, name, unit, "
                "direction, baseline_value, baseline_period, target_value, target_period, "
                "tolerance, stale_months, breakdown) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (board_id, deliverable_id, position, str(metric["code"]), metric["name"],
                 metric["unit"], metric["direction"], baseline.get("value"),
                 text(baseline.get("period")), target["value"], text(target.get("period")),
                 metric.get("tolerance"), metric.get("stale_after"), metric.get("breakdown")))
            metric_id = cursor.lastrowid
            cursor.executemany(
                "INSERT INTO trajectory_points (metric_id, period, value) VALUES (?, ?, ?)",
                [(metric_id, str(period), value)
                 for period, value in (metric.get("trajectory") or {}).items()])
    else:
        board_id = cursor.execute("SELECT id FROM boards WHERE code = ?",
                                  (str(board["code"]),)).fetchone()[0]
    metric_ids = dict(cursor.execute("SELECT code, id FROM metrics WHERE board_id = ?",
                                     (board_id,)))
    node_ids = dict(cursor.execute("SELECT code, id FROM nodes WHERE board_id = ?", (board_id,)))
    cursor.executemany(
        "INSERT INTO readings (metric_id, period, segment, value, note, entered_by, "
        "entered_at, sample) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ((metric_ids[str(r["metric"])], str(r["period"]), r.get("segment", ""), r["value"],
          r.get("note"), r.get("by", who), r.get("at", now), 1 if r.get("sample", sample) else 0)
         for r in document.get("readings") or ()))
    cursor.executemany(
        "INSERT INTO milestone_updates (node_id, period, status, note, entered_by, entered_at, "
        "sample) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((node_ids[str(u["deliverable"])], text(u.get("period")), u["status"], u.get("note"),
          u.get("by", who), u.get("at", now), sample)
         for u in document.get("milestone_updates") or ()))
    cursor.executemany(
        "INSERT INTO commentary (node_id, period, text, entered_by, entered_at, sample) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        ((node_ids[str(c["node"])], text(c.get("period")), c["text"], c.get("by", who),
          c.get("at", now), sample)
         for c in document.get("commentary") or ()))


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: python_loader.py STORE FILE...")
    if not getattr(yaml, "__with_libyaml__", False):
        sys.exit("python_loader.py: this PyYAML has no C loader (libyaml)")
    store, files = sys.argv[1], sys.argv[2:]
    if os.path.exists(store):
        sys.exit(f"python_loader.py: {store} exists; give a new path")
    who = os.environ.get("USER") or getpass.getuser()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    connection = sqlite3.connect(store)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.executescript(SCHEMA)
    with connection:  # one transaction: commits at the end, rolls back on error
        for path in files:
            load(connection, path, who, now)
    connection.close()


if __name__ == "__main__":
    main()
