#!/usr/bin/python3
"""boardpack's speed and scale benchmark (issue 7). Run it through
tests/bench/run.sh, which builds boardpack first; see docs/performance.md.

For each size (bundled, M, L) it measures, in one run:
  import      `boardpack import` of the board file(s) into a new store: wall
              time, peak RSS and the store's size;
  python      the baseline loader (tests/bench/python_loader.py: PyYAML's C
              loader and the sqlite3 module) on the same file(s);
  sqlite3     the `sqlite3` CLI computing the latest reading of every metric
              of the imported store: the least work a first frame needs;
  first frame `boardpack --first-frame` in an 80x24 pseudo-terminal, start to
              exit, median of --runs taken round robin over the sizes at the
              end; its peak RSS;
  bytes       a browser session in an 80x24 pty, its output fed to a pyte
              screen: bytes written per cursor move against the screen cells
              that move changed, 100 typed-ahead moves against a full frame;
  callgrind   instructions (valgrind --tool=callgrind, Ir) per cursor move,
              per search and per expand-all, as differences of whole runs;
then prints the table and the issue's bars as ratios with PASS or FAIL, and
writes them as JSON (--json) and Markdown (--markdown). --smoke is the CI
run: size M with few repetitions and keys; it has to finish, not pass.
Needs /usr/bin/python3 with pyte and PyYAML (tools/run-tests installs them),
valgrind and sqlite3."""
import argparse
import datetime
import fcntl
import json
import os
import platform
import re
import select
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

try:
    import pyte
except ImportError:
    sys.exit("bench: needs /usr/bin/python3 with pyte (Debian's python3-pyte; "
             "tools/run-tests installs it)")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GENERATOR = os.path.join(HERE, "generate_board.py")
PY_LOADER = os.path.join(HERE, "python_loader.py")
COLS, ROWS = 80, 24
TERM = "xterm-256color"

SIZES = {
    # name: (board files, board code, import repeats)
    "bundled": (None, "nlmhp-2023-24", 5),
    "M": ((1000, 36), "bench", 3),
    "L": ((10000, 120), "bench", 1),
}
BUNDLED_FILES = [os.path.join(ROOT, "data", "nlmhp-2023-24.yaml"),
                 os.path.join(ROOT, "data", "sample-readings-2023-24.yaml")]

# The least work a first frame needs: each metric's latest whole-series
# reading, found through the (metric_id, segment, period) index.
LATEST_SQL = ("SELECT m.code, r.period, r.value FROM metrics m "
              "JOIN boards b ON b.id = m.board_id "
              "JOIN readings r ON r.metric_id = m.id AND r.segment = '' "
              "AND r.period = (SELECT max(period) FROM readings x "
              "WHERE x.metric_id = m.id AND x.segment = '') "
              "WHERE b.code = '{code}';")

BARS = {
    "first_frame": 2.0,    # first frame L / bundled, at most
    "peak_rss": 2.0,       # peak RSS (first frame) L / bundled, at most
    "move_ir": 1.5,        # instructions per cursor move L / bundled, at most
    "bytes_per_cell": 4.0, # bytes per changed cell of any cursor move, at most
    "typeahead": 3.0,      # 100 typed-ahead moves / one full frame, at most
    "import": 5.0,         # Python loader time / boardpack import time at L, at least
}


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---- Running programs ------------------------------------------------------

# Peak RSS comes from GNU time (/usr/bin/time -f %M), not from wait4 here:
# Linux keeps a process's high-water mark across execve, so a child forked
# from this Python process would report at least Python's own ~20 MB, whatever
# it used itself. time is small, so its child's mark starts near zero.
TIME = "/usr/bin/time"


class PeakRss:
    """Wraps argv in GNU time; .kib() reads the child's peak RSS after it ends."""

    def __init__(self, argv):
        handle, self.path = tempfile.mkstemp(prefix="bench-rss-")
        os.close(handle)
        self.argv = [TIME, "-f", "%M", "-o", self.path, *argv]

    def kib(self):
        try:
            with open(self.path) as report:
                lines = [line.strip() for line in report if line.strip()]
        finally:
            os.remove(self.path)
        return int(lines[-1]) if lines and lines[-1].isdigit() else 0


def run_measured(argv, env=None, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL):
    """Runs argv to completion; returns (seconds, peak RSS in KiB, status)."""
    peak = PeakRss(argv)
    start = time.perf_counter()
    process = subprocess.Popen(peak.argv, env=env, stdout=stdout, stderr=subprocess.PIPE,
                               stdin=stdin)
    _, status, _ = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    rss = peak.kib()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({process.returncode}): {error.strip()}")
    return elapsed, rss, error


class VtScreen(pyte.Screen):
    """pyte 0.8 lacks three sequences xterm-256color's terminfo offers and
    ncurses uses: REP (CSI n b), SU (CSI n S) and SD (CSI n T)."""

    last_char = " "

    def draw(self, data):
        super().draw(data)
        if data:
            self.last_char = data[-1]

    def repeat_last(self, count=1, *params, **flags):
        if not flags.get("private"):
            self.draw(self.last_char * max(count, 1))

    def _scroll(self, count, up):
        top, bottom = self.margins or pyte.screens.Margins(0, self.lines - 1)
        count = min(max(count, 1), bottom - top + 1)
        self.dirty.update(range(self.lines))
        if up:
            for y in range(top, bottom + 1 - count):
                self.buffer[y] = self.buffer[y + count]
            for y in range(bottom + 1 - count, bottom + 1):
                self.buffer.pop(y, None)
        else:
            for y in range(bottom, top + count - 1, -1):
                self.buffer[y] = self.buffer[y - count]
            for y in range(top, top + count):
                self.buffer.pop(y, None)

    def scroll_up(self, count=1, *params, **flags):
        if not flags.get("private"):
            self._scroll(count, True)

    def scroll_down(self, count=1, *params, **flags):
        if not flags.get("private"):
            self._scroll(count, False)


