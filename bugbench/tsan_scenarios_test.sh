#!/usr/bin/env bash
# bugbench/tsan_scenarios_test.sh BUGBENCH NAIVE: the TSan column runs each
# variant's stress scenarios as the zoo registry names them (naive
# --list-variants, column 5), and every scenario of the stress binary for
# production and for a variant that names none; an unknown scenario in the
# registry is an error (exit 2).  The stress binary is a stand-in script
# that logs how it was called and reports clean at once; each trial is
# capped at 5 runs (BUGBENCH_TSAN_RUNS) well inside its 60 s budget, so the
# number of runs does not depend on the machine's speed.
set -uo pipefail
bb=$1 naive=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fails=0 checks=0
check() { checks=$((checks + 1)); if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; fails=$((fails + 1)); fi; }

fake=$tmp/stress
cat >"$fake" <<'FAKE'
#!/usr/bin/env bash
if [[ $1 == --list ]]; then
  printf 'scenarios:\n  remote_put  x\n  steal       x\n  grow        x\n  mixed       x\n  hostile     x\nimplementations:\n  production  x\n'
  exit 0
fi
impl= sc=
while (($#)); do case $1 in --impl) impl=$2; shift 2 ;; --scenario) sc=$2; shift 2 ;; *) shift ;; esac; done
echo "$impl $sc" >>"$FAKE_LOG"
echo "SUMMARY scenario=$sc impl=$impl vcpus=4 ops=10 ops_per_s=10 violations=0 result=clean exit=0"
FAKE
chmod +x "$fake"

export BUGBENCH_NO_BUILD=1 BUGBENCH_NAIVE_BIN=$naive BUGBENCH_STRESS_BIN=$fake BUGBENCH_TSAN_CHUNK=1 BUGBENCH_TSAN_RUNS=5
export FAKE_LOG=$tmp/calls
: >"$FAKE_LOG"
"$bb" --engines tsan --variants b1-xsa228-aba,b4a-limit-before-page,b3-double-put,b5-oom-no-steal \
  --trials 1 --budget 60 --out "$tmp/out" >"$tmp/log" 2>&1
rc=$?
check "bugbench with the stand-in stress binary exits 0 (got $rc)" "[[ $rc == 0 ]]"
reg=$("$naive" --list-variants)
for v in b1-xsa228-aba b4a-limit-before-page b3-double-put; do
  want=$(awk -F'\t' -v v="$v" '$1 == v { print $5 }' <<<"$reg")
  got=$(awk -v v="$v" '$1 == v { print $2 }' "$FAKE_LOG" | sort -u | tr '\n' ' ')
  check "$v runs its registry scenario '$want' only (ran: $got)" "[[ -n '$want' && '$want' != - && '$got' == '$want ' ]]"
done
for v in production b5-oom-no-steal; do
  want=$(awk -F'\t' -v v="$v" '$1 == v { print $5 }' <<<"$reg")
  got=$(awk -v v="$v" '$1 == v { print $2 }' "$FAKE_LOG" | sort -u | tr '\n' ' ')
  seq=$(awk -v v="$v" '$1 == v { print $2 }' "$FAKE_LOG" | tr '\n' ' ')
  check "$v (registry '$want') takes turns over every scenario in stress --list order (ran: $seq)" "[[ '$want' == - && '$seq' == 'remote_put steal grow mixed hostile ' ]]"
done

# A registry scenario the stress binary does not have: a clear error.
sed -i 's/  grow        x//' "$fake"
"$bb" --engines tsan --variants b4a-limit-before-page --trials 1 --budget 1 --out "$tmp/out2" >"$tmp/log2" 2>&1
rc=$?
check "a registry scenario unknown to the stress binary exits 2 (got $rc)" "[[ $rc == 2 ]] && grep -q \"stress scenario 'grow'\" '$tmp/log2'"
echo "SUMMARY test=bugbench_tsan_scenarios checks=$checks fails=$fails"
((fails == 0))
