#!/usr/bin/env bash
# bugbench/libfuzzer_finds_race_test.sh FUZZER NAIVE: the simulator's race
# detector (finding I12) under libFuzzer finds every variant whose
# detected_by names "race" (today v7-plain-link: the v7 patch's plain link
# store and reads), from an empty corpus, deterministically: -seed=1..3,
# -runs=200000 each.  The artifact must be an I12 finding, replay as one,
# and run clean on production; production itself survives 20000 runs.
set -uo pipefail
fuzzer=$1 naive=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fails=0 checks=0
mapfile -t variants < <("$naive" --list-variants | awk -F'\t' '$3 ~ /(^| )race( |$)/ { print $1 }')
((${#variants[@]} >= 1)) || { echo "FAIL  no variant names the race engine in the registry"; exit 1; }
for v in "${variants[@]}"; do
  for seed in 1 2 3; do
    d=$tmp/$v-$seed; rm -rf "$d"; mkdir -p "$d/corpus" "$d/art"
    MT_IMPL=$v "$fuzzer" -seed=$seed -runs=200000 -print_final_stats=1 -artifact_prefix="$d/art/" "$d/corpus" >"$d/log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -n 1)
    art=$(ls "$d/art" | head -n 1)
    checks=$((checks + 1))
    if ((rc == 0)) || [[ -z $art ]] || ! grep -q '^FINDING I12: data race' "$d/log"; then
      fails=$((fails + 1)); echo "FAIL  $v seed $seed: no I12 finding in 200000 runs (exit $rc)"; tail -n 5 "$d/log" | sed 's/^/    /'; continue
    fi
    echo "ok    $v seed $seed: I12 after ${execs:-?} executions"
    checks=$((checks + 1))
    if MT_IMPL=$v "$fuzzer" "$d/art/$art" >"$d/replay.log" 2>&1 || ! grep -q '^FINDING I12' "$d/replay.log"; then
      fails=$((fails + 1)); echo "FAIL  $v seed $seed: the artifact does not replay as I12"
    fi
    checks=$((checks + 1))
    if ! MT_IMPL=production "$fuzzer" "$d/art/$art" >"$d/prod.log" 2>&1; then
      fails=$((fails + 1)); echo "FAIL  $v seed $seed: the artifact is flagged on production"
    fi
  done
done
d=$tmp/production; rm -rf "$d"; mkdir -p "$d/corpus"
checks=$((checks + 1))
if MT_IMPL=production "$fuzzer" -seed=1 -runs=20000 "$d/corpus" >"$d/log" 2>&1; then
  echo "ok    production: 20000 runs clean"
else
  fails=$((fails + 1)); echo "FAIL  production flagged:"; grep -m3 FINDING "$d/log"
fi
echo "SUMMARY test=libfuzzer_finds_race variants=${#variants[@]} checks=$checks fails=$fails"
((fails == 0))