class VtStream(pyte.ByteStream):
    csi = dict(pyte.ByteStream.csi, b="repeat_last", S="scroll_up", T="scroll_down")


class Pty:
    """A program in an 80x24 pseudo-terminal, its output fed to a pyte screen."""

    def __init__(self, argv, env, measure_rss=False):
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.peak = PeakRss(argv) if measure_rss else None
        self.rss = None
        self.start = time.perf_counter()
        self.process = subprocess.Popen(self.peak.argv if self.peak else argv, stdin=slave,
                                        stdout=slave, stderr=slave, env=env,
                                        start_new_session=True, close_fds=True)
        os.close(slave)
        self.fd = master
        self.screen = VtScreen(COLS, ROWS)
        self.stream = VtStream(self.screen)
        self.output = bytearray()
        self.closed = False
        self.usage = None
        self.status = None

    def read(self, first_timeout, quiet):
        """Reads until `quiet` seconds pass with no output (or the program
        ends); waits up to `first_timeout` for the first byte. Returns the
        bytes read and feeds them to the screen."""
        got = bytearray()
        while not self.closed:
            ready, _, _ = select.select([self.fd], [], [], quiet if got else first_timeout)
            if not ready:
                break
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # EIO: every slave descriptor is closed
                data = b""
            if not data:
                self.closed = True
                break
            got += data
        self.output += got
        self.stream.feed(bytes(got))
        return bytes(got)

    def send(self, data):
        os.write(self.fd, data)

    def cells(self):
        buffer = self.screen.buffer
        return [tuple(buffer[y][x]) for y in range(ROWS) for x in range(COLS)]

    def wait(self, timeout):
        """Drains output until the program exits; returns seconds since start."""
        deadline = time.monotonic() + timeout
        while not self.closed and time.monotonic() < deadline:
            self.read(min(1.0, max(0.01, deadline - time.monotonic())), 5.0)
        if not self.closed:
            self.process.kill()
            self.read(1, 0.2)
            raise RuntimeError(f"{self.process.args[0]} did not exit within {timeout} s")
        _, status, self.usage = os.wait4(self.process.pid, 0)
        elapsed = time.perf_counter() - self.start
        if self.peak:
            self.rss = self.peak.kib()
        self.status = os.waitstatus_to_exitcode(status)
        self.process.returncode = self.status
        os.close(self.fd)
        return elapsed


def changed_cells(before, after):
    return sum(1 for a, b in zip(before, after) if a != b)


