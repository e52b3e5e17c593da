#!/usr/bin/env bash
# `boardpack report`: the CSV contract of PRODUCT.md on the bundled board,
# and the text and Markdown forms.
. "$(dirname "$0")/lib.sh"

seed_store
run "$BOARDPACK" --db "$DB" report --format csv
expect_status 0 "csv report"
printf '%s\n' "$OUT" | tr -d '\r' >"$WORK/report.csv"
expect_equal "$(head -1 "$WORK/report.csv")" "level,code,title,rag,value,target,period,variation,assurance,stale,sample,lead,previous_rag,movement,awaiting" \
  "csv header: the nine columns of the contract, then stale, sample, lead and the month's"

python3 - "$WORK/report.csv" "$SOURCE_ROOT/data/nlmhp-2023-24.yaml" <<'PYTHON' && pass || fail "csv rows match the bundled board"
import csv, sys, yaml
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
board = yaml.safe_load(open(sys.argv[2]))
expected = []
for aim in board["aims"]:
    expected.append(("aim", str(aim["code"]), aim["title"], None))
    for objective in aim["objectives"]:
        expected.append(("objective", str(objective["code"]), objective["title"], None))
        for deliverable in objective["deliverables"]:
            metric = deliverable.get("metric")
            expected.append(("deliverable", str(deliverable["code"]), deliverable["title"], metric))
            for each in deliverable.get("metrics", []):
                expected.append(("metric", str(each["code"]), each["name"], each))
got = [(r["level"], r["code"], r["title"]) for r in rows]
want = [(level, code, title) for level, code, title, _ in expected]
assert got == want, f"rows differ:\n{got}\n{want}"
assert sum(1 for r in rows if r["level"] == "aim") == 4
assert sum(1 for r in rows if r["level"] == "objective") == 12
for row, (_, _, _, metric) in zip(rows, expected):
    assert row["rag"] in ("R", "A", "G", "B", "-"), row
    if metric:
        assert float(row["target"]) == float(metric["target"]["value"]), row
        assert row["value"] != "" and row["period"] != "", f"sample reading missing: {row}"
        assert row["variation"] in ("common", "improvement-high", "improvement-low", "concern-high",
                                    "concern-low", "neither-high", "neither-low"), row
        assert row["assurance"] in ("pass", "fail", "hit-or-miss"), row
        assert row["stale"] in ("0", "1") and row["sample"] == "1", row
    else:
        assert row["value"] == "" and row["target"] == "", row
statuses = {r["rag"] for r in rows if r["level"] in ("deliverable", "metric")}
assert {"R", "A", "G", "B"} <= statuses, statuses
PYTHON

run "$BOARDPACK" --db "$DB" report
expect_status 0 "text report"
expect_out_contains "SAMPLE DATA" "text report flags sample data"
expect_out_contains "as at Mar 2024" "text report as at"
expect_out_contains "[R]" "text report has badges"

run "$BOARDPACK" --db "$DB" report --format md
expect_status 0 "markdown report"
expect_out_contains "| level | code | title | RAG |" "markdown table"

# As of an earlier month, later readings do not count.
run "$BOARDPACK" --db "$DB" report --format csv --as-of 2023-06
expect_status 0 "as-of report"
latest=$(printf '%s\n' "$OUT" | tr -d '\r' | python3 -c "import csv,sys; print(max(r['period'] for r in csv.DictReader(sys.stdin) if r['period']))")
expect_equal "$latest" "2023-06" "as-of caps the periods"

run "$BOARDPACK" --db "$DB" report --board nlft-2024-25 --format csv
expect_status 0 "report on a board without deliverables"
expect_equal "$(printf '%s\n' "$OUT" | tr -d '\r' | grep -c '^objective,')" "12" "2024/25 objectives"


# The SPC conflict rule (docs/spc.md): when improvement and concern rules both
# flag the latest point, the metric's rule (or its board's) picks the icon and
# the text and Markdown reports say so; the CSV keeps its columns.
conflict="improvement and concern rules both apply to the latest point; this metric shows"
run "$BOARDPACK" --db "$WORK/conflict.db" import "$SOURCE_ROOT/tests/cli/spc_conflict.yaml"
expect_status 0 "import the conflict board"
run "$BOARDPACK" --db "$WORK/conflict.db" report --board spc-conflict --format csv
expect_status 0 "conflict board csv"
icons=$(printf '%s\n' "$OUT" | tr -d '\r' | python3 -c "import csv,sys; print(' '.join(r['code'] + '=' + r['variation'] for r in csv.DictReader(sys.stdin) if r['variation']))")
expect_equal "$icons" "1.1.1=improvement-low 1.1.2=concern-high 1.1.3=common" \
  "the board's rule (improvement), a metric's own (concern), no conflict"
expect_equal "$(printf '%s\n' "$OUT" | head -1 | tr -d '\r')" \
  "level,code,title,rag,value,target,period,variation,assurance,stale,sample,lead,previous_rag,movement,awaiting" "csv header unchanged"
run "$BOARDPACK" --db "$WORK/conflict.db" report --board spc-conflict
expect_out_contains "↓+ improvement (low) [$conflict improvement]" "text says the board's rule chose"
expect_out_contains "↑! concern (high) [$conflict concern]" "text says the metric's rule chose"
expect_equal "$(printf '%s\n' "$OUT" | grep -c "$conflict")" "2" "no words without a conflict"
run "$BOARDPACK" --db "$WORK/conflict.db" report --board spc-conflict --format md
expect_out_contains "| ↑! concern (high) [$conflict concern] |" "markdown says so in the cell"

finish
