#!/usr/bin/env bash
# byo_build_test.sh: .clusterfuzzlite/build.sh builds a free list of your
# own (MT_BYO=examples/magazine; the source list tools/afl uses for
# --impl <adapter>) into a libFuzzer binary whose runtime sees the
# instrumented code: the slip is found from an empty corpus (fixed seed,
# bounded runs), the correct list runs clean, and a folder without an
# adapter is refused (exit 2).  No ASan here, to keep it seconds (the
# ASan build is ossfuzz_build_test's and tools/afl's).
# Usage: byo_build_test.sh BUILD_SH
set -uo pipefail
fail() { echo "FAIL: $*" >&2; echo "SUMMARY test=byo_build result=fail"; exit 1; }

build_sh=$(readlink -f "${1:?usage: byo_build_test.sh BUILD_SH}")
root=$(cd "$(dirname "$build_sh")/.." && pwd)
[[ -f $root/examples/magazine/adapter.c ]] || fail "cannot find examples/magazine from $build_sh (got $root)"
tmp=${TEST_TMPDIR:-$(mktemp -d)}
out=$tmp/out
rm -rf "$out" "$tmp/work"; mkdir -p "$out" "$tmp/work"

echo "== build.sh MT_BYO=examples/magazine (sources: $root)"
env -u CXX CC=clang CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
  OUT="$out" WORK="$tmp/work" MT_BYO=examples/magazine bash "$build_sh" >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; fail "build.sh failed"; }
grep 'instrumented' "$tmp/build.log" | sed 's/^/  /'
fz=$out/magazine_fuzzer
[[ -x $fz ]] || fail "$fz missing (default name <folder>_fuzzer)"

run() { # DIR IMPL RUNS
  mkdir -p "$tmp/$1/corpus"
  (cd "$tmp/$1" && MT_IX_SYMBOLIZE=0 MT_IMPL=$2 "$fz" -seed=1 -runs="$3" -max_len=256 corpus >log 2>&1)
}
run slip magazine-unlocked-remote 200000
rc=$?
grep -q "impl=magazine-unlocked-remote sites=[1-9]" "$tmp/slip/log" || { head -5 "$tmp/slip/log"; fail "the runtime found no instrumented sites"; }
((rc != 0)) && grep -q '^FINDING C5' "$tmp/slip/log" || { tail -20 "$tmp/slip/log"; fail "the slip was not found (rc $rc): blind"; }
grep -m1 '^FINDING' "$tmp/slip/log" | sed 's/^/  /'
run ok magazine 20000
rc=$?
((rc == 0)) && grep -q 'Done 20000 runs' "$tmp/ok/log" || { tail -20 "$tmp/ok/log"; fail "the correct magazine is not clean (rc $rc)"; }
echo "  magazine: clean over 20000 runs"

mkdir -p "$tmp/empty-folder"
env CC=clang OUT="$tmp/out2" MT_BYO="$tmp/empty-folder" bash "$build_sh" >"$tmp/bad.log" 2>&1
rc=$?
((rc == 2)) && grep -q 'no adapter.c' "$tmp/bad.log" || { cat "$tmp/bad.log"; fail "a folder without adapter.c: exit $rc, want 2 with a message"; }
echo "  a folder without adapter.c: refused (exit 2)"
echo "SUMMARY test=byo_build fuzzer=magazine_fuzzer slip=found clean=ok result=ok"
