#!/usr/bin/env bash
# afl_build_test.sh: the real AFL++ harness builds and runs, through the
# same code as a campaign (tools/afl --build-only: build_flavor,
# .clusterfuzzlite/build.sh, afl-clang-fast, fuzz/drivers/afl_main.c), so
# a change that breaks every tools/afl build (a libFuzzer-only symbol
# referenced strongly, a flag in argv that AFL++'s driver takes for a
# file) fails `bazel test`.  Steps:
#   1. tools/afl refuses a bad --memory-model / --build-only (exit 2);
#   2. tools/afl --build-only plain,mutator: the plain instance's binary
#      and the custom mutator library (MT_SHARED=1) into TEST_TMPDIR;
#   3. outside afl-fuzz, the binary flags two committed reproducers
#      (b3-double-put's scenario: I7; w-relaxed-next: a c11 stale read)
#      against their variants, and runs them and a production seed clean
#      on production;
#   4. afl-fuzz -E N (bounded by executions) on production from two seeds,
#      with the mutator library, the dictionary and tools/afl's settings:
#      exit 0, execs_done >= N, no crash, no finding, the mutator called,
#      persistent mode.
# Skipped (exit 0, said) only when AFL++ is not installed (tools/setup
# installs it).  Sources: the live tree, found from build.sh's runfile.
# Usage: afl_build_test.sh BUILD_SH REPLAY_BIN [EXECS]
set -uo pipefail
fail() { echo "FAIL: $*" >&2; echo "SUMMARY test=afl_build result=fail"; exit 1; }
usage="usage: afl_build_test.sh BUILD_SH REPLAY_BIN [EXECS]"
build_sh=$(readlink -f "${1:?$usage}")
replay=$(readlink -f "${2:?$usage}")
execs=${3:-20000}
root=$(cd "$(dirname "$build_sh")/.." && pwd)
afl=$root/tools/afl
[[ -x $afl && -f $root/fuzz/drivers/afl_main.c ]] || fail "cannot find tools/afl from $build_sh (got $root)"
if ! command -v afl-fuzz >/dev/null 2>&1 || ! command -v afl-clang-fast >/dev/null 2>&1; then
  echo "SKIPPED: afl-fuzz or afl-clang-fast is not installed (tools/setup installs afl++): the AFL++ build is NOT checked"
  echo "SUMMARY test=afl_build result=skipped"
  exit 0
fi
tmp=${TEST_TMPDIR:-$(mktemp -d)}
out=$tmp/afl
rm -rf "$out" "$tmp/in" "$tmp/findings"
# tools/afl's name check lists the implementations with this binary
# instead of a `bazel build` (which, inside bazel test, would wait on it).
export MT_REPLAY_BIN=$replay

# 1. bad flags: exit 2 with the reason, before any build
"$afl" --memory-model bogus --build-only plain --out "$out" >"$tmp/bad1.log" 2>&1
rc=$?
((rc == 2)) && grep -q 'must be sc or c11' "$tmp/bad1.log" ||
  { cat "$tmp/bad1.log" >&2; fail "tools/afl --memory-model bogus: exit $rc, want 2 with 'must be sc or c11'"; }
"$afl" --build-only plain,bogus --out "$out" >"$tmp/bad2.log" 2>&1
rc=$?
((rc == 2)) && grep -q 'build-only: a comma-separated list' "$tmp/bad2.log" ||
  { cat "$tmp/bad2.log" >&2; fail "tools/afl --build-only plain,bogus: exit $rc, want 2 with the list"; }
echo "ok: tools/afl refuses --memory-model bogus and --build-only plain,bogus (exit 2)"

# 2. the build, as a campaign makes it
t0=$SECONDS
"$afl" --build-only plain,mutator --out "$out" >"$tmp/build.log" 2>&1
rc=$?
if ((rc != 0)) || ! grep -q '^SUMMARY step=afl-build .*flavors=plain mutator=on' "$tmp/build.log"; then
  tail -40 "$tmp/build.log" >&2
  fail "tools/afl --build-only plain,mutator failed (exit $rc): every tools/afl campaign would fail to build (build logs: $out/afl-build/*/build.log)"
fi
bin=$out/bin/plain lib=$out/bin/libmt_afl_mutator.so
[[ -x $bin && -f $lib ]] || fail "tools/afl --build-only said ok but $bin or $lib is missing"
echo "ok: tools/afl --build-only plain,mutator built $bin and $lib ($((SECONDS - t0)) s)"

