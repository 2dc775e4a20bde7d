#!/bin/bash
# bench_smoke.sh BENCH: run the benchmark briefly and check its output shape.
set -u
bench="$1"
out=$("$bench" --iters 1000 --reps 1 2>/dev/null)
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: $bench exited $rc"; echo "$out"; exit 1
fi
echo "$out"
last=$(printf '%s\n' "$out" | tail -n 1)
for key in prod_1t_ns base_1t_ns ratio_1t prod_2t_local_ns base_2t_local_ns ratio_2t_local \
           prod_2t_remote_ns base_2t_remote_ns ratio_2t_remote verify=ok; do
	case "$last" in
	"SUMMARY bench=maptrack "*"$key"*) ;;
	*) echo "FAIL: last line lacks $key: $last"; exit 1 ;;
	esac
done
rows=$(printf '%s\n' "$out" | grep -cE '^(production|baseline) +[12] +(local|remote) ')
if [ "$rows" -ne 8 ]; then
	echo "FAIL: want 8 table rows, got $rows"; exit 1
fi
"$bench" --no-such-flag >/dev/null 2>&1
rc=$?
if [ $rc -ne 2 ]; then
	echo "FAIL: a bad flag exited $rc, want 2"; exit 1
fi
"$bench" --reps 0 >/dev/null 2>&1
rc=$?
if [ $rc -ne 2 ]; then
	echo "FAIL: --reps 0 exited $rc, want 2"; exit 1
fi
echo "PASS: bench smoke"
