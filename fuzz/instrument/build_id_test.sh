#!/usr/bin/env bash
# build_id_test.sh: texts and known-findings files made on instrumented code
# name the build ("# ix-build: 0x...", a fingerprint of the build's set of
# site names).  Sites are named by their source (file.line.column.kind), so
# a file made on another build (another configuration, code added) still
# means the same accesses here: it is read, unless it names a site this
# build does not have; then it is refused with a message naming the site
# and both builds, exit 2.  The right build, no build line, and bytes
# (which name none) replay.
# Usage: build_id_test.sh BYO_REPLAY BYO_EXPLORE REPLAY_IX SCENARIO SEED
set -uo pipefail
byo=$1 explore=$2 rix=$3 scenario=$4 seed=$5
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail=0 n=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; fail=1; fi; }
missing=treiber.c.9999.1.cas64          # a site no build of examples/treiber has

id=$("$byo" --sites | sed -n 's/^# ix-build: //p')
check "byo_replay --sites prints this build's id ($id)" "[[ \$id == 0x* ]]"
other=0x1234
[[ $id == "$other" ]] && other=0x4321
"$byo" --sites | grep -q "treiber.c.41.7.cas64 treiber_pop treiber.c:41:7 cas64\$"
check "--sites names the pop's CAS by its source: treiber.c.41.7.cas64 (function in the text)" "[[ $? == 0 ]]"
{ echo "# ix-build: $id"; cat "$scenario"; } >"$tmp/same.txt"
{ echo "# ix-build: $other"; cat "$scenario"; } >"$tmp/other.txt"
{ echo "# ix-build: $other"; sed "s/until=[^ ]*/until=$missing/" "$scenario"; } >"$tmp/missing.txt"

"$byo" --impl treiber-aba --expect flagged "$tmp/same.txt" >"$tmp/out" 2>&1; rc=$?
check "a text naming this build replays (the ABA flagged; exit $rc)" "[[ $rc == 0 ]]"
"$byo" --impl treiber-aba --expect flagged "$scenario" >"$tmp/out" 2>&1; rc=$?
check "a text naming no build replays (exit $rc)" "[[ $rc == 0 ]]"
"$byo" --impl treiber-aba --expect flagged "$tmp/other.txt" >"$tmp/out" 2>&1; rc=$?
check "a text from another build naming only sites this build has replays to the same verdict (exit $rc)" \
  "[[ $rc == 0 ]]"
"$byo" --impl treiber-aba --expect flagged "$tmp/missing.txt" >"$tmp/out" 2>&1; rc=$?
check "a text from another build naming a site this build lacks is refused: exit $rc, '$(grep -m1 -o 'names site [^ ]*' "$tmp/out")'" \
  "[[ $rc == 2 ]] && grep -q 'missing.txt names site $missing, which this build does not have (the text was made on ix-build $other, this binary is $id' '$tmp/out'"
"$byo" --impl treiber-aba --trace "$scenario" >"$tmp/out" 2>&1
check "byo_replay --trace writes the build line into the text it prints" "grep -q '^# ix-build: $id\$' '$tmp/out'"
"$byo" --impl treiber "$seed" >"$tmp/out" 2>&1; rc=$?
check "bytes (no build named) replay (exit $rc)" "[[ $rc == 0 || $rc == 1 ]]"
"$explore" --impl treiber-aba --expect flagged "$tmp/other.txt" >"$tmp/out" 2>&1; rc=$?
check "byo_explore reads the other build's text too (exit $rc)" "[[ $rc == 0 ]]"
"$explore" --impl treiber-aba --expect flagged "$tmp/missing.txt" >"$tmp/out" 2>&1; rc=$?
check "... and refuses the one naming a missing site (exit $rc)" "[[ $rc == 2 ]] && grep -q 'names site $missing' '$tmp/out'"

