#!/usr/bin/env bash
# Crash safety: hundreds of `boardpack record` writes, many of them killed
# with SIGKILL at a random moment. Afterwards every acknowledged write (exit
# 0 and its "Recorded ..." line) is in the store with its value, every
# reading has the audit row written in its transaction (nothing
# half-written), no write appears that was never attempted, and (on SQLite)
# PRAGMA integrity_check says ok.
#
# CRASH_ATTEMPTS (default 1000, at most 1000) and CRASH_SEED (default random, printed) make
# a run longer or repeatable.
. "$(dirname "$0")/lib.sh"

seed_store   # seeds the store
expect_status 0 "seed"

SEED=${CRASH_SEED:-$RANDOM$RANDOM}
ATTEMPTS=${CRASH_ATTEMPTS:-1000}
echo "crash safety: seed $SEED, $ATTEMPTS attempts"

# The driver: calibrates how long one write takes, then starts each write
# and kills it after a random delay between 0 and 1.3 times that, so kills
# land while the process starts, opens the store, writes, commits and
# exits; the delay adapts so that about half the writes finish. Writes go to 12 months of 2015 (no sample readings there) across
# every metric of the board, some to a segment, so many replace an earlier
# one. Each write's value and note name it. The log has one line per write.
# It runs at low priority (nice) so tests running beside it keep their pace.
# The board's metrics, for the driver: code, unit and, for a metric with a
# breakdown, its first declared segment (a reading for any other is
# refused), or one of our own where it declares none.
sql "$DB" "SELECT m.code, m.unit, CASE WHEN m.breakdown IS NULL THEN '' ELSE coalesce(
  (SELECT s.name FROM metric_segments s WHERE s.metric_id = m.id ORDER BY s.position LIMIT 1),
  'Crash Test') END FROM metrics m
  JOIN boards b ON b.id = m.board_id WHERE b.code = 'nlmhp-2023-24' ORDER BY m.code" >"$WORK/metrics.txt"
nice -n 10 python3 - "$BOARDPACK" "$DB" "$SEED" "$ATTEMPTS" "$WORK/attempts.tsv" "$WORK/metrics.txt" \
  >"$WORK/driver.out" 2>&1 <<'PYTHON'
import random, re, statistics, subprocess, sys, time

binary, db, seed, attempts, log_path, metrics_path = sys.argv[1:7]
rng = random.Random(int(seed))
attempts = int(attempts)
with open(metrics_path) as lines:
    metrics = [tuple(line.rstrip("\n").split("|")) for line in lines if line.strip()]
metrics = [(code, unit, segment or None) for code, unit, segment in metrics]
assert metrics, "no metrics on the bundled board"

def value_for(i, unit):
    # Distinct for every write (i < 1000) and valid for the unit.
    return float(i) if unit == "count" else (i % 1000) / 10

def plan(i):
    code, unit, breakdown_segment = rng.choice(metrics)
    period = "2015-%02d" % rng.randint(1, 12)
    segment = breakdown_segment if breakdown_segment and rng.random() < 0.3 else ""
    return code, period, segment, value_for(i, unit), f"crash-test {i}"

def command(code, period, segment, value, note):
    args = [binary, "--db", db, "record", code, "%.15g" % value, "--period", period,
            "--note", note]
    if segment:
        args += ["--segment", segment]
    return args

