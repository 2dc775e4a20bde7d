#!/usr/bin/env bash
# depth_twins_test.sh [--small] DEPTH: the depth search skips a scenario
# whose put-other the harness cannot tell from a put-own (its twin, met
# earlier: depth_main.c, twin_of()).  Checked here:
# - the answer (DEPTH line, scenario, scenarios counted) is the same with
#   the twins skipped and with --no-twins;
# - --check-twins (each such scenario and its twin explored at every K,
#   whether each shows a violation compared) finds no difference on the
#   implementations where an over-eager rule shows;
# - that over-eager rule (--twin-mutant: every put-other taken as a
#   put-own) is caught there, so the check is not blind.
# --small (the sanitizers' build): fewer answers, the check on one.
set -uo pipefail
small=0
[[ ${1:-} == --small ]] && { small=1; shift; }
d=$1 fail=0
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
source "$(dirname "$0")/depth_test_lib.sh"   # answer, field, same_both_ways
same() {  # same MODEL IMPL WANT_RC BOUNDS...: both ways, the same answer; twins skipped
  local model=$1 impl=$2 want=$3; shift 3
  same_both_ways "$model" "$impl" "$want" --no-twins skipped_twins "$@"
}
same sc b1-xsa228-aba 0 --max-ops 2 --max-vcpus 2       # K=1, 2 operations on 2 VCPUs
same c11 w-relaxed-next 0 --max-ops 3 --max-vcpus 2     # c11: found at K=0, 3 operations
if ((!small)); then
  same sc v7-take-last 0 --max-ops 4 --max-vcpus 2
  same sc w-relaxed-next 1 --max-ops 3 --max-vcpus 2    # clean under sc: every level swept
fi
# The check, and its mutant, where an over-eager rule changes a verdict
# (4 operations on 2 VCPUs, K=0, where the mutant shows already; K<=2 on
# every implementation and both models: docs/explore.md, "Twins"; the
# sanitizers' build: one of the three).
twin_check() {  # twin_check IMPL MAX_K
  local impl=$1 k=$2
  s=$("$d" --impl "$impl" --check-twins --max-k "$k" --max-ops 4 --max-vcpus 2 --quiet | tail -1); rc=$?
  if [[ $rc != 0 || $(field differ) != 0 || $(field pairs) -lt 1000 ]]; then
    echo "FAIL --check-twins $impl K<=$k: exit $rc: $s"; fail=1
  else
    echo "ok   --check-twins $impl K<=$k: $(grep -o 'pairs=[0-9]* differ=[0-9]*' <<<"$s")"
  fi
  s=$("$d" --impl "$impl" --check-twins --twin-mutant --max-k "$k" --max-ops 4 --max-vcpus 2 --quiet | tail -1); rc=$?
  if [[ $rc != 1 || $(field differ) == 0 ]]; then
    echo "FAIL the mutant rule on $impl K<=$k: not caught (exit $rc: $s)"; fail=1
  else
    echo "ok   the mutant rule on $impl K<=$k is caught: $(grep -o 'differ=[0-9]*' <<<"$s")"
  fi
}
if ((small)); then
  twin_check v7-take-last 0
else
  twin_check m-steal-takes-last 0
  twin_check w-plain-limit-read 0
  twin_check v7-take-last 0
fi
# bad usage exits 2
"$d" --impl b1-xsa228-aba --check-twins --check-dpor >/dev/null 2>&1
[[ $? == 2 ]] || { echo "FAIL --check-twins with --check-dpor: want exit 2"; fail=1; }
"$d" --impl treiber --check-twins --max-ops 1 >/dev/null 2>&1
[[ $? == 2 ]] || { echo "FAIL --check-twins on an adapter: want exit 2"; fail=1; }
exit $fail
