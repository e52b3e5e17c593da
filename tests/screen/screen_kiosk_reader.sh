#!/usr/bin/env bash
# The deployment recipe of docs/kiosk.md, as two accounts: a manager who owns
# the store and a kiosk account that may only read it (group-readable store,
# -wal and -shm in a set-group-ID folder it cannot write). boardpack keeps
# -wal and -shm when its last connection closes, so the reader can open the
# store at any time; the kiosk shows the manager's changes, its files are
# open read-only, and it starts again by itself after the manager wrote with
# no kiosk running. If another program removed -wal and -shm, the reader is
# told what to do, and a manager's command puts them back. Needs root (to
# switch accounts with setpriv); skipped otherwise.
. "$(dirname "$0")/kiosk_lib.sh"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
  echo "skipped: needs root and setpriv to act as two accounts"
  exit 77
fi
MANAGER=64101 READER=64102 READERS=64103
# The accounts run the build's binary: every folder above it must let others
# in (a checkout inside `mktemp -d`'s 0700 folder does not). Say so once
# instead of failing every check below for that reason.
if ! setpriv --reuid=$READER --regid=$READER --clear-groups -- test -x "$BOARDPACK"; then
  fail "another account cannot run $BOARDPACK: a folder above it is closed to others (chmod o+x it)"
  finish
  exit 1
fi
chmod 711 "$WORK"
ROOM="$WORK/room"
install -d -o $MANAGER -g $READERS -m 2750 "$ROOM"
DB="$ROOM/store.db"
as_manager() { setpriv --reuid=$MANAGER --regid=$MANAGER --groups=$READERS -- "$@"; }
cat >"$WORK/as-reader" <<EOF
#!/bin/sh
exec setpriv --reuid=$READER --regid=$READER --groups=$READERS -- "$BOARDPACK" "\$@"
EOF
chmod 755 "$WORK/as-reader"

# The manager (umask 077, as a careful manager might have) creates the store
# and shares it with the readers' group, as docs/kiosk.md says.
run as_manager sh -c 'umask 077 && exec "$@"' - "$BOARDPACK" --db "$DB" init --sample
expect_status 0 "the manager creates the store"
expect_equal "$(stat -c '%a' "$DB")" "600" "a new store is the owner's alone"
run as_manager chmod 0640 "$DB" "$DB-wal" "$DB-shm"
expect_status 0 "the manager makes the store and its -wal and -shm group-readable"
run as_manager sh -c 'umask 077 && exec "$@"' - "$BOARDPACK" --db "$DB" record 1.1.2 70 --period 2024-03
expect_status 0 "the manager records"

# -wal and -shm stay when the last writer closes (the WAL emptied), with the
# store's permissions, so a reader can start at any time.
expect_equal "$(stat -c '%a %g' "$DB-wal" "$DB-shm" | sort -u)" "640 $READERS" \
  "-wal and -shm stay after the last writer closes, group-readable"
expect_equal "$(stat -c '%s' "$DB-wal")" "0" "the WAL is emptied into the store when the writer closes"
run "$WORK/as-reader" --db "$DB" report --format csv
expect_status 0 "the reader can read the store with no writer connected"
expect_out_contains "deliverable,1.1.2," "and sees the board"

# Another SQLite program (here the sqlite3 shell) that closes last removes
# them; a reader who may not create files then cannot open the store, and
# says what to do. Any boardpack command by the manager puts them back.
run as_manager sqlite3 "$DB" "SELECT count(*) FROM boards"
expect_file_absent "$DB-shm" "the sqlite3 shell closing last removes -shm"
run "$WORK/as-reader" --db "$DB" --kiosk
expect_status 73 "the kiosk cannot open the store without -wal and -shm"
expect_err_contains "its -wal and -shm files are missing and it may not create them" "and says why"
expect_err_contains "run any boardpack command as the store's owner" "and what to do"
run as_manager "$BOARDPACK" --db "$DB" report
expect_status 0 "the manager's read-only command"
expect_equal "$(stat -c '%a %g' "$DB-wal" "$DB-shm" | sort -u)" "640 $READERS" \
  "-wal and -shm are created group-readable, in the folder's group"
# The reader can do nothing else in the folder.
run setpriv --reuid=$READER --regid=$READER --groups=$READERS -- touch "$ROOM/other"
expect_status 1 "the reader cannot create files beside the store"
run setpriv --reuid=$READER --regid=$READER --groups=$READERS -- sh -c "echo x >>'$DB'"
if [ "$STATUS" -ne 0 ]; then pass; else fail "the reader could write the store"; fi

# The kiosk as the reader: it shows the manager's changes.
BOARDPACK="$WORK/as-reader" start 120 40 --kiosk --cycle 3600
kiosk_pid
wait_line '1\.1\.2 .*70% → 90% *$' "the reader's kiosk shows the store"
expect_equal "$(awk '/^Uid:/ {print $2}' "/proc/$PID/status")" "$READER" \
  "the kiosk runs as the reader"
for fd in /proc/"$PID"/fd/*; do
  target=$(readlink "$fd")
  case "$target" in
    "$DB" | "$DB-wal" | "$DB-shm")
      flags=$(awk '/^flags:/ {print $2}' "/proc/$PID/fdinfo/${fd##*/}")
      expect_equal "$((8#$flags & 3))" "0" "$target is open read-only"
      ;;
  esac
done
run as_manager "$BOARDPACK" --db "$DB" record 1.1.2 12.3 --period 2024-03
expect_status 0 "the manager records while the kiosk runs"
wait_line '1\.1\.2 .*12\.3% → 90% *$' "the manager's change appears on the reader's kiosk"
[ -e "$DB-wal" ] && [ -e "$DB-shm" ] && pass ||
  fail "-wal and -shm stay while the kiosk is connected"
run as_manager "$BOARDPACK" --db "$DB" record 1.1.2 34.5 --period 2024-03
wait_line '1\.1\.2 .*34\.5% → 90% *$' "and the next one"
expect_running "the reader's kiosk"
kill -TERM "$PID"
wait_exit "SIGTERM ends the reader's kiosk"
expect_equal "$STATUS" "0" "exit status"
stop_session

# The manager records with no kiosk running (the last connection closes),
# and the kiosk starts again (a reboot, a restart) by itself.
run as_manager "$BOARDPACK" --db "$DB" record 1.1.2 56.7 --period 2024-03
expect_status 0 "the manager records with no kiosk running"
BOARDPACK="$WORK/as-reader" start 120 40 --kiosk --cycle 3600
kiosk_pid
wait_line '1\.1\.2 .*56\.7% → 90% *$' "a restarted kiosk opens the store and shows the latest"
run as_manager "$BOARDPACK" --db "$DB" record 1.1.2 65.4 --period 2024-03
wait_line '1\.1\.2 .*65\.4% → 90% *$' "and follows the manager again"
expect_running "the restarted kiosk"
kill -TERM "$PID"
wait_exit "SIGTERM ends it"
run sqlite3 -readonly "$DB" "PRAGMA integrity_check"
expect_equal "$OUT" "ok" "the store passes the integrity check"
finish
