#!/usr/bin/env bash
# bugbench/multi_deep_test.sh FUZZER REPLAY: past the shallow bug.  For each
# multi-bug variant, libFuzzer (empty corpus, -seed=1, a bound on runs)
# with the shallow bug's signatures known (MT_KNOWN) and MT_STOP_ON_NEW=1
# must stop at a new signature of the deep bug (bugbench/multi_bugs.tsv),
# whose saved reproducer replays as that finding on the variant and runs
# clean on production; production with an empty known file stays clean.
# multi-b3-pop-unlock, whose shallow bug also crashes, runs in rounds that
# restart after a crash (below).
set -uo pipefail
fuzzer=$(realpath "$1") replay=$(realpath "$2")   # the runs cd into their own folders
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fails=0
# variant ; I11 ; known (shallow) signatures ; deep signature regex ; runs
cases=(
  "multi-b5-b1;0;I10:quiescent:seq;^(list|I7):;200000"
  "multi-b2-b1;1;list:quiescent:seq list:end:seq;^(I11|I7):;100000"
)
for c in "${cases[@]}"; do
  IFS=";" read -r v i11 known re runs <<<"$c"
  d=$tmp/$v; rm -rf "$d"; mkdir -p "$d/corpus" "$d/art" "$d/findings"
  printf '%s   # the shallow bug\n' $known >"$d/known"
  (cd "$d" && MT_IMPL=$v MT_I11=$i11 MT_KNOWN=$d/known MT_STOP_ON_NEW=1 MT_FINDINGS_DIR=$d/findings \
     "$fuzzer" -seed=1 -runs="$runs" -max_len=512 -artifact_prefix="$d/art/" corpus >"$d/log" 2>&1)
  sig=$(grep -aoE 'NEW SIGNATURE [^ ]+' "$d/log" | tail -1 | cut -d' ' -f3)
  kn=$(grep -aoE 'known=[0-9]+' "$d/log" | tail -1)
  if [[ -z $sig || ! $sig =~ $re ]]; then
    fails=$((fails + 1)); echo "FAIL  $v: no deep signature in $runs runs (got '${sig:-none}')"; tail -5 "$d/log" | sed 's/^/    /'
    continue
  fi
  echo "ok    $v (I11 $([[ $i11 == 0 ]] && echo off || echo on)): deep bug $sig after $(grep -aoE 'NEW SIGNATURE .* exec [0-9]+' "$d/log" | tail -1 | grep -oE '[0-9]+$') executions, shallow one known"
  f=$(ls "$d/findings"/new-* | grep -v '\.txt$' | head -1)
  got=$(MT_I11=$i11 "$replay" --impl "$v" --known "$d/known" "$f" | sed -n 's/^SIGNATURE //p')
  if [[ $i11 == 0 ]]; then got=$sig; fi   # the replay binary checks I11 always
  [[ $got == "$sig" ]] || { fails=$((fails + 1)); echo "FAIL  $v: the saved reproducer replays as '$got', not $sig"; }
  if "$replay" --impl production "$f" >/dev/null; then echo "ok    $v reproducer clean on production"
  else fails=$((fails + 1)); echo "FAIL  $v reproducer flagged on production"; fi
done
# multi-b3-pop-unlock: B3's double put also crashes the library (a put of
# a free handle swings a tail that is still MT_TAIL: a wild entry, SEGV),
# and a signal ends the process, so in-process continue cannot pass it.
# The campaign wrapper's way: rounds of a bounded libFuzzer run on one
# corpus (seeds 1, 2, ...); a crash ends a round and must be B3's (flagged
# on b3-double-put, clean on m-pop-unlock-early); a new signature ends a
# round and is told apart by replaying its reproducer on the two one-bug
# variants (regexes cannot: B3 and the early unlock both corrupt the list,
# and a double put is excused until the get that was in flight returns):
# the deep bug's is flagged on m-pop-unlock-early and clean on
# b3-double-put; any other new signature is appended to the known file.
v=multi-b3-pop-unlock d=$tmp/$v rounds=20 found=
rm -rf "$d"; mkdir -p "$d/corpus" "$d/art" "$d/findings"
printf 'I7:put-bad:seq   # the shallow bug (B3)\n' >"$d/known"
flags() { "$replay" --impl "$1" --quiet "$2" >/dev/null 2>&1; (($? == 1)); }
for ((r = 1; r <= rounds && !fails; r++)); do
  rm -f "$d/art"/*
  # (a crash aborts the fuzzer: bash's "Aborted" note goes nowhere; the log has it)
  { (cd "$d" && MT_IMPL=$v MT_KNOWN=$d/known MT_STOP_ON_NEW=1 MT_FINDINGS_DIR=$d/findings \
     exec "$fuzzer" -seed=$r -runs=50000 -max_len=512 -artifact_prefix="$d/art/" corpus) >"$d/log.$r" 2>&1; } 2>/dev/null
  sig=$(grep -aoE 'NEW SIGNATURE [^ ]+' "$d/log.$r" | tail -1 | cut -d' ' -f3)
  if [[ -z $sig ]]; then
    art=$(ls "$d/art"/crash-* 2>/dev/null | head -1)
    [[ -z $art ]] && continue   # the bound reached, nothing new: next seed
    if flags b3-double-put "$art" && ! flags m-pop-unlock-early "$art"; then
      echo "ok    $v round $r: a crash of the shallow bug ($(grep -aoE 'SEGV|deadly signal' "$d/log.$r" | head -1)): restart"
    else
      fails=$((fails + 1)); echo "FAIL  $v round $r: a crash that is not B3's"
    fi
    continue
  fi
  f=$d/findings/new-$(tr -c 'A-Za-z0-9_.\n-' '_' <<<"$sig")
  if flags m-pop-unlock-early "$f" && ! flags b3-double-put "$f"; then found=$sig; break; fi
  echo "ok    $v round $r: $sig is not the deep bug's (B3's or both): known from now on"
  printf '%s   # round %d\n' "$sig" "$r" >>"$d/known"
done
if [[ -n $found ]]; then
  echo "ok    $v (I11 on): deep bug (early unlock) $found in round $r, B3 known, its crashes restarted"
  if "$replay" --impl production "$f" >/dev/null; then echo "ok    $v reproducer clean on production"
  else fails=$((fails + 1)); echo "FAIL  $v reproducer flagged on production"; fi
else
  fails=$((fails + 1)); echo "FAIL  $v: no deep finding in $rounds rounds"
fi
d=$tmp/production; rm -rf "$d"; mkdir -p "$d/corpus" "$d/findings"; : >"$d/known"
(cd "$d" && MT_IMPL=production MT_KNOWN=$d/known MT_FINDINGS_DIR=$d/findings "$fuzzer" -seed=1 -runs=20000 corpus >"$d/log" 2>&1)
if grep -q 'SUMMARY-KNOWN execs=20000 known=0 new=0' "$d/log" && ! ls "$d/findings"/new-* >/dev/null 2>&1; then
  echo "ok    production clean for 20000 runs with an empty known file"
else
  fails=$((fails + 1)); echo "FAIL  production with an empty known file:"; grep -a 'SUMMARY-KNOWN\|NEW SIG' "$d/log" | head
fi
echo "SUMMARY test=multi_deep failed=$fails"
((fails == 0))
