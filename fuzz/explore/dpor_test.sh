#!/usr/bin/env bash
# fuzz/explore/dpor_test.sh: the reduction of --preemptions all is sound on
# small cases, and the check of it has teeth.
#
#   dpor_test.sh [--naive N] [--strength FILE MAX] EXPLORE SCENARIO -- DEPTH_FILE...
#
# - each DEPTH_FILE (corpus/depth/<impl>[-no-i11].txt: a zoo variant's
#   smallest violating scenario; its header names the implementation) is
#   explored reduced and naive (maptrack_explore --check-dpor): the naive
#   search, bounded to NAIVE schedules, finds no kind of verdict the reduced
#   search misses (complete: exactly the same kinds);
# - a broken reduction (--dpor-mutant: loads touch nothing) is caught on
#   b1-xsa228-aba and m-pop-unlock-early;
# - --observers FILE (repeatable): production, sc and c11, every quiescent
#   state the naive search reaches is reached by the reduced one, and the
#   boundaries unordered without the observer runs (--dpor-mutant-observers)
#   miss one (dpor_observers.txt; dpor_observers_hostile.txt, with a
#   put-bad, whose start and end are ordered only with what they touch);
# - SCENARIO (a small production proof scenario) under sc and c11: the
#   same verdicts (none) both ways, and --preemptions all ends with
#   complete=1 bound=none and a count of executions;
# - --strength: FILE (a production proof scenario without put-bad) bound-free
#   under sc in at most MAX runs, clean, with observer runs (the boundaries
#   of operations unordered): dpor_strength.txt takes 71 runs (26
#   executions, 45 observer runs); 241 with the boundaries ordered
#   (--dpor-boundaries), which the test checks is more;
# - --locks FILE (3 VCPUs, production, sc): with read-only critical
#   sections as one step (--lock-reduction on) the same verdicts (none)
#   and every quiescent state of the naive search, in fewer runs than
#   without (427 against 1,353); on m-pop-unlock-early (pop writes head
#   after its unlock) the search starts again once it sees that write
#   (lock_restarts=1) and still agrees with the naive search; the
#   reduction without its check (--dpor-mutant-locks: every read under a
#   lock taken as protected) is caught (the observer runs' replay check
#   or UNSOUND).  Under c11 (the shadow of the clocks: a load that an
#   order of two merged sections narrowed starts the search again without
#   the reduction): on the same file the naive search's verdicts and
#   quiescent states, and fewer runs than without (934 against 2,582);
#   on --narrow FILE (explore_2x3_limit: a pop's read of next that only a
#   steal's section after a put's tells it) the narrowing is seen
#   (lock_narrowed=1) and the search agrees with the naive one.
set -uo pipefail
NAIVE=20000
if [[ ${1:-} == --naive ]]; then NAIVE=$2; shift 2; fi
strength= strength_max= observers=()
if [[ ${1:-} == --strength ]]; then strength=$2 strength_max=$3; shift 3; fi
while [[ ${1:-} == --observers ]]; do observers+=("$2"); shift 2; done
locks= narrow=
if [[ ${1:-} == --locks ]]; then locks=$2; shift 2; fi
if [[ ${1:-} == --narrow ]]; then narrow=$2; shift 2; fi
explore=$1 scenario=$2
shift 2
[[ ${1:-} == -- ]] && shift
fail=0 n=0
check() { if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; fail=1; fi; }
field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2" | tail -1; }
tmp=${TEST_TMPDIR:-$(mktemp -d)}

for f in "$@"; do
  n=$((n + 1))
  impl=$(sed -n 's/^# tools\/explore --impl \([^ ]*\).*/\1/p' "$f" | head -1)
  flags=()
  grep -q -- '--no-i11' <(head -3 "$f") && flags=(--no-i11)
  if [[ -z $impl ]]; then echo "FAIL  $f: no '# tools/explore --impl NAME' line"; fail=1; continue; fi
  out=$("$explore" --impl "$impl" "${flags[@]}" --check-dpor --max-schedules $NAIVE "$f" 2>&1); rc=$?
  s=$(grep '^SUMMARY ' <<<"$out" | tail -1)
  check "$(basename "$f") ($impl${flags:+ ${flags[*]}}, $(field model "$s")): reduced $(field reduced "$s") in $(field executions "$s") executions, naive $(field naive "$s") in $(field naive_schedules "$s") schedules (complete=$(field complete "$s"))" \
    "[[ $rc == 0 && '$(field differ "$s")' == 0 && '$(field reduced "$s")' != none ]]"
  [[ $rc == 0 ]] || echo "$out" | tail -5 | sed 's/^/    /'
done

