#!/usr/bin/env bash
# fuzz/format/mutate_finds_test.sh FUZZER DICT: the campaign is not blind to
# a c11 slip.  libFuzzer as tools/fuzz runs it (each input's header picks
# the model, the dictionary, -max_len=512), from an EMPTY corpus, one fixed
# seed and a bound on runs, must find w-relaxed-next (an acquire weakened
# to relaxed: only a stale read shows it).  The bound is about 2.5x what
# the seed takes with the structure-aware mutation (fuzz/format/mutate.h);
# the byte mutations alone (MT_MUTATOR=bytes, what the campaign had
# before) need more than 400,000 runs from an empty corpus.  The artifact
# must replay as the finding, and production must run the same seed clean.
set -uo pipefail
fuzzer=${1:-} dict=${2:-}
[[ -x $fuzzer && -f $dict ]] || { echo "usage: $0 FUZZER DICT"; exit 2; }
seed=${MUTATE_TEST_SEED:-6} runs=${MUTATE_TEST_RUNS:-120000}
tmp=${TEST_TMPDIR:-$(mktemp -d)}
run() {   # run IMPL DIR [env...]
  local impl=$1 d=$2; shift 2
  rm -rf "$d"; mkdir -p "$d/corpus" "$d/art"
  env "$@" MT_IMPL="$impl" "$fuzzer" -seed="$seed" -runs="$runs" -max_len=512 -dict="$dict" \
    -print_final_stats=1 -artifact_prefix="$d/art/" "$d/corpus" >"$d/log" 2>&1
}
fails=0
run w-relaxed-next "$tmp/next" ${MUTATE_TEST_ENV:-}
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/next/log" | tail -n 1)
art=$(ls "$tmp/next/art" 2>/dev/null | head -n 1)
if [[ -z $art ]] || ! grep -qE '^FINDING' "$tmp/next/log"; then
  echo "FAIL  w-relaxed-next: nothing found in $runs runs from an empty corpus (seed $seed)"
  tail -n 5 "$tmp/next/log" | sed 's/^/    /'; fails=1
else
  echo "ok    w-relaxed-next: $(grep -m1 -oE '^FINDING [^ ]+' "$tmp/next/log") after ${execs:-?} executions (seed $seed, bound $runs)"
  if MT_IMPL=w-relaxed-next "$fuzzer" "$tmp/next/art/$art" >"$tmp/next/replay.log" 2>&1 ||
     ! grep -qE '^FINDING' "$tmp/next/replay.log"; then
    echo "FAIL  the artifact does not replay as the finding"; fails=1
  else
    echo "ok    the artifact replays as the finding"
  fi
fi
runs=$((runs / 12))
run production "$tmp/prod"
if (($? != 0)) || ls "$tmp/prod/art/"* >/dev/null 2>&1; then
  echo "FAIL  production: a finding in $runs runs"; tail -n 20 "$tmp/prod/log" | sed 's/^/    /'; fails=1
else
  echo "ok    production: $runs runs clean (seed $seed)"
fi
echo "SUMMARY test=mutate_finds fails=$fails"
exit $fails