# 3. the binary outside afl-fuzz (afl_main.c runs the files it is given)
flagged() { # IMPL FILE WANT_REGEX: the finding, a non-zero exit
  local log=$tmp/flag-$1.log rc
  (MT_IMPL=$1 "$bin" "$2"; exit $?) >"$log" 2>&1
  rc=$?
  ((rc != 0)) && grep -qE "$3" "$log" ||
    { tail -20 "$log" >&2; fail "$(basename "$2") against $1: exit $rc, want a finding matching '$3' (blind AFL++ binary)"; }
  echo "ok: $1 flagged by the AFL++ binary (exit $rc): $(grep -m1 -E "$3" "$log")"
}
b3=$root/corpus/regress/b3-double-put/scenario-b3_double_put
wrn=$root/corpus/regress/w-relaxed-next/c11-I5-get-reads-stale-link
seed=$root/corpus/maptrack_fuzzer/seed-b3_double_put
seed2=$root/corpus/maptrack_fuzzer/seed-explore_3x2_steal
for f in "$b3" "$wrn" "$seed" "$seed2"; do [[ -f $f ]] || fail "missing $f"; done
flagged b3-double-put "$b3" '^FINDING I7 .*double put'
flagged w-relaxed-next "$wrn" '^FINDING I5'
MT_IMPL=production "$bin" "$seed" "$b3" "$wrn" >"$tmp/clean.log" 2>&1
rc=$?
((rc == 0)) && grep -q 'afl_driver: 3 file(s) clean' "$tmp/clean.log" ||
  { tail -20 "$tmp/clean.log" >&2; fail "a production seed and the two reproducers on production: exit $rc, want 0 and '3 file(s) clean'"; }
echo "ok: production runs a seed and both reproducers clean"

# 4. afl-fuzz, bounded by executions, as tools/afl runs an instance
mkdir -p "$tmp/in" "$tmp/findings"
cp "$seed" "$seed2" "$tmp/in/"
t0=$SECONDS
env AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
  AFL_CRASH_EXITCODE=23 AFL_IGNORE_UNKNOWN_ENVS=1 AFL_CUSTOM_MUTATOR_LIBRARY="$lib" \
  MT_IMPL=production MT_PAIR_COVERAGE=1 MT_CONTINUE=1 MT_FINDINGS_DIR="$tmp/findings" MT_AFL_MUTATOR_STATS=1 \
  timeout 300 afl-fuzz -i "$tmp/in" -o "$out/sync" -x "$root/corpus/maptrack_fuzzer/maptrack_fuzzer.dict" \
  -s 1 -E "$execs" -m none -t 5000+ -- "$bin" >"$tmp/afl-fuzz.log" 2>&1 </dev/null
rc=$?
stats=$out/sync/default/fuzzer_stats
stat_of() { sed -nE "s/^$1 *: *([0-9]+).*/\1/p" "$stats" 2>/dev/null | head -1; }
done_=$(stat_of execs_done) crashes=$(stat_of saved_crashes)
if ((rc != 0)) || [[ -z $done_ ]]; then
  sed 's/\x1b\[[0-9;]*m//g' "$tmp/afl-fuzz.log" | grep -aE 'PROGRAM ABORT|Location|\[-\]|ERROR' | tail -10 >&2
  fail "afl-fuzz -E $execs: exit $rc, stats '${done_:-none}' (log $tmp/afl-fuzz.log)"
fi
((done_ >= execs)) || fail "afl-fuzz stopped after $done_ executions, want >= $execs"
((crashes == 0)) || fail "afl-fuzz saved $crashes crash(es) on production in $done_ executions (a false positive, or a broken driver)"
nfind=$(find "$tmp/findings" -name 'new-*' | wc -l)
((nfind == 0)) || fail "$nfind finding(s) on production: $(ls "$tmp/findings")"
calls=$(sed -nE 's/.*afl_mutator: ([0-9]+) calls.*/\1/p' "$tmp/afl-fuzz.log" | tail -1)
((${calls:-0} > 0)) || fail "the custom mutator library was never called (AFL_CUSTOM_MUTATOR_LIBRARY=$lib)"
grep -aq 'Persistent mode binary detected' "$tmp/afl-fuzz.log" || fail "afl-fuzz did not see a persistent-mode binary"
echo "ok: afl-fuzz -E $execs on production: execs_done=$done_ crashes=0 findings=0 mutator_calls=$calls persistent ($((SECONDS - t0)) s)"
echo "SUMMARY test=afl_build build=ok flagged=b3-double-put,w-relaxed-next clean=3 afl_execs=$done_ crashes=0 mutator_calls=$calls result=ok"
