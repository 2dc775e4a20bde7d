#!/usr/bin/env bash
# corpus/explore_tools_test.sh TOOL EXPLORE DEPTH REPLAY: tools/explore and
# the explorer binary as a user drives them (no Bazel inside: the binaries
# come from the test's runfiles through MT_EXPLORE_BIN / MT_DEPTH_BIN).
# Text and bytes of one scenario explore alike; a corpus input's operations
# are kept; runs are deterministic; --max-schedules, --all, interrupts,
# missing files, bad flags and garbage get the documented exit codes and a
# SUMMARY line; --depth writes a table and scenario files.
set -uo pipefail
tool=$1 explore=$2 depth=$3 replay=$4
export MT_EXPLORE_BIN=$explore MT_DEPTH_BIN=$depth
here=$(dirname "$0")
sc=$here/scenarios
[[ -d $sc ]] || sc=corpus/scenarios
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail=0
check() { if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; fail=1; fi; }
summ() { grep '^SUMMARY ' <<<"$1" | tail -1; }
field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2" | tail -1; }
norate() { sed 's/ schedules_per_s=[0-9]*//' <<<"$1"; }

# text and bytes of the same scenario: the same schedules
a=$("$explore" --quiet --preemptions 1 --out "$tmp/x" "$sc/explore_2x3_limit.txt"); ra=$?
"$replay" --encode "$sc/explore_2x3_limit.txt" -o "$tmp/limit.bin" >/dev/null 2>&1
b=$("$explore" --quiet --preemptions 1 --out "$tmp/x" --name explore_2x3_limit "$tmp/limit.bin"); rb=$?
check "text form explores clean (exit 0)" "[[ $ra == 0 ]]"
check "its bytes explore the same schedules" "[[ '$(norate "$(summ "$a")")' == '$(norate "$(summ "$b")")' ]]"
check "SUMMARY names scenario, impl, K, schedules, violations" \
  "[[ '$(summ "$a")' == 'SUMMARY scenario=explore_2x3_limit impl=production preemptions=1 schedules='[0-9]*' violations=0 '* ]]"

# a text scenario written without the maptrack-input line reads as text
grep -v '^maptrack-input' "$sc/explore_2x3_limit.txt" >"$tmp/noheader.txt"
e=$("$explore" --quiet --preemptions 1 --out "$tmp/x" --name explore_2x3_limit "$tmp/noheader.txt"); re=$?
check "text without the header line: the same schedules" "[[ $re == 0 && '$(norate "$(summ "$a")")' == '$(norate "$(summ "$e")")' ]]"
printf 'vcpus 2\nv0 get\nv1 fly\n' >"$tmp/badtext.txt"
e=$("$explore" --quiet --out "$tmp/x" "$tmp/badtext.txt" 2>&1); re=$?
check "text with a bad line: says which line, exit 2" "[[ $re == 2 ]] && grep -q 'text form: line 3' <<<\"\$e\""

# deterministic: the same run twice
c=$("$explore" --quiet --preemptions 1 --out "$tmp/x" "$sc/explore_2x3_limit.txt")
check "two runs, one result" "[[ '$(norate "$(summ "$a")")' == '$(norate "$(summ "$c")")' ]]"

