#!/usr/bin/env python3
"""Writes data/sample-readings-2023-24.yaml: ILLUSTRATIVE readings, milestone
updates and commentary for the bundled 2023/24 board (nlmhp-2023-24).

These numbers are made up to show what boardpack does: a mix of R, A, G and B
statuses and of SPC patterns. They are not the trust's data.

Usage: tools/make_sample_readings.py [OUT]   (default: data/sample-readings-2023-24.yaml)

Standard library only, and deterministic: every metric's noise comes from a
random.Random seeded with a CRC-32 of its code, so the same script always
writes the same file. The script reads data/nlmhp-2023-24.yaml (with a small
line scanner, not a YAML library) to find each metric's unit, direction,
baseline and target, refuses to run if the board and the designs below do not
match, and then checks that each series shows the status and SPC pattern it
was designed to show (see check_design) before writing anything.
"""
import json
import os
import random
import re
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOARD_FILE = os.path.join(ROOT, "data", "nlmhp-2023-24.yaml")
DEFAULT_OUT = os.path.join(ROOT, "data", "sample-readings-2023-24.yaml")

# Monthly readings from 2022-04 to 2024-03: 24 points.
PERIODS = ["%04d-%02d" % (2022 + (m - 1) // 12, (m - 1) % 12 + 1) for m in range(4, 28)]
LAST = len(PERIODS) - 1
STALE_END = PERIODS.index("2023-11")     # the stale metric's last reading

BOROUGHS = ["Barnet", "Camden", "Enfield", "Haringey", "Islington"]
ETHNICITIES = ["Asian or Asian British", "Black or Black British", "Mixed", "White",
               "Other ethnic groups"]


# ---------------------------------------------------------------- the board

def read_board_metrics(path):
    """The metrics of the board file, by code, in the board's order: unit,
    direction, baseline, target, breakdown. A line scanner for this file's own
    layout (block style, one key a line), not a YAML parser."""
    metrics = {}
    deliverable = None       # the code of the last `- code:` outside a metrics list
    current = None           # the metric being read
    list_indent = None       # the indent of an open `metrics:` key
    pair = re.compile(r"\{value: ([-0-9.]+), period: (\d{4}-\d{2})\}")
    with open(path, encoding="utf-8") as board:
        for line in board:
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            indent = len(line) - len(line.lstrip(" "))
            if list_indent is not None and indent <= list_indent:
                list_indent = None
            match = re.match(r'- code: "([^"]+)"$', stripped)
            if match:
                if list_indent is not None:
                    current = metrics[match.group(1)] = {}
                else:
                    deliverable, current = match.group(1), None
                continue
            key, _, value = stripped.partition(":")
            value = value.strip()
            if key == "metric" and not value:
                current = metrics[deliverable] = {}
            elif key == "metrics" and not value:
                list_indent, current = indent, None
            elif key == "milestone":
                current = None
            elif current is not None and key in ("unit", "direction", "breakdown"):
                current[key] = value
            elif current is not None and key in ("target", "baseline"):
                found = pair.search(value)
                current[key] = (float(found.group(1)), found.group(2))
    return metrics


# ---------------------------------------------------------- the series designs

def noise(rng, size):
    """Noise in [-size, size], uniform."""
    return rng.uniform(-size, size)


def flat(rng, centre, size, count):
    return [centre + noise(rng, size) for _ in range(count)]


def ramp(rng, start, end, size, count):
    step = (end - start) / max(count - 1, 1)
    return [start + step * i + noise(rng, size) for i in range(count)]


def rising(start, steps):
    """A strictly rising run: start, then each step added (no noise)."""
    values, value = [], start
    for step in steps:
        value += step
        values.append(value)
    return values


# Each design: what the series is meant to show, and a function of the rng
# that returns the whole-series values (24, or fewer for the stale metric).
# `rag` is the status at the board's "as at" month (2024-03); `variation` the
# SPC icon from the last point; `pattern` names the special cause designed in;
# `salt` changes a design's random draw (3.1.1's first draw happened to hold a
# chance shift, which plain noise must not show).
DESIGNS = {
    "1.1.2": dict(rag="A", variation="common", pattern="one point outside the limits",
                  values=lambda rng: [v if i != PERIODS.index("2023-08") else 76.2
                                      for i, v in enumerate(flat(rng, 87.2, 1.6, 24))]),
    "1.2.1": dict(rag="A", variation="improvement-high", pattern="trend of 9 rising points",
                  values=lambda rng: flat(rng, 57.0, 1.4, 15)
                  + rising(57.4, [2.1, 2.6, 2.8, 2.5, 2.8, 2.3, 2.2, 1.7, 1.6])),
    "1.2.2": dict(rag="R", variation="improvement-high", pattern="slow improvement, far short",
                  values=lambda rng: flat(rng, 2.2, 1.0, 12) + ramp(rng, 3.5, 17.2, 1.0, 12)),
    "1.3.3": dict(rag="R", variation="concern-low", pattern="shift of 8 points below the mean",
                  values=lambda rng: flat(rng, 84.1, 1.0, 16) + flat(rng, 79.4, 0.8, 8)),
    "2.1.2": dict(rag="G", variation=None, pattern="stale: stops at 2023-11, just above the baseline-to-target line",
                  values=lambda rng: ramp(rng, 55.2, 58.5, 0.6, 12)[:11] + [58.5]
                  + [58.5 + 16.5 * (i - 11) / 12 + 0.6 + noise(rng, 0.4)
                     for i in range(12, STALE_END + 1)]),
    "2.1.3": dict(rag="R", variation="improvement-high", pattern="step up, far short",
                  values=lambda rng: flat(rng, 4.1, 1.4, 12) + flat(rng, 9.6, 1.4, 12)),
    "2.2.2": dict(rag="A", variation=None, pattern="steady improvement",
                  values=lambda rng: ramp(rng, 50.2, 57.6, 1.0, 23) + [57.9]),
    "2.3.1": dict(rag="A", variation=None, pattern="improvement from 2023-04",
                  values=lambda rng: flat(rng, 2.0, 1.2, 12) + ramp(rng, 3.8, 18.6, 1.5, 11) + [19.3]),
    "3.1.1": dict(rag="R", variation="common", pattern="common-cause noise only", salt="/1",
                  values=lambda rng: flat(rng, 58.0, 1.2, 24)),
    "3.2.1": dict(rag="B", variation="improvement-high", pattern="shift of 9 points above the mean",
                  values=lambda rng: flat(rng, 44.6, 0.6, 15) + flat(rng, 48.3, 0.4, 9)),
    "3.2.3b": dict(rag="A", variation=None, pattern="steady rise",
                   values=lambda rng: [round(v) for v in ramp(rng, 152, 212, 4, 23)] + [214]),
    "3.3.1": dict(rag="A", variation=None, pattern="gradual rise",
                  values=lambda rng: ramp(rng, 33.4, 36.3, 0.5, 23) + [36.6]),
    "4.1.3": dict(rag="B", variation=None, pattern="rise to the target",
                  values=lambda rng: ramp(rng, 17.8, 30.4, 0.9, 23) + [31.4]),
    "4.1.4": dict(rag="R", variation="concern-low", pattern="falling back: 8 points below the mean",
                  values=lambda rng: flat(rng, 4.6, 0.9, 16) + flat(rng, 2.3, 0.5, 8)),
}
# 3.2.3a is the same apprenticeships as a share of a workforce of about 2,480.
WORKFORCE = 2480
DERIVED = {"3.2.3a": dict(rag="A", variation=None, pattern="3.2.3b as a share of the workforce")}

# Each segment's series is the whole series times a factor, plus an offset,
# plus noise of up to SEGMENT_NOISE.
SEGMENTS = {
    "borough": dict(zip(BOROUGHS, [(1, 1.9), (1, -2.6), (1, 0.8), (1, -1.4), (1, 1.3)])),
    "ethnicity": dict(zip(ETHNICITIES, [(1.1, 0), (0.7, 0), (1.15, 0), (1.2, 0), (0.9, 0)])),
}
SEGMENT_NOISE = 1.0


def series_for(code, metric):
    design = DESIGNS[code]
    rng = random.Random(zlib.crc32((code + design.get("salt", "")).encode("ascii")))
    values = design["values"](rng)
    return [fix(metric, v) for v in values]


def fix(metric, value):
    if metric["unit"] == "count":
        return max(0, int(round(value)))
    if metric["unit"] == "percent":
        return min(100.0, max(0.0, round(value, 1)))
    return round(value, 1)


# ------------------------------------------------------- status and SPC check

def expected_at(metric, index):
    target, target_period = metric["target"]
    if "baseline" in metric:
        base, base_period = metric["baseline"]
        b, t = PERIODS.index(base_period), PERIODS.index(target_period)
        if index <= b:
            return base
        if index >= t:
            return target
        return base + (target - base) * (index - b) / (t - b)
    return target


def rag(metric, values):
    index = len(values) - 1
    latest = values[-1]
    sign = 1 if metric["direction"] == "up" else -1
    target = metric["target"][0]
    if sign * (latest - target) >= 0:
        return "B"
    shortfall = sign * (expected_at(metric, index) - latest)
    if shortfall <= 0:
        return "G"
    return "A" if shortfall <= 0.05 * abs(target) else "R"


def xmr(values):
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in zip(values, values[1:])]
    mr = sum(ranges) / len(ranges)
    return mean, mean - 2.66 * mr, mean + 2.66 * mr, 2.66 * mr * 2 / 3


def special_causes(values, shift_length=7, trend_length=7):
    """Per point: the set of special-cause rules it is part of ('outside',
    'shift', 'trend', 'two-of-three'), and its side ('high' or 'low'). The
    rules of PRODUCT.md: a point outside the limits; shift_length points in a
    row on one side of the mean (a point on the mean breaks it); trend_length
    points each higher (or lower) than the last (equal neighbours break it);
    two of three points beyond 2 sigma, not beyond the limits, on one side."""
    mean, lower, upper, two_sigma = xmr(values)
    flags = [set() for _ in values]
    side = ["high" if v > mean else "low" for v in values]
    for i, v in enumerate(values):
        if v > upper or v < lower:
            flags[i].add("outside")
    start = 0
    for i, v in enumerate(values):
        here = (v > mean) - (v < mean)
        if here == 0:
            start = i + 1
            continue
        if i > start and ((values[i - 1] > mean) - (values[i - 1] < mean)) != here:
            start = i
        if i - start + 1 >= shift_length:
            for j in range(start, i + 1):
                flags[j].add("shift")
    start = 0
    for i in range(1, len(values)):
        step = (values[i] > values[i - 1]) - (values[i] < values[i - 1])
        if step == 0:
            start = i
            continue
        if i - 1 > start and ((values[i - 1] > values[i - 2]) - (values[i - 1] < values[i - 2])) != step:
            start = i - 1
        if i - start + 1 >= trend_length:
            for j in range(start, i + 1):
                flags[j].add("trend")
                side[j] = "high" if step > 0 else "low"
    for i in range(2, len(values)):
        window = values[i - 2:i + 1]
        for sign in (1, -1):
            beyond = [k for k, v in enumerate(window)
                      if sign * (v - mean) > two_sigma and lower <= v <= upper]
            if len(beyond) >= 2:
                for k in beyond:
                    flags[i - 2 + k].add("two-of-three")
    return flags, side


def variation(metric, values):
    flags, side = special_causes(values)
    if not flags[-1]:
        return "common"
    good = (side[-1] == "high") == (metric["direction"] == "up")
    return ("improvement-" if good else "concern-") + side[-1]


def check_design(code, metric, values, design):
    problems = []
    status = rag(metric, values)
    if status != design["rag"]:
        problems.append("status %s, designed %s" % (status, design["rag"]))
    if design["variation"] and variation(metric, values) != design["variation"]:
        problems.append("variation %s, designed %s" % (variation(metric, values), design["variation"]))
    flags, _ = special_causes(values)
    if code == "1.1.2":
        outside = [PERIODS[i] for i, f in enumerate(flags) if "outside" in f]
        others = [PERIODS[i] for i, f in enumerate(flags) if f - {"outside"}]
        if outside != ["2023-08"] or others:
            problems.append("outside %s, other special causes %s" % (outside, others))
    if code == "3.1.1" and any(flags):
        problems.append("special cause in what should be noise: %s" % flags)
    if code == "1.2.1" and "trend" not in flags[-1]:
        problems.append("no trend at the end")
    if code in ("1.3.3", "3.2.1", "4.1.4") and "shift" not in flags[-1]:
        problems.append("no shift at the end")
    if metric["unit"] == "percent" and not all(0 <= v <= 100 for v in values):
        problems.append("percent out of range")
    if len(values) < 15:
        problems.append("too few points for an SPC chart")
    return ["%s: %s" % (code, p) for p in problems]


# ---------------------------------------------------------------- the output

MILESTONE_UPDATES = [
    ("1.1.1", "2023-05", "on_track", "Plan agreed; work under way."),
    ("1.1.1", "2023-11", "at_risk", "Behind plan; recovery actions being agreed."),
    ("1.2.3", "2023-07", "on_track", "Recruitment under way."),
    ("1.3.1", "2023-06", "on_track", "Design work under way."),
    ("1.3.1", "2023-12", "off_track", "Behind plan; escalated to the executive lead."),
    ("1.3.2", "2023-09", "at_risk", "Timeline under review with partners."),
    ("1.4.1", "2023-04", "on_track", "Drafting started."),
    ("1.4.1", "2023-12", "complete", "Delivered."),
    ("1.4.2", "2023-08", "on_track", "Work under way on site."),
    ("1.4.3", "2023-05", "on_track", "Work under way."),
    ("1.4.3", "2023-10", "at_risk", "One of the three openings is behind plan."),
    ("2.1.1", "2023-06", "on_track", "Partnerships agreed in some boroughs; others in discussion."),
    ("2.2.1", "2023-07", "on_track", "Draft shared for comment."),
    ("2.2.1", "2023-11", "complete", "Agreed."),
    ("2.3.2", "2023-09", "at_risk", "Work under way; progress slower than planned."),
    ("3.1.2", "2023-10", "complete", "New process in use."),
    ("3.2.2", "2023-06", "not_started", "Not yet started; planned for later in the year."),
    ("3.3.2", "2023-08", "on_track", "Programme designed; first cohort being recruited."),
    ("4.1.1", "2023-09", "complete", "Fund established."),
    ("4.1.2", "2023-07", "on_track", "Academy being set up."),
    ("4.2.1", "2023-05", "on_track", "Plan agreed; work under way."),
    ("4.2.1", "2023-12", "off_track", "Behind plan; recovery plan requested."),
    ("4.2.4", "2023-11", "not_started", "Not yet started; due to begin later in the year."),
]

COMMENTARY = [
    ("1", "2023-10", "Illustrative: most Aim 1 deliverables on track; waiting times remain the main risk."),
    ("2.1", "2023-12", "Illustrative: physical health checks ahead of the trajectory at the last return."),
    ("3", "2023-11", "Illustrative: staff survey results awaited; recommendation rate still below target."),
    ("4.2", "2023-12", "Illustrative: Brilliant Basics behind plan; recovery plan requested."),
]

HEADER = """\
# ILLUSTRATIVE SAMPLE READINGS - NOT THE TRUST'S DATA.
#
# Every number, status and note in this file is made up, to show what
# boardpack does (a mix of R, A, G and B statuses, SPC patterns, a stale
# metric, segment breakdowns). None of it comes from the North London Mental
# Health Partnership or any NHS system. `sample: true` below marks it all as
# illustrative, so the browser's header says SAMPLE DATA while it is shown.
#
# Generated by tools/make_sample_readings.py (deterministic, standard library
# only) from the metrics of data/nlmhp-2023-24.yaml. Do not edit by hand:
# change the script and run `python3 tools/make_sample_readings.py`.
#
# What each metric's series is designed to show, as at 2024-03:
"""


def q(text):
    return json.dumps(text, ensure_ascii=False)


def number(metric, value):
    return str(value) if metric["unit"] == "count" else "%.1f" % value


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    metrics = read_board_metrics(BOARD_FILE)
    designed = set(DESIGNS) | set(DERIVED)
    if set(metrics) != designed:
        sys.exit("make_sample_readings: board metrics %s differ from the designs %s"
                 % (sorted(metrics), sorted(designed)))

    series = {code: series_for(code, metrics[code]) for code in DESIGNS}
    series["3.2.3a"] = [round(100.0 * v / WORKFORCE, 1) for v in series["3.2.3b"]]

    problems = []
    for code in sorted(series):
        design = DESIGNS.get(code) or DERIVED[code]
        problems += check_design(code, metrics[code], series[code], design)
    if problems:
        sys.exit("make_sample_readings: the series do not show their design:\n  "
                 + "\n  ".join(problems))

    order = list(metrics)   # the board's order
    lines = [HEADER.rstrip("\n")]
    for code in order:
        design = DESIGNS.get(code) or DERIVED[code]
        lines.append("#   %-7s %s  %s" % (code, design["rag"], design["pattern"]))
    lines.append("board: {code: nlmhp-2023-24, sample: true}")
    lines.append("readings:")
    for code in order:
        metric = metrics[code]
        lines.append("  # %s" % code)
        values = series[code]
        for i, value in enumerate(values):
            lines.append("  - {metric: %s, period: %s, value: %s}"
                         % (q(code), PERIODS[i], number(metric, value)))
        dimension = metric.get("breakdown")
        if dimension:
            rng = random.Random(zlib.crc32((code + "/segments").encode("ascii")))
            for segment, (factor, offset) in SEGMENTS[dimension].items():
                for i, value in enumerate(values):
                    segment_value = fix(metric, value * factor + offset + noise(rng, SEGMENT_NOISE))
                    lines.append("  - {metric: %s, period: %s, value: %s, segment: %s}"
                                 % (q(code), PERIODS[i], number(metric, segment_value), q(segment)))
    lines.append("milestone_updates:")
    for code, period, status, note in MILESTONE_UPDATES:
        lines.append("  - {deliverable: %s, period: %s, status: %s, note: %s}"
                     % (q(code), period, status, q(note)))
    lines.append("commentary:")
    for node, period, text in COMMENTARY:
        lines.append("  - {node: %s, period: %s, text: %s}" % (q(node), period, q(text)))

    with open(out_path, "w", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
