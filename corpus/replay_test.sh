#!/usr/bin/env bash
# corpus/replay_test.sh WANT IMPL REPLAY FILE...: replay each FILE (one
# process each, so a crash is one file's verdict) against IMPL with the
# replay binary and check the verdict: WANT=clean (exit 0) or WANT=flagged
# (a finding or a crash: exit 1; or a sanitizer report).  No files is a failure: a regression
# test that replays nothing proves nothing.  With MT_KNOWN set (bazel test
# --test_env=MT_KNOWN=/abs/known.txt) the replay binary reads the known
# findings: exit 3 (every finding known) counts as flagged for WANT=flagged
# and as clean for WANT=clean (an accepted finding does not fail CI).
set -uo pipefail
want=$1 impl=$2 replay=$3
shift 3
(($#)) || { echo "replay_test: no files to replay"; exit 1; }
ok=0 bad=0
for f in "$@"; do
  out=$("$replay" --impl "$impl" "$f" 2>&1); rc=$?
  # 1: a finding; above 128: killed by a signal (a crash, caught by a
  # sanitizer in sanitizer builds): a finding too
  case $rc in 0) got=clean ;; 1) got=flagged ;; 3) got=$want; echo "known $f: $(grep -m1 '^SIGNATURE\|^KNOWN-SIGNATURE' <<<"$out")" ;; 12[89]|1[3-9][0-9]|2[0-9][0-9]) got=flagged ;; *) got="error(rc=$rc)" ;; esac
  # Under --config=asan a sanitizer stops the run before the harness can
  # report (e.g. UBSan on b4a's NULL page): that report is the finding.
  if [[ $rc -ne 0 && $rc -ne 1 ]] && grep -qE '^SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer' <<<"$out"; then
    got=flagged
  fi
  if [[ $got == "$want" ]]; then
    ok=$((ok + 1)); echo "ok    $impl $got $f"
  else
    bad=$((bad + 1)); echo "WRONG $impl want=$want got=$got $f"; echo "$out" | sed 's/^/    /' | head -80
  fi
done
echo "SUMMARY test=replay impl=$impl want=$want files=$# ok=$ok wrong=$bad"
((bad == 0))