for v in b1-xsa228-aba m-pop-unlock-early; do
  f=
  for g in "$@"; do [[ $(basename "$g") == "$v.txt" ]] && f=$g; done
  if [[ -z $f ]]; then echo "FAIL  no corpus/depth/$v.txt given"; fail=1; continue; fi
  out=$("$explore" --impl "$v" --check-dpor --dpor-mutant --lock-reduction off --max-schedules $NAIVE "$f" 2>&1); rc=$?
  s=$(grep '^SUMMARY ' <<<"$out" | tail -1)
  check "a broken reduction (loads touch nothing) is caught on $v: reduced $(field reduced "$s"), naive $(field naive "$s")" \
    "[[ $rc == 1 && '$(field differ "$s")' == 1 ]]"
done

for obs in "${observers[@]}"; do
  for m in sc c11; do
    out=$(MT_MEMORY_MODEL=$m "$explore" --check-dpor --max-schedules 2000 "$obs" 2>&1); rc=$?
    s=$(grep '^SUMMARY ' <<<"$out" | tail -1)
    check "$(basename "$obs") $m: the $(field states_naive "$s") quiescent states of the naive search all reached (missing $(field states_missing "$s"))" \
      "[[ $rc == 0 && '$(field states_compared "$s")' == 1 && '$(field states_missing "$s")' == 0 && '$(field differ "$s")' == 0 ]]"
    out=$(MT_MEMORY_MODEL=$m "$explore" --check-dpor --dpor-mutant-observers --max-schedules 2000 "$obs" 2>&1); rc=$?
    s=$(grep '^SUMMARY ' <<<"$out" | tail -1)
    check "$(basename "$obs") $m: without the observer runs $(field states_missing "$s") quiescent state(s) missed, caught" \
      "[[ $rc == 1 && '$(field differ "$s")' == 1 && '$(field states_missing "$s")' -gt 0 ]]"
  done
done

for m in sc c11; do
  out=$(MT_MEMORY_MODEL=$m "$explore" --check-dpor "$scenario" 2>&1); rc=$?
  s=$(grep '^SUMMARY ' <<<"$out" | tail -1)
  check "$(basename "$scenario") production $m: naive complete ($(field naive_schedules "$s") schedules) and reduced ($(field executions "$s") executions) both clean" \
    "[[ $rc == 0 && '$(field complete "$s")' == 1 && '$(field reduced "$s")' == none && '$(field naive "$s")' == none ]]"
  out=$(MT_MEMORY_MODEL=$m "$explore" --quiet --preemptions all --out "$tmp/out" "$scenario" 2>&1); rc=$?
  s=$(grep '^SUMMARY ' <<<"$out" | tail -1)
  check "--preemptions all $m: complete=1 bound=none executions=$(field executions "$s"), no violation" \
    "[[ $rc == 0 && '$(field complete "$s")' == 1 && '$(field bound "$s")' == none && '$(field preemptions "$s")' == all && \${s} == *' complete=1 bound=none executions='* && '$(field violations "$s")' == 0 ]]"
