#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# SECONDS (default 20), seeded with data/ and tests/fuzz/corpus/. Any crash
# is saved under the output folder (build-fuzz/, or $FUZZ_OUT) and fails the
# run. Usage: tests/fuzz/run.sh [SECONDS [TARGET...]]
# With no TARGET, fuzz_boardfile, fuzz_values and fuzz_csv run, one after the other.
# Each target's last line on stderr is "fuzz: TARGET ok|FAILED: N runs in Ss".
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(fuzz_boardfile fuzz_values fuzz_csv)
out=${FUZZ_OUT:-build-fuzz}
mkdir -p "$out/work"
if ! command -v clang >/dev/null; then
  echo "fuzz: clang is not installed; cannot build the fuzz targets" >&2
  exit 77
fi
flags=(-std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -Iinclude)
core=(src/util/util.c src/util/text.c src/model/model.c src/model/spc.c src/board/boardfile_read.c src/board/boardfile_write.c
      src/board/csv_read.c)
# The command layer seeds stores from the bundled boards, compiled in as
# meson does it (tools/embed_data.py).
bundled="$out/bundled_data.$$.c"
python3 tools/embed_data.py "$bundled" data/nlmhp-2023-24.yaml data/nlft-2024-25.yaml \
  data/beh-2021-22.yaml data/nlmhp-medium-long-term.yaml data/sample-readings-2023-24.yaml
trap 'rm -f "$bundled"' EXIT
# Each binary is built under a private name and moved into place, so two
# runs at once never run a half-written one.
for target in "${targets[@]}"; do
  case $target in
    fuzz_boardfile)
      clang "${flags[@]}" tests/fuzz/fuzz_boardfile.c "${core[@]}" -lyaml -lm -o "$out/$target.$$" ;;
    fuzz_csv)
      clang "${flags[@]}" tests/fuzz/fuzz_csv.c "${core[@]}" -lyaml -lm -o "$out/$target.$$" ;;
    fuzz_values)
      # The store links libpq too (its PostgreSQL backend).
      # shellcheck disable=SC2046
      clang "${flags[@]}" tests/fuzz/fuzz_values.c src/command/*.c src/store/*.c src/model/rules.c \
        "$bundled" "${core[@]}" $(pkg-config --cflags libpq) \
        -lyaml -lsqlite3 $(pkg-config --libs libpq) -lm -o "$out/$target.$$" ;;
    *) echo "fuzz: no target '$target'" >&2; exit 2 ;;
  esac
  mv -f "$out/$target.$$" "$out/$target"
done

status=0
for target in "${targets[@]}"; do
  corpus="$out/work/$target"
  mkdir -p "$corpus"
  seeds=(tests/fuzz/corpus)
  [ "$target" = fuzz_boardfile ] && seeds+=(data)
  echo "fuzz: $target for ${seconds}s" >&2
  started=$SECONDS
  result=ok
  if ! "$out/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
       -artifact_prefix="$out/$target-" -print_final_stats=1 "$corpus" "${seeds[@]}" \
       >"$out/$target.log" 2>&1; then
    status=1
    result=FAILED
    tail -40 "$out/$target.log" >&2
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$target.log" | tail -1)
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$out/$target.log" | sed "s/^/$target /" >&2 || true
  echo "fuzz: $target $result: ${runs:-?} runs in $((SECONDS - started))s" >&2
done
exit $status