# ---- The measurements --------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.work = args.workdir
        # A copy of the binary, so a rebuild in the same tree while the
        # benchmark runs cannot change what is measured halfway through.
        self.boardpack = os.path.join(self.work, "boardpack")
        shutil.copy2(os.path.abspath(args.boardpack), self.boardpack)
        self.home = os.path.join(self.work, "home")
        os.makedirs(self.home, exist_ok=True)
        # A fresh environment: no user settings file, no NO_COLOR, no
        # BOARDPACK_DB; the store is always given with --db.
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
                    "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
                    "XDG_DATA_HOME": os.path.join(self.home, ".local", "share"),
                    "XDG_STATE_HOME": os.path.join(self.home, ".local", "state"),
                    "TERM": TERM, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC",
                    "USER": os.environ.get("USER", "bench")}
        import curses
        curses.setupterm(TERM, sys.__stdout__.fileno() if sys.__stdout__.isatty() else -1)
        self.down = curses.tigetstr("kcud1") or b"\x1bOB"

    def browse_argv(self, database, code, *extra):
        return [self.boardpack, "--db", database, "--board", code, *extra]

    def board_files(self, size):
        spec = SIZES[size][0]
        if spec is None:
            return BUNDLED_FILES
        path = os.path.join(self.work, f"board-{size}.yaml")
        if not os.path.exists(path):
            log(f"{size}: generating the board file")
            subprocess.run([sys.executable, GENERATOR, "--deliverables", str(spec[0]),
                            "--readings", str(spec[1]), "-o", path], check=True)
        return [path]

    def import_store(self, size, files, repeats):
        times, rss = [], []
        database = os.path.join(self.work, f"{size}.db")
        for _ in range(repeats):
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(database + suffix):
                    os.remove(database + suffix)
            seconds, peak, _ = run_measured([self.boardpack, "--db", database, "import", *files],
                                            env=self.env)
            times.append(seconds)
            rss.append(peak)
        size_bytes = sum(os.path.getsize(database + s) for s in ("", "-wal")
                         if os.path.exists(database + s))
        return database, statistics.median(times), max(rss), size_bytes, times

    def python_loader(self, size, files, repeats):
        times, rss = [], []
        database = os.path.join(self.work, f"{size}-python.db")
        for _ in range(repeats):
            if os.path.exists(database):
                os.remove(database)
            seconds, peak, _ = run_measured(["/usr/bin/python3", PY_LOADER, database, *files],
                                            env=self.env)
            times.append(seconds)
            rss.append(peak)
        size_bytes = os.path.getsize(database)
        os.remove(database)
        return statistics.median(times), max(rss), size_bytes, times

    def sqlite_latest(self, database, code, repeats):
        sql = LATEST_SQL.format(code=code)
        times = []
        rows = 0
        for _ in range(repeats):
            start = time.perf_counter()
            result = subprocess.run(["sqlite3", "-readonly", database, sql], capture_output=True,
                                    check=True)
            times.append(time.perf_counter() - start)
            rows = result.stdout.count(b"\n")
        return statistics.median(times), rows

    def counts(self, database, code):
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            board = connection.execute("SELECT id FROM boards WHERE code = ?", (code,)).fetchone()[0]
            nodes = connection.execute("SELECT count(*) FROM nodes WHERE board_id = ?",
                                       (board,)).fetchone()[0]
            metrics = connection.execute("SELECT count(*) FROM metrics WHERE board_id = ?",
                                         (board,)).fetchone()[0]
            readings = connection.execute(
                "SELECT count(*) FROM readings r JOIN metrics m ON m.id = r.metric_id "
                "WHERE m.board_id = ?", (board,)).fetchone()[0]
            last = connection.execute(
                "SELECT code FROM nodes WHERE board_id = ? AND level = 'deliverable' "
                "ORDER BY tree_order DESC LIMIT 1", (board,)).fetchone()[0]
        finally:
            connection.close()
        return nodes, metrics, readings, last

    def first_frame(self, database, code, runs, rss_runs=1):
        times, rss, sizes = [], [], []
        # Timed runs start the program itself; `rss_runs` more under GNU
        # time give its peak RSS (time's own start-up would blur the timing).
        for index in range(runs + rss_runs):
            measure_rss = index >= runs
            term = Pty(self.browse_argv(database, code, "--first-frame"), self.env,
                       measure_rss=measure_rss)
            seconds = term.wait(120)
            if term.status != 0:
                raise RuntimeError(f"--first-frame exited {term.status}: "
                                   f"{term.output[-300:].decode(errors='replace')}")
            if measure_rss:
                rss.append(term.rss)
            else:
                times.append(seconds)
                sizes.append(len(term.output))
        return statistics.median(times), statistics.median(rss), times, sizes[0]

    def session_bytes(self, database, code, moves):
        """Bytes on the wire, against changed cells, in a native session."""
        term = Pty(self.browse_argv(database, code), self.env, measure_rss=True)
        first = term.read(30, 0.3)
        result = {"first_frame_bytes": len(first)}
        # Expand everything, so every size has rows to move through.
        term.read(0.05, 0.05)
        before = term.cells()
        term.send(b"*")
        out = term.read(5, 0.2)
        result["expand_bytes"] = len(out)
        result["expand_cells"] = changed_cells(before, term.cells())
        per_key = []
        for _ in range(moves):
            before = term.cells()
            term.send(self.down)
            out = term.read(5, 0.15)
            per_key.append((len(out), changed_cells(before, term.cells())))
        result["moves"] = per_key
        # 100 cursor moves typed ahead, in one write.
        before = term.cells()
        term.send(self.down * 100)
        out = term.read(5, 0.3)
        result["typeahead_bytes"] = len(out)
        result["typeahead_cells"] = changed_cells(before, term.cells())
        # A full repaint of the same screen (Ctrl-L): one full frame's bytes,
        # and a check of the emulator: the repaint must change no cell.
        before = term.cells()
        term.send(b"\x0c")
        out = term.read(5, 0.3)
        result["full_frame_bytes"] = len(out)
        result["emulator_mismatch_cells"] = changed_cells(before, term.cells())
        term.send(b"q")
        term.wait(30)
        result["session_rss"] = term.rss
        return result

    def callgrind(self, database, code, name, keys, quiet, pad_to=0.0):
        """Runs the browser under callgrind, sends `keys` one at a time
        (each after the previous one's output is done), waits until `pad_to`
        seconds have passed since the first frame, then sends q. Returns the
        total instructions, the seconds from first frame to q, and the
        output file. The browser checks the store every 250 ms while idle
        (about 13k instructions a second here), so two runs that are
        subtracted are padded to the same length."""
        out = os.path.join(self.work, f"callgrind.{name}.out")
        argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                f"--log-file={out}.log", *self.browse_argv(database, code)]
        term = Pty(argv, self.env)
        term.read(600, quiet)
        start = time.monotonic()
        for key in keys:
            term.send(key)
            term.read(120, quiet)
        spent = time.monotonic() - start
        if pad_to > spent:
            time.sleep(pad_to - spent)
            spent = pad_to
        term.send(b"q")
        term.wait(600)
        if term.status != 0:
            raise RuntimeError(f"callgrind run {name} exited {term.status}; see {out}.log")
        with open(out) as handle:
            for line in handle:
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1]), spent, out
        raise RuntimeError(f"no totals in {out}")

    def callgrind_size(self, size, database, code, search_term):
        n = self.args.keys
        quiet = self.args.quiet
        moves, length, moves_out = self.callgrind(database, code, f"{size}.moves",
                                                  [b"*"] + [self.down] * n, quiet)
        search_keys = [b"/"] + [bytes([c]) for c in search_term.encode()] + [b"\r"]
        search, length, search_out = self.callgrind(database, code, f"{size}.search",
                                                    search_keys, quiet, pad_to=length)
        expand, length, expand_out = self.callgrind(database, code, f"{size}.expand", [b"*"],
                                                    quiet, pad_to=length)
        idle, _, idle_out = self.callgrind(database, code, f"{size}.idle", [], quiet,
                                           pad_to=length)
        start, _, start_out = self.callgrind(database, code, f"{size}.start", [], quiet)
        return {
            "idle_ir": start,
            "move_ir": (moves - expand) / n,
            "expand_ir": expand - idle,
            "search_ir": search - idle,
            "search_keys": len(search_keys),
            "files": {"start": start_out, "idle": idle_out, "expand": expand_out,
                      "moves": moves_out, "search": search_out},
        }


