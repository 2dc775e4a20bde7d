#!/bin/sh
# replay_test.sh [--model sc|c11] [--asm fail|allow] REPLAY IMPL clean|flagged FILE...: every
# file as expected (--model: every file under that memory model,
# MT_MEMORY_MODEL).  (also the explorer: byo_explore takes the same arguments.)
# --asm fail|allow: MT_IX_ASM (fuzz/instrument/blind.h), default warn.
model= asm=${MT_IX_ASM:-warn}
while :; do
	case $1 in
	--model) model=$2; shift 2 ;;
	--asm) asm=$2; shift 2 ;;
	*) break ;;
	esac
done
replay=$1 impl=$2 expect=$3
shift 3
MT_IX_ASM=$asm MT_MEMORY_MODEL=$model MT_IX_SYMBOLIZE=${MT_IX_SYMBOLIZE:-1} exec "$replay" --impl "$impl" --expect "$expect" "$@"
