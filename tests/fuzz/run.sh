#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# SECONDS (default 20), seeded with data/ and tests/fuzz/corpus/. Any crash
# is saved under build-fuzz/ and fails the run. Usage: tests/fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
out=build-fuzz
mkdir -p "$out/work"
flags=(-std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -Iinclude)
core=(src/util.c src/model.c src/spc.c src/boardfile_read.c src/boardfile_write.c)
clang "${flags[@]}" tests/fuzz/fuzz_boardfile.c "${core[@]}" -lyaml -lm -o "$out/fuzz_boardfile"
clang "${flags[@]}" tests/fuzz/fuzz_values.c src/command.c src/store.c "${core[@]}" \
  -lyaml -lsqlite3 -lm -o "$out/fuzz_values"

status=0
for target in fuzz_boardfile fuzz_values; do
  corpus="$out/work/$target"
  mkdir -p "$corpus"
  seeds=(tests/fuzz/corpus)
  [ "$target" = fuzz_boardfile ] && seeds+=(data)
  echo "fuzz: $target for ${seconds}s" >&2
  if ! "$out/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
       -artifact_prefix="$out/$target-" -print_final_stats=1 "$corpus" "${seeds[@]}" \
       >"$out/$target.log" 2>&1; then
    status=1
    tail -40 "$out/$target.log" >&2
  fi
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$out/$target.log" | sed "s/^/$target /" >&2 || true
done
exit $status
