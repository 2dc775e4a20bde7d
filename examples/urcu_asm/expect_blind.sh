#!/bin/sh
# expect_blind.sh FUNCTION,... COMMAND ARGS...: COMMAND (a test script of
# freelist_fuzz_suite, run on a suite built with inline-assembly atomics)
# must fail with the runtime's blind-spot warning naming every FUNCTION.
# Prints one SUMMARY line; exit 0 when it does.
names=$1
shift
out=$("$@" 2>&1)
rc=$?
missing=
for f in $(echo "$names" | tr , " "); do
	printf '%s\n' "$out" | grep -q "^ix:   $f: .*lock" || missing="$missing $f"
done
blind=0
printf '%s\n' "$out" | grep -q "BLIND SPOT" && blind=1
ok=0
[ $rc -ne 0 ] && [ $blind = 1 ] && [ -z "$missing" ] && ok=1
[ $ok = 1 ] || printf '%s\n' "$out" | tail -30
printf '%s\n' "$out" | grep "BLIND SPOT" | head -1
echo "SUMMARY rc=$rc blind=$blind missing=${missing:-none} result=$([ $ok = 1 ] && echo ok || echo fail)"
[ $ok = 1 ]
