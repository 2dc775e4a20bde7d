#!/usr/bin/env bash
# zoo_ix_test.sh FUZZER_IX NAIVE RUNS: the bug zoo through the
# instrumentation only (fuzz/instrument/zoo_ix.c).  Every sequential
# simulator-visible variant (from the registry: naive --list-variants),
# as <variant>-ix, is found by libFuzzer from an empty corpus (seed 1, at
# most RUNS executions) as a list invariant or a crash inside a VCPU's
# operation (a wild access through a garbage handle), never as a deadlock or
# livelock (their bugs leave no lock held: such a finding is the spin
# heuristic parking a VCPU that was not spinning); production-ix runs RUNS
# executions clean.
set -uo pipefail
fz=$(readlink -f "$1") naive=$2 runs=$3
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail=0 n=0
run() { # IMPL DIR
  mkdir -p "$tmp/$2/corpus"
  (cd "$tmp/$2" && MT_IX_SYMBOLIZE=0 MT_IMPL=$1 "$fz" -seed=1 -runs="$runs" -max_len=256 \
    -print_final_stats=1 corpus >log 2>&1)
}
list=$("$naive" --list-variants) || { echo "FAIL naive --list-variants"; exit 1; }
while IFS=$'\t' read -r v seq engines _; do
  [[ $seq == 1 && " $engines " == *" sim "* ]] || continue
  n=$((n + 1))
  run "$v-ix" "$v"; rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$v/log" | tail -1)
  if grep -qE '^FINDING (deadlock|livelock)' "$tmp/$v/log"; then
    # these variants break list invariants; no lock is ever left held
    echo "FAIL  $v-ix: $(grep -m1 '^FINDING' "$tmp/$v/log" | cut -c1-90) (the runtime parked a VCPU that was not spinning)"
    fail=1
  elif ((rc != 0)) && grep -q '^FINDING' "$tmp/$v/log"; then
    echo "ok    $v-ix found after ${execs:-?} executions: $(grep -m1 '^FINDING' "$tmp/$v/log" | cut -c1-90)"
  elif ((rc != 0)) && grep -q 'ERROR: AddressSanitizer: SEGV' "$tmp/$v/log" &&
       grep -q ' in vcpu_main ' "$tmp/$v/log"; then
    # A wild access inside a VCPU's operation: the variant's corrupted
    # list handed out a garbage handle and the code dereferenced it (B3's
    # double put can end so before an invariant check sees the list).
    # libFuzzer's ASan handler reports it, not the harness: a crash finding.
    echo "ok    $v-ix found after ${execs:-?} executions: crash (SEGV in a VCPU's operation: $(grep -m1 -oE 'in mt_zoo_[a-z_0-9]+' "$tmp/$v/log" || echo 'see log'))"
  else
    echo "FAIL  $v-ix not found in $runs runs (rc $rc)"; tail -5 "$tmp/$v/log" | sed 's/^/    /'; fail=1
  fi
done <<<"$list"
((n > 0)) || { echo "FAIL  no sequential simulator-visible variant listed"; fail=1; }
run production-ix production; rc=$?
if ((rc == 0)) && grep -q "Done $runs runs" "$tmp/production/log"; then
  echo "ok    production-ix clean over $runs runs"
else
  echo "FAIL  production-ix: rc $rc"; grep -m1 -A3 '^FINDING' "$tmp/production/log" | sed 's/^/    /'; fail=1
fi
echo "SUMMARY test=zoo_ix variants=$n runs=$runs fail=$fail"
exit $fail
