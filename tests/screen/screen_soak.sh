#!/usr/bin/env bash
# Concurrency soak: on one store at once, a browser editing from the keyboard
# (values in place, new months, comments), a `boardpack record` loop, and
# three viewers: a --read-only browser with the whole tree open and two
# kiosks cycling through the aims. For SOAK_SECONDS (default 30):
# - no user sees an error: every edit shows its "Recorded" or "Comment
#   added" message, every record prints its confirmation and nothing on
#   stderr, and no screen ever shows a banner or message about a busy,
#   unreadable or damaged store, nor anything from SQLite;
# - no write is lost: every acknowledged write is in the store, with exactly
#   one audit row each and none from the viewers;
# - the viewers converge: once the writers stop, each shows the final value
#   of every metric the writers touched;
# - on SQLite, the store passes integrity_check, and the WAL stays bounded
#   (checkpoints are not starved by the long-lived readers);
# - every program ends cleanly (status 0, nothing on stderr).
# SOAK_SEED replays the choice of writes. The last long run's figures are
# in docs/testing.md.
. "$(dirname "$0")/lib.sh"
seed_store

SECONDS_TO_RUN=${SOAK_SECONDS:-30}
SEED=${SOAK_SEED:-$RANDOM$RANDOM}
SOAK_SOCKET="boardpack-soak-$$"
trap 'tmux -L "$SOAK_SOCKET" kill-server 2>/dev/null; "${TMUX_CMD[@]}" kill-server 2>/dev/null; rm -rf "$WORK"' EXIT
echo "soak: ${SECONDS_TO_RUN}s, seed $SEED"

sql "$DB" "SELECT count(*) FROM audit" >"$WORK/audit-before"
python3 - "$BOARDPACK" "$DB" "$WORK" "$SOAK_SOCKET" "$SECONDS_TO_RUN" "$SEED" "$SCREEN_TIMEOUT" \
  >"$WORK/soak.out" 2>&1 <<'PYTHON'
import os, random, re, shlex, signal, statistics, subprocess, sys, threading, time
sys.path.insert(0, os.path.join(os.environ["SOURCE_ROOT"], "tests", "screen"))
import store_sql

binary, db, work, socket, seconds, seed, timeout = sys.argv[1:8]
seconds, timeout = float(seconds), float(timeout)
rng = random.Random(int(seed))
TMUX = ["tmux", "-L", socket, "-f", "/dev/null"]
EDITED = ["1.1.2", "3.3.1"]              # the browser edits their latest month
RECORDED = ["3.1.1", "4.1.3", "1.2.1"]   # the record loop writes their latest month
ALL = EDITED + RECORDED
# Anything a user could read as trouble with the store.
TROUBLE = re.compile(r"busy|unreadable|cannot|damaged|read-only here|sqlite|database|locked|"
                     r"disk|corrupt|error|failed|try again|no such|not a boardpack", re.I)
problems = []
lock = threading.Lock()

def problem(text):
    with lock:
        problems.append(text)

def tmux(*args):
    return subprocess.run(TMUX + list(args), capture_output=True, text=True).stdout

def screen(session):
    return tmux("capture-pane", "-p", "-t", session)

def keys(session, *names):
    tmux("send-keys", "-t", session, *names)

def typed(session, text):
    tmux("send-keys", "-t", session, "-l", "--", text)

def wait_for(session, text, limit=timeout):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if text in screen(session):
            return True
        time.sleep(0.02)
    return False

env = " ".join(f"{k}={shlex.quote(os.environ[k])}"
               for k in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "ASAN_OPTIONS",
                         "UBSAN_OPTIONS") if k in os.environ)
