#!/usr/bin/env bash
# bugbench/naive_test.sh MODE NAIVE: the naive baseline's own tests.
#   clean   production and baseline, 4 threads, 30 rounds: exit 0, detected=0
#   caught  one thread (deterministic): v7-take-last and m-first-fill-no-tail
#           are detected (exit 1, detected=1), the same run on production is clean
#   usage   bad flags exit 2 with a message; --help, --list-variants exit 0
set -uo pipefail
mode=$1 naive=$2
fails=0 checks=0
check() {  # check WHAT WANT_RC CMD...: run, compare the exit code
  local what=$1 want=$2; shift 2
  local out rc
  out=$("$@" 2>&1); rc=$?
  checks=$((checks + 1))
  if [[ $rc == "$want" ]]; then
    echo "ok    $what (exit $rc)"
  else
    fails=$((fails + 1)); echo "FAIL  $what: exit $rc, want $want"; echo "$out" | tail -n 15 | sed 's/^/    /'
  fi
  LAST=$out
}
expect_text() {  # expect_text WHAT PATTERN: in the last output
  checks=$((checks + 1))
  if grep -qE -- "$2" <<<"$LAST"; then echo "ok    $1"; else fails=$((fails + 1)); echo "FAIL  $1: no /$2/ in:"; echo "$LAST" | tail -n 10 | sed 's/^/    /'; fi
}
case $mode in
  clean)
    for impl in production baseline; do
      check "$impl clean, 4 threads x 30 rounds" 0 "$naive" --impl "$impl" --threads 4 --rounds 30 --seconds 0 --progress 0
      expect_text "$impl SUMMARY detected=0 rounds=30" '^SUMMARY engine=naive .* detected=0 reason=none rounds=30 '
    done ;;
  caught)
    check "v7-take-last caught by the end check" 1 "$naive" --impl v7-take-last --threads 1 --rounds 3 --seconds 0 --progress 0
    expect_text "v7-take-last: mt_verify names I1" 'NAIVE detected: mt_verify .*I1'
    expect_text "v7-take-last SUMMARY detected=1" '^SUMMARY engine=naive .* detected=1 reason=end-check'
    check "m-first-fill-no-tail crashes and is reported" 1 "$naive" --impl m-first-fill-no-tail --threads 1 --rounds 3 --seconds 0 --progress 0
    expect_text "crash reported, SUMMARY last" 'NAIVE detected: crash'
    expect_text "crash SUMMARY detected=1" '^SUMMARY engine=naive .* detected=1'
    check "same single-thread run on production is clean" 0 "$naive" --impl production --threads 1 --rounds 3 --seconds 0 --progress 0
    ;;
  usage)
    check "--help" 0 "$naive" --help
    expect_text "--help text" '^usage: naive'
    check "--list-variants" 0 "$naive" --list-variants
    n=$(grep -c . <<<"$LAST")
    checks=$((checks + 1))
    if ((n >= 17)); then echo "ok    $n implementations listed"; else fails=$((fails + 1)); echo "FAIL  only $n lines from --list-variants"; fi
    expect_text "b1 listed with its detected_by" $'^b1-xsa228-aba\t0\tsim stress\t'
    check "unknown flag" 2 "$naive" --frobnicate 1
    expect_text "unknown flag named" "unknown flag '--frobnicate'"
    check "unknown implementation" 2 "$naive" --impl no-such-impl
    expect_text "unknown implementation named" "unknown implementation 'no-such-impl'"
    check "bad number" 2 "$naive" --threads many
    check "zero threads" 2 "$naive" --threads 0
    check "missing value" 2 "$naive" --seconds
    check "unbounded run refused" 2 "$naive" --seconds 0
    check "stray argument" 2 "$naive" extra
    ;;
  *) echo "naive_test: unknown mode $mode"; exit 2 ;;
esac
echo "SUMMARY test=naive mode=$mode checks=$checks failed=$fails"
((fails == 0 && checks > 0))
