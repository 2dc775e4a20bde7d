#!/usr/bin/env bash
# root_cause_test.sh BIN [--one-run]: signatures from the minimised
# reproducer (fuzz/known/root_cause.h), with BIN = root_signature, run
# from the workspace root (bazel runfiles).  --one-run names each finding
# from its one run instead (what main did before root-cause signatures):
# the test must fail then (checked by hand: docs/bugbench.md).
#  1. one bug, four raw inputs a 60 s campaign on b3-double-put saved
#     under four signatures (a get stopped at GROW_LOCK or POP_LOCK, the
#     bad put stopped at PUT_CLAIM or not at all): one signature;
#  2. the two bugs of multi-b3-pop-unlock (B3's double put and the early
#     unlock), each shown by a list corruption (the old name of both was
#     list:quiescent:seq): two signatures, and each input is flagged on
#     its own bug's one-bug variant and clean on the other's;
#  3. seq only when the finding replays with no preemption: every
#     signature that says seq has seq_replays=1 (the named program, every
#     record run to the end of its operation, fails the same way), and the
#     ABA of b1-xsa228-aba (it needs its preemption) is not named seq;
#  4. deterministic: the same files named twice give the same lines;
#  5. one bug reached by four routes: four raw inputs of
#     m-slow-threads-first that a campaign saved under four names (two
#     I11 pairs, two I7 pairs: the route each took) shrink to the one
#     sequential get that breaks the list, one signature.
set -uo pipefail
bin=$1; shift
mode=("$@")
d=fuzz/known/testdata r=corpus/regress
fail=0
check() { if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; fail=1; fi; }
sigs() { awk '$1 == "SIG" { print $2 }'; }

raw=("$d"/b3-raw-get-stopped-at-GROW_LOCK "$d"/b3-raw-get-stopped-at-POP_LOCK
     "$d"/b3-raw-put-bad-stopped-at-PUT_CLAIM "$d"/b3-raw-put-bad-seq)
out1=$("$bin" "${mode[@]}" b3-double-put "${raw[@]}"); echo "$out1"
n=$(sigs <<<"$out1" | sort -u | wc -l); m=$(sigs <<<"$out1" | wc -l)
check "1. four raw inputs of one double put: $n signature(s) for $m findings" "[[ $m == 4 && $n == 1 ]]"

b3=$d/b3-list-corruption pop=$r/m-pop-unlock-early/I5-get-at-POP_WRITE_HEAD-vs-get
out2=$("$bin" "${mode[@]}" multi-b3-pop-unlock "$b3" "$pop" $r/multi-b3-pop-unlock/I7-put-bad-seq \
       $r/multi-b3-pop-unlock/I7-get-POP_WRITE_HEAD); echo "$out2"
own=$("$bin" "${mode[@]}" b3-double-put "$b3" "$pop" -- m-pop-unlock-early "$b3" "$pop")
check "2. multi-b3-pop-unlock: 4 findings, 4 signatures, no two bugs share one" \
  "[[ \$(sigs <<<\"\$out2\" | wc -l) == 4 && \$(sigs <<<\"\$out2\" | sort -u | wc -l) == 4 ]]"
check "2. the inputs belong to their bugs (B3's flagged on b3 only, the unlock's on m-pop-unlock-early only)" \
  "[[ \$(awk '{ print \$1 }' <<<\"\$own\" | paste -sd' ') == 'SIG CLEAN CLEAN SIG' ]]"

out3=$("$bin" "${mode[@]}" b1-xsa228-aba $r/b1-xsa228-aba/scenario-b1_xsa228_aba -- b5-oom-no-steal \
       $r/b5-oom-no-steal/scenario-b5_oom_no_steal -- b2-stale-sentinel $r/b2-stale-sentinel/scenario-b2_stale_sentinel)
echo "$out3"
bad=$(printf '%s\n%s\n%s\n' "$out1" "$out2" "$out3" |
      awk '$1 == "SIG" && $2 ~ /:seq(:|$)/ && !/ seq_replays=1 / { n++ } END { print n + 0 }')
check "3. every signature that says seq replays with no preemption ($bad do not)" "[[ $bad == 0 ]]"
check "3. the ABA (b1-xsa228-aba) needs its preemption: not named seq" \
  "grep -q '^SIG [^ ]*:[^ ]*:[^ ]* .*scenario-b1_xsa228_aba' <<<\"\$out3\" && ! grep -Eq '^SIG [^ ]*:seq(:| ).*scenario-b1' <<<\"\$out3\""
check "3. the sequential slips (b5, b2) are named seq" \
  "[[ \$(grep -Ec '^SIG [^ ]*:seq(:| ).*scenario-b[25]_' <<<\"\$out3\") == 2 ]]"

again=$("$bin" "${mode[@]}" b3-double-put "${raw[@]}")
check "4. the same files again: the same lines" "[[ \"\$again\" == \"\$out1\" ]]"
slow=("$d"/slow-raw-I11-GET_CLEAR_LINK-POP_READ_NEXT "$d"/slow-raw-I11-PUT_SWING_TAIL-THREAD_WRITE_TAIL
      "$d"/slow-raw-I7-GET_CLEAR_LINK-PUT_LINK "$d"/slow-raw-I7-POP_READ_HEAD-THREAD_WRITE_HEAD)
out5=$("$bin" "${mode[@]}" m-slow-threads-first "${slow[@]}"); echo "$out5"
n=$(sigs <<<"$out5" | sort -u | wc -l); m=$(sigs <<<"$out5" | wc -l)
check "5. four routes to one slip (m-slow-threads-first): $n signature(s) for $m findings" "[[ $m == 4 && $n == 1 ]]"
exit $fail
