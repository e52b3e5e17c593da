#!/usr/bin/env python3
"""Writes a synthetic board file of a given size for the benchmarks:
aims x objectives x deliverables, one metric per deliverable, monthly
readings, and borough segments on every tenth metric.

    generate_board.py --size M -o m.yaml          # 1,000 deliverables x 36 readings
    generate_board.py --size L -o l.yaml          # 10,000 deliverables x 120 readings
    generate_board.py --deliverables 1000 --readings 36 > m.yaml
    generate_board.py --size L --readings 0 -o l-structure.yaml   # the board alone
    generate_board.py --size L --readings 100 --format csv -o feed.csv
                                                  # 1,000,000 readings for its metrics

Sizes (tests/bench/run.sh measures them; "bundled" is the shipped board in
data/, not generated):
    M  1,000 deliverables x 36 monthly readings   (36,000 whole-series readings)
    L 10,000 deliverables x 120 monthly readings  (1.2 million whole-series readings)
Every tenth metric also has a reading per month for each of five boroughs, so
the file holds 1.5x the whole-series count in all (M 54,000; L 1.8 million).
Readings are written metric by metric, months in order, as `export` does.

Deterministic: the same arguments give the same bytes. The board is made up:
it is not the trust's data, and its code is `bench` unless --code says."""
import argparse
import random
import sys

BOROUGHS = ("Barnet", "Camden", "Enfield", "Haringey", "Islington")
SIZES = {"M": (1000, 36), "L": (10000, 120)}


def month(index, start_year=2015):
    return f"{start_year + index // 12:04d}-{index % 12 + 1:02d}"


def generate(out, deliverables, readings, aims=4, objectives_per_aim=0, code="bench"):
    """Writes the board to `out` (a text file); returns the number of readings."""
    objectives_per_aim = objectives_per_aim or max(1, deliverables // (aims * 25))
    objective_count = aims * objectives_per_aim
    rng = random.Random(20231001)
    write = out.write
    write("# Synthetic board for benchmarks: made up, not the trust's data.\n")
    write(f"board:\n  code: {code}\n  title: \"Benchmark board ({deliverables} "
          f"deliverables x {readings} readings)\"\n  period: \"bench\"\n")
    write("aims:\n")
    metrics = []
    deliverable = 0
    for aim in range(1, aims + 1):
        write(f"  - code: \"{aim}\"\n    title: \"Aim {aim}: a strategic aim with a title of "
              f"ordinary length\"\n    objectives:\n")
        for objective in range(1, objectives_per_aim + 1):
            index = (aim - 1) * objectives_per_aim + objective - 1
            share = deliverables // objective_count + (
                1 if index < deliverables % objective_count else 0)
            write(f"      - code: \"{aim}.{objective}\"\n        title: \"Objective {aim}.{objective}"
                  f": we will improve something that matters to service users\"\n"
                  f"        deliverables:{' []' if share == 0 else ''}\n")
            for item in range(1, share + 1):
                deliverable += 1
                node = f"{aim}.{objective}.{item}"
                segmented = deliverable % 10 == 0
                baseline = round(rng.uniform(40, 70), 1)
                target = round(min(99.0, baseline + rng.uniform(5, 25)), 1)
                write(f"          - code: \"{node}\"\n            title: \"Deliverable {node}: we "
                      f"will increase the share of people seen within four weeks\"\n"
                      f"            metric: {{name: \"Seen within four weeks\", unit: percent, "
                      f"direction: up, baseline: {{value: {baseline}, period: {month(0)}}}, "
                      f"target: {{value: {target}, period: {month(max(readings - 1, 0))}}}"
                      f"{', breakdown: borough' if segmented else ''}}}\n")
                metrics.append((node, baseline, target, segmented))
    write("readings:\n" if metrics and readings else "readings: []\n")
    count = 0
    for node, baseline, target, segmented in metrics:
        value = baseline
        step = (target - baseline) / max(readings, 1)
        for period in range(readings):
            value = min(100.0, max(0.0, value + step + rng.gauss(0, 1.5)))
            write(f"  - {{metric: \"{node}\", period: {month(period)}, value: {value:.1f}}}\n")
            count += 1
            if segmented:
                for borough in BOROUGHS:
                    part = min(100.0, max(0.0, value + rng.gauss(0, 4)))
                    write(f"  - {{metric: \"{node}\", period: {month(period)}, value: {part:.1f}, "
                          f"segment: {borough}}}\n")
                    count += 1
    return count


def generate_csv(out, deliverables, readings, aims=4, objectives_per_aim=0):
    """Writes a readings CSV feed (docs/feeds.md) for the board generate()
    writes with the same arguments: `readings` monthly whole-series
    readings per metric, metric by metric, with a note on every tenth row
    (some quoted, with a comma). Returns the number of readings."""
    objectives_per_aim = objectives_per_aim or max(1, deliverables // (aims * 25))
    objective_count = aims * objectives_per_aim
    rng = random.Random(20231002)
    write = out.write
    write("metric,period,value,segment,note\r\n")
    count = 0
    for aim in range(1, aims + 1):
        for objective in range(1, objectives_per_aim + 1):
            index = (aim - 1) * objectives_per_aim + objective - 1
            share = deliverables // objective_count + (
                1 if index < deliverables % objective_count else 0)
            for item in range(1, share + 1):
                node = f"{aim}.{objective}.{item}"
                value = rng.uniform(40, 70)
                for period in range(readings):
                    value = min(100.0, max(0.0, value + rng.gauss(0.1, 1.5)))
                    note = ""
                    if count % 10 == 0:
                        note = "\"Checked, as reported\"" if count % 20 == 0 else "checked"
                    write(f"{node},{month(period)},{value:.1f},,{note}\r\n")
                    count += 1
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), help="a named size (sets the next two)")
    parser.add_argument("--deliverables", type=int)
    parser.add_argument("--readings", type=int, help="monthly readings per metric")
    parser.add_argument("--aims", type=int, default=4)
    parser.add_argument("--objectives-per-aim", type=int, default=0,
                        help="default: enough for about 25 deliverables per objective")
    parser.add_argument("--code", default="bench")
    parser.add_argument("--format", choices=("yaml", "csv"), default="yaml",
                        help="csv: a readings CSV feed for the same board's metrics "
                             "(its structure comes from --readings 0)")
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args()
    if args.size:
        deliverables, readings = SIZES[args.size]
        args.deliverables = args.deliverables if args.deliverables is not None else deliverables
        args.readings = args.readings if args.readings is not None else readings
    if args.deliverables is None or args.readings is None:
        parser.error("give --size, or --deliverables and --readings")
    if args.deliverables < 0 or args.readings < 0 or args.aims < 1 or args.readings > 1200:
        parser.error("counts must not be negative, --aims at least 1, --readings at most 1200")
    if args.output:
        # Written beside the target and renamed, so an interrupted run never
        # leaves half a file under the final name.
        temporary = args.output + ".part"
        with open(temporary, "w", encoding="utf-8", buffering=1 << 20) as out:
            write(out, args)
        import os
        os.replace(temporary, args.output)
    else:
        write(sys.stdout, args)


def write(out, args):
    if args.format == "csv":
        generate_csv(out, args.deliverables, args.readings, args.aims, args.objectives_per_aim)
    else:
        generate(out, args.deliverables, args.readings, args.aims, args.objectives_per_aim,
                 args.code)


if __name__ == "__main__":
    main()
