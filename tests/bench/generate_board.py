#!/usr/bin/env python3
"""Writes a synthetic board file of a given size for the benchmarks:
aims x objectives x deliverables, one metric per deliverable, monthly
readings, and borough segments on every tenth metric.

    generate_board.py --deliverables 1000 --readings 36 > m.yaml

Deterministic: the same arguments give the same bytes."""
import argparse
import random
import sys

BOROUGHS = ("Barnet", "Camden", "Enfield", "Haringey", "Islington")


def month(index, start_year=2015):
    return f"{start_year + index // 12:04d}-{index % 12 + 1:02d}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliverables", type=int, required=True)
    parser.add_argument("--readings", type=int, required=True, help="monthly readings per metric")
    parser.add_argument("--aims", type=int, default=4)
    parser.add_argument("--objectives-per-aim", type=int, default=0,
                        help="default: enough for about 25 deliverables per objective")
    parser.add_argument("--code", default="bench")
    args = parser.parse_args()

    objectives_per_aim = args.objectives_per_aim or max(1, args.deliverables // (args.aims * 25))
    objective_count = args.aims * objectives_per_aim
    random.seed(20231001)
    out = sys.stdout
    write = out.write
    write("# Synthetic board for benchmarks: made up, not the trust's data.\n")
    write(f"board:\n  code: {args.code}\n  title: \"Benchmark board ({args.deliverables} "
          f"deliverables x {args.readings} readings)\"\n  period: \"bench\"\n")
    write("aims:\n")
    metrics = []
    deliverable = 0
    for aim in range(1, args.aims + 1):
        write(f"  - code: \"{aim}\"\n    title: \"Aim {aim}: a strategic aim with a title of "
              f"ordinary length\"\n    objectives:\n")
        for objective in range(1, objectives_per_aim + 1):
            index = (aim - 1) * objectives_per_aim + objective - 1
            share = args.deliverables // objective_count + (
                1 if index < args.deliverables % objective_count else 0)
            write(f"      - code: \"{aim}.{objective}\"\n        title: \"Objective {aim}.{objective}"
                  f": we will improve something that matters to service users\"\n"
                  f"        deliverables:\n")
            for item in range(1, share + 1):
                deliverable += 1
                code = f"{aim}.{objective}.{item}"
                segmented = deliverable % 10 == 0
                baseline = round(random.uniform(40, 70), 1)
                target = round(min(99.0, baseline + random.uniform(5, 25)), 1)
                write(f"          - code: \"{code}\"\n            title: \"Deliverable {code}: we "
                      f"will increase the share of people seen within four weeks\"\n"
                      f"            metric: {{name: \"Seen within four weeks\", unit: percent, "
                      f"direction: up, baseline: {{value: {baseline}, period: {month(0)}}}, "
                      f"target: {{value: {target}, period: {month(max(args.readings - 1, 0))}}}"
                      f"{', breakdown: borough' if segmented else ''}}}\n")
                metrics.append((code, baseline, target, segmented))
    write("readings:\n")
    for code, baseline, target, segmented in metrics:
        value = baseline
        step = (target - baseline) / max(args.readings, 1)
        for period in range(args.readings):
            value = min(100.0, max(0.0, value + step + random.gauss(0, 1.5)))
            write(f"  - {{metric: \"{code}\", period: {month(period)}, value: {value:.1f}}}\n")
            if segmented:
                for borough in BOROUGHS:
                    part = min(100.0, max(0.0, value + random.gauss(0, 4)))
                    write(f"  - {{metric: \"{code}\", period: {month(period)}, value: {part:.1f}, "
                          f"segment: {borough}}}\n")


if __name__ == "__main__":
    main()
