#!/usr/bin/env bash
# The command line's grammar: options before or after the command and its
# arguments, "--" ending them, negative values as values, whole option names
# only; and --help naming every option and exit status the man page names.
. "$(dirname "$0")/lib.sh"

board="$WORK/net.yaml"
cat >"$board" <<'YAML'
board:
  code: net
  title: "A board with a signed metric"
aims:
  - code: "1"
    title: "Aim one"
    objectives:
      - code: "1.1"
        title: "Objective one"
        deliverables:
          - code: "1.1.1"
            title: "Net change in staff"
            metric: {name: "Net change", unit: number, direction: up, target: {value: 10, period: 2024-03}}
          - code: "1.1.2"
            title: "A new service"
            milestone: {due: 2024-03, status: on_track}
YAML
run "$BOARDPACK" --db "$DB" import "$board"
expect_status 0 "import the signed board"

# ---- Negative values --------------------------------------------------------------------
run "$BOARDPACK" --db "$DB" --board net record 1.1.1 -5 --period 2024-01
expect_status 0 "record a negative value without --"
expect_out_contains "Recorded 1.1.1 2024-01 = -5." "a negative value is a value"
run "$BOARDPACK" --db "$DB" --board net record 1.1.1 --period 2024-02 -- -5
expect_status 0 "record a negative value after --"
expect_out_contains "Recorded 1.1.1 2024-02 = -5." "-- then a negative value"
run "$BOARDPACK" --db "$DB" --board net record 1.1.1 -.5 --period 2024-03
expect_status 0 "a negative value with no leading digit"
expect_out_contains "Recorded 1.1.1 2024-03 = -0.5." "-.5 is minus a half"
run "$BOARDPACK" --db "$DB" --board net record 1.1.1 --period=2024-03 -2.25
expect_status 0 "--name=value, then a negative value"
expect_out_contains "Recorded 1.1.1 2024-03 = -2.25 (was -0.5)." "replaced with -2.25"

# ---- Options anywhere -----------------------------------------------------------------
run "$BOARDPACK" record --period 2024-04 --board net 1.1.1 --db "$DB" 7 --note "after the code"
expect_status 0 "options between and after the arguments"
expect_out_contains "Recorded 1.1.1 2024-04 = 7." "options anywhere"
run "$BOARDPACK" report --format csv --db "$DB" --board net
expect_status 0 "report with its options after the command"
expect_out_contains ",1.1.1,Net change in staff," "report of the signed board"
# A value that looks like an option is still the option's value.
run "$BOARDPACK" --db "$DB" --board net record 1.1.1 8 --period 2024-05 --note --kiosk
expect_status 0 "a note that starts with --"
run "$BOARDPACK" --db "$DB" --board net record 1.1.1 9 --period 2024-06 --note=-x
expect_status 0 "a note that starts with - after ="

# After --, an option's name is an argument.
run "$BOARDPACK" --db "$DB" --board net record -- 1.1.1 --period
expect_status 65 "after --, --period is the value"
expect_err_contains "'--period' is not a number." "-- ends options"

# ---- Mistakes ------------------------------------------------------------------------
run "$BOARDPACK" --db "$DB" --board net record 1.1.1 1 --perio 2024-01
expect_status 2 "an abbreviated option"
expect_err_contains "boardpack: unknown option --perio." "whole names only"
run "$BOARDPACK" --db "$DB" --read-only=yes
expect_status 2 "a flag with a value"
expect_err_contains "boardpack: option --read-only takes no value." "flag with a value message"
run "$BOARDPACK" --db "$DB" --board net record 1.1.1 1 --period
expect_status 2 "an option without its value"
expect_err_contains "boardpack: option --period needs a value." "missing value message"
run "$BOARDPACK" --db "$DB" -x
expect_status 2 "an unknown short option"
expect_err_contains "boardpack: unknown option -x." "unknown short option message"
run "$BOARDPACK" --db "$DB" --board net record 1.1.1
expect_status 2 "record without a value"
run "$BOARDPACK" --db "$DB" --board net record 1.1.1 1 2
expect_status 2 "record with a value too many"

# ---- A milestone is not a metric ------------------------------------------------------
before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" --board net record 1.1.2 1 --period 2024-01
expect_status 65 "record on a milestone"
expect_err_equals "'1.1.2' is a milestone, which has a status rather than readings; set its status with m in the browser, or import a file with milestone_updates." "record on a milestone says so"
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
