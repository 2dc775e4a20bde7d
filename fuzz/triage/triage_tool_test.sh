#!/usr/bin/env bash
# fuzz/triage_tool_test.sh TRIAGE TIMELINE TRIAGE_BIN REPLAY COVERAGE_BIN:
# tools/triage and tools/timeline end to end (no Bazel inside: the
# binaries come from the test's runfiles through MT_TRIAGE_BIN).
set -uo pipefail
triage=$1 timeline=$2 bin=$3 replay=$4 coverage=$5
export MT_TRIAGE_BIN=$bin
data=$(dirname "$0")/testdata/triage
[[ -d $data ]] || data=fuzz/testdata/triage
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail=0
check() { if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; fail=1; fi; }

# a campaign folder: two noisy copies of B1, the grow race, garbage, an empty file
in=$tmp/campaign; rm -rf "$in"; mkdir -p "$in"
cp "$data/b1_noisy_a.txt" "$in/crash-aaaa"
cp "$data/b1_noisy_b.txt" "$in/crash-bbbb"
cp "$data/b4b_grow_race.txt" "$in/crash-cccc"
head -c 300 /dev/zero | tr '\0' '\377' >"$in/crash-garbage"
: >"$in/leak-empty"
echo "maptrack_fuzzer: impl=b1-xsa228-aba pair_coverage=on" >"$in/fuzz.log"
out=$tmp/out save=$tmp/regress
# --by-shrunk: the older grouping by the shrunk program's signature (the
# checks below name its groups); the default, by the run's signature, and
# --accept are checked after them
"$triage" --by-shrunk --out "$out" --save-dir "$save" "$in" >"$tmp/triage.txt" 2>"$tmp/triage.err"; rc=$?
cat "$tmp/triage.txt"; sed 's/^/  stderr: /' "$tmp/triage.err"
last=$(tail -1 "$tmp/triage.txt")
check "exit 0" "((rc == 0))"
check "impl read from the campaign log" "grep -q 'implementation b1-xsa228-aba (from the campaign)' '$tmp/triage.err'"
check "progress per file" "grep -q '^\[3/5\]' '$tmp/triage.err'"
check "last line SUMMARY findings=3 groups=2 minimized=3 saved=2" "[[ '$last' == 'SUMMARY findings=3 groups=2 minimized=3 saved=2 '* ]]"
check "B1 group holds both noisy copies" "grep -E '^1 +I5 +2 ' '$tmp/triage.txt' | grep -q 'I5-get-at-ZOO_POP_CAS_HEAD-vs-get-put-own'"
check "grow race is its own group" "grep -E '^2 +I11 +1 ' '$tmp/triage.txt' | grep -q 'I11-grow-at-THREAD_LINK'"
check "groups are 1-minimal and clean on production" "! grep -E '^[0-9]+ ' '$tmp/triage.txt' | grep -qE ' NO | FLAGGED '"
b1=$save/I5-get-at-ZOO_POP_CAS_HEAD-vs-get-put-own
check "reproducer saved" "[[ -s $b1 ]]"
check "saved reproducer is flagged on b1-xsa228-aba" "! '$replay' --impl b1-xsa228-aba '$b1' >/dev/null"
check "saved reproducer is clean on production" "'$replay' --impl production '$b1' >/dev/null"
check "saved reproducer is 1-minimal" "'$bin' minimal --impl b1-xsa228-aba '$b1' >/dev/null"
check "readable interleaving next to the report" "grep -q 'FINDING I5' '$out/I5-get-at-ZOO_POP_CAS_HEAD-vs-get-put-own.txt'"
check "report file" "grep -q 'groups=2' '$out/triage.txt'"
# the padded input itself is not minimal: the minimality check is not blind
check "noisy input is not 1-minimal" "! '$bin' minimal --impl b1-xsa228-aba '$data/b1_noisy_a.txt' >/dev/null"
# second run: nothing new to save
"$triage" --by-shrunk --out "$out" --save-dir "$save" "$in" >"$tmp/triage2.txt" 2>/dev/null
check "second run finds the saved files" "grep -q '(already)' '$tmp/triage2.txt'"

# default: groups by the run's signature (the same two groups: B1's ABA,
# the grow race's I11), each with its run signature; --accept appends them
# to a known-findings file once, which tools/repro then reads
"$triage" --no-save --out "$tmp/outr" --accept "$tmp/known" "$in" >"$tmp/tr.txt" 2>"$tmp/tr.err"; rc=$?
check "by run signature: exit 0, 2 groups, accepted=2" "((rc == 0)) && grep -qE '^SUMMARY findings=3 groups=2 .*accepted=2' '$tmp/tr.txt'"
check "by run signature: B1 group holds both noisy copies" "grep -E '^1 +I5 +2 ' '$tmp/tr.txt' | grep -q 'I5-POP_READ_HEAD-ZOO_POP_CAS_HEAD'"
check "known file has the two signatures with comments" "[[ \$(grep -cE '^(I5:POP_READ_HEAD:ZOO_POP_CAS_HEAD|I11:[A-Z_]+:[A-Z_]+) +# ' '$tmp/known') == 2 ]]"
"$triage" --no-save --out "$tmp/outr" --accept "$tmp/known" "$in" >"$tmp/tr2.txt" 2>/dev/null
check "accept again adds nothing" "grep -q 'accepted=0' '$tmp/tr2.txt' && [[ \$(grep -c . '$tmp/known') == 2 ]]"
MT_REPLAY_BIN=$replay "$(dirname "$triage")/repro" --impl b1-xsa228-aba --known "$tmp/known" "$out/I5-get-at-ZOO_POP_CAS_HEAD-vs-get-put-own" >/dev/null 2>&1; rc=$?
check "tools/repro: the accepted finding is known (exit 3)" "((rc == 3))"
printf 'not a signature\n' >"$tmp/badknown"
"$triage" --no-save --out "$tmp/outr" --accept "$tmp/badknown" "$in" >/dev/null 2>&1; rc=$?
check "malformed known file for --accept: exit 2" "((rc == 2))"