unexpected = 0
with open(log_path, "w") as log:
    def write_log(i, planned, acked, killed, status):
        code, period, segment, value, note = planned
        log.write("\t".join([str(i), code, period, segment, "%.15g" % value, note,
                             str(int(acked)), str(int(killed)), str(status)]) + "\n")

    def expected_line(code, period, segment, value):
        shown = "%.15g" % value
        return f"Recorded {code} {period}{' ' + segment if segment else ''} = {shown}"

    # Calibration: the first 15 writes run to completion; they count too.
    durations = []
    for i in range(15):
        planned = plan(i)
        started = time.perf_counter()
        done = subprocess.run(command(*planned), capture_output=True, text=True)
        durations.append(time.perf_counter() - started)
        acked = done.returncode == 0 and done.stdout.startswith(expected_line(*planned[:4]))
        if not acked:
            unexpected += 1
            print(f"calibration write {i} failed: {done.returncode} {done.stdout!r} {done.stderr!r}")
        write_log(i, planned, acked, False, done.returncode)
    typical = statistics.median(durations)
    print(f"one write takes {typical * 1000:.1f} ms")

    for i in range(15, attempts):
        planned = plan(i)
        process = subprocess.Popen(command(*planned), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0, 1.3 * typical))
        killed = process.poll() is None
        if killed:
            process.kill()
        out, err = process.communicate()
        status = process.returncode
        # Keep about half the writes finishing, however loaded the machine
        # is: stretch the delay after a kill, shrink it after a finish.
        typical = typical * 1.03 if killed else typical / 1.03
        # Acknowledged: the confirmation was printed, which happens only
        # after the commit (and exit 0 needs it).
        acked = out.startswith(expected_line(*planned[:4]))
        if status == 0 and not acked or status not in (0, -9):
            unexpected += 1
            print(f"write {i} ended with status {status}: {out!r} {err!r}")
        # LeakSanitizer's exit-time thread may complain as it is killed;
        # anything else a killed write printed is a finding.
        err = "".join(line for line in err.splitlines(True)
                      if not re.match(r"==\d+==Unable to get registers", line))
        if status == -9 and err:
            print(f"write {i} wrote to stderr before it was killed: {err!r}")
            unexpected += 1
        write_log(i, planned, acked, status == -9, status)
print(f"unexpected outcomes: {unexpected}")
PYTHON
expect_status 0 "the driver ran"
cat "$WORK/driver.out"
expect_equal "$(sed -n 's/^unexpected outcomes: //p' "$WORK/driver.out")" "0" \
  "every write either succeeded or was killed"

total=$(wc -l <"$WORK/attempts.tsv")
acked=$(awk -F'\t' '$7 == 1' "$WORK/attempts.tsv" | wc -l)
killed=$(awk -F'\t' '$8 == 1' "$WORK/attempts.tsv" | wc -l)
echo "crash safety: $total writes, $killed killed with SIGKILL, $acked acknowledged"
expect_equal "$total" "$ATTEMPTS" "every attempt logged"
if [ "$killed" -ge $((ATTEMPTS / 10)) ]; then pass; else
  fail "only $killed of $ATTEMPTS writes were killed; the test is not killing enough"; fi
if [ "$acked" -ge $((ATTEMPTS / 10)) ]; then pass; else
  fail "only $acked of $ATTEMPTS writes were acknowledged; too few to check"; fi

# The store after the crashes: SQLite's own check first (through the shell,
# which recovers the WAL the killed writers left behind). Not on PostgreSQL:
# there a killed client's transaction is the server's to roll back, and it
# checks every foreign key as it commits.
if ! on_pg; then
  expect_equal "$(sqlite3 -batch "$DB" 'PRAGMA integrity_check')" "ok" "integrity_check after SIGKILLs"
  expect_equal "$(sqlite3 -batch "$DB" 'PRAGMA foreign_key_check' | wc -l)" "0" \
    "foreign_key_check after SIGKILLs"
fi

# Then what boardpack itself reads back.
"$BOARDPACK" --db "$DB" export --format csv >"$WORK/export.csv" 2>"$WORK/export.err"
STATUS=$?
ERR=$(cat "$WORK/export.err")
expect_status 0 "export after the crashes"

# The audit rows of the writes, for the check.
sql "$DB" "SELECT node_code, new_value FROM audit
  WHERE action IN ('record-reading', 'replace-reading') AND new_value LIKE '2015-%' ORDER BY id" \
  >"$WORK/audit.txt"
