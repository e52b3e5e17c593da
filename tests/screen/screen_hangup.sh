#!/usr/bin/env bash
# A terminal that goes away without a SIGHUP (the program is not its
# session's leader, e.g. started under a supervisor on a pty it was handed):
# the browser and the kiosk end within a moment instead of spinning on end of
# file. A pseudo-terminal whose master side is closed, driven from Python.
. "$(dirname "$0")/../cli/lib.sh"
seed_store

hang_up() { # hang_up ARGS...: sets OUT to "exited STATUS" or "spinning CPU-TICKS"
  OUT=$(python3 - "$BOARDPACK" --db "$DB" "$@" <<'PYTHON'
import fcntl, os, select, struct, subprocess, sys, termios, time
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
env = dict(os.environ, TERM="xterm-256color")
child = subprocess.Popen(sys.argv[1:], stdin=slave, stdout=slave, stderr=subprocess.DEVNULL,
                         env=env)
os.close(slave)
# Wait for the first frame (the header's "as at"), then close the window.
seen, deadline = b"", time.monotonic() + 10
while b"as at" not in seen and time.monotonic() < deadline:
    if select.select([master], [], [], 0.2)[0]:
        seen += os.read(master, 65536)
os.close(master)
try:
    child.wait(timeout=5)
    print("exited", child.returncode)
except subprocess.TimeoutExpired:
    ticks = open(f"/proc/{child.pid}/stat").read().split()[13:15]
    child.kill()
    print("spinning", "+".join(ticks))
PYTHON
)
}

hang_up
expect_equal "$OUT" "exited 0" "browser ends when its terminal hangs up"
hang_up --read-only
expect_equal "$OUT" "exited 0" "read-only browser ends when its terminal hangs up"
hang_up --kiosk
expect_equal "$OUT" "exited 0" "kiosk ends when its terminal hangs up"
finish
