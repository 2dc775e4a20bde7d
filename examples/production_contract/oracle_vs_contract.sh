#!/usr/bin/env bash
# oracle_vs_contract.sh ORACLE_FUZZER CONTRACT_FUZZER NAIVE [RUNS] [SEEDS]:
# every zoo variant and production under libFuzzer from an empty corpus,
# per seed, twice: judged by the maptrack oracle (ORACLE_FUZZER =
# //fuzz/instrument:maptrack_fuzzer_ix, MT_IMPL=<variant>-ix) and by the
# generic contract alone (CONTRACT_FUZZER =
# //examples/production_contract:production_contract_fuzzer,
# MT_IMPL=<variant>-contract).  Both run the same instrumented code.  A run
# stops at its first finding or after RUNS executions (default 200000);
# SEEDS: comma-separated (default 1,2,3).  Variants seen only under the
# c11 model ("c11" without "sim" in NAIVE --list-variants) run with
# MT_MEMORY_MODEL=c11 on both sides, the others as their inputs say.
# ONLY=REGEX (environment): only the variants whose name matches.
# Prints one Markdown row per variant: for each side, the runs that found
# it, the median executions to the first finding (over the runs that
# found it) and the finding's clause or invariant; ends with
#   SUMMARY variants=N oracle_found=N contract_found=N production_clean=0|1
set -uo pipefail
oracle=$(readlink -f "$1") contract=$(readlink -f "$2") naive=$3 runs=${4:-200000} seeds=${5:-1,2,3}
[[ -x $oracle && -x $contract && -x $naive ]] || { echo "usage: $0 ORACLE CONTRACT NAIVE [RUNS] [SEEDS]" >&2; exit 2; }
tmp=${TMPDIR:-/tmp}/oracle_vs_contract.$$
mkdir -p "$tmp" || exit 2
IFS=, read -ra seed_list <<<"$seeds"

# one BIN IMPL MODEL SEED -> "execs inv" (found) or "- -" (clean)
one() {
  local d=$tmp/$2.$4
  rm -rf "$d"; mkdir -p "$d/corpus"
  (cd "$d" && MT_IX_SYMBOLIZE=0 MT_IMPL=$2 MT_MEMORY_MODEL=$3 "$1" -seed="$4" -runs="$runs" -max_len=256 \
    -print_final_stats=1 corpus >log 2>&1)
  local rc=$? f execs
  f=$(grep -m1 '^FINDING' "$d/log")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -1)
  if ((rc != 0)) && [[ -n $f ]]; then
    f=${f#FINDING }; echo "${execs:-?} ${f%%[: ]*}"
  elif ((rc != 0)); then
    echo "${execs:-?} crash($rc)"
  else
    echo "- -"
  fi
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }

# side BIN IMPL MODEL -> "found/total median invs"
side() {
  local found=0 execs=() invs=() r
  for s in "${seed_list[@]}"; do
    r=$(one "$1" "$2" "$3" "$s")
    if [[ ${r%% *} != - ]]; then found=$((found + 1)); execs+=("${r%% *}"); invs+=("${r#* }"); fi
  done
  local med=- inv=-
  ((found)) && med=$(printf '%s\n' "${execs[@]}" | median) && inv=$(printf '%s\n' "${invs[@]}" | sort -u | paste -sd/)
  echo "$found/${#seed_list[@]} $med $inv"
}

echo "| variant | seen by | oracle: found | oracle: median execs | oracle: finding | contract: found | contract: median execs | contract: finding |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
n=0 of=0 cf=0 prod_clean=1
while IFS=$'\t' read -r v seq engines _; do
  [[ -n ${ONLY:-} && ! $v =~ $ONLY ]] && continue
  model=
  [[ " $engines " == *" c11 "* && " $engines " != *" sim "* ]] && model=c11
  read -r ofound omed oinv <<<"$(side "$oracle" "$v-ix" "$model")"
  read -r cfound cmed cinv <<<"$(side "$contract" "$v-contract" "$model")"
  echo "| $v | $engines${model:+ (run under c11)} | $ofound | $omed | $oinv | $cfound | $cmed | $cinv |"
  if [[ $v == production ]]; then
    [[ $ofound == 0/* && $cfound == 0/* ]] || prod_clean=0
  else
    n=$((n + 1)); [[ $ofound != 0/* ]] && of=$((of + 1)); [[ $cfound != 0/* ]] && cf=$((cf + 1))
  fi
  echo "$(date +%T) $v done" >&2
done < <("$naive" --list-variants)
rm -rf "$tmp"
echo "SUMMARY variants=$n oracle_found=$of contract_found=$cf production_clean=$prod_clean runs=$runs seeds=$seeds"
