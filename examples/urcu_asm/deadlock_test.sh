#!/bin/sh
# deadlock_test.sh REPLAY SCENARIO: urcu-lfs-relock deadlocks holding the
# stack's mutex; the replay must report the deadlock (flagged, with its
# trace) and nothing else: no assertion or crash from the adapter's
# destroy (cds_lfs_destroy asserts pthread_mutex_destroy() succeeds).
out=$("$1" --impl urcu-lfs-relock --expect flagged "$2" 2>&1)
rc=$?
deadlock=0 crash=0
printf '%s\n' "$out" | grep -q "^FLAGGED.*deadlock" && deadlock=1
printf '%s\n' "$out" | grep -qiE "assert|FINDING crash|abort" && crash=1
ok=0
[ $rc -eq 0 ] && [ $deadlock = 1 ] && [ $crash = 0 ] && ok=1
[ $ok = 1 ] || printf '%s\n' "$out" | tail -30
echo "SUMMARY rc=$rc deadlock=$deadlock crash=$crash result=$([ $ok = 1 ] && echo ok || echo fail)"
[ $ok = 1 ]
