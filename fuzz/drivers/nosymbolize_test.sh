#!/usr/bin/env bash
# nosymbolize_test.sh BINARY: runs BINARY with the sanitizers' symbolizer
# off (symbolize=0 appended to ASAN_OPTIONS, as afl-fuzz runs its targets).
set -u
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}symbolize=0"
echo "nosymbolize_test: ASAN_OPTIONS=$ASAN_OPTIONS"
exec "$1"
