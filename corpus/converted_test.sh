#!/usr/bin/env bash
# corpus/converted_test.sh REPLAY: every committed input keeps its verdict in
# format v2.  Each input (bytes of any version, or a text scenario) is run as
# it is and converted to v2 (encoded, decoded again) against the
# implementations it is meant for, and the findings must be the same word
# for word (maptrack_replay --check-converted):
#   seeds (maptrack_fuzzer/)        production, baseline, every zoo variant
#   regress/<impl>/                 <impl> and production
#   depth/<impl>[-...].txt          <impl> and production
#   scenarios/*.txt                 production, baseline, every zoo variant
#   fuzz/triage/testdata/triage     b1-xsa228-aba, b4b-grow-plain-head, production
# The run also proves the test is not blind: a v1 input whose site the
# implementation lacks must read as run=all in both forms.
set -uo pipefail
replay=$1
fail=0 runs=0
check() {  # check IMPL FILE|DIR...
  local impl=$1; shift
  local out; out=$("$replay" --check-converted --quiet --impl "$impl" "$@")
  local rc=$?
  runs=$((runs + 1))
  if ((rc != 0)); then
    echo "FAIL impl=$impl: $(grep -c '^MISMATCH' <<<"$out") mismatch(es)"
    grep '^MISMATCH' <<<"$out" | head -5
    fail=1
  fi
  tail -n 1 <<<"$out"
}
all_impls=$("$replay" --list-impls)
for impl in $all_impls; do
  check "$impl" corpus/maptrack_fuzzer corpus/scenarios
done
for d in corpus/regress/*/; do
  impl=$(basename "$d")
  check "$impl" "$d"
  check production "$d"
done
for f in corpus/depth/*.txt; do
  b=$(basename "$f" .txt)
  impl=
  for i in $all_impls; do [[ $b == "$i" || $b == "$i"-* ]] && impl=$i; done
  [[ -n $impl ]] || { echo "FAIL $f: no implementation named by its file name"; fail=1; continue; }
  check "$impl" "$f"
  check production "$f"
done
for impl in b1-xsa228-aba b4b-grow-plain-head production; do
  check "$impl" fuzz/triage/testdata/triage
done
echo "SUMMARY test=converted runs=$runs fail=$fail"
exit $fail