def function_costs(path, inclusive):
    """Per-function instruction counts from callgrind_annotate."""
    result = subprocess.run(["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}",
                             "--threshold=100", "--auto=no", path], capture_output=True, text=True)
    costs = {}
    listing = False
    for line in result.stdout.splitlines():
        if line.rstrip().endswith("file:function"):
            listing = True
            continue
        match = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+(\S.*?)(?:\s+\[(\S+)\])?$", line)
        if not listing or not match:
            continue
        where = re.sub(r"\s+\(\d[\d,]*x\)$", "", match.group(2))
        function = where.split(":", 1)[1] if ":" in where else where
        library = os.path.basename(match.group(3) or "")
        library = re.sub(r"\.so[.\d]*$", "", library).removeprefix("lib")
        name = f"{function} ({library})" if library and library != "boardpack" else function
        # callgrind_annotate may list one function twice, under two spellings
        # of its file name (build/../src and /work/.../build/../src) with
        # the same cost: keep one.
        costs[name] = max(costs.get(name, 0), int(match.group(1).replace(",", "")))
    return costs


def cost_difference(after, before, inclusive, divide=1, top=8):
    a, b = function_costs(after, inclusive), function_costs(before, inclusive)
    wrappers = re.compile(r"^(main|\(below main\).*|__libc_start.*|0x[0-9a-f]+ \(ld-linux.*)$")
    deltas = [((a.get(k, 0) - b.get(k, 0)) / divide, k) for k in set(a) | set(b)
              if not wrappers.match(k)]
    deltas.sort(reverse=True)
    return [(round(d), k) for d, k in deltas[:top] if d > 0]


# ---- Reporting ----------------------------------------------------------------

def human_bytes(n):
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def human_seconds(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def human_count(n):
    if n is None:
        return "-"
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.2f}{unit}"
    return f"{n:.0f}"


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), {model}, " \
           f"{memory / 2**30:.1f} GiB RAM, {platform.system()} {platform.release()}"


def kib(k):
    return human_bytes(k * 1024)


def times(v):
    return f"{v:.2f}x"


def rounded(v):
    return f"{v:.0f}"


def hundredths(v):
    return f"{v:.2f}"


# The table: (label, result key, format). Shared by the text and Markdown
# reports, so docs/performance.md shows exactly what the terminal showed.
TABLE = [
    ("board file", "file_bytes", human_bytes),
    ("  nodes (aims, objectives, deliverables)", "nodes", str),
    ("  metrics", "metrics", str),
    ("  readings (all segments)", "readings", str),
    ("import: boardpack (median)", "import_s", human_seconds),
    ("  peak RSS", "import_rss", kib),
    ("  store size", "store_bytes", human_bytes),
    ("import: Python loader (baseline)", "python_s", human_seconds),
    ("  peak RSS", "python_rss", kib),
    ("  Python time / boardpack time", "import_speedup", times),
    ("sqlite3: latest of every metric (baseline)", "sqlite_latest_s", human_seconds),
    ("first frame, start to exit (median)", "first_frame_s", human_seconds),
    ("  fastest run", "first_frame_min_s", human_seconds),
    ("  peak RSS", "first_frame_rss", kib),
    ("  first frame / sqlite3 latest", "frame_vs_sqlite", times),
    ("instructions: start, first frame, quit", "idle_ir", human_count),
    ("instructions per cursor move", "move_ir", human_count),
    ("instructions per search", "search_ir", human_count),
    ("instructions per expand-all (*)", "expand_ir", human_count),
    ("bytes per cursor move (mean)", "move_bytes", rounded),
    ("cells changed per cursor move (mean)", "move_cells", rounded),
    ("bytes per changed cell (all moves)", "bytes_per_cell_mean", hundredths),
    ("bytes per changed cell (worst move)", "bytes_per_cell_worst", hundredths),
    ("100 typed-ahead moves: bytes", "typeahead_bytes", str),
    ("full frame (Ctrl-L repaint): bytes", "full_frame_bytes", str),
    ("  100 moves / full frame", "typeahead_frames", hundredths),
    ("first frame incl. terminal setup: bytes", "first_frame_bytes", str),
    ("expand-all: bytes", "expand_bytes", str),
    ("peak RSS, browsing session", "session_rss", kib),
    ("emulator check: cells off after Ctrl-L", "emulator_mismatch_cells", str),
]


def table_cells(results, names):
    rows = []
    for label, key, fmt in TABLE:
        values = [fmt(results[n][key]) if results[n].get(key) is not None else "-"
                  for n in names]
        if any(v != "-" for v in values):
            rows.append((label, values))
    return rows


def compute_bars(results):
    """The issue's bars as ratios within this run. Each bar: label, value,
    limit, at_most, verdict (PASS, FAIL, or n/a when a size is missing)."""
    base = results.get("bundled")
    big = "L" if "L" in results else next((n for n in ("M",) if n in results), None)

    def ratio(key):
        if not base or not big or results[big].get(key) is None or not base.get(key):
            return None
        return results[big][key] / base[key]

    def worst(key):
        values = [r[key] for r in results.values() if r.get(key) is not None]
        return max(values) if values else None

    scale = big or "L"
    specs = [
        ("first_frame", f"first frame, {scale} / bundled", ratio("first_frame_s"),
         BARS["first_frame"], True, "x"),
        ("peak_rss", f"peak memory (first frame), {scale} / bundled",
         ratio("first_frame_rss"), BARS["peak_rss"], True, "x"),
        ("move_ir", f"instructions per cursor move, {scale} / bundled", ratio("move_ir"),
         BARS["move_ir"], True, "x"),
        ("bytes_per_cell", "bytes per changed cell, worst cursor move (any size)",
         worst("bytes_per_cell_worst"), BARS["bytes_per_cell"], True, ""),
        ("typeahead", "100 typed-ahead moves, in full frames (worst size)",
         worst("typeahead_frames"), BARS["typeahead"], True, ""),
        ("import", f"import {scale}: Python loader time / boardpack time",
         results[big].get("import_speedup") if big else None, BARS["import"], False, "x"),
    ]
    bars = []
    for name, label, value, limit, at_most, unit in specs:
        if value is None:
            verdict = "n/a"
        else:
            verdict = "PASS" if (value <= limit if at_most else value >= limit) else "FAIL"
        bars.append({"name": name, "label": label, "value": value, "limit": limit,
                     "at_most": at_most, "unit": unit, "verdict": verdict})
    return big, bars


