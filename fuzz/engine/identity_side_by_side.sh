#!/bin/bash
# identity_side_by_side.sh BASE_FUZZER FUZZER ROUNDS RUNS [MODE...]
#
# Executions per second of two maptrack_fuzzer builds (libFuzzer,
# --config=asan-libfuzzer), run alternately on core 0 (seed 1, the seed
# corpus corpus/maptrack_fuzzer, -max_len=512): wall and CPU seconds per
# run, then the totals.  MODE: base (BASE_FUZZER), off (FUZZER), on
# (FUZZER with MT_THREAD_IDENTITY=1); default "base off".  The figures of
# docs/bring-your-own.md, "Thread identity".
set -euo pipefail
if [ $# -lt 4 ] || ! [ -x "$1" ] || ! [ -x "$2" ] || ! [[ "$3$4" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 BASE_FUZZER FUZZER ROUNDS RUNS [base|off|on ...]" >&2
  exit 2
fi
base=$1 fuzzer=$2 rounds=$3 runs=$4
shift 4
modes=${*:-base off}
seeds=$(cd "$(dirname "$0")/../.." && pwd)/corpus/maptrack_fuzzer
declare -A wall cpu n
for r in $(seq 1 "$rounds"); do
  for m in $modes; do
    bin=$fuzzer env=MT_THREAD_IDENTITY=0
    case $m in
      base) bin=$base ;;
      off) ;;
      on) env=MT_THREAD_IDENTITY=1 ;;
      *) echo "unknown mode $m" >&2; exit 2 ;;
    esac
    d=$(mktemp -d)
    /usr/bin/time -o "$d.t" -f "%e %U %S" env "$env" taskset -c 0 nice "$bin" -seed=1 -runs="$runs" \
      -max_len=512 "$d" "$seeds" >/dev/null 2>&1
    read -r w u s <"$d.t"
    rm -rf "$d" "$d.t"
    c=$(echo "$u + $s" | bc)
    echo "$m round=$r runs=$runs wall_s=$w cpu_s=$c"
    wall[$m]=$(echo "${wall[$m]:-0} + $w" | bc)
    cpu[$m]=$(echo "${cpu[$m]:-0} + $c" | bc)
    n[$m]=$(( ${n[$m]:-0} + runs ))
  done
done
line="SUMMARY"
for m in $modes; do
  line="$line ${m}_execs=${n[$m]} ${m}_exec_per_s=$(echo "${n[$m]} / ${wall[$m]}" | bc) ${m}_exec_per_cpu_s=$(echo "${n[$m]} / ${cpu[$m]}" | bc)"
done
echo "$line"