python3 - "$WORK/audit.txt" "$WORK/attempts.tsv" "$WORK/export.csv" >"$WORK/check.out" 2>&1 <<'PYTHON'
import csv, sys

audit_path, log_path, export_path = sys.argv[1:4]
writes = []
with open(log_path) as log:
    for line in log:
        i, code, period, segment, value, note, acked, killed, status = line.rstrip("\n").split("\t")
        writes.append(dict(i=int(i), key=(code, period, segment), value=value, note=note,
                           acked=acked == "1"))
problems = []

# Per key: the last acknowledged write, and the writes after it (unacknowledged,
# so they may or may not have committed). The store must hold one of those.
by_key = {}
for write in writes:
    by_key.setdefault(write["key"], []).append(write)

stored = {}
with open(export_path, newline="") as export:
    for row in csv.DictReader(export):
        if row["board"] == "nlmhp-2023-24" and row["period"].startswith("2015-"):
            stored[(row["metric"], row["period"], row["segment"])] = row
for key in stored:
    if key not in by_key:
        problems.append(f"{key}: a reading that no write attempted")

audit = {}
audit_rows = 0
with open(audit_path) as lines:
    audit_lines = [line.rstrip("\n").split("|", 1) for line in lines if line.strip()]
for node, new_value in audit_lines:
    audit_rows += 1
    where, _, value = new_value.rpartition("=")
    period, _, segment = where.partition(" ")
    audit.setdefault((node, period, segment), []).append(value)
    if (node, period, segment) not in by_key:
        problems.append(f"audit row {node} {new_value}: no write attempted it")

checked = 0
for key, history in by_key.items():
    acked = [w for w in history if w["acked"]]
    last = acked[-1] if acked else None
    possible = [w for w in history if last is None or w["i"] >= last["i"]]
    row = stored.get(key)
    if row is None:
        if last:
            problems.append(f"{key}: acknowledged write {last['i']} ({last['value']}) is lost")
        if key in audit:
            problems.append(f"{key}: audited {audit[key]} but no reading")
        continue
    match = [w for w in possible if w["note"] == row["note"]]
    if not match:
        problems.append(f"{key}: holds {row['value']} ({row['note']!r}); expected one of "
                        f"{[w['note'] for w in possible]}")
        continue
    if float(row["value"]) != float(match[0]["value"]):
        problems.append(f"{key}: value {row['value']}, but {match[0]['note']} wrote {match[0]['value']}")
    # Nothing half-written: the reading's transaction also wrote its audit row.
    if not audit.get(key) or float(audit[key][-1]) != float(row["value"]):
        problems.append(f"{key}: reading {row['value']} has no matching audit row "
                        f"(audit says {audit.get(key)})")
    if last:
        checked += 1

acknowledged = sum(w["acked"] for w in writes)
if not acknowledged <= audit_rows <= len(writes):
    problems.append(f"{audit_rows} audit rows for {acknowledged} acknowledged of {len(writes)} writes")
for problem in problems[:20]:
    print("problem:", problem)
print(f"keys with an acknowledged write checked: {checked}")
print(f"committed writes (audit rows): {audit_rows}")
print(f"problems: {len(problems)}")
PYTHON
cat "$WORK/check.out"
expect_equal "$(sed -n 's/^problems: //p' "$WORK/check.out")" "0" \
  "every acknowledged write present, every reading audited, nothing unattempted"

# The store still takes writes and reads after all that.
run "$BOARDPACK" --db "$DB" record 1.1.2 50 --period 2016-01
expect_status 0 "record after the crashes"
run "$BOARDPACK" --db "$DB" report --format csv
expect_status 0 "report after the crashes"
if ! on_pg; then # as above
  expect_equal "$(sqlite3 -batch "$DB" 'PRAGMA integrity_check')" "ok" "integrity_check at the end"
fi

finish
