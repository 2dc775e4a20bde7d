#!/bin/sh
# fuzz_test.sh FUZZER IMPL clean|flagged SEED RUNS [PATTERN] [model=sc|c11] [asm=fail|allow]
# A bounded libFuzzer run from an empty corpus with a fixed seed.
# flagged: the run must end in a finding (matching PATTERN if given);
# clean: it must not.  model=M runs every input under memory model M
# (MT_MEMORY_MODEL; byo and maptrack fuzzers alike).  asm=fail: inline
# assembly in the instrumented code ends the run (MT_IX_ASM,
# fuzz/instrument/blind.h).  Prints one SUMMARY line.
fuzzer=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") impl=$2 expect=$3 seed=$4 runs=$5
shift 5
pattern=FINDING model= asm=${MT_IX_ASM:-warn}
for arg in "$@"; do
	case $arg in
	model=*) model=${arg#model=} ;;
	asm=*) asm=${arg#asm=} ;;
	*) pattern=$arg ;;
	esac
done
dir=${TEST_TMPDIR:-/tmp}/byo-fuzz-$$
mkdir -p "$dir/corpus" && cd "$dir" || exit 2
MT_IX_ASM=$asm MT_MEMORY_MODEL=$model MT_IX_SYMBOLIZE=${MT_IX_SYMBOLIZE:-0} MT_IMPL=$impl "$fuzzer" -seed="$seed" -runs="$runs" \
	-max_len=256 -print_final_stats=1 corpus >log 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' log | tail -1)
found=0
grep -q "$pattern" log && [ $rc -ne 0 ] && found=1
[ $rc -ne 0 ] && [ $found -eq 0 ] && { tail -40 log; echo "SUMMARY impl=$impl seed=$seed result=error rc=$rc"; exit 1; }
ok=0
[ "$expect" = flagged ] && [ $found -eq 1 ] && ok=1
[ "$expect" = clean ] && [ $found -eq 0 ] && ok=1
[ $found -eq 1 ] && grep -m1 "^FINDING" log
echo "SUMMARY impl=$impl model=${model:-input} seed=$seed runs=$runs executed=${execs:-?} found=$found expect=$expect result=$([ $ok = 1 ] && echo ok || echo fail)"
[ $ok = 1 ]
