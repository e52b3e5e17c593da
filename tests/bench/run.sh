#!/usr/bin/env bash
# boardpack's speed and scale benchmark, in one command (issue 7; see
# docs/performance.md). Builds boardpack, then measures the bundled board and
# the generated sizes M and L, with the Python-loader and sqlite3 baselines,
# and prints a table and the bars (PASS/FAIL) as ratios within the run.
#
#   tests/bench/run.sh                     bundled, M and L (several minutes)
#   tests/bench/run.sh --sizes bundled,M   some sizes only
#   tests/bench/run.sh --smoke             CI smoke: size M, few keys (~1 min)
#   tests/bench/run.sh --strict            exit 1 if a bar fails
#   tests/bench/run.sh rediff [--size M]   re-importing a changed board (issue 14),
#                                          alone: tests/bench/rediff.py
#   tests/bench/run.sh pack [--strict]     the board pack alone (pack_bench.py)
#   tests/bench/run.sh pg [--size L|M] [--runs N] [--strict]
#                                          PostgreSQL against SQLite at L: first
#                                          frame and one record (pg_bench.py; a
#                                          throwaway server, tests/pg/pg-server.sh)
#
# Any other option goes to tests/bench/bench.py (--help lists them).
# Results: build/bench/results.json (machine-readable), results.txt and
# results.md (the table for docs/performance.md); a smoke run writes
# smoke.json, smoke.txt and smoke.md instead. BENCH_BUILD names another
# meson build directory (default build). Boards, stores and callgrind files
# go to a temporary directory, removed at the end (--keep keeps it).
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${BENCH_BUILD:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" >/dev/null
fi
# Only the binary, quietly: a test added by someone else must not stop this.
meson compile -C "$build" boardpack >/dev/null

# The re-import benchmark runs alone: it needs only the binary and sqlite3.
if [ "${1:-}" = rediff ]; then
  shift
  exec /usr/bin/python3 tests/bench/rediff.py --boardpack "$build/boardpack" "$@"
fi

# The board pack's benchmark needs none of the tools below.
if [ "${1:-}" = pack ]; then
  shift
  mkdir -p "$build/bench"
  exec /usr/bin/python3 tests/bench/pack_bench.py --boardpack "$build/boardpack" \
    --json "$build/bench/pack.json" "$@"
fi

# PostgreSQL against SQLite: needs the server's programs (Debian's postgresql,
# which tools/run-tests installs), sqlite3 and python3-pyte.
if [ "${1:-}" = pg ]; then
  shift
  mkdir -p "$build/bench"
  set +e
  /usr/bin/python3 tests/bench/pg_bench.py --boardpack "$build/boardpack" \
    --json "$build/bench/pg.json" --markdown "$build/bench/pg.md" "$@" | tee "$build/bench/pg.txt"
  status=${PIPESTATUS[0]}
  set -e
  echo "bench: results in $build/bench/pg.json, pg.txt and pg.md" >&2
  exit "$status"
fi

# `run.sh csv`: only the CSV feed case (1,000,000 readings against the
# sqlite3 shell's .import; docs/performance.md), which needs only sqlite3.
if [ "${1:-}" = csv ]; then
  shift
  command -v sqlite3 >/dev/null || { echo "bench: missing sqlite3" >&2; exit 1; }
  out="$build/bench"
  mkdir -p "$out"
  set +e
  /usr/bin/python3 tests/bench/bench.py --csv --boardpack "$build/boardpack" \
    --json "$out/csv.json" --markdown "$out/csv.md" "$@" | tee "$out/csv.txt"
  status=${PIPESTATUS[0]}
  set -e
  echo "bench: results in $out/csv.json, $out/csv.txt and $out/csv.md" >&2
  exit "$status"
fi

missing=()
for tool in valgrind callgrind_annotate sqlite3; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
/usr/bin/python3 -c 'import pyte, yaml; assert yaml.__with_libyaml__' 2>/dev/null ||
  missing+=("python3-pyte and python3-yaml (with libyaml)")
if ((${#missing[@]})); then
  echo "bench: missing ${missing[*]}; tools/run-tests installs them" >&2
  exit 1
fi

name=results
own_output=true
for arg in "$@"; do
  case "$arg" in
    --smoke) name=smoke ;;
    --json*|--markdown*) own_output=false ;;
  esac
done
out="$build/bench"
mkdir -p "$out"
set +e
/usr/bin/python3 tests/bench/bench.py --boardpack "$build/boardpack" \
  --json "$out/$name.json" --markdown "$out/$name.md" "$@" | tee "$out/$name.txt"
status=${PIPESTATUS[0]}
set -e
if $own_output; then
  echo "bench: results in $out/$name.json, $out/$name.txt and $out/$name.md" >&2
fi
exit "$status"
