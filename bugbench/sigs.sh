#!/usr/bin/env bash
# bugbench/sigs.sh (tools/bugbench --sigs): how many signatures one bug
# gives.  Per one-bug variant and trial (seed = trial): one libFuzzer
# campaign (one process, empty corpus) with findings continuing in process
# (MT_CONTINUE=1) for BUDGET seconds; every new signature is saved once in
# the findings directory (fuzz/known/known.h), and their number is the
# figure: one root cause should give one, at most two
# (fuzz/known/root_cause.h).  A crash (signal: no signature) ends the
# process; it is counted and the campaign resumes on the same corpus with
# the next seed until the budget is spent.
#
# Usage: sigs.sh FUZZER OUT TRIALS BUDGET VARIANT...
# Output: OUT/sigs.csv (variant,trial,signatures,crashes,execs,seconds,list)
# and a table; last line:
#   SUMMARY mode=sigs variants=N trials=K budget_s=S max_sigs=N over_two=N csv=...
# Exit 1 if a variant gave more than two signatures in some trial.
set -uo pipefail
fuzzer=$1 out=$2 trials=$3 budget=$4; shift 4
(($#)) || { echo "bugbench --sigs: no variants" >&2; exit 2; }
mkdir -p "$out" || exit 2
now() { date +%s.%N; }
res=$out/sigs.csv
echo "variant,trial,signatures,crashes,execs,seconds,list" >"$res"
for v in "$@"; do
  for ((k = 1; k <= trials; k++)); do
    d=$out/$v/trial$k; rm -rf "$d"; mkdir -p "$d/corpus" "$d/findings" "$d/artifacts"
    t0=$(now) crashes=0 execs=0 round=0
    while :; do
      left=$(awk -v b="$budget" -v t0="$t0" -v t="$(now)" 'BEGIN { l = b - (t - t0); print (l > 1 ? int(l) : 0) }')
      ((left > 0)) || break
      round=$((round + 1))
      rm -f "$d/artifacts/"*
      (cd "$d" && MT_IMPL=$v MT_CONTINUE=1 MT_FINDINGS_DIR=$d/findings ASAN_OPTIONS=detect_leaks=0 \
        timeout -k 5 $((left + 30)) "$fuzzer" -seed=$((k * 1000 + round)) -max_total_time="$left" -max_len=512 \
        -timeout=10 -print_final_stats=1 -artifact_prefix="$d/artifacts/" corpus >"$d/round$round.log" 2>&1)
      e=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/round$round.log" | tail -1)
      [[ -z $e ]] && e=$(grep -aoE '^#[0-9]+' "$d/round$round.log" | tail -1 | tr -dc 0-9)
      execs=$((execs + ${e:-0}))
      if ls "$d/artifacts/"* >/dev/null 2>&1; then crashes=$((crashes + 1)); continue; fi
      break
    done
    t=$(awk -v t0="$t0" -v t="$(now)" 'BEGIN { printf "%.1f", t - t0 }')
    list=$(for f in "$d/findings"/new-*.txt; do [[ -e $f ]] && sed -n 1p "$f"; done | sort | paste -sd';' -)
    n=$(ls "$d/findings"/new-*.txt 2>/dev/null | wc -l)
    echo "$v,$k,$n,$crashes,$execs,$t,${list:--}" >>"$res"
    echo "bugbench --sigs: $v trial $k: $n signature(s), $crashes crash(es), $execs execs in ${t}s: ${list:--}" >&2
  done
done
printf '%-24s %-7s %-9s %-9s %-8s %-12s %s\n' variant trials med_sigs max_sigs crashes median_execs signatures
over=0 maxall=0
for v in "$@"; do
  col() { awk -F, -v v="$v" -v c="$1" '$1 == v { print $c }' "$res"; }
  med() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }
  mx=$(col 3 | sort -g | tail -1)
  ((mx > maxall)) && maxall=$mx
  ((mx > 2)) && over=$((over + 1))
  union=$(col 7 | tr ';' '\n' | grep -v '^-$' | sort -u | paste -sd' ' -)
  printf '%-24s %-7s %-9s %-9s %-8s %-12s %s\n' "$v" "$trials" "$(col 3 | med)" "$mx" \
    "$(col 4 | awk '{ s += $1 } END { print s + 0 }')" "$(col 5 | med)" "${union:--}"
done
echo "SUMMARY mode=sigs variants=$# trials=$trials budget_s=$budget max_sigs=$maxall over_two=$over csv=$res"
((over == 0))
