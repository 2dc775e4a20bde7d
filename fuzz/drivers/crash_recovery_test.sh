#!/usr/bin/env bash
# crash_recovery_test.sh REPLAY CRASH SEED: a crash of the code under test
# is a finding and the process goes on (fuzz/engine/crash.h).  CRASH makes
# b3-double-put read a page pointer far past its table (SEGV in
# mt_pv_entry); the replay binary runs it 10 times among clean seeds, in
# one process: every crash must be a finding with signature
# crash:SEGV:mt_pv_entry, every run after the first crash must happen
# (the seeds stay clean), the exit is 1; with the signature in a known file
# every finding is known (exit 3).  Without the recovery the first crash
# ends the process and this test fails.
set -uo pipefail
replay=$1 crash=$2 seed=$3
fail=0
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
files=()
for i in $(seq -w 1 10); do
  cp "$crash" "$t/c$i-crash"; cp "$seed" "$t/c$i-seed"; files+=("$t/c$i-crash" "$t/c$i-seed")
done
out=$("$replay" --impl b3-double-put --quiet "${files[@]}" 2>&1); rc=$?
sigs=$(grep -c '^SIGNATURE crash:SEGV:mt_pv_entry$' <<<"$out")
runs_after=$(awk '/^FINDING .*c01-crash/ { on = 1; next } on && /^(FINDING|CLEAN) \// { n++ } END { print n + 0 }' <<<"$out")
summary=$(grep '^SUMMARY' <<<"$out" | tail -1)
echo "exit $rc; crash signatures $sigs; runs after the first crash $runs_after; $summary"
[[ $rc == 1 ]] || { echo "FAIL exit $rc, want 1 (findings)"; fail=1; }
[[ $sigs == 10 ]] || { echo "FAIL $sigs crash signatures crash:SEGV:mt_pv_entry, want 10"; fail=1; }
((runs_after > 1)) || { echo "FAIL only $runs_after runs after the first crash"; fail=1; }
[[ $summary == *"files=20 clean=10 findings=10"* ]] || { echo "FAIL summary: $summary"; fail=1; }
printf 'crash:SEGV:mt_pv_entry   # b3: SEGV in mt_pv_entry\n' >"$t/known"
out=$("$replay" --impl b3-double-put --quiet --known "$t/known" "$t/c01-crash" "$t/c01-seed" "$t/c02-crash" 2>&1); rc=$?
summary=$(grep '^SUMMARY' <<<"$out" | tail -1)
echo "with the known file: exit $rc; $summary"
[[ $rc == 3 && $summary == *"known=2 new=0"* ]] || { echo "FAIL known crash: exit $rc, $summary"; echo "$out" | tail -5; fail=1; }
((fail)) && echo "$out" | tail -20
exit $fail