# a fuzzer-found input (bytes, records resuming busy VCPUs): its operations are kept
reg=$(ls "$here"/regress/b1-xsa228-aba/* 2>/dev/null | head -1)
[[ -n $reg ]] || reg=$(ls corpus/regress/b1-xsa228-aba/* | head -1)
d=$("$explore" --preemptions 1 --impl b1-xsa228-aba --out "$tmp/x" "$reg"); rd=$?
check "a b1 reproducer's operations, explored at K=1 on b1: a violation (exit 1)" "[[ $rd == 1 ]]"
check "  the scenario lists its operations" "grep -q '^v[0-9] get' <<<\"\$d\""

# --strict-boundaries: a switch between operations costs a preemption, so at
# K=0 each VCPU runs all its operations in one go: 2 VCPUs, 2 orders
j=$("$explore" --quiet --preemptions 0 --strict-boundaries --out "$tmp/x" "$sc/explore_2x3_grow.txt")
k0=$("$explore" --quiet --preemptions 0 --out "$tmp/x" "$sc/explore_2x3_grow.txt")
check "--strict-boundaries at K=0: 2 schedules (free boundaries: $(field schedules "$(summ "$k0")"))" \
  "[[ '$(field schedules "$(summ "$j")")' == 2 && $(field schedules "$(summ "$k0")") -gt 2 ]]"

# --max-schedules
e=$("$explore" --quiet --preemptions 2 --max-schedules 10 --out "$tmp/x" "$sc/explore_2x3_limit.txt"); re=$?
check "--max-schedules 10: 10 schedules, complete=0, exit 0" \
  "[[ $re == 0 && '$(field schedules "$(summ "$e")")' == 10 && '$(field complete "$(summ "$e")")' == 0 ]]"

# --all: several violations, each saved and flagged by the replay binary
rm -rf "$tmp/all"
f=$("$explore" --quiet --all --preemptions 0 --impl b2-stale-sentinel --out "$tmp/all" "$sc/explore_2x3_limit.txt"); rf=$?
nv=$(field violations "$(summ "$f")")
check "--all on b2: exit 1, more than one violation ($nv)" "[[ $rf == 1 && ${nv:-0} -gt 1 ]]"
nsaved=$(ls "$tmp/all" | grep -vc '\.txt$')
check "  every violation saved ($nsaved files)" "[[ $nsaved == '$nv' ]]"
bad=0
for s in $(ls "$tmp/all" | grep -v '\.txt$'); do
  "$replay" --impl b2-stale-sentinel "$tmp/all/$s" >/dev/null 2>&1; [[ $? == 1 ]] || bad=$((bad + 1))
done
check "  every saved schedule replays flagged" "[[ $bad == 0 ]]"
check "  the .txt holds the readable schedule and the finding" "grep -q '^# FINDING' \"\$(ls $tmp/all/*.txt | head -1)\""

# an interrupt: stops, reports, exit 130
"$explore" --quiet --preemptions 3 --out "$tmp/x" "$sc/explore_3x2_remote.txt" >"$tmp/int.out" 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid; ri=$?
g=$(cat "$tmp/int.out")
check "SIGINT: exit 130, SUMMARY with interrupted=1 complete=0" \
  "[[ $ri == 130 && '$(field interrupted "$(summ "$g")")' == 1 && '$(field complete "$(summ "$g")")' == 0 ]]"

# bad input
h=$("$explore" --out "$tmp/x" "$tmp/no-such-file" 2>&1); rh=$?
check "missing file: exit 2, SUMMARY error=unreadable" "[[ $rh == 2 && '$(summ "$h")' == *error=unreadable* ]]"
"$explore" --bogus "$sc/explore_2x3_limit.txt" >/dev/null 2>&1
check "bad flag: exit 2" "[[ $? == 2 ]]"
"$explore" --preemptions x "$sc/explore_2x3_limit.txt" >/dev/null 2>&1
check "bad number: exit 2" "[[ $? == 2 ]]"
"$explore" --impl no-such-impl "$sc/explore_2x3_limit.txt" >/dev/null 2>&1
check "unknown implementation: exit 2" "[[ $? == 2 ]]"
head -c 300 /dev/urandom >"$tmp/garbage" 2>/dev/null || printf '\377\376garbage\000\001' >"$tmp/garbage"
"$explore" --quiet --preemptions 0 --max-schedules 200 --out "$tmp/x" "$tmp/garbage" >/dev/null 2>&1; rg=$?
check "garbage bytes are a scenario too (exit 0, 1 or 2 with a message, no crash)" "[[ $rg == 0 || $rg == 1 || $rg == 2 ]]"

# the wrapper: several files, one aggregate SUMMARY last
w=$("$tool" --preemptions 0 --out "$tmp/w" "$sc/explore_2x3_limit.txt" "$sc/explore_2x3_grow.txt" 2>/dev/null); rw=$?
check "tools/explore on two files: exit 0, last line SUMMARY scenario=all(2)" \
  "[[ $rw == 0 && '$(tail -1 <<<"$w")' == 'SUMMARY scenario=all(2) impl=production preemptions=0 schedules='* ]]"
"$tool" --prove "$sc/explore_2x3_limit.txt" >/dev/null 2>&1
check "tools/explore --prove with a file: exit 2" "[[ $? == 2 ]]"
"$tool" --nope >/dev/null 2>&1
check "tools/explore bad flag: exit 2" "[[ $? == 2 ]]"

# --depth: a sequential bug at K=0; production is not found within small bounds
x=$("$tool" --depth --impl m-destroy-leak --out "$tmp/depth" 2>/dev/null); rx=$?
check "--depth m-destroy-leak: found at K=0 with 1 operation" \
  "[[ $rx == 0 && '$(tail -1 <<<"$x")' == 'SUMMARY mode=depth impls=1 found=1 not_found=0'* ]] && grep -qE '^m-destroy-leak +0 +1 +1 ' <<<\"\$x\""
check "  its scenario file is written" "[[ -s $tmp/depth/m-destroy-leak.txt ]]"
y=$("$tool" --depth --impl production --max-k 0 --max-ops 2 --out "$tmp/depth" 2>/dev/null); ry=$?
check "--depth production (K=0, 2 ops): not found, exit 1" "[[ $ry == 1 && '$(tail -1 <<<"$y")' == *not_found=1* ]]"
# --jobs 2: the same table, in the same order, as one at a time (every
# zoo variant, K=0, up to 2 operations on 2 VCPUs); --jobs outside --depth
# or not a number: exit 2
j1=$("$tool" --depth --max-k 0 --max-ops 2 --max-vcpus 2 --out "$tmp/j1" 2>/dev/null); r1=$?
j2=$("$tool" --depth --max-k 0 --max-ops 2 --max-vcpus 2 --jobs 2 --out "$tmp/j2" 2>/dev/null); r2=$?
norm() { sed "s|$tmp/j[12]|DIR|g; s/ seconds=[0-9]*//"; }
check "--depth --jobs 2: the same table and SUMMARY as --jobs 1 (exit $r1 / $r2)" \
  "[[ $r1 == $r2 && \$(grep -c 'not found within the bounds\| 0 ' <<<\"\$j1\") -gt 10 && \"\$(norm <<<\"\$j1\")\" == \"\$(norm <<<\"\$j2\")\" ]]"
"$tool" --jobs 2 "$sc/explore_2x3_grow.txt" >/dev/null 2>&1
check "--jobs without --depth: exit 2" "[[ $? == 2 ]]"
"$tool" --depth --jobs 0 >/dev/null 2>&1
check "--depth --jobs 0: exit 2" "[[ $? == 2 ]]"

echo "SUMMARY test=explore_tools fail=$fail"
exit $fail
