#!/usr/bin/env bash
# corpus/tools_test.sh REPLAY: tools/encode, tools/decode and tools/repro
# against the replay binary (MT_REPLAY_BIN: no bazel inside the test).
#  - every scenario: decode(encode(text)) gives back the same records, and
#    encoding decode's output gives the same bytes;
#  - repro: exit 0 clean, 1 finding (with the interleaving), 1 for a crash
#    of the replayed program (caught, signal reported), 2 for a missing
#    file or a bad flag; garbage, empty and truncated files decode;
#    the last line is SUMMARY files=N clean=N findings=N.
set -uo pipefail
export MT_REPLAY_BIN=$PWD/$1
T=${TEST_TMPDIR:-/tmp}/tools_test.$$
mkdir -p "$T"
fail=0
check() { if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; fail=1; fi; }

for t in corpus/scenarios/*.txt; do
  n=$(basename "$t" .txt)
  # encode picks the implementation whose sites the text names; decode on
  # production prints a site production lacks as its raw id (until=#N)
  tools/encode "$t" "$T/$n.bin" >/dev/null 2>&1
  tools/decode "$T/$n.bin" >"$T/$n.dec" 2>/dev/null
  grep -v '^#' "$T/$n.dec" | grep -v '^SUMMARY' | sed 's/ *$//' >"$T/$n.records"
  tools/encode "$T/$n.records" "$T/$n.bin2" >/dev/null 2>&1
  check "$n: encode(decode(encode(text))) == encode(text)" "cmp -s '$T/$n.bin' '$T/$n.bin2'"
  # the records of the scenario, canonical, equal decode's records
  "$MT_REPLAY_BIN" --encode "$T/$n.records" -o "$T/$n.bin3" 2>/dev/null
  tools/decode "$T/$n.bin3" 2>/dev/null | grep -v '^#' | grep -v '^SUMMARY' | sed 's/ *$//' >"$T/$n.records2"
  check "$n: decode(encode(decoded text)) == decoded text" "cmp -s '$T/$n.records' '$T/$n.records2'"
done

out=$(tools/repro --impl b1-xsa228-aba corpus/regress/b1-xsa228-aba/scenario-b1_xsa228_aba); rc=$?
check "repro finding exits 1" "[[ $rc == 1 ]]"
check "repro names the invariant and handle" "grep -q '^FINDING I5 (handle 2)' <<<\"\$out\""
check "repro prints the interleaving" "grep -q \"stopped before 'pop: cas head\" <<<\"\$out\""
check "repro ends with SUMMARY" "[[ \$(tail -n 1 <<<\"\$out\") == 'SUMMARY files=1 clean=0 findings=1' ]]"

out=$(tools/repro corpus/regress/b1-xsa228-aba/scenario-b1_xsa228_aba); rc=$?
check "repro clean exits 0" "[[ $rc == 0 && \$(tail -n 1 <<<\"\$out\") == 'SUMMARY files=1 clean=1 findings=0' ]]"

out=$(tools/repro --impl b4a-limit-before-page corpus/regress/b4a-limit-before-page/scenario-b4a_limit_before_page); rc=$?
check "repro reports a crash of the replayed program" "[[ $rc == 1 ]] && grep -q 'FINDING crash' <<<\"\$out\""

head -c 333 /dev/zero | tr '\0' '\377' >"$T/ff"; : >"$T/empty"; printf '\001\003' >"$T/short"
head -c 1000 corpus/maptrack_fuzzer/seed-b1_xsa228_aba | head -c 17 >"$T/truncated"
out=$(tools/repro "$T/ff" "$T/empty" "$T/short" "$T/truncated"); rc=$?
check "garbage, empty, truncated files replay clean" "[[ $rc == 0 && \$(tail -n 1 <<<\"\$out\") == 'SUMMARY files=4 clean=4 findings=0' ]]"

tools/repro "$T/no-such-file" >/dev/null 2>&1; rc=$?
check "repro missing file exits 2" "[[ $rc == 2 ]]"
tools/repro --no-such-flag x >/dev/null 2>&1; rc=$?
check "repro bad flag exits 2" "[[ $rc == 2 ]]"
tools/repro --impl no-such-impl corpus/maptrack_fuzzer/seed-b3_double_put >/dev/null 2>&1; rc=$?
check "repro unknown impl exits 2" "[[ $rc == 2 ]]"
tools/decode "$T/no-such-file" >/dev/null 2>&1; rc=$?
check "decode missing file exits 2" "[[ $rc == 2 ]]"
printf 'v9 fly\n' >"$T/bad.txt"
tools/encode "$T/bad.txt" "$T/bad.bin" >/dev/null 2>"$T/bad.err"; rc=$?
check "encode bad text: error with a line number, exit 1" "[[ $rc == 1 ]] && grep -q 'line 1' '$T/bad.err'"

echo "SUMMARY test=tools fail=$fail"
exit $fail
