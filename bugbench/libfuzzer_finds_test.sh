#!/usr/bin/env bash
# bugbench/libfuzzer_finds_test.sh FUZZER NAIVE: the simulator under
# libFuzzer finds every sequential bug-zoo variant, deterministically.
# The variants come from the zoo registry (naive --list-variants:
# sequential == 1 and detected_by names sim or lsan), so a new sequential
# variant is covered at once.  For each: an empty corpus, -seed=1
# -runs=200000 (libFuzzer is deterministic with a fixed seed and a run
# bound); the run must crash and leave an artifact; the artifact must crash
# again on the variant and run clean on production.  Then production itself
# must survive -seed=1 -runs=20000 from an empty corpus.
set -uo pipefail
fuzzer=$1 naive=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fails=0 checks=0
mapfile -t variants < <("$naive" --list-variants | awk -F'\t' '$2 == 1 && $3 ~ /(^| )(sim|lsan)( |$)/ { print $1 }')
# The registry has 10 sequential variants today; far fewer means the list went wrong.
if ((${#variants[@]} < 8)); then
  echo "FAIL  only ${#variants[@]} sequential variants found in the registry: ${variants[*]}"
  exit 1
fi
for v in "${variants[@]}"; do
  d=$tmp/$v; rm -rf "$d"; mkdir -p "$d/corpus" "$d/art"
  MT_IMPL=$v "$fuzzer" -seed=1 -runs=200000 -print_final_stats=1 -artifact_prefix="$d/art/" "$d/corpus" >"$d/log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -n 1)
  art=$(ls "$d/art" | head -n 1)
  checks=$((checks + 1))
  if ((rc == 0)) || [[ -z $art ]]; then
    fails=$((fails + 1)); echo "FAIL  $v: not found in 200000 runs (exit $rc)"; tail -n 5 "$d/log" | sed 's/^/    /'; continue
  fi
  echo "ok    $v found after ${execs:-?} executions ($art): $(grep -m1 -E '^# FINDING|ERROR: ' "$d/log" | cut -c1-100)"
  checks=$((checks + 1))
  if MT_IMPL=$v "$fuzzer" "$d/art/$art" >"$d/replay.log" 2>&1; then
    fails=$((fails + 1)); echo "FAIL  $v: its artifact does not crash again on replay"
  else
    echo "ok    $v artifact replays as a finding"
  fi
  checks=$((checks + 1))
  if MT_IMPL=production "$fuzzer" "$d/art/$art" >"$d/prod.log" 2>&1; then
    echo "ok    $v artifact is clean on production"
  else
    fails=$((fails + 1)); echo "FAIL  $v artifact flagged on production (false positive):"; tail -n 20 "$d/prod.log" | sed 's/^/    /'
  fi
done
d=$tmp/production; rm -rf "$d"; mkdir -p "$d/corpus" "$d/art"
checks=$((checks + 1))
if MT_IMPL=production "$fuzzer" -seed=1 -runs=20000 -artifact_prefix="$d/art/" "$d/corpus" >"$d/log" 2>&1; then
  echo "ok    production clean for 20000 runs"
else
  fails=$((fails + 1)); echo "FAIL  production flagged:"; tail -n 30 "$d/log" | sed 's/^/    /'
fi
echo "SUMMARY test=libfuzzer_finds_sequential variants=${#variants[@]} checks=$checks failed=$fails"
((fails == 0))
