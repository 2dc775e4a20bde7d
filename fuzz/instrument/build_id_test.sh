#!/usr/bin/env bash
# build_id_test.sh: texts and known-findings files made on instrumented code
# name the build ("# ix-build: 0x..."): its site ordinals depend on the
# compiler and its flags.  A mismatch is refused with a clear message, exit
# 2; the right build, no build line, and bytes (which name none) replay.
# Usage: build_id_test.sh BYO_REPLAY BYO_EXPLORE REPLAY_IX SCENARIO SEED
set -uo pipefail
byo=$1 explore=$2 rix=$3 scenario=$4 seed=$5
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail=0 n=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; fail=1; fi; }
export MT_IX_SYMBOLIZE=1

id=$("$byo" --sites | sed -n 's/^# ix-build: //p')
check "byo_replay --sites prints this build's id ($id)" "[[ \$id == 0x* ]]"
other=0x1234
[[ $id == "$other" ]] && other=0x4321
{ echo "# ix-build: $id"; cat "$scenario"; } >"$tmp/same.txt"
{ echo "# ix-build: $other"; cat "$scenario"; } >"$tmp/other.txt"

"$byo" --impl treiber-aba --expect flagged "$tmp/same.txt" >"$tmp/out" 2>&1; rc=$?
check "a text naming this build replays (the ABA flagged; exit $rc)" "[[ $rc == 0 ]]"
"$byo" --impl treiber-aba --expect flagged "$scenario" >"$tmp/out" 2>&1; rc=$?
check "a text naming no build replays (exit $rc)" "[[ $rc == 0 ]]"
"$byo" --impl treiber-aba --expect flagged "$tmp/other.txt" >"$tmp/out" 2>&1; rc=$?
check "a text naming another build is refused: exit $rc, '$(grep -m1 -o 'made on another build[^:]*' "$tmp/out")'" \
  "[[ $rc == 2 ]] && grep -q 'other.txt was made on another build of the instrumented code (ix-build $other' '$tmp/out'"
"$byo" --impl treiber-aba --trace "$scenario" >"$tmp/out" 2>&1
check "byo_replay --trace writes the build line into the text it prints" "grep -q '^# ix-build: $id\$' '$tmp/out'"
"$byo" --impl treiber "$seed" >"$tmp/out" 2>&1; rc=$?
check "bytes (no build named) replay (exit $rc)" "[[ $rc == 0 || $rc == 1 ]]"
"$explore" --impl treiber-aba --expect flagged "$tmp/other.txt" >"$tmp/out" 2>&1; rc=$?
check "byo_explore refuses it too (exit $rc)" "[[ $rc == 2 ]] && grep -q 'made on another build' '$tmp/out'"

# production-ix through the normal replay driver: texts and known files
"$rix" --impl production-ix --decode "$seed" >"$tmp/decoded.txt" 2>&1
idx=$(sed -n 's/^# ix-build: //p' "$tmp/decoded.txt")
check "maptrack_replay --decode names the build on production-ix ($idx)" "[[ \$idx == 0x* ]]"
"$rix" --impl production --decode "$seed" >"$tmp/hooked.txt" 2>&1
check "... and not on hooked production (its sites do not depend on the build)" "! grep -q '^# ix-build' '$tmp/hooked.txt'"
"$rix" --impl production-ix --encode "$tmp/decoded.txt" -o "$tmp/re.bin" >"$tmp/out" 2>&1; rc=$?
check "the decoded text encodes on its build (exit $rc)" "[[ $rc == 0 && -s '$tmp/re.bin' ]]"
sed "s/^# ix-build: .*/# ix-build: $other/" "$tmp/decoded.txt" >"$tmp/decoded-other.txt"
"$rix" --impl production-ix --encode "$tmp/decoded-other.txt" -o "$tmp/re2.bin" >"$tmp/out" 2>&1; rc=$?
check "... and is refused on another (exit $rc)" "[[ $rc == 2 ]] && grep -q 'made on another build' '$tmp/out'"
printf '# ix-build: %s\nI1:oracle:none\n' "$idx" >"$tmp/same.known"
printf '# ix-build: %s\nI1:oracle:none\n' "$other" >"$tmp/other.known"
"$rix" --impl production-ix --known "$tmp/same.known" "$seed" >"$tmp/out" 2>&1; rc=$?
check "a known file naming this build is read (exit $rc)" "[[ $rc == 0 ]]"
"$rix" --impl production-ix --known "$tmp/other.known" "$seed" >"$tmp/out" 2>&1; rc=$?
check "a known file naming another build is refused: exit $rc, '$(grep -m1 -o 'known findings: [^(]*' "$tmp/out")'" \
  "[[ $rc == 2 ]] && grep -q 'known findings: .*other.known was made on another build' '$tmp/out'"
echo "SUMMARY test=build_id checks=$n fail=$fail"
exit $fail
