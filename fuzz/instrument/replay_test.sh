#!/bin/sh
# replay_test.sh [--model sc|c11] REPLAY IMPL clean|flagged FILE...: every
# file as expected (--model: every file under that memory model,
# MT_MEMORY_MODEL).  (also the explorer: byo_explore takes the same arguments.)
model=
if [ "$1" = --model ]; then model=$2; shift 2; fi
replay=$1 impl=$2 expect=$3
shift 3
MT_MEMORY_MODEL=$model MT_IX_SYMBOLIZE=${MT_IX_SYMBOLIZE:-1} exec "$replay" --impl "$impl" --expect "$expect" "$@"
