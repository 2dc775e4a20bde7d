#!/bin/sh
# so_test.sh REPLAY SCENARIO: the urcu-lfs-so adapter (liburcu-cds.so's
# own push and pop, not instrumented) replays clean, and the runtime
#   - names the library's mutex calls by function and object (a VCPU
#     blocks at 'cds_lfs_pop_blocking+0x.. in liburcu-cds.so...'),
#   - reports the put that passes no schedule point, and not the get
#     (the get passes the mutex calls).
# One SUMMARY line; exit 0 when all hold.
out=$(MT_IX_ASM=warn "$1" --impl urcu-lfs-so --trace "$2" 2>&1)
rc=$?
named=0 put=0 get=0 unscanned=0
printf '%s\n' "$out" | grep -q "blocked at 'cds_lfs_pop_blocking+0x[0-9a-f]* in liburcu-cds.so" && named=1
printf '%s\n' "$out" | grep -q "your put touched no shared memory" && put=1
printf '%s\n' "$out" | grep -q "your get touched" && get=1
printf '%s\n' "$out" | grep -q "unscanned" && unscanned=1
ok=0
[ $rc -eq 0 ] && [ $named = 1 ] && [ $put = 1 ] && [ $get = 0 ] && [ $unscanned = 0 ] && ok=1
[ $ok = 1 ] || printf '%s\n' "$out" | tail -30
echo "SUMMARY rc=$rc named=$named put_reported=$put get_reported=$get unscanned=$unscanned result=$([ $ok = 1 ] && echo ok || echo fail)"
[ $ok = 1 ]