done
if [[ -n $locks ]]; then
  out=$(MT_MEMORY_MODEL=sc "$explore" --check-dpor --lock-reduction on --max-schedules 5000 "$locks" 2>&1); rc=$?
  s=$(grep '^SUMMARY ' <<<"$out" | tail -1)
  check "$(basename "$locks") sc, lock reduction: reduced $(field reduced "$s") in $(field executions "$s") executions, naive $(field naive "$s"), $(field states_naive "$s") quiescent states, missing $(field states_missing "$s")" \
    "[[ $rc == 0 && '$(field differ "$s")' == 0 && '$(field states_compared "$s")' == 1 && '$(field states_missing "$s")' == 0 ]]"
  on=$(MT_MEMORY_MODEL=sc "$explore" --quiet --preemptions all --lock-reduction on --out "$tmp/out" "$locks" 2>&1 | grep '^SUMMARY ' | tail -1)
  off=$(MT_MEMORY_MODEL=sc "$explore" --quiet --preemptions all --lock-reduction off --out "$tmp/out" "$locks" 2>&1 | grep '^SUMMARY ' | tail -1)
  check "$(basename "$locks") sc bound-free: $(field schedules "$on") runs with the lock reduction ($(field lock_merges "$on") merges), $(field schedules "$off") without, both complete and clean" \
    "[[ '$(field complete "$on")' == 1 && '$(field complete "$off")' == 1 && '$(field violations "$on")' == 0 && '$(field violations "$off")' == 0 && '$(field lock_merges "$on")' -gt 0 && '$(field schedules "$on")' -lt '$(field schedules "$off")' ]]"
  out=$(MT_MEMORY_MODEL=sc "$explore" --impl m-pop-unlock-early --check-dpor --lock-reduction on --max-schedules 5000 "$locks" 2>&1); rc=$?
  c=$(grep '^SUMMARY ' <<<"$out" | tail -1)
  check "$(basename "$locks") m-pop-unlock-early: head written without its lock seen, search started again (lock_restarts=$(field lock_restarts "$c")); reduced $(field reduced "$c"), naive $(field naive "$c")" \
    "[[ '$(field lock_restarts "$c")' -ge 1 && $rc == 0 && '$(field differ "$c")' == 0 && '$(field reduced "$c")' != none ]]"
  out=$(MT_MEMORY_MODEL=sc "$explore" --check-dpor --dpor-mutant-locks --max-schedules 5000 "$locks" 2>&1); rc=$?
  how=$(grep -o 'nondeterminism: an observer run[a-z ]*\|UNSOUND' <<<"$out" | head -1)
  check "$(basename "$locks"): the lock reduction without its check is caught (${how:-not caught})" \
    "[[ $rc != 0 && -n '$how' ]]"
  out=$(MT_MEMORY_MODEL=c11 "$explore" --check-dpor --lock-reduction on --max-schedules $NAIVE "$locks" 2>&1); rc=$?
  s=$(grep '^SUMMARY ' <<<"$out" | tail -1)
  check "$(basename "$locks") c11, lock reduction: reduced $(field reduced "$s"), naive $(field naive "$s") (first $(field naive_schedules "$s") schedules), $(field states_naive "$s") quiescent states, missing $(field states_missing "$s")" \
    "[[ $rc == 0 && '$(field differ "$s")' == 0 && '$(field states_compared "$s")' == 1 && '$(field states_missing "$s")' == 0 ]]"
  on=$(MT_MEMORY_MODEL=c11 "$explore" --quiet --preemptions all --lock-reduction on --out "$tmp/out" "$locks" 2>&1 | grep '^SUMMARY ' | tail -1)
  off=$(MT_MEMORY_MODEL=c11 "$explore" --quiet --preemptions all --lock-reduction off --out "$tmp/out" "$locks" 2>&1 | grep '^SUMMARY ' | tail -1)
  check "$(basename "$locks") c11 bound-free: $(field schedules "$on") runs with the lock reduction ($(field lock_merges "$on") merges, lock_narrowed=$(field lock_narrowed "$on")), $(field schedules "$off") without, both complete and clean" \
    "[[ '$(field complete "$on")' == 1 && '$(field complete "$off")' == 1 && '$(field violations "$on")' == 0 && '$(field violations "$off")' == 0 && '$(field lock_merges "$on")' -gt 0 && '$(field lock_narrowed "$on")' == 0 && '$(field schedules "$on")' -lt '$(field schedules "$off")' ]]"
fi
if [[ -n $narrow ]]; then
  out=$(MT_MEMORY_MODEL=c11 "$explore" --check-dpor --lock-reduction on --max-schedules $NAIVE "$narrow" 2>&1); rc=$?
  s=$(grep '^SUMMARY ' <<<"$out" | tail -1)
  check "$(basename "$narrow") c11: a load narrowed by two merged sections' order seen (lock_narrowed=$(field lock_narrowed "$s"), lock_restarts=$(field lock_restarts "$s")), reduced $(field reduced "$s"), naive $(field naive "$s"), states missing $(field states_missing "$s")" \
    "[[ $rc == 0 && '$(field lock_narrowed "$s")' -ge 1 && '$(field differ "$s")' == 0 && '$(field states_missing "$s")' == 0 ]]"
fi
if [[ -n $strength ]]; then
  out=$(MT_MEMORY_MODEL=sc "$explore" --quiet --preemptions all --out "$tmp/out" "$strength" 2>&1); rc=$?
  s=$(grep '^SUMMARY ' <<<"$out" | tail -1)
  e=$(field schedules "$s")
  out=$(MT_MEMORY_MODEL=sc "$explore" --quiet --preemptions all --dpor-boundaries --out "$tmp/out" "$strength" 2>&1)
  b=$(field schedules "$(grep '^SUMMARY ' <<<"$out" | tail -1)")
  check "$(basename "$strength") sc bound-free: complete in ${e:-?} runs with observers (at most $strength_max; ${b:-?} with the boundaries ordered), no violation" \
    "[[ $rc == 0 && '$(field complete "$s")' == 1 && '$(field observers "$s")' == 1 && -n '$e' && '${e:-0}' -le $strength_max && '${b:-0}' -gt '${e:-0}' ]]"
fi
((n > 0)) || { echo "FAIL  no depth files"; fail=1; }
echo "SUMMARY test=dpor files=$n fail=$fail"
exit $fail
