#!/usr/bin/env bash
# minimal_test.sh EXPLORE SCENARIO: --minimal reports the smallest violation
# first, and --known skips known signatures for the next distinct one.
set -uo pipefail
x=$1 sc=$2 fail=0
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
run() { out=$("$x" --impl b1-xsa228-aba --quiet --out "$t/out" "$@" "$sc" 2>&1); rc=$?; s=$(grep '^SUMMARY' <<<"$out"); }
want() { grep -q -- "$1" <<<"$s" || { echo "FAIL ($2): SUMMARY lacks '$1': $s"; fail=1; }; }
# Search order finds the classic ABA with I11 off; minimal-first says it
# needs 1 preemption and 8 operations per VCPU, and gets there sooner.
run --no-i11 --preemptions 2
((rc == 1)) || { echo "FAIL search order: exit $rc"; fail=1; }
order=$(sed -n 's/.* schedules=\([0-9]*\).*/\1/p' <<<"$s")
run --no-i11 --preemptions 2 --minimal
((rc == 1)) || { echo "FAIL minimal: exit $rc"; fail=1; }
want "first_k=1 first_ops=8" "minimal"
want "new_sigs=I5:POP_READ_HEAD:ZOO_POP_CAS_HEAD" "minimal"
mini=$(sed -n 's/.* schedules=\([0-9]*\).*/\1/p' <<<"$s")
((mini < order)) || { echo "FAIL minimal-first ran $mini schedules, search order $order"; fail=1; }
echo "ok   minimal first: k=1, 8 operations, $mini schedules (search order: $order)"
# With it known, nothing else breaks at K=1: exit 3, every violation known.
printf 'I5:POP_READ_HEAD:ZOO_POP_CAS_HEAD   # the classic ABA\n' >"$t/known"
run --no-i11 --preemptions 1 --known "$t/known"
((rc == 3)) || { echo "FAIL known only: exit $rc, want 3"; fail=1; }
want "new=0 new_sigs=-" "known only"
echo "ok   known only: exit 3"
# With I11 on, the smallest I11 violation known (a pair of sites, met in
# both orders: known=2): the next distinct one.
printf 'I11:POP_READ_HEAD:THREAD_WRITE_HEAD\n' >"$t/known2"
run --preemptions 1 --known "$t/known2"
((rc == 1)) || { echo "FAIL next signature: exit $rc"; fail=1; }
want "known=2 new=1 new_sigs=I11:POP_READ_HEAD:ZOO_POP_CAS_HEAD" "next signature"
echo "ok   next distinct signature after a known one"
# A malformed known file: exit 2 with its line number.
printf 'I11 get\n' >"$t/bad"
run --known "$t/bad"
((rc == 2)) && grep -q "bad:1:" <<<"$out" || { echo "FAIL malformed known file: exit $rc: $out"; fail=1; }
exit $fail
