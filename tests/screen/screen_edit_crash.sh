#!/usr/bin/env bash
# Crash safety of the editing browser: the browser in a tmux pane makes edits
# from the keyboard (a value edited in place, a month added, a comment), and
# is killed with SIGKILL at random moments: while its write is committing,
# while a value is half typed, while it starts. A write is acknowledged when
# the browser showed its "Recorded ..." or "Comment added ..." message (drawn
# only after the commit). Afterwards: PRAGMA integrity_check is ok; every
# acknowledged write is in the store; every reading's audit trail is an
# unbroken chain ending at the stored value (nothing half-written); nothing
# appears that was never submitted; the kept derived data (each metric's
# latest readings, every node's status) agrees with the readings; and a new
# browser shows the surviving values, audit rows and comments.
#
# EDIT_CRASH_ROUNDS (default 150) sets the number of browser sessions and
# EDIT_CRASH_SEED (default random, printed) replays a run.
. "$(dirname "$0")/lib.sh"
seed_store

SEED=${EDIT_CRASH_SEED:-$RANDOM$RANDOM}
ROUNDS=${EDIT_CRASH_ROUNDS:-150}
CRASH_SOCKET="boardpack-crash-$$"
trap 'tmux -L "$CRASH_SOCKET" kill-server 2>/dev/null; "${TMUX_CMD[@]}" kill-server 2>/dev/null; rm -rf "$WORK"' EXIT
echo "edit crash safety: seed $SEED, $ROUNDS browser sessions"

# The driver. Each round starts a browser (exec'd in the pane, so the pane's
# process is the browser), selects a metric, and makes 1 to 4 writes; the
# last is followed by SIGKILL after a random delay between 0 and twice a
# typical time from Enter to the commit, which adapts (from a look at the
# store after each kill) so that kills fall before, during and after the
# commit. Whether the message was shown is read from the dead pane, which
# keeps what the browser drew. One round in ten is killed
# while the last value is being typed (before Enter), and one in ten while
# the browser starts. It runs at low priority (nice) so tests beside it keep
# their pace, and logs one line per write.
nice -n 10 python3 - "$BOARDPACK" "$DB" "$WORK" "$CRASH_SOCKET" "$SEED" "$ROUNDS" \
  "${SCREEN_TIMEOUT}" >"$WORK/driver.out" 2>&1 <<'PYTHON'
import os, random, shlex, signal, statistics, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["SOURCE_ROOT"], "tests", "screen"))
import store_sql

binary, db, work, socket, seed, rounds, timeout = sys.argv[1:8]
rng = random.Random(int(seed))
rounds, timeout = int(rounds), float(timeout)
TMUX = ["tmux", "-L", socket, "-f", "/dev/null"]
METRICS = ["1.1.2", "3.1.1", "3.3.1", "4.1.3"]  # percent, no breakdown
problems = []

def tmux(*args):
    return subprocess.run(TMUX + list(args), capture_output=True, text=True).stdout

def screen():
    return tmux("capture-pane", "-p", "-t", "crash")

def keys(*names):
    tmux("send-keys", "-t", "crash", *names)

def typed(text):
    tmux("send-keys", "-t", "crash", "-l", "--", text)

def wait_for(text, limit=timeout):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if text in screen():
            return True
        time.sleep(0.01)
    return False

def browser_pid():
    """The pane's process once it is the browser (env execs it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = tmux("display-message", "-p", "-t", "crash", "#{pane_pid}").strip()
        try:
            if pid and open(f"/proc/{pid}/comm").read().strip() == "boardpack":
                return int(pid)
        except OSError:
            pass
        time.sleep(0.005)
    return None

def kill(pid):
    """SIGKILL to our browser, then wait until it is gone."""
    try:
        if open(f"/proc/{pid}/comm").read().strip() == "boardpack":
            os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except OSError:
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.005)
    problems.append(f"browser {pid} did not die")

def pane_dead():
    """Waits until tmux has seen the pane's process end (and so has read
    everything it wrote)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if tmux("display-message", "-p", "-t", "crash", "#{pane_dead}").strip() == "1":
            return True
        time.sleep(0.005)
    problems.append("a killed browser's pane never showed as dead")
    return False

