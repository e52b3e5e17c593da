#!/bin/sh
# man-requests.sh BOARDPACK FRONT — the man page's key table for FRONT
# (browser or kiosk), made from the request table (`boardpack
# --list-requests`). It goes between the "FRONT requests: begin" and
# "FRONT requests: end" markers of docs/boardpack.1; tests/cli/cli_requests.sh
# fails while they differ.
set -eu
"$1" --list-requests | awk -F '\t' -v front="$2" '
function troff(text) { gsub(/\\/, "\\e", text); gsub(/-/, "\\-", text); return text }
$1 == front {
  print ".TP"
  print ".B \"" troff($3) "\""
  print toupper(substr($4, 1, 1)) troff(substr($4, 2)) " (\\fB" troff($2) "\\fR)."
}'
