#!/usr/bin/env bash
# ossfuzz_build_test.sh: run .clusterfuzzlite/build.sh the way OSS-Fuzz's
# libFuzzer + ASan/UBSan build does, into a temporary $OUT, then check that
# what lands there is complete and runs:
#   - maptrack_fuzzer (ASan-instrumented), its seed zip, .dict, .options;
#   - the fuzzer runs its unzipped seed corpus plus N mutations clean on
#     production (-runs=N, the .options' max_len and dict);
#   - the same fuzzer is not blind: on the zoo variant m-destroy-leak it
#     reports a finding (the leaked page) and exits non-zero.
# The sources are the live tree (build.sh is resolved through its runfile
# symlink): OSS-Fuzz builds the repository, not a Bazel output.
# Usage: ossfuzz_build_test.sh BUILD_SH [RUNS]
set -uo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }

build_sh=$(readlink -f "${1:?usage: ossfuzz_build_test.sh BUILD_SH [RUNS]}")
runs=${2:-3000}
[[ -f $build_sh ]] || fail "no build.sh at $1"
root=$(cd "$(dirname "$build_sh")/.." && pwd)
[[ -f $root/lib/maptrack.h ]] || fail "cannot find the source tree from $build_sh (got $root)"
command -v clang >/dev/null 2>&1 || fail "clang is not installed (tools/setup installs it)"

tmp=${TEST_TMPDIR:-$(mktemp -d)}
out=$tmp/out work=$tmp/work
rm -rf "$out" "$work"; mkdir -p "$out" "$work"

echo "== build.sh with OSS-Fuzz's libFuzzer + ASan/UBSan settings (sources: $root)"
env -u CXX CC=clang \
  CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,undefined -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link" \
  LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT="$out" WORK="$work" SRC="$root/.." \
  bash "$build_sh" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; fail "build.sh failed"; }
tail -3 "$tmp/build.log"

fz=$out/maptrack_fuzzer
[[ -x $fz ]] || fail "$fz missing or not executable"
[[ -s $out/maptrack_fuzzer.dict ]] || fail "maptrack_fuzzer.dict missing"
grep -q '^max_len' "$out/maptrack_fuzzer.options" 2>/dev/null || fail "maptrack_fuzzer.options missing or without max_len"
grep -q 'dict = maptrack_fuzzer.dict' "$out/maptrack_fuzzer.options" || fail ".options does not name the dict"
nm "$fz" >"$tmp/nm.txt" 2>/dev/null || fail "nm $fz failed"
grep -q __asan_init "$tmp/nm.txt" || fail "$fz is not ASan-instrumented"
grep -q LLVMFuzzerTestOneInput "$tmp/nm.txt" || fail "$fz has no LLVMFuzzerTestOneInput"

seeds=$tmp/seeds
mkdir -p "$seeds"
unzip -q -o "$out/maptrack_fuzzer_seed_corpus.zip" -d "$seeds" || fail "cannot unzip the seed corpus"
nseeds=$(find "$seeds" -type f | wc -l)
want=$(find "$root/corpus/maptrack_fuzzer" -maxdepth 1 -type f ! -name '*.dict' ! -name '*.options' | wc -l)
((nseeds > 0 && nseeds == want)) || fail "seed zip holds $nseeds files, corpus/maptrack_fuzzer/ has $want"

max_len=$(sed -n 's/^max_len *= *//p' "$out/maptrack_fuzzer.options")
echo "== production: $nseeds seeds + $runs runs"
(cd "$tmp" && MT_IMPL=production "$fz" -runs="$runs" -seed=1 -max_len="$max_len" \
  -dict="$out/maptrack_fuzzer.dict" "$seeds" >"$tmp/prod.log" 2>&1)
rc=$?
((rc == 0)) || { tail -40 "$tmp/prod.log" >&2; fail "the fuzzer exits $rc on production (false positive or broken build)"; }
grep -q "Done $runs runs" "$tmp/prod.log" || { tail -20 "$tmp/prod.log" >&2; fail "no 'Done $runs runs' line"; }
grep -aE 'INITED|Done' "$tmp/prod.log" | sed 's/^/  /'

echo "== m-destroy-leak: the same binary must report a finding"
rm -rf "$tmp/leak"; mkdir -p "$tmp/leak"
(cd "$tmp/leak" && MT_IMPL=m-destroy-leak "$fz" -runs="$runs" -seed=1 -max_len="$max_len" \
  "$seeds" >"$tmp/leak.log" 2>&1)
rc=$?
((rc != 0)) || { tail -20 "$tmp/leak.log" >&2; fail "m-destroy-leak ran clean: the built fuzzer is blind"; }
grep -aq 'FINDING' "$tmp/leak.log" || { tail -20 "$tmp/leak.log" >&2; fail "exit $rc but no FINDING line"; }
grep -am1 'FINDING' "$tmp/leak.log" | sed 's/^/  /'
ls "$tmp/leak"/crash-* >/dev/null 2>&1 || fail "libFuzzer saved no crash-* file"

echo "PASS: build.sh -> runnable maptrack_fuzzer, $nseeds seeds, clean on production, finding on m-destroy-leak"
