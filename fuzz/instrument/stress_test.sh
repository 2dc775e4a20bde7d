#!/usr/bin/env bash
# fuzz/instrument/stress_test.sh: a suite's real-threads binary (<name>_stress,
# stress_defs.bzl) on one adapter, judged.
#   stress_test.sh BIN IMPL clean FLAGS...
#       one run: exit 0, result=clean, operations ran, remote puts ran (when
#       the adapter declares them), and C5 was checked while the run went on
#       (checks > 2: more than the end and drained checks)
#   stress_test.sh BIN IMPL flagged ATTEMPTS WANT FLAGS...
#       the finding WANT within ATTEMPTS runs, seeds 1..ATTEMPTS (the first
#       passes): race (exit 66, a ThreadSanitizer data race report), C1..C6
#       (exit 1, "VIOLATION Cn:" on stderr) or crash (exit 3)
#   stress_test.sh BIN IMPL usage
#       --help and --list exit 0 (the list names IMPL); an unknown adapter,
#       an unknown flag, a bad number, no bound, a missing suppressions file
#       exit 2 with a message, before any work (no SUMMARY of a run)
# FLAGS must bound the run by --ops (not --seconds: no wall-clock luck) and,
# for flagged, must not contain --seed.
# Last line: SUMMARY test=stress-clean|stress-flagged result=pass|fail ...
set -uo pipefail

bin=${1:?binary} impl=${2:?impl} verdict=${3:?clean|flagged}
shift 3
tmp=${TEST_TMPDIR:-$(mktemp -d)}
out=$tmp/stress.out err=$tmp/stress.err
field() { sed -n "s/.* $1=\([0-9a-z]*\).*/\1/p" <<<"$2"; }
fail() { echo "FAIL: $*" >&2; echo "SUMMARY test=stress-$verdict impl=$impl result=fail $*"; exit 1; }

case $verdict in
clean)
  "$bin" --impl "$impl" --progress 0 "$@" >"$out" 2>"$err"; rc=$?
  cat "$err" >&2; cat "$out"
  last=$(tail -1 "$out")
  [[ $last == "SUMMARY scenario=mix "* ]] || fail "last line is not the SUMMARY"
  [[ $rc -eq 0 && $last == *" result=clean "* ]] || fail "exit=$rc (want 0, clean)"
  [[ $(field ops "$last") -gt 0 ]] || fail "no operations ran"
  [[ $(field checks "$last") -gt 2 ]] || fail "no in-run check (checks=$(field checks "$last"))"
  [[ $(field tsan "$last") == 1 ]] || fail "not a ThreadSanitizer build"
  echo "SUMMARY test=stress-clean impl=$impl result=pass exit=$rc"
  ;;
flagged)
  attempts=${1:?attempts} want=${2:?race, C1..C6 or crash}; shift 2
  found() {
    case $want in
      race) [[ $rc -eq 66 ]] && grep -q 'WARNING: ThreadSanitizer: data race' "$err" ;;
      C[1-6]) [[ $rc -eq 1 ]] && grep -q "^VIOLATION $want:" "$err" ;;
      crash) [[ $rc -eq 3 ]] ;;
      *) echo "stress_test.sh: want race, C1..C6 or crash, not '$want'" >&2; exit 2 ;;
    esac
  }
  for seed in $(seq 1 "$attempts"); do
    "$bin" --impl "$impl" --progress 0 --seed "$seed" "$@" >"$out" 2>"$err"; rc=$?
    last=$(tail -1 "$out")
    if [[ $last == "SUMMARY scenario=mix "* && $last != *" result=clean "* ]] && found; then
      grep -m3 '^VIOLATION' "$err" >&2
      grep -m1 -A14 'WARNING: ThreadSanitizer' "$err" >&2
      echo "$last"
      echo "SUMMARY test=stress-flagged impl=$impl want=$want result=pass attempts=$seed exit=$rc"
      exit 0
    fi
    echo "attempt $seed (seed $seed): exit $rc, ${last:-no SUMMARY}" >&2
    tail -5 "$err" >&2
  done
  fail "no $want finding in $attempts attempts"
  ;;
usage)
  n=0
  check_usage() {  # want-exit pattern args...
    local want=$1 pat=$2; shift 2
    "$bin" "$@" >"$out" 2>"$err"; local rc=$?
    [[ $rc -eq $want ]] || fail "'$*': exit $rc, want $want"
    grep -q -- "$pat" "$out" "$err" || fail "'$*': no '$pat' in the output"
    ! grep -q '^SUMMARY scenario=' "$out" || fail "'$*': a run started"
    n=$((n + 1))
  }
  check_usage 0 'usage:' --help
  check_usage 0 "$impl" --list
  check_usage 2 "unknown adapter 'no-such-list'" --impl no-such-list
  check_usage 2 "unknown flag '--scenario'" --impl "$impl" --scenario mixed
  check_usage 2 "not an integer" --impl "$impl" --vcpus many
  check_usage 2 "at least one bound" --impl "$impl" --ops 0 --seconds 0
  check_usage 2 "no such readable file" --impl "$impl" --suppress /no/such/file
  check_usage 2 "required" --ops 10
  echo "SUMMARY test=stress-usage impl=$impl result=pass checks=$n"
  ;;
*) echo "stress_test.sh: verdict must be clean, flagged or usage, not '$verdict'" >&2; exit 2 ;;
esac
