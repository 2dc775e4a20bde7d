#!/bin/sh
# ix_c11_test.sh REPLAY INPUT... [--texts TEXT...]
# Instrumented production code under the c11 memory model
# (maptrack_replay_ix: production-ix and the zoo as <variant>-ix).
#   INPUT: bytes whose header says c11 and whose schedule names no site
#          (run=all and read-from records only: any build replays them
#          alike), made on w-relaxed-limit: flagged on w-relaxed-limit-ix
#          (the tool sees the stale read through the instrumentation),
#          clean on it under MT_MEMORY_MODEL=sc, clean on production-ix.
#   TEXT:  a byo scenario (examples/weak_stack/scenarios): encoded for
#          production-ix and replayed under c11: clean.
# Last line: SUMMARY.
replay=$1
shift
ok=0 bad=0 texts=0
export MT_IX_SYMBOLIZE=0
tmp=${TEST_TMPDIR:-/tmp}/ix-c11-$$
mkdir -p "$tmp" || exit 2
check() { # WANT GOT WHAT
	if [ "$1" = "$2" ]; then ok=$((ok + 1)); echo "ok    $3: $2"
	else bad=$((bad + 1)); echo "WRONG $3: want $1, got $2"; fi
}
verdict() { # IMPL FILE [MODEL]
	MT_MEMORY_MODEL=${3:-} "$replay" --impl "$1" "$2" >"$tmp/out" 2>&1
	case $? in 0) echo clean ;; 1) echo flagged ;; *) echo "error"; sed 's/^/    /' "$tmp/out" | tail -5 >&2 ;; esac
}
for f in "$@"; do
	if [ "$f" = --texts ]; then texts=1; continue; fi
	if [ $texts = 0 ]; then
		check flagged "$(verdict w-relaxed-limit-ix "$f")" "w-relaxed-limit-ix c11 $f"
		check clean "$(verdict w-relaxed-limit-ix "$f" sc)" "w-relaxed-limit-ix sc $f"
		check clean "$(verdict production-ix "$f")" "production-ix c11 $f"
	else
		b=$tmp/$(basename "$f").bin
		"$replay" --encode "$f" -o "$b" --impl production-ix >/dev/null 2>&1 || { check encoded error "encode $f"; continue; }
		check clean "$(verdict production-ix "$b" c11)" "production-ix c11 $f"
	fi
done
[ $ok -gt 0 ] || bad=$((bad + 1))
echo "SUMMARY test=ix_c11 checks=$((ok + bad)) ok=$ok wrong=$bad result=$([ $bad = 0 ] && echo ok || echo fail)"
[ $bad = 0 ]
