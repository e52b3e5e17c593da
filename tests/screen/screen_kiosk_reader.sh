#!/usr/bin/env bash
# The deployment recipe of docs/kiosk.md, as two accounts: a manager who owns
# the store and a kiosk account that may only read it (group-readable store,
# -wal and -shm in a set-group-ID folder it cannot write). The kiosk shows the
# manager's changes; its files are open read-only; and the one thing that
# stops a read-only reader (no -wal/-shm when it starts) is put right by a
# manager's read-only command, as the recipe says. Needs root (to switch
# accounts with setpriv); skipped otherwise.
. "$(dirname "$0")/kiosk_lib.sh"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
  echo "skipped: needs root and setpriv to act as two accounts"
  exit 77
fi
MANAGER=64101 READER=64102 READERS=64103
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

# The manager creates the store and shares it with the readers' group.
run as_manager "$BOARDPACK" --db "$DB" report
expect_status 0 "the manager creates the store"
run as_manager chmod 0640 "$DB" "$DB-wal" "$DB-shm"
expect_status 0 "the manager makes the store and its -wal and -shm group-readable"
run as_manager "$BOARDPACK" --db "$DB" record 1.1.2 70 --period 2024-03
expect_status 0 "the manager records"

# Without -wal and -shm (the manager's last connection removed them), a
# reader that may not create files cannot open the store.
expect_file_absent "$DB-wal" "the last writer to close removes the WAL"
run "$WORK/as-reader" --db "$DB" --kiosk
expect_status 73 "the kiosk cannot open the store without -wal and -shm"
expect_err_contains "is read-only here" "and says so"
# A read-only command as the manager recreates them, readable by the group.
run as_manager "$BOARDPACK" --db "$DB" report
expect_status 0 "the manager's read-only command"
expect_equal "$(stat -c '%a %g' "$DB-wal" "$DB-shm" | sort -u)" "640 $READERS" \
  "-wal and -shm are created group-readable, in the folder's group"

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
finish
