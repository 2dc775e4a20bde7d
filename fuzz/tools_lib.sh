# fuzz/tools_lib.sh: shared by tools/decode, tools/encode, tools/repro, tools/fuzz.
# Source it; it defines:
#   mt_root                  the repository root
#   mt_need_bazel            run tools/setup if bazel is missing
#   mt_replay_bin            build (if needed) and print the path of //fuzz:maptrack_replay
#   mt_fuzzer_bin            build (if needed) and print the path of //fuzz:maptrack_fuzzer
# MT_NO_BUILD=1 skips `bazel build` when the binary already exists;
# MT_REPLAY_BIN=/path uses that replay binary and never builds (tests).

mt_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

mt_need_bazel() {
  if ! command -v bazel >/dev/null 2>&1; then
    echo "$(basename "$0"): bazel is missing: running tools/setup" >&2
    "$mt_root/tools/setup" >&2 || { echo "$(basename "$0"): tools/setup failed" >&2; return 1; }
  fi
}

# mt_build_bin LABEL OUTDIR [bazel flags...]: build //PKG:NAME under the
# configuration whose output directory is bazel-out/OUTDIR and print the
# binary's path there.  Each configuration has its own directory, so a
# build under another one (which flips the bazel-bin symlink) never makes
# us pick the wrong binary.
mt_build_bin() {
  local label=$1 dir=$2; shift 2
  local pkg=${label#//}; pkg=${pkg%%:*}
  local name=${label##*:}
  local bin="$mt_root/bazel-out/$dir/bin/$pkg/$name"
  if [[ ${MT_NO_BUILD:-0} == 1 && -x $bin ]]; then
    echo "$bin"; return 0
  fi
  mt_need_bazel || return 1
  echo "$(basename "$0"): building $label ..." >&2
  if ! (cd "$mt_root" && bazel build "$@" "$label" >&2 2>/tmp/mt_build.$$.log); then
    cat /tmp/mt_build.$$.log >&2; rm -f /tmp/mt_build.$$.log
    echo "$(basename "$0"): bazel build $label failed" >&2
    return 1
  fi
  rm -f /tmp/mt_build.$$.log
  [[ -x $bin ]] || { echo "$(basename "$0"): $bin not found after the build" >&2; return 1; }
  echo "$bin"
}

mt_replay_bin() {
  if [[ -n ${MT_REPLAY_BIN:-} ]]; then
    [[ -x $MT_REPLAY_BIN ]] || { echo "$(basename "$0"): MT_REPLAY_BIN=$MT_REPLAY_BIN is not executable" >&2; return 1; }
    echo "$MT_REPLAY_BIN"; return 0
  fi
  mt_build_bin //fuzz/drivers:maptrack_replay k8-fastbuild
}
mt_fuzzer_bin() { mt_build_bin //fuzz/drivers:maptrack_fuzzer k8-optlibfuzzer --config=asan-libfuzzer; }
# The triage binary (default configuration).
mt_triage_bin() { mt_build_bin //fuzz/triage:maptrack_triage k8-fastbuild; }

# mt_check_known FILE: the known-findings file (fuzz/known/known.h): one
# signature INV:DETECTOR:STOP per line, '#' comments, blank lines.  Prints
# its absolute path; a missing file or a malformed line is an error with
# its line number (the caller exits 2 before any work).  The C reader
# (mt_known_load) applies the same rules.
mt_check_known() {
  local f=$1 n=0 line sig
  [[ -f $f && -r $f ]] || { echo "tools/$(basename "${0%.sh}"): known-findings file $f: no such readable file" >&2; return 1; }
  while IFS= read -r line || [[ -n $line ]]; do
    n=$((n + 1))
    sig=${line%%#*}
    sig=${sig#"${sig%%[![:space:]]*}"}; sig=${sig%"${sig##*[![:space:]]}"}
    [[ -z $sig ]] && continue
    if [[ ! $sig =~ ^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$ || ${#sig} -ge 128 ]]; then
      echo "tools/$(basename "${0%.sh}"): $f:$n: not a signature: '$sig' (want INV:DETECTOR:STOP, e.g. I7:get:POP_WRITE_HEAD; '#' starts a comment)" >&2
      return 1
    fi
  done <"$f"
  realpath -- "$f"
}

# --memory-model M of every tool: sc or c11 (docs/memory-model.md), exported
# as MT_MEMORY_MODEL for the binaries (every input runs under it; the
# reproducers the harness saves carry it in their header).  Exit 2 if M is
# not a model.  $2: the tool's name for the message.
mt_set_memory_model() {
  case $1 in
    sc|c11) export MT_MEMORY_MODEL=$1 ;;
    *) echo "$2: --memory-model must be sc or c11 (got '$1')" >&2; exit 2 ;;
  esac
}
