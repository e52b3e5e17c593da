#!/usr/bin/env bash
# A storm of random keys at the kiosk: printable keys, control keys, function
# keys, Alt-keys and raw escape sequences (mouse reports, bracketed paste,
# OSC, C1 and broken UTF-8). Afterwards the kiosk is still running and
# drawing, has opened nothing but its store, and the store file and its WAL
# are byte-for-byte unchanged (on PostgreSQL, its rows). A configured quit sequence typed after the
# storm shows that the kiosk read every key. STORM_KEYS sets the size (default 8000),
# STORM_SEED the random seed (printed, to replay a failure).
. "$(dirname "$0")/kiosk_lib.sh"
seed_store
before=$(store_fingerprint "$DB")
files_before=$(cd "$WORK" && ls -A | grep -vxE 'stderr|exit-status|out|err' | sort)

# A quit sequence the storm will not type (its odds are below 1 in 10^30),
# typed at the end to prove every key of the storm was read.
SCREEN_ENV="BOARDPACK_KIOSK_QUIT=StormOver" start 100 30 --kiosk --cycle 1
kiosk_pid
wait_line "Aim [0-9] of 4" "the kiosk is up"

seed=${STORM_SEED:-$$}
echo "storm seed $seed"
RANDOM=$seed
named=(Enter Escape Tab BTab BSpace Space Up Down Left Right Home End PPage NPage IC DC
  F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 F12 M-a M-q M-x M-Enter M-Escape C-Up C-Left S-Right
  'C-\' 'C-]' 'C-^' 'C-_' C-Space)
for c in {a..z}; do named+=("C-$c" "$c"); done
for c in {A..Z} {0..9}; do named+=("$c"); done
# Printable punctuation as hex, so tmux reads none of it as its own syntax.
printable=(21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 3a 3b 3c 3d 3e 3f 40 5b 5c 5d 5e 5f 60
  7b 7c 7d 7e 7f 00)
# Raw sequences: X10 and SGR mouse reports, bracketed paste, focus events,
# OSC title, DCS, SS3 keys, C1 CSI, invalid and truncated UTF-8, a stray ESC.
sequences=("1b 5b 4d 20 21 21" "1b 5b 3c 30 3b 31 30 3b 35 4d" "1b 5b 32 30 30 7e 65 75 1b 5b 32 30 31 7e"
  "1b 5b 49" "1b 5b 4f" "1b 5d 30 3b 74 69 74 6c 65 07" "1b 50 71 1b 5c" "1b 4f 50" "1b 4f 41"
  "9b 41" "ff fe" "c3" "e2 82" "1b" "1b 5b" "1b 5b 31 3b 35 43" "1b 5b 39 39 39 39 39 39 7e"
  "f0 9f 98 80" "e2 86 92")
sent=0
total=${STORM_KEYS:-8000}
while [ $sent -lt "$total" ]; do
  batch=()
  for _ in $(seq 100); do batch+=("${named[RANDOM % ${#named[@]}]}"); done
  keys "${batch[@]}"
  hex=()
  for _ in $(seq 20); do
    if [ $((RANDOM % 2)) -eq 0 ]; then hex+=(${printable[RANDOM % ${#printable[@]}]})
    else hex+=(${sequences[RANDOM % ${#sequences[@]}]}); fi
  done
  "${TMUX_CMD[@]}" send-keys -t test -H "${hex[@]}"
  sent=$((sent + 120))
done
echo "storm: $sent keys and sequences sent"

# Still running, still drawing, still answering the stepping keys.
expect_running "after the storm"
wait_clock_moves "the clock still ticks after the storm"
wait_line "^ Year One Breakthrough Objectives for 2023/24 .*as at Mar 2024" "the header is intact"
wait_line "Aim [0-9] of 4" "an aim is shown"
wait_gone "Terminal too small" "the layout is intact"

# It has opened nothing but the terminal and the store (with its WAL and
# shared-memory index; on PostgreSQL, one socket: its connection), and
# created no file. (Standard error goes to a file the test harness opened.)
open_files=$(for fd in /proc/"$PID"/fd/*; do readlink "$fd"; done)
if on_pg; then
  expect_equal "$(printf '%s\n' "$open_files" | grep -cE '^socket:\[[0-9]+\]$')" "1" \
    "one connection to the server"
  store_files='^socket:\[[0-9]+\]$'
else
  store_files="^$DB(-wal|-shm)?$"
fi
others=$(printf '%s\n' "$open_files" |
  grep -vE "^/dev/(pts/[0-9]+|tty.*|null)$|$store_files|^$WORK/stderr$")
expect_equal "$others" "" "open files other than the terminal and the store"
files_after=$(cd "$WORK" && ls -A | grep -vxE 'stderr|exit-status|out|err' | sort)
expect_equal "$files_after" "$files_before" "files in the store's folder"
expect_equal "$(store_fingerprint "$DB")" "$before" "the store and its WAL after the storm"

keys Right # ends any part-typed sequence
type_text "StormOver"
wait_exit "the kiosk reads the whole storm, then the quit sequence"
expect_equal "$STATUS" "0" "exit status after the storm"
expect_equal "$(store_fingerprint "$DB")" "$before" "the store and its WAL after the kiosk ends"
finish
