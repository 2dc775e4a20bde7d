#!/usr/bin/env bash
# corpus/explore_c11_test.sh EXPLORE NAIVE -- SCENARIO... -- PROOF...: the
# explorer under the c11 memory model (MT_MEMORY_MODEL=c11, one stale read
# per schedule).  Every zoo variant whose detected_by names "c11" shows a
# violation in one of the SCENARIOs at its smallest bound (K=0, else K=1)
# and none under sc at K=1 (the bug needs a weak read); production runs
# clean under c11 at K=1 on every SCENARIO and PROOF scenario.
set -uo pipefail
explore=$1 naive=$2; shift 2
[[ ${1:-} == -- ]] && shift
scen=() proof=()
while (($#)) && [[ $1 != -- ]]; do scen+=("$1"); shift; done
[[ ${1:-} == -- ]] && shift
proof=("$@")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail=0 n=0
((${#scen[@]} && ${#proof[@]})) || { echo "FAIL  no scenarios"; exit 1; }
mapfile -t variants < <("$naive" --list-variants | awk -F'\t' '$3 ~ /(^| )c11( |$)/ { print $1 }')
((${#variants[@]} >= 2)) || { echo "FAIL  fewer than two c11 variants in the registry"; exit 1; }
# violation MODEL IMPL K FILE...: the first FILE with a violation, or ""
violation() {
  local model=$1 impl=$2 k=$3 f; shift 3
  for f in "$@"; do
    MT_MEMORY_MODEL=$model "$explore" --quiet --impl "$impl" --preemptions "$k" --out "$tmp/saved" "$f" \
      >"$tmp/log" 2>&1
    case $? in 0) ;; 1) basename "$f"; return ;; *) echo "error:$(basename "$f")"; return ;; esac
  done
}
for v in "${variants[@]}"; do
  n=$((n + 1))
  hit= k=
  for k in 0 1; do hit=$(violation c11 "$v" "$k" "${scen[@]}"); [[ -n $hit ]] && break; done
  if [[ -z $hit || $hit == error:* ]]; then
    fail=1; echo "FAIL  $v: no violation under c11 at K<=1 ($hit)"
  else
    echo "ok    $v: found under c11 at K=$k ($hit)"
  fi
  hit=$(violation sc "$v" 1 "${scen[@]}")
  if [[ -n $hit ]]; then fail=1; echo "FAIL  $v: a violation under sc too ($hit): not a weak-memory bug"
  else echo "ok    $v: clean under sc at K=1"; fi
done
hit=$(violation c11 production 1 "${scen[@]}" "${proof[@]}")
if [[ -n $hit ]]; then fail=1; echo "FAIL  production under c11 at K=1: $hit"; tail -5 "$tmp/log"
else echo "ok    production clean under c11 at K=1 on $((${#scen[@]} + ${#proof[@]})) scenarios"; fi
echo "SUMMARY test=explore_c11 variants=$n fail=$fail"
((fail == 0))
