#!/usr/bin/env python3
"""pg_bench.py — boardpack on PostgreSQL against the same on SQLite, at the
benchmark's L board (10,000 deliverables x 120 months; docs/performance.md):
the browser's first frame (--first-frame, start to exit, in an 80x24
pseudo-terminal, as bench.py measures it) and one `record` (start to exit:
connect, check, write, the kept statuses, commit). The same board is
imported into a SQLite file and into a database on a throwaway PostgreSQL
server (tests/pg/pg-server.sh, a Unix socket, fsync off as for the tests);
the runs alternate between the two stores (the order swapped every round,
so a busy spell on a shared machine falls on both alike), and the bars are
the medians' ratios PostgreSQL / SQLite, within 3x. Also, on each store: a
kiosk's refresh at L, from a `record`'s exit to the kiosk's screen showing
the value (the kiosk checks a PostgreSQL store every 100 ms, a SQLite one
every 500 ms).

  tests/bench/run.sh pg [--size L|M] [--runs 7] [--strict] [--keep]
  tests/bench/pg_bench.py --boardpack build/boardpack [options]

Results: build/bench/pg.json (every run) and build/bench/pg.md (the table).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the pseudo-terminal, the environment, the sizes)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PG_SERVER = os.path.join(ROOT, "tests", "pg", "pg-server.sh")
BAR = 3.0  # PostgreSQL / SQLite, first frame and record
log = bench.log


def server(*args):
    result = subprocess.run(["bash", PG_SERVER, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"pg-server.sh {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


class Stores:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.bench = bench.Bench(argparse.Namespace(workdir=work, boardpack=args.boardpack))
        self.env = self.bench.env
        self.boardpack = self.bench.boardpack

    def run(self, argv, check=True):
        start = time.perf_counter()
        result = subprocess.run([self.boardpack, *argv], env=self.env, capture_output=True,
                                text=True, stdin=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        if check and result.returncode != 0:
            raise RuntimeError(f"boardpack {' '.join(argv[2:])} failed ({result.returncode}): "
                               f"{result.stderr.strip()}")
        return seconds, result

    def first_frame(self, database, code):
        term = bench.Pty(self.bench.browse_argv(database, code, "--first-frame"), self.env)
        seconds = term.wait(300)
        if term.status != 0:
            raise RuntimeError(f"--first-frame on {database} exited {term.status}: "
                               f"{term.output[-300:].decode(errors='replace')}")
        return seconds

    def record(self, database, code, metric, value, period):
        seconds, _ = self.run(["--db", database, "--board", code, "record", metric, value,
                               "--period", period])
        return seconds

    def kiosk_refresh(self, database, code, metric, period, values):
        """A kiosk on the board; for each value, a record from another
        process and the milliseconds from its exit until the screen shows
        it (the terminal read as it writes, checked every 20 ms at most)."""
        term = bench.Pty([self.boardpack, "--db", database, "--board", code, "--kiosk",
                          "--cycle", "86400"], self.env)
        figures = []
        try:
            term.read(120, 1.0)  # the first frame
            for value in values:
                self.record(database, code, metric, value, period)
                exited = time.perf_counter()
                deadline = exited + 30
                shown = None
                while time.perf_counter() < deadline:
                    term.read(0.02, 0.005)
                    if any(value + "%" in "".join(line) for line in term.screen.display):
                        shown = time.perf_counter()
                        break
                if shown is None:
                    raise RuntimeError(f"the kiosk on {database} did not show {value} within 30 s")
                figures.append((shown - exited) * 1000)
        finally:
            term.process.terminate()
            try:
                term.wait(30)
            except RuntimeError:
                pass
        return figures


def median(values):
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--boardpack", required=True)
    parser.add_argument("--size", default="L", choices=["M", "L"])
    parser.add_argument("--runs", type=int, default=7, help="alternating rounds (default 7)")
    parser.add_argument("--kiosk-writes", type=int, default=5,
                        help="writes timed on each store's kiosk (0: none)")
    parser.add_argument("--workdir")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a bar fails")
    parser.add_argument("--json")
    parser.add_argument("--markdown")
    args = parser.parse_args()

    work = args.workdir or tempfile.mkdtemp(prefix="boardpack-pgbench-")
    os.makedirs(work, exist_ok=True)
    pg_dir = None
    started = time.monotonic()
    try:
        stores = Stores(args, work)
        deliverables, months = bench.SIZES[args.size][0]
        code = bench.SIZES[args.size][1]
        board = os.path.join(work, f"board-{args.size}.yaml")
        if not os.path.exists(board):
            log(f"{args.size}: generating the board file")
            subprocess.run([sys.executable, bench.GENERATOR, "--deliverables", str(deliverables),
                            "--readings", str(months), "-o", board], check=True)

        log("starting a throwaway PostgreSQL server")
        pg_dir = server("tmpdir")
        server("start", pg_dir)
        server("createdb", pg_dir, "bench")
        pg_uri = server("uri", pg_dir, "bench")
        version = subprocess.run([os.path.join(server("bindir"), "postgres"), "-V"],
                                 capture_output=True, text=True).stdout.strip()
        lite = os.path.join(work, f"{args.size}.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(lite + suffix):
                os.remove(lite + suffix)

        r = {"size": args.size, "deliverables": deliverables, "months": months,
             "postgresql": version, "machine": bench.machine(), "commit": bench.git_commit(),
             "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
             "load_before": os.getloadavg()}
        log(f"{args.size}: import into SQLite")
        r["import_sqlite_s"], _ = stores.run(["--db", lite, "import", board])
        log(f"{args.size}: import into PostgreSQL")
        r["import_pg_s"], _ = stores.run(["--db", pg_uri, "import", board])
        # The board's first deliverable: on the kiosk's first page too.
        metric = subprocess.run(
            ["sqlite3", "-readonly", lite, "SELECT n.code FROM nodes n JOIN boards b ON "
             f"b.id = n.board_id WHERE b.code = '{code}' AND n.level = 'deliverable' "
             "ORDER BY n.tree_order LIMIT 1"], capture_output=True, text=True,
            check=True).stdout.strip()
        period = subprocess.run(["sqlite3", "-readonly", lite,
                                 "SELECT max(period) FROM readings"], capture_output=True,
                                text=True, check=True).stdout.strip()
        r["metric"], r["period"] = metric, period

        log(f"first frame and record x{args.runs}, alternating SQLite and PostgreSQL")
        runs = {"ff_sqlite": [], "ff_pg": [], "record_sqlite": [], "record_pg": []}
        for round_ in range(args.runs):
            order = [("sqlite", lite), ("pg", pg_uri)]
            if round_ % 2:
                order.reverse()
            value = f"{40 + round_}.{round_ % 10}"
            for name, database in order:
                runs[f"ff_{name}"].append(stores.first_frame(database, code))
            for name, database in order:
                runs[f"record_{name}"].append(stores.record(database, code, metric, value,
                                                            period))
        r["runs"] = runs
        for key, values in runs.items():
            r[key] = median(values)
        r["ff_ratio"] = r["ff_pg"] / r["ff_sqlite"]
        r["record_ratio"] = r["record_pg"] / r["record_sqlite"]

        if args.kiosk_writes > 0:
            values = [f"{11 + i}.{i + 1}" for i in range(args.kiosk_writes)]
            for name, database in (("sqlite", lite), ("pg", pg_uri)):
                log(f"kiosk refresh on {name}: {args.kiosk_writes} writes")
                r[f"kiosk_{name}_runs"] = stores.kiosk_refresh(database, code, metric, period,
                                                               values)
                r[f"kiosk_{name}_ms"] = median(r[f"kiosk_{name}_runs"])
        r["load_after"] = os.getloadavg()
        r["seconds"] = time.monotonic() - started
    finally:
        if pg_dir:
            try:
                server("stop", pg_dir)
            except RuntimeError as error:
                log(str(error))
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
        elif args.keep:
            log(f"kept {work}")

    r["bars"] = [
        {"name": f"first frame at {args.size}, PostgreSQL / SQLite", "value": r["ff_ratio"],
         "limit": BAR, "pass": r["ff_ratio"] <= BAR},
        {"name": f"one record at {args.size}, PostgreSQL / SQLite", "value": r["record_ratio"],
         "limit": BAR, "pass": r["record_ratio"] <= BAR},
    ]
    text = report(r)
    print(text)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(r, handle, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write(markdown(r))
    if args.strict and not all(bar["pass"] for bar in r["bars"]):
        return 1
    return 0


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def each(values, scale=1000):
    return ", ".join(f"{v * scale:.0f}" for v in values)


def rows(r):
    out = [
        ("import the board (once)", f"{r['import_sqlite_s']:.2f} s", f"{r['import_pg_s']:.2f} s",
         f"{r['import_pg_s'] / r['import_sqlite_s']:.2f}x"),
        (f"first frame, start to exit (median of {len(r['runs']['ff_sqlite'])})",
         ms(r["ff_sqlite"]), ms(r["ff_pg"]), f"{r['ff_ratio']:.2f}x"),
        ("&nbsp;&nbsp;each run (ms)", each(r["runs"]["ff_sqlite"]), each(r["runs"]["ff_pg"]), ""),
        (f"one record, start to exit (median of {len(r['runs']['record_sqlite'])})",
         ms(r["record_sqlite"]), ms(r["record_pg"]), f"{r['record_ratio']:.2f}x"),
        ("&nbsp;&nbsp;each run (ms)", each(r["runs"]["record_sqlite"]),
         each(r["runs"]["record_pg"]), ""),
    ]
    if "kiosk_sqlite_ms" in r:
        out.append((f"kiosk refresh after a record (median of {len(r['kiosk_sqlite_runs'])})",
                    f"{r['kiosk_sqlite_ms']:.0f} ms", f"{r['kiosk_pg_ms']:.0f} ms",
                    f"{r['kiosk_pg_ms'] / r['kiosk_sqlite_ms']:.2f}x"))
        out.append(("&nbsp;&nbsp;each write (ms)", each(r["kiosk_sqlite_runs"], 1),
                    each(r["kiosk_pg_runs"], 1), ""))
    return out


def header(r):
    load = lambda l: " / ".join(f"{x:.1f}" for x in l)  # noqa: E731
    return (f"Run {r['date']} on commit `{r['commit']}`; machine: {r['machine']}; "
            f"{r['postgresql']} (throwaway server, Unix socket, fsync off). "
            f"Size {r['size']}: {r['deliverables']:,} deliverables x {r['months']} months; "
            f"record: {r['metric']} for {r['period']}. Load average (1/5/15 min) "
            f"{load(r['load_before'])} before, {load(r['load_after'])} after; "
            f"{r['seconds'] / 60:.1f} minutes.")


def report(r):
    lines = [header(r).replace("`", ""), ""]
    for name, lite, pg, ratio in rows(r):
        lines.append(f"{name.replace('&nbsp;', ' '):58} {lite:>24} {pg:>24} {ratio:>7}")
    lines.append("")
    for bar in r["bars"]:
        verdict = "PASS" if bar["pass"] else "FAIL"
        lines.append(f"{bar['name']}: {bar['value']:.2f}x (limit {bar['limit']:.0f}x) {verdict}")
    return "\n".join(lines)


def markdown(r):
    lines = [header(r), "", "| | SQLite | PostgreSQL | PostgreSQL / SQLite |",
             "|---|---:|---:|---:|"]
    for name, lite, pg, ratio in rows(r):
        lines.append(f"| {name} | {lite} | {pg} | {ratio} |")
    lines += ["", "| bar | measured | limit | verdict |", "|---|---:|---:|---|"]
    for bar in r["bars"]:
        verdict = "**PASS**" if bar["pass"] else "**FAIL**"
        lines.append(f"| {bar['name']} | {bar['value']:.2f}x | ≤ {bar['limit']:.0f}x | {verdict} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
