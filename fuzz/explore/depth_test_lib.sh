# depth_test_lib.sh: sourced by the depth search's tests that compare its
# answer with and without a skip (depth_reduction_test.sh: --no-reduction;
# depth_twins_test.sh: --no-twins).  The caller sets d (maptrack_depth),
# t (a scratch directory) and fail.

# The answer of a run: the DEPTH line and the scenario (K, operations,
# VCPUs, finding, the scenario's text), and the scenarios visited.
answer() {  # answer MODEL IMPL FLAGS... -> $ans, $s, $rc
  local model=$1 impl=$2; shift 2
  out=$(MT_MEMORY_MODEL=$model "$d" --impl "$impl" --quiet --out "$t/$model-$impl$*" "$@" 2>&1); rc=$?
  ans=$(sed -n '/^DEPTH /,/^scenario: /p' <<<"$out" | grep -v '^scenario: ')
  s=$(grep '^SUMMARY ' <<<"$out")
  ans+=$'\n'$(sed -n 's/.*\( depth=[^ ]*\).*\( scenarios=[0-9]*\).*/\1\2/p' <<<"$s")
}

field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$s"; }

# same_both_ways MODEL IMPL WANT_RC OFF COUNTER FLAGS...: with the skip
# turned off (OFF) and on, both runs exit WANT_RC with the same answer, and
# the SUMMARY field COUNTER of the run with the skip is not 0 (it was used).
same_both_ways() {
  local model=$1 impl=$2 want=$3 off=$4 counter=$5; shift 5
  answer "$model" "$impl" "$off" "$@"; local plain=$ans prc=$rc
  answer "$model" "$impl" "$@"; local n
  n=$(field "$counter")
  if [[ $prc != "$want" || $rc != "$want" ]]; then
    echo "FAIL $impl ($model): exit $prc with $off, $rc without it, want $want"; fail=1
  elif [[ $plain != "$ans" ]]; then
    echo "FAIL $impl ($model): the answers differ"; diff <(echo "$plain") <(echo "$ans"); fail=1
  elif [[ -z $n || $n == 0 ]]; then
    echo "FAIL $impl ($model): $counter=0, the skip was not used: $s"; fail=1
  else
    echo "ok   $impl ($model): the same answer ($(head -1 <<<"$ans" | cut -c1-60)...; $(tail -1 <<<"$ans")), $counter=$n"
  fi
}
