#!/usr/bin/env bash
# The command line's grammar: options before or after the command and its
# arguments, "--" ending them, negative values as values, whole option names
# only; and --help naming every option and exit status the man page names.
. "$(dirname "$0")/lib.sh"

board="$WORK/net.yaml"
cat >"$board" <<'YAML'
board: {code: net, title: "A board with a signed metric"}
aims:
  - {code: "1", title: "Aim one", objectives: [{code: "1.1", title: "Objective one", deliverables: [
      {code: "1.1.1", title: "Net change in staff",
       metric: {name: "Net change", unit: number, direction: up, target: {value: 10, period: 2024-03}}},
      {code: "1.1.2", title: "A new service", milestone: {due: 2024-03, status: on_track}}]}]}
YAML
run "$BOARDPACK" --db "$DB" import "$board"
expect_status 0 "import the signed board"

# recorded SAID ARGS...: `boardpack ARGS...` succeeds and says SAID.
recorded() {
  local said=$1
  shift
  run "$BOARDPACK" "$@"
  expect_status 0 "$*"
  expect_out_contains "$said" "$*"
}
# refused STATUS MESSAGE ARGS...: `boardpack ARGS...` fails so, saying MESSAGE.
refused() {
  local status=$1 message=$2
  shift 2
  run "$BOARDPACK" "$@"
  expect_status "$status" "$*"
  expect_err_contains "$message" "$*"
}

# ---- Negative values are values, with or without -- ----------------------------------
recorded "Recorded 1.1.1 2024-01 = -5." --db "$DB" --board net record 1.1.1 -5 --period 2024-01
recorded "Recorded 1.1.1 2024-02 = -5." --db "$DB" --board net record 1.1.1 --period 2024-02 -- -5
recorded "Recorded 1.1.1 2024-03 = -0.5." --db "$DB" --board net record 1.1.1 -.5 --period 2024-03
recorded "Recorded 1.1.1 2024-03 = -2.25 (was -0.5)." --db "$DB" --board net record 1.1.1 --period=2024-03 -2.25

# ---- Options anywhere; a value that looks like an option is the option's value --------
recorded "Recorded 1.1.1 2024-04 = 7." record --period 2024-04 --board net 1.1.1 --db "$DB" 7 --note "after the code"
recorded ",1.1.1,Net change in staff," report --format csv --db "$DB" --board net
recorded "Recorded 1.1.1 2024-05 = 8." --db "$DB" --board net record 1.1.1 8 --period 2024-05 --note --kiosk
recorded "Recorded 1.1.1 2024-06 = 9." --db "$DB" --board net record 1.1.1 9 --period 2024-06 --note=-x
# After --, an option's name is an argument.
refused 65 "'--period' is not a number." --db "$DB" --board net record -- 1.1.1 --period

# ---- Usage mistakes: status 2, the messages as before ----------------------------------
refused 2 "boardpack: unknown option --perio." --db "$DB" --board net record 1.1.1 1 --perio 2024-01
refused 2 "boardpack: option --read-only takes no value." --db "$DB" --read-only=yes
refused 2 "boardpack: option --period needs a value." --db "$DB" --board net record 1.1.1 1 --period
refused 2 "boardpack: unknown option -x." --db "$DB" -x
refused 2 "record needs a CODE and a VALUE" --db "$DB" --board net record 1.1.1
refused 2 "record needs a CODE and a VALUE" --db "$DB" --board net record 1.1.1 1 2

# ---- A milestone is not a metric ------------------------------------------------------
before=$(store_fingerprint "$DB")
refused 65 "'1.1.2' is a milestone, which has a status rather than readings; set its status with m in the browser, or import a file with milestone_updates." \
  --db "$DB" --board net record 1.1.2 1 --period 2024-01
expect_equal "$(store_fingerprint "$DB")" "$before" "record on a milestone writes nothing"

# ---- --help and the man page ------------------------------------------------------------
run "$BOARDPACK" --help
expect_status 0 "--help"
help=$OUT
man_page="$SOURCE_ROOT/docs/boardpack.1"
# Every --option the man page names (written \-\-name in roff).
options=$(grep -o '\\-\\-[a-z][a-z\\-]*' "$man_page" | sed 's/\\-/-/g' | sort -u)
[ -n "$options" ] && pass || fail "the man page names options"
for option in $options; do
  if printf '%s\n' "$help" | grep -qE -- "(^|[^a-z-])$option([^a-z-]|$)"; then
    pass
  else
    fail "--help does not list $option, which boardpack(1) does"
  fi
done
# Every exit status in the man page's EXIT STATUS section, in --help's
# "Exit status:" sentence.
statuses=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH/p' "$man_page" | grep -oE '\b[0-9]+\b' | sort -un)
[ -n "$statuses" ] && pass || fail "the man page lists exit statuses"
exit_line=$(printf '%s\n' "$help" | sed -n '/^Exit status:/,/^$/p' | tr '\n' ' ')
for status in $statuses; do
  if printf '%s' "$exit_line" | grep -qE "(^|[^0-9])$status [a-z]"; then
    pass
  else
    fail "--help's exit statuses lack $status, which boardpack(1) lists"
  fi
done

finish
