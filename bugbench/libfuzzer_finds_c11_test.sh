#!/usr/bin/env bash
# bugbench/libfuzzer_finds_c11_test.sh FUZZER NAIVE VARIANTS SEED...: libFuzzer
# under the c11 memory model (MT_MEMORY_MODEL=c11) finds each of VARIANTS
# (comma-separated VARIANT[:RUNS]; each must name "c11" in its detected_by),
# from the seed corpus: -seed=1..3, -runs=RUNS (default 400000) each.  The artifact must replay as a finding
# under c11, run clean under sc (the bug needs a weak read) and run clean on
# production under c11; production itself survives 30000 runs under c11.
set -uo pipefail
fuzzer=$1 naive=$2; IFS=, read -r -a variants <<<"$3"; shift 3
seeds=("$@")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fails=0 checks=0
((${#seeds[@]} > 0)) || { echo "FAIL  no seed files"; exit 1; }
mapfile -t c11 < <("$naive" --list-variants | awk -F'\t' '$3 ~ /(^| )c11( |$)/ { print $1 }')
((${#variants[@]} >= 1)) || { echo "FAIL  no variant to fuzz"; exit 1; }
declare -A bound=()
for i in "${!variants[@]}"; do
  v=${variants[$i]%%:*} n=400000
  [[ ${variants[$i]} == *:* ]] && n=${variants[$i]#*:}
  [[ $n =~ ^[0-9]+$ ]] || { echo "FAIL  ${variants[$i]}: RUNS is not a number"; exit 1; }
  variants[$i]=$v bound[$v]=$n
done
for v in "${variants[@]}"; do
  grep -qxF -- "$v" <<<"$(printf '%s\n' "${c11[@]}")" || { echo "FAIL  $v does not name the c11 engine in the registry"; exit 1; }
done
found() { grep -qE '^FINDING|runtime error|ERROR: AddressSanitizer|deadly signal' "$1"; }
for v in "${variants[@]}"; do
  for seed in 1 2 3; do
    d=$tmp/$v-$seed; rm -rf "$d"; mkdir -p "$d/corpus" "$d/art"
    cp "${seeds[@]}" "$d/corpus/"
    MT_MEMORY_MODEL=c11 MT_IMPL=$v "$fuzzer" -seed=$seed -runs="${bound[$v]}" -print_final_stats=1 \
      -artifact_prefix="$d/art/" "$d/corpus" >"$d/log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -n 1)
    art=$(ls "$d/art" | head -n 1)
    checks=$((checks + 1))
    if ((rc == 0)) || [[ -z $art ]] || ! found "$d/log"; then
      fails=$((fails + 1)); echo "FAIL  $v seed $seed: nothing found in ${bound[$v]} runs (exit $rc)"; tail -n 5 "$d/log" | sed 's/^/    /'; continue
    fi
    echo "ok    $v seed $seed: $(grep -m1 -oE '^FINDING [^ ]+|runtime error' "$d/log") after ${execs:-?} executions"
    checks=$((checks + 1))
    if MT_MEMORY_MODEL=c11 MT_IMPL=$v "$fuzzer" "$d/art/$art" >"$d/replay.log" 2>&1 || ! found "$d/replay.log"; then
      fails=$((fails + 1)); echo "FAIL  $v seed $seed: the artifact does not replay as a finding under c11"
    fi
    checks=$((checks + 1))
    if ! MT_MEMORY_MODEL=sc MT_IMPL=$v "$fuzzer" "$d/art/$art" >"$d/sc.log" 2>&1; then
      fails=$((fails + 1)); echo "FAIL  $v seed $seed: the artifact is flagged under sc too (not a weak-memory finding)"
      grep -m2 -E '^FINDING|runtime error' "$d/sc.log" | sed 's/^/    /'
    fi
    checks=$((checks + 1))
    if ! MT_MEMORY_MODEL=c11 MT_IMPL=production "$fuzzer" "$d/art/$art" >"$d/prod.log" 2>&1; then
      fails=$((fails + 1)); echo "FAIL  $v seed $seed: the artifact is flagged on production"
    fi
  done
done
d=$tmp/production; rm -rf "$d"; mkdir -p "$d/corpus"; cp "${seeds[@]}" "$d/corpus/"
checks=$((checks + 1))
if MT_MEMORY_MODEL=c11 MT_IMPL=production "$fuzzer" -seed=1 -runs=30000 "$d/corpus" >"$d/log" 2>&1; then
  echo "ok    production: 30000 runs clean under c11"
else
  fails=$((fails + 1)); echo "FAIL  production flagged under c11:"; grep -m3 -E 'FINDING|runtime error' "$d/log"
fi
echo "SUMMARY test=libfuzzer_finds_c11 variants=${#variants[@]} checks=$checks fails=$fails"
((fails == 0))
