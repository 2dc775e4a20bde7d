#!/usr/bin/env bash
# known_tools_test.sh REPRO REPLAY B5_REPRODUCER B1_REPRODUCER SEED: the known-findings
# file end to end through tools/repro and the replay binary.
set -uo pipefail
repro=$1 replay=$2 b5=$3 b1=$4 seed=$5
export MT_REPLAY_BIN=$replay
fail=0
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
check() { # WANT_RC WHAT CMD...
  local want=$1 what=$2; shift 2
  out=$("$@" 2>&1); rc=$?
  if [[ $rc == "$want" ]]; then echo "ok   $what (exit $rc)"; else echo "FAIL $what: exit $rc, want $want"; echo "$out" | sed 's/^/    /' | tail -20; fail=1; fi
}
# The b5 reproducer's signature, from the replay binary.
sig=$("$replay" --impl b5-oom-no-steal "$b5" | sed -n 's/^SIGNATURE //p')
[[ $sig == I10:* ]] || { echo "FAIL b5 signature '$sig' is not an I10 one"; fail=1; }
printf '# accepted findings\n%s   # b5: spurious failure\n\n' "$sig" >"$t/known"
printf '%s\nlist:quiescent:NEVER_SEEN\n' "$sig" >"$t/stale"
printf '%s\nI7 get seq\n' "$sig" >"$t/bad"
check 0 "clean seed, no known file" "$repro" --impl production "$seed"
check 1 "new finding, no known file" "$repro" --impl b5-oom-no-steal "$b5"
check 3 "known finding only" "$repro" --impl b5-oom-no-steal --known "$t/known" "$b5"
grep -q "known=1 new=0" <<<"$out" || { echo "FAIL SUMMARY lacks known=1 new=0: $(tail -1 <<<"$out")"; fail=1; }
check 1 "a new finding beside a known one" "$repro" --impl b1-xsa228-aba --known "$t/known" "$b1"
grep -q "new=1 new_sigs=" <<<"$out" || { echo "FAIL SUMMARY lacks new=1 new_sigs=: $(tail -1 <<<"$out")"; fail=1; }
check 3 "MT_KNOWN is read too" env MT_KNOWN="$t/known" "$repro" --impl b5-oom-no-steal "$b5"
check 3 "stale line reported" "$repro" --impl b5-oom-no-steal --known "$t/stale" "$b5"
grep -q "^STALE list:quiescent:NEVER_SEEN" <<<"$out" || { echo "FAIL the stale line is not reported"; fail=1; }
grep -q "stale=1" <<<"$out" || { echo "FAIL SUMMARY lacks stale=1"; fail=1; }
check 2 "malformed known file (tools/repro)" "$repro" --impl b5-oom-no-steal --known "$t/bad" "$b5"
grep -q "bad:2:" <<<"$out" || { echo "FAIL the error does not name line 2: $out"; fail=1; }
grep -q "^===" <<<"$out" && { echo "FAIL work started before the known file was checked"; fail=1; }
check 2 "malformed known file (replay binary)" "$replay" --impl b5-oom-no-steal --known "$t/bad" "$b5"
grep -q "bad:2:" <<<"$out" || { echo "FAIL the replay binary does not name line 2: $out"; fail=1; }
check 2 "missing known file" "$repro" --impl b5-oom-no-steal --known "$t/none" "$b5"
check 3 "replay binary: every finding known" "$replay" --impl b5-oom-no-steal --known "$t/known" "$b5"
: >"$t/empty"
check 0 "production clean with an empty known file" "$repro" --impl production --known "$t/empty" "$seed"
exit $fail
