#!/usr/bin/env bash
# Hostile board files: each ends in a located error or a correct import, in
# bounded time and memory, never a crash or a hang, and a refused file
# leaves the store byte-for-byte unchanged.
. "$(dirname "$0")/lib.sh"

seed_store   # a seeded store to protect
before=$(store_fingerprint "$DB")

# AddressSanitizer reserves terabytes of address space, so the 1 GiB limit
# applies only to the plain build; the sanitised build still bounds time.
if ldd "$BOARDPACK" 2>/dev/null | grep -q libasan; then LIMIT=true; else LIMIT='ulimit -v 1048576'; fi

# hostile NAME: import $WORK/NAME.yaml with a 20 s limit and 1 GiB of memory;
# expect status 65 and a located error.
hostile() {
  local name=$1 file="$WORK/$1.yaml"
  run bash -c "$LIMIT"'; exec timeout 20 "$@"' _ "$BOARDPACK" --db "$DB" import "$file"
  if [ "$STATUS" -eq 65 ]; then pass; else fail "$name: status $STATUS, expected 65"; fi
  if printf '%s' "$ERR" | grep -qE "^$file:[0-9]+:[0-9]+: error: "; then pass; else
    fail "$name: no located error"; fi
  expect_equal "$(printf '%s\n' "$ERR" | wc -l)" "1" "$name: one line on stderr"
}

printf 'board:\n  code: a\n  title: "unterminated\naims: []\n' >"$WORK/unterminated-quote.yaml"
hostile unterminated-quote
printf 'board:\n  code: a\n    title: wrong indent\n' >"$WORK/bad-indent.yaml"
hostile bad-indent
printf 'board: {code: a, title: x\naims: []\n' >"$WORK/unclosed-flow.yaml"
hostile unclosed-flow
printf 'board:\n\tcode: a\n' >"$WORK/tab-indent.yaml"
hostile tab-indent
printf '%s' '- just\n- a list\n' >"$WORK/top-level-list.yaml"
hostile top-level-list
printf 'board: [a, b]\n' >"$WORK/board-list.yaml"
hostile board-list

# Billion laughs: refused at the first alias, long before it could expand.
{
  echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
  prev=a
  for level in b c d e f g h i; do
    printf '%s: &%s [' "$level" "$level"
    for _ in 1 2 3 4 5 6 7 8 9; do printf '*%s,' "$prev"; done
    printf '*%s]\n' "$prev"
    prev=$level
  done
  echo 'board: *i'
} >"$WORK/alias-bomb.yaml"
hostile alias-bomb
printf 'board: &b {code: a, title: x}\naims: []\n' >"$WORK/anchor.yaml"
hostile anchor

python3 -c "print('board: ' + '[' * 100000 + ']' * 100000)" >"$WORK/deep-flow.yaml"
hostile deep-flow
python3 -c "
import sys
out = ['board:']
for depth in range(1, 5000):
    out.append('  ' * depth + 'k:')
print('\n'.join(out))" >"$WORK/deep-block.yaml"
hostile deep-block

python3 -c "print('board:\n  code: a\n  title: \"' + 'x' * 20_000_000 + '\"\n  bogus: 1')" >"$WORK/huge-scalar.yaml"
hostile huge-scalar

python3 -c "
print('board: {code: many, title: \"Many nodes\"}')
print('aims: []')
print('readings:')
for i in range(200000):
    print('  - {metric: \"x\", period: 2023-01, value: %d}' % i)" >"$WORK/many-nodes.yaml"
hostile many-nodes

printf 'board: {code: a, title: "bad \xc3\x28 byte"}\naims: []\n' >"$WORK/invalid-utf8.yaml"
hostile invalid-utf8
printf 'board: {code: a, title: "ok"}\naims: []\n\xff\xfe\n' >"$WORK/invalid-utf8-late.yaml"
hostile invalid-utf8-late
printf '' >"$WORK/empty.yaml"
hostile empty
printf '# only a comment\n' >"$WORK/comment-only.yaml"
hostile comment-only
printf -- '---\nboard: {code: a, title: x}\naims: []\n---\nboard: {code: b, title: y}\naims: []\n' >"$WORK/two-documents.yaml"
hostile two-documents
printf 'board: {code: a, title: x, code: b}\naims: []\n' >"$WORK/duplicate-key.yaml"
hostile duplicate-key
printf 'board: {code: a, title: [x]}\naims: []\n' >"$WORK/wrong-type.yaml"
hostile wrong-type
printf 'board: {code: a, title: x}\naims: []\nreadings: "not a list"\n' >"$WORK/wrong-type-list.yaml"
hostile wrong-type-list
printf 'board: {code: a, title: "nul\\0here"}\naims: []\n' >"$WORK/nul-escape.yaml"
hostile nul-escape

expect_equal "$(store_fingerprint "$DB")" "$before" "hostile files leave the store unchanged"

# Files that are odd but fine import correctly.
printf '\xef\xbb\xbfboard:\r\n  code: bom-crlf\r\n  title: "With a BOM and CRLF"\r\naims:\r\n  - code: "1"\r\n    title: "Aim"\r\n    objectives: []\r\n' >"$WORK/bom-crlf.yaml"
run "$BOARDPACK" --db "$DB" import "$WORK/bom-crlf.yaml"
expect_status 0 "BOM and CRLF import"
expect_equal "$(sql "$DB" "SELECT title FROM boards WHERE code = 'bom-crlf'")" "With a BOM and CRLF" "BOM and CRLF title"

# Codes that clash across files in one import: the second file is refused,
# and the first is not imported either.
cat >"$WORK/clash-a.yaml" <<'YAML'
board: {code: clash, title: "First"}
aims: []
YAML
cp "$WORK/clash-a.yaml" "$WORK/clash-b.yaml"
before=$(store_fingerprint "$DB")
run "$BOARDPACK" --db "$DB" import "$WORK/clash-a.yaml" "$WORK/clash-b.yaml"
expect_status 65 "clashing codes across files"
expect_err_contains "$WORK/clash-b.yaml:1:" "clash located in the second file"
expect_equal "$(store_fingerprint "$DB")" "$before" "a clash writes nothing"

finish
