#!/usr/bin/env bash
# corpus/regress_complete_test.sh NAIVE REGRESS_FILE...: every bug-zoo
# variant that the simulator can see ("sim", "race" or "c11" in its detected_by) must have
# at least one reproducer under corpus/regress/<variant>/, so the CI
# regression suite cannot silently lose a variant.  The variant table comes
# from the registry itself (naive --list-variants: name, sequential,
# detected_by, origin).
set -uo pipefail
naive=$1; shift
declare -A have=()
for f in "$@"; do
  d=${f#*corpus/regress/}; have[${d%%/*}]=1
done
list=$("$naive" --list-variants) || { echo "cannot list variants"; exit 1; }
n=0 missing=0
while IFS=$'\t' read -r name seq engines origin; do
  [[ $engines == *sim* || $engines == *race* || $engines == *c11* ]] || continue
  n=$((n + 1))
  if [[ -n ${have[$name]:-} ]]; then
    echo "ok      $name"
  else
    echo "MISSING $name: no corpus/regress/$name/ reproducer"; missing=$((missing + 1))
  fi
done <<<"$list"
echo "SUMMARY test=regress_complete sim_variants=$n missing=$missing"
((n > 0 && missing == 0))