def bar_text(bar):
    if bar["value"] is None:
        return f"  {bar['label']:<58} {'-':>9}   n/a"
    value, limit, unit = bar["value"], bar["limit"], bar["unit"]
    by = ""
    if bar["verdict"] == "FAIL":
        by = (f" (over by {value / limit - 1:.0%})" if bar["at_most"] else
              f" (short by {1 - value / limit:.0%}; needs {limit / value:.1f}x more)")
    sign = "<=" if bar["at_most"] else ">="
    return (f"  {bar['label']:<58} {value:>8.2f}{unit}  {sign} {limit:g}{unit}  "
            f"{bar['verdict']}{by}")


def print_report(report):
    results, names, meta = report["results"], report["sizes"], report["meta"]
    out = sys.stdout
    width, col = 44, 16
    out.write(f"\nboardpack benchmark, {meta['date']}, commit {meta['commit']}\n")
    out.write(f"machine: {meta['machine']}\n")
    out.write(f"terminal {COLS}x{ROWS} {TERM}; first frame median of {meta['runs']}; "
              f"callgrind {meta['keys']} moves; {meta['moves']} moves for bytes"
              f"{'; SMOKE (numbers indicative only)' if meta['smoke'] else ''}\n\n")
    out.write(f"{'':<{width}}" + "".join(f"{n:>{col}}" for n in names) + "\n")
    for label, values in table_cells(results, names):
        out.write(f"{label:<{width}}" + "".join(f"{v:>{col}}" for v in values) + "\n")
    big = report["scale"]
    note = "" if big == "L" else (f" [L not run: the ratio bars use {big}, indicative only]"
                                  if big else " [only bundled: the ratio bars need L]")
    out.write(f"\nbars (ratios within this run){note}\n")
    for bar in report["bars"]:
        out.write(bar_text(bar) + "\n")
    base = results.get("bundled")
    if base and big and big != "bundled":
        out.write("\nother ratios (no bar)\n")
        for label, key in (("search", "search_ir"), ("expand-all", "expand_ir"),
                           ("start+frame+quit instructions", "idle_ir"),
                           ("import time", "import_s"), ("store size", "store_bytes"),
                           ("sqlite3 latest of every metric", "sqlite_latest_s")):
            if results[big].get(key) is not None and base.get(key):
                out.write(f"  {label}, {big} / bundled: {results[big][key] / base[key]:.2f}x\n")
    for title, key in (("where a cursor move's instructions go (self cost)", "move_profile"),
                       ("where the first frame's extra instructions go (vs bundled, inclusive)",
                        "frame_profile"),
                       ("where a search's instructions go (self cost)", "search_profile")):
        if big in results and results[big].get(key):
            out.write(f"\n{title}, {big}:\n")
            for cost, name in results[big][key]:
                out.write(f"  {human_count(cost):>10}  {name}\n")
    counted = [b for b in report["bars"] if b["verdict"] != "n/a"]
    out.write(f"\n{sum(b['verdict'] == 'PASS' for b in counted)} of {len(counted)} bars "
              f"measured pass ({len(report['bars']) - len(counted)} need a size not run)\n")
    out.flush()


