#!/usr/bin/env bash
# signature_test.sh BIN FILE...: FILE is .../regress/<impl>/<name>; runs
# BIN <impl> FILE -- <impl> FILE ... and passes its verdict through.
set -uo pipefail
bin=$1; shift
args=()
for f in "$@"; do
  impl=$(basename "$(dirname "$f")")
  ((${#args[@]})) && args+=(--)
  args+=("$impl" "$f")
done
"$bin" "${args[@]}"
