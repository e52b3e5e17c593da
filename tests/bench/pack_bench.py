#!/usr/bin/python3
"""The board pack's speed (issue 16): `boardpack pack --output` of the bundled
board (a store seeded with init --sample) and of the generated size M board
(1,000 deliverables, 36 monthly readings each), each the median of --runs.
Bars: the bundled board's pack in at most 0.2 s, and the time per
deliverable at M within 2x of the bundled board's (linear). Wall time and
CPU time (user + system, of the child) are both reported; the bars use wall
time. Run through `tests/bench/run.sh pack`; --strict exits 1 if a bar fails."""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = os.path.join(HERE, "generate_board.py")
BAR_BUNDLED_SECONDS = 0.2
BAR_PER_DELIVERABLE_RATIO = 2.0


def run(command, **kwargs):
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   **kwargs)


def time_pack(boardpack, store, board, output, runs):
    walls, cpus = [], []
    env = dict(os.environ, BOARDPACK_PACK_MADE_AT="bench", TZ="UTC", LC_ALL="C.UTF-8")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        run([boardpack, "--db", store, "pack", "--board", board, "--output", output], env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    with open(output, encoding="utf-8") as pack:
        deliverables = pack.read().count('<section class="deliverable"')
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus),
            "deliverables": deliverables, "bytes": os.path.getsize(output)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boardpack", required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a bar fails")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="boardpack-pack-bench-") as work:
        bundled_store = os.path.join(work, "bundled.db")
        run([args.boardpack, "--db", bundled_store, "init", "--sample"])
        board_file = os.path.join(work, "m.yaml")
        run([sys.executable, GENERATOR, "--size", "M", "-o", board_file])
        m_store = os.path.join(work, "m.db")
        run([args.boardpack, "--db", m_store, "import", board_file])
        results = {
            "bundled": time_pack(args.boardpack, bundled_store, "nlmhp-2023-24",
                                 os.path.join(work, "bundled.html"), args.runs),
            "M": time_pack(args.boardpack, m_store, "bench", os.path.join(work, "m.html"),
                           max(3, args.runs // 2)),
        }
    print(f"{'board':8} {'deliverables':>12} {'wall s':>8} {'cpu s':>8} "
          f"{'ms/deliverable':>15} {'size':>10}")
    for name, result in results.items():
        result["per_deliverable"] = result["wall"] / max(1, result["deliverables"])
        print(f"{name:8} {result['deliverables']:12d} {result['wall']:8.3f} {result['cpu']:8.3f} "
              f"{result['per_deliverable'] * 1000:15.2f} {result['bytes']:10d}")
    ratio = results["M"]["per_deliverable"] / results["bundled"]["per_deliverable"]
    bars = {
        "bundled pack time (s)": (results["bundled"]["wall"], BAR_BUNDLED_SECONDS,
                                  results["bundled"]["wall"] <= BAR_BUNDLED_SECONDS),
        "time per deliverable, M / bundled": (ratio, BAR_PER_DELIVERABLE_RATIO,
                                              ratio <= BAR_PER_DELIVERABLE_RATIO),
    }
    for name, (value, bar, ok) in bars.items():
        print(f"{name}: {value:.3f} (at most {bar}) {'PASS' if ok else 'FAIL'}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"results": results,
                       "bars": {k: {"value": v, "bar": b, "pass": ok}
                                for k, (v, b, ok) in bars.items()}}, out, indent=2)
    if args.strict and not all(ok for _, _, ok in bars.values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
