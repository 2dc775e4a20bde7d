#!/usr/bin/env bash
# byo_known_test.sh FUZZER REPLAY EXPLORE FLAGGED_SCENARIO CLEAN_SCENARIO:
# the drivers of a free list of your own (examples/treiber, treiber-aba
# and treiber) with findings that continue, known findings and signatures,
# as the maptrack drivers have them (no tool, no Bazel inside).
#  - the fuzzer without MT_CONTINUE stops at the first finding (abort);
#    with MT_CONTINUE it goes on, saves each new signature once as
#    MT_FINDINGS_DIR/new-<sig> and ends with SUMMARY-KNOWN and .counts;
#  - each saved file replays to the signature it was saved under;
#  - those signatures as a known file: the replay says KNOWN (exit 3) and
#    the same campaign again counts them and never tells or saves them;
#  - the explorer's --minimal reports the ABA with its signature, --known
#    skips it (exit 3), a clean scenario stays clean (exit 0).
set -uo pipefail
fuzzer=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
replay=$2 explore=$3 flagged=$4 clean=$5
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail=0 n=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; fail=1; fi; }
# Sites named by source (function.ordinal), as the tools run them: the
# fuzzer's and the replay's names of a site agree (MT_IX_SYMBOLIZE=0 names
# them by address, which differs between two binaries).
export MT_IX_SYMBOLIZE=1
# A bound on work: seed 1 first finds the ABA at execution 22,896 (224c313
# + the contract merge; 10k-30k across builds and seeds).
runs=50000
campaign() { # DIR [ENV...]: a bounded campaign of treiber-aba from an empty corpus, seed 1
  local d=$1; shift
  mkdir -p "$d/corpus" "$d/findings"
  (cd "$d" && env MT_IMPL=treiber-aba "$@" "$fuzzer" -seed=1 -runs=$runs -max_len=256 corpus >log 2>&1)
}

campaign "$tmp/stop"; rc=$?
check "without MT_CONTINUE the first finding ends the campaign (exit $rc, FINDING)" \
  "[[ $rc != 0 ]] && grep -q '^FINDING C' '$tmp/stop/log'"

campaign "$tmp/go" MT_CONTINUE=1 MT_FINDINGS_DIR="$tmp/go/findings"; rc=$?
nsaved=$(ls "$tmp/go/findings"/new-*.txt 2>/dev/null | wc -l)
check "MT_CONTINUE: the campaign runs to its end (exit $rc) and saves $nsaved new signature(s)" \
  "[[ $rc == 0 && $nsaved -ge 1 ]] && grep -q 'Done $runs runs' '$tmp/go/log'"
check "each new signature is told once with its time (NEW SIGNATURE ... after Ns)" \
  "[[ $nsaved -ge 1 && \$(grep -c 'byo_fuzzer: NEW SIGNATURE .* after [0-9.]*s, exec [0-9]*' '$tmp/go/log') == $nsaved ]]"
# .counts: one line per flush (each new signature, every 4096 findings, exit),
# each with the counts since the last one; tools/fuzz sums them.
check "SUMMARY-KNOWN at exit, and the counts in .counts (summed over its lines)" \
  "grep -q 'byo_fuzzer: SUMMARY-KNOWN execs=$runs known=0 new=[1-9]' '$tmp/go/log' && [[ \$(sed -n 's/^execs=\([0-9]*\) .*/\1/p' '$tmp/go/findings/.counts' | awk '{s+=\$1} END {print s+0}') == $runs ]]"

: >"$tmp/known"
same=0
for t in "$tmp/go/findings"/new-*.txt; do
  sig=$(sed -n 1p "$t"); echo "$sig" >>"$tmp/known"
  out=$("$replay" --impl treiber-aba "${t%.txt}" 2>&1); rc=$?
  [[ $rc == 1 ]] && grep -qxF "SIGNATURE $sig" <<<"$out" && grep -q '^FINDING' <<<"$out" && same=$((same + 1))
done
check "every saved file replays flagged with the signature it was saved under ($same of $nsaved)" "[[ $nsaved -ge 1 && $same == $nsaved ]]"
"$replay" --impl treiber-aba --known "$tmp/known" "$tmp/go/findings"/new-* >"$tmp/out" 2>&1; rc=$?
check "replay --known: every finding KNOWN, exit 3 (exit $rc)" \
  "[[ $rc == 3 ]] && [[ \$(grep -c '^KNOWN ' '$tmp/out') == $nsaved ]] && grep -q 'known=$nsaved new=0' '$tmp/out'"
printf 'C1:get:no.such.site\n' >"$tmp/other"
"$replay" --impl treiber-aba --known "$tmp/other" "$tmp/go/findings"/new-* >"$tmp/out" 2>&1; rc=$?
check "replay --known with other signatures: new findings, exit 1, the stale line listed (exit $rc)" \
  "[[ $rc == 1 ]] && grep -q '^STALE C1:get:no.such.site' '$tmp/out'"

# The same campaign with them known: known findings are counted, never
# told or saved.  It need not take the first campaign's path (saving a new
# signature re-runs its input, which lights coverage counters the known
# campaign does not), so a signature it finds beyond the known ones is
# allowed; one of the known ones told or saved again is not.
campaign "$tmp/again" MT_KNOWN="$tmp/known" MT_FINDINGS_DIR="$tmp/again/findings"; rc=$?
retold=0
for t in "$tmp/again/findings"/new-*.txt; do
  [[ -e $t ]] && grep -qxF "$(sed -n 1p "$t")" "$tmp/known" && retold=$((retold + 1))
done
while read -r sig; do
  grep -q "NEW SIGNATURE $sig " "$tmp/again/log" && retold=$((retold + 1))
done <"$tmp/known"
check "the same campaign with them known: exit $rc, known findings counted, none told or saved again ($retold)" \
  "[[ $rc == 0 && $retold == 0 ]] && grep -q 'SUMMARY-KNOWN execs=$runs known=[1-9][0-9]* ' '$tmp/again/log'"
printf 'not a signature\n' >"$tmp/bad"
campaign "$tmp/bad-known" MT_KNOWN="$tmp/bad"; rc=$?
check "a malformed known file: exit 2 before any input" "[[ $rc == 2 ]] && grep -q 'bad:1' '$tmp/bad-known/log'"

"$explore" --impl treiber-aba --minimal --quiet "$flagged" >"$tmp/out" 2>&1; rc=$?
sig=$(sed -n 's/^  signature: //p' "$tmp/out")
check "explore --minimal: the ABA, its signature ($sig), the fewest preemptions first (exit $rc)" \
  "[[ $rc == 1 && -n '$sig' ]] && grep -q 'minimal=1 first_k=1 ' '$tmp/out'"
echo "$sig" >"$tmp/xknown"
"$explore" --impl treiber-aba --known "$tmp/xknown" --quiet "$flagged" >"$tmp/out" 2>&1; rc=$?
check "explore --known: that signature skipped, the search goes on (exit $rc: 3 known only, or 1 another)" \
  "[[ $rc == 3 || $rc == 1 ]] && grep -q ' known=[1-9]' '$tmp/out' && ! grep -qF 'new_sigs=$sig' '$tmp/out'"
"$explore" --impl treiber --minimal --quiet "$clean" >"$tmp/out" 2>&1; rc=$?
check "explore --minimal on the versioned stack: clean (exit $rc)" "[[ $rc == 0 ]] && grep -q 'new=0 new_sigs=-' '$tmp/out'"
echo "SUMMARY test=byo_known checks=$n fail=$fail"
exit $fail
