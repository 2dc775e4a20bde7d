#!/usr/bin/env bash
# stress/stress_test.sh: run the stress binary as a child and judge it.
#   stress_test.sh clean  BIN ARGS...   exit 0 and "SUMMARY ... violations=0" last
#   stress_test.sh race   BIN ARGS...   ThreadSanitizer must report a data race:
#                                       exit 66 and "ThreadSanitizer: data race"
#                                       on stderr (up to 3 attempts, seeds 1..3)
#   stress_test.sh caught N BIN ARGS... the invariant checks must fire: exit 1
#                                       (violation) or 3 (crash) and violations>0,
#                                       within N attempts (seeds 1..N)
#   stress_test.sh halts  BIN ARGS...   ThreadSanitizer build: the first (benign)
#                                       race ends the run: exit 66, result=race
#   stress_test.sh past   BIN SUPP ARGS...  a loss behind a benign race is caught
#                                       while the run goes on: with --suppress SUPP
#                                       (and, under TSan, with --keep-going instead)
#                                       exit 1 from an in-run check; production with
#                                       the same flags exits 0
#   stress_test.sh usage  BIN           bad flags and bad suppressions files exit 2
#                                       with a message before any work; --help 0
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
  [[ $last == *" result=clean "* ]] || fail "result is not clean"
  ops=$(sed -n 's/.* ops=\([0-9]*\) .*/\1/p' <<<"$last")
  [[ ${ops:-0} -gt 0 ]] || fail "no operations ran"
  # Conservation was checked while the run went on, not only at the end
  # (end + drained = 2 checks; grow checks every round).
  checks=$(sed -n 's/.* checks=\([0-9]*\) .*/\1/p' <<<"$last")
  [[ ${checks:-0} -gt 2 ]] || fail "no in-run conservation check (checks=${checks:-?})"
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
    if [[ ($rc -eq 1 || $rc -eq 3) && ${v:-0} -gt 0 ]]; then
      head -5 "$err" >&2
      echo "$s"
      echo "SUMMARY test=caught result=pass attempts=$seed exit=$rc violations=$v"
      exit 0
    fi
    echo "attempt $seed (seed $seed): exit $rc, ${s:-no SUMMARY}" >&2
    [[ $rc -ne 0 && $rc -ne 1 && $rc -ne 3 ]] && tail -5 "$err" >&2
  done
  fail "not caught in $attempts attempts"
  ;;
halts)
  "$bin" "$@" >"$out" 2>"$err"; rc=$?
  s=$(summary_of)
  grep -m1 -A8 'WARNING: ThreadSanitizer' "$err" >&2
  echo "$s"
  [[ $rc -eq 66 ]] || fail "exit=$rc (want 66: the race ends the run)"
  [[ $s == *" result=race "* ]] || fail "SUMMARY does not say result=race"
  grep -q 'WARNING: ThreadSanitizer: data race' "$err" || fail "no ThreadSanitizer data race report"
  echo "SUMMARY test=halts result=pass exit=$rc"
  ;;
