#!/usr/bin/env bash
# bugbench/libfuzzer_finds_engine_test.sh ENGINE FUZZER NAIVE [VARIANT:RUNS...] [-- SEED...]:
# an engine of the simulator is not blind under libFuzzer.  Every variant
# whose detected_by names ENGINE in the registry (NAIVE --list-variants) is
# found with -seed=1..3 and a bound on runs:
#   race  the race detector (finding I12): from an empty corpus, 200000
#         runs each; the finding is I12 and the artifact replays as I12
#   c11   the c11 memory model (MT_MEMORY_MODEL=c11 on every run): from
#         the seed corpus (the SEED files), 400000 runs each; the artifact
#         replays as a finding under c11 and runs clean under sc (the bug
#         needs a weak read)
# VARIANT:RUNS sets one variant's bound.  Every artifact runs clean on
# production (same model), and production survives 20000 runs (race,
# empty corpus) or 30000 (c11, the seeds).
set -uo pipefail
engine=${1:-} fuzzer=${2:-} naive=${3:-}
shift 3 || { echo "usage: $0 race|c11 FUZZER NAIVE [VARIANT:RUNS...] [-- SEED...]"; exit 2; }
declare -A bound=()
while (($#)) && [[ $1 != -- ]]; do
  [[ $1 =~ ^([A-Za-z0-9_-]+):([0-9]+)$ ]] || { echo "FAIL  '$1' is not VARIANT:RUNS"; exit 1; }
  bound[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}; shift
done
(($#)) && shift
seeds=("$@")
case $engine in
  race) model=() runs=200000 prod_runs=20000 finding='^FINDING I12: data race' ;;
  c11)  model=(MT_MEMORY_MODEL=c11) runs=400000 prod_runs=30000
        finding='^FINDING|runtime error|ERROR: AddressSanitizer|deadly signal'
        ((${#seeds[@]} > 0)) || { echo "FAIL  c11 runs from the seed corpus: no SEED files"; exit 1; } ;;
  *)    echo "FAIL  unknown engine '$engine' (race, c11)"; exit 1 ;;
esac
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fails=0 checks=0
mapfile -t variants < <("$naive" --list-variants | awk -F'\t' -v e="$engine" '$3 ~ "(^| )" e "( |$)" { print $1 }')
((${#variants[@]} >= 1)) || { echo "FAIL  no variant names the $engine engine in the registry"; exit 1; }
for v in "${!bound[@]}"; do
  printf '%s\n' "${variants[@]}" | grep -qxF -- "$v" || { echo "FAIL  $v (given a bound) does not name the $engine engine"; exit 1; }
done
fresh_corpus() { rm -rf "$1"; mkdir -p "$1"; ((${#seeds[@]} == 0)) || cp "${seeds[@]}" "$1/"; }
for v in "${variants[@]}"; do
  n=${bound[$v]:-$runs}
  for seed in 1 2 3; do
    d=$tmp/$v-$seed; rm -rf "$d"; mkdir -p "$d/art"; fresh_corpus "$d/corpus"
    env "${model[@]}" MT_IMPL="$v" "$fuzzer" -seed=$seed -runs="$n" -print_final_stats=1 \
      -artifact_prefix="$d/art/" "$d/corpus" >"$d/log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -n 1)
    art=$(ls "$d/art" | head -n 1)
    checks=$((checks + 1))
    if ((rc == 0)) || [[ -z $art ]] || ! grep -qE "$finding" "$d/log"; then
      fails=$((fails + 1)); echo "FAIL  $v seed $seed: nothing found in $n runs (exit $rc)"; tail -n 5 "$d/log" | sed 's/^/    /'; continue
    fi
    echo "ok    $v seed $seed: $(grep -m1 -oE '^FINDING [^ ]+|runtime error' "$d/log") after ${execs:-?} executions"
    checks=$((checks + 1))
    if env "${model[@]}" MT_IMPL="$v" "$fuzzer" "$d/art/$art" >"$d/replay.log" 2>&1 || ! grep -qE "$finding" "$d/replay.log"; then
      fails=$((fails + 1)); echo "FAIL  $v seed $seed: the artifact does not replay as the finding"
    fi
    if [[ $engine == c11 ]]; then
      checks=$((checks + 1))
      if ! MT_MEMORY_MODEL=sc MT_IMPL=$v "$fuzzer" "$d/art/$art" >"$d/sc.log" 2>&1; then
        fails=$((fails + 1)); echo "FAIL  $v seed $seed: the artifact is flagged under sc too (not a weak-memory finding)"
        grep -m2 -E '^FINDING|runtime error' "$d/sc.log" | sed 's/^/    /'
      fi
    fi
    checks=$((checks + 1))
    if ! env "${model[@]}" MT_IMPL=production "$fuzzer" "$d/art/$art" >"$d/prod.log" 2>&1; then
      fails=$((fails + 1)); echo "FAIL  $v seed $seed: the artifact is flagged on production"
    fi
  done
done
d=$tmp/production; fresh_corpus "$d/corpus"
checks=$((checks + 1))
if env "${model[@]}" MT_IMPL=production "$fuzzer" -seed=1 -runs=$prod_runs "$d/corpus" >"$d/log" 2>&1; then
  echo "ok    production: $prod_runs runs clean${model:+ under c11}"
else
  fails=$((fails + 1)); echo "FAIL  production flagged:"; grep -m3 -E 'FINDING|runtime error' "$d/log"
fi
echo "SUMMARY test=libfuzzer_finds_$engine variants=${#variants[@]} checks=$checks fails=$fails"
((fails == 0))