def markdown(report):
    """The table and bars as Markdown, for docs/performance.md."""
    results, names, meta = report["results"], report["sizes"], report["meta"]
    lines = [f"Run {meta['date']} on commit `{meta['commit']}`; machine: {meta['machine']}.",
             f"Terminal {COLS}x{ROWS} `{TERM}`; first frame median of {meta['runs']} runs; "
             f"callgrind {meta['keys']} cursor moves.", "",
             "| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for label, values in table_cells(results, names):
        label = label.strip() if not label.startswith("  ") else "&nbsp;&nbsp;" + label.strip()
        lines.append(f"| {label} | " + " | ".join(values) + " |")
    lines += ["", "| bar | measured | limit | verdict |", "|---|---:|---:|---|"]
    for bar in report["bars"]:
        value = "-" if bar["value"] is None else f"{bar['value']:.2f}{bar['unit']}"
        sign = "≤" if bar["at_most"] else "≥"
        lines.append(f"| {bar['label']} | {value} | {sign} {bar['limit']:g}{bar['unit']} | "
                     f"**{bar['verdict']}** |")
    return "\n".join(lines) + "\n"


def git_commit():
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "src",
                                "include"], capture_output=True, text=True).stdout.strip()
        return commit + ("+uncommitted src changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def measure_size(bench, size, args, results, started):
    r = results.setdefault(size, {})
    files = bench.board_files(size)
    code = SIZES[size][1]
    repeats = args.import_repeats or SIZES[size][2]
    r["file_bytes"] = sum(os.path.getsize(f) for f in files)
    log(f"{size}: boardpack import x{repeats}")
    database, r["import_s"], r["import_rss"], r["store_bytes"], r["import_runs"] = \
        bench.import_store(size, files, repeats)
    r["nodes"], r["metrics"], r["readings"], last = bench.counts(database, code)
    if not args.no_python:
        log(f"{size}: Python loader x{repeats}")
        r["python_s"], r["python_rss"], r["python_store_bytes"], r["python_runs"] = \
            bench.python_loader(size, files, repeats)
        r["import_speedup"] = r["python_s"] / r["import_s"]
    log(f"{size}: sqlite3 latest reading of every metric")
    r["sqlite_latest_s"], r["sqlite_latest_rows"] = bench.sqlite_latest(database, code, 7)
    bench.stores[size] = (database, code)
    log(f"{size}: terminal bytes ({args.moves} moves, then 100 typed ahead)")
    s = bench.session_bytes(database, code, args.moves)
    moves = s.pop("moves")
    r.update(s)
    r["move_bytes"] = statistics.mean(b for b, _ in moves)
    r["move_cells"] = statistics.mean(c for _, c in moves)
    r["bytes_per_cell_mean"] = sum(b for b, _ in moves) / max(1, sum(c for _, c in moves))
    # A move that writes bytes but changes no cell counts as its bytes per
    # one cell (a cursor-positioning sequence, say), not as infinity.
    r["bytes_per_cell_worst"] = max(b / max(c, 1) for b, c in moves)
    r["move_detail"] = moves
    r["typeahead_frames"] = r["typeahead_bytes"] / max(1, r["full_frame_bytes"])
    if not args.no_callgrind:
        log(f"{size}: callgrind ({args.keys} moves, a search for {last!r}, expand-all)")
        c = bench.callgrind_size(size, database, code, last)
        files_ = c.pop("files")
        r.update(c)
        r["move_profile"] = cost_difference(files_["moves"], files_["expand"], False, args.keys)
        r["search_profile"] = cost_difference(files_["search"], files_["idle"], False)
        bench.callgrind_files[size] = files_
    r["seconds"] = time.monotonic() - started


def measure_first_frames(bench, args, results):
    """The first frames last, round robin over the sizes (bundled, M, L,
    bundled, M, L, ...), so a busy spell on a shared machine falls on every
    size alike rather than on one; the median of each size's runs."""
    log(f"first frame x{args.runs} per size, round robin")
    runs = {size: [] for size in bench.stores}
    for _ in range(args.runs):
        for size, (database, code) in bench.stores.items():
            runs[size].append(bench.first_frame(database, code, 1))
    for size, measured in runs.items():
        r = results[size]
        r["first_frame_runs"] = [m[0] for m in measured]
        r["first_frame_s"] = statistics.median(r["first_frame_runs"])
        r["first_frame_min_s"] = min(r["first_frame_runs"])
        r["first_frame_rss"] = max(m[1] for m in measured)
        r["frame_vs_sqlite"] = r["first_frame_s"] / r["sqlite_latest_s"]


# ---- The CSV feed case (tests/bench/run.sh csv) ------------------------------

# The bar: a feed of 1,000,000 readings within 1.5x of the sqlite3 shell's
# own .import of the same CSV into a table shaped like the readings table,
# in at most 64 MB.
CSV_BARS = {"csv_ratio": 1.5, "csv_rss_mb": 64}
CSV_DELIVERABLES, CSV_MONTHS = 10000, 100  # 10,000 metrics x 100 months
# The baseline: the feed's five columns in the file's order, the readings
# table's unique index on (metric, segment, period), the shell's defaults.
CSV_SQLITE_SCRIPT = """CREATE TABLE readings (metric TEXT NOT NULL, period TEXT NOT NULL,
  value REAL NOT NULL, segment TEXT NOT NULL DEFAULT '', note TEXT,
  UNIQUE (metric, segment, period));
.mode csv
.import --skip 1 {feed} readings
"""


def run_csv(args):
    """Times `boardpack import --board bench feed.csv` (1,000,000 readings
    for the L board's 10,000 metrics, into a store holding only the board)
    against the sqlite3 shell's .import of the same file, --csv-runs times
    each, alternating; medians, their ratio and peak RSS."""
    work = os.path.abspath(args.workdir or tempfile.mkdtemp(prefix="boardpack-bench-csv-"))
    made_workdir = not args.workdir
    os.makedirs(work, exist_ok=True)
    boardpack = os.path.join(work, "boardpack")
    shutil.copy2(os.path.abspath(args.boardpack), boardpack)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "LC_ALL": "C.UTF-8",
           "TZ": "UTC", "USER": os.environ.get("USER", "bench")}
    structure = os.path.join(work, "board.yaml")
    feed = os.path.join(work, "feed.csv")
    log("csv: generating the board (structure only) and a feed of "
        f"{CSV_DELIVERABLES * CSV_MONTHS:,} readings")
    subprocess.run([sys.executable, GENERATOR, "--deliverables", str(CSV_DELIVERABLES),
                    "--readings", "0", "-o", structure], check=True)
    subprocess.run([sys.executable, GENERATOR, "--deliverables", str(CSV_DELIVERABLES),
                    "--readings", str(CSV_MONTHS), "--format", "csv", "-o", feed], check=True)
    template = os.path.join(work, "structure.db")
    subprocess.run([boardpack, "--db", template, "import", structure], env=env, check=True,
                   stderr=subprocess.DEVNULL)
    store = os.path.join(work, "store.db")
    scratch = os.path.join(work, "scratch.db")
    script = CSV_SQLITE_SCRIPT.format(feed=feed)

    def remove(path):
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)

    def fresh_store():
        remove(store)
        # A copy of the structure-only store (through the sqlite3 module's
        # backup, so its -wal is folded in): the import is all that is timed.
        source = sqlite3.connect(template)
        target = sqlite3.connect(store)
        source.backup(target)
        source.close()
        target.close()

    result = {"readings": CSV_DELIVERABLES * CSV_MONTHS, "feed_bytes": os.path.getsize(feed),
              "boardpack_runs": [], "boardpack_rss": [], "sqlite_runs": [], "sqlite_rss": [],
              "boardpack_cpu": [], "sqlite_cpu": []}
    argv = [boardpack, "--db", store, "import", "--board", "bench", feed]
    for run in range(args.csv_runs):
        log(f"csv: run {run + 1} of {args.csv_runs}: sqlite3 .import, then boardpack import")
        remove(scratch)
        seconds, cpu, rss, _ = run_timed(["sqlite3", scratch], env, script)
        result["sqlite_runs"].append(seconds)
        result["sqlite_cpu"].append(cpu)
        result["sqlite_rss"].append(rss)
        fresh_store()
        seconds, cpu, rss, error = run_timed(argv, env)
        result["boardpack_runs"].append(seconds)
        result["boardpack_cpu"].append(cpu)
        result["boardpack_rss"].append(rss)
        result["boardpack_said"] = error.strip()
    log("csv: the same feed again (every row unchanged), and a dry run of it")
    result["again_s"], _, result["again_rss"], said = run_timed(argv, env)
    result["again_said"] = said.strip()
    dry = argv[:4] + ["--dry-run"] + argv[4:]
    result["dry_run_s"], _, result["dry_run_rss"], _ = run_timed(dry, env)
    rows = sqlite3.connect(f"file:{store}?mode=ro", uri=True).execute(
        "SELECT count(*) FROM readings").fetchone()[0]
    result["stored"] = rows
    result["store_bytes"] = os.path.getsize(store)
    result["scratch_bytes"] = os.path.getsize(scratch)
    result["boardpack_s"] = statistics.median(result["boardpack_runs"])
    result["sqlite_s"] = statistics.median(result["sqlite_runs"])
    result["ratio"] = result["boardpack_s"] / result["sqlite_s"]
    result["ratio_runs"] = [b / q for b, q in zip(result["boardpack_runs"], result["sqlite_runs"])]
    result["boardpack_cpu_s"] = statistics.median(result["boardpack_cpu"])
    result["sqlite_cpu_s"] = statistics.median(result["sqlite_cpu"])
    result["cpu_ratio"] = result["boardpack_cpu_s"] / result["sqlite_cpu_s"]
    result["peak_rss_kib"] = max(result["boardpack_rss"] + [result["again_rss"],
                                                            result["dry_run_rss"]])
    if made_workdir and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    elif args.keep:
        log(f"kept {work}")
    report = {"meta": {"date": datetime.datetime.now(datetime.timezone.utc)
                       .strftime("%Y-%m-%d %H:%M UTC"), "commit": git_commit(),
                       "machine": machine(), "load": os.getloadavg(), "limits": CSV_BARS},
              "csv": result}
    text = csv_report_text(report)
    sys.stdout.write(text)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write(csv_report_markdown(report))
    failed = result["ratio"] > CSV_BARS["csv_ratio"] or \
        result["peak_rss_kib"] > CSV_BARS["csv_rss_mb"] * 1024
    return 1 if args.strict and failed else 0