# production-ix through the normal replay driver: texts and known files.
# A v2 record with byte id 8192 (the fuzzers' half) stops at a real site.
printf '\002\001\000\000\000\000\000\000\240\000\010\000\377\000' >"$tmp/until.bin"
"$rix" --impl production-ix --decode "$tmp/until.bin" >"$tmp/decoded.txt" 2>&1
idx=$(sed -n 's/^# ix-build: //p' "$tmp/decoded.txt")
site=$(sed -n 's/.* until=\([^ ]*\).*/\1/p' "$tmp/decoded.txt" | head -1)
check "maptrack_replay --decode names the build on production-ix ($idx) and the site ($site)" \
  "[[ \$idx == 0x* && -n '$site' && '$site' != @* ]]"
"$rix" --impl production --decode "$seed" >"$tmp/hooked.txt" 2>&1
check "... and no build on hooked production (its sites do not depend on the build)" "! grep -q '^# ix-build' '$tmp/hooked.txt'"
"$rix" --impl production-ix --encode "$tmp/decoded.txt" -o "$tmp/re.bin" >"$tmp/out" 2>&1; rc=$?
"$rix" --impl production-ix --decode "$tmp/re.bin" 2>&1 | grep -v '^#' >"$tmp/redecoded.txt"
check "the decoded text encodes (exit $rc) to bytes that decode to the same records" \
  "[[ $rc == 0 ]] && diff <(grep -v '^#' '$tmp/decoded.txt') '$tmp/redecoded.txt' >/dev/null"
sed "s/^# ix-build: .*/# ix-build: $other/" "$tmp/decoded.txt" >"$tmp/decoded-other.txt"
"$rix" --impl production-ix --encode "$tmp/decoded-other.txt" -o "$tmp/re2.bin" >"$tmp/out" 2>&1; rc=$?
check "... and on another build's line too, to the same bytes (exit $rc)" "[[ $rc == 0 ]] && cmp -s '$tmp/re.bin' '$tmp/re2.bin'"
sed "s/until=$site/until=maptrack.c.9999.1.read4/" "$tmp/decoded-other.txt" >"$tmp/decoded-missing.txt"
"$rix" --impl production-ix --encode "$tmp/decoded-missing.txt" -o "$tmp/re3.bin" >"$tmp/out" 2>&1; rc=$?
check "... but not naming a site this build lacks (exit $rc)" "[[ $rc == 2 ]] && grep -q 'names site maptrack.c.9999.1.read4' '$tmp/out'"
printf '# ix-build: %s\nI1:oracle:none\n' "$idx" >"$tmp/same.known"
printf '# ix-build: %s\nI1:oracle:none\nI7:get:%s\n' "$other" "$site" >"$tmp/other.known"
printf '# ix-build: %s\nI7:get:maptrack.c.9999.1.read4  # made elsewhere\n' "$other" >"$tmp/missing.known"
"$rix" --impl production-ix --known "$tmp/same.known" "$seed" >"$tmp/out" 2>&1; rc=$?
check "a known file naming this build is read (exit $rc)" "[[ $rc == 0 ]]"
"$rix" --impl production-ix --known "$tmp/other.known" "$seed" >"$tmp/out" 2>&1; rc=$?
check "a known file from another build naming sites this build has is read (exit $rc)" "[[ $rc == 0 ]]"
"$rix" --impl production-ix --known "$tmp/missing.known" "$seed" >"$tmp/out" 2>&1; rc=$?
check "a known file naming a site this build lacks is refused: exit $rc, '$(grep -m1 -o 'known findings: [^(]*' "$tmp/out")'" \
  "[[ $rc == 2 ]] && grep -q 'missing.known names site maptrack.c.9999.1.read4, which this build does not have' '$tmp/out'"
# bad counts are refused, never read as 0 (the explorer once took
# "--preemptions all" as K=0 without a word)
"$explore" --impl treiber-aba --preemptions all "$scenario" >"$tmp/out" 2>&1; rc=$?
check "the byo explorer refuses --preemptions all: exit $rc" \
  "[[ $rc == 2 ]] && grep -q 'no bound-free search' '$tmp/out'"
"$explore" --impl treiber-aba --preemptions 2x "$scenario" >"$tmp/out" 2>&1; rc=$?
check "the byo explorer refuses --preemptions 2x: exit $rc" "[[ $rc == 2 ]] && grep -q 'not a count' '$tmp/out'"
echo "SUMMARY test=build_id checks=$n fail=$fail"
exit $fail
