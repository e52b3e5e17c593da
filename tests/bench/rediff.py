#!/usr/bin/env python3
"""Re-importing a changed board (issue 14): the generated board (size L,
10,000 deliverables x 120 readings, unless --size says) imported into an
empty store, then the same file with --changed deliverables' titles changed
imported again into that store. The re-import must write only those changes
(one "edit-node" audit row each, and the import's own row) and take no
longer than the import into an empty store: reported as a ratio of the two
times, both measured in this run (median of --repeats).

    tests/bench/run.sh rediff                 size L (a few minutes)
    tests/bench/run.sh rediff --size M        1,000 deliverables (seconds)
"""
import argparse
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import resource
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = {"M": (1000, 36), "L": (10000, 120)}


def timed(argv):
    """The command's wall time and its CPU time (user + system), in seconds:
    the CPU time moves little with what else the machine is doing."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    cpu = (now.ru_utime - used.ru_utime) + (now.ru_stime - used.ru_stime)
    return seconds, cpu


def audit_rows(database):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT count(*) FROM audit").fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boardpack", default="build/boardpack")
    parser.add_argument("--size", choices=sorted(SIZES), default="L")
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="boardpack-rediff-")
    try:
        deliverables, readings = SIZES[args.size]
        board = os.path.join(work, "board.yaml")
        subprocess.run([sys.executable, os.path.join(HERE, "generate_board.py"),
                        "--deliverables", str(deliverables), "--readings", str(readings),
                        "-o", board], check=True)
        text = open(board, encoding="utf-8").read()
        every = max(1, deliverables // args.changed)
        seen = 0

        def change(match):
            nonlocal seen
            seen += 1
            if (seen - 1) % every == 0 and (seen - 1) // every < args.changed:
                return match.group(1) + ": changed for the benchmark\""
            return match.group(0)

        changed_text = re.sub(r"(title: \"Deliverable [0-9.]+): we will increase the share of "
                              r"people seen within four weeks\"", change, text)
        changed = os.path.join(work, "changed.yaml")
        open(changed, "w", encoding="utf-8").write(changed_text)

        empty_times, rediff_times, written = [], [], []
        for _ in range(args.repeats):
            database = os.path.join(work, "store.db")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(database + suffix):
                    os.remove(database + suffix)
            empty_times.append(timed([args.boardpack, "--db", database, "import", board]))
            before = audit_rows(database)
            rediff_times.append(timed([args.boardpack, "--db", database, "import", changed]))
            written.append(audit_rows(database) - before)
        empty = statistics.median(t for t, _ in empty_times)
        rediff = statistics.median(t for t, _ in rediff_times)
        empty_cpu = statistics.median(c for _, c in empty_times)
        rediff_cpu = statistics.median(c for _, c in rediff_times)
        wall_ratio = rediff / empty
        # Judged on CPU time: on a shared machine the wall time of one run
        # moves with the others' load (one run measured 2.4, others 0.6).
        ratio = rediff_cpu / empty_cpu
        expected = args.changed + 1
        rows_ok = all(count == expected for count in written)
        print(f"size {args.size}: {deliverables} deliverables x {readings} readings; "
              f"{args.changed} deliverables changed")
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        print(f"import into an empty store: {empty:.2f} s wall, {empty_cpu:.2f} s CPU "
              f"(medians of {args.repeats})")
        print(f"re-import of the changed file: {rediff:.2f} s wall, {rediff_cpu:.2f} s CPU "
              f"(medians of {args.repeats})")
        print(f"ratio re-import / empty import, wall time: {wall_ratio:.2f}")
        print(f"ratio re-import / empty import, CPU time: {ratio:.2f} "
              f"({'PASS' if ratio <= 1.0 else 'FAIL'}: at most 1.00)")
        print(f"audit rows written by the re-import: {written} "
              f"({'PASS' if rows_ok else 'FAIL'}: {args.changed} edit-node rows and 1 import row)")
        return 0 if ratio <= 1.0 and rows_ok else 1
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
