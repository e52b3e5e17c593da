#!/usr/bin/env bash
# pack_browser.sh — the board pack of the bundled board (a store seeded with
# init --sample) in Debian's chromium, headless: screenshots at A4 landscape
# and at 1280 px wide (kept in $PACK_SCREENSHOTS for a person to look at),
# printed to PDF with a plausible page count on A4 landscape, then the DOM
# checks and axe-core of check_pack.mjs (npm packages pinned in
# package-lock.json, installed with npm ci into the build folder). A machine
# without chromium, node or npm FAILS this test: tools/run-tests installs them.
set -u
: "${BOARDPACK:?set BOARDPACK to the binary}"
: "${SOURCE_ROOT:?set SOURCE_ROOT to the source tree}"
: "${PACK_SCREENSHOTS:?set PACK_SCREENSHOTS to a folder for the screenshots}"
: "${PACK_NODE:?set PACK_NODE to a folder for the npm packages}"
export LC_ALL=C.UTF-8 TZ=UTC
WORK=$(mktemp -d /tmp/boardpack-pack-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config"
mkdir -p "$HOME" "$PACK_SCREENSHOTS" "$PACK_NODE"
FAILURES=0
CHECKS=0
pass() { CHECKS=$((CHECKS + 1)); }
fail() {
  CHECKS=$((CHECKS + 1))
  FAILURES=$((FAILURES + 1))
  echo "FAIL: $*" >&2
}
finish() {
  echo "pack_browser: $((CHECKS - FAILURES)) passed, $FAILURES failed"
  [ "$FAILURES" -eq 0 ]
  exit $?
}

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ] || ! "$CHROMIUM" --version >/dev/null 2>&1; then
  fail "cannot start chromium (install Debian's chromium: tools/run-tests does)"
  finish
fi
for tool in node npm; do
  command -v "$tool" >/dev/null || { fail "no $tool (install Debian's nodejs and npm)"; finish; }
done
# Root (as CI runs) needs --no-sandbox; the flags are the same for everyone.
browser=("$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars
         --disable-dev-shm-usage --no-first-run --no-default-browser-check)

"$BOARDPACK" --db "$WORK/store.db" init --sample 2>/dev/null || { fail "init --sample"; finish; }
BOARDPACK_PACK_MADE_AT="2024-04-05 09:00 UTC" \
  "$BOARDPACK" --db "$WORK/store.db" pack --output "$WORK/pack.html" \
  && pass || { fail "pack --output"; finish; }
deliverables=$(grep -c '<section class="deliverable"' "$WORK/pack.html")

# Screenshots: A4 landscape at 96 dpi (297 x 210 mm), and 1280 px wide.
rm -f "$PACK_SCREENSHOTS"/pack-*.png
timeout 120 "${browser[@]}" --window-size=1123,794 \
  --screenshot="$PACK_SCREENSHOTS/pack-a4-landscape.png" "file://$WORK/pack.html" 2>"$WORK/err-a4"
if [ -s "$PACK_SCREENSHOTS/pack-a4-landscape.png" ]; then pass; else
  fail "no A4 landscape screenshot: $(tail -3 "$WORK/err-a4")"; fi
timeout 120 "${browser[@]}" --window-size=1280,900 \
  --screenshot="$PACK_SCREENSHOTS/pack-1280.png" "file://$WORK/pack.html" 2>"$WORK/err-1280"
if [ -s "$PACK_SCREENSHOTS/pack-1280.png" ]; then pass; else
  fail "no 1280 px screenshot: $(tail -3 "$WORK/err-1280")"; fi

# The PDF: A4 landscape, at least a page per deliverable and the four
# sections' pages, and not absurdly more.
timeout 180 "${browser[@]}" --no-pdf-header-footer --print-to-pdf="$WORK/pack.pdf" \
  "file://$WORK/pack.html" 2>"$WORK/err-pdf"
if [ -s "$WORK/pack.pdf" ]; then
  pass
  if command -v pdfinfo >/dev/null; then
    pages=$(pdfinfo "$WORK/pack.pdf" | awk '/^Pages:/ {print $2}')
    size=$(pdfinfo "$WORK/pack.pdf" | awk -F': *' '/^Page size:/ {print $2}')
  else
    pages=$(grep -a -c '/Type */Page[^s]' "$WORK/pack.pdf")
    size=unknown
  fi
  echo "pack_browser: $deliverables deliverables, $pages PDF pages, page size $size"
  if [ "${pages:-0}" -ge $((deliverables + 4)) ] && [ "$pages" -le $((deliverables * 3 + 12)) ]; then
    pass
  else
    fail "the PDF has ${pages:-no} pages for $deliverables deliverables"
  fi
  case $size in
    841.9*" x 59"[45]*|unknown) pass ;;
    *) fail "the PDF's pages are not A4 landscape: $size" ;;
  esac
else
  fail "chromium printed no PDF: $(tail -3 "$WORK/err-pdf")"
fi

# The DOM checks and axe-core, with the pinned packages.
cp "$SOURCE_ROOT/tests/pack/package.json" "$SOURCE_ROOT/tests/pack/package-lock.json" "$PACK_NODE/"
if ! cmp -s "$PACK_NODE/package-lock.json" "$PACK_NODE/node_modules/.package-lock.json.installed" 2>/dev/null; then
  if (cd "$PACK_NODE" && npm ci --no-audit --no-fund --loglevel=error >"$WORK/npm.log" 2>&1); then
    cp "$PACK_NODE/package-lock.json" "$PACK_NODE/node_modules/.package-lock.json.installed"
  else
    fail "npm ci: $(tail -5 "$WORK/npm.log")"
    finish
  fi
fi
cp "$SOURCE_ROOT/tests/pack/check_pack.mjs" "$PACK_NODE/"
if timeout 400 node "$PACK_NODE/check_pack.mjs" "$WORK/pack.html" "$CHROMIUM"; then
  pass
else
  fail "the browser checks (above)"
fi
finish
