#!/usr/bin/env bash
# Every seed of the fuzz corpus (tests/fuzz/corpus/), including each input a
# fuzzer once crashed on, through the real binary on both builds: board
# files (*.yaml) through `check`, values (*.txt) through `record`. Each ends
# in success or one sentence (a located error for files), never a crash or
# a hang. Named regressions follow; docs/testing.md lists what was found.
. "$(dirname "$0")/lib.sh"

CORPUS="$SOURCE_ROOT/tests/fuzz/corpus"
seed_store   # a store for `record`
expect_status 0 "seed"

for file in "$CORPUS"/*.yaml; do
  name=$(basename "$file")
  run timeout 20 "$BOARDPACK" check "$file"
  case $STATUS in
    0) pass ;;
    65)
      if printf '%s' "$ERR" | grep -qE "^$file:[0-9]+:[0-9]+: error: "; then pass; else
        fail "$name: not a located error"; fi
      expect_equal "$(printf '%s\n' "$ERR" | wc -l)" "1" "$name: one line on stderr"
      ;;
    *) fail "$name: check ended with status $STATUS" ;;
  esac
done

before=$(store_fingerprint "$DB")
for file in "$CORPUS"/*.txt; do
  name=$(basename "$file")
  # The fuzz target reads up to the first NUL, as a C string would.
  value=$(python3 -c 'import sys; sys.stdout.buffer.write(open(sys.argv[1], "rb").read().split(b"\0")[0])' "$file"; echo x)
  value=${value%x}
  for code in 1.1.2 3.2.3b; do # a percentage and a count
    run timeout 20 "$BOARDPACK" --db "$DB" record "$code" "$value" --period 2024-01
    case $STATUS in
      0) before=$(store_fingerprint "$DB"); pass ;;
      65) expect_equal "$(printf '%s\n' "$ERR" | wc -l)" "1" "$name as $code: one line on stderr" ;;
      *) fail "$name as $code: record ended with status $STATUS" ;;
    esac
  done
done
expect_equal "$(store_fingerprint "$DB")" "$before" "refused corpus values write nothing"

# fuzz_values, first long run: a value of only white space read the byte
# before the text (the trimmed length went below zero).
for blank in ' ' '   ' $'\r' $'\t' ' % '; do
  run "$BOARDPACK" --db "$DB" record 1.1.2 "$blank" --period 2024-01
  expect_status 65 "white space alone ('$blank') is refused"
  expect_err_equals "'$blank' is not a number." "white space alone ('$blank'): one sentence"
done
expect_equal "$(store_fingerprint "$DB")" "$before" "white space values write nothing"

finish
