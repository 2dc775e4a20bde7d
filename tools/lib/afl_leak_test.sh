#!/usr/bin/env bash
# afl_leak_test.sh: fuzz/drivers/afl_main.c built with AFL_USE_LSAN=1 checks for
# leaks after each input (after every input whose mallocs and frees do not
# balance), not only at exit.  A probe target
# (afl_leak_probe.c: leaks when the first byte is >= 0x80) is built with
# afl-clang-fast + the driver; then
#   - clean, clean          -> exit 0
#   - clean, LEAKY, clean   -> exit 23 (__AFL_LEAK_CHECK) right after the
#                              leaky input: the third input never runs;
#   - with e2e (or MT_AFL_E2E=1): afl-fuzz -V 8 from a clean seed saves a
#     crash (AFL_CRASH_EXITCODE=23, as tools/afl sets it).
# The driver is fuzz/drivers/afl_main.c of the live tree, found from
# .clusterfuzzlite/build.sh's runfile symlink (fuzz/BUILD does not export it).
# Usage: afl_leak_test.sh BUILD_SH PROBE_C [e2e]
set -uo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
build_sh=$(readlink -f "${1:?usage: afl_leak_test.sh BUILD_SH PROBE_C [e2e]}")
probe=$(readlink -f "${2:?usage: afl_leak_test.sh BUILD_SH PROBE_C [e2e]}")
root=$(cd "$(dirname "$build_sh")/.." && pwd)
driver=$root/fuzz/drivers/afl_main.c
[[ -f $driver && -f $probe ]] || fail "missing $driver or $probe"
command -v afl-clang-fast >/dev/null 2>&1 || fail "afl-clang-fast missing (tools/setup installs afl++)"
tmp=${TEST_TMPDIR:-$(mktemp -d)}
bin=$tmp/probe
AFL_QUIET=1 AFL_USE_LSAN=1 afl-clang-fast -O1 -g -std=c11 -D_GNU_SOURCE -I"$root" \
  "$driver" "$probe" -o "$bin" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; fail "build failed"; }
printf '\001clean' >"$tmp/clean1"; printf '\002clean' >"$tmp/clean2"; printf '\377leaky' >"$tmp/leaky"
export LSAN_OPTIONS=exitcode=23:symbolize=0 ASAN_OPTIONS=detect_leaks=1

"$bin" "$tmp/clean1" "$tmp/clean2" >"$tmp/clean.log" 2>&1
rc=$?
((rc == 0)) || { cat "$tmp/clean.log" >&2; fail "clean inputs: exit $rc, want 0 (false positive)"; }

"$bin" "$tmp/clean1" "$tmp/leaky" "$tmp/clean2" >"$tmp/leak.log" 2>&1
rc=$?
((rc == 23)) || { cat "$tmp/leak.log" >&2; fail "leaky input: exit $rc, want 23 (leak check blind)"; }
last=$(grep 'afl_driver: running' "$tmp/leak.log" | tail -1)
[[ $last == *"/leaky "* ]] || { cat "$tmp/leak.log" >&2; fail "the leak was not reported right after the leaky input (last: $last)"; }
grep -q 'detected memory leaks' "$tmp/leak.log" || fail "no LeakSanitizer report"
echo "ok: per-input leak check: exit 23 right after the leaky input, clean inputs exit 0"

if [[ ${MT_AFL_E2E:-0} == 1 || ${3:-} == e2e ]]; then
  command -v afl-fuzz >/dev/null 2>&1 || fail "afl-fuzz missing"
  mkdir -p "$tmp/in"; cp "$tmp/clean1" "$tmp/in/"
  env -u ASAN_OPTIONS AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
  AFL_CRASH_EXITCODE=23 LSAN_OPTIONS=exitcode=23:symbolize=0 \
    timeout 60 afl-fuzz -i "$tmp/in" -o "$tmp/afl" -V 8 -- "$bin" >"$tmp/afl.log" 2>&1
  n=$(find "$tmp/afl/default/crashes" -name 'id:*' 2>/dev/null | wc -l)
  ((n > 0)) || { tail -20 "$tmp/afl.log" >&2; fail "afl-fuzz saved no crash from the leaking probe"; }
  echo "ok: afl-fuzz -V 8 saved $n crash(es) (leaks) from a clean seed"
fi
echo "PASS"
