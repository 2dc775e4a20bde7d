#!/usr/bin/env bash
# bugbench/multi.sh (tools/bugbench --multi): for each multi-bug variant,
# the time to find each of its bugs in one libFuzzer campaign whose
# earlier signatures are fed back as known.  Per trial (seed = trial):
# libFuzzer (one process, empty corpus) runs with MT_KNOWN = what has been
# found so far and MT_STOP_ON_NEW=1, so the first new signature ends the
# run; the signature is appended to the known file and its saved
# reproducer is replayed (by the same binary, I11 as in the campaign) on
# each bug's one-bug variant (bugbench/multi_bugs.tsv): flagged on exactly
# one of them, it is that bug's; else noise.  The campaign resumes (same
# corpus) until every bug is found or the budget is spent.  A crash (signal: no signature) is
# counted and the campaign resumes.  I11 is off for a variant whose table
# says so (its deep bug shows only then).
#
# sigs_per_bug: the signatures attributed to each bug until every bug was
# found, per trial (one root cause should give one); shared_sigs: new
# signatures that two bugs' one-bug variants both gave (two bugs sharing a
# signature: it must be 0); noise_sigs: signatures no bug could claim.
#
# Usage: multi.sh FUZZER OUT TRIALS BUDGET [VARIANT...]
# Last line: SUMMARY mode=multi variants=N bugs=N found=N shared_sigs=N noise_sigs=N trials=K budget_s=S
set -uo pipefail
fuzzer=$1 out=$2 trials=$3 budget=$4; shift 4
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
table=$root/bugbench/multi_bugs.tsv
mapfile -t variants < <(if (($#)); then printf '%s\n' "$@"; else grep -v '^#' "$table" | cut -f1 | uniq; fi)
mkdir -p "$out" || exit 2
now() { date +%s.%N; }
res=$out/multi.csv
echo "variant,bug,trial,found,seconds,execs,signature,sigs" >"$res"
nbugs=0 nfound=0 nshared=0 nnoise=0
for v in "${variants[@]}"; do
  grep -q "^$v	" "$table" || { echo "bugbench --multi: $v is not in $table" >&2; exit 2; }
  mapfile -t rows < <(grep "^$v	" "$table")
  i11=$(cut -f2 <<<"${rows[0]}")
  for ((k = 1; k <= trials; k++)); do
    d=$out/$v/trial$k; rm -rf "$d"; mkdir -p "$d/corpus" "$d/findings" "$d/artifacts" "$d/replay"
    : >"$d/replay/none"
    known=$d/known.txt; : >"$known"
    declare -A when=() sigof=() execsof=() nsigs=()
    t0=$(now) total_execs=0 crashes=0 round=0
    while :; do
      left=$(awk -v b="$budget" -v t0="$t0" -v t="$(now)" 'BEGIN { l = b - (t - t0); print (l > 1 ? int(l) : 0) }')
      ((left > 0)) || break
      all=1; for r in "${rows[@]}"; do [[ -n ${when[$(cut -f3 <<<"$r")]:-} ]] || all=0; done
      ((all)) && break
      round=$((round + 1))
      rm -f "$d/artifacts/"*
      (cd "$d" && MT_IMPL=$v MT_I11=$([[ $i11 == off ]] && echo 0 || echo 1) MT_KNOWN=$known MT_STOP_ON_NEW=1 \
        MT_FINDINGS_DIR=$d/findings ASAN_OPTIONS=detect_leaks=0 \
        timeout -k 5 $((left + 30)) "$fuzzer" -seed=$((k * 1000 + round)) -max_total_time="$left" -max_len=512 \
        -timeout=10 -print_final_stats=1 -artifact_prefix="$d/artifacts/" corpus >"$d/round$round.log" 2>&1)
      e=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/round$round.log" | tail -1)
      [[ -z $e ]] && e=$(grep -aoE 'SUMMARY-KNOWN execs=[0-9]+' "$d/round$round.log" | tail -1 | sed 's/.*=//')
      [[ -z $e ]] && e=$(grep -aoE 'exec [0-9]+:' "$d/round$round.log" | tail -1 | tr -dc 0-9)
      total_execs=$((total_execs + ${e:-0}))
      sig=$(grep -aoE 'NEW SIGNATURE [^ ]+' "$d/round$round.log" | tail -1 | cut -d' ' -f3)
      if [[ -z $sig ]]; then
        if ls "$d/artifacts/"* >/dev/null 2>&1; then crashes=$((crashes + 1)); continue; fi
        break                                   # the budget ran out
      fi
      printf '%s   # round %s\n' "$sig" "$round" >>"$known"
      t=$(awk -v t0="$t0" -v t="$(now)" 'BEGIN { printf "%.2f", t - t0 }')
      # whose is it: the one-bug variant that gives the same signature
      # (inputs often trigger the shallow bug too), else the only one
      # that flags it at all
      bug= same= nsame=0 flagged= nflag=0 repro=$d/findings/new-$(tr -c 'A-Za-z0-9_.\n-' '_' <<<"$sig")
      for r in "${rows[@]}"; do
        one=$(cut -f4 <<<"$r")
        got=$(cd "$d/replay" && MT_IMPL=$one MT_I11=$([[ $i11 == off ]] && echo 0 || echo 1) MT_KNOWN=$d/replay/none \
              MT_FINDINGS_DIR=$d/replay ASAN_OPTIONS=detect_leaks=0 "$fuzzer" "$repro" 2>&1 |
              grep -aoE 'NEW SIGNATURE [^ ]+' | head -1 | cut -d' ' -f3)
        [[ -n $got ]] && { flagged=$(cut -f3 <<<"$r"); nflag=$((nflag + 1)); }
        [[ $got == "$sig" ]] && { same=$(cut -f3 <<<"$r"); nsame=$((nsame + 1)); }
      done
      if ((nsame == 1)); then bug=$same; elif ((nsame == 0 && nflag == 1)); then bug=$flagged; fi
      ((nsame > 1)) && nshared=$((nshared + 1))
      [[ -n $bug ]] && nsigs[$bug]=$((${nsigs[$bug]:-0} + 1))
      [[ -z $bug ]] && nnoise=$((nnoise + 1))
      if [[ -z $bug ]]; then
        echo "bugbench --multi: $v trial $k: $sig: same signature on $nsame, flagged on $nflag of the one-bug variants (counted as noise)" >&2
        continue
      fi
      if [[ -z ${when[$bug]:-} ]]; then
        when[$bug]=$t sigof[$bug]=$sig execsof[$bug]=$total_execs
        echo "bugbench --multi: $v trial $k: $bug found after ${t}s ($total_execs execs): $sig" >&2
      fi
    done
    for r in "${rows[@]}"; do
      b=$(cut -f3 <<<"$r")
      nbugs=$((nbugs + 1))
      if [[ -n ${when[$b]:-} ]]; then
        nfound=$((nfound + 1))
        echo "$v,$b,$k,1,${when[$b]},${execsof[$b]},${sigof[$b]},${nsigs[$b]:-0}" >>"$res"
      else
        echo "$v,$b,$k,0,-,-,-,${nsigs[$b]:-0}" >>"$res"
      fi
    done
    unset when sigof execsof nsigs
  done
done
# The table: per variant and bug, found/trials and the median seconds.
printf '%-22s %-20s %-4s %-8s %-10s %-12s %s\n' variant bug i11 found median_s median_execs sigs_per_bug
for v in "${variants[@]}"; do
  i11=$(grep "^$v	" "$table" | head -1 | cut -f2)
  while IFS=$'\t' read -r _ _ b _; do
    f=$(awk -F, -v v="$v" -v b="$b" '$1 == v && $2 == b && $4 == 1' "$res" | wc -l)
    med() { awk -F, -v v="$v" -v b="$b" -v c="$1" '$1 == v && $2 == b && $4 == 1 { print $c }' "$res" | sort -g |
            awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }
    sg=$(awk -F, -v v="$v" -v b="$b" '$1 == v && $2 == b { print $8 }' "$res" | sort -g | paste -sd/ -)
    printf '%-22s %-20s %-4s %-8s %-10s %-12s %s\n' "$v" "$b" "$i11" "$f/$trials" "$(med 5)" "$(med 6)" "${sg:--}"
  done < <(grep "^$v	" "$table")
done
echo "SUMMARY mode=multi variants=${#variants[@]} bugs=$nbugs found=$nfound shared_sigs=$nshared noise_sigs=$nnoise trials=$trials budget_s=$budget csv=$res"
((nfound == nbugs)) && exit 0 || exit 1
