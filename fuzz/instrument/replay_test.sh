#!/bin/sh
# replay_test.sh REPLAY IMPL clean|flagged FILE...: every file as expected.
# (also the explorer: byo_explore takes the same arguments.)
replay=$1 impl=$2 expect=$3
shift 3
MT_IX_SYMBOLIZE=${MT_IX_SYMBOLIZE:-1} exec "$replay" --impl "$impl" --expect "$expect" "$@"