past)
  supp=${1:?suppressions file}; shift
  field() { sed -n "s/.* $1=\([0-9a-z]*\).*/\1/p" <<<"$2"; }
  tsan=0
  "$bin" "$@" --ops 1 --impl production --check-every 0 >"$out" 2>"$err"
  [[ $(field tsan "$(summary_of)") == 1 ]] && tsan=1
  modes=("--suppress $supp")
  ((tsan)) && modes+=("--keep-going")
  n=0
  for m in "${modes[@]}"; do
    read -r -a extra <<<"$m"
    "$bin" "$@" "${extra[@]}" >"$out" 2>"$err"; rc=$?
    s=$(summary_of)
    echo "== $m: exit $rc"; echo "$s"
    grep -m3 '^VIOLATION' "$err" >&2
    grep '^RACE' "$err" >&2
    [[ $rc -eq 1 ]] || { tail -5 "$err" >&2; fail "$m: exit=$rc (want 1: the loss is a violation)"; }
    [[ $(field violations "$s") -gt 0 ]] || fail "$m: no violation counted"
    grep -q '^VIOLATION in-run check' "$err" || fail "$m: the loss was not caught by an in-run check"
    grep -q 'lost' "$err" || fail "$m: no lost handle reported"
    if [[ $m == --suppress* ]]; then
      [[ $(field races "$s") == 0 ]] || fail "$m: races=$(field races "$s") (want 0: suppressed)"
      ((tsan == 0)) || [[ $(field races_suppressed "$s") -gt 0 ]] || fail "$m: TSan matched no suppression"
      ! grep -q 'WARNING: ThreadSanitizer' "$err" || fail "$m: a ThreadSanitizer report was printed"
    else
      [[ $(field races "$s") == 1 ]] || fail "$m: races=$(field races "$s") (want 1 distinct pair)"
      [[ $(grep -c 'WARNING: ThreadSanitizer: data race' "$err") == 1 ]] || fail "$m: the race was not printed exactly once"
      [[ $(grep -c '^RACE [0-9]' "$err") == 1 ]] || fail "$m: want one RACE line"
    fi
    # production with the same flags: clean
    args=()
    skip=0
    for a in "$@"; do
      if ((skip)); then args+=(production); skip=0; continue; fi
      [[ $a == --impl ]] && skip=1
      args+=("$a")
    done
    "$bin" "${args[@]}" "${extra[@]}" >"$out" 2>"$err"; rc=$?
    s=$(summary_of)
    echo "== production $m: exit $rc"; echo "$s"
    [[ $rc -eq 0 && $s == *" result=clean "* ]] || { tail -5 "$err" >&2; fail "production $m: exit=$rc (want 0)"; }
    n=$((n + 1))
  done
  echo "SUMMARY test=past result=pass modes=$n tsan=$tsan"
  ;;
usage)
  n=0
  run=()  # a prefix for the binary (timeout)
  check_usage() {  # want-exit pattern args...
    local want=$1 pat=$2; shift 2
    "${run[@]}" "$bin" "$@" >"$out" 2>"$err"; local rc=$?
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
  # fewer operations than threads: the idle threads do nothing (they ran
  # without a bound before: a 0 budget read as none)
  run=(timeout -k 5 30)
  check_usage 0 ' ops=2 .*result=clean' --scenario mixed --vcpus 4 --ops 2 --seconds 0 --progress 0
  run=()
  check_usage 2 'per-page' --scenario mixed --per-page 1
  check_usage 2 'max-frames' --scenario mixed --per-page 65536 --max-frames 65536
  check_usage 2 'unexpected argument' --scenario mixed extra
  check_usage 2 'takes no value' --scenario mixed --keep-going=1
  check_usage 2 'not an integer' --scenario mixed --check-every x
  # Suppressions files: checked before any work (no thread, no SUMMARY).
  supp=$tmp/supp
  check_supp() {  # pattern, then the file's lines
    local pat=$1; shift
    printf '%s\n' "$@" >"$supp"
    check_usage 2 "$pat" --scenario mixed --suppress "$supp"
    ! grep -q '^SUMMARY\|^thread ' "$out" || fail "--suppress with a bad file did some work"
  }
  check_usage 2 'cannot open' --scenario mixed --suppress "$tmp/no-such-file"
  check_supp 'not a ThreadSanitizer suppression' 'race:ok' 'racy:foo'
  check_supp 'not a ThreadSanitizer suppression' 'race:'
  check_supp 'not a ThreadSanitizer suppression' 'planted_benign_'
  check_supp 'supp:3' '# comment' '' 'bogus line'
  check_usage 2 'needs a value' --scenario mixed --suppress
  # a good file is accepted (1 ops: a moment's work)
  printf '# comment\n\nrace:planted_benign_\n  thread:foo  \nrace_top:x\ncalled_from_lib:libfoo.so\n' >"$supp"
  check_usage 0 '4 suppressions' --scenario mixed --ops 1 --progress 0 --suppress "$supp"
  echo "SUMMARY test=usage result=pass cases=$n"
  ;;
*)
  echo "stress_test.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac
