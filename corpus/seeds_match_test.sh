#!/usr/bin/env bash
# corpus/seeds_match_test.sh REPLAY: every corpus/scenarios/<name>.txt encodes
# to exactly corpus/maptrack_fuzzer/seed-<name>.
set -uo pipefail
replay=$1
n=0 bad=0
for t in corpus/scenarios/*.txt; do
  name=$(basename "$t" .txt)
  seed=corpus/maptrack_fuzzer/seed-$name
  n=$((n + 1))
  if [[ ! -f $seed ]]; then echo "MISSING $seed (tools/encode $t $seed)"; bad=$((bad + 1)); continue; fi
  if ! "$replay" --encode "$t" -o "$TEST_TMPDIR/$name" 2>/dev/null || ! cmp -s "$TEST_TMPDIR/$name" "$seed"; then
    echo "STALE $seed: re-run tools/encode $t $seed"; bad=$((bad + 1))
  else
    echo "ok $seed"
  fi
done
echo "SUMMARY test=seeds_match scenarios=$n wrong=$bad"
((n > 0 && bad == 0))