def run_timed(argv, env, script=None):
    """Runs argv (with `script` on standard input) under GNU time: wall
    seconds, CPU seconds (user + system), peak RSS in KiB and its stderr.
    On a shared machine the wall time moves with the others' load; the CPU
    time much less, so both are reported."""
    handle, path = tempfile.mkstemp(prefix="bench-time-")
    os.close(handle)
    start = time.perf_counter()
    process = subprocess.run([TIME, "-f", "%U %S %M", "-o", path, *argv],
                             input=script.encode() if script else None, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             stdin=None if script else subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    with open(path) as report:
        fields = report.read().split()[-3:]
    os.remove(path)
    error = process.stderr.decode(errors="replace")
    if process.returncode != 0 or (script and error.strip()):
        raise RuntimeError(f"{' '.join(argv)} failed ({process.returncode}): {error[:300]}")
    return elapsed, float(fields[0]) + float(fields[1]), int(fields[2]), error


def csv_rows(report):
    r = report["csv"]
    runs = ", ".join(human_seconds(s) for s in r["boardpack_runs"])
    base = ", ".join(human_seconds(s) for s in r["sqlite_runs"])
    return [
        ("feed", f"{r['readings']:,} readings, {human_bytes(r['feed_bytes'])}"),
        ("boardpack import (median)", f"{human_seconds(r['boardpack_s'])}  (runs: {runs})"),
        ("sqlite3 .import (median)", f"{human_seconds(r['sqlite_s'])}  (runs: {base})"),
        ("boardpack / sqlite3", f"{r['ratio']:.2f}x  (per run: "
         + ", ".join(f"{x:.2f}x" for x in r["ratio_runs"]) + ")"),
        ("CPU time (user + system), medians", f"{human_seconds(r['boardpack_cpu_s'])} / "
         f"{human_seconds(r['sqlite_cpu_s'])} = {r['cpu_ratio']:.2f}x"),
        ("peak RSS, boardpack", kib(r["peak_rss_kib"])),
        ("peak RSS, sqlite3", kib(max(r["sqlite_rss"]))),
        ("the same feed again (all unchanged)", human_seconds(r["again_s"])),
        ("dry run of it", human_seconds(r["dry_run_s"])),
        ("store / scratch database size", f"{human_bytes(r['store_bytes'])} / "
         f"{human_bytes(r['scratch_bytes'])}"),
    ]


def csv_bars(report):
    r = report["csv"]
    return [("feed of 1,000,000 readings, boardpack / sqlite3 .import", r["ratio"],
             f"<= {CSV_BARS['csv_ratio']}x", r["ratio"] <= CSV_BARS["csv_ratio"]),
            ("peak RSS of the feed (MB)", r["peak_rss_kib"] / 1024,
             f"<= {CSV_BARS['csv_rss_mb']} MB", r["peak_rss_kib"] <= CSV_BARS["csv_rss_mb"] * 1024)]


def csv_report_text(report):
    meta = report["meta"]
    lines = [f"\nboardpack CSV feed benchmark, {meta['date']}, commit {meta['commit']}",
             f"machine: {meta['machine']}; load average at the end "
             + ", ".join(f"{x:.1f}" for x in meta["load"]), ""]
    lines += [f"  {label:<40} {value}" for label, value in csv_rows(report)]
    lines += ["", "bars"]
    for label, value, limit, ok in csv_bars(report):
        lines.append(f"  {label:<58} {value:>8.2f}  {limit:<10} {'PASS' if ok else 'FAIL'}")
    return "\n".join(lines) + "\n"


def csv_report_markdown(report):
    meta = report["meta"]
    lines = [f"Run {meta['date']} on commit `{meta['commit']}`; machine: {meta['machine']}; "
             "load average at the end " + ", ".join(f"{x:.1f}" for x in meta["load"]) + ".",
             "", "| | |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in csv_rows(report)]
    lines += ["", "| bar | measured | limit | verdict |", "|---|---:|---:|---|"]
    for label, value, limit, ok in csv_bars(report):
        lines.append(f"| {label} | {value:.2f} | {limit} | **{'PASS' if ok else 'FAIL'}** |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(
        description="boardpack speed and scale benchmark (run it through tests/bench/run.sh)")
    parser.add_argument("--boardpack", help="the binary to measure (required unless --from-json)")
    parser.add_argument("--sizes", help="comma-separated: bundled, M, L (default all three)")
    parser.add_argument("--smoke", action="store_true",
                        help="CI smoke run: size M (unless --sizes), few repetitions and keys; "
                             "must finish, bars not enforced")
    parser.add_argument("--runs", type=int, help="first-frame repetitions (default 11; smoke 3)")
    parser.add_argument("--keys", type=int,
                        help="cursor moves under callgrind (default 20; smoke 3)")
    parser.add_argument("--moves", type=int,
                        help="cursor moves, one at a time, for bytes (default 30; smoke 10)")
    parser.add_argument("--quiet", type=float,
                        help="seconds without output that end a key under callgrind "
                             "(default 1.0; smoke 0.4)")
    parser.add_argument("--import-repeats", type=int, default=0,
                        help="override the import repetitions (default 5 bundled, 3 M, 1 L)")
    parser.add_argument("--no-callgrind", action="store_true")
    parser.add_argument("--no-python", action="store_true", help="skip the Python baseline")
    parser.add_argument("--workdir", help="where boards, stores and callgrind files go "
                                          "(default: a temporary directory, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--json", help="write the results here (machine-readable)")
    parser.add_argument("--markdown", help="write the table and bars here as Markdown")
    parser.add_argument("--from-json", help="only report: read results from this JSON file")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a bar fails")
    parser.add_argument("--csv", action="store_true",
                        help="only the CSV feed case: 1,000,000 readings against the sqlite3 "
                             "shell's .import (tests/bench/run.sh csv)")
    parser.add_argument("--csv-runs", type=int, default=5,
                        help="timed runs of each side of the CSV case (default 5)")
    args = parser.parse_args()
    if args.csv:
        if not args.boardpack:
            parser.error("--boardpack is required (tests/bench/run.sh gives it)")
        return run_csv(args)
    defaults = {"runs": (11, 3), "keys": (20, 3), "moves": (30, 10), "quiet": (1.0, 0.4)}
    for name, (full, smoke) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, smoke if args.smoke else full)
    if args.from_json:
        with open(args.from_json) as handle:
            report = json.load(handle)
        print_report(report)
        if args.markdown:
            with open(args.markdown, "w") as handle:
                handle.write(markdown(report))
        return 0
    if not args.boardpack:
        parser.error("--boardpack is required (tests/bench/run.sh gives it)")
    sizes = [s.strip() for s in (args.sizes or ("M" if args.smoke else "bundled,M,L")).split(",")
             if s.strip()]
    for size in sizes:
        if size not in SIZES:
            parser.error(f"unknown size {size!r}; sizes are {', '.join(SIZES)}")
    if args.smoke and not args.import_repeats:
        args.import_repeats = 1
    made_workdir = not args.workdir
    args.workdir = os.path.abspath(args.workdir or tempfile.mkdtemp(prefix="boardpack-bench-"))
    os.makedirs(args.workdir, exist_ok=True)
    bench = Bench(args)
    bench.callgrind_files = {}
    bench.stores = {}
    results = {}
    started = time.monotonic()
    report = {"meta": {"date": datetime.datetime.now(datetime.timezone.utc)
                       .strftime("%Y-%m-%d %H:%M UTC"), "commit": git_commit(),
                       "machine": machine(), "boardpack": os.path.abspath(args.boardpack),
                       "terminal": f"{COLS}x{ROWS} {TERM}", "runs": args.runs,
                       "keys": args.keys, "moves": args.moves, "quiet": args.quiet,
                       "smoke": args.smoke, "limits": BARS},
              "sizes": sizes, "results": results}
    complete = False
    try:
        for size in sizes:
            measure_size(bench, size, args, results, started)
        measure_first_frames(bench, args, results)
        if "bundled" in bench.callgrind_files:
            for size, files_ in bench.callgrind_files.items():
                if size != "bundled":
                    results[size]["frame_profile"] = cost_difference(
                        files_["start"], bench.callgrind_files["bundled"]["start"], True, top=10)
        complete = True
    finally:
        report["sizes"] = [s for s in sizes if s in results]
        report["scale"], report["bars"] = compute_bars(results) if results else (None, [])
        report["complete"] = complete
        report["meta"]["seconds"] = round(time.monotonic() - started, 1)
        if args.json:
            with open(args.json, "w") as handle:
                json.dump(report, handle, indent=1)
        if made_workdir and not args.keep:
            shutil.rmtree(args.workdir, ignore_errors=True)
        elif args.keep:
            log(f"kept {args.workdir}")
    print_report(report)
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write(markdown(report))
    log(f"done in {time.monotonic() - started:.0f} s")
    failed = any(b["verdict"] == "FAIL" for b in report["bars"])
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