# --by-first (multi-b2-b1): a get that met the lists B2 corrupted earlier
# in its input (run signature I4:seq:quiescent: its minimal program breaks
# the list another way than B2's own input, I5:seq:quiescent) joins B2's
# group (its shortest flagged prefix is B2's); B1's I11 pair stays apart;
# --accept lists every member's run signature, what the next campaign
# will meet
src=$(dirname "$0")/testdata/multi
[[ -d $src ]] || src=fuzz/triage/testdata/multi
multi=$tmp/multi; rm -rf "$multi"; mkdir -p "$multi"; cp "$src"/* "$multi/"   # runfiles are symlinks
"$triage" --impl multi-b2-b1 --no-save --out "$tmp/outm" "$multi" >"$tmp/tm1.txt" 2>/dev/null
check "multi-b2-b1 by run signature: 3 groups" "grep -q '^SUMMARY findings=3 groups=3 ' '$tmp/tm1.txt'"
"$triage" --impl multi-b2-b1 --no-save --by-first --out "$tmp/outm2" --accept "$tmp/knownm" "$multi" >"$tmp/tm2.txt" 2>/dev/null; rc=$?
check "--by-first: exit 0, 2 groups, accepted=3" "((rc == 0)) && grep -qE '^SUMMARY findings=3 groups=2 .*accepted=3' '$tmp/tm2.txt'"
check "--by-first: B2's group holds the later get" "grep -E '^[0-9]+ +I[0-9]+ +2 ' '$tmp/tm2.txt' | grep -q 'I5-seq-quiescent'"
check "--by-first: B1's I11 pair is its own group" "grep -qE '^[0-9]+ +I11 +1 .*I11-POP_READ_HEAD-THREAD_WRITE_HEAD' '$tmp/tm2.txt'"
check "--by-first: the group lists its run signatures" "grep -qE '^  run signatures: (I4:seq:quiescent I5:seq:quiescent|I5:seq:quiescent I4:seq:quiescent)\$' '$tmp/tm2.txt'"
check "--by-first --accept: the three run signatures" "[[ \$(grep -cE '^(I4:seq:quiescent|I5:seq:quiescent|I11:POP_READ_HEAD:THREAD_WRITE_HEAD) +# ' '$tmp/knownm') == 3 ]]"

# clean campaign on production: no groups, nothing saved
"$triage" --impl production --out "$tmp/out2" --no-save "$in" >"$tmp/t3.txt" 2>/dev/null; rc=$?
check "production: exit 0, no findings" "((rc == 0)) && [[ \$(tail -1 '$tmp/t3.txt') == 'SUMMARY findings=0 groups=0 '* ]]"
# empty dir and missing dir
mkdir -p "$tmp/empty"
"$triage" --no-save --out "$tmp/out3" "$tmp/empty" >"$tmp/t4.txt" 2>/dev/null; rc=$?
check "empty dir: exit 0, findings=0" "((rc == 0)) && grep -q '^SUMMARY findings=0 groups=0' '$tmp/t4.txt'"
"$triage" --no-save "$tmp/no-such-dir" >/dev/null 2>&1; rc=$?
check "missing dir: exit 2" "((rc == 2))"
"$triage" --bogus "$in" >/dev/null 2>&1; rc=$?
check "bad flag: exit 2" "((rc == 2))"

# timeline: VCPU columns, the marked invariant
"$timeline" "$b1" --impl b1-xsa228-aba -o "$tmp/b1.svg" >"$tmp/tl.txt" 2>/dev/null; rc=$?
check "timeline exit 0" "((rc == 0))"
check "timeline SUMMARY" "grep -q '^SUMMARY timeline=.* verdict=finding impl=b1-xsa228-aba' '$tmp/tl.txt'"
check "timeline VCPU columns" "grep -q '>VCPU v0<' '$tmp/b1.svg' && grep -q '>VCPU v1<' '$tmp/b1.svg'"
check "timeline marks the invariant in red" "grep -q 'BROKEN INVARIANT' '$tmp/b1.svg' && grep -q 'I5 (handle' '$tmp/b1.svg' && grep -q '#d50000' '$tmp/b1.svg'"
"$timeline" "$b1" --impl b1-xsa228-aba -o "$tmp/b1.html" >/dev/null 2>&1
check "timeline html" "grep -q '<svg' '$tmp/b1.html' && grep -q 'maptrack-input v2' '$tmp/b1.html'"
"$timeline" "$tmp/missing" >/dev/null 2>&1; rc=$?
check "timeline missing file: exit 2" "((rc == 2))"

# interleaving coverage (default toolchain build): pairs reached by the three findings
"$coverage" --impl b1-xsa228-aba --out "$tmp/cov" "$data" >"$tmp/cov.txt" 2>/dev/null
check "pair coverage counts pairs" "grep -qE '^SUMMARY corpus=3 findings=3 pairs=[1-9]' '$tmp/cov.txt'"
check "pair matrix names the B1 site" "grep -q 'ZOO_POP_CAS_HEAD' '$tmp/cov/pairs.tsv' && grep -q '<table>' '$tmp/cov/pairs.html'"

echo "SUMMARY test=triage_tool fail=$fail"
exit $fail
