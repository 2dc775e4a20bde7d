#!/usr/bin/env bash
# bugbench/multi_deep_test.sh FUZZER REPLAY: past the shallow bug.  For each
# multi-bug variant, libFuzzer (empty corpus, fixed seeds, a bound on runs)
# with the shallow bug's signatures known (MT_KNOWN) and MT_STOP_ON_NEW=1
# must reach a new signature of the deep bug, told apart by replaying its
# saved reproducer on the two one-bug zoo variants (bugbench/multi_bugs.tsv):
# the deep bug's variant gives the same signature, the shallow bug's does
# not.  Rounds on one corpus with seeds 1, 2, ... (the campaign wrapper's
# way): a new signature that is not the deep bug's joins the known file; a
# crash (a signal ends the process: multi-b3-pop-unlock's B3 also
# crashes) must be the shallow bug's (flagged on its variant, clean on the
# deep one's) and restarts the round.  The deep reproducer is clean on
# production; production with an empty known file stays clean.
# With the one-run signatures B3 showed as I7 at whatever site its get was
# last stopped, and the deep bug came in round 7, 16 and 30 on three
# builds; named from the minimised reproducer (fuzz/known/root_cause.h) B3
# is mostly I7:seq:put-bad and the deep bug came in round 7 (2026-12-06),
# after 5 B3 crashes.  The bound is 60 rounds; rounds end at the first crash or new signature
# (about 0.5 s each), so that is a bound on work, not on wall-clock luck.
set -uo pipefail
fuzzer=$(realpath "$1") replay=$(realpath "$2")   # the runs cd into their own folders
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fails=0
# The signature FILE gives on IMPL (I11 as given; fuzzer binary, in process); "" if clean.
sig_on() {
  local d=$tmp/replay; mkdir -p "$d"; : >"$d/none"
  (cd "$d" && MT_IMPL=$1 MT_I11=$2 MT_KNOWN=$d/none MT_FINDINGS_DIR=$d "$fuzzer" "$3" 2>&1) |
    grep -aoE 'NEW SIGNATURE [^ ]+' | head -1 | cut -d' ' -f3
}
flags() { "$replay" --impl "$1" --quiet "$2" >/dev/null 2>&1; (($? == 1)); }
# variant ; I11 ; shallow one-bug variant ; deep one-bug variant ; known (shallow) signatures ; runs per round
cases=(
  "multi-b5-b1;0;b5-oom-no-steal;b1-xsa228-aba;I10:seq:quiescent;200000"
  "multi-b2-b1;1;b2-stale-sentinel;b1-xsa228-aba;I5:seq:quiescent I2:seq:quiescent;100000"
  "multi-b3-pop-unlock;1;b3-double-put;m-pop-unlock-early;I7:seq:put-bad;50000"
)
rounds=60
for c in "${cases[@]}"; do
  IFS=";" read -r v i11 shallow deep known runs <<<"$c"
  d=$tmp/$v; rm -rf "$d"; mkdir -p "$d/corpus" "$d/art" "$d/findings"
  printf '%s   # the shallow bug\n' $known >"$d/known"
  found= execs= f=
  for ((r = 1; r <= rounds; r++)); do
    rm -f "$d/art"/*
    # (a crash aborts the fuzzer: bash's "Aborted" note goes nowhere; the log has it)
    { (cd "$d" && MT_IMPL=$v MT_I11=$i11 MT_KNOWN=$d/known MT_STOP_ON_NEW=1 MT_FINDINGS_DIR=$d/findings \
       exec "$fuzzer" -seed=$r -runs="$runs" -max_len=512 -artifact_prefix="$d/art/" corpus) >"$d/log.$r" 2>&1; } 2>/dev/null
    sig=$(grep -aoE 'NEW SIGNATURE [^ ]+' "$d/log.$r" | tail -1 | cut -d' ' -f3)
    if [[ -z $sig ]]; then
      art=$(ls "$d/art"/crash-* 2>/dev/null | head -1)
      [[ -z $art ]] && continue   # the bound reached, nothing new: next seed
      if flags "$shallow" "$art" && ! flags "$deep" "$art"; then
        echo "ok    $v round $r: a crash of the shallow bug ($(grep -aoE 'SEGV|deadly signal' "$d/log.$r" | head -1)): restart"
      else
        fails=$((fails + 1)); echo "FAIL  $v round $r: a crash that is not $shallow's"; break
      fi
      continue
    fi
    f=$d/findings/new-$(tr -c 'A-Za-z0-9_.\n-' '_' <<<"$sig")
    on_deep=$(sig_on "$deep" "$i11" "$f") on_shallow=$(sig_on "$shallow" "$i11" "$f")
    if [[ $on_deep == "$sig" && $on_shallow != "$sig" ]]; then
      found=$sig execs=$(grep -aoE 'NEW SIGNATURE .* exec [0-9]+' "$d/log.$r" | tail -1 | grep -oE '[0-9]+$'); break
    fi
    echo "ok    $v round $r: $sig is not the deep bug's ($deep: ${on_deep:-clean}, $shallow: ${on_shallow:-clean}): known from now on"
    printf '%s   # round %d\n' "$sig" "$r" >>"$d/known"
  done
  if [[ -z $found ]]; then
    fails=$((fails + 1)); echo "FAIL  $v: no deep finding in $rounds rounds"; tail -5 "$d/log.$r" 2>/dev/null | sed 's/^/    /'
    continue
  fi
  echo "ok    $v (I11 $([[ $i11 == 0 ]] && echo off || echo on)): deep bug $found in round $r (its execution $execs), shallow one known (same signature on $deep, not on $shallow)"
  again=$(sig_on "$v" "$i11" "$f")
  [[ $again == "$found" ]] || { fails=$((fails + 1)); echo "FAIL  $v: the saved reproducer replays as '${again:-clean}', not $found"; }
  if "$replay" --impl production "$f" >/dev/null; then echo "ok    $v reproducer clean on production"
  else fails=$((fails + 1)); echo "FAIL  $v reproducer flagged on production"; fi
done
d=$tmp/production; rm -rf "$d"; mkdir -p "$d/corpus" "$d/findings"; : >"$d/known"
(cd "$d" && MT_IMPL=production MT_KNOWN=$d/known MT_FINDINGS_DIR=$d/findings "$fuzzer" -seed=1 -runs=20000 corpus >"$d/log" 2>&1)
if grep -q 'SUMMARY-KNOWN execs=20000 known=0 new=0' "$d/log" && ! ls "$d/findings"/new-* >/dev/null 2>&1; then
  echo "ok    production clean for 20000 runs with an empty known file"
else
  fails=$((fails + 1)); echo "FAIL  production with an empty known file:"; grep -a 'SUMMARY-KNOWN\|NEW SIG' "$d/log" | head
fi
echo "SUMMARY test=multi_deep failed=$fails"
((fails == 0))