SESSIONS = {  # name: (width, height, arguments)
    "editor": (120, 40, []),
    "reader": (200, 60, ["--read-only"]),
    "kiosk1": (120, 40, ["--kiosk", "--cycle", "1"]),
    "kiosk2": (100, 30, ["--kiosk", "--cycle", "2"]),
}
for name, (width, height, arguments) in SESSIONS.items():
    command = (f"env LC_ALL=C.UTF-8 TZ=UTC {env} BOARDPACK_DB={shlex.quote(db)} "
               f"{shlex.quote(binary)} {' '.join(arguments)} 2>{work}/{name}.err; "
               f"echo $? >{work}/{name}.status; sleep 100000")
    tmux("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), command)
for name, ready in [("editor", "1.1 We will"), ("reader", "1.1 We will"),
                    ("kiosk1", "Aim 1 of 4"), ("kiosk2", "Aim 1 of 4")]:
    if not wait_for(name, ready):
        problem(f"{name} did not start: {screen(name)!r}")
keys("reader", "*")  # the whole tree, every deliverable on screen
if not wait_for("reader", "4.2.4"):
    problem("the reader did not open the whole tree")

# ---- The record loop, in a thread -------------------------------------------
records = []   # (code, period, value, ok, seconds)
stop = threading.Event()
counter = iter(range(1, 10**9))
counter_lock = threading.Lock()

def next_value():
    """A write's number and a valid percentage; each key has one writer, so
    the order of its acknowledgements says which value must be stored."""
    with counter_lock:
        n = next(counter)
    return n, "%.3f" % ((n % 9990) / 100 + 0.001)

def record_loop():
    try:
        record_writes()
    except Exception as failure:  # the loop must not die unseen
        problem(f"the record loop stopped: {failure!r}")

def record_writes():
    loop_rng = random.Random(int(seed) + 1)
    while not stop.is_set():
        n, value = next_value()
        if loop_rng.random() < 0.5:
            code, period = loop_rng.choice(RECORDED), "2024-03"
        else:  # older months, of the edited metrics too
            code, period = loop_rng.choice(ALL), "2017-%02d" % loop_rng.randint(1, 12)
        started = time.monotonic()
        done = subprocess.run([binary, "--db", db, "record", code, value, "--period", period,
                               "--note", f"soak record {n}"],
                              capture_output=True, text=True)
        took = time.monotonic() - started
        ok = (done.returncode == 0 and done.stderr == ""
              and done.stdout.startswith(f"Recorded {code} {period} = {value}"))
        if not ok:
            problem(f"record {code} {value} {period}: status {done.returncode}, "
                    f"{done.stdout!r} {done.stderr!r}")
        with lock:
            records.append((code, period, value, ok, took))

# ---- Screens: checked for trouble all along ------------------------------
scans = 0
def scan(names=SESSIONS):
    global scans
    for name in names:
        text = screen(name)
        scans += 1
        for line in text.splitlines():
            if TROUBLE.search(line):
                problem(f"{name} shows: {line.strip()!r}")
                return

wal_max = 0
def watch_wal():
    global wal_max
    try:
        wal_max = max(wal_max, os.path.getsize(db + "-wal"))
    except OSError:
        pass

# ---- The editing browser, in this thread ---------------------------------
edits = []      # (kind, code, period, payload, acknowledged, seconds)
latencies = []
thread = threading.Thread(target=record_loop)
started = time.monotonic()
thread.start()
selected = None
previous = None
while time.monotonic() - started < seconds and len(problems) < 20:
    code = rng.choice(EDITED)
    if code != selected:
        keys("editor", "/"); typed("editor", code); keys("editor", "Enter")
        if not wait_for("editor", f"Deliverable {code} "):
            problem(f"editor could not select {code}: {screen('editor')!r}")
            break
        selected = code
    n, value = next_value()
    kind = rng.choice(["edit", "edit", "edit", "add"] + ([] if previous == "comment" else ["comment"]))
    previous = kind
    if kind == "edit":
        period, payload, message = "2024-03", value, f"Recorded {code} 2024-03 = {value} "
        keys("editor", "e", "C-u"); typed("editor", value)
    elif kind == "add":
        period = "2016-%02d" % rng.randint(1, 12)
        payload, message = value, f"Recorded {code} {period} = {value}"
        keys("editor", "a", "C-u"); typed("editor", f"{period} {value}")
    else:
        period, payload = "", f"soak note {n}"
        message = f"Comment added to {code}."
        keys("editor", "c"); typed("editor", payload)
    sent = time.monotonic()
    keys("editor", "Enter")
    acknowledged = wait_for("editor", message, limit=max(timeout, 15))
    took = time.monotonic() - sent
    if acknowledged:
        latencies.append(took)
    else:
        problem(f"editor: no '{message}': {screen('editor')!r}")
    edits.append((kind, code, period, payload, acknowledged, took))
    scan()
    watch_wal()
    # The viewers are exercised too: the reader moves and searches.
    if rng.random() < 0.3:
        keys("reader", rng.choice(["j", "k", "Down", "Up", "Tab", "Tab", "g", "G"]))
if not thread.is_alive():
    problem("the record loop ended before the browser did")
stop.set()
thread.join()
if not records:
    problem("the record loop wrote nothing")
written_at = time.monotonic()
writing_time = written_at - started
watch_wal()

# ---- Convergence: every viewer shows each touched metric's final value ---
final = {}
for kind, code, period, payload, acknowledged, _ in edits:
    if kind == "edit" and acknowledged:
        final[code] = payload
for code, period, value, ok, _ in records:
    if period == "2024-03" and ok:
        final[code] = value
def shows_all(text):
    missing = []
    for code, value in final.items():
        pattern = re.compile(re.escape(code) + r"\s.*\s" + re.escape(value) + "% → ")
        if not any(pattern.search(line) for line in text.splitlines()):
            missing.append(code)
    return missing

# The reader has the whole tree open; make sure its cursor is back at the top.
keys("reader", "g")
converged = {}
seen = {name: set() for name in ("kiosk1", "kiosk2")}
deadline = time.monotonic() + 40
while time.monotonic() < deadline and len(converged) < 4:
    if "reader" not in converged and not shows_all(screen("reader")):
        converged["reader"] = time.monotonic() - written_at
    for name in ("kiosk1", "kiosk2"):
        if name in converged:
            continue
        text = screen(name)
        seen[name] |= set(final) - set(shows_all(text))
        if seen[name] == set(final):
            converged[name] = time.monotonic() - written_at
    if "editor" not in converged:
        # The editor shows only the part of the tree it has open: search for
        # each metric and look at its row.
        for code in final:
            keys("editor", "/"); typed("editor", code); keys("editor", "Enter")
            if not wait_for("editor", f"Deliverable {code} ") or code in shows_all(screen("editor")):
                break
        else:
            converged["editor"] = time.monotonic() - written_at
    scan()
    time.sleep(0.1)
for name in ("editor", "reader", "kiosk1", "kiosk2"):
    if name not in converged:
        missing = shows_all(screen(name)) if name in ("editor", "reader") else \
            sorted(set(final) - seen[name])
        problem(f"{name} never showed the final values of {missing}: {screen(name)!r}")

# ---- The end: each program stops cleanly ---------------------------------
def pid_of(name):
    shell = tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip()
    for line in subprocess.run(["ps", "-o", "pid=,comm=", "--ppid", shell],
                               capture_output=True, text=True).stdout.splitlines():
        pid, comm = line.split(None, 1)
        if comm.strip() == "boardpack":
            return int(pid)
    return None
for name in ("editor", "reader"):
    keys(name, "q")
for name in ("kiosk1", "kiosk2"):
    pid = pid_of(name)
    if pid:
        os.kill(pid, signal.SIGTERM)
for name in SESSIONS:
    path = f"{work}/{name}.status"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not (os.path.exists(path) and os.path.getsize(path)):
        time.sleep(0.05)
    status = open(path).read().strip() if os.path.exists(path) else "none"
    err = open(f"{work}/{name}.err").read() if os.path.exists(f"{work}/{name}.err") else ""
    if status != "0" or err:
        problem(f"{name} ended with status {status}: {err[:300]!r}")
tmux("kill-server")

# ---- The store ------------------------------------------------------------
con = store_sql.connect(db)
def stored(code, period):
    row = con.execute(
        f"SELECT {store_sql.fixed3('r.value')} FROM readings r JOIN metrics m ON m.id = r.metric_id "
        "JOIN boards b ON b.id = m.board_id WHERE b.code = 'nlmhp-2023-24' AND m.code = ? "
        "AND r.period = ? AND r.segment = ''", (code, period)).fetchone()
    return row[0] if row else None
last = {}
for kind, code, period, payload, acknowledged, _ in edits:
    if kind != "comment" and acknowledged:
        last[(code, period)] = payload
for code, period, value, ok, _ in records:
    if ok:
        last[(code, period)] = value
# Each (metric, month) has one writer: the browser edits the latest month of
# its metrics and adds 2016 months; the loop writes the latest month of the
# others and 2017 months of all. So the last acknowledged write to each is
# what the store must hold.
for (code, period), value in sorted(last.items()):
    if stored(code, period) != value:
        problem(f"{code} {period}: stored {stored(code, period)}, last acknowledged {value}")
notes = {t for (t,) in con.execute("SELECT text FROM commentary WHERE text LIKE 'soak note %'")}
for kind, code, period, payload, acknowledged, _ in edits:
    if kind == "comment" and acknowledged and payload not in notes:
        problem(f"comment {payload!r} lost")
written = sum(1 for e in edits if e[4]) + sum(1 for r in records if r[3])
total_audit = int(con.execute("SELECT count(*) FROM audit").fetchone()[0])
if not store_sql.ON_PG:  # SQLite's own check of its file
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    if integrity != "ok":
        problem(f"integrity_check: {integrity}")
con.close()

record_times = [r[4] for r in records]
print(f"written for {writing_time:.0f} s: editor {sum(1 for e in edits if e[4])} of {len(edits)} "
      f"edits acknowledged, record {sum(1 for r in records if r[3])} of {len(records)}")
if latencies:
    print(f"editor Enter to message: median {statistics.median(latencies) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms")
if record_times:
    print(f"record: median {statistics.median(record_times) * 1000:.0f} ms, "
          f"max {max(record_times) * 1000:.0f} ms")
print(f"screens checked for trouble: {scans}")
print("converged after the last write: " +
      ", ".join(f"{name} {converged[name]:.1f} s" for name in sorted(converged)))
if not store_sql.ON_PG:
    print(f"WAL at most {wal_max // 1024} KiB")
print(f"writes acknowledged: {written}")
print(f"audit rows: {total_audit}")
for p in problems[:30]:
    print("problem:", p)
print(f"problems: {len(problems)}")
PYTHON
STATUS=$?
expect_status 0 "the soak ran"
cat "$WORK/soak.out"
expect_equal "$(sed -n 's/^problems: //p' "$WORK/soak.out")" "0" \
  "no error shown, no write lost, every viewer converged, every program ended cleanly"

# One audit row per acknowledged write, and none from anyone else.
written=$(sed -n 's/^writes acknowledged: //p' "$WORK/soak.out")
audits=$(sed -n 's/^audit rows: //p' "$WORK/soak.out")
expect_equal "$audits" "$((written + $(cat "$WORK/audit-before")))" "exactly one audit row per acknowledged write"
# SQLite's file: its own check, and its WAL. With several readers holding
# the store open, checkpoints still keep the WAL near SQLite's 1,000-page
# mark (4 MiB) rather than growing with every write.
if ! on_pg; then
  expect_equal "$(sqlite3 -batch "$DB" 'PRAGMA integrity_check')" "ok" "integrity_check after the soak"
  wal_kib=$(sed -n 's/^WAL at most \([0-9]*\) KiB/\1/p' "$WORK/soak.out")
  if [ "${wal_kib:-99999}" -le 8192 ]; then pass; else fail "the WAL grew to ${wal_kib} KiB"; fi
fi
finish
