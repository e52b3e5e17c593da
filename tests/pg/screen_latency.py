#!/usr/bin/env python3
"""screen_latency.py — how long after a command exits a tmux pane shows
what it changed. Runs COMMAND, and from the moment it exits reads the pane
(tmux capture-pane) every INTERVAL until a line matches REGEX, then prints
the milliseconds between the two (one integer) on stdout. Exits 1 if the
command failed, 2 if the pane did not show the change within TIMEOUT.

  screen_latency.py --socket S --target T --regex RE [--interval 0.02]
                    [--timeout 10] -- COMMAND...
"""
import argparse
import re
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--socket", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--regex", required=True)
    parser.add_argument("--interval", type=float, default=0.02)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    pattern = re.compile(args.regex, re.M)
    capture = ["tmux", "-L", args.socket, "-f", "/dev/null", "capture-pane", "-p", "-t", args.target]

    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    exited = time.monotonic()
    if done.returncode != 0:
        sys.stderr.write("the command failed (status %d): %s" % (done.returncode, done.stderr))
        return 1
    deadline = exited + args.timeout
    screen = ""
    while True:
        before = time.monotonic()
        screen = subprocess.run(capture, capture_output=True, text=True).stdout
        if pattern.search(screen):
            # Counted to the end of the read that saw it: at most the read's
            # own few milliseconds more than the truth, never less.
            print(int(round((time.monotonic() - exited) * 1000)))
            return 0
        if before > deadline:
            sys.stderr.write("the pane did not show /%s/ within %.1f s; it shows:\n%s\n"
                             % (args.regex, args.timeout, screen))
            return 2
        pause = args.interval - (time.monotonic() - before)
        if pause > 0:
            time.sleep(pause)


if __name__ == "__main__":
    sys.exit(main())
