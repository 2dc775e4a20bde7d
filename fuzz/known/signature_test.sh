#!/usr/bin/env bash
# signature_test.sh BIN FILE...: FILE is .../regress/<impl>/<name>; runs
# BIN <impl> FILE -- <impl> FILE ... and passes its verdict through.  The
# pair findings must be named by their two sites (INV:SITE:SITE), not by
# the operation that met the pair: I12 on v7-plain-link, I11 on b4b.
set -uo pipefail
bin=$1; shift
args=()
for f in "$@"; do
  impl=$(basename "$(dirname "$f")")
  ((${#args[@]})) && args+=(--)
  args+=("$impl" "$f")
done
out=$("$bin" "${args[@]}"); rc=$?
printf '%s\n' "$out"
pair='[A-Za-z0-9_.]+:[A-Za-z0-9_.]+;'
for want in "OK +v7-plain-link .*: I12:$pair" "OK +b4b-grow-plain-head .*/scenario-[^:]*: I11:$pair"; do
  grep -Eq "^$want" <<<"$out" || { echo "FAIL no line matches '$want'"; rc=1; }
done
exit $rc
