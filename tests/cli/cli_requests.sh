#!/usr/bin/env bash
# The request table: the man page lists every request (its key tables are
# made by tools/man-requests.sh from `boardpack --list-requests`), and the
# settings file's bind: section names keys and requests, with located errors.
. "$(dirname "$0")/lib.sh"

run "$BOARDPACK" --list-requests
expect_status 0 "--list-requests"
expect_out_contains "browser	edit	e	" "--list-requests lists edit"
expect_out_contains "kiosk	pause	Space	" "--list-requests lists the kiosk's pause"

# Each front end's key table in the man page is exactly what the request
# table makes: a request added to the table and not to the man page fails.
for front in browser kiosk; do
  generated=$(sh "$SOURCE_ROOT/tools/man-requests.sh" "$BOARDPACK" "$front")
  in_page=$(sed -n "/^\\.\\\\\" $front requests: begin/,/^\\.\\\\\" $front requests: end/p" \
              "$SOURCE_ROOT/docs/boardpack.1" | sed '1d;$d')
  expect_equal "$in_page" "$generated" "the man page's $front key table is the request table's"
  # And, request by request, so a failure names what is missing.
  while IFS='	' read -r where name keys help; do
    [ "$where" = "$front" ] || continue
    troff_name=$(printf '%s' "$name" | sed 's/-/\\-/g')
    if grep -qF "(\\fB$troff_name\\fR)" "$SOURCE_ROOT/docs/boardpack.1"; then pass
    else fail "the man page misses the $front request $name"; fi
  done < <("$BOARDPACK" --list-requests)
done

# bind: a known key to a known request is fine; the browser then fails only
# for want of a terminal.
seed_store   # seeds the store
expect_status 0 "seeding the store"
mkdir -p "$XDG_CONFIG_HOME/boardpack"
CONFIG="$XDG_CONFIG_HOME/boardpack/config.yaml"
printf 'theme: default\nbind:\n  x: quit\n  Ctrl-E: edit\n  q: none\n' >"$CONFIG"
TERM=dumb run "$BOARDPACK" --db "$DB"
expect_status 2 "good bindings: only the dumb terminal stops the browser"

printf 'theme: default\nbind:\n  x: quit\n  zz: edit\n' >"$CONFIG"
run "$BOARDPACK" --db "$DB"
expect_status 65 "unknown key"
expect_err_equals "$CONFIG:4:3: error: 'zz' is not a key boardpack knows (a letter, Up, PgDn, Enter, Tab, Space, Home, F1-F12, Ctrl-A ...)" "unknown key, located"

printf 'bind:\n  x: quit\n  y:   frobnicate\n' >"$CONFIG"
run "$BOARDPACK" --db "$DB"
expect_status 65 "unknown request"
expect_err_equals "$CONFIG:3:8: error: 'frobnicate' is not a request; boardpack --list-requests names them, or 'none' unbinds the key" "unknown request, located"

printf 'bind:\n  x: pause\n  Ctrl-N: next-match\n' >"$CONFIG"
TERM=dumb run "$BOARDPACK" --db "$DB"
expect_status 2 "a kiosk request in bind: is fine for the browser (it is the kiosk's)"

printf 'bind:\n  x: [quit]\n' >"$CONFIG"
run "$BOARDPACK" --db "$DB"
expect_status 65 "a list as a request"
expect_err_contains "$CONFIG:2:6: error:" "a list as a request, located"

printf 'bind: quit\n' >"$CONFIG"
run "$BOARDPACK" --db "$DB"
expect_status 65 "bind as a single value"
expect_err_contains "$CONFIG:1:7: error: bind is a mapping" "bind as a single value, located"

finish
