#!/usr/bin/env bash
# bugbench/bugbench_report_test.sh BUGBENCH NAIVE TRIALS_CSV: the report
# of tools/bugbench on a fixed trials.csv (testdata/trials.csv: production
# clean, b1 found by libfuzzer only in 2/3/4 s, v7-take-last found 2/3 by
# libfuzzer and 3/3 by naive, afl unavailable), the production alarm, the
# usage errors and --list.
set -uo pipefail
bb=$1 naive=$2 csv=$3
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export BUGBENCH_NO_BUILD=1 BUGBENCH_NAIVE_BIN=$naive
fails=0 checks=0
run() {  # run WANT_RC ARGS...: output in $OUT
  local want=$1; shift
  OUT=$("$bb" "$@" 2>&1); local rc=$?
  checks=$((checks + 1))
  if [[ $rc == "$want" ]]; then echo "ok    bugbench $* (exit $rc)"
  else fails=$((fails + 1)); echo "FAIL  bugbench $*: exit $rc, want $want"; echo "$OUT" | tail -n 20 | sed 's/^/    /'; fi
}
has() {  # has WHAT FIXED-STRING [FILE]: in $OUT or FILE
  checks=$((checks + 1))
  local src=${3:-}
  if { [[ -n $src ]] && grep -qF -- "$2" "$src"; } || { [[ -z $src ]] && grep -qF -- "$2" <<<"$OUT"; }; then echo "ok    $1"
  else fails=$((fails + 1)); echo "FAIL  $1: '$2' missing"; { [[ -n $src ]] && cat "$src" || echo "$OUT"; } | tail -n 20 | sed 's/^/    /'; fi
}

out=$tmp/report
run 0 --from-csv "$csv" --out "$out"
last=$(tail -n 1 <<<"$OUT")
checks=$((checks + 1))
# best engine medians: b1 3.0 s (libfuzzer), v7-take-last 0.2 s (naive) -> median 1.60
if [[ $last == "SUMMARY variants=2 detected=2 median_s=1.60 baseline_detected=1 production_findings=0"* ]]; then
  echo "ok    SUMMARY line: $last"
else fails=$((fails + 1)); echo "FAIL  SUMMARY line: $last"; fi
has "b1 libfuzzer: 3/3, median 3 s, median 2000 execs" "b1-xsa228-aba,libfuzzer,3,3,1.00,3,2000,30,yes" "$out/summary.csv"
has "v7 libfuzzer: 2/3, medians over detected trials" "v7-take-last,libfuzzer,3,2,0.67,0.6,200,30,yes" "$out/summary.csv"
has "v7 naive: 3/3, median 0.2 s, 60000 ops" "v7-take-last,naive,3,3,1.00,0.2,60000,30,yes" "$out/summary.csv"
has "production: 0/3 on libfuzzer" "production,libfuzzer,3,0,0.00,-,-,30,yes" "$out/summary.csv"
has "afl unavailable is marked" "production,afl,3,0,0.00,-,-,30,no" "$out/summary.csv"
has "table: b1 libfuzzer cell" "3/3 3.00s 2.0k"
has "table: afl n/a" "n/a (no build)"
has "table: naive never finds b1" "naive never"
has "table: detected_by column" "sim stress"
has "table: v7 naive faster than libfuzzer (0.2 / 0.6)" "0.3x"
if command -v gnuplot >/dev/null 2>&1; then
  checks=$((checks + 1))
  if [[ -s $out/bugbench.png ]]; then echo "ok    chart written"; else fails=$((fails + 1)); echo "FAIL  no chart"; fi
fi

# The production library flagged once: alarm, exit 3, counted in the SUMMARY.
sed 's/^production,naive,2,2,0,30.010,-,none,0,30$/production,naive,2,2,1,5.000,123,end-check,1,30/' "$csv" >"$tmp/flagged.csv"
run 3 --from-csv "$tmp/flagged.csv" --out "$tmp/flagged"
has "alarm printed" "THE PRODUCTION LIBRARY WAS FLAGGED"
has "SUMMARY counts it" "production_findings=1 production_flagged_by=naive"

# Usage errors: exit 2 with a message naming the problem.
run 2 --trials 0;            has "bad --trials named" "--trials must be"
run 2 --engines libfuzzer,gdb; has "bad engine named" "unknown engine 'gdb'"
run 2 --jobs 3;              has "bad --jobs named" "--jobs must be 1 or 2"
run 2 --budget ten;          has "bad --budget named" "--budget must be"
run 2 --engine-budget tsan;  has "bad --engine-budget named" "ENGINE=SECONDS"
run 2 --frobnicate;          has "unknown argument named" "unknown argument '--frobnicate'"
run 2 --variants;            has "missing value named" "--variants needs a value"
run 2 --from-csv "$tmp/none.csv" --out "$tmp/x"; has "missing CSV named" "no such file"
echo "garbage" >"$tmp/garbage.csv"
run 2 --from-csv "$tmp/garbage.csv" --out "$tmp/y"; has "garbage CSV refused" "not a bugbench trials.csv"
run 2 --variants no-such-variant --out "$tmp/z"; has "unknown variant named" "unknown variant 'no-such-variant'"
run 0 --help;                has "help text" "Usage: tools/bugbench"
run 0 --list;                has "--list shows b1 with origin" "b1-xsa228-aba"
has "--list shows detected_by" "sim stress"
has "--list SUMMARY" "SUMMARY variants="
echo "SUMMARY test=bugbench_report checks=$checks failed=$fails"
((fails == 0))