def committed(kind, code, period, payload):
    """Whether a write's audit row is in the store (read-only look)."""
    con = store_sql.connect(db)
    try:
        if kind == "comment":
            row = con.execute("SELECT 1 FROM audit WHERE action = 'add-comment' AND new_value = ?",
                              (payload,)).fetchone()
        else:
            row = con.execute("SELECT 1 FROM audit WHERE node_code = ? AND new_value = ?",
                              (code, f"{period}={float(payload):g}")).fetchone()
        return row is not None
    finally:
        con.close()

env = {k: os.environ[k] for k in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME") if k in os.environ}
command = "exec env LC_ALL=C.UTF-8 TZ=UTC " + " ".join(
    f"{k}={shlex.quote(v)}" for k, v in env.items()) + \
    f" BOARDPACK_DB={shlex.quote(db)} {shlex.quote(binary)} 2>>{shlex.quote(work + '/browser.err')}"
tmux("new-session", "-d", "-s", "crash", "-x", "120", "-y", "40", "sleep 100000")
tmux("set-option", "-g", "remain-on-exit", "on")

log = open(f"{work}/writes.tsv", "w")
index = 0
latencies = []      # Enter to message on screen, for acknowledged writes
startups = []       # start to first frame
typical = None
kills = {"commit": 0, "typing": 0, "start": 0}
shown_then_killed = 0
try:
    for round_number in range(rounds):
        tmux("respawn-pane", "-k", "-t", "crash", command)
        started = time.monotonic()
        pid = browser_pid()
        if pid is None:
            problems.append(f"round {round_number}: the browser did not start")
            break
        mode = rng.random()
        if mode < 0.1 and startups:
            time.sleep(rng.uniform(0, 1.3 * statistics.median(startups)))
            kill(pid)
            kills["start"] += 1
            continue
        if not wait_for("1.1 We will"):
            problems.append(f"round {round_number}: no first frame: {screen()!r}")
            kill(pid)
            continue
        startups.append(time.monotonic() - started)
        code = rng.choice(METRICS)
        keys("/"); typed(code); keys("Enter")
        if not wait_for(f"Deliverable {code} "):
            problems.append(f"round {round_number}: could not select {code}")
            kill(pid)
            continue
        writes = rng.randint(1, 4)
        previous = None
        for w in range(writes):
            last = w == writes - 1
            index += 1
            value = "%.3f" % (index / 100 + 0.001)  # unique, and never a sample value
            kind = rng.choice(["edit", "edit", "add"] + ([] if previous == "comment" else ["comment"]))
            previous = kind
            if kind == "edit":
                period, payload = "2024-03", value
                keys("e", "C-u"); typed(value)
                message = f"Recorded {code} 2024-03 = {value} "
            elif kind == "add":
                period, payload = "2015-%02d" % rng.randint(1, 12), value
                keys("a", "C-u"); typed(f"{period} {value}")
                message = f"Recorded {code} {period} = {value}"
            else:
                period, payload = "", f"crash note {index}"
                keys("c"); typed(payload)
                message = f"Comment added to {code}."
            submitted = acked = False
            if last and mode < 0.2:
                # Killed while typing: the write was never submitted.
                time.sleep(rng.uniform(0, 0.05))
                kill(pid)
                kills["typing"] += 1
            else:
                submitted = True
                if not last:
                    sent = time.monotonic()
                    keys("Enter")
                    acked = wait_for(message)
                    if not acked:
                        problems.append(f"write {index}: no '{message}': {screen()!r}")
                        kill(pid)
                        log.write("\t".join(map(str, [index, round_number, kind, code, period,
                                                      payload, 1, 0])) + "\n")
                        break
                    latencies.append(time.monotonic() - sent)
                    if typical is None:
                        typical = latencies[0] / 2
                else:
                    # Enter goes in from another process, so the kill can
                    # land before it arrives, during the commit or after.
                    delay = rng.uniform(0, 2 * (typical or 0.005))
                    sent = time.monotonic()
                    sender = subprocess.Popen(TMUX + ["send-keys", "-t", "crash", "Enter"])
                    time.sleep(max(0.0, delay - (time.monotonic() - sent)))
                    kill(pid)
                    sender.wait()
                    kills["commit"] += 1
                    # What the browser drew before it died stays in the dead
                    # pane (tmux adds a "Pane is dead" line below it).
                    acked = pane_dead() and message in screen()
                    shown_then_killed += acked
                    # Aim the kills at the commit: stretch the delay after a
                    # kill that came before it, shrink it after one that came
                    # after, so that kills fall on both sides of it.
                    if typical is not None:
                        typical = typical / 1.1 if committed(kind, code, period, payload) \
                            else typical * 1.1
            log.write("\t".join(map(str, [index, round_number, kind, code, period, payload,
                                          int(submitted), int(acked)])) + "\n")
finally:
    log.close()
    tmux("kill-server")

if typical is not None:
    print(f"kill delays: 0 to {2 * typical * 1000:.1f} ms after Enter at the end")
print(f"writes {index}, kills while committing {kills['commit']} "
      f"(message already shown {shown_then_killed}), while typing {kills['typing']}, "
      f"while starting {kills['start']}")
if latencies:
    print(f"Enter to message: median {statistics.median(latencies) * 1000:.0f} ms")
for problem in problems:
    print("problem:", problem)
print(f"driver problems: {len(problems)}")
PYTHON
STATUS=$?
expect_status 0 "the driver ran"
cat "$WORK/driver.out"
expect_equal "$(sed -n 's/^driver problems: //p' "$WORK/driver.out")" "0" "every round ran as planned"
total=$(wc -l <"$WORK/writes.tsv")
submitted=$(awk -F'\t' '$7 == 1' "$WORK/writes.tsv" | wc -l)
acked=$(awk -F'\t' '$8 == 1' "$WORK/writes.tsv" | wc -l)
echo "edit crash safety: $total writes typed, $submitted submitted, $acked acknowledged"
if [ "$acked" -ge $((ROUNDS / 2)) ]; then pass; else fail "only $acked acknowledged writes"; fi
commit_kills=$(sed -n 's/^writes [0-9]*, kills while committing \([0-9]*\).*/\1/p' "$WORK/driver.out")
if [ "${commit_kills:-0}" -ge $((ROUNDS / 2)) ]; then pass; else
  fail "only ${commit_kills:-0} kills while committing"; fi
# A killed browser prints nothing (LeakSanitizer's thread may complain as it
# is killed under the sanitisers; that is not the browser's output).
expect_equal "$(grep -vE '^==[0-9]+==Unable to get registers' "$WORK/browser.err" 2>/dev/null)" "" \
  "the killed browsers wrote nothing to stderr"

if on_pg; then
  # The server's side of the killed browsers: no transaction left open, no
  # writers' lock held (the server may take a moment to see a connection die).
  left_open() {
    "$PSQL" -X -A -t -q "$DB" -c "SELECT (SELECT count(*) FROM pg_stat_activity WHERE
        datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%')
      || ' ' || (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory')" </dev/null
  }
  left_none() { [ "$(left_open)" = "0 0" ]; }
  poll "no transaction left open, no lock held after SIGKILLs" left_open left_none
  # The kept statuses, recomputed from scratch on a copy of the schema:
  # boardpack fills in the statuses of any board that has none when it opens
  # a store to write.
  COPY_SCHEMA=${PG_SCHEMA}_fresh
  COPY=${DB/"$PG_SCHEMA"/"$COPY_SCHEMA"}
  "$(dirname "$PSQL")/pg_dump" --schema="$PG_SCHEMA" --no-owner "$BOARDPACK_TEST_PG" </dev/null |
    sed "s/\b$PG_SCHEMA\b/$COPY_SCHEMA/g" |
    "$PSQL" -X -q -v ON_ERROR_STOP=1 "$BOARDPACK_TEST_PG" >/dev/null
  copy_sql() { "$PSQL" -X -A -t -q -v ON_ERROR_STOP=1 "$COPY" -c "$1" </dev/null; }
  copy_sql "DELETE FROM node_status; DELETE FROM board_status;"
  "$BOARDPACK" --db "$COPY" record no-such-metric 1 >/dev/null 2>&1
  expect_equal "$(copy_sql "SELECT count(*) FROM board_status")" \
    "$(sql "$DB" "SELECT count(*) FROM boards")" "statuses recomputed on the copy"
  store_names=("$PG_SCHEMA" "$COPY_SCHEMA")
else
  # The store after the crashes: SQLite's own checks, through the sqlite3
  # shell (which recovers the WAL the killed browsers left).
  expect_equal "$(sqlite3 -batch "$DB" 'PRAGMA integrity_check')" "ok" "integrity_check after SIGKILLs"
  expect_equal "$(sqlite3 -batch "$DB" 'PRAGMA foreign_key_check' | wc -l)" "0" \
    "foreign_key_check after SIGKILLs"

  # The kept statuses, recomputed from scratch on a copy: boardpack fills in
  # the statuses of any board that has none when it opens a store to write.
  sqlite3 -batch "$DB" ".backup '$WORK/copy.db'"
  sqlite3 -batch "$WORK/copy.db" "DELETE FROM node_status; DELETE FROM board_status;"
  "$BOARDPACK" --db "$WORK/copy.db" record no-such-metric 1 >/dev/null 2>&1
  expect_equal "$(sql "$WORK/copy.db" "SELECT count(*) FROM board_status")" \
    "$(sql "$DB" "SELECT count(*) FROM boards")" "statuses recomputed on the copy"
  store_names=(main fresh)
fi

python3 - "$DB" "$WORK/copy.db" "$WORK/writes.tsv" "${store_names[@]}" >"$WORK/check.out" 2>&1 <<'PYTHON'
import os, sys
sys.path.insert(0, os.path.join(os.environ["SOURCE_ROOT"], "tests", "screen"))
import store_sql

# The store and its copy with statuses afresh: on SQLite, "main" and the
# copy's file attached as "fresh"; on PostgreSQL, the two schemas.
db, copy, log_path, main, fresh = sys.argv[1:6]
writes = []
for line in open(log_path):
    i, rnd, kind, code, period, payload, submitted, acked = line.rstrip("\n").split("\t")
    writes.append(dict(i=int(i), kind=kind, code=code, period=period, payload=payload,
                       submitted=submitted == "1", acked=acked == "1"))
con = store_sql.connect(db)
problems = []
board = "nlmhp-2023-24"

# Readings: per (metric, month), the audit rows in order must form a chain
# from the sample value (or nothing) through submitted writes, in the order
# they were made, to the stored value; every acknowledged write is in it.
keys = {}
for w in writes:
    if w["kind"] != "comment":
        keys.setdefault((w["code"], w["period"]), []).append(w)
checked = 0
for (code, period), history in sorted(keys.items()):
    by_value = {w["payload"]: w for w in history}
    rows = con.execute(
        "SELECT action, old_value, new_value FROM audit WHERE board_code = ? AND node_code = ? "
        "AND action IN ('record-reading', 'replace-reading') AND new_value LIKE ? ORDER BY id",
        (board, code, period + "=%")).fetchall()
    stored = con.execute(
        f"SELECT {store_sql.fixed3('r.value')}, r.note FROM readings r JOIN metrics m ON m.id = r.metric_id "
        "JOIN boards b ON b.id = m.board_id WHERE b.code = ? AND m.code = ? AND r.period = ? "
        "AND r.segment = ''", (board, code, period)).fetchone()
    chain = []
    previous_new = None
    for action, old, new in rows:
        value = "%.3f" % float(new.split("=", 1)[1])
        w = by_value.get(value)
        if w is None or not w["submitted"]:
            problems.append(f"{code} {period}: audit row {new} is no submitted write")
            continue
        if chain and w["i"] <= chain[-1]["i"]:
            problems.append(f"{code} {period}: audit rows out of order at {new}")
        if previous_new is not None and old != previous_new:
            problems.append(f"{code} {period}: chain broken: {old} after {previous_new}")
        previous_new = new
        chain.append(w)
    in_chain = {w["i"] for w in chain}
    for w in history:
        if w["acked"] and w["i"] not in in_chain:
            problems.append(f"{code} {period}: acknowledged write {w['i']} ({w['payload']}) lost")
        if not w["submitted"] and w["i"] in in_chain:
            problems.append(f"{code} {period}: write {w['i']} was never submitted but is stored")
    if chain:
        if stored is None or stored[0] != chain[-1]["payload"]:
            problems.append(f"{code} {period}: stored {stored}, last audited {chain[-1]['payload']}")
        checked += 1
    elif period.startswith("2015") and stored is not None:
        problems.append(f"{code} {period}: a reading {stored} with no audit row")

# Comments: every acknowledged one is stored with its audit row; none that
# was not submitted; no audit row without its comment.
comments = {w["payload"]: w for w in writes if w["kind"] == "comment"}
stored_comments = {text for (text,) in con.execute(
    "SELECT text FROM commentary WHERE text LIKE 'crash note %'")}
audited_comments = [new for (new,) in con.execute(
    "SELECT new_value FROM audit WHERE action = 'add-comment' AND new_value LIKE 'crash note %'")]
for text, w in comments.items():
    if w["acked"] and text not in stored_comments:
        problems.append(f"acknowledged comment {text!r} lost")
    if not w["submitted"] and text in stored_comments:
        problems.append(f"comment {text!r} was never submitted but is stored")
for text in stored_comments:
    if text not in comments:
        problems.append(f"comment {text!r} was never typed")
if sorted(audited_comments) != sorted(stored_comments):
    problems.append(f"comments and their audit rows differ: {len(stored_comments)} stored, "
                    f"{len(audited_comments)} audited")

# The kept latest readings agree with the readings themselves.
differs = "IS DISTINCT FROM" if store_sql.ON_PG else "IS NOT"
stale = con.execute(f"""
    SELECT m.code FROM metrics m JOIN metric_latest l ON l.metric_id = m.id
    WHERE l.period {differs} (SELECT period FROM readings r WHERE r.metric_id = m.id
                            AND r.segment = '' ORDER BY period DESC LIMIT 1)
       OR l.value {differs} (SELECT value FROM readings r WHERE r.metric_id = m.id
                           AND r.segment = '' ORDER BY period DESC LIMIT 1)
       OR l.previous_period {differs} (SELECT period FROM readings r WHERE r.metric_id = m.id
                                     AND r.segment = '' ORDER BY period DESC LIMIT 1 OFFSET 1)
       OR l.previous_value {differs} (SELECT value FROM readings r WHERE r.metric_id = m.id
                                    AND r.segment = '' ORDER BY period DESC LIMIT 1 OFFSET 1)
       OR l.newest_period {differs} (SELECT max(period) FROM readings r WHERE r.metric_id = m.id)
""").fetchall()
missing = int(con.execute("SELECT count(*) FROM metrics WHERE id NOT IN "
                          "(SELECT metric_id FROM metric_latest)").fetchone()[0])
if stale or missing:
    problems.append(f"kept latest readings disagree for {[c for (c,) in stale]}, {missing} missing")
# The kept statuses agree with statuses computed afresh (on the copy): no
# row in one that is not in the other, either way.
if not store_sql.ON_PG:
    con.execute("ATTACH ? AS fresh", (f"file:{copy}?mode=ro",))
def rows_apart(table):
    return int(con.execute(f"""
        SELECT (SELECT count(*) FROM (SELECT * FROM {main}.{table}
                                      EXCEPT SELECT * FROM {fresh}.{table}) kept_only)
             + (SELECT count(*) FROM (SELECT * FROM {fresh}.{table}
                                      EXCEPT SELECT * FROM {main}.{table}) fresh_only)
    """).fetchone()[0])
differ = rows_apart("node_status")
differ_boards = rows_apart("board_status")
if differ or differ_boards:
    problems.append(f"kept statuses differ from fresh ones: {differ} node rows, {differ_boards} board rows")

# How the kills fell: of the submitted writes killed before their message
# was seen, how many had committed anyway.
committed_ids = set()
for (code, period), history in keys.items():
    for (new,) in con.execute(
            "SELECT new_value FROM audit WHERE node_code = ? AND new_value LIKE ?",
            (code, period + "=%")):
        value = "%.3f" % float(new.split("=", 1)[1])
        committed_ids.update(w["i"] for w in history if w["payload"] == value)
committed_ids.update(w["i"] for w in comments.values() if w["payload"] in stored_comments)
unshown = [w for w in writes if w["submitted"] and not w["acked"]]
print(f"killed after Enter, before the message: {len(unshown)}, of which committed: "
      f"{sum(w['i'] in committed_ids for w in unshown)}")
for problem in problems[:30]:
    print("problem:", problem)
print(f"readings with audited writes checked: {checked}")
print(f"comments typed {len(comments)}, stored {len(stored_comments)}")
print(f"problems: {len(problems)}")
PYTHON
cat "$WORK/check.out"
expect_equal "$(sed -n 's/^problems: //p' "$WORK/check.out")" "0" \
  "acknowledged writes present, audit chains unbroken, nothing unsubmitted, derived data agrees"

# A new browser shows what survived: each metric's stored value in the tree
# and the detail pane, its newest change in the history, and the newest
# surviving comment in the commentary.
start 200 50
wait_for "1.1 We will" "browser starts on the crashed store"
for code in 1.1.2 3.1.1 3.3.1 4.1.3; do
  value=$(sql "$DB" "SELECT $(sql_g r.value) FROM readings r JOIN metrics m ON m.id = r.metric_id
                     JOIN boards b ON b.id = m.board_id WHERE b.code = 'nlmhp-2023-24'
                     AND m.code = '$code' AND r.period = '2024-03' AND r.segment = ''")
  newest=$(sql "$DB" "SELECT action || ' $code: ' || coalesce(old_value, '-') FROM audit WHERE node_code = '$code' ORDER BY id DESC LIMIT 1")
  keys / ; type_text "$code"; keys Enter
  wait_for "Deliverable $code " "$code selected"
  wait_line "${code//./\\.} .* ${value//./\\.}% → " "$code shows its stored value $value in the tree"
  wait_for "Latest     $value% for Mar 2024" "$code: detail pane shows $value"
  keys H
  wait_for "$newest" "$code: history's newest row is '$newest'"
  keys x
  wait_gone "Change history" "history closes"
done
comment=$(sql "$DB" "SELECT n.code || '|' || c.text FROM commentary c JOIN nodes n ON n.id = c.node_id
                     WHERE c.text LIKE 'crash note %' ORDER BY c.id DESC LIMIT 1")
if [ -n "$comment" ]; then
  keys / ; type_text "${comment%%|*}"; keys Enter
  wait_for "Deliverable ${comment%%|*} " "the node of the newest comment"
  wait_for "${comment#*|} - " "the newest surviving comment is shown"
fi
keys q
wait_exit
expect_equal "$STATUS" "0" "quit"

# Acknowledged means on the disk, not only in the operating system's cache:
# under strace, every WAL frame a commit writes is flushed (fdatasync) before
# the browser writes anything more to the terminal (its "Recorded" or
# "Comment added" message among it), and before `record` prints its
# confirmation, so an acknowledged write survives power
# loss as well as a killed process (synchronous = FULL, docs/testing.md).
# SQLite's WAL file: on PostgreSQL the commit is the server's to make durable.
check_synced() { # check_synced TRACE: commits seen, and output while one was unflushed
  python3 - "$1" <<'PYTHON'
import re, sys
dirty = False
commits = early = 0
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"\d+ +(\w+)\((\d+)<([^>]*)>(.*)", line)
    if not m:
        continue
    call, path = m.group(1), m.group(3)
    if path.endswith("-wal") and call.startswith("pwrite"):
        # A new WAL's 32-byte header is flushed on its own; frames follow.
        dirty = dirty or not m.group(4).endswith(", 32, 0) = 32")
    elif path.endswith("-wal") and call in ("fdatasync", "fsync"):
        commits += dirty
        dirty = False
    elif call == "write" and (path.startswith("/dev/pts") or m.group(2) == "1") and dirty:
        early += 1
        print("output before the WAL was flushed:", line[:160])
print(f"commits {commits}, output before the flush {early}")
PYTHON
}
if on_pg; then
  : # SQLite's WAL, above
elif strace -o /dev/null true 2>/dev/null; then
  tracer="strace -f -y -qq -s 65536 -e trace=pwrite64,write,fdatasync,fsync -o $WORK/trace"
  stop_tmux
  # LeakSanitizer stops threads with ptrace, which it cannot do under strace.
  SCREEN_ENV="ASAN_OPTIONS=detect_leaks=0" SCREEN_RUNNER="$tracer" start 120 40
  wait_for "1.1 We will" "browser under strace"
  keys / ; type_text "3.3.1"; keys Enter
  wait_for "Deliverable 3.3.1 " "3.3.1 selected"
  keys e C-u; type_text "41.5"; keys Enter
  wait_for "Recorded 3.3.1 2024-03 = 41.5 " "edit in place under strace"
  keys a C-u; type_text "2016-02 42.5"; keys Enter
  wait_for "Recorded 3.3.1 2016-02 = 42.5" "new month under strace"
  keys c; type_text "synced note"; keys Enter
  wait_for "Comment added to 3.3.1." "comment under strace"
  keys q
  wait_exit
  expect_equal "$(check_synced "$WORK/trace" | tail -1)" "commits 3, output before the flush 0" \
    "the browser flushes the WAL before it draws anything after a write"
  ASAN_OPTIONS=detect_leaks=0 $tracer "$BOARDPACK" --db "$DB" record 3.3.1 43.5 --period 2016-03 >/dev/null
  expect_equal "$(check_synced "$WORK/trace" | tail -1)" "commits 1, output before the flush 0" \
    "record flushes the WAL before it prints its confirmation"
else
  echo "strace cannot trace here; the flush-before-acknowledgement checks are skipped"
fi

# The settings that make it so, as docs/testing.md describes them (the
# journal mode is SQLite's file's).
if ! on_pg; then
  expect_equal "$(sqlite3 -batch "$DB" 'PRAGMA journal_mode')" "wal" "the store is in WAL mode"
fi
if grep -q '"PRAGMA synchronous = FULL"' "$SOURCE_ROOT"/src/store/*.c &&
   grep -q 'synchronous = FULL' "$SOURCE_ROOT/docs/testing.md"; then pass; else
  fail "src/store/ and docs/testing.md both say synchronous = FULL"; fi

# And the store still takes an edit.
run "$BOARDPACK" --db "$DB" record 1.1.2 50 --period 2016-01
expect_status 0 "record after the crashes"
# SQLite's own check of its file.
if ! on_pg; then
  expect_equal "$(sqlite3 -batch "$DB" 'PRAGMA integrity_check')" "ok" "integrity_check at the end"
fi
finish
