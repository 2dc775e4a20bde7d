#!/usr/bin/env bash
# stress/stress_test.sh: run the stress binary as a child and judge it.
#   stress_test.sh clean  BIN ARGS...   exit 0 and "SUMMARY ... violations=0" last
#   stress_test.sh race   BIN ARGS...   ThreadSanitizer must report a data race:
#                                       exit 66 and "ThreadSanitizer: data race"
#                                       on stderr (up to 3 attempts, seeds 1..3)
#   stress_test.sh caught N BIN ARGS... the invariant checks must fire: exit 1 and
#                                       violations>0, within N attempts (seeds 1..N)
#   stress_test.sh usage  BIN           bad flags exit 2 with a message; --help 0
# ARGS must not contain --seed for race/caught (the attempts choose it).
# Last line: SUMMARY test=MODE result=pass|fail ...
set -uo pipefail

mode=${1:?mode}; shift
attempts=3
if [[ $mode == caught ]]; then attempts=${1:?attempts}; shift; fi
bin=${1:?binary}; shift
tmp=${TEST_TMPDIR:-$(mktemp -d)}
out=$tmp/stress.out err=$tmp/stress.err

summary_of() { grep '^SUMMARY scenario=' "$out" | tail -1; }
fail() { echo "FAIL: $*" >&2; echo "SUMMARY test=$mode result=fail $*"; exit 1; }

case $mode in
clean)
  "$bin" "$@" >"$out" 2>"$err"; rc=$?
  cat "$err" >&2; cat "$out"
  [[ $rc -eq 0 ]] || fail "exit=$rc (want 0)"
  last=$(tail -1 "$out")
  [[ $last == "SUMMARY scenario="* ]] || fail "last line is not the SUMMARY"
  [[ $last == *" violations=0 "* ]] || fail "violations reported"
  ops=$(sed -n 's/.* ops=\([0-9]*\) .*/\1/p' <<<"$last")
  [[ ${ops:-0} -gt 0 ]] || fail "no operations ran"
  # With a yield rate the hook must really yield (a dead hook would leave
  # the race windows as narrow as without it, silently).
  if [[ " $* " =~ \ --yield-rate\ 0*[.]0*[1-9] ]]; then
    y=$(sed -n 's/.* yields=\([0-9]*\).*/\1/p' <<<"$last")
    [[ ${y:-0} -gt 0 ]] || fail "--yield-rate given but the hook never yielded"
  fi
  echo "SUMMARY test=clean result=pass exit=$rc"
  ;;
race)
  for seed in $(seq 1 $attempts); do
    TSAN_OPTIONS="halt_on_error=1:history_size=7:exitcode=66" "$bin" "$@" --seed "$seed" >"$out" 2>"$err"; rc=$?
    if [[ $rc -eq 66 ]] && grep -q 'ThreadSanitizer: data race' "$err"; then
      grep -m1 -A12 'WARNING: ThreadSanitizer: data race' "$err" >&2
      echo "SUMMARY test=race result=pass attempts=$seed exit=$rc"
      exit 0
    fi
    echo "attempt $seed (seed $seed): exit $rc, no data race report" >&2
    tail -3 "$err" >&2
  done
  fail "no ThreadSanitizer data race in $attempts attempts"
  ;;
caught)
  for seed in $(seq 1 "$attempts"); do
    "$bin" "$@" --seed "$seed" >"$out" 2>"$err"; rc=$?
    s=$(summary_of)
    v=$(sed -n 's/.* violations=\([0-9]*\) .*/\1/p' <<<"$s")
    if [[ $rc -eq 1 && ${v:-0} -gt 0 ]]; then
      head -5 "$err" >&2
      echo "$s"
      echo "SUMMARY test=caught result=pass attempts=$seed exit=$rc violations=$v"
      exit 0
    fi
    echo "attempt $seed (seed $seed): exit $rc, ${s:-no SUMMARY}" >&2
    [[ $rc -ne 0 && $rc -ne 1 ]] && tail -5 "$err" >&2
  done
  fail "not caught in $attempts attempts"
  ;;
usage)
  n=0
  check_usage() {  # want-exit pattern args...
    local want=$1 pat=$2; shift 2
    "$bin" "$@" >"$out" 2>"$err"; local rc=$?
    [[ $rc -eq $want ]] || fail "'$*': exit $rc, want $want"
    grep -q -- "$pat" "$out" "$err" || fail "'$*': no '$pat' in the output"
    n=$((n + 1))
  }
  check_usage 0 'usage: stress' --help
  check_usage 0 'b1-xsa228-aba' --list
  check_usage 2 'required' --impl production
  check_usage 2 'unknown flag' --scenario mixed --frobnicate
  check_usage 2 'unknown scenario' --scenario nope
  check_usage 2 'unknown implementation' --scenario mixed --impl nope
  check_usage 2 'not an integer' --scenario mixed --vcpus 4x
  check_usage 2 'not an integer' --scenario mixed --vcpus -1
  check_usage 2 'not an integer' --scenario mixed --vcpus 5000
  check_usage 2 'not a number' --scenario mixed --yield-rate 2
  check_usage 2 'not a number' --scenario mixed --seconds abc
  check_usage 2 'needs a value' --scenario mixed --ops
  check_usage 2 'at least one bound' --scenario mixed --ops 0 --seconds 0
  check_usage 2 'needs --vcpus' --scenario steal --vcpus 1
  check_usage 2 'per-page' --scenario mixed --per-page 1
  check_usage 2 'max-frames' --scenario mixed --per-page 65536 --max-frames 65536
  check_usage 2 'unexpected argument' --scenario mixed extra
  echo "SUMMARY test=usage result=pass cases=$n"
  ;;
*)
  echo "stress_test.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac
