#!/usr/bin/env bash
# corpus/explore_test.sh: the explorer, under bazel test.
#
#   explore_test.sh prove EXPLORE K SCENARIO...
#       every schedule of each scenario with at most K preemptions, against
#       production: the exploration completes, runs at least one schedule,
#       and finds no violation.
#   explore_test.sh depth EXPLORE REPLAY FILE...
#       FILE: corpus/depth/<impl>[-no-i11].txt, written by tools/explore
#       --depth, whose header names the implementation and K.  Against that
#       implementation, at K: a violation, its saved reproducer flagged by
#       the replay binary (the normal path), no replay mismatch, and also
#       found without pruning (files found with --no-i11: found with
#       pruning and I11 on); at K-1: none (the depth is exact for that
#       scenario).  Against production, at K: none.
#   explore_test.sh pruning DEPTH IMPL...
#       the pruning's soundness check (maptrack_depth --check-pruning).
#   explore_test.sh flags EXPLORE NAIVE K SCENARIO...
#       the proof set is not blind: every zoo variant the simulator can see
#       ("sim" in its detected_by, from the registry: naive --list-variants)
#       shows a violation in at least one SCENARIO at K.  The scenarios are
#       tried in the order given and each variant stops at its first
#       violation (one finding is enough to flag it).
# A test that explores nothing proves nothing: no files is a failure.
set -uo pipefail
mode=$1 explore=$2
shift 2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail=0 n=0
check() { if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; fail=1; fi; }
field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2" | tail -1; }

# run_explore OUT_VAR ARGS...: runs the explorer, sets $rc and $last (its SUMMARY line)
run_explore() {
  out=$("$explore" --quiet --out "$tmp/saved" "$@" 2>&1); rc=$?
  last=$(grep '^SUMMARY ' <<<"$out" | tail -1)
}

case $mode in
  prove)
    k=$1; shift
    pairs=
    if [[ ${1:-} == --pairs ]]; then pairs=$2; shift 2; fi
    (($#)) || { echo "explore_test: no scenarios"; exit 1; }
    total=0
    for f in "$@"; do
      n=$((n + 1))
      cf=()
      [[ -n $pairs ]] && cf=(--conflicts "$tmp/pairs.$n")
      run_explore --preemptions "$k" --impl production "${cf[@]}" "$f"
      s=$(field schedules "$last")
      check "$(basename "$f") K=$k production: clean, complete ($s schedules, $(field schedules_per_s "$last")/s, $(field pruned_switches "$last") switches pruned)" \
        "[[ $rc == 0 && '$(field complete "$last")' == 1 && '$(field violations "$last")' == 0 && ${s:-0} -gt 0 ]]"
      [[ $rc == 0 ]] || echo "$out" | tail -30 | sed 's/^/    /'
      total=$((total + ${s:-0}))
    done
    if [[ -n $pairs ]]; then
      # every conflicting pair fuzz campaigns reach, the proof reaches too
      cat "$tmp"/pairs.* | sort -u >"$tmp/pairs.all"
      grep -v '^#' "$pairs" | sort -u >"$tmp/pairs.want"
      missing=$(comm -23 "$tmp/pairs.want" "$tmp/pairs.all")
      check "the proof reaches all $(wc -l <"$tmp/pairs.want") conflicting pairs of $pairs ($(wc -l <"$tmp/pairs.all") in all)" \
        "[[ -z '$missing' && \$(wc -l <'$tmp/pairs.want') -gt 0 ]]"
      [[ -z $missing ]] || sed 's/^/    missing: /' <<<"$missing"
    fi
    echo "SUMMARY test=explore_prove preemptions=$k scenarios=$n schedules=$total fail=$fail"
    ;;
  depth)
    # explore_test.sh depth EXPLORE REPLAY [--found-only] FILE...:
    # --found-only (the sanitizers' build): each file's violation, its
    # saved schedule and its replay; not the checks of the table's content
    # (without pruning, none at K-1, production clean), which do not
    # depend on the build and which the default build runs
    replay=$1; shift
    found_only=0
    if [[ ${1:-} == --found-only ]]; then found_only=1; shift; fi
    (($#)) || { echo "explore_test: no depth files"; exit 1; }
    for f in "$@"; do
      n=$((n + 1))
      line=$(grep -m1 '^# tools/explore --impl ' "$f")
      impl=$(sed -n 's/.*--impl \([^ ]*\).*/\1/p' <<<"$line")
      k=$(sed -n 's/.*--preemptions \([0-9]*\).*/\1/p' <<<"$line")
      flags=()
      [[ $line == *--no-i11* ]] && flags=(--no-i11)
      name=$(basename "$f" .txt)
      if [[ -z $impl || -z $k ]]; then echo "FAIL  $f: no '# tools/explore --impl NAME --preemptions K' line"; fail=1; continue; fi
      rm -rf "$tmp/saved"
      run_explore --preemptions "$k" --impl "$impl" "${flags[@]}" "$f"
      # a sanitizer may stop a crashing variant before the explorer reports
      san=0; grep -qE '^SUMMARY: (Address|UndefinedBehavior)Sanitizer' <<<"$out" && san=1
      check "$name: $impl at K=$k shows a violation" "[[ $rc == 1 || $san == 1 ]]"
      [[ $rc == 1 || $san == 1 ]] || echo "$out" | tail -20 | sed 's/^/    /'
      if [[ $san == 0 ]]; then
        check "$name: the saved schedule replays to the same finding in-process" "[[ '$(field replay_mismatch "$last")' != [1-9]* ]]"
        saved=$(ls "$tmp/saved/$name-$impl-k$k-1" 2>/dev/null)
        check "$name: saved reproducer flagged by the replay binary" \
          "[[ -n '$saved' ]] && { '$replay' --impl '$impl' '$saved' >/dev/null 2>&1; r=\$?; [[ \$r == 1 || \$r -ge 128 ]]; }"
        # the same finding, word for word (I11 off: the replay binary checks
        # I11, so it may name an earlier claim instead)
        if [[ ${#flags[@]} == 0 && -n $saved ]]; then
          want=$(sed -n 's/^VIOLATION 1: //p' <<<"$out" | head -1)
          got=$("$replay" --impl "$impl" "$saved" 2>&1 | sed -n 's/^# FINDING //p' | head -1)
          # (a crash: the replay names it by its report, the frame, the VCPU
          # and the operation it hit, fuzz/engine/crash.h; the explorer by
          # its signal: both must be a crash)
          check "$name: tools/repro's verdict is the explorer's ($want)" \
            "[[ -n \"\$want\" && ( \"\$want\" == \"\$got\" || ( \"\$want\" == crash:* && \"\$got\" == crash:* ) ) ]]"
        fi
      fi
      ((found_only)) && continue
      if [[ ${#flags[@]} == 0 ]]; then
        run_explore --preemptions "$k" --impl "$impl" --no-prune "$f"
        check "$name: found without pruning too" "[[ $rc == 1 ]] || grep -qE '^SUMMARY: (Address|UndefinedBehavior)Sanitizer' <<<\"\$out\""
      else
        # soundness: what the unpruned search without I11 finds, the pruned
        # search with I11 finds too (perhaps earlier, as I11)
        run_explore --preemptions "$k" --impl "$impl" "$f"
        check "$name: found with pruning and I11 too" "[[ $rc == 1 ]] || grep -qE '^SUMMARY: (Address|UndefinedBehavior)Sanitizer' <<<\"\$out\""
      fi
      if ((k > 0)); then
        run_explore --preemptions $((k - 1)) --impl "$impl" "${flags[@]}" "$f"
        check "$name: nothing at K=$((k - 1)) (complete)" "[[ $rc == 0 && '$(field complete "$last")' == 1 ]]"
      fi
      run_explore --preemptions "$k" --impl production "$f"
      check "$name: production clean at K=$k" "[[ $rc == 0 && '$(field complete "$last")' == 1 ]]"
    done
    echo "SUMMARY test=explore_depth files=$n fail=$fail"
    ;;
  pruning)
    # explore_test.sh pruning DEPTH [--max-ops N] IMPL...: for each
    # implementation, every scenario of up to 3 (N) operations on up to 2
    # VCPUs at K=1, pruned with I11 against unpruned without: nothing only
    # the second finds.
    ops=3
    if [[ ${1:-} == --max-ops ]]; then ops=$2; shift 2; fi
    (($#)) || { echo "explore_test: no implementations"; exit 1; }
    for impl in "$@"; do
      n=$((n + 1))
      out=$("$explore" --check-pruning --impl "$impl" --max-k 1 --max-ops "$ops" --max-vcpus 2 --quiet 2>&1); rc=$?
      last=$(grep '^SUMMARY ' <<<"$out" | tail -1)
      check "$impl: pruning sound on $(field scenarios "$last") scenarios (both $(field both "$last"), pruned+I11 only $(field pruned_only "$last"), unpruned only $(field unpruned_only "$last"))" \
        "[[ $rc == 0 && '$(field unpruned_only "$last")' == 0 && ${#last} -gt 0 ]]"
      [[ $rc == 0 ]] || echo "$out" | tail -20 | sed 's/^/    /'
    done
    echo "SUMMARY test=explore_pruning impls=$n fail=$fail"
    ;;
  flags)
    naive=$1 k=$2; shift 2
    (($#)) || { echo "explore_test: no scenarios"; exit 1; }
    list=$("$naive" --list-variants) || { echo "FAIL  naive --list-variants"; exit 1; }
    passed=
    while IFS=$'\t' read -r impl _ engines _; do
      [[ $engines == *sim* ]] || continue
      n=$((n + 1)) hit=
      for f in "$@"; do
        run_explore --preemptions "$k" --impl "$impl" "$f"
        # a violation (exit 1), or a sanitizer stopping a crashing variant
        if [[ $rc == 1 ]] || grep -qE '^SUMMARY: (Address|UndefinedBehavior)Sanitizer' <<<"$out"; then
          hit="$(basename "$f" .txt): $(sed -n 's/^VIOLATION 1: //p' <<<"$out" | head -1 | cut -c1-100)"
          break
        fi
        # anything but clean (0) or a violation (1) is an explorer error
        [[ $rc == 0 ]] || { echo "FAIL  $impl on $(basename "$f"): explorer exit $rc"; echo "$out" | tail -5 | sed 's/^/    /'; fail=1; }
      done
      check "$impl flagged by the proof set at K=$k (${hit:-passes every scenario})" "[[ -n \$hit ]]"
      [[ -n $hit ]] || passed+=" $impl"
    done <<<"$list"
    check "at least one simulator-visible variant listed" "((n > 0))"
    passed=${passed# }; passed=${passed// /,}
    echo "SUMMARY test=explore_proof_flags preemptions=$k variants=$n scenarios=$# passed=${passed:--} fail=$fail"
    ;;
  *) echo "explore_test: unknown mode $mode"; exit 2 ;;
esac
exit $fail
