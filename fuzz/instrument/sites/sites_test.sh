#!/usr/bin/env bash
# sites_test.sh PLAIN PLUS LISTING_ASAN LISTING_LIBFUZZER INPUT...
# Saved inputs keep their meaning in every build of a suite (BUILD says
# what each check shows).  PLAIN is examples/treiber's replay binary, PLUS
# the same code with stats.c linked in; the listings are PLAIN --sites of
# each configuration, committed; each INPUT has INPUT.finding, the finding
# the libFuzzer build's replay printed for it under treiber-aba (its FLAGGED
# line without the file name).
set -uo pipefail
export LC_ALL=C
plain=$1 plus=$2 list_asan=$3 list_lf=$4
shift 4
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail=0 n=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok    $1"; else echo "FAIL  $1"; fail=1; fi; }
sites() { "$1" --sites | grep -v '^[#S]' | sort -k2,2; }   # byte-id name function file:line:col kind

sites "$plain" >"$tmp/plain"
sites "$plus" >"$tmp/plus"
check "the pop's CAS is treiber.c.41.7.cas64 with byte id 3234 (FNV-1a of its name, no collision)" \
  "grep -q '^3234 treiber.c.41.7.cas64 treiber_pop treiber.c:41:7 cas64\$' '$tmp/plain'"
grep -v ' stats.c\.' "$tmp/plus" >"$tmp/plus-shared"
check "stats.c's sites are in the plus build ($(grep -c ' stats.c\.' "$tmp/plus") of them)" \
  "grep -q ' stats.c\.' '$tmp/plus'"
check "with stats.c added, every other site keeps its name, byte id and text ($(wc -l <"$tmp/plain") sites)" \
  "diff '$tmp/plain' '$tmp/plus-shared' >&2"

# The other configuration's committed listing: the sites both have agree.
for listing in "$list_asan" "$list_lf"; do
	name=$(basename "$listing" .txt)
	grep -v '^[#S]' "$listing" | sort -k2,2 >"$tmp/$name"
	join -1 2 -2 2 -o 1.1,0,1.3,1.4,1.5 "$tmp/plain" "$tmp/$name" | sort -k2,2 >"$tmp/mine-shared"
	join -1 2 -2 2 -o 2.1,0,2.3,2.4,2.5 "$tmp/plain" "$tmp/$name" | sort -k2,2 >"$tmp/theirs-shared"
	shared=$(wc -l <"$tmp/mine-shared")
	check "$name: the $shared sites this build shares with it have its byte ids and texts (here $(wc -l <"$tmp/plain"), there $(wc -l <"$tmp/$name"))" \
	  "[[ $shared -gt 0 ]] && diff '$tmp/mine-shared' '$tmp/theirs-shared' >&2"
	check "$name: it has the CAS the regress inputs stop at" "grep -q ' treiber.c.41.7.cas64 ' '$tmp/$name'"
done

for bin in "$plain" "$plus"; do
	b=$(basename "$bin")
	"$bin" --impl treiber-aba --expect flagged "$@" >"$tmp/flagged" 2>&1
	for input in "$@"; do
		want=$(cat "$input.finding")
		got=$(grep -F "FLAGGED $input: " "$tmp/flagged" | sed -n 's/^FLAGGED [^:]*: //p')
		check "$b: $(basename "$input") gives the libFuzzer build's finding ('${want:0:50}...')" \
		  "[[ -n \"\$want\" && \"\$got\" == \"\$want\" ]]"
	done
	"$bin" --impl treiber --expect clean "$@" >"$tmp/out" 2>&1
	check "$b: the versioned stack stays clean on them" "[[ $? == 0 ]]"
done
echo "SUMMARY test=sites checks=$n fail=$fail inputs=$#"
exit $fail
